import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { ImportKind } from '../../import/job';
import { issuesOfBatch } from './issues';

/** Get Warnings: one item per row Marketo imported with a warning, with the reason. */
export async function run(
	this: IExecuteFunctions,
	kind: ImportKind,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await issuesOfBatch(this, kind, 'warning', itemIndex);
}
