/**
 * Formats and delimiters of Marketo's bulk files, and detection of the delimiter from a header line.
 *
 * `DataFormat` is the package's one spelling of a file format (Marketo's export spelling, upper case);
 * the import endpoint's lower-case spelling is mapped where parameters are read and requests are made.
 */

import { QUOTE } from './bytes';

export type DataFormat = 'CSV' | 'TSV' | 'SSV';
export type Delimiter = ',' | '\t' | ' ' | ';';

/** The delimiter's name in messages: comma, tab, semicolon or space. */
export function delimiterName(d: Delimiter): string {
	return d === ',' ? 'comma' : d === '\t' ? 'tab' : d === ';' ? 'semicolon' : 'space';
}

/** The delimiter Marketo's extract docs give for a format; SSV may also be ';' (see detectDelimiter). */
export function delimiterFor(format: DataFormat): Delimiter {
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
export function detectDelimiter(headerLine: string, expected?: DataFormat): Delimiter {
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
