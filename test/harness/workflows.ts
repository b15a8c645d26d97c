/**
 * Workflows and what n8n makes of them: the workflow and credential fixtures a test imports, the example
 * workflows (examples/*.json), and readers of a run (`n8n execute --rawOutput`), of stored executions and of
 * n8n's log.
 */
import * as fs from 'fs';
import * as path from 'path';

import { REPO_ROOT } from './processes';

// ---------------------------------------------------------------------------------------------------------
// The example workflows (examples/*.json, linked from the README): the e2e suites import exactly these files

export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

/** Reads `examples/<file>` as it is (the file must carry its workflow `id`, so tests can execute it by id). */
export function readExampleWorkflow(file: string): WorkflowFixture {
	const workflow = JSON.parse(
		fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'),
	) as WorkflowFixture;
	if (!workflow.id) throw new Error(`examples/${file} has no workflow id`);
	return workflow;
}

/** A node of a workflow fixture by name (its parameters are what the test asserts against). */
export function workflowNode(
	workflow: WorkflowFixture,
	name: string,
): { name: string; type: string; parameters: Record<string, unknown>; [key: string]: unknown } {
	const node = (workflow.nodes as Array<{ name: string }>).find((n) => n.name === name);
	if (!node) throw new Error(`workflow "${workflow.name}" has no node named "${name}"`);
	return node as ReturnType<typeof workflowNode>;
}

/** The credentials every example references (by this id and name) that a test imports. */
export function exampleCredentialRef(workflow: WorkflowFixture): { id: string; name: string } {
	for (const node of workflow.nodes as Array<{
		credentials?: Record<string, { id: string; name: string }>;
	}>) {
		const ref = node.credentials?.marketoApi;
		if (ref) return ref;
	}
	throw new Error(`workflow "${workflow.name}" references no Marketo API credential`);
}

/** n8n's IRun, as `n8n execute --rawOutput` prints it (the parts we read). */
export interface N8nRun {
	status?: string;
	finished?: boolean;
	mode?: string;
	data: {
		resultData: {
			runData: Record<string, Array<N8nTaskData>>;
			lastNodeExecuted?: string;
			error?: {
				message?: string;
				description?: string;
				node?: { name?: string };
				[key: string]: unknown;
			};
		};
	};
}

export interface N8nItem {
	json: Record<string, unknown>;
	binary?: Record<string, unknown>;
	pairedItem?: { item: number; input?: number } | Array<{ item: number; input?: number }> | number;
}

export interface N8nTaskData {
	executionStatus?: string;
	error?: { message?: string; description?: string; [key: string]: unknown };
	data?: {
		main?: Array<N8nItem[] | null>;
	};
}

/** The failure of a run as n8n reports it ("<node>: <message> — <description>"); undefined when none. */
export function describeRunError(run: N8nRun | undefined): string | undefined {
	const runError = run?.data.resultData.error;
	if (!runError) return undefined;
	const where = runError.node?.name ? `${runError.node.name}: ` : '';
	const more = runError.description ? ` — ${runError.description}` : '';
	return `${where}${runError.message ?? 'unknown error'}${more}`;
}

/** The items a node put on its first output in its last run. */
export function nodeOutput(
	run: N8nRun | undefined,
	nodeName: string,
): Array<Record<string, unknown>> {
	const runs = run?.data.resultData.runData[nodeName];
	const last = runs?.[runs.length - 1];
	return (last?.data?.main?.[0] ?? []).map((item) => item.json);
}

/** The items (json, binary, pairedItem) a node put on output `output` in its last run. */
export function nodeItems(run: N8nRun | undefined, nodeName: string, output = 0): N8nItem[] {
	const runs = run?.data.resultData.runData[nodeName];
	const last = runs?.[runs.length - 1];
	return last?.data?.main?.[output] ?? [];
}

export interface CredentialFixture {
	id: string;
	name: string;
	type: string;
	/** Plain values: import:credentials encrypts them with N8N_ENCRYPTION_KEY. */
	data: Record<string, unknown>;
}

export interface WorkflowFixture {
	id: string;
	name: string;
	nodes: unknown[];
	connections: Record<string, unknown>;
	active?: boolean;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

/** An execution as n8n's executions list shows it. */
export interface ExecutionSummary {
	id: string;
	workflowId?: string;
	mode?: string;
	status?: string;
	finished?: boolean;
	startedAt?: string;
	stoppedAt?: string;
	[key: string]: unknown;
}

/**
 * Parses the `flatted` format n8n stores and sends execution data in: a JSON array whose first entry is the
 * root; every string inside an object or array is the index of the entry holding the value (strings are
 * entries of their own), so shared and circular references survive.
 */
export function parseFlatted(text: string): unknown {
	const input = JSON.parse(text) as unknown[];
	if (!Array.isArray(input)) return input;
	const revived = new Map<number, unknown>();
	const resolve = (index: number): unknown => {
		if (revived.has(index)) return revived.get(index);
		const value = input[index];
		if (value === null || typeof value !== 'object') {
			revived.set(index, value);
			return value;
		}
		const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
		revived.set(index, out);
		for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
			(out as Record<string, unknown>)[key] =
				typeof entry === 'string' ? resolve(Number(entry)) : entry;
		}
		return out;
	};
	return resolve(0);
}

/** Splits n8n's text log into entries (a timestamped line and its continuation lines). */
export function logEntries(log: string): string[] {
	const entries: string[] = [];
	for (const line of log.split('\n')) {
		if (/^\d{2}:\d{2}:\d{2}\.\d{3}\s/.test(line) || entries.length === 0) entries.push(line);
		else entries[entries.length - 1] += `\n${line}`;
	}
	return entries;
}
