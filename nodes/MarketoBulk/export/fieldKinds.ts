import type { FieldKind } from '../codec';
import { describeCustomObject } from '../metadata/customObjects';
import type { ExportJobs } from './request';
import { marketoRequest, type MarketoContext } from '../transport';

/**
 * Marketo's lead describe: REST API name, display name and data type of every lead field. describe2 is
 * the newer endpoint; older instances only answer describe.
 */
export interface LeadField {
	name: string;
	displayName: string;
	dataType: string;
	/** Marketo sets it itself (Id, Created At, Cookies…): an import cannot write it. */
	readOnly: boolean;
}

export async function describeLeadFields(ctx: MarketoContext): Promise<LeadField[]> {
	const v2 = await marketoRequest<{
		fields?: Array<{ name: string; displayName?: string; dataType?: string; updateable?: boolean }>;
	}>(ctx, { method: 'GET', path: '/rest/v1/leads/describe2.json', acceptStatus: [404] });
	const fields = v2.result[0]?.fields;
	if (Array.isArray(fields) && fields.length) {
		return fields.map((f) => ({
			name: f.name,
			displayName: f.displayName ?? f.name,
			dataType: f.dataType ?? 'string',
			readOnly: f.updateable === false,
		}));
	}
	const v1 = await marketoRequest<{
		displayName?: string;
		dataType?: string;
		rest?: { name?: string; readOnly?: boolean };
	}>(ctx, {
		method: 'GET',
		path: '/rest/v1/leads/describe.json',
	});
	return v1.result
		.filter((f) => f.rest?.name)
		.map((f) => ({
			name: f.rest!.name!,
			displayName: f.displayName ?? f.rest!.name!,
			dataType: f.dataType ?? 'string',
			readOnly: f.rest!.readOnly === true,
		}));
}

/** A program member field of Marketo's program member describe. */
export interface ProgramMemberField {
	name: string;
	displayName: string;
	dataType: string;
	updateable: boolean;
}

/** The program member describe: the standard and custom program member fields. */
export async function describeProgramMemberFields(
	ctx: MarketoContext,
): Promise<ProgramMemberField[]> {
	const { result } = await marketoRequest<{
		fields?: Array<{ name: string; displayName?: string; dataType?: string; updateable?: boolean }>;
	}>(ctx, { method: 'GET', path: '/rest/v1/programs/members/describe.json' });
	return (result[0]?.fields ?? []).map((f) => ({
		name: f.name,
		displayName: f.displayName ?? f.name,
		dataType: f.dataType ?? 'string',
		updateable: f.updateable === true,
	}));
}

/**
 * The fields a program member import writes: the program member fields Marketo lets it write (the custom
 * ones, updateable in the describe), then the lead fields (an import creates or updates the lead too). A
 * name both describes know is the membership's, listed once.
 */
export async function describeProgramMemberImportFields(ctx: MarketoContext): Promise<LeadField[]> {
	const members = (await describeProgramMemberFields(ctx)).filter((f) => f.updateable);
	const memberNames = new Set(members.map((f) => f.name));
	return [
		...members.map((f) => ({ ...f, readOnly: false })),
		...(await describeLeadFields(ctx)).filter((f) => !memberNames.has(f.name)),
	];
}

/**
 * Data types of a program member export's fields: program member fields from their describe (a name
 * both describes know, such as createdAt, means the membership's), the rest from the lead describe, which
 * is only asked when some field is not a program member field.
 */
async function programMemberDataTypes(
	ctx: MarketoContext,
	fields: string[],
): Promise<Map<string, string>> {
	const types = new Map(
		(await describeProgramMemberFields(ctx)).map((f) => [f.name, f.dataType] as const),
	);
	if (fields.some((field) => !types.has(field))) {
		for (const lead of await describeLeadFields(ctx)) {
			if (!types.has(lead.name)) types.set(lead.name, lead.dataType);
		}
	}
	return types;
}

const KIND_OF_DATA_TYPE: Record<string, FieldKind> = {
	integer: 'integer',
	float: 'float',
	currency: 'float',
	percent: 'float',
	score: 'integer',
	boolean: 'boolean',
};

const ACTIVITY_KINDS: Record<string, FieldKind> = {
	leadId: 'integer',
	activityTypeId: 'integer',
	campaignId: 'integer',
	primaryAttributeValueId: 'integer',
	attributes: 'json',
};

/**
 * How to type each column of an export file, keyed by the column header (after renames). Activity
 * `attributes` is always parsed as JSON; numbers and booleans only when typed values are wanted, from the
 * describe of the exported records (a custom object's own describe).
 */
export async function columnKinds(
	ctx: MarketoContext,
	kind: ExportJobs,
	fields: string[],
	columnHeaderNames: Record<string, string> | undefined,
	typedValues: boolean,
): Promise<Record<string, FieldKind>> {
	const byField: Record<string, FieldKind> = {};
	if (kind === 'activities') {
		for (const field of fields) {
			const fieldKind = ACTIVITY_KINDS[field];
			if (fieldKind === 'json' || (fieldKind && typedValues)) byField[field] = fieldKind;
		}
	} else if (typedValues) {
		const described =
			kind === 'programMembers'
				? await programMemberDataTypes(ctx, fields)
				: typeof kind === 'object'
					? new Map(
							(await describeCustomObject(ctx, kind.apiName)).fields.map((f) => [
								f.name,
								f.dataType,
							]),
						)
					: new Map((await describeLeadFields(ctx)).map((f) => [f.name, f.dataType]));
		for (const field of fields) {
			const fieldKind = KIND_OF_DATA_TYPE[described.get(field) ?? ''];
			if (fieldKind) byField[field] = fieldKind;
		}
	}
	const byHeader: Record<string, FieldKind> = {};
	for (const [field, fieldKind] of Object.entries(byField)) {
		byHeader[columnHeaderNames?.[field] ?? field] = fieldKind;
	}
	// A multi-program export's file starts with a programId column Marketo adds (not among `fields`).
	if (kind === 'programMembers' && typedValues) byHeader.programId ??= 'integer';
	return byHeader;
}
