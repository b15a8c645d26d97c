import type { INodeProperties } from 'n8n-workflow';

// Placeholder until the trigger's events land (issue: Marketo Bulk Trigger).
export const triggerDescription: INodeProperties[] = [
	{
		displayName: 'Event',
		name: 'event',
		type: 'options',
		default: 'newLeads',
		options: [{ name: 'New Leads', value: 'newLeads' }],
	},
];
