/**
 * The emulator's own delimited-text writer and reader. It is deliberately independent of the product's
 * codec so that the two can be checked against each other.
 */

export type ExportFormat = 'CSV' | 'TSV' | 'SSV';

export const EXPORT_DELIMITERS: Record<ExportFormat, string> = { CSV: ',', TSV: '\t', SSV: ' ' };

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
	CSV: 'text/csv',
	TSV: 'text/tab-separated-values',
	SSV: 'text/plain',
};

/** Marketo writes an empty field as this literal. */
export const NULL_CELL = 'null';

/**
 * Returns a function that quotes a value when it holds the delimiter, a double quote, CR or LF, doubling
 * inner quotes. Everything else (NUL, U+2028, emoji…) is written as is, as Marketo does.
 */
export function makeEscaper(delimiter: string): (value: string) => string {
	const special = new RegExp(
		'[' + (delimiter === '\t' ? '\\t' : delimiter === ' ' ? ' ' : '\\' + delimiter) + '"\\r\\n]',
	);
	return (value: string): string =>
		special.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
}

/** One cell as written to an export file: empty → `null`. */
export function exportCell(
	value: string | null | undefined,
	escape: (v: string) => string,
): string {
	return value === null || value === undefined || value === '' ? NULL_CELL : escape(value);
}

export interface ParsedRecord {
	cells: string[];
	/** The record's text exactly as it appeared in the input, without its line terminator. */
	raw: string;
	/** 1-based line number where the record starts. */
	line: number;
}

/**
 * Parses RFC 4180-style delimited text with any delimiter: quoted fields may hold delimiters, doubled
 * quotes, CR and LF; records end with LF or CRLF. A trailing empty line is not a record.
 */
export function parseDelimited(text: string, delimiter: string): ParsedRecord[] {
	const records: ParsedRecord[] = [];
	const n = text.length;
	let i = 0;
	let line = 1;
	while (i < n) {
		const start = i;
		const startLine = line;
		const cells: string[] = [];
		let cell = '';
		let atCellStart = true;
		let endOfRecord = false;
		while (i < n && !endOfRecord) {
			const c = text[i];
			if (atCellStart && c === '"') {
				// Quoted cell: read to the closing quote, honouring doubled quotes.
				i++;
				for (;;) {
					if (i >= n) break;
					const q = text[i];
					if (q === '"') {
						if (text[i + 1] === '"') {
							cell += '"';
							i += 2;
							continue;
						}
						i++;
						break;
					}
					if (q === '\n') line++;
					cell += q;
					i++;
				}
				atCellStart = false;
				continue;
			}
			if (c === delimiter) {
				cells.push(cell);
				cell = '';
				atCellStart = true;
				i++;
			} else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
				endOfRecord = true;
			} else {
				cell += c;
				atCellStart = false;
				i++;
			}
		}
		cells.push(cell);
		const raw = text.slice(start, i);
		if (i < n) {
			i += text[i] === '\r' ? 2 : 1;
			line++;
		}
		records.push({ cells, raw, line: startLine });
	}
	return records;
}

/** Convenience for tests: header + rows as objects, `null` cells kept as the string 'null'. */
export function parseTable(
	text: string,
	delimiter = ',',
): { header: string[]; rows: Array<Record<string, string>> } {
	const records = parseDelimited(text, delimiter);
	if (records.length === 0) return { header: [], rows: [] };
	const header = records[0].cells;
	const rows = records.slice(1).map((r) => {
		const o: Record<string, string> = {};
		header.forEach((h, k) => (o[h] = r.cells[k]));
		return o;
	});
	return { header, rows };
}
