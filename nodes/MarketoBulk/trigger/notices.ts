import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { toNodeError } from '../helpers/nodeErrors';
import { MarketoApiError } from '../transport/errors';
import type { DataEvent } from './config';

/** Something to tell the user once, kept in the state until a poll throws it. */
export interface Notice {
	id: string;
	message: string;
	description?: string;
}

/**
 * Telling the user something once (the daily quota is used up, a job keeps failing) without losing state.
 *
 * A poll reports a problem by throwing, and n8n then keeps none of that poll's static-data changes under
 * the 2.x durable scheduler (it commits the state only when a poll returns). So a poll that has already
 * done something Marketo remembers (created a job) never throws: it stores the notice in the state and
 * returns, and the next poll throws it first, before touching anything. Which notices were already told
 * is kept in this process's memory, so a notice is told once per problem and process (a restarted n8n
 * tells it once more), whatever n8n keeps of the state of a failing poll.
 */

const told = new Set<string>();
const MAX_TOLD = 1000;

export function wasTold(stateId: string, notice: Notice): boolean {
	return told.has(`${stateId}:${notice.id}`);
}

export function markTold(stateId: string, notice: Notice): void {
	if (told.size >= MAX_TOLD) told.clear();
	told.add(`${stateId}:${notice.id}`);
}

export function noticeError(node: INode, notice: Notice): NodeOperationError {
	return new NodeOperationError(node, notice.message, { description: notice.description });
}

/**
 * Failed downloads of one job's file, counted in this process's memory for the same reason: a failing
 * poll may keep no state. After a few, the trigger gives the job up and exports its window again.
 */
const downloadFailures = new Map<string, number>();

export function countDownloadFailure(stateId: string, exportId: string): number {
	if (downloadFailures.size >= MAX_TOLD) downloadFailures.clear();
	const key = `${stateId}:${exportId}`;
	const n = (downloadFailures.get(key) ?? 0) + 1;
	downloadFailures.set(key, n);
	return n;
}

/**
 * Error 1035 on the updatedAt filter, told in terms of the trigger's events: which event needs the
 * filter, and what the others can and cannot see instead.
 */
export function explainCreateError(
	node: INode,
	event: DataEvent,
	error: unknown,
): NodeApiError | NodeOperationError {
	const advice =
		error instanceof MarketoApiError && error.marketoCode === '1035' && UPDATED_AT[event];
	if (advice)
		return new NodeOperationError(node, advice.message, { description: advice.description });
	return toNodeError(node, error);
}

const UPDATED_AT: Partial<Record<DataEvent, { message: string; description: string }>> = {
	updatedLeads: {
		message:
			'Marketo error 1035: this subscription does not offer the Updated At filter for bulk lead exports, which the Updated Leads event needs.',
		description:
			'Ask Marketo support to enable the updatedAt filter for bulk lead extract. Meanwhile the New Leads event (Created At filter, available everywhere) emits every lead once, when it is created, with the values it has when the job runs; it does not see later changes to existing leads (field updates, score changes, merges).',
	},
	programMemberChanges: {
		message:
			'Marketo error 1035: this subscription does not offer the Updated At filter for bulk program member exports, which the Program Member Changes event needs.',
		description:
			"Ask Marketo support to enable the updatedAt filter for bulk program member extract. Meanwhile the New Activities event with the activity type Change Status in Progression (104), filtered by program (Primary Attribute Filter), emits each status change once; it does not see changes to a member's other fields. The node's Program Member Export without Updated At exports all current members of a program.",
	},
	customObjectChanges: {
		message:
			'Marketo error 1035: this subscription does not offer the Updated At filter for bulk custom object exports, which the Custom Object Changes event needs.',
		description:
			"Ask Marketo support to enable the updatedAt filter for bulk custom object extract. Meanwhile the node's Custom Object Export with a Static List or Smart List filter exports the current records linked to that list's leads, all of them each time (no changes only).",
	},
};
