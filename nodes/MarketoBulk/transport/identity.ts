import type { ICredentialDataDecryptedObject, IHttpRequestHelper } from 'n8n-workflow';

import { marketoOrigin } from './endpoint';

interface HttpFailure {
	code?: string;
	message?: string;
	response?: { status?: number; data?: unknown };
	cause?: HttpFailure;
}

const CONNECTION_CODES = new Set([
	'ENOTFOUND',
	'EAI_AGAIN',
	'ECONNREFUSED',
	'ECONNRESET',
	'ETIMEDOUT',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'CERT_HAS_EXPIRED',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

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
		.catch((error: HttpFailure) => Promise.reject(new Error(describeTokenFailure(error, origin))));
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
 * A token request that failed for a moment (HTTP 5xx, 429): the transport retries the call it was for. Read
 * from the message because n8n wraps what preAuthentication throws (1.x keeps only the message).
 */
export const TOKEN_SERVICE_UNAVAILABLE =
	/identity service at \S+ answered HTTP (5\d\d|429), a temporary failure/;

function describeTokenFailure(error: HttpFailure, origin: string): string {
	const code = error.code ?? error.cause?.code;
	const response = error.response ?? error.cause?.response;
	if (code && CONNECTION_CODES.has(code)) {
		return `Could not connect to ${origin} (${code}). Check the REST endpoint: copy it from Admin > Integration > Web Services > REST API.`;
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
