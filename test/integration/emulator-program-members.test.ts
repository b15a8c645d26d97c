/**
 * The emulator's programs, channels, program member describe, and Program Member export and import,
 * over real HTTP. Expected values come from the emulator's membership data read directly
 * (data.programMembers), never from the code that filters exports.
 */
import { createHash } from 'node:crypto';
import {
	parseDelimited,
	startEmulator,
	type EmulatorOptions,
	type MarketoEmulator,
} from '../emulator';

// Response bodies are loosely typed on purpose: the assertions are what check their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
type Row = Record<string, string | null>;

const FAST: EmulatorOptions = { exportProcessingMs: 30, importProcessingMs: 30 };
const PM = 'program/members';
const WEBINAR = 3002;
const NURTURE = 3003;
const TRADESHOW = 3004;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

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
	body?: unknown,
): Promise<Json> {
	const headers: Record<string, string> = { Authorization: `Bearer ${await token(emu)}` };
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	const res = await fetch(emu.url + path, {
		method,
		headers,
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	expect(res.status).toBe(200);
	return (await res.json()) as Json;
}

const errorOf = (r: Json) => {
	expect(r.success).toBe(false);
	expect(r).not.toHaveProperty('result');
	return r.errors[0] as { code: string; message: string };
};

const create = (emu: MarketoEmulator, kind: string, body: unknown) =>
	call(emu, 'POST', `/bulk/v1/${kind}/export/create.json`, body);

async function createJob(emu: MarketoEmulator, kind: string, body: unknown): Promise<string> {
	const r = await create(emu, kind, body);
	expect(r.success).toBe(true);
	expect(r.result[0].status).toBe('Created');
	return r.result[0].exportId;
}

const enqueue = (emu: MarketoEmulator, kind: string, id: string) =>
	call(emu, 'POST', `/bulk/v1/${kind}/export/${id}/enqueue.json`);

async function waitFor(emu: MarketoEmulator, kind: string, id: string): Promise<Json> {
	for (let k = 0; k < 400; k++) {
		const r = await call(emu, 'GET', `/bulk/v1/${kind}/export/${id}/status.json`);
		if (['Completed', 'Failed', 'Cancelled'].includes(r.result[0].status)) return r.result[0];
		await sleep(15);
	}
	throw new Error('job did not finish');
}

async function runExport(emu: MarketoEmulator, kind: string, body: unknown): Promise<Json> {
	const id = await createJob(emu, kind, body);
	expect((await enqueue(emu, kind, id)).result[0].status).toBe('Queued');
	return waitFor(emu, kind, id);
}

async function download(
	emu: MarketoEmulator,
	id: string,
	range?: string,
): Promise<{ status: number; body: Buffer; headers: Headers }> {
	const headers: Record<string, string> = { Authorization: `Bearer ${await token(emu)}` };
	if (range) headers.Range = range;
	const res = await fetch(`${emu.url}/bulk/v1/program/members/export/${id}/file.json`, { headers });
	return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

/** Runs a Program Member export and parses its CSV file into header and rows. */
async function exportRows(
	emu: MarketoEmulator,
	body: Json,
): Promise<{ status: Json; header: string[]; rows: Row[]; file: Buffer }> {
	const status = await runExport(emu, PM, body);
	expect(status.status).toBe('Completed');
	const file = (await download(emu, status.exportId)).body;
	const [head, ...recs] = parseDelimited(file.toString('utf8'), ',');
	const rows = recs.map((r) => Object.fromEntries(head.cells.map((h, k) => [h, r.cells[k]])));
	return { status, header: head.cells, rows, file };
}

const iso = (s: string | null) => Date.parse(s ?? '');

function multipart(fields: Record<string, string>, content: string) {
	const boundary = '----pmTestBoundary' + Math.random().toString(16).slice(2);
	const parts = Object.entries(fields).map(
		([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
	);
	parts.push(
		`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="members.csv"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n--${boundary}--\r\n`,
	);
	return { body: parts.join(''), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function postImport(
	emu: MarketoEmulator,
	path: string,
	content: string,
	opts: { query?: Record<string, string>; form?: Record<string, string> } = {},
): Promise<Json> {
	const { body, contentType } = multipart(opts.form ?? {}, content);
	const q = new URLSearchParams(opts.query ?? {}).toString();
	const res = await fetch(`${emu.url}${path}${q ? '?' + q : ''}`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${await token(emu)}`, 'Content-Type': contentType },
		body,
	});
	expect(res.status).toBe(200);
	return (await res.json()) as Json;
}

const importMembers = (
	emu: MarketoEmulator,
	programId: number | string,
	content: string,
	opts: { query?: Record<string, string>; form?: Record<string, string> } = {},
): Promise<Json> =>
	postImport(emu, `/bulk/v1/program/${programId}/members/import.json`, content, opts);

async function waitForBatch(emu: MarketoEmulator, batchId: number): Promise<Json> {
	for (let k = 0; k < 400; k++) {
		const r = await call(emu, 'GET', `/bulk/v1/program/members/import/${batchId}/status.json`);
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

describe('Marketo emulator: programs and program members', () => {
	let emu: MarketoEmulator;
	beforeAll(async () => {
		emu = await startEmulator(FAST);
	});
	afterAll(() => emu.close());
	beforeEach(() => emu.reset());

	describe('programs, channels and the describe', () => {
		it('pages programs by offset and maxReturn, ending with a warning and no result', async () => {
			const seen: Json[] = [];
			for (let offset = 0; ; offset += 2) {
				const r = await call(
					emu,
					'GET',
					`/rest/asset/v1/programs.json?maxReturn=2&offset=${offset}`,
				);
				expect(r.success).toBe(true);
				if (!r.result) {
					expect(r.warnings).toEqual(['No assets found for the given search criteria.']);
					break;
				}
				expect(r.result.length).toBeLessThanOrEqual(2);
				seen.push(...r.result);
			}
			expect(seen.map((p) => p.id)).toEqual([3001, 3002, 3003, 3004, 3005, 3006]);
			expect(new Set(seen.map((p) => p.type))).toEqual(
				new Set(['Default', 'Event with Webinar', 'Engagement', 'Event', 'Email']),
			);
			const webinar = seen.find((p) => p.id === WEBINAR)!;
			expect(webinar).toMatchObject({ channel: 'Webinar', type: 'Event with Webinar' });
			expect(webinar.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\+0000$/);
			const all = await call(emu, 'GET', '/rest/asset/v1/programs.json');
			expect(all.result).toHaveLength(6);
			const email = await call(emu, 'GET', '/rest/asset/v1/programs.json?status=unlocked');
			expect(email.result.map((p: Json) => p.type)).toEqual(['Email']);
			expect(
				errorOf(await call(emu, 'GET', '/rest/asset/v1/programs.json?maxReturn=201')).code,
			).toBe('1003');
		});

		it('browses programs created or updated in a date range', async () => {
			const all = (await call(emu, 'GET', '/rest/asset/v1/programs.json')).result as Json[];
			const stamp = (p: Json) => Date.parse(String(p.updatedAt).replace('Z+0000', 'Z'));
			const sorted = [...all].sort((a, b) => stamp(a) - stamp(b));
			const cut = sorted[3];
			const since = new Date(stamp(cut)).toISOString().replace('.000Z', 'Z');
			const r = await call(emu, 'GET', `/rest/asset/v1/programs.json?earliestUpdatedAt=${since}`);
			expect(r.result.map((p: Json) => p.id).sort()).toEqual(
				sorted
					.slice(3)
					.map((p) => p.id)
					.sort(),
			);
			const until = await call(
				emu,
				'GET',
				`/rest/asset/v1/programs.json?latestUpdatedAt=2025-01-01T00:00:00Z`,
			);
			expect(until.result).toBeUndefined();
		});

		it('finds a program by id and by name', async () => {
			const byId = await call(emu, 'GET', `/rest/asset/v1/program/${NURTURE}.json`);
			expect(byId.result[0]).toMatchObject({ id: NURTURE, type: 'Engagement', channel: 'Nurture' });
			const name = byId.result[0].name as string;
			const byName = await call(
				emu,
				'GET',
				`/rest/asset/v1/program/byName.json?name=${encodeURIComponent(name)}`,
			);
			expect(byName.result[0].id).toBe(NURTURE);
			const none = await call(emu, 'GET', '/rest/asset/v1/program/9999.json');
			expect(none.success).toBe(true);
			expect(none.result).toBeUndefined();
			expect(none.warnings).toHaveLength(1);
		});

		it('lists channels with their progression statuses, paged', async () => {
			const all = await call(emu, 'GET', '/rest/asset/v1/channels.json');
			const webinar = all.result.find((c: Json) => c.name === 'Webinar');
			expect(webinar.progressionStatuses.map((s: Json) => s.name)).toEqual(
				expect.arrayContaining(['Registered', 'Attended', 'No Show']),
			);
			expect(webinar.progressionStatuses.find((s: Json) => s.name === 'Attended').success).toBe(
				true,
			);
			const tail = await call(
				emu,
				'GET',
				`/rest/asset/v1/channels.json?maxReturn=2&offset=${all.result.length - 1}`,
			);
			expect(tail.result).toHaveLength(1);
			const past = await call(
				emu,
				'GET',
				`/rest/asset/v1/channels.json?offset=${all.result.length}`,
			);
			expect(past.result).toBeUndefined();
		});

		it('describes program members at both paths', async () => {
			const r = await call(emu, 'GET', '/rest/v1/programs/members/describe.json');
			expect(r.result[0]).toMatchObject({
				name: 'API Program Membership',
				dedupeFields: ['leadId', 'programId'],
			});
			const names = r.result[0].fields.map((f: Json) => f.name);
			expect(names).toEqual(expect.arrayContaining(['statusName', 'membershipDate', 'programId']));
			expect(r.result[0].fields.find((f: Json) => f.name === 'nurtureCadence').length).toBe(4);
			const twin = await call(emu, 'GET', '/rest/v1/program/members/describe.json');
			expect(twin.result).toEqual(r.result);
		});
	});

	describe('export', () => {
		it("exports one program's members with lead fields, null for empty values, checksum and Range", async () => {
			const truth = emu.data.programMembers(WEBINAR);
			expect(truth.length).toBeGreaterThan(100);
			const fields = [
				'email',
				'leadId',
				'statusName',
				'membershipDate',
				'webinarUrl',
				'registrationCode',
			];
			const { status, header, rows, file } = await exportRows(emu, {
				fields,
				filter: { programId: WEBINAR },
			});
			expect(header).toEqual(fields);
			expect(rows.map((r) => r.leadId)).toEqual(truth.map((m) => m.leadId));
			expect(rows.map((r) => r.statusName)).toEqual(truth.map((m) => m.statusName));
			expect(rows[0].email).toBe(emu.data.getLead(Number(rows[0].leadId))!.email);
			expect(rows.every((r) => r.webinarUrl === 'null')).toBe(true);
			expect(status).toMatchObject({
				numberOfRecords: truth.length,
				fileSize: file.length,
				fileChecksum: sha256(file),
			});
			const part = await download(emu, status.exportId, 'bytes=100-');
			expect(part.status).toBe(206);
			expect(part.body.equals(file.subarray(100))).toBe(true);
			expect(emu.counters().rangeRequests).toBe(1);
		});

		it('ORs statusNames and ANDs them with the program', async () => {
			const want = new Set(['Attended', 'No Show']);
			const truth = emu.data.programMembers(WEBINAR).filter((m) => want.has(m.statusName!));
			expect(truth.length).toBeGreaterThan(0);
			const { rows } = await exportRows(emu, {
				fields: ['leadId', 'statusName'],
				filter: { programId: WEBINAR, statusNames: [...want] },
			});
			expect(rows.map((r) => r.leadId)).toEqual(truth.map((m) => m.leadId));
			expect(new Set(rows.map((r) => r.statusName))).toEqual(want);
		});

		it('puts a programId column first for programIds, program by program', async () => {
			const truth = [...emu.data.programMembers(WEBINAR), ...emu.data.programMembers(TRADESHOW)];
			const { header, rows } = await exportRows(emu, {
				fields: ['email', 'program'],
				filter: { programIds: [WEBINAR, TRADESHOW] },
			});
			expect(header).toEqual(['programId', 'email', 'program']);
			expect(rows.map((r) => `${r.programId}/${r.program}`)).toEqual(
				truth.map((m) => `${m.programId}/${m.program}`),
			);
			const single = await exportRows(emu, {
				fields: ['email'],
				filter: { programId: WEBINAR },
			});
			expect(single.header).toEqual(['email']);
		});

		it('filters engagement members by isExhausted and nurtureCadence (pause, paus, norm), ANDed', async () => {
			const truth = emu.data.programMembers(NURTURE);
			const expectIds = (pred: (m: Row) => boolean) => truth.filter(pred).map((m) => m.leadId);
			const run = async (filter: Json) =>
				(
					await exportRows(emu, {
						fields: ['leadId', 'isExhausted', 'nurtureCadence'],
						filter: { programId: NURTURE, ...filter },
					})
				).rows.map((r) => r.leadId);
			const exhausted = expectIds((m) => m.isExhausted === 'true');
			expect(exhausted.length).toBeGreaterThan(0);
			expect(exhausted.length).toBeLessThan(truth.length);
			expect(await run({ isExhausted: true })).toEqual(exhausted);
			const paused = expectIds((m) => m.nurtureCadence === 'paus');
			expect(paused.length).toBeGreaterThan(0);
			expect(await run({ nurtureCadence: 'pause' })).toEqual(paused);
			expect(await run({ nurtureCadence: 'paus' })).toEqual(paused);
			expect(await run({ nurtureCadence: 'norm' })).toEqual(
				expectIds((m) => m.nurtureCadence === 'norm'),
			);
			const both = expectIds(
				(m) =>
					m.isExhausted === 'false' && m.nurtureCadence === 'paus' && m.statusName === 'Engaged',
			);
			expect(
				await run({ isExhausted: false, nurtureCadence: 'pause', statusNames: ['Engaged'] }),
			).toEqual(both);
		});

		it('filters by updatedAt: adjacent windows neither overlap nor leave a gap', async () => {
			const start = Date.parse('2026-02-01T00:00:00Z');
			const mid = Date.parse('2026-02-15T00:00:00Z');
			const end = Date.parse('2026-03-01T00:00:00Z');
			const truth = emu.data
				.programMembers(WEBINAR)
				.filter((m) => iso(m.updatedAt) >= start && iso(m.updatedAt) <= end)
				.map((m) => m.leadId)
				.sort();
			expect(truth.length).toBeGreaterThan(10);
			const first = await exportRows(emu, {
				fields: ['leadId', 'updatedAt'],
				filter: {
					programId: WEBINAR,
					updatedAt: { startAt: '2026-02-01T00:00:00Z', endAt: '2026-02-15T00:00:00Z' },
				},
			});
			const second = await exportRows(emu, {
				fields: ['leadId', 'updatedAt'],
				filter: {
					programId: WEBINAR,
					updatedAt: { startAt: '2026-02-15T00:00:01Z', endAt: '2026-03-01T00:00:00Z' },
				},
			});
			expect(first.rows.every((r) => iso(r.updatedAt) >= start && iso(r.updatedAt) <= mid)).toBe(
				true,
			);
			expect(first.rows.length).toBeGreaterThan(0);
			expect(second.rows.length).toBeGreaterThan(0);
			expect([...first.rows, ...second.rows].map((r) => r.leadId).sort()).toEqual(truth);
			// With statusNames too: both filters apply.
			const attended = await exportRows(emu, {
				fields: ['leadId', 'statusName', 'updatedAt'],
				filter: {
					programId: WEBINAR,
					statusNames: ['Attended'],
					updatedAt: { startAt: '2026-02-01T00:00:00Z', endAt: '2026-03-01T00:00:00Z' },
				},
			});
			const attendedTruth = emu.data
				.programMembers(WEBINAR)
				.filter(
					(m) =>
						m.statusName === 'Attended' && iso(m.updatedAt) >= start && iso(m.updatedAt) <= end,
				);
			expect(attended.rows.map((r) => r.leadId)).toEqual(attendedTruth.map((m) => m.leadId));
		});

		it('refuses bad filters and fields with 1003', async () => {
			const fields = ['email'];
			const code = async (filter: unknown, f: unknown = fields) =>
				errorOf(await create(emu, PM, { fields: f, filter }));
			expect((await code({ programId: WEBINAR, programIds: [WEBINAR] })).code).toBe('1003');
			expect((await code({ statusNames: ['Attended'] })).code).toBe('1003');
			expect((await code(undefined)).code).toBe('1003');
			const eleven = Array.from({ length: 11 }, (_, k) => 3001 + (k % 6));
			expect((await code({ programIds: eleven })).code).toBe('1003');
			expect(
				(await create(emu, PM, { fields, filter: { programIds: eleven.slice(0, 10) } })).success,
			).toBe(true);
			expect(await code({ programId: WEBINAR, statusNames: ['Attended', 'Snoozing'] })).toEqual({
				code: '1003',
				message: 'Invalid Data',
			});
			// A status of another channel is not in this program.
			expect((await code({ programId: NURTURE, statusNames: ['Attended'] })).code).toBe('1003');
			// …but with programIds a name found in any of the programs is accepted.
			expect(
				(
					await create(emu, PM, {
						fields,
						filter: { programIds: [NURTURE, WEBINAR], statusNames: ['Attended'] },
					})
				).success,
			).toBe(true);
			expect((await code({ programId: WEBINAR, nurtureCadence: 'fast' })).code).toBe('1003');
			expect((await code({ programId: WEBINAR, isExhausted: 'yes' })).code).toBe('1003');
			expect(
				(
					await code({
						programId: WEBINAR,
						updatedAt: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-02-01T00:00:01Z' },
					})
				).code,
			).toBe('1003');
			expect((await code({ programId: 9999 })).code).toBe('1003');
			expect((await code({ programId: WEBINAR, createdAt: {} })).code).toBe('1003');
			// An unknown field gets what a lead export's unknown field gets.
			const lead = errorOf(
				await create(emu, 'leads', {
					fields: ['email', 'noSuchField'],
					filter: { createdAt: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-02T00:00:00Z' } },
				}),
			);
			expect(await code({ programId: WEBINAR }, ['email', 'noSuchField'])).toEqual(lead);
			expect((await code({ programId: WEBINAR }, [])).code).toBe('1003');
		});

		it('answers 1035 for updatedAt when the subscription lacks it', async () => {
			const lacking = await startEmulator({
				...FAST,
				disabledFilters: ['programMembers.updatedAt'],
			});
			try {
				const range = { startAt: '2026-02-01T00:00:00Z', endAt: '2026-02-10T00:00:00Z' };
				const err = errorOf(
					await create(lacking, PM, {
						fields: ['email'],
						filter: { programId: WEBINAR, updatedAt: range },
					}),
				);
				expect(err.code).toBe('1035');
				expect(err.message).toMatch(/^Unsupported filter type for target subscription/);
				expect(
					(await create(lacking, PM, { fields: ['email'], filter: { programId: WEBINAR } }))
						.success,
				).toBe(true);
				expect(
					(await create(lacking, 'leads', { fields: ['email'], filter: { updatedAt: range } }))
						.success,
				).toBe(true);
			} finally {
				await lacking.close();
			}
			const both = await startEmulator({ ...FAST, disabledFilters: ['updatedAt'] });
			try {
				const err = errorOf(
					await create(both, PM, {
						fields: ['email'],
						filter: {
							programId: WEBINAR,
							updatedAt: { startAt: '2026-02-01T00:00:00Z', endAt: '2026-02-10T00:00:00Z' },
						},
					}),
				);
				expect(err.code).toBe('1035');
			} finally {
				await both.close();
			}
		});

		it('shares the one export queue with lead jobs (1029 Too many jobs in queue)', async () => {
			emu.faults.stuckInQueue(true);
			const JAN = { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-31T00:00:00Z' };
			for (let k = 0; k < 6; k++) {
				const id = await createJob(emu, 'leads', { fields: ['id'], filter: { createdAt: JAN } });
				expect((await enqueue(emu, 'leads', id)).success).toBe(true);
			}
			for (let k = 0; k < 4; k++) {
				const id = await createJob(emu, PM, { fields: ['email'], filter: { programId: WEBINAR } });
				expect((await enqueue(emu, PM, id)).success).toBe(true);
			}
			const pm = await createJob(emu, PM, { fields: ['email'], filter: { programId: WEBINAR } });
			expect(errorOf(await enqueue(emu, PM, pm))).toEqual({
				code: '1029',
				message: 'Too many jobs (10) in queue',
			});
			const lead = await createJob(emu, 'leads', { fields: ['id'], filter: { createdAt: JAN } });
			expect(errorOf(await enqueue(emu, 'leads', lead)).code).toBe('1029');
			// Enqueue twice: "Job already queued".
			const queued = emu.data.jobs().find((j) => j.kind === PM && j.status === 'Queued')!;
			expect(errorOf(await enqueue(emu, PM, queued.exportId))).toEqual({
				code: '1029',
				message: 'Job already queued',
			});
			emu.faults.stuckInQueue(false);
			expect((await waitFor(emu, PM, queued.exportId)).status).toBe('Completed');
		});

		it('shares the one daily quota with lead jobs, both ways', async () => {
			const small = await startEmulator({ ...FAST, dailyExportQuotaBytes: 2000 });
			try {
				small.setNow(new Date('2026-07-01T15:00:00Z'));
				const pm = await runExport(small, PM, {
					fields: ['email', 'leadId', 'statusName'],
					filter: { programId: WEBINAR },
				});
				expect(pm.fileSize).toBeGreaterThan(2000);
				expect(small.exportedBytesToday()).toBe(pm.fileSize);
				const err = errorOf(
					await create(small, 'leads', {
						fields: ['id'],
						filter: {
							createdAt: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-02T00:00:00Z' },
						},
					}),
				);
				expect(err.code).toBe('1029');
				expect(err.message).toMatch(/quota/);
				// Next Central day: allowed again; a lead export now uses it up for program members.
				small.setNow(new Date('2026-07-02T15:00:00Z'));
				const lead = await runExport(small, 'leads', {
					fields: ['id', 'email'],
					filter: { createdAt: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-31T00:00:00Z' } },
				});
				expect(lead.fileSize).toBeGreaterThan(2000);
				expect(
					errorOf(await create(small, PM, { fields: ['email'], filter: { programId: WEBINAR } }))
						.code,
				).toBe('1029');
			} finally {
				await small.close();
			}
		});

		it('lists only program member jobs, by status, in pages; cancels; 404 text for files not ready', async () => {
			const lead = await createJob(emu, 'leads', {
				fields: ['id'],
				filter: { createdAt: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-02T00:00:00Z' } },
			});
			const done = await runExport(emu, PM, { fields: ['email'], filter: { programId: WEBINAR } });
			const idle = await createJob(emu, PM, {
				fields: ['email'],
				filter: { programId: TRADESHOW },
			});
			const cancelled = await createJob(emu, PM, {
				fields: ['email'],
				filter: { programId: NURTURE },
			});
			const c = await call(emu, 'POST', `/bulk/v1/program/members/export/${cancelled}/cancel.json`);
			expect(c.result[0].status).toBe('Cancelled');

			const all = await call(emu, 'GET', '/bulk/v1/program/members/export.json');
			const ids = all.result.map((j: Json) => j.exportId);
			expect(new Set(ids)).toEqual(new Set([done.exportId, idle, cancelled]));
			expect(ids).not.toContain(lead);
			const completed = await call(
				emu,
				'GET',
				'/bulk/v1/program/members/export.json?status=Completed',
			);
			expect(completed.result.map((j: Json) => j.exportId)).toEqual([done.exportId]);
			const two = await call(
				emu,
				'GET',
				'/bulk/v1/program/members/export.json?status=Created,Cancelled&batchSize=1',
			);
			expect(two.result).toHaveLength(1);
			expect(two.nextPageToken).toBeTruthy();
			const next = await call(
				emu,
				'GET',
				`/bulk/v1/program/members/export.json?status=Created,Cancelled&batchSize=1&nextPageToken=${encodeURIComponent(two.nextPageToken)}`,
			);
			expect(new Set([two.result[0].exportId, next.result[0].exportId])).toEqual(
				new Set([idle, cancelled]),
			);
			expect(next.nextPageToken).toBeUndefined();

			for (const id of [idle, '00000000-0000-0000-0000-000000000000']) {
				const res = await download(emu, id);
				expect(res.status).toBe(404);
				expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
			}
			// A lead job id is no program member job.
			const wrongKind = await call(
				emu,
				'GET',
				`/bulk/v1/program/members/export/${lead}/status.json`,
			);
			expect(errorOf(wrongKind).code).toBe('1003');
		});

		it('shows a job only to the API user who created it, while both users share the queue', async () => {
			const shared = await startEmulator({
				...FAST,
				exportQueue: { processing: 2, queued: 2 },
				otherUsers: [{ clientId: 'other-id', clientSecret: 'other-secret' }],
			});
			try {
				shared.faults.stuckInQueue(true);
				const otherToken = (
					(await (
						await fetch(
							`${shared.url}/identity/oauth/token?grant_type=client_credentials&client_id=other-id&client_secret=other-secret`,
						)
					).json()) as Json
				).access_token as string;
				expect(otherToken).not.toBe(await token(shared));
				const asOther = async (method: string, path: string, body?: unknown) => {
					const res = await fetch(shared.url + path, {
						method,
						headers: {
							Authorization: `Bearer ${otherToken}`,
							...(body ? { 'Content-Type': 'application/json' } : {}),
						},
						body: body ? JSON.stringify(body) : undefined,
					});
					return (await res.json()) as Json;
				};
				const mine = await createJob(shared, PM, {
					fields: ['email'],
					filter: { programId: WEBINAR },
				});
				expect((await enqueue(shared, PM, mine)).success).toBe(true);
				const status = await asOther('GET', `/bulk/v1/program/members/export/${mine}/status.json`);
				expect(errorOf(status).code).toBe('1003');
				const cancel = await asOther('POST', `/bulk/v1/program/members/export/${mine}/cancel.json`);
				expect(errorOf(cancel).code).toBe('1003');
				const listed = await asOther('GET', '/bulk/v1/program/members/export.json');
				expect(listed.result ?? []).toEqual([]);
				const theirs = await asOther('POST', '/bulk/v1/program/members/export/create.json', {
					fields: ['email'],
					filter: { programId: TRADESHOW },
				});
				const theirId = theirs.result[0].exportId as string;
				expect(
					(await asOther('POST', `/bulk/v1/program/members/export/${theirId}/enqueue.json`))
						.success,
				).toBe(true);
				const ownList = await call(shared, 'GET', '/bulk/v1/program/members/export.json');
				expect(ownList.result.map((j: Json) => j.exportId)).toEqual([mine]);
				// The queue is the instance's: the other user's job filled it.
				const third = await createJob(shared, PM, {
					fields: ['email'],
					filter: { programId: NURTURE },
				});
				expect(errorOf(await enqueue(shared, PM, third)).code).toBe('1029');
			} finally {
				await shared.close();
			}
		});

		it('can spell the cancelled state Canceled', async () => {
			const other = await startEmulator({ ...FAST, cancelledStatus: 'Canceled' });
			try {
				const id = await createJob(other, PM, {
					fields: ['email'],
					filter: { programId: WEBINAR },
				});
				const r = await call(other, 'POST', `/bulk/v1/program/members/export/${id}/cancel.json`);
				expect(r.result[0].status).toBe('Canceled');
			} finally {
				await other.close();
			}
		});

		it('reads members as they are when the job starts processing', async () => {
			emu.faults.stuckInQueue(true);
			const id = await createJob(emu, PM, {
				fields: ['leadId', 'statusName'],
				filter: { programId: WEBINAR, statusNames: ['Attended'] },
			});
			await enqueue(emu, PM, id);
			const before = emu.data.programMembers(WEBINAR).filter((m) => m.statusName === 'Attended');
			const newcomer = emu.data.programMembers(WEBINAR).find((m) => m.statusName !== 'Attended')!;
			emu.data.setMemberships({
				programId: WEBINAR,
				leadIds: [Number(newcomer.leadId)],
				statusName: 'Attended',
			});
			emu.faults.stuckInQueue(false);
			const status = await waitFor(emu, PM, id);
			expect(status.numberOfRecords).toBe(before.length + 1);
			// Later changes do not reach the completed job's file.
			emu.data.setMemberships({
				programId: WEBINAR,
				leadIds: [Number(newcomer.leadId)],
				statusName: 'No Show',
			});
			const file = (await download(emu, id)).body.toString('utf8');
			expect(file).toContain(`${newcomer.leadId},Attended\n`);
		});

		it('bends program member jobs with the job faults: failed, miscounted, corrupted checksum', async () => {
			const body = { fields: ['email'], filter: { programId: WEBINAR } };
			emu.faults.failNextJob('Export failed: out of cheese');
			expect(await runExport(emu, PM, body)).toMatchObject({
				status: 'Failed',
				errorMsg: 'Export failed: out of cheese',
			});
			const truth = emu.data.programMembers(WEBINAR).length;
			emu.faults.miscountNextJob(2);
			expect((await runExport(emu, PM, body)).numberOfRecords).toBe(truth + 2);
			emu.faults.corruptNextChecksum();
			const bent = await runExport(emu, PM, body);
			expect(bent.numberOfRecords).toBe(truth);
			expect(bent.fileChecksum).not.toBe(sha256((await download(emu, bent.exportId)).body));
		});

		it('injects faults on the new paths, ids as :id', async () => {
			emu.faults.failNext('POST /bulk/v1/program/members/export/:id/enqueue.json', 1, {
				code: '606',
			});
			emu.faults.failNext('GET /rest/asset/v1/program/:id.json', 1, { httpStatus: 502 });
			emu.faults.failNext('POST /bulk/v1/program/:id/members/import.json', 1, { code: '615' });
			const id = await createJob(emu, PM, { fields: ['email'], filter: { programId: WEBINAR } });
			expect(errorOf(await enqueue(emu, PM, id)).code).toBe('606');
			expect((await enqueue(emu, PM, id)).success).toBe(true);
			const res = await fetch(`${emu.url}/rest/asset/v1/program/${WEBINAR}.json`, {
				headers: { Authorization: `Bearer ${await token(emu)}` },
			});
			expect(res.status).toBe(502);
			expect(
				errorOf(
					await importMembers(emu, WEBINAR, 'email\na@example.com\n', {
						query: { format: 'csv', programMemberStatus: 'Registered' },
					}),
				).code,
			).toBe('615');
			expect(emu.faults.pending()).toBe(0);
			expect(emu.counters()['POST /bulk/v1/program/members/export/:id/enqueue.json']).toBe(2);
			expect(emu.counters()['GET /rest/asset/v1/program/:id.json']).toBe(1);
		});
	});

	describe('import', () => {
		it('adds and updates members with the status, fails and warns row by row', async () => {
			emu.setNow(new Date('2026-07-15T10:00:00Z'));
			const outsider = emu.data.getLead(5)!; // 5 is not a multiple of 3: not in the webinar
			const member = emu.data.getLead(6)!;
			expect(emu.data.programMembers(WEBINAR).some((m) => m.leadId === '5')).toBe(false);
			const csv = [
				'email,firstName,leadScore,registrationCode',
				`${outsider.email},Outsider,5,ABC`,
				`${member.email},,,`,
				'new.member@example.com,New,7,',
				'not-an-email,Bad,1,',
				',Nobody,1,',
				'score@example.com,Score,lots,',
			].join('\n');
			const sent = await importMembers(emu, WEBINAR, csv, {
				query: { format: 'csv', programMemberStatus: 'Attended' },
			});
			expect(sent.result[0]).toEqual({
				batchId: expect.any(Number),
				importId: String(sent.result[0].batchId),
				status: 'Queued',
			});
			const done = await waitForBatch(emu, sent.result[0].batchId);
			expect(done).toMatchObject({
				status: 'Complete',
				numOfLeadsProcessed: 4,
				numOfRowsFailed: 2,
				numOfRowsWithWarning: 1,
				message: 'Import completed with errors, 4 records imported (4 members), 2 failed',
			});
			const failures = await text(
				emu,
				`/bulk/v1/program/members/import/${done.batchId}/failures.json`,
			);
			expect(failures).toBe(
				'email,firstName,leadScore,registrationCode,Import Failure Reason\n' +
					',Nobody,1,,Missing value for email\n' +
					'score@example.com,Score,lots,,Invalid data type in field Lead Score\n',
			);
			const warnings = await text(
				emu,
				`/bulk/v1/program/members/import/${done.batchId}/warnings.json`,
			);
			expect(warnings).toBe(
				'email,firstName,leadScore,registrationCode,Import Warning Reason\n' +
					'not-an-email,Bad,1,,Invalid email address\n',
			);
			const members = emu.data.programMembers(WEBINAR);
			const byLead = (id: string) => members.find((m) => m.leadId === id);
			expect(byLead('5')).toMatchObject({
				statusName: 'Attended',
				registrationCode: 'ABC',
				updatedAt: '2026-07-15T10:00:00Z',
				membershipDate: '2026-07-15T10:00:00Z',
			});
			expect(byLead('6')!.statusName).toBe('Attended');
			expect(byLead('6')!.membershipDate).not.toBe('2026-07-15T10:00:00Z');
			expect(emu.data.getLead(5)!.firstName).toBe('Outsider');
			const created = emu.data.getLead('new.member@example.com')!;
			expect(byLead(String(created.id))!.statusName).toBe('Attended');
			// An export sees them.
			const { rows } = await exportRows(emu, {
				fields: ['email', 'statusName'],
				filter: {
					programId: WEBINAR,
					updatedAt: { startAt: '2026-07-15T10:00:00Z', endAt: '2026-07-15T10:00:00Z' },
				},
			});
			expect(rows.map((r) => r.email).sort()).toEqual(
				[outsider.email, member.email, 'new.member@example.com', 'not-an-email'].sort(),
			);
		});

		it('takes format and programMemberStatus as form fields too, and says "Import succeeded"', async () => {
			const sent = await importMembers(
				emu,
				TRADESHOW,
				'email;firstName\na@example.com;A\nb@example.com;B\n',
				{
					form: { format: 'ssv', programMemberStatus: 'Visited Booth' },
				},
			);
			const done = await waitForBatch(emu, sent.result[0].batchId);
			expect(done).toMatchObject({
				status: 'Complete',
				numOfLeadsProcessed: 2,
				numOfRowsFailed: 0,
				numOfRowsWithWarning: 0,
				message: 'Import succeeded, 2 records imported (2 members)',
			});
			const visited = emu.data
				.programMembers(TRADESHOW)
				.filter((m) => m.statusName === 'Visited Booth');
			expect(visited.map((m) => emu.data.getLead(Number(m.leadId))!.email)).toEqual(
				expect.arrayContaining(['a@example.com', 'b@example.com']),
			);
			// A lead batch id is no program member batch, and the other way round.
			const leadPath = await call(emu, 'GET', `/bulk/v1/leads/batch/${done.batchId}.json`);
			expect(errorOf(leadPath).code).toBe('1003');
		});

		it('joins a parameter sent in the query and the form with a comma, as a servlet container does', async () => {
			const sent = await importMembers(emu, TRADESHOW, 'email\nc@example.com\n', {
				query: { format: 'csv', programMemberStatus: 'Visited Booth' },
				form: { programMemberStatus: 'Visited Booth' },
			});
			expect(errorOf(sent)).toEqual({
				code: '1025',
				message: "Program status 'Visited Booth,Visited Booth' not found",
			});
		});

		it('refuses an unknown program or status and a missing status; fails a file without email', async () => {
			const q = (status?: string) => ({
				query: { format: 'csv', ...(status ? { programMemberStatus: status } : {}) },
			});
			expect(
				errorOf(await importMembers(emu, WEBINAR, 'email\na@example.com\n', q('Snoozing'))),
			).toEqual({
				code: '1025',
				message: "Program status 'Snoozing' not found",
			});
			// Engaged is a Nurture status, not a Webinar one.
			expect(
				errorOf(await importMembers(emu, WEBINAR, 'email\na@example.com\n', q('Engaged'))).code,
			).toBe('1025');
			expect(errorOf(await importMembers(emu, WEBINAR, 'email\na@example.com\n', q())).code).toBe(
				'1003',
			);
			expect(
				errorOf(await importMembers(emu, 9999, 'email\na@example.com\n', q('Attended'))).code,
			).toBe('1003');
			expect(
				errorOf(
					await importMembers(emu, WEBINAR, 'email\na@example.com\n', {
						query: { programMemberStatus: 'Attended' },
					}),
				).code,
			).toBe('1003');
			const sent = await importMembers(emu, WEBINAR, 'firstName\nAda\n', q('Attended'));
			const done = await waitForBatch(emu, sent.result[0].batchId);
			expect(done.status).toBe('Failed');
			expect(done.message).toMatch(/email/);
		});

		it('refuses a file of 10 MB or more with HTTP 413', async () => {
			const { body, contentType } = multipart({}, 'email\n' + 'a'.repeat(10 * 1024 * 1024));
			const res = await fetch(
				`${emu.url}/bulk/v1/program/${WEBINAR}/members/import.json?format=csv&programMemberStatus=Attended`,
				{
					method: 'POST',
					headers: { Authorization: `Bearer ${await token(emu)}`, 'Content-Type': contentType },
					body,
				},
			);
			expect(res.status).toBe(413);
			expect(emu.data.imports()).toEqual([]);
		});

		it('shares the import queue with lead imports (1016)', async () => {
			const slow = await startEmulator({
				...FAST,
				importProcessingMs: 5000,
				importQueue: { processing: 1, queued: 2 },
			});
			try {
				const q = { query: { format: 'csv', programMemberStatus: 'Registered' } };
				// A lead import takes the one processing slot, a program member import the queue's other place.
				expect(
					(
						await postImport(slow, '/bulk/v1/leads.json', 'email\na@example.com\n', {
							form: { format: 'csv' },
						})
					).success,
				).toBe(true);
				expect((await importMembers(slow, WEBINAR, 'email\nb@example.com\n', q)).success).toBe(
					true,
				);
				expect(errorOf(await importMembers(slow, WEBINAR, 'email\nc@example.com\n', q))).toEqual({
					code: '1016',
					message: 'Too many imports',
				});
				expect(
					slow.data
						.imports()
						.map((b) => b.status)
						.sort(),
				).toEqual(['Importing', 'Queued']);
				expect(
					slow.data
						.imports()
						.map((b) => b.kind)
						.sort(),
				).toEqual(['leads', 'program/members']);
			} finally {
				await slow.close();
			}
		});
	});

	describe('control API', () => {
		it('adds and changes memberships; an Updated At window sees exactly the change', async () => {
			const post = (body: unknown) =>
				fetch(`${emu.url}/__emulator/program-members`, {
					method: 'POST',
					body: JSON.stringify(body),
				}).then(async (r) => ({ status: r.status, body: (await r.json()) as Json }));
			const at = '2026-07-20T08:00:00Z';
			// 3 is a webinar member already, 4 is not.
			expect(
				(await post({ programId: WEBINAR, leadIds: [3, 4], statusName: 'No Show', at })).status,
			).toBe(200);
			expect((await post({ programId: WEBINAR, leadIds: [5], at })).status).toBe(400);
			expect((await post({ programId: WEBINAR, leadIds: [7], statusName: 'Engaged' })).status).toBe(
				400,
			);
			const listed = (await (
				await fetch(`${emu.url}/__emulator/program-members?programId=${WEBINAR}`)
			).json()) as Row[];
			expect(listed.filter((m) => m.updatedAt === at).map((m) => m.leadId)).toEqual(['3', '4']);
			const { rows } = await exportRows(emu, {
				fields: ['leadId', 'statusName'],
				filter: {
					programId: WEBINAR,
					updatedAt: { startAt: '2026-07-20T00:00:00Z', endAt: '2026-07-21T00:00:00Z' },
				},
			});
			expect(rows).toEqual([
				{ leadId: '3', statusName: 'No Show' },
				{ leadId: '4', statusName: 'No Show' },
			]);
			const count = await fetch(`${emu.url}/__emulator/count`, {
				method: 'POST',
				body: JSON.stringify({
					kind: 'program/members',
					filter: { programId: WEBINAR, statusNames: ['No Show'] },
				}),
			}).then((r) => r.json() as Promise<Json>);
			expect(count.count).toBe(
				emu.data.programMembers(WEBINAR).filter((m) => m.statusName === 'No Show').length,
			);
		});
	});
});
