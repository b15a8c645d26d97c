import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { createExportJob } from '../../jobs/exportJob';
import { withQuotaUsage } from '../../jobs/exportQuota';
import { createJobBodies, type ExportKind } from '../../jobs/exportRequest';
import { failedItem } from '../failures';
import { exportSpecOf } from './parameters';

/** Create Job: one Marketo job (so at most 31 days), validated like Export; returns the job with its exportId. */
export async function execute(
	this: IExecuteFunctions,
	kind: ExportKind,
): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[] = [];
	const items = this.getInputData();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const spec = exportSpecOf(this, kind, itemIndex, false);
			const [{ body }] = createJobBodies(spec);
			const job = await withQuotaUsage(this, () => createExportJob(this, kind, body));
			out.push({ json: { ...job, filter: body.filter }, pairedItem: { item: itemIndex } });
		} catch (error) {
			out.push(failedItem(this, error, itemIndex));
		}
	}
	return [out];
}
