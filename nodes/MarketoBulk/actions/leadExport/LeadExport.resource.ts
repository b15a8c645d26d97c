import type { INodeProperties } from 'n8n-workflow';

import {
	dateRangeFields,
	exportResource,
	exportShow,
	listFilterField,
} from '../common.descriptions';
import { LEAD_FIELDS, shownWhere } from '../../descriptions/exportParameters';

const show = exportShow('leads');

export const description: INodeProperties[] = exportResource('leads', [
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
	listFilterField('leads', 'static'),
	listFilterField('leads', 'smart'),
]);
