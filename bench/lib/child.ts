/** Parent side of bench/lib/worker.ts: one contender run in a fresh Node process. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT, tsNodeArgs } from '../../test/harness/processes';
import type { WorkerResult } from './worker';

export interface ChildOptions {
	/** Write a V8 CPU profile of the measured work into this directory. */
	profileDir?: string;
	/** File name prefix of the profile. */
	profileName?: string;
	timeoutMs?: number;
}

export async function runContender(
	contender: string,
	params: unknown,
	options: ChildOptions = {},
): Promise<WorkerResult> {
	const flags = ['--expose-gc', '--max-old-space-size=8192'];
	const env = { ...process.env };
	if (options.profileDir)
		env.BENCH_PROFILE_FILE = path.join(
			options.profileDir,
			`${options.profileName ?? contender}-${Date.now()}.cpuprofile`,
		);
	const child = spawn(
		process.execPath,
		[
			...flags,
			...tsNodeArgs(),
			path.join(__dirname, 'worker.ts'),
			JSON.stringify({ contender, params }),
		],
		{ cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
	child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
	const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15 * 60_000);
	const code = await new Promise<number | null>((resolve) =>
		child.once('close', (c) => resolve(c)),
	);
	clearTimeout(timer);
	const line = stdout.split('\n').find((l) => l.startsWith('@@result '));
	if (code !== 0 || !line) {
		const lines = (stderr || stdout).trim().split('\n');
		const first = lines.find((l) => /(Error|error)\b/.test(l)) ?? lines[0] ?? '';
		throw new Error(`${contender} (exit ${code}): ${first.trim()}\n${lines.slice(-15).join('\n')}`);
	}
	return JSON.parse(line.slice('@@result '.length)) as WorkerResult;
}
