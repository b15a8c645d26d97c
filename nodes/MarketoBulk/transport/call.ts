import type {
	IDataObject,
	IExecuteFunctions,
	IExecuteSingleFunctions,
	IHttpRequestMethods,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';

import { marketoOrigin } from './endpoint';

/** What a call to Marketo is: the context it runs in, the request, the envelope, and its limits. */

export const CREDENTIALS_TYPE = 'marketoApi';

export type MarketoContext =
	| IExecuteFunctions
	| IExecuteSingleFunctions
	| IPollFunctions
	| ILoadOptionsFunctions;

export interface MarketoCall {
	method: IHttpRequestMethods;
	/** Path below the instance origin, e.g. `/bulk/v1/leads/export/create.json`. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	/** For bodies that cannot be sent twice (streams, multipart): called once per attempt. */
	makeBody?: () => MadeBody;
	headers?: IDataObject;
	/** Ask for the body as a stream (file downloads); JSON error envelopes are still recognised. */
	stream?: boolean;
	/** HTTP statuses the caller handles itself (e.g. 404 for a file that is gone) instead of failing. */
	acceptStatus?: number[];
	/**
	 * False for calls that must not run twice (an import upload): a failure after which Marketo may have
	 * acted (HTTP 500/502/504, a connection dropped or timed out after the whole body was sent) is then
	 * reported, not retried.
	 */
	idempotent?: boolean;
	/** When the run gives up (epoch ms, its Timeout): no attempt or retry of this call lasts beyond it. */
	deadline?: number;
}

export interface MadeBody {
	body: unknown;
	headers: IDataObject;
	/**
	 * Whether the connection has taken the whole body. Until it has, Marketo cannot have acted on the
	 * request, so a failure before that is safe to retry even for a call that must not run twice.
	 */
	sent?: () => boolean;
}

export interface MarketoEnvelope<T = IDataObject> {
	requestId?: string;
	success?: boolean;
	result: T[];
	warnings?: Array<{ code?: string; message?: string }>;
	nextPageToken?: string;
	moreResult?: boolean;
	[key: string]: unknown;
}

/** A stream body as n8n's HTTP helper hands it over: a Node Readable, used only as an async iterable. */
export interface ByteStream extends AsyncIterable<Uint8Array> {
	destroy?(error?: Error): void;
}

export interface StreamResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: ByteStream;
}

export const RETRY_POLICY = {
	/** Retries after the first attempt, for transient failures other than the rate limits. */
	maxRetries: 6,
	baseDelayMs: 500,
	maxDelayMs: 20_000,
	/** Marketo's rate window: 606 counts calls over 20 s. A rate-limited call waits up to this long between tries. */
	rateWindowMs: 20_000,
	/** How long a call refused for a rate limit (606, 615) keeps trying when its run sets no deadline. */
	rateLimitPatienceMs: 120_000,
};

/**
 * How long one attempt may take before it is given up (and retried, if the call may be): n8n's own
 * default is 300 s for the answer's head and nothing for a body that stops arriving.
 */
export const TIME_LIMITS = {
	/** A JSON call. Marketo answers in seconds and times out its own work at 30 s (604). */
	callMs: 45_000,
	/** A streamed file: the wait for its answer, and then for each next piece of it. */
	streamIdleMs: 60_000,
	/** An upload: this, plus its body's transfer at the slowest rate still worth waiting for. */
	uploadMs: 60_000,
	uploadBytesPerSecond: 64 * 1024,
	/** Even at the run's deadline a call gets this long (the last status check, a clean-up cancel). */
	minimumMs: 5_000,
	/** An upload does not start with a token that has less than this left (see tokenNeedsRenewal). */
	tokenMarginMs: 60_000,
};

/** The instance origin (scheme + host) from the credentials, whatever shape the user pasted. */
export async function instanceOrigin(ctx: MarketoContext): Promise<string> {
	const credentials = await ctx.getCredentials(CREDENTIALS_TYPE);
	return marketoOrigin(credentials.restEndpoint);
}

/** A time limit that was reached; named like the network's own timeouts so it is retried like one. */
export class TimeLimitError extends Error {
	readonly code = 'ETIMEDOUT';
}

export function seconds(ms: number): string {
	return `${Math.round(ms / 100) / 10} s`;
}

export function isStream(body: unknown): body is ByteStream {
	return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}
