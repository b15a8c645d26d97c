/** The byte splitter: raw records of a delimited file, cut without decoding. */

import { concatBytes, LF, QUOTE } from './bytes';
import { CsvError } from './errors';

/**
 * Cuts a byte stream into raw records (each with its line terminator, bytes untouched) without
 * decoding, for batching an import file under Marketo's 10 MB limit. A record ends at an LF outside
 * quotes; quote and LF bytes never occur inside a multi-byte UTF-8 sequence, so bytes are safe to scan
 * in any encoding Marketo accepts. The one change made: a UTF-8 BOM at the very start is dropped, since
 * the first record (the header) is repeated at the top of every batch.
 *
 * Records are views into the chunk they came from (no copy), except one that spans chunks. Blank
 * lines are passed through as records.
 */
export class RecordSplitter {
	private inQuote = false;
	private carry: Uint8Array[] = [];
	private carryLength = 0;
	private started = false;
	/** Physical line (LFs counted, inside quotes too) where the current record starts. */
	private line = 1;
	private recordLine = 1;

	/** Feed bytes; returns the complete raw records they finished, in order. */
	write(chunk: Uint8Array): Uint8Array[] {
		let c = chunk;
		if (!this.started) {
			// Wait for three bytes so that a BOM split across chunks is still recognised.
			if (this.carryLength + c.length < 3) {
				this.carry.push(c.slice());
				this.carryLength += c.length;
				return [];
			}
			this.started = true;
			if (this.carryLength > 0) {
				c = concatBytes([...this.carry, c], this.carryLength + c.length);
				this.carry = [];
				this.carryLength = 0;
			}
			if (c[0] === 0xef && c[1] === 0xbb && c[2] === 0xbf) c = c.subarray(3);
		}
		const out: Uint8Array[] = [];
		const n = c.length;
		let inQuote = this.inQuote;
		let line = this.line;
		let start = 0;
		let i = 0;
		let nl = -1;
		let q = -1;
		while (i < n) {
			if (q < i) {
				q = c.indexOf(QUOTE, i);
				if (q < 0) q = n;
			}
			if (nl < i) {
				nl = c.indexOf(LF, i);
				if (nl < 0) nl = n;
			}
			if (inQuote) {
				// Doubled quotes toggle twice, so simple toggling tracks quoted spans exactly.
				while (nl < q) {
					line++;
					nl = c.indexOf(LF, nl + 1);
					if (nl < 0) nl = n;
				}
				if (q === n) break;
				inQuote = false;
				i = q + 1;
				continue;
			}
			if (q < nl) {
				inQuote = true;
				i = q + 1;
				continue;
			}
			if (nl === n) break;
			const record = c.subarray(start, nl + 1);
			if (this.carryLength > 0) {
				this.carry.push(record);
				out.push(concatBytes(this.carry, this.carryLength + record.length));
				this.carry = [];
				this.carryLength = 0;
			} else {
				out.push(record);
			}
			line++;
			this.recordLine = line;
			start = i = nl + 1;
		}
		if (start < n) {
			// Copied: the caller may reuse its chunk buffer once write() returns.
			this.carry.push(c.slice(start));
			this.carryLength += n - start;
		}
		this.inQuote = inQuote;
		this.line = line;
		return out;
	}

	/** The rest: a final record without a line end, if any. Throws CsvError on an unterminated quote. */
	end(): Uint8Array[] {
		if (this.inQuote) {
			throw new CsvError(
				this.recordLine,
				`Line ${this.recordLine}: a quoted value in the record starting on this line is never closed (unterminated quote at the end of the file)`,
			);
		}
		if (this.carryLength === 0) return [];
		let rest = concatBytes(this.carry, this.carryLength);
		if (!this.started && rest[0] === 0xef && rest[1] === 0xbb && rest[2] === 0xbf) {
			rest = rest.subarray(3);
		}
		this.started = true;
		this.carry = [];
		this.carryLength = 0;
		return rest.length > 0 ? [rest] : [];
	}
}
