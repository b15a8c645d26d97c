import type { IDataObject, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import { userMessage } from '../helpers/nodeErrors';

/** What an error's Continue On Fail item carries besides the error (e.g. an import's summary). */
const failureOutputs = new WeakMap<object, IDataObject>();

/** Adds `json` to the item Continue On Fail makes of `error`; returns the error, to be thrown. */
export function withFailureOutput<E extends object>(error: E, json: IDataObject): E {
	failureOutputs.set(error, json);
	return error;
}

/** Continue On Fail: the failure as an item, paired with the input item(s) that caused it. */
export function failedItem(
	error: unknown,
	pairedItem: IPairedItemData | IPairedItemData[],
): INodeExecutionData {
	const failure = error as { description?: string | null } | undefined;
	return {
		json: {
			error: userMessage(error),
			...(failure?.description ? { description: failure.description } : {}),
			...(typeof error === 'object' && error !== null ? failureOutputs.get(error) : undefined),
		},
		pairedItem,
	};
}
