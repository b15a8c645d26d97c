import { centralDay, isoSeconds, MAX_WINDOW_SECONDS } from '../export/windows';

/**
 * Time for the trigger. Marketo stamps records with its own clock and evaluates the createdAt/updatedAt
 * filters against those stamps, so the end of a window must be "now" on Marketo's clock, not on the n8n
 * server's. The trigger learns the difference from the `createdAt` Marketo writes on every job it creates
 * (offset = createdAt − local time the answer arrived; the estimate is never ahead of Marketo, because the
 * stamp was taken before the answer arrived and is truncated to the second) and checks every window it
 * asks for against the job's own createdAt: a window that would end after `createdAt − lag` is cancelled
 * and asked again (see dataEvents.ts). The n8n server's clock only measures intervals (status-check
 * spacing) and gives a first estimate.
 */

/** Windows end on whole minutes: [..., hh:mm:59]. Tidy windows, and no window shorter than a minute. */
export const GRID_SECONDS = 60;

export { isoSeconds, MAX_WINDOW_SECONDS };

/** The last second of the last whole minute that ended at or before `sec`. */
export function gridEnd(sec: number): number {
	return Math.floor((sec + 1) / GRID_SECONDS) * GRID_SECONDS - 1;
}

export function secondsOf(iso: unknown): number | undefined {
	if (typeof iso !== 'string' || iso === '') return undefined;
	const ms = Date.parse(iso);
	return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

export function isoOf(sec: number): string {
	return isoSeconds(sec);
}

/**
 * Marketo's daily export quota resets at 00:00 US Central time: the first such midnight after `ms`
 * (epoch ms on Marketo's clock), daylight saving included.
 */
export function nextCentralMidnight(ms: number): number {
	return centralDay(ms).endMs;
}
