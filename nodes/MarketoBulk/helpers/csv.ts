/**
 * The package's one codec for Marketo's bulk files: CSV (','), TSV ('\t') and SSV (' ' or ';').
 *
 * Marketo writes the header on line 1, quotes a value only when it holds the delimiter, a double quote,
 * CR or LF (quotes doubled), and writes an empty value as the bare literal `null`. Files reach us as
 * Buffer chunks cut anywhere (inside a UTF-8 sequence, a quoted value, a CRLF or a doubled quote), so
 * the decoder keeps its state between chunks and never needs the whole file.
 *
 * This file ships in the node package: the community-node scanner forbids every import but relative
 * ones (not even type-only imports of 'stream' or 'util'), so it uses only language built-ins and the
 * TextDecoder global.
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

// The build config compiles with `types: []` (no Node or DOM typings), yet Node ≥ 11 has TextDecoder as a
// global; declaring the part we use keeps this file free of imports and compilable under both configs.
declare class TextDecoder {
	constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
	decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

export type ExportFormat = 'CSV' | 'TSV' | 'SSV';
export type Delimiter = ',' | '\t' | ' ' | ';';

const LF = 10;
const CR = 13;
const QUOTE = 34;
const BOM = 0xfeff;

/** The delimiter Marketo's extract docs give for a format; SSV may also be ';' (see detectDelimiter). */
export function delimiterFor(format: ExportFormat): Delimiter {
	// Users and older workflows may hold the lower-case spelling the import endpoint uses ('tsv').
	switch (String(format).toUpperCase()) {
		case 'TSV':
			return '\t';
		case 'SSV':
			return ' ';
		default:
			return ',';
	}
}

function delimiterName(d: Delimiter): string {
	return d === ',' ? 'comma' : d === '\t' ? 'tab' : d === ';' ? 'semicolon' : 'space';
}

/**
 * Which delimiter a header line uses, counting candidates outside quotes.
 *
 * With `expected` the format's own delimiter wins whenever it appears; if it does not appear but
 * another one does, the file disagrees with the format and the one actually present wins (better than
 * decoding every record into one column). For SSV (the extract docs say space, the import doc says
 * semicolon) a ';' wins over ' ', because a renamed header ('First Name') often holds a space while a
 * field name practically never holds a semicolon. Spaces are considered only for SSV or as the last
 * resort without `expected`, since headers with spaces are common in CSV and TSV.
 */
export function detectDelimiter(headerLine: string, expected?: ExportFormat): Delimiter {
	let comma = 0;
	let tab = 0;
	let semi = 0;
	let space = 0;
	let inQuote = false;
	for (let i = 0; i < headerLine.length; i++) {
		const c = headerLine.charCodeAt(i);
		if (c === QUOTE) inQuote = !inQuote;
		else if (inQuote) continue;
		else if (c === 44) comma++;
		else if (c === 9) tab++;
		else if (c === 59) semi++;
		else if (c === 32) space++;
	}
	// The most frequent of the given candidates, first listed wins a tie; undefined if none appears.
	const best = (...candidates: Array<[Delimiter, number]>): Delimiter | undefined => {
		let pick: Delimiter | undefined;
		let max = 0;
		for (const [d, count] of candidates) {
			if (count > max) {
				max = count;
				pick = d;
			}
		}
		return pick;
	};
	const format = expected === undefined ? undefined : String(expected).toUpperCase();
	if (format === 'SSV') {
		if (semi > 0) return ';';
		if (space > 0) return ' ';
		return best([',', comma], ['\t', tab]) ?? ' ';
	}
	if (format === 'TSV') {
		if (tab > 0) return '\t';
		return best([',', comma], [';', semi]) ?? '\t';
	}
	if (format === 'CSV') {
		if (comma > 0) return ',';
		return best(['\t', tab], [';', semi]) ?? ',';
	}
	return best([',', comma], ['\t', tab], [';', semi]) ?? (space > 0 ? ' ' : ',');
}

export interface DecodedRow {
	values: Array<string | null>;
	/** 1-based physical line where the record starts (the header is line 1). */
	line: number;
}

export class CsvError extends Error {
	/** 1-based physical line of the problem. */
	line: number;

	constructor(line: number, message: string) {
		super(message);
		this.name = 'CsvError';
		this.line = line;
	}
}

export interface DecoderOptions {
	/** Fixed delimiter; without it the header line decides (see detectDelimiter). */
	delimiter?: Delimiter;
	/** The format the job was created with; guides detection (SSV: ' ' or ';'). */
	format?: ExportFormat;
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
	private readonly format: ExportFormat | undefined;
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

/** Typed record builder: which JSON type a column's text becomes. */
export type FieldKind = 'string' | 'integer' | 'float' | 'boolean' | 'json';

const K_STRING = 0;
const K_INTEGER = 1;
const K_FLOAT = 2;
const K_BOOLEAN = 3;
const K_JSON = 4;

function kindCode(kind: FieldKind | undefined): number {
	switch (kind) {
		case 'integer':
			return K_INTEGER;
		case 'float':
			return K_FLOAT;
		case 'boolean':
			return K_BOOLEAN;
		case 'json':
			return K_JSON;
		default:
			return K_STRING;
	}
}

/** Decimal integer text → number; anything else (or beyond 2^53) stays text, never NaN or rounded. */
function toInteger(v: string): string | number {
	const len = v.length;
	let i = 0;
	let c = v.charCodeAt(0);
	if (c === 45 || c === 43) i = 1; // '-' '+'
	if (i >= len) return v;
	for (; i < len; i++) {
		c = v.charCodeAt(i);
		if (c < 48 || c > 57) return v;
	}
	const num = Number(v);
	if (!Number.isSafeInteger(num)) return v;
	return num === 0 ? 0 : num; // no -0 from '-0'
}

/** Decimal number text (Java's '1.0E7' too) → number; Number() alone would accept '', ' ', '0x1f'. */
function toFloat(v: string): string | number {
	const len = v.length;
	let i = 0;
	let c = v.charCodeAt(0);
	if (c === 45 || c === 43) i++;
	let digits = 0;
	while (i < len && (c = v.charCodeAt(i)) >= 48 && c <= 57) {
		i++;
		digits++;
	}
	if (i < len && v.charCodeAt(i) === 46) {
		i++;
		while (i < len && (c = v.charCodeAt(i)) >= 48 && c <= 57) {
			i++;
			digits++;
		}
	}
	if (digits === 0) return v;
	if (i < len && (v.charCodeAt(i) | 32) === 101) {
		// 'e' or 'E'
		i++;
		if (i < len && ((c = v.charCodeAt(i)) === 45 || c === 43)) i++;
		let expDigits = 0;
		while (i < len && (c = v.charCodeAt(i)) >= 48 && c <= 57) {
			i++;
			expDigits++;
		}
		if (expDigits === 0) return v;
	}
	if (i !== len) return v;
	const num = Number(v);
	return Number.isFinite(num) ? num : v;
}

function toBoolean(v: string): string | boolean {
	if (v === 'true' || v === '1') return true;
	if (v === 'false' || v === '0') return false;
	const lower = v.length === 4 || v.length === 5 ? v.toLowerCase() : v;
	if (lower === 'true') return true;
	if (lower === 'false') return false;
	return v;
}

function toJson(v: string): unknown {
	const c = v.charCodeAt(0);
	if (c !== 123 && c !== 91) return v; // only objects and arrays: '12' in a JSON column stays text
	try {
		return JSON.parse(v);
	} catch {
		return v; // a cut-off or hand-edited attribute cell: keep the text rather than fail the file
	}
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setKey(o: Record<string, unknown>, key: string, value: unknown): void {
	// An assignment to '__proto__' would change the record's prototype instead of adding a field.
	if (key === '__proto__') {
		Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
	} else {
		o[key] = value;
	}
}

function flattenInto(o: Record<string, unknown>, prefix: string, value: Record<string, unknown>) {
	for (const k of Object.keys(value)) {
		const v = value[k];
		if (isPlainObject(v)) flattenInto(o, prefix + '.' + k, v);
		else setKey(o, prefix + '.' + k, v);
	}
}

/**
 * Builds records from values: the null literal (already null) stays null, integer/float/boolean/json
 * columns are typed per `kinds` (unlisted columns stay text). Text that does not parse as its kind is
 * kept as text, never NaN; an empty value in a typed column becomes null (there is no number in it).
 * Booleans accept 'true'/'false' and the '1'/'0' Marketo writes for some fields. With `flattenJson`,
 * a JSON object cell such as attributes {"a":{"b":1}} becomes the field 'attributes.a.b'.
 * Missing trailing values become null so every record has every header key.
 */
export function recordBuilder(
	header: string[],
	kinds: Record<string, FieldKind>,
	options: { flattenJson?: boolean } = {},
): (values: Array<string | null>) => Record<string, unknown> {
	const width = header.length;
	const keys = header.slice();
	const codes = new Uint8Array(width);
	let typed = false;
	for (let i = 0; i < width; i++) {
		const kind = Object.prototype.hasOwnProperty.call(kinds, keys[i]) ? kinds[keys[i]] : undefined;
		codes[i] = kindCode(kind);
		if (codes[i] !== K_STRING) typed = true;
	}
	const flatten = options.flattenJson === true;
	const unsafeKey = keys.includes('__proto__');

	if (!typed && !unsafeKey) {
		// Text only (the default for decodeRecords): no per-value type dispatch.
		return (values) => {
			const o: Record<string, unknown> = {};
			for (let i = 0; i < width; i++) o[keys[i]] = i < values.length ? values[i] : null;
			return o;
		};
	}

	return (values) => {
		const o: Record<string, unknown> = {};
		for (let i = 0; i < width; i++) {
			const v = i < values.length ? values[i] : null;
			const code = codes[i];
			let out: unknown = v;
			if (v !== null && code !== K_STRING) {
				if (v === '') out = null;
				else if (code === K_INTEGER) out = toInteger(v);
				else if (code === K_FLOAT) out = toFloat(v);
				else if (code === K_BOOLEAN) out = toBoolean(v);
				else {
					out = toJson(v);
					if (flatten && isPlainObject(out)) {
						flattenInto(o, keys[i], out);
						continue;
					}
				}
			}
			if (unsafeKey) setKey(o, keys[i], out);
			else o[keys[i]] = out;
		}
		return o;
	};
}

export interface DecodeRecordsOptions extends DecoderOptions {
	/** Custom record builder, made once from the header (e.g. recordBuilder with the field kinds). */
	convert?: (header: string[]) => (values: Array<string | null>) => Record<string, unknown>;
}

export interface RecordBatch {
	header: string[];
	records: Array<{ json: Record<string, unknown>; line: number }>;
}

function columnCountError(
	line: number,
	count: number,
	header: string[],
	delimiter: Delimiter,
): CsvError {
	const width = header.length;
	const name = delimiterName(delimiter);
	let hint: string;
	if (width === 1) {
		hint = `the header has no ${name}, so the file (or its header) may use a different delimiter`;
	} else if (count === 1) {
		hint = `the line has no ${name}: the file may use a different delimiter, or a value on an earlier line holds an unquoted line break`;
	} else if (count > width) {
		hint = `a value may hold an unquoted ${name}, or the file may use a different delimiter`;
	} else {
		hint = `a value may hold an unquoted line break that split the record, or the line was cut off`;
	}
	return new CsvError(
		line,
		`Line ${line} has ${count} value${count === 1 ? '' : 's'} but the header has ${width} column${
			width === 1 ? '' : 's'
		}; ${hint}`,
	);
}

/**
 * Streams records keyed by the header, one batch per source chunk that completed records; a record
 * whose value count differs from the header's throws CsvError naming its line. A file with a header but
 * no records yields one batch with no records, so callers still learn the columns.
 */
export async function* decodeRecords(
	source: AsyncIterable<Uint8Array | string>,
	options: DecodeRecordsOptions = {},
): AsyncGenerator<RecordBatch> {
	const decoder = new CsvDecoder(options);
	let header: string[] | undefined;
	let build: ((values: Array<string | null>) => Record<string, unknown>) | undefined;
	let yielded = false;
	const nullText = options.nullLiteral === undefined ? 'null' : options.nullLiteral;

	const toBatch = (rows: DecodedRow[]): RecordBatch | undefined => {
		let i = 0;
		if (header === undefined) {
			if (rows.length === 0) return undefined;
			// A header cell cannot mean "no value": give the null literal back its text.
			header = rows[0].values.map((v) => (v === null ? (nullText ?? '') : v));
			build = options.convert ? options.convert(header) : recordBuilder(header, {});
			i = 1;
		}
		const width = header.length;
		const records: RecordBatch['records'] = new Array(rows.length - i);
		const make = build as (values: Array<string | null>) => Record<string, unknown>;
		for (let r = 0; i < rows.length; i++, r++) {
			const row = rows[i];
			if (row.values.length !== width) {
				throw columnCountError(row.line, row.values.length, header, decoder.delimiter as Delimiter);
			}
			records[r] = { json: make(row.values), line: row.line };
		}
		return { header, records };
	};

	for await (const chunk of source) {
		const batch = toBatch(decoder.write(chunk));
		if (batch !== undefined && batch.records.length > 0) {
			yielded = true;
			yield batch;
		}
	}
	const last = toBatch(decoder.end());
	if (last !== undefined && (last.records.length > 0 || !yielded)) yield last;
}

/**
 * One value for an import file: null/undefined → '' (or `nullText`, e.g. 'null' to write Marketo's own
 * convention when re-encoding an export), objects → JSON, quoted when needed. The text 'null' is always
 * quoted, so it never reads back as a missing value.
 */
export function encodeValue(value: unknown, delimiter: Delimiter, nullText = ''): string {
	let s: string;
	if (value === null || value === undefined) return nullText;
	if (typeof value === 'string') s = value;
	else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
		s = String(value);
	} else if (value instanceof Date) {
		s = Number.isNaN(value.getTime()) ? '' : value.toISOString();
	} else s = JSON.stringify(value) ?? '';
	if (
		s.indexOf(delimiter) !== -1 ||
		s.indexOf('"') !== -1 ||
		s.indexOf('\n') !== -1 ||
		s.indexOf('\r') !== -1 ||
		// Unquoted, the text 'null' would read back as an empty value.
		s === 'null'
	) {
		return '"' + s.replaceAll('"', '""') + '"';
	}
	return s;
}

/**
 * One record for an import file: encoded values joined by the delimiter, ending in '\n'.
 * `options.nullText` is what null/undefined become (default ''; see encodeValue).
 */
export function encodeRow(
	values: unknown[],
	delimiter: Delimiter,
	options: { nullText?: string } = {},
): string {
	const nullText = options.nullText ?? '';
	// A lone empty value would be a blank line, which readers (ours too) skip.
	if (values.length === 1) {
		const only = encodeValue(values[0], delimiter, nullText);
		return (only === '' ? '""' : only) + '\n';
	}
	let out = '';
	for (let i = 0; i < values.length; i++) {
		if (i > 0) out += delimiter;
		out += encodeValue(values[i], delimiter, nullText);
	}
	return out + '\n';
}

function concatBytes(parts: Uint8Array[], total: number): Uint8Array {
	if (parts.length === 1) return parts[0];
	const out = new Uint8Array(total);
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

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
