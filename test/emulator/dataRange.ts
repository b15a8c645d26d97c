/** The dates of the emulator's synthetic leads and activities. */
export const DATA_RANGE = { start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' };

/**
 * The demo's range (`--data-until-now`): the same start, so the examples' fixed date ranges keep their data,
 * and up to now, so a trigger's first windows (the last days) and its Fetch Test Event find data too.
 */
export function rangeUntilNow(now = Date.now()): { start: string; end: string } {
	return { start: DATA_RANGE.start, end: new Date(now).toISOString() };
}
