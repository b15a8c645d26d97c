import type { INodePropertyOptions } from 'n8n-workflow';

import type { ExportKind } from '../../export/request';
import { exportJobRoute } from '../../transport/paths';
import { exportJobStep, operationEntry } from '../declarative';

/** Get Job Status: one request, run by n8n from this routing; the status is read in one spelling. */
export function option(kind: ExportKind, aNoun: string): INodePropertyOptions {
	const action = `Get the status of ${aNoun} export job`;
	return operationEntry('Get Job Status', 'getJobStatus', action, {
		routing: exportJobStep('GET', exportJobRoute(kind, 'status')),
	});
}
