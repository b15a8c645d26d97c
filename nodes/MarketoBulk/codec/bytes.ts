/** Byte-level helpers shared by the codec and its callers (splitter, import planning, trigger sample). */

export const LF = 10;
export const CR = 13;
export const QUOTE = 34;

/** The parts joined into one array; a single part is returned as it is (no copy). */
export function concatBytes(parts: Uint8Array[], total?: number): Uint8Array {
	if (parts.length === 1) return parts[0];
	const out = new Uint8Array(total ?? parts.reduce((sum, part) => sum + part.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

/** An empty record or a bare line end (LF, CR or CRLF): what the decoder skips as a blank line. */
export function isBlank(bytes: Uint8Array): boolean {
	return (
		bytes.length === 0 ||
		(bytes.length === 1 && (bytes[0] === LF || bytes[0] === CR)) ||
		(bytes.length === 2 && bytes[0] === CR && bytes[1] === LF)
	);
}
