/**
 * Marketo's Bulk API paths, spelled once: as paths for the calls the package makes, and as routing
 * expressions (`…Route`) for the node's declarative single steps, which read the id from a parameter.
 */

export const BULK_API = '/bulk/v1';

/** The URL segment of each export kind whose segment is not its name. */
const EXPORT_SEGMENTS: Record<string, string> = { programMembers: 'program/members' };

/**
 * Whose export jobs a call is about: an export kind's, or one custom object's, whose API name is part of
 * every path of its jobs (`…/customobjects/car_c/export`).
 */
export type ExportJobsRef = string | { apiName: string };

/**
 * An export resource's jobs: `…/leads/export` (`…/program/members/export` for program members,
 * `…/customobjects/{apiName}/export` for a custom object) + `.json` (list) or `/create.json`.
 */
export function exportJobsPath(jobs: ExportJobsRef): string {
	if (typeof jobs === 'object') {
		return `${BULK_API}/customobjects/${encodeURIComponent(jobs.apiName)}/export`;
	}
	return `${BULK_API}/${EXPORT_SEGMENTS[jobs] ?? jobs}/export`;
}

type ExportJobStep = 'enqueue' | 'status' | 'cancel' | 'file';

/** One export job's step or file. */
export function exportJobPath(jobs: ExportJobsRef, exportId: string, step: ExportJobStep): string {
	return `${exportJobsPath(jobs)}/${encodeURIComponent(exportId)}/${step}.json`;
}

/**
 * A declarative job step's URL: the job is the Export ID parameter; a custom object's jobs also read the
 * object's API name from the Custom Object parameter (n8n's `$parameter` gives a resource locator's value).
 */
export function exportJobRoute(kind: string, step: ExportJobStep): string {
	const jobs =
		kind === 'customObjects'
			? `${BULK_API}/customobjects/{{$parameter.customObject}}/export`
			: exportJobsPath(kind);
	return `=${jobs}/{{$parameter.exportId}}/${step}.json`;
}

/** What an import brings into Marketo: leads, members of one program, or records of one custom object. */
export type ImportKind = 'leads' | 'programMembers' | 'customObjects';

/**
 * Where an import kind's batches are read: lead batches at `…/leads/batch/{batchId}.json` (and
 * `…/{batchId}/failures.json`), program member batches at `…/program/members/import/{batchId}/status.json`
 * (no program in the path), custom object batches at `…/customobjects/{apiName}/import/{batchId}/status.json`
 * (the object in the path: `apiName` is a path here, a routing expression in `importBatchRoute`).
 */
function importBatches(kind: ImportKind, apiName = ''): { base: string; status: string } {
	if (kind === 'customObjects')
		return { base: `${BULK_API}/customobjects/${apiName}/import`, status: '/status.json' };
	return kind === 'programMembers'
		? { base: `${BULK_API}/program/members/import`, status: '/status.json' }
		: { base: `${BULK_API}/leads/batch`, status: '.json' };
}

/**
 * Where a batch file is POSTed: `…/leads.json`, `…/program/{programId}/members/import.json`, or
 * `…/customobjects/{apiName}/import.json`; `scope` is the program ID or the custom object's API name.
 */
export function importUploadPath(kind: ImportKind, scope?: number | string): string {
	if (kind === 'leads') return `${BULK_API}/leads.json`;
	const at = encodeURIComponent(String(scope));
	if (kind === 'customObjects') return `${BULK_API}/customobjects/${at}/import.json`;
	return `${BULK_API}/program/${at}/members/import.json`;
}

/** One import batch's status, or its failures or warnings file (`apiName`: a custom object's batch). */
export function importBatchPath(
	kind: ImportKind,
	batchId: string | number,
	file?: 'failures' | 'warnings',
	apiName?: string,
): string {
	const { base, status } = importBatches(kind, encodeURIComponent(apiName ?? ''));
	const batch = `${base}/${encodeURIComponent(String(batchId))}`;
	return file === undefined ? `${batch}${status}` : `${batch}/${file}.json`;
}

/**
 * Get Import Status's URL: the batch is the Batch ID parameter, a custom object the Custom Object
 * parameter (n8n hands a resource locator's value to `$parameter`).
 */
export function importBatchRoute(kind: ImportKind): string {
	const { base, status } = importBatches(kind, '{{$parameter.customObject}}');
	return `=${base}/{{$parameter.batchId}}${status}`;
}
