/**
 * The Marketo Bulk Trigger's "each record once" across n8n restarts, inside a REAL n8n: 1.x, 2.x, and 2.x
 * with the durable scheduler switched on (N8N_SCHEDULER_ENABLED=true), each a round of its own. A round
 * backfills New Leads from a Start Date about 60 days back (two 31-day windows), polled every minute, with
 * Records output and with File output, in two pairs of workflows:
 *
 * - pair A is stopped (SIGTERM) a second after its first emission, in the first n8n process: the state n8n
 *   has in its database then (read over its REST API) must hold the emitted window;
 * - pair B, activated after that restart, is stopped (SIGTERM) while its first jobs are in flight;
 * - n8n started again runs every workflow to the end without emitting any lead twice;
 * - then n8n is killed (SIGKILL) a second after the last emission, started again and left to poll: nothing
 *   is emitted again;
 * - the ids each workflow emitted (items, or the ids in the emitted files) are the emulator's leads of the
 *   period, each exactly once;
 * - two refused activations (a poll time under a minute, wrong credentials) leave no export job in the
 *   emulator's job list (at most the activation probe, cancelled before it was enqueued).
 *
 * About 8 minutes per round: n8n polls at most once a minute.
 *
 *   npx ts-node --transpile-only test/e2e/trigger-restart.e2e.ts
 *   N8N_E2E_VERSIONS=1 E2E_KEEP=1 npx ts-node --transpile-only test/e2e/trigger-restart.e2e.ts
 */
import * as assert from 'assert';

import {
	emulatorCount,
	emulatorJobs,
	emulatorLead,
	type EmulatorJob,
	type EmulatorProcess,
} from '../harness/emulator';
import { N8n } from '../harness/n8n';
import { sleep } from '../harness/processes';
import { readExampleWorkflow, workflowNode, type WorkflowFixture } from '../harness/workflows';
import type { Report } from '../harness/report';
import { emissions, savedState, type Emitted } from '../harness/trigger';
import { emulatorCredential, runSuite, type VersionRun } from '../harness/suite';

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

interface Flow {
	workflow: WorkflowFixture;
	file: boolean;
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
		pollTimes: { item: [{ mode: 'everyMinute' }] },
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
	// The second pair starts a day earlier: its jobs are told apart by their window.
	const laterStart = start - DAY_MS;
	const pair = (name: string, from: number): Flow[] =>
		(['records', 'file'] as const).map((output) => ({
			workflow: triggerWorkflow(
				`mktoRestart${name}${output === 'file' ? 'F' : 'R'}${tag}`,
				`Restart ${tag} ${name}: ${output}`,
				{ output, startDate: new Date(from).toISOString() },
				CREDENTIAL,
			),
			file: output === 'file',
		}));
	// A: stopped a second after its first emission, in the first n8n process (whose state n8n had
	// never loaded from its database). B, activated later: stopped while its first jobs are in flight.
	const first = pair('A', start);
	const second = pair('B', laterStart);
	const flows = [...first, ...second];
	// Refused activations start from their own date, so that any job of theirs would show.
	const refusedStart = start - 30 * DAY_MS;
	const subMinute = triggerWorkflow(
		`mktoRestartS${tag}`,
		`Restart ${tag}: every 30 seconds`,
		{
			output: 'records',
			startDate: new Date(refusedStart).toISOString(),
			pollTimes: { item: [{ mode: 'custom', cronExpression: '*/30 * * * * *' }] },
		},
		CREDENTIAL,
	);
	const wrongSecret = triggerWorkflow(
		`mktoRestartW${tag}`,
		`Restart ${tag}: wrong secret`,
		{ output: 'records', startDate: new Date(refusedStart).toISOString() },
		WRONG_CREDENTIAL,
	);
	const r: Round = { scope, tag, report, n8n, emulator };
	/** n8n starts with the workflows active (its log starts afresh): wait for their activation. */
	const startAgain = async (active: Flow[]) => {
		await n8n.start();
		await n8n.login();
		for (const { workflow } of active) await waitActive(r, workflow, 0);
	};
	const jobsList = async () => `jobs: ${describeJobs(await emulatorJobs(emulator))}`;
	// each execution a success: a poll that failed would show as an error execution
	const emitted = async (flow: Flow) => {
		const list = await emissions(n8n, flow.workflow.id, TRIGGER_NODE, flow.file);
		for (const e of list)
			assert.strictEqual(e.status, 'success', `execution ${e.executionId}: ${e.status}`);
		return list;
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
				createdAt: {
					startAt: new Date(laterStart).toISOString(),
					endAt: new Date(now).toISOString(),
				},
			};
			assert.strictEqual(
				await emulatorCount(emulator, 'leads', period),
				ids.length,
				'the period holds exactly the leads added',
			);
			assert.ok(await emulatorLead(emulator, { id: ids[ids.length - 1] }), 'last lead added');
			report.note(`${ids.length} leads from ${new Date(start).toISOString()}`);
			return ids;
		},
	);

	await report.step(scope, 'import credentials + 6 trigger workflows', async () => {
		const wrong = emulatorCredential(emulator, WRONG_CREDENTIAL);
		wrong.data = { ...wrong.data, clientSecret: 'not-the-secret' };
		await n8n.importCredentials([emulatorCredential(emulator, CREDENTIAL), wrong]);
		await n8n.importWorkflows([...flows.map((f) => f.workflow), subMinute, wrongSecret]);
	});
	await report.step(scope, 'start n8n, activate A', async () => {
		await n8n.start();
		await n8n.setupOwner();
		for (const { workflow } of first) await activate(r, workflow);
		await sleep(2000);
		report.note(`after the activation polls: ${await jobsList()}`);
	});

	const savedWithFirst = await report.step(
		scope,
		'SIGTERM a second after the first emission of A',
		async () => {
			for (const flow of first) {
				await waitFor(
					`the first emission of "${flow.workflow.name}"`,
					2 * POLL_WAIT_MS,
					async () => ((await emitted(flow)).length > 0 ? true : undefined),
					jobsList,
				);
			}
			await sleep(1000);
			const states = await Promise.all(
				first.map((flow) => savedState(n8n, flow.workflow.id, TRIGGER_NODE)),
			);
			await n8n.stop();
			for (const [k, state] of states.entries()) {
				report.note(
					`"${first[k].workflow.name}" saved: watermark ${new Date(Number(state.watermark) * 1000).toISOString()}, last ${JSON.stringify(state.last)}, job ${JSON.stringify((state.job as { startAt?: string } | undefined)?.startAt)}`,
				);
			}
			return states;
		},
	);

	await report.step(
		scope,
		'start again, activate B, SIGTERM while its first jobs are in flight',
		async () => {
			await startAgain(first);
			for (const { workflow } of second) await activate(r, workflow);
			const inFlight = (j: EmulatorJob) =>
				windowOf(j)?.start === laterStart && j.status !== 'Cancelled';
			await waitFor(
				"B's first export jobs",
				POLL_WAIT_MS,
				async () =>
					(await emulatorJobs(emulator)).filter(inFlight).length >= 2 ? true : undefined,
				jobsList,
			);
			for (const flow of second) {
				assert.deepStrictEqual(
					await emitted(flow),
					[],
					`"${flow.workflow.name}" emitted nothing yet`,
				);
			}
			await n8n.stop();
		},
	);

	const all = async (): Promise<Emitted[][]> => await Promise.all(flows.map(emitted));
	await report.step(scope, 'start again, run to the end: no lead twice', async () => {
		await startAgain(flows);
		await waitFor(
			'every lead of the period emitted by each workflow',
			3 * POLL_WAIT_MS,
			async () => {
				const lists = await all();
				// A window emitted twice shows as soon as it happens.
				for (const [k, list] of lists.entries()) {
					const ids = list.flatMap((e) => e.ids);
					assert.strictEqual(
						new Set(ids).size,
						ids.length,
						`"${flows[k].workflow.name}" emitted a lead twice: ${JSON.stringify(list.map((e) => e.ids.length))}`,
					);
				}
				const done = lists.every((list) => {
					const got = new Set(list.flatMap((e) => e.ids));
					return leadIds.every((id) => got.has(id));
				});
				return done ? true : undefined;
			},
			jobsList,
		);
	});

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
			const lists = await all();
			const lastAt = Math.max(...lists.flat().map((e) => e.startedAt));
			const states = await Promise.all(
				flows.map((flow) => savedState(n8n, flow.workflow.id, TRIGGER_NODE)),
			);
			await n8n.kill('SIGKILL');
			report.note(
				`killed ${Date.now() - lastAt} ms after the last execution started; emissions saved: ${states.map((s) => s.emissions).join(', ')}; executions: ${lists.map((l) => l.length).join(', ')}`,
			);
			return lists.map((list) => list.length);
		},
	);

	await report.step(scope, 'start again after the kill: nothing is emitted again', async () => {
		await startAgain(flows);
		// The activation poll and the next one: either would emit a window whose state was lost.
		await sleep(75_000);
		assert.deepStrictEqual(
			(await all()).map((list) => list.length),
			beforeKill,
			'executions after the restart',
		);
	});

	await report.step(
		scope,
		'each workflow emitted every lead of the period exactly once',
		async () => {
			for (const [k, list] of (await all()).entries()) {
				const ids = list.flatMap((e) => e.ids).sort((x, y) => x - y);
				assert.deepStrictEqual(ids, leadIds, `"${flows[k].workflow.name}" emitted`);
				report.note(
					`"${flows[k].workflow.name}": ${list.map((e) => e.ids.length).join(' + ')} leads in ${list.length} executions`,
				);
			}
			report.note(`emulator jobs: ${describeJobs((await emulatorJobs(emulator)).reverse())}`);
		},
	);

	await report.step(scope, 'deactivate', async () => {
		for (const { workflow } of flows) {
			const response = await n8n.rest('POST', `/rest/workflows/${workflow.id}/deactivate`, {});
			assert.strictEqual(response.status, 200, JSON.stringify(response.body).slice(0, 300));
		}
	});

	// Nothing else is active now: every job created from here on is one of theirs.
	await report.step(scope, 'refused activations leave no export job', async () => {
		for (const workflow of [subMinute, wrongSecret]) {
			const before = new Set((await emulatorJobs(emulator)).map((j) => j.exportId));
			const from = n8n.log.length;
			const answered = await n8n.activateWorkflow(workflow.id).then(
				() => 'accepted',
				() => 'refused',
			);
			// n8n 2.x accepts the request and activates in the background: its refusal is in the log.
			if (answered === 'accepted') {
				await waitFor(
					`the refusal to activate "${workflow.name}"`,
					30_000,
					async () =>
						n8n.logMatching(/There was a problem activating the workflow/, from).length > 0
							? true
							: undefined,
					async () => `log tail: ${n8n.log.slice(-1500)}`,
				);
			}
			await sleep(3000);
			const added = (await emulatorJobs(emulator)).filter((j) => !before.has(j.exportId));
			const exporting = added.filter(
				(j) => j.status !== 'Cancelled' || (j as { queuedAt?: string }).queuedAt,
			);
			report.note(`"${workflow.name}": jobs it created: ${describeJobs(added) || 'none'}`);
			assert.deepStrictEqual(describeJobs(exporting), '', `"${workflow.name}" left export jobs`);
		}
		const theirs = (await emulatorJobs(emulator)).filter(
			(j) => windowOf(j)?.start === refusedStart,
		);
		assert.deepStrictEqual(describeJobs(theirs), '', "jobs for the refused workflows' windows");
	});

	await report.step(scope, 'stop', async () => {
		// n8n 2.x may keep a refused workflow marked active (and try again at its next start).
		for (const workflow of [subMinute, wrongSecret])
			await n8n.rest('POST', `/rest/workflows/${workflow.id}/deactivate`, {});
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
