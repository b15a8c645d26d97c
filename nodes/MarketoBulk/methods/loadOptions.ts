import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { describeCustomObject } from '../metadata/customObjects';
import { DELETE_LEAD_ACTIVITY_TYPE, exportJobsOf } from '../export/request';
import { marketoRequest } from '../transport';
import { describeLeadFields, describeProgramMemberFields } from '../export/fieldKinds';
import { programIdsOf } from '../export/memberFilter';
import { listChannels, programStatuses, statusNamesOf } from '../metadata/programs';

/**
 * n8n may ask for options before it has assigned the node's credential (a node just added from the
 * panel); an empty list then beats an error the field keeps showing.
 */
function hasCredential(ctx: ILoadOptionsFunctions): boolean {
	return Boolean(ctx.getNode().credentials?.marketoApi);
}

/** A described field as an option: "Display Name (restName)", or the REST name alone when they match. */
function fieldOption(
	field: { name: string; displayName: string; dataType: string },
	prefix = '',
): INodePropertyOptions {
	const label =
		field.displayName === field.name ? field.name : `${field.displayName} (${field.name})`;
	return { name: `${prefix}${label}`, value: field.name, description: field.dataType };
}

const byName = (a: INodePropertyOptions, b: INodePropertyOptions) => a.name.localeCompare(b.name);

export async function getLeadFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	if (!hasCredential(this)) return [];
	return (await describeLeadFields(this)).map((field) => fieldOption(field)).sort(byName);
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

/**
 * Program Member Export > Fields: the program member fields, then the lead fields (a name both describes
 * know, such as createdAt, is the membership's in a program member export, so it is listed once, as that).
 */
export async function getProgramMemberFields(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	if (!hasCredential(this)) return [];
	const members = await describeProgramMemberFields(this);
	const memberNames = new Set(members.map((field) => field.name));
	const leads = (await describeLeadFields(this)).filter((field) => !memberNames.has(field.name));
	return [
		...members.map((field) => fieldOption(field, 'Member: ')),
		...leads.map((field) => fieldOption(field, 'Lead: ')),
	].sort(byName);
}

/**
 * Program Member Export > Status Names and Program Member Import > Status: the statuses of the chosen
 * programs' channels (the export's Programs, the import's one Program), in progression order; while no
 * program is chosen by ID (or it is an expression), every channel's statuses.
 */
export async function getProgramStatuses(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	if (!hasCredential(this)) return [];
	let ids: number[] = [];
	try {
		ids = programIdsOf(
			this.getNodeParameter('resource', '') === 'programMemberImport'
				? [this.getNodeParameter('program', '')]
				: this.getNodeParameter('programs', {}),
		);
	} catch {
		ids = []; // an expression or a name not resolved yet: offer every channel's statuses
	}
	const lists = ids.length
		? (await programStatuses(this, ids)).map((program) => ({
				statuses: program.statuses,
				of: `${program.name ?? `program ${program.programId}`}`,
			}))
		: (await listChannels(this)).map((channel) => ({
				statuses: statusNamesOf(channel),
				of: `channel ${channel.name}`,
			}));
	const ofStatus = new Map<string, string[]>();
	for (const { statuses, of } of lists) {
		for (const status of statuses) ofStatus.set(status, [...(ofStatus.get(status) ?? []), of]);
	}
	return [...ofStatus].map(([name, of]) => ({ name, value: name, description: of.join(', ') }));
}

/**
 * Custom Object Export > Fields: the chosen custom object's fields, from its describe, in describe order;
 * none until an object is chosen (an expression is resolved only when the node runs).
 */
export async function getCustomObjectFields(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	if (!hasCredential(this)) return [];
	let jobs;
	try {
		jobs = exportJobsOf('customObjects', this.getNodeParameter('customObject', ''));
	} catch {
		return [];
	}
	if (typeof jobs !== 'object') return [];
	return (await describeCustomObject(this, jobs.apiName)).fields.map((field) => fieldOption(field));
}
