import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { exportQuotaUsage } from '../../jobs/exportQuota';
import { failedItem } from '../failures';

/**
 * Get Daily Export Quota: how much of Marketo's 500 MB a day this API user's exports used today. The quota
 * is shared by every export kind, so both export resources answer the same.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[] = [];
	const items = this.getInputData();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			out.push({ json: await exportQuotaUsage(this), pairedItem: { item: itemIndex } });
		} catch (error) {
			out.push(failedItem(this, error, itemIndex));
		}
	}
	return [out];
}
