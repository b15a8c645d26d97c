import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { importFormatParameter, type ImportKind } from '../../import/job';
import { targetJson } from './output';
import { executeImport, importsAllItems } from './run';

/**
 * Create Import Job: check and upload, without waiting for Marketo to import. One item per batch (a file of
 * 10 MB or more becomes several), with its batchId for Get Import Status, Get Failures and Get Warnings.
 * "1016 Too many imports" still waits (Poll Interval) until the timeout.
 */
export const runsOnce = importsAllItems;

export async function run(
	this: IExecuteFunctions,
	kind: ImportKind,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await executeImport(
		this,
		kind,
		itemIndex,
		false,
		async ({ prepared, report, context, batchItems }) => {
			const total = report.batches.length;
			const isItems = prepared.source.kind === 'items';
			return report.batches.map((b) => ({
				json: {
					batchId: b.batchId,
					importId: b.importId,
					status: b.status,
					batch: b.batch,
					batchCount: total,
					...(isItems
						? { firstInputItem: b.firstRow - 1, lastInputItem: b.lastRow - 1 }
						: { firstRow: b.firstRow, lastRow: b.lastRow }),
					rows: b.rows,
					format: importFormatParameter(prepared.source.format),
					...targetJson(context.settings.target),
					...(isItems ? {} : { fileName: prepared.source.fileName }),
					...(prepared.ignoredFields?.length ? { ignoredFields: prepared.ignoredFields } : {}),
				},
				pairedItem: batchItems(b.batch),
			}));
		},
	);
}
