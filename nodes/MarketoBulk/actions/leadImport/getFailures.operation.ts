import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { issuesOfBatch } from './issues';

/** Get Failures: one item per row Marketo could not import, with the reason. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await issuesOfBatch(this, 'failure');
}
