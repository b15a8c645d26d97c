/**
 * The instance's custom object types (two, both linked to leads) as list and describe show them, and
 * their records: seeded for the synthetic leads, changed by imports and by the control API.
 */
import { mix } from './programs';
import type { MarketoDataType } from './schema';
import { DAY_SECONDS, isoSeconds } from './time';

export interface CoField {
	name: string;
	displayName: string;
	dataType: MarketoDataType;
	length?: number;
	updateable: boolean;
}

export interface CoType {
	name: string;
	displayName: string;
	description: string;
	createdAt: string;
	updatedAt: string;
	dedupeFields: string[];
	searchableFields: string[][];
	/** The field that links a record to its lead, and the lead field it holds. */
	link: { field: string; leadField: 'id' | 'email' };
	fields: CoField[];
	/** Seeded records: one for each synthetic lead whose id is a multiple of `every`, a second at `twice`. */
	every: number;
	twice: number;
	seed: (h: number, leadId: number, n: number) => Record<string, string>;
}

const f = (
	name: string,
	displayName: string,
	dataType: MarketoDataType,
	length?: number,
	updateable = true,
): CoField => ({ name, displayName, dataType, ...(length ? { length } : {}), updateable });

const SYSTEM_FIELDS = [
	f('createdAt', 'Created At', 'datetime', undefined, false),
	f('marketoGUID', 'Marketo GUID', 'string', 36, false),
	f('updatedAt', 'Updated At', 'datetime', undefined, false),
];

const MAKES = [
	['bmw', '320i'],
	['audi', 'a4'],
	['volvo', 'xc60'],
	['toyota', 'corolla'],
	['ford', 'focus'],
];
const COLORS = ['red', 'blue', 'black', 'white', 'silver', 'yellow'];
const COURSES = ['MKT-101', 'MKT-201', 'OPS-110', 'DATA-300'];
const TERMS = ['2026S', '2026F'];

export const CO_TYPES: CoType[] = [
	{
		name: 'car_c',
		displayName: 'Car',
		description: 'It is a car.',
		createdAt: '2025-11-20T09:00:00Z',
		updatedAt: '2025-11-20T09:00:00Z',
		dedupeFields: ['vin'],
		searchableFields: [['vin'], ['marketoGUID'], ['leadID']],
		link: { field: 'leadID', leadField: 'id' },
		fields: [
			...SYSTEM_FIELDS,
			f('leadID', 'Lead ID', 'integer'),
			f('vin', 'VIN', 'string', 17),
			f('make', 'Make', 'string', 255),
			f('model', 'Model', 'string', 255),
			f('color', 'Color', 'string', 255),
			f('year', 'Year', 'integer'),
			f('price', 'Price', 'currency'),
		],
		every: 3,
		twice: 9,
		seed: (h, leadId, n) => {
			const [make, model] = MAKES[h % MAKES.length];
			return {
				leadID: String(leadId),
				vin: `WBA${String(leadId).padStart(8, '0')}${n}${(h >>> 5).toString(16).slice(0, 5).toUpperCase().padStart(5, '0')}`,
				make,
				model,
				color: COLORS[(h >>> 9) % COLORS.length],
				year: String(2012 + ((h >>> 13) % 14)),
				price: String(8000 + ((h >>> 17) % 400) * 100),
			};
		},
	},
	{
		name: 'course_enrollment_c',
		displayName: 'Course Enrollment',
		description: 'A lead enrolled in a course, for a term.',
		createdAt: '2025-12-02T09:00:00Z',
		updatedAt: '2026-01-12T16:30:00Z',
		dedupeFields: ['email', 'courseCode', 'term'],
		searchableFields: [['email', 'courseCode', 'term'], ['marketoGUID'], ['email']],
		link: { field: 'email', leadField: 'email' },
		fields: [
			...SYSTEM_FIELDS,
			f('email', 'Email', 'email', 255),
			f('courseCode', 'Course Code', 'string', 12),
			f('term', 'Term', 'string', 5),
			f('enrolledOn', 'Enrolled On', 'date'),
			f('score', 'Score', 'float'),
			f('completed', 'Completed', 'boolean'),
		],
		every: 4,
		twice: 8,
		seed: (h, _leadId, n) => ({
			courseCode: COURSES[(h + n) % COURSES.length],
			term: TERMS[(h >>> 4) % TERMS.length],
			score: (h >>> 6) % 3 === 0 ? '' : String(((h >>> 8) % 1000) / 10),
			completed: String((h >>> 12) % 2 === 0),
		}),
	},
];

export const coTypeOf = (apiName: string): CoType | undefined =>
	CO_TYPES.find((t) => t.name === apiName);

const relationships = (t: CoType) => [
	{
		field: t.link.field,
		type: 'child',
		relatedTo: { name: 'Lead', field: t.link.leadField === 'id' ? 'Id' : 'email' },
	},
];

/** One type as Get Custom Object Types lists it (no fields), or with its fields for describe. */
export function coTypeView(t: CoType, withFields: boolean): Record<string, unknown> {
	return {
		name: t.name,
		displayName: t.displayName,
		description: t.description,
		createdAt: t.createdAt,
		updatedAt: t.updatedAt,
		idField: 'marketoGUID',
		dedupeFields: t.dedupeFields,
		searchableFields: t.searchableFields,
		relationships: relationships(t),
		...(withFields ? { fields: t.fields } : {}),
	};
}

export const fieldByLowerName = (t: CoType, name: string): CoField | undefined =>
	t.fields.find((x) => x.name.toLowerCase() === name.toLowerCase());

// ---------------------------------------------------------------------------------------------------
// Records

export interface CoRecord {
	marketoGUID: string;
	/** Epoch seconds. */
	createdAt: number;
	updatedAt: number;
	/** Values of the type's updateable fields (the link included); a missing one is empty. */
	values: Record<string, string>;
}

/** The record as a file or the control API shows it: every field of the type, null when empty. */
export function coRecordValues(t: CoType, r: CoRecord): Record<string, string | null> {
	const out: Record<string, string | null> = {};
	for (const x of t.fields) out[x.name] = r.values[x.name] || null;
	out.marketoGUID = r.marketoGUID;
	out.createdAt = isoSeconds(r.createdAt * 1000);
	out.updatedAt = isoSeconds(r.updatedAt * 1000);
	return out;
}

const guid = (typeIndex: number, n: number): string => {
	const hex = (mix(n, typeIndex + 77) >>> 0).toString(16).padStart(8, '0');
	const seq = n.toString(16).padStart(12, '0');
	return `${hex}-c0${typeIndex}0-4000-8000-${seq}`;
};

/**
 * Every record, by type then dedupe key. Seeded on first use: createdAt spread over the synthetic data's
 * range, updatedAt 0–20 days later, capped at the range's end (which is now with --data-until-now).
 */
export class CustomObjectStore {
	private byType = new Map<string, Map<string, CoRecord>>();
	private serial = 0;

	constructor(
		private readonly leadCount: number,
		private readonly startSec: number,
		private readonly endSec: number,
		/** The synthetic lead's email, for types linked by email. */
		private readonly emailOf: (leadId: number) => string | undefined,
	) {}

	keyOf(t: CoType, values: Record<string, string | undefined>): string | undefined {
		const parts = t.dedupeFields.map((name) => {
			const v = (values[name] ?? '').trim();
			return fieldByLowerName(t, name)?.dataType === 'email' ? v.toLowerCase() : v;
		});
		return parts.some((p) => p === '') ? undefined : parts.join('\u0001');
	}

	private records(t: CoType): Map<string, CoRecord> {
		const known = this.byType.get(t.name);
		if (known) return known;
		const map = new Map<string, CoRecord>();
		this.byType.set(t.name, map);
		const typeIndex = CO_TYPES.indexOf(t);
		const span = Math.max(1, this.endSec - this.startSec);
		for (let id = t.every; id <= this.leadCount; id += t.every) {
			for (let n = 0; n < (id % t.twice === 0 ? 2 : 1); n++) {
				const h = mix(id * 2 + n, typeIndex + 11);
				const values = t.seed(h, id, n);
				if (t.link.leadField === 'email') values[t.link.field] = this.emailOf(id) ?? '';
				if (t.fields.some((x) => x.name === 'enrolledOn'))
					values.enrolledOn = isoSeconds((this.startSec + (h % span)) * 1000).slice(0, 10);
				const created = this.startSec + (h % span);
				const key = this.keyOf(t, values);
				if (key === undefined || map.has(key)) continue;
				map.set(key, {
					marketoGUID: guid(typeIndex, ++this.serial),
					createdAt: created,
					updatedAt: Math.min(this.endSec, created + ((h >>> 7) % (20 * DAY_SECONDS))),
					values,
				});
			}
		}
		return map;
	}

	/** A type's records, in the order they were created (seeded ones by lead id). */
	all(t: CoType): CoRecord[] {
		return [...this.records(t).values()];
	}

	find(t: CoType, key: string): CoRecord | undefined {
		return this.records(t).get(key);
	}

	/** Creates the record with that dedupe key or updates it; non-empty values overwrite. */
	upsert(
		t: CoType,
		key: string,
		values: Record<string, string>,
		atSec: number,
	): { record: CoRecord; created: boolean } {
		const map = this.records(t);
		const existing = map.get(key);
		const set = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
		if (existing) {
			Object.assign(existing.values, set);
			existing.updatedAt = atSec;
			return { record: existing, created: false };
		}
		const record: CoRecord = {
			marketoGUID: guid(CO_TYPES.indexOf(t), ++this.serial),
			createdAt: atSec,
			updatedAt: atSec,
			values: set,
		};
		map.set(key, record);
		return { record, created: true };
	}
}
