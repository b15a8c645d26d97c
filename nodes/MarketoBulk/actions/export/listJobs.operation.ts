import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { listExportJobs } from '../../jobs/exportJob';
import type { ExportKind } from '../../jobs/exportRequest';
import { failedItem } from '../failures';

/**
 * List Jobs: every page of this API user's jobs (Marketo pages by 300), statuses read in one spelling, so
 * that the Status filter finds a cancelled job whichever way Marketo spells it.
 */
export async function execute(
	this: IExecuteFunctions,
	kind: ExportKind,
): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[] = [];
	const items = this.getInputData();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const statuses = this.getNodeParameter('statusFilter', itemIndex, []) as string[];
			for (const job of await listExportJobs(this, kind, statuses))
				out.push({ json: job, pairedItem: { item: itemIndex } });
		} catch (error) {
			out.push(failedItem(this, error, itemIndex));
		}
	}
	return [out];
}
