import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import type { MarketoContext } from './call';

/** Cancellation: waits that a cancelled execution stops at once. */

/** Waits `ms`, in short steps so a cancelled execution stops waiting at once. */
export async function pause(ctx: MarketoContext, ms: number): Promise<void> {
	const signal = cancelSignalOf(ctx);
	const until = Date.now() + ms;
	for (let left = ms; left > 0; left = until - Date.now()) {
		throwIfCancelled(ctx, signal);
		await sleep(Math.min(left, 1000));
	}
	throwIfCancelled(ctx, signal);
}

export function cancelSignalOf(ctx: MarketoContext): AbortSignal | undefined {
	const withSignal = ctx as Partial<IExecuteFunctions>;
	return typeof withSignal.getExecutionCancelSignal === 'function'
		? withSignal.getExecutionCancelSignal()
		: undefined;
}

export class ExecutionCancelledError extends NodeOperationError {}

function throwIfCancelled(ctx: MarketoContext, signal: AbortSignal | undefined): void {
	if (signal?.aborted) {
		throw new ExecutionCancelledError(ctx.getNode(), 'The execution was cancelled.');
	}
}
