import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runExportJob } from '../../export/job';
import { withExportAdvice } from '../../export/advice';
import { withCustomObjectFields } from '../../export/customObjects';
import { withQuotaUsage } from '../../export/quota';
import { createJobBodies, exportJobsOf, type ExportKind } from '../../export/request';
import { jobOutput } from '../../export/output';
import type { Emit } from '../operation';
import { exportRunOptionsOf, exportSpecOf } from './parameters';

/**
 * Export: for each input item, validate, then per ≤ 31-day window create → enqueue → wait → download →
 * output, one window after another (Marketo runs 2 jobs at a time per instance; queuing our own windows
 * would only crowd out other integrations).
 */
export async function run(
	this: IExecuteFunctions,
	kind: ExportKind,
	itemIndex: number,
	emit: Emit,
): Promise<void> {
	const chosen = exportSpecOf(this, kind, itemIndex, true);
	const { output, pollIntervalMs, timeoutMs } = exportRunOptionsOf(this, itemIndex);
	const wait = { pollIntervalMs, deadline: Date.now() + timeoutMs };
	// Max Items caps records (outputOptionsOf leaves it 0 for File output: a file is never capped).
	const maxItems = output.maxItems ?? 0;
	let emitted = 0;
	let last: INodeExecutionData | undefined;
	const spec = await withExportAdvice(this, chosen, () => withCustomObjectFields(this, chosen));
	const jobs = exportJobsOf(kind, spec.customObject);
	for (const { window, body } of createJobBodies(spec)) {
		if (maxItems > 0 && emitted >= maxItems) {
			// The cap fell exactly on a window's end: say so instead of exporting the next window.
			if (last)
				last.json._marketoBulk = {
					capped: true,
					note: `Output stopped at Max Items (${maxItems}); windows from ${window?.startAt} on were not exported. Raise Max Items or use File output to get them all.`,
				};
			break;
		}
		const job = await withQuotaUsage(this, () =>
			withExportAdvice(this, spec, () => runExportJob(this, jobs, body, wait)),
		);
		const result = await jobOutput(this, spec, job, output, { window, alreadyEmitted: emitted });
		emit(result.items);
		emitted += result.items.length;
		last = result.items[result.items.length - 1] ?? last;
		if (result.capped) break;
	}
}
