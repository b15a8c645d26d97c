import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

/**
 * Marketo's error codes, turned into sentences a workflow builder can act on. This is the one place that
 * knows what each code means; the transport, the job helpers and the trigger all raise errors through it.
 */
const ADVICE: Record<string, string> = {
	'600': 'Marketo received no access token. Check the Marketo API credentials.',
	'601':
		'Marketo rejected the access token even after a fresh one was fetched. Check that the API user is active and its LaunchPoint service is enabled.',
	'602':
		'Marketo reported the access token expired even after a fresh one was fetched. Check the clock of the n8n server and try again.',
	'603':
		'The Marketo API user is not allowed to do this. Give its role the permission it needs (Read-Only Lead for lead and program member exports, Read-Only Activity for activity exports, Read-Write Lead for lead and program member imports, Read-Only Assets for the Static List, Smart List and Program pickers, Status Names, Add to Static List and the status check of Program Member Import, Read-Only Custom Object for custom object exports, Read-Write Custom Object for custom object imports) in Admin > Users & Roles.',
	'604': 'Marketo timed out several times in a row. Try again later.',
	'607':
		'The daily API call quota of this Marketo subscription is used up. It resets at 00:00 US Central time.',
	'608': 'The Marketo API stayed unavailable after several retries. Try again later.',
	'609': 'Marketo could not read the request body. This is a bug in the node: please report it.',
	'610':
		'Marketo did not find the requested resource. Check the ID (export jobs and import batches are kept for 7 days).',
	'611': 'Marketo reported a system error several times in a row. Try again later.',
	'612':
		'Marketo rejected the content type of the request. This is a bug in the node: please report it.',
	'615':
		"Marketo's limit of 10 concurrent API calls (shared by every integration using this instance) stayed exceeded while the call waited. Run fewer Marketo workflows at the same time, or give them a longer Timeout.",
	'1001': 'Marketo rejected a value because of its type. Check the values you entered.',
	'1002': 'A required value is missing. Fill in every required parameter.',
	'1003':
		'Marketo rejected the request. Check field names (use REST API names from Admin > Field Management, or pick them from the list), dates, and IDs.',
	'1004': 'The lead was not found.',
	'1006':
		'A field is not known to Marketo. Use REST API field names (Admin > Field Management, or pick them from the list).',
	'1007':
		'More than one lead matches the lookup field. Use a lookup field whose values are unique.',
	'1008': 'The API user has no access to this lead partition. Check the Partition Name.',
	'1013': 'Marketo did not find the object. Check the ID or name.',
	'1016':
		"Marketo's import queue is full (10 imports queued, 2 running) and stayed full until the timeout. Wait for other imports to finish, or raise the timeout.",
	'1029queue':
		"Marketo's export queue is full (10 jobs queued or running) and stayed full until the timeout. Wait for other exports to finish, cancel unused jobs (List Jobs / Cancel Job), or raise the timeout.",
	'1029quota':
		"Marketo's daily bulk export quota (500 MB a day, shared by lead, activity, program member and custom object exports) is used up. It resets at 00:00 US Central time. Export fewer fields or a shorter date range, or ask Marketo support to raise the quota.",
	'1035':
		'This filter is not enabled for your Marketo subscription. Ask Marketo support to enable it, or use the Created At filter instead.',
};

export interface MarketoErrorDetail {
	code: string;
	message: string;
}

/**
 * 1029 means different things; only the message tells them apart: "Too many jobs (10) in queue" (wait),
 * "Export daily quota 500MB exceeded" (stop until the reset), "Job already queued" (an earlier enqueue
 * went through).
 */
export function is1029Quota(error: MarketoErrorDetail): boolean {
	return error.code === '1029' && /quota/i.test(error.message);
}

export function is1029QueueFull(error: MarketoErrorDetail): boolean {
	return error.code === '1029' && !is1029Quota(error) && !is1029AlreadyQueued(error);
}

export function is1029AlreadyQueued(error: MarketoErrorDetail): boolean {
	return error.code === '1029' && /already/i.test(error.message);
}

export function adviceFor(error: MarketoErrorDetail): string | undefined {
	if (error.code === '1029') return ADVICE[is1029Quota(error) ? '1029quota' : '1029queue'];
	if (error.code === '606') return rateLimitAdvice(error.message);
	return ADVICE[error.code];
}

/**
 * 606 names the instance's limit ("Max rate limit '100' exceeded with in '20' secs"); subscriptions differ,
 * so the advice quotes what Marketo said rather than the documented default.
 */
function rateLimitAdvice(message: string): string {
	const said = /'(\d+)'[^']*'(\d+)'/.exec(message);
	const limit = said ? `${said[1]} calls per ${said[2]} seconds` : 'calls per 20 seconds';
	return `Marketo's rate limit (${limit}, shared by every integration using this instance) stayed exceeded while the call waited. Run fewer Marketo workflows at the same time, or give them a longer Timeout.`;
}

/** An error Marketo reported (HTTP 200 + success:false, or an HTTP failure), with its code kept for callers. */
export class MarketoApiError extends NodeApiError {
	readonly marketoCode: string;

	readonly marketoMessage: string;

	/** The call may have taken effect in Marketo before it failed (only for calls that are not retried). */
	readonly outcomeUnknown: boolean;

	constructor(
		node: INode,
		detail: MarketoErrorDetail,
		options: { httpCode?: string; extra?: string; outcomeUnknown?: boolean } = {},
	) {
		const advice = adviceFor(detail);
		const said = detail.message.replace(/[.\s]+$/, '');
		const message = `Marketo error ${detail.code}: ${said}.${advice ? ` ${advice}` : ''}`;
		super(node, { code: detail.code, message: detail.message } as JsonObject, {
			message,
			description: options.extra,
			httpCode: options.httpCode ?? detail.code,
		});
		// NodeApiError swaps a message naming ECONNRESET & co. for its generic text; ours says more.
		this.message = message;
		this.marketoCode = detail.code;
		this.marketoMessage = detail.message;
		this.outcomeUnknown = options.outcomeUnknown === true;
	}
}
