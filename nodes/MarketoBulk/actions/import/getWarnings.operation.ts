import type { IExecuteFunctions } from 'n8n-workflow';

import type { ImportKind } from '../../import/job';
import type { Emit } from '../operation';
import { issuesOfBatch } from './issues';

/** Get Warnings: one item per row Marketo imported with a warning, with the reason. */
export async function run(
	this: IExecuteFunctions,
	kind: ImportKind,
	itemIndex: number,
	emit: Emit,
): Promise<void> {
	await issuesOfBatch(this, kind, 'warning', itemIndex, emit);
}
