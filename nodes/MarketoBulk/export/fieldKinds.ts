import type { FieldKind } from '../codec';
import type { ExportKind } from './request';
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
 * `attributes` is always parsed as JSON; numbers and booleans only when typed values are wanted.
 */
export async function columnKinds(
	ctx: MarketoContext,
	kind: ExportKind,
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
		const described = new Map((await describeLeadFields(ctx)).map((f) => [f.name, f.dataType]));
		for (const field of fields) {
			const fieldKind = KIND_OF_DATA_TYPE[described.get(field) ?? ''];
			if (fieldKind) byField[field] = fieldKind;
		}
	}
	const byHeader: Record<string, FieldKind> = {};
	for (const [field, fieldKind] of Object.entries(byField)) {
		byHeader[columnHeaderNames?.[field] ?? field] = fieldKind;
	}
	return byHeader;
}
