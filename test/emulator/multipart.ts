/** A small multipart/form-data parser for the import endpoint (bodies are at most ~10 MB, buffered). */

export interface Part {
	name: string;
	filename?: string;
	contentType?: string;
	data: Buffer;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
	if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
	const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
	return m ? (m[1] ?? m[2]).trim() : undefined;
}

/** Parses the body into its parts, or returns undefined when it is not well-formed multipart. */
export function parseMultipart(body: Buffer, boundary: string): Part[] | undefined {
	const delimiter = Buffer.from('--' + boundary);
	const parts: Part[] = [];
	let at = body.indexOf(delimiter);
	if (at < 0) return undefined;
	for (;;) {
		let cursor = at + delimiter.length;
		if (body[cursor] === 0x2d && body[cursor + 1] === 0x2d) return parts; // closing "--"
		if (body[cursor] === 0x0d) cursor++;
		if (body[cursor] !== 0x0a) return undefined;
		cursor++;
		const headerEnd = body.indexOf('\r\n\r\n', cursor);
		if (headerEnd < 0) return undefined;
		const headers = body.subarray(cursor, headerEnd).toString('utf8').split('\r\n');
		const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
		if (next < 0) return undefined;
		let name: string | undefined;
		let filename: string | undefined;
		let contentType: string | undefined;
		for (const h of headers) {
			const [key, ...rest] = h.split(':');
			const value = rest.join(':').trim();
			if (/^content-disposition$/i.test(key.trim())) {
				name = /\bname="([^"]*)"/i.exec(value)?.[1];
				filename = /\bfilename="([^"]*)"/i.exec(value)?.[1];
			} else if (/^content-type$/i.test(key.trim())) {
				contentType = value;
			}
		}
		if (name === undefined) return undefined;
		parts.push({ name, filename, contentType, data: body.subarray(headerEnd + 4, next) });
		at = next + 2;
	}
}
