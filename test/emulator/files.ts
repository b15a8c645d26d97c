/** Serving export files: Range requests, throttling, mid-transfer connection resets and clean truncation. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EXPORT_CONTENT_TYPES } from './csv';
import type { ExportJob } from './exports';
import type { FaultState } from './faults';
import type { ByteSink } from './bytesink';
import { checkpointFor, fileChunks, newChunkSink } from './filegen';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for backpressure to clear or the client to go away, leaving no listener behind. */
function drainedOrClosed(res: ServerResponse): Promise<void> {
	return new Promise((resolve) => {
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			resolve();
		};
		res.on('drain', done);
		res.on('close', done);
	});
}

type ByteRange = { start: number; end: number } | 'unsatisfiable' | undefined;

/** Parses a single `bytes=a-b`, `bytes=a-` or `bytes=-n`; anything else is ignored (whole file). */
export function parseRange(header: string | undefined, size: number): ByteRange {
	if (!header) return undefined;
	const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!m || (m[1] === '' && m[2] === '')) return undefined;
	let start: number;
	let end: number;
	if (m[1] === '') {
		const n = Number(m[2]);
		if (n === 0) return 'unsatisfiable';
		start = Math.max(0, size - n);
		end = size - 1;
	} else {
		start = Number(m[1]);
		end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
		if (m[2] !== '' && Number(m[2]) < start) return undefined;
	}
	if (start >= size) return 'unsatisfiable';
	return { start, end };
}

/** Streams a completed job's file, honouring Range, throttle and drop faults and backpressure. */
export async function serveFile(
	req: IncomingMessage,
	res: ServerResponse,
	job: ExportJob,
	faults: FaultState,
): Promise<void> {
	const size = job.fileSize!;
	const range = parseRange(req.headers.range, size);
	const headers: Record<string, string | number> = {
		'Content-Type': EXPORT_CONTENT_TYPES[job.format],
		'Accept-Ranges': 'bytes',
	};
	if (range === 'unsatisfiable') {
		res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
		res.end();
		return;
	}
	const start = range ? range.start : 0;
	const truncation = faults.takeTruncation();
	// A truncated answer is complete as sent: it ends (cleanly) before the bytes it should have held.
	const end = Math.min(
		range ? range.end : size - 1,
		truncation ? start + truncation.bytes - 1 : Infinity,
	);
	const announced = !truncation || truncation.contentLength;
	if (range) {
		res.writeHead(206, {
			...headers,
			...(announced
				? { 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 }
				: { 'Content-Range': `bytes ${start}-${range.end}/${size}` }),
		});
	} else if (truncation?.contentLength) {
		res.writeHead(200, { ...headers, 'Content-Length': end - start + 1 });
	} else {
		// Whole files go out chunked, without Content-Length, as a streaming origin would send them.
		res.writeHead(200, headers);
	}

	let closed = false;
	res.on('close', () => (closed = true));
	const dropAfter = faults.takeDrop();
	let sent = 0;

	const write = async (piece: Buffer, flushed?: () => void): Promise<boolean> => {
		if (dropAfter !== undefined && sent + piece.length >= dropAfter) {
			const last = piece.subarray(0, Math.max(0, dropAfter - sent));
			if (last.length) await new Promise<void>((r) => res.write(last, () => r()));
			// Give the bytes a moment to leave, then reset the connection mid-body.
			await sleep(20);
			const socket = res.socket as (typeof res.socket & { resetAndDestroy?: () => void }) | null;
			if (socket?.resetAndDestroy) socket.resetAndDestroy();
			else socket?.destroy();
			return false;
		}
		sent += piece.length;
		if (!res.write(piece, flushed)) await drainedOrClosed(res);
		return !closed;
	};

	/** Writes a piece, slowly if throttled; `flushed` runs once its last byte has left. */
	const throttled = async (piece: Buffer, flushed: () => void): Promise<boolean> => {
		let rest = piece;
		while (rest.length) {
			const bps = faults.throttleBps;
			if (!bps) return write(rest, flushed);
			// Slices of a twentieth of a second's budget keep the rate smooth.
			const slice = Math.max(1, Math.floor(bps / 20));
			const last = slice >= rest.length;
			if (!(await write(rest.subarray(0, slice), last ? flushed : undefined))) return false;
			rest = rest.subarray(slice);
			await sleep(50);
			if (closed) return false;
		}
		return true;
	};

	// Chunk buffers go back to a small pool once the socket has flushed them, so a long download
	// does not churn hundreds of megabytes of short-lived buffers through the garbage collector.
	const pool: ByteSink[] = [];
	const sinks = () => {
		const s = pool.pop();
		if (!s) return newChunkSink();
		s.pos = 0;
		return s;
	};
	const from = checkpointFor(job.checkpoints ?? [], start);
	let offset = from ? from.offset : 0;
	for (const { buf, sink } of fileChunks(job.source!, from, sinks)) {
		const chunkStart = offset;
		offset += buf.length;
		if (offset <= start) {
			pool.push(sink);
			continue;
		}
		const piece = buf.subarray(
			Math.max(0, start - chunkStart),
			Math.min(buf.length, end + 1 - chunkStart),
		);
		// The chunk's buffer is reused only after the socket has flushed its last byte.
		if (!(await throttled(piece, () => pool.push(sink)))) return;
		if (offset > end) break;
	}
	if (!closed) res.end();
}
