/**
 * Marketo accepts date ranges of at most 31 days and treats both ends as inclusive, at one-second
 * precision. A longer range becomes consecutive windows [start, start + 31 days - 1 s], the next one
 * starting one second after the previous end, so no record falls in two windows and none between them.
 */
export interface DateWindow {
	startAt: string;
	endAt: string;
}

export const MAX_WINDOW_SECONDS = 31 * 24 * 60 * 60;

export function splitIntoWindows(
	start: Date,
	end: Date,
	maxSeconds = MAX_WINDOW_SECONDS,
): DateWindow[] {
	const first = Math.floor(start.getTime() / 1000);
	const last = Math.floor(end.getTime() / 1000);
	const windows: DateWindow[] = [];
	for (let from = first; from <= last; from += maxSeconds) {
		const to = Math.min(from + maxSeconds - 1, last);
		windows.push({ startAt: isoSeconds(from), endAt: isoSeconds(to) });
	}
	return windows;
}

/** ISO-8601 without milliseconds, as Marketo wants it. */
export function isoSeconds(epochSeconds: number): string {
	return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Reads what n8n's dateTime parameter (or an expression) gives: ISO text, a Date, a Luxon DateTime, epoch
 * ms. The date picker gives wall-clock time without an offset; like n8n's own nodes we read that in the
 * workflow's time zone (UTC when none is given).
 */
export function toDate(value: unknown, timeZone?: string): Date | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
	if (typeof value === 'number') return new Date(value);
	if (typeof value === 'object' && typeof (value as { toISO?: unknown }).toISO === 'function') {
		return toDate((value as { toISO: () => string }).toISO());
	}
	const text = String(value).trim();
	const hasZone = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(text);
	const date = new Date(
		hasZone || !/^\d{4}-\d\d-\d\d/.test(text)
			? text
			: `${text.length === 10 ? `${text}T00:00:00` : text}Z`,
	);
	if (Number.isNaN(date.getTime())) return undefined;
	if (hasZone || !timeZone || timeZone === 'UTC') return date;
	// Shift the wall-clock time read as UTC by the zone's offset at that moment (twice, for DST edges).
	let shifted = date.getTime() - zoneOffsetMs(date.getTime(), timeZone);
	shifted = date.getTime() - zoneOffsetMs(shifted, timeZone);
	return new Date(shifted);
}

function zoneOffsetMs(epochMs: number, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	}).formatToParts(new Date(epochMs));
	const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
	const wall = Date.UTC(
		get('year'),
		get('month') - 1,
		get('day'),
		get('hour'),
		get('minute'),
		get('second'),
	);
	return wall - Math.floor(epochMs / 1000) * 1000;
}

/** Marketo counts its daily quotas in US Central time (daylight saving included). */
const QUOTA_TIME_ZONE = 'America/Chicago';

/** The US Central day `ms` falls in: its date and where it starts and ends (epoch ms). */
export function centralDay(ms: number): { day: string; startMs: number; endMs: number } {
	const day = new Intl.DateTimeFormat('en-CA', { timeZone: QUOTA_TIME_ZONE }).format(new Date(ms));
	const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
	return {
		day,
		startMs: toDate(`${day}T00:00:00`, QUOTA_TIME_ZONE)!.getTime(),
		endMs: toDate(`${next}T00:00:00`, QUOTA_TIME_ZONE)!.getTime(),
	};
}
