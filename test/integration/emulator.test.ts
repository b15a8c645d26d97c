/**
 * The Marketo emulator's own behaviour, over real HTTP: if these drift from Marketo, every test built
 * on the emulator drifts with them.
 */
import { createHash } from 'node:crypto';
import {
	parseDelimited,
	parseTable,
	startEmulator,
	type EmulatorOptions,
	type MarketoEmulator,
} from '../emulator';

// Response bodies are loosely typed on purpose: the assertions are what check their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const FAST: EmulatorOptions = { exportProcessingMs: 30, importProcessingMs: 30 };
const JAN = { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-31T00:00:00Z' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function token(emu: MarketoEmulator): Promise<string> {
	const res = await fetch(
		`${emu.url}/identity/oauth/token?grant_type=client_credentials&client_id=${emu.clientId}&client_secret=${emu.clientSecret}`,
	);
	return ((await res.json()) as Json).access_token;
}

async function call(
	emu: MarketoEmulator,
	method: string,
	path: string,
	opts: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {},
): Promise<Json> {
	const headers: Record<string, string> = { ...opts.headers };
	const tok = opts.token === undefined ? await token(emu) : opts.token;
	if (tok) headers.Authorization = `Bearer ${tok}`;
	let body: string | undefined;
	if (opts.body !== undefined) {
		body = JSON.stringify(opts.body);
		headers['Content-Type'] ??= 'application/json';
	}
	const res = await fetch(emu.url + path, { method, headers, body });
	expect(res.status).toBe(200);
	return (await res.json()) as Json;
}

const errorOf = (r: Json) => {
	expect(r.success).toBe(false);
	expect(r).not.toHaveProperty('result');
	return r.errors[0] as { code: string; message: string };
};

async function createJob(
	emu: MarketoEmulator,
	kind: 'leads' | 'activities',
	body: unknown,
): Promise<string> {
	const r = await call(emu, 'POST', `/bulk/v1/${kind}/export/create.json`, { body });
	expect(r.success).toBe(true);
	expect(r.result[0].status).toBe('Created');
	return r.result[0].exportId;
}

async function waitFor(
	emu: MarketoEmulator,
	kind: string,
	id: string,
	until = ['Completed', 'Failed', 'Cancelled'],
): Promise<Json> {
	const tok = await token(emu);
	for (let k = 0; k < 400; k++) {
		const r = await call(emu, 'GET', `/bulk/v1/${kind}/export/${id}/status.json`, { token: tok });
		if (until.includes(r.result[0].status)) return r.result[0];
		await sleep(15);
	}
	throw new Error('job did not finish');
}

async function runExport(
	emu: MarketoEmulator,
	kind: 'leads' | 'activities',
	body: unknown,
): Promise<Json> {
	const id = await createJob(emu, kind, body);
	const q = await call(emu, 'POST', `/bulk/v1/${kind}/export/${id}/enqueue.json`);
	expect(q.result[0].status).toBe('Queued');
	return waitFor(emu, kind, id);
}

async function download(
	emu: MarketoEmulator,
	kind: string,
	id: string,
	range?: string,
): Promise<{ status: number; body: Buffer; headers: Headers }> {
	const headers: Record<string, string> = { Authorization: `Bearer ${await token(emu)}` };
	if (range) headers.Range = range;
	const res = await fetch(`${emu.url}/bulk/v1/${kind}/export/${id}/file.json`, { headers });
	return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

const sha256 = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

function multipart(
	fields: Record<string, string>,
	file: { name: string; content: string | Buffer },
) {
	const boundary = '----emulatorTestBoundary' + Math.random().toString(16).slice(2);
	const parts: Buffer[] = [];
	for (const [k, v] of Object.entries(fields)) {
		parts.push(
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`),
		);
	}
	parts.push(
		Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`,
		),
		Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
		Buffer.from(`\r\n--${boundary}--\r\n`),
	);
	return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function importFile(
	emu: MarketoEmulator,
	content: string | Buffer,
	fields: Record<string, string> = { format: 'csv' },
): Promise<Json> {
	const { body, contentType } = multipart(fields, { name: 'leads.csv', content });
	const res = await fetch(`${emu.url}/bulk/v1/leads.json`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${await token(emu)}`, 'Content-Type': contentType },
		body,
	});
	if (res.status !== 200) return { httpStatus: res.status };
	return (await res.json()) as Json;
}

async function waitForBatch(emu: MarketoEmulator, batchId: number): Promise<Json> {
	for (let k = 0; k < 400; k++) {
		const r = await call(emu, 'GET', `/bulk/v1/leads/batch/${batchId}.json`);
		if (['Complete', 'Failed'].includes(r.result[0].status)) return r.result[0];
		await sleep(15);
	}
	throw new Error('batch did not finish');
}

async function text(emu: MarketoEmulator, path: string): Promise<string> {
	const res = await fetch(emu.url + path, {
		headers: { Authorization: `Bearer ${await token(emu)}` },
	});
	return res.text();
}

describe('Marketo emulator', () => {
	let emu: MarketoEmulator;
	beforeAll(async () => {
		emu = await startEmulator(FAST);
	});
	afterAll(() => emu.close());
	beforeEach(() => emu.reset());

	describe('identity and auth', () => {
		it('issues the same token until it expires, with expires_in counting down', async () => {
			const t0 = new Date('2026-07-01T12:00:00Z');
			emu.setNow(t0);
			const first = (await (
				await fetch(
					`${emu.url}/identity/oauth/token?grant_type=client_credentials&client_id=demo-client-id&client_secret=demo-client-secret`,
				)
			).json()) as Json;
			expect(first).toMatchObject({
				token_type: 'bearer',
				expires_in: 3600,
				scope: 'api-user@example.com',
			});
			emu.setNow(new Date(t0.getTime() + 10_000));
			const form = new URLSearchParams({
				grant_type: 'client_credentials',
				client_id: 'demo-client-id',
				client_secret: 'demo-client-secret',
			});
			const second = (await (
				await fetch(`${emu.url}/identity/oauth/token`, { method: 'POST', body: form })
			).json()) as Json;
			expect(second.access_token).toBe(first.access_token);
			expect(second.expires_in).toBeLessThanOrEqual(3590);
			emu.setNow(new Date(t0.getTime() + 3_601_000));
			const stale = await call(emu, 'GET', '/rest/v1/leads/describe.json', {
				token: first.access_token,
			});
			expect(errorOf(stale)).toEqual({ code: '602', message: 'Access token expired' });
			expect(await token(emu)).not.toBe(first.access_token);
		});

		it('rejects bad credentials like Marketo', async () => {
			const get = async (q: string) => {
				const res = await fetch(`${emu.url}/identity/oauth/token?${q}`);
				return { status: res.status, body: (await res.json()) as Json };
			};
			expect(await get('grant_type=client_credentials&client_id=nope&client_secret=x')).toEqual({
				status: 401,
				body: { error: 'unauthorized', error_description: 'No client with requested id: nope' },
			});
			expect(
				await get('grant_type=client_credentials&client_id=demo-client-id&client_secret=x'),
			).toEqual({
				status: 401,
				body: { error: 'invalid_client', error_description: 'Bad client credentials' },
			});
			const missing = await get('client_id=demo-client-id&client_secret=demo-client-secret');
			expect(missing.status).toBe(400);
			expect(missing.body.error).toBe('invalid_request');
		});

		it('answers 600/601/602 with HTTP 200 and no result key', async () => {
			expect(
				errorOf(await call(emu, 'GET', '/rest/v1/leads/describe.json', { token: null })).code,
			).toBe('600');
			expect(
				errorOf(await call(emu, 'GET', '/rest/v1/leads/describe.json', { token: 'bogus' })),
			).toEqual({ code: '601', message: 'Access token invalid' });
			const tok = await token(emu);
			emu.faults.expireAllTokens();
			expect(
				errorOf(await call(emu, 'GET', '/rest/v1/leads/describe.json', { token: tok })).code,
			).toBe('602');
			const fresh = await token(emu);
			expect(fresh).not.toBe(tok);
			emu.faults.invalidateAllTokens();
			expect(
				errorOf(await call(emu, 'GET', '/rest/v1/leads/describe.json', { token: fresh })).code,
			).toBe('601');
			// The deprecated query parameter still works.
			const viaQuery = await call(
				emu,
				'GET',
				`/rest/v1/leads/describe.json?access_token=${await token(emu)}`,
				{ token: null },
			);
			expect(viaQuery.success).toBe(true);
		});

		it('answers unknown paths with an HTML 404 and wrong methods with 605', async () => {
			for (const path of [
				'/rest/bulk/v1/leads/export/create.json',
				'/nothing/here',
				'/rest/rest/v1/leads/describe.json',
			]) {
				const res = await fetch(emu.url + path);
				expect(res.status).toBe(404);
				expect(res.headers.get('content-type')).toContain('text/html');
				expect(await res.text()).toContain('404 Not Found');
			}
			expect(errorOf(await call(emu, 'GET', '/bulk/v1/leads/export/create.json')).code).toBe('605');
		});
	});

	describe('limits', () => {
		it('rate-limits over a sliding window, token calls included (606)', async () => {
			const limited = await startEmulator({ ...FAST, rateLimit: { calls: 5, windowSeconds: 1 } });
			try {
				const tok = await token(limited); // 1
				for (let k = 0; k < 4; k++)
					expect(
						(await call(limited, 'GET', '/rest/v1/leads/describe.json', { token: tok })).success,
					).toBe(true);
				expect(
					errorOf(await call(limited, 'GET', '/rest/v1/leads/describe.json', { token: tok })),
				).toEqual({
					code: '606',
					message: "Max rate limit '5' exceeded with in '1' secs",
				});
				await sleep(1100);
				expect(
					(await call(limited, 'GET', '/rest/v1/leads/describe.json', { token: tok })).success,
				).toBe(true);
			} finally {
				await limited.close();
			}
		});

		it('caps requests in flight, downloads included (615)', async () => {
			const capped = await startEmulator({ ...FAST, maxConcurrent: 2 });
			try {
				const status = await runExport(capped, 'leads', {
					fields: ['id', 'email'],
					filter: { createdAt: JAN },
				});
				capped.faults.throttleBytesPerSecond(200);
				const tok = await token(capped);
				const aborts = [new AbortController(), new AbortController()];
				const holds = aborts.map((a) =>
					fetch(`${capped.url}/bulk/v1/leads/export/${status.exportId}/file.json`, {
						headers: { Authorization: `Bearer ${tok}` },
						signal: a.signal,
					}),
				);
				await Promise.all(holds);
				expect(
					errorOf(await call(capped, 'GET', '/rest/v1/leads/describe.json', { token: tok })),
				).toEqual({
					code: '615',
					message: 'Concurrent access limit reached',
				});
				aborts.forEach((a) => a.abort());
				capped.faults.throttleBytesPerSecond(null);
				await sleep(150);
				expect(
					(await call(capped, 'GET', '/rest/v1/leads/describe.json', { token: tok })).success,
				).toBe(true);
			} finally {
				await capped.close();
			}
		});
	});

	describe('describe and assets', () => {
		it('describes lead fields and activity types', async () => {
			const d = await call(emu, 'GET', '/rest/v1/leads/describe.json');
			const email = d.result.find((f: Json) => f.rest.name === 'email');
			expect(email).toMatchObject({
				dataType: 'email',
				rest: { name: 'email', readOnly: false },
				soap: { name: 'Email' },
			});
			const types = new Set(d.result.map((f: Json) => f.dataType));
			for (const t of [
				'string',
				'text',
				'integer',
				'float',
				'currency',
				'boolean',
				'date',
				'datetime',
				'email',
				'phone',
				'url',
				'reference',
			]) {
				expect(types).toContain(t);
			}
			const d2 = await call(emu, 'GET', '/rest/v1/leads/describe2.json');
			expect(d2.result[0].name).toBe('API Lead');
			expect(d2.result[0].fields.find((f: Json) => f.name === 'id')).toMatchObject({
				updateable: false,
			});
			const at = await call(emu, 'GET', '/rest/v1/activities/types.json');
			const byId = new Map(at.result.map((t: Json) => [t.id, t]));
			for (const id of [1, 2, 6, 7, 10, 11, 12, 13, 22, 24, 25, 37, 104])
				expect(byId.has(id)).toBe(true);
			expect((byId.get(2) as Json).primaryAttribute.name).toBe('Webform ID');
		});

		it('pages static and smart lists, warning past the end', async () => {
			const page1 = await call(emu, 'GET', '/rest/asset/v1/staticLists.json?maxReturn=20');
			const page2 = await call(
				emu,
				'GET',
				'/rest/asset/v1/staticLists.json?offset=20&maxReturn=20',
			);
			expect(page1.result).toHaveLength(20);
			expect(page2.result.length).toBeGreaterThan(0);
			expect(page1.result[0]).toMatchObject({
				id: 1001,
				name: 'Webinar 2026-03 Attendees',
				folder: { type: 'Folder' },
			});
			expect(page1.result[0].createdAt).toMatch(/Z\+0000$/);
			const past = await call(emu, 'GET', '/rest/asset/v1/staticLists.json?offset=200');
			expect(past.success).toBe(true);
			expect(past).not.toHaveProperty('result');
			expect(past.warnings).toEqual(['No assets found for the given search criteria.']);
			const smart = await call(emu, 'GET', '/rest/asset/v1/smartLists.json?maxReturn=200');
			expect(smart.result.length).toBeGreaterThanOrEqual(25);
			const unicode = await call(
				emu,
				'GET',
				`/rest/asset/v1/staticList/byName.json?name=${encodeURIComponent('東京セミナー 参加者 🎉')}`,
			);
			expect(unicode.result[0].id).toBe(1006);
			expect(
				errorOf(await call(emu, 'GET', '/rest/asset/v1/staticLists.json?maxReturn=201')).code,
			).toBe('1003');
		});
	});

	describe('lead export', () => {
		it('runs the whole life cycle and serves the ground truth, byte for byte', async () => {
			const fields = [
				'id',
				'email',
				'firstName',
				'lastName',
				'company',
				'address',
				'phone',
				'leadScore',
				'createdAt',
				'updatedAt',
			];
			const filter = { createdAt: JAN };
			const id = await createJob(emu, 'leads', { fields, filter, format: 'CSV' });
			const created = await call(emu, 'GET', `/bulk/v1/leads/export/${id}/status.json`);
			expect(created.result[0]).toMatchObject({ exportId: id, status: 'Created', format: 'CSV' });
			expect(errorOf(await call(emu, 'GET', `/bulk/v1/leads/export/${id}/file.json`)).code).toBe(
				'1003',
			);
			await call(emu, 'POST', `/bulk/v1/leads/export/${id}/enqueue.json`);
			const done = await waitFor(emu, 'leads', id);
			expect(done).toMatchObject({
				status: 'Completed',
				numberOfRecords: emu.data.leadCount(filter),
			});
			for (const k of ['createdAt', 'queuedAt', 'startedAt', 'finishedAt'])
				expect(done[k]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

			const file = await download(emu, 'leads', id);
			expect(file.status).toBe(200);
			expect(file.headers.get('content-type')).toBe('text/csv');
			expect(file.body.length).toBe(done.fileSize);
			expect(sha256(file.body)).toBe(done.fileChecksum);

			const { header, rows } = parseTable(file.body.toString('utf8'));
			expect(header).toEqual(fields);
			const truth = [...emu.data.leads(filter)];
			expect(rows).toHaveLength(truth.length);
			rows.forEach((row, k) => {
				for (const f of fields) expect(row[f]).toBe((truth[k][f] as string | null) ?? 'null');
			});
			// The awkward values made it through the quoting.
			const all = file.body.toString('utf8');
			for (const s of [
				'"Acme, Inc."',
				'"Widgets ""R"" Us"',
				'"Line1\r\nLine2"',
				'\u2028',
				'\u0000',
				'東京',
				'🚀',
				',null,',
			])
				expect(all).toContain(s);
		});

		it('writes every field exactly as the ground truth has it, in every format', async () => {
			const described = await call(emu, 'GET', '/rest/v1/leads/describe.json');
			const fields: string[] = described.result.map((f: Json) => f.rest.name);
			const filter = {
				createdAt: { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-31T00:00:00Z' },
			};
			const truth = [...emu.data.leads(filter)];
			for (const [format, delimiter] of [
				['CSV', ','],
				['TSV', '\t'],
				['SSV', ' '],
			]) {
				const status = await runExport(emu, 'leads', { fields, format, filter });
				const records = parseDelimited(
					(await download(emu, 'leads', status.exportId)).body.toString('utf8'),
					delimiter,
				);
				expect(records[0].cells).toEqual(fields);
				expect(records.length - 1).toBe(truth.length);
				records.slice(1).forEach((r, k) => {
					fields.forEach((f, c) =>
						expect([f, r.cells[c]]).toEqual([f, (truth[k][f] as string | null) ?? 'null']),
					);
				});
			}
			const activityFilter = { createdAt: filter.createdAt };
			const acts = [...emu.data.activities(activityFilter)];
			const all = [
				'marketoGUID',
				'leadId',
				'activityDate',
				'activityTypeId',
				'campaignId',
				'primaryAttributeValueId',
				'primaryAttributeValue',
				'attributes',
				'actionResult',
			];
			const a = await runExport(emu, 'activities', { fields: all, filter: activityFilter });
			const rows = parseTable(
				(await download(emu, 'activities', a.exportId)).body.toString('utf8'),
			).rows;
			expect(rows).toHaveLength(acts.length);
			rows.forEach((r, k) =>
				all.forEach((f) => expect([f, r[f]]).toEqual([f, (acts[k][f] as string | null) ?? 'null'])),
			);
		});

		it('puts records exactly on day boundaries, inclusive at both ends', async () => {
			const day = (d: string) => ({
				startAt: `2026-02-${d}T00:00:00Z`,
				endAt: `2026-02-${String(Number(d) + 1).padStart(2, '0')}T00:00:00Z`,
			});
			const first = [...emu.data.leads({ createdAt: day('10') })];
			const second = [...emu.data.leads({ createdAt: day('11') })];
			const shared = first.filter((a) => second.some((b) => b.id === a.id));
			expect(shared).toHaveLength(1);
			expect(shared[0].createdAt).toBe('2026-02-11T00:00:00Z');
			const status = await runExport(emu, 'leads', {
				fields: ['id', 'createdAt'],
				filter: { createdAt: day('11') },
			});
			const rows = parseTable((await download(emu, 'leads', status.exportId)).body.toString()).rows;
			expect(rows[0].createdAt).toBe('2026-02-11T00:00:00Z');
			expect(rows[rows.length - 1].createdAt).toBe('2026-02-12T00:00:00Z');
		});

		it('writes TSV and SSV, renames headers and quotes only what needs it', async () => {
			const filter = { staticListId: 1007 };
			const tsv = await runExport(emu, 'leads', {
				fields: ['id', 'company'],
				columnHeaderNames: { id: 'Marketo Id', company: 'Company Name' },
				format: 'TSV',
				filter,
			});
			const t = await download(emu, 'leads', tsv.exportId);
			expect(t.headers.get('content-type')).toBe('text/tab-separated-values');
			const tText = t.body.toString();
			expect(tText.split('\n')[0]).toBe('Marketo Id\tCompany Name');
			expect(tText).toContain('\tAcme, Inc.\n');
			expect(tText).toContain('\t"Tab\tSeparated Ltd"\n');
			const ssv = await runExport(emu, 'leads', {
				fields: ['id', 'company'],
				format: 'SSV',
				filter,
			});
			const s = (await download(emu, 'leads', ssv.exportId)).body.toString();
			expect(s.split('\n')[0]).toBe('id company');
			expect(s).toContain(' "Space Separated Ltd"\n');
			const parsed = parseDelimited(s, ' ').slice(1);
			expect(parsed.length).toBe(emu.data.leadCount(filter));
			expect(parsed.every((r) => r.cells.length === 2)).toBe(true);
		});

		it('validates requests like Marketo', async () => {
			const create = (body: unknown) =>
				call(emu, 'POST', '/bulk/v1/leads/export/create.json', { body });
			expect(errorOf(await create({ filter: { createdAt: JAN } })).code).toBe('1003');
			expect(
				errorOf(await create({ fields: ['id', 'favouriteColour'], filter: { createdAt: JAN } }))
					.message,
			).toContain('favouriteColour');
			expect(
				errorOf(await create({ fields: ['id'], filter: { createdAt: JAN, staticListId: 1001 } }))
					.code,
			).toBe('1003');
			expect(errorOf(await create({ fields: ['id'], filter: {} })).code).toBe('1003');
			const tooLong = errorOf(
				await create({
					fields: ['id'],
					filter: { createdAt: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-02-02T00:00:00Z' } },
				}),
			);
			expect(tooLong).toMatchObject({ code: '1003' });
			expect(tooLong.message).toContain('31 days');
			expect(
				(
					await create({
						fields: ['id'],
						filter: {
							createdAt: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-02-01T00:00:00Z' },
						},
					})
				).success,
			).toBe(true);
			expect(
				errorOf(await create({ fields: ['id'], format: 'XLS', filter: { createdAt: JAN } })).code,
			).toBe('1003');
			const bad = await fetch(`${emu.url}/bulk/v1/leads/export/create.json`, {
				method: 'POST',
				headers: {
					Authorization: `Bearer ${await token(emu)}`,
					'Content-Type': 'application/json',
				},
				body: '{nope',
			});
			expect(errorOf((await bad.json()) as Json).code).toBe('609');
			expect(
				errorOf(
					await call(
						emu,
						'GET',
						'/bulk/v1/leads/export/00000000-0000-0000-0000-000000000000/status.json',
					),
				).code,
			).toBe('1003');

			const picky = await startEmulator({
				...FAST,
				disabledFilters: ['updatedAt', 'smartListId', 'smartListName'],
			});
			try {
				const r = await call(picky, 'POST', '/bulk/v1/leads/export/create.json', {
					body: { fields: ['id'], filter: { updatedAt: JAN } },
				});
				expect(errorOf(r)).toEqual({
					code: '1035',
					message: 'Unsupported filter type for target subscription: updatedAt',
				});
			} finally {
				await picky.close();
			}
		});

		it('filters by updatedAt, static and smart list', async () => {
			for (const filter of [
				{ updatedAt: JAN },
				{ staticListName: 'Customers, "VIP"' },
				{ smartListId: 2003 },
				{ smartListName: 'Engaged, Not Converted' },
			]) {
				const status = await runExport(emu, 'leads', { fields: ['id'], filter });
				expect(status.numberOfRecords).toBe(emu.data.leadCount(filter));
				expect(status.numberOfRecords).toBeGreaterThan(0);
			}
			expect(emu.data.staticListMembers(1025)).toEqual([]);
		});
	});

	describe('activity export', () => {
		it('exports default columns with JSON attributes and honours type and primary-attribute filters', async () => {
			const all = await runExport(emu, 'activities', { filter: { createdAt: JAN } });
			const { header, rows } = parseTable(
				(await download(emu, 'activities', all.exportId)).body.toString(),
			);
			expect(header).toEqual([
				'marketoGUID',
				'leadId',
				'activityDate',
				'activityTypeId',
				'campaignId',
				'primaryAttributeValueId',
				'primaryAttributeValue',
				'attributes',
			]);
			expect(rows.length).toBe(emu.data.activityCount({ createdAt: JAN }));
			for (const r of rows) expect(() => JSON.parse(r.attributes)).not.toThrow();
			expect(rows.some((r) => r.campaignId === 'null')).toBe(true);

			const forms = {
				createdAt: JAN,
				activityTypeIds: [2],
				primaryAttributeValues: ['GL_OP_ALL_2026.MPS Outbound'],
			};
			const f = await runExport(emu, 'activities', {
				fields: ['marketoGUID', 'activityTypeId', 'primaryAttributeValue', 'actionResult'],
				filter: forms,
			});
			expect(f.numberOfRecords).toBe(emu.data.activityCount(forms));
			expect(f.numberOfRecords).toBeGreaterThan(0);
			const fr = parseTable((await download(emu, 'activities', f.exportId)).body.toString()).rows;
			expect(
				fr.every(
					(r) =>
						r.activityTypeId === '2' && r.primaryAttributeValue === 'GL_OP_ALL_2026.MPS Outbound',
				),
			).toBe(true);
			expect(new Set(fr.map((r) => r.actionResult)).size).toBeGreaterThan(0);
		});

		it('rejects what Marketo rejects', async () => {
			const create = async (filter: unknown, extra: Json = {}) =>
				errorOf(
					await call(emu, 'POST', '/bulk/v1/activities/export/create.json', {
						body: { filter, ...extra },
					}),
				);
			expect((await create({ activityTypeIds: [1] })).code).toBe('1003');
			expect((await create({ createdAt: JAN, activityTypeIds: [37] })).message).toContain(
				'Delete Lead',
			);
			expect((await create({ createdAt: JAN, activityTypeIds: [9999] })).code).toBe('1003');
			expect(
				(
					await create({
						createdAt: JAN,
						activityTypeIds: [24],
						primaryAttributeValueIds: [1001],
						primaryAttributeValues: ['x'],
					})
				).message,
			).toContain('cannot be used together');
			expect((await create({ createdAt: JAN, primaryAttributeValueIds: [1001] })).code).toBe(
				'1003',
			);
			expect(
				(
					await create({
						createdAt: JAN,
						activityTypeIds: [24, 2],
						primaryAttributeValueIds: [1001],
					})
				).code,
			).toBe('1003');
			expect(
				(
					await create({
						createdAt: JAN,
						activityTypeIds: [24],
						primaryAttributeValueIds: Array.from({ length: 51 }, (_, k) => k),
					})
				).code,
			).toBe('1003');
			expect((await create({ createdAt: JAN }, { fields: ['leadId', 'nope'] })).message).toContain(
				'nope',
			);
		});
	});

	describe('queue, quota, status refresh', () => {
		it('holds at most `queued` jobs and refuses more with 1029', async () => {
			const small = await startEmulator({ ...FAST, exportQueue: { processing: 1, queued: 2 } });
			try {
				small.faults.stuckInQueue(true);
				const ids = [];
				for (let k = 0; k < 3; k++)
					ids.push(await createJob(small, 'leads', { fields: ['id'], filter: { createdAt: JAN } }));
				await call(small, 'POST', `/bulk/v1/leads/export/${ids[0]}/enqueue.json`);
				await call(small, 'POST', `/bulk/v1/activities/export/${ids[1]}/enqueue.json`).then((r) =>
					expect(errorOf(r).code).toBe('1003'),
				);
				await call(small, 'POST', `/bulk/v1/leads/export/${ids[1]}/enqueue.json`);
				expect(
					errorOf(await call(small, 'POST', `/bulk/v1/leads/export/${ids[2]}/enqueue.json`)),
				).toEqual({ code: '1029', message: 'Too many jobs (2) in queue' });
				expect(
					errorOf(await call(small, 'POST', `/bulk/v1/leads/export/${ids[0]}/enqueue.json`)),
				).toEqual({ code: '1029', message: 'Job already queued' });
				const cancelled = await call(small, 'POST', `/bulk/v1/leads/export/${ids[1]}/cancel.json`);
				expect(cancelled.result[0].status).toBe('Cancelled');
				expect(
					(await call(small, 'POST', `/bulk/v1/leads/export/${ids[2]}/enqueue.json`)).success,
				).toBe(true);
				small.faults.stuckInQueue(false);
				expect((await waitFor(small, 'leads', ids[0])).status).toBe('Completed');
				expect(
					errorOf(await call(small, 'POST', `/bulk/v1/leads/export/${ids[0]}/cancel.json`)).code,
				).toBe('1003');
				const listed = await call(
					small,
					'GET',
					'/bulk/v1/leads/export.json?status=Cancelled,Completed,Queued,Processing&batchSize=1',
				);
				expect(listed.result).toHaveLength(1);
				expect(listed.nextPageToken).toBeTruthy();
				const next = await call(
					small,
					'GET',
					`/bulk/v1/leads/export.json?status=Cancelled,Completed,Queued,Processing&batchSize=1&nextPageToken=${encodeURIComponent(listed.nextPageToken)}`,
				);
				expect(next.result[0].exportId).not.toBe(listed.result[0].exportId);
			} finally {
				await small.close();
			}
		});

		it('stops creating and enqueuing once the day quota is spent, until midnight in Chicago', async () => {
			const tight = await startEmulator({ ...FAST, dailyExportQuotaBytes: 2000 });
			try {
				tight.setNow(new Date('2026-07-01T12:00:00Z'));
				const first = await runExport(tight, 'leads', {
					fields: ['id', 'email', 'company'],
					filter: { createdAt: JAN },
				});
				expect(tight.exportedBytesToday()).toBe(first.fileSize);
				const refused = errorOf(
					await call(tight, 'POST', '/bulk/v1/leads/export/create.json', {
						body: { fields: ['id'], filter: { createdAt: JAN } },
					}),
				);
				expect(refused.code).toBe('1029');
				expect(refused.message).toMatch(/^Export daily quota \d+MB exceeded$/);
				tight.setNow(new Date('2026-07-02T04:59:00Z')); // 23:59 in Chicago
				expect(
					errorOf(
						await call(tight, 'POST', '/bulk/v1/leads/export/create.json', {
							body: { fields: ['id'], filter: { createdAt: JAN } },
						}),
					).code,
				).toBe('1029');
				tight.setNow(new Date('2026-07-02T05:01:00Z'));
				expect(tight.exportedBytesToday()).toBe(0);
				expect(
					(
						await call(tight, 'POST', '/bulk/v1/leads/export/create.json', {
							body: { fields: ['id'], filter: { createdAt: JAN } },
						})
					).success,
				).toBe(true);
			} finally {
				await tight.close();
			}
		});

		it('shows a status snapshot that refreshes at most every statusRefreshSeconds', async () => {
			const slow = await startEmulator({ ...FAST, statusRefreshSeconds: 60 });
			try {
				const t0 = Date.parse('2026-07-01T00:00:00Z');
				slow.setNow(new Date(t0));
				const id = await createJob(slow, 'leads', { fields: ['id'], filter: { createdAt: JAN } });
				expect(
					(await call(slow, 'POST', `/bulk/v1/leads/export/${id}/enqueue.json`)).result[0].status,
				).toBe('Queued');
				await sleep(200);
				expect(slow.data.jobs()[0].status).toBe('Completed');
				expect(
					(await call(slow, 'GET', `/bulk/v1/leads/export/${id}/status.json`)).result[0].status,
				).toBe('Created');
				slow.setNow(new Date(t0 + 61_000));
				const fresh = (await call(slow, 'GET', `/bulk/v1/leads/export/${id}/status.json`))
					.result[0];
				expect(fresh.status).toBe('Completed');
				expect(fresh.fileChecksum).toMatch(/^sha256:[0-9a-f]{64}$/);
			} finally {
				await slow.close();
			}
		});
	});

	describe('file download', () => {
		let big: MarketoEmulator;
		let job: Json;
		let whole: Buffer;
		beforeAll(async () => {
			big = await startEmulator({
				...FAST,
				leads: { count: 40_000, start: '2026-01-01T00:00:00Z', end: '2026-01-20T00:00:00Z' },
			});
			job = await runExport(big, 'leads', {
				fields: ['id', 'email', 'firstName', 'company', 'address', 'createdAt'],
				filter: { createdAt: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-20T00:00:00Z' } },
			});
			whole = (await download(big, 'leads', job.exportId)).body;
		});
		afterAll(() => big.close());

		it('is deterministic across instances', async () => {
			expect(whole.length).toBeGreaterThan(1_000_000);
			expect(sha256(whole)).toBe(job.fileChecksum);
			const twin = await startEmulator({
				...FAST,
				leads: { count: 40_000, start: '2026-01-01T00:00:00Z', end: '2026-01-20T00:00:00Z' },
			});
			try {
				const again = await runExport(twin, 'leads', {
					fields: ['id', 'email', 'firstName', 'company', 'address', 'createdAt'],
					filter: { createdAt: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-20T00:00:00Z' } },
				});
				expect(again.fileChecksum).toBe(job.fileChecksum);
			} finally {
				await twin.close();
			}
		});

		it('serves several downloads at once, each byte-exact', async () => {
			const all = await Promise.all([0, 1, 2].map(() => download(big, 'leads', job.exportId)));
			for (const r of all) expect(sha256(r.body)).toBe(job.fileChecksum);
		});

		it('serves byte ranges anywhere in the file', async () => {
			big.resetCounters();
			for (const [a, b] of [
				[0, 99],
				[123_456, 654_321],
				[whole.length - 10, whole.length - 1],
				[whole.length - 10, whole.length + 50],
			]) {
				const r = await download(big, 'leads', job.exportId, `bytes=${a}-${b}`);
				expect(r.status).toBe(206);
				const end = Math.min(b, whole.length - 1);
				expect(r.headers.get('content-range')).toBe(`bytes ${a}-${end}/${whole.length}`);
				expect(r.body.equals(whole.subarray(a, end + 1))).toBe(true);
			}
			const open = await download(big, 'leads', job.exportId, `bytes=${whole.length - 5000}-`);
			expect(open.body.equals(whole.subarray(whole.length - 5000))).toBe(true);
			const beyond = await download(big, 'leads', job.exportId, `bytes=${whole.length}-`);
			expect(beyond.status).toBe(416);
			expect(beyond.headers.get('content-range')).toBe(`bytes */${whole.length}`);
			expect(big.counters().rangeRequests).toBe(6);
		});

		it('resets the connection mid-file when asked, then serves the rest by Range', async () => {
			big.faults.dropFileAfterBytes(300_000);
			const headers = { Authorization: `Bearer ${await token(big)}` };
			const res = await fetch(`${big.url}/bulk/v1/leads/export/${job.exportId}/file.json`, {
				headers,
			});
			const reader = res.body!.getReader();
			let got = 0;
			await expect(
				(async () => {
					for (;;) {
						const { done, value } = await reader.read();
						if (done) break;
						got += value.length;
					}
				})(),
			).rejects.toThrow();
			expect(got).toBeLessThanOrEqual(300_000);
			const rest = await download(big, 'leads', job.exportId, `bytes=${got}-`);
			expect(rest.body.equals(whole.subarray(got))).toBe(true);
		});

		it('ends a file early and cleanly when asked: chunked, or with the short Content-Length', async () => {
			big.faults.truncateFileAfterBytes(100_000);
			const chunked = await download(big, 'leads', job.exportId);
			expect(chunked.status).toBe(200);
			expect(chunked.headers.get('content-length')).toBeNull();
			expect(chunked.body.equals(whole.subarray(0, 100_000))).toBe(true);

			big.faults.truncateFileAfterBytes(70_000, 2, true);
			expect(big.faults.pending()).toBe(2);
			const announced = await download(big, 'leads', job.exportId);
			expect(announced.status).toBe(200);
			expect(announced.headers.get('content-length')).toBe('70000');
			expect(announced.body.equals(whole.subarray(0, 70_000))).toBe(true);
			const ranged = await download(big, 'leads', job.exportId, 'bytes=70000-');
			expect(ranged.status).toBe(206);
			expect(ranged.headers.get('content-range')).toBe(`bytes 70000-139999/${whole.length}`);
			expect(ranged.body.equals(whole.subarray(70_000, 140_000))).toBe(true);
			expect(big.faults.pending()).toBe(0);

			const rest = await download(big, 'leads', job.exportId, 'bytes=140000-');
			expect(rest.body.equals(whole.subarray(140_000))).toBe(true);
		});

		it('throttles when asked', async () => {
			big.faults.throttleBytesPerSecond(100_000);
			const t = Date.now();
			const r = await download(big, 'leads', job.exportId, 'bytes=0-49999');
			big.faults.throttleBytesPerSecond(null);
			expect(r.body.length).toBe(50_000);
			expect(Date.now() - t).toBeGreaterThanOrEqual(400);
		});
	});

	describe('job faults', () => {
		it('fails, corrupts, loses and expires files on request', async () => {
			const body = { fields: ['id'], filter: { createdAt: JAN } };
			emu.faults.failNextJob('Export failed: disk on fire');
			const failed = await runExport(emu, 'leads', body);
			expect(failed).toMatchObject({ status: 'Failed', errorMsg: 'Export failed: disk on fire' });
			expect(failed).not.toHaveProperty('fileChecksum');

			emu.faults.corruptNextChecksum();
			const corrupt = await runExport(emu, 'leads', body);
			expect(sha256((await download(emu, 'leads', corrupt.exportId)).body)).not.toBe(
				corrupt.fileChecksum,
			);

			emu.faults.completedFileMissing();
			const missing = await runExport(emu, 'leads', body);
			expect(missing.status).toBe('Completed');
			expect((await download(emu, 'leads', missing.exportId)).status).toBe(404);

			const ok = await runExport(emu, 'leads', body);
			expect((await download(emu, 'leads', ok.exportId)).status).toBe(200);
			emu.setNow(new Date(Date.now() + 8 * 86_400_000));
			expect((await download(emu, 'leads', ok.exportId)).status).toBe(404);
		});

		it('fails the next matching requests with an API error or an HTTP status', async () => {
			emu.faults.failNext('/enqueue.json', 2, { code: '606' });
			emu.faults.failNext('POST /bulk/v1/leads/export/:id/cancel.json', 1, { httpStatus: 502 });
			const id = await createJob(emu, 'leads', { fields: ['id'], filter: { createdAt: JAN } });
			expect(
				errorOf(await call(emu, 'POST', `/bulk/v1/leads/export/${id}/enqueue.json`)).code,
			).toBe('606');
			expect(
				errorOf(await call(emu, 'POST', `/bulk/v1/leads/export/${id}/enqueue.json`)).code,
			).toBe('606');
			expect((await call(emu, 'POST', `/bulk/v1/leads/export/${id}/enqueue.json`)).success).toBe(
				true,
			);
			const res = await fetch(`${emu.url}/bulk/v1/leads/export/${id}/cancel.json`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${await token(emu)}` },
			});
			expect(res.status).toBe(502);
			expect(await res.text()).toContain('<html>');
			expect(emu.counters()['POST /bulk/v1/leads/export/:id/enqueue.json']).toBe(3);
			expect(emu.counters()['GET /identity/oauth/token']).toBeGreaterThan(0);
		});
	});

	describe('lead import', () => {
		it('inserts, updates, fails and warns row by row, and the result shows up in exports', async () => {
			emu.setNow(new Date('2026-07-15T10:00:00Z'));
			const existing = emu.data.getLead(7)!;
			const csv = [
				'Email,FirstName,lastName,leadScore,company',
				'new.person@example.com,Ada,Lovelace,10,"Analytical, Engines"',
				`${existing.email},Changed,,,`,
				'not-an-email,Bad,Row,1,X',
				',No,Email,1,X',
				'warn@example.com,Warn,Ing,lots,"Quoted ""Co"""',
				'"multi',
				'line"@example.com,Multi,Line,2,Y',
			].join('\r\n');
			const sent = await importFile(emu, csv, { format: 'csv', listId: '1003' });
			expect(sent.result[0]).toMatchObject({ status: 'Queued' });
			const done = await waitForBatch(emu, sent.result[0].batchId);
			expect(done).toMatchObject({
				status: 'Complete',
				numOfLeadsProcessed: 3,
				numOfRowsFailed: 3,
				numOfRowsWithWarning: 1,
			});
			expect(done.message).toMatch(/^Import completed with errors, 3 records imported/);

			const failures = await text(
				emu,
				`/bulk/v1/leads/batch/${sent.result[0].batchId}/failures.json`,
			);
			const f = parseDelimited(failures, ',');
			expect(f[0].cells).toEqual([
				'Email',
				'FirstName',
				'lastName',
				'leadScore',
				'company',
				'Import Failure Reason',
			]);
			expect(f.slice(1).map((r) => r.cells[0])).toEqual([
				'not-an-email',
				'',
				'multi\r\nline@example.com',
			]);
			// Offending rows come back exactly as sent, reason appended.
			expect(failures).toContain('not-an-email,Bad,Row,1,X,');
			expect(failures).toContain('"multi\r\nline"@example.com,Multi,Line,2,Y,');
			const warnings = parseDelimited(
				await text(emu, `/bulk/v1/leads/batch/${sent.result[0].batchId}/warnings.json`),
				',',
			);
			expect(warnings[1].cells.slice(0, 5)).toEqual([
				'warn@example.com',
				'Warn',
				'Ing',
				'lots',
				'Quoted "Co"',
			]);
			expect(warnings[1].cells[5]).toContain("Invalid value 'lots'");

			const ada = emu.data.getLead('NEW.person@example.com')!;
			expect(ada).toMatchObject({
				firstName: 'Ada',
				lastName: 'Lovelace',
				leadScore: '10',
				company: 'Analytical, Engines',
				createdAt: '2026-07-15T10:00:00Z',
			});
			expect(Number(ada.id)).toBeGreaterThan(1000);
			expect(emu.data.getLead(7)).toMatchObject({
				firstName: 'Changed',
				lastName: existing.lastName,
				updatedAt: '2026-07-15T10:00:00Z',
			});
			expect(emu.data.staticListMembers(1003)).toEqual(expect.arrayContaining([Number(ada.id), 7]));

			const recent = {
				createdAt: { startAt: '2026-07-15T00:00:00Z', endAt: '2026-07-16T00:00:00Z' },
			};
			const exp = await runExport(emu, 'leads', {
				fields: ['id', 'email', 'company'],
				filter: recent,
			});
			const rows = parseTable((await download(emu, 'leads', exp.exportId)).body.toString()).rows;
			expect(rows.map((r) => r.email).sort()).toEqual(
				['new.person@example.com', 'warn@example.com'].sort(),
			);
			const listExport = await runExport(emu, 'leads', {
				fields: ['id'],
				filter: { staticListId: 1003 },
			});
			expect(listExport.numberOfRecords).toBe(emu.data.staticListMembers(1003).length);
		});

		it('updates by id only, failing unknown ids', async () => {
			const sent = await importFile(emu, 'id,title\n5,CTO\n99999999,Nobody\nabc,X\n', {
				format: 'csv',
				lookupField: 'id',
			});
			const done = await waitForBatch(emu, sent.result[0].batchId);
			expect(done).toMatchObject({ numOfLeadsProcessed: 1, numOfRowsFailed: 2 });
			expect(emu.data.getLead(5)!.title).toBe('CTO');
			const failures = await text(
				emu,
				`/bulk/v1/leads/batch/${sent.result[0].batchId}/failures.json`,
			);
			expect(failures).toContain('99999999,Nobody,1004 Lead not found');
		});

		it('fails whole batches for unknown columns, wrong formats and partitions', async () => {
			const unknown = await importFile(emu, 'email,shoeSize\na@example.com,42\n');
			expect(await waitForBatch(emu, unknown.result[0].batchId)).toMatchObject({
				status: 'Failed',
				message: expect.stringContaining('shoeSize'),
			});
			const tabs = await importFile(emu, 'email\tfirstName\na@example.com\tA\n');
			expect((await waitForBatch(emu, tabs.result[0].batchId)).status).toBe('Failed');
			const tsv = await importFile(emu, 'email\tfirstName\nt@example.com\tT\n', { format: 'tsv' });
			expect((await waitForBatch(emu, tsv.result[0].batchId)).status).toBe('Complete');
			const ssv = await importFile(emu, 'email;firstName\ns@example.com;S\n', { format: 'ssv' });
			expect((await waitForBatch(emu, ssv.result[0].batchId)).status).toBe('Complete');
			const partition = await importFile(emu, 'email\np@example.com\n', {
				format: 'csv',
				partitionName: 'Mars',
			});
			expect(await waitForBatch(emu, partition.result[0].batchId)).toMatchObject({
				status: 'Failed',
				message: expect.stringContaining('Mars'),
			});
			expect(errorOf(await importFile(emu, 'email\nx@example.com\n', {})).code).toBe('1003');
			expect((await importFile(emu, Buffer.alloc(10 * 1024 * 1024, 'a'))).httpStatus).toBe(413);
		});

		it('queues at most 10 imports (1016)', async () => {
			const slow = await startEmulator({
				...FAST,
				importProcessingMs: 5000,
				importQueue: { processing: 1, queued: 2 },
			});
			try {
				expect((await importFile(slow, 'email\na@example.com\n')).success).toBe(true);
				expect((await importFile(slow, 'email\nb@example.com\n')).success).toBe(true);
				expect(errorOf(await importFile(slow, 'email\nc@example.com\n'))).toEqual({
					code: '1016',
					message: 'Too many imports',
				});
				expect(
					slow.data
						.imports()
						.map((b) => b.status)
						.sort(),
				).toEqual(['Importing', 'Queued']);
			} finally {
				await slow.close();
			}
		});
	});

	describe('control API', () => {
		it('offers everything over HTTP', async () => {
			const post = (path: string, body: unknown = {}) =>
				fetch(`${emu.url}/__emulator/${path}`, {
					method: 'POST',
					body: JSON.stringify(body),
					headers: { 'Content-Type': 'application/json' },
				}).then(async (r) => ({ status: r.status, body: (await r.json()) as Json }));
			const get = (path: string) =>
				fetch(`${emu.url}/__emulator/${path}`).then((r) => r.json() as Promise<Json>);
			await call(emu, 'GET', '/rest/v1/leads/describe.json');
			expect((await get('counters'))['GET /rest/v1/leads/describe.json']).toBe(1);
			await post('reset-counters');
			expect((await get('counters'))['GET /rest/v1/leads/describe.json']).toBeUndefined();

			await post('now', { now: '2026-08-01T00:00:00Z' });
			await post('leads', { add: 5 });
			const recent = {
				createdAt: { startAt: '2026-07-31T00:00:00Z', endAt: '2026-08-02T00:00:00Z' },
			};
			expect((await post('count', { kind: 'leads', filter: recent })).body).toEqual({ count: 5 });
			await post('activities', { add: 3, at: '2026-08-01T01:00:00Z' });
			expect((await post('count', { kind: 'activities', filter: recent })).body).toEqual({
				count: 3,
			});
			expect((await get('lead?id=3')).id).toBe('3');
			expect(
				(await get(`lead?email=${encodeURIComponent(emu.data.getLead(3)!.email as string)}`)).id,
			).toBe('3');
			expect(await get('static-list/1001/members')).toEqual(emu.data.staticListMembers(1001));

			expect(
				(
					await post('faults', {
						failNext: {
							match: 'describe.json',
							count: 1,
							failure: { code: '611', message: 'System error' },
						},
					})
				).status,
			).toBe(200);
			expect(errorOf(await call(emu, 'GET', '/rest/v1/leads/describe.json')).code).toBe('611');
			await post('faults', { stuckInQueue: true });
			const id = await createJob(emu, 'leads', { fields: ['id'], filter: recent });
			await call(emu, 'POST', `/bulk/v1/leads/export/${id}/enqueue.json`);
			await sleep(100);
			expect((await get('jobs'))[0]).toMatchObject({
				exportId: id,
				status: 'Queued',
				kind: 'leads',
			});
			await post('faults', { stuckInQueue: false });
			expect((await waitFor(emu, 'leads', id)).numberOfRecords).toBe(5);
			expect(await get('imports')).toEqual([]);
			await post('faults', { truncateFileAfterBytes: { bytes: 10, contentLength: true } });
			const short = await fetch(`${emu.url}/bulk/v1/leads/export/${id}/file.json`, {
				headers: { Authorization: `Bearer ${await token(emu)}` },
			});
			expect(short.headers.get('content-length')).toBe('10');
			expect((await short.text()).length).toBe(10);
			expect((await get('faults')).pending).toBe(0);
			expect((await post('faults', { bogus: 1 })).status).toBe(400);
			await post('reset');
			expect((await post('count', { kind: 'leads', filter: recent })).body).toEqual({ count: 0 });
		});
	});
});
