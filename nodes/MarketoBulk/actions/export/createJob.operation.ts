import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { createExportJob } from '../../export/job';
import { withExportAdvice } from '../../export/advice';
import { withCustomObjectFields } from '../../export/customObjects';
import { withQuotaUsage } from '../../export/quota';
import { createJobBodies, exportJobsOf, type ExportKind } from '../../export/request';
import { exportSpecOf } from './parameters';

/** Create Job: one Marketo job (so at most 31 days), validated like Export; returns the job with its exportId. */
export async function run(
	this: IExecuteFunctions,
	kind: ExportKind,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const chosen = exportSpecOf(this, kind, itemIndex, false);
	const { job, filter } = await withQuotaUsage(this, () =>
		withExportAdvice(this, chosen, async () => {
			const spec = await withCustomObjectFields(this, chosen);
			const [{ body }] = createJobBodies(spec);
			const created = await createExportJob(this, exportJobsOf(kind, spec.customObject), body);
			return { job: created, filter: body.filter };
		}),
	);
	return [{ json: { ...job, filter } }];
}
