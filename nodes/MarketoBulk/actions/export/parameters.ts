import type { IExecuteFunctions } from 'n8n-workflow';

import { buildExportSpec, type ExportKind, type ExportSpec } from '../../export/request';

const SPEC_PARAMETERS = [
	'fields',
	'format',
	'columnHeaderNames',
	'filterType',
	'startAt',
	'endAt',
	'staticList',
	'smartList',
	'activityTypeIds',
	'primaryAttributeFilter',
	'primaryAttributeValueIds',
	'primaryAttributeValues',
	'programs',
	'statusNames',
	'isExhausted',
	'nurtureCadence',
	'updatedAtFilter',
] as const;

/** Reads and validates the export parameters of one item, before any API call (ExportParameterError). */
export function exportSpecOf(
	ctx: IExecuteFunctions,
	kind: ExportKind,
	itemIndex: number,
	allowLongRange: boolean,
): ExportSpec {
	// Hidden parameters are absent from the node, hence the '' fallback; list pickers are read whole to
	// know whether the user chose by ID or by name.
	const parameters: Record<string, unknown> = {};
	for (const name of SPEC_PARAMETERS) parameters[name] = ctx.getNodeParameter(name, itemIndex, '');
	return buildExportSpec(kind, parameters, { timeZone: ctx.getTimezone(), allowLongRange });
}
