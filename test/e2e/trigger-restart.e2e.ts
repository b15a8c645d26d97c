/**
 * The Marketo Bulk Trigger's "each record once" across n8n restarts, inside a REAL n8n: 1.x, 2.x, and 2.x
 * with the durable scheduler switched on (N8N_SCHEDULER_ENABLED=true), each a round of its own. A round
 * backfills New Leads from a Start Date 60 days back (two 31-day windows), polled every minute, with
 * Records output and with File output (two workflows), and meanwhile:
 *
 * - refuses two activations (a poll time under a minute, wrong credentials): the emulator's job list
 *   then holds no export job (at most the activation probe, cancelled before it was enqueued);
 * - stops n8n (SIGTERM) while the first window's jobs are in flight, and starts it again;
 * - stops n8n (SIGTERM) a second after the first window was emitted: the state n8n saved with that
 *   emission (read from n8n's REST API first) holds the emitted window, and n8n started again carries on
 *   with the second window instead of emitting the first again;
 * - kills n8n (SIGKILL) a second after the second window was emitted, starts it again and lets it poll:
 *   no window is emitted again;
 * - finally compares the ids emitted by each workflow (items, or the ids in the emitted files) with the
 *   emulator's leads of the period: each exactly once.
 *
 * About 6 minutes per round: n8n polls at most once a minute.
 *
 *   npx ts-node --transpile-only test/e2e/trigger-restart.e2e.ts
 *   N8N_E2E_VERSIONS=1 E2E_KEEP=1 npx ts-node --transpile-only test/e2e/trigger-restart.e2e.ts
 */
import * as assert from 'assert';
import * as fs from 'fs';

import {
	emulatorCount,
	emulatorJobs,
	emulatorLead,
	type EmulatorJob,
	type EmulatorProcess,
} from './emulator';
import {
	N8n,
	readExampleWorkflow,
	sleep,
	workflowNode,
	type N8nItem,
	type WorkflowFixture,
} from './n8n';
import type { Report } from './report';
import { emulatorCredential, runSuite, type VersionRun } from './suite';

const EXAMPLE = 'trigger-new-leads.json';
const TRIGGER_NODE = 'New Leads in Marketo';
const CREDENTIAL = { id: 'mktoRestartCred1', name: 'Marketo (emulator)' };
const WRONG_CREDENTIAL = { id: 'mktoRestartCred2', name: 'Marketo (wrong secret)' };
const DAY_MS = 86_400_000;
const WINDOW_MS = 31 * DAY_MS;
/** One poll a minute, plus n8n's start and a busy machine. */
const POLL_WAIT_MS = 150_000;

let example: WorkflowFixture;

interface Round {
	/** "n8n 2.40.7 (Node 24.x), N8N_SCHEDULER_ENABLED=true": the scope of its steps. */
	scope: string;
	/** Distinguishes the workflows of the rounds that share one n8n user folder. */
	tag: string;
	report: Report;
	n8n: N8n;
	emulator: EmulatorProcess;
}

interface Emitted {
	executionId: string;
	startedAt: number;
	ids: number[];
}

function triggerWorkflow(
	id: string,
	name: string,
	parameters: Record<string, unknown>,
	credential: { id: string; name: string },
): WorkflowFixture {
	const workflow = JSON.parse(JSON.stringify(example)) as WorkflowFixture;
	workflow.id = id;
	workflow.name = name;
	const trigger = workflowNode(workflow, TRIGGER_NODE);
	Object.assign(trigger.parameters, {
		event: 'newLeads',
		fields: ['id', 'email', 'createdAt'],
		format: 'CSV',
		startFrom: 'date',
		// Status checked on every poll, windows up to the minute: a backfill needs no other waiting.
		options: { safetyLagSeconds: 0, minStatusIntervalSeconds: 0 },
		...parameters,
	});
	(trigger as { credentials?: unknown }).credentials = { marketoApi: credential };
	return workflow;
}

function windowOf(job: EmulatorJob): { start: number; end: number } | undefined {
	const range = (job.filter as { createdAt?: { startAt?: string; endAt?: string } } | undefined)
		?.createdAt;
	if (!range?.startAt || !range.endAt) return undefined;
	return { start: Date.parse(range.startAt), end: Date.parse(range.endAt) };
}

function describeJobs(jobs: EmulatorJob[]): string {
	return jobs
		.map((j) => {
			const w = windowOf(j);
			const range = w
				? `${new Date(w.start).toISOString().slice(0, 16)}..${new Date(w.end).toISOString().slice(0, 16)}`
				: '?';
			const queued = (j as { queuedAt?: string }).queuedAt ? '' : ' never enqueued';
			return `${j.exportId.slice(0, 8)} ${j.status}${queued} [${range}]`;
		})
		.join('; ');
}

async function waitFor<T>(
	what: string,
	limitMs: number,
	probe: () => Promise<T | undefined>,
	detail: () => Promise<string>,
): Promise<T> {
	const until = Date.now() + limitMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > until) throw new Error(`${what}: gave up after waiting; ${await detail()}`);
		await sleep(1000);
	}
}

/** What each execution of a workflow emitted: the ids of its items, or of the rows of its files. */
async function emissions(n8n: N8n, workflowId: string, file: boolean): Promise<Emitted[]> {
	const list = (await n8n.executions(workflowId)).filter(
		(e) => e.status !== 'running' && e.status !== 'new',
	);
	const out: Emitted[] = [];
	for (const summary of list.reverse()) {
		assert.strictEqual(summary.status, 'success', `execution ${summary.id}: ${summary.status}`);
		const execution = await n8n.execution(summary.id);
		const runs = execution.data.resultData.runData[TRIGGER_NODE];
		const items: N8nItem[] = runs?.[runs.length - 1]?.data?.main?.[0] ?? [];
		const ids: number[] = [];
		for (const item of items) {
			if (!file) {
				ids.push(Number(item.json.id));
				continue;
			}
			const binary = item.binary?.data as { id?: string } | undefined;
			assert.ok(binary?.id, `execution ${summary.id}: a file item without a stored file`);
			const [header, ...rows] = fs
				.readFileSync(n8n.binaryDataPath(binary.id), 'utf8')
				.split('\n')
				.filter(Boolean);
			const column = header.split(',').indexOf('id');
			assert.ok(column >= 0, `execution ${summary.id}: the file has no id column: ${header}`);
			for (const row of rows) ids.push(Number(row.split(',')[column]));
		}
		out.push({ executionId: summary.id, startedAt: Date.parse(String(summary.startedAt)), ids });
	}
	return out;
}

/** The trigger's state as n8n has it in its database (the workflow's static data, over the REST API). */
async function savedState(n8n: N8n, workflowId: string): Promise<Record<string, unknown>> {
	const response = await n8n.rest<{ data?: { staticData?: unknown } }>(
		'GET',
		`/rest/workflows/${workflowId}`,
	);
	let staticData = response.body?.data?.staticData;
	if (typeof staticData === 'string') staticData = JSON.parse(staticData);
	const node = (staticData as Record<string, Record<string, unknown>> | undefined)?.[
		`node:${TRIGGER_NODE}`
	];
	const state = node?.marketoBulkTrigger as Record<string, unknown> | undefined;
	assert.ok(state, `no trigger state in the workflow's static data: ${JSON.stringify(staticData)}`);
	return state;
}

async function activate(round: Round, workflow: WorkflowFixture): Promise<void> {
	const from = round.n8n.log.length;
	await round.n8n.activateWorkflow(workflow.id);
	await waitActive(round, workflow, from);
}

/** n8n 2.x activates in the background (also at start): wait until it logged this workflow's trigger. */
async function waitActive(round: Round, workflow: WorkflowFixture, from: number): Promise<void> {
	const name = workflow.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const active = new RegExp(
		`Added triggers and pollers for workflow "${name}"|Activated trigger node "${TRIGGER_NODE}" for workflow "${name}"`,
	);
	await waitFor(
		`activation of "${workflow.name}"`,
		60_000,
		async () => (round.n8n.logMatching(active, from).length > 0 ? true : undefined),
		async () => `log tail: ${round.n8n.log.slice(-1500)}`,
	);
}

async function round({ scope, tag, report, n8n, emulator }: Round): Promise<void> {
	const now = Date.now();
	const start = Math.floor((now - 60 * DAY_MS) / 60_000) * 60_000;
	const startDate = new Date(start).toISOString();
	const records = triggerWorkflow(
		`mktoRestartR${tag}`,
		`Restart ${tag}: records`,
		{ output: 'records', startDate },
		CREDENTIAL,
	);
	const files = triggerWorkflow(
		`mktoRestartF${tag}`,
		`Restart ${tag}: file`,
		{ output: 'file', startDate },
		CREDENTIAL,
	);
	// Refused activations start from their own date, so that any job of theirs would show.
	const refusedStart = new Date(start - 30 * DAY_MS).toISOString();
	const subMinute = triggerWorkflow(
		`mktoRestartS${tag}`,
		`Restart ${tag}: every 30 seconds`,
		{
			output: 'records',
			startDate: refusedStart,
			pollTimes: { item: [{ mode: 'custom', cronExpression: '*/30 * * * * *' }] },
		},
		CREDENTIAL,
	);
	const wrongSecret = triggerWorkflow(
		`mktoRestartW${tag}`,
		`Restart ${tag}: wrong secret`,
		{ output: 'records', startDate: refusedStart },
		WRONG_CREDENTIAL,
	);
	const flows = [
		{ workflow: records, file: false },
		{ workflow: files, file: true },
	];
	/** n8n starts with the workflows active (its log starts afresh): wait for their activation. */
	const startAgain = async () => {
		await n8n.start();
		await n8n.login();
		for (const { workflow } of flows)
			await waitActive({ scope, tag, report, n8n, emulator }, workflow, 0);
	};

	const leadIds = await report.step(
		scope,
		'the emulator holds leads over the 60 days',
		async () => {
			await emulator.control('POST', 'reset');
			const everything = {
				createdAt: { startAt: '2000-01-01T00:00:00Z', endAt: '2100-01-01T00:00:00Z' },
			};
			const before = await emulatorCount(emulator, 'leads', everything);
			// Every 2 days, and on both sides of the windows' boundary (the first window's last second).
			const stamps = [start, start + WINDOW_MS - 1000, start + WINDOW_MS];
			for (let t = start + DAY_MS / 3; t < now - 3_600_000; t += 2 * DAY_MS) stamps.push(t);
			for (const [k, at] of stamps.entries()) {
				await emulator.control('POST', 'leads', {
					add: 1 + (k % 3),
					at: new Date(at).toISOString(),
				});
			}
			const after = await emulatorCount(emulator, 'leads', everything);
			const ids = Array.from({ length: after - before }, (_, k) => before + 1 + k);
			const period = {
				createdAt: { startAt: startDate, endAt: new Date(now).toISOString() },
			};
			assert.strictEqual(
				await emulatorCount(emulator, 'leads', period),
				ids.length,
				'the period holds exactly the leads added',
			);
			assert.ok(await emulatorLead(emulator, { id: ids[ids.length - 1] }), 'last lead added');
			report.note(`${ids.length} leads from ${startDate}`);
			return ids;
		},
	);

	await report.step(scope, 'import credentials + 4 trigger workflows', async () => {
		const wrong = emulatorCredential(emulator, WRONG_CREDENTIAL);
		wrong.data = { ...wrong.data, clientSecret: 'not-the-secret' };
		await n8n.importCredentials([emulatorCredential(emulator, CREDENTIAL), wrong]);
		await n8n.importWorkflows([records, files, subMinute, wrongSecret]);
	});
	await report.step(scope, 'start n8n', async () => {
		await n8n.start();
		await n8n.setupOwner();
	});

	const jobsList = async () => `jobs: ${describeJobs(await emulatorJobs(emulator))}`;

	await report.step(scope, 'activate (the activation polls only probe)', async () => {
		for (const { workflow } of flows)
			await activate({ scope, tag, report, n8n, emulator }, workflow);
		await sleep(2000);
		report.note(`after the activation polls: ${await jobsList()}`);
	});

	const firstWindow = (j: EmulatorJob) => windowOf(j)?.start === start && j.status !== 'Cancelled';
	await report.step(scope, 'SIGTERM while the first window is in flight', async () => {
		await waitFor(
			"the first window's export jobs",
			POLL_WAIT_MS,
			async () =>
				(await emulatorJobs(emulator)).filter(firstWindow).length >= 2 ? true : undefined,
			jobsList,
		);
		for (const { workflow } of flows) {
			assert.deepStrictEqual(await emissions(n8n, workflow.id, false), [], 'nothing emitted yet');
		}
		await n8n.stop();
	});

	await report.step(scope, 'start again; the first window is emitted', async () => {
		await startAgain();
		for (const { workflow, file } of flows) {
			await waitFor(
				`the first emission of "${workflow.name}"`,
				2 * POLL_WAIT_MS,
				async () => ((await emissions(n8n, workflow.id, file)).length > 0 ? true : undefined),
				jobsList,
			);
		}
	});

	const savedWithFirst = await report.step(
		scope,
		'SIGTERM a second after the first emission',
		async () => {
			await sleep(1000);
			const states = [];
			for (const { workflow } of flows) {
				const state = await savedState(n8n, workflow.id);
				states.push(state);
				report.note(
					`"${workflow.name}" saved: watermark ${new Date(Number(state.watermark) * 1000).toISOString()}, last ${JSON.stringify(state.last)}, job ${JSON.stringify((state.job as { startAt?: string } | undefined)?.startAt)}`,
				);
			}
			await n8n.stop();
			return states;
		},
	);

	const emittedAll = async (): Promise<Emitted[][]> =>
		await Promise.all(flows.map(({ workflow, file }) => emissions(n8n, workflow.id, file)));
	const complete = (all: Emitted[][]) =>
		all.every((list) => {
			const got = new Set(list.flatMap((e) => e.ids));
			return leadIds.every((id) => got.has(id));
		});

	await report.step(
		scope,
		'start again; the second window is emitted, the first not again',
		async () => {
			await startAgain();
			await waitFor(
				'every lead of the period emitted',
				2 * POLL_WAIT_MS,
				async () => {
					const all = await emittedAll();
					// A window emitted twice shows as soon as it happens.
					for (const list of all) {
						const ids = list.flatMap((e) => e.ids);
						assert.strictEqual(
							new Set(ids).size,
							ids.length,
							`a lead emitted twice: ${JSON.stringify(list.map((e) => e.ids.length))}`,
						);
					}
					return complete(all) ? true : undefined;
				},
				jobsList,
			);
		},
	);

	await report.step(scope, 'what n8n had saved with the first emission held it', () => {
		for (const state of savedWithFirst) {
			const last = state.last as { endAt?: string } | undefined;
			assert.ok(last?.endAt, `the saved state has no emitted window: ${JSON.stringify(state)}`);
			assert.strictEqual(
				Number(state.watermark),
				Date.parse(last.endAt) / 1000,
				'the saved watermark is the emitted window end',
			);
		}
	});

	const beforeKill = await report.step(
		scope,
		'SIGKILL a second after the last emission',
		async () => {
			await sleep(1000);
			const all = await emittedAll();
			const lastAt = Math.max(...all.flat().map((e) => e.startedAt));
			const states = await Promise.all(flows.map(({ workflow }) => savedState(n8n, workflow.id)));
			await n8n.kill('SIGKILL');
			report.note(
				`killed ${Date.now() - lastAt} ms after the last execution started; saved emissions: ${states.map((s) => s.emissions).join(', ')}`,
			);
			return all.map((list) => list.length);
		},
	);

	await report.step(scope, 'start again after the kill: nothing is emitted again', async () => {
		await startAgain();
		// The activation poll and the next one: either would emit a window whose state was lost.
		await sleep(75_000);
		const all = await emittedAll();
		assert.deepStrictEqual(
			all.map((list) => list.length),
			beforeKill,
			'executions after the restart',
		);
	});

	await report.step(
		scope,
		'each workflow emitted every lead of the period exactly once',
		async () => {
			const all = await emittedAll();
			for (const [k, list] of all.entries()) {
				const ids = list.flatMap((e) => e.ids).sort((a, b) => a - b);
				assert.deepStrictEqual(ids, leadIds, `"${flows[k].workflow.name}" emitted`);
				report.note(
					`"${flows[k].workflow.name}": ${list.map((e) => e.ids.length).join(' + ')} leads in ${list.length} executions`,
				);
			}
			const jobs = await emulatorJobs(emulator);
			const refused = jobs.filter((j) => windowOf(j)?.start === Date.parse(refusedStart));
			assert.deepStrictEqual(describeJobs(refused), '', 'jobs of the refused activations');
			report.note(`emulator jobs: ${describeJobs(jobs.slice().reverse())}`);
		},
	);

	await report.step(scope, 'refused activations leave no export job', async () => {
		for (const workflow of [subMinute, wrongSecret]) {
			const before = new Set((await emulatorJobs(emulator)).map((j) => j.exportId));
			await assert.rejects(n8n.activateWorkflow(workflow.id), `"${workflow.name}" was activated`);
			await sleep(3000);
			const added = (await emulatorJobs(emulator)).filter((j) => !before.has(j.exportId));
			const exporting = added.filter(
				(j) => j.status !== 'Cancelled' || (j as { queuedAt?: string }).queuedAt,
			);
			assert.deepStrictEqual(
				describeJobs(exporting),
				'',
				`"${workflow.name}" left export jobs behind: ${describeJobs(added)}`,
			);
			report.note(`"${workflow.name}": jobs it created: ${describeJobs(added) || 'none'}`);
		}
	});

	await report.step(scope, 'deactivate, stop', async () => {
		for (const { workflow } of flows) {
			const response = await n8n.rest('POST', `/rest/workflows/${workflow.id}/deactivate`, {});
			assert.strictEqual(response.status, 200, JSON.stringify(response.body).slice(0, 300));
		}
		await n8n.stop();
	});
}

async function checks({ report, scope, n8n, emulator }: VersionRun): Promise<void> {
	await round({ scope, tag: 'a', report, n8n, emulator });
	if (n8n.install.major >= 2) {
		// The same user folder, now with the durable scheduler on (n8n 2.40 keeps poll triggers on the
		// in-memory scheduler unless N8N_SCHEDULER_POLL_TRIGGERS_ENABLED is set too: tested as users run it).
		const durable = await N8n.create(n8n.install, n8n.folder, {
			logLevel: 'debug',
			env: { N8N_SCHEDULER_ENABLED: 'true' },
		});
		try {
			await round({
				scope: `${scope}, N8N_SCHEDULER_ENABLED=true`,
				tag: 'b',
				report,
				n8n: durable,
				emulator,
			});
		} finally {
			await durable.stop();
		}
	}
}

runSuite({
	setup: async (report) => {
		example = await report.step('setup', `read examples/${EXAMPLE}`, () =>
			readExampleWorkflow(EXAMPLE),
		);
	},
	n8nOptions: { logLevel: 'debug' },
	checks,
});
