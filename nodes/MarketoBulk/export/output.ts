import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IPollFunctions,
} from 'n8n-workflow';

import { columnKinds } from './fieldKinds';
import type { ExportJobStatus } from './job';
import { exportJobsOf, type ExportSpec } from './request';
import { CsvDecoder, decodeRecords, encodeRow, recordBuilder, type DataFormat } from '../codec';
import { openExportFile, type OpenedFile } from './download';
import type { DateWindow } from './windows';
import { PackageError } from '../helpers/errors';

/**
 * Turns a completed export job into n8n items, the same way for the node's Export and for the trigger:
 * Records (one item per row, typed) or File (one binary item, streamed into n8n's binary data store).
 */

export interface OutputOptions {
	output: 'records' | 'file';
	binaryPropertyName?: string;
	fileEncoding?: 'asIs' | 'csv';
	flattenAttributes?: boolean;
	typedValues?: boolean;
	/** Stop after this many records in all (0 or undefined = no cap). */
	maxItems?: number;
}

export interface JobOutput {
	items: INodeExecutionData[];
	/** True when Max Items stopped the output early. */
	capped: boolean;
}

/** Where a job's output stands: the window the job covers, and the records already output before it. */
export interface OutputPosition {
	window?: DateWindow;
	/** Counted against Max Items. */
	alreadyEmitted?: number;
}

/** A completed job as items (its records, or its file as one binary item), not paired: the caller pairs. */
export async function jobOutput(
	ctx: IExecuteFunctions | IPollFunctions,
	spec: ExportSpec,
	job: ExportJobStatus,
	options: OutputOptions,
	{ window, alreadyEmitted = 0 }: OutputPosition = {},
): Promise<JobOutput> {
	const metadata = jobMetadata(spec, job, window);
	// Asked before the download starts: an open, unread download would hold one of Marketo's 10
	// concurrent-call slots if this failed.
	const kinds =
		options.output === 'file'
			? {}
			: await columnKinds(
					ctx,
					exportJobsOf(spec.kind, spec.customObject),
					spec.fields,
					spec.columnHeaderNames,
					options.typedValues !== false,
				);
	const file = await openExportFile(ctx, {
		kind: exportJobsOf(spec.kind, spec.customObject),
		exportId: job.exportId,
		fileSize: numberOrUndefined(job.fileSize),
		fileChecksum: job.fileChecksum,
	});

	if (options.output === 'file') {
		const binary = await storeFile(ctx, spec, job, window, file, options);
		return {
			items: [
				{
					json: { ...metadata, downloadResumes: file.resumes() },
					binary: { [options.binaryPropertyName || 'data']: binary },
				},
			],
			capped: false,
		};
	}

	const max =
		options.maxItems && options.maxItems > 0 ? options.maxItems - alreadyEmitted : Infinity;
	const items: INodeExecutionData[] = [];
	let capped = false;
	for await (const batch of decodeRecords(file.chunks, {
		format: spec.format,
		convert: (header) =>
			recordBuilder(header, kinds, { flattenJson: options.flattenAttributes === true }),
	})) {
		for (const record of batch.records) {
			if (items.length >= max) {
				capped = true;
				break;
			}
			items.push({ json: record.json as IDataObject });
		}
		if (capped) break;
	}
	if (capped && items.length) {
		const last = items[items.length - 1];
		last.json._marketoBulk = {
			capped: true,
			note: `Output stopped at Max Items (${options.maxItems}); job ${job.exportId} has ${job.numberOfRecords ?? 'more'} records. Raise Max Items or use File output to get them all.`,
			...metadata,
		};
	}
	const reported = numberOrUndefined(job.numberOfRecords);
	if (!capped && reported !== undefined && reported !== items.length) {
		// The file passed its size and sha256 checks, so it is what Marketo wrote; its count disagrees with
		// Marketo's own. The rows are output, and the disagreement is said where a workflow can see it.
		const note = `Marketo reported ${reported} records for job ${job.exportId}, but its file (size and checksum verified) holds ${items.length}. The items are the file's rows; compare with Marketo before relying on the count.`;
		if (items.length === 0) throw new PackageError('RECORD_COUNT_MISMATCH', note);
		items[items.length - 1].json._marketoBulk = { recordCountMismatch: true, note, ...metadata };
	}
	return { items, capped };
}

export function jobMetadata(
	spec: ExportSpec,
	job: ExportJobStatus,
	window: DateWindow | undefined,
): IDataObject {
	return {
		kind: spec.kind,
		...(spec.customObject ? { customObject: spec.customObject } : {}),
		exportId: job.exportId,
		status: job.status,
		format: job.format ?? spec.format,
		numberOfRecords: numberOrUndefined(job.numberOfRecords),
		fileSize: numberOrUndefined(job.fileSize),
		fileChecksum: job.fileChecksum,
		...(window ? { window: { ...window } } : {}),
		createdAt: job.createdAt,
		finishedAt: job.finishedAt,
	};
}

const FILE_TYPES = {
	CSV: { extension: 'csv', mimeType: 'text/csv' },
	TSV: { extension: 'tsv', mimeType: 'text/tab-separated-values' },
	SSV: { extension: 'txt', mimeType: 'text/plain' },
} as const;

/** What a stored export file is: re-encoding (File Encoding: CSV) turns TSV/SSV into CSV. */
export function storedFileType(format: DataFormat, fileEncoding: OutputOptions['fileEncoding']) {
	const reencode = fileEncoding === 'csv' && format !== 'CSV';
	return { reencode, ...FILE_TYPES[reencode ? 'CSV' : format] };
}

async function storeFile(
	ctx: IExecuteFunctions | IPollFunctions,
	spec: ExportSpec,
	job: ExportJobStatus,
	window: DateWindow | undefined,
	file: OpenedFile,
	options: OutputOptions,
) {
	const type = storedFileType(spec.format, options.fileEncoding);
	const span = window
		? `${window.startAt.slice(0, 10)}_${window.endAt.slice(0, 10)}`
		: job.exportId;
	const readable = file.readable(type.reencode ? asCsv(file.chunks, spec.format) : file.chunks);
	return await ctx.helpers.prepareBinaryData(
		readable as Parameters<typeof ctx.helpers.prepareBinaryData>[0],
		`marketo-${spec.customObject ?? spec.kind}-${span}.${type.extension}`,
		type.mimeType,
	);
}

/** TSV/SSV rewritten as CSV, row by row, while it streams. */
export async function* asCsv(
	chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
	format: DataFormat,
): AsyncGenerator<Uint8Array> {
	// Marketo's unquoted `null` stays an unquoted `null` (a quoted "null" would turn it into text).
	const decoder = new CsvDecoder({ format });
	const encoder = new TextEncoder();
	const encode = (rows: ReturnType<CsvDecoder['write']>) =>
		encoder.encode(rows.map((row) => encodeRow(row.values, ',', { nullText: 'null' })).join(''));
	for await (const chunk of chunks) {
		const rows = decoder.write(chunk);
		if (rows.length) yield encode(rows);
	}
	const rest = decoder.end();
	if (rest.length) yield encode(rest);
}

function numberOrUndefined(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const n = Number(value);
	return Number.isFinite(n) ? n : undefined;
}
