import { createHash } from 'crypto';

import { marketoStream, type MarketoContext } from '../transport';
import { exportJobPath } from '../transport/paths';
import { resumingBody } from '../transport/resume';
import type { ExportJobs } from './request';
import { toNodeReadable } from '../helpers/readable';
import { PackageError } from '../helpers/errors';

/**
 * Downloads an export file as a stream of chunks, never holding the file. A connection that drops (or a
 * body that ends short) is resumed with `Range: bytes=<received>-`; at the end the byte count and the
 * sha256 checksum Marketo reported are verified, and a mismatch fails the run instead of passing on bad
 * data. Consumers (the record decoder, n8n's binary store) read chunks as they arrive.
 */

export interface ExportFile {
	kind: ExportJobs;
	exportId: string;
	fileSize?: number;
	fileChecksum?: string;
}

export interface OpenedFile {
	chunks: AsyncIterable<Uint8Array>;
	/** Chunks (these, or a transformation of them) as a Node Readable, for n8n's `prepareBinaryData`. */
	readable(chunks: AsyncIterable<Uint8Array>): unknown;
	/** How many times the download was resumed after a dropped connection. */
	resumes(): number;
}

export const MAX_RESUMES = 10;

export async function openExportFile(ctx: MarketoContext, file: ExportFile): Promise<OpenedFile> {
	const path = exportJobPath(file.kind, file.exportId, 'file');
	const request = async (from: number) => {
		const response = await marketoStream(ctx, {
			method: 'GET',
			path,
			headers: from > 0 ? { Range: `bytes=${from}-` } : undefined,
			acceptStatus: [404, 410, 416],
		});
		if (response.statusCode === 404 || response.statusCode === 410) {
			response.body.destroy?.();
			throw new PackageError(
				'EXPORT_FILE_GONE',
				`Marketo reports export job ${file.exportId} as completed, but its file is not available (HTTP ${response.statusCode}).`,
				{
					description:
						'Marketo keeps export files for 7 days, and sometimes needs a moment after completion. Run the node again; if the job is older than 7 days, export again.',
				},
			);
		}
		if (response.statusCode === 416) {
			response.body.destroy?.();
			throw fileError(file, `Marketo refused to resume the download at byte ${from} (HTTP 416)`);
		}
		return response;
	};

	const body = await resumingBody(ctx, {
		open: request,
		expectedBytes: file.fileSize,
		maxResumes: MAX_RESUMES,
		gaveUp: (resumes, received, cause) =>
			fileError(
				file,
				`The download broke off again after ${resumes} resumes (last at byte ${received} of ${file.fileSize ?? '?'})${cause ? `: ${(cause as Error).message}` : ''}`,
			),
	});

	async function* chunks(): AsyncGenerator<Uint8Array> {
		const hash = createHash('sha256');
		let received = 0;
		for await (const chunk of body.chunks) {
			hash.update(chunk);
			received += chunk.length;
			yield chunk;
		}
		verify(file, received, hash.digest('hex'));
	}

	return {
		chunks: chunks(),
		readable: (source) => toNodeReadable(source),
		resumes: body.resumes,
	};
}

function verify(file: ExportFile, received: number, sha256: string): void {
	if (file.fileSize !== undefined && received !== file.fileSize) {
		throw fileError(file, `Received ${received} bytes, but Marketo reported ${file.fileSize}`);
	}
	const expected = /^sha256:([0-9a-f]{64})$/i.exec(file.fileChecksum ?? '')?.[1]?.toLowerCase();
	if (expected && expected !== sha256) {
		throw fileError(
			file,
			`The file's sha256 checksum (${sha256}) differs from the one Marketo reported (${expected})`,
		);
	}
}

function fileError(file: ExportFile, what: string): PackageError {
	return new PackageError(
		'EXPORT_FILE_BROKEN',
		`${what} for export job ${file.exportId}. No data was output.`,
		{
			description:
				'The file is still available for 7 days: run Download File (or the node) again. If it keeps failing, check the network between n8n and Marketo.',
		},
	);
}
