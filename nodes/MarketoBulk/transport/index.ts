import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IExecuteSingleFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	IN8nHttpFullResponse,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { marketoOrigin } from './endpoint';
import { MarketoApiError, type MarketoErrorDetail } from './errors';

/**
 * The one way this package talks to Marketo. Every request, from the node's one-step operations, its
 * declarative single steps, the trigger and the pickers, goes through `sendWithPolicy`, which:
 * - unwraps Marketo's envelope (errors arrive with HTTP 200 and `success:false`);
 * - on 601/602 (token invalid/expired, also HTTP 200, which n8n does not recognise) or HTTP 401 fetches a
 *   fresh token and replays the request once;
 * - retries what is transient (604, 606, 608, 611, 615, HTTP 429/5xx, dropped connections) with
 *   exponential backoff and jitter, a bounded number of times;
 * - turns everything else into a MarketoApiError whose message says what to change.
 */

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
	makeBody?: () => { body: unknown; headers: IDataObject };
	headers?: IDataObject;
	/** Ask for the body as a stream (file downloads); JSON error envelopes are still recognised. */
	stream?: boolean;
	/** HTTP statuses the caller handles itself (e.g. 404 for a file that is gone) instead of failing. */
	acceptStatus?: number[];
	/**
	 * False for calls that must not run twice (an import upload): a failure after which Marketo may have
	 * acted (HTTP 500/502/504, a connection dropped after sending) is then reported, not retried.
	 */
	idempotent?: boolean;
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
	/** Retries after the first attempt; with the delays below they span more than Marketo's 20 s rate window. */
	maxRetries: 6,
	baseDelayMs: 500,
	maxDelayMs: 20_000,
};

const RETRYABLE_CODES = new Set(['604', '606', '608', '611', '615']);
const TOKEN_CODES = new Set(['601', '602']);
const CONNECTION_ERRORS =
	/ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|ECONNABORTED|EAI_AGAIN|socket hang up|other side closed|terminated|aborted/i;

export async function marketoRequest<T = IDataObject>(
	ctx: MarketoContext,
	call: MarketoCall,
): Promise<MarketoEnvelope<T>> {
	const response = await sendWithPolicy(
		ctx,
		() => toRequestOptions(ctx, call),
		call.acceptStatus,
		undefined,
		call.idempotent,
	);
	return envelopeOf<T>(response.body);
}

export async function marketoStream(
	ctx: MarketoContext,
	call: MarketoCall,
): Promise<StreamResponse> {
	const response = await sendWithPolicy(
		ctx,
		() => toRequestOptions(ctx, { ...call, stream: true }),
		call.acceptStatus,
	);
	return response as unknown as StreamResponse;
}

/** The instance origin (scheme + host) from the credentials, whatever shape the user pasted. */
export async function instanceOrigin(ctx: MarketoContext): Promise<string> {
	const credentials = await ctx.getCredentials(CREDENTIALS_TYPE);
	return marketoOrigin(credentials.restEndpoint);
}

// ---------------------------------------------------------------------------------------------------
// Declarative routing glue: the single-step operations are plain `routing` descriptions whose requests
// pass through these two hooks, so they follow exactly the same policy as everything else.

const routedRequests = new WeakMap<object, IHttpRequestOptions>();

/** preSend: point the request at the instance and keep it, so that `unwrapEnvelope` can replay it. */
export async function prepareRoutedRequest(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	requestOptions.baseURL = await instanceOrigin(this);
	requestOptions.ignoreHttpStatusErrors = true;
	requestOptions.returnFullResponse = true;
	requestOptions.json = true;
	// A deep copy taken before n8n adds the Authorization header, so a replay carries the fresh token.
	routedRequests.set(this, structuredClone(requestOptions));
	return requestOptions;
}

/** postReceive: one item per entry of Marketo's `result`; failures go through the shared policy. */
export async function unwrapEnvelope(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const sent = routedRequests.get(this);
	let body: unknown = response.body;
	if (sent && verdictOf(response as unknown as RawResponse).kind !== 'ok') {
		body = (
			await sendWithPolicy(
				this,
				async () => structuredClone(sent),
				undefined,
				response as unknown as RawResponse,
			)
		).body;
	}
	const envelope = envelopeOf(body);
	return envelope.result.map((json) => ({ json: json as IDataObject }));
}

/**
 * For clean-up after the execution was cancelled (e.g. cancelling the Marketo job it started): n8n aborts
 * every authenticated request of a cancelled run, so this one goes out through the plain HTTP helper with
 * the token in hand. No retries: it is best effort.
 */
export async function marketoRequestAfterCancel(
	ctx: MarketoContext,
	call: MarketoCall,
): Promise<unknown> {
	const credentials: ICredentialDataDecryptedObject =
		refreshedCredentials.get(ctx) ?? (await ctx.getCredentials(CREDENTIALS_TYPE));
	const options = await toRequestOptions(ctx, call);
	return await ctx.helpers.httpRequest({
		...options,
		headers: {
			...options.headers,
			Authorization: `Bearer ${String(credentials.accessToken ?? '')}`,
		},
	});
}

// ---------------------------------------------------------------------------------------------------

/** Waits `ms`, in short steps so a cancelled execution stops waiting at once. */
export async function pause(ctx: MarketoContext, ms: number): Promise<void> {
	const signal = cancelSignalOf(ctx);
	const until = Date.now() + ms;
	for (let left = ms; left > 0; left = until - Date.now()) {
		throwIfCancelled(ctx, signal);
		await sleep(Math.min(left, 1000));
	}
	throwIfCancelled(ctx, signal);
}

export function cancelSignalOf(ctx: MarketoContext): AbortSignal | undefined {
	const withSignal = ctx as Partial<IExecuteFunctions>;
	return typeof withSignal.getExecutionCancelSignal === 'function'
		? withSignal.getExecutionCancelSignal()
		: undefined;
}

export class ExecutionCancelledError extends NodeOperationError {}

function throwIfCancelled(ctx: MarketoContext, signal: AbortSignal | undefined): void {
	if (signal?.aborted) {
		throw new ExecutionCancelledError(ctx.getNode(), 'The execution was cancelled.');
	}
}

// ---------------------------------------------------------------------------------------------------

interface RawResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

type Verdict =
	| { kind: 'ok' }
	| { kind: 'token'; detail: MarketoErrorDetail }
	| { kind: 'retry'; detail: MarketoErrorDetail; maybeApplied: boolean }
	| { kind: 'fatal'; detail: MarketoErrorDetail; httpCode?: string };

/** Per context: a time after which no retry may start (a poll's time budget). */
const retryDeadlines = new WeakMap<object, number>();

/**
 * Stops retries that would outlast `deadlineMs` (epoch ms): n8n 2.x abandons a poll that runs past its
 * budget, so a poll had better fail fast and try again on the next one.
 */
export function limitRetriesUntil(ctx: MarketoContext, deadlineMs: number): void {
	retryDeadlines.set(ctx, deadlineMs);
}

/** Per execution context: credentials carrying a token refreshed after 601/602, used for later calls. */
const refreshedCredentials = new WeakMap<object, ICredentialDataDecryptedObject>();

async function sendWithPolicy(
	ctx: MarketoContext,
	build: () => Promise<IHttpRequestOptions>,
	acceptStatus: number[] = [],
	firstResponse?: RawResponse,
	idempotent = true,
): Promise<RawResponse> {
	let retries = 0;
	let tokenRefreshed = false;
	let forceNewToken = false;
	let response = firstResponse;
	for (;;) {
		let verdict: Verdict;
		if (response === undefined) {
			try {
				response = await send(ctx, await build(), forceNewToken);
				response = await readJsonErrorOfStream(response);
				verdict = acceptStatus.includes(response.statusCode) ? { kind: 'ok' } : verdictOf(response);
			} catch (error) {
				verdict = verdictOfThrown(ctx, error);
			}
		} else {
			verdict = verdictOf(response);
		}
		forceNewToken = false;

		if (verdict.kind === 'ok') return response as RawResponse;
		if (verdict.kind === 'retry' && verdict.maybeApplied && !idempotent) {
			throw new MarketoApiError(ctx.getNode(), verdict.detail, {
				extra:
					'This call must not be sent twice and Marketo may have acted on it before the failure, so it was not retried.',
				outcomeUnknown: true,
			});
		}
		if (verdict.kind === 'token' && !tokenRefreshed) {
			tokenRefreshed = true;
			forceNewToken = true;
		} else if (
			verdict.kind === 'retry' &&
			retries < RETRY_POLICY.maxRetries &&
			withinDeadline(ctx, retries)
		) {
			await pause(ctx, backoffDelay(retries++));
		} else {
			const extra =
				verdict.kind === 'retry'
					? `Gave up after ${retries + 1} attempts.`
					: verdict.kind === 'token'
						? 'A fresh token was fetched and the call was retried once.'
						: undefined;
			throw new MarketoApiError(ctx.getNode(), verdict.detail, {
				httpCode: verdict.kind === 'fatal' ? verdict.httpCode : undefined,
				extra,
			});
		}
		response = undefined;
	}
}

function withinDeadline(ctx: MarketoContext, retry: number): boolean {
	const deadline = retryDeadlines.get(ctx);
	return deadline === undefined || Date.now() + backoffCeiling(retry) < deadline;
}

function backoffCeiling(retry: number): number {
	return Math.min(RETRY_POLICY.maxDelayMs, RETRY_POLICY.baseDelayMs * 2 ** retry);
}

/**
 * Between 3/4 of the ceiling and the ceiling: enough jitter to spread concurrent clients, while all retries
 * together still wait out Marketo's 20 s rate window (at least 23.6 s over 6 retries; with half-ceiling
 * jitter it could be 15.8 s, and a saturated 606 would give up before the window cleared).
 */
function backoffDelay(retry: number): number {
	return Math.round(backoffCeiling(retry) * (0.75 + Math.random() * 0.25));
}

async function send(
	ctx: MarketoContext,
	options: IHttpRequestOptions,
	forceNewToken: boolean,
): Promise<RawResponse> {
	let credentialsDecrypted = undefined;
	let data = refreshedCredentials.get(ctx);
	if (forceNewToken) {
		// An empty expirable field makes n8n run the credential's preAuthentication (and store the new
		// token); the token lands in `data`, which later calls of this context reuse.
		data = { ...(await ctx.getCredentials(CREDENTIALS_TYPE)), accessToken: '' };
		refreshedCredentials.set(ctx, data);
	}
	if (data) {
		const reference = ctx.getNode().credentials?.[CREDENTIALS_TYPE];
		credentialsDecrypted = {
			id: reference?.id ?? '',
			name: reference?.name ?? '',
			type: CREDENTIALS_TYPE,
			data,
		};
	}
	return (await ctx.helpers.httpRequestWithAuthentication.call(
		ctx,
		CREDENTIALS_TYPE,
		options,
		credentialsDecrypted ? { credentialsDecrypted } : undefined,
	)) as RawResponse;
}

async function toRequestOptions(
	ctx: MarketoContext,
	call: MarketoCall,
): Promise<IHttpRequestOptions> {
	const made = call.makeBody?.();
	return {
		method: call.method,
		baseURL: await instanceOrigin(ctx),
		url: call.path,
		qs: call.qs,
		body: made ? made.body : call.body,
		headers: { ...(call.headers ?? {}), ...(made?.headers ?? {}) },
		json: !call.stream && !made,
		encoding: call.stream ? 'stream' : undefined,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	} as IHttpRequestOptions;
}

function verdictOf(response: RawResponse): Verdict {
	const { statusCode } = response;
	if (statusCode === 401) {
		return {
			kind: 'token',
			detail: { code: 'HTTP 401', message: 'Marketo refused the access token' },
		};
	}
	if (statusCode === 429 || statusCode >= 500) {
		return {
			kind: 'retry',
			detail: { code: `HTTP ${statusCode}`, message: `Marketo answered HTTP ${statusCode}` },
			// 429 and 503 are refusals at the door; 500/502/504 may come after the work was done.
			maybeApplied: statusCode !== 429 && statusCode !== 503,
		};
	}
	if (statusCode === 413) {
		return {
			kind: 'fatal',
			httpCode: '413',
			detail: {
				code: 'HTTP 413',
				message: 'Marketo refused the request as too large (import files must be under 10 MB)',
			},
		};
	}
	if (statusCode < 200 || statusCode >= 300) {
		return {
			kind: 'fatal',
			httpCode: String(statusCode),
			detail: {
				code: `HTTP ${statusCode}`,
				message: `Marketo answered HTTP ${statusCode}. If this persists, check the REST endpoint in the credentials`,
			},
		};
	}
	const body = parseMaybeJson(response.body);
	if (body === undefined || isStream(response.body)) return { kind: 'ok' };
	if (typeof body !== 'object' || body === null) {
		return {
			kind: 'fatal',
			detail: {
				code: 'not JSON',
				message:
					'Marketo answered with something that is not JSON. Check the REST endpoint in the credentials',
			},
		};
	}
	const envelope = body as {
		success?: unknown;
		errors?: Array<{ code?: unknown; message?: unknown }>;
	};
	if (envelope.success !== false) return { kind: 'ok' };
	const first = envelope.errors?.[0];
	const detail = {
		code: String(first?.code ?? 'unknown'),
		message: String(first?.message ?? 'Marketo reported a failure without saying why'),
	};
	if (TOKEN_CODES.has(detail.code)) return { kind: 'token', detail };
	if (RETRYABLE_CODES.has(detail.code)) return { kind: 'retry', detail, maybeApplied: false };
	return { kind: 'fatal', detail };
}

function verdictOfThrown(ctx: MarketoContext, error: unknown): Verdict {
	if (error instanceof ExecutionCancelledError || cancelSignalOf(ctx)?.aborted) {
		throw new ExecutionCancelledError(ctx.getNode(), 'The execution was cancelled.');
	}
	const failure = error as {
		code?: string;
		message?: string;
		cause?: { code?: string; message?: string };
	};
	const text = [failure.code, failure.cause?.code, failure.message, failure.cause?.message]
		.filter(Boolean)
		.join(' ');
	if (CONNECTION_ERRORS.test(text)) {
		return {
			kind: 'retry',
			detail: { code: 'connection', message: `The connection to Marketo failed (${text})` },
			maybeApplied: !/ECONNREFUSED|EAI_AGAIN/.test(text),
		};
	}
	// Not Marketo's answer: a credentials problem (preAuthentication), a bad URL, or a bug. Keep n8n's error.
	if (error instanceof NodeApiError || error instanceof NodeOperationError) throw error;
	throw new NodeApiError(ctx.getNode(), error as never);
}

/** Enough of an error answer to read it; a file is never buffered. */
const MAX_ERROR_BODY_BYTES = 1 << 20;

/**
 * A JSON error envelope can come back on a streamed call (file.json of a job that is not completed),
 * whatever the Content-Type says. The first chunk tells: an export file never starts with "{". A 206 is
 * the rest of a file from a byte offset, where "{" is just data (an activity's attributes JSON), never an
 * envelope. Anything else flows on untouched, first chunk included.
 */
async function readJsonErrorOfStream(response: RawResponse): Promise<RawResponse> {
	if (!isStream(response.body)) return response;
	const original = response.body;
	const iterator = original[Symbol.asyncIterator]();
	const first = await iterator.next();
	const head = first.done ? '' : Buffer.from(first.value.subarray(0, 64)).toString('utf8');
	const envelope = response.statusCode !== 206 && head.trimStart().startsWith('{');
	if (response.statusCode >= 300 || envelope) {
		const chunks: Uint8Array[] = first.done ? [] : [first.value];
		let size = chunks[0]?.length ?? 0;
		while (size < MAX_ERROR_BODY_BYTES) {
			const next = await iterator.next();
			if (next.done) break;
			chunks.push(next.value);
			size += next.value.length;
		}
		await iterator.return?.();
		const text = Buffer.concat(chunks).toString('utf8');
		return { ...response, body: parseMaybeJson(text) ?? text };
	}
	async function* rest(): AsyncGenerator<Uint8Array> {
		try {
			if (!first.done) yield first.value;
			for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
				yield next.value;
			}
		} finally {
			await iterator.return?.();
		}
	}
	const body: ByteStream = Object.assign(rest(), {
		destroy: (error?: Error) => original.destroy?.(error),
	});
	return { ...response, body };
}

function isStream(body: unknown): body is ByteStream {
	return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}

function parseMaybeJson(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	const text = body.trim();
	if (text === '') return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

function envelopeOf<T>(body: unknown): MarketoEnvelope<T> {
	const parsed = (parseMaybeJson(body) ?? {}) as MarketoEnvelope<T>;
	// Marketo omits `result` on some answers (and on errors); callers always get an array.
	return { ...parsed, result: Array.isArray(parsed.result) ? parsed.result : [] };
}
