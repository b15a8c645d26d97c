import type { MarketoApiError } from '../transport/errors';
import type { MarketoContext } from '../transport';
import { programStatuses } from '../metadata/programs';
import type { ExportSpec } from './request';

/**
 * What Marketo's refusals of a Program Member export mean, said in the export's terms. A refused status
 * name comes back as a bare `1003 Invalid Data`; only then (never before an export: that would cost calls
 * every run) are the programs' statuses read, to name the unknown status and the valid ones.
 */
export async function memberAdvice(
	ctx: MarketoContext,
	spec: Pick<ExportSpec, 'kind' | 'filter'>,
	error: MarketoApiError,
): Promise<string | undefined> {
	if (error.marketoCode === '1035') return UPDATED_AT_ADVICE;
	if (error.marketoCode === '1003') return await statusAdvice(ctx, spec).catch(() => undefined);
	return undefined;
}

const UPDATED_AT_ADVICE =
	'This Marketo subscription does not offer the Updated At filter for program member exports. Ask Marketo support to enable it, or turn off Updated At: the other program member filters work without it.';

/** The status names no chosen program has, and each program's statuses; undefined when all are known. */
async function statusAdvice(
	ctx: MarketoContext,
	spec: Pick<ExportSpec, 'filter'>,
): Promise<string | undefined> {
	const wanted = (spec.filter.statusNames as string[] | undefined) ?? [];
	if (wanted.length === 0) return undefined;
	const ids = (spec.filter.programIds as number[] | undefined) ?? [spec.filter.programId as number];
	const programs = await programStatuses(ctx, ids);
	const known = new Set(programs.flatMap((program) => program.statuses));
	const unknown = wanted.filter((name) => !known.has(name));
	if (unknown.length === 0) return undefined;
	const quoted = unknown.map((name) => `"${name}"`).join(', ');
	const lists = programs
		.map((p) =>
			p.name === undefined
				? `program ${p.programId} was not found`
				: `${p.name} (${p.programId}, channel ${p.channel ?? 'unknown'}): ${p.statuses.join(', ') || 'no statuses'}`,
		)
		.join('; ');
	return `Status ${quoted} ${unknown.length === 1 ? 'is' : 'are'} not a membership status of the chosen program${ids.length === 1 ? '' : 's'} (names are exact, case included). Valid statuses: ${lists}.`;
}
