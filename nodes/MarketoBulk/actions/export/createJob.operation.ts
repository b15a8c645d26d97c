import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { createExportJob } from '../../jobs/exportJob';
import { withQuotaUsage } from '../../jobs/exportQuota';
import { createJobBodies, type ExportKind } from '../../jobs/exportRequest';
import { forEachItem } from '../failures';
import { exportSpecOf } from './parameters';

/** Create Job: one Marketo job (so at most 31 days), validated like Export; returns the job with its exportId. */
export async function execute(
	this: IExecuteFunctions,
	kind: ExportKind,
): Promise<INodeExecutionData[][]> {
	return await forEachItem(this, async (itemIndex) => {
		const spec = exportSpecOf(this, kind, itemIndex, false);
		const [{ body }] = createJobBodies(spec);
		const job = await withQuotaUsage(this, () => createExportJob(this, kind, body));
		return [{ json: { ...job, filter: body.filter }, pairedItem: { item: itemIndex } }];
	});
}
