/**
 * Custom Object Export over HTTP against the emulator: the object picker, fields and their types from the
 * object's describe, each filter (Updated At windows, static list, smart list), File output, the job steps
 * (their paths hold the object's API name, the declarative ones read it from the Custom Object parameter),
 * the daily quota, 1035 and an unknown object. Expected records come from the emulator's records read
 * directly (data.customObjects) and the leads they link to, never from the code that filters exports.
 */
import { createHash } from 'crypto';
import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodePropertyOptions,
	INodeTypes,
} from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { MarketoBulk } from '../../nodes/MarketoBulk/MarketoBulk.node';
import { customOperations } from '../../nodes/MarketoBulk/actions/router';
import { properties } from '../../nodes/MarketoBulk/actions/versionDescription';
import { listSearch, loadOptions } from '../../nodes/MarketoBulk/methods';
import { prepareRoutedRequest } from '../../nodes/MarketoBulk/transport';
import { CO_TYPES } from '../emulator/coTypes';
import { readBinary } from '../helpers/n8nContext';
import { count, startHarness, type Harness } from '../helpers/setup';

const CAR = 'car_c';
const COURSE = 'course_enrollment_c';
// The emulator counts calls by route: the object's API name and the export id are ':id'.
const CREATE = 'POST /bulk/v1/customobjects/:id/export/create.json';
const FAST = { pollIntervalSeconds: 0.05, timeoutMinutes: 1 };
const CAR_FIELDS = ['marketoGUID', 'leadID', 'vin', 'make', 'year', 'price', 'updatedAt'];
const MARCH = { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-20T00:00:00Z' };

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

/** The Custom Object parameter as the editor saves it. */
const object = (apiName: string, mode = 'list') => ({ __rl: true, mode, value: apiName });

function coExport(parameters: IDataObject) {
	const test = harness.context({
		resource: 'customObjectExport',
		operation: 'export',
		customObject: object(CAR),
		fields: CAR_FIELDS,
		filterType: 'updatedAt',
		...MARCH,
		format: 'CSV',
		output: 'records',
		...parameters,
		options: { ...FAST, ...((parameters.options as IDataObject) ?? {}) },
	});
	const operation = String(test.context.getNodeParameter('operation', 0));
	return {
		test,
		run: () => customOperations.customObjectExport[operation].call(test.context),
	};
}

const failure = (promise: Promise<unknown>) =>
	promise.then(
		() => new Error('no error'),
		(e: Error) => e,
	);
const jsonOf = (output: INodeExecutionData[][]) => output[0].map((item) => item.json);
const records = (apiName: string): Row[] => harness.emulator.data.customObjects(apiName);
const updatedIn = (row: Row, startAt: string, endAt: string) =>
	Date.parse(row.updatedAt!) >= Date.parse(startAt) &&
	Date.parse(row.updatedAt!) < Date.parse(endAt);
const guids = (rows: Array<IDataObject | Row>) => rows.map((r) => String(r.marketoGUID));
/** The emulator's call counters that counted something. */
const calls = () =>
	Object.fromEntries(Object.entries(harness.emulator.counters()).filter(([, n]) => n > 0));
const jobs = () => harness.emulator.data.jobs();

describe('Custom Object Export, picker and fields', () => {
	it('lists the custom objects linked to leads, searchable by display or API name', async () => {
		const ctx = harness.context({}).context as never as ILoadOptionsFunctions;
		const all = await listSearch.searchExportableCustomObjects.call(ctx);
		expect(all.results).toEqual(
			CO_TYPES.map((t) => ({ name: `${t.displayName} (${t.name})`, value: t.name })).sort((a, b) =>
				a.name.localeCompare(b.name),
			),
		);
		const found = await listSearch.searchExportableCustomObjects.call(ctx, 'ENROLL');
		expect(found.results.map((r) => r.value)).toEqual([COURSE]);
		expect(count(harness.emulator, 'GET /rest/v1/customobjects.json')).toBe(2);
	});

	it("offers the chosen object's fields from its describe, with their types", async () => {
		for (const type of CO_TYPES) {
			const ctx = harness.context({ customObject: object(type.name, 'apiName') })
				.context as never as ILoadOptionsFunctions;
			const options = await loadOptions.getCustomObjectFields.call(ctx);
			expect(options.map((o) => [o.value, o.description])).toEqual(
				type.fields.map((f) => [f.name, f.dataType]),
			);
		}
		// no object chosen yet: nothing to describe
		const none = harness.context({ customObject: object('') }).context as never;
		expect(await loadOptions.getCustomObjectFields.call(none)).toEqual([]);
		expect(count(harness.emulator, 'GET /rest/v1/customobjects/:id/describe.json')).toBe(
			CO_TYPES.length,
		);
	});
});

describe('Custom Object Export, one step', () => {
	it('exports the records updated in a range as values typed by the describe (End not included)', async () => {
		const out = jsonOf(await coExport({}).run());
		const expected = records(CAR).filter((r) => updatedIn(r, MARCH.startAt, MARCH.endAt));
		expect(expected.length).toBeGreaterThan(10);
		expect(out).toEqual(
			expected.map((r) => ({
				marketoGUID: r.marketoGUID,
				leadID: Number(r.leadID),
				vin: r.vin,
				make: r.make,
				year: Number(r.year),
				price: Number(r.price),
				updatedAt: r.updatedAt,
			})),
		);
		expect(jobs()[0]).toMatchObject({
			kind: `customobjects/${CAR}`,
			filter: { updatedAt: { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-19T23:59:59Z' } },
		});
		expect(count(harness.emulator, CREATE)).toBe(1);
	});

	it('types booleans and floats of another object, empty values as null, text kept as text', async () => {
		const fields = ['email', 'courseCode', 'score', 'completed'];
		const out = jsonOf(
			await coExport({
				customObject: object(COURSE, 'apiName'),
				fields,
				startAt: '2026-01-01T00:00:00Z',
				endAt: '2026-01-31T00:00:00Z',
			}).run(),
		);
		const expected = records(COURSE).filter((r) =>
			updatedIn(r, '2026-01-01T00:00:00Z', '2026-01-31T00:00:00Z'),
		);
		expect(expected.some((r) => !r.score)).toBe(true);
		expect(out).toEqual(
			expected.map((r) => ({
				email: r.email,
				courseCode: r.courseCode,
				score: r.score ? Number(r.score) : null,
				completed: r.completed === 'true',
			})),
		);
	});

	it("exports every field of the object's describe when no field is chosen", async () => {
		const out = jsonOf(await coExport({ fields: [], options: { typedValues: false } }).run());
		const describe = CO_TYPES.find((t) => t.name === CAR)!.fields.map((f) => f.name);
		expect(Object.keys(out[0])).toEqual(describe);
		expect(jobs()[0].fields).toEqual(describe);
		const expected = records(CAR).filter((r) => updatedIn(r, MARCH.startAt, MARCH.endAt));
		expect(guids(out)).toEqual(guids(expected));
	});

	it("filters by a static list: the records of the list's leads", async () => {
		const members = new Set(harness.emulator.data.staticListMembers(1002).map(String));
		const out = jsonOf(
			await coExport({ filterType: 'staticList', staticList: { mode: 'id', value: '1002' } }).run(),
		);
		const expected = records(CAR).filter((r) => members.has(r.leadID!));
		expect(expected.length).toBeGreaterThan(0);
		expect(guids(out)).toEqual(guids(expected));
		expect(jobs()[0].filter).toEqual({ staticListId: 1002 });
	});

	it('filters by a smart list: the records of the leads it matches', async () => {
		const emails = new Set(
			[...harness.emulator.data.leads({ smartListId: 2001 })].map((l) =>
				String(l.email).toLowerCase(),
			),
		);
		const out = jsonOf(
			await coExport({
				customObject: object(COURSE),
				fields: ['marketoGUID', 'email'],
				filterType: 'smartList',
				smartList: { mode: 'id', value: '2001' },
			}).run(),
		);
		const expected = records(COURSE).filter((r) => emails.has(String(r.email).toLowerCase()));
		expect(expected.length).toBeGreaterThan(0);
		expect(guids(out)).toEqual(guids(expected));
		expect(jobs()[0].filter).toEqual({ smartListId: 2001 });
	});

	it('splits a long Updated At range into ≤ 31-day windows: no record twice, none lost at a boundary', async () => {
		const [early, late] = records(CAR).slice(0, 2);
		// one record updated in the last second of the first window, one in the first second of the next
		harness.emulator.data.upsertCustomObjects({
			apiName: CAR,
			records: [{ vin: early.vin, color: 'green' }],
			at: new Date('2026-01-31T23:59:59Z'),
		});
		harness.emulator.data.upsertCustomObjects({
			apiName: CAR,
			records: [{ vin: late.vin, color: 'green' }],
			at: new Date('2026-02-01T00:00:00Z'),
		});
		const range = { startAt: '2026-01-01T00:00:00Z', endAt: '2026-04-15T00:00:00Z' };
		const out = jsonOf(await coExport(range).run());
		expect(count(harness.emulator, CREATE)).toBe(4);
		const windows = jobs()
			.map((job) => (job.filter as IDataObject).updatedAt as IDataObject)
			.sort((a, b) => String(a.startAt).localeCompare(String(b.startAt)));
		expect(windows.slice(0, 2)).toEqual([
			{ startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-31T23:59:59Z' },
			{ startAt: '2026-02-01T00:00:00Z', endAt: '2026-03-03T23:59:59Z' },
		]);
		const ids = guids(out);
		expect(new Set(ids).size).toBe(ids.length);
		const expected = records(CAR).filter((r) => updatedIn(r, range.startAt, range.endAt));
		expect([...ids].sort()).toEqual(guids(expected).sort());
		expect(ids).toEqual(expect.arrayContaining([early.marketoGUID, late.marketoGUID]));
	});

	it('streams a File output byte for byte, checksum verified', async () => {
		const { test, run } = coExport({ output: 'file', fields: ['leadID', 'vin'] });
		const [items] = await run();
		expect(items).toHaveLength(1);
		const job = jobs()[0];
		const bytes = await readBinary(test, items[0].binary!.data);
		expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(job.fileChecksum);
		const expected = records(CAR).filter((r) => updatedIn(r, MARCH.startAt, MARCH.endAt));
		expect(items[0].json).toMatchObject({
			kind: 'customObjects',
			customObject: CAR,
			exportId: job.exportId,
			numberOfRecords: expected.length,
			fileSize: bytes.length,
		});
		expect(items[0].binary!.data.fileName).toBe(`marketo-${CAR}-2026-03-01_2026-03-19.csv`);
		expect(bytes.toString('utf8')).toBe(
			['leadID,vin', ...expected.map((r) => `${r.leadID},${r.vin}`), ''].join('\n'),
		);
	});
});

describe('Custom Object Export, refusals', () => {
	it('refuses a filter Marketo does not take for custom objects, before any call', async () => {
		const error = await failure(coExport({ filterType: 'createdAt' }).run());
		expect(error.message).toBe(
			'Unknown filter "createdAt": a custom object export takes exactly one of Updated At, Static List or Smart List.',
		);
		expect(calls()).toEqual({});
	});

	it('refuses no object, or a name that cannot be one, before any call', async () => {
		const none = await failure(coExport({ customObject: object('') }).run());
		expect(none.message).toBe('Choose a custom object (Custom Object).');
		const bad = await failure(coExport({ customObject: object('car c', 'apiName') }).run());
		expect(bad.message).toMatch(/^"car c" is not a custom object API name/);
		expect(calls()).toEqual({});
	});

	it('names an unknown custom object', async () => {
		for (const fields of [['vin'], []]) {
			const error = await failure(
				coExport({ customObject: object('nope_c', 'apiName'), fields }).run(),
			);
			expect(error.message).toBe(
				`Marketo error 1003: Invalid custom object type 'nope_c'. The instance has no custom object "nope_c" that Marketo can export: pick one From List (only custom objects linked to leads can be exported; API names end in _c).`,
			);
		}
		expect(jobs()).toEqual([]);
	});

	it('explains 1035 when the subscription lacks Updated At for custom objects', async () => {
		await harness.emulator.close();
		harness = await startHarness({
			disabledFilters: ['customObjects.updatedAt'],
			exportProcessingMs: 30,
		});
		try {
			const error = await failure(coExport({}).run());
			expect(error.message).toMatch(
				/^Marketo error 1035: .*does not offer the Updated At filter for custom object exports\. .*Static List or Smart List/,
			);
			expect(jobs()).toEqual([]);
			// a list filter still works
			const members = new Set(harness.emulator.data.staticListMembers(1002).map(String));
			const out = jsonOf(
				await coExport({
					filterType: 'staticList',
					staticList: { mode: 'id', value: '1002' },
				}).run(),
			);
			expect(guids(out)).toEqual(guids(records(CAR).filter((r) => members.has(r.leadID!))));
		} finally {
			await harness.emulator.close();
			harness = await startHarness({ exportProcessingMs: 30 });
		}
	});

	it('Create Job: one job, Updated At at most 31 days', async () => {
		const error = await failure(
			coExport({ operation: 'createJob', startAt: '2026-01-01', endAt: '2026-03-01' }).run(),
		);
		expect(error.message).toMatch(/^The date range is 59 days; one Marketo job covers at most 31/);
		expect(calls()).toEqual({});
	});
});

// ------------------------------------------------------------------------------------------------
// The job steps, the declarative ones as n8n's RoutingNode runs them.

const nodeType = NodeHelpers.getVersionedNodeType(new MarketoBulk());
const nodeTypes = {
	getByName: () => nodeType,
	getByNameAndVersion: () => nodeType,
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;

/** A declarative step: the URL resolved by n8n's expression engine, then preSend, request, postReceive. */
async function routed(operation: string, parameters: IDataObject): Promise<INodeExecutionData[]> {
	const option = properties
		.filter((p: INodeProperties) => p.name === 'operation')
		.filter((p) => p.displayOptions?.show?.resource?.includes('customObjectExport'))
		.flatMap((p) => p.options as INodePropertyOptions[])
		.find((o) => o.value === operation)!;
	const routing = option.routing!;
	const all = { resource: 'customObjectExport', operation, ...parameters } as INodeParameters;
	const workflow = new Workflow({
		nodes: [
			{
				id: '1',
				name: 'Marketo Bulk',
				type: 'n8n-nodes-marketo-bulk.marketoBulk',
				typeVersion: 1,
				position: [0, 0],
				parameters: all,
			},
		],
		connections: {},
		active: false,
		nodeTypes,
	});
	const url = workflow.expression.getParameterValue(
		routing.request!.url!,
		null,
		0,
		0,
		'Marketo Bulk',
		[{ json: {} }],
		'manual',
		{},
	);
	const test = harness.context(all as IDataObject);
	const context = test.context as never as IExecuteSingleFunctions;
	const options = await prepareRoutedRequest.call(context, {
		method: routing.request!.method,
		url: String(url),
		headers: { Accept: 'application/json' },
	} as IHttpRequestOptions);
	const response = await test.context.helpers.httpRequestWithAuthentication.call(
		test.context,
		'marketoApi',
		options,
	);
	let items: INodeExecutionData[] = [];
	for (const postReceive of routing.output!.postReceive!) {
		if (typeof postReceive !== 'function') throw new Error('a postReceive that is not a function');
		items = await postReceive.call(context, items, response as never);
	}
	return items;
}

describe('Custom Object Export, job steps', () => {
	it("runs Create, Enqueue, Get Status, List, Download and the quota on the object's jobs", async () => {
		const [[created]] = await coExport({ operation: 'createJob', fields: ['leadID', 'vin'] }).run();
		const exportId = String(created.json.exportId);
		expect(created.json).toMatchObject({
			status: 'Created',
			filter: { updatedAt: { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-19T23:59:59Z' } },
		});
		expect(jobs()[0]).toMatchObject({ exportId, kind: `customobjects/${CAR}` });

		const step = {
			customObject: object(CAR),
			exportId: { __rl: true, mode: 'id', value: exportId },
		};
		const [queued] = await routed('enqueueJob', step);
		expect(queued.json).toMatchObject({ exportId, status: 'Queued' });
		expect(count(harness.emulator, 'POST /bulk/v1/customobjects/:id/export/:id/enqueue.json')).toBe(
			1,
		);
		let status: IDataObject = {};
		for (let i = 0; i < 100 && status.status !== 'Completed'; i++) {
			await new Promise((r) => setTimeout(r, 20));
			status = (await routed('getJobStatus', step))[0].json;
		}
		expect(status).toMatchObject({ exportId, status: 'Completed' });

		// the Export ID picker lists the object's jobs
		const picker = harness.context({ customObject: object(CAR) }).context as never;
		const picked = await listSearch.searchCustomObjectExportJobs.call(picker);
		expect(picked.results.map((r) => r.value)).toEqual([exportId]);
		const elsewhere = harness.context({ customObject: object(COURSE) }).context as never;
		expect((await listSearch.searchCustomObjectExportJobs.call(elsewhere)).results).toEqual([]);

		const list = coExport({ operation: 'listJobs', statusFilter: ['Completed'] });
		expect(jsonOf(await list.run()).map((j) => j.exportId)).toEqual([exportId]);
		// another object's jobs are its own
		const other = coExport({ operation: 'listJobs', customObject: object(COURSE) });
		expect(jsonOf(await other.run())).toEqual([]);

		const download = coExport({ operation: 'downloadFile', exportId: step.exportId });
		const [[file]] = await download.run();
		const bytes = await readBinary(download.test, file.binary!.data);
		expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(status.fileChecksum);
		expect(bytes.toString('utf8').split('\n')[0]).toBe('leadID,vin');

		const quota = coExport({ operation: 'getQuotaUsage' });
		const [[usage]] = await quota.run();
		expect(usage.json).toMatchObject({
			usedBytes: status.fileSize,
			completedJobs: { leads: 0, activities: 0, programMembers: 0, customObjects: 1 },
		});
		expect(String(usage.json.note)).not.toMatch(/not counted/);

		// An API user that may not read custom objects: their jobs are said to be uncounted, not 0 silently.
		harness.emulator.faults.failNext('GET /rest/v1/customobjects.json', 1, {
			code: '603',
			message: 'Access denied',
		});
		const [[denied]] = await coExport({ operation: 'getQuotaUsage' }).run();
		expect(denied.json).toMatchObject({ usedBytes: 0 });
		expect(String(denied.json.note)).toMatch(
			/Custom object export jobs are not counted: Marketo answered 603 \(Access denied\)/,
		);
		// Anything else fails the step: a quota figure must not quietly leave jobs out.
		harness.emulator.faults.failNext('GET /rest/v1/customobjects.json', 1, {
			code: '1001',
			message: 'Unexpected error',
		});
		await expect(coExport({ operation: 'getQuotaUsage' }).run()).rejects.toThrow(/1001|Unexpected/);
	});

	it('cancels a job through the routed Cancel Job', async () => {
		const [[created]] = await coExport({ operation: 'createJob' }).run();
		const exportId = String(created.json.exportId);
		const [cancelled] = await routed('cancelJob', {
			customObject: object(CAR, 'apiName'),
			exportId,
		});
		expect(cancelled.json).toMatchObject({ exportId, status: 'Cancelled' });
		expect(jobs()[0].status).toMatch(/^Cancel+ed$/);
	});
});
