import type { MarketoContext } from './call';
import { pause } from './cancel';
import { is1029QueueFull, MarketoApiError } from './errors';

/** Exports: 1029 "Too many jobs (10) in queue" (not the daily quota, not "Job already queued"). */
export const isExportQueueFull = (error: unknown): boolean =>
	error instanceof MarketoApiError &&
	is1029QueueFull({ code: error.marketoCode, message: error.marketoMessage });

/** Imports: 1016 "Too many imports" (10 batches queued per instance). */
export const isImportQueueFull = (error: unknown): boolean =>
	error instanceof MarketoApiError && error.marketoCode === '1016';

/**
 * Marketo refuses new jobs while its queue is full and takes them again once others finish. The step is
 * tried again every poll interval until it goes through, or the next try would pass the deadline; then its
 * last error is thrown. Any other error is thrown at once.
 */
export async function whileQueueFull<T>(
	ctx: MarketoContext,
	wait: { pollIntervalMs: number; deadline: number },
	isQueueFull: (error: unknown) => boolean,
	step: () => Promise<T>,
): Promise<T> {
	for (;;) {
		const outcome = await step().then(
			(value) => ({ value, error: undefined }),
			(error: unknown) => ({ value: undefined, error }),
		);
		if (outcome.error === undefined) return outcome.value as T;
		if (!isQueueFull(outcome.error) || Date.now() + wait.pollIntervalMs > wait.deadline)
			return await Promise.reject(outcome.error);
		await pause(ctx, wait.pollIntervalMs);
	}
}
