import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { locatorMode, PROGRAM_LOCATOR } from '../../descriptions/exportParameters';
import type { ImportKind } from '../../import/job';
import { listLocatorModes, ONE_STEP_IMPORT } from '../common.descriptions';
import { operationEntry } from '../declarative';
import * as getImportStatus from './getImportStatus.operation';

// Defaults of the waiting and batching options: the descriptions show them, importParametersOf applies them.
export const IMPORT_POLL_INTERVAL_SECONDS = 10;
export const IMPORT_TIMEOUT_MINUTES = 60;
export const MAX_ROWS_PER_BATCH = 0;

export const IMPORT_RESOURCE: Record<ImportKind, string> = {
	leads: 'leadImport',
	programMembers: 'programMemberImport',
	customObjects: 'customObjectImport',
};

/** What an import resource's panel calls its rows, and where its Fields to Import come from. */
const WORDS: Record<
	ImportKind,
	{ noun: string; plural: string; fieldsMethod: string; noFields: string }
> = {
	leads: {
		noun: 'lead',
		plural: 'leads',
		fieldsMethod: 'getLeadImportFields',
		noFields: 'Marketo returned no lead fields. Check that the API user may read lead fields.',
	},
	programMembers: {
		noun: 'program member',
		plural: 'program members',
		fieldsMethod: 'getProgramMemberImportFields',
		noFields:
			'Marketo returned no lead or program member fields. Check that the API user may read lead fields.',
	},
	customObjects: {
		noun: 'custom object',
		plural: 'custom object records',
		fieldsMethod: 'getCustomObjectImportFields',
		noFields:
			'Marketo returned no fields an import can write for this custom object. Check the custom object, and that the API user may read custom objects.',
	},
};

/** The Operation list, in the panel's alphabetical order; the declarative Get Import Status has its own file. */
function operations(kind: ImportKind): INodePropertyOptions[] {
	const { noun, plural } = WORDS[kind];
	return [
		operationEntry('Create Import Job', 'createJob', `Create a ${noun} import job`, {
			description: `Upload the ${plural} (in several batches when the file is 10 MB or more) and return the batch IDs without waiting`,
		}),
		operationEntry('Get Failures', 'getFailures', `Get the failed rows of a ${noun} import`, {
			description: 'The rows Marketo could not import, each with the reason',
		}),
		getImportStatus.option(kind, noun),
		operationEntry(
			'Get Warnings',
			'getWarnings',
			`Get the rows of a ${noun} import that have warnings`,
			{
				description: 'The rows Marketo imported with a warning, each with the reason',
			},
		),
		operationEntry('Import', 'import', `Import ${plural}${ONE_STEP_IMPORT}`, {
			description:
				'Build or take the file, upload it, wait until Marketo has imported it, and report, in one step: pick this unless you run the job steps yourself',
		}),
	];
}

/**
 * An import resource's parameters: the operations, Batch ID of the single steps, the kind's target (Lead
 * Import: Lookup Field, and a static list and partition among the options; Program Member Import: the
 * program and the status; Custom Object Import: the object, for every operation), the source (Input Items through Fields to Import, or a Binary File), Output,
 * and the waiting and batching options.
 */
export function importResource(kind: ImportKind): INodeProperties[] {
	const resource = [IMPORT_RESOURCE[kind]];
	const upload = { resource, operation: ['import', 'createJob'] };
	const leads = kind === 'leads';
	const { fieldsMethod, noFields } = WORDS[kind];
	return [
		{
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource } },
			options: operations(kind),
			default: 'import',
		},
		// A custom object's batches live under the object: every operation names it.
		...(kind === 'customObjects'
			? [{ ...CUSTOM_OBJECT_LOCATOR, displayOptions: { show: { resource } } }]
			: []),
		{
			displayName: 'Batch ID',
			name: 'batchId',
			type: 'string',
			required: true,
			default: '',
			placeholder: '3404',
			description:
				"The batchId that Create Import Job (one item per batch) or Import (in its summary's batches) output. Marketo keeps a batch for 7 days.",
			// shown under the field: unlike Export ID there is nothing to pick from
			hint: 'Map it from the batchId that Create Import Job or Import output: Marketo offers no list of import batches',
			displayOptions: {
				show: { resource, operation: ['getImportStatus', 'getFailures', 'getWarnings'] },
			},
		},
		...(kind === 'programMembers' ? programTarget(upload) : []),
		{
			displayName: 'Source',
			name: 'source',
			type: 'options',
			noDataExpression: true,
			default: 'items',
			options: [
				{
					name: 'Binary File',
					value: 'binary',
					description:
						'A CSV, TSV or SSV file from a previous node (e.g. Read File, HTTP Request); one import per item',
				},
				{
					name: 'Input Items',
					value: 'items',
					description: 'Every input item becomes one row; all items are imported together',
				},
			],
			displayOptions: { show: upload },
		},
		{
			displayName: 'Fields to Import',
			name: 'columns',
			type: 'resourceMapper',
			noDataExpression: true,
			default: { mappingMode: 'autoMapInputData', value: null },
			required: true,
			typeOptions: {
				// Lead Import offers Id only when it is the Lookup Field, and requires the Lookup Field (Other
				// Field: the name typed); a custom object's fields are its own
				...(leads ? { loadOptionsDependsOn: ['lookupField', 'lookupFieldName'] } : {}),
				...(kind === 'customObjects' ? { loadOptionsDependsOn: ['customObject.value'] } : {}),
				resourceMapper: {
					resourceMapperMethod: fieldsMethod,
					mode: 'add',
					fieldWords: { singular: 'field', plural: 'fields' },
					addAllFields: false,
					supportAutoMap: true,
					noFieldsError: noFields,
				},
			},
			description:
				'Map Automatically matches input field names to Marketo fields by REST API name or display name (ignoring case, spaces and punctuation); input fields that match no Marketo field are left out and listed in the summary',
			displayOptions: { show: { ...upload, source: ['items'] } },
		},
		{
			// n8n's own notice in this mode asks for names "the same as the fields", stricter than the matching
			displayName:
				'Each input field goes to the Marketo field whose REST API name or display name it matches, ignoring case, spaces and punctuation: "First Name", "first_name" and "firstName" all fill First Name. Input fields that match no Marketo field are left out and listed in the summary as ignoredFields.',
			name: 'autoMapNotice',
			type: 'notice',
			default: '',
			displayOptions: {
				show: { ...upload, source: ['items'], '/columns.mappingMode': ['autoMapInputData'] },
			},
		},
		{
			displayName: 'Input Binary Field',
			name: 'binaryPropertyName',
			type: 'string',
			required: true,
			default: 'data',
			hint: 'The name of the input binary field containing the file to be imported',
			displayOptions: { show: { ...upload, source: ['binary'] } },
		},
		{
			displayName: 'File Format',
			name: 'fileFormat',
			type: 'options',
			default: 'auto',
			options: [
				{
					name: 'Auto-Detect',
					value: 'auto',
					description: 'From the delimiter the header line uses',
				},
				{ name: 'CSV (Comma-Separated)', value: 'csv' },
				{ name: 'SSV (Semicolon- or Space-Separated)', value: 'ssv' },
				{ name: 'TSV (Tab-Separated)', value: 'tsv' },
			],
			displayOptions: { show: { ...upload, source: ['binary'] } },
		},
		...(leads
			? ([
					{
						displayName: 'Lookup Field',
						name: 'lookupField',
						type: 'options',
						default: 'email',
						description:
							'The field Marketo uses to find the lead to update; rows matching no lead create one',
						options: [
							{ name: 'Email', value: 'email' },
							{
								name: 'ID (Update Only)',
								value: 'id',
								description: 'Only update existing leads, by Marketo ID',
							},
							{
								name: 'Other Field',
								value: 'other',
								description: 'Another deduplication field, e.g. a custom unique field',
							},
						],
						displayOptions: { show: upload },
					},
					{
						displayName:
							'With ID as the lookup field Marketo only updates existing leads: a row whose ID matches no lead fails, and no lead is created. Every row needs the Marketo lead ID.',
						name: 'lookupIdNotice',
						type: 'notice',
						default: '',
						displayOptions: { show: { ...upload, lookupField: ['id'] } },
					},
					{
						displayName: 'Lookup Field Name',
						name: 'lookupFieldName',
						type: 'string',
						required: true,
						default: '',
						placeholder: 'externalId',
						description: 'REST API name of the deduplication field; every row must carry it',
						displayOptions: { show: { ...upload, lookupField: ['other'] } },
					},
				] as INodeProperties[])
			: []),
		{
			displayName: 'Output',
			name: 'output',
			type: 'options',
			default: 'summary',
			options: [
				{
					name: 'Summary',
					value: 'summary',
					description: "One item: batches, their status and counts, and Marketo's messages",
				},
				{
					name: 'Summary and Failed Rows',
					value: 'failed',
					description:
						'The summary, then one item per row Marketo could not import, with the reason, paired with the input item that produced it',
				},
				{
					name: 'Summary, Failed and Warning Rows',
					value: 'failedAndWarnings',
					description: 'Also one item per row imported with a warning',
				},
			],
			displayOptions: { show: { resource, operation: ['import'] } },
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			displayOptions: { show: upload },
			options: [
				...(leads
					? ([
							{
								displayName: 'Add to Static List',
								name: 'staticList',
								type: 'resourceLocator',
								default: { mode: 'list', value: '' },
								description: 'Also make every imported lead a member of this static list',
								modes: listLocatorModes('static', false),
							},
						] as INodeProperties[])
					: []),
				{
					displayName: 'Max Rows per Batch',
					name: 'maxRowsPerBatch',
					type: 'number',
					default: MAX_ROWS_PER_BATCH,
					typeOptions: { minValue: 0 },
					description:
						"Start a new batch after this many rows (0 = only when the file would reach Marketo's 10 MB limit)",
				},
				...(leads
					? ([
							{
								displayName: 'Partition Name',
								name: 'partitionName',
								type: 'string',
								default: '',
								description:
									'Lead partition to import into (workspaces and partitions); the API user must have access to it',
							},
						] as INodeProperties[])
					: []),
				{
					displayName: 'Poll Interval (Seconds)',
					name: 'pollIntervalSeconds',
					type: 'number',
					default: IMPORT_POLL_INTERVAL_SECONDS,
					typeOptions: { minValue: 1 },
					description:
						"How often to check the import status, and to retry while Marketo's import queue is full. Marketo advises 5 to 30 seconds.",
				},
				{
					displayName: 'Timeout (Minutes)',
					name: 'timeoutMinutes',
					type: 'number',
					default: IMPORT_TIMEOUT_MINUTES,
					typeOptions: { minValue: 1 },
					description:
						'Stop waiting after this long (queue waits included). Batches Marketo accepted keep importing; the error lists them.',
				},
			],
		},
	];
}

/**
 * Custom Object Import's object: picked from Marketo's custom objects, or by API name (what Marketo calls
 * it in Admin > Marketo Custom Objects, e.g. car_c).
 */
const CUSTOM_OBJECT_LOCATOR: INodeProperties = {
	displayName: 'Custom Object',
	name: 'customObject',
	type: 'resourceLocator',
	required: true,
	default: { mode: 'list', value: '' },
	description:
		'The custom object whose records are imported, created or updated by its dedupe fields',
	modes: [
		locatorMode('From List', 'list', {
			type: 'list',
			typeOptions: { searchListMethod: 'searchCustomObjects', searchable: true },
		}),
		locatorMode('By API Name', 'name', {
			type: 'string',
			placeholder: 'car_c',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^[A-Za-z][A-Za-z0-9_]*$',
						errorMessage:
							"A custom object's API name is letters, digits and underscores, e.g. car_c",
					},
				},
			],
		}),
	],
};

/**
 * Program Member Import's target: one program (the picker Program Member Export uses) and the one status
 * every imported member gets, picked from the program's channel; checked against it before any upload.
 */
function programTarget(upload: { resource: string[]; operation: string[] }): INodeProperties[] {
	return [
		{
			...PROGRAM_LOCATOR,
			required: true,
			description: 'The program the imported people become members of',
			displayOptions: { show: upload },
		},
		{
			displayName: 'Status Name or ID',
			name: 'programMemberStatus',
			type: 'options',
			required: true,
			typeOptions: {
				loadOptionsMethod: 'getProgramStatuses',
				loadOptionsDependsOn: ['program.value'],
			},
			default: '',
			description:
				'The membership status every imported member gets, one of the program\'s channel statuses (checked before anything is sent). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			displayOptions: { show: upload },
		},
	];
}
