/** The encoder: values and records of an import file (or a re-encoded export), quoted when needed. */

import type { Delimiter } from './delimiter';

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
