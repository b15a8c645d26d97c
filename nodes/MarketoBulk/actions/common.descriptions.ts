import type { INodeProperties, INodePropertyMode } from 'n8n-workflow';

import {
	FILE_OPTIONS,
	locatorMode as mode,
	FILE_SHAPE,
	namedByValue,
	recordOptionsOf,
	shownWhere,
} from '../descriptions/exportParameters';
import { JOB_STATUSES } from '../export/job';
import { EXPORT_KIND_NOUNS, type ExportKind } from '../export/request';
import { operationEntry } from './declarative';
import * as cancelJob from './export/cancelJob.operation';
import * as enqueueJob from './export/enqueueJob.operation';
import * as getJobStatus from './export/getJobStatus.operation';

/**
 * Ends the node panel's name of each one-step operation, so that it stands out among the job steps listed
 * beside it in alphabetical order; the canvas subtitle leaves it out.
 */
export const ONE_STEP = ' (one step: create, wait, download)';
export const ONE_STEP_IMPORT = ' (one step: upload, wait, report)';

export type { ExportKind };

export const EXPORT_RESOURCE: Record<ExportKind, string> = {
	leads: 'leadExport',
	activities: 'activityExport',
	programMembers: 'programMemberExport',
	customObjects: 'customObjectExport',
};

/** Where Create Job and Export of an export resource show their export parameters. */
export function exportShow(kind: ExportKind): Record<string, string[]> {
	return { resource: [EXPORT_RESOURCE[kind]], operation: ['export', 'createJob'] };
}

export function exportOperations(kind: ExportKind): INodeProperties {
	const resource = EXPORT_RESOURCE[kind];
	const { noun, aNoun, plural } = EXPORT_KIND_NOUNS[kind];
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		options: [
			cancelJob.option(kind, aNoun),
			operationEntry('Create Job', 'createJob', `Create ${aNoun} export job`, {
				description: 'Define the export; it does nothing until enqueued',
			}),
			operationEntry('Download File', 'downloadFile', `Download ${aNoun} export file`, {
				description:
					'Download the file of a completed job (resumed on dropped connections, checksum verified)',
			}),
			enqueueJob.option(kind, aNoun),
			operationEntry('Export', 'export', `Export ${plural}${ONE_STEP}`, {
				description:
					'Create, enqueue, wait, download and output, in one step: pick this unless you run the job steps yourself',
			}),
			operationEntry('Get Daily Export Quota', 'getQuotaUsage', 'Get daily export quota usage', {
				description:
					"How much of Marketo's 500 MB a day this API user's exports (all kinds) used today, US Central time",
			}),
			getJobStatus.option(kind, aNoun),
			operationEntry('List Jobs', 'listJobs', `List ${noun} export jobs`, {
				description: 'Jobs of this API user from the last 7 days',
			}),
		],
		default: 'export',
	};
}

/** Marketo's export ids are UUIDs, e.g. ce45a7a1-f19d-4ce2-882c-a3c795940a7d (n8n anchors the regex itself). */
export const EXPORT_ID_REGEX =
	'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** The list method of each export kind's Export ID picker (methods/listSearch.ts). */
export const EXPORT_JOB_SEARCH: Record<ExportKind, string> = {
	leads: 'searchLeadExportJobs',
	activities: 'searchActivityExportJobs',
	programMembers: 'searchProgramMemberExportJobs',
	customObjects: 'searchCustomObjectExportJobs',
};

/**
 * The node version whose job steps pick the Export ID (a resource locator). n8n's editor shows a plain value in
 * a resource locator with no mode ("Mode..."), and n8n's own nodes that turned a text parameter into a
 * resource locator kept the text one for their older version (GitHub's `ref` at 1.1): so does this node.
 */
export const EXPORT_ID_PICKER_VERSION = 1.1;

/**
 * Export ID of the job steps. From version 1.1: a job of the last 7 days picked from Marketo's List Jobs, or an
 * ID (typed or an expression such as {{ $json.exportId }}). Version 1, the workflows saved before the picker:
 * the text (often an expression) they hold. `$parameter.exportId` in the routing URLs and `exportIdOf` read
 * both shapes.
 */
export function exportIdFields(kind: ExportKind): INodeProperties[] {
	const field = { displayName: 'Export ID', name: 'exportId', required: true };
	const show = {
		resource: [EXPORT_RESOURCE[kind]],
		operation: ['enqueueJob', 'getJobStatus', 'downloadFile', 'cancelJob'],
	};
	return [
		{
			...field,
			type: 'string',
			default: '',
			placeholder: 'ce45a7a1-f19d-4ce2-882c-a3c795940a7d',
			description: 'The exportId that Create Job returned, e.g. {{ $json.exportId }}',
			displayOptions: { show: { ...show, '@version': [1] } },
		},
		{
			...field,
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			description:
				"The export job: pick one of this API user's jobs of the last 7 days, or give the exportId that Create Job returned",
			displayOptions: {
				show: { ...show, '@version': [{ _cnd: { gte: EXPORT_ID_PICKER_VERSION } }] },
			},
			modes: [
				mode('From List', 'list', {
					type: 'list',
					placeholder: 'Select a job of the last 7 days...',
					typeOptions: { searchListMethod: EXPORT_JOB_SEARCH[kind], searchable: true },
				}),
				mode('By ID', 'id', {
					type: 'string',
					placeholder: 'ce45a7a1-f19d-4ce2-882c-a3c795940a7d',
					validation: [
						{
							type: 'regex',
							properties: {
								regex: EXPORT_ID_REGEX,
								errorMessage:
									'An export ID looks like ce45a7a1-f19d-4ce2-882c-a3c795940a7d (the exportId of Create Job)',
							},
						},
					],
				}),
			],
		},
	];
}

export function listJobsFields(kind: ExportKind): INodeProperties[] {
	return [
		{
			displayName: 'Status',
			name: 'statusFilter',
			type: 'multiOptions',
			default: [],
			description: 'Only jobs in these states (all when empty)',
			options: namedByValue(JOB_STATUSES),
			displayOptions: { show: { resource: [EXPORT_RESOURCE[kind]], operation: ['listJobs'] } },
		},
	];
}

/** Format and column renames, shared by Create Job and Export of both export resources. */
export function fileShapeFields(kind: ExportKind): INodeProperties[] {
	return shownWhere(FILE_SHAPE, exportShow(kind));
}

export function dateRangeFields(
	kind: ExportKind,
	show: Record<string, Array<string | boolean>>,
	required: boolean,
): INodeProperties[] {
	const full = { ...exportShow(kind), ...show };
	return [
		{
			displayName: 'Start',
			name: 'startAt',
			type: 'dateTime',
			required,
			default: '',
			description:
				'Start of the range (included). Export splits ranges longer than 31 days into consecutive jobs of at most 31 days; Create Job accepts at most 31 days.',
			displayOptions: { show: full },
		},
		{
			displayName: 'End',
			name: 'endAt',
			type: 'dateTime',
			required,
			default: '',
			description:
				'End of the range, not included: for all of January use Start 2026-01-01 and End 2026-02-01. Back-to-back runs (yesterday → today) then never export a record twice.',
			// shown under the field: the description is only a tooltip, and this rule differs from Marketo's
			hint: 'Not included: for all of January, End is 2026-02-01',
			displayOptions: { show: full },
		},
	];
}

/** Output and waiting: only for the one-step Export. */
export function exportRunFields(kind: ExportKind): INodeProperties[] {
	const show = { resource: [EXPORT_RESOURCE[kind]], operation: ['export'] };
	return [
		{
			displayName: 'Output',
			name: 'output',
			type: 'options',
			default: 'records',
			options: [
				{
					name: 'Records',
					value: 'records',
					description: 'One item per row of the file',
				},
				{
					name: 'File',
					value: 'file',
					description: "One binary item per job: the file, streamed into n8n's binary data store",
				},
			],
			displayOptions: { show },
		},
		...downloadOptions(kind, show),
	];
}

// Defaults of Export's waiting options: the descriptions show them, `exportRunOptionsOf` applies them.
export const EXPORT_POLL_INTERVAL_SECONDS = 60;
export const EXPORT_TIMEOUT_MINUTES = 120;

const WAIT_OPTIONS: INodeProperties[] = [
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollIntervalSeconds',
		type: 'number',
		default: EXPORT_POLL_INTERVAL_SECONDS,
		typeOptions: { minValue: 1 },
		description:
			'How often to check the job status. Marketo refreshes it once a minute, so faster polling only spends API calls.',
	},
	{
		displayName: 'Timeout (Minutes)',
		name: 'timeoutMinutes',
		type: 'number',
		default: EXPORT_TIMEOUT_MINUTES,
		typeOptions: { minValue: 1 },
		description:
			'Give up after this long (per run, queue waits included); the running Marketo job is cancelled',
	},
];

/**
 * An option of the collection beside an Output parameter, shown only for the output it applies to ("/"
 * refers to a top-level parameter from inside a collection).
 */
export function forOutput(output: 'records' | 'file', option: INodeProperties): INodeProperties {
	const show = { ...(option.displayOptions?.show ?? {}), '/output': [output] };
	return { ...option, displayOptions: { ...option.displayOptions, show } };
}

/** Options of Export (each shown for its Output; `show` given) or of Download File (the file only). */
export function downloadOptions(
	kind: ExportKind,
	show?: Record<string, string[]>,
): INodeProperties[] {
	const where = show ?? { resource: [EXPORT_RESOURCE[kind]], operation: ['downloadFile'] };
	const options = show
		? [
				...FILE_OPTIONS.map((o) => forOutput('file', o)),
				...recordOptionsOf(kind).map((o) => forOutput('records', o)),
				...WAIT_OPTIONS,
			]
		: FILE_OPTIONS;
	return [
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			displayOptions: { show: where },
			options: [...options].sort((a, b) => a.displayName.localeCompare(b.displayName)),
		},
	];
}

/**
 * An export resource's parameters: its operations, the job steps' Export ID and List Jobs' status filter,
 * then the kind's own fields (`kindFields`), format and column renames, and the options of Export and
 * Download File.
 */
export function exportResource(kind: ExportKind, kindFields: INodeProperties[]): INodeProperties[] {
	return [
		exportOperations(kind),
		...exportIdFields(kind),
		...listJobsFields(kind),
		...kindFields,
		...fileShapeFields(kind),
		...exportRunFields(kind),
		...downloadOptions(kind),
	];
}

/** The list of a Static List or Smart List export filter (leads, or the leads of custom object records), shown for its filter. */
export function listFilterField(kind: ExportKind, list: 'static' | 'smart'): INodeProperties {
	const filterType = `${list}List`;
	return {
		displayName: list === 'static' ? 'Static List' : 'Smart List',
		name: filterType,
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		displayOptions: { show: { ...exportShow(kind), filterType: [filterType] } },
		modes: listLocatorModes(list, true),
	};
}

/** Modes of a static or smart list picker: a searchable list loaded from Marketo, an ID, or (for export filters) a name. */
export function listLocatorModes(list: 'static' | 'smart', byName: boolean): INodePropertyMode[] {
	const modes = [
		mode('From List', 'list', {
			type: 'list',
			typeOptions: {
				searchListMethod: list === 'static' ? 'searchStaticLists' : 'searchSmartLists',
				searchable: true,
			},
		}),
		mode('By ID', 'id', {
			type: 'string',
			placeholder: list === 'static' ? '1001' : '2001',
			validation: [
				{ type: 'regex', properties: { regex: '^\\d+$', errorMessage: 'A list ID is a number' } },
			],
		}),
	];
	if (byName) {
		modes.push(
			mode('By Name', 'name', {
				type: 'string',
				placeholder: list === 'static' ? 'Webinar 2026-03 Attendees' : 'All Customers',
			}),
		);
	}
	return modes;
}
