import type {
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodePropertyOptions,
} from 'n8n-workflow';

import { canonicalStatus, recoverEnqueue } from '../../export/job';
import { exportJobsOf, type ExportKind } from '../../export/request';
import { unwrapEnvelope } from '../../transport';
import { exportJobRoute } from '../../transport/paths';
import { exportJobStep, operationEntry } from '../declarative';
import { exportIdValue } from './exportId';

/**
 * Enqueue Job: one request, run by n8n from this routing. When the transport had to resend it and Marketo
 * then answers 1029 "Job already queued" (or 1003), the job's status is the answer, as for Export.
 */
export function option(kind: ExportKind, aNoun: string): INodePropertyOptions {
	const routing = exportJobStep('POST', exportJobRoute(kind, 'enqueue'));
	const [, ...rest] = routing?.output?.postReceive ?? [];
	return operationEntry('Enqueue Job', 'enqueueJob', `Enqueue ${aNoun} export job`, {
		description: "Put a created job in Marketo's export queue",
		routing: { ...routing, output: { postReceive: [enqueueAnswer(kind), ...rest] } },
	});
}

/** postReceive in place of unwrapEnvelope: its items, or the job's status when the enqueue had gone through. */
function enqueueAnswer(kind: ExportKind) {
	return async function unwrapEnqueueAnswer(
		this: IExecuteSingleFunctions,
		items: INodeExecutionData[],
		response: IN8nHttpFullResponse,
	): Promise<INodeExecutionData[]> {
		try {
			return await unwrapEnvelope.call(this, items, response);
		} catch (error) {
			const exportId = exportIdValue(this.getNodeParameter('exportId', ''));
			const jobs = exportJobsOf(kind, this.getNodeParameter('customObject', ''));
			const job = await recoverEnqueue(this, jobs, exportId, error);
			return [{ json: canonicalStatus(job) }];
		}
	};
}
