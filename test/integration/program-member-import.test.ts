/**
 * Program Member Import against the emulator, over HTTP, through the node's operations: members and their
 * status read back from the emulator's membership data (data.programMembers), never from what the node
 * says it did.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	IPairedItemData,
} from 'n8n-workflow';

import { description as memberImportDescription } from '../../nodes/MarketoBulk/actions/programMemberImport/ProgramMemberImport.resource';
import { customOperations } from '../../nodes/MarketoBulk/actions/router';
import { loadOptions, resourceMapping } from '../../nodes/MarketoBulk/methods';
import { prepareRoutedRequest, unwrapEnvelope } from '../../nodes/MarketoBulk/transport';
import type { TestContext } from '../helpers/n8nContext';
import { count, startHarness, type Harness } from '../helpers/setup';

const UPLOAD = 'POST /bulk/v1/program/:id/members/import.json';
const LEAD_UPLOAD = 'POST /bulk/v1/leads.json';
const WEBINAR = 3002;
const TRADESHOW = 3004;
const WEBINAR_STATUSES = [
	'Not in Program',
	'Invited',
	'Registered',
	'Waitlisted',
	'No Show',
	'Attended',
	'Attended On-demand',
];
const FAST = { pollIntervalSeconds: 0.05, timeoutMinutes: 1 };

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
	run(operation?: Operation): Promise<INodeExecutionData[][]>;
}

/** The Program parameter as the editor saves it. */
const program = (id: number | string, mode = 'list') => ({ __rl: true, mode, value: String(id) });

function memberImport(
	parameters: IDataObject,
	extra: { items?: INodeExecutionData[]; continueOnFail?: boolean } = {},
): Run {
	const items = extra.items ?? [{ json: {} }];
	const test = harness.context(
		{
			resource: 'programMemberImport',
			operation: 'import',
			program: program(WEBINAR),
			programMemberStatus: 'Attended',
			source: 'items',
			output: 'summary',
			columns: { mappingMode: 'autoMapInputData', value: null },
			...parameters,
			options: { ...FAST, ...((parameters.options as IDataObject) ?? {}) },
		},
		{ items, continueOnFail: extra.continueOnFail },
	);
	return {
		test,
		items,
		run: (operation: Operation = (parameters.operation as Operation) ?? 'import') =>
			customOperations.programMemberImport[operation].call(test.context as IExecuteFunctions),
	};
}

async function attachBinary(run: Run, content: string, fileName: string) {
	const data = await run.test.context.helpers.prepareBinaryData(
		Buffer.from(content),
		fileName,
		'text/csv',
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

/** The program's members by email: the emulator's membership joined with its leads. */
function membersByEmail(programId: number): Map<string, Record<string, string | null>> {
	const out = new Map<string, Record<string, string | null>>();
	for (const member of harness.emulator.data.programMembers(programId)) {
		const lead = harness.emulator.data.getLead(Number(member.leadId))!;
		out.set(String(lead.email).toLowerCase(), member);
	}
	return out;
}

async function batchDone(batchId: number): Promise<void> {
	for (let i = 0; i < 200; i++) {
		const batch = harness.emulator.data.imports().find((b) => b.batchId === batchId);
		if (batch?.status === 'Complete' || batch?.status === 'Failed') return;
		await new Promise((r) => setTimeout(r, 20));
	}
	throw new Error(`batch ${batchId} did not finish`);
}

describe('Import from input items', () => {
	it('puts the people in the program with the status, creating unknown leads; the summary says so', async () => {
		const outsider = [...harness.emulator.data.leads()].find(
			(lead) => !membersByEmail(WEBINAR).has(String(lead.email).toLowerCase()),
		)!;
		const member = harness.emulator.data.getLead(
			Number(harness.emulator.data.programMembers(WEBINAR)[0].leadId),
		)!;
		expect(membersByEmail(WEBINAR).get(String(member.email).toLowerCase())!.statusName).not.toBe(
			'Attended',
		);
		const items: INodeExecutionData[] = [
			{ json: { email: 'new.attendee@acme.io', 'First Name': 'Nia', registration_code: 'R-1' } },
			{ json: { email: outsider.email as string, statusName: 'ignored' } },
			{ json: { email: member.email as string } },
		];
		const output = await memberImport({}, { items }).run();
		expect(output[0]).toHaveLength(1);
		const [summary] = jsonOf(output);
		expect(summary).toMatchObject({
			type: 'summary',
			status: 'Complete',
			source: 'inputItems',
			format: 'csv',
			programId: WEBINAR,
			programMemberStatus: 'Attended',
			rows: 3,
			rowsSent: 3,
			leadsProcessed: 3,
			rowsFailed: 0,
			batchCount: 1,
			// statusName is a program member field an import cannot write
			ignoredFields: ['statusName'],
		});
		expect(summary).not.toHaveProperty('lookupField');
		expect(pairedItems(output[0][0])).toEqual([0, 1, 2]);
		expect(count(harness.emulator, UPLOAD)).toBe(1);
		expect(count(harness.emulator, LEAD_UPLOAD)).toBe(0);
		const [batch] = harness.emulator.data.imports();
		expect(batch).toMatchObject({
			kind: 'program/members',
			programId: WEBINAR,
			programMemberStatus: 'Attended',
		});

		const members = membersByEmail(WEBINAR);
		for (const email of ['new.attendee@acme.io', outsider.email, member.email])
			expect(members.get(String(email).toLowerCase())?.statusName).toBe('Attended');
		expect(members.get('new.attendee@acme.io')!.registrationCode).toBe('R-1');
		expect(harness.emulator.data.getLead('new.attendee@acme.io')!.firstName).toBe('Nia');
	});

	it('refuses a status the program does not have, and an unknown program, before uploading', async () => {
		const items = [{ json: { email: 'someone@acme.io' } }];
		const wrongCase = await failure(
			memberImport({ programMemberStatus: 'attended' }, { items }).run(),
		);
		expect(wrongCase.message).toContain('"attended" is not a membership status of');
		for (const status of WEBINAR_STATUSES) expect(wrongCase.message).toContain(`"${status}"`);
		expect(wrongCase.description).toMatch(/did you mean "Attended"\?/);
		expect(wrongCase.message).toMatch(/Nothing was sent to Marketo\.$/);

		// A status of another channel (Tradeshow) is not one of the Webinar's.
		const otherChannel = await failure(
			memberImport({ programMemberStatus: 'Visited Booth' }, { items }).run(),
		);
		expect(otherChannel.message).toMatch(
			/"Visited Booth" is not a membership status of .*\(3002\)/,
		);

		const noProgram = await failure(
			memberImport({ program: program(9999, 'id') }, { items }).run(),
		);
		expect(noProgram.message).toMatch(/^Program 9999 was not found in Marketo\b/);

		const notAnId = await failure(memberImport({ program: program('abc', 'id') }, { items }).run());
		expect(notAnId.message).toBe('"abc" is not a program ID');
		const noStatus = await failure(memberImport({ programMemberStatus: '' }, { items }).run());
		expect(noStatus.message).toMatch(/Choose the membership status/);

		expect(count(harness.emulator, UPLOAD)).toBe(0);
		expect(harness.emulator.data.imports()).toEqual([]);
		expect(membersByEmail(WEBINAR).has('someone@acme.io')).toBe(false);
	});

	it('refuses items without an email before uploading: Marketo matches members by email', async () => {
		const error = await failure(
			memberImport({}, { items: [{ json: { firstName: 'No Email' } }] }).run(),
		);
		expect(error.message).toMatch(/lookup field "email" is not among the mapped fields/);
		expect(count(harness.emulator, UPLOAD)).toBe(0);
	});

	it('outputs failed and warned rows paired with the input items that produced them', async () => {
		const items: INodeExecutionData[] = [
			{ json: { email: 'good@acme.io', leadScore: 1 } },
			{ json: { email: 'typed@acme.io', leadScore: 'lots' } },
			{ json: { email: 'not-an-email', leadScore: 3 } },
			{ json: { email: '', leadScore: 4 } },
			{ json: { email: 'fine@acme.io', leadScore: 5 } },
			{ json: { email: 'typed@acme.io', leadScore: 'lots' } },
		];
		const output = await memberImport(
			{ output: 'failedAndWarnings', options: { maxRowsPerBatch: 4 } },
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
			['failedRow', 5, [5]],
			['warningRow', 2, [2]],
		]);
		expect(rows[0].json).toMatchObject({
			reason: 'Invalid data type in field Lead Score',
			match: 'exact',
			fields: { email: 'typed@acme.io', leadScore: 'lots' },
		});
		expect(rows[1].json.reason).toBe('Missing value for email');
		expect(rows[3].json).toMatchObject({
			reason: 'Invalid email address',
			fields: { email: 'not-an-email', leadScore: '3' },
		});
		// The warned row is imported; the failed ones are not.
		const members = membersByEmail(WEBINAR);
		expect(members.get('not-an-email')?.statusName).toBe('Attended');
		expect(members.has('typed@acme.io')).toBe(false);
		expect(members.get('fine@acme.io')?.statusName).toBe('Attended');
	});

	it('waits while Marketo answers 1016 Too many imports, then imports', async () => {
		harness.emulator.faults.failNext(UPLOAD, 2, { code: '1016', message: 'Too many imports' });
		const output = await memberImport(
			{},
			{ items: [{ json: { email: 'patient@acme.io' } }] },
		).run();
		expect(jsonOf(output)[0]).toMatchObject({ status: 'Complete', leadsProcessed: 1 });
		expect(count(harness.emulator, UPLOAD)).toBe(3);
		expect(harness.emulator.faults.pending()).toBe(0);
		expect(membersByEmail(WEBINAR).get('patient@acme.io')?.statusName).toBe('Attended');
	});
});

describe('Import a binary file', () => {
	it('imports an SSV file into the program with the status, custom member fields included', async () => {
		const run = memberImport({
			source: 'binary',
			program: program(TRADESHOW, 'id'),
			programMemberStatus: 'Visited Booth',
		});
		await attachBinary(
			run,
			'email;firstName;registrationCode\nbooth.one@acme.io;One;"B;1"\nbooth.two@acme.io;Two;B2\n',
			'booth.txt',
		);
		const [summary] = jsonOf(await run.run());
		expect(summary).toMatchObject({
			status: 'Complete',
			source: 'binaryFile',
			fileName: 'booth.txt',
			format: 'ssv',
			programId: TRADESHOW,
			programMemberStatus: 'Visited Booth',
			leadsProcessed: 2,
		});
		const members = membersByEmail(TRADESHOW);
		expect(members.get('booth.one@acme.io')).toMatchObject({
			statusName: 'Visited Booth',
			registrationCode: 'B;1',
		});
		expect(members.get('booth.two@acme.io')?.statusName).toBe('Visited Booth');
		expect(harness.emulator.data.imports()[0]).toMatchObject({
			format: 'ssv',
			kind: 'program/members',
		});
	});

	it('splits a file over 10 MB into batches on row boundaries: every member imported once', async () => {
		const header = 'email,firstName,address\n';
		const filler = 'Hall 4, "Stand" 12\n'.padEnd(960, '.');
		const rows: string[] = [];
		let size = header.length;
		for (let i = 0; size < 21 * 1024 * 1024; i++) {
			const row = `visitor${i}@acme.io,Visitor ${i},"${filler.replace(/"/g, '""')}"\n`;
			rows.push(row);
			size += row.length;
		}
		const leadsBefore = harness.emulator.data.leadCount();
		const membersBefore = harness.emulator.data.programMembers(WEBINAR).length;
		const run = memberImport({ source: 'binary', output: 'failed' });
		await attachBinary(run, header + rows.join(''), 'visitors.csv');
		const output = await run.run();
		expect(output[0]).toHaveLength(1);
		const [summary] = jsonOf(output);
		const batches = summary.batches as IDataObject[];
		expect(batches.length).toBeGreaterThanOrEqual(3);
		expect(
			batches.every((b) => b.status === 'Complete' && (b.bytes as number) < 10 * 1024 * 1024),
		).toBe(true);
		// Contiguous, each row in exactly one batch.
		expect(batches.map((b) => b.firstRow)).toEqual(
			batches.map((_, k) => (k === 0 ? 1 : (batches[k - 1].lastRow as number) + 1)),
		);
		expect(batches[batches.length - 1].lastRow).toBe(rows.length);
		expect(summary).toMatchObject({
			status: 'Complete',
			rows: rows.length,
			leadsProcessed: rows.length,
			rowsFailed: 0,
		});
		expect(count(harness.emulator, UPLOAD)).toBe(batches.length);
		// What Marketo holds: one new lead and one new member per row, none twice, none missing.
		expect(harness.emulator.data.leadCount()).toBe(leadsBefore + rows.length);
		expect(harness.emulator.data.programMembers(WEBINAR).length).toBe(membersBefore + rows.length);
		const members = membersByEmail(WEBINAR);
		for (let i = 0; i < rows.length; i++)
			expect(members.get(`visitor${i}@acme.io`)?.statusName).toBe('Attended');
		expect(harness.emulator.data.getLead(`visitor${rows.length - 1}@acme.io`)!.address).toBe(
			filler,
		);
	}, 90_000);
});

describe('Create Import Job, Get Import Status, Get Failures, Get Warnings', () => {
	it('uploads without waiting, then reads the status, failures and warnings of the batch', async () => {
		const items = [
			{ json: { email: 'step.ok@acme.io', leadScore: 3 } },
			{ json: { email: 'step bad', leadScore: 3 } },
			{ json: { email: 'step.typed@acme.io', leadScore: 'many' } },
		];
		const created = jsonOf(await memberImport({ operation: 'createJob' }, { items }).run());
		expect(created).toEqual([
			expect.objectContaining({
				batch: 1,
				batchCount: 1,
				status: expect.stringMatching(/Queued|Importing/),
				firstInputItem: 0,
				lastInputItem: 2,
				rows: 3,
				format: 'csv',
				programId: WEBINAR,
				programMemberStatus: 'Attended',
			}),
		]);
		const batchId = created[0].batchId as number;
		expect(batchId).toBe(harness.emulator.data.imports()[0].batchId);
		await batchDone(batchId);

		// Get Import Status: the declarative routing, as n8n's RoutingNode runs it.
		const operation = memberImportDescription.find((p) => p.name === 'operation')!;
		const option = (operation.options as INodePropertyOptions[]).find(
			(o) => o.value === 'getImportStatus',
		)!;
		const request = option.routing!.request!;
		const url = String(request.url)
			.replace(/^=/, '')
			.replace('{{$parameter.batchId}}', String(batchId));
		expect(url).toBe(`/bulk/v1/program/members/import/${batchId}/status.json`);
		const test = harness.context({
			resource: 'programMemberImport',
			operation: 'getImportStatus',
			batchId: String(batchId),
		});
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
				status: 'Complete',
				numOfLeadsProcessed: 2,
				numOfRowsFailed: 1,
				numOfRowsWithWarning: 1,
			}),
		]);

		const failures = jsonOf(
			await memberImport({ operation: 'getFailures', batchId: String(batchId) }).run(),
		);
		expect(failures).toEqual([
			{
				type: 'failedRow',
				reason: 'Invalid data type in field Lead Score',
				batchId,
				fields: { email: 'step.typed@acme.io', leadScore: 'many' },
			},
		]);
		const warnings = jsonOf(
			await memberImport({ operation: 'getWarnings', batchId: String(batchId) }).run(),
		);
		expect(warnings).toEqual([
			{
				type: 'warningRow',
				reason: 'Invalid email address',
				batchId,
				fields: { email: 'step bad', leadScore: '3' },
			},
		]);
		// A lead import's batch is not a program member batch: Marketo's paths differ.
		expect(count(harness.emulator, 'GET /bulk/v1/program/members/import/:id/failures.json')).toBe(
			1,
		);
		expect(count(harness.emulator, 'GET /bulk/v1/leads/batch/:id/failures.json')).toBe(0);
	});

	it('Create Import Job refuses an unknown status before uploading', async () => {
		const error = await failure(
			memberImport(
				{ operation: 'createJob', programMemberStatus: 'Engaged' },
				{ items: [{ json: { email: 'x@acme.io' } }] },
			).run(),
		);
		expect(error.message).toMatch(/"Engaged" is not a membership status/);
		expect(count(harness.emulator, UPLOAD)).toBe(0);
	});
});

describe('the pickers and the field mapper', () => {
	it("offers the chosen program's channel statuses, in progression order", async () => {
		const test = harness.context({ resource: 'programMemberImport', program: program(WEBINAR) });
		const options = await loadOptions.getProgramStatuses.call(test.context as never);
		expect(options.map((o) => o.value)).toEqual(WEBINAR_STATUSES);
	});

	it('offers the member fields an import writes and the writable lead fields, email matched and required', async () => {
		const { fields } = await resourceMapping.getProgramMemberImportFields.call(
			harness.context({ resource: 'programMemberImport' }).context as never,
		);
		const byId = new Map(fields.map((f) => [f.id, f]));
		expect(byId.get('email')).toMatchObject({ defaultMatch: true, type: 'string', required: true });
		// every row must carry email, nothing else
		expect(fields.filter((f) => f.required).map((f) => f.id)).toEqual(['email']);
		expect(byId.get('registrationCode')).toMatchObject({
			displayName: 'Registration Code (registrationCode)',
		});
		expect(byId.has('webinarUrl')).toBe(true);
		expect(byId.get('leadScore')).toMatchObject({ type: 'number' });
		for (const readOnly of ['statusName', 'leadId', 'membershipDate', 'id', 'createdAt'])
			expect(byId.has(readOnly)).toBe(false);
	});
});
