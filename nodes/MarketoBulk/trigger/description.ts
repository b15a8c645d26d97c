import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import {
	ACTIVITY_FIELDS,
	ACTIVITY_FILTERS,
	CUSTOM_OBJECT_FIELDS,
	CUSTOM_OBJECT_LOCATOR,
	FILE_OPTIONS,
	FILE_SHAPE,
	LEAD_FIELDS,
	namedByValue,
	PROGRAM_MEMBER_FIELDS,
	PROGRAM_MEMBER_FILTERS,
	recordOptionsOf,
	shownWhere,
} from '../descriptions/exportParameters';
import { labelSubtitle } from '../descriptions/subtitle';
import { ENDED_JOB_STATUSES } from '../export/job';

/**
 * The trigger's parameters. Fields, activity types, primary attribute filters, format, column renames and
 * the download options are the export's shared parameter blocks (descriptions/exportParameters.ts), the
 * ones the node's Export Leads / Export Activities show, here under the trigger's events, so users see the
 * same UI and the same pickers.
 */

const LEAD_EVENTS = ['newLeads', 'updatedLeads'];
const ACTIVITY_EVENTS = ['newActivities'];
const MEMBER_EVENTS = ['programMemberChanges'];
const CUSTOM_OBJECT_EVENTS = ['customObjectChanges'];
const DATA_EVENTS = [...LEAD_EVENTS, ...ACTIVITY_EVENTS, ...MEMBER_EVENTS, ...CUSTOM_OBJECT_EVENTS];

/** Program Member Changes filters on Updated At itself, by programs and (optionally) status names. */
const MEMBER_FILTERS = PROGRAM_MEMBER_FILTERS.filter(
	(p) => p.name === 'programs' || p.name === 'statusNames',
);

/**
 * An option shown only for the output it applies to. The data events choose their output in "Output"
 * (output), Export Job Completed in its own "Output" (jobOutput), so the option comes twice, once per
 * event group (n8n shows and reads the copy whose conditions hold). `only` narrows either copy further.
 */
function forTriggerOutput(
	output: 'records' | 'file',
	option: INodeProperties,
	only: { dataEvents?: string[]; jobExportType?: string } = {},
): INodeProperties[] {
	return [
		{
			...option,
			displayOptions: { show: { '/event': only.dataEvents ?? DATA_EVENTS, '/output': [output] } },
		},
		{
			...option,
			displayOptions: {
				show: {
					'/event': ['jobCompleted'],
					'/jobOutput': [output],
					...(only.jobExportType ? { '/exportType': [only.jobExportType] } : {}),
				},
			},
		},
	];
}

/** The Export's file and record options (Max Items aside: a trigger emits whatever has completed). */
const sharedDownloadOptions = [
	...FILE_OPTIONS.flatMap((o) => forTriggerOutput('file', o)),
	...recordOptionsOf('activities')
		.filter((o) => o.name !== 'maxItems')
		.flatMap((o) =>
			o.name === 'flattenAttributes'
				? forTriggerOutput('records', o, {
						dataEvents: ACTIVITY_EVENTS,
						jobExportType: 'activities',
					})
				: forTriggerOutput('records', o),
		),
];

const ownOptions: INodeProperties[] = [
	...forTriggerOutput('records', {
		displayName: 'Include Job Metadata',
		name: 'includeJobMetadata',
		type: 'boolean',
		default: false,
		description:
			'Whether to add the export job\'s details (exportId, window, record count…) to each record under "_marketoBulk" (File output always carries them)',
	}),
	{
		// short enough for n8n's option list, which cuts longer names off
		displayName: 'Status Interval (Seconds)',
		name: 'minStatusIntervalSeconds',
		type: 'number',
		default: 60,
		typeOptions: { minValue: 0 },
		description:
			"Least time between two checks of a job's status (or of the job list). Marketo refreshes job status once a minute, so checking more often only spends API calls.",
	},
	{
		displayName: 'Overlap (Seconds)',
		name: 'overlapSeconds',
		type: 'number',
		default: 60,
		typeOptions: { minValue: 0 },
		description:
			'Each export window starts this long before the previous one ended, to catch records Marketo stamped late; records already emitted (same ID, marketoGUID, or program member or custom object record with the same updatedAt) are dropped. File output never overlaps.',
		displayOptions: { show: { '/event': DATA_EVENTS, '/output': ['records'] } },
	},
	{
		displayName: 'Safety Lag (Seconds)',
		name: 'safetyLagSeconds',
		type: 'number',
		default: 300,
		typeOptions: { minValue: 0 },
		description:
			'An export window ends this long before "now" on Marketo\'s clock, so that records being written at that moment are complete before they are exported',
		// Export Job Completed exports nothing, so it has no window to hold back
		displayOptions: { show: { '/event': DATA_EVENTS } },
	},
];
const triggerOptions = [...sharedDownloadOptions, ...ownOptions].sort((a, b) =>
	a.displayName.localeCompare(b.displayName),
);

export const triggerDescription: INodeProperties[] = [
	{
		displayName:
			'Each poll takes one short step: start an export job for the time since the last one, check it on later polls, and emit its records once Marketo has completed it. Choose a poll schedule of 5 minutes or more; for a daily feed, two poll times 15–30 minutes apart (the first starts the export, the second emits it).',
		name: 'pollNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { event: DATA_EVENTS } },
	},
	{
		displayName: 'Event',
		name: 'event',
		type: 'options',
		noDataExpression: true,
		default: 'newLeads',
		options: [
			{
				name: 'Custom Object Changes',
				value: 'customObjectChanges',
				description:
					'Records of a custom object updated since the last export (Updated At filter; not enabled on every subscription)',
			},
			{
				name: 'Export Job Completed',
				value: 'jobCompleted',
				description:
					'An export job of this API user ended (also jobs started by other workflows or tools)',
			},
			{
				name: 'New Activities',
				value: 'newActivities',
				description: 'Activities created since the last export (Created At filter)',
			},
			{
				name: 'New Leads',
				value: 'newLeads',
				description: 'Leads created since the last export (Created At filter)',
			},
			{
				name: 'Program Member Changes',
				value: 'programMemberChanges',
				description:
					'Members of chosen programs whose membership changed since the last export (Updated At filter; not enabled on every subscription)',
			},
			{
				name: 'Updated Leads',
				value: 'updatedLeads',
				description:
					'Leads with any field changed since the last export (Updated At filter; not enabled on every subscription)',
			},
		],
	},

	// Export Job Completed
	{
		displayName: 'Export Type',
		name: 'exportType',
		type: 'options',
		default: 'leads',
		options: [
			{ name: 'Activity Export Jobs', value: 'activities' },
			{ name: 'Lead Export Jobs', value: 'leads' },
			{ name: 'Program Member Export Jobs', value: 'programMembers' },
		],
		displayOptions: { show: { event: ['jobCompleted'] } },
	},
	{
		displayName: 'Statuses',
		name: 'jobStatuses',
		type: 'multiOptions',
		default: ['Completed'],
		description: 'Emit a job when it ends in one of these states',
		options: namedByValue(ENDED_JOB_STATUSES),
		displayOptions: { show: { event: ['jobCompleted'] } },
	},
	{
		displayName: 'Output',
		name: 'jobOutput',
		type: 'options',
		default: 'jobs',
		options: [
			{
				name: 'File',
				value: 'file',
				description:
					"One binary item per completed job: its file, streamed into n8n's binary data store",
			},
			{
				name: 'Job Details',
				value: 'jobs',
				description: 'One item per job: exportId, status, record count, times',
			},
			{
				name: 'Records',
				value: 'records',
				description: "One item per row of each completed job's file",
			},
		],
		displayOptions: { show: { event: ['jobCompleted'] } },
	},

	// New Leads / Updated Leads
	...shownWhere([LEAD_FIELDS], { event: LEAD_EVENTS }),

	// New Activities
	...shownWhere([...ACTIVITY_FILTERS, ACTIVITY_FIELDS], { event: ACTIVITY_EVENTS }),

	// Program Member Changes
	{
		displayName:
			"Emits a member each time Marketo updates the membership (its updatedAt): joining the program, a status change, other program member fields. It does not see a member removed from the program, nor changes to the lead's own fields (name, email, score), which are exported with their values when the job runs. With Status Names set, only members whose status after the change is one of them. Needs Marketo's Updated At filter for program member exports (error 1035 where the subscription lacks it).",
		name: 'memberChangesNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { event: MEMBER_EVENTS } },
	},
	...shownWhere([PROGRAM_MEMBER_FIELDS, ...MEMBER_FILTERS], { event: MEMBER_EVENTS }),

	// Custom Object Changes
	{
		displayName:
			"Emits a record each time Marketo updates it (its updatedAt): created or changed through the API, an import or a sync. It does not see a deleted record. Custom objects linked to leads only (Marketo's bulk export takes no others). Needs Marketo's Updated At filter for custom object exports (error 1035 where the subscription lacks it).",
		name: 'customObjectChangesNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { event: CUSTOM_OBJECT_EVENTS } },
	},
	...shownWhere([CUSTOM_OBJECT_LOCATOR, CUSTOM_OBJECT_FIELDS], { event: CUSTOM_OBJECT_EVENTS }),

	// All data events
	...shownWhere(FILE_SHAPE, { event: DATA_EVENTS }),
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		default: 'records',
		options: [
			{
				name: 'File',
				value: 'file',
				description:
					"One binary item per export job: its file, streamed into n8n's binary data store",
			},
			{
				name: 'Records',
				value: 'records',
				description: 'One item per record; records already emitted are never emitted again',
			},
		],
		displayOptions: { show: { event: DATA_EVENTS } },
	},
	{
		displayName: 'Start From',
		name: 'startFrom',
		type: 'options',
		default: 'now',
		description: 'Where the trigger starts when it is first activated (changing this starts again)',
		options: [
			{ name: 'Now', value: 'now', description: 'Only what happens after activation' },
			{
				name: 'Specific Date',
				value: 'date',
				description:
					'Everything since a date (backfill, exported in 31-day windows, one job at a time)',
			},
		],
	},
	{
		displayName: 'Start Date',
		name: 'startDate',
		type: 'dateTime',
		required: true,
		default: '',
		displayOptions: { show: { startFrom: ['date'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: triggerOptions,
	},
];

/** The canvas subtitle: the event's name ("New Leads"), not its value. */
export const triggerSubtitle = labelSubtitle(
	Object.fromEntries(
		(triggerDescription.find((p) => p.name === 'event')!.options as INodePropertyOptions[]).map(
			(o) => [String(o.value), o.name],
		),
	),
	'$parameter["event"]',
);
