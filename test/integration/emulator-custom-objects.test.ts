/**
 * The emulator's custom objects over real HTTP: list and describe, Custom Object export (filters, the
 * shared queue and quota, owners, faults) and import (dedupe, row failures and warnings, 404 files, 413,
 * 1016), and the control API. Expected values come from the records read directly (data.customObjects)
 * and the leads and lists they link to, never from the code that filters exports.
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
const CAR = 'customobjects/car_c';
const COURSE = 'customobjects/course_enrollment_c';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');
const sec = (iso: string | null) => Math.floor(Date.parse(iso ?? '') / 1000);

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
	kind: string,
	id: string,
	range?: string,
): Promise<{ status: number; body: Buffer; headers: Headers }> {
	const headers: Record<string, string> = { Authorization: `Bearer ${await token(emu)}` };
	if (range) headers.Range = range;
	const res = await fetch(`${emu.url}/bulk/v1/${kind}/export/${id}/file.json`, { headers });
	return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

/** Runs an export and parses its CSV file into header and rows. */
async function exportRows(
	emu: MarketoEmulator,
	kind: string,
	body: Json,
): Promise<{ status: Json; header: string[]; rows: Row[]; file: Buffer }> {
	const status = await runExport(emu, kind, body);
	expect(status.status).toBe('Completed');
	const file = (await download(emu, kind, status.exportId)).body;
	const [head, ...recs] = parseDelimited(file.toString('utf8'), ',');
	const rows = recs.map((r) => Object.fromEntries(head.cells.map((h, k) => [h, r.cells[k]])));
	return { status, header: head.cells, rows, file };
}

function multipart(fields: Record<string, string>, content: string | Buffer) {
	const boundary = '----coTestBoundary' + Math.random().toString(16).slice(2);
	const parts = Object.entries(fields).map(
		([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
	);
	const body = Buffer.concat([
		Buffer.from(
			parts.join('') +
				`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="records.csv"\r\nContent-Type: text/csv\r\n\r\n`,
		),
		Buffer.from(content),
		Buffer.from(`\r\n--${boundary}--\r\n`),
	]);
	return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

async function postImport(
	emu: MarketoEmulator,
	apiName: string,
	content: string | Buffer,
	opts: { query?: Record<string, string>; form?: Record<string, string> } = {
		query: { format: 'csv' },
	},
): Promise<{ status: number; json?: Json; text: string }> {
	const { body, contentType } = multipart(opts.form ?? {}, content);
	const q = new URLSearchParams(opts.query ?? {}).toString();
	const res = await fetch(
		`${emu.url}/bulk/v1/customobjects/${apiName}/import.json${q ? '?' + q : ''}`,
		{
			method: 'POST',
			headers: { Authorization: `Bearer ${await token(emu)}`, 'Content-Type': contentType },
			body,
		},
	);
	const text = await res.text();
	return { status: res.status, text, json: res.status === 200 ? JSON.parse(text) : undefined };
}

async function importOk(
	emu: MarketoEmulator,
	apiName: string,
	content: string,
	format = 'csv',
): Promise<number> {
	const r = await postImport(emu, apiName, content, { query: { format } });
	expect(r.status).toBe(200);
	expect(r.json!.success).toBe(true);
	return r.json!.result[0].batchId;
}

async function waitForBatch(emu: MarketoEmulator, apiName: string, batchId: number): Promise<Json> {
	for (let k = 0; k < 400; k++) {
		const r = await call(
			emu,
			'GET',
			`/bulk/v1/customobjects/${apiName}/import/${batchId}/status.json`,
		);
		if (['Complete', 'Failed'].includes(r.result[0].status)) return r.result[0];
		await sleep(15);
	}
	throw new Error('batch did not finish');
}

async function batchFile(
	emu: MarketoEmulator,
	apiName: string,
	batchId: number,
	which: 'failures' | 'warnings',
): Promise<{ status: number; text: string; type: string | null }> {
	const res = await fetch(
		`${emu.url}/bulk/v1/customobjects/${apiName}/import/${batchId}/${which}.json`,
		{ headers: { Authorization: `Bearer ${await token(emu)}` } },
	);
	return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

/** The records a test expects, picked from the emulator's data with plain code. */
const cars = (emu: MarketoEmulator) => emu.data.customObjects('car_c');
const courses = (emu: MarketoEmulator) => emu.data.customObjects('course_enrollment_c');
const project = (records: Row[], fields: string[]) =>
	records.map((r) => Object.fromEntries(fields.map((f) => [f, r[f] ?? 'null'])));

describe('Marketo emulator: custom objects', () => {
	let emu: MarketoEmulator;
	beforeAll(async () => {
		emu = await startEmulator(FAST);
	});
	afterAll(() => emu.close());
	beforeEach(() => emu.reset());

	describe('list and describe', () => {
		it('lists the types without fields, filtered by names', async () => {
			const all = await call(emu, 'GET', '/rest/v1/customobjects.json');
			expect(all.success).toBe(true);
			expect(all.result.map((t: Json) => t.name)).toEqual(['car_c', 'course_enrollment_c']);
			for (const t of all.result) {
				expect(t).not.toHaveProperty('fields');
				expect(t).toMatchObject({ idField: 'marketoGUID' });
				expect(t.relationships[0]).toMatchObject({ type: 'child', relatedTo: { name: 'Lead' } });
			}
			const one = await call(emu, 'GET', '/rest/v1/customobjects.json?names=course_enrollment_c');
			expect(one.result.map((t: Json) => t.name)).toEqual(['course_enrollment_c']);
			const two = await call(emu, 'GET', '/rest/v1/customobjects.json?names=car_c,nope_c');
			expect(two.result.map((t: Json) => t.name)).toEqual(['car_c']);
			const none = await call(emu, 'GET', '/rest/v1/customobjects.json?names=nope_c');
			expect(none.success).toBe(true);
			expect(none.result).toEqual([]);
		});

		it('describes a type: fields with dataType, length, updateable; dedupe fields; link to leads', async () => {
			const car = (await call(emu, 'GET', '/rest/v1/customobjects/car_c/describe.json')).result[0];
			expect(car).toMatchObject({
				name: 'car_c',
				displayName: 'Car',
				idField: 'marketoGUID',
				dedupeFields: ['vin'],
				relationships: [
					{ field: 'leadID', type: 'child', relatedTo: { name: 'Lead', field: 'Id' } },
				],
			});
			expect(car.searchableFields).toContainEqual(['vin']);
			const byName = Object.fromEntries(car.fields.map((x: Json) => [x.name, x]));
			expect(byName.marketoGUID).toEqual({
				name: 'marketoGUID',
				displayName: 'Marketo GUID',
				dataType: 'string',
				length: 36,
				updateable: false,
			});
			expect(byName.createdAt).toMatchObject({ dataType: 'datetime', updateable: false });
			expect(byName.vin).toMatchObject({ dataType: 'string', length: 17, updateable: true });
			expect(byName.leadID).toMatchObject({ dataType: 'integer', updateable: true });
			expect(byName.year).toMatchObject({ dataType: 'integer', updateable: true });
			expect(byName.year).not.toHaveProperty('length');

			const course = (
				await call(emu, 'GET', '/rest/v1/customobjects/course_enrollment_c/describe.json')
			).result[0];
			expect(course.dedupeFields).toEqual(['email', 'courseCode', 'term']);
			expect(course.relationships).toEqual([
				{ field: 'email', type: 'child', relatedTo: { name: 'Lead', field: 'email' } },
			]);
			expect(course.fields.find((x: Json) => x.name === 'completed').dataType).toBe('boolean');

			const missing = await call(emu, 'GET', '/rest/v1/customobjects/nope_c/describe.json');
			expect(errorOf(missing).code).toBe('1003');
		});
	});

	describe('seeded records', () => {
		it('links every record to an existing lead, by id or by email', () => {
			const c = cars(emu);
			expect(c.length).toBeGreaterThan(300);
			for (const r of c) expect(emu.data.getLead(Number(r.leadID))).toBeDefined();
			// Some leads own two cars: one-to-many.
			const owners = c.map((r) => r.leadID);
			expect(new Set(owners).size).toBeLessThan(owners.length);
			expect(new Set(c.map((r) => r.vin)).size).toBe(c.length);
			const e = courses(emu);
			expect(e.length).toBeGreaterThan(200);
			for (const r of e) expect(emu.data.getLead(r.email!)?.email).toBe(r.email);
			const keys = e.map((r) => `${r.email}|${r.courseCode}|${r.term}`);
			expect(new Set(keys).size).toBe(keys.length);
		});

		it('spreads createdAt and updatedAt over the data range, up to its end', () => {
			const start = sec('2026-01-01T00:00:00Z');
			const end = sec('2026-06-30T00:00:00Z');
			for (const records of [cars(emu), courses(emu)]) {
				const created = records.map((r) => sec(r.createdAt));
				const updated = records.map((r) => sec(r.updatedAt));
				expect(Math.min(...created)).toBeGreaterThanOrEqual(start);
				expect(Math.min(...created)).toBeLessThan(start + 3 * 86400);
				expect(Math.max(...updated)).toBe(end);
				records.forEach((r, k) => expect(updated[k]).toBeGreaterThanOrEqual(created[k]));
				// Every month of the range has records.
				const months = new Set(records.map((r) => r.updatedAt!.slice(0, 7)));
				expect([...months].sort()).toEqual(
					['01', '02', '03', '04', '05', '06'].map((m) => `2026-${m}`),
				);
			}
		});

		it('reaches up to now when the leads do (the demo data range)', async () => {
			const now = Date.now();
			const live = await startEmulator({
				...FAST,
				leads: { count: 300, start: '2026-01-01T00:00:00Z', end: new Date(now).toISOString() },
			});
			try {
				const updated = live.data.customObjects('car_c').map((r) => sec(r.updatedAt));
				expect(Math.max(...updated)).toBe(Math.floor(now / 1000));
				const lastDay = live.data
					.customObjects('course_enrollment_c')
					.filter((r) => sec(r.updatedAt) > now / 1000 - 86400);
				expect(lastDay.length).toBeGreaterThan(0);
			} finally {
				await live.close();
			}
		});
	});

	describe('export', () => {
		it('exports the records updated in a window, columns as requested, with size and checksum', async () => {
			const startAt = '2026-03-01T00:00:00Z';
			const endAt = '2026-03-20T00:00:00Z';
			const expected = cars(emu).filter(
				(r) => sec(r.updatedAt) >= sec(startAt) && sec(r.updatedAt) <= sec(endAt),
			);
			expect(expected.length).toBeGreaterThan(10);
			const fields = ['marketoGUID', 'leadID', 'vin', 'make', 'year', 'updatedAt'];
			const { status, header, rows, file } = await exportRows(emu, CAR, {
				fields,
				filter: { updatedAt: { startAt, endAt } },
			});
			expect(header).toEqual(fields);
			expect(rows).toEqual(project(expected, fields));
			expect(status).toMatchObject({
				numberOfRecords: expected.length,
				fileSize: file.length,
				fileChecksum: sha256(file),
				format: 'CSV',
			});
		});

		it("accepts field names in any case, as the docs' leadId / vIN, and renames columns", async () => {
			const { header, rows } = await exportRows(emu, CAR, {
				fields: ['leadId', 'vIN', 'color'],
				columnHeaderNames: { color: 'Colour' },
				filter: { updatedAt: { startAt: '2026-02-01T00:00:00Z', endAt: '2026-02-10T00:00:00Z' } },
			});
			expect(header).toEqual(['leadId', 'vIN', 'Colour']);
			const expected = cars(emu).filter(
				(r) =>
					sec(r.updatedAt) >= sec('2026-02-01T00:00:00Z') &&
					sec(r.updatedAt) <= sec('2026-02-10T00:00:00Z'),
			);
			expect(rows.map((r) => r.vIN)).toEqual(expected.map((r) => r.vin));
			expect(rows.map((r) => r.leadId)).toEqual(expected.map((r) => r.leadID));
		});

		it('exports the records of the leads on a static list (by id) or a smart list (by name)', async () => {
			const members = new Set(emu.data.staticListMembers(1002).map(String));
			expect(members.size).toBeGreaterThan(0);
			const byList = await exportRows(emu, CAR, {
				fields: ['leadID', 'vin'],
				filter: { staticListId: 1002 },
			});
			const expectedCars = cars(emu).filter((r) => members.has(r.leadID!));
			expect(expectedCars.length).toBeGreaterThan(0);
			expect(byList.rows).toEqual(project(expectedCars, ['leadID', 'vin']));

			const smart = (await call(emu, 'GET', '/rest/asset/v1/smartList/2001.json')).result[0];
			const smartLeads = new Set(
				[...emu.data.leads({ smartListId: 2001 })].map((l) => String(l.email).toLowerCase()),
			);
			const bySmart = await exportRows(emu, COURSE, {
				fields: ['email', 'courseCode', 'term', 'score', 'completed'],
				filter: { smartListName: smart.name },
				format: 'CSV',
			});
			const expectedCourses = courses(emu).filter((r) => smartLeads.has(r.email!.toLowerCase()));
			expect(expectedCourses.length).toBeGreaterThan(0);
			expect(bySmart.rows).toEqual(
				project(expectedCourses, ['email', 'courseCode', 'term', 'score', 'completed']),
			);
			// Empty values are written as null.
			expect(bySmart.rows.some((r) => r.score === 'null')).toBe(true);
			const count = await fetch(`${emu.url}/__emulator/count`, {
				method: 'POST',
				body: JSON.stringify({ kind: COURSE, filter: { smartListName: smart.name } }),
			});
			expect(((await count.json()) as Json).count).toBe(expectedCourses.length);
		});

		it('writes TSV when asked', async () => {
			const status = await runExport(emu, COURSE, {
				fields: ['email', 'courseCode'],
				format: 'TSV',
				filter: {
					staticListName: (await call(emu, 'GET', '/rest/asset/v1/staticList/1003.json')).result[0]
						.name,
				},
			});
			const file = (await download(emu, COURSE, status.exportId)).body.toString('utf8');
			expect(file.split('\n')[0]).toBe('email\tcourseCode');
			expect(status.numberOfRecords).toBe(file.trimEnd().split('\n').length - 1);
		});

		it('refuses filters and fields as Marketo does', async () => {
			const range = { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-05T00:00:00Z' };
			const cases: Array<[unknown, string]> = [
				[{ fields: ['vin'], filter: { createdAt: range } }, "Invalid filter type 'createdAt'"],
				[
					{ fields: ['vin'], filter: { updatedAt: range, staticListId: 1002 } },
					'Only one filter type',
				],
				[{ fields: ['vin'], filter: {} }, 'Exactly one filter type'],
				[{ fields: ['vin'] }, "'filter'"],
				[{ filter: { staticListId: 1002 } }, "'fields'"],
				[{ fields: ['vin', 'horsepower'], filter: { staticListId: 1002 } }, "'horsepower'"],
				[
					{
						fields: ['vin'],
						filter: {
							updatedAt: { startAt: '2026-03-01T00:00:00Z', endAt: '2026-04-02T00:00:00Z' },
						},
					},
					'exceeds 31 days',
				],
				[{ fields: ['vin'], filter: { staticListId: 999 } }, 'not found'],
				[{ fields: ['vin'], format: 'XLS', filter: { staticListId: 1002 } }, 'format'],
			];
			for (const [body, message] of cases) {
				const e = errorOf(await create(emu, CAR, body));
				expect(e.code).toBe('1003');
				expect(e.message).toContain(message);
			}
			const unknownType = errorOf(
				await create(emu, 'customobjects/nope_c', {
					fields: ['vin'],
					filter: { staticListId: 1002 },
				}),
			);
			expect(unknownType.code).toBe('1003');
			expect(emu.data.jobs()).toEqual([]);
		});

		it('answers 1035 for filter types the subscription lacks', async () => {
			const limited = await startEmulator({
				...FAST,
				disabledFilters: ['customObjects.updatedAt', 'smartListId'],
			});
			try {
				const range = { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-05T00:00:00Z' };
				expect(
					errorOf(await create(limited, CAR, { fields: ['vin'], filter: { updatedAt: range } }))
						.code,
				).toBe('1035');
				expect(
					errorOf(await create(limited, CAR, { fields: ['vin'], filter: { smartListId: 2001 } }))
						.code,
				).toBe('1035');
				// customObjects.updatedAt leaves lead exports alone.
				const lead = await create(limited, 'leads', {
					fields: ['email'],
					filter: { updatedAt: range },
				});
				expect(lead.success).toBe(true);
			} finally {
				await limited.close();
			}
		});

		it('cancels, lists per type and status, and answers 404 in plain text for a file not ready', async () => {
			emu.faults.stuckInQueue(true);
			const body = { fields: ['vin'], filter: { staticListId: 1002 } };
			const idle = await createJob(emu, CAR, body);
			const queued = await createJob(emu, CAR, body);
			await enqueue(emu, CAR, queued);
			const course = await createJob(emu, COURSE, {
				fields: ['email'],
				filter: { staticListId: 1002 },
			});
			const cancelled = await call(emu, 'POST', `/bulk/v1/${CAR}/export/${queued}/cancel.json`);
			expect(cancelled.result[0].status).toBe('Cancelled');
			for (const id of [idle, '00000000-0000-0000-0000-000000000000']) {
				const res = await download(emu, CAR, id);
				expect(res.status).toBe(404);
				expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
			}
			const list = await call(emu, 'GET', `/bulk/v1/${CAR}/export.json`);
			expect(list.result.map((j: Json) => j.exportId).sort()).toEqual([idle, queued].sort());
			const onlyCancelled = await call(emu, 'GET', `/bulk/v1/${CAR}/export.json?status=Cancelled`);
			expect(onlyCancelled.result.map((j: Json) => j.exportId)).toEqual([queued]);
			const courseList = await call(emu, 'GET', `/bulk/v1/${COURSE}/export.json`);
			expect(courseList.result.map((j: Json) => j.exportId)).toEqual([course]);
			// A car job is no course job.
			expect(
				errorOf(await call(emu, 'GET', `/bulk/v1/${COURSE}/export/${idle}/status.json`)).code,
			).toBe('1003');
			emu.faults.stuckInQueue(false);
		});

		it('shares the export queue with lead and program member jobs (1029)', async () => {
			const small = await startEmulator({ ...FAST, exportQueue: { processing: 1, queued: 3 } });
			try {
				small.faults.stuckInQueue(true);
				const range = { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-05T00:00:00Z' };
				const lead = await createJob(small, 'leads', {
					fields: ['email'],
					filter: { createdAt: range },
				});
				const pm = await createJob(small, 'program/members', {
					fields: ['leadId'],
					filter: { programId: 3001 },
				});
				const car = await createJob(small, CAR, { fields: ['vin'], filter: { updatedAt: range } });
				const course = await createJob(small, COURSE, {
					fields: ['email'],
					filter: { updatedAt: range },
				});
				expect((await enqueue(small, 'leads', lead)).success).toBe(true);
				expect((await enqueue(small, 'program/members', pm)).success).toBe(true);
				expect((await enqueue(small, CAR, car)).success).toBe(true);
				const full = errorOf(await enqueue(small, COURSE, course));
				expect(full).toEqual({ code: '1029', message: 'Too many jobs (3) in queue' });
				expect(errorOf(await enqueue(small, CAR, car)).message).toBe('Job already queued');
				small.faults.stuckInQueue(false);
				// One processing at a time, across kinds.
				expect((await waitFor(small, CAR, car)).status).toBe('Completed');
				expect((await enqueue(small, COURSE, course)).success).toBe(true);
				expect((await waitFor(small, COURSE, course)).status).toBe('Completed');
			} finally {
				await small.close();
			}
		});

		it('counts custom object files against the daily quota shared with the other kinds (1029)', async () => {
			const tight = await startEmulator({ ...FAST, dailyExportQuotaBytes: 1000 });
			try {
				const done = await runExport(tight, CAR, {
					fields: ['marketoGUID', 'vin', 'make', 'model'],
					filter: { staticListId: 1002 },
				});
				expect(done.fileSize).toBeGreaterThan(1000);
				expect(tight.exportedBytesToday()).toBe(done.fileSize);
				const range = { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-05T00:00:00Z' };
				for (const kind of ['leads', CAR, COURSE]) {
					const body =
						kind === 'leads'
							? { fields: ['email'], filter: { createdAt: range } }
							: { fields: ['marketoGUID'], filter: { updatedAt: range } };
					const e = errorOf(await create(tight, kind, body));
					expect(e.code).toBe('1029');
					expect(e.message).toContain('quota');
				}
			} finally {
				await tight.close();
			}
		});

		it('shows a job only to the API user who created it', async () => {
			const shared = await startEmulator({
				...FAST,
				otherUsers: [{ clientId: 'other-id', clientSecret: 'other-secret' }],
			});
			try {
				const otherToken = (
					(await (
						await fetch(
							`${shared.url}/identity/oauth/token?grant_type=client_credentials&client_id=other-id&client_secret=other-secret`,
						)
					).json()) as Json
				).access_token as string;
				const asOther = async (path: string) =>
					(await (
						await fetch(shared.url + path, { headers: { Authorization: `Bearer ${otherToken}` } })
					).json()) as Json;
				const mine = await createJob(shared, CAR, {
					fields: ['vin'],
					filter: { staticListId: 1002 },
				});
				expect(errorOf(await asOther(`/bulk/v1/${CAR}/export/${mine}/status.json`)).code).toBe(
					'1003',
				);
				expect((await asOther(`/bulk/v1/${CAR}/export.json`)).result ?? []).toEqual([]);
				expect((await call(shared, 'GET', `/bulk/v1/${CAR}/export.json`)).result).toHaveLength(1);
			} finally {
				await shared.close();
			}
		});

		it('reads the records as they are when the job starts processing', async () => {
			emu.faults.stuckInQueue(true);
			const id = await createJob(emu, CAR, {
				fields: ['vin', 'color'],
				filter: { staticListId: 1002 },
			});
			await enqueue(emu, CAR, id);
			const car = cars(emu).find((r) => Number(r.leadID) % 2 === 0)!;
			emu.data.upsertCustomObjects({
				apiName: 'car_c',
				records: [{ vin: car.vin, color: 'green' }],
			});
			emu.faults.stuckInQueue(false);
			const status = await waitFor(emu, CAR, id);
			const file = (await download(emu, CAR, status.exportId)).body.toString('utf8');
			expect(file).toContain(`${car.vin},green\n`);
			emu.data.upsertCustomObjects({
				apiName: 'car_c',
				records: [{ vin: car.vin, color: 'purple' }],
			});
			expect((await download(emu, CAR, status.exportId)).body.toString('utf8')).toBe(file);
		});
	});

	describe('faults on custom object routes', () => {
		const body = { fields: ['marketoGUID', 'vin', 'make'], filter: { staticListId: 1002 } };

		it('injects resets, 5xx and API errors on the custom object paths', async () => {
			emu.faults.failNext('customobjects/car_c/export/create.json', 1, { reset: true });
			await expect(
				fetch(`${emu.url}/bulk/v1/${CAR}/export/create.json`, {
					method: 'POST',
					headers: {
						Authorization: `Bearer ${await token(emu)}`,
						'Content-Type': 'application/json',
					},
					body: JSON.stringify(body),
				}),
			).rejects.toThrow();
			emu.faults.failNext('customobjects/car_c/export/create.json', 1, { httpStatus: 503 });
			const res = await fetch(`${emu.url}/bulk/v1/${CAR}/export/create.json`, {
				method: 'POST',
				headers: {
					Authorization: `Bearer ${await token(emu)}`,
					'Content-Type': 'application/json',
				},
				body: JSON.stringify(body),
			});
			expect(res.status).toBe(503);
			for (const code of ['604', '606', '615', '1029']) {
				emu.faults.failNext(`GET /bulk/v1/${CAR}/export.json`, 1, { code });
				expect(errorOf(await call(emu, 'GET', `/bulk/v1/${CAR}/export.json`)).code).toBe(code);
			}
			emu.faults.failNext('/import/:id/status.json', 1, { code: '611' });
			const batch = await importOk(emu, 'car_c', 'vin,color\nVIN00000000000001,red\n');
			expect(
				errorOf(await call(emu, 'GET', `/bulk/v1/customobjects/car_c/import/${batch}/status.json`))
					.code,
			).toBe('611');
			expect(emu.faults.pending()).toBe(0);
			expect(emu.counters()['POST /bulk/v1/customobjects/:id/export/create.json']).toBe(2);
		});

		it('answers 601/602 to a bad or expired token', async () => {
			const t = await token(emu);
			emu.faults.expireAllTokens();
			const expired = await fetch(`${emu.url}/rest/v1/customobjects/car_c/describe.json`, {
				headers: { Authorization: `Bearer ${t}` },
			});
			expect(errorOf((await expired.json()) as Json).code).toBe('602');
			const bad = await fetch(`${emu.url}/bulk/v1/${CAR}/export.json`, {
				headers: { Authorization: 'Bearer nope' },
			});
			expect(errorOf((await bad.json()) as Json).code).toBe('601');
		});

		it('serves Range requests, truncated files and a corrupt checksum', async () => {
			const status = await runExport(emu, CAR, body);
			const full = (await download(emu, CAR, status.exportId)).body;
			expect(sha256(full)).toBe(status.fileChecksum);
			const part = await download(emu, CAR, status.exportId, 'bytes=100-199');
			expect(part.status).toBe(206);
			expect(part.body).toEqual(full.subarray(100, 200));
			expect(emu.counters().rangeRequests).toBe(1);
			emu.faults.truncateFileAfterBytes(50);
			const cut = await download(emu, CAR, status.exportId);
			expect(cut.body).toEqual(full.subarray(0, 50));

			emu.faults.corruptNextChecksum();
			const corrupt = await runExport(emu, CAR, body);
			const file = (await download(emu, CAR, corrupt.exportId)).body;
			expect(corrupt.fileChecksum).not.toBe(sha256(file));
			expect(corrupt.fileSize).toBe(file.length);
		});

		it('fails, cancels and miscounts the next job, and loses a completed file', async () => {
			emu.faults.failNextJob('Boom');
			expect(
				await runExport(emu, COURSE, { fields: ['email'], filter: { staticListId: 1002 } }),
			).toMatchObject({
				status: 'Failed',
				errorMsg: 'Boom',
			});
			emu.faults.cancelNextJob();
			expect((await runExport(emu, CAR, body)).status).toBe('Cancelled');
			emu.faults.miscountNextJob(2);
			const miscounted = await runExport(emu, CAR, body);
			const rows = (await download(emu, CAR, miscounted.exportId)).body
				.toString('utf8')
				.trimEnd()
				.split('\n');
			expect(miscounted.numberOfRecords).toBe(rows.length - 1 + 2);
			emu.faults.completedFileMissing();
			const lost = await runExport(emu, CAR, body);
			expect((await download(emu, CAR, lost.exportId)).status).toBe(404);
			expect(emu.faults.pending()).toBe(0);
		});
	});

	describe('import', () => {
		it("imports the docs' example: dedupe on vin, no link column, answered in the custom object page's terms", async () => {
			const file =
				'color,make,model,vin\nred,bmw,2002,WBA4R7C55HK895912\nyellow,bmw,320i,WBA4R7C30HK896061\nblue,bmw,325i,WBS3U9C52HP970604\n';
			const before = cars(emu).length;
			emu.setNow(new Date('2026-07-01T08:00:00Z'));
			const r = await postImport(emu, 'car_c', file, { form: { format: 'csv' } });
			expect(r.json!.result).toEqual([
				{ batchId: expect.any(Number), status: 'Queued', objectApiName: 'car_c' },
			]);
			const status = await waitForBatch(emu, 'car_c', r.json!.result[0].batchId);
			expect(status).toEqual({
				batchId: r.json!.result[0].batchId,
				operation: 'import',
				status: 'Complete',
				objectApiName: 'car_c',
				numOfObjectsProcessed: 3,
				numOfRowsFailed: 0,
				numOfRowsWithWarning: 0,
				importTime: expect.stringMatching(/^\d+ second\(s\)$/),
				message: 'Import succeeded, 3 records imported (3 members)',
			});
			const after = cars(emu);
			expect(after).toHaveLength(before + 3);
			expect(after.find((c) => c.vin === 'WBA4R7C30HK896061')).toMatchObject({
				color: 'yellow',
				model: '320i',
				leadID: null,
				createdAt: '2026-07-01T08:00:00Z',
				updatedAt: '2026-07-01T08:00:00Z',
			});
			// No failures, no warnings: HTTP 404.
			for (const which of ['failures', 'warnings'] as const) {
				expect((await batchFile(emu, 'car_c', r.json!.result[0].batchId, which)).status).toBe(404);
			}
		});

		it("fails every row of a header without the dedupe field (the docs' ' vin')", async () => {
			const file =
				'color,make,model, vin\nred,bmw,2002,WBA4R7C55HK895912\nyellow,bmw,320i,WBA4R7C30HK896061\nblue,bmw,325i,WBS3U9C52HP970604\n';
			const batch = await importOk(emu, 'car_c', file);
			const status = await waitForBatch(emu, 'car_c', batch);
			expect(status).toMatchObject({
				numOfObjectsProcessed: 0,
				numOfRowsFailed: 3,
				message: 'Import completed with errors, 0 records imported (0 members), 3 failed',
			});
			const failures = await batchFile(emu, 'car_c', batch, 'failures');
			expect(failures.status).toBe(200);
			expect(failures.text).toBe(
				'color,make,model, vin,Import Failure Reason\n' +
					'red,bmw,2002,WBA4R7C55HK895912,missing.dedupe.fields\n' +
					'yellow,bmw,320i,WBA4R7C30HK896061,missing.dedupe.fields\n' +
					'blue,bmw,325i,WBS3U9C52HP970604,missing.dedupe.fields\n',
			);
			expect((await batchFile(emu, 'car_c', batch, 'warnings')).status).toBe(404);
		});

		it('updates by dedupe key, fails rows with unknown links or bad types, warns on truncation', async () => {
			const existing = cars(emu)[5];
			const before = cars(emu).length;
			const at = new Date('2026-07-15T12:00:00Z');
			emu.setNow(at);
			const lines = [
				'vin,leadID,color,year,price',
				`${existing.vin},,green,,`, // update: color only
				'NEWVIN00000000001,12,red,2020,19999.50', // create, linked
				'NEWVIN00000000002,99999999,red,2020,', // unknown lead
				'NEWVIN00000000003,12,red,2019.5,', // decimal in an integer field
				',12,red,2020,', // no dedupe value
				'NEWVIN0000000000412345,12,blue,2021,', // vin longer than 17: cut, warned
			];
			const batch = await importOk(emu, 'car_c', lines.join('\n') + '\n');
			const status = await waitForBatch(emu, 'car_c', batch);
			expect(status).toMatchObject({
				numOfObjectsProcessed: 3,
				numOfRowsFailed: 3,
				numOfRowsWithWarning: 1,
				message: 'Import completed with errors, 3 records imported (3 members), 3 failed',
			});
			const after = cars(emu);
			expect(after).toHaveLength(before + 2);
			const updated = after.find((c) => c.vin === existing.vin)!;
			expect(updated).toEqual({ ...existing, color: 'green', updatedAt: '2026-07-15T12:00:00Z' });
			expect(after.find((c) => c.vin === 'NEWVIN00000000001')).toMatchObject({
				leadID: '12',
				price: '19999.50',
				createdAt: '2026-07-15T12:00:00Z',
			});
			expect(after.find((c) => c.vin === 'NEWVIN00000000004')).toMatchObject({ color: 'blue' });
			const failures = (await batchFile(emu, 'car_c', batch, 'failures')).text.split('\n');
			expect(failures[0]).toBe('vin,leadID,color,year,price,Import Failure Reason');
			expect(failures[1]).toMatch(
				/^NEWVIN00000000002,99999999,red,2020,,Invalid link value in field Lead ID/,
			);
			expect(failures[2]).toBe('NEWVIN00000000003,12,red,2019.5,,Invalid data type in field Year');
			expect(failures[3]).toBe(',12,red,2020,,missing.dedupe.fields');
			const warnings = await batchFile(emu, 'car_c', batch, 'warnings');
			expect(warnings.status).toBe(200);
			expect(warnings.text).toBe(
				'vin,leadID,color,year,price,Import Warning Reason\n' +
					'NEWVIN0000000000412345,12,blue,2021,,Value truncated in field VIN (17 characters)\n',
			);
		});

		it('dedupes on a compound key, links by email, reads TSV and semicolon SSV', async () => {
			const seeded = courses(emu)[0];
			const lead = emu.data.getLead(7)!;
			const before = courses(emu).length;
			const tsv = [
				'email\tcourseCode\tterm\tscore\tcompleted',
				`${seeded.email}\t${seeded.courseCode}\t${seeded.term}\t88.5\tyes`, // same key: update
				`${seeded.email}\t${seeded.courseCode}\t2027S\t\tno`, // another term: new record
				`${String(lead.email).toUpperCase()}\tOPS-110\t2026S\t70\t1`, // email matched case-insensitively
				'nobody@nowhere.example\tOPS-110\t2026S\t\t', // no such lead
				`${lead.email}\tOPS-110\t2026S\tninety\t`, // bad float
			].join('\n');
			const batch = await importOk(emu, 'course_enrollment_c', tsv, 'tsv');
			const status = await waitForBatch(emu, 'course_enrollment_c', batch);
			expect(status).toMatchObject({ numOfObjectsProcessed: 3, numOfRowsFailed: 2 });
			const after = courses(emu);
			expect(after).toHaveLength(before + 2);
			expect(
				after.find(
					(c) =>
						c.email === seeded.email &&
						c.courseCode === seeded.courseCode &&
						c.term === seeded.term,
				),
			).toMatchObject({ score: '88.5', completed: 'true', marketoGUID: seeded.marketoGUID });
			expect(after.filter((c) => c.email === seeded.email && c.term === '2027S')).toHaveLength(1);
			const failures = (await batchFile(emu, 'course_enrollment_c', batch, 'failures')).text;
			expect(failures.split('\n')[0]).toBe(
				'email\tcourseCode\tterm\tscore\tcompleted\tImport Failure Reason',
			);
			expect(failures).toContain('Invalid data type in field Score');
			expect(failures).toContain('nobody@nowhere.example');

			const ssv = await importOk(emu, 'car_c', 'vin;color\nSSVVIN00000000001;black\n', 'ssv');
			expect(await waitForBatch(emu, 'car_c', ssv)).toMatchObject({ numOfObjectsProcessed: 1 });
			expect(cars(emu).find((c) => c.vin === 'SSVVIN00000000001')?.color).toBe('black');
		});

		it('refuses a file of 10 MB (413), a missing format, an unknown type; status of a wrong type is not found', async () => {
			const big = await postImport(emu, 'car_c', 'vin\n' + 'A'.repeat(10 * 1024 * 1024), {
				query: { format: 'csv' },
			});
			expect(big.status).toBe(413);
			expect(errorOf((await postImport(emu, 'car_c', 'vin\nX\n', {})).json!).code).toBe('1003');
			expect(
				errorOf((await postImport(emu, 'nope_c', 'vin\nX\n', { query: { format: 'csv' } })).json!)
					.code,
			).toBe('1003');
			const batch = await importOk(emu, 'car_c', 'vin\nX1\n');
			await waitForBatch(emu, 'car_c', batch);
			const wrong = await call(
				emu,
				'GET',
				`/bulk/v1/customobjects/course_enrollment_c/import/${batch}/status.json`,
			);
			expect(errorOf(wrong).code).toBe('1003');
			const asLead = await call(emu, 'GET', `/bulk/v1/leads/batch/${batch}.json`);
			expect(errorOf(asLead).code).toBe('1003');
		});

		it('shares the import queue with lead imports: 1016 once it is full', async () => {
			const slow = await startEmulator({
				...FAST,
				importProcessingMs: 5000,
				importQueue: { processing: 1, queued: 3 },
			});
			try {
				const leadFile = multipart({ format: 'csv' }, 'email\na@b.example\n');
				const lead = await fetch(`${slow.url}/bulk/v1/leads.json`, {
					method: 'POST',
					headers: {
						Authorization: `Bearer ${await token(slow)}`,
						'Content-Type': leadFile.contentType,
					},
					body: leadFile.body,
				});
				expect(((await lead.json()) as Json).success).toBe(true);
				await importOk(slow, 'car_c', 'vin\nQ1\n');
				const course = await importOk(slow, 'course_enrollment_c', 'email,courseCode,term\n');
				const queuedStatus = await call(
					slow,
					'GET',
					`/bulk/v1/customobjects/course_enrollment_c/import/${course}/status.json`,
				);
				expect(queuedStatus.result[0]).toEqual({
					batchId: course,
					operation: 'import',
					status: 'Queued',
					objectApiName: 'course_enrollment_c',
				});
				// Not complete yet: no file either.
				expect((await batchFile(slow, 'course_enrollment_c', course, 'failures')).status).toBe(404);
				const refused = await postImport(slow, 'car_c', 'vin\nQ2\n', { query: { format: 'csv' } });
				expect(errorOf(refused.json!)).toEqual({ code: '1016', message: 'Too many imports' });
			} finally {
				await slow.close();
			}
		});
	});

	describe('control API', () => {
		const control = (method: string, path: string, body?: unknown) =>
			fetch(`${emu.url}/__emulator/${path}`, {
				method,
				body: body === undefined ? undefined : JSON.stringify(body),
			});

		it('seeds and reads records, with the checks an import row gets, all or nothing', async () => {
			const before = (
				(await (await control('GET', 'custom-objects?apiName=car_c')).json()) as Row[]
			).length;
			const ok = await control('POST', 'custom-objects', {
				apiName: 'car_c',
				at: '2026-05-05T05:05:05Z',
				records: [
					{ vin: 'CTRLVIN0000000001', leadID: 3, make: 'saab', year: 1999 },
					{ vin: 'CTRLVIN0000000002', leadID: 4 },
				],
			});
			expect(ok.status).toBe(200);
			const { marketoGUIDs } = (await ok.json()) as Json;
			expect(marketoGUIDs).toHaveLength(2);
			const listed = (await (await control('GET', 'custom-objects?apiName=car_c')).json()) as Row[];
			expect(listed).toHaveLength(before + 2);
			expect(listed.find((r) => r.vin === 'CTRLVIN0000000001')).toMatchObject({
				marketoGUID: marketoGUIDs[0],
				leadID: '3',
				make: 'saab',
				year: '1999',
				createdAt: '2026-05-05T05:05:05Z',
				updatedAt: '2026-05-05T05:05:05Z',
			});
			for (const bad of [
				{ apiName: 'car_c', records: [{ vin: 'CTRLVIN0000000003' }, { leadID: 3 }] }, // no dedupe
				{ apiName: 'car_c', records: [{ vin: 'CTRLVIN0000000004', leadID: 99999999 }] },
				{ apiName: 'car_c', records: [{ vin: 'CTRLVIN0000000005', horsepower: 1 }] },
				{ apiName: 'nope_c', records: [] },
				{ apiName: 'car_c' },
			]) {
				const r = await control('POST', 'custom-objects', bad);
				expect(r.status).toBe(400);
			}
			const unchanged = (await (
				await control('GET', 'custom-objects?apiName=car_c')
			).json()) as Row[];
			expect(unchanged).toHaveLength(before + 2);
			expect(unchanged.some((r) => r.vin === 'CTRLVIN0000000003')).toBe(false);
			expect((await control('GET', 'custom-objects')).status).toBe(400);
		});
	});
});
