import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DataFormat } from '../../codec';
import { ImportInputError, type BatchLimits, type PreparedImport } from '../../import/batches';
import { parseFormat, prepareBinaryImport } from '../../import/fileSource';
import { prepareItemsImport, type ItemRecord } from '../../import/itemsSource';
import type { ImportKind, ImportTarget, RunSettings } from '../../import/job';
import { describeImportTarget } from '../../import/customObjects';
import { importableFields } from '../../metadata/customObjects';
import {
	describeLeadFields,
	describeProgramMemberImportFields,
	type LeadField,
} from '../../export/fieldKinds';
import {
	IMPORT_POLL_INTERVAL_SECONDS,
	IMPORT_TIMEOUT_MINUTES,
	MAX_ROWS_PER_BATCH,
} from './descriptions';

/** The parameters of Import and Create Import Job, read once (item 0 for Input Items, else per item). */
export interface ImportParameters {
	kind: ImportKind;
	source: 'items' | 'binary';
	/** The field Marketo finds the lead by, which every row must carry: always email for program members. */
	lookupField: string;
	/** Lead Import's options. */
	listId?: string;
	partitionName?: string;
	/** Program Member Import: the program, and the status every member gets. */
	programId?: number;
	programMemberStatus?: string;
	/** Custom Object Import: the object, and its dedupe fields (from its describe, `withCustomObject`). */
	apiName?: string;
	dedupeFields?: string[];
	/** The fields an import may write to it, for Map Automatically. */
	objectFields?: Array<{ name: string; displayName: string }>;
	fileFormat: DataFormat | 'auto';
	binaryPropertyName: string;
	limits: BatchLimits;
	pollIntervalMs: number;
	timeoutMs: number;
	output: 'summary' | 'failed' | 'failedAndWarnings';
}

export function importParametersOf(
	ctx: IExecuteFunctions,
	kind: ImportKind,
	itemIndex: number,
): ImportParameters {
	const get = <T>(name: string, fallback: T): T =>
		ctx.getNodeParameter(name, itemIndex, fallback) as T;
	const options = get<IDataObject>('options', {});
	const fail = (message: string, description?: string) =>
		new NodeOperationError(ctx.getNode(), message, { itemIndex, description });

	const source = get<string>('source', 'items');
	if (source !== 'items' && source !== 'binary') throw fail(`Unknown source "${source}"`);

	const seconds = Number(options.pollIntervalSeconds ?? IMPORT_POLL_INTERVAL_SECONDS);
	const minutes = Number(options.timeoutMinutes ?? IMPORT_TIMEOUT_MINUTES);
	if (!(seconds > 0)) throw fail('The Poll Interval must be a positive number of seconds');
	if (!(minutes > 0)) throw fail('The Timeout must be a positive number of minutes');

	let fileFormat: DataFormat | 'auto' = 'auto';
	if (source === 'binary') {
		try {
			fileFormat = parseFormat(get<string>('fileFormat', 'auto'), true);
		} catch (error) {
			throw fail((error as ImportInputError).message, (error as ImportInputError).description);
		}
	}
	const output = get<string>('output', 'summary');
	const common = {
		kind,
		source,
		fileFormat,
		binaryPropertyName: String(get<string>('binaryPropertyName', 'data')).trim() || 'data',
		limits: { maxRows: Number(options.maxRowsPerBatch ?? MAX_ROWS_PER_BATCH) || 0 },
		pollIntervalMs: seconds * 1000,
		timeoutMs: minutes * 60_000,
		output: output === 'failed' || output === 'failedAndWarnings' ? output : 'summary',
	} as const;
	if (kind === 'customObjects')
		return { ...common, lookupField: '', apiName: apiNameOf(ctx, itemIndex) };
	return kind === 'programMembers'
		? { ...common, ...programTargetOf(get, fail) }
		: { ...common, ...leadTargetOf(get, fail, options) };
}

/** The Custom Object parameter: a picker value or an API name. */
export function apiNameOf(ctx: IExecuteFunctions, itemIndex: number): string {
	const picked = ctx.getNodeParameter('customObject', itemIndex, '') as unknown;
	const raw = picked && typeof picked === 'object' ? (picked as IDataObject).value : picked;
	const apiName = String(raw ?? '').trim();
	const fail = (message: string, description: string) =>
		new NodeOperationError(ctx.getNode(), message, { itemIndex, description });
	if (!apiName)
		throw fail(
			'Choose the custom object to import into (Custom Object)',
			'Pick it From List, or enter its API name (e.g. car_c).',
		);
	if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(apiName))
		throw fail(
			`"${apiName}" is not a custom object API name`,
			"A custom object's API name is letters, digits and underscores, e.g. car_c (Admin > Marketo Custom Objects).",
		);
	return apiName;
}

/**
 * A custom object import's dedupe fields, read from the object's describe before anything is sent: every
 * row must carry them, and failed rows are paired back by the first.
 */
export async function withCustomObject(
	ctx: IExecuteFunctions,
	parameters: ImportParameters,
): Promise<ImportParameters> {
	if (parameters.kind !== 'customObjects') return parameters;
	const described = await describeImportTarget(ctx, parameters.apiName as string);
	const { dedupeFields } = described;
	return {
		...parameters,
		dedupeFields,
		lookupField: dedupeFields[0],
		objectFields: importableFields(described),
	};
}

type Get = <T>(name: string, fallback: T) => T;
type Fail = (message: string, description?: string) => Error;

/** Lead Import: the lookup field, and the static list and partition options. */
function leadTargetOf(get: Get, fail: Fail, options: IDataObject) {
	let lookupField = get<string>('lookupField', 'email');
	if (lookupField === 'other') {
		lookupField = String(get<string>('lookupFieldName', '')).trim();
		if (!lookupField)
			throw fail(
				'Enter the Lookup Field Name',
				'The REST API name of the field Marketo deduplicates on.',
			);
	}
	lookupField = String(lookupField).trim() || 'email';

	const list = options.staticList as IDataObject | string | number | undefined;
	const listValue = String(
		typeof list === 'object' && list !== null ? (list.value ?? '') : (list ?? ''),
	).trim();
	if (listValue && !/^\d+$/.test(listValue)) {
		throw fail(
			`The static list "${listValue}" is not a list ID`,
			'Pick the list from the list, or enter its numeric ID.',
		);
	}
	return {
		lookupField,
		listId: listValue || undefined,
		partitionName: String(options.partitionName ?? '').trim() || undefined,
	};
}

/**
 * Program Member Import: the program (a picker value or an ID) and the status. Marketo matches members by
 * email, so that is the lookup field every row must carry. Whether the status is one of the program's is
 * checked apart (`checkMemberStatus`), as it takes calls.
 */
function programTargetOf(get: Get, fail: Fail) {
	const program = get<unknown>('program', '');
	const raw =
		program && typeof program === 'object' ? (program as IDataObject).value : (program ?? '');
	const programId = String(raw ?? '').trim();
	if (!programId) throw fail('Choose the program to import the members into (Program)');
	if (!/^\d+$/.test(programId)) {
		throw fail(
			`"${programId}" is not a program ID`,
			'Pick the program From List, or enter its ID (the number after PG in its Marketo URL).',
		);
	}
	const programMemberStatus = String(get<unknown>('programMemberStatus', '') ?? '').trim();
	if (!programMemberStatus)
		throw fail(
			'Choose the membership status the imported members get (Status)',
			"The list holds the statuses of the program's channel.",
		);
	return { lookupField: 'email', programId: Number(programId), programMemberStatus };
}

export function runSettingsOf(
	parameters: ImportParameters,
	prepared: PreparedImport,
	waitForCompletion: boolean,
): RunSettings {
	const format = prepared.source.format;
	const target: ImportTarget =
		parameters.kind === 'customObjects'
			? {
					kind: 'customObjects',
					format,
					apiName: parameters.apiName as string,
					dedupeFields: parameters.dedupeFields as string[],
				}
			: parameters.kind === 'programMembers'
				? {
						kind: 'programMembers',
						format,
						programId: parameters.programId as number,
						programMemberStatus: parameters.programMemberStatus as string,
					}
				: {
						kind: 'leads',
						format,
						lookupField: parameters.lookupField,
						listId: parameters.listId,
						partitionName: parameters.partitionName,
					};
	return {
		target,
		pollIntervalMs: parameters.pollIntervalMs,
		deadline: Date.now() + parameters.timeoutMs,
		waitForCompletion,
	};
}

// ---------------------------------------------------------------------------------------------------
// Input Items

export interface ItemsImport extends PreparedImport {
	/** Auto-map: input fields that match no Marketo field, left out. */
	ignoredFields: string[];
}

export async function prepareFromItems(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	parameters: ImportParameters,
): Promise<ItemsImport> {
	const mode = String(ctx.getNodeParameter('columns.mappingMode', 0, 'autoMapInputData'));
	const records: ItemRecord[] = [];
	const ignored = new Set<string>();
	if (mode === 'defineBelow') {
		for (let i = 0; i < items.length; i++) {
			// Raw values: n8n's mapper validation would turn '' into 0 for a number field (overwriting the
			// value in Marketo) and reject '' for a boolean; the CSV is text anyway.
			const values = (ctx.getNodeParameter('columns.value', i, {}, { skipValidation: true }) ??
				{}) as IDataObject;
			records.push({ item: i, values: normalizeValues(values) });
		}
		dropEmptyColumns(records);
	} else {
		const resolve = await fieldResolver(ctx, parameters);
		for (let i = 0; i < items.length; i++) {
			const values: Record<string, unknown> = {};
			for (const [key, value] of Object.entries(items[i].json ?? {})) {
				const field = resolve(key);
				if (field === undefined) ignored.add(key);
				else if (!(field in values)) values[field] = normalizeValue(value);
				else ignored.add(key);
			}
			records.push({ item: i, values });
		}
	}
	const prepared = prepareItemsImport(records, {
		lookupField: parameters.lookupField,
		dedupeFields: parameters.dedupeFields,
		limits: parameters.limits,
		...(parameters.apiName ? { fileName: `n8n-${parameters.apiName}.csv` } : {}),
	});
	return { ...prepared, ignoredFields: [...ignored] };
}

/** Luxon DateTimes (what n8n's type conversion makes of dates) as ISO text; the rest as is. */
function normalizeValue(value: unknown): unknown {
	if (
		value &&
		typeof value === 'object' &&
		typeof (value as { toISO?: unknown }).toISO === 'function'
	) {
		return (value as { toISO: () => string }).toISO();
	}
	return value;
}

function normalizeValues(values: IDataObject): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(values)) out[key] = normalizeValue(value);
	return out;
}

/** Fields left empty for every item are not mapped (Fields to Import may list fields without a value). */
function dropEmptyColumns(records: ItemRecord[]): void {
	const used = new Set<string>();
	for (const { values } of records) {
		for (const [key, value] of Object.entries(values)) {
			if (value !== undefined && value !== null && value !== '') used.add(key);
		}
	}
	for (const record of records) {
		for (const key of Object.keys(record.values)) if (!used.has(key)) delete record.values[key];
	}
}

const squash = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Input field name → Marketo field: the REST API name as is, else the REST API name or display name
 * ignoring case, spaces and punctuation ("First Name", "first_name" → firstName). When the lead fields
 * cannot be read, names are taken as they are.
 */
async function fieldResolver(
	ctx: IExecuteFunctions,
	{ kind, objectFields }: ImportParameters,
): Promise<(key: string) => string | undefined> {
	let fields: Array<Pick<LeadField, 'name' | 'displayName'>>;
	try {
		fields =
			kind === 'customObjects'
				? (objectFields ?? [])
				: kind === 'programMembers'
					? await describeProgramMemberImportFields(ctx)
					: await describeLeadFields(ctx);
	} catch {
		fields = [];
	}
	if (fields.length === 0) return (key) => key;
	const exact = new Set(fields.map((f) => f.name));
	const byName = new Map<string, string>();
	const byDisplayName = new Map<string, string>();
	for (const f of fields) {
		if (!byName.has(squash(f.name))) byName.set(squash(f.name), f.name);
		if (!byDisplayName.has(squash(f.displayName))) byDisplayName.set(squash(f.displayName), f.name);
	}
	// Items mostly share their keys: resolve each distinct key once.
	const resolved = new Map<string, string | undefined>();
	return (key) => {
		if (exact.has(key)) return key;
		if (!resolved.has(key))
			resolved.set(key, byName.get(squash(key)) ?? byDisplayName.get(squash(key)));
		return resolved.get(key);
	};
}

// ---------------------------------------------------------------------------------------------------
// Binary File

export async function prepareFromBinary(
	ctx: IExecuteFunctions,
	itemIndex: number,
	parameters: ImportParameters,
): Promise<PreparedImport> {
	const binary = ctx.helpers.assertBinaryData(itemIndex, parameters.binaryPropertyName);
	let inMemory: Uint8Array | undefined;
	const open = async (): Promise<AsyncIterable<Uint8Array>> => {
		if (binary.id) {
			return (await ctx.helpers.getBinaryStream(binary.id)) as unknown as AsyncIterable<Uint8Array>;
		}
		inMemory ??= Buffer.from(binary.data, 'base64');
		return [inMemory] as unknown as AsyncIterable<Uint8Array>;
	};
	const prepared = await prepareBinaryImport(
		{
			open: async () => {
				const stream = await open();
				return toAsync(stream);
			},
			fileName: binary.fileName,
			mimeType: binary.mimeType,
		},
		{
			format: parameters.fileFormat,
			lookupField: parameters.lookupField,
			dedupeFields: parameters.dedupeFields,
			limits: parameters.limits,
		},
	);
	return prepared;
}

async function* toAsync(
	source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
	for await (const chunk of source) yield chunk;
}
