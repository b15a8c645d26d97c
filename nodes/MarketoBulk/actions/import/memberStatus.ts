import { programStatuses } from '../../metadata/programs';
import { ImportInputError } from '../../import/batches';
import type { MarketoContext } from '../../transport';

/**
 * Program Member Import: refuses, before anything is uploaded, a program Marketo does not know or a status
 * its channel lacks (Marketo documents no error for one, so a wrong status could only show once the
 * batches were sent). Two reads: the program, and the channels.
 */
export async function checkMemberStatus(
	ctx: MarketoContext,
	programId: number,
	status: string,
): Promise<void> {
	const [program] = await programStatuses(ctx, [programId]);
	if (program?.name === undefined) {
		throw new ImportInputError(
			`Program ${programId} was not found in Marketo`,
			'Pick the program From List, or enter its ID (the number after PG in its Marketo URL).',
		);
	}
	if (program.statuses.includes(status)) return;
	const valid = program.statuses.map((name) => `"${name}"`).join(', ');
	const caseOnly = program.statuses.find((name) => name.toLowerCase() === status.toLowerCase());
	throw new ImportInputError(
		`"${status}" is not a membership status of ${program.name} (${programId}): its channel ${program.channel ?? '(unknown)'} has ${valid || 'no statuses'}`,
		`Status names are exact, case included${caseOnly ? `: did you mean "${caseOnly}"?` : '.'} Pick the status from the list, which holds the program's statuses.`,
	);
}
