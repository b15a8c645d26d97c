/**
 * Bulk Program Member Extract: validation of Create Export Program Member Job and the file a job writes.
 *
 * Where Marketo's pages disagree this follows the extract page:
 * - exactly one of `programId` / `programIds` (the swagger marks both required);
 * - `statusNames` is ORed; a name found in none of the filter's programs' channels → 1003 Invalid Data
 *   (the page's "not found in any of the programs" read as "missing from all");
 * - `nurtureCadence` accepts the page's `pause` and the swagger's `paus` (stored, as the describe's
 *   length 4 suggests, as `paus`), and `norm`;
 * - `updatedAt` ≤ 31 days; a subscription without it answers 1035;
 * - `programIds` puts a `programId` column first; columns then follow `fields`;
 * - a name that is both a lead field and a program member field (createdAt, updatedAt) means the
 *   membership's own value.
 */
import { EXPORT_DELIMITERS, exportCell, makeEscaper, type ExportFormat } from './csv';
import type { ByteSink } from './bytesink';
import type { FileSource } from './filegen';
import {
	PM_FIELD_BY_NAME,
	memberValues,
	programById,
	statusesOf,
	type Membership,
} from './programs';
import { LEAD_FIELD_BY_NAME } from './schema';
import type { DataStore } from './store';
import type { ApiError } from './types';
import {
	dateRange,
	formatOf,
	headersOf,
	invalid,
	type ExportRequest,
	type ValidateOptions,
} from './validate';

export const MAX_PROGRAM_IDS = 10;
/** disabledFilters entry that takes Updated At from program member exports only. */
export const PM_UPDATED_AT = 'programMembers.updatedAt';
const FILTER_KEYS = [
	'programId',
	'programIds',
	'statusNames',
	'isExhausted',
	'nurtureCadence',
	'updatedAt',
];
const CADENCES: Record<string, string> = { pause: 'paus', paus: 'paus', norm: 'norm' };

export interface NormalMemberFilter {
	programIds: number[];
	/** programIds was used: the file starts with a programId column. */
	multi: boolean;
	statusNames?: Set<string>;
	isExhausted?: boolean;
	nurtureCadence?: string;
	updatedAt?: { start: number; end: number };
}

type Result<T> = { ok: T } | { error: ApiError };

const isObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);

const asId = (v: unknown): number =>
	typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;

export function normalizeMemberFilter(
	value: unknown,
	opts: ValidateOptions,
): Result<NormalMemberFilter> {
	if (!isObject(value))
		return { error: invalid("Missing value for the required parameter 'filter'") };
	const unknown = Object.keys(value).find((k) => !FILTER_KEYS.includes(k));
	if (unknown !== undefined) return { error: invalid(`Invalid filter type '${unknown}'`) };
	const hasOne = value.programId !== undefined;
	const hasMany = value.programIds !== undefined;
	if (hasOne === hasMany)
		return { error: invalid('Exactly one of programId or programIds is required') };
	let ids: number[];
	if (hasOne) {
		const id = asId(value.programId);
		if (!Number.isInteger(id))
			return { error: invalid(`Invalid value for programId: '${String(value.programId)}'`) };
		ids = [id];
	} else {
		const raw = value.programIds;
		if (!Array.isArray(raw) || raw.length === 0)
			return {
				error: invalid('Invalid value for programIds: expected a non-empty array of integers'),
			};
		if (raw.length > MAX_PROGRAM_IDS)
			return { error: invalid(`programIds cannot exceed ${MAX_PROGRAM_IDS} values`) };
		ids = raw.map(asId);
		const bad = ids.findIndex((n) => !Number.isInteger(n));
		if (bad >= 0) return { error: invalid(`Invalid value for programIds: '${String(raw[bad])}'`) };
	}
	const missing = ids.find((id) => !programById(id));
	if (missing !== undefined) return { error: invalid(`Program ${missing} not found`) };
	const out: NormalMemberFilter = { programIds: [...new Set(ids)], multi: hasMany };

	if (value.statusNames !== undefined) {
		const raw = value.statusNames;
		if (!Array.isArray(raw) || raw.length === 0 || !raw.every((s) => typeof s === 'string' && s))
			return {
				error: invalid('Invalid value for statusNames: expected a non-empty array of names'),
			};
		const known = new Set(
			out.programIds.flatMap((id) => statusesOf(programById(id)!).map((s) => s.name)),
		);
		const unknownStatus = (raw as string[]).find((s) => !known.has(s));
		if (unknownStatus !== undefined) return { error: invalid('Invalid Data') };
		out.statusNames = new Set(raw as string[]);
	}
	if (value.isExhausted !== undefined) {
		if (typeof value.isExhausted !== 'boolean')
			return { error: invalid(`Invalid value for isExhausted: '${String(value.isExhausted)}'`) };
		out.isExhausted = value.isExhausted;
	}
	if (value.nurtureCadence !== undefined) {
		const c = typeof value.nurtureCadence === 'string' ? CADENCES[value.nurtureCadence] : undefined;
		if (!c)
			return {
				error: invalid(`Invalid value for nurtureCadence: '${String(value.nurtureCadence)}'`),
			};
		out.nurtureCadence = c;
	}
	if (value.updatedAt !== undefined) {
		// 'updatedAt' takes it from lead and program member exports, 'programMembers.updatedAt' from these only.
		const disabled = opts.disabledFilters;
		if (opts.limits && (disabled.includes('updatedAt') || disabled.includes(PM_UPDATED_AT)))
			return {
				error: {
					code: '1035',
					message: 'Unsupported filter type for target subscription: updatedAt',
				},
			};
		const r = dateRange('updatedAt', value.updatedAt, opts.limits);
		if ('error' in r) return r;
		out.updatedAt = r.ok;
	}
	return { ok: out };
}

export function validateMemberExport(
	body: unknown,
	opts: ValidateOptions,
): Result<ExportRequest<NormalMemberFilter>> {
	if (!isObject(body)) return { error: invalid('Invalid request body') };
	const fields = body.fields;
	if (!Array.isArray(fields) || fields.length === 0)
		return { error: invalid("Missing value for the required parameter 'fields'") };
	for (const name of fields) {
		// The same answer as a lead export's unknown field.
		if (typeof name !== 'string' || !(PM_FIELD_BY_NAME.has(name) || LEAD_FIELD_BY_NAME.has(name)))
			return { error: invalid(`Invalid field name '${String(name)}'`) };
	}
	const format = formatOf(body.format);
	if ('error' in format) return format;
	const headers = headersOf(fields as string[], body.columnHeaderNames);
	if ('error' in headers) return headers;
	const filter = normalizeMemberFilter(body.filter, opts);
	if ('error' in filter) return filter;
	return {
		ok: { fields: fields as string[], headers: headers.ok, format: format.ok, filter: filter.ok },
	};
}

export function memberMatches(m: Membership, f: NormalMemberFilter): boolean {
	if (f.statusNames && !f.statusNames.has(m.statusName)) return false;
	if (f.isExhausted !== undefined && m.isExhausted !== f.isExhausted) return false;
	if (f.nurtureCadence !== undefined && m.nurtureCadence !== f.nurtureCadence) return false;
	if (f.updatedAt && (m.updatedAt < f.updatedAt.start || m.updatedAt > f.updatedAt.end))
		return false;
	return true;
}

/** The filter's members now, program by program in the filter's order, ascending lead id. */
export function selectMembers(store: DataStore, f: NormalMemberFilter): Membership[] {
	return f.programIds.flatMap((id) => store.members.members(id).filter((m) => memberMatches(m, f)));
}

/**
 * The job's file: the members are read (and copied) when the job starts processing, so later changes
 * do not reach a running or completed job.
 */
export function memberFileSource(
	store: DataStore,
	v: number,
	filter: NormalMemberFilter,
	fields: string[],
	headers: string[],
	format: ExportFormat,
): FileSource {
	const d = EXPORT_DELIMITERS[format];
	const esc = makeEscaper(d);
	const columns = filter.multi ? ['programId', ...fields] : fields;
	const heads = filter.multi ? ['programId', ...headers] : headers;
	const rows = selectMembers(store, filter).map((m) => {
		const values: Record<string, string | null> = {
			...store.lead(m.leadId, v),
			...memberValues(m),
		};
		return columns.map((c) => exportCell(values[c], esc)).join(d) + '\n';
	});
	return {
		header: heads.map(esc).join(d) + '\n',
		plan: [{ ids: rows.map((_, k) => k) }],
		writeRow: (k: number, sink: ByteSink) => sink.utf8(rows[k]),
	};
}
