import type { ILoadOptionsFunctions, INodeListSearchResult, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { listExportJobs, type ExportJobStatus } from '../export/job';
import { EXPORT_KIND_NOUNS, exportJobsOf, type ExportKind } from '../export/request';
import { listCustomObjects } from '../metadata/customObjects';
import { marketoRequest } from '../transport';
import { adviceFor, MarketoApiError } from '../transport/errors';

const PAGE_SIZE = 200;

/**
 * Marketo's asset listings page by offset and cannot search by part of a name, so each page is filtered
 * here; the pagination token is the next offset.
 */
async function searchAssets(
	ctx: ILoadOptionsFunctions,
	path: string,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const offset = Number(paginationToken ?? 0);
	const { result } = await marketoRequest<{ id: number; name: string }>(ctx, {
		method: 'GET',
		path,
		qs: { offset, maxReturn: PAGE_SIZE },
	});
	const needle = filter?.trim().toLowerCase();
	return {
		results: result
			.filter(
				(asset) =>
					!needle || asset.name.toLowerCase().includes(needle) || String(asset.id) === needle,
			)
			.map((asset) => ({ name: asset.name, value: String(asset.id) })),
		paginationToken: result.length === PAGE_SIZE ? String(offset + PAGE_SIZE) : undefined,
	};
}

export async function searchStaticLists(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchAssets(this, '/rest/asset/v1/staticLists.json', filter, paginationToken);
}

/** The Programs picker: Marketo's programs, a page of 200 at a time, filtered by name or ID here. */
export async function searchPrograms(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchAssets(this, '/rest/asset/v1/programs.json', filter, paginationToken);
}

export async function searchSmartLists(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchAssets(this, '/rest/asset/v1/smartLists.json', filter, paginationToken);
}

/**
 * The Export ID pickers: this API user's export jobs of the last 7 days (Marketo's List Jobs, every page),
 * newest first, each named by what a user recognises: status, creation time (in the workflow's time zone),
 * format, records and the start of its id. The search matches that name or the id.
 */
async function searchExportJobs(
	ctx: ILoadOptionsFunctions,
	kind: ExportKind,
	filter?: string,
): Promise<INodeListSearchResult> {
	let jobs: ExportJobStatus[];
	try {
		const customObject =
			kind === 'customObjects' ? ctx.getNodeParameter('customObject', '') : undefined;
		jobs = await listExportJobs(ctx, exportJobsOf(kind, customObject));
	} catch (error) {
		throw jobListError(ctx, kind, error);
	}
	const timeZone = timeZoneOf(ctx);
	const needle = filter?.trim().toLowerCase();
	return {
		results: jobs
			.map((job) => ({ job, created: Date.parse(String(job.createdAt ?? '')) }))
			.sort((a, b) => (b.created || 0) - (a.created || 0))
			.map(({ job }) => ({ name: exportJobLabel(job, timeZone), value: job.exportId }))
			.filter(
				(item) =>
					!needle ||
					item.name.toLowerCase().includes(needle) ||
					item.value.toLowerCase().includes(needle),
			),
	};
}

/** "Completed · 2026-03-02 14:05 UTC · CSV · 1,234 records · ce45a7a1" */
function exportJobLabel(job: ExportJobStatus, timeZone = 'UTC'): string {
	const parts: string[] = [job.status];
	const created = Date.parse(String(job.createdAt ?? ''));
	parts.push(Number.isNaN(created) ? 'created at an unknown time' : formatTime(created, timeZone));
	if (job.format) parts.push(String(job.format));
	if (typeof job.numberOfRecords === 'number') {
		const n = job.numberOfRecords;
		parts.push(`${n.toLocaleString('en-US')} record${n === 1 ? '' : 's'}`);
	}
	parts.push(job.exportId.slice(0, 8));
	return parts.join(' · ');
}

function formatTime(ms: number, timeZone: string): string {
	const format = (zone: string) =>
		new Intl.DateTimeFormat('en-CA', {
			timeZone: zone,
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			hourCycle: 'h23',
			timeZoneName: 'short',
		})
			.format(ms)
			.replace(',', '');
	try {
		return format(timeZone);
	} catch {
		return format('UTC');
	}
}

function timeZoneOf(ctx: ILoadOptionsFunctions): string {
	try {
		return ctx.getTimezone() || 'UTC';
	} catch {
		return 'UTC';
	}
}

/**
 * What the picker shows when Marketo refuses the list: n8n prints the code before the message and the
 * description in a notice, and cuts the message at dashes, so the message has none.
 */
function jobListError(ctx: ILoadOptionsFunctions, kind: ExportKind, error: unknown): unknown {
	if (!(error instanceof MarketoApiError)) return error;
	const what = EXPORT_KIND_NOUNS[kind].noun;
	const said = error.marketoMessage.replace(/[.\s]+$/, '');
	const permission = {
		leads: 'Read-Only Lead',
		activities: 'Read-Only Activity',
		programMembers: 'Read-Only Lead',
		customObjects: 'Read-Only Custom Object',
	}[kind];
	const advice =
		error.marketoCode === '603'
			? `The Marketo API user may not list ${what} export jobs: give its role the ${permission} permission in Admin > Users & Roles.`
			: adviceFor({ code: error.marketoCode, message: error.marketoMessage });
	const message = `Marketo did not list the ${what} export jobs: ${said} (error ${error.marketoCode})`;
	const wrapped = new NodeApiError(
		ctx.getNode(),
		{ code: error.marketoCode, message: error.marketoMessage } as JsonObject,
		{
			message,
			description: `${advice ? `${advice} ` : ''}Meanwhile choose By ID and enter the exportId that Create Job returned.`,
			httpCode: error.marketoCode,
		},
	);
	wrapped.message = message; // as MarketoApiError does: NodeApiError may swap in a generic text
	return wrapped;
}

export async function searchLeadExportJobs(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return await searchExportJobs(this, 'leads', filter);
}

export async function searchActivityExportJobs(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return await searchExportJobs(this, 'activities', filter);
}

export async function searchProgramMemberExportJobs(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return await searchExportJobs(this, 'programMembers', filter);
}

/**
 * The Custom Object pickers: Marketo lists every custom object in one call (no paging), filtered here by
 * display name or API name. Custom Object Import offers them all; Export only those Marketo can bulk
 * export (linked to leads).
 */
async function searchCustomObjectTypes(
	ctx: ILoadOptionsFunctions,
	filter: string | undefined,
	linkedToLeadOnly: boolean,
): Promise<INodeListSearchResult> {
	const needle = filter?.trim().toLowerCase();
	const results = (await listCustomObjects(ctx))
		.filter((type) => !linkedToLeadOnly || type.linkedToLead)
		.map((type) => ({ name: `${type.displayName} (${type.apiName})`, value: type.apiName }))
		.filter((entry) => !needle || entry.name.toLowerCase().includes(needle))
		.sort((x, y) => x.name.localeCompare(y.name));
	return { results };
}

export async function searchCustomObjects(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return await searchCustomObjectTypes(this, filter, false);
}

export async function searchCustomObjectExportJobs(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return await searchExportJobs(this, 'customObjects', filter);
}

export async function searchExportableCustomObjects(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return await searchCustomObjectTypes(this, filter, true);
}
