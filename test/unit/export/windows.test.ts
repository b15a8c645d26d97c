import { isoSeconds, splitIntoWindows, toDate } from '../../../nodes/MarketoBulk/export/windows';
import { marketoOrigin } from '../../../nodes/MarketoBulk/transport/endpoint';
import {
	adviceFor,
	is1029QueueFull,
	is1029Quota,
} from '../../../nodes/MarketoBulk/transport/errors';

describe('splitIntoWindows', () => {
	const at = (iso: string) => new Date(iso);

	it('keeps a range of up to 31 days in one window', () => {
		expect(splitIntoWindows(at('2026-01-01T00:00:00Z'), at('2026-01-31T23:59:59Z'))).toEqual([
			{ startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-31T23:59:59Z' },
		]);
	});

	it('splits longer ranges into consecutive windows that neither overlap nor leave a gap', () => {
		const windows = splitIntoWindows(at('2026-01-01T00:00:00Z'), at('2026-04-10T12:00:00Z'));
		expect(windows).toHaveLength(4);
		for (let i = 1; i < windows.length; i++) {
			expect(Date.parse(windows[i].startAt) - Date.parse(windows[i - 1].endAt)).toBe(1000);
		}
		for (const w of windows)
			expect(Date.parse(w.endAt) - Date.parse(w.startAt)).toBeLessThan(31 * 86400_000);
		expect(windows[0].startAt).toBe('2026-01-01T00:00:00Z');
		expect(windows[3].endAt).toBe('2026-04-10T12:00:00Z');
	});

	it('covers a 95-day range with 4 windows and a single instant with one', () => {
		expect(splitIntoWindows(at('2026-01-01T00:00:00Z'), at('2026-04-05T23:59:59Z'))).toHaveLength(
			4,
		);
		expect(splitIntoWindows(at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'))).toEqual([
			{ startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-01T00:00:00Z' },
		]);
	});

	it('drops milliseconds, as Marketo wants ISO-8601 without them', () => {
		expect(isoSeconds(Date.parse('2026-01-01T10:11:12.999Z') / 1000)).toBe('2026-01-01T10:11:12Z');
	});
});

describe('toDate', () => {
	it('reads ISO text with a zone as given', () => {
		expect(toDate('2026-03-01T05:00:00+02:00')?.toISOString()).toBe('2026-03-01T03:00:00.000Z');
	});
	it('reads wall-clock time in the workflow time zone, across daylight saving', () => {
		expect(toDate('2026-03-01T00:00:00', 'America/Chicago')?.toISOString()).toBe(
			'2026-03-01T06:00:00.000Z',
		);
		expect(toDate('2026-07-01T00:00:00', 'America/Chicago')?.toISOString()).toBe(
			'2026-07-01T05:00:00.000Z',
		);
		expect(toDate('2026-03-01', 'UTC')?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
	});
	it('accepts Dates, epoch ms and Luxon-like objects, and rejects the rest', () => {
		expect(toDate(new Date('2026-01-01T00:00:00Z'))?.getTime()).toBe(
			Date.parse('2026-01-01T00:00:00Z'),
		);
		expect(toDate(Date.parse('2026-01-01T00:00:00Z'))?.toISOString()).toBe(
			'2026-01-01T00:00:00.000Z',
		);
		expect(toDate({ toISO: () => '2026-01-01T00:00:00.000Z' })?.toISOString()).toBe(
			'2026-01-01T00:00:00.000Z',
		);
		expect(toDate('')).toBeUndefined();
		expect(toDate('soon')).toBeUndefined();
	});
});

describe('marketoOrigin', () => {
	it.each([
		['https://123-ABC-456.mktorest.com/rest', 'https://123-abc-456.mktorest.com'],
		['https://123-ABC-456.mktorest.com/rest/', 'https://123-abc-456.mktorest.com'],
		['https://123-ABC-456.mktorest.com', 'https://123-abc-456.mktorest.com'],
		['123-ABC-456.mktorest.com/rest', 'https://123-abc-456.mktorest.com'],
		[' https://123-ABC-456.mktorest.com/identity ', 'https://123-abc-456.mktorest.com'],
		['http://127.0.0.1:8080/rest', 'http://127.0.0.1:8080'],
	])('%s → %s', (input, origin) => {
		expect(marketoOrigin(input)).toBe(origin);
	});
	it('names what is wrong', () => {
		expect(() => marketoOrigin('')).toThrow(/REST endpoint is empty/);
		expect(() => marketoOrigin('https://123-ABC-456.mktorest.com/soap')).toThrow(
			/unexpected path "\/soap"/,
		);
	});
});

describe('Marketo error advice', () => {
	it('tells the two meanings of 1029 apart by their message', () => {
		const queue = { code: '1029', message: 'Too many jobs (10) in queue' };
		const quota = { code: '1029', message: 'Export daily quota 500MB exceeded' };
		expect(is1029QueueFull(queue)).toBe(true);
		expect(is1029Quota(queue)).toBe(false);
		expect(is1029Quota(quota)).toBe(true);
		expect(is1029QueueFull(quota)).toBe(false);
		expect(adviceFor(queue)).toMatch(/export queue is full/);
		expect(adviceFor(quota)).toMatch(/resets at 00:00 US Central/);
	});
	it('has advice for the codes a bulk client meets', () => {
		for (const code of ['601', '602', '603', '606', '607', '615', '1003', '1016', '1035']) {
			expect(adviceFor({ code, message: '' })).toBeTruthy();
		}
	});
});
