/**
 * Export files are never stored: they are generated from (data version, plan, columns) every time they
 * are read. A completed job keeps only checkpoints — byte offsets of chunk starts — so a Range request
 * resumes generation near its first byte instead of from the top.
 */
import { createHash } from 'node:crypto';
import { EXPORT_DELIMITERS, exportCell, makeEscaper, type ExportFormat } from './csv';
import type { DataStore, Plan } from './store';
import type { FieldGen } from './synthetic';
import type { LeadValues } from './types';

const CHUNK_CHARS = 64 * 1024;

export interface FileSource {
	header: string;
	plan: Plan;
	row: (pos: number) => string;
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
	const gens: FieldGen[] = fields.map((f) => store.leadGenerators()[f]);
	// One generator set per file: each carries its own date-format cache.
	const own = store.leadGenerators();
	for (let k = 0; k < fields.length; k++) gens[k] = own[fields[k]];
	const n = fields.length;
	const fromValues = (values: LeadValues): string => {
		let s = exportCell(values[fields[0]], esc);
		for (let k = 1; k < n; k++) s += d + exportCell(values[fields[k]], esc);
		return s + '\n';
	};
	const base = store.baseLeads;
	return {
		header: headers.map(esc).join(d) + '\n',
		plan,
		row: (id: number): string => {
			if (store.hasRevisions) {
				const rev = store.revisionAt(id, v);
				if (rev) return fromValues(rev);
			}
			if (id > base) return fromValues(store.lead(id, v)!);
			const i = id - 1;
			let s = exportCell(gens[0](i), esc);
			for (let k = 1; k < n; k++) s += d + exportCell(gens[k](i), esc);
			return s + '\n';
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
	const dateCol = fields.indexOf('activityDate');
	const n = fields.length;
	return {
		header: headers.map(esc).join(d) + '\n',
		plan,
		row: (i: number): string => {
			const added = store.addedActivityAt(i) !== undefined ? store.activity(i) : undefined;
			let s = '';
			for (let k = 0; k < n; k++) {
				const value = added ? added[fields[k]] : k === dateCol ? gens[k](i) : gens[k](i);
				s += (k ? d : '') + exportCell(value, esc);
			}
			return s + '\n';
		},
	};
}

/**
 * Yields the file as buffers of about 64 KiB, each ending on a row boundary, together with the
 * checkpoint where the next buffer starts. Without `from`, starts with the header.
 */
export function* fileChunks(src: FileSource, from?: Checkpoint): Generator<{ buf: Buffer; next: Checkpoint }> {
	const { plan, row } = src;
	let chunk = from ? '' : src.header;
	let offset = from ? from.offset : 0;
	const startSeg = from ? from.seg : 0;
	for (let seg = startSeg; seg < plan.length; seg++) {
		const s = plan[seg];
		if ('ids' in s) {
			const ids = s.ids;
			for (let k = seg === startSeg && from ? from.pos : 0; k < ids.length; k++) {
				chunk += row(ids[k]);
				if (chunk.length >= CHUNK_CHARS) {
					const buf = Buffer.from(chunk);
					offset += buf.length;
					chunk = '';
					yield { buf, next: { seg, pos: k + 1, offset } };
				}
			}
		} else {
			const { to, test } = s;
			for (let p = seg === startSeg && from ? from.pos : s.from; p <= to; p++) {
				if (test && !test(p)) continue;
				chunk += row(p);
				if (chunk.length >= CHUNK_CHARS) {
					const buf = Buffer.from(chunk);
					offset += buf.length;
					chunk = '';
					yield { buf, next: { seg, pos: p + 1, offset } };
				}
			}
		}
	}
	if (chunk.length > 0) {
		const buf = Buffer.from(chunk);
		offset += buf.length;
		yield { buf, next: { seg: plan.length, pos: 0, offset } };
	}
}

/**
 * Reads the whole file once to learn its size, record count and sha256, yielding to the event loop
 * regularly so the server stays responsive while a large job "processes".
 */
export async function digestFile(src: FileSource, cancelled: () => boolean): Promise<FileDigest | undefined> {
	const hash = createHash('sha256');
	const checkpoints: Checkpoint[] = [];
	let size = 0;
	let records = 0;
	let sinceYield = 0;
	// Count rows separately from bytes: the plan's positions are the records.
	const counting: FileSource = {
		...src,
		row: (pos) => {
			records++;
			return src.row(pos);
		},
	};
	for (const { buf, next } of fileChunks(counting)) {
		hash.update(buf);
		size = next.offset;
		checkpoints.push(next);
		if (++sinceYield >= 16) {
			sinceYield = 0;
			await new Promise((r) => setImmediate(r));
			if (cancelled()) return undefined;
		}
	}
	if (size === 0) {
		// A file always has its header; an empty plan still yields it.
		const buf = Buffer.from(src.header);
		hash.update(buf);
		size = buf.length;
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
