/**
 * What a Marketo Bulk Trigger did inside a running n8n, read the way a user would see it: the items (or the
 * ids in the files) each of its executions emitted, and the state n8n saved for it in its database.
 */
import * as assert from 'assert';
import * as fs from 'fs';

import type { N8n } from './n8n';
import type { N8nItem } from './workflows';

export interface Emitted {
	executionId: string;
	status: string;
	startedAt: number;
	/** The emitted lead ids: of the items, or of the rows of the emitted files. */
	ids: number[];
	/** What n8n shows for an execution that failed (a poll that threw: a fault, or a notice). */
	error?: string;
}

/**
 * Every finished execution of a trigger workflow, oldest first. An execution that is not a success (n8n
 * records a poll that threw as an error execution) emitted nothing: its ids are empty.
 */
export async function emissions(
	n8n: N8n,
	workflowId: string,
	triggerNode: string,
	file: boolean,
): Promise<Emitted[]> {
	const list = (await n8n.executions(workflowId)).filter(
		(e) => e.status !== 'running' && e.status !== 'new',
	);
	const out: Emitted[] = [];
	for (const summary of list.reverse()) {
		const emitted: Emitted = {
			executionId: summary.id,
			status: String(summary.status),
			startedAt: Date.parse(String(summary.startedAt)),
			ids: [],
		};
		out.push(emitted);
		const execution = await n8n.execution(summary.id);
		if (summary.status !== 'success') {
			const error = execution.data.resultData.error;
			emitted.error = `${error?.message ?? ''}${error?.description ? ` — ${error.description}` : ''}`;
			continue;
		}
		const runs = execution.data.resultData.runData[triggerNode];
		const items: N8nItem[] = runs?.[runs.length - 1]?.data?.main?.[0] ?? [];
		for (const item of items) {
			if (!file) {
				emitted.ids.push(Number(item.json.id));
				continue;
			}
			const binary = item.binary?.data as { id?: string } | undefined;
			assert.ok(binary?.id, `execution ${summary.id}: a file item without a stored file`);
			const [header, ...rows] = fs
				.readFileSync(n8n.binaryDataPath(binary.id), 'utf8')
				.split('\n')
				.filter(Boolean);
			const column = header.split(',').indexOf('id');
			assert.ok(column >= 0, `execution ${summary.id}: the file has no id column: ${header}`);
			for (const row of rows) emitted.ids.push(Number(row.split(',')[column]));
		}
	}
	return out;
}

/** The trigger's state as n8n has it in its database (the workflow's static data, over the REST API). */
export async function savedState(
	n8n: N8n,
	workflowId: string,
	triggerNode: string,
): Promise<Record<string, unknown>> {
	const response = await n8n.rest<{ data?: { staticData?: unknown } }>(
		'GET',
		`/rest/workflows/${workflowId}`,
	);
	let staticData = response.body?.data?.staticData;
	if (typeof staticData === 'string') staticData = JSON.parse(staticData);
	const node = (staticData as Record<string, Record<string, unknown>> | undefined)?.[
		`node:${triggerNode}`
	];
	const state = node?.marketoBulkTrigger as Record<string, unknown> | undefined;
	assert.ok(state, `no trigger state in the workflow's static data: ${JSON.stringify(staticData)}`);
	return state;
}
