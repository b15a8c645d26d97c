import type {
	IDataObject,
	IDisplayOptions,
	INodeProperties,
	INodePropertyMode,
	INodePropertyOptions,
} from 'n8n-workflow';

import { MAX_PROGRAMS } from '../export/memberFilter';
import type { OutputOptions } from '../export/output';
import { DEFAULT_ACTIVITY_FIELDS, type ExportKind } from '../export/request';

/**
 * The parameter blocks of an export, shared by the node's export resources and the trigger: fields, the
 * activity filters, format and column renames, the output options. They carry no display conditions but
 * those inside a block (Primary Attribute Value IDs shows for its filter mode); the node and the trigger
 * each show them under their own conditions (`shownWhere`), so either may rename its own parameters.
 */

/** Options whose names are their values, such as job statuses. */
export function namedByValue(values: readonly string[]): INodePropertyOptions[] {
	return values.map((value) => ({ name: value, value }));
}

/** A block shown where `show` holds; conditions inside the block are kept, after `show`'s. */
export function shownWhere(
	block: readonly INodeProperties[],
	show: NonNullable<IDisplayOptions['show']>,
): INodeProperties[] {
	return block.map((property) => ({
		...property,
		displayOptions: { show: { ...show, ...property.displayOptions?.show } },
	}));
}

export const LEAD_FIELDS: INodeProperties = {
	displayName: 'Field Names or IDs',
	name: 'fields',
	type: 'multiOptions',
	required: true,
	typeOptions: { loadOptionsMethod: 'getLeadFields' },
	default: ['id', 'email', 'firstName', 'lastName', 'createdAt', 'updatedAt'],
	description:
		'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
};

/** Lead fields and program member fields, from both describes. */
export const PROGRAM_MEMBER_FIELDS: INodeProperties = {
	displayName: 'Field Names or IDs',
	name: 'fields',
	type: 'multiOptions',
	required: true,
	typeOptions: { loadOptionsMethod: 'getProgramMemberFields' },
	default: ['leadId', 'email', 'firstName', 'lastName', 'statusName', 'membershipDate'],
	description:
		'Lead fields and program member fields, in the order of the file. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

/** A filter of a few values whose first option, Any, filters nothing. */
function anyOrOneOf(
	displayName: string,
	name: string,
	description: string,
	choices: Record<string, string>,
): INodeProperties {
	const options = Object.entries(choices).map(([label, value]) => ({ name: label, value }));
	return {
		displayName,
		name,
		type: 'options',
		default: 'any',
		description,
		options: [{ name: 'Any', value: 'any' }, ...options],
	};
}

// Built by a function so that n8n's lint rules do not mistake a locator mode for a parameter.
export function locatorMode(
	displayName: string,
	name: string,
	rest: Omit<INodePropertyMode, 'displayName' | 'name'>,
): INodePropertyMode {
	return { displayName, name, ...rest };
}

/**
 * A program picker: Marketo's programs, searchable by name or ID (a page of 200 at a time), or an ID.
 * Program Member Export has one per entry of its Programs; Program Member Import has one.
 */
export const PROGRAM_LOCATOR: INodeProperties = {
	displayName: 'Program',
	name: 'program',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	modes: [
		locatorMode('From List', 'list', {
			type: 'list',
			typeOptions: { searchListMethod: 'searchPrograms', searchable: true },
		}),
		locatorMode('By ID', 'id', {
			type: 'string',
			placeholder: '1001 (the number after PG in its Marketo URL)',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^\\d+$', errorMessage: 'A program ID is a number' },
				},
			],
		}),
	],
};

/**
 * Where each program's ID sits in the Programs parameter. The editor reloads a list when the values its
 * `loadOptionsDependsOn` paths point at change, compared as text joined with "|": a path to Programs itself
 * (an object) always reads "[object Object]", so the Status Names list would never follow the programs
 * chosen. One path per possible program does.
 */
const PROGRAM_ID_PATHS = Array.from(
	{ length: MAX_PROGRAMS },
	(_, k) => `programs.program[${k}].program.value`,
);

/**
 * A custom object picker: the instance's custom objects that Marketo can bulk export (linked to leads),
 * searchable by display name or API name, or an API name. Every job path holds the object's API name.
 */
export const CUSTOM_OBJECT_LOCATOR: INodeProperties = {
	displayName: 'Custom Object',
	name: 'customObject',
	type: 'resourceLocator',
	required: true,
	default: { mode: 'list', value: '' },
	description: 'The custom object whose records to export (its jobs are listed and run under it)',
	modes: [
		locatorMode('From List', 'list', {
			type: 'list',
			typeOptions: { searchListMethod: 'searchExportableCustomObjects', searchable: true },
		}),
		locatorMode('By API Name', 'apiName', {
			type: 'string',
			placeholder: 'car_c',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '[A-Za-z][A-Za-z0-9_]*',
						errorMessage: 'A custom object API name is letters, digits and _, such as car_c',
					},
				},
			],
		}),
	],
};

/** The chosen custom object's fields, from its describe; none chosen exports them all. */
export const CUSTOM_OBJECT_FIELDS: INodeProperties = {
	displayName: 'Field Names or IDs',
	name: 'fields',
	type: 'multiOptions',
	typeOptions: {
		loadOptionsMethod: 'getCustomObjectFields',
		loadOptionsDependsOn: ['customObject.value'],
	},
	default: [],
	description:
		'Fields of the custom object, in the order of the file; all of its fields when empty. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

/** A custom object export's one filter (Marketo takes exactly one); its dates or list show for it. */
export const CUSTOM_OBJECT_FILTER: INodeProperties = {
	displayName: 'Filter',
	name: 'filterType',
	type: 'options',
	default: 'updatedAt',
	description: 'Marketo accepts exactly one filter per custom object job',
	options: [
		{
			name: 'Updated At',
			value: 'updatedAt',
			description:
				'Records updated in a date range (may not be enabled for custom objects in your subscription)',
		},
		{
			name: 'Static List',
			value: 'staticList',
			description: "The records linked to a static list's leads",
		},
		{
			name: 'Smart List',
			value: 'smartList',
			description:
				"The records linked to a smart list's leads (may not be enabled for your subscription)",
		},
	],
};

/**
 * The program member filters, all ANDed by Marketo: programs (each from a searchable list or by ID), status
 * names (from the chosen programs' channels), exhausted content, nurture cadence, and whether an Updated At
 * range applies (its Start and End are the caller's date range fields, shown for it).
 */
export const PROGRAM_MEMBER_FILTERS: readonly INodeProperties[] = [
	{
		displayName: 'Programs',
		name: 'programs',
		type: 'fixedCollection',
		placeholder: 'Add Program',
		required: true,
		typeOptions: { multipleValues: true },
		default: { program: [{ program: { mode: 'list', value: '' } }] },
		description: `Members of one program, or of up to ${MAX_PROGRAMS} (Marketo then adds a programId column first)`,
		options: [
			{
				name: 'program',
				displayName: 'Program',
				values: [PROGRAM_LOCATOR],
			},
		],
	},
	{
		displayName: 'Status Names or IDs',
		name: 'statusNames',
		type: 'multiOptions',
		typeOptions: {
			loadOptionsMethod: 'getProgramStatuses',
			loadOptionsDependsOn: PROGRAM_ID_PATHS,
		},
		default: [],
		description:
			'Only members with one of these statuses (all when empty); the list holds the chosen programs\' statuses. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	anyOrOneOf(
		'Exhausted',
		'isExhausted',
		'Engagement programs: members who have or have not exhausted the content',
		{ 'Exhausted Only': 'true', 'Not Exhausted': 'false' },
	),
	anyOrOneOf(
		'Nurture Cadence',
		'nurtureCadence',
		'Engagement programs: members whose cadence is normal or paused',
		{ Normal: 'norm', Paused: 'paus' },
	),
	{
		displayName: 'Updated At',
		name: 'updatedAtFilter',
		type: 'boolean',
		default: false,
		description:
			'Whether to export only members whose membership was updated in a date range (may not be enabled for your subscription)',
	},
];

/** Activity types and the primary attribute filter (its values show for the filter's mode). */
export const ACTIVITY_FILTERS: readonly INodeProperties[] = [
	{
		displayName: 'Activity Type Names or IDs',
		name: 'activityTypeIds',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getActivityTypes' },
		default: [],
		description:
			'Only these activity types (all when empty; all selected types go into one job). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Primary Attribute Filter',
		name: 'primaryAttributeFilter',
		type: 'options',
		default: 'none',
		description:
			'Narrow to activities on specific assets (at most 50). Needs activity types of one matching group: Change Data Value/Change Score → lead fields; Add to List/Remove from List → static lists; Fill Out Form → forms; Change Status in Progression → programs.',
		options: [
			{ name: 'None', value: 'none' },
			{ name: 'By ID', value: 'ids' },
			{ name: 'By Name', value: 'names' },
		],
	},
	{
		displayName: 'Primary Attribute Value IDs',
		name: 'primaryAttributeValueIds',
		type: 'string',
		typeOptions: { multipleValues: true },
		default: [],
		placeholder: '1234',
		displayOptions: { show: { primaryAttributeFilter: ['ids'] } },
	},
	{
		displayName: 'Primary Attribute Values',
		name: 'primaryAttributeValues',
		type: 'string',
		typeOptions: { multipleValues: true },
		default: [],
		placeholder: 'GL_OP_ALL_2021.MPS Outbound',
		description: 'Names; programs, static lists and forms use "Program.Asset" notation',
		displayOptions: { show: { primaryAttributeFilter: ['names'] } },
	},
];

/** The activity export's columns, in Marketo's order (the defaults, then actionResult). */
const ACTIVITY_FIELD_LABELS: Record<
	(typeof DEFAULT_ACTIVITY_FIELDS)[number] | 'actionResult',
	string
> = {
	marketoGUID: 'Marketo GUID',
	leadId: 'Lead ID',
	activityDate: 'Activity Date',
	activityTypeId: 'Activity Type ID',
	campaignId: 'Campaign ID',
	primaryAttributeValueId: 'Primary Attribute Value ID',
	primaryAttributeValue: 'Primary Attribute Value',
	attributes: 'Attributes',
	actionResult: 'Action Result',
};

export const ACTIVITY_FIELDS: INodeProperties = {
	displayName: 'Fields',
	name: 'fields',
	type: 'multiOptions',
	default: [...DEFAULT_ACTIVITY_FIELDS],
	description: 'Columns of the file',
	// Named like the lead fields: "Display Name (restName)", the REST name being what the file's header says.
	options: Object.entries(ACTIVITY_FIELD_LABELS).map(([field, label]) => ({
		name: `${label} (${field})`,
		value: field,
	})),
};

/** Format and column renames. */
export const FILE_SHAPE: readonly INodeProperties[] = [
	{
		displayName: 'Format',
		name: 'format',
		type: 'options',
		default: 'CSV',
		options: [
			{ name: 'CSV (Comma-Separated)', value: 'CSV' },
			{ name: 'TSV (Tab-Separated)', value: 'TSV' },
			{ name: 'SSV (Space-Separated)', value: 'SSV' },
		],
	},
	{
		displayName: 'Column Header Names',
		name: 'columnHeaderNames',
		type: 'fixedCollection',
		placeholder: 'Add Rename',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Rename columns of the file (the header); the field keeps its name in Marketo',
		options: [
			{
				name: 'renames',
				displayName: 'Rename',
				values: [
					{
						displayName: 'Field',
						name: 'field',
						type: 'string',
						default: '',
						placeholder: 'firstName',
					},
					{
						displayName: 'Column Header',
						name: 'header',
						type: 'string',
						default: '',
						placeholder: 'First Name',
					},
				],
			},
		],
	},
];

// Defaults of the output options: their descriptions show them, `outputOptionsOf` applies them. (n8n's
// lint rules want a boolean default spelled out: Flatten Attributes is off and Typed Values on unless set.)
const binaryPropertyName = 'data';
const fileEncoding = 'asIs';
const maxItems = 0;

/** Options of File output. */
export const FILE_OPTIONS: readonly INodeProperties[] = [
	{
		displayName: 'Binary Property',
		name: 'binaryPropertyName',
		type: 'string',
		default: binaryPropertyName,
		description: 'Name of the binary property the file is written to',
	},
	{
		displayName: 'File Encoding',
		name: 'fileEncoding',
		type: 'options',
		default: fileEncoding,
		options: [
			{ name: 'As Marketo Sent It', value: 'asIs' },
			{
				name: 'Re-Encoded as CSV',
				value: 'csv',
				description: 'TSV/SSV files are rewritten as comma-separated',
			},
		],
	},
];

/** Options of Records output. */
export const RECORD_OPTIONS: readonly INodeProperties[] = [
	{
		displayName: 'Flatten Attributes',
		name: 'flattenAttributes',
		type: 'boolean',
		default: false,
		description:
			'Whether to spread the JSON "attributes" column into separate "attributes.&lt;name&gt;" keys',
	},
	{
		displayName: 'Max Items',
		name: 'maxItems',
		type: 'number',
		default: maxItems,
		typeOptions: { minValue: 0 },
		description:
			'Stop after this many records (0 = all). When capped, the last item says so in its _marketoBulk key.',
	},
	{
		displayName: 'Typed Values',
		name: 'typedValues',
		type: 'boolean',
		default: true,
		description:
			"Whether to turn numeric and boolean fields into numbers and booleans, as Marketo's field list describes them",
	},
];

/** The Records options that apply to an export kind: leads have no "attributes" column to flatten. */
export function recordOptionsOf(kind: ExportKind): INodeProperties[] {
	return RECORD_OPTIONS.filter((o) => kind === 'activities' || o.name !== 'flattenAttributes');
}

/**
 * The output options collection (of the node's Export and Download File, or of the trigger) read as
 * `OutputOptions` for `output`, each option absent taking its default; Max Items applies to records only.
 */
export function outputOptionsOf(
	options: IDataObject,
	output: OutputOptions['output'],
): OutputOptions {
	const cap = Number(options.maxItems ?? maxItems);
	return {
		output,
		binaryPropertyName: String(options.binaryPropertyName ?? '') || binaryPropertyName,
		fileEncoding: options.fileEncoding === 'csv' ? 'csv' : fileEncoding,
		flattenAttributes: options.flattenAttributes === true,
		typedValues: options.typedValues !== false,
		maxItems: output === 'records' && cap > 0 ? cap : maxItems,
	};
}
