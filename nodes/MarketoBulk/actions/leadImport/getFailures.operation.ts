import type { IExecuteFunctions } from 'n8n-workflow';

import type { Emit } from '../operation';
import { issuesOfBatch } from './issues';

/** Get Failures: one item per row Marketo could not import, with the reason. */
export async function run(this: IExecuteFunctions, itemIndex: number, emit: Emit): Promise<void> {
	await issuesOfBatch(this, 'failure', itemIndex, emit);
}
