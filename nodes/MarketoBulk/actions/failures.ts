import type { IDataObject, INode, INodeExecutionData, IPairedItemData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

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
	const failure = error as { message?: string; description?: string | null };
	return {
		json: {
			error: failure.message ?? String(error),
			...(failure.description ? { description: failure.description } : {}),
			...(typeof error === 'object' && error !== null ? failureOutputs.get(error) : undefined),
		},
		pairedItem,
	};
}

/** The error to raise: an n8n error naming the input item, so n8n points at it. */
export function toNodeError(
	node: INode,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	return new NodeOperationError(node, error as Error, { itemIndex });
}
