import { MarketoApiError } from '../transport/errors';
import type { MarketoContext } from '../transport';
import { programStatuses } from './programs';
import type { ExportSpec } from './request';

/**
 * What Marketo's refusals of a Program Member export mean, said in the export's terms. A refused status
 * name comes back as a bare `1003 Invalid Data`; only then (never before an export: that would cost calls
 * every run) are the programs' statuses read, to name the unknown status and the valid ones.
 */
export async function withMemberAdvice<T>(
	ctx: MarketoContext,
	spec: Pick<ExportSpec, 'kind' | 'filter'>,
	call: () => Promise<T>,
): Promise<T> {
	if (spec.kind !== 'programMembers') return await call();
	return await call().catch(async (error: unknown) => {
		if (error instanceof MarketoApiError) {
			const advice =
				error.marketoCode === '1035'
					? UPDATED_AT_ADVICE
					: error.marketoCode === '1003'
						? await statusAdvice(ctx, spec).catch(() => undefined)
						: undefined;
			if (advice) {
				const said = error.marketoMessage.replace(/[.\s]+$/, '');
				error.message = `Marketo error ${error.marketoCode}: ${said}. ${advice}`;
			}
		}
		return await Promise.reject(error);
	});
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
