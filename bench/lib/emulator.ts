/**
 * Parent side of bench/lib/emulatorMain.ts: starts the emulator in its own process and talks to it over
 * its control API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { EmulatorOptions } from '../../test/emulator';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface EmulatorProcess {
	url: string;
	restEndpoint: string;
	clientId: string;
	clientSecret: string;
	pid: number;
	counters(): Promise<Record<string, number>>;
	resetCounters(): Promise<void>;
	/** Back to the initial data, no jobs, counters cleared. */
	reset(): Promise<void>;
	jobs(): Promise<Array<Record<string, unknown>>>;
	imports(): Promise<Array<Record<string, unknown>>>;
	stop(): Promise<void>;
}

export function tsNodeArgs(): string[] {
	return [require.resolve('ts-node/dist/bin.js', { paths: [REPO_ROOT] }), '--transpile-only'];
}

export async function startEmulatorProcess(options: EmulatorOptions): Promise<EmulatorProcess> {
	const child: ChildProcess = spawn(
		process.execPath,
		[...tsNodeArgs(), path.join(__dirname, 'emulatorMain.ts'), JSON.stringify(options)],
		{ cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
	);
	let output = '';
	child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
	child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`emulator did not start:\n${output}`)), 60_000);
		const check = () => {
			const m = /listening (http:\/\/\S+)/.exec(output);
			if (m) {
				clearTimeout(timer);
				child.stdout!.off('data', check);
				resolve(m[1]);
			}
		};
		child.stdout!.on('data', check);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`emulator exited (${code}):\n${output}`));
		});
	});
	const control = async (method: string, name: string): Promise<unknown> => {
		const response = await fetch(`${url}/__emulator/${name}`, { method });
		const text = await response.text();
		if (!response.ok) throw new Error(`emulator ${method} ${name}: ${response.status} ${text}`);
		return JSON.parse(text);
	};
	return {
		url,
		restEndpoint: `${url}/rest`,
		clientId: 'demo-client-id',
		clientSecret: 'demo-client-secret',
		pid: child.pid!,
		counters: async () => (await control('GET', 'counters')) as Record<string, number>,
		resetCounters: async () => void (await control('POST', 'reset-counters')),
		reset: async () => void (await control('POST', 'reset')),
		jobs: async () => (await control('GET', 'jobs')) as Array<Record<string, unknown>>,
		imports: async () => (await control('GET', 'imports')) as Array<Record<string, unknown>>,
		stop: async () => {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.stdin!.end();
			child.kill('SIGTERM');
			const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000).unref());
			if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
		},
	};
}
