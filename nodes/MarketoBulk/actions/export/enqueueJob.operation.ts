import type { INodePropertyOptions } from 'n8n-workflow';

import type { ExportKind } from '../../export/request';
import { exportJobRoute } from '../../transport/paths';
import { exportJobStep, operationEntry } from '../declarative';

/** Enqueue Job: one request, run by n8n from this routing (no 1029 "already queued" recovery: see Export). */
export function option(kind: ExportKind, aNoun: string): INodePropertyOptions {
	return operationEntry('Enqueue Job', 'enqueueJob', `Enqueue ${aNoun} export job`, {
		description: "Put a created job in Marketo's export queue",
		routing: exportJobStep('POST', exportJobRoute(kind, 'enqueue')),
	});
}
