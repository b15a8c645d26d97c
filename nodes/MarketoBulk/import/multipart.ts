import { randomBytes } from 'crypto';

/**
 * A hand-written `multipart/form-data` body (RFC 7578), for the bulk import upload: community nodes may not
 * depend on `form-data`, and the file must not be copied into one big buffer. The body is produced as a
 * stream of chunks: part headers, the file's own chunks untouched, the closing boundary.
 *
 * `stream()` can be called once per attempt (the transport replays an upload after a token refresh or a
 * transient error), so file parts are given as chunk arrays or as a function that opens the data anew.
 * When every part's length is known, `contentLength` is set and should be sent: Marketo then gets a plain
 * request instead of a chunked one.
 */

export interface MultipartField {
	name: string;
	content: string;
}

export interface MultipartFile {
	name: string;
	fileName: string;
	contentType: string;
	/** The file's bytes: chunks held in memory, or a function that streams them (called per attempt). */
	data: readonly Uint8Array[] | (() => AsyncIterable<Uint8Array> | Iterable<Uint8Array>);
	/** Byte length of `data`; computed for chunk arrays, required for a Content-Length with a function. */
	length?: number;
}

export type MultipartPart = MultipartField | MultipartFile;

export interface MultipartBody {
	boundary: string;
	/** The value of the Content-Type header, boundary included. */
	contentType: string;
	/** Exact byte length of the body, when every part's length is known. */
	contentLength: number | undefined;
	/** The body's bytes; a new generator (and a new pass over the file) per call. */
	stream(): AsyncGenerator<Uint8Array>;
}

const encoder = new TextEncoder();
const CRLF = '\r\n';

/** 24 random bytes: the chance that a file contains the boundary is nil, so files are not scanned for it. */
export function newBoundary(): string {
	return `----n8nMarketoBulk${randomBytes(24).toString('hex')}`;
}

/** Quotes a parameter of Content-Disposition the way browsers do (WHATWG multipart/form-data encoding). */
export function quoteParameter(value: string): string {
	return '"' + value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22') + '"';
}

function isFile(part: MultipartPart): part is MultipartFile {
	return 'data' in part;
}

function partHead(boundary: string, part: MultipartPart): string {
	let head = `--${boundary}${CRLF}Content-Disposition: form-data; name=${quoteParameter(part.name)}`;
	if (isFile(part)) {
		head += `; filename=${quoteParameter(part.fileName)}${CRLF}Content-Type: ${part.contentType}`;
	}
	return head + CRLF + CRLF;
}

function lengthOf(part: MultipartFile): number | undefined {
	if (typeof part.data !== 'function') {
		let total = 0;
		for (const chunk of part.data) total += chunk.length;
		return total;
	}
	return part.length;
}

export function multipartBody(
	parts: MultipartPart[],
	boundary: string = newBoundary(),
): MultipartBody {
	if (!/^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/.test(boundary)) {
		throw new Error(`Invalid multipart boundary: ${boundary}`);
	}
	// Everything but the file data, encoded once.
	const heads = parts.map((part) => encoder.encode(partHead(boundary, part)));
	const values = parts.map((part) => (isFile(part) ? undefined : encoder.encode(part.content)));
	const crlf = encoder.encode(CRLF);
	const close = encoder.encode(`--${boundary}--${CRLF}`);

	let contentLength: number | undefined = close.length;
	parts.forEach((part, i) => {
		const dataLength = isFile(part) ? lengthOf(part) : (values[i] as Uint8Array).length;
		contentLength =
			contentLength === undefined || dataLength === undefined
				? undefined
				: contentLength + heads[i].length + dataLength + crlf.length;
	});

	async function* stream(): AsyncGenerator<Uint8Array> {
		for (let i = 0; i < parts.length; i++) {
			const part = parts[i];
			yield heads[i];
			if (isFile(part)) {
				const data = typeof part.data === 'function' ? part.data() : part.data;
				for await (const chunk of data as AsyncIterable<Uint8Array>) {
					if (chunk.length > 0) yield chunk;
				}
			} else {
				yield values[i] as Uint8Array;
			}
			yield crlf;
		}
		yield close;
	}

	return {
		boundary,
		contentType: `multipart/form-data; boundary=${boundary}`,
		contentLength,
		stream,
	};
}
