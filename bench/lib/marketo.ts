/**
 * The few raw Marketo calls the benchmark itself needs (a token, a completed export job to download),
 * on undici, outside any contender.
 */
import { request } from 'undici';

export interface Api {
	url: string;
	clientId: string;
	clientSecret: string;
}

export interface CompletedJob {
	exportId: string;
	fileSize: number;
	numberOfRecords: number;
	fileChecksum: string;
}

export async function token(api: Api): Promise<string> {
	const q = new URLSearchParams({
		grant_type: 'client_credentials',
		client_id: api.clientId,
		client_secret: api.clientSecret,
	});
	const response = await request(`${api.url}/identity/oauth/token?${q}`);
	const body = (await response.body.json()) as { access_token?: string };
	if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
	return body.access_token;
}

async function call(
	api: Api,
	accessToken: string,
	method: 'GET' | 'POST',
	path: string,
	body?: unknown,
): Promise<Record<string, unknown>> {
	const response = await request(`${api.url}${path}`, {
		method,
		headers: {
			authorization: `Bearer ${accessToken}`,
			...(body ? { 'content-type': 'application/json' } : {}),
		},
		body: body ? JSON.stringify(body) : undefined,
	});
	const envelope = (await response.body.json()) as {
		success?: boolean;
		result?: Array<Record<string, unknown>>;
		errors?: unknown;
	};
	if (!envelope.success || !envelope.result?.[0])
		throw new Error(`${method} ${path}: ${JSON.stringify(envelope.errors ?? envelope)}`);
	return envelope.result[0];
}

/** Create → enqueue → poll every pollMs until Completed. */
export async function completedLeadExport(
	api: Api,
	fields: string[],
	range: { startAt: string; endAt: string },
	pollMs = 200,
): Promise<CompletedJob> {
	const accessToken = await token(api);
	const base = '/bulk/v1/leads/export';
	const created = await call(api, accessToken, 'POST', `${base}/create.json`, {
		fields,
		format: 'CSV',
		filter: { createdAt: range },
	});
	const exportId = String(created.exportId);
	await call(api, accessToken, 'POST', `${base}/${exportId}/enqueue.json`);
	for (;;) {
		const status = await call(api, accessToken, 'GET', `${base}/${exportId}/status.json`);
		if (status.status === 'Completed') {
			return {
				exportId,
				fileSize: Number(status.fileSize),
				numberOfRecords: Number(status.numberOfRecords),
				fileChecksum: String(status.fileChecksum),
			};
		}
		if (status.status === 'Failed' || status.status === 'Cancelled')
			throw new Error(`export ${exportId} ${String(status.status)}`);
		await new Promise((r) => setTimeout(r, pollMs));
	}
}

export function fileUrl(api: Api, exportId: string): string {
	return `${api.url}/bulk/v1/leads/export/${exportId}/file.json`;
}
