import type { ICredentialDataDecryptedObject, IHttpRequestHelper } from 'n8n-workflow';

import { marketoOrigin } from './endpoint';

interface HttpFailure {
	code?: string;
	message?: string;
	response?: { status?: number; data?: unknown };
	cause?: HttpFailure;
}

/**
 * Connection failures in words. The messages never carry the raw code: n8n replaces any message naming
 * ECONNREFUSED, ENOTFOUND and the like with a generic sentence that does not say which field to fix.
 */
const CONNECTION_FAILURES: Record<string, string> = {
	ENOTFOUND: 'no such host exists',
	EAI_AGAIN: 'its host name could not be looked up',
	ECONNREFUSED: 'nothing accepted the connection',
	ECONNRESET: 'the connection was cut off',
	ETIMEDOUT: 'it did not answer in time',
	EHOSTUNREACH: 'the host cannot be reached',
	ENETUNREACH: 'the network cannot be reached',
	CERT_HAS_EXPIRED: 'its TLS certificate has expired',
	DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
};

/** Connection failures that pass by themselves: the transport retries the call the token was for. */
const TEMPORARY_CONNECTION_FAILURES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN']);

/**
 * When each token fetched by this process expires (epoch ms). n8n caches the token but not its lifetime;
 * an upload checks it before it starts (see the transport).
 */
const tokenExpiries = new Map<string, number>();

export function knownTokenExpiry(token: string): number | undefined {
	return tokenExpiries.get(token);
}

/**
 * Fetches an access token with the client-credentials grant. Every failure becomes a sentence that tells the
 * user which of the three credential fields to fix, because the raw answers ("invalid_client", "ENOTFOUND",
 * an HTML 404 page) do not.
 */
export async function requestAccessToken(
	http: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): Promise<string> {
	return (await requestToken(http, credentials)).token;
}

/**
 * The token and when it expires. Marketo hands out the same token until it expires, with `expires_in`
 * counting down, so this also tells how long the current token has left.
 */
export async function requestToken(
	http: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): Promise<{ token: string; expiresAt: number }> {
	const origin = marketoOrigin(credentials.restEndpoint);
	const hasScheme = /^\s*https?:\/\//i.test(String(credentials.restEndpoint));
	const clientId = String(credentials.clientId ?? '').trim();
	const clientSecret = String(credentials.clientSecret ?? '').trim();
	if (clientId === '')
		throw new Error('The Client ID is empty. Copy it from Admin > LaunchPoint > View Details.');
	if (clientSecret === '')
		throw new Error('The Client Secret is empty. Copy it from Admin > LaunchPoint > View Details.');

	const body: unknown = await http.helpers
		.httpRequest({
			method: 'GET',
			url: `${origin}/identity/oauth/token`,
			qs: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
			json: true,
		})
		.catch((error: HttpFailure) =>
			Promise.reject(new Error(describeTokenFailure(error, origin, hasScheme))),
		);
	const answer = body as { access_token?: unknown; expires_in?: unknown } | undefined;
	const token = answer?.access_token;
	if (typeof token !== 'string' || token === '') {
		throw new Error(
			`${origin} answered, but not like Marketo's identity service (no access_token). Check the REST endpoint: it looks like https://123-ABC-456.mktorest.com/rest.`,
		);
	}
	// Marketo's tokens last an hour; an answer without a lifetime is taken as that.
	const seconds = Number(answer?.expires_in);
	const expiresAt = Date.now() + (Number.isFinite(seconds) ? seconds : 3600) * 1000;
	const now = Date.now();
	for (const [known, at] of tokenExpiries) if (at < now) tokenExpiries.delete(known);
	tokenExpiries.set(token, expiresAt);
	return { token, expiresAt };
}

/**
 * A token request that failed for a moment (HTTP 5xx, 429, a connection cut off): the transport retries the
 * call it was for. Read from the message because n8n wraps what preAuthentication throws (1.x keeps only
 * the message), and the message never names the code (see CONNECTION_FAILURES).
 */
export const TOKEN_TEMPORARY_FAILURE =
	/(identity service at \S+ answered HTTP (5\d\d|429)|Could not connect to \S+: [^.]*), a temporary failure\./;

function describeTokenFailure(error: HttpFailure, origin: string, hasScheme: boolean): string {
	const code = error.code ?? error.cause?.code;
	const response = error.response ?? error.cause?.response;
	if (code && CONNECTION_FAILURES[code]) {
		const check = TEMPORARY_CONNECTION_FAILURES.has(code)
			? ', a temporary failure. If it persists, check'
			: '. Check';
		return `Could not connect to ${origin}: ${CONNECTION_FAILURES[code]}${check} the REST Endpoint field: copy it from Admin > Integration > Web Services > REST API (it looks like https://123-ABC-456.mktorest.com/rest).`;
	}
	const text = `${error.message ?? ''} ${error.cause?.message ?? ''}`;
	if (
		origin.startsWith('https:') &&
		(code === 'EPROTO' ||
			/^ERR_SSL_/.test(code ?? '') ||
			/\bSSL\b|\bTLS\b|wrong version number/i.test(text))
	) {
		const assumed = hasScheme
			? ''
			: ' The REST Endpoint field has no https:// or http:// in front, so https:// was assumed.';
		return `${origin} does not answer over HTTPS (the secure connection failed).${assumed} Check the REST Endpoint field: Marketo's endpoint starts with https:// (e.g. https://123-ABC-456.mktorest.com/rest); a server that only speaks plain HTTP needs http:// written in front.`;
	}
	const status = response?.status;
	const data = parseJson(response?.data);
	const description = String(data?.error_description ?? '');
	if (status === 401 || status === 400) {
		if (/no client with requested id/i.test(description)) {
			return 'Marketo does not know this Client ID. Copy the Client ID again from Admin > LaunchPoint > your service > View Details.';
		}
		if (/bad client credentials/i.test(description)) {
			return 'Marketo knows this Client ID, but the Client Secret is wrong. Copy the Client Secret again from Admin > LaunchPoint > your service > View Details.';
		}
		if (data?.error) {
			return `Marketo refused the Client ID and Secret (${String(data.error)}${description ? `: ${description}` : ''}). Copy both again from Admin > LaunchPoint > View Details.`;
		}
	}
	if (status !== undefined && (status >= 500 || status === 429)) {
		return `Marketo's identity service at ${origin} answered HTTP ${status}, a temporary failure. If it persists, check Marketo's status page and the REST endpoint.`;
	}
	if (status !== undefined) {
		return `${origin} answered HTTP ${status} instead of an access token, so it is not a Marketo REST endpoint. Check the REST endpoint: it looks like https://123-ABC-456.mktorest.com/rest.`;
	}
	return `Could not get a Marketo access token from ${origin}: ${error.message ?? 'unknown error'}. Check the REST endpoint.`;
}

function parseJson(data: unknown): Record<string, unknown> | undefined {
	if (data && typeof data === 'object') return data as Record<string, unknown>;
	if (typeof data === 'string') {
		try {
			const parsed = JSON.parse(data);
			return parsed && typeof parsed === 'object' ? parsed : undefined;
		} catch {
			return undefined;
		}
	}
	return undefined;
}
