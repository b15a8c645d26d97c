import type { INodeProperties } from 'n8n-workflow';

import {
	dateRangeFields,
	downloadOptions,
	exportIdField,
	exportOperations,
	exportRunFields,
	fileShapeFields,
	listJobsFields,
} from '../common.descriptions';
import { DEFAULT_ACTIVITY_FIELDS } from '../../export/request';

const show = { resource: ['activityExport'], operation: ['export', 'createJob'] };

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

export const description: INodeProperties[] = [
	exportOperations('activities'),
	exportIdField('activities'),
	...listJobsFields('activities'),
	...dateRangeFields('activities', {}, true),
	{
		displayName: 'Activity Type Names or IDs',
		name: 'activityTypeIds',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getActivityTypes' },
		default: [],
		description:
			'Only these activity types (all when empty; all selected types go into one job). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: { show },
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
		displayOptions: { show },
	},
	{
		displayName: 'Primary Attribute Value IDs',
		name: 'primaryAttributeValueIds',
		type: 'string',
		typeOptions: { multipleValues: true },
		default: [],
		placeholder: '1234',
		displayOptions: { show: { ...show, primaryAttributeFilter: ['ids'] } },
	},
	{
		displayName: 'Primary Attribute Values',
		name: 'primaryAttributeValues',
		type: 'string',
		typeOptions: { multipleValues: true },
		default: [],
		placeholder: 'GL_OP_ALL_2021.MPS Outbound',
		description: 'Names; programs, static lists and forms use "Program.Asset" notation',
		displayOptions: { show: { ...show, primaryAttributeFilter: ['names'] } },
	},
	{
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
		displayOptions: { show },
	},
	...fileShapeFields('activities'),
	...exportRunFields('activities'),
	...downloadOptions('activities'),
];
