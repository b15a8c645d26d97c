/**
 * The package's one codec for Marketo's bulk files: CSV (','), TSV ('\t') and SSV (' ' or ';').
 *
 * Marketo writes the header on line 1, quotes a value only when it holds the delimiter, a double quote,
 * CR or LF (quotes doubled), and writes an empty value as the bare literal `null`. Files reach us as
 * Buffer chunks cut anywhere (inside a UTF-8 sequence, a quoted value, a CRLF or a doubled quote), so
 * the decoder keeps its state between chunks and never needs the whole file.
 *
 * The codec ships in the node package: the community-node scanner forbids every import but relative
 * ones (not even type-only imports of 'stream' or 'util'), so it uses only language built-ins, the
 * TextDecoder global and its own modules.
 *
 * Decisions a caller should know:
 * - Records end at LF or CRLF outside quotes. A lone CR outside quotes is data, and physical line
 *   numbers count LFs only (a CRLF is one line break). Inside quotes CR, LF and CRLF are kept exactly.
 * - Unquoted `null` (the nullLiteral) decodes to null; quoted `"null"` is the text null; an empty
 *   unquoted value is '' (Marketo never writes one, so we do not guess that it meant null).
 * - Blank lines are skipped (a Marketo record always has at least the text `null`); they still count
 *   as lines.
 * - A leading UTF-8 byte order mark is dropped.
 * - Text after a closing quote other than a delimiter or line end is an error (CsvError): it means
 *   the file is not what Marketo writes, and guessing would shift values into the wrong columns.
 */

import { CR, LF, QUOTE } from './bytes';
import { detectDelimiter, type DataFormat, type Delimiter } from './delimiter';
import { CsvError } from './errors';

// The build config compiles with `types: []` (no Node or DOM typings), yet Node ≥ 11 has TextDecoder as a
// global; declaring the part we use keeps the codec free of outside imports and compilable under both configs.
declare class TextDecoder {
	constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
	decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

const BOM = 0xfeff;

export interface DecodedRow {
	values: Array<string | null>;
	/** 1-based physical line where the record starts (the header is line 1). */
	line: number;
}

export interface DecoderOptions {
	/** Fixed delimiter; without it the header line decides (see detectDelimiter). */
	delimiter?: Delimiter;
	/** The format the job was created with; guides detection (SSV: ' ' or ';'). */
	format?: DataFormat;
	/** Unquoted text that decodes to null; default 'null'; null keeps every value as text. */
	nullLiteral?: string | null;
}

// Parser states between fields; kept as numbers because the hot loop compares them per field.
const AT_FIELD = 0; // at the start of a field (or of a record when `row` is null)
const IN_QUOTES = 1; // inside a quoted value; `acc` holds its unescaped text so far
const AFTER_QUOTE = 2; // just after a closing quote; `acc` holds the finished value

/**
 * Streaming decoder. `write` returns the records completed by the chunk (the first record of the file
 * is the header); values are strings, or null for the null literal.
 *
 * Speed: the text is decoded with one streaming TextDecoder, and the parser jumps with indexOf to the
 * next LF, quote and delimiter (positions are cached, so each is searched once per occurrence). A line
 * without quotes is split with slices only; only quoted values are unescaped.
 */
export class CsvDecoder {
	private readonly utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
	private readonly format: DataFormat | undefined;
	private readonly nullLiteral: string | null;
	private delim: Delimiter | undefined;
	private bytesPending = false; // the TextDecoder may hold the start of a split UTF-8 sequence
	private started = false; // a BOM is only dropped at the very start of the file
	private ended = false;
	/** Undecoded text: starts at the current record, or at the current field of a partial record. */
	private buf = '';
	/** Physical line at buf[0]. */
	private line = 1;
	private row: Array<string | null> | null = null;
	private recordLine = 1;
	private quoteLine = 1;
	private state = AT_FIELD;
	private acc = '';
	// Header scan before the delimiter is known (offsets into buf, which is not consumed meanwhile).
	private headerScan = 0;
	private headerInQuote = false;
	private headerLineStart = 0;

	constructor(options: DecoderOptions = {}) {
		this.delim = options.delimiter;
		this.format = options.format;
		this.nullLiteral = options.nullLiteral === undefined ? 'null' : options.nullLiteral;
	}

	/** The delimiter in use: the one given, else known once the header line has been seen. */
	get delimiter(): Delimiter | undefined {
		return this.delim;
	}

	/** Feed a chunk; returns the complete records decoded so far (the first one is the header). */
	write(chunk: Uint8Array | string): DecodedRow[] {
		if (this.ended) throw new Error('CsvDecoder: write() after end()');
		let text: string;
		if (typeof chunk === 'string') {
			// Bytes of a split character still waiting in the TextDecoder come before this text.
			text = this.bytesPending ? this.utf8.decode() + chunk : chunk;
			this.bytesPending = false;
		} else {
			text = this.utf8.decode(chunk, { stream: true });
			this.bytesPending = true;
		}
		return this.push(text, false);
	}

	/** Flush; throws CsvError on an unterminated quote. */
	end(): DecodedRow[] {
		if (this.ended) return [];
		const text = this.bytesPending ? this.utf8.decode() : '';
		this.bytesPending = false;
		this.ended = true;
		return this.push(text, true);
	}

	private push(text: string, final: boolean): DecodedRow[] {
		if (!this.started && text.length > 0) {
			this.started = true;
			if (text.charCodeAt(0) === BOM) text = text.slice(1);
		}
		if (text.length > 0) this.buf = this.buf.length > 0 ? this.buf + text : text;
		if (this.delim === undefined && !this.findHeader(final)) return [];
		return this.parse(final);
	}

	/** Finds the first non-blank line (LF outside quotes) and detects the delimiter from it. */
	private findHeader(final: boolean): boolean {
		const s = this.buf;
		let i = this.headerScan;
		let inQuote = this.headerInQuote;
		let lineStart = this.headerLineStart;
		for (; i < s.length; i++) {
			const c = s.charCodeAt(i);
			if (c === QUOTE) inQuote = !inQuote;
			else if (c === LF && !inQuote) {
				const blank = i === lineStart || (i === lineStart + 1 && s.charCodeAt(lineStart) === CR);
				if (!blank) {
					this.delim = detectDelimiter(s.slice(lineStart, i), this.format);
					return true;
				}
				lineStart = i + 1;
			}
		}
		this.headerScan = i;
		this.headerInQuote = inQuote;
		this.headerLineStart = lineStart;
		if (final && s.length > lineStart) {
			this.delim = detectDelimiter(s.slice(lineStart), this.format);
			return true;
		}
		return false;
	}

	private parse(final: boolean): DecodedRow[] {
		const out: DecodedRow[] = [];
		const s = this.buf;
		const n = s.length;
		const delim = this.delim as Delimiter;
		const delimCode = delim.charCodeAt(0);
		const nullLiteral = this.nullLiteral;
		const nullLength = nullLiteral === null ? -1 : nullLiteral.length;
		const null0 = nullLength > 0 ? (nullLiteral as string).charCodeAt(0) : -1;

		let pos = 0;
		let line = this.line;
		let row = this.row;
		let recordLine = this.recordLine;
		let quoteLine = this.quoteLine;
		let state = this.state;
		let acc = this.acc;
		// Next LF / quote / delimiter at or after the position they were searched from; n = none left.
		// A cached value below pos is stale and searched again.
		let nl = -1;
		let q = -1;
		let nd = -1;

		for (;;) {
			if (row === null) {
				// At the start of a record.
				if (pos >= n) break;
				if (nl < pos) {
					nl = s.indexOf('\n', pos);
					if (nl < 0) nl = n;
				}
				if (q < pos) {
					q = s.indexOf('"', pos);
					if (q < 0) q = n;
				}
				// A partial line without quotes is short: wait for the rest rather than keep state.
				if (nl === n && q === n && !final) break;
				if (q >= nl) {
					// Fast path: the whole line is here and holds no quote, so it is one record.
					let end = nl;
					if (end > pos && s.charCodeAt(end - 1) === CR) end--;
					if (end > pos) {
						const values: Array<string | null> = [];
						let start = pos;
						for (;;) {
							if (nd < start) {
								nd = s.indexOf(delim, start);
								if (nd < 0) nd = n;
							}
							const stop = nd < end ? nd : end;
							const len = stop - start;
							if (
								len === nullLength &&
								(len === 0 ||
									(s.charCodeAt(start) === null0 && s.startsWith(nullLiteral as string, start)))
							) {
								values.push(null);
							} else {
								values.push(s.slice(start, stop));
							}
							if (stop === end) break;
							start = stop + 1;
						}
						out.push({ values, line });
					}
					if (nl < n) line++;
					pos = nl + 1;
					continue;
				}
				row = [];
				recordLine = line;
				state = AT_FIELD;
			}

			// General path: field by field, across chunks, for records holding quotes.
			if (state === AT_FIELD) {
				if (pos >= n) {
					if (!final) break;
					// The data ends right after a delimiter: the last value is empty.
					row.push(nullLength === 0 ? null : '');
					out.push({ values: row, line: recordLine });
					row = null;
					break;
				}
				if (s.charCodeAt(pos) === QUOTE) {
					state = IN_QUOTES;
					quoteLine = line;
					acc = '';
					pos++;
				} else {
					// Unquoted value: up to the next delimiter or LF. A quote inside it is literal.
					if (nd < pos) {
						nd = s.indexOf(delim, pos);
						if (nd < 0) nd = n;
					}
					if (nl < pos) {
						nl = s.indexOf('\n', pos);
						if (nl < 0) nl = n;
					}
					const stop = nd < nl ? nd : nl;
					if (stop === n && !final) break; // keep the partial value in buf
					const atDelimiter = stop === nd && stop < n;
					let end = stop;
					if (!atDelimiter && end > pos && s.charCodeAt(end - 1) === CR) end--;
					const len = end - pos;
					if (
						len === nullLength &&
						(len === 0 || (s.charCodeAt(pos) === null0 && s.startsWith(nullLiteral as string, pos)))
					) {
						row.push(null);
					} else {
						row.push(s.slice(pos, end));
					}
					if (atDelimiter) {
						pos = stop + 1;
						continue;
					}
					out.push({ values: row, line: recordLine });
					row = null;
					if (stop < n) line++;
					pos = stop + 1;
					continue;
				}
			}

			if (state === IN_QUOTES) {
				let paused = false;
				for (;;) {
					if (q < pos) {
						q = s.indexOf('"', pos);
						if (q < 0) q = n;
					}
					// Line breaks inside the value still count as physical lines.
					if (nl < pos) {
						nl = s.indexOf('\n', pos);
						if (nl < 0) nl = n;
					}
					while (nl < q) {
						line++;
						nl = s.indexOf('\n', nl + 1);
						if (nl < 0) nl = n;
					}
					if (q === n) {
						if (final) {
							throw new CsvError(
								quoteLine,
								`Line ${quoteLine}: the quoted value in column ${row.length + 1} is never closed (unterminated quote at the end of the file)`,
							);
						}
						acc += s.slice(pos);
						pos = n;
						paused = true;
						break;
					}
					if (q + 1 >= n && !final) {
						// Doubled quote or closing quote? The next chunk tells; keep the quote in buf.
						acc += s.slice(pos, q);
						pos = q;
						paused = true;
						break;
					}
					if (q + 1 < n && s.charCodeAt(q + 1) === QUOTE) {
						acc += s.slice(pos, q + 1);
						pos = q + 2;
						continue;
					}
					acc += s.slice(pos, q);
					pos = q + 1;
					state = AFTER_QUOTE;
					break;
				}
				if (paused) break;
			}

			// AFTER_QUOTE: a delimiter, a line end or the end of the data must follow.
			if (pos >= n) {
				if (!final) break;
				row.push(acc);
				acc = '';
				out.push({ values: row, line: recordLine });
				row = null;
				state = AT_FIELD;
				break;
			}
			const c = s.charCodeAt(pos);
			if (c === delimCode) {
				row.push(acc);
				acc = '';
				state = AT_FIELD;
				pos++;
				continue;
			}
			if (c === CR && pos + 1 >= n && !final) break; // CRLF split between chunks
			const crlf = c === CR && (pos + 1 >= n || s.charCodeAt(pos + 1) === LF);
			if (c === LF || crlf) {
				row.push(acc);
				acc = '';
				out.push({ values: row, line: recordLine });
				row = null;
				state = AT_FIELD;
				if (c === LF || pos + 1 < n) line++;
				pos += c === LF ? 1 : 2;
				continue;
			}
			throw new CsvError(
				line,
				`Line ${line}: unexpected text after the closing quote of column ${row.length + 1} (a quote inside a quoted value must be doubled)`,
			);
		}

		this.buf = pos >= n ? '' : s.slice(pos);
		this.line = line;
		this.row = row;
		this.recordLine = recordLine;
		this.quoteLine = quoteLine;
		this.state = state;
		this.acc = acc;
		return out;
	}
}
