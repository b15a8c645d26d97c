import type { INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as activityExport from './activityExport/ActivityExport.resource';
import * as leadExport from './leadExport/LeadExport.resource';

export const versionDescription: INodeTypeDescription = {
	displayName: 'Marketo Bulk',
	name: 'marketoBulk',
	icon: 'file:marketo.svg',
	group: ['transform'],
	version: 1,
	subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
	description: 'Export leads and activities from Marketo and import leads, in bulk',
	defaults: { name: 'Marketo Bulk' },
	usableAsTool: true,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [{ name: 'marketoApi', required: true }],
	// Declarative single steps set their URL per request (the instance comes from the credentials).
	requestDefaults: { headers: { Accept: 'application/json' } },
	properties: [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Activity Export', value: 'activityExport' },
				{ name: 'Lead Export', value: 'leadExport' },
			],
			default: 'leadExport',
		},
		...leadExport.description,
		...activityExport.description,
	],
};
