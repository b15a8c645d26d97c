/**
 * The benchmarks: `npm run bench` (all cases, full sizes; writes bench/RESULTS.md) or
 * `npm run bench -- --smoke` (small sizes, a couple of minutes, for CI: exits non-zero when a case breaks,
 * not when a target is missed).
 *
 *   npm run bench -- [--smoke] [--cases 1,3,5] [--runs N] [--profile] [--n8n VERSION] [--write | --no-write]
 *
 * Every figure is a ratio against a baseline measured in the same run, on the Marketo emulator over
 * loopback. The emulator runs in a process of its own and every contender in a fresh child process, so
 * that each one's time and peak RSS are its own. See bench/RESULTS.md for the last full run.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { apiCallsCase } from './cases/apiCalls';
import { clientsCase } from './cases/clients';
import { exportCase } from './cases/export';
import { importCase } from './cases/import';
import { n8nCase } from './cases/n8n';
import type { BenchContext } from './lib/bench';
import { loadText, machine, type Machine } from './lib/machine';
import { hotspots } from './lib/profile';
import { markdownTable, Report } from './lib/report';

const CASES: Record<string, { title: string; run: (ctx: BenchContext) => Promise<void> }> = {
	'1': { title: 'Lead export: File and Records output', run: exportCase },
	'2': { title: 'n8n: HTTP Request workflow vs our node, in a real n8n', run: n8nCase },
	'3': { title: 'Other Marketo clients on npm', run: clientsCase },
	'4': { title: 'Lead import', run: importCase },
	'5': { title: 'API calls per export', run: apiCallsCase },
};

interface Args {
	smoke: boolean;
	cases: string[];
	runs?: number;
	profile: boolean;
	n8n?: string;
	write?: boolean;
}

function parseArgs(argv: string[]): Args {
	const args: Args = { smoke: false, cases: Object.keys(CASES), profile: false };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const value = () => {
			const v = argv[++i];
			if (v === undefined) throw new Error(`${a} needs a value`);
			return v;
		};
		if (a === '--smoke') args.smoke = true;
		else if (a === '--cases')
			args.cases = value()
				.split(',')
				.map((c) => c.trim());
		else if (a === '--runs') args.runs = Number(value());
		else if (a === '--profile') args.profile = true;
		else if (a === '--n8n') args.n8n = value();
		else if (a === '--write') args.write = true;
		else if (a === '--no-write') args.write = false;
		else if (a === '--help' || a === '-h') {
			process.stdout.write(readFileSync(__filename, 'utf8').split('*/')[0] + '*/\n');
			process.exit(0);
		} else throw new Error(`Unknown option ${a}`);
	}
	for (const c of args.cases)
		if (!CASES[c]) throw new Error(`Unknown case ${c}; cases are ${Object.keys(CASES).join(', ')}`);
	return args;
}

const RESULTS = join(__dirname, 'RESULTS.md');
const BEGIN = '<!-- bench:begin (written by bench/run.ts; edit outside these markers) -->';
const END = '<!-- bench:end -->';

function command(args: Args): string {
	const extra = process.argv.slice(2).join(' ');
	void args;
	return `npm run bench${extra ? ` -- ${extra}` : ''}`;
}

function generated(
	report: Report,
	args: Args,
	before: Machine,
	after: Machine,
	startedAt: Date,
	seconds: number,
	profiles: string,
): string {
	const lines = [
		`Run of ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${Math.round(seconds / 60)} min: \`${command(args)}\``,
		'',
		`Machine: ${before.cores} cores (${before.cpus}), ${before.memory} memory, Node ${before.node}, ${before.os}.`,
		`Load average (1, 5, 15 min) at the start: ${loadText(before.load)}; at the end: ${loadText(after.load)}. ` +
			`1-minute load when each case started: ${report.loads.map((l) => `case ${l.caseId} ${l.load.toFixed(2)}`).join(', ')}.`,
		'',
		'### Summary',
		'',
		report.summaryTable(),
		'',
	];
	if (report.failures.length)
		lines.push('### Broken', '', ...report.failures.map((f) => `- ${f.split('\n')[0]}`), '');
	if (report.skipped.length)
		lines.push('### Skipped', '', ...report.skipped.map((s) => `- ${s}`), '');
	lines.push('### Details', '', report.detailTables(), '');
	if (profiles) lines.push('### Where the time goes (CPU profiles, self time)', '', profiles, '');
	return lines.join('\n');
}

function writeResults(text: string): void {
	let current = '';
	try {
		current = readFileSync(RESULTS, 'utf8');
	} catch {
		current = '';
	}
	const block = `${BEGIN}\n\n${text}\n${END}`;
	const begin = current.indexOf(BEGIN);
	const end = current.indexOf(END);
	const next =
		begin >= 0 && end > begin
			? current.slice(0, begin) + block + current.slice(end + END.length)
			: `# Benchmark results\n\n${block}\n`;
	writeFileSync(RESULTS, next);
}

function profileSummary(dir: string): string {
	const files = readdirSync(dir)
		.filter((f) => f.endsWith('.cpuprofile'))
		.sort();
	const parts: string[] = [];
	for (const file of files) {
		const { total, spots, files: byFile } = hotspots(join(dir, file), 10);
		const name = file.replace(/-\d+\.cpuprofile$/, '');
		const cells = (list: typeof spots) =>
			list.map((s) => [
				s.name.replace(/\|/g, '\\|'),
				`${s.ms.toFixed(0)} ms`,
				`${(s.share * 100).toFixed(1)} %`,
			]);
		parts.push(
			`#### ${name} (${(total / 1000).toFixed(2)} s of CPU samples in the measured run)`,
			'',
			markdownTable(['Function', 'Self', 'Share'], cells(spots)),
			'',
			markdownTable(['By file', 'Self', 'Share'], cells(byFile)),
			'',
		);
	}
	return parts.join('\n');
}

async function main(): Promise<number> {
	const args = parseArgs(process.argv.slice(2));
	const report = new Report();
	const before = machine();
	const startedAt = new Date();
	const t0 = performance.now();
	const profileDir = args.profile
		? mkdtempSync(join(tmpdir(), 'marketo-bulk-bench-prof-'))
		: undefined;
	const ctx: BenchContext = {
		smoke: args.smoke,
		runs: args.runs ?? (args.smoke ? 1 : 3),
		report,
		profileDir,
		n8nVersion: args.n8n,
		log: (message) => process.stdout.write(`${message}\n`),
	};
	process.stdout.write(
		`${args.smoke ? 'Smoke run' : 'Benchmark'}: cases ${args.cases.join(', ')}, ${ctx.runs} run(s) each; ` +
			`${before.cores} cores, ${before.memory}, Node ${before.node}, load ${loadText(before.load)}\n`,
	);
	if (!args.smoke && before.load[0] > before.cores / 2) {
		process.stdout.write(
			`  note: the 1-minute load (${before.load[0].toFixed(2)}) is high for ${before.cores} cores; figures may suffer\n`,
		);
	}
	const runCase = async (id: string, caseCtx: BenchContext) => {
		const c = CASES[id];
		const load = machine().load[0];
		caseCtx.report.loads.push({ caseId: id, load });
		caseCtx.log(`\nCase ${id}: ${c.title} (load ${load.toFixed(2)})`);
		const started = performance.now();
		try {
			await c.run(caseCtx);
		} catch (error) {
			caseCtx.report.fail(`case ${id}`, error);
		}
		caseCtx.log(`  (case ${id}: ${((performance.now() - started) / 1000).toFixed(0)} s)`);
	};
	if (args.smoke) {
		// A smoke run only checks that every case still works, so the cases run at the same time (much of
		// each is waiting: on polls, on n8n starting), each one's output held and printed in order.
		const lanes = args.cases.map((id) => {
			let log = '';
			const laneReport = new Report((text) => (log += text));
			const laneCtx: BenchContext = {
				...ctx,
				report: laneReport,
				log: (message) => (log += `${message}\n`),
			};
			return { done: runCase(id, laneCtx), report: laneReport, log: () => log };
		});
		for (const lane of lanes) {
			await lane.done;
			process.stdout.write(lane.log());
			report.merge(lane.report);
		}
	} else {
		for (const id of args.cases) await runCase(id, ctx);
	}
	const after = machine();
	const seconds = (performance.now() - t0) / 1000;
	const profiles = profileDir ? profileSummary(profileDir) : '';
	const text = generated(report, args, before, after, startedAt, seconds, profiles);
	process.stdout.write(`\n${text}\n`);
	const write = args.write ?? (!args.smoke && args.cases.length === Object.keys(CASES).length);
	if (write) {
		writeResults(text);
		process.stdout.write(`Wrote ${RESULTS}\n`);
	}
	if (profileDir) {
		if (process.env.BENCH_KEEP_PROFILES)
			process.stdout.write(`CPU profiles kept in ${profileDir}\n`);
		else rmSync(profileDir, { recursive: true, force: true });
	}
	if (report.failures.length) {
		process.stdout.write(
			`\n${report.failures.length} case(s) broke:\n${report.failures.map((f) => `- ${f.split('\n')[0]}`).join('\n')}\n`,
		);
		return 1;
	}
	return 0;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
		process.exit(2);
	},
);
