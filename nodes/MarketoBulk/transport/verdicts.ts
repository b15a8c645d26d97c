import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { isStream, type MarketoContext, type MarketoEnvelope, TimeLimitError } from './call';
import { cancelSignalOf, ExecutionCancelledError } from './cancel';
import { MarketoApiError, type MarketoErrorDetail } from './errors';
import { TOKEN_TEMPORARY_FAILURE } from './identity';

/** What an answer (or a thrown error) means for the policy: done, retry, renew the token, or fail. */

const RETRYABLE_CODES = new Set(['604', '606', '608', '611', '615']);
export const RATE_LIMIT_CODES = new Set(['606', '615']);
const TOKEN_CODES = new Set(['601', '602']);
const CONNECTION_ERRORS =
	/ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|ECONNABORTED|EAI_AGAIN|socket hang up|other side closed|terminated|aborted|timeout of \d+ms exceeded/i;

export interface RawResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

export type Verdict =
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

export function errorOf(
	ctx: MarketoContext,
	verdict: Exclude<Verdict, { kind: 'ok' }>,
	extra?: string,
) {
	return new MarketoApiError(ctx.getNode(), verdict.detail, {
		httpCode: verdict.kind === 'fatal' ? verdict.httpCode : undefined,
		extra,
	});
}

export function verdictOf(response: RawResponse): Verdict {
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

export function verdictOfThrown(
	ctx: MarketoContext,
	error: unknown,
	sent?: () => boolean,
): Verdict {
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

export function parseMaybeJson(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	const text = body.trim();
	if (text === '') return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

export function envelopeOf<T>(body: unknown): MarketoEnvelope<T> {
	const parsed = (parseMaybeJson(body) ?? {}) as MarketoEnvelope<T>;
	// Marketo omits `result` on some answers (and on errors); callers always get an array.
	return { ...parsed, result: Array.isArray(parsed.result) ? parsed.result : [] };
}
