import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { exportQuotaUsage } from '../../export/quota';
import { forEachItem } from '../failures';

/**
 * Get Daily Export Quota: how much of Marketo's 500 MB a day this API user's exports used today. The quota
 * is shared by every export kind, so both export resources answer the same.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await forEachItem(this, async (itemIndex) => [
		{ json: await exportQuotaUsage(this), pairedItem: { item: itemIndex } },
	]);
}
