import type { INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { customOperations } from './actions/router';
import { properties, subtitle, versions } from './actions/versionDescription';
import { listSearch, loadOptions, resourceMapping } from './methods';

/**
 * The node panel lists the node and its trigger as one entry, "Marketo Bulk", with the description of
 * either (the trigger's when a workflow has none yet): both describe the whole package.
 */
export const PACKAGE_DESCRIPTION =
	'Export leads, activities, program members and custom objects from Marketo and import leads, program members and custom objects, in bulk; or start a workflow with new or updated leads, new activities, program member or custom object changes, or ended export jobs';

/**
 * What the node and its trigger say alike: a new node takes its display name; both describe the package and
 * use its credentials. Each node file writes out its icon (as n8n's lint rules ask), group and inputs.
 */
export function packageNodeDescription(displayName: string, name: string) {
	return {
		displayName,
		name,
		version: 1,
		description: PACKAGE_DESCRIPTION,
		defaults: { name: displayName },
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'marketoApi', required: true }],
	} satisfies Partial<INodeTypeDescription>;
}

export class MarketoBulk implements INodeType {
	description: INodeTypeDescription = {
		...packageNodeDescription('Marketo Bulk', 'marketoBulk'),
		version: versions,
		icon: { light: 'file:marketo.svg', dark: 'file:marketo.dark.svg' },
		group: ['transform'],
		subtitle,
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// Declarative single steps get their URL per request (the instance comes from the credentials).
		requestDefaults: { headers: { Accept: 'application/json' } },
		properties,
	};

	methods = { loadOptions, listSearch, resourceMapping };

	customOperations = customOperations;
}
