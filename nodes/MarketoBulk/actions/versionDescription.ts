import type { INodeProperties } from 'n8n-workflow';

import * as activityExport from './activityExport/ActivityExport.resource';
import * as leadExport from './leadExport/LeadExport.resource';
import * as leadImport from './leadImport/LeadImport.resource';

/** The node's parameters: the resource selector, then each resource's operations and fields. */
export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Activity Export', value: 'activityExport' },
			{ name: 'Lead Export', value: 'leadExport' },
			{ name: 'Lead Import', value: 'leadImport' },
		],
		default: 'leadExport',
	},
	...leadExport.description,
	...activityExport.description,
	...leadImport.description,
];
