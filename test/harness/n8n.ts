/**
 * Runs a REAL n8n (an install of install.ts) in a user folder with our packed package installed the way n8n
 * installs a community package: its CLI (import, execute) and its process (start, REST API, stop). Used by
 * the end-to-end suites, the demo, scripts and the benchmarks.
 *
 *   const install = n8nInstall('2.40.7');
 *   const folder = prepareUserFolder(install.version, tarball);
 *   const n8n = await N8n.create(install, folder);
 *   await n8n.importCredentials([...]); await n8n.importWorkflow({...});
 *   const run = await n8n.execute('wf-id');            // `n8n execute --id=… --rawOutput`
 *   await n8n.start(); await n8n.setupOwner(); const types = await n8n.nodeTypes(); await n8n.stop();
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
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import type { N8nInstall, UserFolder } from './install';
import {
	acquireN8nLock,
	cacheDir,
	children,
	freePort,
	runProcess,
	sleep,
	stripAnsi,
	tail,
	type CliResult,
} from './processes';
import {
	describeRunError,
	logEntries,
	parseFlatted,
	type CredentialFixture,
	type ExecutionSummary,
	type N8nRun,
	type WorkflowFixture,
} from './workflows';

export const ENCRYPTION_KEY = 'e2e-fixed-encryption-key-not-a-secret';
export const OWNER = {
	email: 'owner@example.com',
	firstName: 'E2e',
	lastName: 'Owner',
	password: 'E2e-Password-1',
};

// ---------------------------------------------------------------------------------------------------------
// n8n

export interface ExecuteResult extends CliResult {
	/** n8n exited 0 and the run has no error. */
	ok: boolean;
	/** The run n8n printed (also printed when the execution failed), if any. */
	run?: N8nRun;
	/** The failure as n8n reports it ("<node>: <message> — <description>"). */
	error?: string;
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

// ---------------------------------------------------------------------------------------------------------
// helpers

function cliError(label: string, step: string, result: CliResult): Error {
	return new Error(
		`${label}: ${step} failed (exit ${result.code}):\n${tail(result.stdout + result.stderr, 30)}`,
	);
}
