/**
 * The Marketo Bulk Trigger inside a REAL n8n, for each supported version (n8n 1.x on Node 20, 2.x on Node 24),
 * against the Marketo emulator running as a separate process: import the example workflow
 * examples/trigger-new-leads.json (New Leads, polled every minute: n8n's shortest poll), start n8n
 * (`n8n start`), activate the workflow through the REST API as the editor does, let the emulator create a
 * few leads, and read the workflow's executions from n8n's REST API (owner session):
 *
 * - activation succeeds and starts no export (nothing exists yet);
 * - exactly one execution, once Marketo's job for the window with the new leads has completed, and its
 *   items are the new leads, values equal the emulator's;
 * - the following poll exports the next window, which overlaps the first by Overlap (60 s) and so contains
 *   the same leads again: still exactly one execution (the overlap is de-duplicated), and no error
 *   executions.
 *
 * A second workflow, the same example turned to the Program Member Changes event (program 3002), runs
 * beside it: the emulator changes three memberships (one lead joins, two change status), and the trigger
 * emits them in exactly one execution, with the statuses the emulator holds, and nothing again when the
 * overlapping window is exported.
 *
 * Real minutes: n8n polls at most once a minute, and a window is exported only once its minute has ended, so
 * this takes about 3 to 4 minutes per version.
 *
 *   npx ts-node --transpile-only test/e2e/trigger.e2e.ts
 *   N8N_E2E_VERSIONS=2 E2E_TARBALL=/path/to/package.tgz E2E_KEEP=1 npx ts-node --transpile-only test/e2e/trigger.e2e.ts
 */
import * as assert from 'assert';

import {
	emulatorCount,
	emulatorJobs,
	emulatorLead,
	type EmulatorJob,
	type EmulatorProcess,
} from '../harness/emulator';
import { sleep } from '../harness/processes';
import {
	exampleCredentialRef,
	readExampleWorkflow,
	workflowNode,
	type ExecutionSummary,
	type WorkflowFixture,
} from '../harness/workflows';
import { emulatorCredential, runSuite, type VersionRun } from '../harness/suite';

const EXAMPLE = 'trigger-new-leads.json';
const TRIGGER_NODE = 'New Leads in Marketo';
const NEW_LEADS = 4;
/** From activation until the de-duplicated overlap has been exported: 3 polls after the leads' minute. */
const WAIT_LIMIT_MS = 330_000;

const ENQUEUE = 'POST /bulk/v1/leads/export/:id/enqueue.json';
const MEMBER_ENQUEUE = 'POST /bulk/v1/program/members/export/:id/enqueue.json';
const MEMBER_NODE = 'Program Member Changes in Marketo';
const MEMBER_PROGRAM = 3002;
/** One lead joins the program (its seeded members are every third lead), two change status. */
const MEMBER_CHANGES = [
	{ leadIds: [1], statusName: 'Registered' },
	{ leadIds: [3, 6], statusName: 'Attended' },
];

/** The example workflow with its trigger turned to Program Member Changes, under its own id and names. */
function memberWorkflowOf(example: WorkflowFixture): WorkflowFixture {
	const copy = JSON.parse(JSON.stringify(example)) as WorkflowFixture;
	copy.id = 'mktoBulkE2eTrigPM';
	copy.name = 'Marketo Bulk Trigger: program member changes';
	const node = workflowNode(copy, TRIGGER_NODE);
	node.name = MEMBER_NODE;
	node.id = 'c3e4f5a6-5eab-4f40-b195-6d5a4b7e1b11';
	node.parameters = {
		...node.parameters,
		event: 'programMemberChanges',
		fields: ['leadId', 'email', 'statusName'],
		programs: {
			program: [{ program: { __rl: true, mode: 'id', value: String(MEMBER_PROGRAM) } }],
		},
	};
	(copy.nodes as Array<{ id?: string }>).forEach((n, i) => {
		if (n !== node) n.id = `c3e4f5a6-5eab-4f40-b195-6d5a4b7e1c${i}0`;
	});
	const connections = copy.connections as Record<string, unknown>;
	connections[MEMBER_NODE] = connections[TRIGGER_NODE];
	delete connections[TRIGGER_NODE];
	return copy;
}

/** The program member export jobs' windows (updatedAt), as for the lead jobs. */
function memberWindowOf(job: EmulatorJob): { start: number; end: number } | undefined {
	const range = (job.filter as { updatedAt?: { startAt?: string; endAt?: string } } | undefined)
		?.updatedAt;
	if (!range?.startAt || !range.endAt) return undefined;
	return { start: Date.parse(range.startAt), end: Date.parse(range.endAt) };
}

interface NewLead {
	id: number;
	lead: Record<string, unknown>;
	createdAtMs: number;
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The window [startAt, endAt] of a lead export job by createdAt. */
function windowOf(job: EmulatorJob): { start: number; end: number } | undefined {
	const range = (job.filter as { createdAt?: { startAt?: string; endAt?: string } } | undefined)
		?.createdAt;
	if (!range?.startAt || !range.endAt) return undefined;
	return { start: Date.parse(range.startAt), end: Date.parse(range.endAt) };
}

function covers(job: EmulatorJob, leads: NewLead[]): boolean {
	const window = windowOf(job);
	return (
		!!window && leads.every((l) => l.createdAtMs >= window.start && l.createdAtMs <= window.end)
	);
}

function describeJobs(jobs: EmulatorJob[]): string {
	return jobs
		.map((j) => {
			const w = windowOf(j);
			const range = w
				? `${new Date(w.start).toISOString().slice(11, 19)}..${new Date(w.end).toISOString().slice(11, 19)}`
				: '?';
			return `${j.exportId.slice(0, 8)} ${j.status} [${range}] ${j.numberOfRecords ?? '-'} rec`;
		})
		.join('; ');
}

/** The emulator's lead export jobs, oldest first (its control API lists the newest first). */
async function leadJobs(emulator: EmulatorProcess): Promise<EmulatorJob[]> {
	return (await emulatorJobs(emulator)).filter((j) => j.kind === 'leads').reverse();
}

async function addLeads(emulator: EmulatorProcess, n: number): Promise<NewLead[]> {
	const everything = {
		createdAt: { startAt: '2000-01-01T00:00:00Z', endAt: '2100-01-01T00:00:00Z' },
	};
	const before = await emulatorCount(emulator, 'leads', everything);
	await emulator.control('POST', 'leads', { add: n });
	const after = await emulatorCount(emulator, 'leads', everything);
	assert.strictEqual(after, before + n, `the emulator has ${after - before} more leads, not ${n}`);
	const leads: NewLead[] = [];
	for (let id = before + 1; id <= before + n; id++) {
		const lead = await emulatorLead(emulator, { id });
		assert.ok(lead, `new lead ${id} not found (ids are expected to follow the initial ${before})`);
		const createdAtMs = Date.parse(String(lead.createdAt));
		assert.ok(
			Math.abs(createdAtMs - Date.now()) < 60_000,
			`lead ${id} createdAt ${String(lead.createdAt)}`,
		);
		leads.push({ id, lead, createdAtMs });
	}
	assert.ok(!(await emulatorLead(emulator, { id: before + n + 1 })), 'more new leads than added');
	return leads;
}

async function waitFor<T>(
	what: string,
	limitAt: number,
	probe: () => Promise<T | undefined>,
	detail: () => Promise<string>,
): Promise<T> {
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > limitAt) throw new Error(`${what}: gave up after waiting; ${await detail()}`);
		await sleep(2000);
	}
}

let workflow: WorkflowFixture;
let memberWorkflow: WorkflowFixture;

async function checks(run: VersionRun): Promise<void> {
	const { report, scope, n8n: instance, emulator } = run;
	const workflowId = String(workflow.id);
	const trigger = workflowNode(workflow, TRIGGER_NODE);
	const fields = trigger.parameters.fields as string[];
	await report.step(scope, 'import credential + trigger example', async () => {
		await instance.importCredentials([
			emulatorCredential(emulator, exampleCredentialRef(workflow)),
		]);
		await instance.importWorkflow(workflow);
		await instance.importWorkflow(memberWorkflow);
	});
	await report.step(scope, 'start n8n', async () => {
		await instance.start();
		await instance.setupOwner();
	});

	await emulator.control('POST', 'reset');
	const logFrom = instance.log.length;
	/** Activates a workflow as the editor does and waits until n8n has run its trigger's first poll. */
	const activate = async (fixture: WorkflowFixture, nodeName: string) => {
		await instance.activateWorkflow(String(fixture.id));
		// n8n 1.x answers once the trigger is active (its first poll done); 2.x answers before and activates
		// the trigger right after. The trigger's "now" is its first poll: wait for it before changing data.
		const name = escapeRegExp(String(fixture.name));
		const active = new RegExp(
			`Added triggers and pollers for workflow "${name}"|Activated trigger node "${escapeRegExp(nodeName)}" for workflow "${name}"`,
		);
		const until = Date.now() + 30_000;
		while (instance.logMatching(active, logFrom).length === 0) {
			if (Date.now() > until)
				throw new Error(`n8n did not log the trigger's activation: ${active}`);
			await sleep(100);
		}
	};
	const activatedAt = await report.step(scope, 'activate (first poll runs now)', async () => {
		await activate(workflow, TRIGGER_NODE);
		await activate(memberWorkflow, MEMBER_NODE);
		await sleep(1000);
		const counters = await emulator.counters();
		assert.ok(
			!counters[ENQUEUE] && !counters[MEMBER_ENQUEUE],
			`activation enqueued an export: ${JSON.stringify(counters)}`,
		);
		report.note(`emulator calls during activation: ${JSON.stringify(counters)}`);
		return Date.now();
	});
	const limitAt = activatedAt + WAIT_LIMIT_MS;

	const leads = await report.step(scope, `the emulator creates ${NEW_LEADS} leads`, () =>
		addLeads(emulator, NEW_LEADS),
	);
	report.note(
		`new leads ${leads.map((l) => l.id).join(', ')} created at ${String(leads[0].lead.createdAt)}`,
	);
	const memberChangesAt = await report.step(
		scope,
		`the emulator changes ${MEMBER_CHANGES.flatMap((c) => c.leadIds).length} memberships of program ${MEMBER_PROGRAM}`,
		async () => {
			const from = Date.now();
			for (const change of MEMBER_CHANGES)
				await emulator.control('POST', 'program-members', {
					programId: MEMBER_PROGRAM,
					...change,
				});
			return { from, until: Date.now() };
		},
	);

	const executionsOf = async (): Promise<ExecutionSummary[]> =>
		(await instance.executions(workflowId)).filter(
			(e) => e.status !== 'running' && e.status !== 'new',
		);
	const state = async () =>
		`executions: ${JSON.stringify((await instance.executions(workflowId)).map((e) => [e.id, e.mode, e.status]))}; ` +
		`jobs: ${describeJobs(await leadJobs(emulator))}; ` +
		`polls logged: ${instance.logMatching(/Poll(ing)? trigger initiated/, logFrom).length}`;

	const first = await report.step(scope, 'one execution when the job completes', async () => {
		const [execution] = await waitFor(
			'an execution of the trigger',
			limitAt,
			async () => {
				const list = await executionsOf();
				return list.length > 0 ? list : undefined;
			},
			state,
		);
		assert.strictEqual(
			execution.status,
			'success',
			`execution ${execution.id}: ${JSON.stringify(execution)}`,
		);
		report.note(
			`execution ${execution.id} ${Math.round((Date.parse(String(execution.startedAt)) - activatedAt) / 1000)} s after activation`,
		);
		return execution;
	});

	await report.step(scope, 'its items are the new leads', async () => {
		const execution = await instance.execution(first.id);
		const runs = execution.data.resultData.runData[TRIGGER_NODE];
		assert.ok(
			runs?.length,
			`${TRIGGER_NODE} has no run data: ${Object.keys(execution.data.resultData.runData)}`,
		);
		const items = (runs[runs.length - 1].data?.main?.[0] ?? []).map((item) => item.json);
		assert.deepStrictEqual(
			items.map((item) => item.id).sort(),
			leads.map((l) => l.id).sort(),
			`emitted: ${JSON.stringify(items).slice(0, 600)}`,
		);
		for (const item of items) {
			const { lead } = leads.find((l) => l.id === item.id)!;
			assert.deepStrictEqual(
				Object.keys(item).sort(),
				[...fields].sort(),
				`the fields chosen, nothing else: ${JSON.stringify(item)}`,
			);
			for (const field of fields) {
				const got = item[field] === null || item[field] === undefined ? null : String(item[field]);
				const want = lead[field] === null || lead[field] === undefined ? null : String(lead[field]);
				if (field === 'createdAt' && got && want) {
					assert.strictEqual(Date.parse(got), Date.parse(want), `lead ${String(item.id)} ${field}`);
				} else {
					assert.strictEqual(got, want, `lead ${String(item.id)} ${field}`);
				}
			}
		}
		const next = execution.data.resultData.runData['Handle New Leads'];
		assert.strictEqual(
			next?.[0]?.data?.main?.[0]?.length,
			leads.length,
			'the next node got the items',
		);
	});

	await report.step(scope, 'the overlapping next window emits nothing again', async () => {
		// The next job's window starts Overlap (60 s) before the first one ended, so it holds the same leads;
		// once the trigger has created the job after it, it has downloaded and de-duplicated that one.
		const jobs = await waitFor(
			'the export of the overlapping window',
			limitAt + 60_000,
			async () => {
				const all = (await leadJobs(emulator)).filter((j) => j.status !== 'Cancelled');
				const covering = all.filter((j) => covers(j, leads));
				if (covering.length < 2) return undefined;
				const lastCovering = all.indexOf(covering[covering.length - 1]);
				return all.length > lastCovering + 1 ? all : undefined;
			},
			state,
		);
		await sleep(3000);
		const executions = await instance.executions(workflowId);
		assert.deepStrictEqual(
			executions.map((e) => [e.id, e.status]),
			[[first.id, 'success']],
			`executions after the overlap was exported; jobs: ${describeJobs(jobs)}`,
		);
		const covering = jobs.filter((j) => covers(j, leads));
		assert.ok(
			covering.every((j) => j.status === 'Completed' && j.numberOfRecords === leads.length),
			`jobs with the new leads: ${describeJobs(covering)}`,
		);
		report.note(`jobs: ${describeJobs(jobs)}`);
		report.note(
			`polls logged since activation: ${instance.logMatching(/Poll(ing)? trigger initiated/, logFrom).length}`,
		);
	});

	await memberChecks(run, memberChangesAt, limitAt);

	await report.step(scope, 'no errors or warnings from the trigger in the log', () => {
		const problems = instance
			.logMatching(/^\S+\s+(error|warn)\s/, logFrom)
			.filter((entry) => /marketo|export job|trigger|poll/i.test(entry));
		assert.deepStrictEqual(problems, [], `n8n logged:\n${problems.join('\n')}`);
	});
}

/**
 * Program Member Changes: one execution with the changed members, as the emulator holds them, and nothing
 * again once the overlapping window has been exported.
 */
async function memberChecks(
	{ report, scope, n8n: instance, emulator }: VersionRun,
	changed: { from: number; until: number },
	limitAt: number,
): Promise<void> {
	const workflowId = String(memberWorkflow.id);
	const leadIds = MEMBER_CHANGES.flatMap((c) => c.leadIds).sort((a, b) => a - b);
	// The emulator stamps each change with its clock's second (the same machine's clock).
	const firstStamp = Math.floor(changed.from / 1000) * 1000;
	const lastStamp = Math.floor(changed.until / 1000) * 1000;
	const memberJobs = async () =>
		(await emulatorJobs(emulator))
			.filter((j) => String(j.kind) === 'program/members' && j.status !== 'Cancelled')
			.reverse();
	const coversChanges = (job: EmulatorJob) => {
		const window = memberWindowOf(job);
		return !!window && window.start <= firstStamp && window.end >= lastStamp;
	};
	const executionsOf = async (): Promise<ExecutionSummary[]> =>
		(await instance.executions(workflowId)).filter(
			(e) => e.status !== 'running' && e.status !== 'new',
		);
	const state = async () =>
		`executions: ${JSON.stringify((await instance.executions(workflowId)).map((e) => [e.id, e.mode, e.status]))}; ` +
		`jobs: ${JSON.stringify((await memberJobs()).map((j) => [j.status, j.filter, j.numberOfRecords]))}`;

	const first = await report.step(scope, 'Program Member Changes: one execution', async () => {
		const [execution] = await waitFor(
			'an execution of the Program Member Changes trigger',
			limitAt,
			async () => {
				const list = await executionsOf();
				return list.length > 0 ? list : undefined;
			},
			state,
		);
		assert.strictEqual(execution.status, 'success', JSON.stringify(execution));
		return execution;
	});

	await report.step(
		scope,
		'its items are the changed members, as the emulator holds them',
		async () => {
			const execution = await instance.execution(first.id);
			const runs = execution.data.resultData.runData[MEMBER_NODE];
			assert.ok(runs?.length, `${MEMBER_NODE} has no run data`);
			const items = (runs[runs.length - 1].data?.main?.[0] ?? []).map((item) => item.json);
			const members = (await emulator.control(
				'GET',
				`program-members?programId=${MEMBER_PROGRAM}`,
			)) as Array<Record<string, string | null>>;
			// Program member fields from the membership, lead fields (email) from the lead.
			const expected = [];
			for (const id of leadIds) {
				const member = members.find((m) => m.leadId === String(id))!;
				const lead = await emulatorLead(emulator, { id });
				expected.push({ leadId: id, email: lead?.email ?? null, statusName: member.statusName });
			}
			for (const change of MEMBER_CHANGES)
				for (const id of change.leadIds)
					assert.strictEqual(expected.find((e) => e.leadId === id)!.statusName, change.statusName);
			assert.deepStrictEqual(
				items.map((item) => ({
					leadId: item.leadId,
					email: item.email ?? null,
					statusName: item.statusName,
				})),
				expected,
				`emitted: ${JSON.stringify(items).slice(0, 600)}`,
			);
		},
	);

	await report.step(
		scope,
		'Program Member Changes: the overlapping next window emits nothing again',
		async () => {
			await waitFor(
				'the export of the overlapping member window',
				limitAt + 60_000,
				async () => {
					const all = await memberJobs();
					const covering = all.filter(coversChanges);
					if (covering.length < 2) return undefined;
					return all.length > all.indexOf(covering[covering.length - 1]) + 1 ? all : undefined;
				},
				state,
			);
			await sleep(3000);
			const executions = await instance.executions(workflowId);
			assert.deepStrictEqual(
				executions.map((e) => [e.id, e.status]),
				[[first.id, 'success']],
				`executions after the overlap was exported; ${await state()}`,
			);
			report.note(`member jobs: ${await state()}`);
		},
	);
}

runSuite({
	setup: async (report) => {
		workflow = await report.step('setup', `read examples/${EXAMPLE}`, () =>
			readExampleWorkflow(EXAMPLE),
		);
		memberWorkflow = memberWorkflowOf(workflow);
	},
	n8nOptions: { logLevel: 'debug' },
	checks,
});
