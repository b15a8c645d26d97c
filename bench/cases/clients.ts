/**
 * Case 3: other Marketo clients on npm, same export, same data. node-marketo-rest (the npm client with a
 * bulk lead extract) runs `bulkLeadExtract.get` (create, enqueue, poll) and `bulkLeadExtract.file` (the whole
 * file as one string: its only way to get the file); for records, that string through csv-parse/sync, as
 * its README leaves parsing to the caller. Ours: the one-step Export, File and Records output. Both poll
 * every second (node-marketo-rest's own schedule is 30 s, then 60 s).
 */
import {
	best,
	CALL,
	EXPORT_RANGE,
	interleaved,
	LEAD_FIELDS,
	maxGrowth,
	timeOf,
	totalCalls,
	type BenchContext,
	type Measured,
} from '../lib/bench';
import { mb, rowsLabel, secs } from '../lib/report';
import { apiOf, exportEmulator } from './export';

export async function clientsCase(ctx: BenchContext): Promise<void> {
	const rows = ctx.smoke ? 20_000 : 1_000_000;
	const emulator = await exportEmulator(rows);
	let results: Map<string, Measured[]>;
	try {
		const api = apiOf(emulator);
		const common = { api, fields: LEAD_FIELDS, ...EXPORT_RANGE };
		results = await interleaved(ctx, '3 Other clients', [
			{
				label: 'ours: Export, File output',
				contender: 'ourExport',
				params: { ...common, output: 'file', pollIntervalSeconds: 1 },
				emulator,
			},
			{
				label: 'node-marketo-rest: get + file()',
				contender: 'marketoRest',
				params: { ...common, pollMs: 1000, records: false },
				emulator,
			},
			{
				label: 'ours: Export, Records output',
				contender: 'ourExport',
				params: { ...common, output: 'records', pollIntervalSeconds: 1 },
				emulator,
			},
			{
				label: 'node-marketo-rest: get + file() + csv-parse/sync',
				contender: 'marketoRest',
				params: { ...common, pollMs: 1000, records: true },
				emulator,
			},
		]);
	} finally {
		await emulator.stop();
	}
	const detail: string[][] = [];
	for (const [label, runs] of results) {
		const b = best(runs);
		detail.push([
			label,
			secs(b.seconds),
			secs(timeOf(b, 'download')),
			mb(maxGrowth(runs)),
			String(totalCalls(b.calls)),
			String(b.calls[CALL.status] ?? 0),
			b.rows !== undefined ? String(b.rows) : '',
		]);
	}
	ctx.report.detail({
		title: `Case 3, other clients: the same ${rowsLabel(rows)}-row export`,
		header: [
			'Client',
			'Whole export',
			'From the file request',
			'Peak RSS growth',
			'API calls',
			'of which status',
			'Rows',
		],
		rows: detail,
		notes: [
			"node-marketo-rest's file() buffers the whole response (restler) into a string; it has no streaming download. Its Records figure adds csv-parse/sync on that string (columns: true).",
			'Other npm packages: @grouparoo/node-marketo-rest is a fork of the same code (not installed here); no other npm package offers the bulk extract.',
		],
	});
	for (const [ours, theirs, what] of [
		['ours: Export, File output', 'node-marketo-rest: get + file()', 'file in hand'],
		[
			'ours: Export, Records output',
			'node-marketo-rest: get + file() + csv-parse/sync',
			'records in hand',
		],
	] as const) {
		const a = results.get(ours);
		const b = results.get(theirs);
		if (!b) continue;
		if (!a) {
			ctx.report.row({
				caseId: '3 Clients',
				measure: `${rowsLabel(rows)} rows, ${what}`,
				ours: 'failed (see Broken)',
				baseline: `node-marketo-rest ${secs(best(b).seconds)}`,
				verdict: 'failed',
			});
			continue;
		}
		const ta = best(a).seconds;
		const tb = best(b).seconds;
		ctx.report.row({
			caseId: '3 Clients',
			measure: `${rowsLabel(rows)} rows, ${what}: whole export time`,
			ours: secs(ta),
			baseline: `node-marketo-rest ${secs(tb)}`,
			ratio: ta / tb,
			verdict: 'info',
		});
		ctx.report.row({
			caseId: '3 Clients',
			measure: `${rowsLabel(rows)} rows, ${what}: peak RSS growth`,
			ours: mb(maxGrowth(a)),
			baseline: `node-marketo-rest ${mb(maxGrowth(b))}`,
			ratio: maxGrowth(a) / maxGrowth(b),
			verdict: 'info',
		});
		ctx.report.row({
			caseId: '3 Clients',
			measure: `${rowsLabel(rows)} rows, ${what}: API calls`,
			ours: String(totalCalls(best(a).calls)),
			baseline: `node-marketo-rest ${totalCalls(best(b).calls)}`,
			ratio: totalCalls(best(a).calls) / totalCalls(best(b).calls),
			verdict: 'info',
		});
	}
}
