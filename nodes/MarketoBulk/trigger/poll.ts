import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { loadTriggerConfig } from './config';
import { pollDataEvent } from './dataEvents';
import { pollJobEvent } from './jobEvents';
import { pollPort } from './port';
import { sample } from './sample';
import { withSavedState } from './store';

/**
 * One poll of the Marketo Bulk Trigger: read the parameters, then either show a sample (manual mode,
 * state untouched) or advance the saved state machine by the steps that are ready. Never waits for
 * Marketo inside an active poll.
 */
export async function poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const config = await loadTriggerConfig(this);
	const port = pollPort(this);
	if (this.getMode() === 'manual') return await sample(port, config);
	// This poll's own static-data object: only a write through it reaches n8n's database (see store.ts).
	const store = this.getWorkflowStaticData('node');
	const trigger = `${this.getWorkflow().id ?? ''}:${port.node.name}`;
	return await withSavedState(trigger, store, async (state) =>
		config.event === 'jobCompleted'
			? await pollJobEvent(port, config, state)
			: await pollDataEvent(port, config, state),
	);
}
