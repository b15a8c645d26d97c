/**
 * Decoder benchmark: our codec against papaparse and csv-parse on a Marketo-like lead export.
 *
 *   npx ts-node --transpile-only bench/decoder.bench.ts [rows=1000000] [runs=3]
 *
 * The file is generated in memory (10 fields; the literal null for empty values; accented, CJK and emoji
 * names; ~5% of rows carry quoted values holding commas, doubled quotes and line breaks) and fed to
 * every parser in the same 64 KiB Buffer chunks, as an HTTP download arrives. Each parser streams and
 * keys records by the header; nothing keeps the records, so memory stays flat. Best of `runs` counts.
 * Bench code is not shipped, so it may use Node modules freely.
 */
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { parse as csvParse } from 'csv-parse';
import { CsvDecoder, decodeRecords, recordBuilder } from '../nodes/MarketoBulk/helpers/csv';
import { prng } from '../test/helpers/random';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 3);
const CHUNK = 64 * 1024;

function generate(rows: number): Buffer {
	const rnd = prng(42);
	const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
	const first = [
		'Anna',
		'José',
		'Zoë',
		'美咲',
		'Łukasz',
		'Søren',
		'Ngozi',
		'Ольга',
		'Chloé',
		'Bob',
	];
	const last = ['Smith', 'García', 'Müller', '佐藤', 'Nowak', "O'Brien", 'Dubois', 'Kowalski'];
	const companies = ['Acme Inc', 'Globex', 'Initech', 'Umbrella Corp', 'Stark Industries', 'null'];
	const header =
		'id,email,firstName,lastName,company,leadScore,unsubscribed,createdAt,updatedAt,notes\n';
	const parts: Buffer[] = [Buffer.from(header)];
	let batch: string[] = [];
	for (let i = 1; i <= rows; i++) {
		const fn = pick(first);
		const ln = pick(last);
		const tricky = rnd() < 0.05;
		const day = String(1 + (i % 28)).padStart(2, '0');
		const fields = [
			String(1000000 + i),
			`${fn.toLowerCase()}.${i}@example.com`,
			fn,
			rnd() < 0.1 ? 'null' : ln,
			tricky ? '"' + pick(companies) + ', LLC"' : pick(companies),
			rnd() < 0.2 ? 'null' : String(Math.floor(rnd() * 200)),
			rnd() < 0.5 ? 'true' : 'false',
			`2024-01-${day}T10:20:30Z`,
			`2024-02-${day}T11:22:33Z`,
			tricky
				? '"Met at ""Summit"", booth 12\nFollow up: pricing 😀"'
				: rnd() < 0.6
					? 'null'
					: 'Interested in webinar ' + (i % 100),
		];
		batch.push(fields.join(','));
		if (batch.length === 10000 || i === rows) {
			parts.push(Buffer.from(batch.join('\n') + '\n'));
			batch = [];
		}
	}
	return Buffer.concat(parts);
}

function chunksOf(data: Buffer): Buffer[] {
	const out: Buffer[] = [];
	for (let i = 0; i < data.length; i += CHUNK) out.push(data.subarray(i, i + CHUNK));
	return out;
}

type Runner = (chunks: Buffer[]) => Promise<number>;

const runners: Array<[string, Runner]> = [
	[
		'ours: CsvDecoder (values arrays)',
		async (chunks) => {
			const d = new CsvDecoder({ format: 'CSV' });
			let n = 0;
			for (const c of chunks) n += d.write(c).length;
			n += d.end().length;
			return n - 1; // minus the header
		},
	],
	[
		'ours: decodeRecords (objects, text)',
		async (chunks) => {
			let n = 0;
			for await (const batch of decodeRecords(Readable.from(chunks), { format: 'CSV' })) {
				n += batch.records.length;
			}
			return n;
		},
	],
	[
		'ours: decodeRecords + recordBuilder (typed)',
		async (chunks) => {
			let n = 0;
			const convert = (header: string[]) =>
				recordBuilder(header, { id: 'integer', leadScore: 'integer', unsubscribed: 'boolean' });
			for await (const batch of decodeRecords(Readable.from(chunks), { format: 'CSV', convert })) {
				n += batch.records.length;
			}
			return n;
		},
	],
	[
		'papaparse: stream, header:true, chunk callback',
		(chunks) =>
			new Promise((resolve, reject) => {
				let n = 0;
				Papa.parse(Readable.from(chunks) as unknown as File, {
					header: true,
					chunk: (results: Papa.ParseResult<unknown>) => {
						n += results.data.length;
					},
					complete: () => resolve(n),
					error: reject,
				});
			}),
	],
	[
		'papaparse: stream, header:true, step callback',
		(chunks) =>
			new Promise((resolve, reject) => {
				let n = 0;
				Papa.parse(Readable.from(chunks) as unknown as File, {
					header: true,
					step: () => {
						n++;
					},
					complete: () => resolve(n),
					error: reject,
				});
			}),
	],
	[
		'papaparse: stream, header:true, dynamicTyping',
		(chunks) =>
			new Promise((resolve, reject) => {
				let n = 0;
				Papa.parse(Readable.from(chunks) as unknown as File, {
					header: true,
					dynamicTyping: true,
					chunk: (results: Papa.ParseResult<unknown>) => {
						n += results.data.length;
					},
					complete: () => resolve(n),
					error: reject,
				});
			}),
	],
	[
		'csv-parse: stream, columns:true',
		async (chunks) => {
			let n = 0;
			for await (const _ of Readable.from(chunks).pipe(csvParse({ columns: true }))) n++;
			return n;
		},
	],
];

async function main() {
	const data = generate(ROWS);
	const chunks = chunksOf(data);
	const mb = data.length / 1e6;
	console.log(
		`${ROWS.toLocaleString('en')} rows × 10 fields, ${mb.toFixed(1)} MB, ${chunks.length} chunks of 64 KiB, best of ${RUNS}, Node ${process.version}`,
	);
	const results: Array<{ name: string; seconds: number; rows: number }> = [];
	for (const [name, run] of runners) {
		let best = Infinity;
		let rows = 0;
		for (let r = 0; r < RUNS; r++) {
			(global as { gc?: () => void }).gc?.();
			const t0 = performance.now();
			rows = await run(chunks);
			best = Math.min(best, (performance.now() - t0) / 1000);
		}
		if (rows !== ROWS) console.warn(`  ! ${name} decoded ${rows} rows, expected ${ROWS}`);
		results.push({ name, seconds: best, rows });
	}
	const w = Math.max(...results.map((r) => r.name.length));
	console.log(`| ${'parser'.padEnd(w)} |   time s |      rows/s |    MB/s |`);
	console.log(`|${'-'.repeat(w + 2)}|---------:|------------:|--------:|`);
	for (const r of results) {
		console.log(
			`| ${r.name.padEnd(w)} | ${r.seconds.toFixed(3).padStart(8)} | ${Math.round(
				r.rows / r.seconds,
			)
				.toLocaleString('en')
				.padStart(11)} | ${(mb / r.seconds).toFixed(1).padStart(7)} |`,
		);
	}
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
