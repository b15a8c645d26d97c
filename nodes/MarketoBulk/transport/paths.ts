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

/** What an import brings into Marketo: leads, or members of one program. */
export type ImportKind = 'leads' | 'programMembers';

/**
 * Where an import kind's batches are read: lead batches at `…/leads/batch/{batchId}.json` (and
 * `…/{batchId}/failures.json`), program member batches at `…/program/members/import/{batchId}/status.json`
 * (no program in the path).
 */
const IMPORT_BATCHES: Record<ImportKind, { base: string; status: string }> = {
	leads: { base: `${BULK_API}/leads/batch`, status: '.json' },
	programMembers: { base: `${BULK_API}/program/members/import`, status: '/status.json' },
};

/** Where a batch file is POSTed: `…/leads.json`, or `…/program/{programId}/members/import.json`. */
export function importUploadPath(kind: ImportKind, programId?: number | string): string {
	return kind === 'programMembers'
		? `${BULK_API}/program/${encodeURIComponent(String(programId))}/members/import.json`
		: `${BULK_API}/leads.json`;
}

/** One import batch's status, or its failures or warnings file. */
export function importBatchPath(
	kind: ImportKind,
	batchId: string | number,
	file?: 'failures' | 'warnings',
): string {
	const { base, status } = IMPORT_BATCHES[kind];
	const batch = `${base}/${encodeURIComponent(String(batchId))}`;
	return file === undefined ? `${batch}${status}` : `${batch}/${file}.json`;
}

/** Get Import Status's URL: the batch is the Batch ID parameter. */
export function importBatchRoute(kind: ImportKind): string {
	const { base, status } = IMPORT_BATCHES[kind];
	return `=${base}/{{$parameter.batchId}}${status}`;
}
