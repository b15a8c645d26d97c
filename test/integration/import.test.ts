/** Lead Import against the emulator, over HTTP, through the node's operations. */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	IPairedItemData,
} from 'n8n-workflow';

import { description as leadImportDescription } from '../../nodes/MarketoBulk/actions/leadImport/LeadImport.resource';
import { customOperations } from '../../nodes/MarketoBulk/actions/router';
import { getLeadImportFields } from '../../nodes/MarketoBulk/methods/resourceMapping';
import {
	marketoRequest,
	prepareRoutedRequest,
	TIME_LIMITS,
	unwrapEnvelope,
} from '../../nodes/MarketoBulk/transport';
import type { TestContext } from '../helpers/n8nContext';
import { count, startHarness, type Harness } from '../helpers/setup';

const UPLOAD = 'POST /bulk/v1/leads.json';
const TOKEN = 'GET /identity/oauth/token';
const FAST = { pollIntervalSeconds: 0.05, timeoutMinutes: 1 };

let harness: Harness;

beforeAll(async () => {
	harness = await startHarness({
		leads: { count: 300, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
		activities: { count: 10, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
		importProcessingMs: 20,
		exportProcessingMs: 20,
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
	run(operation?: Operation): Promise<INodeExecutionData[][]>;
}

/** A node run; `columns.value` entries written `={{ $json.key }}` are evaluated per item, as n8n would. */
function leadImport(
	parameters: IDataObject,
	extra: { items?: INodeExecutionData[]; continueOnFail?: boolean } = {},
	h = harness,
): Run {
	const items = extra.items ?? [{ json: {} }];
	const test = h.context(
		{
			resource: 'leadImport',
			operation: 'import',
			source: 'items',
			lookupField: 'email',
			output: 'summary',
			columns: { mappingMode: 'autoMapInputData', value: null },
			...parameters,
			options: { ...FAST, ...((parameters.options as IDataObject) ?? {}) },
		},
		{ items, continueOnFail: extra.continueOnFail },
	);
	const original = test.context.getNodeParameter.bind(test.context) as (
		...args: unknown[]
	) => unknown;
	(test.context as unknown as { getNodeParameter: unknown }).getNodeParameter = (
		name: string,
		itemIndex?: unknown,
		fallback?: unknown,
	) => {
		const value = original(name, itemIndex, fallback);
		if (name !== 'columns.value' || typeof itemIndex !== 'number' || !value) return value;
		const out: IDataObject = {};
		for (const [key, v] of Object.entries(value as IDataObject)) {
			const m = typeof v === 'string' ? /^=\{\{\s*\$json\.(\w+)\s*\}\}$/.exec(v) : null;
			out[key] = m ? ((items[itemIndex].json as IDataObject)[m[1]] as never) : v;
		}
		return out;
	};
	return {
		test,
		items,
		run: (operation: Operation = (parameters.operation as Operation) ?? 'import') =>
			customOperations.leadImport[operation].call(test.context as IExecuteFunctions),
	};
}

async function attachBinary(
	run: Run,
	content: string | Buffer,
	fileName = 'leads.csv',
	mimeType = 'text/csv',
	index = 0,
) {
	const data = await run.test.context.helpers.prepareBinaryData(
		Buffer.from(content),
		fileName,
		mimeType,
	);
	run.items[index] = { json: { fileName }, binary: { data } };
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

describe('Import from input items', () => {
	it('creates and updates leads, values quoted correctly, and the summary says so', async () => {
		const existing = harness.emulator.data.getLead(5)!;
		const items: INodeExecutionData[] = [
			{
				json: {
					email: 'new.one@acme.io',
					firstName: 'Ann, "the first"',
					lastName: 'Lee',
					address: 'Line 1\nLine 2',
				},
			},
			{ json: { email: 'new.two@acme.io', 'First Name': 'Bob', company: null, row_number: 3 } },
			{ json: { email: existing.email as string, company: 'Updated Corp', leadScore: 77 } },
		];
		const output = await leadImport({}, { items }).run();
		expect(output[0]).toHaveLength(1);
		const [summary] = jsonOf(output);
		expect(summary).toMatchObject({
			type: 'summary',
			status: 'Complete',
			source: 'inputItems',
			format: 'csv',
			lookupField: 'email',
			rows: 3,
			rowsSent: 3,
			leadsProcessed: 3,
			rowsFailed: 0,
			rowsWithWarning: 0,
			batchCount: 1,
			ignoredFields: ['row_number'],
		});
		expect((summary.batches as IDataObject[])[0]).toMatchObject({
			batch: 1,
			status: 'Complete',
			numOfLeadsProcessed: 3,
		});
		expect(summary.messages).toEqual([expect.stringMatching(/3 records imported/)]);
		expect(pairedItems(output[0][0])).toEqual([0, 1, 2]);

		const one = harness.emulator.data.getLead('new.one@acme.io')!;
		expect(one).toMatchObject({
			firstName: 'Ann, "the first"',
			lastName: 'Lee',
			address: 'Line 1\nLine 2',
		});
		expect(harness.emulator.data.getLead('new.two@acme.io')!.firstName).toBe('Bob');
		const updated = harness.emulator.data.getLead(5)!;
		expect(updated).toMatchObject({
			company: 'Updated Corp',
			leadScore: '77',
			firstName: existing.firstName,
		});
		expect(harness.emulator.data.imports()[0]).toMatchObject({
			format: 'csv',
			lookupField: 'email',
		});

		// A later export sees the new leads and the update.
		const now = harness.emulator.now();
		const exported = jsonOf(
			await customOperations.leadExport.export.call(
				harness.context({
					resource: 'leadExport',
					operation: 'export',
					fields: ['id', 'email', 'firstName', 'address', 'company'],
					format: 'CSV',
					filterType: 'createdAt',
					startAt: new Date(now.getTime() - 3600_000).toISOString(),
					endAt: new Date(now.getTime() + 3600_000).toISOString(),
					output: 'records',
					options: FAST,
				}).context as IExecuteFunctions,
			),
		);
		expect(exported.map((r) => r.email).sort()).toEqual(['new.one@acme.io', 'new.two@acme.io']);
		expect(exported.find((r) => r.email === 'new.one@acme.io')).toMatchObject({
			firstName: 'Ann, "the first"',
			address: 'Line 1\nLine 2',
		});
	});

	it('maps fields defined below, per item', async () => {
		const items = [
			{ json: { mail: 'mapped.a@acme.io', name: 'A', ignored: 'x' } },
			{ json: { mail: 'mapped.b@acme.io', name: 'B', ignored: 'y' } },
		];
		const output = await leadImport(
			{
				columns: {
					mappingMode: 'defineBelow',
					value: {
						email: '={{ $json.mail }}',
						firstName: '={{ $json.name }}',
						title: 'Buyer',
						city: null,
					},
				},
			},
			{ items },
		).run();
		expect(jsonOf(output)[0]).toMatchObject({ status: 'Complete', leadsProcessed: 2 });
		expect(harness.emulator.data.getLead('mapped.b@acme.io')).toMatchObject({
			firstName: 'B',
			title: 'Buyer',
		});
	});

	it('outputs failed and warned rows paired with the input items that produced them', async () => {
		const items: INodeExecutionData[] = [
			{ json: { email: 'good@acme.io', leadScore: 1 } },
			{ json: { email: 'not-an-email', leadScore: 2 } },
			{ json: { email: 'typed@acme.io', leadScore: 'lots' } },
			{ json: { email: '', leadScore: 4 } },
			{ json: { email: 'not-an-email', leadScore: 2 } },
			{ json: { email: 'fine@acme.io', leadScore: 6 } },
		];
		const output = await leadImport(
			{ output: 'failedAndWarnings', options: { maxRowsPerBatch: 3 } },
			{ items },
		).run();
		const [summary, ...rows] = output[0];
		expect(summary.json).toMatchObject({
			status: 'Complete',
			batchCount: 2,
			rowsFailed: 3,
			rowsWithWarning: 1,
			leadsProcessed: 3,
		});
		expect(rows.map((r) => [r.json.type, r.json.inputItem, pairedItems(r)])).toEqual([
			['failedRow', 1, [1]],
			['failedRow', 3, [3]],
			['failedRow', 4, [4]],
			['warningRow', 2, [2]],
		]);
		expect(rows[0].json).toMatchObject({
			reason: expect.stringMatching(/Invalid email/),
			match: 'exact',
			fields: { email: 'not-an-email', leadScore: '2' },
		});
		expect(rows[1].json.reason).toMatch(/lookup field 'email' is missing/);
		expect(rows[3].json).toMatchObject({
			reason: expect.stringMatching(/Invalid value 'lots'/),
			fields: { email: 'typed@acme.io', leadScore: 'lots' },
		});
		// Summary and Failed Rows leaves the warnings out.
		const failedOnly = await leadImport(
			{ output: 'failed', options: { maxRowsPerBatch: 3 } },
			{ items },
		).run();
		expect(failedOnly[0].map((i) => i.json.type)).toEqual([
			'summary',
			'failedRow',
			'failedRow',
			'failedRow',
		]);
	});

	it('keeps the summary when the failed rows cannot be fetched', async () => {
		harness.emulator.faults.failNext('/failures.json', 10, {
			code: '603',
			message: 'Access denied',
		});
		const output = await leadImport(
			{ output: 'failed' },
			{ items: [{ json: { email: 'ok@acme.io' } }, { json: { email: 'not-an-email' } }] },
		).run();
		expect(output[0]).toHaveLength(1);
		expect(output[0][0].json).toMatchObject({ status: 'Complete', rowsFailed: 1 });
		expect(String(output[0][0].json.issuesError)).toMatch(
			/The import completed, but its failed\/warned rows could not be fetched: Marketo error 603/,
		);
	});

	it('lookup field ID updates known leads only; unknown IDs come back as failures', async () => {
		const before = harness.emulator.data.getLead(7)!;
		const items = [
			{ json: { id: 7, title: 'Chief Importer' } },
			{ json: { id: 999999, title: 'Nobody' } },
		];
		const output = await leadImport({ lookupField: 'id', output: 'failed' }, { items }).run();
		const [summary, failed] = jsonOf(output);
		expect(summary).toMatchObject({ lookupField: 'id', leadsProcessed: 1, rowsFailed: 1 });
		expect(failed).toMatchObject({
			type: 'failedRow',
			inputItem: 1,
			reason: expect.stringMatching(/1004 Lead not found/),
		});
		expect(harness.emulator.data.getLead(7)).toMatchObject({
			title: 'Chief Importer',
			email: before.email,
		});
		expect(harness.emulator.data.leadCount()).toBe(300);
		expect(harness.emulator.data.imports()[0].lookupField).toBe('id');
	});

	it('adds every imported lead to the static list', async () => {
		const items = [
			{ json: { email: 'member.a@acme.io' } },
			{ json: { email: 'member.b@acme.io' } },
		];
		const output = await leadImport(
			{ options: { staticList: { mode: 'list', value: '1003' } } },
			{ items },
		).run();
		expect(jsonOf(output)[0]).toMatchObject({ status: 'Complete', listId: '1003' });
		const members = harness.emulator.data.staticListMembers(1003);
		for (const email of ['member.a@acme.io', 'member.b@acme.io']) {
			expect(members).toContain(Number(harness.emulator.data.getLead(email)!.id));
		}
		expect(harness.emulator.data.imports()[0].listId).toBe(1003);
	});

	it('refuses no input items, items without fields and a lookup field missing, before sending anything', async () => {
		const cases: Array<[INodeExecutionData[], IDataObject, RegExp]> = [
			[[], {}, /no input items/],
			[[{ json: {} }, { json: {} }], {}, /None of the input items has a field/],
			[
				[{ json: { firstName: 'No email' } }],
				{},
				/lookup field "email" is not among the mapped fields/,
			],
			[[{ json: { email: 'a@b.io' } }], { lookupField: 'id' }, /lookup field "id"/],
		];
		for (const [items, parameters, message] of cases) {
			const error = await failure(leadImport(parameters, { items }).run());
			expect(error.message).toMatch(message);
			expect(error.message).toMatch(/Nothing was sent to Marketo/);
		}
		expect(count(harness.emulator, UPLOAD)).toBe(0);
	});
});

describe('Import a binary file', () => {
	it.each([
		['csv', 'leads.csv', 'email,firstName,company\nfile.csv@acme.io,Cee,"Comma, Inc"\n'],
		['tsv', 'leads.tsv', 'email\tfirstName\tcompany\nfile.tsv@acme.io\tTee\t"Tab\tInc"\n'],
		['ssv', 'leads.txt', 'email;firstName;company\nfile.ssv@acme.io;Ess;"Semi; Inc"\n'],
	])('imports %s, detected from the header', async (format, fileName, content) => {
		const run = leadImport({ source: 'binary', fileFormat: 'auto', binaryPropertyName: 'data' });
		await attachBinary(run, content, fileName);
		const [summary] = jsonOf(await run.run());
		expect(summary).toMatchObject({
			status: 'Complete',
			source: 'binaryFile',
			fileName,
			format,
			leadsProcessed: 1,
		});
		expect(harness.emulator.data.imports()[0].format).toBe(format);
		const lead = harness.emulator.data.getLead(`file.${format}@acme.io`)!;
		expect(lead.company).toBe(
			format === 'csv' ? 'Comma, Inc' : format === 'tsv' ? 'Tab\tInc' : 'Semi; Inc',
		);
	});

	it('imports a binary held in memory (n8n 1.x default mode), format chosen', async () => {
		const content = 'email,lastName\nmemory@acme.io,Base64\n';
		const run = leadImport(
			{ source: 'binary', fileFormat: 'csv' },
			{
				items: [
					{
						json: {},
						binary: {
							data: {
								data: Buffer.from(content).toString('base64'),
								mimeType: 'text/csv',
								fileName: 'm.csv',
							},
						},
					},
				],
			},
		);
		expect(jsonOf(await run.run())[0]).toMatchObject({ status: 'Complete', leadsProcessed: 1 });
		expect(harness.emulator.data.getLead('memory@acme.io')!.lastName).toBe('Base64');
	});

	it('splits a 25 MB file into 3 batches on row boundaries, all Complete, every row imported once', async () => {
		const header = 'email,firstName,address\n';
		const filler = 'Suite 100, "Building" B\n'.padEnd(960, '.');
		const rows: string[] = [];
		let size = header.length;
		for (let i = 0; size < 25 * 1024 * 1024; i++) {
			const row = `big${i}@acme.io,Big ${i},"${filler.replace(/"/g, '""')}"\n`;
			rows.push(row);
			size += row.length;
		}
		const run = leadImport({ source: 'binary', output: 'failed' });
		await attachBinary(run, header + rows.join(''), 'big.csv');
		const output = await run.run();
		const [summary] = jsonOf(output);
		expect(output[0]).toHaveLength(1);
		const batches = summary.batches as IDataObject[];
		expect(batches.length).toBeGreaterThanOrEqual(3);
		expect(
			batches.every((b) => b.status === 'Complete' && (b.bytes as number) < 10 * 1024 * 1024),
		).toBe(true);
		expect(summary).toMatchObject({
			status: 'Complete',
			rows: rows.length,
			leadsProcessed: rows.length,
			rowsFailed: 0,
		});
		expect(batches.map((b) => [b.firstRow, b.lastRow])).toEqual(
			batches.map((_, k) => [
				k === 0 ? 1 : (batches[k - 1].lastRow as number) + 1,
				batches[k].lastRow,
			]),
		);
		expect(batches[batches.length - 1].lastRow).toBe(rows.length);
		expect(count(harness.emulator, UPLOAD)).toBe(batches.length);
		expect(harness.emulator.data.getLead(`big${rows.length - 1}@acme.io`)!.address).toBe(filler);
		expect(harness.emulator.data.leadCount()).toBe(300 + rows.length);
	}, 60_000);

	it('pairs failed rows of a file with their row and line numbers', async () => {
		const run = leadImport({ source: 'binary', output: 'failed', options: { maxRowsPerBatch: 2 } });
		await attachBinary(
			run,
			'email,address\nok@acme.io,"two\nlines"\nbroken,x\n\nok2@acme.io,y\nbroken,x\n',
		);
		const [summary, ...failed] = jsonOf(await run.run());
		expect(summary).toMatchObject({ batchCount: 2, rowsFailed: 2 });
		expect(failed.map((f) => [f.row, f.line, f.batchId])).toEqual([
			[2, 4, (summary.batches as IDataObject[])[0].batchId],
			[4, 7, (summary.batches as IDataObject[])[1].batchId],
		]);
	});

	it('refuses bad files before sending anything', async () => {
		const cases: Array<[string | Buffer, IDataObject, RegExp]> = [
			['', {}, /is empty/],
			['email,firstName\n', {}, /header but no rows/],
			['email,firstName\na@b.io,A\n', { fileFormat: 'xlsx' }, /Unknown file format "xlsx"/],
			[Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]), {}, /not delimited text/],
			[
				'firstName,lastName\nA,B\n',
				{},
				/lookup field "email" is not among the file's header columns/,
			],
			[
				'email,firstName\na@b.io,A\nc@d.io;C\n',
				{},
				/Line 3 has 1 value but the header has 2 columns/,
			],
			[
				'email\tfirstName\na@b.io\tA\n',
				{ fileFormat: 'csv' },
				/tab-separated, but the format is CSV/,
			],
		];
		for (const [content, parameters, message] of cases) {
			const run = leadImport({ source: 'binary', ...parameters });
			await attachBinary(run, content);
			const error = await failure(run.run());
			expect(error.message).toMatch(message);
		}
		expect(count(harness.emulator, UPLOAD)).toBe(0);
	});
});

describe("Marketo's queue, failures and recovery", () => {
	it('waits while Marketo answers 1016 Too many imports, then imports', async () => {
		harness.emulator.faults.failNext(UPLOAD, 2, { code: '1016', message: 'Too many imports' });
		const output = await leadImport({}, { items: [{ json: { email: 'patient@acme.io' } }] }).run();
		expect(jsonOf(output)[0]).toMatchObject({ status: 'Complete', leadsProcessed: 1 });
		expect(count(harness.emulator, UPLOAD)).toBe(3);
	});

	it('fails with 1016 advice when the queue stays full until the timeout', async () => {
		harness.emulator.faults.failNext(UPLOAD, 1000, { code: '1016', message: 'Too many imports' });
		const error = await failure(
			leadImport(
				{ options: { timeoutMinutes: 0.005 } },
				{ items: [{ json: { email: 'late@acme.io' } }] },
			).run(),
		);
		expect(error.message).toMatch(/could not be uploaded: Marketo error 1016/);
		expect(error.description).toMatch(/queue stayed full/);
		expect(error.description).toMatch(/Nothing was imported/);
	});

	it('stops on a cancelled execution while waiting out 1016, even with Continue On Fail', async () => {
		harness.emulator.faults.failNext(UPLOAD, 1000, { code: '1016', message: 'Too many imports' });
		const run = leadImport(
			{ options: { pollIntervalSeconds: 0.2 } },
			{ items: [{ json: { email: 'waiting@acme.io' } }], continueOnFail: true },
		);
		const pending = run.run();
		setTimeout(() => run.test.abort.abort(), 300);
		await expect(pending).rejects.toThrow(/cancelled/);
	});

	it('keeps within a real queue: another run fills it, this one waits for a slot', async () => {
		const small = await startHarness({
			leads: { count: 10, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
			importQueue: { processing: 1, queued: 2 },
			importProcessingMs: 150,
		});
		try {
			const items = (prefix: string) =>
				Array.from({ length: 6 }, (_, i) => ({ json: { email: `${prefix}${i}@acme.io` } }));
			// Create Import Job does not wait for batches: its 3 batches fill the queue (1 importing + 1 queued), the third waits on 1016.
			const filler = leadImport(
				{ operation: 'createJob', options: { maxRowsPerBatch: 2 } },
				{ items: items('fill') },
				small,
			);
			const created = jsonOf(await filler.run());
			expect(created.map((c) => c.status)).toEqual([
				expect.stringMatching(/Queued|Importing/),
				expect.stringMatching(/Queued|Importing/),
				expect.stringMatching(/Queued|Importing/),
			]);
			expect(count(small.emulator, UPLOAD)).toBeGreaterThan(3);
			const output = await leadImport(
				{ options: { maxRowsPerBatch: 3 } },
				{ items: items('wait') },
				small,
			).run();
			expect(jsonOf(output)[0]).toMatchObject({
				status: 'Complete',
				batchCount: 2,
				leadsProcessed: 6,
			});
			expect(small.emulator.data.imports().every((b) => b.status === 'Complete')).toBe(true);
		} finally {
			await small.emulator.close();
		}
	});

	it('times out with the batches Marketo holds, which go on importing', async () => {
		const slow = await startHarness({
			leads: { count: 10, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
			importProcessingMs: 5_000,
		});
		try {
			const error = await failure(
				leadImport(
					{ options: { timeoutMinutes: 0.005 } },
					{ items: [{ json: { email: 'slow@acme.io' } }] },
					slow,
				).run(),
			);
			const [batch] = slow.emulator.data.imports();
			expect(error.message).toBe(`The import timed out while batch ${batch.batchId} was Importing`);
			expect(error.description).toContain(`batchIds ${batch.batchId}`);
			expect(error.description).toMatch(/goes on importing accepted batches/);
		} finally {
			await slow.emulator.close();
		}
	});

	it('reports the accepted batchIds when batch 3 of 5 cannot be uploaded', async () => {
		const items = Array.from({ length: 10 }, (_, i) => ({ json: { email: `part${i}@acme.io` } }));
		const run = leadImport({ options: { maxRowsPerBatch: 2 } }, { items });
		// Arm the fault just before the third upload.
		const helpers = run.test.context.helpers as unknown as {
			httpRequestWithAuthentication: (...args: unknown[]) => Promise<unknown>;
		};
		const send = helpers.httpRequestWithAuthentication;
		let uploads = 0;
		helpers.httpRequestWithAuthentication = function (this: unknown, ...args: unknown[]) {
			const options = args[1] as { url: string; method: string };
			if (options.method === 'POST' && options.url === '/bulk/v1/leads.json' && ++uploads === 3) {
				harness.emulator.faults.failNext(UPLOAD, 1, { code: '1003', message: 'Invalid file' });
			}
			return send.apply(this, args);
		};
		const error = await failure(run.run());
		const accepted = harness.emulator.data.imports().map((b) => b.batchId);
		expect(accepted).toHaveLength(2);
		expect(error.message).toBe(
			'Batch 3 of 5 (input items 4–5) could not be uploaded: Marketo error 1003: Invalid file. Marketo rejected the request. Check field names (use REST API names from Admin > Field Management, or pick them from the list), dates, and IDs.',
		);
		expect(error.description).toContain(`batchIds ${accepted.join(', ')}`);
		expect(error.description).toContain('input items 0–1');
		expect(error.description).toContain('Not sent: 3 batches, input items 4–9');

		// Continue On Fail: the same as an item, with every batch's state.
		harness.emulator.reset();
		uploads = 0;
		const again = leadImport({ options: { maxRowsPerBatch: 2 } }, { items, continueOnFail: true });
		const againHelpers = again.test.context.helpers as unknown as typeof helpers;
		const sendAgain = againHelpers.httpRequestWithAuthentication;
		againHelpers.httpRequestWithAuthentication = function (this: unknown, ...args: unknown[]) {
			const options = args[1] as { url: string; method: string };
			if (options.method === 'POST' && options.url === '/bulk/v1/leads.json' && ++uploads === 3) {
				harness.emulator.faults.failNext(UPLOAD, 1, { code: '1003', message: 'Invalid file' });
			}
			return sendAgain.apply(this, args);
		};
		const [item] = jsonOf(await again.run());
		expect(item.error).toMatch(/Batch 3 of 5/);
		expect((item.batches as IDataObject[]).map((b) => b.status)).toEqual([
			expect.stringMatching(/Queued|Importing|Complete/),
			expect.stringMatching(/Queued|Importing|Complete/),
			'UploadFailed',
			'NotSent',
			'NotSent',
		]);
		expect((item.batches as IDataObject[]).slice(0, 2).map((b) => b.batchId)).toEqual(
			harness.emulator.data.imports().map((b) => b.batchId),
		);
	});

	it("ends the run with Marketo's message when the batch fails; Continue On Fail gives it as an item", async () => {
		const content = 'email,favouriteColour\nx@acme.io,blue\n';
		const run = leadImport({ source: 'binary' });
		await attachBinary(run, content);
		const error = await failure(run.run());
		expect(error.message).toMatch(
			/Marketo import batch \d+ failed: Field 'favouriteColour' not found/,
		);
		expect(error.description).toMatch(/Marketo imported none of its rows/);

		const tolerant = leadImport({ source: 'binary' }, { continueOnFail: true });
		await attachBinary(tolerant, content);
		const output = await tolerant.run();
		expect(output[0][0].json).toMatchObject({
			error: expect.stringMatching(/Field 'favouriteColour' not found/),
			status: 'Failed',
		});
		expect(output[0][0].pairedItem).toEqual({ item: 0 });
	});

	it('replays the upload after a token refresh (the multipart body is rebuilt per attempt)', async () => {
		harness.emulator.faults.failNext(UPLOAD, 1, { code: '601', message: 'Access token invalid' });
		const output = await leadImport(
			{},
			{ items: [{ json: { email: 'replayed@acme.io', firstName: 'R' } }] },
		).run();
		expect(jsonOf(output)[0]).toMatchObject({ status: 'Complete', leadsProcessed: 1 });
		expect(count(harness.emulator, UPLOAD)).toBe(2);
		expect(harness.emulator.data.getLead('replayed@acme.io')!.firstName).toBe('R');
	});

	it('retries an upload refused at the door (503) but never one Marketo may have taken (502)', async () => {
		harness.emulator.faults.failNext(UPLOAD, 1, { httpStatus: 503 });
		const ok = await leadImport({}, { items: [{ json: { email: 'door@acme.io' } }] }).run();
		expect(jsonOf(ok)[0]).toMatchObject({ status: 'Complete', leadsProcessed: 1 });
		expect(count(harness.emulator, UPLOAD)).toBe(2);

		harness.emulator.resetCounters();
		harness.emulator.faults.failNext(UPLOAD, 1, { httpStatus: 502 });
		const error = await failure(
			leadImport({}, { items: [{ json: { email: 'maybe@acme.io' } }] }).run(),
		);
		expect(count(harness.emulator, UPLOAD)).toBe(1);
		expect(error.message).toMatch(
			/^Batch 1 of 1 \(input item 0\) may or may not have been imported/,
		);
		expect(error.description).toMatch(
			/Unknown: batch 1, input item 0: the upload broke off after it was sent/,
		);
		expect(error.description).not.toMatch(/Nothing was imported/);
	});

	it('says which batch may have been imported when the connection drops after a whole upload was sent', async () => {
		// n8n replaces an error message naming ECONNRESET with its generic "connection closed" text
		harness.emulator.faults.failNext(UPLOAD, 1, { reset: true });
		const error = await failure(
			leadImport({}, { items: [{ json: { email: 'dropped@acme.io' } }] }).run(),
		);
		expect(count(harness.emulator, UPLOAD)).toBe(1);
		expect(error.message).toMatch(
			/^Batch 1 of 1 \(input item 0\) may or may not have been imported: the upload broke off after it was sent: .*connection/,
		);
		expect(error.description).toMatch(/Marketo may or may not have accepted it/);
	});
});

describe('uploads that break off', () => {
	const savedLimits = { ...TIME_LIMITS };
	afterEach(() => Object.assign(TIME_LIMITS, savedLimits));

	/** One batch of about 9.3 MB: far more than a connection takes before the server has read any. */
	function largeBatch(): string {
		const filler = 'x'.repeat(950);
		const rows = ['email,address\n'];
		for (let i = 0; i < 9_300; i++) rows.push(`large${i}@acme.io,${filler}\n`);
		return rows.join('');
	}

	it.each([
		['refused it at once (601) and closed the connection unread', { code: '601', unread: true }],
		['dropped the connection before reading it', { reset: true }],
	])(
		'retries, with a fresh token, a 9.5 MB upload the server %s',
		async (_name, fault) => {
			const run = leadImport({ source: 'binary' });
			await attachBinary(run, largeBatch(), 'large.csv');
			// The run starts with a token in hand, as n8n's credential keeps it.
			await marketoRequest(run.test.context, {
				method: 'GET',
				path: '/rest/v1/activities/types.json',
			});
			harness.emulator.resetCounters();
			harness.emulator.faults.failNext(UPLOAD, 1, fault);
			const [summary] = jsonOf(await run.run());
			expect(summary).toMatchObject({ status: 'Complete', leadsProcessed: 9_300 });
			expect(count(harness.emulator, UPLOAD)).toBe(2);
			expect(harness.emulator.data.imports()).toHaveLength(1);
			expect(count(harness.emulator, TOKEN)).toBe(1);
		},
		60_000,
	);

	it('does not resend an upload that got no answer after its whole body was sent', async () => {
		Object.assign(TIME_LIMITS, { uploadMs: 300, uploadBytesPerSecond: 1e9 });
		harness.emulator.faults.failNext(UPLOAD, 1, { hang: true });
		const started = Date.now();
		const error = await failure(
			leadImport({}, { items: [{ json: { email: 'silent@acme.io' } }] }).run(),
		);
		expect(Date.now() - started).toBeLessThan(3000);
		expect(count(harness.emulator, UPLOAD)).toBe(1);
		expect(error.message).toMatch(/Marketo error timeout: Marketo did not answer within/);
		expect(error.description).toMatch(/Unknown: batch 1, input item 0: the upload broke off/);
	});

	it('does not start an upload with a token about to expire: it waits it out and uses a new one', async () => {
		const short = await startHarness({ tokenTtlSeconds: 3, importProcessingMs: 20 });
		try {
			TIME_LIMITS.tokenMarginMs = 2500;
			await marketoRequest(short.context({}).context, {
				method: 'GET',
				path: '/rest/v1/activities/types.json',
			});
			await new Promise((resolve) => setTimeout(resolve, 1000));
			const output = await leadImport(
				{},
				{ items: [{ json: { email: 'fresh@acme.io' } }] },
				short,
			).run();
			expect(jsonOf(output)[0]).toMatchObject({ status: 'Complete', leadsProcessed: 1 });
			expect(count(short.emulator, TOKEN)).toBe(2);
			expect(count(short.emulator, UPLOAD)).toBe(1);
		} finally {
			await short.emulator.close();
		}
	});
});

/** Waits until the emulator imported the first batch it received. */
async function firstBatchImported(): Promise<void> {
	for (let i = 0; i < 100 && harness.emulator.data.imports()[0].status !== 'Complete'; i++)
		await new Promise((r) => setTimeout(r, 20));
}

describe('Create Import Job, Get Failures, Get Warnings', () => {
	it('uploads without waiting, then reads failures and warnings of the batch', async () => {
		const items = [
			{ json: { email: 'ok@acme.io', leadScore: 3 } },
			{ json: { email: 'bad email', leadScore: 3 } },
			{ json: { email: 'warn@acme.io', leadScore: 'many' } },
		];
		const created = jsonOf(await leadImport({ operation: 'createJob' }, { items }).run());
		expect(created).toEqual([
			expect.objectContaining({
				batch: 1,
				batchCount: 1,
				status: expect.stringMatching(/Queued|Importing/),
				firstInputItem: 0,
				lastInputItem: 2,
				rows: 3,
				format: 'csv',
			}),
		]);
		const batchId = created[0].batchId as number;
		expect(typeof batchId).toBe('number');
		await firstBatchImported();

		const failures = jsonOf(
			await leadImport({ operation: 'getFailures', batchId: String(batchId) }).run(),
		);
		expect(failures).toEqual([
			{
				type: 'failedRow',
				reason: expect.stringMatching(/Invalid email/),
				batchId,
				fields: { email: 'bad email', leadScore: '3' },
			},
		]);
		const warnings = jsonOf(
			await leadImport({ operation: 'getWarnings', batchId: String(batchId) }).run(),
		);
		expect(warnings).toEqual([
			{
				type: 'warningRow',
				reason: expect.stringMatching(/Invalid value 'many'/),
				batchId,
				fields: { email: 'warn@acme.io', leadScore: 'many' },
			},
		]);
		const error = await failure(leadImport({ operation: 'getFailures', batchId: 'abc' }).run());
		expect(error.message).toMatch(/"abc" is not a batch ID/);
	});

	it('reads a failures file again when the connection is lost in the middle of it', async () => {
		// Several failed rows, so that the cut falls inside the rows, not the header.
		const items = Array.from({ length: 40 }, (_, i) => ({
			json: { email: `not-an-email-${i}`, leadScore: i },
		}));
		const created = jsonOf(await leadImport({ operation: 'createJob' }, { items }).run());
		const batchId = String(created[0].batchId);
		await firstBatchImported();
		const getFailures = (continueOnFail = false) =>
			leadImport({ operation: 'getFailures', batchId }, { continueOnFail }).run();
		const whole = jsonOf(await getFailures());
		expect(whole).toHaveLength(40);

		// Cut twice after 700 bytes: the file is read a third time, each row output once.
		harness.emulator.faults.failNext('/failures.json', 2, { stallAfterBytes: 700, hangMs: 0 });
		expect(jsonOf(await getFailures())).toEqual(whole);
		expect(harness.emulator.faults.pending()).toBe(0);

		// Cut on every read: a clear error and, with Continue On Fail, nothing but that error, none of the
		// rows read before it.
		const brokenFile =
			/^The failures file of import batch \d+ broke off again after 5 new reads \(last after 700 bytes\).*\. No rows of it were output\.$/;
		harness.emulator.faults.failNext('/failures.json', 6, { stallAfterBytes: 700, hangMs: 0 });
		const error = await failure(getFailures());
		expect(error.message).toMatch(brokenFile);
		expect(error.description).toMatch(/run Get Failures \/ Get Warnings on the batch ID again/);
		harness.emulator.faults.failNext('/failures.json', 6, { stallAfterBytes: 700, hangMs: 0 });
		const output = jsonOf(await getFailures(true));
		expect(output).toEqual([
			{ error: expect.stringMatching(brokenFile), description: expect.any(String) },
		]);
		expect(harness.emulator.faults.pending()).toBe(0);
	});

	it('Create Import Job splits a file into batches and returns each batchId', async () => {
		const run = leadImport({
			operation: 'createJob',
			source: 'binary',
			options: { maxRowsPerBatch: 2 },
		});
		await attachBinary(run, 'email\na@acme.io\nb@acme.io\nc@acme.io\n');
		const created = jsonOf(await run.run());
		expect(created.map((c) => [c.batch, c.batchCount, c.firstRow, c.lastRow])).toEqual([
			[1, 2, 1, 2],
			[2, 2, 3, 3],
		]);
		expect(created.map((c) => c.batchId)).toEqual(
			harness.emulator.data.imports().map((b) => b.batchId),
		);
	});
});

describe('Get Import Status (declarative) and the field mapper', () => {
	it('routes Get Import Status to the batch status endpoint', async () => {
		const items = [{ json: { email: 'status@acme.io' } }];
		const [summary] = jsonOf(await leadImport({}, { items }).run());
		const batchId = (summary.batches as IDataObject[])[0].batchId;
		const operation = leadImportDescription.find((p) => p.name === 'operation')!;
		const option = (operation.options as INodePropertyOptions[]).find(
			(o) => o.value === 'getImportStatus',
		)!;
		const request = option.routing!.request!;
		// What n8n's RoutingNode does: resolve the URL expression, preSend, request, postReceive.
		const url = String(request.url)
			.replace(/^=/, '')
			.replace('{{$parameter.batchId}}', String(batchId));
		const test = harness.context({
			resource: 'leadImport',
			operation: 'getImportStatus',
			batchId: String(batchId),
		});
		const ctx = test.context as never as ThisParameterType<typeof prepareRoutedRequest>;
		const options = await prepareRoutedRequest.call(ctx, {
			method: request.method,
			url,
			headers: { Accept: 'application/json' },
		});
		const response = await test.context.helpers.httpRequestWithAuthentication.call(
			test.context,
			'marketoApi',
			options,
		);
		const result = await unwrapEnvelope.call(ctx, [], response as never);
		expect(result.map((r) => r.json)).toEqual([
			expect.objectContaining({
				batchId,
				status: 'Complete',
				numOfLeadsProcessed: 1,
				numOfRowsFailed: 0,
			}),
		]);
	});

	it("offers Marketo's lead fields to the mapper, typed", async () => {
		const test = harness.context({});
		const { fields } = await getLeadImportFields.call(test.context as never);
		const byId = new Map(fields.map((f) => [f.id, f]));
		expect(byId.get('email')).toMatchObject({
			displayName: 'Email Address (email)',
			type: 'string',
			defaultMatch: true,
			display: true,
		});
		expect(byId.get('leadScore')).toMatchObject({ type: 'number' });
		expect(byId.get('unsubscribed')).toMatchObject({ type: 'boolean' });
		expect(byId.get('birthDate')).toMatchObject({ type: 'string' });
	});

	it('leaves out the fields Marketo marks read-only; Id only when it is the Lookup Field, which is required', async () => {
		const readOnly = ['id', 'createdAt', 'updatedAt', 'cookies'];
		const fieldsOf = async (parameters: IDataObject) =>
			(await getLeadImportFields.call(harness.context(parameters).context as never)).fields;
		const ids = (fields: Array<{ id: string }>) => fields.map((f) => f.id);
		const required = (fields: Array<{ id: string; required: boolean }>) =>
			ids(fields.filter((f) => f.required));
		const byEmail = await fieldsOf({ lookupField: 'email' });
		expect(ids(byEmail)).toContain('email');
		for (const field of readOnly) expect(ids(byEmail)).not.toContain(field);
		const byId = await fieldsOf({ lookupField: 'id' });
		expect(ids(byId)).toContain('id');
		for (const field of ['createdAt', 'updatedAt', 'cookies'])
			expect(ids(byId)).not.toContain(field);
		// the Lookup Field is required (every row must carry it), and only it
		expect(required(byEmail)).toEqual(['email']);
		expect(required(byId)).toEqual(['id']);
		const byOther = await fieldsOf({ lookupField: 'other', lookupFieldName: ' leadScore ' });
		expect(required(byOther)).toEqual(['leadScore']);
		expect(required(await fieldsOf({ lookupField: 'other', lookupFieldName: '' }))).toEqual([]);
	});
});
