/**
 * Export files are never stored: they are generated from (data version, plan, columns) every time they
 * are read. A completed job keeps only checkpoints — byte offsets of chunk starts — so a Range request
 * resumes generation near its first byte instead of from the top.
 *
 */
import { createHash } from 'node:crypto';
import { EXPORT_DELIMITERS, exportCell, makeEscaper, type ExportFormat } from './csv';
import type { DataStore, Plan } from './store';
import { ByteSink } from './bytesink';
import { leadCellWriters, type CellWriter } from './synthetic';
import type { LeadValues } from './types';

const CHUNK_BYTES = 256 * 1024;

export interface FileSource {
	header: string;
	plan: Plan;
	writeRow: (pos: number, sink: ByteSink) => void;
}

export interface Checkpoint {
	seg: number;
	pos: number;
	offset: number;
}

export interface FileDigest {
	size: number;
	records: number;
	checksum: string;
	checkpoints: Checkpoint[];
}

function rowFromValues(
	values: Record<string, string | null>,
	fields: string[],
	d: string,
	esc: (v: string) => string,
): string {
	let s = exportCell(values[fields[0]], esc);
	for (let k = 1; k < fields.length; k++) s += d + exportCell(values[fields[k]], esc);
	return s + '\n';
}

/**
 * One synthetic row: every cell writer, delimiters between, LF at the end. The function is generated
 * so that each writer is called from its own call site, which V8 can inline; a loop over the writers
 * would make one megamorphic call site and cost a third of the generation time.
 */
function rowWriter(cells: CellWriter[], delimiter: number): (i: number, sink: ByteSink) => void {
	const names = cells.map((_, k) => `c${k}`);
	const body =
		names.map((c, k) => (k ? `s.byte(${delimiter});` : '') + `${c}(i, s);`).join('') +
		's.byte(10);';
	return new Function(...names, `return function row(i, s) { ${body} };`)(...cells);
}

export function leadFileSource(
	store: DataStore,
	v: number,
	plan: Plan,
	fields: string[],
	headers: string[],
	format: ExportFormat,
): FileSource {
	const d = EXPORT_DELIMITERS[format];
	const esc = makeEscaper(d);
	const own = leadCellWriters(store.leadTimeline, esc);
	const fast = rowWriter(
		fields.map((f) => own[f]),
		d.charCodeAt(0),
	);
	const base = store.baseLeads;
	const slow = (values: LeadValues, sink: ByteSink) =>
		sink.utf8(rowFromValues(values, fields, d, esc));
	return {
		header: headers.map(esc).join(d) + '\n',
		plan,
		writeRow: (id: number, sink: ByteSink): void => {
			if (store.hasRevisions) {
				const rev = store.revisionAt(id, v);
				if (rev) return slow(rev, sink);
			}
			if (id > base) return slow(store.lead(id, v)!, sink);
			fast(id - 1, sink);
		},
	};
}

export function activityFileSource(
	store: DataStore,
	plan: Plan,
	fields: string[],
	headers: string[],
	format: ExportFormat,
): FileSource {
	const d = EXPORT_DELIMITERS[format];
	const esc = makeEscaper(d);
	const own = store.activityGenerators();
	const gens = fields.map((f) => own[f]);
	return {
		header: headers.map(esc).join(d) + '\n',
		plan,
		writeRow: (i: number, sink: ByteSink): void => {
			// Activities added later carry their own activityDate; the rest is the synthetic row.
			if (store.addedActivityAt(i) !== undefined)
				return sink.utf8(rowFromValues(store.activity(i), fields, d, esc));
			let s = exportCell(gens[0](i), esc);
			for (let k = 1; k < gens.length; k++) s += d + exportCell(gens[k](i), esc);
			sink.utf8(s + '\n');
		},
	};
}

/** Hands out empty sinks for chunks; a download returns them once the socket is done with them. */
export type SinkSource = () => ByteSink;

export const newChunkSink: SinkSource = () => new ByteSink(CHUNK_BYTES + 16 * 1024);

/**
 * Yields the file as buffers of about 256 KiB, each ending on a row boundary, together with the
 * checkpoint where the next buffer starts and the sink that holds the bytes. Without `from`, starts
 * with the header.
 */
export function* fileChunks(
	src: FileSource,
	from?: Checkpoint,
	sinks: SinkSource = newChunkSink,
): Generator<{ buf: Buffer; next: Checkpoint; sink: ByteSink }> {
	const { plan, writeRow } = src;
	let sink = sinks();
	if (!from) sink.utf8(src.header);
	let offset = from ? from.offset : 0;
	const startSeg = from ? from.seg : 0;
	const flush = (seg: number, pos: number) => {
		const full = sink;
		const buf = full.buf.subarray(0, full.pos);
		offset += buf.length;
		sink = sinks();
		return { buf, next: { seg, pos, offset }, sink: full };
	};
	for (let seg = startSeg; seg < plan.length; seg++) {
		const s = plan[seg];
		if ('ids' in s) {
			const ids = s.ids;
			for (let k = seg === startSeg && from ? from.pos : 0; k < ids.length; k++) {
				writeRow(ids[k], sink);
				if (sink.pos >= CHUNK_BYTES) yield flush(seg, k + 1);
			}
		} else {
			const { to, test } = s;
			for (let p = seg === startSeg && from ? from.pos : s.from; p <= to; p++) {
				if (test && !test(p)) continue;
				writeRow(p, sink);
				if (sink.pos >= CHUNK_BYTES) yield flush(seg, p + 1);
			}
		}
	}
	if (sink.pos > 0) yield flush(plan.length, 0);
}

/**
 * Reads the whole file once to learn its size, record count and sha256, yielding to the event loop
 * regularly so the server stays responsive while a large job "processes".
 */
export async function digestFile(
	src: FileSource,
	cancelled: () => boolean,
): Promise<FileDigest | undefined> {
	const hash = createHash('sha256');
	const checkpoints: Checkpoint[] = [];
	let size = 0;
	let records = 0;
	let sinceYield = 0;
	const counting: FileSource = {
		...src,
		writeRow: (pos, sink) => {
			records++;
			src.writeRow(pos, sink);
		},
	};
	// Hashing copies nothing, so one sink can be reused for every chunk.
	const one = newChunkSink();
	const reuse: SinkSource = () => ((one.pos = 0), one);
	for (const { buf, next } of fileChunks(counting, undefined, reuse)) {
		hash.update(buf);
		size = next.offset;
		checkpoints.push(next);
		if (++sinceYield >= 16) {
			sinceYield = 0;
			await new Promise((r) => setImmediate(r));
			if (cancelled()) return undefined;
		}
	}
	return { size, records, checksum: 'sha256:' + hash.digest('hex'), checkpoints };
}

/** The last checkpoint at or before byte `start`, or undefined to start at the top. */
export function checkpointFor(checkpoints: Checkpoint[], start: number): Checkpoint | undefined {
	let lo = 0;
	let hi = checkpoints.length - 1;
	let best: Checkpoint | undefined;
	while (lo <= hi) {
		const mid = (lo + hi) >>> 1;
		if (checkpoints[mid].offset <= start) {
			best = checkpoints[mid];
			lo = mid + 1;
		} else hi = mid - 1;
	}
	return best;
}
