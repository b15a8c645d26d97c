import type { INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { customOperations } from './actions/router';
import { properties, subtitle } from './actions/versionDescription';
import { listSearch, loadOptions, resourceMapping } from './methods';

export class MarketoBulk implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Marketo Bulk',
		name: 'marketoBulk',
		icon: { light: 'file:marketo.svg', dark: 'file:marketo.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle,
		description: 'Export leads and activities from Marketo and import leads, in bulk',
		defaults: { name: 'Marketo Bulk' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'marketoApi', required: true }],
		// Declarative single steps get their URL per request (the instance comes from the credentials).
		requestDefaults: { headers: { Accept: 'application/json' } },
		properties,
	};

	methods = { loadOptions, listSearch, resourceMapping };

	customOperations = customOperations;
}
