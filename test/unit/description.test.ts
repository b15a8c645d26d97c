import {
	NodeHelpers,
	Workflow,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type INodePropertyOptions,
} from 'n8n-workflow';

import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

import { MarketoBulk } from '../../nodes/MarketoBulk/MarketoBulk.node';
import { MarketoBulkTrigger } from '../../nodes/MarketoBulk/MarketoBulkTrigger.node';

/**
 * What the editor does with the node descriptions, through n8n-workflow's own functions: the canvas
 * subtitle evaluated as n8n evaluates it, and which options the Options collection offers.
 */

const bulk = new MarketoBulk();
const trigger = new MarketoBulkTrigger();

function subtitleOf(nodeType: INodeType, parameters: INodeParameters): unknown {
	const description = nodeType.description;
	const node: INode = {
		id: 'n1',
		name: 'Marketo',
		type: description.name,
		typeVersion: 1,
		position: [0, 0],
		parameters,
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: {
			getByName: () => nodeType,
			getByNameAndVersion: () => nodeType,
			getKnownTypes: () => ({}),
		},
	});
	return workflow.expression.getSimpleParameterValue(
		node,
		description.subtitle as string,
		'internal',
		{},
	);
}

const optionsOf = (properties: INodeProperties[], name: string, show: Record<string, string>) =>
	properties.filter(
		(p) =>
			p.name === name &&
			Object.entries(show).every(([k, v]) => p.displayOptions?.show?.[k]?.includes(v) ?? true),
	);

/** The labels "Add Option" offers for these node values (the editor hides the rest). */
function offeredOptions(description: INodeTypeDescription, values: INodeParameters): string[] {
	const collection = description.properties.find(
		(p) =>
			p.name === 'options' &&
			NodeHelpers.displayParameter(values, p, { typeVersion: 1 }, description),
	);
	if (!collection) return [];
	return (collection.options as INodeProperties[])
		.filter((o) =>
			NodeHelpers.displayParameterPath(values, o, 'options', { typeVersion: 1 }, description),
		)
		.map((o) => o.displayName);
}

describe('canvas subtitle', () => {
	it('names every operation of every resource as the node panel does', () => {
		const resources = (
			bulk.description.properties.find((p) => p.name === 'resource')!
				.options as INodePropertyOptions[]
		).map((o) => String(o.value));
		let checked = 0;
		for (const resource of resources) {
			for (const property of optionsOf(bulk.description.properties, 'operation', { resource })) {
				for (const option of property.options as INodePropertyOptions[]) {
					// the canvas leaves out the node panel's "(one step: …)" mark
					expect(subtitleOf(bulk, { resource, operation: option.value })).toBe(
						option.action?.replace(/ \(one step: [^)]*\)$/, ''),
					);
					checked++;
				}
			}
		}
		expect(checked).toBe(47);
		expect(subtitleOf(bulk, { resource: 'leadExport', operation: 'export' })).toBe('Export leads');
		expect(subtitleOf(bulk, { resource: 'leadImport', operation: 'import' })).toBe('Import leads');
		expect(subtitleOf(bulk, { resource: 'programMemberImport', operation: 'import' })).toBe(
			'Import program members',
		);
		expect(subtitleOf(bulk, { resource: 'customObjectImport', operation: 'import' })).toBe(
			'Import custom object records',
		);
		expect(subtitleOf(bulk, { resource: 'customObjectExport', operation: 'export' })).toBe(
			'Export custom object records',
		);
	});

	it("shows the trigger's event by name", () => {
		expect(subtitleOf(trigger, { event: 'newLeads' })).toBe('New Leads');
		expect(subtitleOf(trigger, { event: 'jobCompleted' })).toBe('Export Job Completed');
		expect(subtitleOf(trigger, { event: 'somethingElse' })).toBe('');
	});
});

describe('Options offered per Output', () => {
	const exportOf = (resource: string, output: string) =>
		offeredOptions(bulk.description, { resource, operation: 'export', output, options: {} });

	it('Lead Export, Records: record and wait options, no file options, no Flatten Attributes', () => {
		expect(exportOf('leadExport', 'records')).toEqual([
			'Max Items',
			'Poll Interval (Seconds)',
			'Timeout (Minutes)',
			'Typed Values',
		]);
	});

	it('Activity Export, Records: Flatten Attributes too', () => {
		expect(exportOf('activityExport', 'records')).toContain('Flatten Attributes');
	});

	it('File: file and wait options only', () => {
		for (const resource of ['leadExport', 'activityExport'])
			expect(exportOf(resource, 'file')).toEqual([
				'Binary Property',
				'File Encoding',
				'Poll Interval (Seconds)',
				'Timeout (Minutes)',
			]);
	});

	it('Download File: the file options', () => {
		expect(
			offeredOptions(bulk.description, {
				resource: 'leadExport',
				operation: 'downloadFile',
				options: {},
			}),
		).toEqual(['Binary Property', 'File Encoding']);
	});

	it('Trigger: Flatten Attributes for activities only; Overlap with Records only', () => {
		const of = (event: string, output: string) =>
			offeredOptions(trigger.description, { event, output, options: {} });
		expect(of('newLeads', 'records')).not.toContain('Flatten Attributes');
		expect(of('newActivities', 'records')).toContain('Flatten Attributes');
		expect(of('newLeads', 'records')).toContain('Overlap (Seconds)');
		expect(of('newLeads', 'file')).toEqual(
			expect.not.arrayContaining(['Overlap (Seconds)', 'Typed Values', 'Include Job Metadata']),
		);
		expect(of('newLeads', 'file')).toEqual(
			expect.arrayContaining(['Binary Property', 'File Encoding', 'Safety Lag (Seconds)']),
		);
	});

	it('Trigger, Export Job Completed: the options of its own Output', () => {
		const of = (jobOutput: string, exportType = 'leads') =>
			offeredOptions(trigger.description, {
				event: 'jobCompleted',
				jobOutput,
				exportType,
				options: {},
			});
		expect(of('file')).toEqual(expect.arrayContaining(['Binary Property', 'File Encoding']));
		expect(of('file')).not.toContain('Typed Values');
		expect(of('records')).toEqual(expect.arrayContaining(['Include Job Metadata', 'Typed Values']));
		expect(of('records')).not.toContain('Flatten Attributes');
		expect(of('records', 'activities')).toContain('Flatten Attributes');
		expect(of('jobs')).toEqual(
			expect.not.arrayContaining(['Binary Property', 'Typed Values', 'Flatten Attributes']),
		);
		// it exports nothing, so it has no window for a Safety Lag to hold back
		for (const output of ['file', 'records', 'jobs'])
			expect(of(output)).not.toContain('Safety Lag (Seconds)');
	});

	it('conditions on a value inside a parameter are written from the root ("/columns.mappingMode")', () => {
		// n8n 1.x orders parameters by the names their displayOptions name; a name no parameter has ("columns.
		// mappingMode") makes it throw "Could not resolve parameter dependencies", and the editor then draws no
		// node of the type. Names from the root ("/…") it takes as resolved.
		for (const nodeType of [bulk, trigger]) {
			const keys = nodeType.description.properties.flatMap((p) =>
				Object.values(p.displayOptions ?? {}).flatMap((rule) => Object.keys(rule ?? {})),
			);
			expect(keys.filter((key) => key.includes('.') && !key.startsWith('/'))).toEqual([]);
		}
		expect(
			bulk.description.properties.find((p) => p.name === 'autoMapNotice')?.displayOptions?.show,
		).toHaveProperty(['/columns.mappingMode'], ['autoMapInputData']);
	});

	it('Trigger: Poll Times starts at every 5 minutes, as the notice advises', () => {
		// what n8n's node loader does to a polling node (n8n-core applySpecialNodeParameters)
		const loaded = new MarketoBulkTrigger().description.properties;
		const count = loaded.length;
		loaded.unshift({
			displayName: 'Poll Times',
			name: 'pollTimes',
			type: 'fixedCollection',
			default: { item: [{ mode: 'everyMinute' }] },
		});
		expect(loaded).toHaveLength(count + 1);
		expect(loaded[0]).toMatchObject({
			name: 'pollTimes',
			default: { item: [{ mode: 'everyX', value: 5, unit: 'minutes' }] },
		});
		const notice = loaded.find((p) => p.name === 'pollNotice');
		expect(notice?.displayName).toContain('5 minutes or more');
	});
});

describe('What n8n hands the node at run time (hidden parameters are dropped)', () => {
	const optionsAtRunTime = (nodeType: INodeType, parameters: INodeParameters) =>
		NodeHelpers.getNodeParameters(
			nodeType.description.properties,
			parameters,
			true,
			false,
			{ typeVersion: 1 },
			nodeType.description,
		)?.options;

	it('keeps every option set for the output that reads it', () => {
		expect(
			optionsAtRunTime(trigger, {
				event: 'jobCompleted',
				jobOutput: 'file',
				options: { binaryPropertyName: 'export', fileEncoding: 'csv' },
			}),
		).toEqual({ binaryPropertyName: 'export', fileEncoding: 'csv' });
		expect(
			optionsAtRunTime(trigger, {
				event: 'jobCompleted',
				jobOutput: 'records',
				exportType: 'activities',
				options: { flattenAttributes: true, typedValues: false, includeJobMetadata: true },
			}),
		).toEqual({ flattenAttributes: true, typedValues: false, includeJobMetadata: true });
		expect(
			optionsAtRunTime(trigger, {
				event: 'newActivities',
				output: 'records',
				options: { flattenAttributes: true, overlapSeconds: 30 },
			}),
		).toEqual(expect.objectContaining({ flattenAttributes: true, overlapSeconds: 30 }));
		expect(
			optionsAtRunTime(bulk, {
				resource: 'leadExport',
				operation: 'export',
				output: 'file',
				options: { binaryPropertyName: 'export', fileEncoding: 'csv', pollIntervalSeconds: 5 },
			}),
		).toEqual({ binaryPropertyName: 'export', fileEncoding: 'csv', pollIntervalSeconds: 5 });
	});
});

describe('What n8n sees of both nodes', () => {
	// The fixture holds both descriptions as JSON (functions by name), as they were when the node and the
	// trigger began composing shared parameter blocks, and as every change since left them. Saved workflows
	// depend on parameter names, types, defaults and display conditions, so a difference here is a change
	// users see. After an intended change, rewrite the fixture and review its diff:
	//   UPDATE_DESCRIPTION_FIXTURE=1 npx jest test/unit/description.test.ts && npm run format
	const path = join(__dirname, 'fixtures/descriptions.json');
	const json = (value: unknown): unknown =>
		JSON.parse(
			JSON.stringify(value, (_key, v: unknown) =>
				typeof v === 'function' ? `[function ${(v as { name: string }).name}]` : v,
			),
		);
	const now = { node: json(bulk.description), trigger: json(trigger.description) };
	if (process.env.UPDATE_DESCRIPTION_FIXTURE) {
		writeFileSync(path, `${JSON.stringify(now, null, '\t')}\n`);
	}
	const fixture = JSON.parse(readFileSync(path, 'utf8')) as typeof now;

	it('the node', () => expect(now.node).toEqual(fixture.node));
	it('the trigger', () => expect(now.trigger).toEqual(fixture.trigger));

	it("the trigger's export parameters are the node's, under the trigger's events", () => {
		const bare = ({ displayOptions, ...property }: INodeProperties) => ({
			property,
			// the conditions inside a block (Primary Attribute Values show for their filter mode) stay
			inner: Object.fromEntries(
				Object.entries(displayOptions?.show ?? {}).filter(
					([key]) => !['resource', 'operation', 'event'].includes(key),
				),
			),
		});
		const pairs: Array<[Record<string, string>, Record<string, string>, string[]]> = [
			[
				{ resource: 'leadExport', operation: 'export' },
				{ event: 'newLeads' },
				['fields', 'format', 'columnHeaderNames'],
			],
			[
				{ resource: 'activityExport', operation: 'export' },
				{ event: 'newActivities' },
				[
					'activityTypeIds',
					'primaryAttributeFilter',
					'primaryAttributeValueIds',
					'primaryAttributeValues',
					'fields',
					'format',
					'columnHeaderNames',
				],
			],
		];
		for (const [nodeShow, triggerShow, names] of pairs) {
			const pick = (nodeType: INodeType, show: Record<string, string>) =>
				names.map((name) => {
					const found = optionsOf(nodeType.description.properties, name, show).filter((p) =>
						Object.keys(show).every((key) => p.displayOptions?.show?.[key] !== undefined),
					);
					expect(found).toHaveLength(1);
					return bare(found[0]);
				});
			expect(pick(trigger, triggerShow)).toEqual(pick(bulk, nodeShow));
		}
	});
});
