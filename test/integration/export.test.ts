import { createHash } from 'crypto';

import { customOperations } from '../../nodes/MarketoBulk/actions/router';
import { cancelExportJob, getExportJobStatus } from '../../nodes/MarketoBulk/export/job';
import { marketoRequest, TIME_LIMITS } from '../../nodes/MarketoBulk/transport';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { readBinary } from '../helpers/n8nContext';
import { count, startHarness, type Harness } from '../helpers/setup';

const CREATE = 'POST /bulk/v1/leads/export/create.json';
const ACTIVITY_CREATE = 'POST /bulk/v1/activities/export/create.json';

let harness: Harness;

beforeAll(async () => {
	harness = await startHarness({
		leads: { count: 3000, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
		activities: { count: 4000, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
		exportProcessingMs: 50,
	});
});
afterAll(async () => {
	await harness.emulator.close();
});
beforeEach(() => {
	harness.emulator.reset();
});

const FAST = { pollIntervalSeconds: 0.05, timeoutMinutes: 1 };
const LEAD_FIELDS = [
	'id',
	'email',
	'firstName',
	'lastName',
	'company',
	'address',
	'leadScore',
	'unsubscribed',
	'createdAt',
	'updatedAt',
];

function leadExport(parameters: IDataObject, extra: Parameters<Harness['context']>[1] = {}) {
	const test = harness.context(
		{
			resource: 'leadExport',
			operation: 'export',
			fields: LEAD_FIELDS,
			format: 'CSV',
			filterType: 'createdAt',
			output: 'records',
			...parameters,
			options: { ...FAST, ...((parameters.options as IDataObject) ?? {}) },
		},
		extra,
	);
	return { test, run: () => customOperations.leadExport.export.call(test.context) };
}

function activityExport(parameters: IDataObject, extra: Parameters<Harness['context']>[1] = {}) {
	const test = harness.context(
		{
			resource: 'activityExport',
			operation: 'export',
			format: 'CSV',
			output: 'records',
			...parameters,
			options: { ...FAST, ...((parameters.options as IDataObject) ?? {}) },
		},
		extra,
	);
	return { test, run: () => customOperations.activityExport.export.call(test.context) };
}

const jsonOf = (output: INodeExecutionData[][]) => output[0].map((item) => item.json);

describe('Export Leads, one step', () => {
	it("exports a created-at range as typed records equal to Marketo's data", async () => {
		const range = { startAt: '2026-02-01T00:00:00Z', endAt: '2026-02-20T00:00:00Z' };
		const records = jsonOf(await leadExport(range).run());
		const expected = [
			...(await collect(harness.emulator.data.leads({ createdAt: inclusive(range) }))),
		];
		expect(records.length).toBe(expected.length);
		expect(records.length).toBeGreaterThan(100);
		const byId = new Map(expected.map((lead) => [Number(lead.id), lead]));
		for (const record of records) {
			const lead = byId.get(record.id as number)!;
			expect(typeof record.id).toBe('number');
			expect(record.email).toBe(lead.email ?? null);
			expect(record.address).toBe(lead.address ?? null);
			expect(record.firstName).toBe(lead.firstName ?? null);
			expect(record.leadScore).toBe(
				lead.leadScore === null || lead.leadScore === undefined ? null : Number(lead.leadScore),
			);
			expect([true, false, null]).toContain(record.unsubscribed);
		}
		expect(count(harness.emulator, CREATE)).toBe(1);
	});

	it('splits 95 days into 4 jobs of at most 31 days with every record exactly once', async () => {
		const range = { startAt: '2026-01-01T00:00:00Z', endAt: '2026-04-05T23:59:59Z' };
		const records = jsonOf(await leadExport(range).run());
		expect(count(harness.emulator, CREATE)).toBe(4);
		const ids = records.map((r) => r.id);
		expect(new Set(ids).size).toBe(ids.length);
		expect(records.length).toBe(harness.emulator.data.leadCount({ createdAt: inclusive(range) }));
		const windows = harness.emulator.data
			.jobs()
			.map((job) => (job.filter as IDataObject).createdAt as IDataObject);
		for (const window of windows) {
			const days =
				(Date.parse(String(window.endAt)) - Date.parse(String(window.startAt))) / 86400_000;
			expect(days).toBeLessThanOrEqual(31);
		}
	});

	it.each(['CSV', 'TSV', 'SSV'])('reads %s files, awkward values included', async (format) => {
		const range = { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-15T00:00:00Z' };
		const records = jsonOf(await leadExport({ ...range, format }).run());
		const expected = [
			...(await collect(harness.emulator.data.leads({ createdAt: inclusive(range) }))),
		];
		expect(records.map((r) => [r.id, r.address, r.company, r.lastName])).toEqual(
			expected.map((l) => [Number(l.id), l.address ?? null, l.company ?? null, l.lastName ?? null]),
		);
	});

	it('renames columns', async () => {
		const records = jsonOf(
			await leadExport({
				startAt: '2026-03-01T00:00:00Z',
				endAt: '2026-03-02T00:00:00Z',
				fields: ['id', 'email', 'leadScore'],
				columnHeaderNames: {
					renames: [
						{ field: 'email', header: 'E-mail' },
						{ field: 'leadScore', header: 'Score' },
					],
				},
			}).run(),
		);
		expect(Object.keys(records[0])).toEqual(['id', 'E-mail', 'Score']);
		expect(records.some((r) => typeof r.Score === 'number')).toBe(true);
	});

	it('filters by updated at', async () => {
		const range = { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-20T00:00:00Z' };
		const records = jsonOf(await leadExport({ ...range, filterType: 'updatedAt' }).run());
		expect(records.length).toBe(harness.emulator.data.leadCount({ updatedAt: inclusive(range) }));
	});

	it.each([
		['by ID', { mode: 'id', value: '1001' }],
		['from the list', { mode: 'list', value: '1001' }],
	])('filters by static list %s', async (_name, staticList) => {
		const records = jsonOf(await leadExport({ filterType: 'staticList', staticList }).run());
		expect(records.map((r) => r.id).sort()).toEqual(
			[...harness.emulator.data.staticListMembers(1001)].sort(),
		);
		expect(harness.emulator.data.jobs()[0].filter).toEqual({ staticListId: 1001 });
	});

	it('filters by static list name and smart list', async () => {
		const lists = await collect(harness.emulator.data.leads({ staticListId: 1001 }));
		const { result } = await (
			await import('../../nodes/MarketoBulk/transport')
		).marketoRequest<{ id: number; name: string }>(harness.context({}).context, {
			method: 'GET',
			path: '/rest/asset/v1/staticLists.json',
			qs: { offset: 0, maxReturn: 200 },
		});
		const name = result.find((list) => list.id === 1001)!.name;
		const byName = jsonOf(
			await leadExport({
				filterType: 'staticList',
				staticList: { mode: 'name', value: name },
			}).run(),
		);
		expect(byName.length).toBe(lists.length);
		const smart = jsonOf(
			await leadExport({ filterType: 'smartList', smartList: { mode: 'id', value: '2001' } }).run(),
		);
		expect(smart.length).toBe(harness.emulator.data.leadCount({ smartListId: 2001 }));
	});

	it('explains 1035 when the subscription lacks the filter', async () => {
		await harness.emulator.close();
		harness = await startHarness({ disabledFilters: ['updatedAt'], exportProcessingMs: 50 });
		const error = await leadExport({
			filterType: 'updatedAt',
			startAt: '2026-03-01',
			endAt: '2026-03-02',
		})
			.run()
			.catch((e) => e);
		expect(error.message).toMatch(
			/^Marketo error 1035: .*Ask Marketo support to enable it, or use the Created At filter instead\.$/,
		);
		await harness.emulator.close();
		harness = await startHarness({
			leads: { count: 3000, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
			activities: { count: 4000, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
			exportProcessingMs: 50,
		});
	});

	it("passes on Marketo's 1003 for an unknown field", async () => {
		const error = await leadExport({
			startAt: '2026-03-01',
			endAt: '2026-03-02',
			fields: ['id', 'favouriteColour'],
		})
			.run()
			.catch((e) => e);
		expect(error.message).toMatch(/^Marketo error 1003: .*favouriteColour/);
		expect(error.message).toMatch(/Check field names/);
	});

	it.each([
		[
			{ startAt: '2026-03-02', endAt: '2026-03-01' },
			/End \(2026-03-01T00:00:00.000Z\) must be after Start \(2026-03-02T00:00:00.000Z\): the range runs from Start up to, not including, End/,
		],
		[{ startAt: 'yesterday', endAt: '2026-03-01' }, /Start \("yesterday"\) is not a date/],
		[{ startAt: '2026-03-01', endAt: '2026-03-02', fields: [] }, /Choose at least one lead field/],
		[{ startAt: '2026-03-01', endAt: '2026-03-02', fields: ['id', 'id'] }, /"id" is listed twice/],
		[
			{ filterType: 'staticList', staticList: { mode: 'id', value: 'Webinar' } },
			/"Webinar" is not a static list ID/,
		],
		[
			{
				startAt: '2026-03-01',
				endAt: '2026-03-02',
				columnHeaderNames: { renames: [{ field: 'title', header: 'T' }] },
			},
			/"title" is not among the exported Fields/,
		],
	])('rejects bad parameters before any API call (%#)', async (parameters, message) => {
		const error = await leadExport(parameters)
			.run()
			.catch((e) => e);
		expect(error.message).toMatch(message);
		expect(Object.values(harness.emulator.counters()).reduce((a, b) => a + b, 0)).toBe(0);
	});

	it('asks for the status only after a full Poll Interval: the enqueue already answered Queued', async () => {
		// The job completes ~50 ms after the enqueue; a status call at once would hear Queued or Processing
		// and be wasted. One call, a Poll Interval later, sees Completed.
		await leadExport({
			startAt: '2026-03-01',
			endAt: '2026-03-02',
			output: 'file',
			options: { pollIntervalSeconds: 0.5 },
		}).run();
		expect(count(harness.emulator, 'GET /bulk/v1/leads/export/:id/status.json')).toBe(1);
		expect(count(harness.emulator, 'POST /bulk/v1/leads/export/:id/enqueue.json')).toBe(1);
	});

	it('waits while the export queue is full, then succeeds', async () => {
		harness.emulator.faults.failNext('/bulk/v1/leads/export/', 2, {
			code: '1029',
			message: 'Too many jobs (10) in queue',
		});
		const records = jsonOf(await leadExport({ startAt: '2026-03-01', endAt: '2026-03-02' }).run());
		expect(records.length).toBe(
			harness.emulator.data.leadCount({
				createdAt: { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-01T23:59:59Z' },
			}),
		);
	});

	it('stops at once on the daily export quota, with its own message', async () => {
		harness.emulator.faults.failNext('/bulk/v1/leads/export/', 5, {
			code: '1029',
			message: 'Export daily quota 500MB exceeded',
		});
		const started = Date.now();
		const error = await leadExport({
			startAt: '2026-03-01',
			endAt: '2026-03-02',
			options: { pollIntervalSeconds: 2 },
		})
			.run()
			.catch((e) => e);
		expect(Date.now() - started).toBeLessThan(1500);
		expect(error.message).toMatch(
			/daily bulk export quota \(500 MB a day, shared by lead, activity, program member and custom object exports\) is used up\. It resets at 00:00 US Central/,
		);
	});

	it('reports a Failed job', async () => {
		harness.emulator.faults.failNextJob('Internal error while processing');
		const error = await leadExport({ startAt: '2026-03-01', endAt: '2026-03-02' })
			.run()
			.catch((e) => e);
		expect(error.message).toMatch(/export job .* failed: Internal error while processing/);
	});

	it('cancels the job when the timeout is reached', async () => {
		harness.emulator.faults.stuckInQueue(true);
		const error = await leadExport({
			startAt: '2026-03-01',
			endAt: '2026-03-02',
			options: { timeoutMinutes: 0.02 },
		})
			.run()
			.catch((e) => e);
		expect(error.message).toMatch(
			/was still Queued when the timeout was reached; the job was cancelled/,
		);
		expect(error.description).toMatch(/never left Marketo's queue/);
		expect(harness.emulator.data.jobs()[0].status).toBe('Cancelled');
	});

	it('cancels the Marketo job when the n8n execution is cancelled', async () => {
		harness.emulator.faults.stuckInQueue(true);
		const { test, run } = leadExport({ startAt: '2026-03-01', endAt: '2026-03-02' });
		const pending = run();
		await waitFor(() => harness.emulator.data.jobs()[0]?.status === 'Queued');
		test.abort.abort();
		await expect(pending).rejects.toThrow(/cancelled/);
		await waitFor(() => harness.emulator.data.jobs()[0]?.status === 'Cancelled');
	});

	it('carries on when an enqueue went through but its answer was lost', async () => {
		const { test, run } = leadExport({ startAt: '2026-03-01', endAt: '2026-03-03' });
		const helpers = test.context.helpers as unknown as {
			httpRequestWithAuthentication: (...args: unknown[]) => Promise<unknown>;
		};
		const send = helpers.httpRequestWithAuthentication;
		let dropped = false;
		helpers.httpRequestWithAuthentication = async function (this: unknown, ...args: unknown[]) {
			const response = await send.apply(this, args);
			if (!dropped && String((args[1] as { url: string }).url).endsWith('/enqueue.json')) {
				dropped = true; // Marketo queued the job, then the connection broke before the answer arrived.
				throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
			}
			return response;
		};
		const records = jsonOf(await run());
		expect(count(harness.emulator, 'POST /bulk/v1/leads/export/:id/enqueue.json')).toBe(2);
		expect(count(harness.emulator, 'POST /bulk/v1/leads/export/:id/cancel.json')).toBe(0);
		expect(records.length).toBe(
			harness.emulator.data.leadCount({
				createdAt: { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-02T23:59:59Z' },
			}),
		);
	});

	it('does not leave downloads open when reading the field list fails', async () => {
		harness.emulator.faults.failNext('/rest/v1/leads/describe', 100, {
			code: '603',
			message: 'Access denied',
		});
		const items = Array.from({ length: 12 }, () => ({ json: {} }));
		const [out] = await leadExport(
			{ startAt: '2026-03-01', endAt: '2026-03-02' },
			{ items, continueOnFail: true },
		).run();
		expect(out).toHaveLength(12);
		expect(out.every((item) => /^Marketo error 603/.test(String(item.json.error)))).toBe(true);
	});

	it('stops at Max Items that fall exactly on a window end without exporting the next window', async () => {
		const first = harness.emulator.data.leadCount({
			createdAt: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-31T23:59:59Z' },
		});
		const records = jsonOf(
			await leadExport({
				startAt: '2026-01-01',
				endAt: '2026-02-10',
				options: { maxItems: first },
			}).run(),
		);
		expect(records).toHaveLength(first);
		expect(count(harness.emulator, CREATE)).toBe(1);
		expect(String((records[first - 1]._marketoBulk as IDataObject).note)).toMatch(
			/windows from 2026-02-01T00:00:00Z on were not exported/,
		);
	});

	it('never caps File output at Max Items: each file is a whole window', async () => {
		const files = jsonOf(
			await leadExport({
				startAt: '2026-01-01',
				endAt: '2026-02-10',
				output: 'file',
				options: { maxItems: 1 },
			}).run(),
		);
		expect(files).toHaveLength(2);
		expect(count(harness.emulator, CREATE)).toBe(2);
		expect(files.every((f) => f._marketoBulk === undefined)).toBe(true);
	});

	it('stops on cancel even with Continue On Fail', async () => {
		harness.emulator.faults.stuckInQueue(true);
		const { test, run } = leadExport(
			{ startAt: '2026-03-01', endAt: '2026-03-02' },
			{ items: [{ json: {} }, { json: {} }], continueOnFail: true },
		);
		const pending = run();
		await waitFor(() => harness.emulator.data.jobs()[0]?.status === 'Queued');
		test.abort.abort();
		await expect(pending).rejects.toThrow(/cancelled/);
		expect(harness.emulator.data.jobs()).toHaveLength(1);
	});

	it('resumes a dropped download with a Range request and outputs every record once', async () => {
		harness.emulator.faults.dropFileAfterBytes(20_000, 2);
		const range = { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-31T00:00:00Z' };
		const records = jsonOf(await leadExport(range).run());
		expect(count(harness.emulator, 'rangeRequests')).toBe(2);
		expect(records.length).toBe(harness.emulator.data.leadCount({ createdAt: inclusive(range) }));
		expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
	});

	it('resumes a file that ended early without a connection error, and fails one that always does', async () => {
		const range = { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-31T00:00:00Z' };
		const expected = harness.emulator.data.leadCount({ createdAt: inclusive(range) });
		// chunked, then with the short length announced: each response looks complete
		harness.emulator.faults.truncateFileAfterBytes(20_000);
		harness.emulator.faults.truncateFileAfterBytes(15_000, 1, true);
		const records = jsonOf(await leadExport(range).run());
		expect(harness.emulator.faults.pending()).toBe(0);
		expect(count(harness.emulator, 'rangeRequests')).toBe(2);
		expect(records.length).toBe(expected);
		expect(new Set(records.map((r) => r.id)).size).toBe(records.length);

		harness.emulator.faults.truncateFileAfterBytes(1_000, 100, true);
		const error = await leadExport(range)
			.run()
			.catch((e) => e);
		expect(error.message).toMatch(
			/broke off again after 10 resumes \(last at byte 11000 of \d+\).* No data was output/,
		);
	});

	it('fails on a checksum mismatch instead of emitting bad data', async () => {
		harness.emulator.faults.corruptNextChecksum();
		const error = await leadExport({ startAt: '2026-03-01', endAt: '2026-03-10' })
			.run()
			.catch((e) => e);
		expect(error.message).toMatch(
			/sha256 checksum .* differs from the one Marketo reported .* No data was output/,
		);
	});

	it('explains a Completed job whose file is missing', async () => {
		harness.emulator.faults.completedFileMissing();
		const error = await leadExport({ startAt: '2026-03-01', endAt: '2026-03-10' })
			.run()
			.catch((e) => e);
		expect(error.message).toMatch(
			/reports export job .* as completed, but its file is not available \(HTTP 404\)/,
		);
	});

	it('caps the items and says so on the last one', async () => {
		const records = jsonOf(
			await leadExport({
				startAt: '2026-01-01',
				endAt: '2026-03-31',
				options: { maxItems: 25 },
			}).run(),
		);
		expect(records.length).toBe(25);
		expect((records[24]._marketoBulk as IDataObject).capped).toBe(true);
		expect(String((records[24]._marketoBulk as IDataObject).note)).toMatch(
			/Output stopped at Max Items \(25\)/,
		);
		expect(count(harness.emulator, CREATE)).toBe(1);
	});

	it('pairs every output item with its input item and honours Continue On Fail', async () => {
		const { run } = leadExport(
			{ startAt: '={{...}}', endAt: '2026-03-02' },
			{
				items: [{ json: {} }],
				continueOnFail: true,
			},
		);
		const [items] = await run();
		expect(items).toHaveLength(1);
		expect(items[0].json.error).toMatch(/is not a date/);
		expect(items[0].pairedItem).toEqual({ item: 0 });

		const ok = leadExport(
			{ startAt: '2026-03-01', endAt: '2026-03-02' },
			{ items: [{ json: { a: 1 } }, { json: { a: 2 } }] },
		);
		const [both] = await ok.run();
		const half = both.length / 2;
		expect(both.slice(0, half).every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(
			true,
		);
		expect(both.slice(half).every((i) => (i.pairedItem as { item: number }).item === 1)).toBe(true);
	});

	it('streams a File output into the binary store byte for byte, with job metadata', async () => {
		const range = { startAt: '2026-02-01T00:00:00Z', endAt: '2026-02-10T00:00:00Z' };
		const { test, run } = leadExport({ ...range, output: 'file', format: 'TSV' });
		const [items] = await run();
		expect(items).toHaveLength(1);
		const job = harness.emulator.data.jobs()[0];
		const bytes = await readBinary(test, items[0].binary!.data);
		expect(items[0].json).toMatchObject({
			exportId: job.exportId,
			numberOfRecords: job.numberOfRecords,
			fileSize: bytes.length,
			window: { startAt: '2026-02-01T00:00:00Z', endAt: '2026-02-09T23:59:59Z' },
		});
		expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(job.fileChecksum);
		expect(items[0].binary!.data.mimeType).toBe('text/tab-separated-values');
		expect(items[0].binary!.data.fileName).toBe('marketo-leads-2026-02-01_2026-02-09.tsv');
	});

	it('re-encodes a TSV file as CSV on request', async () => {
		const { test, run } = leadExport({
			startAt: '2026-02-01',
			endAt: '2026-02-03',
			output: 'file',
			format: 'TSV',
			fields: ['id', 'address'],
			options: { fileEncoding: 'csv' },
		});
		const [items] = await run();
		const text = (await readBinary(test, items[0].binary!.data)).toString('utf8');
		expect(text.split('\n')[0]).toBe('id,address');
		expect(items[0].binary!.data.mimeType).toBe('text/csv');
	});
});

describe('Export Activities, one step', () => {
	const range = { startAt: '2026-02-01T00:00:00Z', endAt: '2026-02-25T00:00:00Z' };

	it('exports all selected activity types in one job, attributes parsed', async () => {
		const records = jsonOf(await activityExport({ ...range, activityTypeIds: [1, 6, 7] }).run());
		expect(count(harness.emulator, ACTIVITY_CREATE)).toBe(1);
		expect(records.length).toBe(
			harness.emulator.data.activityCount({
				createdAt: inclusive(range),
				activityTypeIds: [1, 6, 7],
			}),
		);
		expect(records.every((r) => [1, 6, 7].includes(r.activityTypeId as number))).toBe(true);
		expect(records.some((r) => r.attributes && typeof r.attributes === 'object')).toBe(true);
		expect(new Set(records.map((r) => r.marketoGUID)).size).toBe(records.length);
	});

	it('flattens attributes on request', async () => {
		const records = jsonOf(
			await activityExport({ ...range, options: { flattenAttributes: true } }).run(),
		);
		expect(records.length).toBeGreaterThan(0);
		expect(records.some((r) => Object.keys(r).some((k) => k.startsWith('attributes.')))).toBe(true);
		expect(records.every((r) => !('attributes' in r) || r.attributes === null)).toBe(true);
	});

	it('splits 100 days into 4 windows without losing or repeating a record at the boundaries', async () => {
		const long = { startAt: '2026-01-01T00:00:00Z', endAt: '2026-04-10T23:59:59Z' };
		const records = jsonOf(await activityExport(long).run());
		expect(count(harness.emulator, ACTIVITY_CREATE)).toBe(4);
		expect(records.length).toBe(
			harness.emulator.data.activityCount({ createdAt: inclusive(long) }),
		);
		expect(new Set(records.map((r) => r.marketoGUID)).size).toBe(records.length);
	});

	it('adds actionResult when chosen and exports a File', async () => {
		const { test, run } = activityExport({
			...range,
			fields: ['marketoGUID', 'leadId', 'actionResult'],
			output: 'file',
		});
		const [items] = await run();
		const text = (await readBinary(test, items[0].binary!.data)).toString('utf8');
		expect(text.split('\n')[0]).toBe('marketoGUID,leadId,actionResult');
	});

	it('resumes a download anywhere, even at a "{" inside an attributes cell, and where the file ends', async () => {
		const fileOf = async () => {
			const { test, run } = activityExport({ ...range, output: 'file' });
			const [items] = await run();
			return readBinary(test, items[0].binary!.data);
		};
		const whole = await fileOf();
		const brace = whole.indexOf('{');
		expect(brace).toBeGreaterThan(0);
		// The resumed part starts with "{": data, not a JSON error envelope.
		harness.emulator.faults.dropFileAfterBytes(brace);
		expect((await fileOf()).equals(whole)).toBe(true);
		// The connection is lost after the last byte: the file is complete, nothing to resume.
		harness.emulator.faults.dropFileAfterBytes(whole.length);
		expect((await fileOf()).equals(whole)).toBe(true);
		expect(count(harness.emulator, 'rangeRequests')).toBe(1);
	});

	it('filters by primary attribute values', async () => {
		const records = jsonOf(
			await activityExport({
				...range,
				activityTypeIds: [24, 25],
				primaryAttributeFilter: 'ids',
				primaryAttributeValueIds: ['1001', '1002'],
			}).run(),
		);
		expect(records.length).toBeGreaterThan(0);
		expect(records.length).toBe(
			harness.emulator.data.activityCount({
				createdAt: inclusive(range),
				activityTypeIds: [24, 25],
				primaryAttributeValueIds: [1001, 1002],
			}),
		);
		expect(records.every((r) => [1001, 1002].includes(r.primaryAttributeValueId as number))).toBe(
			true,
		);
		expect(harness.emulator.data.jobs()[0].filter).toMatchObject({
			primaryAttributeValueIds: [1001, 1002],
			activityTypeIds: [24, 25],
		});
	});

	it.each([
		[{ activityTypeIds: [1, 37] }, /does not support the Delete Lead activity type \(37\)/],
		[
			{ primaryAttributeFilter: 'ids', primaryAttributeValueIds: ['1'] },
			/needs Activity Types of one matching kind/,
		],
		[
			{ activityTypeIds: [24, 13], primaryAttributeFilter: 'names', primaryAttributeValues: ['x'] },
			/The chosen types mix: static list, lead field/,
		],
		[
			{ activityTypeIds: [1], primaryAttributeFilter: 'names', primaryAttributeValues: ['x'] },
			/The chosen types mix: type 1/,
		],
		[
			{
				activityTypeIds: [24],
				primaryAttributeFilter: 'ids',
				primaryAttributeValueIds: Array.from({ length: 51 }, (_, i) => String(i + 1)),
			},
			/at most 50 primary attribute values per job; 51 were given/,
		],
		[
			{
				activityTypeIds: [24],
				primaryAttributeFilter: 'ids',
				primaryAttributeValueIds: ['Webinar list'],
			},
			/"Webinar list" is not a number; use By Name/,
		],
		[{ startAt: '', endAt: '2026-02-01' }, /Activity exports need a date range: Start/],
	])('rejects bad activity filters before any API call (%#)', async (parameters, message) => {
		const error = await activityExport({ ...range, ...parameters })
			.run()
			.catch((e) => e);
		expect(error.message).toMatch(message);
		expect(Object.values(harness.emulator.counters()).reduce((a, b) => a + b, 0)).toBe(0);
	});
});

describe('faults', () => {
	const CANCEL = 'POST /bulk/v1/leads/export/:id/cancel.json';
	const savedLimits = { ...TIME_LIMITS };
	afterEach(() => Object.assign(TIME_LIMITS, savedLimits));

	it('survives connection resets on status.json and file.json as n8n 1.x wraps them', async () => {
		harness.emulator.faults.failNext('status.json', 1, { reset: true });
		harness.emulator.faults.failNext('file.json', 1, { reset: true });
		const range = { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-10T00:00:00Z' };
		const records = jsonOf(await leadExport(range, { n8nMajor: 1 }).run());
		expect(records.length).toBe(harness.emulator.data.leadCount({ createdAt: inclusive(range) }));
		expect(count(harness.emulator, 'GET /bulk/v1/leads/export/:id/file.json')).toBe(2);
	});

	it('sends the cancel once when Marketo answers that the job cannot be cancelled', async () => {
		harness.emulator.faults.stuckInQueue(true);
		harness.emulator.faults.failNext('cancel.json', 1, {
			code: '1003',
			message: 'Export job cannot be cancelled (status: Cancelled)',
		});
		const error = await leadExport({
			startAt: '2026-03-01',
			endAt: '2026-03-02',
			options: { timeoutMinutes: 0.01 },
		})
			.run()
			.catch((e) => e);
		expect(error.message).toMatch(/when the timeout was reached/);
		expect(count(harness.emulator, CANCEL)).toBe(1);
	});

	it("ends a status call that hangs within the run's Timeout, and cancels the job", async () => {
		TIME_LIMITS.minimumMs = 200;
		harness.emulator.faults.stuckInQueue(true);
		harness.emulator.faults.failNext('status.json', 1000, { hang: true });
		const started = Date.now();
		const error = await leadExport({
			startAt: '2026-03-01',
			endAt: '2026-03-02',
			options: { timeoutMinutes: 0.03 },
		})
			.run()
			.catch((e) => e);
		expect(error.message).toMatch(/^Marketo error timeout: Marketo did not answer within/);
		expect(Date.now() - started).toBeLessThan(5000);
		expect(harness.emulator.data.jobs()[0].status).toBe('Cancelled');
	});

	it('resumes a download whose body stops arriving, with a Range request', async () => {
		TIME_LIMITS.streamIdleMs = 300;
		harness.emulator.faults.failNext('file.json', 1, { stallAfterBytes: 20_000 });
		const range = { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-31T00:00:00Z' };
		const records = jsonOf(await leadExport(range).run());
		expect(count(harness.emulator, 'rangeRequests')).toBe(1);
		expect(records.length).toBe(harness.emulator.data.leadCount({ createdAt: inclusive(range) }));
		expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
	});

	describe.each(['Canceled', 'Cancelled'] as const)('a job Marketo reports as %s', (spelling) => {
		let spelled: Harness;
		beforeAll(async () => {
			spelled = await startHarness({ cancelledStatus: spelling, exportProcessingMs: 50 });
		});
		afterAll(async () => {
			await spelled.emulator.close();
		});

		it('stops the export at once when someone else cancels the job', async () => {
			spelled.emulator.faults.stuckInQueue(true);
			const test = spelled.context({
				resource: 'leadExport',
				operation: 'export',
				fields: ['id', 'email'],
				format: 'CSV',
				filterType: 'createdAt',
				startAt: '2026-03-01',
				endAt: '2026-03-02',
				output: 'records',
				options: { ...FAST, timeoutMinutes: 0.1 },
			});
			const pending = customOperations.leadExport.export.call(test.context).catch((e) => e);
			await waitFor(() => spelled.emulator.data.jobs()[0]?.status === 'Queued');
			const { exportId } = spelled.emulator.data.jobs()[0];
			const other = spelled.context({});
			await cancelExportJob(other.context, 'leads', exportId);
			const started = Date.now();
			const error = await pending;
			expect(error.message).toMatch(/was cancelled \(by another user, workflow or tool\)/);
			expect(Date.now() - started).toBeLessThan(2000);
			expect((await getExportJobStatus(other.context, 'leads', exportId)).status).toBe('Cancelled');

			const list = spelled.context({
				resource: 'leadExport',
				operation: 'listJobs',
				statusFilter: ['Cancelled'],
			});
			const [items] = await customOperations.leadExport.listJobs.call(list.context);
			expect(items.map((item) => [item.json.exportId, item.json.status])).toEqual([
				[exportId, 'Cancelled'],
			]);
		});
	});
});

describe('a rate limit shared by many executions', () => {
	it('completes 10 concurrent exports under 25 calls per 20 s with a 1 s Poll Interval', async () => {
		const strict = await startHarness({
			rateLimit: { calls: 25, windowSeconds: 20 },
			exportProcessingMs: 300,
		});
		try {
			// n8n keeps the token in the credential: the executions start with it.
			await marketoRequest(strict.context({}).context, {
				method: 'GET',
				path: '/rest/v1/activities/types.json',
			});
			strict.emulator.resetCounters();
			const started = Date.now();
			const outcomes = await Promise.all(
				Array.from({ length: 10 }, (_, i) => {
					const test = strict.context({
						resource: 'leadExport',
						operation: 'export',
						fields: ['id', 'email'],
						format: 'CSV',
						filterType: 'createdAt',
						startAt: `2026-03-${String(i + 1).padStart(2, '0')}T00:00:00Z`,
						endAt: `2026-03-${String(i + 2).padStart(2, '0')}T00:00:00Z`,
						output: 'records',
						options: { pollIntervalSeconds: 1, timeoutMinutes: 5 },
					});
					return customOperations.leadExport.export.call(test.context).catch((e) => e);
				}),
			);
			const seconds = (Date.now() - started) / 1000;
			const counters = strict.emulator.counters();
			const refused = counters['refused 606'] ?? 0;
			const calls = Object.entries(counters)
				.filter(([key]) => /^(GET|POST) /.test(key))
				.reduce((sum, [, n]) => sum + n, 0);
			console.log(
				`10 exports under 25 calls / 20 s: ${calls} calls (${refused} answered 606), ${seconds.toFixed(1)} s`,
			);
			for (const outcome of outcomes) {
				expect(outcome).not.toBeInstanceOf(Error);
				expect((outcome as INodeExecutionData[][])[0].length).toBeGreaterThan(0);
			}
			expect(strict.emulator.data.jobs().every((job) => job.status === 'Completed')).toBe(true);
		} finally {
			await strict.emulator.close();
		}
	}, 300_000);
});

describe('single job steps', () => {
	it('create (≤ 31 days), download a completed job by exportId', async () => {
		const create = harness.context({
			resource: 'leadExport',
			operation: 'createJob',
			fields: ['id', 'email'],
			format: 'CSV',
			filterType: 'createdAt',
			startAt: '2026-03-01T00:00:00Z',
			endAt: '2026-03-05T00:00:00Z',
		});
		const [[created]] = await customOperations.leadExport.createJob.call(create.context);
		expect(created.json.status).toBe('Created');
		const exportId = String(created.json.exportId);

		const tooLong = harness.context({ ...create.node.parameters, endAt: '2026-04-15T00:00:00Z' });
		await expect(customOperations.leadExport.createJob.call(tooLong.context)).rejects.toThrow(
			/one Marketo job covers at most 31 days/,
		);

		const early = harness.context({
			resource: 'leadExport',
			operation: 'downloadFile',
			exportId,
			options: {},
		});
		await expect(customOperations.leadExport.downloadFile.call(early.context)).rejects.toThrow(
			/is Created; only a Completed job has a file/,
		);

		const { enqueueExportJob, getExportJobStatus } = await import(
			'../../nodes/MarketoBulk/export/job'
		);
		await enqueueExportJob(create.context, 'leads', exportId);
		await waitFor(
			async () =>
				(await getExportJobStatus(create.context, 'leads', exportId)).status === 'Completed',
		);
		const download = harness.context({
			resource: 'leadExport',
			operation: 'downloadFile',
			exportId,
			options: {},
		});
		const [[file]] = await customOperations.leadExport.downloadFile.call(download.context);
		const bytes = await readBinary(download, file.binary!.data);
		expect(file.json.exportId).toBe(exportId);
		expect(bytes.length).toBe(file.json.fileSize);
	});
});

describe('memory', () => {
	it('keeps the heap flat while a 200k-row export streams into a File', async () => {
		await harness.emulator.close();
		harness = await startHarness({
			leads: { count: 200_000, start: '2026-01-01T00:00:00Z', end: '2026-01-20T00:00:00Z' },
			exportProcessingMs: 10,
		});
		const { test, run } = leadExport({
			startAt: '2026-01-01',
			endAt: '2026-01-21',
			output: 'file',
		});
		const baseline = process.memoryUsage().heapUsed;
		let peak = baseline;
		const sampler = setInterval(() => {
			peak = Math.max(peak, process.memoryUsage().heapUsed);
		}, 5);
		const [items] = await run();
		clearInterval(sampler);
		const fileSize = Number(items[0].json.fileSize);
		expect(items[0].json.numberOfRecords).toBe(200_000);
		expect(fileSize).toBeGreaterThan(20_000_000);
		expect((await readBinary(test, items[0].binary!.data)).length).toBe(fileSize);
		// The file never sits in the heap: growth stays far below its size.
		expect(peak - baseline).toBeLessThan(fileSize / 3);
	}, 120_000);

	it('outputs 200k records from one window (no argument-count overflow)', async () => {
		const records = jsonOf(
			await leadExport({ startAt: '2026-01-01', endAt: '2026-01-21', fields: ['id'] }).run(),
		);
		expect(records).toHaveLength(200_000);
	}, 120_000);
});

/** The node's End is exclusive; Marketo's (and the emulator's) endAt is inclusive, to the second. */
function inclusive(range: { startAt: string; endAt: string }) {
	return {
		startAt: range.startAt,
		endAt: new Date(Date.parse(range.endAt) - 1000).toISOString().replace('.000Z', 'Z'),
	};
}

async function collect<T>(source: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
	const out: T[] = [];
	for await (const item of source as AsyncIterable<T>) out.push(item);
	return out;
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > until) throw new Error('condition not reached in time');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

describe('daily export quota', () => {
	it("sums this API user's exports completed today (US Central) and quotes it when Marketo says the quota is used up", async () => {
		const quota = await startHarness({
			leads: { count: 3000, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
			activities: { count: 4000, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
			exportProcessingMs: 20,
			dailyExportQuotaBytes: 40_000,
		});
		try {
			const run = (resource: string, operation: string, parameters: IDataObject = {}) => {
				const test = quota.context({
					resource,
					operation,
					format: 'CSV',
					output: 'file',
					startAt: '2026-03-01',
					endAt: '2026-03-03',
					...(resource === 'leadExport'
						? { fields: ['id', 'email'], filterType: 'createdAt' }
						: {}),
					...parameters,
					options: FAST,
				});
				return customOperations[resource][operation].call(test.context);
			};
			// a job that finished yesterday (Marketo's day) does not count today
			quota.emulator.setNow(new Date(Date.now() - 36 * 3600_000));
			await run('leadExport', 'export');
			quota.emulator.setNow(null);
			const [[leads]] = await run('leadExport', 'export');
			const [[activities]] = await run('activityExport', 'export');
			const today = Number(leads.json.fileSize) + Number(activities.json.fileSize);

			for (const resource of ['leadExport', 'activityExport']) {
				const [[usage]] = await run(resource, 'getQuotaUsage');
				expect(usage.json).toMatchObject({
					usedBytes: today,
					quotaBytes: 500 * 1024 * 1024,
					completedJobs: { leads: 1, activities: 1 },
					note: expect.stringMatching(/other API users/),
				});
				expect(usage.json.day).toBe(
					new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Chicago' }).format(new Date()),
				);
			}

			// the emulator's quota is 40 kB: the next export is refused, and the error says what we used
			let error: { message: string; description?: string } | undefined;
			for (let k = 0; k < 20 && !error; k++)
				await run('leadExport', 'export', { startAt: '2026-03-03', endAt: '2026-03-10' }).catch(
					(e) => (error = e),
				);
			expect(error?.message).toMatch(/^Marketo error 1029: Export daily quota/);
			expect(error?.description).toMatch(
				/^This API user's exports completed today \(\d{4}-\d\d-\d\d, US Central\): [\d.]+ MB of 500 MB in \d+ jobs; exports of other API users count too/,
			);
		} finally {
			await quota.emulator.close();
		}
	});
});

describe('a record count that disagrees with the file', () => {
	it('outputs the rows of the verified file and says so on the last item', async () => {
		const own = await startHarness({
			leads: { count: 3000, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
			exportProcessingMs: 20,
		});
		try {
			own.emulator.faults.miscountNextJob(2);
			const test = own.context({
				resource: 'leadExport',
				operation: 'export',
				fields: ['id', 'email'],
				format: 'CSV',
				filterType: 'createdAt',
				output: 'records',
				startAt: '2026-03-01',
				endAt: '2026-03-03',
				options: FAST,
			});
			const items = jsonOf(await customOperations.leadExport.export.call(test.context));
			const truth = own.emulator.data.leadCount({
				createdAt: { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-02T23:59:59Z' },
			});
			expect(truth).toBeGreaterThan(0);
			expect(items).toHaveLength(truth);
			expect(items[items.length - 1]._marketoBulk).toMatchObject({
				recordCountMismatch: true,
				note: expect.stringMatching(
					new RegExp(
						`^Marketo reported ${truth + 2} records for job .*, but its file \\(size and checksum verified\\) holds ${truth}\\.`,
					),
				),
			});
			expect(items.slice(0, -1).some((item) => '_marketoBulk' in item)).toBe(false);
		} finally {
			await own.emulator.close();
		}
	});
});
