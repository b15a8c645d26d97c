import type {
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodePropertyOptions,
} from 'n8n-workflow';

import { canonicalStatus } from '../export/job';
import { prepareRoutedRequest, unwrapEnvelope } from '../transport';

/**
 * One entry of an Operation list: its name, value and action, with a description and routing where it has
 * them. The single-request steps (Enqueue Job, Get Job Status, Cancel Job, Get Import Status) are such an
 * entry with routing, each in its own `*.operation.ts`; n8n runs them declaratively.
 */
export function operationEntry(
	name: string,
	value: string,
	action: string,
	rest: Pick<INodePropertyOptions, 'description' | 'routing'> = {},
): INodePropertyOptions {
	return { name, value, action, ...rest };
}

/**
 * A declarative single step: plain routing (its URL from transport/paths.ts), with requests passed
 * through the shared transport policy.
 */
export function routedStep(method: 'GET' | 'POST', url: string): INodePropertyOptions['routing'] {
	return {
		request: { method, url },
		send: { preSend: [prepareRoutedRequest] },
		output: { postReceive: [unwrapEnvelope] },
	};
}

/** An export job step: as routedStep, with the job's status read in one spelling (see canonicalStatus). */
export function exportJobStep(
	method: 'GET' | 'POST',
	url: string,
): INodePropertyOptions['routing'] {
	return {
		...routedStep(method, url),
		output: { postReceive: [unwrapEnvelope, canonicalJobStatuses] },
	};
}

async function canonicalJobStatuses(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return items.map((item) => ({ ...item, json: canonicalStatus(item.json) }));
}
