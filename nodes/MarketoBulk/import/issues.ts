import { CsvDecoder, type DataFormat } from '../codec';
import type { BatchPlan, ImportSource } from './batches';

/**
 * Marketo's failures and warnings files of an import batch — the offending rows, in the batch's format,
 * with one appended column holding the reason — and how each row is traced back to the row we sent.
 *
 * The files carry no row numbers. A row is paired with the batch's rows by content, in order:
 * 1. exact: the same values in the same columns (the k-th failure with some content takes the k-th sent
 *    row with that content, so duplicated rows are paired one to one, in file order);
 * 2. loose: the same values ignoring case and surrounding spaces (Marketo may normalise what it echoes);
 * 3. lookup field: the same value in the lookup column (e.g. the email).
 * A row that still has no partner is reported with `match: 'none'`. When several sent rows have exactly
 * the same content, which of them Marketo meant cannot be known; they are listed in `identicalRows`.
 */

export type IssueKind = 'failure' | 'warning';

export interface IssueRow {
	kind: IssueKind;
	batchId: string;
	reason: string;
	/** The row as Marketo wrote it back: column → value (null for an empty value). */
	fields: Record<string, string | null>;
}

/** Reads a failures/warnings file: every column but the last is the row, the last the reason. */
export async function* decodeIssueFile(
	chunks: AsyncIterable<Uint8Array>,
	kind: IssueKind,
	batchId: string,
	format?: string,
): AsyncGenerator<IssueRow[]> {
	const upper = String(format ?? '').toUpperCase();
	const decoder = new CsvDecoder({
		format: ['CSV', 'TSV', 'SSV'].includes(upper) ? (upper as DataFormat) : undefined,
	});
	let header: string[] | undefined;
	const toIssues = (rows: ReturnType<CsvDecoder['write']>): IssueRow[] => {
		const out: IssueRow[] = [];
		for (const { values } of rows) {
			if (header === undefined) {
				header = values.map((v) => v ?? 'null');
				continue;
			}
			const fields: Record<string, string | null> = {};
			const last = values.length - 1;
			for (let i = 0; i < last; i++) {
				const name = header[i] ?? `column${i + 1}`;
				if (name === '__proto__') continue;
				fields[name] = values[i];
			}
			out.push({ kind, batchId, reason: values[last] ?? '', fields });
		}
		return out;
	};
	for await (const chunk of chunks) {
		const issues = toIssues(decoder.write(chunk));
		if (issues.length) yield issues;
	}
	const rest = toIssues(decoder.end());
	if (rest.length) yield rest;
}

export interface RowRef {
	row: number;
	line?: number;
	item?: number;
}

export type MatchKind = 'exact' | 'loose' | 'lookupField' | 'none';

export interface PairedIssue extends IssueRow {
	/** 1-based index of the batch in this run. */
	batch: number;
	/** The sent row it was paired with; undefined when `match` is 'none'. */
	source?: RowRef;
	match: MatchKind;
	/** Rows of the batch with exactly the same content, when there are several. */
	identicalRows?: RowRef[];
}

const SEP = '\u0001';
const norm = (v: string) => v.trim().toLowerCase();

interface Wanted {
	exact: Map<string, RowRef[]>;
	loose: Map<string, RowRef[]>;
	lookup: Map<string, RowRef[]>;
}

interface Keyed {
	issue: IssueRow;
	exact: string;
	loose: string;
	lookup: string | undefined;
}

/**
 * Pairs every issue of each batch with the row that produced it, in one more pass over the source (only the
 * rows of batches with issues are decoded, and only rows with a candidate content are kept).
 */
export async function pairIssues(
	source: ImportSource,
	batches: Array<{ plan: BatchPlan; issues: IssueRow[] }>,
	lookupField: string,
): Promise<PairedIssue[]> {
	const columns = source.header.map((name) => name.trim().toLowerCase());
	const lookupIndex = columns.indexOf(lookupField.trim().toLowerCase());
	const keysOf = (texts: string[]) => ({
		exact: texts.join(SEP),
		loose: texts.map(norm).join(SEP),
		lookup: lookupIndex >= 0 ? norm(texts[lookupIndex] ?? '') : undefined,
	});

	const work = batches
		.filter((b) => b.issues.length > 0)
		.map((b) => {
			const keyed: Keyed[] = b.issues.map((issue) => {
				const byLower = new Map<string, string | null>();
				for (const [name, value] of Object.entries(issue.fields))
					byLower.set(name.trim().toLowerCase(), value);
				const texts = columns.map((name) => byLower.get(name) ?? '');
				return { issue, ...keysOf(texts) };
			});
			const wanted: Wanted = { exact: new Map(), loose: new Map(), lookup: new Map() };
			for (const k of keyed) {
				wanted.exact.set(k.exact, []);
				wanted.loose.set(k.loose, []);
				if (k.lookup) wanted.lookup.set(k.lookup, []);
			}
			return { plan: b.plan, keyed, wanted };
		})
		.sort((a, b) => a.plan.firstRow - b.plan.firstRow);
	if (work.length === 0) return [];

	// One pass over the source, collecting the candidate rows of each batch with issues.
	let w = 0;
	const decoder =
		source.kind === 'binary' ? new CsvDecoder({ delimiter: source.delimiter }) : undefined;
	for await (const row of source.rows({ texts: true })) {
		while (w < work.length && row.row > work[w].plan.lastRow) w++;
		if (w >= work.length) break;
		const current = work[w];
		if (row.row < current.plan.firstRow) continue;
		let texts = row.texts;
		if (texts === undefined) {
			const decoded = (decoder as CsvDecoder).write(row.bytes);
			texts = (decoded[0]?.values ?? []).map((v) => v ?? '');
		}
		const keys = keysOf(texts);
		const ref: RowRef = { row: row.row, line: row.line, item: row.item };
		current.wanted.exact.get(keys.exact)?.push(ref);
		current.wanted.loose.get(keys.loose)?.push(ref);
		if (keys.lookup) current.wanted.lookup.get(keys.lookup)?.push(ref);
	}

	const out: PairedIssue[] = [];
	for (const { plan, keyed, wanted } of work) {
		const used = new Set<number>();
		const take = (candidates: RowRef[] | undefined) =>
			candidates?.find((ref) => !used.has(ref.row));
		// Exact matches first for every issue, so that a loose match never takes a row an exact one needs.
		const exact = keyed.map((k) => {
			const ref = take(wanted.exact.get(k.exact));
			if (ref) used.add(ref.row);
			return ref;
		});
		keyed.forEach((k, i) => {
			let source: RowRef | undefined = exact[i];
			let match: MatchKind = source ? 'exact' : 'none';
			if (!source) {
				source = take(wanted.loose.get(k.loose));
				if (source) match = 'loose';
			}
			if (!source && k.lookup) {
				source = take(wanted.lookup.get(k.lookup));
				if (source) match = 'lookupField';
			}
			if (source) used.add(source.row);
			const identical = wanted.exact.get(k.exact) ?? [];
			out.push({
				...k.issue,
				batch: plan.index,
				source,
				match,
				...(identical.length > 1 ? { identicalRows: identical } : {}),
			});
		});
	}
	return out;
}
