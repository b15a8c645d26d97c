import type { INodePropertyOptions } from 'n8n-workflow';

import type { ExportKind } from '../../export/request';
import { exportJobRoute } from '../../transport/paths';
import { exportJobStep, operationEntry } from '../declarative';

/** Cancel Job: one request, run by n8n from this routing. */
export function option(kind: ExportKind, aNoun: string): INodePropertyOptions {
	const description = 'Stop a job that is created, queued or processing';
	const routing = exportJobStep('POST', exportJobRoute(kind, 'cancel'));
	return operationEntry('Cancel Job', 'cancelJob', `Cancel ${aNoun} export job`, {
		description,
		routing,
	});
}
