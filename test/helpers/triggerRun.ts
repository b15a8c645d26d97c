/**
 * What the trigger's event tests share: a clock they move, an emulator harness on it, polls with n8n's
 * poll context, and n8n's way of keeping static data across restarts.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { MarketoBulkTrigger } from '../../nodes/MarketoBulk/MarketoBulkTrigger.node';
import { readState, type DataState } from '../../nodes/MarketoBulk/trigger/state';
import type { MarketoEmulator } from '../emulator';
import { startHarness, type Harness } from './setup';

const realNow = Date.now.bind(Date);
let shift = 0;
export const testNow = () => realNow() + shift;
export const nowSec = () => Math.floor(testNow() / 1000);
export const setClock = (isoText: string) => {
	shift = Date.parse(isoText) - realNow();
};
export const advance = (seconds: number) => {
	shift += seconds * 1000;
};

const trigger = new MarketoBulkTrigger();

/** The emulator on the test clock: leads in [start, end), jobs processed in a few ms, no rate limit. */
export async function startTriggerHarness(leads: { start: string; end: string }): Promise<Harness> {
	jest.spyOn(Date, 'now').mockImplementation(testNow);
	return await startHarness({
		now: () => new Date(testNow()),
		leads: { count: 3000, ...leads },
		exportProcessingMs: 5,
		tokenTtlSeconds: 10 * 365 * 86_400,
		rateLimit: { calls: 100_000, windowSeconds: 20 },
	});
}

/** Polls of one event: the test's parameters over `base`, options merged. */
export function triggerPolls(harness: () => Harness, base: IDataObject) {
	function context(parameters: IDataObject, staticData: IDataObject, mode: 'trigger' | 'manual') {
		return harness().context(
			{
				...base,
				...parameters,
				options: {
					...(base.options as IDataObject),
					...((parameters.options as IDataObject) ?? {}),
				},
			},
			{ staticData, mode },
		);
	}

	async function pollOnce(
		parameters: IDataObject,
		staticData: IDataObject,
		mode: 'trigger' | 'manual' = 'trigger',
	) {
		return await trigger.poll.call(context(parameters, staticData, mode).context);
	}

	/**
	 * How n8n keeps a poll trigger's static data: in memory while it runs, written to its database at
	 * activation and with each emission only. A restart loads the database copy into a new process, which
	 * has none of the trigger's in-process memory (a new workflow key stands for the new process).
	 */
	class N8n {
		private database = '{}';
		private store: IDataObject = {};
		private process = 1;

		constructor(private readonly parameters: IDataObject) {}

		async poll(activation = false): Promise<INodeExecutionData[][] | null> {
			const test = context(this.parameters, this.store, 'trigger');
			const workflow = { id: `workflow-in-process-${this.process}`, name: 'wf', active: true };
			(test.context as unknown as { getWorkflow: () => typeof workflow }).getWorkflow = () =>
				workflow;
			const output = await trigger.poll.call(test.context);
			if (activation || output !== null) this.database = JSON.stringify(this.store);
			return output;
		}

		/** n8n stops and starts again: the saved state, a new process, an activation poll. */
		async restart(): Promise<INodeExecutionData[][] | null> {
			this.process++;
			this.store = JSON.parse(this.database) as IDataObject;
			return await this.poll(true);
		}

		state(): DataState {
			return readState<DataState>(this.store, 'data')!;
		}
	}

	return { context, pollOnce, N8n };
}

/** Lets the emulator finish what is queued (jobs process in a few ms of real time). */
export async function settle(emulator: MarketoEmulator): Promise<void> {
	for (let i = 0; i < 400; i++) {
		if (!emulator.data.jobs().some((job) => job.status === 'Queued' || job.status === 'Processing'))
			return;
		await new Promise((resolve) => setImmediate(resolve));
		await new Promise((resolve) => setTimeout(resolve, 2));
	}
	throw new Error('emulator jobs did not finish');
}

export const jsons = (output: INodeExecutionData[][] | null) =>
	(output?.[0] ?? []).map((item) => item.json);
export const dataState = (store: IDataObject) => readState<DataState>(store, 'data')!;
