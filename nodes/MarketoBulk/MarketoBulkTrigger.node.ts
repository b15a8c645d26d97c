import type {
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';

import { toNodeError } from './helpers/nodeErrors';
import { packageNodeDescription } from './MarketoBulk.node';
import { listSearch, loadOptions } from './methods';
import { triggerDescription, triggerSubtitle } from './trigger/description';
import { poll } from './trigger/poll';

/** The schedule a new trigger starts with, as the notice beside it advises. */
const DEFAULT_POLL_TIMES = { item: [{ mode: 'everyX', value: 5, unit: 'minutes' }] };

/**
 * n8n adds its own Poll Times parameter (default Every Minute) to a polling node's properties when it loads
 * the node, with `unshift`, and offers no way to choose its default. Each poll of ours may start an export
 * job, so a minute is too often: the added parameter gets our default instead. n8n's shared parameter object
 * is copied, not changed.
 */
function withOurPollDefault(properties: INodeProperties[]): INodeProperties[] {
	const list = [...properties];
	Object.defineProperty(list, 'unshift', {
		value: (...added: INodeProperties[]) =>
			Array.prototype.unshift.apply(
				list,
				added.map((p) => (p.name === 'pollTimes' ? { ...p, default: DEFAULT_POLL_TIMES } : p)),
			),
	});
	return list;
}

export class MarketoBulkTrigger implements INodeType {
	description: INodeTypeDescription = {
		...packageNodeDescription('Marketo Bulk Trigger', 'marketoBulkTrigger'),
		icon: { light: 'file:marketo.svg', dark: 'file:marketo.dark.svg' },
		group: ['trigger'],
		subtitle: triggerSubtitle,
		polling: true,
		inputs: [],
		properties: withOurPollDefault(triggerDescription),
	};

	methods = { loadOptions, listSearch };

	/** One short step of the trigger's state machine per poll (see trigger/dataEvents.ts). */
	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		try {
			return await poll.call(this);
		} catch (error) {
			// The error boundary: package errors (a failed job, a broken file) become n8n errors here.
			throw toNodeError(this.getNode(), error);
		}
	}
}
