/**
 * What the harness's processes share: the repository and cache paths, child processes that die with this one,
 * the one-n8n-at-a-time lock (in-process queue + a lock directory in the cache, shared with other processes on
 * the machine), free ports, and small text helpers.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export function cacheDir(): string {
	return (
		process.env.MARKETO_BULK_CACHE ?? path.join(os.homedir(), '.cache', 'n8n-nodes-marketo-bulk')
	);
}

/** `node <these> file.ts` runs a TypeScript file of this repository in a child process. */
export function tsNodeArgs(): string[] {
	return [require.resolve('ts-node/dist/bin.js', { paths: [REPO_ROOT] }), '--transpile-only'];
}

// ---------------------------------------------------------------------------------------------------------
// One n8n process at a time

let queue: Promise<void> = Promise.resolve();
const heldLocks = new Set<string>();

/** Waits for the n8n lock (this process first, then other processes); resolves to the release function. */
export async function acquireN8nLock(label: string, timeoutMs = 15 * 60_000): Promise<() => void> {
	let releaseQueue!: () => void;
	const previous = queue;
	queue = new Promise<void>((resolve) => (releaseQueue = resolve));
	await previous;
	const lockDir = path.join(cacheDir(), 'n8n-run.lock');
	fs.mkdirSync(cacheDir(), { recursive: true });
	const deadline = Date.now() + timeoutMs;
	let said = false;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'owner'), JSON.stringify({ pid: process.pid, label }));
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const owner = readOwner(lockDir);
			if (owner && !alive(owner.pid)) {
				fs.rmSync(lockDir, { recursive: true, force: true });
				continue;
			}
			if (Date.now() > deadline) {
				releaseQueue();
				throw new Error(
					`timed out waiting for the n8n lock held by ${JSON.stringify(owner)} (${lockDir})`,
				);
			}
			if (!said && owner) {
				process.stderr.write(
					`[e2e] waiting for another n8n run (pid ${owner.pid}, ${owner.label})\n`,
				);
				said = true;
			}
			await sleep(500);
		}
	}
	heldLocks.add(lockDir);
	let released = false;
	return () => {
		if (released) return;
		released = true;
		heldLocks.delete(lockDir);
		fs.rmSync(lockDir, { recursive: true, force: true });
		releaseQueue();
	};
}

function readOwner(lockDir: string): { pid: number; label: string } | undefined {
	try {
		return JSON.parse(fs.readFileSync(path.join(lockDir, 'owner'), 'utf8'));
	} catch {
		return undefined; // being created right now, or left half-written: the next round decides
	}
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Child processes killed when this process exits. */
export const children = new Set<ChildProcess>();
process.on('exit', () => {
	for (const child of children) child.kill('SIGKILL');
	for (const lockDir of heldLocks) fs.rmSync(lockDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => process.exit(130));
}

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
	ms: number;
}

// ---------------------------------------------------------------------------------------------------------
// processes, ports, text

export function runProcess(
	cmd: string,
	args: string[],
	env: NodeJS.ProcessEnv,
	timeoutMs: number,
): Promise<CliResult> {
	const started = Date.now();
	return new Promise((resolve) => {
		const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
		children.add(child);
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
		const timer = setTimeout(() => {
			stderr += `\n[e2e] killed after ${timeoutMs} ms`;
			child.kill('SIGKILL');
		}, timeoutMs);
		child.on('close', (code) => {
			clearTimeout(timer);
			children.delete(child);
			resolve({
				code,
				stdout: stripAnsi(stdout),
				stderr: stripAnsi(stderr),
				ms: Date.now() - started,
			});
		});
	});
}

export function run(cmd: string, args: string[], cwd?: string): string {
	const result = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
	if (result.status !== 0) {
		throw new Error(
			`${cmd} ${args.join(' ')} failed (${result.status}):\n${tail(result.stdout + result.stderr, 20)}`,
		);
	}
	return result.stdout;
}

export function findDirs(root: string, name: string): string[] {
	const found: string[] = [];
	const walk = (dir: string) => {
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			if (!entry.isDirectory()) continue;
			const full = path.join(dir, entry.name);
			if (entry.name === name && path.basename(dir) === 'node_modules') found.push(full);
			walk(full);
		}
	};
	walk(root);
	return found;
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

/** The first port from `preferred` on (at most `tries` of them) that nobody listens on at 127.0.0.1. */
export async function firstFreePort(
	preferred: number,
	tries = 50,
	avoid: number[] = [],
): Promise<number> {
	for (let port = preferred; port < preferred + tries; port++) {
		if (avoid.includes(port)) continue;
		if (await portIsFree(port)) return port;
	}
	return await freePort();
}

function portIsFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

export function stripAnsi(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replace(/\x1b\[[0-9;]*m/g, '');
}

export function tail(text: string, lines: number): string {
	return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
