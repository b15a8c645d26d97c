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
import { knownTokenExpiry, requestToken, TOKEN_TEMPORARY_FAILURE } from './identity';

/**
 * The one way this package talks to Marketo. Every request, from the node's one-step operations, its
 * declarative single steps, the trigger and the pickers, goes through `sendWithPolicy`, which:
 * - unwraps Marketo's envelope (errors arrive with HTTP 200 and `success:false`);
 * - on 601/602 (token invalid/expired, also HTTP 200, which n8n does not recognise) or HTTP 401 fetches a
 *   fresh token and replays the request once;
 * - gives every attempt a time limit of its own (TIME_LIMITS), cut to the run's deadline;
 * - retries what is transient (604, 608, 611, HTTP 429/5xx, dropped connections, time limits) with
 *   exponential backoff and jitter, a bounded number of times; Marketo's rate limits (606, 615), shared
 *   with every other client of the instance, are waited out for as long as the run may wait;
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

/** How often a time limit is checked: a pending sleep, never more than one per limit. */
const WATCH_STEP_MS = 1000;

const RETRYABLE_CODES = new Set(['604', '606', '608', '611', '615']);
const RATE_LIMIT_CODES = new Set(['606', '615']);
const TOKEN_CODES = new Set(['601', '602']);
const CONNECTION_ERRORS =
	/ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|ECONNABORTED|EAI_AGAIN|socket hang up|other side closed|terminated|aborted|timeout of \d+ms exceeded/i;

export async function marketoRequest<T = IDataObject>(
	ctx: MarketoContext,
	call: MarketoCall,
): Promise<MarketoEnvelope<T>> {
	const response = await sendWithPolicy(ctx, {
		build: () => toRequestOptions(ctx, call),
		acceptStatus: call.acceptStatus,
		idempotent: call.idempotent,
		deadline: call.deadline,
	});
	return envelopeOf<T>(response.body);
}

export async function marketoStream(
	ctx: MarketoContext,
	call: MarketoCall,
): Promise<StreamResponse> {
	const response = await sendWithPolicy(ctx, {
		build: () => toRequestOptions(ctx, { ...call, stream: true }),
		acceptStatus: call.acceptStatus,
		deadline: call.deadline,
	});
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
	const verdict = verdictOf(response as unknown as RawResponse);
	if (verdict.kind !== 'ok') {
		// Without the request to replay, Marketo's answer is the outcome: an error, never an empty success.
		if (!sent) throw errorOf(this, verdict);
		body = (
			await sendWithPolicy(this, {
				build: async () => ({ options: structuredClone(sent) }),
				firstResponse: response as unknown as RawResponse,
			})
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
	const { options } = await toRequestOptions(ctx, call);
	const limit = TIME_LIMITS.callMs;
	return await withinTime(
		ctx.helpers.httpRequest({
			...options,
			timeout: limit,
			headers: {
				...options.headers,
				Authorization: `Bearer ${String(credentials.accessToken ?? '')}`,
			},
		}),
		limit,
		`Marketo did not answer within ${seconds(limit)}`,
	);
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
	| {
			kind: 'retry';
			detail: MarketoErrorDetail;
			maybeApplied: boolean;
			/** The request may have been refused at the door for its token, an answer the client never read. */
			renewToken?: boolean;
	  }
	| { kind: 'fatal'; detail: MarketoErrorDetail; httpCode?: string };

/** Per context: a time after which no retry may start and no attempt may last (a poll's time budget). */
const retryDeadlines = new WeakMap<object, number>();

/**
 * Stops retries that would outlast `deadlineMs` (epoch ms), and cuts every attempt's time limit to it:
 * n8n 2.x abandons a poll that runs past its budget, so a poll had better fail fast and try again on the
 * next one.
 */
export function limitRetriesUntil(ctx: MarketoContext, deadlineMs: number): void {
	retryDeadlines.set(ctx, deadlineMs);
}

/** Per execution context: credentials carrying a token refreshed after 601/602, used for later calls. */
const refreshedCredentials = new WeakMap<object, ICredentialDataDecryptedObject>();

interface PolicyRequest {
	build: () => Promise<BuiltRequest>;
	acceptStatus?: number[];
	/** The answer n8n already got for the first attempt (declarative steps). */
	firstResponse?: RawResponse;
	idempotent?: boolean;
	deadline?: number;
}

interface BuiltRequest {
	options: IHttpRequestOptions;
	sent?: () => boolean;
}

async function sendWithPolicy(ctx: MarketoContext, request: PolicyRequest): Promise<RawResponse> {
	const { acceptStatus = [], idempotent = true } = request;
	const deadline = earliest(request.deadline, retryDeadlines.get(ctx));
	let attempts = 0;
	let retries = 0;
	let rateLimitRetries = 0;
	let rateLimitedSince: number | undefined;
	let tokenRefreshed = false;
	let forceNewToken = !idempotent && (await tokenNeedsRenewal(ctx));
	let response = request.firstResponse;
	for (;;) {
		let verdict: Verdict;
		attempts++;
		if (response === undefined) {
			const built = await request.build();
			try {
				response = await attempt(ctx, built.options, forceNewToken, deadline);
				verdict = acceptStatus.includes(response.statusCode) ? { kind: 'ok' } : verdictOf(response);
			} catch (error) {
				verdict = verdictOfThrown(ctx, error, built.sent);
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
		const rateLimited = verdict.kind === 'retry' && RATE_LIMIT_CODES.has(verdict.detail.code);
		if (rateLimited) rateLimitedSince ??= Date.now();
		const delay = rateLimited ? rateLimitDelay(rateLimitRetries) : backoffDelay(retries);
		// A rate limit is shared with every other client of the instance: it is waited out (for as long as
		// the run may wait), not counted out; other transient failures get a bounded number of retries.
		const mayWait = rateLimited
			? Date.now() + delay <
				(deadline ?? (rateLimitedSince as number) + RETRY_POLICY.rateLimitPatienceMs)
			: retries < RETRY_POLICY.maxRetries &&
				(deadline === undefined || Date.now() + delay < deadline);
		if (verdict.kind === 'token' && !tokenRefreshed) {
			tokenRefreshed = true;
			forceNewToken = true;
		} else if (verdict.kind === 'retry' && mayWait) {
			if (verdict.renewToken && !tokenRefreshed) {
				tokenRefreshed = true;
				forceNewToken = true;
			}
			if (rateLimited) rateLimitRetries++;
			else retries++;
			await pause(ctx, delay);
		} else {
			const extra = rateLimited
				? `Marketo kept refusing the call for ${seconds(Date.now() - (rateLimitedSince as number))} (${attempts} attempts).`
				: verdict.kind === 'retry'
					? `Gave up after ${attempts} attempts.`
					: verdict.kind === 'token'
						? 'A fresh token was fetched and the call was retried once.'
						: undefined;
			throw errorOf(ctx, verdict, extra);
		}
		response = undefined;
	}
}

function errorOf(ctx: MarketoContext, verdict: Exclude<Verdict, { kind: 'ok' }>, extra?: string) {
	return new MarketoApiError(ctx.getNode(), verdict.detail, {
		httpCode: verdict.kind === 'fatal' ? verdict.httpCode : undefined,
		extra,
	});
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
	return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function backoffCeiling(retry: number): number {
	return Math.min(RETRY_POLICY.maxDelayMs, RETRY_POLICY.baseDelayMs * 2 ** retry);
}

/** Between 3/4 of the ceiling and the ceiling: enough jitter to spread concurrent clients. */
function backoffDelay(retry: number): number {
	return Math.round(backoffCeiling(retry) * (0.75 + Math.random() * 0.25));
}

/**
 * Waits for a rate limit grow towards Marketo's window (1/8, 1/4, 1/2 of it, then the whole window), each
 * anywhere from half to all of its ceiling: clients refused together come back spread over the window
 * instead of all at once, and one that waited long is not outrun by newcomers' short first waits forever.
 */
function rateLimitDelay(retry: number): number {
	const ceiling = Math.min(RETRY_POLICY.rateWindowMs, (RETRY_POLICY.rateWindowMs / 8) * 2 ** retry);
	return Math.round(ceiling * (0.5 + Math.random() * 0.5));
}

function seconds(ms: number): string {
	return `${Math.round(ms / 100) / 10} s`;
}

/**
 * One attempt within its time limit: n8n's `timeout` only covers the wait for the answer's head (and n8n
 * replaces a request's abort signal with the execution's), so the attempt is also raced against the
 * limit, and a streamed body is watched for pauses between its pieces.
 */
async function attempt(
	ctx: MarketoContext,
	options: IHttpRequestOptions,
	forceNewToken: boolean,
	deadline: number | undefined,
): Promise<RawResponse> {
	const stream = options.encoding === 'stream';
	const upload = !options.json && options.body !== undefined && !stream;
	let limit = stream ? TIME_LIMITS.streamIdleMs : TIME_LIMITS.callMs;
	if (upload) {
		const bytes = Number((options.headers as IDataObject | undefined)?.['Content-Length'] ?? 0);
		limit = TIME_LIMITS.uploadMs + (bytes / TIME_LIMITS.uploadBytesPerSecond) * 1000;
	}
	if (deadline !== undefined)
		limit = Math.min(limit, Math.max(TIME_LIMITS.minimumMs, deadline - Date.now()));
	limit = Math.round(limit);
	const response = await withinTime(
		send(ctx, { ...options, timeout: limit }, forceNewToken),
		limit,
		`Marketo did not answer within ${seconds(limit)}`,
		(late) => (isStream(late.body) ? late.body.destroy?.() : undefined),
	);
	if (isStream(response.body)) response.body = watchPauses(response.body, limit);
	return await readJsonErrorOfStream(response);
}

/** A time limit that was reached; named like the network's own timeouts so it is retried like one. */
class TimeLimitError extends Error {
	readonly code = 'ETIMEDOUT';
}

/** `work`, unless `ms` pass first; then a TimeLimitError, and whatever `work` brings later is discarded. */
async function withinTime<T>(
	work: Promise<T>,
	ms: number,
	message: string,
	discard?: (late: T) => void,
): Promise<T> {
	let settled = false;
	let expired = false;
	work.then(
		(value) => {
			settled = true;
			if (expired) discard?.(value);
		},
		() => (settled = true),
	);
	const watch = async (): Promise<T> => {
		const until = Date.now() + ms;
		for (let left = ms; !settled; left = until - Date.now()) {
			if (left <= 0) {
				expired = true;
				throw new TimeLimitError(message);
			}
			await sleep(Math.min(left, WATCH_STEP_MS));
		}
		return await work;
	};
	return await Promise.race([work, watch()]);
}

/**
 * The body, failing (and closed) once a read has waited `ms` for its next piece. Only waits count: a
 * consumer that takes its time between reads is not the network stalling. One watcher at a time, and
 * none while nobody reads.
 */
function watchPauses(body: ByteStream, ms: number): ByteStream {
	const iterator = body[Symbol.asyncIterator]();
	let waitingSince: number | undefined;
	let watching = false;
	let finished = false;
	let fail: (error: Error) => void = () => undefined;
	const stalled = new Promise<never>((_resolve, reject) => (fail = reject));
	stalled.catch(() => undefined);
	const watch = async () => {
		watching = true;
		while (!finished && waitingSince !== undefined) {
			const left = waitingSince + ms - Date.now();
			if (left <= 0) {
				finished = true;
				const error = new TimeLimitError(`Marketo sent no data for ${seconds(ms)}`);
				fail(error);
				body.destroy?.(error);
				break;
			}
			await sleep(Math.min(left, WATCH_STEP_MS));
		}
		watching = false;
	};
	async function* guarded(): AsyncGenerator<Uint8Array> {
		try {
			for (;;) {
				waitingSince = Date.now();
				if (!watching) void watch();
				const next = await Promise.race([iterator.next(), stalled]);
				waitingSince = undefined;
				if (next.done) return;
				yield next.value;
			}
		} finally {
			finished = true;
			waitingSince = undefined;
			await iterator.return?.();
		}
	}
	return Object.assign(guarded(), {
		destroy: (error?: Error) => {
			finished = true;
			body.destroy?.(error);
		},
	});
}

/**
 * Before an upload: a token about to expire could be refused while the body is on its way, and a
 * refused upload is not always told apart from one that broke off after Marketo took it. Marketo hands
 * out the same token until it expires, so one with less than the margin left is waited out and replaced.
 */
async function tokenNeedsRenewal(ctx: MarketoContext): Promise<boolean> {
	const credentials: ICredentialDataDecryptedObject =
		refreshedCredentials.get(ctx) ?? (await ctx.getCredentials(CREDENTIALS_TYPE));
	const token = String(credentials.accessToken ?? '');
	// No token yet: n8n fetches a fresh one for the upload itself.
	if (token === '') return false;
	let expiresAt = knownTokenExpiry(token);
	if (expiresAt === undefined) {
		// Fetched by another n8n process, or before a restart: Marketo tells how long it has left.
		const current = await requestToken(ctx as never, credentials).catch(() => undefined);
		if (current === undefined) return false;
		if (current.token !== token) return true;
		expiresAt = current.expiresAt;
	}
	const left = expiresAt - Date.now();
	if (left >= TIME_LIMITS.tokenMarginMs) return false;
	await pause(ctx, Math.max(0, left) + 1000);
	return true;
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

async function toRequestOptions(ctx: MarketoContext, call: MarketoCall): Promise<BuiltRequest> {
	const made = call.makeBody?.();
	const options = {
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
	return { options, sent: made?.sent };
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

function verdictOfThrown(ctx: MarketoContext, error: unknown, sent?: () => boolean): Verdict {
	if (error instanceof ExecutionCancelledError || cancelSignalOf(ctx)?.aborted) {
		throw new ExecutionCancelledError(ctx.getNode(), 'The execution was cancelled.');
	}
	// A body the connection never took whole cannot have been acted on; one it took may have been.
	const bodyCutShort = sent !== undefined && !sent();
	if (error instanceof TimeLimitError) {
		return {
			kind: 'retry',
			detail: { code: 'timeout', message: error.message },
			maybeApplied: !bodyCutShort,
		};
	}
	// n8n 1.x wraps a failed connection in a NodeApiError that keeps no cause: only its httpCode
	// ("ECONNRESET") and messages ("socket hang up") still tell what happened; 2.x keeps the cause.
	const failure = error as {
		code?: string;
		httpCode?: unknown;
		messages?: unknown;
		message?: string;
		cause?: { code?: string; message?: string };
	};
	const messages = Array.isArray(failure.messages) ? failure.messages.map(String) : [];
	const said = [
		failure.code,
		typeof failure.httpCode === 'string' ? failure.httpCode : undefined,
		failure.cause?.code,
		// A NodeApiError's message is n8n's generic sentence for the code; the originals are in `messages`.
		...(messages.length > 0 ? messages : [failure.message]),
		failure.cause?.message,
	];
	const text = [...new Set(said.filter(Boolean))].join(' ');
	if (CONNECTION_ERRORS.test(text)) {
		const refused = /ECONNREFUSED|EAI_AGAIN/.test(text);
		return {
			kind: 'retry',
			detail: { code: 'connection', message: `The connection to Marketo failed (${text})` },
			maybeApplied: !refused && !bodyCutShort,
			// Marketo answers a bad token at once and closes the connection while the body is still being sent.
			renewToken: bodyCutShort,
		};
	}
	if (TOKEN_TEMPORARY_FAILURE.test(text)) {
		return { kind: 'retry', detail: { code: 'token', message: text }, maybeApplied: false };
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
