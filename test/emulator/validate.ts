/**
 * Validation of Create Export Job requests, with Marketo's codes: 1003 for anything invalid, 1035 for a
 * filter type the subscription lacks. Returns the store's normalized filter or the error to send.
 */
import { EXPORT_DELIMITERS, type ExportFormat } from './csv';
import {
	ACTIVITY_FIELDS,
	ACTIVITY_TYPE_BY_ID,
	DEFAULT_ACTIVITY_FIELDS,
	DELETE_LEAD_TYPE_ID,
	LEAD_FIELD_BY_NAME,
	SMART_LISTS,
	STATIC_LISTS,
	type AssetGroup,
} from './schema';
import type { NormalActivityFilter, NormalLeadFilter } from './store';
import { DAY_SECONDS, parseIsoSeconds } from './time';
import type { ApiError } from './types';

export const MAX_RANGE_DAYS = 31;
const MAX_PRIMARY_VALUES = 50;
const LEAD_FILTER_TYPES = [
	'createdAt',
	'updatedAt',
	'staticListId',
	'staticListName',
	'smartListId',
	'smartListName',
];
const ACTIVITY_FILTER_TYPES = [
	'createdAt',
	'activityTypeIds',
	'primaryAttributeValueIds',
	'primaryAttributeValues',
];

export const invalid = (message: string): ApiError => ({ code: '1003', message });

type Result<T> = { ok: T } | { error: ApiError };

export interface ExportRequest<F> {
	fields: string[];
	headers: string[];
	format: ExportFormat;
	filter: F;
}

export interface ValidateOptions {
	/** Ground-truth queries from tests skip the 31-day limit and the subscription's filter gaps. */
	limits: boolean;
	disabledFilters: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);

export function dateRange(
	name: string,
	value: unknown,
	limits: boolean,
): Result<{ start: number; end: number }> {
	if (!isObject(value))
		return {
			error: invalid(
				`Invalid value for filter '${name}': expected an object with startAt and endAt`,
			),
		};
	for (const key of ['startAt', 'endAt']) {
		if (value[key] === undefined || value[key] === null || value[key] === '') {
			return { error: invalid(`Missing value for ${name}.${key}`) };
		}
	}
	const start = parseIsoSeconds(value.startAt);
	if (start === undefined)
		return {
			error: invalid(`Invalid date format for ${name}.startAt: '${String(value.startAt)}'`),
		};
	const end = parseIsoSeconds(value.endAt);
	if (end === undefined)
		return { error: invalid(`Invalid date format for ${name}.endAt: '${String(value.endAt)}'`) };
	if (end < start)
		return { error: invalid(`Invalid date range for ${name}: endAt is before startAt`) };
	if (limits && end - start > MAX_RANGE_DAYS * DAY_SECONDS) {
		return { error: invalid(`Date range for ${name} exceeds ${MAX_RANGE_DAYS} days`) };
	}
	return { ok: { start, end } };
}

export function formatOf(value: unknown): Result<ExportFormat> {
	if (value === undefined || value === null || value === '') return { ok: 'CSV' };
	const f = typeof value === 'string' ? value.toUpperCase() : '';
	if (f in EXPORT_DELIMITERS) return { ok: f as ExportFormat };
	return { error: invalid(`Invalid format '${String(value)}'. Allowed values: CSV, TSV, SSV`) };
}

export function headersOf(fields: string[], value: unknown): Result<string[]> {
	if (value === undefined || value === null) return { ok: fields };
	if (!isObject(value))
		return { error: invalid('Invalid value for columnHeaderNames: expected an object') };
	// Keys that name no exported field are ignored, as Marketo does.
	return {
		ok: fields.map((f) =>
			typeof value[f] === 'string' && value[f] !== '' ? (value[f] as string) : f,
		),
	};
}

export function validateLeadExport(
	body: unknown,
	opts: ValidateOptions,
): Result<ExportRequest<NormalLeadFilter>> {
	if (!isObject(body)) return { error: invalid('Invalid request body') };
	const fields = body.fields;
	if (!Array.isArray(fields) || fields.length === 0) {
		return { error: invalid("Missing value for the required parameter 'fields'") };
	}
	for (const name of fields) {
		if (typeof name !== 'string' || !LEAD_FIELD_BY_NAME.has(name)) {
			return { error: invalid(`Invalid field name '${String(name)}'`) };
		}
	}
	const format = formatOf(body.format);
	if ('error' in format) return format;
	const headers = headersOf(fields as string[], body.columnHeaderNames);
	if ('error' in headers) return headers;
	const filter = normalizeLeadFilter(body.filter, opts);
	if ('error' in filter) return filter;
	return {
		ok: { fields: fields as string[], headers: headers.ok, format: format.ok, filter: filter.ok },
	};
}

export function normalizeLeadFilter(
	value: unknown,
	opts: ValidateOptions,
): Result<NormalLeadFilter> {
	if (!isObject(value))
		return { error: invalid("Missing value for the required parameter 'filter'") };
	const keys = Object.keys(value);
	const unknown = keys.find((k) => !LEAD_FILTER_TYPES.includes(k));
	if (unknown !== undefined) return { error: invalid(`Invalid filter type '${unknown}'`) };
	if (keys.length === 0) {
		return {
			error: invalid(`Exactly one filter type is required: ${LEAD_FILTER_TYPES.join(', ')}`),
		};
	}
	if (keys.length > 1) {
		return {
			error: invalid(
				`Only one filter type may be specified per export job, got: ${keys.join(', ')}`,
			),
		};
	}
	const type = keys[0];
	if (opts.limits && opts.disabledFilters.includes(type)) {
		return {
			error: { code: '1035', message: `Unsupported filter type for target subscription: ${type}` },
		};
	}
	const v = value[type];
	switch (type) {
		case 'createdAt':
		case 'updatedAt': {
			const r = dateRange(type, v, opts.limits);
			return 'error' in r ? r : { ok: { kind: type, ...r.ok } };
		}
		case 'staticListId':
		case 'smartListId': {
			const id =
				typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
			if (!Number.isInteger(id))
				return { error: invalid(`Invalid value for ${type}: '${String(v)}'`) };
			const list = (type === 'staticListId' ? STATIC_LISTS : SMART_LISTS).find((l) => l.id === id);
			if (!list)
				return {
					error: invalid(`${type === 'staticListId' ? 'Static' : 'Smart'} list ${id} not found`),
				};
			return { ok: { kind: type === 'staticListId' ? 'staticList' : 'smartList', list } };
		}
		default: {
			if (typeof v !== 'string' || v === '')
				return { error: invalid(`Invalid value for ${type}: '${String(v)}'`) };
			const list = (type === 'staticListName' ? STATIC_LISTS : SMART_LISTS).find(
				(l) => l.name === v,
			);
			if (!list)
				return {
					error: invalid(`${type === 'staticListName' ? 'Static' : 'Smart'} list '${v}' not found`),
				};
			return { ok: { kind: type === 'staticListName' ? 'staticList' : 'smartList', list } };
		}
	}
}

export function validateActivityExport(
	body: unknown,
	opts: ValidateOptions,
): Result<ExportRequest<NormalActivityFilter>> {
	if (!isObject(body)) return { error: invalid('Invalid request body') };
	let fields = DEFAULT_ACTIVITY_FIELDS;
	if (body.fields !== undefined && body.fields !== null) {
		if (!Array.isArray(body.fields) || body.fields.length === 0) {
			return {
				error: invalid(
					'Invalid value for fields: expected a non-empty array of activity field names',
				),
			};
		}
		for (const name of body.fields) {
			if (typeof name !== 'string' || !ACTIVITY_FIELDS.includes(name)) {
				return { error: invalid(`Invalid field name '${String(name)}'`) };
			}
		}
		fields = body.fields as string[];
	}
	const format = formatOf(body.format);
	if ('error' in format) return format;
	const headers = headersOf(fields, body.columnHeaderNames);
	if ('error' in headers) return headers;
	const filter = normalizeActivityFilter(body.filter, opts);
	if ('error' in filter) return filter;
	return { ok: { fields, headers: headers.ok, format: format.ok, filter: filter.ok } };
}

function intArray(name: string, v: unknown): Result<number[]> {
	if (!Array.isArray(v) || v.length === 0)
		return { error: invalid(`Invalid value for ${name}: expected a non-empty array of integers`) };
	const out: number[] = [];
	for (const x of v) {
		const n =
			typeof x === 'number' ? x : typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : NaN;
		if (!Number.isInteger(n))
			return { error: invalid(`Invalid value for ${name}: '${String(x)}'`) };
		out.push(n);
	}
	return { ok: out };
}

export function normalizeActivityFilter(
	value: unknown,
	opts: ValidateOptions,
): Result<NormalActivityFilter> {
	if (!isObject(value))
		return { error: invalid("Missing value for the required parameter 'filter'") };
	const unknown = Object.keys(value).find((k) => !ACTIVITY_FILTER_TYPES.includes(k));
	if (unknown !== undefined) return { error: invalid(`Invalid filter type '${unknown}'`) };
	if (value.createdAt === undefined) return { error: invalid('The createdAt filter is required') };
	const range = dateRange('createdAt', value.createdAt, opts.limits);
	if ('error' in range) return range;
	const out: NormalActivityFilter = { ...range.ok };

	let types: number[] | undefined;
	if (value.activityTypeIds !== undefined) {
		const r = intArray('activityTypeIds', value.activityTypeIds);
		if ('error' in r) return r;
		for (const id of r.ok) {
			if (id === DELETE_LEAD_TYPE_ID) {
				return {
					error: invalid(
						'Activity type 37 (Delete Lead) is not supported by bulk activity extract',
					),
				};
			}
			if (!ACTIVITY_TYPE_BY_ID.has(id)) return { error: invalid(`Invalid activity type id ${id}`) };
		}
		types = r.ok;
		out.types = new Set(types);
	}

	const hasIds = value.primaryAttributeValueIds !== undefined;
	const hasValues = value.primaryAttributeValues !== undefined;
	if (hasIds && hasValues) {
		return {
			error: invalid('primaryAttributeValueIds and primaryAttributeValues cannot be used together'),
		};
	}
	if (hasIds || hasValues) {
		const name = hasIds ? 'primaryAttributeValueIds' : 'primaryAttributeValues';
		const raw = value[name];
		if (!Array.isArray(raw) || raw.length === 0)
			return { error: invalid(`Invalid value for ${name}: expected a non-empty array`) };
		if (raw.length > MAX_PRIMARY_VALUES)
			return { error: invalid(`${name} cannot exceed ${MAX_PRIMARY_VALUES} values`) };
		if (!types)
			return { error: invalid(`activityTypeIds filter is required when ${name} is used`) };
		// All types must belong to one asset group that supports primary attribute filtering.
		const groups = new Set<AssetGroup | undefined>(
			types.map((t) => ACTIVITY_TYPE_BY_ID.get(t)!.group),
		);
		if (groups.has(undefined) || groups.size !== 1) {
			return {
				error: invalid(
					`activityTypeIds must only contain activity types of the asset group matching ${name}`,
				),
			};
		}
		if (hasIds) {
			const r = intArray(name, raw);
			if ('error' in r) return r;
			out.primaryIds = new Set(r.ok);
		} else {
			if (!raw.every((x) => typeof x === 'string'))
				return { error: invalid(`Invalid value for ${name}: expected strings`) };
			out.primaryValues = new Set(raw as string[]);
		}
	}
	return { ok: out };
}
