import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getExportJobStatus } from '../../export/job';
import type { ExportKind, ExportSpec } from '../../export/request';
import { DEFAULT_ACTIVITY_FIELDS, exportJobsOf } from '../../export/request';
import { jobOutput } from '../../export/output';
import { exportIdValue } from './exportId';
import { downloadOptionsOf } from './parameters';

/**
 * The Export ID: a resource locator's value (picked from the list or typed By ID), or the plain string that
 * workflows saved before the picker hold; either may have come from an expression.
 */
export function exportIdOf(ctx: IExecuteFunctions, itemIndex: number): string {
	const exportId = exportIdValue(
		ctx.getNodeParameter('exportId', itemIndex, '', { extractValue: true }),
	);
	if (!exportId) {
		throw new NodeOperationError(ctx.getNode(), 'No Export ID given', {
			itemIndex,
			description: 'Pick a job From List, or enter the exportId that Create Job returned.',
		});
	}
	return exportId;
}

/**
 * Download File: the file of a completed job as a binary item (streamed, resumed, checksum verified). The
 * job status supplies size, checksum and format, so the step needs nothing but the exportId.
 */
export async function run(
	this: IExecuteFunctions,
	kind: ExportKind,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const exportId = exportIdOf(this, itemIndex);
	const options = downloadOptionsOf(this, itemIndex);
	const customObject = this.getNodeParameter('customObject', itemIndex, '');
	const jobs = exportJobsOf(kind, customObject);
	const job = await getExportJobStatus(this, jobs, exportId);
	if (job.status !== 'Completed') {
		throw new NodeOperationError(
			this.getNode(),
			`Export job ${exportId} is ${job.status}; only a Completed job has a file.`,
			{
				itemIndex,
				description:
					'Wait for the job to complete (Get Job Status), or use the Export operation, which waits for you.',
			},
		);
	}
	const format = String(job.format ?? 'CSV').toUpperCase() as ExportSpec['format'];
	const spec: ExportSpec = {
		kind,
		...(typeof jobs === 'object' ? { customObject: jobs.apiName } : {}),
		format,
		fields: kind === 'activities' ? [...DEFAULT_ACTIVITY_FIELDS] : [],
		filter: {},
	};
	const result = await jobOutput(this, spec, job, options);
	return result.items;
}
