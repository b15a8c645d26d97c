import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { exportQuotaUsage } from '../../export/quota';

/**
 * Get Daily Export Quota: how much of Marketo's 500 MB a day this API user's exports used today. The quota
 * is shared by every export kind, so both export resources answer the same.
 */
export async function run(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return [{ json: await exportQuotaUsage(this) }];
}
