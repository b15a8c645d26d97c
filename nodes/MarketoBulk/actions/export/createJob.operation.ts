import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { createExportJob } from '../../export/job';
import { withMemberAdvice } from '../../export/memberErrors';
import { withQuotaUsage } from '../../export/quota';
import { createJobBodies, type ExportKind } from '../../export/request';
import { exportSpecOf } from './parameters';

/** Create Job: one Marketo job (so at most 31 days), validated like Export; returns the job with its exportId. */
export async function run(
	this: IExecuteFunctions,
	kind: ExportKind,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const spec = exportSpecOf(this, kind, itemIndex, false);
	const [{ body }] = createJobBodies(spec);
	const job = await withQuotaUsage(this, () =>
		withMemberAdvice(this, spec, () => createExportJob(this, kind, body)),
	);
	return [{ json: { ...job, filter: body.filter } }];
}
