/**
 * What a benchmark run found: the summary rows (each a ratio against a baseline measured in the same run),
 * detail tables per case, broken cases, and the Markdown that goes into bench/RESULTS.md.
 */

export type Verdict = 'met' | 'missed' | 'info' | 'failed';

export interface SummaryRow {
	caseId: string;
	measure: string;
	ours: string;
	baseline: string;
	/** ours / baseline. */
	ratio?: number;
	target?: string;
	verdict: Verdict;
}

export interface Detail {
	title: string;
	header: string[];
	rows: string[][];
	/** Lines printed under the table. */
	notes?: string[];
}

export class Report {
	readonly summary: SummaryRow[] = [];
	readonly details: Detail[] = [];
	/** Cases (or parts of one) that broke: the run exits non-zero. */
	readonly failures: string[] = [];
	readonly skipped: string[] = [];
	/** 1-minute load average when each case started. */
	readonly loads: Array<{ caseId: string; load: number }> = [];

	/** Where progress lines go (a case run alongside others buffers them). */
	constructor(readonly print: (text: string) => void = (text) => process.stdout.write(text)) {}

	/** Takes in what another report found (a case that ran alongside). */
	merge(other: Report): void {
		this.summary.push(...other.summary);
		this.details.push(...other.details);
		this.failures.push(...other.failures);
		this.skipped.push(...other.skipped);
		this.loads.push(...other.loads);
		// Keep the cases in their order: a case's rows and details start with its number.
		const caseOf = (text: string) => Number(/\d+/.exec(text)?.[0] ?? 0);
		this.summary.sort((a, b) => caseOf(a.caseId) - caseOf(b.caseId));
		this.details.sort((a, b) => caseOf(a.title) - caseOf(b.title));
	}

	row(row: SummaryRow): void {
		this.summary.push(row);
		this.print(
			`  ${row.caseId} ${row.measure}: ${row.ours} vs ${row.baseline}${row.ratio !== undefined ? ` = ${ratio(row.ratio)}` : ''}${row.target ? ` (target ${row.target}: ${row.verdict})` : ''}\n`,
		);
	}

	detail(detail: Detail): void {
		this.details.push(detail);
	}

	fail(what: string, error: unknown): void {
		const message = error instanceof Error ? error.message : String(error);
		this.failures.push(`${what}: ${message}`);
		this.print(`  FAILED ${what}: ${message.split('\n').slice(0, 6).join('\n    ')}\n`);
	}

	skip(what: string, why: string): void {
		this.skipped.push(`${what}: ${why}`);
		this.print(`  skipped ${what}: ${why}\n`);
	}

	summaryTable(): string {
		return markdownTable(
			['Case', 'Measure', 'Ours', 'Baseline (same run)', 'Ratio', 'Target', 'Result'],
			this.summary.map((r) => [
				r.caseId,
				r.measure,
				r.ours,
				r.baseline,
				r.ratio === undefined ? '' : ratio(r.ratio),
				r.target ?? '',
				r.verdict === 'info' ? '' : r.verdict,
			]),
		);
	}

	detailTables(): string {
		return this.details
			.map((d) =>
				[
					`#### ${d.title}`,
					'',
					markdownTable(d.header, d.rows),
					...(d.notes?.length ? ['', ...d.notes] : []),
				].join('\n'),
			)
			.join('\n\n');
	}
}

export function ratio(r: number): string {
	if (!Number.isFinite(r)) return 'n/a';
	return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

export function markdownTable(header: string[], rows: string[][]): string {
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
	const line = (cells: string[]) =>
		`| ${cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
	// The way prettier writes the rule, so that RESULTS.md stays as prettier leaves it.
	const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
	return [line(header), rule, ...rows.map(line)].join('\n');
}

export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes >= 1e8 ? 0 : 1)} MB`;
export const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;
export const secs = (s: number) =>
	s >= 100 ? `${s.toFixed(0)} s` : s >= 10 ? `${s.toFixed(1)} s` : `${s.toFixed(2)} s`;
export const perSecond = (n: number, unit: string) =>
	n >= 1e6
		? `${(n / 1e6).toFixed(2)} M ${unit}/s`
		: n >= 1e3
			? `${(n / 1e3).toFixed(0)} k ${unit}/s`
			: `${n.toFixed(0)} ${unit}/s`;
export const mbps = (bytes: number, s: number) => `${(bytes / 1e6 / s).toFixed(0)} MB/s`;
export const rowsLabel = (n: number) =>
	n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n);
