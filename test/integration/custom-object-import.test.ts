/**
 * Custom Object Import against the emulator, over HTTP, through the node's operations: records read back
 * from the emulator's custom object data (data.customObjects), never from what the node says it did.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeParameters,
	INodePropertyOptions,
	INodeTypes,
	IPairedItemData,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { MarketoBulk } from '../../nodes/MarketoBulk/MarketoBulk.node';

import { description as coImportDescription } from '../../nodes/MarketoBulk/actions/customObjectImport/CustomObjectImport.resource';
import { customOperations } from '../../nodes/MarketoBulk/actions/router';
import { listSearch, resourceMapping } from '../../nodes/MarketoBulk/methods';
import { prepareRoutedRequest, unwrapEnvelope } from '../../nodes/MarketoBulk/transport';
import type { TestContext } from '../helpers/n8nContext';
import { count, startHarness, type Harness } from '../helpers/setup';

const UPLOAD = 'POST /bulk/v1/customobjects/:id/import.json';
const STATUS = 'GET /bulk/v1/customobjects/:id/import/:id/status.json';
const FAILURES = 'GET /bulk/v1/customobjects/:id/import/:id/failures.json';
const WARNINGS = 'GET /bulk/v1/customobjects/:id/import/:id/warnings.json';
const FAST = { pollIntervalSeconds: 0.05, timeoutMinutes: 1 };
// Marketo says 10 MB; the stricter reading (10,000,000 bytes, below 10 MiB) is the one held to.
const TEN_MB = 10_000_000;

let harness: Harness;

beforeAll(async () => {
	harness = await startHarness({
		leads: { count: 120, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
		importProcessingMs: 20,
	});
});
afterAll(async () => {
	await harness.emulator.close();
});
beforeEach(() => {
	harness.emulator.reset();
});

type Operation = 'import' | 'createJob' | 'getFailures' | 'getWarnings';

interface Run {
	test: TestContext;
	items: INodeExecutionData[];
	/** Content-Length of every upload the run sent. */
	uploads: number[];
	run(operation?: Operation): Promise<INodeExecutionData[][]>;
}

/** The Custom Object parameter as the editor saves it. */
const object = (apiName: string, mode = 'list') => ({ __rl: true, mode, value: apiName });

function coImport(
	parameters: IDataObject,
	extra: { items?: INodeExecutionData[]; continueOnFail?: boolean } = {},
): Run {
	const items = extra.items ?? [{ json: {} }];
	const test = harness.context(
		{
			resource: 'customObjectImport',
			operation: 'import',
			customObject: object('car_c'),
			source: 'items',
			output: 'summary',
			columns: { mappingMode: 'autoMapInputData', value: null },
			...parameters,
			options: { ...FAST, ...((parameters.options as IDataObject) ?? {}) },
		},
		{ items, continueOnFail: extra.continueOnFail },
	);
	// Every upload's size as sent: Marketo answers HTTP 413 to a custom object file of 10 MB or more.
	const uploads: number[] = [];
	const helpers = test.context.helpers as unknown as {
		httpRequestWithAuthentication: (...args: unknown[]) => Promise<unknown>;
	};
	const send = helpers.httpRequestWithAuthentication;
	helpers.httpRequestWithAuthentication = function (this: unknown, ...args: unknown[]) {
		const options = args[1] as IHttpRequestOptions;
		if (options.method === 'POST' && /\/import\.json$/.test(String(options.url)))
			uploads.push(Number((options.headers as IDataObject)['Content-Length']));
		return send.apply(this, args);
	};
	return {
		test,
		items,
		uploads,
		run: (operation: Operation = (parameters.operation as Operation) ?? 'import') =>
			customOperations.customObjectImport[operation].call(test.context as IExecuteFunctions),
	};
}

async function attachBinary(run: Run, content: string, fileName: string, mimeType = 'text/csv') {
	const data = await run.test.context.helpers.prepareBinaryData(
		Buffer.from(content),
		fileName,
		mimeType,
	);
	run.items[0] = { json: { fileName }, binary: { data } };
}

const jsonOf = (output: INodeExecutionData[][]) => output[0].map((item) => item.json);
const pairedItems = (item: INodeExecutionData) =>
	(Array.isArray(item.pairedItem) ? item.pairedItem : [item.pairedItem as IPairedItemData]).map(
		(p) => p.item,
	);

async function failure(
	promise: Promise<unknown>,
): Promise<{ message: string; description?: string }> {
	try {
		await promise;
	} catch (error) {
		return error as { message: string; description?: string };
	}
	throw new Error('expected the run to fail');
}

const cars = () => harness.emulator.data.customObjects('car_c');
const carsByVin = () => new Map(cars().map((car) => [String(car.vin), car]));
const vin = (n: number) => `TST${String(n).padStart(14, '0')}`;
const leadIds = () => [...harness.emulator.data.leads()].map((lead) => Number(lead.id));

const nodeType = new MarketoBulk();
const nodeTypes = {
	getByName: () => nodeType,
	getByNameAndVersion: () => nodeType,
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;

/** A routing URL resolved by n8n's expression engine, where `$parameter` reads a locator's value. */
function resolvedUrl(url: string, parameters: IDataObject): string {
	const workflow = new Workflow({
		nodes: [
			{
				id: '1',
				name: 'Marketo Bulk',
				type: 'n8n-nodes-marketo-bulk.marketoBulk',
				typeVersion: 1,
				position: [0, 0],
				parameters: parameters as INodeParameters,
			},
		],
		connections: {},
		active: false,
		nodeTypes,
	});
	return String(
		workflow.expression.getParameterValue(
			url,
			null,
			0,
			0,
			'Marketo Bulk',
			[{ json: { apiName: 'car_c' } }],
			'manual',
			{},
		),
	);
}

async function batchDone(batchId: number): Promise<void> {
	for (let i = 0; i < 200; i++) {
		const batch = harness.emulator.data.imports().find((b) => b.batchId === batchId);
		if (batch?.status === 'Complete' || batch?.status === 'Failed') return;
		await new Promise((r) => setTimeout(r, 20));
	}
	throw new Error(`batch ${batchId} did not finish`);
}

/** Create Import Job of these items, then the batch's ID once Marketo finished it. */
async function importedBatch(items: INodeExecutionData[]): Promise<number> {
	const created = jsonOf(await coImport({ operation: 'createJob' }, { items }).run());
	const batchId = created[0].batchId as number;
	await batchDone(batchId);
	return batchId;
}

describe('the Custom Object picker and the field mapper', () => {
	it("lists Marketo's custom objects, searchable by display name or API name", async () => {
		const context = harness.context({ resource: 'customObjectImport' }).context as never;
		const all = await listSearch.searchCustomObjects.call(context);
		expect(all.results).toEqual([
			{ name: 'Car (car_c)', value: 'car_c' },
			{ name: 'Course Enrollment (course_enrollment_c)', value: 'course_enrollment_c' },
		]);
		const byName = await listSearch.searchCustomObjects.call(context, 'enrol');
		expect(byName.results.map((r) => r.value)).toEqual(['course_enrollment_c']);
		const byApiName = await listSearch.searchCustomObjects.call(context, 'CAR_C');
		expect(byApiName.results.map((r) => r.value)).toEqual(['car_c']);
		expect(count(harness.emulator, 'GET /rest/v1/customobjects.json')).toBe(3);
	});

	it("offers the object's updateable fields from its describe, dedupe fields required and matched, the link marked", async () => {
		const mapper = async (apiName: string) =>
			(
				await resourceMapping.getCustomObjectImportFields.call(
					harness.context({ resource: 'customObjectImport', customObject: object(apiName) })
						.context as never,
				)
			).fields;
		const car = new Map((await mapper('car_c')).map((f) => [f.id, f]));
		expect([...car.keys()].sort()).toEqual(
			['color', 'leadID', 'make', 'model', 'price', 'vin', 'year'].sort(),
		);
		expect(car.get('vin')).toMatchObject({
			displayName: 'VIN (vin) (dedupe field)',
			required: true,
			defaultMatch: true,
			type: 'string',
		});
		expect(car.get('leadID')).toMatchObject({
			displayName: 'Lead ID (leadID) (link to lead)',
			required: false,
			type: 'number',
		});
		expect(car.get('year')).toMatchObject({ required: false, defaultMatch: false, type: 'number' });

		const course = await mapper('course_enrollment_c');
		expect(
			course
				.filter((f) => f.required)
				.map((f) => f.id)
				.sort(),
		).toEqual(['courseCode', 'email', 'term']);
		expect(course.find((f) => f.id === 'completed')).toMatchObject({ type: 'boolean' });
		expect(count(harness.emulator, 'GET /rest/v1/customobjects/:id/describe.json')).toBe(2);
	});
});

describe('Import from input items', () => {
	it('creates new records and updates existing ones by the dedupe field; the summary says so', async () => {
		const before = carsByVin();
		const existing = cars()[0];
		const lead = leadIds()[5];
		const items: INodeExecutionData[] = [
			{ json: { vin: String(existing.vin), Color: 'green', nickname: 'old faithful' } },
			{ json: { VIN: vin(1), make: 'saab', model: '900', year: 1991, 'Lead ID': lead } },
			{ json: { vin: vin(2), make: 'fiat', marketoGUID: 'not-writable' } },
		];
		const output = await coImport({}, { items }).run();
		expect(output[0]).toHaveLength(1);
		const [summary] = jsonOf(output);
		expect(summary).toMatchObject({
			type: 'summary',
			status: 'Complete',
			source: 'inputItems',
			format: 'csv',
			customObject: 'car_c',
			dedupeFields: ['vin'],
			rows: 3,
			rowsSent: 3,
			objectsProcessed: 3,
			rowsFailed: 0,
			batchCount: 1,
		});
		expect((summary.ignoredFields as string[]).sort()).toEqual(['marketoGUID', 'nickname']);
		expect(summary).not.toHaveProperty('leadsProcessed');
		expect(pairedItems(output[0][0])).toEqual([0, 1, 2]);
		expect(count(harness.emulator, UPLOAD)).toBe(1);
		// One describe gives the dedupe fields and the fields Map Automatically matches against.
		expect(count(harness.emulator, 'GET /rest/v1/customobjects/:id/describe.json')).toBe(1);
		expect(harness.emulator.data.imports()[0]).toMatchObject({
			kind: 'customobjects',
			objectApiName: 'car_c',
			format: 'csv',
		});

		const after = carsByVin();
		expect(after.size).toBe(before.size + 2);
		expect(after.get(String(existing.vin))).toMatchObject({
			color: 'green',
			make: existing.make,
			leadID: existing.leadID,
			marketoGUID: existing.marketoGUID,
		});
		expect(after.get(vin(1))).toMatchObject({
			make: 'saab',
			model: '900',
			year: '1991',
			leadID: String(lead),
		});
		expect(after.get(vin(2))).toMatchObject({ make: 'fiat' });
		expect(after.get(vin(2))!.marketoGUID).not.toBe('not-writable');
	});

	it('refuses items without a dedupe field before uploading, naming the field', async () => {
		const lead = [...harness.emulator.data.leads()][0];
		const error = await failure(
			coImport(
				{ customObject: object('course_enrollment_c', 'name') },
				{ items: [{ json: { email: lead.email as string, courseCode: 'MKT-101' } }] },
			).run(),
		);
		expect(error.message).toMatch(/^The dedupe field "term" is not among the mapped fields/);
		expect(error.description).toContain('email, courseCode, term');
		const noVin = await failure(
			coImport({}, { items: [{ json: { make: 'bmw', color: 'red' } }] }).run(),
		);
		expect(noVin.message).toMatch(/dedupe field "vin" is not among/);
		expect(count(harness.emulator, UPLOAD)).toBe(0);
		expect(harness.emulator.data.imports()).toEqual([]);
	});

	it('refuses an unknown custom object and a malformed API name before uploading', async () => {
		const items = [{ json: { vin: vin(9) } }];
		const unknown = await failure(
			coImport({ customObject: object('boat_c', 'name') }, { items }).run(),
		);
		expect(unknown.message).toMatch(/1003/);
		const malformed = await failure(
			coImport({ customObject: object('car c', 'name') }, { items }).run(),
		);
		expect(malformed.message).toBe('"car c" is not a custom object API name');
		expect(count(harness.emulator, UPLOAD)).toBe(0);
	});

	it('outputs failed and warned rows paired with the input items that produced them', async () => {
		const lead = leadIds()[0];
		const long = 'x'.repeat(300);
		const items: INodeExecutionData[] = [
			{ json: { vin: vin(10), make: 'bmw', year: 2020, leadID: lead } },
			{ json: { vin: vin(11), make: 'audi', year: 'old', leadID: lead } },
			{ json: { vin: vin(12), make: long, year: 2021, leadID: lead } },
			{ json: { vin: '', make: 'volvo', year: 2019, leadID: lead } },
			{ json: { vin: vin(14), make: 'ford', year: 2018, leadID: 99_999_999 } },
			{ json: { vin: vin(15), make: 'kia', year: 2017, leadID: lead } },
		];
		const output = await coImport(
			{ output: 'failedAndWarnings', options: { maxRowsPerBatch: 4 } },
			{ items },
		).run();
		const [summary, ...rows] = output[0];
		expect(summary.json).toMatchObject({
			status: 'Complete',
			batchCount: 2,
			rowsFailed: 3,
			rowsWithWarning: 1,
			objectsProcessed: 3,
		});
		expect(rows.map((r) => [r.json.type, r.json.inputItem, pairedItems(r)])).toEqual([
			['failedRow', 1, [1]],
			['failedRow', 3, [3]],
			['failedRow', 4, [4]],
			['warningRow', 2, [2]],
		]);
		expect(rows[0].json).toMatchObject({
			reason: 'Invalid data type in field Year',
			match: 'exact',
			fields: { vin: vin(11), make: 'audi', year: 'old' },
		});
		// An empty dedupe value is reported for its row: the other rows of the batch are imported.
		expect(rows[1].json.reason).toBe('missing.dedupe.fields');
		expect(rows[2].json.reason).toMatch(/^Invalid link value in field Lead ID/);
		expect(rows[3].json).toMatchObject({
			reason: 'Value truncated in field Make (255 characters)',
			fields: { vin: vin(12), make: long },
		});
		const after = carsByVin();
		expect(after.get(vin(12))!.make).toBe(long.slice(0, 255));
		for (const imported of [10, 15]) expect(after.has(vin(imported))).toBe(true);
		for (const failed of [11, 14]) expect(after.has(vin(failed))).toBe(false);
		// The second batch had no warnings file to read: only the batches with issues were asked.
		expect(count(harness.emulator, FAILURES)).toBe(2);
		expect(count(harness.emulator, WARNINGS)).toBe(1);
	});

	it('waits while Marketo answers 1016 Too many imports, then imports', async () => {
		harness.emulator.faults.failNext(UPLOAD, 2, { code: '1016', message: 'Too many imports' });
		const output = await coImport({}, { items: [{ json: { vin: vin(20), make: 'mini' } }] }).run();
		expect(jsonOf(output)[0]).toMatchObject({ status: 'Complete', objectsProcessed: 1 });
		expect(count(harness.emulator, UPLOAD)).toBe(3);
		expect(harness.emulator.faults.pending()).toBe(0);
		expect(carsByVin().get(vin(20))?.make).toBe('mini');
		expect(harness.emulator.data.imports()).toHaveLength(1);
	});
});

describe('Import a binary file', () => {
	it('imports a TSV file of course enrollments, matched on its three dedupe fields', async () => {
		const [first, second] = [...harness.emulator.data.leads()];
		const before = harness.emulator.data.customObjects('course_enrollment_c').length;
		const run = coImport({
			source: 'binary',
			customObject: object('course_enrollment_c', 'name'),
		});
		await attachBinary(
			run,
			`email\tcourseCode\tterm\tscore\tcompleted\n${first.email}\tMKT-999\t2026S\t88.5\ttrue\n${second.email}\tMKT-999\t2026S\t\tfalse\n${first.email}\tMKT-999\t2026S\t91\ttrue\n`,
			'enrollments.tsv',
			'text/tab-separated-values',
		);
		const [summary] = jsonOf(await run.run());
		expect(summary).toMatchObject({
			status: 'Complete',
			source: 'binaryFile',
			fileName: 'enrollments.tsv',
			format: 'tsv',
			customObject: 'course_enrollment_c',
			dedupeFields: ['email', 'courseCode', 'term'],
			rows: 3,
			objectsProcessed: 3,
		});
		const enrollments = harness.emulator.data
			.customObjects('course_enrollment_c')
			.filter((r) => r.courseCode === 'MKT-999');
		// Rows 1 and 3 name the same record: it is updated, not created twice.
		expect(harness.emulator.data.customObjects('course_enrollment_c')).toHaveLength(before + 2);
		expect(enrollments.find((r) => r.email === first.email)).toMatchObject({
			score: '91',
			completed: 'true',
		});
		expect(enrollments.find((r) => r.email === second.email)).toMatchObject({
			completed: 'false',
		});
		expect(harness.emulator.data.imports()[0]).toMatchObject({ format: 'tsv' });
	});

	it('refuses a file whose header lacks a dedupe field (" vin" is not vin) before uploading', async () => {
		const run = coImport({ source: 'binary' });
		await attachBinary(run, `make, vin\nbmw,${vin(30)}\n`, 'cars.csv');
		const error = await failure(run.run());
		expect(error.message).toMatch(/^The dedupe field "vin" is not among the file's header columns/);
		expect(count(harness.emulator, UPLOAD)).toBe(0);
	});

	it('splits a file over 10 MB on row boundaries: no upload of 10 MB or more, every record once', async () => {
		const header = 'vin,make,model,color\n';
		const pad = (s: string) => `"${s.padEnd(250, '.').replace(/"/g, '""')}"`;
		const rows: string[] = [];
		let size = header.length;
		for (let i = 0; size < 21 * 1024 * 1024; i++) {
			const row = `${vin(100_000 + i)},${pad(`Make "${i}"`)},${pad(`Model, ${i}`)},${pad('grey')}\n`;
			rows.push(row);
			size += row.length;
		}
		const before = cars().length;
		const run = coImport({ source: 'binary', output: 'failedAndWarnings' });
		await attachBinary(run, header + rows.join(''), 'cars.csv');
		const output = await run.run();
		expect(output[0]).toHaveLength(1);
		const [summary] = jsonOf(output);
		const batches = summary.batches as IDataObject[];
		expect(batches.length).toBeGreaterThanOrEqual(3);
		expect(batches.every((b) => b.status === 'Complete')).toBe(true);
		// What went over the wire: each upload (file plus multipart envelope) under Marketo's 10 MB.
		expect(run.uploads).toHaveLength(batches.length);
		for (const bytes of run.uploads) {
			expect(bytes).toBeGreaterThan(0);
			expect(bytes).toBeLessThan(TEN_MB);
		}
		expect(count(harness.emulator, UPLOAD)).toBe(batches.length);
		// Contiguous, each row in exactly one batch.
		expect(batches.map((b) => b.firstRow)).toEqual(
			batches.map((_, k) => (k === 0 ? 1 : (batches[k - 1].lastRow as number) + 1)),
		);
		expect(batches[batches.length - 1].lastRow).toBe(rows.length);
		expect(summary).toMatchObject({
			rows: rows.length,
			objectsProcessed: rows.length,
			rowsFailed: 0,
			rowsWithWarning: 0,
		});
		// What Marketo holds: one new record per row, none twice, none missing, values intact.
		const after = cars();
		expect(after).toHaveLength(before + rows.length);
		const byVin = new Map(after.map((car) => [String(car.vin), car]));
		for (let i = 0; i < rows.length; i++) {
			const car = byVin.get(vin(100_000 + i));
			expect(car?.make).toBe(`Make "${i}"`.padEnd(250, '.'));
		}
		expect(byVin.get(vin(100_000 + rows.length - 1))!.model).toBe(
			`Model, ${rows.length - 1}`.padEnd(250, '.'),
		);
	}, 90_000);
});

describe('Create Import Job, Get Import Status, Get Failures, Get Warnings', () => {
	it('uploads without waiting, then reads the status, failures and warnings of the batch', async () => {
		const items = [
			{ json: { vin: vin(40), make: 'seat' } },
			{ json: { vin: vin(41), make: 'y'.repeat(256) } },
			{ json: { vin: vin(42), year: '19.5' } },
		];
		const created = jsonOf(await coImport({ operation: 'createJob' }, { items }).run());
		expect(created).toEqual([
			expect.objectContaining({
				batch: 1,
				batchCount: 1,
				status: expect.stringMatching(/Queued|Importing/),
				firstInputItem: 0,
				lastInputItem: 2,
				rows: 3,
				format: 'csv',
				customObject: 'car_c',
				dedupeFields: ['vin'],
			}),
		]);
		const batchId = created[0].batchId as number;
		expect(batchId).toBe(harness.emulator.data.imports()[0].batchId);
		await batchDone(batchId);

		// Get Import Status: the declarative routing, as n8n's RoutingNode runs it (n8n hands the
		// resource locator's value to $parameter.customObject).
		const operation = coImportDescription.find((p) => p.name === 'operation')!;
		const option = (operation.options as INodePropertyOptions[]).find(
			(o) => o.value === 'getImportStatus',
		)!;
		const request = option.routing!.request!;
		const parameters = {
			resource: 'customObjectImport',
			operation: 'getImportStatus',
			customObject: object('car_c'),
			batchId: String(batchId),
		};
		// The URL as n8n's own expression engine resolves it, the object picked, typed or an expression.
		for (const customObject of [
			object('car_c'),
			object('car_c', 'name'),
			object('={{ $json.apiName }}', 'name'),
		]) {
			expect(resolvedUrl(String(request.url), { ...parameters, customObject })).toBe(
				`/bulk/v1/customobjects/car_c/import/${batchId}/status.json`,
			);
		}
		const url = resolvedUrl(String(request.url), parameters);
		const test = harness.context(parameters);
		const ctx = test.context as never as ThisParameterType<typeof prepareRoutedRequest>;
		const response = await test.context.helpers.httpRequestWithAuthentication.call(
			test.context,
			'marketoApi',
			await prepareRoutedRequest.call(ctx, {
				method: request.method,
				url,
				headers: { Accept: 'application/json' },
			}),
		);
		const status = await unwrapEnvelope.call(ctx, [], response as never);
		expect(status.map((r) => r.json)).toEqual([
			expect.objectContaining({
				batchId,
				objectApiName: 'car_c',
				status: 'Complete',
				numOfObjectsProcessed: 2,
				numOfRowsFailed: 1,
				numOfRowsWithWarning: 1,
			}),
		]);
		expect(count(harness.emulator, STATUS)).toBe(1);

		const failures = jsonOf(
			await coImport({ operation: 'getFailures', batchId: String(batchId) }).run(),
		);
		expect(failures).toEqual([
			{
				type: 'failedRow',
				reason: 'Invalid data type in field Year',
				batchId,
				fields: { vin: vin(42), make: '', year: '19.5' },
			},
		]);
		const warnings = jsonOf(
			await coImport({ operation: 'getWarnings', batchId: String(batchId) }).run(),
		);
		expect(warnings).toEqual([
			{
				type: 'warningRow',
				reason: 'Value truncated in field Make (255 characters)',
				batchId,
				fields: { vin: vin(41), make: 'y'.repeat(256), year: '' },
			},
		]);
		expect(count(harness.emulator, FAILURES)).toBe(1);
		expect(count(harness.emulator, 'GET /bulk/v1/leads/batch/:id/failures.json')).toBe(0);
	});

	it('reads a batch without failures or warnings (HTTP 404 from Marketo) as no rows', async () => {
		const batchId = await importedBatch([{ json: { vin: vin(50), make: 'opel' } }]);
		const failures = await coImport({ operation: 'getFailures', batchId: String(batchId) }).run();
		const warnings = await coImport({ operation: 'getWarnings', batchId: String(batchId) }).run();
		expect(failures).toEqual([[]]);
		expect(warnings).toEqual([[]]);
		// Marketo was asked, and answered 404 both times.
		expect(count(harness.emulator, FAILURES)).toBe(1);
		expect(count(harness.emulator, WARNINGS)).toBe(1);
	});

	it('takes a 404 after a failures file broke off for an error, never for the end of the file', async () => {
		const batchId = await importedBatch([{ json: { vin: vin(60), year: 'not a year' } }]);
		// the first read breaks off inside the row (the header is shorter), the read again answers 404
		harness.emulator.faults.failNext(FAILURES, 1, { stallAfterBytes: 45, hangMs: 0 });
		harness.emulator.faults.failNext(FAILURES, 1, { httpStatus: 404 });
		const error = await failure(
			coImport({ operation: 'getFailures', batchId: String(batchId) }).run(),
		);
		expect(error.message).toMatch(/404/);
		expect(harness.emulator.faults.pending()).toBe(0);
		expect(count(harness.emulator, FAILURES)).toBe(2);
	});

	it('says so when the failures file of a batch that counted failed rows answers 404: no row vanishes', async () => {
		harness.emulator.faults.failNext(FAILURES, 1, { httpStatus: 404 });
		const out = jsonOf(
			await coImport(
				{ output: 'failed' },
				{ items: [{ json: { vin: vin(55), year: 'not a year' } }] },
			).run(),
		);
		expect(out).toHaveLength(1);
		expect(out[0]).toMatchObject({ rowsFailed: 1 });
		expect(String(out[0].issuesError)).toMatch(/could not be fetched.*404/);
	});

	it('keeps a 404 anywhere else an error: a status call, a lead batch', async () => {
		harness.emulator.faults.failNext(STATUS, 1, { httpStatus: 404 });
		const error = await failure(
			coImport({}, { items: [{ json: { vin: vin(60), make: 'lada' } }] }).run(),
		);
		expect(error.message).toMatch(/404/);

		const leadFailures = customOperations.leadImport.getFailures;
		harness.emulator.faults.failNext('GET /bulk/v1/leads/batch/:id/failures.json', 1, {
			httpStatus: 404,
		});
		const test = harness.context({
			resource: 'leadImport',
			operation: 'getFailures',
			batchId: '1',
		});
		const leadError = await failure(leadFailures.call(test.context as IExecuteFunctions));
		expect(leadError.message).toMatch(/404/);
	});

	it('Get Failures names the custom object: a batch of another object is not found', async () => {
		const batchId = await importedBatch([{ json: { vin: vin(70), year: 'x' } }]);
		const error = await failure(
			coImport({
				operation: 'getFailures',
				customObject: object('course_enrollment_c'),
				batchId: String(batchId),
			}).run(),
		);
		expect(error.message).toMatch(/1003/);
	});
});
