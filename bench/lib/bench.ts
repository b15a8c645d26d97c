/** Shared by the cases: the run's settings, and running contenders (interleaved, repeated) in child processes. */
import { runContender } from './child';
import type { EmulatorProcess } from '../../test/harness/emulator';
import type { Report } from './report';
import type { WorkerResult } from './worker';

export interface BenchContext {
	smoke: boolean;
	/** Repetitions of each timed contender. */
	runs: number;
	report: Report;
	/** Where CPU profiles of our contenders go (--profile), else undefined. */
	profileDir?: string;
	n8nVersion?: string;
	log(message: string): void;
}

/** A contender run, with the API calls the emulator counted during it. */
export interface Measured extends WorkerResult {
	calls: Record<string, number>;
}

export interface Entry {
	label: string;
	contender: string;
	params: unknown;
	/** Counters come from this emulator (reset before the run). */
	emulator?: EmulatorProcess;
	/** Profile this one too (an extra, untimed run) when --profile is on. */
	profile?: boolean;
	/** Reset the emulator (data, jobs, imports, counters) before each run. */
	reset?: boolean;
	/** Name of the profile (default: from the label). */
	profileName?: string;
}

export async function runOnce(ctx: BenchContext, entry: Entry, profile = false): Promise<Measured> {
	if (entry.reset) await entry.emulator?.reset();
	else await entry.emulator?.resetCounters();
	const result = await runContender(
		entry.contender,
		entry.params,
		profile
			? { profileDir: ctx.profileDir, profileName: profileName(entry.profileName ?? entry.label) }
			: {},
	);
	const calls = entry.emulator ? withoutZeros(await entry.emulator.counters()) : {};
	return { ...result, calls };
}

/**
 * Runs every entry `runs` times, interleaved (A B C A B C …) so that a change in machine load touches all
 * of them alike. An entry that fails is reported and left out; the others go on.
 */
export async function interleaved(
	ctx: BenchContext,
	caseName: string,
	entries: Entry[],
	runs = ctx.runs,
): Promise<Map<string, Measured[]>> {
	const results = new Map<string, Measured[]>(entries.map((e) => [e.label, []]));
	const broken = new Set<string>();
	for (let r = 0; r < runs; r++) {
		for (const entry of entries) {
			if (broken.has(entry.label)) continue;
			try {
				const measured = await runOnce(ctx, entry);
				results.get(entry.label)!.push(measured);
				ctx.log(`    ${entry.label} #${r + 1}: ${describe(measured)}`);
			} catch (error) {
				broken.add(entry.label);
				results.delete(entry.label);
				ctx.report.fail(`${caseName}: ${entry.label}`, error);
			}
		}
	}
	if (ctx.profileDir) {
		for (const entry of entries) {
			if (!entry.profile || broken.has(entry.label)) continue;
			try {
				await runOnce(ctx, entry, true);
				ctx.log(`    ${entry.label}: CPU profile written`);
			} catch (error) {
				ctx.report.fail(`${caseName}: ${entry.label} (profiled run)`, error);
			}
		}
	}
	return results;
}

/** A file name prefix for a label: 'ours: decodeRecords (objects)' → 'ours-decodeRecords-objects'. */
export function profileName(label: string): string {
	return label.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function describe(m: Measured): string {
	const parts = [`${m.seconds.toFixed(2)} s`];
	for (const [phase, s] of Object.entries(m.phases)) parts.push(`${phase} ${s.toFixed(2)} s`);
	if (m.bytes) parts.push(`${(m.bytes / 1e6).toFixed(1)} MB`);
	if (m.rows) parts.push(`${m.rows} rows`);
	parts.push(`RSS +${(m.rss.growth / 1048576).toFixed(0)} MiB`);
	return parts.join(', ');
}

function withoutZeros(counters: Record<string, number>): Record<string, number> {
	return Object.fromEntries(Object.entries(counters).filter(([, n]) => n > 0));
}

/** The run with the shortest time (of a phase when given): the least disturbed by other load. */
export function best(runs: Measured[], phase?: string): Measured {
	return runs.reduce((a, b) => (timeOf(b, phase) < timeOf(a, phase) ? b : a));
}

export function timeOf(m: Measured, phase?: string): number {
	return phase ? (m.phases[phase] ?? m.seconds) : m.seconds;
}

export const maxGrowth = (runs: Measured[]) => Math.max(...runs.map((m) => m.rss.growth));

export function median(values: number[]): number {
	const s = [...values].sort((a, b) => a - b);
	const mid = s.length >> 1;
	return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Counter keys the emulator uses. */
export const CALL = {
	token: 'GET /identity/oauth/token',
	create: 'POST /bulk/v1/leads/export/create.json',
	enqueue: 'POST /bulk/v1/leads/export/:id/enqueue.json',
	status: 'GET /bulk/v1/leads/export/:id/status.json',
	file: 'GET /bulk/v1/leads/export/:id/file.json',
	describe: 'GET /rest/v1/leads/describe2.json',
};

export function totalCalls(calls: Record<string, number>): number {
	return Object.entries(calls)
		.filter(([k]) => k !== 'rangeRequests')
		.reduce((n, [, v]) => n + v, 0);
}

export const LEAD_FIELDS = [
	'id',
	'email',
	'firstName',
	'lastName',
	'company',
	'title',
	'phone',
	'address',
	'country',
	'leadScore',
];
/** How the Records output types these fields (from the emulator's describe): what the typed decoder gets. */
export const LEAD_KINDS = { id: 'integer', leadScore: 'integer' } as const;
export const DATA_RANGE = { start: '2026-01-01T00:00:00Z', end: '2026-01-30T00:00:00Z' };
/** One export window (≤ 31 days) holding every lead. */
export const EXPORT_RANGE = { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-31T00:00:00Z' };
