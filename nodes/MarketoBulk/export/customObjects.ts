import { MarketoApiError } from '../transport/errors';
import { marketoRequest, type MarketoContext } from '../transport';
import { ExportParameterError } from './parameterError';
import type { ExportSpec } from './request';

/**
 * The instance's custom objects, as Marketo's custom object metadata API lists and describes them (Read-Only
 * Custom Object). The picker lists them; an export describes its object only when it must: to type values,
 * or to export all fields when none are chosen.
 */

export interface CustomObjectType {
	apiName: string;
	displayName: string;
	/** The lead link, e.g. leadID → Lead.Id: only custom objects linked to leads can be bulk exported. */
	linkedToLead: boolean;
}

export interface CustomObjectField {
	name: string;
	displayName: string;
	dataType: string;
}

interface ObjectMetadata {
	name?: string;
	// The swagger spells the API name and the relation target differently from every example (see SPEC §8).
	apiName?: string;
	displayName?: string;
	relationships?: Array<{ relatedTo?: { name?: string }; object?: { name?: string } }>;
	dedupeFields?: string[];
	fields?: Array<{ name: string; displayName?: string; dataType?: string }>;
}

const typeOf = (meta: ObjectMetadata): CustomObjectType => {
	const apiName = meta.name ?? meta.apiName ?? '';
	return {
		apiName,
		displayName: meta.displayName ?? apiName,
		linkedToLead: (meta.relationships ?? []).some(
			(r) => (r.relatedTo ?? r.object)?.name?.toLowerCase() === 'lead',
		),
	};
};

/** Every custom object type of the instance (one call; Marketo does not page this list). */
export async function listCustomObjects(ctx: MarketoContext): Promise<CustomObjectType[]> {
	const { result } = await marketoRequest<ObjectMetadata>(ctx, {
		method: 'GET',
		path: '/rest/v1/customobjects.json',
	});
	return result.map(typeOf).filter((t) => t.apiName !== '');
}

/** One custom object's fields, in describe order. */
export async function describeCustomObject(
	ctx: MarketoContext,
	apiName: string,
): Promise<CustomObjectField[]> {
	const { result } = await marketoRequest<ObjectMetadata>(ctx, {
		method: 'GET',
		path: `/rest/v1/customobjects/${encodeURIComponent(apiName)}/describe.json`,
	});
	return (result[0]?.fields ?? []).map((f) => ({
		name: f.name,
		displayName: f.displayName ?? f.name,
		dataType: f.dataType ?? 'string',
	}));
}

/**
 * A custom object export's fields once known: those chosen, or (none chosen) all the object's fields from
 * its describe, checked against the column renames as chosen fields are before any call.
 */
export async function withCustomObjectFields(
	ctx: MarketoContext,
	spec: ExportSpec,
): Promise<ExportSpec> {
	if (spec.kind !== 'customObjects' || spec.fields.length > 0) return spec;
	const fields = (await describeCustomObject(ctx, spec.customObject!)).map((f) => f.name);
	const stray = Object.keys(spec.columnHeaderNames ?? {}).find((f) => !fields.includes(f));
	if (stray !== undefined) {
		throw new ExportParameterError(
			`Column rename for "${stray}", but ${spec.customObject} has no field "${stray}".`,
		);
	}
	return { ...spec, fields };
}

/** Why Marketo refused a custom object export, in its terms; undefined when there is nothing to add. */
export function customObjectAdvice(
	spec: Pick<ExportSpec, 'range' | 'customObject'>,
	error: MarketoApiError,
): string | undefined {
	if (error.marketoCode === '1035' && spec.range?.key === 'updatedAt') {
		return 'This Marketo subscription does not offer the Updated At filter for custom object exports. Ask Marketo support to enable it, or filter by a Static List or Smart List of the leads whose records you want.';
	}
	if (error.marketoCode === '1035') {
		return 'This Marketo subscription does not offer this filter for custom object exports: use another filter (Updated At or a Static List).';
	}
	if (/custom object/i.test(error.marketoMessage) && ['1003', '1018'].includes(error.marketoCode)) {
		return `The instance has no custom object "${spec.customObject}" that Marketo can export: pick one From List (only custom objects linked to leads can be exported; API names end in _c).`;
	}
	return undefined;
}
