import type { INodeProperties } from 'n8n-workflow';

import {
	dateRangeFields,
	downloadOptions,
	exportIdField,
	exportOperations,
	exportRunFields,
	fileShapeFields,
	listJobsFields,
	listLocatorModes,
} from '../common.descriptions';

const show = { resource: ['leadExport'], operation: ['export', 'createJob'] };

export const description: INodeProperties[] = [
	exportOperations('leads'),
	exportIdField('leads'),
	...listJobsFields('leads'),
	{
		displayName: 'Field Names or IDs',
		name: 'fields',
		type: 'multiOptions',
		required: true,
		typeOptions: { loadOptionsMethod: 'getLeadFields' },
		default: ['id', 'email', 'firstName', 'lastName', 'createdAt', 'updatedAt'],
		description:
			'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		displayOptions: { show },
	},
	{
		displayName: 'Filter',
		name: 'filterType',
		type: 'options',
		default: 'createdAt',
		description: 'Marketo accepts exactly one filter per job',
		options: [
			{ name: 'Created At', value: 'createdAt', description: 'Leads created in a date range' },
			{
				name: 'Updated At',
				value: 'updatedAt',
				description:
					'Leads with any field changed in a date range (not the visible Updated At; may not be enabled for your subscription)',
			},
			{ name: 'Static List', value: 'staticList', description: 'Members of a static list' },
			{
				name: 'Smart List',
				value: 'smartList',
				description: 'Leads matching a smart list (may not be enabled for your subscription)',
			},
		],
		displayOptions: { show },
	},
	...dateRangeFields('leads', { filterType: ['createdAt', 'updatedAt'] }, true),
	{
		displayName: 'Static List',
		name: 'staticList',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		displayOptions: { show: { ...show, filterType: ['staticList'] } },
		modes: listLocatorModes('static', true),
	},
	{
		displayName: 'Smart List',
		name: 'smartList',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		displayOptions: { show: { ...show, filterType: ['smartList'] } },
		modes: listLocatorModes('smart', true),
	},
	...fileShapeFields('leads'),
	...exportRunFields('leads'),
	...downloadOptions('leads'),
];
