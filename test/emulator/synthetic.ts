/**
 * Deterministic synthetic records. Row i is a pure function of i, so a file of millions of rows is
 * generated on the fly, twice over if need be, with byte-identical results and no per-row storage.
 * Awkward values (delimiters, quotes, CR/LF, NUL, U+2028/9, CJK, emoji, very long text, leading zeros)
 * sit at fixed positions of small pools, so they appear on a fixed fraction of rows.
 */
import type { ByteSink } from './bytesink';
import { DAY_SECONDS, dayPrefixAscii, dayString, formatSeconds, timeOfDayTable } from './time';
import {
	EMAILS,
	FORMS,
	LEAD_FIELD_BY_NAME,
	PROGRAMS,
	STATIC_LISTS,
	WEBPAGES,
	qualifiedName,
} from './schema';

/**
 * Timestamps spread evenly over [start, end], non-decreasing in i. The first record of every calendar
 * day (UTC) is moved back to exactly 00:00:00, so day-aligned windows meet records on their boundaries.
 */
export class Timeline {
	private readonly span: number;

	constructor(
		readonly count: number,
		readonly startSec: number,
		readonly endSec: number,
	) {
		this.span = Math.max(0, endSec - startSec);
	}

	// Several fields of one row ask for the same record's time; remember the last answer.
	private lastI = -1;
	private lastAt = 0;

	private raw(i: number): number {
		return this.count <= 1
			? this.startSec
			: this.startSec + Math.floor((i * this.span) / (this.count - 1));
	}

	/** Epoch seconds of record i. */
	at(i: number): number {
		if (i === this.lastI) return this.lastAt;
		const r = this.raw(i);
		let at = r;
		if (i > 0) {
			const midnight = r - (((r % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS);
			// Snapping never breaks the order: the midnight lies after the previous record's time.
			if (midnight > this.raw(i - 1)) at = midnight;
		}
		this.lastI = i;
		this.lastAt = at;
		return at;
	}

	/** Smallest i with at(i) ≥ sec, or count. */
	firstAtOrAfter(sec: number): number {
		let lo = 0;
		let hi = this.count;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (this.at(mid) >= sec) hi = mid;
			else lo = mid + 1;
		}
		return lo;
	}

	/** Largest i with at(i) ≤ sec, or -1. */
	lastAtOrBefore(sec: number): number {
		return this.firstAtOrAfter(sec + 1) - 1;
	}
}

export type FieldGen = (i: number) => string | null;

const pick = <T>(pool: readonly T[], k: number): T => pool[k % pool.length];
const orNull = (s: string): string | null => (s === '' ? null : s);

// Pool lengths differ (mostly primes), so combinations of values vary from row to row.
// prettier-ignore
const FIRST_NAMES = [
	'Anna', 'José', 'Zoë', '李', 'Robert "Bob"', 'Anne-Marie', "O'Neil", 'Mårten', '', 'Łukasz',
	'Renée', '😀 Smiley', 'Ｆｕｌｌｗｉｄｔｈ', 'Nguyễn Văn', 'Sam', 'Aiyana', 'Søren', 'Chloé', 'Mohammed',
	'Ana María', 'Jean, Paul', 'Olga', 'Ève', 'Kenji', 'Priya', 'Tomás', 'Zhang Wei', 'Fatima',
	'Ola',
]; // 29
// prettier-ignore
const LAST_NAMES = [
	'Smith', 'García', '山田', 'Müller', "D'Angelo", 'van der Berg', 'Smith, Jr.', '"Quoted"',
	'Nguyễn', 'Ó Briain', 'Kowalski', 'Line\u2028Separator', 'Para\u2029Graph', '', 'Østergaard',
	'Şahin', 'Brown', 'Johnson', 'Lee', 'Kim', 'Rossi', 'Dubois', 'Silva', 'Novák', 'Yılmaz',
	'Cohen', 'Ivanova', 'Tanaka', 'Schmidt', 'Wilson', 'Taylor',
]; // 31
// prettier-ignore
const COMPANIES = [
	'Acme, Inc.', 'Widgets "R" Us', 'Line one\nLine two', 'CRLF Corp\r\nHoldings', '北京科技有限公司',
	'Café Olé S.A.', 'Emoji 🚀 Labs', 'Tab\tSeparated Ltd', 'Space Separated Ltd',
	'NUL\u0000Byte Inc', '', 'Globex', 'Initech', 'Umbrella Corp', 'Stark Industries',
	'Wayne Enterprises', 'Hooli', 'Müller & Söhne GmbH', 'Soylent', 'Tyrell Corporation',
	'Cyberdyne Systems', 'Vandelay Industries', '  leading spaces', 'trailing spaces  ',
	'Massive Dynamic', 'Aperture Science', 'Oscorp', 'Pied Piper', '株式会社サンプル', 'Ñandú Hermanos',
	'Quote at end"', 'Gringotts', 'Monsters, Inc., "Scare" Division', 'Prestige Worldwide',
	'Dunder Mifflin', 'Sirius Cybernetics', 'Blue Sun',
]; // 37
// prettier-ignore
const TITLES = [
	'CEO', 'VP, Marketing', 'Director of "Growth"', 'Ingénieur', '営業部長', 'Head of Ops', 'CTO',
	'Marketing Manager', 'Analyst', 'Consultant\nPart-time', 'Product Owner', 'Engineer',
	'Sales Rep',
]; // 13
// Phone numbers are strings: leading zeros must survive an export/import round trip.
// prettier-ignore
const PHONES = [
	'0044 20 7946 0958', '007-555-0100', '+1 (555) 010-0199', '0123456789', '',
	'+81-3-1234-5678 ext. 12', '00000', '555 0100', '+49 (0)30 123456', '(0)1 23 45 67 89',
	'+33 1 23 45 67 89', '001', '+1-202-555-0147; +1-202-555-0148', '+86 10 1234 5678',
	'0800 000 000', '+353 1 234 5678', '911',
]; // 17
// prettier-ignore
const ADDRESSES = [
	'1 Main St\nSuite 100', 'Line1\r\nLine2', 'Straße 5, 10115 Berlin', '東京都千代田区1-1',
	'Sep\u2028After', 'NUL\u0000Here', '"Quoted" Road, Apt 4', '', '10 Downing Street',
	'Calle Mayor 3, 2º izq.', '221B Baker Street', 'Rue de Rivoli 🏛', 'PO Box 0001',
	'123 Elm St, Springfield', 'Via Roma 1', 'Floor 3\n\nRoom 12', 'Tab\tIn Address', '  ',
	'42 Wallaby Way',
]; // 19
// prettier-ignore
const CITIES = [
	'Berlin', 'São Paulo', '東京', 'New York', 'Zürich', '', 'Paris', 'Kraków', 'Reykjavík', 'London',
	'Austin',
];
const STATES = ['CA', 'NY', 'TX', '', 'Bayern', 'Île-de-France', 'Ontario'];
// prettier-ignore
const POSTAL_CODES = [
	'01234', '10115', '94105', '', '00501', 'SW1A 1AA', '75001', '100-0001', '02134',
];
// prettier-ignore
const COUNTRIES = [
	'United States', 'Germany', 'Japan', 'France', 'Brazil', '', 'Côte d’Ivoire', 'Switzerland',
	'United Kingdom', '中国', 'España', 'Poland', 'Iceland',
];
// prettier-ignore
const WEBSITES = [
	'https://example.com', 'https://example.com/?a=1,b=2', '', 'http://例え.jp',
	'www.example.org/path "x"',
];
// prettier-ignore
const LEAD_SOURCES = [
	'Website', 'Webinar', 'Trade Show', 'List Import', 'Paid Search', 'Partner Referral', '',
	'Social, Organic',
];
const LEAD_STATUSES = ['Open', 'Contacted', 'Qualified', 'Unqualified', 'Converted'];
/** Email shapes as [before the id, after the id]. */
const EMAIL_SHAPES: Array<[string, string]> = [
	['lead', '@example.com'],
	['first.last', '@example.org'],
	['user+promo', '@mail.example.net'],
	['LEAD', '@EXAMPLE.COM'],
	["o'brien", '@example.ie'],
	['j.garcia', '@ejemplo.es'],
	['sales', '@example.co.uk'],
];
const EMAIL_SHAPE_BYTES = EMAIL_SHAPES.map(([a, b]) => [Buffer.from(a), Buffer.from(b)]);
const LONG_TEXT = (
	'Very long value, with "quotes", commas, ünïcödé and a\nline break — ' + 'x'.repeat(40)
).repeat(40);
const TWO = Array.from({ length: 100 }, (_, n) => (n < 10 ? '0' : '') + n);
const BIRTH_DAY0 = Math.floor(Date.UTC(1950, 0, 1) / 86_400_000);

/** Every synthetic email ends with `<id>@`, so an address maps back to its lead without an index. */
export function leadIdFromSyntheticEmail(email: string): number | undefined {
	const m = /(\d+)@[^@]*$/.exec(email);
	return m ? Number(m[1]) : undefined;
}

/**
 * Hours between a synthetic lead's creation and its last update (0..72). Arithmetic here stays below
 * 2^31: V8 computes a modulo of larger numbers in floating point, many times slower.
 */
export const updateLagSeconds = (i: number): number => (((i % 73) * 35) % 73) * 3600;
export const MAX_UPDATE_LAG_SECONDS = 72 * 3600;

/**
 * A lead field: `raw` gives the value (null when empty); `cells` builds, once per file, a function giving
 * the value as written to the file. Pool values are escaped once per file and computed values (numbers,
 * dates, synthetic emails) never hold a delimiter, quote, space or line break, so rows need no per-value
 * escaping — which is what lets a large file stream at loopback speed.
 */
interface FieldDef {
	raw: FieldGen;
	cells: (escape: (v: string) => string) => CellWriter;
}

/** Writes row i's cell into the sink, escaped and UTF-8-encoded. */
export type CellWriter = (i: number, sink: ByteSink) => void;

const encodeCell = (v: string, escape: (v: string) => string): Uint8Array =>
	Buffer.from(v === '' ? 'null' : escape(v));

/** A value picked from a pool: pool[index(i) % length], empty meaning null. */
function poolField(pool: readonly string[], index: (i: number) => number): FieldDef {
	return {
		raw: (i) => orNull(pool[index(i) % pool.length]),
		cells: (escape) => {
			const cells = pool.map((v) => encodeCell(v, escape));
			return (i, sink) => sink.bytes(cells[index(i) % cells.length]);
		},
	};
}

const NULL_BYTES = Buffer.from('null');
const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/**
 * A computed value that by construction is ASCII and needs no quoting in any format. `write` must
 * produce exactly `raw`'s text; it exists because writing digits and cached pieces into the buffer is
 * several times faster than building the string.
 */
function plainField(raw: FieldGen, write?: (i: number, sink: ByteSink) => void): FieldDef {
	return {
		raw,
		cells: () =>
			write ??
			((i, sink) => {
				const v = raw(i);
				if (v === null) sink.bytes(NULL_BYTES);
				else sink.ascii(v);
			}),
	};
}

/** An integer field, null where `isNull`. */
function intField(isNull: (i: number) => boolean, value: (i: number) => number): FieldDef {
	return plainField(
		(i) => (isNull(i) ? null : String(value(i))),
		(i, sink) => (isNull(i) ? sink.bytes(NULL_BYTES) : sink.int(value(i))),
	);
}

/** A datetime field, written from cached day and time-of-day bytes. */
function dateTimeField(seconds: (i: number) => number): FieldDef {
	return {
		raw: (i) => formatSeconds(seconds(i)),
		cells: () => {
			// Day prefixes are looked up in a small array around the first day seen: rows come in
			// time order and last changes lie a few days after creation.
			const times = timeOfDayTable();
			let firstDay = Number.NaN;
			const prefixes: Uint8Array[] = [];
			return (i, sink) => {
				const sec = seconds(i);
				const day = Math.floor(sec / DAY_SECONDS);
				if (Number.isNaN(firstDay)) firstDay = day;
				const k = day - firstDay;
				let prefix = k >= 0 && k < 4096 ? prefixes[k] : undefined;
				if (prefix === undefined) {
					prefix = dayPrefixAscii(day);
					if (k >= 0 && k < 4096) prefixes[k] = prefix;
				}
				sink.dateTime(prefix, times, (sec - day * DAY_SECONDS) * 9);
			};
		},
	};
}

/** `prefix<n>suffix`, or null. */
function taggedIntField(
	isNull: (i: number) => boolean,
	prefix: string,
	value: (i: number) => number,
	suffix = '',
): FieldDef {
	const pre = ascii(prefix);
	const post = ascii(suffix);
	return plainField(
		(i) => (isNull(i) ? null : prefix + value(i) + suffix),
		(i, sink) => {
			if (isNull(i)) return sink.bytes(NULL_BYTES);
			sink.bytes(pre);
			sink.uint(value(i));
			sink.bytes(post);
		},
	);
}

const BIRTH_DATES = new Map<number, Uint8Array>();
const COOKIE_PREFIX = ascii('_mch-example.com-');

const same = (i: number) => i;
/** A boolean pool that is 'true' on every n-th row. */
const trueEvery = (n: number): string[] =>
	Array.from({ length: n }, (_, k) => (k === 0 ? 'true' : 'false'));

function leadFieldDefs(timeline: Timeline): Record<string, FieldDef> {
	const titleRaw: FieldGen = (i) => (i % 11 === 0 ? null : pick(TITLES, i));
	return {
		id: intField(
			() => false,
			(i) => i + 1,
		),
		email: plainField(
			(i) => (i % 53 === 17 ? null : EMAIL_SHAPES[i % 7][0] + (i + 1) + EMAIL_SHAPES[i % 7][1]),
			(i, sink) => {
				if (i % 53 === 17) return sink.bytes(NULL_BYTES);
				const [pre, post] = EMAIL_SHAPE_BYTES[i % 7];
				sink.bytes(pre);
				sink.uint(i + 1);
				sink.bytes(post);
			},
		),
		firstName: poolField(FIRST_NAMES, same),
		lastName: poolField(LAST_NAMES, (i) => i * 3 + 1),
		company: poolField(COMPANIES, same),
		title: {
			raw: titleRaw,
			cells: (escape) => {
				const titles = TITLES.map((t) => encodeCell(t, escape));
				return (i, sink) => sink.bytes(i % 11 === 0 ? NULL_BYTES : titles[i % titles.length]);
			},
		},
		phone: poolField(PHONES, same),
		// A text field, so the very long value still fits the schema.
		address: {
			raw: (i) => (i % 101 === 3 ? LONG_TEXT : orNull(pick(ADDRESSES, i))),
			cells: (escape) => {
				const long = encodeCell(LONG_TEXT, escape);
				const addresses = ADDRESSES.map((a) => encodeCell(a, escape));
				return (i, sink) => sink.bytes(i % 101 === 3 ? long : addresses[i % addresses.length]);
			},
		},
		city: poolField(CITIES, same),
		state: poolField(STATES, same),
		postalCode: poolField(POSTAL_CODES, same),
		country: poolField(COUNTRIES, same),
		website: poolField(WEBSITES, same),
		leadScore: intField(
			(i) => i % 13 === 0,
			(i) => ((i * 37) % 200) - 20,
		),
		annualRevenue: plainField(
			(i) => {
				const cents = (i % 126_000) * 7919;
				return i % 19 === 0 ? null : Math.floor(cents / 100) + '.' + TWO[cents % 100];
			},
			(i, sink) => {
				if (i % 19 === 0) return sink.bytes(NULL_BYTES);
				const cents = (i % 126_000) * 7919;
				sink.uint(Math.floor(cents / 100));
				sink.byte(46);
				sink.ascii(TWO[cents % 100]);
			},
		),
		numberOfEmployees: intField(
			(i) => i % 17 === 0,
			(i) => 1 + ((i * 31) % 5000),
		),
		// Tenths, printed like JavaScript prints them: 3.7, 4.
		rating: plainField(
			(i) => (i % 7 === 0 ? null : String(((i * 13) % 50) / 10)),
			(i, sink) => {
				if (i % 7 === 0) return sink.bytes(NULL_BYTES);
				const t = (i * 13) % 50;
				sink.uint(Math.floor(t / 10));
				if (t % 10) {
					sink.byte(46);
					sink.uint(t % 10);
				}
			},
		),
		unsubscribed: poolField(trueEvery(9), same),
		doNotCall: poolField(trueEvery(23), same),
		birthDate: plainField(
			(i) => (i % 5 === 0 ? null : dayString(BIRTH_DAY0 + ((i * 97) % 18_000))),
			(i, sink) => {
				if (i % 5 === 0) return sink.bytes(NULL_BYTES);
				const day = BIRTH_DAY0 + ((i * 97) % 18_000);
				let b = BIRTH_DATES.get(day);
				if (!b) BIRTH_DATES.set(day, (b = ascii(dayString(day))));
				sink.bytes(b);
			},
		),
		leadSource: poolField(LEAD_SOURCES, same),
		leadStatus: poolField(LEAD_STATUSES, same),
		externalCompanyId: taggedIntField(
			(i) => i % 4 !== 0,
			'EXT-COMP-',
			(i) => (i % 500) + 1,
		),
		externalSalesPersonId: taggedIntField(
			(i) => i % 6 !== 0,
			'sp-',
			(i) => (i % 20) + 1,
		),
		acquisitionProgramId: intField(
			(i) => i % 8 !== 0,
			(i) => PROGRAMS[i % PROGRAMS.length].id,
		),
		cookies: plainField(
			(i) =>
				i % 3 === 0
					? null
					: `_mch-example.com-${1_700_000_000_000 + i * 1000}-${10_000 + (i % 90_000)}`,
			(i, sink) => {
				if (i % 3 === 0) return sink.bytes(NULL_BYTES);
				sink.bytes(COOKIE_PREFIX);
				sink.uint(1_700_000_000_000 + i * 1000);
				sink.byte(45);
				sink.uint(10_000 + (i % 90_000));
			},
		),
		createdAt: dateTimeField((i) => timeline.at(i)),
		updatedAt: dateTimeField((i) => timeline.at(i) + updateLagSeconds(i)),
	};
}

/** Raw values of each lead field, indexed by i = id - 1 (null when empty). */
export function leadGenerators(timeline: Timeline): Record<string, FieldGen> {
	const defs = leadFieldDefs(timeline);
	return Object.fromEntries(Object.entries(defs).map(([k, d]) => [k, d.raw]));
}

/** Writers of each lead field's cell with this escaper, indexed by i = id - 1. */
export function leadCellWriters(
	timeline: Timeline,
	escape: (v: string) => string,
): Record<string, CellWriter> {
	const defs = leadFieldDefs(timeline);
	return Object.fromEntries(Object.entries(defs).map(([k, d]) => [k, d.cells(escape)]));
}

// ---------------------------------------------------------------------------------------------------
// Activities

/** Activity types in the order rows cycle through them (23 long, a prime). Delete Lead never occurs. */
// prettier-ignore
const TYPE_CYCLE = [
	1, 6, 7, 10, 1, 11, 2, 13, 12, 22, 7, 10, 24, 1, 104, 6, 25, 13, 7, 2, 10, 22, 1,
];

/** Fields a Change Data Value activity reports on. */
const CDV_FIELDS = [
	'firstName',
	'lastName',
	'company',
	'title',
	'phone',
	'city',
	'country',
	'leadStatus',
	'email',
].map((n) => LEAD_FIELD_BY_NAME.get(n)!);
const LEAD_SCORE_FIELD = LEAD_FIELD_BY_NAME.get('leadScore')!;
const CDV_VALUES = ['Zoë', 'Acme, Inc.', '東京', 'Line\nBreak', 'He said "hi"', '', '😀', 'Müller'];

export const activityTypeOf = (i: number): number => TYPE_CYCLE[i % TYPE_CYCLE.length];

/** The asset/field a row's primary attribute refers to: [id, name], or null when the type has none. */
export function activityPrimary(i: number): [number, string] | null {
	const j = Math.floor(i / TYPE_CYCLE.length);
	switch (activityTypeOf(i)) {
		case 1: {
			const a = pick(WEBPAGES, j);
			return [a.id, a.name];
		}
		case 2: {
			const a = pick(FORMS, j);
			return [a.id, qualifiedName(a)];
		}
		case 6:
		case 7:
		case 10:
		case 11: {
			const a = pick(EMAILS, j);
			return [a.id, qualifiedName(a)];
		}
		case 13: {
			const fld = pick(CDV_FIELDS, j);
			return [fld.id, fld.displayName];
		}
		case 22:
			return [LEAD_SCORE_FIELD.id, LEAD_SCORE_FIELD.displayName];
		case 24:
		case 25: {
			const a = pick(STATIC_LISTS, j);
			return [a.id, qualifiedName(a)];
		}
		case 104: {
			const a = pick(PROGRAMS, j);
			return [a.id, a.name];
		}
		default:
			return null;
	}
}

function activityAttributes(i: number): string {
	const j = Math.floor(i / TYPE_CYCLE.length);
	const ip = `203.0.113.${i % 255}`;
	switch (activityTypeOf(i)) {
		case 1:
			return JSON.stringify({
				'Client IP Address': ip,
				'Query Parameters': 'utm_source=news,letter&q="x"',
				'Referrer URL': 'https://www.google.com/search?q=marketo, bulk',
				'User Agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
				'Webpage URL': '/' + pick(['pricing', 'blog/a,b', 'ja/製品', 'lp?x="y"'], j),
			});
		case 2:
			return JSON.stringify({
				'Client IP Address': ip,
				'Form Fields': JSON.stringify({
					Email: `lead${(i % 997) + 1}@example.com`,
					Comments: pick(['Hello, "world" ✓', 'こんにちは', 'Line1\nLine2', ''], j),
				}),
				'Query Parameters': '',
				'Referrer URL': 'https://www.example.com/contact',
				'Webpage ID': pick(WEBPAGES, j).id,
			});
		case 6:
		case 7:
			return JSON.stringify({
				'Campaign Run ID': 900 + (j % 50),
				'Step ID': 10 + (j % 4),
				'Choice Number': 0,
			});
		case 10:
			return JSON.stringify({
				Device: pick(['iPhone', 'Desktop', 'Android, Tablet'], j),
				'Is Mobile Device': j % 2 === 0,
				Platform: pick(['iOS', 'Windows', 'Android'], j),
				'User Agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)',
			});
		case 11:
			return JSON.stringify({
				Link: pick(
					[
						'https://www.example.com/?a=1&b="2"',
						'https://example.com/ünï',
						'https://example.com/a,b',
					],
					j,
				),
				Device: 'Desktop',
				'Is Mobile Device': false,
				Platform: 'Windows',
			});
		case 12:
			return JSON.stringify({
				'Source Type': pick(['Web form fillout', 'New lead', 'List import'], j),
				'Form Name': qualifiedName(pick(FORMS, j)),
				'List Name': null,
				'SFDC Type': 'Lead',
			});
		case 13:
			return JSON.stringify({
				'New Value': pick(CDV_VALUES, j),
				'Old Value': pick(CDV_VALUES, j + 3) || null,
				Reason: pick(
					[
						'Changed by Smart Campaign Data.Cleanup action Change Data Value',
						'Web service API',
						'東京チーム 更新',
					],
					j,
				),
				Source: 'Web service API',
			});
		case 22:
			return JSON.stringify({
				'Change Value': '+' + (j % 20),
				'New Value': 40 + (j % 20),
				'Old Value': 40,
				Reason: 'Changed by Smart Campaign Scoring, Web.Visit action Change Score',
			});
		case 24:
		case 25:
			return JSON.stringify({
				Source: pick(['Smart Campaign, Batch', 'Web service API', 'List import "Q2"'], j),
			});
		case 104:
			return JSON.stringify({
				'Acquired By': j % 3 === 0,
				'New Status ID': 21 + (j % 5),
				'Old Status ID': 20,
				'Program Member ID': 3_240_000 + i,
				Reason: 'Changed by Smart Campaign MembershipTest.Step action Change Program Status',
				Success: j % 4 !== 1,
			});
		default:
			return '{}';
	}
}

/** Generators for each activity field, indexed by the activity's position i. */
export function activityGenerators(
	timeline: Timeline,
	leadCount: number,
): Record<string, FieldGen> {
	const leads = Math.max(1, leadCount);
	return {
		marketoGUID: (i) => String(700_000_000 + i),
		leadId: (i) => String(1 + ((i * 7919) % leads)),
		activityDate: (i) => formatSeconds(timeline.at(i)),
		activityTypeId: (i) => String(activityTypeOf(i)),
		campaignId: (i) => (i % 6 === 0 ? null : String(7000 + (i % 41))),
		primaryAttributeValueId: (i) => {
			const p = activityPrimary(i);
			return p ? String(p[0]) : null;
		},
		primaryAttributeValue: (i) => {
			const p = activityPrimary(i);
			return p ? p[1] : null;
		},
		attributes: (i) => activityAttributes(i),
		actionResult: (i) => (i % 29 === 0 ? 'failed' : i % 11 === 0 ? 'skipped' : 'succeeded'),
	};
}
