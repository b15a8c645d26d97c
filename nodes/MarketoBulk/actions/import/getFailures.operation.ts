import type { IExecuteFunctions } from 'n8n-workflow';

import type { ImportKind } from '../../import/job';
import type { Emit } from '../operation';
import { issuesOfBatch } from './issues';

/** Get Failures: one item per row Marketo could not import, with the reason. */
export async function run(
	this: IExecuteFunctions,
	kind: ImportKind,
	itemIndex: number,
	emit: Emit,
): Promise<void> {
	await issuesOfBatch(this, kind, 'failure', itemIndex, emit);
}
