import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { listExportJobs } from '../../export/job';
import { exportJobsOf, type ExportKind } from '../../export/request';

/**
 * List Jobs: every page of this API user's jobs (Marketo pages by 300), statuses read in one spelling, so
 * that the Status filter finds a cancelled job whichever way Marketo spells it.
 */
export async function run(
	this: IExecuteFunctions,
	kind: ExportKind,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const statuses = this.getNodeParameter('statusFilter', itemIndex, []) as string[];
	const customObject = this.getNodeParameter('customObject', itemIndex, '');
	const jobs = await listExportJobs(this, exportJobsOf(kind, customObject), statuses);
	return jobs.map((job) => ({ json: job }));
}
