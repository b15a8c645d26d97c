/**
 * Bulk Custom Object Extract and Import (types and records: coTypes.ts): Create Export Custom Object Job
 * validation, the file a job writes, and the rows of a custom object import.
 *
 * Where Marketo's pages disagree or are silent this follows:
 * - field names are matched case-insensitively: the extract page exports `leadId` and `vIN` while its
 *   describe spells `leadID` and the import page's describe `vin`; the file header repeats the names as
 *   requested. An import header is not trimmed, so ` vin` is no dedupe field (the import page's example);
 * - export filters: exactly one of updatedAt (≤ 31 days, on the record's updatedAt), staticListId/Name,
 *   smartListId/Name (the leads they pick, then the records linked to them); createdAt and anything else
 *   → 1003; 'updatedAt' or 'customObjects.updatedAt' in disabledFilters → 1035, as do the smart list keys;
 * - import: a header without every dedupe field fails every row with `missing.dedupe.fields`, as does a row
 *   with an empty dedupe value; columns that name no field are ignored; a record may be created without its
 *   link (the import page's example file has no link column); a link value naming no lead, or a value of the
 *   wrong type, fails the row; a string longer than its field is cut to length with a warning.
 */
import type { ByteSink } from './bytesink';
import {
	CO_TYPES,
	coRecordValues,
	coTypeOf,
	fieldByLowerName,
	type CoRecord,
	type CoType,
} from './coTypes';
import { EXPORT_DELIMITERS, exportCell, makeEscaper, type ExportFormat } from './csv';
import type { FileSource } from './filegen';
import { planPositions, type DataStore, type NormalLeadFilter } from './store';
import type { ApiError } from './types';
import { fitsType, normalizeValue } from './values';
import {
	formatOf,
	headersOf,
	invalid,
	normalizeLeadFilter,
	type ExportRequest,
	type ValidateOptions,
} from './validate';

export { CO_TYPES, coTypeOf };

/** disabledFilters entry that takes Updated At from custom object exports only. */
export const CO_UPDATED_AT = 'customObjects.updatedAt';
const FILTER_KEYS = ['updatedAt', 'staticListId', 'staticListName', 'smartListId', 'smartListName'];

/** The lead a record is linked to now, if any. */
export function linkedLead(store: DataStore, t: CoType, r: CoRecord): number | undefined {
	const v = r.values[t.link.field];
	if (!v) return undefined;
	if (t.link.leadField === 'id') return store.lead(Number(v)) ? Number(v) : undefined;
	return store.findLeadsByEmail(v)[0];
}

/** Whether a link value names an existing lead (what an import checks). */
function linkExists(store: DataStore, t: CoType, v: string): boolean {
	return t.link.leadField === 'id'
		? store.lead(Number(v)) !== undefined
		: store.findLeadsByEmail(v).length > 0;
}

// ---------------------------------------------------------------------------------------------------
// Export

export interface NormalCoFilter {
	apiName: string;
	/** updatedAt: the record's; the list kinds: the leads whose records are exported. */
	lead: NormalLeadFilter;
}

type Result<T> = { ok: T } | { error: ApiError };

const isObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);

export function normalizeCoFilter(
	t: CoType,
	value: unknown,
	opts: ValidateOptions,
): Result<NormalCoFilter> {
	if (!isObject(value))
		return { error: invalid("Missing value for the required parameter 'filter'") };
	const unknown = Object.keys(value).find((k) => !FILTER_KEYS.includes(k));
	if (unknown !== undefined) return { error: invalid(`Invalid filter type '${unknown}'`) };
	if (opts.limits && value.updatedAt !== undefined && opts.disabledFilters.includes(CO_UPDATED_AT))
		return {
			error: {
				code: '1035',
				message: 'Unsupported filter type for target subscription: updatedAt',
			},
		};
	// The lead filter's rules hold as they are: exactly one type, ≤ 31 days, known lists, 1035.
	const lead = normalizeLeadFilter(value, opts);
	return 'error' in lead ? lead : { ok: { apiName: t.name, lead: lead.ok } };
}

export function validateCoExport(
	t: CoType,
	body: unknown,
	opts: ValidateOptions,
): Result<ExportRequest<NormalCoFilter>> {
	if (!isObject(body)) return { error: invalid('Invalid request body') };
	const fields = body.fields;
	if (!Array.isArray(fields) || fields.length === 0)
		return { error: invalid("Missing value for the required parameter 'fields'") };
	const canonical: string[] = [];
	for (const name of fields) {
		const field = typeof name === 'string' ? fieldByLowerName(t, name) : undefined;
		if (!field) return { error: invalid(`Invalid field name '${String(name)}'`) };
		canonical.push(field.name);
	}
	const format = formatOf(body.format);
	if ('error' in format) return format;
	// Headers repeat the names as requested; columnHeaderNames keys are those names too.
	const headers = headersOf(fields as string[], body.columnHeaderNames);
	if ('error' in headers) return headers;
	const filter = normalizeCoFilter(t, body.filter, opts);
	if ('error' in filter) return filter;
	return { ok: { fields: canonical, headers: headers.ok, format: format.ok, filter: filter.ok } };
}

/** The records an export filter selects now, in store order. */
export function selectCoRecords(
	store: DataStore,
	f: NormalCoFilter,
	v = store.version,
): CoRecord[] {
	const t = coTypeOf(f.apiName)!;
	const records = store.customObjects.all(t);
	const lf = f.lead;
	if (lf.kind === 'updatedAt')
		return records.filter((r) => r.updatedAt >= lf.start && r.updatedAt <= lf.end);
	if (lf.kind === 'createdAt')
		return records.filter((r) => r.createdAt >= lf.start && r.createdAt <= lf.end);
	if (lf.kind === 'all') return records;
	const leads = new Set(planPositions(store.leadPlan(lf, v)));
	return records.filter((r) => {
		const id = linkedLead(store, t, r);
		return id !== undefined && leads.has(id);
	});
}

/** The job's file: records are read (and copied) when the job starts processing. */
export function coFileSource(
	store: DataStore,
	v: number,
	filter: NormalCoFilter,
	fields: string[],
	headers: string[],
	format: ExportFormat,
): FileSource {
	const t = coTypeOf(filter.apiName)!;
	const d = EXPORT_DELIMITERS[format];
	const esc = makeEscaper(d);
	const rows = selectCoRecords(store, filter, v).map((r) => {
		const values = coRecordValues(t, r);
		return fields.map((c) => exportCell(values[c], esc)).join(d) + '\n';
	});
	return {
		header: headers.map(esc).join(d) + '\n',
		plan: [{ ids: rows.map((_, k) => k) }],
		writeRow: (k: number, sink: ByteSink) => sink.utf8(rows[k]),
	};
}

// ---------------------------------------------------------------------------------------------------
// Import

export interface CoImportRows {
	processed: number;
	/** Distinct records created or updated. */
	objects: number;
	failures: string[];
	warnings: string[];
}

/**
 * Applies the data rows of an import (header already split off) to the store. Failure and warning
 * lines repeat the row as sent plus the reason; `escape` writes the reason in the file's format.
 */
export function importCoRows(
	store: DataStore,
	t: CoType,
	header: string[],
	rows: Array<{ raw: string; cells: string[] }>,
	d: string,
	escape: (v: string) => string,
	nowSec: number,
): CoImportRows {
	// Not trimmed: ` vin` names no field (the import page's own example).
	const columns = header.map((name) => {
		const field = fieldByLowerName(t, name);
		return field && field.updateable ? field : undefined;
	});
	const hasDedupe = t.dedupeFields.every((name) => columns.some((c) => c?.name === name));
	const failures: string[] = [];
	const warnings: string[] = [];
	const touched = new Set<string>();
	let processed = 0;
	for (const rec of rows) {
		const fail = (reason: string) => failures.push(rec.raw + d + escape(reason) + '\n');
		if (!hasDedupe) {
			fail('missing.dedupe.fields');
			continue;
		}
		if (rec.cells.length !== columns.length) {
			fail(`Invalid data: row has ${rec.cells.length} fields, header has ${columns.length}`);
			continue;
		}
		const values: Record<string, string> = {};
		const notes: string[] = [];
		let reason: string | undefined;
		columns.forEach((c, k) => {
			const v = rec.cells[k];
			if (!c || reason || v === '') return;
			if (!fitsType(c, v)) {
				reason = `Invalid data type in field ${c.displayName}`;
				return;
			}
			if (c.name === t.link.field && !linkExists(store, t, v)) {
				reason = `Invalid link value in field ${c.displayName}: no lead with ${t.link.leadField} ${v}`;
				return;
			}
			let value = normalizeValue(c, v);
			if (c.length !== undefined && value.length > c.length) {
				value = value.slice(0, c.length);
				notes.push(`Value truncated in field ${c.displayName} (${c.length} characters)`);
			}
			values[c.name] = value;
		});
		if (reason) {
			fail(reason);
			continue;
		}
		const key = store.customObjects.keyOf(t, values);
		if (key === undefined) {
			fail('missing.dedupe.fields');
			continue;
		}
		store.customObjects.upsert(t, key, values, nowSec);
		touched.add(key);
		processed++;
		if (notes.length) warnings.push(rec.raw + d + escape(notes.join('; ')) + '\n');
	}
	return { processed, objects: touched.size, failures, warnings };
}

/**
 * The control API's write: creates or updates records by the type's dedupe fields, with the same checks
 * an import row gets, but all-or-nothing: the first bad record throws and nothing is written.
 * Returns the records' marketoGUIDs.
 */
export function upsertCoRecords(
	store: DataStore,
	t: CoType,
	records: Array<Record<string, unknown>>,
	atSec: number,
): string[] {
	const prepared = records.map((raw, k) => {
		const values: Record<string, string> = {};
		for (const [name, value] of Object.entries(raw)) {
			const field = fieldByLowerName(t, name);
			if (!field || !field.updateable)
				throw new Error(`Record ${k}: '${name}' is no updateable field of ${t.name}`);
			const v = value === null || value === undefined ? '' : String(value);
			if (v === '') continue;
			if (!fitsType(field, v) || (field.length !== undefined && v.length > field.length))
				throw new Error(`Record ${k}: invalid value '${v}' for ${field.name}`);
			if (field.name === t.link.field && !linkExists(store, t, v))
				throw new Error(`Record ${k}: no lead with ${t.link.leadField} ${v}`);
			values[field.name] = normalizeValue(field, v);
		}
		const key = store.customObjects.keyOf(t, values);
		if (key === undefined)
			throw new Error(`Record ${k}: every dedupe field is needed (${t.dedupeFields.join(', ')})`);
		return { key, values };
	});
	return prepared.map(
		({ key, values }) => store.customObjects.upsert(t, key, values, atSec).record.marketoGUID,
	);
}
