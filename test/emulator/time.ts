/** Time helpers: the emulator's clock, Marketo's date formats and the US Central day used by the export quota. */

export const DAY_SECONDS = 86_400;

const TWO: string[] = Array.from({ length: 100 }, (_, n) => (n < 10 ? '0' : '') + n);

/** `2026-03-01T12:34:56Z`: the bulk APIs print datetimes without milliseconds. */
export function isoSeconds(ms: number): string {
	return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The asset API prints its dates as `2026-03-01T12:34:56Z+0000`; clients must cope with that odd suffix. */
export function assetDate(ms: number): string {
	return isoSeconds(ms) + '+0000';
}

/**
 * A formatter for epoch seconds that caches the date part, because export rows come in time order and
 * `Date#toISOString` per row would dominate the cost of generating a file.
 */
export function makeSecondsFormatter(): (sec: number) => string {
	let cachedDay = Number.NaN;
	let prefix = '';
	return (sec: number): string => {
		const day = Math.floor(sec / DAY_SECONDS);
		if (day !== cachedDay) {
			cachedDay = day;
			prefix = new Date(day * DAY_SECONDS * 1000).toISOString().slice(0, 11);
		}
		const s = sec - day * DAY_SECONDS;
		const h = (s / 3600) | 0;
		const m = ((s % 3600) / 60) | 0;
		return prefix + TWO[h] + ':' + TWO[m] + ':' + TWO[s % 60] + 'Z';
	};
}

/** `YYYY-MM-DD` for a day number since the epoch. */
export function dayString(day: number): string {
	return new Date(day * DAY_SECONDS * 1000).toISOString().slice(0, 10);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses a filter datetime. Marketo asks for ISO-8601 without milliseconds but accepts a bare date and
 * offsets such as `-00:00` (its own examples use them). Returns epoch seconds or undefined.
 */
export function parseIsoSeconds(value: unknown): number | undefined {
	if (typeof value !== 'string') return undefined;
	const v = value.trim();
	if (!ISO_DATE.test(v) && !ISO_DATETIME.test(v)) return undefined;
	// A datetime without a zone is read as UTC, as Marketo does for its own bare examples.
	const withZone = ISO_DATE.test(v) ? v + 'T00:00:00Z' : /(Z|[+-]\d{2}:?\d{2})$/.test(v) ? v : v + 'Z';
	const ms = Date.parse(withZone.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
	return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

const centralFormat = new Intl.DateTimeFormat('en-CA', {
	timeZone: 'America/Chicago',
	year: 'numeric',
	month: '2-digit',
	day: '2-digit',
});

/** The export quota resets at midnight US Central time, so quota days are keyed by the Chicago date. */
export function centralDayKey(ms: number): string {
	return centralFormat.format(new Date(ms));
}

/**
 * The emulator's clock. `set(d)` moves "now" to d and lets it keep running from there, so polling
 * loops, token lifetimes and status refreshes behave naturally after a jump.
 */
export class Clock {
	private anchor: { at: number; base: number } | null = null;

	constructor(private readonly base: () => Date = () => new Date()) {}

	nowMs(): number {
		const base = this.base().getTime();
		return this.anchor ? this.anchor.at + (base - this.anchor.base) : base;
	}

	set(d: Date | null): void {
		this.anchor = d ? { at: d.getTime(), base: this.base().getTime() } : null;
	}
}
