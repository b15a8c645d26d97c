import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { appendAll } from '../helpers/arrays';
import { ExecutionCancelledError } from '../transport';

/**
 * Continue On Fail: the failure becomes an item paired with the input item that caused it; otherwise the
 * error is raised with that item's index so n8n points at it.
 */
export function failedItem(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): INodeExecutionData {
	// A cancelled execution stops, Continue On Fail or not.
	if (!ctx.continueOnFail() || error instanceof ExecutionCancelledError) {
		if (error instanceof NodeApiError || error instanceof NodeOperationError) {
			error.context.itemIndex ??= itemIndex;
			throw error;
		}
		throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
	}
	const failure = error as { message?: string; description?: string | null };
	return {
		json: {
			error: failure.message ?? String(error),
			...(failure.description ? { description: failure.description } : {}),
		},
		pairedItem: { item: itemIndex },
	};
}

/**
 * The per-item loop of an operation: `run` turns one input item into output items (paired by the caller),
 * returned or appended to `out` as they come (what an item appended before it failed is kept); a failure
 * becomes failedItem's item, or stops the run.
 */
export async function forEachItem(
	ctx: IExecuteFunctions,
	run: (itemIndex: number, out: INodeExecutionData[]) => Promise<INodeExecutionData[] | void>,
): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[] = [];
	const count = ctx.getInputData().length;
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			const items = await run(itemIndex, out);
			if (items) appendAll(out, items);
		} catch (error) {
			out.push(failedItem(ctx, error, itemIndex));
		}
	}
	return [out];
}
