import type { DataFormat, Delimiter } from '../codec';
import { PackageError } from '../helpers/errors';

/**
 * The rows of a lead import, whatever their origin, and how they are cut into Marketo batches.
 *
 * - Input Items: each item's mapped fields become one CSV row, encoded with the package codec.
 * - Binary File: the file's own bytes are sent untouched, record by record (RecordSplitter); the whole
 *   file is checked first (one streamed pass: header, delimiter, every record's width) so that a bad file
 *   is refused before anything reaches Marketo.
 *
 * Either way a source can be read several times (plan, upload, pairing failures back to rows) without
 * holding the file: `rows()` opens it anew each time. Batches stay under Marketo's 10 MB limit, cut on row
 * boundaries, each starting with the header.
 */

/** Marketo takes files under 10 MB; the margin covers the multipart envelope and MB vs MiB. */
export const MAX_BATCH_BYTES = 9_500_000;

/** The body is sent in blocks of this size (rows are copied together rather than sent one by one). */
const BLOCK_BYTES = 64 * 1024;

/** A problem with the user's input, found before anything was sent (and said so to the user). */
export class ImportInputError extends PackageError {
	constructor(message: string, description?: string) {
		super('IMPORT_INPUT', message, { description, consequence: 'Nothing was sent to Marketo.' });
	}
}

export interface SourceRow {
	/** The record as sent, line end included. */
	bytes: Uint8Array;
	/** 1-based number of the data row in the source (header and blank lines not counted). */
	row: number;
	/** Binary File: physical line where the record starts (the header is line 1). */
	line?: number;
	/** Input Items: index of the item the row was built from. */
	item?: number;
	/** Input Items, when asked for: the values as text, in header order (for pairing failures back). */
	texts?: string[];
}

export interface ImportSource {
	kind: 'items' | 'binary';
	format: DataFormat;
	delimiter: Delimiter;
	header: string[];
	headerBytes: Uint8Array;
	rowCount: number;
	fileName: string;
	/** The data rows in order; a new pass over the source per call. */
	rows(options?: { texts?: boolean }): AsyncGenerator<SourceRow>;
}

export interface BatchPlan {
	/** 1-based. */
	index: number;
	firstRow: number;
	lastRow: number;
	rows: number;
	/** Size of the batch file, header included. */
	bytes: number;
}

export interface BatchLimits {
	maxBytes?: number;
	/** 0 or undefined: no limit besides the size. */
	maxRows?: number;
}

export interface PreparedImport {
	source: ImportSource;
	batches: BatchPlan[];
}

/** Cuts rows into batches as their sizes come in. */
export class BatchPlanner {
	readonly batches: BatchPlan[] = [];
	private current: BatchPlan | undefined;
	private readonly maxBytes: number;
	private readonly maxRows: number;

	constructor(
		private readonly headerBytes: number,
		limits: BatchLimits = {},
	) {
		this.maxBytes = limits.maxBytes && limits.maxBytes > 0 ? limits.maxBytes : MAX_BATCH_BYTES;
		this.maxRows = limits.maxRows && limits.maxRows > 0 ? Math.floor(limits.maxRows) : Infinity;
	}

	/** Adds the next row; returns an error text when the row alone cannot fit in a batch. */
	add(row: number, bytes: number): string | undefined {
		if (this.headerBytes + bytes > this.maxBytes) {
			return `Row ${row} is ${bytes} bytes long: with the header it does not fit in one Marketo import file (under 10 MB)`;
		}
		const current = this.current;
		if (current && current.bytes + bytes <= this.maxBytes && current.rows < this.maxRows) {
			current.lastRow = row;
			current.rows++;
			current.bytes += bytes;
			return undefined;
		}
		this.current = {
			index: this.batches.length + 1,
			firstRow: row,
			lastRow: row,
			rows: 1,
			bytes: this.headerBytes + bytes,
		};
		this.batches.push(this.current);
		return undefined;
	}
}

export interface PreparedBatch {
	plan: BatchPlan;
	/** The batch file: header, then the rows, in blocks. */
	chunks: Uint8Array[];
}

/** The batches' files, one after the other, read from the source as they are asked for. */
export async function* batchesOf(
	source: ImportSource,
	plans: BatchPlan[],
): AsyncGenerator<PreparedBatch> {
	let p = 0;
	let blocks = new BlockWriter();
	blocks.add(source.headerBytes);
	for await (const row of source.rows()) {
		const plan = plans[p];
		if (!plan) break;
		blocks.add(row.bytes);
		if (row.row >= plan.lastRow) {
			const chunks = blocks.finish();
			yield { plan, chunks };
			p++;
			blocks = new BlockWriter();
			blocks.add(source.headerBytes);
		}
	}
	if (p < plans.length) {
		throw new ImportInputError(
			`The input changed while it was being imported: batch ${p + 1} of ${plans.length} found fewer rows than when the file was checked`,
		);
	}
}

/** Copies small pieces into blocks of BLOCK_BYTES, so that a batch is a few hundred chunks, not 100,000. */
class BlockWriter {
	private readonly blocks: Uint8Array[] = [];
	private block = new Uint8Array(BLOCK_BYTES);
	private used = 0;

	add(bytes: Uint8Array): void {
		let at = 0;
		while (at < bytes.length) {
			const n = Math.min(bytes.length - at, this.block.length - this.used);
			this.block.set(bytes.subarray(at, at + n), this.used);
			this.used += n;
			at += n;
			if (this.used === this.block.length) {
				this.blocks.push(this.block);
				this.block = new Uint8Array(BLOCK_BYTES);
				this.used = 0;
			}
		}
	}

	finish(): Uint8Array[] {
		if (this.used > 0) this.blocks.push(this.block.subarray(0, this.used));
		return this.blocks;
	}
}

/**
 * Refuses a header with an unnamed or repeated column, or without the lookup field; for a custom object
 * (`dedupeFields` given), without any of its dedupe fields: Marketo would fail every row of such a file.
 */
export function checkHeader(
	header: string[],
	lookupField: string,
	what: string,
	dedupeFields?: readonly string[],
): void {
	const lower = new Map<string, number>();
	header.forEach((name, i) => {
		if (name.trim() === '') {
			throw new ImportInputError(
				`Column ${i + 1} of the ${what} has no name`,
				'Every column needs the REST API name of a Marketo lead field (Admin > Field Management).',
			);
		}
		const key = name.trim().toLowerCase();
		if (lower.has(key)) {
			throw new ImportInputError(
				`The field "${name}" appears twice in the ${what} (columns ${(lower.get(key) as number) + 1} and ${i + 1})`,
				'Marketo matches columns to fields by name, ignoring case: each field may appear once.',
			);
		}
		lower.set(key, i);
	});
	if (dedupeFields) {
		// Untrimmed: Marketo reads " vin" as no field at all, and fails every row.
		const named = new Set(header.map((name) => name.toLowerCase()));
		const missing = dedupeFields.filter((name) => !named.has(name.toLowerCase()));
		if (missing.length > 0) {
			const names = missing.map((name) => `"${name}"`).join(', ');
			throw new ImportInputError(
				`The dedupe field${missing.length > 1 ? 's' : ''} ${names} ${missing.length > 1 ? 'are' : 'is'} not among the ${what} (${header.join(', ')})`,
				`Marketo finds the custom object record to create or update by its dedupe fields (${dedupeFields.join(', ')}), and fails every row of a file without them. Add ${missing.length > 1 ? 'these columns' : 'this column'} (spelled exactly, without spaces around the name).`,
			);
		}
		return;
	}
	if (lookupField && !lower.has(lookupField.trim().toLowerCase())) {
		throw new ImportInputError(
			`The lookup field "${lookupField}" is not among the ${what} (${header.join(', ')})`,
			`Marketo finds the lead to update by the lookup field, so every row must carry it. Add a "${lookupField}" column (or, in Lead Import, choose another Lookup Field; a program member import always finds leads by email).`,
		);
	}
}
