import { MarketoApiError } from '../transport/errors';
import { describeCustomObject } from '../metadata/customObjects';
import type { MarketoContext } from '../transport';
import { ExportParameterError } from './parameterError';
import type { ExportSpec } from './request';

/**
 * A custom object export's fields once known: those chosen, or (none chosen) all the object's fields from
 * its describe, checked against the column renames as chosen fields are before any call.
 */
export async function withCustomObjectFields(
	ctx: MarketoContext,
	spec: ExportSpec,
): Promise<ExportSpec> {
	if (spec.kind !== 'customObjects' || spec.fields.length > 0) return spec;
	const fields = (await describeCustomObject(ctx, spec.customObject!)).fields.map((f) => f.name);
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
