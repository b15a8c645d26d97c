/**
 * Marketo's Bulk API paths, spelled once: as paths for the calls the package makes, and as routing
 * expressions (`…Route`) for the node's declarative single steps, which read the id from a parameter.
 */

export const BULK_API = '/bulk/v1';

/** The URL segment of each export kind whose segment is not its name. */
const EXPORT_SEGMENTS: Record<string, string> = { programMembers: 'program/members' };

/**
 * An export resource's jobs: `…/leads/export` (`…/program/members/export` for program members) + `.json`
 * (list) or `/create.json`.
 */
export function exportJobsPath(kind: string): string {
	return `${BULK_API}/${EXPORT_SEGMENTS[kind] ?? kind}/export`;
}

type ExportJobStep = 'enqueue' | 'status' | 'cancel' | 'file';

/** One export job's step or file. */
export function exportJobPath(kind: string, exportId: string, step: ExportJobStep): string {
	return `${exportJobsPath(kind)}/${encodeURIComponent(exportId)}/${step}.json`;
}

/** A declarative job step's URL: the job is the Export ID parameter. */
export function exportJobRoute(kind: string, step: ExportJobStep): string {
	return `=${exportJobsPath(kind)}/{{$parameter.exportId}}/${step}.json`;
}

const IMPORT_BATCHES_PATH = `${BULK_API}/leads/batch`;

/** Lead import: a batch file is POSTed here. */
export const IMPORT_LEADS_PATH = `${BULK_API}/leads.json`;

/** One import batch's status, or its failures or warnings file. */
export function importBatchPath(batchId: string | number, file?: 'failures' | 'warnings'): string {
	const batch = `${IMPORT_BATCHES_PATH}/${encodeURIComponent(String(batchId))}`;
	return file === undefined ? `${batch}.json` : `${batch}/${file}.json`;
}

/** Get Import Status's URL: the batch is the Batch ID parameter. */
export const IMPORT_BATCH_ROUTE = `=${IMPORT_BATCHES_PATH}/{{$parameter.batchId}}.json`;
