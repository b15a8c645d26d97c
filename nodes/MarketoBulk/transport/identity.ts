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
 * Fetches an access token with the client-credentials grant. Every failure becomes a sentence that tells the
 * user which of the three credential fields to fix, because the raw answers ("invalid_client", "ENOTFOUND",
 * an HTML 404 page) do not.
 */
export async function requestAccessToken(
	http: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): Promise<string> {
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
	const token = (body as { access_token?: unknown } | undefined)?.access_token;
	if (typeof token !== 'string' || token === '') {
		throw new Error(
			`${origin} answered, but not like Marketo's identity service (no access_token). Check the REST endpoint: it looks like https://123-ABC-456.mktorest.com/rest.`,
		);
	}
	return token;
}

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
