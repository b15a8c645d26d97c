import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DataFormat } from '../codec';
import { batchesOf, type BatchPlan, type ImportSource } from './batches';
import { multipartBody, type MultipartPart } from './multipart';
import { toNodeReadable } from '../helpers/readable';
import {
	ExecutionCancelledError,
	marketoRequest,
	marketoStream,
	pause,
	type ByteStream,
	type MarketoContext,
} from '../transport';
import { MarketoApiError } from '../transport/errors';
import { importBatchPath, importUploadPath, type ImportKind } from '../transport/paths';
import { isImportQueueFull, whileQueueFull } from '../transport/queueFull';
import { resumingBody } from '../transport/resume';
import { PackageError } from '../helpers/errors';

/**
 * The steps of a Marketo bulk import (upload a batch, read its status, read its failures or warnings),
 * each one API call, plus `runImport`, which uploads a source batch after batch within Marketo's queue
 * limits and, for the one-step Import, waits until every batch is done. Lead, program member and custom
 * object imports differ only in their paths and in what the upload carries besides the file
 * (`ImportTarget`).
 */

export type { ImportKind };

/** Reads of a failures/warnings file after a lost connection, before the run gives up. */
const MAX_ISSUE_FILE_RESUMES = 5;

export type ImportStatusName = 'Queued' | 'Importing' | 'Complete' | 'Failed';

export interface ImportBatchStatus extends IDataObject {
	batchId: number;
	importId?: string;
	status: ImportStatusName;
	numOfLeadsProcessed?: number;
	/** What a custom object batch's status says instead of numOfLeadsProcessed. */
	numOfObjectsProcessed?: number;
	numOfRowsFailed?: number;
	numOfRowsWithWarning?: number;
	message?: string;
}

/** Where the rows go, by import kind: the parameters sent with each batch file (form fields or query). */
export type ImportTarget = LeadImportTarget | ProgramMemberImportTarget | CustomObjectImportTarget;

/** Where an import's batches are read: the kind, and a custom object's API name. */
export type BatchHome = { kind: ImportKind; apiName?: string };

export interface LeadImportTarget {
	kind: 'leads';
	format: DataFormat;
	/** Marketo's default is email; sent only when set. */
	lookupField?: string;
	listId?: string;
	partitionName?: string;
}

/** Every row joins the program with the one status; Marketo finds (or creates) the lead by email. */
export interface ProgramMemberImportTarget {
	kind: 'programMembers';
	format: DataFormat;
	programId: number;
	programMemberStatus: string;
}

/**
 * Records of one custom object, matched by its dedupe fields (from its describe), which every row must
 * carry; the format goes in the query, where Marketo's reference and swagger name it.
 */
export interface CustomObjectImportTarget {
	kind: 'customObjects';
	format: DataFormat;
	apiName: string;
	dedupeFields: string[];
}

/**
 * The field failed rows are matched back by when their text differs from the source: the lead's lookup
 * field (always email for program members), a custom object's first dedupe field.
 */
export function lookupFieldOf(target: ImportTarget): string {
	if (target.kind === 'customObjects') return target.dedupeFields[0] ?? '';
	return (target.kind === 'leads' ? target.lookupField : undefined) ?? 'email';
}

const MIME_TYPES: Record<DataFormat, string> = {
	CSV: 'text/csv',
	TSV: 'text/tab-separated-values',
	SSV: 'text/plain',
};

/** The import endpoint spells its formats in lower case ('csv'), the export endpoint in upper case. */
export function importFormatParameter(format: DataFormat): string {
	return format.toLowerCase();
}

/** Uploads one batch file (multipart, streamed from the chunks it holds; rebuilt on every attempt). */
export async function createImportBatch(
	ctx: MarketoContext,
	file: { chunks: readonly Uint8Array[]; fileName: string },
	target: ImportTarget,
): Promise<ImportBatchStatus> {
	const format = importFormatParameter(target.format);
	const parts: MultipartPart[] = [];
	// Program member import: Marketo's reference and swagger name format and programMemberStatus query
	// parameters (only its curl example sends form fields), so they go in the query, once: a server that
	// read both places could join two copies into "Attended,Attended".
	const qs =
		target.kind === 'programMembers'
			? { format, programMemberStatus: target.programMemberStatus }
			: target.kind === 'customObjects'
				? { format }
				: undefined;
	if (target.kind === 'leads') {
		parts.push({ name: 'format', content: format });
		if (target.lookupField) parts.push({ name: 'lookupField', content: target.lookupField });
		if (target.listId) parts.push({ name: 'listId', content: target.listId });
		if (target.partitionName) parts.push({ name: 'partitionName', content: target.partitionName });
	}
	parts.push({
		name: 'file',
		fileName: file.fileName,
		contentType: MIME_TYPES[target.format],
		data: file.chunks,
	});
	const envelope = await marketoRequest<ImportBatchStatus>(ctx, {
		method: 'POST',
		path: importUploadPath(
			target.kind,
			target.kind === 'programMembers'
				? target.programId
				: target.kind === 'customObjects'
					? target.apiName
					: undefined,
		),
		qs,
		idempotent: false,
		makeBody: () => {
			const body = multipartBody(parts);
			let sent = false;
			async function* tracked(): AsyncGenerator<Uint8Array> {
				yield* body.stream();
				sent = true;
			}
			return {
				body: toNodeReadable(tracked()),
				// The connection has pulled the last byte: from here Marketo may have the whole file.
				sent: () => sent,
				headers: {
					'Content-Type': body.contentType,
					...(body.contentLength !== undefined
						? { 'Content-Length': String(body.contentLength) }
						: {}),
					Accept: 'application/json',
				},
			};
		},
	});
	return firstBatch(envelope.result, 'upload');
}

export async function getImportBatchStatus(
	ctx: MarketoContext,
	home: BatchHome,
	batchId: string | number,
	deadline?: number,
): Promise<ImportBatchStatus> {
	const envelope = await marketoRequest<ImportBatchStatus>(ctx, {
		method: 'GET',
		path: importBatchPath(home.kind, batchId, undefined, home.apiName),
		deadline,
	});
	return firstBatch(envelope.result, 'status');
}

/**
 * The failures or warnings file of a batch, as a stream of chunks. A custom object batch without such
 * rows has no such file: Marketo answers HTTP 404 there (its import page says so), which is no rows, not
 * an error; a 404 anywhere else stays one, and so does a 404 where the batch's status counted such rows
 * (`rowsExpected`): those rows must not vanish. A connection lost in the middle of the file reads it
 * again (Marketo documents no Range for these files) and passes on only the bytes not passed on yet.
 */
export async function openImportIssueFile(
	ctx: MarketoContext,
	home: BatchHome,
	batchId: string | number,
	file: 'failures' | 'warnings',
	rowsExpected = false,
): Promise<ByteStream> {
	const noFileIsEmpty = home.kind === 'customObjects' && !rowsExpected;
	const body = await resumingBody(ctx, {
		open: async (from) => {
			// a file that was there a moment ago and is gone now is an error, never its end
			const response = await marketoStream(ctx, {
				method: 'GET',
				path: importBatchPath(home.kind, batchId, file, home.apiName),
				...(noFileIsEmpty && from === 0 ? { acceptStatus: [404] } : {}),
			});
			if (response.statusCode !== 404) return response;
			response.body.destroy?.();
			return { ...response, body: (async function* (): AsyncGenerator<Uint8Array> {})() };
		},
		maxResumes: MAX_ISSUE_FILE_RESUMES,
		gaveUp: (resumes, received, cause) =>
			new PackageError(
				'IMPORT_ISSUE_FILE_BROKEN',
				`The ${file} file of import batch ${batchId} broke off again after ${resumes} new reads (last after ${received} bytes)${cause ? `: ${(cause as Error).message}` : ''}`,
				{
					consequence: 'No rows of it were output.',
					description:
						'Marketo keeps the file with the batch: run Get Failures / Get Warnings on the batch ID again. If it keeps failing, check the network between n8n and Marketo.',
				},
			),
	});
	return body.chunks;
}

function firstBatch(result: ImportBatchStatus[], step: string): ImportBatchStatus {
	const batch = result[0];
	if (!batch || batch.batchId === undefined || batch.batchId === null) {
		throw new PackageError(
			'UNEXPECTED_ANSWER',
			`Marketo answered the import ${step} call without a batch in "result".`,
			{ description: "This is unexpected; try again. If it repeats, check Marketo's status page." },
		);
	}
	return batch;
}

// ---------------------------------------------------------------------------------------------------

export interface BatchReport extends IDataObject {
	batch: number;
	/** Undefined until Marketo accepted the upload. */
	batchId?: number;
	importId?: string;
	/** Marketo's status, or NotSent (never uploaded) / UploadFailed / UploadUnknown (broke off after sending). */
	status: ImportStatusName | 'NotSent' | 'UploadFailed' | 'UploadUnknown';
	firstRow: number;
	lastRow: number;
	rows: number;
	bytes: number;
	numOfLeadsProcessed?: number;
	numOfObjectsProcessed?: number;
	numOfRowsFailed?: number;
	numOfRowsWithWarning?: number;
	message?: string;
}

export interface ImportReport {
	/** Rows of a file, or input items (row n = item n - 1). */
	unit: 'row' | 'item';
	batches: BatchReport[];
	rowCount: number;
	/** Rows of the batches Marketo accepted. */
	rowsSent: number;
}

export interface RunSettings {
	target: ImportTarget;
	pollIntervalMs: number;
	/** Epoch ms after which the run stops waiting. */
	deadline: number;
	/** Wait until every batch is Complete (Import) or only upload (Create Import Job). */
	waitForCompletion: boolean;
	/** Own batches queued or importing at once; Marketo imports two at a time per instance. */
	maxInFlight?: number;
}

export type ImportRunFailure = 'uploadFailed' | 'batchFailed' | 'timeout' | 'interrupted';

/** The run stopped; `report` says which batches Marketo accepted, so nothing is lost or sent twice. */
export class ImportRunError extends NodeOperationError {
	readonly report: ImportReport;

	readonly kind: ImportRunFailure;

	constructor(
		ctx: MarketoContext,
		kind: ImportRunFailure,
		message: string,
		report: ImportReport,
		cause?: string,
	) {
		super(ctx.getNode(), message, { description: describeReport(report, cause) });
		// n8n swaps a message that names ECONNRESET & co. (a connection lost mid-upload) for its generic
		// "connection closed" text, which would hide which batch it was.
		this.message = message;
		this.report = report;
		this.kind = kind;
	}
}

export const DEFAULT_MAX_IN_FLIGHT = 2;

const DONE = new Set(['Complete', 'Failed']);

/**
 * Uploads the batches one after another, keeping at most `maxInFlight` of ours in Marketo's queue (more
 * would only take queue slots other integrations need, without importing faster). "1016 Too many imports"
 * waits a poll interval and tries again until the deadline. With `waitForCompletion`, polls until every
 * batch is Complete; a Failed batch stops the run (no more uploads).
 */
export async function runImport(
	ctx: MarketoContext,
	source: ImportSource,
	plans: BatchPlan[],
	settings: RunSettings,
): Promise<ImportReport> {
	const report: ImportReport = {
		unit: source.kind === 'items' ? 'item' : 'row',
		rowCount: source.rowCount,
		rowsSent: 0,
		batches: plans.map((plan) => ({
			batch: plan.index,
			status: 'NotSent',
			firstRow: plan.firstRow,
			lastRow: plan.lastRow,
			rows: plan.rows,
			bytes: plan.bytes,
		})),
	};
	const maxInFlight = settings.waitForCompletion
		? (settings.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT)
		: Infinity;
	const inFlight: BatchReport[] = [];
	const total = plans.length;

	const refresh = async () => {
		for (const entry of inFlight) {
			const status = await getImportBatchStatus(
				ctx,
				settings.target,
				entry.batchId as number,
				settings.deadline,
			);
			applyStatus(entry, status);
			if (entry.status === 'Failed') {
				throw new ImportRunError(
					ctx,
					'batchFailed',
					`Marketo import batch ${entry.batchId}${total > 1 ? ` (batch ${entry.batch} of ${total})` : ''} failed: ${entry.message || 'no reason given'}`,
					report,
				);
			}
		}
		for (let i = inFlight.length - 1; i >= 0; i--)
			if (DONE.has(inFlight[i].status)) inFlight.splice(i, 1);
	};
	const waitOnce = async (what: string) => {
		if (Date.now() + settings.pollIntervalMs > settings.deadline) {
			throw new ImportRunError(ctx, 'timeout', `The import timed out ${what}`, report);
		}
		await pause(ctx, settings.pollIntervalMs);
	};

	const drive = async () => {
		for await (const batch of batchesOf(source, plans)) {
			const entry = report.batches[batch.plan.index - 1];
			while (inFlight.length >= maxInFlight) {
				await waitOnce(
					`while waiting for batch ${inFlight[0].batchId} to finish before sending batch ${entry.batch} of ${total}`,
				);
				await refresh();
			}
			const file = {
				chunks: batch.chunks,
				fileName: batchFileName(source.fileName, entry.batch, total),
			};
			const outcome = await whileQueueFull(ctx, settings, isImportQueueFull, () =>
				createImportBatch(ctx, file, settings.target),
			).then(
				(status) => ({ status }),
				(error: unknown) => ({ error }),
			);
			if ('error' in outcome) {
				// A cancelled execution is not an upload failure: it must stop the run (and Continue On Fail).
				if (outcome.error instanceof ExecutionCancelledError) throw outcome.error;
				const unknown = outcome.error instanceof MarketoApiError && outcome.error.outcomeUnknown;
				entry.status = unknown ? 'UploadUnknown' : 'UploadFailed';
				throw new ImportRunError(
					ctx,
					'uploadFailed',
					`Batch ${entry.batch} of ${total} (${rangeOf(report, entry)}) ${unknown ? 'may or may not have been imported: the upload broke off after it was sent' : 'could not be uploaded'}: ${(outcome.error as Error).message}`,
					report,
					isImportQueueFull(outcome.error)
						? "Marketo's import queue stayed full (1016) until the timeout."
						: undefined,
				);
			}
			const status = outcome.status;
			entry.batchId = Number(status.batchId);
			report.rowsSent += entry.rows;
			applyStatus(entry, status);
			if (entry.status === 'Failed') {
				throw new ImportRunError(
					ctx,
					'batchFailed',
					`Marketo import batch ${entry.batchId} failed: ${entry.message || 'no reason given'}`,
					report,
				);
			}
			if (!DONE.has(entry.status)) inFlight.push(entry);
		}

		if (settings.waitForCompletion) {
			while (inFlight.length > 0) {
				await waitOnce(`while batch ${inFlight[0].batchId} was ${inFlight[0].status}`);
				await refresh();
			}
		}
	};

	// Whatever stops the run once Marketo holds some of its batches (a status call that keeps failing, a
	// cancelled execution) must still say which batches those are.
	const stopped = await drive().then(
		() => undefined,
		(error: unknown) => error,
	);
	if (stopped === undefined) return report;
	if (stopped instanceof ImportRunError || report.batches.every((b) => b.batchId === undefined))
		throw stopped;
	throw new ImportRunError(
		ctx,
		'interrupted',
		(stopped as Error).message ?? String(stopped),
		report,
	);
}

function applyStatus(entry: BatchReport, status: ImportBatchStatus): void {
	entry.status = status.status;
	if (status.importId !== undefined) entry.importId = String(status.importId);
	for (const key of [
		'numOfLeadsProcessed',
		'numOfObjectsProcessed',
		'numOfRowsFailed',
		'numOfRowsWithWarning',
	] as const) {
		if (status[key] !== undefined && status[key] !== null) entry[key] = Number(status[key]);
	}
	if (status.message !== undefined && status.message !== null)
		entry.message = String(status.message);
}

function batchFileName(fileName: string, batch: number, total: number): string {
	if (total <= 1) return fileName;
	const dot = fileName.lastIndexOf('.');
	return dot > 0
		? `${fileName.slice(0, dot)}-${batch}${fileName.slice(dot)}`
		: `${fileName}-${batch}`;
}

/** "rows 1–500" for a file, "input items 0–499" for items (n8n numbers items from 0). */
export function rangeOf(report: ImportReport, b: { firstRow: number; lastRow: number }): string {
	return report.unit === 'item'
		? `input item${b.firstRow === b.lastRow ? ` ${b.firstRow - 1}` : `s ${b.firstRow - 1}–${b.lastRow - 1}`}`
		: `row${b.firstRow === b.lastRow ? ` ${b.firstRow}` : `s ${b.firstRow}–${b.lastRow}`}`;
}

/** What Marketo has of this run, batch by batch: for the error description. */
export function describeReport(report: ImportReport, cause?: string): string {
	const total = report.batches.length;
	const s = (n: number) => (n === 1 ? '' : 'es');
	const accepted = report.batches.filter((b) => b.batchId !== undefined && b.status !== 'Failed');
	const failed = report.batches.filter((b) => b.status === 'Failed');
	const unknown = report.batches.filter((b) => b.status === 'UploadUnknown');
	const notSent = report.batches.filter(
		(b) => b.batchId === undefined && b.status !== 'UploadUnknown',
	);
	const lines: string[] = [];
	if (cause) lines.push(cause);
	for (const b of unknown) {
		lines.push(
			`Unknown: batch ${b.batch}, ${rangeOf(report, b)}: the upload broke off after it was sent, so Marketo may or may not have accepted it. Before sending these rows again, look for a batch of that size in Marketo (or re-send them: an import updates what Marketo already has, by the lookup or dedupe fields).`,
		);
	}
	if (accepted.length === 0 && failed.length === 0 && unknown.length === 0) {
		lines.push(`Nothing was imported: Marketo accepted none of the ${total} batch${s(total)}.`);
	}
	if (accepted.length > 0) {
		lines.push(
			`Marketo accepted ${accepted.length} of ${total} batch${s(total)} (batchIds ${accepted.map((b) => b.batchId).join(', ')}); their rows are imported, or being imported: do not send them again.`,
		);
		for (const b of accepted) {
			lines.push(
				`- batch ${b.batch}: batchId ${b.batchId}, ${rangeOf(report, b)}, ${b.status}${b.message ? ` (${b.message})` : ''}`,
			);
		}
	}
	for (const b of failed) {
		lines.push(
			`Failed: batch ${b.batch}, batchId ${b.batchId}, ${rangeOf(report, b)}: ${b.message || 'no reason given'}. Marketo imported none of its rows.`,
		);
	}
	if (notSent.length > 0 && (accepted.length > 0 || failed.length > 0 || unknown.length > 0)) {
		const range = { firstRow: notSent[0].firstRow, lastRow: notSent[notSent.length - 1].lastRow };
		lines.push(
			`Not sent: ${notSent.length} batch${s(notSent.length)}, ${rangeOf(report, range)}. Import only these to finish the job.`,
		);
	}
	if (accepted.some((b) => !DONE.has(b.status))) {
		lines.push(
			'Marketo goes on importing accepted batches (an import cannot be cancelled); follow them with Get Import Status.',
		);
	}
	return lines.join('\n');
}
