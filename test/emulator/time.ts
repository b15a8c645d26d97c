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

// Export rows print millions of datetimes: cache each day's `YYYY-MM-DDT` and each second of the day's
// `HH:MM:SSZ` (built on first use), so formatting one is two lookups.
const dayPrefixes = new Map<number, string>();
let timesOfDay: string[] | undefined;

/** `YYYY-MM-DDT` of a day number since the epoch. */
export function dayPrefix(day: number): string {
	let prefix = dayPrefixes.get(day);
	if (prefix === undefined) {
		prefix = new Date(day * DAY_SECONDS * 1000).toISOString().slice(0, 11);
		dayPrefixes.set(day, prefix);
	}
	return prefix;
}

/** `HH:MM:SSZ` of a second of the day. */
export function timeOfDay(second: number): string {
	if (!timesOfDay) {
		timesOfDay = new Array<string>(DAY_SECONDS);
		for (let s = 0; s < DAY_SECONDS; s++) {
			timesOfDay[s] =
				TWO[(s / 3600) | 0] + ':' + TWO[((s % 3600) / 60) | 0] + ':' + TWO[s % 60] + 'Z';
		}
	}
	return timesOfDay[second];
}

const dayPrefixBytes = new Map<number, Uint8Array>();
let timeOfDayBytes: Uint8Array | undefined;

/** `YYYY-MM-DDT` of a day, as bytes. */
export function dayPrefixAscii(day: number): Uint8Array {
	let b = dayPrefixBytes.get(day);
	if (b === undefined) {
		b = new Uint8Array(Buffer.from(dayPrefix(day), 'latin1'));
		dayPrefixBytes.set(day, b);
	}
	return b;
}

/** All 86,400 `HH:MM:SSZ` strings back to back, 9 bytes each. */
export function timeOfDayTable(): Uint8Array {
	if (!timeOfDayBytes) {
		timeOfDayBytes = new Uint8Array(DAY_SECONDS * 9);
		for (let s = 0; s < DAY_SECONDS; s++) {
			const t = timeOfDay(s);
			for (let k = 0; k < 9; k++) timeOfDayBytes[s * 9 + k] = t.charCodeAt(k);
		}
	}
	return timeOfDayBytes;
}

/** Epoch seconds as `YYYY-MM-DDTHH:MM:SSZ`. */
export function formatSeconds(sec: number): string {
	const day = Math.floor(sec / DAY_SECONDS);
	return dayPrefix(day) + timeOfDay(sec - day * DAY_SECONDS);
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
	const withZone = ISO_DATE.test(v)
		? v + 'T00:00:00Z'
		: /(Z|[+-]\d{2}:?\d{2})$/.test(v)
			? v
			: v + 'Z';
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
