import { isoSeconds, MAX_WINDOW_SECONDS } from '../helpers/windows';

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

const centralParts = new Intl.DateTimeFormat('en-US', {
	timeZone: 'America/Chicago',
	hourCycle: 'h23',
	year: 'numeric',
	month: '2-digit',
	day: '2-digit',
	hour: '2-digit',
	minute: '2-digit',
});

function central(ms: number): { y: number; m: number; d: number; h: number; min: number } {
	const parts = centralParts.formatToParts(new Date(ms));
	const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
	return { y: get('year'), m: get('month'), d: get('day'), h: get('hour'), min: get('minute') };
}

/**
 * Marketo's daily export quota resets at 00:00 US Central time: the first such midnight after `ms`
 * (epoch ms on Marketo's clock). Handles CST (UTC−6) and CDT (UTC−5).
 */
export function nextCentralMidnight(ms: number): number {
	const today = central(ms);
	for (const hoursFromUtc of [5, 6, 4, 7]) {
		const candidate = Date.UTC(today.y, today.m - 1, today.d + 1, hoursFromUtc);
		const there = central(candidate);
		if (there.h === 0 && there.min === 0 && candidate > ms) return candidate;
	}
	// Not reached for America/Chicago; a day later is a safe answer.
	return ms + 24 * 3600 * 1000;
}
