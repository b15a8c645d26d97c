import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

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
