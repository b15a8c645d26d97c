/**
 * The package in n8n's queue mode (n8n 2.x): PostgreSQL, Redis, one main and two workers sharing one user
 * folder with the package installed once (test/harness/queue.ts), against the Marketo emulator at Marketo's
 * limits (100 calls per 20 s, 10 requests in flight, 2 export jobs processing and 10 queued). Editor runs
 * are offloaded to the workers (`POST /rest/workflows/:id/run`, as the editor's "Execute workflow").
 *
 * Binary data in `database` mode, n8n's default in queue mode:
 * - Export Records; Export File whose file a later node reads in another process: the execution waits
 *   (Wait node), the worker that exported stops, the other worker resumes it and reads the file;
 * - Import from items and from a file (Convert to File → Import);
 * - 10 exports at once: all succeed, no rate-limit error (606/615) or full queue (1029) reaches them;
 * - a worker killed (SIGKILL) during an export: what becomes of the execution and of Marketo's job;
 * - a worker stopped (SIGTERM) during an export: it waits for the export until n8n's shutdown timeout;
 * - an export stopped from main (Stop execution): the node on the worker cancels its Marketo job.
 * Then in `filesystem` mode with a folder all processes share: Export File read in another process again,
 * and the trigger (it polls on main) with main restarted while its export job runs: each lead exactly once.
 *
 *   npx ts-node --transpile-only test/e2e/queue.e2e.ts
 *   E2E_TARBALL=/path/to/package.tgz E2E_KEEP=1 npx ts-node --transpile-only test/e2e/queue.e2e.ts
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import {
	emulatorCount,
	emulatorJobs,
	emulatorLead,
	type EmulatorJob,
	type EmulatorProcess,
} from '../harness/emulator';
import { majorOf } from '../harness/install';
import type { N8n } from '../harness/n8n';
import { sleep } from '../harness/processes';
import {
	exampleCredentialRef,
	nodeItems,
	readExampleWorkflow,
	workflowNode,
	type WorkflowFixture,
} from '../harness/workflows';
import { QueueCluster, runOf, type Execution } from '../harness/queue';
import { Report } from '../harness/report';
import { emulatorCredential, runSuite, type VersionRun } from '../harness/suite';

const CREDENTIAL = { id: 'mktoQueueCred01', name: 'Marketo account' };
const MANUAL = 'Run';
const EXPORT = 'Export Leads';
const RANGE = { startAt: '2026-01-01T00:00:00Z', endAt: '2026-02-01T00:00:00Z' };
const FILTER = { createdAt: { startAt: RANGE.startAt, endAt: '2026-01-31T23:59:59Z' } };
const CONCURRENT = 10;
/** Export jobs take this long to process in the emulator: with 10 exports, jobs wait in Marketo's queue. */
const EXPORT_PROCESSING_MS = 3000;

// ---------------------------------------------------------------------------------------------------------
// workflows: a Manual Trigger and nodes in a chain

function chain(
	id: string,
	name: string,
	nodes: Array<{ name: string; [key: string]: unknown }>,
): WorkflowFixture {
	const all = [
		{ name: MANUAL, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
		...nodes,
	].map((node, k) => ({ id: `${id}-${k}`, position: [k * 220, 0], ...node }));
	const connections: Record<string, unknown> = {};
	for (let k = 0; k + 1 < all.length; k++)
		connections[all[k].name] = { main: [[{ node: all[k + 1].name, type: 'main', index: 0 }]] };
	return { id, name, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

const marketo = (name: string, parameters: Record<string, unknown>) => ({
	name,
	type: 'n8n-nodes-marketo-bulk.marketoBulk',
	typeVersion: 1,
	parameters,
	credentials: { marketoApi: CREDENTIAL },
});

const exportLeads = (output: 'records' | 'file') =>
	marketo(EXPORT, {
		resource: 'leadExport',
		operation: 'export',
		fields: ['id', 'email', 'createdAt'],
		filterType: 'createdAt',
		...RANGE,
		format: 'CSV',
		output,
		options: {
			pollIntervalSeconds: 2,
			...(output === 'file' ? { binaryPropertyName: 'data' } : {}),
		},
	});

const code = (name: string, jsCode: string) => ({
	name,
	type: 'n8n-nodes-base.code',
	typeVersion: 2,
	parameters: { jsCode },
});

const importLeads = (source: 'items' | 'binary') =>
	marketo('Import Leads', {
		resource: 'leadImport',
		operation: 'import',
		source,
		...(source === 'items'
			? { columns: { mappingMode: 'autoMapInputData', value: null } }
			: { binaryPropertyName: 'data' }),
		lookupField: 'email',
		output: 'summary',
		options: { pollIntervalSeconds: 1 },
	});

const leadsCode = (prefix: string, n: number) =>
	`return Array.from({ length: ${n} }, (_, k) => ({ json: { email: \`${prefix}\${k}@example.com\`, firstName: 'Queue', lastName: \`Lead \${k}, "mode"\` } }));`;

const WORKFLOWS = {
	records: chain('mktoQueueRecords', 'Queue: export records', [exportLeads('records')]),
	file: chain('mktoQueueFile', 'Queue: export a file, read it after a wait', [
		exportLeads('file'),
		{
			name: 'Wait',
			type: 'n8n-nodes-base.wait',
			typeVersion: 1.1,
			parameters: { resume: 'webhook', options: {} },
			webhookId: 'b0d1f9a2-4f0c-4d1e-9a51-6c1f0e7d2a11',
		},
		// a resumed Wait node outputs the request that resumed it: take the export's item (its file) again
		code('Exported File', `return $('${EXPORT}').all();`),
		{
			name: 'Read File',
			type: 'n8n-nodes-base.extractFromFile',
			typeVersion: 1,
			parameters: { operation: 'csv', binaryPropertyName: 'data', options: {} },
		},
	]),
	importItems: chain('mktoQueueImpItems', 'Queue: import from items', [
		code('Leads', leadsCode('queue-items-', 3)),
		importLeads('items'),
	]),
	importFile: chain('mktoQueueImpFile', 'Queue: import from a file', [
		code('Leads', leadsCode('queue-file-', 4)),
		{
			name: 'To CSV',
			type: 'n8n-nodes-base.convertToFile',
			typeVersion: 1.1,
			parameters: { operation: 'csv', options: { fileName: 'leads.csv' } },
		},
		importLeads('binary'),
	]),
};

const TRIGGER_EXAMPLE = 'trigger-new-leads.json';
const TRIGGER_NODE = 'New Leads in Marketo';
let trigger: WorkflowFixture;

// ---------------------------------------------------------------------------------------------------------
// helpers

async function waitFor<T>(
	what: string,
	timeoutMs: number,
	probe: () => Promise<T | undefined>,
	detail: () => Promise<string> | string = () => '',
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline)
			throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s. ${await detail()}`);
		await sleep(1000);
	}
}

function assertSucceeded(execution: Execution): void {
	const run = runOf(execution);
	assert.strictEqual(
		execution.status,
		'success',
		`execution ${execution.id} is ${execution.status}: ${JSON.stringify(run.data.resultData.error ?? {}).slice(0, 800)}`,
	);
}

/** Runs a workflow as the editor does (on a worker); returns its execution and the worker(s) that ran it. */
async function runOnWorker(
	cluster: QueueCluster,
	workflowId: string,
	timeoutMs = 180_000,
): Promise<{ execution: Execution; workers: N8n[] }> {
	const since = cluster.workers.map((w) => w.log.length);
	const id = await cluster.runManually(workflowId, MANUAL);
	const execution = await cluster.waitForExecution(id, timeoutMs);
	return { execution, workers: cluster.workersThatRan(id, since) };
}

/** The lead export jobs created since `before` (the emulator lists the newest first). */
async function newLeadJobs(emulator: EmulatorProcess, before: Set<string>): Promise<EmulatorJob[]> {
	return (await emulatorJobs(emulator)).filter(
		(j) => j.kind === 'leads' && !before.has(j.exportId),
	);
}

async function jobIds(emulator: EmulatorProcess): Promise<Set<string>> {
	return new Set((await emulatorJobs(emulator)).map((j) => j.exportId));
}

interface InFlight {
	id: string;
	job: EmulatorJob;
	worker: N8n;
	before: Set<string>;
}

/** Starts an export on a worker and waits until its Marketo job is queued. */
async function exportInFlight(cluster: QueueCluster, emulator: EmulatorProcess): Promise<InFlight> {
	const before = await jobIds(emulator);
	const since = cluster.workers.map((w) => w.log.length);
	const id = await cluster.runManually(WORKFLOWS.records.id, MANUAL);
	const [job] = await waitFor('the export job, queued', 60_000, async () => {
		const jobs = await newLeadJobs(emulator, before);
		return jobs.some((j) => j.status === 'Queued') ? jobs : undefined;
	});
	const [worker] = cluster.workersThatRan(id, since);
	assert.ok(worker, `no worker logged running execution ${id}`);
	return { id, job, worker, before };
}

/**
 * After its worker died: n8n fails the execution once its queue job has stalled, does not run it again, and
 * nothing cancels the export job. The worker is started again.
 */
async function jobLeftQueued(
	report: Report,
	cluster: QueueCluster,
	emulator: EmulatorProcess,
	{ id, job, worker, before }: InFlight,
	how: string,
): Promise<void> {
	const gone = Date.now();
	const execution = await cluster.waitForExecution(
		id,
		200_000,
		(s) => s !== 'new' && s !== 'running',
	);
	const seconds = Math.round((Date.now() - gone) / 1000);
	// main watches the jobs it enqueued: the stalled job fails, and main fails the execution
	const failure = runOf(execution).data.resultData.error?.message ?? '';
	assert.strictEqual(execution.status, 'error', `execution ${id} is ${execution.status}`);
	assert.match(failure, /failed to be processed too many times/);
	const jobs = await newLeadJobs(emulator, before);
	assert.deepStrictEqual(
		jobs.map((j) => [j.exportId, j.status]),
		[[job.exportId, 'Queued']],
		'n8n does not run the execution again; nothing cancels its Marketo job',
	);
	report.note(
		`execution ${id} failed ${seconds} s after ${worker.label} was ${how} ("${failure.slice(0, 60)}…"); ` +
			`its export job ${job.exportId.slice(0, 8)} is still ${jobs[0].status}`,
	);
	await worker.start();
}

// ---------------------------------------------------------------------------------------------------------
// the checks

async function exportFileReadElsewhere(
	report: Report,
	scope: string,
	cluster: QueueCluster,
	emulator: EmulatorProcess,
): Promise<void> {
	const mode = cluster.binaryDataMode;
	const expected = await emulatorCount(emulator, 'leads', FILTER);
	const { id, first, binaryId } = await report.step(
		scope,
		`Export File (binary data: ${mode}), then the execution waits`,
		async () => {
			const since = cluster.workers.map((w) => w.log.length);
			const id = await cluster.runManually(WORKFLOWS.file.id, MANUAL);
			const execution = await cluster.waitForExecution(
				id,
				120_000,
				(s) => s !== 'new' && s !== 'running',
			);
			assert.strictEqual(execution.status, 'waiting', `execution ${id} is ${execution.status}`);
			const [item] = nodeItems(runOf(execution), EXPORT);
			const binary = (item?.binary?.data ?? {}) as { id?: string; fileSize?: string };
			const binaryId = binary.id ?? '';
			assert.strictEqual(item?.json.numberOfRecords, expected, JSON.stringify(item?.json));
			const prefix = mode === 'database' ? 'database:' : 'filesystem-v2:';
			assert.ok(binaryId.startsWith(prefix), `binary data id ${binaryId} (want ${prefix}…)`);
			if (mode === 'filesystem') {
				const file = path.join(cluster.sharedBinaryDataDir, binaryId.slice(prefix.length));
				assert.ok(fs.existsSync(file), `the file is not in the shared folder: ${file}`);
			}
			const [first] = cluster.workersThatRan(id, since);
			assert.ok(first, `no worker logged running execution ${id}`);
			report.note(
				`execution ${id} on ${first.label}: ${expected} records, ${binary.fileSize}, ${binaryId.split(':')[0]}`,
			);
			return { id, first, binaryId };
		},
	);
	await report.step(scope, 'the other worker resumes it and reads the file', async () => {
		// the worker that wrote the file stops, so the other one must resume the execution
		await first.stop();
		try {
			const since = cluster.workers.map((w) => w.log.length);
			const waiting = await cluster.main.execution(id);
			const token = (waiting.data as { resumeToken?: string }).resumeToken;
			assert.ok(token, 'the waiting execution has no resume token');
			const resumed = await fetch(
				`${cluster.main.baseUrl}/webhook-waiting/${id}?signature=${encodeURIComponent(token)}`,
			);
			assert.strictEqual(resumed.status, 200, `resume: ${resumed.status} ${await resumed.text()}`);
			const execution = await cluster.waitForExecution(id, 120_000);
			assertSucceeded(execution);
			const rows = nodeItems(runOf(execution), 'Read File');
			assert.strictEqual(rows.length, expected, 'rows read from the file');
			const ids = new Set(rows.map((row) => String(row.json.id)));
			assert.strictEqual(ids.size, expected, 'distinct lead ids in the file');
			const [second] = cluster.workersThatRan(id, since);
			assert.ok(second && second !== first, `resumed by ${second?.label ?? 'no worker'}`);
			report.note(
				`${second.label} read ${rows.length} rows from ${binaryId.split(':')[0]} binary data`,
			);
		} finally {
			await first.start();
		}
	});
}

async function checks({ report, scope, n8n, emulator }: VersionRun): Promise<void> {
	const cluster = await report.step(scope, 'start PostgreSQL and Redis', () =>
		QueueCluster.start({
			install: n8n.install,
			folder: n8n.folder,
			binaryDataMode: 'database',
			// the trigger's activation is logged at debug level
			logLevel: 'debug',
			env: {
				// a dead worker's job is given up 20-30 s after the crash (n8n's defaults: 60-90 s), so the
				// crash shows within the suite's time
				QUEUE_WORKER_LOCK_DURATION: '20000',
				QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
				QUEUE_WORKER_STALLED_INTERVAL: '10000',
			},
		}),
	);
	report.note(
		`PostgreSQL pid ${cluster.postgres.service.pid} port ${cluster.postgres.port}, Redis pid ${cluster.redis.service.pid} port ${cluster.redis.port}`,
	);
	try {
		await queueChecks(report, scope, cluster, emulator);
	} finally {
		await cluster.stop();
	}
}

async function queueChecks(
	report: Report,
	scope: string,
	cluster: QueueCluster,
	emulator: EmulatorProcess,
): Promise<void> {
	await report.step(
		scope,
		'import the credential and workflows, start main + 2 workers',
		async () => {
			await cluster.main.importCredentials([emulatorCredential(emulator, CREDENTIAL)]);
			await cluster.main.importWorkflows([...Object.values(WORKFLOWS), trigger]);
			await cluster.startN8n();
			await cluster.main.setupOwner();
			report.note(
				cluster
					.processes()
					.map((p) => `${p.name} ${p.pid}`)
					.join(', '),
			);
		},
	);

	const expected = await emulatorCount(emulator, 'leads', FILTER);
	await report.step(scope, 'Export Records on a worker', async () => {
		const { execution, workers } = await runOnWorker(cluster, WORKFLOWS.records.id);
		assertSucceeded(execution);
		assert.strictEqual(
			workers.length,
			1,
			`run by ${workers.map((w) => w.label).join(', ') || 'no worker'}`,
		);
		const items = nodeItems(runOf(execution), EXPORT);
		assert.strictEqual(items.length, expected);
		report.note(`${items.length} records on ${workers[0].label}`);
	});

	await exportFileReadElsewhere(report, scope, cluster, emulator);

	await report.step(scope, 'Import from items', async () => {
		const { execution } = await runOnWorker(cluster, WORKFLOWS.importItems.id);
		assertSucceeded(execution);
		const [summary] = nodeItems(runOf(execution), 'Import Leads');
		assert.strictEqual(summary?.json.leadsProcessed, 3, JSON.stringify(summary?.json));
		const lead = await emulatorLead(emulator, { email: 'queue-items-2@example.com' });
		assert.strictEqual(lead?.lastName, 'Lead 2, "mode"');
	});

	await report.step(scope, 'Import from a file', async () => {
		const { execution } = await runOnWorker(cluster, WORKFLOWS.importFile.id);
		assertSucceeded(execution);
		const [summary] = nodeItems(runOf(execution), 'Import Leads');
		assert.strictEqual(summary?.json.leadsProcessed, 4, JSON.stringify(summary?.json));
		assert.ok(await emulatorLead(emulator, { email: 'queue-file-3@example.com' }));
	});

	await report.step(scope, `${CONCURRENT} exports at once`, async () => {
		await emulator.control('POST', 'reset-counters');
		const before = await jobIds(emulator);
		const since = cluster.workers.map((w) => w.log.length);
		const started = Date.now();
		const ids = await Promise.all(
			Array.from({ length: CONCURRENT }, () => cluster.runManually(WORKFLOWS.records.id, MANUAL)),
		);
		const executions = await Promise.all(ids.map((id) => cluster.waitForExecution(id, 300_000)));
		const seconds = (Date.now() - started) / 1000;
		for (const execution of executions) {
			assertSucceeded(execution);
			assert.strictEqual(nodeItems(runOf(execution), EXPORT).length, expected);
		}
		const jobs = await newLeadJobs(emulator, before);
		assert.strictEqual(jobs.length, CONCURRENT, `export jobs: ${jobs.length}`);
		const counters = await emulator.counters();
		const calls = Object.values(counters).reduce((sum, n) => sum + (Number(n) || 0), 0);
		const perWorker = cluster.workers.map(
			(w, k) =>
				ids.filter((id) => cluster.workersThatRan(id, since).includes(w)).length +
				` on worker ${k + 1}`,
		);
		report.note(
			`${CONCURRENT} × ${expected} records in ${seconds.toFixed(1)} s (${perWorker.join(', ')}); ` +
				`${calls} API calls; Marketo processes 2 jobs at a time, ${EXPORT_PROCESSING_MS / 1000} s each here`,
		);
	});

	// Marketo keeps the next export jobs queued, so each export below is in flight when its worker goes
	await emulator.control('POST', 'faults', { stuckInQueue: true });
	try {
		await report.step(scope, 'a worker killed (SIGKILL) during an export', async () => {
			const { id, job, worker, before } = await exportInFlight(cluster, emulator);
			await worker.stop({ signal: 'SIGKILL' });
			await jobLeftQueued(report, cluster, emulator, { id, job, worker, before }, 'killed');
		});
		await report.step(scope, 'a worker stopped (SIGTERM) during an export', async () => {
			const { id, job, worker, before } = await exportInFlight(cluster, emulator);
			const from = worker.log.length;
			const stopping = Date.now();
			await worker.stop({ graceMs: 90_000 });
			// a worker waits for its queue jobs until n8n's shutdown timeout, then exits as if it crashed
			assert.ok(
				worker.logMatching(/Shutdown timed out/, from).length > 0,
				'no shutdown timeout logged',
			);
			report.note(
				`${worker.label} exited ${Math.round((Date.now() - stopping) / 1000)} s after SIGTERM`,
			);
			await jobLeftQueued(report, cluster, emulator, { id, job, worker, before }, 'stopped');
		});
		await report.step(
			scope,
			'an export stopped from main (Stop execution) cancels its Marketo job',
			async () => {
				const { id, job, worker, before } = await exportInFlight(cluster, emulator);
				const stopping = Date.now();
				const stopped = await cluster.main.rest('POST', `/rest/executions/${id}/stop`);
				assert.strictEqual(stopped.status, 200, JSON.stringify(stopped.body).slice(0, 300));
				const execution = await cluster.waitForExecution(id, 60_000);
				assert.strictEqual(execution.status, 'canceled', `execution ${id} is ${execution.status}`);
				// main marks the execution canceled at once and tells the workers; the node then cancels its job
				await waitFor(
					`export job ${job.exportId} cancelled`,
					30_000,
					async () =>
						(await newLeadJobs(emulator, before)).some(
							(j) => j.exportId === job.exportId && j.status === 'Cancelled',
						) || undefined,
				);
				report.note(
					`execution ${id} (${worker.label}) ${execution.status}; its export job cancelled ${Math.round((Date.now() - stopping) / 1000)} s after the stop`,
				);
			},
		);
	} finally {
		await emulator.control('POST', 'faults', { stuckInQueue: false });
	}

	await report.step(scope, 'restart main and workers: binary data in a shared folder', async () => {
		await cluster.restartN8n('filesystem');
		await cluster.main.login();
	});
	await exportFileReadElsewhere(report, scope, cluster, emulator);
	await triggerWithMainRestart(report, scope, cluster, emulator);

	await report.step(scope, 'no secret in any log', () => {
		const secrets = {
			'client secret': emulator.clientSecret,
			'PostgreSQL password': cluster.postgres.password,
			'Redis password': cluster.redis.password,
		};
		for (const process of [cluster.main, ...cluster.workers]) {
			const log = fs.readFileSync(process.logFile, 'utf8');
			for (const [what, secret] of Object.entries(secrets))
				assert.ok(!log.includes(secret), `${path.basename(process.logFile)} holds the ${what}`);
		}
	});
}

/**
 * The trigger polls on main; its executions run on the workers. Main is restarted while the export job
 * holding the new leads runs; the leads are still emitted once, and the overlapping next window adds nothing.
 */
async function triggerWithMainRestart(
	report: Report,
	scope: string,
	cluster: QueueCluster,
	emulator: EmulatorProcess,
): Promise<void> {
	const workflowId = trigger.id;
	const main = cluster.main;
	const executions = async () =>
		(await main.executions(workflowId)).filter((e) => e.status !== 'running' && e.status !== 'new');
	/** The trigger's jobs, oldest first, and those whose window holds every one of the leads. */
	const jobsHolding = async (createdAt: number[]) => {
		const all = (await emulatorJobs(emulator))
			.filter((j) => j.kind === 'leads' && j.status !== 'Cancelled')
			.reverse();
		const holding = all.filter((j) => {
			const range = (j.filter as { createdAt?: { startAt: string; endAt: string } }).createdAt;
			return (
				!!range &&
				createdAt.every((t) => t >= Date.parse(range.startAt) && t <= Date.parse(range.endAt))
			);
		});
		return { all, holding };
	};
	await report.step(scope, 'trigger: activate (it polls on main)', async () => {
		const from = main.log.length;
		await main.activateWorkflow(workflowId);
		await waitFor('the trigger to be active', 30_000, async () =>
			main.logMatching(/Activated trigger node|Added triggers and pollers/, from).length
				? true
				: undefined,
		);
		await sleep(1000);
	});
	const everything = {
		createdAt: { startAt: '2000-01-01T00:00:00Z', endAt: '2100-01-01T00:00:00Z' },
	};
	const leads = await report.step(scope, 'trigger: the emulator creates 3 leads', async () => {
		const count = await emulatorCount(emulator, 'leads', everything);
		await emulator.control('POST', 'leads', { add: 3 });
		const leads: Array<{ id: number; createdAt: number }> = [];
		for (const id of [count + 1, count + 2, count + 3]) {
			const lead = await emulatorLead(emulator, { id });
			assert.ok(lead, `lead ${id}`);
			leads.push({ id, createdAt: Date.parse(String(lead.createdAt)) });
		}
		return leads;
	});
	const before = await jobIds(emulator);
	await report.step(scope, 'trigger: main restarted while the export job runs', async () => {
		const job = await waitFor(
			"the trigger's export job with the new leads",
			180_000,
			async () => (await newLeadJobs(emulator, before))[0],
			async () => `jobs: ${JSON.stringify((await emulatorJobs(emulator)).slice(0, 3))}`,
		);
		assert.deepStrictEqual(await executions(), [], 'an execution before the restart');
		await main.stop();
		await main.start();
		await main.login();
		report.note(
			`main restarted (pid ${main.pid}) with export job ${job.exportId.slice(0, 8)} ${job.status}`,
		);
	});
	await report.step(scope, 'trigger: the new leads once, on a worker', async () => {
		const [first] = await waitFor('an execution of the trigger', 240_000, async () => {
			const list = await executions();
			return list.length > 0 ? list : undefined;
		});
		// The next window overlaps the first, so its job holds the leads again; once the trigger has created the
		// job after that one, it has downloaded and de-duplicated it.
		await waitFor('the overlapping next window exported', 150_000, async () => {
			const { all, holding } = await jobsHolding(leads.map((l) => l.createdAt));
			if (holding.length < 2) return undefined;
			return all.length > all.indexOf(holding[holding.length - 1]) + 1 ? true : undefined;
		});
		await sleep(3000);
		const all = await main.executions(workflowId);
		assert.deepStrictEqual(
			all.map((e) => [e.id, e.status]),
			[[first.id, 'success']],
			'executions of the trigger',
		);
		const execution = await main.execution(first.id);
		const emitted = nodeItems(runOf(execution), TRIGGER_NODE).map((item) => item.json.id);
		assert.deepStrictEqual([...emitted].sort(), leads.map((l) => l.id).sort(), 'the leads emitted');
	});
}

runSuite({
	setup: async (report) => {
		trigger = await report.step('setup', `read examples/${TRIGGER_EXAMPLE}`, () => {
			const workflow = readExampleWorkflow(TRIGGER_EXAMPLE);
			// the one credential of this suite
			const ref = exampleCredentialRef(workflow);
			const fixture = JSON.parse(
				JSON.stringify(workflow).split(JSON.stringify(ref.id)).join(JSON.stringify(CREDENTIAL.id)),
			) as WorkflowFixture;
			// the waits of the trigger's steps assume n8n's shortest schedule, whatever the example's
			workflowNode(fixture, TRIGGER_NODE).parameters.pollTimes = {
				item: [{ mode: 'everyMinute' }],
			};
			return fixture;
		});
	},
	// queue mode is run with n8n 2.x (see README, Scaling)
	versions: (asked) => asked.filter((version) => majorOf(version) >= 2),
	emulatorArgs: ['--export-processing-ms', String(EXPORT_PROCESSING_MS)],
	checks,
});
