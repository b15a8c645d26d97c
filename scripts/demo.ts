/**
 * `npm run demo`: a Marketo emulator + a REAL n8n with this package installed the way n8n installs a community
 * package, a "Marketo account" credential that points at the emulator, and the example workflows
 * (examples/*.json) imported. Prints the editor URL, the login and what to click; runs until Ctrl+C, then
 * stops both and removes the temporary n8n user folder.
 *
 *   npm run demo                          n8n 2.40.7 (Node 24), editor on port 5678 or the next free one
 *   npm run demo -- --n8n 1               n8n 1.123.81 (the machine's Node)
 *   npm run demo -- --headless            runs every example that starts with a Manual Trigger
 *                                         (`n8n execute`) and prints what each node output; exits 1 if one fails
 *   npm run demo -- --port 5700 --examples path/to/dir --keep
 *   npm run demo -- --queue               n8n 2.x in queue mode: PostgreSQL and Redis from the distribution's
 *                                         packages, one main and two workers sharing the package; with
 *                                         --headless the examples run on the workers, as editor runs do
 *
 * The first run installs n8n into a cache outside the repository (several minutes, once).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { startEmulatorProcess, type EmulatorProcess } from '../test/harness/emulator';
import { QueueCluster, runOf } from '../test/harness/queue';
import {
	DEFAULT_VERSIONS,
	majorOf,
	n8nInstall,
	packPackage,
	prepareUserFolder,
	type N8nInstall,
	type UserFolder,
} from '../test/harness/install';
import { N8n, type Owner } from '../test/harness/n8n';
import { cacheDir, firstFreePort, REPO_ROOT, tail } from '../test/harness/processes';
import { describeRunError, type N8nRun, type WorkflowFixture } from '../test/harness/workflows';

export const DEMO_OWNER: Owner = {
	email: 'demo@example.com',
	firstName: 'Demo',
	lastName: 'User',
	password: 'Demo-Password-1',
};

const PACKAGE_PREFIX = 'n8n-nodes-marketo-bulk.';
const CREDENTIAL_TYPE = 'marketoApi';
const DEFAULT_CREDENTIAL = { id: 'mktoBulkDemoCred', name: 'Marketo account' };
const MANUAL_TRIGGER = 'n8n-nodes-base.manualTrigger';
/** The example the instructions point at first, when present. */
const FIRST_EXAMPLE = 'export-new-leads-to-records.json';

export interface DemoOptions {
	headless: boolean;
	/** An n8n version, or a major ("1", "2"). Default: 2.40.7. */
	n8n: string;
	/** Editor port wanted (interactive mode); the next free one is used when taken. */
	port: number;
	examplesDir: string;
	/** Keep the n8n user folder (database, log) at the end. */
	keep: boolean;
	/** Queue mode: PostgreSQL, Redis, a main and two workers (n8n 2.x). */
	queue: boolean;
}

const USAGE = `Usage: npm run demo -- [options]
  --headless          run the example workflows (n8n execute) and print their output, then exit
                      (exit code 1 when one fails)
  --n8n 1|2|VERSION   the n8n to run: 2 = ${DEFAULT_VERSIONS[1]} on Node 24 (default), 1 = ${DEFAULT_VERSIONS[0]}
  --port N            editor port (default 5678; the next free one if taken)
  --examples DIR      workflows to import (default: examples/)
  --keep              keep n8n's temporary user folder (database, log) at the end
  --queue             queue mode (n8n 2.x): PostgreSQL and Redis (Debian: apt-get install postgresql
                      redis-server), one main and two workers; editor runs go to the workers`;

export function parseDemoArgs(argv: string[]): DemoOptions {
	const options: DemoOptions = {
		headless: false,
		n8n: DEFAULT_VERSIONS[1],
		port: 5678,
		examplesDir: path.join(REPO_ROOT, 'examples'),
		keep: false,
		queue: false,
	};
	for (let k = 0; k < argv.length; k++) {
		const arg = argv[k];
		const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
		const value = (): string => {
			const v = inline ?? argv[++k];
			if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
			return v;
		};
		switch (flag) {
			case '--headless':
				options.headless = true;
				break;
			case '--n8n':
				options.n8n = value();
				break;
			case '--port': {
				const port = Number(value());
				if (!Number.isInteger(port) || port < 1 || port > 65535)
					throw new UsageError('--port needs a port number');
				options.port = port;
				break;
			}
			case '--examples':
				options.examplesDir = path.resolve(value());
				break;
			case '--keep':
				options.keep = true;
				break;
			case '--queue':
				options.queue = true;
				break;
			case '--help':
			case '-h':
				throw new UsageError('', 0);
			default:
				throw new UsageError(`unknown option ${arg}`);
		}
	}
	const version =
		DEFAULT_VERSIONS.find((v) => v === options.n8n || v.split('.')[0] === options.n8n) ??
		options.n8n;
	if (!/^[12]\.\d+\.\d+$/.test(version))
		throw new UsageError(`--n8n ${options.n8n}: use 1, 2 or a full 1.x/2.x version`);
	options.n8n = version;
	if (options.queue && majorOf(version) < 2)
		throw new UsageError('--queue runs n8n 2.x (queue mode with n8n 1.x is not tested here)');
	return options;
}

class UsageError extends Error {
	constructor(
		message: string,
		readonly code = 2,
	) {
		super(message);
	}
}

/** A failed step of the demo: printed as the step, the cause's last lines and what to do, not a stack trace. */
class DemoStepError extends Error {
	constructor(
		readonly step: string,
		readonly hint: string,
		readonly detail = '',
	) {
		super(`${step} failed${detail ? `: ${detail}` : ''}`);
	}
}

async function step<T>(name: string, hint: string, run: () => T | Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (error) {
		if (error instanceof DemoStepError) throw error;
		throw new DemoStepError(name, hint, error instanceof Error ? error.message : String(error));
	}
}

function reportFailure(error: unknown): void {
	if (!(error instanceof DemoStepError)) {
		process.stderr.write(`[demo] ${error instanceof Error ? error.message : String(error)}\n`);
		return;
	}
	process.stderr.write(`[demo] FAILED: ${error.step}\n`);
	if (error.detail) process.stderr.write(`${tail(error.detail, 12).replace(/^/gm, '    ')}\n`);
	process.stderr.write(`[demo] what to do: ${error.hint}\n`);
}

// ---------------------------------------------------------------------------------------------------------
// output

const started = Date.now();

function say(line = ''): void {
	process.stdout.write(`${line}\n`);
}

function progress(line: string): void {
	const s = ((Date.now() - started) / 1000).toFixed(0).padStart(3);
	say(`[demo ${s}s] ${line}`);
}

function displayPath(file: string): string {
	const relative = path.relative(REPO_ROOT, file);
	return relative.startsWith('..') ? file : relative;
}

function minutes(ms: number): string {
	const s = Math.round(ms / 1000);
	return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

// ---------------------------------------------------------------------------------------------------------
// steps

/** n8n from the cache; the first time, installs it (scripts/install-n8n.sh) and says how it is going. */
export async function ensureN8n(version: string): Promise<N8nInstall> {
	const dir = path.join(cacheDir(), `n8n-${version}`);
	const major = majorOf(version);
	// The script runs every time: for a cached install it only checks that it still works.
	const cold = !fs.existsSync(path.join(dir, '.complete'));
	if (cold)
		progress(
			`installing n8n ${version}${major === 2 ? ' and Node 24' : ''} into ${cacheDir()}: ` +
				`the first run only; about 5 minutes and 2 GB per n8n version`,
		);
	const t0 = Date.now();
	const child = spawn('bash', [path.join(REPO_ROOT, 'scripts', 'install-n8n.sh'), String(major)], {
		stdio: ['ignore', 'inherit', 'inherit'],
		env: { ...process.env, [`N8N${major}_VERSION`]: version, MARKETO_BULK_CACHE: cacheDir() },
	});
	const ticker = setInterval(() => {
		progress(
			`  still installing n8n ${version}: ${minutes(Date.now() - t0)}, ${sizeOf(dir)} so far`,
		);
	}, 30_000);
	const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
	clearInterval(ticker);
	if (code !== 0)
		throw new DemoStepError(
			`installing n8n ${version}`,
			'the [install-n8n] lines above name the step that failed and what to do; then run the demo again',
		);
	if (cold) progress(`installed n8n ${version} in ${minutes(Date.now() - t0)}`);
	return n8nInstall(version);
}

function sizeOf(dir: string): string {
	let bytes = 0;
	const walk = (d: string) => {
		let entries: fs.Dirent[];
		try {
			entries = fs.readdirSync(d, { withFileTypes: true });
		} catch {
			return;
		}
		for (const entry of entries) {
			const full = path.join(d, entry.name);
			if (entry.isDirectory()) walk(full);
			else if (entry.isFile()) {
				try {
					bytes += fs.statSync(full).size;
				} catch {
					// removed meanwhile
				}
			}
		}
	};
	walk(dir);
	return bytes > 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}

export interface Example {
	file: string;
	/** The file, relative to the repository when inside it (for messages). */
	source: string;
	workflow: WorkflowFixture;
	/** Starts from a Manual Trigger: `n8n execute` can run it. */
	runnable: boolean;
	/** Has a trigger node other than the Manual Trigger (polling trigger, webhook…). */
	hasTrigger: boolean;
}

interface WorkflowNode {
	name: string;
	type: string;
	credentials?: Record<string, { id?: string; name?: string }>;
	[key: string]: unknown;
}

/**
 * Reads `<dir>/*.json` (sorted by name) and prepares them for import: workflow id kept when usable (else one
 * derived from the file name), inactive, our node types under this package's name, every Marketo credential
 * reference pointing at a credential the demo creates. Returns the examples and those credentials.
 */
export function loadExamples(dir: string): {
	examples: Example[];
	credentials: Array<{ id: string; name: string }>;
} {
	const files = fs.existsSync(dir)
		? fs
				.readdirSync(dir)
				.filter((f) => f.endsWith('.json'))
				.sort((a, b) => (a === FIRST_EXAMPLE ? -1 : b === FIRST_EXAMPLE ? 1 : a.localeCompare(b)))
		: [];
	const raws: Array<{ file: string; raw: Record<string, unknown>; nodes: WorkflowNode[] }> = [];
	for (const file of files) {
		let raw: Record<string, unknown>;
		try {
			raw = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
		} catch (error) {
			throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
		}
		if (
			!Array.isArray(raw.nodes) ||
			typeof raw.connections !== 'object' ||
			raw.connections === null
		)
			throw new Error(`${file}: not an n8n workflow (no nodes/connections)`);
		const nodes = raw.nodes as WorkflowNode[];
		for (const node of nodes) {
			const local = /(?:^|\.)(marketoBulk|marketoBulkTrigger)$/.exec(node.type);
			if (local && !node.type.startsWith(PACKAGE_PREFIX)) node.type = PACKAGE_PREFIX + local[1];
		}
		raws.push({ file, raw, nodes });
	}
	// the credentials the examples name (by id); nodes without a reference get the first of them
	const validId = (id: unknown): id is string =>
		typeof id === 'string' && /^[A-Za-z0-9_-]{1,36}$/.test(id);
	const credentials = new Map<string, string>();
	for (const { nodes } of raws) {
		for (const node of nodes) {
			const reference = node.credentials?.[CREDENTIAL_TYPE];
			if (validId(reference?.id) && !credentials.has(reference.id))
				credentials.set(reference.id, reference.name || DEFAULT_CREDENTIAL.name);
		}
	}
	if (credentials.size === 0) credentials.set(DEFAULT_CREDENTIAL.id, DEFAULT_CREDENTIAL.name);
	const [fallbackId] = [...credentials.keys()];
	const examples: Example[] = [];
	const usedIds = new Set<string>();
	for (const { file, raw, nodes } of raws) {
		for (const node of nodes) {
			const reference = node.credentials?.[CREDENTIAL_TYPE];
			if (reference || node.type.startsWith(PACKAGE_PREFIX)) {
				const id = validId(reference?.id) ? reference.id : fallbackId;
				node.credentials = {
					...node.credentials,
					[CREDENTIAL_TYPE]: { id, name: credentials.get(id)! },
				};
			}
		}
		let id = typeof raw.id === 'string' && /^[A-Za-z0-9]{1,36}$/.test(raw.id) ? raw.id : '';
		if (!id || usedIds.has(id)) {
			const base = 'demo' + path.basename(file, '.json').replace(/[^A-Za-z0-9]/g, '');
			id = base.slice(0, 16);
			for (let k = 2; usedIds.has(id); k++) id = `${base.slice(0, 14)}${k}`;
		}
		usedIds.add(id);
		const workflow: WorkflowFixture = {
			...raw,
			id,
			name: typeof raw.name === 'string' && raw.name ? raw.name : path.basename(file, '.json'),
			nodes,
			connections: raw.connections as Record<string, unknown>,
			active: false,
			settings: (raw.settings as Record<string, unknown>) ?? {},
		};
		const runnable = nodes.some((n) => n.type === MANUAL_TRIGGER);
		const hasTrigger = nodes.some(
			(n) => n.type !== MANUAL_TRIGGER && /trigger$/i.test(n.type.split('.').pop() ?? ''),
		);
		examples.push({
			file,
			source: displayPath(path.join(dir, file)),
			workflow,
			runnable,
			hasTrigger,
		});
	}
	return {
		examples,
		credentials: [...credentials].map(([id, name]) => ({ id, name })),
	};
}

async function importAll(
	n8n: N8n,
	emulator: EmulatorProcess,
	examples: Example[],
	credentials: Array<{ id: string; name: string }>,
): Promise<void> {
	await n8n.importCredentials(
		credentials.map((c) => ({
			...c,
			type: CREDENTIAL_TYPE,
			data: {
				restEndpoint: emulator.restEndpoint,
				clientId: emulator.clientId,
				clientSecret: emulator.clientSecret,
			},
		})),
	);
	if (examples.length === 0) return;
	// one `n8n import:workflow` for all of them (each n8n CLI run takes seconds)
	const file = path.join(n8n.folder.root, 'demo-workflows.json');
	fs.writeFileSync(
		file,
		JSON.stringify(
			examples.map((e) => e.workflow),
			null,
			2,
		),
	);
	const result = await n8n.cli(['import:workflow', `--input=${file}`]);
	if (result.code !== 0)
		throw new Error(`n8n import:workflow failed:\n${tail(result.stdout + result.stderr, 20)}`);
}

// ---------------------------------------------------------------------------------------------------------
// headless: run the examples and summarise their output

export interface ExampleResult {
	file: string;
	name: string;
	status: 'ok' | 'failed' | 'skipped';
	ms: number;
	/** Items each node output (in the order the nodes ran). */
	nodes: Array<{ name: string; items: number; error?: string }>;
	error?: string;
}

function describeItem(item: {
	json: Record<string, unknown>;
	binary?: Record<string, unknown>;
}): string {
	const parts: string[] = [];
	const json = JSON.stringify(item.json);
	parts.push(json.length > 300 ? `${json.slice(0, 297)}...` : json);
	for (const [key, value] of Object.entries(item.binary ?? {})) {
		const b = value as { fileName?: string; mimeType?: string; fileSize?: string | number };
		parts.push(
			`binary "${key}": ${b.fileName ?? '?'} (${b.mimeType ?? '?'}, ${b.fileSize ?? '?'})`,
		);
	}
	return parts.join('\n        ');
}

export function summariseRun(run: N8nRun | undefined): ExampleResult['nodes'] {
	const out: ExampleResult['nodes'] = [];
	for (const [name, runs] of Object.entries(run?.data.resultData.runData ?? {})) {
		const last = runs[runs.length - 1];
		const items = (last?.data?.main ?? []).reduce((n, branch) => n + (branch?.length ?? 0), 0);
		out.push({ name, items, error: last?.error?.message });
	}
	return out;
}

function printRun(run: N8nRun | undefined): void {
	for (const [name, runs] of Object.entries(run?.data.resultData.runData ?? {})) {
		const last = runs[runs.length - 1];
		const branches = last?.data?.main ?? [];
		const count = branches.reduce((n, branch) => n + (branch?.length ?? 0), 0);
		const perBranch =
			branches.length > 1 ? ` (outputs: ${branches.map((b) => b?.length ?? 0).join(' / ')})` : '';
		say(
			`    ${name}: ${count} item${count === 1 ? '' : 's'}${perBranch}${last?.error ? ' — ERROR' : ''}`,
		);
		if (last?.error) {
			say(
				`        ${last.error.message ?? 'error'}${last.error.description ? ` — ${last.error.description}` : ''}`,
			);
			continue;
		}
		const first = branches.find((b) => b && b.length > 0)?.[0];
		if (first) say(`        first: ${describeItem(first)}`);
	}
}

/** One run of an example: what `n8n execute` reports, or a worker's execution read back in queue mode. */
type RunExample = (
	example: Example,
) => Promise<{ ok: boolean; ms: number; run?: N8nRun; error?: string; where?: string }>;

async function runHeadless(examples: Example[], runExample: RunExample): Promise<ExampleResult[]> {
	const results: ExampleResult[] = [];
	for (const example of examples) {
		const { workflow } = example;
		say('');
		say(`== ${workflow.name}  (${example.source}, id ${workflow.id})`);
		if (!example.runnable) {
			say(
				'    skipped: starts from a trigger, not a Manual Trigger — imported inactive; ' +
					'open it in the editor (npm run demo) to fetch a test event or activate it',
			);
			results.push({
				file: example.source,
				name: workflow.name,
				status: 'skipped',
				ms: 0,
				nodes: [],
			});
			continue;
		}
		const result = await runExample(example);
		printRun(result.run);
		const nodes = summariseRun(result.run);
		if (result.where) say(`    ran on ${result.where}`);
		if (result.ok) say(`    OK in ${minutes(result.ms)}`);
		else say(`    FAILED in ${minutes(result.ms)}: ${result.error}`);
		results.push({
			file: example.source,
			name: workflow.name,
			status: result.ok ? 'ok' : 'failed',
			ms: result.ms,
			nodes,
			error: result.error,
		});
	}
	return results;
}

/** Queue mode: an example runs the way the editor runs it, offloaded to a worker; its execution is read back. */
function runOnWorkers(cluster: QueueCluster): RunExample {
	return async (example) => {
		const started = Date.now();
		const trigger = (example.workflow.nodes as WorkflowNode[]).find(
			(n) => n.type === MANUAL_TRIGGER,
		)!;
		const since = cluster.workers.map((worker) => worker.log.length);
		const id = await cluster.runManually(example.workflow.id, trigger.name);
		const run = runOf(await cluster.waitForExecution(id, 10 * 60_000));
		const error = describeRunError(run);
		const workers = cluster.workersThatRan(id, since).map((w) => w.label);
		return {
			ok: run.status === 'success' && !error,
			ms: Date.now() - started,
			run,
			where: `${workers.join(', ') || 'no worker'} (execution ${id})`,
			error: error ?? (run.status === 'success' ? undefined : `execution ${id} is ${run.status}`),
		};
	};
}

// ---------------------------------------------------------------------------------------------------------
// interactive

function printInstructions(
	n8n: N8n,
	examples: Example[],
	credentials: Array<{ id: string; name: string }>,
	emulator: EmulatorProcess,
	version: string,
	cluster?: QueueCluster,
): void {
	const base = `http://localhost:${n8n.port}`;
	const link = (e: Example) => `${base}/workflow/${e.workflow.id}`;
	const runnable = examples.filter((e) => e.runnable);
	const triggers = examples.filter((e) => !e.runnable);
	const first = runnable[0];
	const major = majorOf(version);
	say('');
	say('='.repeat(100));
	say(
		`  n8n ${version}${cluster ? ' in queue mode' : ''} is running with n8n-nodes-marketo-bulk and a Marketo emulator.`,
	);
	say('');
	say(`  Editor:    ${base}/`);
	say(`  Log in:    ${DEMO_OWNER.email}  /  ${DEMO_OWNER.password}`);
	say('');
	if (first) {
		say(`  1. Open the workflow "${first.workflow.name}":`);
		say(`       ${link(first)}`);
		say('  2. Click "Execute workflow" (the button under the canvas).');
		say('  3. Double-click a node to see its parameters and the items it output.');
	} else if (examples.length === 0) {
		say(
			'  No example workflows were found: create one with the "+" button and search for "Marketo".',
		);
	}
	if (runnable.length > 1) {
		say('');
		say('  More examples (open, then "Execute workflow"):');
		for (const e of runnable.slice(1)) say(`    - ${e.workflow.name}: ${link(e)}`);
	}
	if (triggers.length > 0) {
		say('');
		say('  Trigger workflows, imported INACTIVE:');
		for (const e of triggers) say(`    - ${e.workflow.name}: ${link(e)}`);
		const triggerNode = (e: Example) =>
			(e.workflow.nodes as WorkflowNode[]).find((n) => /\.marketoBulkTrigger$/.test(n.type))
				?.name ?? 'the trigger node';
		say(
			`    To try one: open it, double-click "${triggerNode(triggers[0])}", click "Fetch Test Event".`,
		);
		say(
			major >= 2
				? '    To let it poll on its schedule: click "Publish" (top right) — stop it again with "Unpublish".'
				: '    To let it poll on its schedule: switch "Inactive" to "Active" (top right).',
		);
	}
	say('');
	const names = credentials.map((c) => `"${c.name}"`).join(', ');
	say(`  Credential ${names} (Marketo API) points at the emulator:`);
	say(
		`    REST Endpoint ${emulator.restEndpoint}, Client ID ${emulator.clientId}, Client Secret ${emulator.clientSecret}`,
	);
	say(`  The emulator holds 1000 leads and 2000 activities dated 2026-01-01 .. now.`);
	if (cluster) {
		say(
			'  Queue mode: "Execute workflow" and active workflows run on the workers; the trigger polls on main.',
		);
		say(
			`  Binary data: ${cluster.binaryDataMode}${cluster.binaryDataMode === 'filesystem' ? `, in ${cluster.sharedBinaryDataDir} (shared by all n8n processes)` : ''}`,
		);
		say('  Processes (stopped by PID on Ctrl+C):');
		for (const p of cluster.processes()) say(`    ${p.name.padEnd(14)} pid ${p.pid ?? '-'}`);
		say(
			`  Logs: ${[cluster.main, ...cluster.workers].map((p) => path.basename(p.logFile)).join(', ')} in ${n8n.folder.root}`,
		);
	} else say(`  n8n's log: ${n8n.logFile}`);
	say('');
	say(
		`  Press Ctrl+C to stop n8n${cluster ? ', its workers, PostgreSQL, Redis' : ''} and the emulator (the demo's n8n data is then deleted).`,
	);
	say('='.repeat(100));
}

// ---------------------------------------------------------------------------------------------------------

/** Runs the demo; resolves to the exit code. */
export async function runDemo(options: DemoOptions): Promise<number> {
	let emulator: EmulatorProcess | undefined;
	let folder: UserFolder | undefined;
	let n8n: N8n | undefined;
	let cluster: QueueCluster | undefined;
	let tarballDir: string | undefined;
	let stopping = false;
	/** Interactive mode, n8n is up: a signal ends the wait (then the normal clean-up runs). */
	let waiting = false;
	const cleanup = async () => {
		if (cluster) await cluster.stop().catch(() => undefined);
		else await n8n?.stop().catch(() => undefined);
		await emulator?.stop().catch(() => undefined);
		if (folder) {
			if (options.keep) say(`[demo] n8n user folder kept: ${folder.root}`);
			else folder.remove();
		}
		if (tarballDir) fs.rmSync(tarballDir, { recursive: true, force: true });
	};
	// Ctrl+C: stop n8n and the emulator properly, then exit (replaces the e2e harness's immediate exit)
	process.removeAllListeners('SIGINT');
	process.removeAllListeners('SIGTERM');
	let interrupted: () => void = () => undefined;
	const interruption = new Promise<void>((resolve) => (interrupted = resolve));
	const onSignal = (signal: NodeJS.Signals) => {
		if (stopping) {
			say(`[demo] ${signal} again: exiting now`);
			process.exit(130);
		}
		stopping = true;
		say('');
		progress(
			`${signal}: stopping n8n${cluster ? ', its workers, PostgreSQL, Redis' : ''} and the emulator…`,
		);
		if (waiting) interrupted();
		else void cleanup().finally(() => process.exit(130));
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	try {
		const { examples, credentials } = await step(
			`reading the example workflows in ${options.examplesDir}`,
			'fix or remove the file named above (each must be an n8n workflow exported as JSON)',
			() => loadExamples(options.examplesDir),
		);
		if (examples.length === 0) progress(`no example workflows in ${options.examplesDir}`);

		const install = await ensureN8n(options.n8n);
		progress(`n8n ${install.version} on Node ${install.nodeVersion}`);

		progress(
			process.env.E2E_TARBALL
				? `using the package E2E_TARBALL=${process.env.E2E_TARBALL}`
				: 'building and packing n8n-nodes-marketo-bulk (npm run build + npm pack)…',
		);
		const tarball = await step(
			'building and packing the package',
			'run `npm ci` first (the build needs the development dependencies), then `npm run build` to see the compiler',
			() => packPackage(),
		);
		if (!process.env.E2E_TARBALL) tarballDir = path.dirname(tarball);
		progress(`packed ${path.basename(tarball)}`);

		progress('starting the Marketo emulator…');
		emulator = await step(
			'starting the Marketo emulator',
			'run `npm run emulator` on its own to see why it does not start',
			// data up to now: a trigger's Fetch Test Event samples the last days
			() => startEmulatorProcess({ args: ['--data-until-now'] }),
		);
		progress(`Marketo emulator on ${emulator.url}`);

		progress(
			'installing the package into a fresh n8n user folder, as n8n installs community packages…',
		);
		folder = await step(
			'installing the package into a new n8n user folder',
			`check the free space of ${os.tmpdir()} (df -h), then run the demo again`,
			() => prepareUserFolder(install.version, tarball),
		);

		let port = 0;
		let brokerPort = 0;
		if (!options.headless) {
			port = await firstFreePort(options.port);
			brokerPort = await firstFreePort(port === 5678 ? 5679 : port + 1, 50, [port]);
			if (port !== options.port) progress(`port ${options.port} is taken: using ${port}`);
		}
		if (options.queue) {
			progress('starting PostgreSQL and Redis for queue mode…');
			cluster = await step(
				'starting PostgreSQL and Redis',
				'install them (Debian: apt-get install postgresql redis-server); the lines above say what failed',
				() =>
					QueueCluster.start({
						install,
						folder: folder!,
						binaryDataMode: 'filesystem',
						// into the processes' log files only; the workers' info lines say which one ran what
						logLevel: 'info',
						...(port ? { port } : {}),
					}),
			);
			progress(
				`PostgreSQL ${cluster.postgres.port} (pid ${cluster.postgres.service.pid}), Redis ${cluster.redis.port} (pid ${cluster.redis.service.pid})`,
			);
			n8n = cluster.main;
		} else {
			n8n = await N8n.create(install, folder, {
				logLevel: options.headless ? 'warn' : 'info',
				...(port ? { port, brokerPort } : {}),
			});
		}

		progress(
			`importing the credential (${credentials.map((c) => c.name).join(', ')}) and ${examples.length} example workflow(s): ` +
				examples.map((e) => e.file).join(', '),
		);
		await step(
			'importing the credential and the example workflows into n8n',
			`n8n's own lines above say why; if they name SQLite or a native module, delete ${path.join(cacheDir(), `n8n-${install.version}`)} and run the demo again (n8n is then installed anew)`,
			() => importAll(n8n!, emulator!, examples, credentials),
		);

		if (cluster) {
			progress(`starting n8n ${install.version}: main, then ${cluster.workers.length} workers…`);
			await step(
				`starting n8n ${install.version} in queue mode`,
				`n8n's logs (${path.basename(cluster.main.logFile)} and the workers' in ${folder.root}, kept with --keep) say why; if a port is taken, choose another with --port`,
				async () => {
					await cluster!.startN8n();
					await cluster!.main.setupOwner(DEMO_OWNER);
				},
			);
			progress(
				`n8n main on port ${n8n.port}; ${cluster.workers.map((w) => `${w.label.split(' ').pop()} pid ${w.pid}`).join(', ')}`,
			);
		}

		if (options.headless) {
			const results = await runHeadless(
				examples,
				cluster
					? runOnWorkers(cluster)
					: (example) => n8n!.execute(example.workflow.id, 10 * 60_000),
			);
			const ok = results.filter((r) => r.status === 'ok').length;
			const failed = results.filter((r) => r.status === 'failed');
			const skipped = results.filter((r) => r.status === 'skipped').length;
			say('');
			say(
				`demo: ${ok} workflow(s) ran, ${failed.length} failed, ${skipped} skipped (trigger workflows) — n8n ${install.version}${cluster ? ' in queue mode' : ''}`,
			);
			for (const f of failed) say(`  FAILED ${f.name} (${f.file}): ${f.error}`);
			if (examples.length === 0) {
				say('demo: no example workflows to run');
				return 1;
			}
			return failed.length === 0 && ok > 0 ? 0 : 1;
		}

		if (!cluster) {
			progress(`starting n8n ${install.version} on port ${n8n.port}…`);
			await step(
				`starting n8n ${install.version}`,
				"the lines above are the end of n8n's log; if a port is taken, choose another with --port",
				async () => {
					await n8n!.start();
					await n8n!.setupOwner(DEMO_OWNER);
				},
			);
		}
		printInstructions(n8n, examples, credentials, emulator, install.version, cluster);
		waiting = true;
		const processes = cluster ? [cluster.main, ...cluster.workers] : [n8n];
		const exited = Promise.race(
			processes.map((p) => p.whenExited!.then((code) => ({ code, label: p.label, log: p.log }))),
		);
		const outcome = await Promise.race([interruption.then(() => undefined), exited]);
		if (outcome) {
			say(
				`[demo] ${outcome.label} exited unexpectedly (code ${outcome.code}):\n${tail(outcome.log, 30)}`,
			);
			return 1;
		}
		return 0;
	} finally {
		await cleanup();
	}
}

if (require.main === module) {
	let options: DemoOptions;
	try {
		options = parseDemoArgs(process.argv.slice(2));
	} catch (error) {
		if (error instanceof UsageError) {
			if (error.message) process.stderr.write(`${error.message}\n\n`);
			process.stderr.write(`${USAGE}\n`);
			process.exit(error.code);
		}
		throw error;
	}
	runDemo(options).then(
		(code) => {
			if (code === 0 && !options.headless) say('[demo] stopped.');
			process.exit(code);
		},
		(error) => {
			reportFailure(error);
			process.exit(1);
		},
	);
}
