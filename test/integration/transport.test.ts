import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';

import { MarketoApi } from '../../credentials/MarketoApi.credentials';
import {
	marketoRequest,
	marketoStream,
	prepareRoutedRequest,
	RETRY_POLICY,
	TIME_LIMITS,
	unwrapEnvelope,
} from '../../nodes/MarketoBulk/transport';
import { MarketoApiError } from '../../nodes/MarketoBulk/transport/errors';
import { httpRequest } from '../helpers/n8nContext';
import { count, startHarness, type Harness } from '../helpers/setup';

const TOKEN = 'GET /identity/oauth/token';
const TYPES = 'GET /rest/v1/activities/types.json';

let harness: Harness;

beforeAll(async () => {
	harness = await startHarness();
});
afterAll(async () => {
	await harness.emulator.close();
});
const savedPolicy = { ...RETRY_POLICY };
const savedLimits = { ...TIME_LIMITS };
beforeEach(() => {
	harness.emulator.reset();
	harness.credentials.data.accessToken = '';
	harness.credentials.preAuthentications = 0;
});
afterEach(() => {
	Object.assign(RETRY_POLICY, savedPolicy);
	Object.assign(TIME_LIMITS, savedLimits);
});

const activityTypes = (h: Harness, extra: Parameters<Harness['context']>[1] = {}) =>
	marketoRequest(h.context({}, extra).context, {
		method: 'GET',
		path: '/rest/v1/activities/types.json',
	});

async function preAuthenticate(credentials: Record<string, unknown>) {
	return await new MarketoApi().preAuthentication.call(
		{ helpers: { httpRequest } } as never,
		credentials as never,
	);
}

describe('credentials', () => {
	it('fetches a token from the identity endpoint, whatever shape the endpoint was pasted in', async () => {
		const { url, clientId, clientSecret } = harness.emulator;
		for (const restEndpoint of [`${url}/rest`, url, `${url}/rest/`, `${url}/`]) {
			const { accessToken } = await preAuthenticate({ restEndpoint, clientId, clientSecret });
			expect(typeof accessToken).toBe('string');
			expect(accessToken.length).toBeGreaterThan(10);
		}
		expect(count(harness.emulator, TOKEN)).toBe(4);
	});

	it('says the Client ID is wrong when Marketo does not know it', async () => {
		const { url, clientSecret } = harness.emulator;
		await expect(
			preAuthenticate({ restEndpoint: `${url}/rest`, clientId: 'nobody', clientSecret }),
		).rejects.toThrow(/does not know this Client ID/);
	});

	it('says the Client Secret is wrong when the ID is known', async () => {
		const { url, clientId } = harness.emulator;
		await expect(
			preAuthenticate({ restEndpoint: `${url}/rest`, clientId, clientSecret: 'wrong' }),
		).rejects.toThrow(/Client Secret is wrong/);
	});

	it('says the endpoint is wrong when nothing listens there', async () => {
		const { clientId, clientSecret } = harness.emulator;
		const closed = createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const { port } = closed.address() as AddressInfo;
		await new Promise((resolve) => closed.close(resolve));
		await expect(
			preAuthenticate({ restEndpoint: `http://127.0.0.1:${port}/rest`, clientId, clientSecret }),
		).rejects.toThrow(
			/^Could not connect to http:\/\/127\.0\.0\.1:\d+: nothing accepted the connection\. Check the REST Endpoint field/,
		);
		// n8n replaces a message naming the code with a generic sentence that names no field
		await expect(
			preAuthenticate({ restEndpoint: `http://127.0.0.1:${port}/rest`, clientId, clientSecret }),
		).rejects.not.toThrow(/ECONN|ENOTFOUND/);
	});

	it('says the endpoint does not speak HTTPS when it was typed without a scheme', async () => {
		const { url, clientId, clientSecret } = harness.emulator;
		const withoutScheme = `${url.replace(/^http:\/\//, '')}/rest`;
		const failure = preAuthenticate({ restEndpoint: withoutScheme, clientId, clientSecret });
		await expect(failure).rejects.toThrow(
			/does not answer over HTTPS \(the secure connection failed\)\. The REST Endpoint field has no https:\/\/ or http:\/\/ in front, so https:\/\/ was assumed\. Check the REST Endpoint field/,
		);
		await expect(failure).rejects.not.toThrow(/EPROTO|ERR_SSL|wrong version/);
	});

	it('says the endpoint is not Marketo when a web server answers without a token', async () => {
		const { clientId, clientSecret } = harness.emulator;
		const other: Server = createServer((_req, res) => {
			res.writeHead(404, { 'content-type': 'text/html' });
			res.end('<html>Not Found</html>');
		});
		await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
		const { port } = other.address() as AddressInfo;
		try {
			await expect(
				preAuthenticate({ restEndpoint: `http://127.0.0.1:${port}`, clientId, clientSecret }),
			).rejects.toThrow(
				/answered HTTP 404 instead of an access token, so it is not a Marketo REST endpoint/,
			);
		} finally {
			await new Promise((resolve) => other.close(resolve));
		}
	});

	it('rejects an endpoint that is not a URL or has a foreign path before calling anything', async () => {
		const { clientId, clientSecret } = harness.emulator;
		await expect(preAuthenticate({ restEndpoint: '', clientId, clientSecret })).rejects.toThrow(
			/REST endpoint is empty/,
		);
		await expect(
			preAuthenticate({ restEndpoint: 'http://exa mple', clientId, clientSecret }),
		).rejects.toThrow(/is not a URL/);
		await expect(
			preAuthenticate({
				restEndpoint: 'https://123-ABC-456.mktorest.com/soap/mktows',
				clientId,
				clientSecret,
			}),
		).rejects.toThrow(/unexpected path/);
		expect(count(harness.emulator, TOKEN)).toBe(0);
	});
});

describe('transport', () => {
	it('fetches the token once and reuses it', async () => {
		const test = harness.context({});
		for (let i = 0; i < 3; i++) {
			await marketoRequest(test.context, { method: 'GET', path: '/rest/v1/activities/types.json' });
		}
		expect(count(harness.emulator, TOKEN)).toBe(1);
		expect(count(harness.emulator, TYPES)).toBe(3);
	});

	it.each([
		['601 (token invalid)', () => harness.emulator.faults.invalidateAllTokens()],
		['602 (token expired)', () => harness.emulator.faults.expireAllTokens()],
	])('recovers from %s with exactly one extra token call', async (_name, breakTokens) => {
		await activityTypes(harness);
		expect(count(harness.emulator, TOKEN)).toBe(1);
		breakTokens();
		const envelope = await activityTypes(harness);
		expect(envelope.result.length).toBeGreaterThan(0);
		expect(count(harness.emulator, TOKEN)).toBe(2);
		expect(count(harness.emulator, TYPES)).toBe(3);
	});

	it('fails with the code when the fresh token is refused as well', async () => {
		harness.emulator.faults.failNext('/rest/v1/activities/types.json', 2, {
			code: '601',
			message: 'Access token invalid',
		});
		const error = await activityTypes(harness).catch((e) => e);
		expect(error).toBeInstanceOf(MarketoApiError);
		expect(error.message).toMatch(/^Marketo error 601: Access token invalid\./);
		expect(count(harness.emulator, TOKEN)).toBe(2);
	});

	it.each([
		['606 rate limit', { code: '606', message: "Max rate limit '100' exceeded with in '20' secs" }],
		['615 concurrency', { code: '615', message: 'Concurrent access limit reached' }],
		['604 timeout', { code: '604', message: 'Request timed out' }],
		['HTTP 503', { httpStatus: 503 }],
		['HTTP 502', { httpStatus: 502 }],
	])('retries %s and then succeeds', async (_name, failure) => {
		harness.emulator.faults.failNext('/rest/v1/activities/types.json', 2, failure);
		const envelope = await activityTypes(harness);
		expect(envelope.result.length).toBeGreaterThan(0);
		expect(count(harness.emulator, TYPES)).toBe(3);
	});

	it('stays under a real rate limit by backing off', async () => {
		const limited = await startHarness({ rateLimit: { calls: 4, windowSeconds: 2 } });
		RETRY_POLICY.rateWindowMs = 2000;
		try {
			const test = limited.context({});
			await marketoRequest(test.context, { method: 'GET', path: '/rest/v1/activities/types.json' });
			const results = await Promise.all(
				Array.from({ length: 8 }, () =>
					marketoRequest(test.context, { method: 'GET', path: '/rest/v1/activities/types.json' }),
				),
			);
			expect(results.every((r) => r.result.length > 0)).toBe(true);
			expect(count(limited.emulator, TYPES)).toBeGreaterThan(9); // some were refused with 606 and retried
		} finally {
			await limited.emulator.close();
		}
	});

	it('gives up after a bounded number of attempts and says so', async () => {
		const saved = { ...RETRY_POLICY };
		Object.assign(RETRY_POLICY, { maxRetries: 2, baseDelayMs: 50 });
		try {
			harness.emulator.faults.failNext('/rest/v1/activities/types.json', 10, {
				code: '611',
				message: 'System error',
			});
			const error = await activityTypes(harness).catch((e) => e);
			expect(error.message).toMatch(
				/^Marketo error 611: System error\. Marketo reported a system error/,
			);
			expect(error.description).toMatch(/Gave up after 3 attempts/);
			expect(count(harness.emulator, TYPES)).toBe(3);
		} finally {
			Object.assign(RETRY_POLICY, saved);
		}
	});

	it('surfaces a non-retryable error at once, with its code and what to do', async () => {
		harness.emulator.faults.failNext('/rest/v1/activities/types.json', 1, {
			code: '1035',
			message: 'Unsupported filter type for target subscription: updatedAt',
		});
		const error = await activityTypes(harness).catch((e) => e);
		expect(error).toBeInstanceOf(MarketoApiError);
		expect(error.marketoCode).toBe('1035');
		expect(error.message).toBe(
			'Marketo error 1035: Unsupported filter type for target subscription: updatedAt. This filter is not enabled for your Marketo subscription. Ask Marketo support to enable it, or use the Created At filter instead.',
		);
		expect(count(harness.emulator, TYPES)).toBe(1);
	});

	it('copes with envelopes that leave out result, errors or both', async () => {
		const bodies: Record<string, unknown> = {
			'/rest/v1/bare-failure.json': { success: false },
			'/rest/v1/no-result.json': { requestId: 'a#1', success: true },
			'/rest/v1/failure-no-result.json': {
				requestId: 'a#2',
				success: false,
				errors: [{ code: '1003', message: 'Invalid' }],
			},
		};
		const server = createServer((req, res) => {
			const path = (req.url ?? '').split('?')[0];
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(
				JSON.stringify(
					path === '/identity/oauth/token' ? { access_token: 'x', expires_in: 3600 } : bodies[path],
				),
			);
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		try {
			const { createContext, credentialStore } = await import('../helpers/n8nContext');
			const test = createContext({
				credentials: credentialStore(`http://127.0.0.1:${port}/rest`, 'id', 'secret'),
				parameters: {},
			});
			const call = (path: string) => marketoRequest(test.context, { method: 'GET', path });
			await expect(call('/rest/v1/bare-failure.json')).rejects.toThrow(
				/^Marketo error unknown: Marketo reported a failure without saying why\./,
			);
			expect((await call('/rest/v1/no-result.json')).result).toEqual([]);
			await expect(call('/rest/v1/failure-no-result.json')).rejects.toThrow(
				/^Marketo error 1003: Invalid\./,
			);
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});

	it('tells a streamed file from an error envelope by its first bytes, not its Content-Type', async () => {
		const csv = 'id,email\n' + 'x'.repeat(200_000) + '\n';
		const server = createServer((req, res) => {
			const path = (req.url ?? '').split('?')[0];
			if (path === '/identity/oauth/token') {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ access_token: 'x', expires_in: 3600 }));
			} else if (path === '/file-labelled-json') {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(csv);
			} else {
				res.writeHead(200, { 'content-type': 'text/csv' });
				res.end(
					JSON.stringify({
						success: false,
						errors: [{ code: '1003', message: 'Export job is not completed' }],
					}),
				);
			}
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		try {
			const { createContext, credentialStore } = await import('../helpers/n8nContext');
			const { marketoStream } = await import('../../nodes/MarketoBulk/transport');
			const test = createContext({
				credentials: credentialStore(`http://127.0.0.1:${port}/rest`, 'id', 'secret'),
				parameters: {},
			});
			const file = await marketoStream(test.context, {
				method: 'GET',
				path: '/file-labelled-json',
			});
			const chunks: Uint8Array[] = [];
			for await (const chunk of file.body) chunks.push(chunk);
			expect(Buffer.concat(chunks).toString('utf8')).toBe(csv);
			await expect(
				marketoStream(test.context, { method: 'GET', path: '/envelope-labelled-csv' }),
			).rejects.toThrow(/^Marketo error 1003: Export job is not completed\./);
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});

	describe.each([1, 2] as const)('as n8n %i.x wraps a failed token request', (n8nMajor) => {
		it.each([
			['HTTP 502', { httpStatus: 502 }],
			['HTTP 503', { httpStatus: 503 }],
			['a connection reset', { reset: true }],
		])('retries a call whose new token request met %s', async (_name, failure) => {
			await activityTypes(harness, { n8nMajor });
			harness.emulator.faults.invalidateAllTokens();
			harness.emulator.faults.failNext(TOKEN, 1, failure);
			const envelope = await activityTypes(harness, { n8nMajor });
			expect(envelope.result.length).toBeGreaterThan(0);
			expect(count(harness.emulator, TOKEN)).toBe(3);
		});
	});

	describe.each([1, 2] as const)('as n8n %i.x wraps a failed connection', (n8nMajor) => {
		// 1.x hands over a NodeApiError without the cause: httpCode "ECONNRESET", messages ["socket hang up"].
		it('retries a connection reset before any answer', async () => {
			harness.emulator.faults.failNext('/rest/v1/activities/types.json', 1, { reset: true });
			const envelope = await activityTypes(harness, { n8nMajor });
			expect(envelope.result.length).toBeGreaterThan(0);
			expect(count(harness.emulator, TYPES)).toBe(2);
		});

		it('retries a connection reset on a streamed call', async () => {
			harness.emulator.faults.failNext('/rest/v1/activities/types.json', 2, { reset: true });
			const test = harness.context({}, { n8nMajor });
			const response = await marketoStream(test.context, {
				method: 'GET',
				path: '/rest/v1/activities/types.json',
			});
			expect((response.body as unknown as { result: unknown[] }).result.length).toBeGreaterThan(0);
			expect(count(harness.emulator, TYPES)).toBe(3);
		});
	});

	it("names the connection failure when resets outlast the retries (not n8n's generic text)", async () => {
		const saved = { ...RETRY_POLICY };
		Object.assign(RETRY_POLICY, { maxRetries: 1, baseDelayMs: 20 });
		try {
			harness.emulator.faults.failNext('/rest/v1/activities/types.json', 5, { reset: true });
			const error = await activityTypes(harness).catch((e) => e);
			expect(error.message).toMatch(/^Marketo error connection: The connection to Marketo failed/);
			expect(error.description).toMatch(/Gave up after 2 attempts/);
		} finally {
			Object.assign(RETRY_POLICY, saved);
		}
	});

	it('keeps its own message when the failure text names ECONNRESET (n8n would swap in a generic one)', () => {
		const node = harness.context({}).context.getNode();
		const error = new MarketoApiError(node, {
			code: 'connection',
			message: 'The connection to Marketo failed (read ECONNRESET)',
		});
		expect(error.message).toBe(
			'Marketo error connection: The connection to Marketo failed (read ECONNRESET).',
		);
	});

	it('waits out a rate limit for as long as it takes, not for a number of tries', async () => {
		RETRY_POLICY.rateWindowMs = 200;
		harness.emulator.faults.failNext('/rest/v1/activities/types.json', 12, { code: '606' });
		const envelope = await activityTypes(harness);
		expect(envelope.result.length).toBeGreaterThan(0);
		expect(count(harness.emulator, TYPES)).toBe(13);
	});

	it('quotes the rate limit Marketo reported when it gives up waiting', async () => {
		Object.assign(RETRY_POLICY, { rateWindowMs: 200, rateLimitPatienceMs: 1000 });
		harness.emulator.faults.failNext('/rest/v1/activities/types.json', 1000, {
			code: '606',
			message: "Max rate limit '25' exceeded with in '20' secs",
		});
		const started = Date.now();
		const error = await activityTypes(harness).catch((e) => e);
		expect(Date.now() - started).toBeLessThan(2000);
		expect(error.message).toMatch(
			/^Marketo error 606: Max rate limit '25' exceeded with in '20' secs\. Marketo's rate limit \(25 calls per 20 seconds, shared/,
		);
		expect(error.description).toMatch(
			/Marketo kept refusing the call for [\d.]+ s \(\d+ attempts\)/,
		);
	});

	describe('time limits', () => {
		it('gives up a call that gets no answer, and retries it', async () => {
			TIME_LIMITS.callMs = 300;
			harness.emulator.faults.failNext('/rest/v1/activities/types.json', 1, { hang: true });
			const started = Date.now();
			const envelope = await activityTypes(harness);
			expect(envelope.result.length).toBeGreaterThan(0);
			expect(count(harness.emulator, TYPES)).toBe(2);
			expect(Date.now() - started).toBeLessThan(3000);
		});

		it('gives up an answer whose body stops arriving, and retries it', async () => {
			TIME_LIMITS.callMs = 300;
			harness.emulator.faults.failNext('/rest/v1/activities/types.json', 1, {
				stallAfterBytes: 20,
			});
			const started = Date.now();
			const envelope = await activityTypes(harness);
			expect(envelope.result.length).toBeGreaterThan(0);
			expect(count(harness.emulator, TYPES)).toBe(2);
			expect(Date.now() - started).toBeLessThan(3000);
		});

		it('fails a streamed body that pauses longer than its limit', async () => {
			TIME_LIMITS.streamIdleMs = 300;
			harness.emulator.faults.failNext('/rest/v1/activities/types.json', 1, {
				stallAfterBytes: 0,
			});
			const test = harness.context({});
			const started = Date.now();
			// The pause comes before the first byte, which the transport reads to tell a file from an envelope.
			const response = await marketoStream(test.context, {
				method: 'GET',
				path: '/rest/v1/activities/types.json',
			});
			expect((response.body as unknown as { result: unknown[] }).result.length).toBeGreaterThan(0);
			expect(count(harness.emulator, TYPES)).toBe(2);
			expect(Date.now() - started).toBeLessThan(3000);
		});

		it("ends a call that keeps hanging by the run's deadline, whatever the call's own limit", async () => {
			TIME_LIMITS.minimumMs = 100;
			harness.emulator.faults.failNext('/rest/v1/activities/types.json', 100, { hang: true });
			const started = Date.now();
			const error = await marketoRequest(harness.context({}).context, {
				method: 'GET',
				path: '/rest/v1/activities/types.json',
				deadline: Date.now() + 1500,
			}).catch((e) => e);
			expect(error.message).toMatch(/^Marketo error timeout: Marketo did not answer within/);
			expect(Date.now() - started).toBeLessThan(3000);
		});
	});

	it("fails fast instead of retrying past a poll's time budget", async () => {
		const { limitRetriesUntil } = await import('../../nodes/MarketoBulk/transport');
		harness.emulator.faults.failNext('/rest/v1/activities/types.json', 10, { httpStatus: 503 });
		const test = harness.context({});
		limitRetriesUntil(test.context, Date.now() + 1200);
		const started = Date.now();
		const error = await marketoRequest(test.context, {
			method: 'GET',
			path: '/rest/v1/activities/types.json',
		}).catch((e) => e);
		expect(error.message).toMatch(/^Marketo error HTTP 503/);
		expect(Date.now() - started).toBeLessThan(1500);
		expect(count(harness.emulator, TYPES)).toBeGreaterThanOrEqual(2);
		expect(count(harness.emulator, TYPES)).toBeLessThan(4);
	});

	it('stops waiting when the execution is cancelled', async () => {
		harness.emulator.faults.failNext('/rest/v1/activities/types.json', 10, { httpStatus: 503 });
		const test = harness.context({});
		const pending = marketoRequest(test.context, {
			method: 'GET',
			path: '/rest/v1/activities/types.json',
		});
		setTimeout(() => test.abort.abort(), 300);
		const started = Date.now();
		await expect(pending).rejects.toThrow(/cancelled/);
		expect(Date.now() - started).toBeLessThan(2500);
	});

	describe('declarative single steps', () => {
		// What n8n's RoutingNode does for a declarative operation: preSend hooks, one authenticated request
		// with the full response, then the postReceive hooks.
		async function routedCall(url: string) {
			const test = harness.context({});
			const ctx = test.context as never as ThisParameterType<typeof prepareRoutedRequest>;
			const options = await prepareRoutedRequest.call(ctx, {
				method: 'GET',
				url,
				headers: { Accept: 'application/json' },
			});
			const response = await test.context.helpers.httpRequestWithAuthentication.call(
				test.context,
				'marketoApi',
				options,
			);
			return await unwrapEnvelope.call(ctx, [], response as never);
		}

		it('returns one item per result entry', async () => {
			const items = await routedCall('/rest/v1/activities/types.json');
			expect(items.length).toBeGreaterThan(5);
			expect(items[0].json).toHaveProperty('id');
		});

		it('replays the request once with a fresh token after 601', async () => {
			await routedCall('/rest/v1/activities/types.json');
			harness.emulator.faults.invalidateAllTokens();
			const items = await routedCall('/rest/v1/activities/types.json');
			expect(items.length).toBeGreaterThan(5);
			expect(count(harness.emulator, TOKEN)).toBe(2);
			expect(count(harness.emulator, TYPES)).toBe(3);
		});

		it("fails with Marketo's error when the request to replay is unknown (never an empty success)", async () => {
			const test = harness.context({});
			const answer = {
				statusCode: 200,
				headers: {},
				body: { success: false, errors: [{ code: '611', message: 'System error' }] },
			};
			await expect(unwrapEnvelope.call(test.context as never, [], answer as never)).rejects.toThrow(
				/^Marketo error 611: System error\./,
			);
		});

		it('retries a 606 and fails a 1003 with its message', async () => {
			harness.emulator.faults.failNext('/rest/v1/activities/types.json', 1, {
				code: '606',
				message: 'Max rate limit',
			});
			expect((await routedCall('/rest/v1/activities/types.json')).length).toBeGreaterThan(5);
			await expect(routedCall('/bulk/v1/leads/export/not-a-job/status.json')).rejects.toThrow(
				/^Marketo error \d+: /,
			);
		});
	});
});
