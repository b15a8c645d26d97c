import type { IDataObject } from 'n8n-workflow';

import { ExportParameterError, listOf } from './parameterError';

/**
 * The filter of a Program Member export, validated before any call. Marketo ANDs every filter key it
 * is given: the program (or programs), status names, exhausted content, nurture cadence and an Updated
 * At range, whose dates are read apart (`exportRange`) and split into ≤ 31-day windows like the leads'.
 */

/** Marketo's limit on `programIds`; one more is refused here, before any call. */
export const MAX_PROGRAMS = 10;

/**
 * Nurture cadence values as Marketo stores them. The extract page writes `pause`, but the swagger's enum
 * is `paus` and the program member describe gives the field a length of 4, which `pause` exceeds: the
 * value a member carries (and the one the filter compares with) is `paus`, so that is what is sent.
 */
export const NURTURE_CADENCES = { norm: 'norm', paus: 'paus' } as const;

export interface MemberFilterParameters {
	programs?: unknown;
	statusNames?: unknown;
	isExhausted?: unknown;
	nurtureCadence?: unknown;
	updatedAtFilter?: unknown;
}

/**
 * The programs, status names, exhausted and cadence filters into `filter`; returns 'updatedAt' when an
 * Updated At range is wanted (its dates are validated by the caller).
 */
export function applyProgramMemberFilter(
	filter: IDataObject,
	parameters: MemberFilterParameters,
): 'updatedAt' | undefined {
	const ids = programIdsOf(parameters.programs);
	if (ids.length === 0) throw new ExportParameterError('Choose a program (Programs).');
	if (ids.length > MAX_PROGRAMS) {
		throw new ExportParameterError(
			`Marketo exports the members of at most ${MAX_PROGRAMS} programs per job; ${ids.length} were given. Remove ${ids.length - MAX_PROGRAMS}, or export them in another run.`,
		);
	}
	// One program: `programId`. Several: `programIds`, and Marketo adds a programId column first in the file.
	if (ids.length === 1) filter.programId = ids[0];
	else filter.programIds = ids;

	const statusNames = listOf(parameters.statusNames);
	if (statusNames.length) filter.statusNames = [...new Set(statusNames)];

	const exhausted = String(parameters.isExhausted ?? '') || 'any';
	if (exhausted === 'true' || exhausted === 'false') filter.isExhausted = exhausted === 'true';
	else if (exhausted !== 'any') {
		throw new ExportParameterError(
			`Exhausted "${exhausted}" is not one of Any, Exhausted Only or Not Exhausted.`,
		);
	}

	const cadence = String(parameters.nurtureCadence ?? '') || 'any';
	if (cadence === 'pause' || cadence in NURTURE_CADENCES) {
		filter.nurtureCadence = cadence === 'pause' ? NURTURE_CADENCES.paus : cadence;
	} else if (cadence !== 'any') {
		throw new ExportParameterError(
			`Nurture cadence "${cadence}" is not one Marketo knows: use norm (normal) or paus (paused).`,
		);
	}
	const updatedAt = parameters.updatedAtFilter;
	return updatedAt === true || updatedAt === 'true' ? 'updatedAt' : undefined;
}

/**
 * The program IDs of the Programs parameter, in order, each once: entries of its collection (each a
 * picker value or an ID), or a list or comma-separated IDs from an expression.
 */
export function programIdsOf(value: unknown): number[] {
	const entries =
		value && typeof value === 'object' && !Array.isArray(value)
			? ((value as { program?: unknown }).program ?? [])
			: value;
	const raw = (Array.isArray(entries) ? entries : [entries]).flatMap((entry) =>
		listOf(locatorValue(entry)),
	);
	return [
		...new Set(
			raw.map((id) => {
				if (!/^\d+$/.test(id)) {
					throw new ExportParameterError(
						`"${id}" is not a program ID (a number). Pick the program From List, or enter its ID (the number after PG in its Marketo URL).`,
					);
				}
				return Number(id);
			}),
		),
	];
}

/** A picker's value (inside a collection entry or not), or a plain value. */
function locatorValue(entry: unknown): unknown {
	let value = entry;
	if (value && typeof value === 'object' && 'program' in value) value = value.program;
	if (value && typeof value === 'object' && 'value' in value) value = value.value;
	return typeof value === 'number' ? String(value) : value;
}
