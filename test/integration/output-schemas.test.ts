/**
 * The output schemas the package ships, `nodes/MarketoBulk/__schema__/v1.0.0/<resource>/<operation>.json`,
 * the folder and version naming n8n's own nodes use: the editor previews a node's output from them before
 * it has run (and asks for one for every node, logging a 404 when there is none). Only the operations whose
 * output has a fixed shape have one. Each is checked against what the operation really outputs from the
 * emulator; `UPDATE_SCHEMAS=1 npx jest test/integration/output-schemas.test.ts` writes them from that output.
 */
import * as fs from 'fs';
import * as path from 'path';
import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { properties } from '../../nodes/MarketoBulk/actions/versionDescription';
import { customOperations } from '../../nodes/MarketoBulk/actions/router';
import { getExportJobStatus } from '../../nodes/MarketoBulk/export/job';
import type { ExportJobs } from '../../nodes/MarketoBulk/export/request';
import { prepareRoutedRequest } from '../../nodes/MarketoBulk/transport';
import { startHarness, type Harness } from '../helpers/setup';

const SCHEMA_DIR = path.join(__dirname, '..', '..', 'nodes', 'MarketoBulk', '__schema__', 'v1.0.0');
const UPDATE = process.env.UPDATE_SCHEMAS === '1';

interface Schema {
	type: string;
	properties?: Record<string, Schema>;
	items?: Schema;
}

/** The JSON schema of a value, in the subset n8n's schemas use; null says nothing about a type. */
function schemaOf(value: unknown): Schema | undefined {
	if (value === null || value === undefined) return undefined;
	if (Array.isArray(value)) {
		const items = value.map(schemaOf).reduce<Schema | undefined>(merge, undefined);
		return items ? { type: 'array', items } : { type: 'array' };
	}
	if (typeof value === 'object') {
		const props: Record<string, Schema> = {};
		for (const [key, child] of Object.entries(value as IDataObject)) {
			const schema = schemaOf(child);
			if (schema) props[key] = schema;
		}
		return { type: 'object', properties: props };
	}
	return { type: typeof value };
}

/** Two samples' schemas in one: the union of their properties. */
function merge(a: Schema | undefined, b: Schema | undefined): Schema | undefined {
	if (!a || !b) return a ?? b;
	if (a.type !== b.type) throw new Error(`a value is both ${a.type} and ${b.type}`);
	if (a.type === 'object') {
		const props: Record<string, Schema> = { ...a.properties };
		for (const [key, schema] of Object.entries(b.properties ?? {}))
			props[key] = merge(props[key], schema)!;
		return { type: 'object', properties: sortKeys(props) };
	}
	if (a.type === 'array') {
		const items = merge(a.items, b.items);
		return items ? { type: 'array', items } : { type: 'array' };
	}
	return a;
}

const sortKeys = (props: Record<string, Schema>) =>
	Object.fromEntries(Object.entries(props).sort(([x], [y]) => x.localeCompare(y)));

/** Where `value` has something the schema does not describe (or describes with another type). */
function mismatches(value: unknown, schema: Schema | undefined, at = '$'): string[] {
	const actual = schemaOf(value);
	if (!actual) return [];
	if (!schema) return [`${at} is not in the schema`];
	if (actual.type !== schema.type)
		return [`${at} is ${actual.type}, the schema says ${schema.type}`];
	if (Array.isArray(value))
		return value.flatMap((v, k) => mismatches(v, schema.items, `${at}[${k}]`));
	if (actual.type === 'object')
		return Object.entries(value as IDataObject).flatMap(([key, v]) =>
			mismatches(v, schema.properties?.[key], `${at}.${key}`),
		);
	return [];
}

let harness: Harness;

beforeAll(async () => {
	harness = await startHarness({ exportProcessingMs: 20, importProcessingMs: 20 });
});
afterAll(async () => {
	await harness.emulator.close();
});

/** A declarative single step as n8n's RoutingNode runs it: URL, preSend, request, postReceive. */
async function routed(
	resource: string,
	operation: string,
	parameters: IDataObject,
): Promise<INodeExecutionData[]> {
	const option = properties
		.filter((p: INodeProperties) => p.name === 'operation')
		.filter((p) => p.displayOptions?.show?.resource?.includes(resource))
		.flatMap((p) => p.options as INodePropertyOptions[])
		.find((o) => o.value === operation)!;
	const routing = option.routing!;
	const url = String(routing.request!.url)
		.replace(/^=/, '')
		.replace(/\{\{\$parameter\.(\w+)\}\}/g, (_, name: string) => String(parameters[name]));
	const test = harness.context({ resource, operation, ...parameters });
	const ctx = test.context as never as IExecuteSingleFunctions;
	const options = await prepareRoutedRequest.call(ctx, {
		method: routing.request!.method,
		url,
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
		items = await postReceive.call(ctx, items, response as never);
	}
	return items;
}

async function custom(
	resource: string,
	operation: string,
	parameters: IDataObject,
	input: INodeExecutionData[] = [{ json: {} }],
) {
	const test = harness.context({ resource, operation, ...parameters }, { items: input });
	const [items] = await customOperations[resource][operation].call(test.context);
	return items;
}

async function completed(kind: ExportJobs, exportId: string): Promise<void> {
	const ctx = harness.context({}).context;
	for (let k = 0; k < 200; k++) {
		if ((await getExportJobStatus(ctx, kind, exportId)).status === 'Completed') return;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	throw new Error(`export ${exportId} did not complete`);
}

/** Every operation with a schema, and the outputs of a run against the emulator (a few states merged). */
async function samples(): Promise<Map<string, IDataObject[]>> {
	const out = new Map<string, IDataObject[]>();
	const add = (resource: string, operation: string, items: INodeExecutionData[]) =>
		out.set(`${resource}/${operation}`, [
			...(out.get(`${resource}/${operation}`) ?? []),
			...items.map((i) => i.json),
		]);
	for (const [resource, kind] of [
		['leadExport', 'leads'],
		['activityExport', 'activities'],
		['programMemberExport', 'programMembers'],
		['customObjectExport', { kind: 'customObjects', apiName: 'car_c' }],
	] as const) {
		const job = {
			...(kind === 'leads' ? { fields: ['id', 'email'], filterType: 'createdAt' } : {}),
			...(kind === 'programMembers'
				? {
						fields: ['leadId', 'statusName'],
						programs: { program: [{ program: { __rl: true, mode: 'id', value: '3002' } }] },
					}
				: {}),
			// a plain value, as the routing URLs here read parameters (a picker's value in n8n)
			...(typeof kind === 'object'
				? { customObject: kind.apiName, fields: ['leadID', 'vin'] }
				: {}),
			format: 'CSV',
			startAt: '2026-03-01T00:00:00Z',
			endAt: '2026-03-02T00:00:00Z',
		};
		const [created] = await custom(resource, 'createJob', job);
		const exportId = String(created.json.exportId);
		const step = { exportId, customObject: job.customObject };
		add(resource, 'enqueueJob', await routed(resource, 'enqueueJob', step));
		add(resource, 'getJobStatus', await routed(resource, 'getJobStatus', step));
		await completed(kind, exportId);
		add(resource, 'getJobStatus', await routed(resource, 'getJobStatus', step));
		const [other] = await custom(resource, 'createJob', job);
		add(
			resource,
			'cancelJob',
			await routed(resource, 'cancelJob', { ...step, exportId: String(other.json.exportId) }),
		);
		add(
			resource,
			'listJobs',
			await custom(resource, 'listJobs', { statusFilter: [], customObject: job.customObject }),
		);
		add(resource, 'getQuotaUsage', await custom(resource, 'getQuotaUsage', {}));
	}
	// Each import kind: a batch's status queued, then imported (with its counts).
	const person = { email: 'schema@acme.io', firstName: 'Ada' };
	for (const [resource, target, row] of [
		['leadImport', { lookupField: 'email' }, person],
		[
			'programMemberImport',
			{
				program: { __rl: true, mode: 'id', value: '3002' },
				programMemberStatus: 'Registered',
			},
			person,
		],
		[
			'customObjectImport',
			{ customObject: { __rl: true, mode: 'name', value: 'car_c' } },
			{ vin: 'SCHEMA00000000001', make: 'bmw' },
		],
	] as const) {
		const [batch] = await custom(
			resource,
			'createJob',
			{
				source: 'items',
				...target,
				columns: { mappingMode: 'autoMapInputData', value: null },
				options: { pollIntervalSeconds: 0.05, timeoutMinutes: 1 },
			},
			[{ json: row }],
		);
		await importStatuses(resource, batch.json, (items) => add(resource, 'getImportStatus', items));
	}
	return out;
}

async function importStatuses(
	resource: string,
	batch: IDataObject,
	add: (items: INodeExecutionData[]) => void,
): Promise<void> {
	for (let k = 0; k < 200; k++) {
		const [status] = await routed(resource, 'getImportStatus', batch);
		add([status]);
		if (status.json.status === 'Complete') return;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	throw new Error(`import batch ${String(batch.batchId)} did not complete`);
}

it('each shipped output schema describes what its operation outputs', async () => {
	const outputs = await samples();
	expect([...outputs.keys()].sort()).toEqual(
		[
			...['leadExport', 'activityExport', 'programMemberExport', 'customObjectExport'].flatMap(
				(r) =>
					['cancelJob', 'enqueueJob', 'getJobStatus', 'getQuotaUsage', 'listJobs'].map(
						(o) => `${r}/${o}`,
					),
			),
			'leadImport/getImportStatus',
			'programMemberImport/getImportStatus',
			'customObjectImport/getImportStatus',
		].sort(),
	);
	for (const [key, jsons] of outputs) {
		expect(jsons.length).toBeGreaterThan(0);
		const file = path.join(SCHEMA_DIR, `${key}.json`);
		if (UPDATE) {
			const schema = jsons.map(schemaOf).reduce(merge, undefined);
			fs.mkdirSync(path.dirname(file), { recursive: true });
			fs.writeFileSync(file, JSON.stringify(schema, null, '\t') + '\n');
		}
		expect(fs.existsSync(file)).toBe(true);
		const schema = JSON.parse(fs.readFileSync(file, 'utf8')) as Schema;
		expect({ key, problems: jsons.flatMap((json) => mismatches(json, schema)) }).toEqual({
			key,
			problems: [],
		});
	}
	// no schema without an operation that outputs it
	const shipped = fs
		.readdirSync(SCHEMA_DIR, { recursive: true })
		.map(String)
		.filter((f) => f.endsWith('.json'))
		.map((f) =>
			f
				.replace(/\.json$/, '')
				.split(path.sep)
				.join('/'),
		)
		.sort();
	expect(shipped).toEqual([...outputs.keys()].sort());
});
