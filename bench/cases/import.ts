/**
 * Case 4: lead import, 500,000 rows from input items and a 60 MB CSV file. Create Import Job (check, build,
 * split into batches under Marketo's 10 MB, upload; no waiting) against a raw upload of the same batch files
 * (the same bytes, cut at the same rows, built before the clock starts), both POSTing one batch after
 * another. The emulator holds the batches without importing them while the uploads run, so that its work
 * does not slow either side. Then the one-step Import end to end (upload, wait, summary), for the batches
 * and API calls it takes.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	best,
	interleaved,
	maxGrowth,
	timeOf,
	totalCalls,
	type BenchContext,
	type Measured,
} from '../lib/bench';
import { startEmulatorProcess } from '../../test/harness/emulator';
import { writeLeadFile } from '../lib/leads';
import { token } from '../lib/marketo';
import { mb, rowsLabel, secs } from '../lib/report';
import { apiOf } from './export';

const UPLOAD = 'POST /bulk/v1/leads.json';

function importEmulator(processingMs: number) {
	return startEmulatorProcess({
		options: {
			leads: { count: 1000, start: '2026-01-01T00:00:00Z', end: '2026-01-30T00:00:00Z' },
			activities: { count: 10, start: '2026-01-01T00:00:00Z', end: '2026-01-30T00:00:00Z' },
			importProcessingMs: processingMs,
			importQueue: { processing: 2, queued: 1000 },
			rateLimit: { calls: 100_000, windowSeconds: 20 },
		},
	});
}

export async function importCase(ctx: BenchContext): Promise<void> {
	const rows = ctx.smoke ? 20_000 : 500_000;
	const fileBytes = ctx.smoke ? 3e6 : 60e6;
	const tmp = mkdtempSync(join(tmpdir(), 'marketo-bulk-bench-import-'));
	const file = join(tmp, 'leads.csv');
	const fileRows = await writeLeadFile(file, fileBytes);
	const fileSize = statSync(file).size;
	let uploads: Map<string, Measured[]> | undefined;
	let endToEnd: Map<string, Measured[]> | undefined;
	try {
		// Upload only: the emulator imports nothing for 10 minutes.
		const holding = await importEmulator(600_000);
		try {
			const api = apiOf(holding);
			const accessToken = await token(api);
			const common = { api, pollIntervalSeconds: 1 };
			uploads = await interleaved(ctx, '4 Import', [
				{
					label: 'raw items',
					contender: 'rawUpload',
					params: { api, token: accessToken, source: 'items', rows },
					emulator: holding,
					reset: true,
				},
				{
					label: 'ours: Create Import Job, items',
					contender: 'ourImport',
					params: { ...common, source: 'items', rows, operation: 'createJob' },
					emulator: holding,
					reset: true,
					profile: true,
				},
				{
					label: 'raw file',
					contender: 'rawUpload',
					params: { api, token: accessToken, source: 'binary', file },
					emulator: holding,
					reset: true,
				},
				{
					label: 'ours: Create Import Job, file',
					contender: 'ourImport',
					params: { ...common, source: 'binary', file, operation: 'createJob' },
					emulator: holding,
					reset: true,
					profile: true,
				},
			]);
		} finally {
			await holding.stop();
		}
		// End to end, once: the emulator imports each batch.
		const importing = await importEmulator(200);
		try {
			const api = apiOf(importing);
			endToEnd = await interleaved(
				ctx,
				'4 Import end to end',
				[
					{
						label: 'Import, items',
						contender: 'ourImport',
						params: { api, pollIntervalSeconds: 1, source: 'items', rows, operation: 'import' },
						emulator: importing,
						reset: true,
					},
					{
						label: 'Import, file',
						contender: 'ourImport',
						params: { api, pollIntervalSeconds: 1, source: 'binary', file, operation: 'import' },
						emulator: importing,
						reset: true,
					},
				],
				1,
			);
		} finally {
			await importing.stop();
		}
	} finally {
		rmSync(tmp, { recursive: true, force: true });
	}

	const detail: string[][] = [];
	for (const [what, n, rawLabel, oursLabel] of [
		[`${rowsLabel(rows)} input items`, rows, 'raw items', 'ours: Create Import Job, items'],
		[
			`${mb(fileSize)} file (${rowsLabel(fileRows)} rows)`,
			fileRows,
			'raw file',
			'ours: Create Import Job, file',
		],
	] as const) {
		const raw = uploads.get(rawLabel);
		const ours = uploads.get(oursLabel);
		if (!raw) continue;
		const r = best(raw);
		const bytes = r.bytes ?? 0;
		const o = ours ? best(ours) : undefined;
		detail.push([
			what,
			mb(bytes),
			String(r.extra?.batches ?? ''),
			`${secs(timeOf(r))} (${(bytes / 1e6 / timeOf(r)).toFixed(0)} MB/s)`,
			o ? String(o.extra?.batches ?? '') : 'failed',
			o ? `${secs(timeOf(o))} (${(bytes / 1e6 / timeOf(o)).toFixed(0)} MB/s)` : '',
			o ? String(o.calls[UPLOAD] ?? 0) : '',
			ours ? mb(maxGrowth(ours)) : '',
		]);
		if (!o) {
			ctx.report.row({
				caseId: '4 Import',
				measure: `${what}: build, split, upload`,
				ours: 'failed (see Broken)',
				baseline: `raw upload ${secs(timeOf(r))}`,
				verdict: 'failed',
			});
			continue;
		}
		if (o.rows !== n)
			ctx.report.fail(
				`4 Import: ${oursLabel}`,
				new Error(`uploaded ${o.rows} rows, expected ${n}`),
			);
		ctx.report.row({
			caseId: '4 Import',
			measure: `${what}: build, split, upload (Create Import Job)`,
			ours: `${secs(timeOf(o))}, ${String(o.extra?.batches)} batches`,
			baseline: `raw upload of the same bytes ${secs(timeOf(r))}, ${String(r.extra?.batches)} batches`,
			ratio: timeOf(r) / timeOf(o),
			verdict: 'info',
		});
	}
	for (const [label, runs] of endToEnd ?? []) {
		const m = runs[0];
		detail.push([
			`${label} (one-step, waits for Marketo)`,
			m.bytes ? mb(m.bytes) : '',
			'',
			'',
			String(m.extra?.batches ?? ''),
			secs(m.seconds),
			`${m.calls[UPLOAD] ?? 0} (of ${totalCalls(m.calls)} calls)`,
			mb(m.rss.growth),
		]);
	}
	ctx.report.detail({
		title: 'Case 4, lead import: Create Import Job vs a raw upload of the same batch files',
		header: [
			'Source',
			'Batch files',
			'Raw: batches',
			'Raw upload',
			'Ours: batches',
			'Ours: check + build + split + upload',
			'Ours: uploads',
			'Ours: peak RSS growth',
		],
		rows: detail,
		notes: [
			'Ratio in the summary = raw upload time / our time (1× = as fast as sending prebuilt bytes). Ours includes reading the input (items or the file from the binary store, twice: a check pass, then the upload pass), encoding items as CSV, cutting batches on row boundaries and the multipart envelope; raw starts with every batch body in memory.',
			"The one-step Import rows: the emulator imports each batch (200 ms plus its own parsing); at most 2 of our batches wait in Marketo's queue at a time.",
		],
	});
}
