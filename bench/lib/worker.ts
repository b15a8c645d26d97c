/**
 * A measured child process: runs one contender once and prints one line `@@result <json>` with its time,
 * the time since its first mark (when it made one), its peak RSS growth and what it handled.
 *
 *   node --expose-gc <ts-node> --transpile-only bench/lib/worker.ts '{"contender":"rawDownload","params":{…}}'
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { CONTENDERS } from './contenders';
import { startPeakMeter } from './memory';

export interface WorkerResult {
	contender: string;
	seconds: number;
	/** Seconds from each mark to the end. */
	phases: Record<string, number>;
	bytes?: number;
	rows?: number;
	extra?: Record<string, unknown>;
	rss: { baseline: number; peak: number; growth: number; method: string };
}

async function main(): Promise<void> {
	const spec = JSON.parse(process.argv[2]) as { contender: string; params: never };
	const contender = CONTENDERS[spec.contender];
	if (!contender) throw new Error(`unknown contender ${spec.contender}`);
	const state = (await contender.prepare?.(spec.params)) as never;
	const marks: Record<string, number> = {};
	// A CPU profile of the measured work only (not start-up, not prepare), when asked for.
	const profileFile = process.env.BENCH_PROFILE_FILE;
	const session = profileFile ? new Session() : undefined;
	const post = (method: string) =>
		new Promise<unknown>((resolve, reject) =>
			session!.post(method, (error, result) => (error ? reject(error) : resolve(result))),
		);
	if (session) {
		session.connect();
		await post('Profiler.enable');
		await post('Profiler.start');
	}
	const meter = startPeakMeter();
	const started = performance.now();
	const outcome = await contender.run(spec.params, state, (name) => {
		marks[name] ??= performance.now();
	});
	const ended = performance.now();
	const rss = meter.stop();
	if (session) {
		const { profile } = (await post('Profiler.stop')) as { profile: unknown };
		writeFileSync(profileFile!, JSON.stringify(profile));
		session.disconnect();
	}
	contender.cleanup?.(spec.params, state);
	const phases: Record<string, number> = {};
	for (const [name, at] of Object.entries(marks)) phases[name] = (ended - at) / 1000;
	const result: WorkerResult = {
		contender: spec.contender,
		seconds: (ended - started) / 1000,
		phases,
		...outcome,
		rss,
	};
	process.stdout.write(`@@result ${JSON.stringify(result)}\n`);
}

main().then(
	() => process.exit(0),
	(error) => {
		process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
		process.exit(1);
	},
);
