import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { ImportKind } from '../../import/job';
import { issuesOfBatch } from './issues';

/** Get Failures: one item per row Marketo could not import, with the reason. */
export async function run(
	this: IExecuteFunctions,
	kind: ImportKind,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await issuesOfBatch(this, kind, 'failure', itemIndex);
}
