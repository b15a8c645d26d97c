/**
 * Program Member Export over HTTP against the emulator: each filter and their combinations, the program
 * limit, Updated At windows, status-name errors, the programId column of multi-program exports, typed
 * Records and File output. Expected members come from the emulator's membership data read directly
 * (data.programMembers), never from the code that filters exports.
 */
import { createHash } from 'crypto';
import type { IDataObject, ILoadOptionsFunctions, INodeExecutionData } from 'n8n-workflow';

import { customOperations } from '../../nodes/MarketoBulk/actions/router';
import { enqueueExportJob, getExportJobStatus } from '../../nodes/MarketoBulk/export/job';
import { listSearch, loadOptions } from '../../nodes/MarketoBulk/methods';
import { readBinary } from '../helpers/n8nContext';
import { count, startHarness, type Harness } from '../helpers/setup';

const CREATE = 'POST /bulk/v1/program/members/export/create.json';
const CONTENT = 3001;
const WEBINAR = 3002;
const NURTURE = 3003;
const TRADESHOW = 3004;
const FAST = { pollIntervalSeconds: 0.05, timeoutMinutes: 1 };
const FIELDS = ['leadId', 'email', 'statusName', 'membershipDate', 'reachedSuccess', 'updatedAt'];

type Row = Record<string, string | null>;

let harness: Harness;

beforeAll(async () => {
	harness = await startHarness({ exportProcessingMs: 30 });
});
afterAll(async () => {
	await harness.emulator.close();
});
beforeEach(() => {
	harness.emulator.reset();
});

/** The Programs parameter as the editor saves it: one entry per program, each a picker value. */
const programs = (...ids: Array<number | string>) => ({
	program: ids.map((id, k) => ({
		program: { __rl: true, mode: k % 2 ? 'id' : 'list', value: String(id) },
	})),
});

function memberExport(parameters: IDataObject) {
	const test = harness.context({
		resource: 'programMemberExport',
		operation: 'export',
		fields: FIELDS,
		format: 'CSV',
		output: 'records',
		...parameters,
		options: { ...FAST, ...((parameters.options as IDataObject) ?? {}) },
	});
	return {
		test,
		run: () => customOperations.programMemberExport.export.call(test.context),
		createJob: () => customOperations.programMemberExport.createJob.call(test.context),
	};
}

const jsonOf = (output: INodeExecutionData[][]) => output[0].map((item) => item.json);
const members = (...ids: number[]): Row[] =>
	ids.flatMap((id) => harness.emulator.data.programMembers(id));
const leadIds = (rows: Array<IDataObject | Row>) => rows.map((r) => Number(r.leadId));
/** The emulator's call counters that counted something. */
const calls = () =>
	Object.fromEntries(Object.entries(harness.emulator.counters()).filter(([, n]) => n > 0));
const lastFilter = () => harness.emulator.data.jobs().at(-1)!.filter as IDataObject;
const inRange = (row: Row, startAt: string, endAt: string) =>
	Date.parse(row.updatedAt!) >= Date.parse(startAt) &&
	Date.parse(row.updatedAt!) < Date.parse(endAt);

describe('Program Member Export, one step', () => {
	it("exports one program's members as typed records (lead and member fields), in one job", async () => {
		const records = jsonOf(await memberExport({ programs: programs(WEBINAR) }).run());
		const expected = members(WEBINAR);
		expect(expected.length).toBeGreaterThan(100);
		expect(leadIds(records)).toEqual(leadIds(expected));
		expect(Object.keys(records[0])).toEqual(FIELDS);
		records.forEach((record, k) => {
			const row = expected[k];
			expect(record.leadId).toBe(Number(row.leadId));
			expect(record.email).toBe(harness.emulator.data.getLead(Number(row.leadId))!.email ?? null);
			expect(record.statusName).toBe(row.statusName);
			expect(record.reachedSuccess).toBe(row.reachedSuccess === 'true');
			expect(record.membershipDate).toBe(row.membershipDate);
		});
		expect(lastFilter()).toEqual({ programId: WEBINAR });
		expect(count(harness.emulator, CREATE)).toBe(1);
	});

	it('keeps the programId column Marketo puts first for several programs, typed', async () => {
		const records = jsonOf(
			await memberExport({ programs: programs(WEBINAR, TRADESHOW), fields: ['leadId'] }).run(),
		);
		expect(lastFilter()).toEqual({ programIds: [WEBINAR, TRADESHOW] });
		// program member fields only: the lead describe is not asked
		expect(count(harness.emulator, 'GET /rest/v1/programs/members/describe.json')).toBe(1);
		expect(count(harness.emulator, 'GET /rest/v1/leads/describe2.json')).toBe(0);
		expect(Object.keys(records[0])).toEqual(['programId', 'leadId']);
		const expected = members(WEBINAR, TRADESHOW);
		expect(records).toEqual(
			expected.map((row) => ({ programId: Number(row.programId), leadId: Number(row.leadId) })),
		);
	});

	it('filters by status names (ORed), picked from the program statuses', async () => {
		const statuses = await loadOptions.getProgramStatuses.call(
			harness.context({ programs: programs(WEBINAR) }).context as never as ILoadOptionsFunctions,
		);
		expect(statuses.map((s) => s.value)).toEqual([
			'Not in Program',
			'Invited',
			'Registered',
			'Waitlisted',
			'No Show',
			'Attended',
			'Attended On-demand',
		]);
		const records = jsonOf(
			await memberExport({
				programs: programs(WEBINAR),
				statusNames: ['Attended', 'No Show'],
			}).run(),
		);
		const expected = members(WEBINAR).filter((r) =>
			['Attended', 'No Show'].includes(r.statusName!),
		);
		expect(expected.length).toBeGreaterThan(10);
		expect(leadIds(records)).toEqual(leadIds(expected));
	});

	it.each([
		['exhausted only', { isExhausted: 'true' }, (r: Row) => r.isExhausted === 'true'],
		['not exhausted', { isExhausted: 'false' }, (r: Row) => r.isExhausted === 'false'],
		['paused cadence', { nurtureCadence: 'paus' }, (r: Row) => r.nurtureCadence === 'paus'],
		['normal cadence', { nurtureCadence: 'norm' }, (r: Row) => r.nurtureCadence === 'norm'],
	])('filters an engagement program: %s', async (_name, filter, keep) => {
		const records = jsonOf(await memberExport({ programs: programs(NURTURE), ...filter }).run());
		const expected = members(NURTURE).filter(keep);
		expect(expected.length).toBeGreaterThan(5);
		expect(expected.length).toBeLessThan(members(NURTURE).length);
		expect(leadIds(records)).toEqual(leadIds(expected));
		const sent = lastFilter();
		if ('isExhausted' in filter) expect(sent.isExhausted).toBe(filter.isExhausted === 'true');
		// `paus`, as members carry it (see memberFilter.ts), not the extract page's `pause`
		if ('nurtureCadence' in filter) expect(sent.nurtureCadence).toBe(filter.nurtureCadence);
	});

	it('filters by an Updated At range (End not included)', async () => {
		const range = { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-20T00:00:00Z' };
		const records = jsonOf(
			await memberExport({ programs: programs(CONTENT), updatedAtFilter: true, ...range }).run(),
		);
		const expected = members(CONTENT).filter((r) => inRange(r, range.startAt, range.endAt));
		expect(expected.length).toBeGreaterThan(10);
		expect(leadIds(records)).toEqual(leadIds(expected));
		expect(lastFilter().updatedAt).toEqual({
			startAt: '2026-03-01T00:00:00Z',
			endAt: '2026-03-19T23:59:59Z',
		});
	});

	it('splits a long Updated At range into ≤ 31-day windows: no member twice, none lost at a boundary', async () => {
		// one member updated in the last second of the first window, one in the first second of the next
		harness.emulator.data.setMemberships({
			programId: CONTENT,
			leadIds: [4],
			at: new Date('2026-01-31T23:59:59Z'),
		});
		harness.emulator.data.setMemberships({
			programId: CONTENT,
			leadIds: [8],
			at: new Date('2026-02-01T00:00:00Z'),
		});
		const range = { startAt: '2026-01-01T00:00:00Z', endAt: '2026-04-15T00:00:00Z' };
		const records = jsonOf(
			await memberExport({ programs: programs(CONTENT), updatedAtFilter: true, ...range }).run(),
		);
		expect(count(harness.emulator, CREATE)).toBe(4);
		const windows = harness.emulator.data
			.jobs()
			.map((job) => (job.filter as IDataObject).updatedAt as IDataObject)
			.sort((a, b) => String(a.startAt).localeCompare(String(b.startAt)));
		expect(windows.slice(0, 2)).toEqual([
			{ startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-31T23:59:59Z' },
			{ startAt: '2026-02-01T00:00:00Z', endAt: '2026-03-03T23:59:59Z' },
		]);
		const ids = leadIds(records);
		expect(new Set(ids).size).toBe(ids.length);
		const expected = members(CONTENT).filter((r) => inRange(r, range.startAt, range.endAt));
		expect([...ids].sort((a, b) => a - b)).toEqual(leadIds(expected).sort((a, b) => a - b));
		expect(ids).toEqual(expect.arrayContaining([4, 8]));
	});

	it('combines programs, status names, exhausted and Updated At (ANDed)', async () => {
		const range = { startAt: '2026-02-01T00:00:00Z', endAt: '2026-06-01T00:00:00Z' };
		const records = jsonOf(
			await memberExport({
				programs: programs(NURTURE, CONTENT),
				statusNames: ['Member'],
				isExhausted: 'false',
				updatedAtFilter: true,
				...range,
				fields: ['leadId', 'statusName', 'isExhausted'],
			}).run(),
		);
		const expected = members(NURTURE, CONTENT).filter(
			(r) =>
				r.statusName === 'Member' &&
				r.isExhausted === 'false' &&
				inRange(r, range.startAt, range.endAt),
		);
		expect(expected.length).toBeGreaterThan(5);
		expect(new Set(records.map((r) => r.programId))).toEqual(new Set([NURTURE, CONTENT]));
		expect(records.map((r) => [r.programId, r.leadId]).sort()).toEqual(
			expected.map((r) => [Number(r.programId), Number(r.leadId)]).sort(),
		);
		expect(records.every((r) => r.isExhausted === false && r.statusName === 'Member')).toBe(true);
		expect(count(harness.emulator, CREATE)).toBe(4);
	});

	it('streams a File output byte for byte, checksum verified', async () => {
		const { test, run } = memberExport({ programs: programs(WEBINAR), output: 'file' });
		const [items] = await run();
		expect(items).toHaveLength(1);
		const job = harness.emulator.data.jobs()[0];
		const bytes = await readBinary(test, items[0].binary!.data);
		expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(job.fileChecksum);
		expect(items[0].json).toMatchObject({
			kind: 'programMembers',
			exportId: job.exportId,
			numberOfRecords: members(WEBINAR).length,
			fileSize: bytes.length,
		});
		expect(items[0].binary!.data.fileName).toBe(`marketo-programMembers-${job.exportId}.csv`);
		expect(bytes.toString('utf8').split('\n')[0]).toBe(FIELDS.join(','));
	});
});

describe('Program Member Export, single steps', () => {
	it('Create Job → Enqueue → Download File: the verified file of a completed job', async () => {
		const [[created]] = await memberExport({
			operation: 'createJob',
			programs: programs(TRADESHOW),
			format: 'TSV',
		}).createJob();
		const exportId = String(created.json.exportId);
		const ctx = harness.context({}).context;
		await enqueueExportJob(ctx, 'programMembers', exportId);
		for (let k = 0; k < 200; k++) {
			if ((await getExportJobStatus(ctx, 'programMembers', exportId)).status === 'Completed') break;
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		const download = harness.context({
			resource: 'programMemberExport',
			operation: 'downloadFile',
			exportId: { __rl: true, mode: 'list', value: exportId },
			options: { fileEncoding: 'csv' },
		});
		const [[item]] = await customOperations.programMemberExport.downloadFile.call(download.context);
		const text = (await readBinary(download, item.binary!.data)).toString('utf8');
		expect(item.binary!.data.fileName).toBe(`marketo-programMembers-${exportId}.csv`);
		expect(text.split('\n')[0]).toBe(FIELDS.join(','));
		expect(text.trim().split('\n')).toHaveLength(members(TRADESHOW).length + 1);
		expect(count(harness.emulator, 'GET /bulk/v1/program/members/export/:id/file.json')).toBe(1);
	});
});

describe('Program Member Export, refusals', () => {
	it('refuses an 11th program before any call', async () => {
		const ids = [3001, 3002, 3003, 3004, 3005, 3006, 3007, 3008, 3009, 3010, 3011];
		const error = await memberExport({ programs: programs(...ids) })
			.run()
			.then(
				() => new Error('no error'),
				(e: Error) => e,
			);
		expect(error.message).toBe(
			'Marketo exports the members of at most 10 programs per job; 11 were given. Remove 1, or export them in another run.',
		);
		expect(calls()).toEqual({});
	});

	it('refuses a program ID that is not a number, and no program, before any call', async () => {
		const bad = await memberExport({ programs: programs('Webinar') })
			.run()
			.then(
				() => new Error('no error'),
				(e: Error) => e,
			);
		expect(bad.message).toMatch(/^"Webinar" is not a program ID \(a number\)/);
		const none = await memberExport({ programs: {} })
			.run()
			.then(
				() => new Error('no error'),
				(e: Error) => e,
			);
		expect(none.message).toBe('Choose a program (Programs).');
		expect(calls()).toEqual({});
	});

	it('names an unknown status and the valid ones', async () => {
		const error = await memberExport({
			programs: programs(WEBINAR),
			statusNames: ['Attended', 'Atended'],
		})
			.run()
			.then(
				() => new Error('no error'),
				(e: Error) => e,
			);
		expect(error.message).toBe(
			'Marketo error 1003: Invalid Data. Status "Atended" is not a membership status of the chosen program (names are exact, case included). Valid statuses: Webinar 2026-03 — Data, "Fast" (3002, channel Webinar): Not in Program, Invited, Registered, Waitlisted, No Show, Attended, Attended On-demand.',
		);
		expect(harness.emulator.data.jobs()).toEqual([]);
	});

	it('explains 1035 when the subscription lacks Updated At for program members', async () => {
		await harness.emulator.close();
		harness = await startHarness({
			disabledFilters: ['programMembers.updatedAt'],
			exportProcessingMs: 30,
		});
		const error = await memberExport({
			programs: programs(WEBINAR),
			updatedAtFilter: true,
			startAt: '2026-03-01',
			endAt: '2026-03-02',
		})
			.run()
			.then(
				() => new Error('no error'),
				(e: Error) => e,
			);
		expect(error.message).toMatch(
			/^Marketo error 1035: .*does not offer the Updated At filter for program member exports\. .*turn off Updated At/,
		);
		// without the range, the same export runs
		const records = jsonOf(await memberExport({ programs: programs(WEBINAR) }).run());
		expect(records.length).toBe(members(WEBINAR).length);
		await harness.emulator.close();
		harness = await startHarness({ exportProcessingMs: 30 });
	});

	it('Create Job: one job, Updated At at most 31 days', async () => {
		const long = await memberExport({
			operation: 'createJob',
			programs: programs(WEBINAR),
			updatedAtFilter: true,
			startAt: '2026-01-01',
			endAt: '2026-03-01',
		})
			.createJob()
			.then(
				() => new Error('no error'),
				(e: Error) => e,
			);
		expect((long as Error).message).toMatch(/one Marketo job covers at most 31 days/);
		const [[job]] = await memberExport({
			operation: 'createJob',
			programs: programs(WEBINAR, NURTURE),
			statusNames: 'Member, Attended',
		}).createJob();
		expect(job.json).toMatchObject({
			status: 'Created',
			filter: { programIds: [WEBINAR, NURTURE], statusNames: ['Member', 'Attended'] },
		});
	});
});

describe('Program Member Export, pickers and quota', () => {
	const loadContext = (parameters: IDataObject = {}) =>
		harness.context(parameters).context as never as ILoadOptionsFunctions;

	it('lists programs by name or ID, and member and lead fields', async () => {
		const all = await listSearch.searchPrograms.call(loadContext());
		expect(all.results.map((r) => r.value)).toEqual(
			expect.arrayContaining(['3001', '3002', '3003', '3004', '3005', '3006']),
		);
		const byName = await listSearch.searchPrograms.call(loadContext(), 'newsletter');
		expect(byName.results).toEqual([{ name: 'Newsletter 2026-04', value: '3006' }]);
		const fields = await loadOptions.getProgramMemberFields.call(loadContext());
		const names = fields.map((f) => f.value);
		expect(names).toEqual(expect.arrayContaining(['statusName', 'registrationCode', 'email']));
		expect(names.filter((n) => n === 'createdAt')).toHaveLength(1);
		expect(fields.find((f) => f.value === 'statusName')!.name).toBe('Member: statusName');
	});

	it('offers every channel status while no program is chosen', async () => {
		const statuses = await loadOptions.getProgramStatuses.call(loadContext());
		expect(statuses.map((s) => s.value)).toEqual(
			expect.arrayContaining(['Attended', 'Clicked', 'Engaged', 'Visited Booth', 'Converted']),
		);
	});

	it('counts program member jobs in the daily quota and lists them', async () => {
		await memberExport({ programs: programs(WEBINAR), output: 'file' }).run();
		const test = harness.context({ resource: 'programMemberExport', operation: 'getQuotaUsage' });
		const [[usage]] = await customOperations.programMemberExport.getQuotaUsage.call(test.context);
		const job = harness.emulator.data.jobs()[0];
		expect(usage.json).toMatchObject({
			usedBytes: job.fileSize,
			completedJobs: { leads: 0, activities: 0, programMembers: 1 },
		});
		const list = harness.context({
			resource: 'programMemberExport',
			operation: 'listJobs',
			statusFilter: ['Completed'],
		});
		const [jobs] = await customOperations.programMemberExport.listJobs.call(list.context);
		expect(jobs.map((j) => j.json.exportId)).toEqual([job.exportId]);
	});
});
