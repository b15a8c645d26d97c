import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { outputOptionsOf } from '../../descriptions/exportParameters';
import type { OutputOptions } from '../../export/output';
import { buildExportSpec, type ExportKind, type ExportSpec } from '../../export/request';
import { EXPORT_POLL_INTERVAL_SECONDS, EXPORT_TIMEOUT_MINUTES } from '../common.descriptions';

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
	'customObject',
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

/** Export's Output and Options: what to output, and how often and how long to wait for each job. */
export interface ExportRunOptions {
	output: OutputOptions;
	pollIntervalMs: number;
	timeoutMs: number;
}

export function exportRunOptionsOf(ctx: IExecuteFunctions, itemIndex: number): ExportRunOptions {
	const output =
		ctx.getNodeParameter('output', itemIndex, 'records') === 'file' ? 'file' : 'records';
	const options = optionsOf(ctx, itemIndex);
	const seconds = options.pollIntervalSeconds ?? EXPORT_POLL_INTERVAL_SECONDS;
	const minutes = options.timeoutMinutes ?? EXPORT_TIMEOUT_MINUTES;
	return {
		output: outputOptionsOf(options, output),
		pollIntervalMs: Number(seconds) * 1000,
		timeoutMs: Number(minutes) * 60_000,
	};
}

/** Download File's Options: the file's binary property and encoding. */
export function downloadOptionsOf(ctx: IExecuteFunctions, itemIndex: number): OutputOptions {
	return outputOptionsOf(optionsOf(ctx, itemIndex), 'file');
}

function optionsOf(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	return ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
}
