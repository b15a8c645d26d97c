/**
 * n8n in queue mode on this machine, the way n8n scales out: PostgreSQL and Redis from the distribution's
 * packages, one main (`n8n start`: editor, REST API, triggers) and workers (`n8n worker`: executions), all
 * sharing one user folder (the package installed once), one encryption key, one database and one Redis.
 * Used by `npm run demo -- --queue` and test/e2e/queue.e2e.ts.
 *
 *   const cluster = await QueueCluster.start({ install, folder });     // PostgreSQL, Redis
 *   await cluster.main.importCredentials([...]);                       // n8n's CLI, into PostgreSQL
 *   await cluster.startN8n();                                           // main, then the workers
 *   const id = await cluster.runManually('wf-id');                      // an editor run, on a worker
 *   const execution = await cluster.waitForExecution(id);
 *   await cluster.stop();                                               // every process, by PID
 *
 * PostgreSQL refuses to run as root: as root, PostgreSQL and Redis run as the `postgres` user the
 * distribution's package creates (else `nobody`), in temporary folders owned by that user. Both listen on
 * free ports on 127.0.0.1 only, with a random password each, and keep nothing after `stop()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import type { N8nInstall, UserFolder } from './install';
import { N8n } from './n8n';
import { acquireN8nLock, freePort, sleep, tail } from './processes';
import type { ExecutionSummary, N8nRun } from './workflows';

export type BinaryDataMode = 'database' | 'filesystem';

export interface QueueClusterOptions {
	install: N8nInstall;
	/** The user folder every n8n process shares (the package installed in it once). */
	folder: UserFolder;
	workers?: number;
	/**
	 * `database`, n8n 2.x's default in queue mode (every process reads binary data from PostgreSQL; a file
	 * is held in memory whole, 512 MiB at most), or `filesystem` in a folder all processes share.
	 */
	binaryDataMode?: BinaryDataMode;
	/** The editor's port (default: a free one). */
	port?: number;
	logLevel?: 'error' | 'warn' | 'info' | 'debug';
	/** More environment for every n8n process. */
	env?: Record<string, string>;
}

/** A process this file started (PostgreSQL, Redis), stopped by its PID. */
export class Service {
	output = '';
	private readonly exited: Promise<void>;

	constructor(
		readonly name: string,
		private readonly child: ChildProcess,
	) {
		child.stdout?.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
		child.stderr?.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
		this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
		services.add(this);
	}

	get pid(): number {
		return this.child.pid!;
	}

	get running(): boolean {
		return this.child.exitCode === null && this.child.signalCode === null;
	}

	/** `signal` (PostgreSQL: SIGINT, its fast shutdown), SIGKILL after 15 s. */
	async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
		if (this.running) {
			this.child.kill(signal);
			const late = await Promise.race([this.exited, sleep(15_000).then(() => 'late')]);
			if (late) {
				this.child.kill('SIGKILL');
				await this.exited;
			}
		}
		services.delete(this);
	}

	killNow(): void {
		if (this.running) this.child.kill('SIGKILL');
	}
}

const services = new Set<Service>();
process.on('exit', () => {
	for (const service of services) service.killNow();
});

/** The unprivileged user PostgreSQL and Redis run as when this process is root. */
function serviceUser(): { name: string; uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	for (const name of ['postgres', 'nobody']) {
		const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
		const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
		if (uid.status === 0 && gid.status === 0)
			return { name, uid: Number(uid.stdout), gid: Number(gid.stdout) };
	}
	throw new Error(
		'running as root, and neither a `postgres` nor a `nobody` user exists to run PostgreSQL',
	);
}

/** `command args` as the service user (setpriv execs, so the PID is the command's own). */
function asServiceUser(command: string, args: string[]): [string, string[]] {
	const user = serviceUser();
	if (!user) return [command, args];
	return [
		'setpriv',
		[`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', command, ...args],
	];
}

/** A new temporary folder the service user owns. */
function serviceDir(prefix: string): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	const user = serviceUser();
	if (user) {
		fs.chownSync(dir, user.uid, user.gid);
		const [command, args] = asServiceUser('test', ['-w', dir]);
		if (spawnSync(command, args).status !== 0) {
			fs.rmSync(dir, { recursive: true, force: true });
			throw new Error(
				`the ${user.name} user cannot reach ${os.tmpdir()}: set TMPDIR to a folder every user can enter`,
			);
		}
	}
	return dir;
}

function runOrThrow(command: string, args: string[], env?: NodeJS.ProcessEnv): string {
	const result = spawnSync(command, args, { encoding: 'utf8', env: env ?? process.env });
	if (result.error) throw new Error(`${command}: ${result.error.message}`);
	if (result.status !== 0)
		throw new Error(
			`${path.basename(command)} ${args.join(' ')} failed (${result.status}):\n${tail(result.stdout + result.stderr, 15)}`,
		);
	return result.stdout;
}

/** The newest PostgreSQL server of the distribution (Debian keeps each major under /usr/lib/postgresql/<major>). */
export function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const majors = fs.existsSync(root)
		? fs
				.readdirSync(root)
				.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (majors.length === 0)
		throw new Error('PostgreSQL is not installed (Debian: apt-get install postgresql)');
	return path.join(root, majors[0], 'bin');
}

export interface Postgres {
	service: Service;
	port: number;
	user: string;
	password: string;
	database: string;
	dir: string;
}

/** A throwaway PostgreSQL cluster (initdb) with an empty `n8n` database. */
export async function startPostgres(): Promise<Postgres> {
	const bin = postgresBinDir();
	const dir = serviceDir('n8n-queue-postgres-');
	const password = randomBytes(18).toString('base64url');
	const pwfile = path.join(dir, 'pwfile');
	fs.writeFileSync(pwfile, password, { mode: 0o600 });
	const user = serviceUser();
	if (user) fs.chownSync(pwfile, user.uid, user.gid);
	const data = path.join(dir, 'data');
	runOrThrow(
		...asServiceUser(path.join(bin, 'initdb'), [
			'-D',
			data,
			'-U',
			'n8n',
			`--pwfile=${pwfile}`,
			'--auth=scram-sha-256',
			'-E',
			'UTF8',
			'--no-locale',
		]),
	);
	fs.rmSync(pwfile);
	const port = await freePort();
	const [command, args] = asServiceUser(path.join(bin, 'postgres'), [
		'-D',
		data,
		'-p',
		String(port),
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		`unix_socket_directories=${dir}`,
		// a throwaway database: no need to survive a power cut
		'-c',
		'fsync=off',
	]);
	const service = new Service(
		'PostgreSQL',
		spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }),
	);
	const env = { ...process.env, PGPASSWORD: password };
	const psql = (sql: string) =>
		spawnSync(
			'psql',
			['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', '-d', 'postgres', '-tAc', sql],
			{ encoding: 'utf8', env },
		);
	const until = Date.now() + 60_000;
	while (psql('SELECT 1').status !== 0) {
		if (!service.running || Date.now() > until)
			throw new Error(`PostgreSQL did not start:\n${tail(service.output, 20)}`);
		await sleep(250);
	}
	const created = psql('CREATE DATABASE n8n');
	if (created.status !== 0) throw new Error(`CREATE DATABASE n8n: ${created.stderr}`);
	return { service, port, user: 'n8n', password, database: 'n8n', dir };
}

export interface Redis {
	service: Service;
	port: number;
	password: string;
	dir: string;
}

/** A Redis that keeps nothing on disk. */
export async function startRedis(): Promise<Redis> {
	const dir = serviceDir('n8n-queue-redis-');
	const password = randomBytes(18).toString('base64url');
	const port = await freePort();
	const config = path.join(dir, 'redis.conf');
	// the password in a file the service user alone reads, not on a command line everybody can see
	fs.writeFileSync(
		config,
		[
			`port ${port}`,
			'bind 127.0.0.1',
			`dir ${dir}`,
			'save ""',
			'appendonly no',
			`requirepass ${password}`,
		].join('\n') + '\n',
		{ mode: 0o600 },
	);
	const user = serviceUser();
	if (user) fs.chownSync(config, user.uid, user.gid);
	const [command, args] = asServiceUser('redis-server', [config]);
	const service = new Service('Redis', spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
	const env = { ...process.env, REDISCLI_AUTH: password };
	const until = Date.now() + 30_000;
	for (;;) {
		const ping = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], {
			encoding: 'utf8',
			env,
		});
		if (ping.error)
			throw new Error(`redis-cli: ${ping.error.message} (Debian: apt-get install redis-server)`);
		if (ping.stdout.trim() === 'PONG') break;
		if (!service.running || Date.now() > until)
			throw new Error(`Redis did not start:\n${tail(service.output + ping.stderr, 20)}`);
		await sleep(100);
	}
	return { service, port, password, dir };
}

/** An execution as read back from n8n, with its run data. */
export type Execution = ExecutionSummary & { data: N8nRun['data'] };

export class QueueCluster {
	main!: N8n;
	workers: N8n[] = [];
	binaryDataMode: BinaryDataMode = 'database';
	private releaseLock?: () => void;

	private constructor(
		readonly options: QueueClusterOptions,
		readonly postgres: Postgres,
		readonly redis: Redis,
	) {}

	/** Starts PostgreSQL and Redis and prepares (does not start) the n8n processes. */
	static async start(options: QueueClusterOptions): Promise<QueueCluster> {
		if (options.install.major < 2)
			throw new Error(`queue mode is run with n8n 2.x here, not ${options.install.version}`);
		const releaseLock = await acquireN8nLock(`n8n ${options.install.version} queue mode`);
		let postgres: Postgres | undefined;
		try {
			postgres = await startPostgres();
			const redis = await startRedis();
			const cluster = new QueueCluster(options, postgres, redis);
			cluster.releaseLock = releaseLock;
			await cluster.prepare(options.binaryDataMode ?? 'database');
			return cluster;
		} catch (error) {
			await postgres?.service.stop('SIGINT');
			if (postgres) fs.rmSync(postgres.dir, { recursive: true, force: true });
			releaseLock();
			throw error;
		}
	}

	/** The folder filesystem-mode binary data lives in: one for all processes (a shared mount across hosts). */
	get sharedBinaryDataDir(): string {
		return path.join(this.options.folder.root, 'shared-binary-data');
	}

	/** What every n8n process of the cluster needs, on top of N8n's defaults (one encryption key among them). */
	queueEnv(mode: BinaryDataMode): Record<string, string> {
		const { postgres, redis } = this;
		return {
			EXECUTIONS_MODE: 'queue',
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: postgres.database,
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: postgres.password,
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			QUEUE_BULL_REDIS_PASSWORD: redis.password,
			// editor runs go to the workers too (else they run on main)
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			N8N_DEFAULT_BINARY_DATA_MODE: mode,
			...(mode === 'filesystem' ? { N8N_BINARY_DATA_STORAGE_PATH: this.sharedBinaryDataDir } : {}),
			...this.options.env,
		};
	}

	/** New n8n processes (not started) with this binary data mode; each gets its own ports. */
	private async prepare(mode: BinaryDataMode): Promise<void> {
		const { install, folder, logLevel } = this.options;
		const env = this.queueEnv(mode);
		this.binaryDataMode = mode;
		this.main = await N8n.create(install, folder, {
			name: 'main',
			lock: false,
			logLevel,
			env,
			...(this.options.port ? { port: this.options.port } : {}),
		});
		this.workers = [];
		for (let k = 1; k <= (this.options.workers ?? 2); k++) {
			this.workers.push(
				await N8n.create(install, folder, {
					name: `worker-${k}`,
					command: 'worker',
					lock: false,
					logLevel,
					env,
				}),
			);
		}
	}

	/** Starts main (it migrates the database), then the workers. */
	async startN8n(): Promise<void> {
		await this.main.start();
		await Promise.all(this.workers.map((worker) => worker.start()));
	}

	/** Stops the n8n processes and starts them again with another binary data mode (the database stays). */
	async restartN8n(mode: BinaryDataMode): Promise<void> {
		await this.stopN8n();
		await this.prepare(mode);
		await this.startN8n();
	}

	async stopN8n(): Promise<void> {
		await Promise.all(this.workers.map((worker) => worker.stop({ graceMs: 40_000 })));
		await this.main.stop();
	}

	/** Every process of the cluster with its PID (those not running have none). */
	processes(): Array<{ name: string; pid?: number }> {
		return [
			{
				name: 'PostgreSQL',
				pid: this.postgres.service.running ? this.postgres.service.pid : undefined,
			},
			{ name: 'Redis', pid: this.redis.service.running ? this.redis.service.pid : undefined },
			{ name: 'n8n main', pid: this.main.pid },
			...this.workers.map((worker, k) => ({ name: `n8n worker ${k + 1}`, pid: worker.pid })),
		];
	}

	/** Stops every process it started, by PID, and removes the database and Redis folders. */
	async stop(): Promise<void> {
		try {
			await this.stopN8n();
		} finally {
			await this.redis.service.stop();
			await this.postgres.service.stop('SIGINT');
			fs.rmSync(this.redis.dir, { recursive: true, force: true });
			fs.rmSync(this.postgres.dir, { recursive: true, force: true });
			this.releaseLock?.();
			this.releaseLock = undefined;
		}
	}

	/** The worker that logged starting this execution (each worker logs "Worker started execution <id>"). */
	workersThatRan(executionId: string, since: number[] = []): N8n[] {
		const started = new RegExp(`Worker started execution ${executionId} \\(`);
		return this.workers.filter(
			(worker, k) => worker.logMatching(started, since[k] ?? 0).length > 0,
		);
	}

	/**
	 * Runs a saved workflow the way the editor's "Execute workflow" does (`POST /rest/workflows/:id/run` from
	 * its Manual Trigger); with OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS a worker runs it. Returns the execution id.
	 */
	async runManually(workflowId: string, triggerNode: string): Promise<string> {
		const response = await this.main.rest<{ data?: { executionId?: string } }>(
			'POST',
			`/rest/workflows/${workflowId}/run`,
			{ triggerToStartFrom: { name: triggerNode } },
		);
		const executionId = response.body?.data?.executionId;
		if (response.status !== 200 || !executionId)
			throw new Error(
				`running ${workflowId} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 400)}`,
			);
		return String(executionId);
	}

	/** Waits until the execution has stopped (or waits, for a Wait node); returns it with its data. */
	async waitForExecution(
		executionId: string,
		timeoutMs = 180_000,
		until: (status: string | undefined) => boolean = (status) =>
			status !== 'new' && status !== 'running',
	): Promise<Execution> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const execution = await this.main.execution(executionId);
			if (until(execution.status)) return execution;
			if (Date.now() > deadline)
				throw new Error(
					`execution ${executionId} is still ${execution.status} after ${Math.round(timeoutMs / 1000)} s`,
				);
			await sleep(1000);
		}
	}
}

/** The run of an execution, as `n8n execute` prints one (for the demo's output). */
export function runOf(execution: Execution): N8nRun {
	return {
		status: execution.status,
		finished: execution.finished,
		mode: execution.mode,
		data: execution.data,
	};
}
