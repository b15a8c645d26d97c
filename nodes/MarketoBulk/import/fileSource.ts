import {
	CsvDecoder,
	CR,
	CsvError,
	RecordSplitter,
	detectDelimiter,
	delimiterName,
	isBlank,
	LF,
	type Delimiter,
	type DataFormat,
} from '../codec';
import {
	BatchPlanner,
	ImportInputError,
	checkHeader,
	type BatchLimits,
	type ImportSource,
	type PreparedImport,
} from './batches';

/**
 * Binary File: the file's own bytes are sent untouched, record by record (RecordSplitter); the whole file
 * is checked first (one streamed pass: header, delimiter, every record's width) so that a bad file is
 * refused before anything reaches Marketo. The batches are cut as for any source (see batches.ts).
 */

/** The formats Marketo imports, in the package's one spelling (see codec/delimiter). */
export const IMPORT_FORMATS: readonly DataFormat[] = ['CSV', 'TSV', 'SSV'];

export interface BinaryInput {
	/** Opens the file from its start; called once per pass. */
	open(): Promise<AsyncIterable<Uint8Array>>;
	fileName?: string;
	mimeType?: string;
}

const FORMAT_NAMES: Record<DataFormat, string> = {
	CSV: 'CSV (comma-separated)',
	TSV: 'TSV (tab-separated)',
	SSV: 'SSV (semicolon- or space-separated)',
};

export function formatOfDelimiter(d: Delimiter): DataFormat {
	return d === ',' ? 'CSV' : d === '\t' ? 'TSV' : 'SSV';
}

/**
 * The File Format parameter ('csv' | 'tsv' | 'ssv', the import endpoint's spelling, in any case) as a
 * DataFormat, or 'auto'; anything else is refused.
 */
export function parseFormat(value: unknown, allowAuto: boolean): DataFormat | 'auto' {
	const text = String(value ?? '').trim();
	const format = text.toUpperCase();
	if ((IMPORT_FORMATS as readonly string[]).includes(format)) return format as DataFormat;
	if (allowAuto && (format === 'AUTO' || format === '')) return 'auto';
	throw new ImportInputError(
		`Unknown file format "${String(value)}"`,
		`Marketo imports CSV, TSV or SSV files. Choose one of them${allowAuto ? ', or Auto-Detect' : ''}.`,
	);
}

function countLineFeeds(bytes: Uint8Array): number {
	let n = 0;
	for (let i = bytes.indexOf(LF); i !== -1; i = bytes.indexOf(LF, i + 1)) n++;
	return n;
}

const SNIFF_BYTES = 8192;

/** Refuses files that are clearly not delimited text, from their first bytes. */
function sniff(bytes: Uint8Array, fileName: string): void {
	const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
	const what = (kind: string, advice: string) =>
		new ImportInputError(
			`The file "${fileName}" is not delimited text: it looks like ${kind}`,
			`Marketo imports CSV, TSV or SSV files whose first line names the fields. ${advice}`,
		);
	if (starts(0x50, 0x4b, 0x03, 0x04)) {
		throw what(
			'a ZIP archive or an Excel (XLSX) workbook',
			'Convert it first, e.g. with the Extract From File and Convert to File nodes.',
		);
	}
	if (starts(0xd0, 0xcf, 0x11, 0xe0))
		throw what('an old Excel (XLS) workbook', 'Save it as CSV first.');
	if (starts(0x25, 0x50, 0x44, 0x46))
		throw what('a PDF document', 'Use a CSV export of the data instead.');
	if (starts(0x1f, 0x8b)) throw what('a gzip archive', 'Decompress it first (Compression node).');
	if (starts(0xff, 0xfe) || starts(0xfe, 0xff)) {
		throw what('UTF-16 text', 'Save the file as UTF-8 (Marketo reads UTF-8).');
	}
	for (let i = 0; i < bytes.length && i < SNIFF_BYTES; i++) {
		const b = bytes[i];
		if (b === 0 || (b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 12 && b !== 11)) {
			throw what(
				`binary data (byte ${b} at offset ${i})`,
				'Check that the right binary property is chosen.',
			);
		}
	}
}

const utf8 = new TextDecoder('utf-8');

/** The header line's text, line end removed. */
function headerText(bytes: Uint8Array): string {
	let end = bytes.length;
	if (end > 0 && bytes[end - 1] === LF) end--;
	if (end > 0 && bytes[end - 1] === CR) end--;
	return utf8.decode(bytes.subarray(0, end));
}

function decodeOne(bytes: Uint8Array, delimiter: Delimiter): Array<string | null> {
	const decoder = new CsvDecoder({ delimiter, nullLiteral: null });
	const rows = [...decoder.write(bytes), ...decoder.end()];
	return rows[0]?.values ?? [];
}

/** Header checks shared by both sources: no empty or repeated names, the lookup field present. */

/** Which other delimiter a line that has the wrong number of values seems to use. */
function otherDelimiterIn(text: string, delimiter: Delimiter): Delimiter | undefined {
	const candidates: Delimiter[] = [',', '\t', ';'];
	return candidates.find((d) => d !== delimiter && text.includes(d));
}

/**
 * First pass over a binary file: refuses what Marketo would choke on (not text, empty, header only,
 * unknown or mixed delimiters, rows of the wrong width, broken quoting, lookup field missing) and plans the
 * batches. Nothing is sent before this pass succeeded.
 */
export async function prepareBinaryImport(
	input: BinaryInput,
	options: {
		format: DataFormat | 'auto';
		lookupField: string;
		/** A custom object's dedupe fields, which the header must name. */
		dedupeFields?: string[];
		limits?: BatchLimits;
	},
): Promise<PreparedImport> {
	const fileName = input.fileName || 'leads.csv';
	const splitter = new RecordSplitter();
	let line = 1;
	let rowCount = 0;
	let sniffed = 0;
	let header: string[] | undefined;
	let headerBytes: Uint8Array | undefined;
	let delimiter: Delimiter | undefined;
	let validator: CsvDecoder | undefined;
	let planner: BatchPlanner | undefined;

	const onRecord = (bytes: Uint8Array) => {
		const recordLine = line;
		line += countLineFeeds(bytes);
		if (isBlank(bytes)) return;
		if (header === undefined) {
			const text = headerText(bytes);
			if (text.includes('\r')) {
				throw new ImportInputError(
					`The file "${fileName}" ends its lines with a bare carriage return (CR)`,
					'Marketo reads lines ending in LF or CRLF. Save the file with Windows (CRLF) or Unix (LF) line ends.',
				);
			}
			delimiter = detectDelimiter(text, options.format === 'auto' ? undefined : options.format);
			if (options.format !== 'auto' && formatOfDelimiter(delimiter) !== options.format) {
				throw new ImportInputError(
					`The file's header line is ${delimiterName(delimiter)}-separated, but the format is ${FORMAT_NAMES[options.format]}`,
					`Choose ${FORMAT_NAMES[formatOfDelimiter(delimiter)]} or Auto-Detect as the File Format, or check the file. Header: ${text.slice(0, 200)}`,
				);
			}
			header = decodeOne(bytes, delimiter).map((v) => v ?? '');
			checkHeader(header, options.lookupField, "file's header columns", options.dedupeFields);
			headerBytes = bytes.slice();
			planner = new BatchPlanner(headerBytes.length, options.limits);
			validator = new CsvDecoder({ delimiter, nullLiteral: null });
			validator.write(bytes);
			return;
		}
		const endsLine = bytes[bytes.length - 1] === LF;
		const decoder = validator as CsvDecoder;
		// Only the file's last record may lack a line end; the decoder needs end() to finish it.
		const rows = endsLine ? decoder.write(bytes) : [...decoder.write(bytes), ...decoder.end()];
		if (rows.length !== 1) {
			throw new ImportInputError(
				`Line ${recordLine}: the quoting of this record is broken`,
				'A double quote may only start and end a value; a quote inside a value must be doubled (""), and the value quoted. Fix the line (or the lines before it) and try again.',
			);
		}
		const width = rows[0].values.length;
		const expected = (header as string[]).length;
		if (width !== expected) {
			const text = utf8.decode(bytes).replace(/\r?\n$/, '');
			const other = otherDelimiterIn(text, delimiter as Delimiter);
			const hint =
				width === 1 && other
					? `The line seems to use ${delimiterName(other)}s while the header uses ${delimiterName(delimiter as Delimiter)}s: the file mixes delimiters.`
					: width > expected
						? `A value may hold an unquoted ${delimiterName(delimiter as Delimiter)}, or the line uses another delimiter than the header.`
						: 'The line may be cut off, or use another delimiter than the header.';
			throw new ImportInputError(
				`Line ${recordLine} has ${width} value${width === 1 ? '' : 's'} but the header has ${expected} column${expected === 1 ? '' : 's'}`,
				`${hint} Nothing was sent to Marketo. Line ${recordLine}: ${text.slice(0, 200)}`,
			);
		}
		rowCount++;
		const problem = (planner as BatchPlanner).add(rowCount, bytes.length + (endsLine ? 0 : 1));
		if (problem)
			throw new ImportInputError(
				`${problem} (line ${recordLine})`,
				'Check the quoting of the file around this line.',
			);
	};

	const stream = await input.open();
	let failure: unknown;
	try {
		for await (const chunk of stream) {
			if (sniffed < SNIFF_BYTES) {
				sniff(chunk.subarray(0, SNIFF_BYTES - sniffed), fileName);
				sniffed += chunk.length;
			}
			for (const record of splitter.write(chunk)) onRecord(record);
		}
		for (const record of splitter.end()) onRecord(record);
	} catch (error) {
		failure = error;
	}
	if (failure instanceof CsvError) {
		throw new ImportInputError(
			`The file "${fileName}" cannot be read: ${failure.message}`,
			'Fix the quoting of the file and try again.',
		);
	}
	if (failure !== undefined) throw failure;

	if (
		header === undefined ||
		headerBytes === undefined ||
		delimiter === undefined ||
		planner === undefined
	) {
		throw new ImportInputError(
			`The file "${fileName}" is empty`,
			'A Marketo import file starts with a header line of field names, followed by one line per lead.',
		);
	}
	if (rowCount === 0) {
		throw new ImportInputError(
			`The file "${fileName}" has a header but no rows to import`,
			`Header: ${header.join(', ')}`,
		);
	}

	const source: ImportSource = {
		kind: 'binary',
		format: formatOfDelimiter(delimiter),
		delimiter,
		header,
		headerBytes: ensureLineEnd(headerBytes),
		rowCount,
		fileName,
		async *rows() {
			const again = new RecordSplitter();
			let at = 1;
			let row = 0;
			let seenHeader = false;
			const records = async function* () {
				for await (const chunk of await input.open()) yield* again.write(chunk);
				yield* again.end();
			};
			for await (const bytes of records()) {
				const recordLine = at;
				at += countLineFeeds(bytes);
				if (isBlank(bytes)) continue;
				if (!seenHeader) {
					seenHeader = true;
					continue;
				}
				row++;
				yield { bytes: ensureLineEnd(bytes), row, line: recordLine };
			}
		},
	};
	return { source, batches: planner.batches };
}

/** The last record of a file may lack its line end; in a batch, another record may follow it. */
function ensureLineEnd(bytes: Uint8Array): Uint8Array {
	if (bytes.length > 0 && bytes[bytes.length - 1] === LF) return bytes;
	const out = new Uint8Array(bytes.length + 1);
	out.set(bytes);
	out[bytes.length] = LF;
	return out;
}
