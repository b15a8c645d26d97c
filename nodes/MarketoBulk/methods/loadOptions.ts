import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { DELETE_LEAD_ACTIVITY_TYPE } from '../export/request';
import { marketoRequest } from '../transport';
import { describeLeadFields } from '../export/fieldKinds';

/**
 * n8n may ask for options before it has assigned the node's credential (a node just added from the
 * panel); an empty list then beats an error the field keeps showing.
 */
function hasCredential(ctx: ILoadOptionsFunctions): boolean {
	return Boolean(ctx.getNode().credentials?.marketoApi);
}

export async function getLeadFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	if (!hasCredential(this)) return [];
	const fields = await describeLeadFields(this);
	return fields
		.map((field) => ({
			name: field.displayName === field.name ? field.name : `${field.displayName} (${field.name})`,
			value: field.name,
			description: field.dataType,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

export async function getActivityTypes(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	if (!hasCredential(this)) return [];
	const { result } = await marketoRequest<{ id: number; name: string; description?: string }>(
		this,
		{
			method: 'GET',
			path: '/rest/v1/activities/types.json',
		},
	);
	return result
		.filter((type) => type.id !== DELETE_LEAD_ACTIVITY_TYPE) // not supported by bulk export
		.map((type) => ({
			name: `${type.name} (${type.id})`,
			value: type.id,
			description: type.description,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}
