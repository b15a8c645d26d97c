/** Input Items: each item's mapped fields become one row, encoded with the package codec. */

import { encodeRow, encodeValue, type Delimiter } from '../codec';
import {
	BatchPlanner,
	checkHeader,
	ImportInputError,
	type BatchLimits,
	type ImportSource,
	type PreparedImport,
	type SourceRow,
} from './batches';

const textEncoder = new TextEncoder();

/** A value as the file will hold it once decoded: what `encodeValue` writes, without the quoting. */
export function cellText(value: unknown): string {
	const encoded = encodeValue(value, ',');
	return encoded.charCodeAt(0) === 34 ? encoded.slice(1, -1).replace(/""/g, '"') : encoded;
}

export interface ItemRecord {
	/** Index of the input item. */
	item: number;
	/** Marketo field → value. */
	values: Record<string, unknown>;
}

/**
 * Rows from input items. The header is every mapped field, in the order first met; an item without a
 * value for a field leaves it empty.
 */
export function prepareItemsImport(
	records: ItemRecord[],
	options: {
		lookupField: string;
		/** A custom object's dedupe fields, which the mapped fields must include. */
		dedupeFields?: string[];
		limits?: BatchLimits;
		fileName?: string;
	},
): PreparedImport {
	if (records.length === 0) {
		throw new ImportInputError(
			'There are no input items to import',
			'The node received no items. Connect it to a node that outputs the leads to import.',
		);
	}
	const header: string[] = [];
	const seen = new Set<string>();
	for (const record of records) {
		for (const key of Object.keys(record.values)) {
			if (record.values[key] === undefined || seen.has(key)) continue;
			seen.add(key);
			header.push(key);
		}
	}
	if (header.length === 0) {
		throw new ImportInputError(
			'None of the input items has a field to import',
			'Map at least one Marketo field (Fields to Import), or feed items whose field names are Marketo field names.',
		);
	}
	checkHeader(header, options.lookupField, 'mapped fields', options.dedupeFields);

	const delimiter: Delimiter = ',';
	const headerBytes = textEncoder.encode(encodeRow(header, delimiter));
	const textOf = (record: ItemRecord) =>
		encodeRow(
			header.map((field) => record.values[field]),
			delimiter,
		);
	const rowOf = (record: ItemRecord, row: number, texts = false): SourceRow => ({
		bytes: textEncoder.encode(textOf(record)),
		row,
		item: record.item,
		...(texts ? { texts: header.map((field) => cellText(record.values[field])) } : {}),
	});
	const planner = new BatchPlanner(headerBytes.length, options.limits);
	records.forEach((record, i) => {
		// Planning needs only the size: the bytes are made once, when the batch is sent.
		const problem = planner.add(i + 1, Buffer.byteLength(textOf(record), 'utf8'));
		if (problem) {
			throw new ImportInputError(
				`${problem} (input item ${record.item})`,
				'Shorten the values of this item.',
			);
		}
	});
	const source: ImportSource = {
		kind: 'items',
		format: 'CSV',
		delimiter,
		header,
		headerBytes,
		rowCount: records.length,
		fileName: options.fileName ?? 'n8n-leads.csv',
		async *rows(options = {}) {
			for (let i = 0; i < records.length; i++)
				yield rowOf(records[i], i + 1, options.texts === true);
		},
	};
	return { source, batches: planner.batches };
}
