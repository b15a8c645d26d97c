/**
 * The Marketo Bulk Trigger against the emulator, over HTTP, poll after poll with the static data n8n
 * would keep. One clock drives both sides: the emulator's (its `now` option) and the trigger's (Date.now),
 * so the tests can let hours pass between polls in milliseconds.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { createExportJob, enqueueExportJob } from '../../nodes/MarketoBulk/export/job';
import type { ExportKind } from '../../nodes/MarketoBulk/export/request';
import { MarketoBulkTrigger } from '../../nodes/MarketoBulk/MarketoBulkTrigger.node';
import { readState, type DataState, type JobsState } from '../../nodes/MarketoBulk/trigger/state';
import { startEmulator, type MarketoEmulator } from '../emulator';
import { credentialStore, readBinary, type TestContext } from '../helpers/n8nContext';
import { count, startHarness, type Harness } from '../helpers/setup';
import { seeded } from '../helpers/random';

const realNow = Date.now.bind(Date);
let shift = 0;
const testNow = () => realNow() + shift;
const setClock = (iso: string) => {
	shift = Date.parse(iso) - realNow();
};
const advance = (seconds: number) => {
	shift += seconds * 1000;
};

const iso = (sec: number) => new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
const LEAD_CREATE = 'POST /bulk/v1/leads/export/create.json';

let harness: Harness;
const trigger = new MarketoBulkTrigger();

beforeAll(async () => {
	jest.spyOn(Date, 'now').mockImplementation(testNow);
	harness = await startHarness({
		now: () => new Date(testNow()),
		leads: { count: 3000, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
		activities: { count: 4000, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
		exportProcessingMs: 5,
		tokenTtlSeconds: 10 * 365 * 86_400,
		rateLimit: { calls: 100_000, windowSeconds: 20 },
	});
});
afterAll(async () => {
	await harness.emulator.close();
	jest.restoreAllMocks();
});
beforeEach(() => {
	harness.emulator.reset();
	setClock('2026-03-01T00:00:30Z');
});

const BASE = {
	event: 'newLeads',
	fields: ['id', 'email', 'firstName', 'createdAt'],
	format: 'CSV',
	output: 'records',
	startFrom: 'now',
	options: { safetyLagSeconds: 60, overlapSeconds: 120, minStatusIntervalSeconds: 0 },
};

function context(
	parameters: IDataObject,
	staticData: IDataObject,
	mode: 'trigger' | 'manual' = 'trigger',
): TestContext {
	return harness.context(
		{
			...BASE,
			...parameters,
			options: { ...BASE.options, ...((parameters.options as IDataObject) ?? {}) },
		},
		{ staticData, mode },
	);
}

async function pollOnce(
	parameters: IDataObject,
	staticData: IDataObject,
	mode: 'trigger' | 'manual' = 'trigger',
) {
	return await trigger.poll.call(context(parameters, staticData, mode).context);
}

/** Lets the emulator finish what is queued (jobs process in a few ms of real time). */
async function settle(emulator: MarketoEmulator = harness.emulator): Promise<void> {
	for (let i = 0; i < 400; i++) {
		if (!emulator.data.jobs().some((job) => job.status === 'Queued' || job.status === 'Processing'))
			return;
		await new Promise((resolve) => setImmediate(resolve));
		await new Promise((resolve) => setTimeout(resolve, 2));
	}
	throw new Error('emulator jobs did not finish');
}

const jsons = (output: INodeExecutionData[][] | null) =>
	(output?.[0] ?? []).map((item) => item.json);
const dataState = (store: IDataObject) => readState<DataState>(store, 'data')!;
const inFlight = () =>
	harness.emulator.data.jobs().filter((j) => j.status === 'Queued' || j.status === 'Processing')
		.length;

describe('New Leads: exactly once across polls', () => {
	it.each([
		['with the static data kept in memory', false],
		['with n8n restarted before every poll (static data reloaded from JSON)', true],
	])(
		'emits each lead once over many polls while new leads keep arriving, %s',
		async (_name, restart) => {
			const emulator = harness.emulator;
			let store: IDataObject = {};
			expect(await pollOnce({}, store)).toBeNull(); // activation: probe, start at Marketo's now
			const floor = dataState(store).floor;
			expect(iso(floor)).toBe('2026-03-01T00:00:30Z');
			const next = seeded(restart ? 11 : 5);
			const emitted: number[] = [];
			for (let poll = 0; poll < 40; poll++) {
				advance(600 + next(3 * 3600));
				const now = Math.floor(testNow() / 1000);
				emulator.data.addLeads(next(4), new Date(now * 1000));
				// Leads that become visible late, stamped up to 100 s ago (inside the 120 s overlap).
				if (next(3) === 0) emulator.data.addLeads(1 + next(2), new Date((now - next(100)) * 1000));
				if (next(4) === 0) emulator.faults.stuckInQueue(true);
				if (restart) store = JSON.parse(JSON.stringify(store));
				for (const record of jsons(await pollOnce({}, store))) emitted.push(record.id as number);
				expect(inFlight()).toBeLessThanOrEqual(1);
				emulator.faults.stuckInQueue(false);
				await settle();
			}
			for (let i = 0; i < 6; i++) {
				advance(3600);
				for (const record of jsons(await pollOnce({}, store))) emitted.push(record.id as number);
				await settle();
			}
			const watermark = dataState(store).watermark;
			const range = { createdAt: { startAt: iso(floor), endAt: iso(watermark) } };
			const expected = [...emulator.data.leads(range)]
				.map((lead) => Number(lead.id))
				.sort((a, b) => a - b);
			expect(new Set(emitted).size).toBe(emitted.length);
			expect(emitted.length).toBe(emulator.data.leadCount(range));
			expect([...emitted].sort((a, b) => a - b)).toEqual(expected);
			expect(expected.length).toBeGreaterThan(100);
			expect(watermark).toBeGreaterThan(Math.floor(testNow() / 1000) - 3 * 3600);
		},
	);

	it('retries a Failed job for the same window on the next poll', async () => {
		const emulator = harness.emulator;
		const store: IDataObject = {};
		await pollOnce({}, store);
		const floor = dataState(store).floor;
		advance(2 * 86_400);
		emulator.faults.failNextJob('Export failed due to an internal error');
		expect(await pollOnce({}, store)).toBeNull(); // starts the job
		const first = dataState(store).job!;
		await settle();
		expect(emulator.data.jobs().find((j) => j.exportId === first.exportId)!.status).toBe('Failed');
		advance(60);
		expect(await pollOnce({}, store)).toBeNull(); // sees Failed
		expect(dataState(store).job).toBeUndefined();
		advance(60);
		await pollOnce({}, store); // retried
		const retry = dataState(store).job!;
		expect(retry.exportId).not.toBe(first.exportId);
		expect(retry.startAt).toBe(first.startAt);
		await settle();
		advance(60);
		const records = jsons(await pollOnce({}, store));
		const range = { createdAt: { startAt: iso(floor), endAt: retry.endAt } };
		expect(records.length).toBe(emulator.data.leadCount(range));
		expect(records.length).toBeGreaterThan(20);
		expect(records[0]).toEqual({
			id: expect.any(Number),
			email: expect.anything(),
			firstName: expect.anything(),
			createdAt: expect.any(String),
		});
	});

	it('reuses the saved job after a failed download instead of exporting again (quota spent once)', async () => {
		const emulator = harness.emulator;
		let store: IDataObject = {};
		await pollOnce({}, store);
		const floor = dataState(store).floor;
		advance(2 * 86_400);
		await pollOnce({}, store);
		const job = dataState(store).job!;
		await settle();
		const creates = count(emulator, LEAD_CREATE);
		// The probe takes one file response; the download and its 10 resumes take the other 11.
		emulator.faults.dropFileAfterBytes(20, 12);
		advance(60);
		store = JSON.parse(JSON.stringify(store));
		await expect(pollOnce({}, store)).rejects.toThrow(/broke off|connection/);
		expect(dataState(store).job!.exportId).toBe(job.exportId);
		let output: INodeExecutionData[][] | null = null;
		for (let attempt = 0; attempt < 4 && output === null; attempt++) {
			advance(60);
			store = JSON.parse(JSON.stringify(store)); // and n8n restarted
			output = await pollOnce({}, store).catch(() => null);
		}
		const records = jsons(output);
		expect(records.length).toBe(
			emulator.data.leadCount({ createdAt: { startAt: iso(floor), endAt: job.endAt } }),
		);
		// No second export of that window: the only create since is the next window's.
		expect(count(emulator, LEAD_CREATE) - creates).toBe(1);
		expect(dataState(store).job!.startAt).not.toBe(job.startAt);
	});

	it('gives a job up after its file failed to download three times, exports the window again, and tells once', async () => {
		const emulator = harness.emulator;
		const store: IDataObject = {};
		await pollOnce({}, store);
		const floor = dataState(store).floor;
		advance(86_400);
		emulator.faults.corruptNextChecksum();
		await pollOnce({}, store);
		const first = dataState(store).job!;
		await settle();
		for (let i = 0; i < 2; i++) {
			advance(60);
			await expect(pollOnce({}, store)).rejects.toThrow(/checksum/);
		}
		advance(60);
		expect(await pollOnce({}, store)).toBeNull();
		advance(60);
		await expect(pollOnce({}, store)).rejects.toThrow(/failed to download 3 times/);
		advance(60);
		await pollOnce({}, store);
		const again = dataState(store).job!;
		expect(again.exportId).not.toBe(first.exportId);
		expect(again.startAt).toBe(first.startAt);
		await settle();
		advance(60);
		const records = jsons(await pollOnce({}, store));
		expect(records.length).toBe(
			emulator.data.leadCount({ createdAt: { startAt: iso(floor), endAt: again.endAt } }),
		);
	});

	it('pauses on the daily export quota, says so once, and resumes after 00:00 US Central without losing a lead', async () => {
		const emulator = await startEmulator({
			now: () => new Date(testNow()),
			leads: { count: 3000, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
			exportProcessingMs: 5,
			tokenTtlSeconds: 10 * 365 * 86_400,
			dailyExportQuotaBytes: 2000,
		});
		try {
			const credentials = credentialStore(
				`${emulator.url}/rest`,
				emulator.clientId,
				emulator.clientSecret,
			);
			const ctx = (store: IDataObject) =>
				harness.context(
					{ ...BASE, options: { ...BASE.options } },
					{ staticData: store, credentials },
				).context;
			setClock('2026-03-01T12:00:30Z');
			const store: IDataObject = {};
			await trigger.poll.call(ctx(store));
			const floor = dataState(store).floor;
			advance(5 * 86_400); // 5 days of leads: the file is larger than the 2000-byte quota
			await trigger.poll.call(ctx(store));
			await settle(emulator);
			advance(60);
			const emitted: number[] = jsons(await trigger.poll.call(ctx(store))).map(
				(r) => r.id as number,
			);
			expect(emitted.length).toBeGreaterThan(50);
			advance(3600);
			await expect(trigger.poll.call(ctx(store))).rejects.toThrow(
				/daily bulk export quota is used up/,
			);
			for (let i = 0; i < 4; i++) {
				advance(1800);
				expect(await trigger.poll.call(ctx(store))).toBeNull(); // said once; quiet until the reset
			}
			// 2026-03-06 ~16:30 UTC; the quota resets at 2026-03-07T06:00:00Z.
			setClock('2026-03-07T06:05:00Z');
			for (let i = 0; i < 4; i++) {
				emitted.push(...jsons(await trigger.poll.call(ctx(store))).map((r) => r.id as number));
				await settle(emulator);
				advance(60);
			}
			const watermark = dataState(store).watermark;
			expect(watermark).toBeGreaterThan(Date.parse('2026-03-07T05:00:00Z') / 1000);
			const range = { createdAt: { startAt: iso(floor), endAt: iso(watermark) } };
			expect(new Set(emitted).size).toBe(emitted.length);
			expect(emitted.length).toBe(emulator.data.leadCount(range));
		} finally {
			await emulator.close();
		}
	});
});

describe('Backfill', () => {
	it('exports 100 days as 4 windows of at most 31 days, one job at a time, with exact counts', async () => {
		const emulator = harness.emulator;
		setClock('2026-04-11T00:00:30Z');
		const parameters = { startFrom: 'date', startDate: '2026-01-01T00:00:00Z', output: 'file' };
		const store: IDataObject = {};
		const files: IDataObject[] = [];
		const tests: TestContext[] = [];
		for (let poll = 0; poll < 20 && files.length < 4; poll++) {
			const test = context(parameters, store);
			tests.push(test);
			const output = await trigger.poll.call(test.context);
			for (const item of output?.[0] ?? []) {
				files.push(item.json);
				const bytes = await readBinary(test, item.binary!.data);
				expect(bytes.length).toBe(item.json.fileSize);
			}
			expect(inFlight()).toBeLessThanOrEqual(1);
			await settle();
			advance(60);
		}
		const windows = files.map((f) => f.window as { startAt: string; endAt: string });
		expect(windows.map((w) => w.startAt)).toEqual([
			'2026-01-01T00:00:00Z',
			'2026-02-01T00:00:00Z',
			'2026-03-04T00:00:00Z',
			'2026-04-04T00:00:00Z',
		]);
		expect(windows.slice(0, 3).map((w) => w.endAt)).toEqual([
			'2026-01-31T23:59:59Z',
			'2026-03-03T23:59:59Z',
			'2026-04-03T23:59:59Z',
		]);
		// Leads sit on day boundaries: each lands in exactly one window.
		for (const file of files) {
			const window = file.window as { startAt: string; endAt: string };
			expect(file.numberOfRecords).toBe(emulator.data.leadCount({ createdAt: window }));
		}
		const last = windows[3].endAt;
		const total = files.reduce((sum, f) => sum + (f.numberOfRecords as number), 0);
		expect(total).toBe(
			emulator.data.leadCount({ createdAt: { startAt: '2026-01-01T00:00:00Z', endAt: last } }),
		);
		// One job per window (the probe at activation was cancelled before it was enqueued).
		const windowJobs = emulator.data
			.jobs()
			.filter(
				(j) =>
					j.status !== 'Cancelled' &&
					(j.filter as IDataObject & { createdAt: { startAt: string } }).createdAt.startAt <
						'2026-04-05',
			);
		expect(windowJobs).toHaveLength(4);
	});

	it('backfills Records with the overlap de-duplicated: every lead once', async () => {
		const emulator = harness.emulator;
		setClock('2026-04-11T00:00:30Z');
		const store: IDataObject = {};
		const emitted: number[] = [];
		for (
			let poll = 0;
			poll < 20 &&
			(readState<DataState>(store, 'data')?.watermark ?? 0) <
				Date.parse('2026-04-10T00:00:00Z') / 1000;
			poll++
		) {
			emitted.push(
				...jsons(
					await pollOnce(
						{ startFrom: 'date', startDate: '2026-01-01', options: { overlapSeconds: 86_400 } },
						store,
					),
				).map((r) => r.id as number),
			);
			await settle();
			advance(60);
		}
		const range = {
			createdAt: { startAt: '2026-01-01T00:00:00Z', endAt: iso(dataState(store).watermark) },
		};
		expect(new Set(emitted).size).toBe(emitted.length);
		expect(emitted.length).toBe(emulator.data.leadCount(range));
		const windowJobs = emulator.data
			.jobs()
			.filter(
				(j) =>
					j.status === 'Completed' &&
					(j.filter as IDataObject & { createdAt: { startAt: string } }).createdAt.startAt <
						'2026-04-05',
			);
		expect(windowJobs).toHaveLength(4);
	});
});

describe('Updated Leads and New Activities', () => {
	it('Updated Leads exports by the updatedAt filter, each change once', async () => {
		const emulator = harness.emulator;
		const store: IDataObject = {};
		const emitted: string[] = [];
		await pollOnce({ event: 'updatedLeads', fields: ['id', 'email'] }, store);
		const floor = dataState(store).floor;
		for (let i = 0; i < 8; i++) {
			advance(6 * 3600);
			for (const r of jsons(
				await pollOnce({ event: 'updatedLeads', fields: ['id', 'email'] }, store),
			)) {
				expect(Object.keys(r)).toEqual(['id', 'email']); // updatedAt was exported for de-duplication only
				emitted.push(String(r.id));
			}
			await settle();
		}
		const range = { updatedAt: { startAt: iso(floor), endAt: iso(dataState(store).watermark) } };
		expect(emitted.length).toBe(emulator.data.leadCount(range));
		expect(emitted.length).toBeGreaterThan(10);
		const created = emulator.data.jobs().find((j) => j.status === 'Completed')!;
		expect(created.filter).toHaveProperty('updatedAt');
	});

	it('says clearly what 1035 means for Updated Leads, and what New Leads can and cannot catch', async () => {
		const emulator = await startEmulator({
			disabledFilters: ['updatedAt'],
			now: () => new Date(testNow()),
		});
		try {
			const test = harness.context(
				{ ...BASE, event: 'updatedLeads' },
				{
					staticData: {},
					credentials: credentialStore(
						`${emulator.url}/rest`,
						emulator.clientId,
						emulator.clientSecret,
					),
				},
			);
			await expect(trigger.poll.call(test.context)).rejects.toMatchObject({
				message: expect.stringMatching(/1035.*Updated At filter/),
				description: expect.stringMatching(/New Leads.*does not see later changes/),
			});
		} finally {
			await emulator.close();
		}
	});

	it('New Activities honours activity types, each activity once (by marketoGUID)', async () => {
		const emulator = harness.emulator;
		const parameters = {
			event: 'newActivities',
			fields: ['leadId', 'activityDate', 'activityTypeId'],
			activityTypeIds: ['1', '12'],
		};
		const store: IDataObject = {};
		await pollOnce(parameters, store);
		const floor = dataState(store).floor;
		const emitted: IDataObject[] = [];
		for (let i = 0; i < 6; i++) {
			advance(8 * 3600);
			emulator.data.addActivities(3);
			emitted.push(...jsons(await pollOnce(parameters, store)));
			await settle();
		}
		const range = {
			createdAt: { startAt: iso(floor), endAt: iso(dataState(store).watermark) },
			activityTypeIds: [1, 12],
		};
		expect(emitted.length).toBe(emulator.data.activityCount(range));
		expect(emitted.length).toBeGreaterThan(5);
		for (const record of emitted) {
			expect([1, 12]).toContain(record.activityTypeId);
			expect(record).not.toHaveProperty('marketoGUID');
		}
	});
});

describe('Export Job Completed', () => {
	async function startJob(body: IDataObject, kind: Exclude<ExportKind, 'customObjects'> = 'leads') {
		const { context: ctx } = harness.context({});
		const job = await createExportJob(ctx, kind, body);
		await enqueueExportJob(ctx, kind, job.exportId);
		return job.exportId;
	}
	const body = (day: number) => ({
		fields: ['id', 'email'],
		format: 'CSV',
		filter: {
			createdAt: {
				startAt: `2026-02-${String(day).padStart(2, '0')}T00:00:00Z`,
				endAt: `2026-02-${String(day).padStart(2, '0')}T23:59:59Z`,
			},
		},
	});

	it('emits each job once when it completes, including jobs started elsewhere, across restarts', async () => {
		const before = await startJob(body(1));
		await settle();
		const parameters = {
			event: 'jobCompleted',
			exportType: 'leads',
			jobStatuses: ['Completed'],
			jobOutput: 'jobs',
		};
		let store: IDataObject = {};
		expect(await pollOnce(parameters, store)).toBeNull(); // activation: jobs already done are the baseline
		const started: string[] = [];
		const emitted: string[] = [];
		for (let i = 0; i < 8; i++) {
			if (i < 5) started.push(await startJob(body(2 + i)));
			if (i === 2) harness.emulator.faults.failNextJob();
			await settle();
			advance(61);
			store = JSON.parse(JSON.stringify(store));
			for (const job of jsons(await pollOnce(parameters, store)))
				emitted.push(job.exportId as string);
		}
		const failed = harness.emulator.data
			.jobs()
			.filter((j) => j.status === 'Failed')
			.map((j) => j.exportId);
		expect(failed).toHaveLength(1);
		expect(emitted.sort()).toEqual(started.filter((id) => !failed.includes(id)).sort());
		expect(emitted).not.toContain(before);
		expect(readState<JobsState>(store, 'jobs')!.emitted).toHaveLength(4);
	});

	it("emits a completed job's records, and Failed jobs when chosen", async () => {
		const parameters = {
			event: 'jobCompleted',
			exportType: 'leads',
			jobStatuses: ['Completed', 'Failed'],
			jobOutput: 'records',
		};
		const store: IDataObject = {};
		await pollOnce(parameters, store);
		const ok = await startJob(body(3));
		await settle();
		harness.emulator.faults.failNextJob('boom');
		const bad = await startJob(body(4));
		await settle();
		advance(61);
		const out = jsons(await pollOnce(parameters, store));
		const records = out.filter((r) => r.id !== undefined);
		expect(records.length).toBe(
			harness.emulator.data.leadCount({ createdAt: body(3).filter.createdAt }),
		);
		expect(typeof records[0].id).toBe('number');
		expect(out.filter((r) => r.status === 'Failed').map((r) => r.exportId)).toEqual([bad]);
		expect(out.some((r) => r.exportId === ok)).toBe(false); // Records output: the job's rows, not its details
		advance(61);
		expect(await pollOnce(parameters, store)).toBeNull();
	});
	it('watches program member export jobs: typed records of each, with the programId column', async () => {
		const parameters = {
			event: 'jobCompleted',
			exportType: 'programMembers',
			jobStatuses: ['Completed'],
			jobOutput: 'records',
		};
		const store: IDataObject = {};
		await pollOnce(parameters, store);
		await startJob(body(5)); // a lead job: not this trigger's kind
		const webinar = { programIds: [3002, 3003], statusNames: ['Attended'] };
		await startJob(
			{ fields: ['leadId', 'statusName'], format: 'CSV', filter: webinar },
			'programMembers',
		);
		await settle();
		advance(61);
		const out = jsons(await pollOnce(parameters, store));
		const expected = [3002, 3003].flatMap((programId) =>
			harness.emulator.data
				.programMembers(programId)
				.filter((m) => m.statusName === 'Attended')
				.map((m) => ({ programId, leadId: Number(m.leadId), statusName: 'Attended' })),
		);
		expect(expected.length).toBeGreaterThan(10);
		expect(out).toEqual(expected);
		advance(61);
		expect(await pollOnce(parameters, store)).toBeNull();
	});
});

describe('Manual mode (Fetch Test Event)', () => {
	it('returns a small real sample without touching the saved state', async () => {
		const emulator = harness.emulator;
		const store: IDataObject = {};
		await pollOnce({}, store);
		advance(3 * 86_400);
		await pollOnce({}, store); // a job in flight
		const saved = JSON.stringify(store);
		const before = count(emulator, LEAD_CREATE);

		const first = jsons(await pollOnce({}, store, 'manual'));
		expect(first.length).toBeGreaterThan(0);
		expect(first.length).toBeLessThanOrEqual(10);
		expect(Object.keys(first[0])).toEqual(['id', 'email', 'firstName', 'createdAt']);
		expect(JSON.stringify(store)).toBe(saved);
		const created = count(emulator, LEAD_CREATE) - before;
		expect(created).toBeLessThanOrEqual(1);

		// Again: the completed sample job is found by List Jobs and read with one ranged request.
		const again = jsons(await pollOnce({}, store, 'manual'));
		expect(again).toEqual(first);
		expect(count(emulator, LEAD_CREATE) - before).toBe(created);
		expect(JSON.stringify(store)).toBe(saved);
	});

	it('samples File output as a small binary file', async () => {
		const test = context({ output: 'file' }, {}, 'manual');
		const output = await trigger.poll.call(test.context);
		const item = output![0][0];
		expect(item.json.sample).toBe(true);
		const text = (await readBinary(test, item.binary!.data)).toString('utf8');
		expect(text.split('\n')[0]).toBe('id,email,firstName,createdAt');
		expect(item.json.sampleRecords).toBeGreaterThan(0);
	});
});
