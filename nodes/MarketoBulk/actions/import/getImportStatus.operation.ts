import type { INodePropertyOptions } from 'n8n-workflow';

import { importBatchRoute, type ImportKind } from '../../transport/paths';
import { operationEntry, routedStep } from '../declarative';

/** Get Import Status: one request for the Batch ID's status, run by n8n from this routing. */
export function option(kind: ImportKind, noun: string): INodePropertyOptions {
	return operationEntry(
		'Get Import Status',
		'getImportStatus',
		`Get the status of a ${noun} import job`,
		{
			routing: routedStep('GET', importBatchRoute(kind)),
		},
	);
}
