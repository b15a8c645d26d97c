/**
 * Export ID of the job steps: a resource locator whose "From List" mode lists this API user's recent export
 * jobs (Marketo's List Jobs), and whose "By ID" mode takes an id or an expression. Workflows saved before the
 * picker hold a plain string (often an expression such as {{ $json.exportId }}): the declarative steps, whose
 * routing URLs read `$parameter.exportId`, and Download File must read both shapes.
 */
import type {
	IDataObject,
	IExecuteSingleFunctions,
	INode,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodeListSearchResult,
	INodeParameters,
	INodeProperties,
	INodePropertyOptions,
	INodeTypes,
} from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { MarketoBulk } from '../../nodes/MarketoBulk/MarketoBulk.node';
import { EXPORT_ID_REGEX } from '../../nodes/MarketoBulk/actions/common.descriptions';
import { properties } from '../../nodes/MarketoBulk/actions/versionDescription';
import { customOperations } from '../../nodes/MarketoBulk/actions/router';
import {
	cancelExportJob,
	createExportJob,
	enqueueExportJob,
	getExportJobStatus,
} from '../../nodes/MarketoBulk/export/job';
import type { ExportKind } from '../../nodes/MarketoBulk/export/request';

// The kinds whose jobs are the kind's own (a custom object's jobs are under its API name).
type KindJobs = Exclude<ExportKind, 'customObjects'>;
import * as listSearch from '../../nodes/MarketoBulk/methods/listSearch';
import { prepareRoutedRequest } from '../../nodes/MarketoBulk/transport';
import { readBinary } from '../helpers/n8nContext';
import { startHarness, type Harness } from '../helpers/setup';

let harness: Harness;

beforeAll(async () => {
	harness = await startHarness({
		leads: { count: 500, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
		activities: { count: 500, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
		exportProcessingMs: 20,
		// room for the 305 jobs of the paging test
		rateLimit: { calls: 10_000, windowSeconds: 20 },
	});
});
afterAll(async () => {
	await harness.emulator.close();
});
beforeEach(() => {
	harness.emulator.reset();
});

const RANGE = { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-02T00:00:00Z' };
const BODY: Record<KindJobs, IDataObject> = {
	leads: { fields: ['id', 'email'], format: 'CSV', filter: { createdAt: RANGE } },
	activities: { format: 'CSV', filter: { createdAt: RANGE } },
	programMembers: { fields: ['leadId', 'statusName'], format: 'CSV', filter: { programId: 3002 } },
};

const ctx = () => harness.context({}).context;

async function createJob(kind: KindJobs, at: string, format = 'CSV'): Promise<string> {
	harness.emulator.setNow(new Date(at));
	const job = await createExportJob(ctx(), kind, { ...BODY[kind], format });
	return job.exportId;
}

async function completeJob(kind: KindJobs, exportId: string): Promise<IDataObject> {
	await enqueueExportJob(ctx(), kind, exportId);
	for (let k = 0; k < 300; k++) {
		const status = await getExportJobStatus(ctx(), kind, exportId);
		if (status.status === 'Completed') return status;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	throw new Error(`job ${exportId} did not complete`);
}

async function search(
	kind: ExportKind,
	filter?: string,
	timeZone?: string,
): Promise<INodeListSearchResult> {
	const method =
		kind === 'leads' ? listSearch.searchLeadExportJobs : listSearch.searchActivityExportJobs;
	const { context } = harness.context({}, { timeZone });
	return await method.call(context as never as ILoadOptionsFunctions, filter);
}

describe('Export ID › From List (list method)', () => {
	it("lists this kind's jobs newest first, named by status, creation time, format, records and id", async () => {
		const completed = await createJob('leads', '2026-03-01T10:00:00Z');
		const done = await completeJob('leads', completed);
		const newest = await createJob('leads', '2026-03-01T11:30:00Z', 'TSV');
		const oldest = await createJob('leads', '2026-03-01T09:15:00Z');
		await cancelExportJob(ctx(), 'leads', oldest);
		const activity = await createJob('activities', '2026-03-01T12:00:00Z');

		const { results } = await search('leads');
		expect(results.map((r) => r.value)).toEqual([newest, completed, oldest]);
		const n = Number(done.numberOfRecords);
		expect(n).toBeGreaterThan(1);
		expect(results.map((r) => r.name)).toEqual([
			`Created · 2026-03-01 11:30 UTC · TSV · ${newest.slice(0, 8)}`,
			`Completed · 2026-03-01 10:00 UTC · CSV · ${n.toLocaleString('en-US')} records · ${completed.slice(0, 8)}`,
			`Cancelled · 2026-03-01 09:15 UTC · CSV · ${oldest.slice(0, 8)}`,
		]);
		// link-free: nothing to open in Marketo for a job
		expect(results.every((r) => r.url === undefined)).toBe(true);

		const activities = await search('activities');
		expect(activities.results.map((r) => r.value)).toEqual([activity]);
		expect(activities.results[0].name).toMatch(/^Created · 2026-03-01 12:00 UTC · CSV · /);
	});

	it("shows the creation time in the workflow's time zone", async () => {
		const id = await createJob('leads', '2026-03-01T10:00:00Z');
		const { results } = await search('leads', undefined, 'America/Chicago');
		expect(results).toEqual([
			{ name: `Created · 2026-03-01 04:00 CST · CSV · ${id.slice(0, 8)}`, value: id },
		]);
	});

	it('searches the names and ids', async () => {
		const completed = await createJob('leads', '2026-03-01T10:00:00Z');
		await completeJob('leads', completed);
		const created = await createJob('leads', '2026-03-01T11:00:00Z', 'TSV');
		expect((await search('leads', 'completed')).results.map((r) => r.value)).toEqual([completed]);
		expect((await search('leads', ' tsv ')).results.map((r) => r.value)).toEqual([created]);
		expect((await search('leads', created.slice(-12))).results.map((r) => r.value)).toEqual([
			created,
		]);
		expect((await search('leads', 'no such job')).results).toEqual([]);
	});

	it('reads every page of the list (Marketo pages by 300)', async () => {
		harness.emulator.setNow(new Date('2026-03-01T10:00:00Z'));
		const ids = new Set<string>();
		for (let k = 0; k < 305; k++)
			ids.add((await createExportJob(ctx(), 'leads', BODY.leads)).exportId);
		const { results } = await search('leads');
		expect(new Set(results.map((r) => r.value))).toEqual(ids);
		expect(harness.emulator.counters()['GET /bulk/v1/leads/export.json']).toBe(2);
	});

	it('lists nothing, without an error, when the API user has no recent jobs', async () => {
		expect(await search('activities')).toEqual({ results: [] });
	});

	it('says what to do when Marketo refuses the list (603)', async () => {
		harness.emulator.faults.failNext('/bulk/v1/leads/export.json', 1, {
			code: '603',
			message: 'Access denied',
		});
		const error = (await search('leads').catch((e: unknown) => e)) as {
			message: string;
			description: string;
			httpCode: string;
		};
		expect(error.httpCode).toBe('603');
		expect(error.message).toBe(
			'Marketo did not list the lead export jobs: Access denied (error 603)',
		);
		// n8n's list cuts the message at dashes: it has none (the advice is in the description)
		expect(error.message).not.toMatch(/[-–—]/);
		expect(error.description).toMatch(/Read-Only Lead permission in Admin > Users & Roles/);
		expect(error.description).toMatch(
			/choose By ID and enter the exportId that Create Job returned/,
		);

		harness.emulator.faults.failNext('/bulk/v1/activities/export.json', 1, {
			code: '603',
			message: 'Access denied',
		});
		const activityError = (await search('activities').catch((e: unknown) => e)) as Error & {
			description: string;
		};
		expect(activityError.message).toMatch(/activity export jobs/);
		expect(activityError.description).toMatch(/Read-Only Activity permission/);
	});
});

const nodeOf = (typeVersion: number, parameters: INodeParameters): INode => ({
	id: '1',
	name: 'Marketo Bulk',
	type: 'n8n-nodes-marketo-bulk.marketoBulk',
	typeVersion,
	position: [0, 0],
	parameters,
});

describe('Export ID › node versions', () => {
	const description = () => new MarketoBulk().description;
	/** The Export ID fields the editor shows a node of this version, by type. */
	const shown = (typeVersion: number, operation: string) =>
		description()
			.properties.filter(
				(p) =>
					p.name === 'exportId' &&
					NodeHelpers.displayParameter(
						{ resource: 'activityExport', operation },
						p,
						{ typeVersion },
						description(),
					),
			)
			.map((p) => p.type);

	it('new nodes pick the Export ID; nodes saved before the picker (version 1) keep a text field', () => {
		expect(description().version).toEqual([1, 1.1]);
		for (const operation of ['enqueueJob', 'getJobStatus', 'downloadFile', 'cancelJob']) {
			expect(shown(1.1, operation)).toEqual(['resourceLocator']);
			// n8n's editor shows a plain value in a resource locator without a mode ("Mode...")
			expect(shown(1, operation)).toEqual(['string']);
		}
		expect(shown(1.1, 'export')).toEqual([]);
	});

	it("a version 1 node's text Export ID stays as saved; a new node starts with the picker's From List", () => {
		const parameters = (typeVersion: number, values: INodeParameters) =>
			NodeHelpers.getNodeParameters(
				description().properties,
				{ resource: 'leadExport', operation: 'getJobStatus', ...values },
				true,
				false,
				nodeOf(typeVersion, {}),
				description(),
			)?.exportId;
		expect(parameters(1, { exportId: '={{ $json.exportId }}' })).toBe('={{ $json.exportId }}');
		expect(parameters(1, {})).toBe('');
		expect(parameters(1.1, {})).toEqual({ __rl: true, mode: 'list', value: '' });
	});
});

describe('Export ID › By ID validation', () => {
	const issues = (value: unknown, typeVersion = 1.1) =>
		NodeHelpers.getNodeParametersIssues(
			properties,
			nodeOf(typeVersion, {
				resource: 'leadExport',
				operation: 'getJobStatus',
				exportId: value,
			} as INodeParameters),
			nodeType.description,
		)?.parameters?.exportId;

	it('accepts Marketo export ids and expressions, refuses anything else', () => {
		expect(new RegExp(`^${EXPORT_ID_REGEX}$`).test('ce45a7a1-f19d-4ce2-882c-a3c795940a7d')).toBe(
			true,
		);
		expect(issues({ __rl: true, mode: 'id', value: 'CE45A7A1-F19D-4CE2-882C-A3C795940A7D' })).toBe(
			undefined,
		);
		expect(issues({ __rl: true, mode: 'id', value: '={{ $json.exportId }}' })).toBe(undefined);
		expect(issues({ __rl: true, mode: 'id', value: '3404' })).toEqual([
			expect.stringMatching(/An export ID looks like ce45a7a1-/),
		]);
		expect(issues({ __rl: true, mode: 'list', value: '' })).toBeDefined(); // required
		// the text saved before the picker (version 1) is no issue; none at all is
		expect(issues('ce45a7a1-f19d-4ce2-882c-a3c795940a7d', 1)).toBe(undefined);
		expect(issues('={{ $json.exportId }}', 1)).toBe(undefined);
		expect(issues('', 1)).toBeDefined();
	});
});

/** The shapes an Export ID can have, for a job id: old plain strings and the resource locator's. */
function shapes(exportId: string): Array<[string, unknown, IDataObject]> {
	return [
		['a plain string (saved before the picker)', exportId, {}],
		['a plain expression (saved before the picker)', '={{ $json.exportId }}', { exportId }],
		[
			'a job picked From List',
			{ __rl: true, mode: 'list', value: exportId, cachedResultName: 'Completed · …' },
			{},
		],
		['an ID typed By ID', { __rl: true, mode: 'id', value: exportId }, {}],
		[
			'an expression By ID',
			{ __rl: true, mode: 'id', value: '={{ $json.exportId }}' },
			{ exportId },
		],
	];
}

const nodeType = new MarketoBulk();
const nodeTypes = {
	getByName: () => nodeType,
	getByNameAndVersion: () => nodeType,
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;

/**
 * A declarative step as n8n's RoutingNode runs it: the routing URL resolved by n8n's own expression engine
 * (where `$parameter` reads a resource locator's value), then preSend, the request and postReceive.
 */
async function routed(
	resource: string,
	operation: string,
	exportId: unknown,
	input: IDataObject,
	{ loseFirstAnswer = false } = {},
): Promise<INodeExecutionData[]> {
	const option = properties
		.filter((p: INodeProperties) => p.name === 'operation')
		.filter((p) => p.displayOptions?.show?.resource?.includes(resource))
		.flatMap((p) => p.options as INodePropertyOptions[])
		.find((o) => o.value === operation)!;
	const routing = option.routing!;
	const parameters = { resource, operation, exportId } as INodeParameters;
	const workflow = new Workflow({
		nodes: [
			{
				id: '1',
				name: 'Marketo Bulk',
				type: 'n8n-nodes-marketo-bulk.marketoBulk',
				// a plain string is what a version 1 node holds, a resource locator a version 1.1 node's
				typeVersion: typeof exportId === 'string' ? 1 : 1.1,
				position: [0, 0],
				parameters,
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
		[{ json: input }],
		'manual',
		{},
	);
	const test = harness.context(parameters as IDataObject, { items: [{ json: input }] });
	const context = test.context as never as IExecuteSingleFunctions;
	const options = await prepareRoutedRequest.call(context, {
		method: routing.request!.method,
		url: String(url),
		headers: { Accept: 'application/json' },
	} as IHttpRequestOptions);
	let response = await test.context.helpers.httpRequestWithAuthentication.call(
		test.context,
		'marketoApi',
		options,
	);
	// Marketo did what was asked, but its answer was lost on the way back (a gateway's 502).
	if (loseFirstAnswer) response = { statusCode: 502, headers: {}, body: 'Bad Gateway' };
	let items: INodeExecutionData[] = [];
	for (const postReceive of routing.output!.postReceive!) {
		if (typeof postReceive !== 'function') throw new Error('a postReceive that is not a function');
		items = await postReceive.call(context, items, response as never);
	}
	return items;
}

describe('Export ID › old and new shapes', () => {
	let exportId: string;
	beforeEach(async () => {
		exportId = await createJob('leads', '2026-03-01T10:00:00Z');
	});

	it.each(shapes('JOB'))(
		'Get Job Status, Enqueue Job and Cancel Job read %s',
		async (_, shape, input) => {
			// the table is built before the job exists: JOB stands for its id
			const exportIdValue = JSON.parse(
				JSON.stringify(shape).replace('"JOB"', JSON.stringify(exportId)),
			);
			const json = input.exportId ? { exportId } : {};
			const [status] = await routed('leadExport', 'getJobStatus', exportIdValue, json);
			expect(status.json).toMatchObject({ exportId, status: 'Created' });
			const [queued] = await routed('leadExport', 'enqueueJob', exportIdValue, json);
			expect(queued.json).toMatchObject({ exportId, status: 'Queued' });
			const [cancelled] = await routed('leadExport', 'cancelJob', exportIdValue, json);
			expect(cancelled.json).toMatchObject({ exportId, status: 'Cancelled' });
		},
	);
});

describe('Enqueue Job (declarative)', () => {
	it('answers with the job when its resent call is refused because the first went through (1029 or 1003)', async () => {
		const exportId = await createJob('leads', '2026-03-01T10:00:00Z');
		const locator = { __rl: true, mode: 'id', value: exportId };
		const [queued] = await routed(
			'leadExport',
			'enqueueJob',
			locator,
			{},
			{ loseFirstAnswer: true },
		);
		// the job's status, read after the refusal: it may have moved on from Queued by then
		expect(queued.json).toMatchObject({ exportId });
		expect(['Queued', 'Processing', 'Completed']).toContain(queued.json.status);
		expect(harness.emulator.counters()['POST /bulk/v1/leads/export/:id/enqueue.json']).toBe(2);
	});
});

describe('Download File reads every shape', () => {
	it.each([
		'a plain string (saved before the picker)',
		'a job picked From List',
		'an ID typed By ID',
	])('%s', async (label) => {
		const id = await createJob('activities', '2026-03-01T10:00:00Z');
		await completeJob('activities', id);
		const shape = shapes(id).find(([name]) => name === label)![1];
		const test = harness.context({
			resource: 'activityExport',
			operation: 'downloadFile',
			exportId: shape as IDataObject,
			options: {},
		});
		const [[item]] = await customOperations.activityExport.downloadFile.call(test.context);
		expect(item.json).toMatchObject({ exportId: id });
		const file = (await readBinary(test, item.binary!.data)).toString('utf8');
		expect(file.split('\n')[0]).toMatch(/^marketoGUID,leadId,activityDate/);
	});

	it('says so when no Export ID is given', async () => {
		const test = harness.context(
			{
				resource: 'leadExport',
				operation: 'downloadFile',
				exportId: { __rl: true, mode: 'list', value: '' },
				options: {},
			},
			{ continueOnFail: true },
		);
		const [[item]] = await customOperations.leadExport.downloadFile.call(test.context);
		expect(String(item.json.error)).toMatch(/No Export ID given/);
	});
});
