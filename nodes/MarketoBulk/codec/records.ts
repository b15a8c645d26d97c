/** Record decoding: the streaming decoder's rows keyed by the header, typed by a record builder. */

import { CsvDecoder, type DecodedRow, type DecoderOptions } from './decoder';
import { delimiterName, type Delimiter } from './delimiter';
import { CsvError } from './errors';
import { recordBuilder } from './typing';

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
