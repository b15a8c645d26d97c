import type { IDataObject } from 'n8n-workflow';

import type { DataFormat } from '../codec';
import { MAX_WINDOW_SECONDS, splitIntoWindows, toDate, type DateWindow } from './windows';
import { applyProgramMemberFilter } from './memberFilter';
import { ExportParameterError, listOf } from './parameterError';

export { ExportParameterError, listOf };

/**
 * What an export job asks Marketo for, validated before any API call, and the create-job bodies it needs
 * (one per ≤ 31-day window). Shared by Export, Create Job and the trigger so they validate alike.
 */

/**
 * Bulk export resources share the job life cycle; only the URL segment differs (transport/paths.ts
 * spells it: `programMembers` → `…/program/members/export`, a custom object's API name in
 * `…/customobjects/{apiName}/export`).
 */
export type ExportKind = 'leads' | 'activities' | 'programMembers' | 'customObjects';

/** What messages and operation names call one record of an export kind, with and without an article. */
export const EXPORT_KIND_NOUNS: Record<
	ExportKind,
	{ noun: string; aNoun: string; plural: string }
> = {
	leads: { noun: 'lead', aNoun: 'a lead', plural: 'leads' },
	activities: { noun: 'activity', aNoun: 'an activity', plural: 'activities' },
	programMembers: { noun: 'program member', aNoun: 'a program member', plural: 'program members' },
	customObjects: {
		noun: 'custom object',
		aNoun: 'a custom object',
		plural: 'custom object records',
	},
};

/**
 * Whose jobs a job step reads or writes: a kind's, or one custom object's (every custom object has
 * jobs of its own, under its API name). The job steps in job.ts take this.
 */
export type ExportJobs = Exclude<ExportKind, 'customObjects'> | CustomObjectJobs;
export interface CustomObjectJobs {
	kind: 'customObjects';
	apiName: string;
}

/** The jobs of a kind, the custom object's API name given (the Custom Object parameter's value, or empty). */
export function exportJobsOf(kind: ExportKind, customObject?: unknown): ExportJobs {
	if (kind !== 'customObjects') return kind;
	const apiName = locatorValue(customObject).value;
	if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(apiName)) {
		throw new ExportParameterError(
			apiName === ''
				? 'Choose a custom object (Custom Object).'
				: `"${apiName}" is not a custom object API name (such as car_c). Pick the object From List, or enter its API name.`,
		);
	}
	return { kind, apiName };
}

export const DEFAULT_ACTIVITY_FIELDS = [
	'marketoGUID',
	'leadId',
	'activityDate',
	'activityTypeId',
	'campaignId',
	'primaryAttributeValueId',
	'primaryAttributeValue',
	'attributes',
] as const;

export const DELETE_LEAD_ACTIVITY_TYPE = 37;

/** Activity types whose primary attribute is of the same asset kind; a primary-attribute filter needs one group. */
const PRIMARY_ATTRIBUTE_GROUPS: Array<{ asset: string; typeIds: number[] }> = [
	{ asset: 'lead field', typeIds: [13, 22] },
	{ asset: 'program', typeIds: [104] },
	{ asset: 'static list', typeIds: [24, 25] },
	{ asset: 'form', typeIds: [2] },
];

export interface ExportParameters {
	fields?: unknown;
	format?: unknown;
	columnHeaderNames?: unknown;
	// leads
	filterType?: unknown;
	startAt?: unknown;
	endAt?: unknown;
	staticList?: unknown;
	smartList?: unknown;
	// activities
	activityTypeIds?: unknown;
	primaryAttributeFilter?: unknown;
	primaryAttributeValueIds?: unknown;
	primaryAttributeValues?: unknown;
	// program members
	programs?: unknown;
	statusNames?: unknown;
	isExhausted?: unknown;
	nurtureCadence?: unknown;
	updatedAtFilter?: unknown;
	// custom objects
	customObject?: unknown;
}

export interface ExportSpec {
	kind: ExportKind;
	/** A custom object export's object, by API name (its jobs are the object's: `exportJobsOf`). */
	customObject?: string;
	format: DataFormat;
	fields: string[];
	columnHeaderNames?: Record<string, string>;
	/** Filter keys other than the date range. */
	filter: IDataObject;
	/** The date range filter, split into windows when longer than 31 days. */
	range?: { key: 'createdAt' | 'updatedAt'; start: Date; end: Date };
}

/** The date filter of an export: leads filter on one of the two, activities always on createdAt. */
export type RangeKey = 'createdAt' | 'updatedAt';

/**
 * The parameters validated in full: what the export asks for (`exportFilterSpec`), then its date range
 * (`exportRange`). Export and Create Job use this; the trigger, which sets each window itself, only the
 * first.
 */
export function buildExportSpec(
	kind: ExportKind,
	parameters: ExportParameters,
	options: { timeZone?: string; allowLongRange: boolean },
): ExportSpec {
	const { spec, rangeKey } = exportFilterSpec(kind, parameters);
	if (rangeKey) spec.range = exportRange(kind, rangeKey, parameters, options);
	return spec;
}

/**
 * What an export asks for apart from its dates: format, fields, column renames and the filters other than
 * the date range, validated; `rangeKey` says which date range the filter needs (none for a list filter).
 */
export function exportFilterSpec(
	kind: ExportKind,
	parameters: ExportParameters,
): { spec: ExportSpec; rangeKey?: RangeKey } {
	const format = String(parameters.format || 'CSV').toUpperCase();
	if (format !== 'CSV' && format !== 'TSV' && format !== 'SSV') {
		throw new ExportParameterError(
			`Format "${format}" is not one Marketo offers: use CSV, TSV or SSV.`,
		);
	}
	const fields = listOf(parameters.fields);
	const spec: ExportSpec = { kind, format, fields, filter: {} };

	let rangeKey: RangeKey | undefined;
	if (kind === 'leads') {
		if (fields.length === 0) {
			throw new ExportParameterError('Choose at least one lead field to export (Fields).');
		}
		rangeKey = applyLeadFilter(spec, parameters);
	} else if (kind === 'programMembers') {
		if (fields.length === 0) {
			throw new ExportParameterError(
				'Choose at least one lead or program member field to export (Fields).',
			);
		}
		rangeKey = applyProgramMemberFilter(spec.filter, parameters);
		// Several programs: Marketo puts a programId column first itself; asking for it too would give the
		// file two programId columns.
		if (spec.filter.programIds) spec.fields = fields.filter((field) => field !== 'programId');
	} else if (kind === 'customObjects') {
		spec.customObject = (exportJobsOf(kind, parameters.customObject) as CustomObjectJobs).apiName;
		// No fields: all of the object's, which its describe lists when the job is created.
		rangeKey = applyCustomObjectFilter(spec, parameters);
	} else {
		if (fields.length === 0) spec.fields = [...DEFAULT_ACTIVITY_FIELDS];
		rangeKey = 'createdAt';
		applyActivityFilter(spec, parameters);
	}

	const duplicates = spec.fields.filter((field, i) => spec.fields.indexOf(field) !== i);
	if (duplicates.length) {
		throw new ExportParameterError(
			`Field "${duplicates[0]}" is listed twice in Fields; list each field once.`,
		);
	}
	// A custom object export without Fields takes all of the object's: renames are checked when they are known.
	const known = kind === 'customObjects' && spec.fields.length === 0 ? undefined : spec.fields;
	spec.columnHeaderNames = columnHeaderNames(parameters.columnHeaderNames, known);
	return { spec, rangeKey };
}

/**
 * The date range of Start and End (End not included), at most one job's 31 days unless `allowLongRange`
 * (Export splits longer ranges into windows).
 */
export function exportRange(
	kind: ExportKind,
	key: RangeKey,
	parameters: Pick<ExportParameters, 'startAt' | 'endAt'>,
	options: { timeZone?: string; allowLongRange: boolean },
): NonNullable<ExportSpec['range']> {
	const range = {
		key,
		...dateRange(
			parameters.startAt,
			parameters.endAt,
			options.timeZone,
			kind === 'activities'
				? 'Activity exports need a date range'
				: 'This filter needs a date range',
		),
	};
	if (!options.allowLongRange) {
		const seconds = (range.end.getTime() - range.start.getTime()) / 1000;
		if (seconds >= MAX_WINDOW_SECONDS) {
			throw new ExportParameterError(
				`The date range is ${Math.ceil(seconds / 86400)} days; one Marketo job covers at most 31 days. Shorten it, or use the Export operation, which splits longer ranges into several jobs.`,
			);
		}
	}
	return range;
}

/** One create-job body per window (a single body when the filter has no date range). */
export function createJobBodies(
	spec: ExportSpec,
): Array<{ window?: DateWindow; body: IDataObject }> {
	const base: IDataObject = { format: spec.format, fields: spec.fields };
	if (spec.columnHeaderNames) base.columnHeaderNames = spec.columnHeaderNames;
	if (!spec.range) return [{ body: { ...base, filter: { ...spec.filter } } }];
	return splitIntoWindows(spec.range.start, spec.range.end).map((window) => ({
		window,
		body: { ...base, filter: { ...spec.filter, [spec.range!.key]: window } },
	}));
}

/**
 * A custom object export's one filter (Marketo takes exactly one): Updated At (the record's), or the
 * leads of a static or smart list, whose linked records are exported. Created At is the lead filter's only.
 */
function applyCustomObjectFilter(
	spec: ExportSpec,
	parameters: ExportParameters,
): RangeKey | undefined {
	const filterType = String(parameters.filterType || 'updatedAt');
	if (!CUSTOM_OBJECT_FILTERS.includes(filterType)) {
		throw new ExportParameterError(
			`Unknown filter "${filterType}": a custom object export takes exactly one of Updated At, Static List or Smart List.`,
		);
	}
	return applyLeadFilter(spec, parameters, filterType);
}

const CUSTOM_OBJECT_FILTERS = ['updatedAt', 'staticList', 'smartList'];

/** A list filter into `spec.filter`; the key of a date filter, whose range is read apart. */
function applyLeadFilter(
	spec: ExportSpec,
	parameters: ExportParameters,
	filterType = String(parameters.filterType || 'createdAt'),
): RangeKey | undefined {
	switch (filterType) {
		case 'createdAt':
		case 'updatedAt':
			return filterType;
		case 'staticList':
		case 'smartList': {
			const noun = filterType === 'staticList' ? 'static list' : 'smart list';
			const { mode, value } = locatorValue(parameters[filterType]);
			if (value === '') throw new ExportParameterError(`Choose a ${noun}.`);
			if (mode === 'name') {
				spec.filter[`${filterType}Name`] = value;
			} else {
				if (!/^\d+$/.test(value)) {
					throw new ExportParameterError(
						`"${value}" is not a ${noun} ID (a number). Pick the list, or switch to By Name.`,
					);
				}
				spec.filter[`${filterType}Id`] = Number(value);
			}
			return undefined;
		}
		default:
			throw new ExportParameterError(
				`Unknown filter "${filterType}": use Created At, Updated At, Static List or Smart List.`,
			);
	}
}

function applyActivityFilter(spec: ExportSpec, parameters: ExportParameters): void {
	const typeIds = listOf(parameters.activityTypeIds).map((id) => {
		if (!/^\d+$/.test(id))
			throw new ExportParameterError(
				`Activity type "${id}" is not an activity type ID (a number).`,
			);
		return Number(id);
	});
	if (typeIds.includes(DELETE_LEAD_ACTIVITY_TYPE)) {
		throw new ExportParameterError(
			"Marketo's bulk export does not support the Delete Lead activity type (37). Remove it from Activity Types.",
		);
	}
	if (typeIds.length) spec.filter.activityTypeIds = typeIds;

	const mode = String(parameters.primaryAttributeFilter || 'none');
	if (mode === 'none') return;
	const values = listOf(
		mode === 'ids' ? parameters.primaryAttributeValueIds : parameters.primaryAttributeValues,
	);
	if (values.length === 0) {
		throw new ExportParameterError(
			'Enter at least one primary attribute value, or set Primary Attribute Filter to None.',
		);
	}
	if (values.length > 50) {
		throw new ExportParameterError(
			`Marketo accepts at most 50 primary attribute values per job; ${values.length} were given.`,
		);
	}
	if (typeIds.length === 0) {
		throw new ExportParameterError(
			'A primary attribute filter needs Activity Types of one matching kind (e.g. Add to List / Remove from List for static lists).',
		);
	}
	const groups = new Set(
		typeIds.map(
			(id) =>
				PRIMARY_ATTRIBUTE_GROUPS.find((group) => group.typeIds.includes(id))?.asset ?? `type ${id}`,
		),
	);
	if (groups.size > 1 || [...groups][0].startsWith('type ')) {
		throw new ExportParameterError(
			`A primary attribute filter needs activity types whose primary attribute is the same kind of asset: Change Data Value/Change Score (lead fields), Change Status in Progression (programs), Add to List/Remove from List (static lists), Fill Out Form (forms). The chosen types mix: ${[...groups].join(', ')}.`,
		);
	}
	if (mode === 'ids') {
		const bad = values.find((v) => !/^\d+$/.test(v));
		if (bad)
			throw new ExportParameterError(
				`Primary attribute value ID "${bad}" is not a number; use By Name for names.`,
			);
		spec.filter.primaryAttributeValueIds = values.map(Number);
	} else {
		spec.filter.primaryAttributeValues = values;
	}
}

function dateRange(
	startValue: unknown,
	endValue: unknown,
	timeZone: string | undefined,
	missing: string,
): { start: Date; end: Date } {
	const start = toDate(startValue, timeZone);
	const end = toDate(endValue, timeZone);
	if (!start || !end) {
		const which = !start
			? `Start ("${String(startValue ?? '')}")`
			: `End ("${String(endValue ?? '')}")`;
		throw new ExportParameterError(
			`${missing}: ${which} is not a date. Use a date like 2026-01-31 or 2026-01-31T12:00:00Z.`,
		);
	}
	if (end.getTime() <= start.getTime()) {
		throw new ExportParameterError(
			`End (${end.toISOString()}) must be after Start (${start.toISOString()}): the range runs from Start up to, not including, End.`,
		);
	}
	// End is exclusive, so that back-to-back ranges (yesterday 00:00 → today 00:00, then today → tomorrow)
	// never share an instant; Marketo's own filter includes both ends, to the second.
	return { start, end: new Date(end.getTime() - 1) };
}

function columnHeaderNames(
	value: unknown,
	fields: string[] | undefined,
): Record<string, string> | undefined {
	const renames = (
		(value as { renames?: Array<{ field?: string; header?: string }> } | undefined)?.renames ?? []
	)
		.map((r) => ({ field: String(r.field ?? '').trim(), header: String(r.header ?? '').trim() }))
		.filter((r) => r.field !== '' || r.header !== '');
	if (renames.length === 0) return undefined;
	const result: Record<string, string> = {};
	for (const { field, header } of renames) {
		if (field === '' || header === '') {
			throw new ExportParameterError('Each column rename needs both a field and a column header.');
		}
		if (fields && !fields.includes(field)) {
			throw new ExportParameterError(
				`Column rename for "${field}", but "${field}" is not among the exported Fields.`,
			);
		}
		result[field] = header;
	}
	const headers = Object.values(result);
	const clash = headers.find((h, i) => headers.indexOf(h) !== i);
	if (clash)
		throw new ExportParameterError(
			`Two columns would both be called "${clash}"; give each a distinct header.`,
		);
	return result;
}

function locatorValue(value: unknown): { mode: string; value: string } {
	if (value && typeof value === 'object') {
		const locator = value as { mode?: unknown; value?: unknown };
		return { mode: String(locator.mode ?? 'id'), value: String(locator.value ?? '').trim() };
	}
	return { mode: 'id', value: String(value ?? '').trim() };
}
