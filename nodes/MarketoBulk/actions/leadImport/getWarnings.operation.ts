import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { issuesOfBatch } from './issues';

/** Get Warnings: one item per row Marketo imported with a warning, with the reason. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await issuesOfBatch(this, 'warning');
}
