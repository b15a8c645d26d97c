import type { INodeProperties } from 'n8n-workflow';

import {
	dateRangeFields,
	downloadOptions,
	exportIdField,
	exportOperations,
	exportRunFields,
	exportShow,
	fileShapeFields,
	listJobsFields,
	listLocatorModes,
} from '../common.descriptions';
import { LEAD_FIELDS, shownWhere } from '../../descriptions/exportParameters';

const show = exportShow('leads');

export const description: INodeProperties[] = [
	exportOperations('leads'),
	exportIdField('leads'),
	...listJobsFields('leads'),
	...shownWhere([LEAD_FIELDS], show),
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
