import type { INodePropertyOptions } from 'n8n-workflow';

import { IMPORT_BATCH_ROUTE } from '../../transport/paths';
import { operationEntry, routedStep } from '../declarative';

/** Get Import Status: one request for the Batch ID's status, run by n8n from this routing. */
export function option(): INodePropertyOptions {
	return operationEntry(
		'Get Import Status',
		'getImportStatus',
		'Get the status of a lead import job',
		{
			routing: routedStep('GET', IMPORT_BATCH_ROUTE),
		},
	);
}
