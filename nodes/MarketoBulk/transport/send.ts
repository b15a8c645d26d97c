import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestOptions,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import {
	CREDENTIALS_TYPE,
	instanceOrigin,
	isStream,
	type MarketoCall,
	type MarketoContext,
	RETRY_POLICY,
	seconds,
	TIME_LIMITS,
	TimeLimitError,
} from './call';
import { pause } from './cancel';
import { MarketoApiError } from './errors';
import { knownTokenExpiry, requestToken } from './identity';
import { transportState } from './state';
import { readJsonErrorOfStream, WATCH_STEP_MS, watchPauses } from './streams';
import {
	errorOf,
	RATE_LIMIT_CODES,
	type RawResponse,
	type Verdict,
	verdictOf,
	verdictOfThrown,
} from './verdicts';

/** The policy: `sendWithPolicy` sends, renews the token, retries and times every attempt (see index.ts). */

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
		transportState(ctx).refreshedCredentials ?? (await ctx.getCredentials(CREDENTIALS_TYPE));
	const { options } = await toRequestOptions(ctx, call);
	const limit = TIME_LIMITS.callMs;
	return await withinTime(
		ctx.helpers.httpRequest({
			...options,
			timeout: backstop(limit),
			headers: {
				...options.headers,
				Authorization: `Bearer ${String(credentials.accessToken ?? '')}`,
			},
		}),
		limit,
		`Marketo did not answer within ${seconds(limit)}`,
	);
}

/**
 * Stops retries that would outlast `deadlineMs` (epoch ms), and cuts every attempt's time limit to it:
 * n8n 2.x abandons a poll that runs past its budget, so a poll had better fail fast and try again on the
 * next one.
 */
export function limitRetriesUntil(ctx: MarketoContext, deadlineMs: number): void {
	transportState(ctx).retryDeadline = deadlineMs;
}

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

export async function sendWithPolicy(
	ctx: MarketoContext,
	request: PolicyRequest,
): Promise<RawResponse> {
	const { acceptStatus = [], idempotent = true } = request;
	const deadline = earliest(request.deadline, transportState(ctx).retryDeadline);
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
				response = await attempt(ctx, built.options, { forceNewToken, deadline });
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

/**
 * One attempt within its time limit: n8n's `timeout` only covers the wait for the answer's head (and n8n
 * replaces a request's abort signal with the execution's), so the attempt is also raced against the
 * limit, and a streamed body is watched for pauses between its pieces.
 */
async function attempt(
	ctx: MarketoContext,
	options: IHttpRequestOptions,
	how: SendOptions & { deadline?: number },
): Promise<RawResponse> {
	const { deadline } = how;
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
		send(ctx, { ...options, timeout: backstop(limit) }, how),
		limit,
		`Marketo did not answer within ${seconds(limit)}`,
		(late) => (isStream(late.body) ? late.body.destroy?.() : undefined),
	);
	if (isStream(response.body)) response.body = watchPauses(response.body, limit);
	return await readJsonErrorOfStream(response);
}

/**
 * n8n's own request timeout, set a little past our limit: our watch is what ends an attempt (as a
 * TimeLimitError, "did not answer within"); on a busy machine n8n's timer firing first would report the
 * same expiry as a failed connection.
 */
function backstop(limitMs: number): number {
	return limitMs + WATCH_STEP_MS;
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
 * Before an upload: a token about to expire could be refused while the body is on its way, and a
 * refused upload is not always told apart from one that broke off after Marketo took it. Marketo hands
 * out the same token until it expires, so one with less than the margin left is waited out and replaced.
 */
async function tokenNeedsRenewal(ctx: MarketoContext): Promise<boolean> {
	const credentials: ICredentialDataDecryptedObject =
		transportState(ctx).refreshedCredentials ?? (await ctx.getCredentials(CREDENTIALS_TYPE));
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

/** How one attempt is sent. */
interface SendOptions {
	/** Fetch a new token first (the current one was refused, or is about to expire before an upload). */
	forceNewToken?: boolean;
}

async function send(
	ctx: MarketoContext,
	options: IHttpRequestOptions,
	{ forceNewToken = false }: SendOptions,
): Promise<RawResponse> {
	let credentialsDecrypted = undefined;
	let data = transportState(ctx).refreshedCredentials;
	if (forceNewToken) {
		// An empty expirable field makes n8n run the credential's preAuthentication (and store the new
		// token); the token lands in `data`, which later calls of this context reuse.
		data = { ...(await ctx.getCredentials(CREDENTIALS_TYPE)), accessToken: '' };
		transportState(ctx).refreshedCredentials = data;
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

export async function toRequestOptions(
	ctx: MarketoContext,
	call: MarketoCall,
): Promise<BuiltRequest> {
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
