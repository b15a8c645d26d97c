/**
 * Marketo's Bulk API paths, spelled once. (The node's declarative job steps in actions/ spell the same
 * paths as routing expressions, with `{{$parameter.exportId}}` in place of an id.)
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

/** One export job's step or file. */
export function exportJobPath(
	kind: string,
	exportId: string,
	step: 'enqueue' | 'status' | 'cancel' | 'file',
): string {
	return `${exportJobsPath(kind)}/${encodeURIComponent(exportId)}/${step}.json`;
}

/** Lead import: a batch file is POSTed here. */
export const IMPORT_LEADS_PATH = `${BULK_API}/leads.json`;

/** One import batch's status, or its failures or warnings file. */
export function importBatchPath(batchId: string | number, file?: 'failures' | 'warnings'): string {
	const batch = `${BULK_API}/leads/batch/${encodeURIComponent(String(batchId))}`;
	return file === undefined ? `${batch}.json` : `${batch}/${file}.json`;
}
