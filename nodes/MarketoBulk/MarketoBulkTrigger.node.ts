import type {
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { listSearch, loadOptions } from './methods';
import { triggerDescription, triggerSubtitle } from './trigger/description';
import { poll } from './trigger/poll';

export class MarketoBulkTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Marketo Bulk Trigger',
		name: 'marketoBulkTrigger',
		icon: { light: 'file:marketo.svg', dark: 'file:marketo.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: triggerSubtitle,
		description:
			'Starts the workflow with new or updated leads and new activities, exported in bulk, or when an export job ends',
		defaults: { name: 'Marketo Bulk Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'marketoApi', required: true }],
		properties: triggerDescription,
	};

	methods = { loadOptions, listSearch };

	/** One short step of the trigger's state machine per poll (see trigger/dataEvents.ts). */
	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await poll.call(this);
	}
}
