import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';

export async function poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	return null;
}
