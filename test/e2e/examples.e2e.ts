/**
 * The example workflows (examples/*.json, linked from the README) inside a REAL n8n, for each supported
 * version (n8n 1.x on Node 20, 2.x on Node 24), against the Marketo emulator running as a separate process:
 * pack the package, install it the way n8n installs a community package, import the credential the examples
 * reference and exactly the example files (`n8n import:workflow`), execute each one headless
 * (`n8n execute --id`) and check its output against the emulator's data.
 *
 *   export-new-leads-to-records.json  40 days → 2 jobs; every lead of the range exactly once, values equal
 *                                     the emulator's (commas, quotes, line breaks, non-ASCII included)
 *   export-activities-to-file.json    the bytes n8n stored equal Marketo's file (size and sha256)
 *   import-leads-from-items.json      create + update + a rejected row: summary, the failed row paired with
 *                                     its input item, then an export inside the same workflow reads both
 *                                     leads back
 *   export-job-steps.json             Create → Enqueue → Get Job Status → List Jobs (status filter) through
 *                                     n8n's declarative RoutingNode
 *   mark-attended-from-emails.json    Program Member Import: every email's lead a member of the webinar
 *                                     program with the status Attended (a new lead for the unknown email)
 *   export-webinar-attendees.json     Program Member Export of one program and status: every such member of
 *                                     the emulator once, member and lead values equal; then the sheet rows
 *                                     an Edit Fields node makes of them, column by column
 *   export-updated-cars.json          Custom Object Export of car_c with an Updated At range: every record
 *                                     of the range once, values equal the emulator's
 *   import-course-enrollments.json    Custom Object Import through Fields to Import: a created and an
 *                                     updated record in the emulator, the refused row paired with its item
 *
 *   npx ts-node --transpile-only test/e2e/examples.e2e.ts
 *   N8N_E2E_VERSIONS=2 E2E_TARBALL=/path/to/package.tgz E2E_KEEP=1 npx ts-node --transpile-only test/e2e/examples.e2e.ts
 *
 * Exits non-zero when a step fails; each FAIL line names the n8n version and the step.
 */
import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';

import {
	createLeadExportJob,
	emulatorCount,
	emulatorJobs,
	emulatorLead,
	emulatorProgramMembers,
} from '../harness/emulator';
import type { ExecuteResult } from '../harness/n8n';
import {
	exampleCredentialRef,
	nodeItems,
	readExampleWorkflow,
	workflowNode,
	type N8nItem,
	type WorkflowFixture,
} from '../harness/workflows';
import { emulatorCredential, runSuite, type VersionRun } from '../harness/suite';

const EXAMPLES = {
	exportLeads: 'export-new-leads-to-records.json',
	exportActivities: 'export-activities-to-file.json',
	importLeads: 'import-leads-from-items.json',
	jobSteps: 'export-job-steps.json',
	webinarAttendees: 'export-webinar-attendees.json',
	updatedCars: 'export-updated-cars.json',
	courseEnrollments: 'import-course-enrollments.json',
} as const;

const LEAD_CREATE = 'POST /bulk/v1/leads/export/create.json';
const ACTIVITY_CREATE = 'POST /bulk/v1/activities/export/create.json';
const MEMBER_CREATE = 'POST /bulk/v1/program/members/export/create.json';

type Examples = Record<keyof typeof EXAMPLES, WorkflowFixture>;

function loadExamples(): Examples {
	return Object.fromEntries(
		Object.entries(EXAMPLES).map(([key, file]) => [key, readExampleWorkflow(file)]),
	) as Examples;
}

// ---------------------------------------------------------------------------------------------------------
// helpers

function assertRan(result: ExecuteResult, nodes: string[]): void {
	assert.ok(result.ok, `execution failed: ${result.error}`);
	for (const name of nodes) {
		const runs = result.run?.data.resultData.runData[name];
		assert.ok(runs && runs.length > 0, `node "${name}" did not run`);
		const failed = runs.find((r) => r.error);
		assert.ok(!failed, `node "${name}" failed: ${failed?.error?.message}`);
	}
}

function noErrorItems(items: N8nItem[], node: string): void {
	const bad = items.find((item) => 'error' in item.json);
	if (bad) assert.fail(`${node} output an error item: ${JSON.stringify(bad.json).slice(0, 400)}`);
}

/** pairedItem as a sorted list of input item indexes. */
function pairedIndexes(item: N8nItem): number[] {
	const p = item.pairedItem;
	if (p === undefined) return [];
	const list = Array.isArray(p) ? p : [p];
	return list
		.map((entry) => (typeof entry === 'number' ? entry : entry.item))
		.sort((a, b) => a - b);
}

/** A value as the emulator stores it (text or null) from a typed record value. */
function asStored(value: unknown): string | null {
	if (value === null || value === undefined || value === '') return null;
	return String(value);
}

const AWKWARD = {
	comma: /,/,
	quote: /"/,
	'line break': /[\r\n]/,
	'non-ASCII': /[\u0080-\uffff]/,
};

/** Compares an exported record with the emulator's lead, field by field (dates compared as instants). */
function recordDiffers(
	record: Record<string, unknown>,
	lead: Record<string, unknown>,
	fields: string[],
): string | undefined {
	for (const field of fields) {
		const got = asStored(record[field]);
		const want = asStored(lead[field]);
		if (got === want) continue;
		if (/At$/.test(field) && got && want && Date.parse(got) === Date.parse(want)) continue;
		return `lead ${String(lead.id)} ${field}: n8n ${JSON.stringify(record[field])}, Marketo ${JSON.stringify(lead[field])}`;
	}
	return undefined;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A node's Start/End as Marketo's filter: the node's End is not included, Marketo's filter includes both
 * ends to the second, so the filter (and the emulator's ground truth) runs from Start to End − 1 s.
 */
function range(parameters: Record<string, unknown>): { startAt: string; endAt: string } {
	const start = Date.parse(String(parameters.startAt));
	const end = Date.parse(String(parameters.endAt));
	assert.ok(
		Number.isFinite(start) && Number.isFinite(end),
		`not dates: ${JSON.stringify(parameters)}`,
	);
	return { startAt: iso(start), endAt: iso(end - 1000) };
}

// ---------------------------------------------------------------------------------------------------------
// the examples

async function exportLeadsToRecords(
	{ report, scope, n8n, emulator }: VersionRun,
	workflow: WorkflowFixture,
): Promise<void> {
	const node = workflowNode(workflow, 'Export Leads');
	const fields = node.parameters.fields as string[];
	const window = range(node.parameters);
	await emulator.control('POST', 'reset');
	const result = await report.step(scope, 'export leads → records: execute', async () => {
		const result = await n8n.execute(String(workflow.id));
		assertRan(result, [node.name]);
		return result;
	});
	const records = nodeItems(result.run, node.name).map((item) => item.json);
	await report.step(scope, 'export leads → records: 2 jobs, every lead once', async () => {
		noErrorItems(nodeItems(result.run, node.name), node.name);
		const expected = await emulatorCount(emulator, 'leads', { createdAt: window });
		assert.ok(
			expected > 50,
			`the emulator has only ${expected} leads in ${JSON.stringify(window)}`,
		);
		assert.strictEqual(records.length, expected, `records vs. the emulator's count for the range`);
		const ids = records.map((r) => r.id);
		assert.strictEqual(new Set(ids).size, ids.length, 'a lead was output twice');
		assert.ok(
			ids.every((id) => typeof id === 'number'),
			'ids are not numbers (typed values)',
		);
		const counters = await emulator.counters();
		assert.strictEqual(counters[LEAD_CREATE], 2, `create calls: ${JSON.stringify(counters)}`);
		// the emulator lists the newest job first
		const jobs = (await emulatorJobs(emulator)).filter((j) => j.kind === 'leads').reverse();
		assert.deepStrictEqual(
			jobs.map((j) => j.status),
			['Completed', 'Completed'],
			'both jobs completed',
		);
		// consecutive windows of at most 31 days that share no second and cover exactly the range
		const windows = jobs.map(
			(j) => (j.filter as { createdAt: { startAt: string; endAt: string } }).createdAt,
		);
		assert.strictEqual(windows[0].startAt, window.startAt, `windows: ${JSON.stringify(windows)}`);
		assert.strictEqual(windows[1].endAt, window.endAt, `windows: ${JSON.stringify(windows)}`);
		assert.strictEqual(
			Date.parse(windows[1].startAt),
			Date.parse(windows[0].endAt) + 1000,
			`windows: ${JSON.stringify(windows)}`,
		);
		for (const w of windows) {
			assert.ok(
				Date.parse(w.endAt) - Date.parse(w.startAt) < 31 * 86_400_000,
				`window over 31 days: ${JSON.stringify(w)}`,
			);
		}
		report.note(
			`${records.length} records from ${jobs.length} jobs: ${windows.map((w, k) => `${w.startAt}..${w.endAt} (${String(jobs[k].numberOfRecords)})`).join(', ')}`,
		);
	});
	await report.step(
		scope,
		"export leads → records: values equal the emulator's leads",
		async () => {
			const seen: Record<string, number> = {};
			for (const record of records) {
				const lead = await emulatorLead(emulator, { id: record.id as number });
				assert.ok(lead, `lead ${String(record.id)} is not in the emulator`);
				const diff = recordDiffers(record, lead, fields);
				assert.ok(!diff, diff);
				for (const field of ['firstName', 'lastName', 'company', 'address']) {
					const value = lead[field];
					if (typeof value !== 'string') continue;
					for (const [kind, pattern] of Object.entries(AWKWARD)) {
						if (pattern.test(value)) seen[kind] = (seen[kind] ?? 0) + 1;
					}
				}
			}
			for (const kind of Object.keys(AWKWARD)) {
				assert.ok(
					seen[kind] > 0,
					`no record with a ${kind} in a text field: the check proves less`,
				);
			}
			report.note(
				`all ${records.length} compared; awkward values among them: ${JSON.stringify(seen)}`,
			);
		},
	);
}

async function exportActivitiesToFile(
	{ report, scope, n8n, emulator }: VersionRun,
	workflow: WorkflowFixture,
): Promise<void> {
	const node = workflowNode(workflow, 'Export Activities');
	const window = range(node.parameters);
	await emulator.control('POST', 'reset');
	const result = await report.step(scope, 'export activities → file: execute', async () => {
		const result = await n8n.execute(String(workflow.id));
		assertRan(result, [node.name]);
		return result;
	});
	await report.step(
		scope,
		"export activities → file: stored bytes equal Marketo's file",
		async () => {
			const items = nodeItems(result.run, node.name);
			noErrorItems(items, node.name);
			assert.strictEqual(items.length, 1, `${items.length} items (one job, one file expected)`);
			const [item] = items;
			const counters = await emulator.counters();
			assert.strictEqual(counters[ACTIVITY_CREATE], 1, `create calls: ${JSON.stringify(counters)}`);
			const [job] = (await emulatorJobs(emulator)).filter((j) => j.kind === 'activities');
			assert.ok(job, 'the emulator has no activity export job');
			assert.strictEqual(job.status, 'Completed');
			const expectedRecords = await emulatorCount(emulator, 'activities', { createdAt: window });
			assert.strictEqual(job.numberOfRecords, expectedRecords, 'the job covers the whole range');
			assert.strictEqual(item.json.exportId, job.exportId, 'the item names the job');

			const property = String(
				(node.parameters.options as Record<string, unknown>)?.binaryPropertyName ?? 'data',
			);
			const binary = item.binary?.[property] as Record<string, unknown> | undefined;
			assert.ok(binary, `no binary property "${property}": ${JSON.stringify(item.binary)}`);
			assert.ok(
				typeof binary.id === 'string',
				`the binary has no id, so n8n did not store it on disk (mode filesystem): ${JSON.stringify(binary).slice(0, 200)}`,
			);
			const file = n8n.binaryDataPath(binary.id);
			assert.ok(fs.existsSync(file), `n8n's stored file is missing: ${binary.id}`);
			const bytes = fs.readFileSync(file);
			const sha256 = createHash('sha256').update(bytes).digest('hex');
			assert.strictEqual(bytes.length, job.fileSize, "file size: n8n's stored file vs. Marketo's");
			assert.strictEqual(
				`sha256:${sha256}`,
				job.fileChecksum,
				"sha256: n8n's stored file vs. Marketo's",
			);
			assert.strictEqual(binary.mimeType, 'text/csv');
			assert.match(String(binary.fileName), /\.csv$/);
			report.note(
				`${binary.fileName}: ${bytes.length} bytes, ${job.numberOfRecords} activities, sha256 ${sha256.slice(0, 16)}…`,
			);
		},
	);
}

async function importLeadsFromItems(
	{ report, scope, n8n, emulator }: VersionRun,
	workflow: WorkflowFixture,
): Promise<void> {
	const code = workflowNode(workflow, 'Leads to Import');
	const importNode = workflowNode(workflow, 'Import Leads');
	const exportNode = workflowNode(workflow, 'Export Changed Leads');
	await emulator.control('POST', 'reset');
	const startedAt = Date.now();
	const result = await report.step(scope, 'import leads from items: execute', async () => {
		const result = await n8n.execute(String(workflow.id));
		assertRan(result, [code.name, importNode.name, exportNode.name]);
		return result;
	});
	const input = nodeItems(result.run, code.name).map((item) => item.json);
	const emails = input.map((item) => String(item.email));
	// which input item creates, updates and fails: the updated lead is one of the emulator's synthetic leads
	// (created months before this run), the created one is new
	const initial = await report.step(
		scope,
		'import leads from items: one create, one update, one invalid',
		async () => {
			assert.strictEqual(input.length, 3, `the Code node output ${input.length} items`);
			const invalid = emails.findIndex((email) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email));
			assert.ok(invalid >= 0, 'no input item with an invalid email');
			const imports = (await emulator.control('GET', 'imports')) as unknown[];
			assert.strictEqual(imports.length, 1, `import batches: ${JSON.stringify(imports)}`);
			let created = -1;
			let updated = -1;
			for (let i = 0; i < emails.length; i++) {
				if (i === invalid) continue;
				const lead = await emulatorLead(emulator, { email: emails[i] });
				assert.ok(lead, `${emails[i]} is not in the emulator after the import`);
				if (Date.parse(String(lead.createdAt)) < startedAt - 86_400_000) updated = i;
				else created = i;
			}
			assert.ok(created >= 0 && updated >= 0, `created item ${created}, updated item ${updated}`);
			return { invalid, updated, created };
		},
	);
	await report.step(
		scope,
		'import leads from items: summary + failed row paired to its item',
		async () => {
			const items = nodeItems(result.run, importNode.name);
			assert.strictEqual(
				items.length,
				2,
				`Import output ${items.length} items: ${JSON.stringify(items.map((i) => i.json)).slice(0, 600)}`,
			);
			const [summary, failed] = items;
			assert.strictEqual(summary.json.type, 'summary');
			assert.strictEqual(summary.json.status, 'Complete', JSON.stringify(summary.json));
			assert.strictEqual(summary.json.rows, 3);
			assert.strictEqual(summary.json.leadsProcessed, 2);
			assert.strictEqual(summary.json.rowsFailed, 1);
			assert.deepStrictEqual(
				pairedIndexes(summary),
				[0, 1, 2],
				'the summary pairs with every input item',
			);
			assert.strictEqual(failed.json.type, 'failedRow', JSON.stringify(failed.json));
			assert.strictEqual(failed.json.inputItem, initial.invalid, 'inputItem of the failed row');
			assert.deepStrictEqual(
				pairedIndexes(failed),
				[initial.invalid],
				'pairedItem of the failed row',
			);
			assert.match(String(failed.json.reason), /email/i);
			assert.strictEqual(
				(failed.json.fields as Record<string, unknown> | undefined)?.email,
				emails[initial.invalid],
				'the failed row carries the row as sent',
			);
			report.note(`failed row: ${JSON.stringify(failed.json).slice(0, 200)}`);
		},
	);
	await report.step(
		scope,
		'import leads from items: the export in the same workflow reads them back',
		async () => {
			const items = nodeItems(result.run, exportNode.name);
			noErrorItems(items, exportNode.name);
			const records = items.map((item) => item.json);
			const exportedEmails = records.map((r) => String(r.email).toLowerCase()).sort();
			const expectedEmails = [emails[initial.created], emails[initial.updated]]
				.map((e) => e.toLowerCase())
				.sort();
			assert.deepStrictEqual(exportedEmails, expectedEmails, 'the leads the export found');
			const fields = exportNode.parameters.fields as string[];
			for (const index of [initial.created, initial.updated]) {
				const record = records.find(
					(r) => String(r.email).toLowerCase() === emails[index].toLowerCase(),
				)!;
				for (const [key, value] of Object.entries(input[index])) {
					if (!fields.includes(key)) continue;
					assert.strictEqual(
						asStored(record[key]),
						asStored(value),
						`item ${index} ${key} after the round trip`,
					);
				}
				// the emulator agrees (the lead exists once, under the id the export gave)
				const lead = await emulatorLead(emulator, { email: emails[index] });
				assert.ok(lead, `${emails[index]} is not in the emulator`);
				assert.strictEqual(Number(lead.id), record.id, `${emails[index]}: id`);
				const diff = recordDiffers(record, lead, fields);
				assert.ok(!diff, diff);
			}
			assert.ok(
				!(await emulatorLead(emulator, { email: emails[initial.invalid] })),
				'the rejected row created a lead',
			);
			report.note(
				`exported back: ${records.map((r) => `${String(r.id)} ${String(r.email)}`).join(', ')}`,
			);
		},
	);
}

async function exportJobSteps(
	{ report, scope, n8n, emulator }: VersionRun,
	workflow: WorkflowFixture,
): Promise<void> {
	const names = ['Create Job', 'Enqueue Job', 'Get Job Status', 'List Jobs'];
	const list = workflowNode(workflow, 'List Jobs');
	const statuses = list.parameters.statusFilter as string[];
	await emulator.control('POST', 'reset');
	// a job of the same API user that stays Created: List Jobs' status filter must leave it out
	const outsider = await createLeadExportJob(emulator);
	const result = await report.step(scope, 'job steps: execute', async () => {
		// Export ID in both shapes, each by expression: the picker's (Enqueue Job, By ID, node version 1.1) and the
		// plain text that workflows saved before the picker hold (Get Job Status, node version 1)
		const shapes = ['Enqueue Job', 'Get Job Status'].map((name) => {
			const { parameters, typeVersion } = workflowNode(workflow, name);
			const exportId = parameters.exportId;
			const shape = typeof exportId === 'object' && exportId !== null ? 'picker' : typeof exportId;
			return `${shape} ${typeVersion}`;
		});
		assert.deepStrictEqual(
			shapes,
			['picker 1.1', 'string 1'],
			'the shapes of Export ID in the example',
		);
		const result = await n8n.execute(String(workflow.id));
		assertRan(result, names);
		return result;
	});
	await report.step(scope, 'job steps: create → enqueue → status → list', async () => {
		const [created, enqueued, status, listed] = names.map((name) => {
			const items = nodeItems(result.run, name);
			noErrorItems(items, name);
			return items.map((item) => item.json);
		});
		assert.strictEqual(created.length, 1);
		const exportId = created[0].exportId;
		assert.ok(
			typeof exportId === 'string' && exportId,
			`Create Job: ${JSON.stringify(created[0])}`,
		);
		assert.strictEqual(created[0].status, 'Created');
		assert.strictEqual(enqueued.length, 1);
		assert.strictEqual(
			enqueued[0].exportId,
			exportId,
			`Enqueue Job: ${JSON.stringify(enqueued[0])}`,
		);
		assert.ok(
			['Queued', 'Processing', 'Completed'].includes(String(enqueued[0].status)),
			`Enqueue Job: ${JSON.stringify(enqueued[0])}`,
		);
		assert.strictEqual(status.length, 1);
		assert.strictEqual(
			status[0].exportId,
			exportId,
			`Get Job Status: ${JSON.stringify(status[0])}`,
		);
		assert.ok(
			['Queued', 'Processing', 'Completed'].includes(String(status[0].status)),
			`Get Job Status: ${JSON.stringify(status[0])}`,
		);

		const listedIds = listed.map((job) => job.exportId);
		assert.ok(
			listedIds.includes(exportId),
			`List Jobs misses ${exportId}: ${JSON.stringify(listed)}`,
		);
		assert.ok(
			!listedIds.includes(outsider),
			`List Jobs ignored the status filter: the Created job ${outsider} is listed`,
		);
		for (const job of listed)
			assert.ok(statuses.includes(String(job.status)), `List Jobs: ${JSON.stringify(job)}`);
		const jobs = await emulatorJobs(emulator);
		const mine = jobs.find((j) => j.exportId === exportId);
		assert.ok(mine, 'the emulator does not know the job');
		assert.deepStrictEqual(
			(mine.filter as Record<string, unknown>)?.createdAt,
			range(workflowNode(workflow, 'Create Job').parameters),
			"the job's filter",
		);
		const counters = await emulator.counters();
		for (const key of [
			'POST /bulk/v1/leads/export/:id/enqueue.json',
			'GET /bulk/v1/leads/export/:id/status.json',
			'GET /bulk/v1/leads/export.json',
		]) {
			assert.strictEqual(counters[key], 1, `${key}: ${JSON.stringify(counters)}`);
		}
		report.note(
			`job ${exportId}: ${String(enqueued[0].status)} → ${String(status[0].status)}; List Jobs (${statuses.join(', ')}): ${listed.length} job(s)`,
		);
	});
}

/** The first program ID of a Program Member Export node's Programs (a picker value or an ID). */
function firstProgramId(parameters: Record<string, unknown>): number {
	const entries = (parameters.programs as { program?: Array<{ program?: unknown }> } | undefined)
		?.program;
	const picked = entries?.[0]?.program;
	const value =
		typeof picked === 'object' && picked !== null ? (picked as { value?: unknown }).value : picked;
	const id = Number(value);
	assert.ok(
		Number.isInteger(id) && id > 0,
		`no program ID in ${JSON.stringify(parameters.programs)}`,
	);
	return id;
}

/** A file value and the emulator's stored one: equal text, or the same instant for ISO date-times. */
function sameValue(got: unknown, want: unknown): boolean {
	const a = asStored(got);
	const b = asStored(want);
	if (a === b) return true;
	return (
		a !== null &&
		b !== null &&
		/^\d{4}-\d{2}-\d{2}T/.test(b) &&
		Date.parse(a) === Date.parse(b) &&
		!Number.isNaN(Date.parse(b))
	);
}

async function exportWebinarAttendees(
	{ report, scope, n8n, emulator }: VersionRun,
	workflow: WorkflowFixture,
): Promise<void> {
	const node = workflowNode(workflow, 'Export Webinar Attendees');
	const sheet = workflowNode(workflow, 'Sheet Rows');
	const fields = node.parameters.fields as string[];
	const statuses = node.parameters.statusNames as string[];
	const programId = firstProgramId(node.parameters);
	await emulator.control('POST', 'reset');
	const result = await report.step(scope, 'webinar attendees: execute', async () => {
		const result = await n8n.execute(String(workflow.id));
		assertRan(result, [node.name, sheet.name]);
		return result;
	});
	const records = nodeItems(result.run, node.name).map((item) => item.json);
	const members = await emulatorProgramMembers(emulator, programId);
	const expected = members.filter((m) => statuses.includes(String(m.statusName)));
	await report.step(scope, 'webinar attendees: every member with the status once', async () => {
		noErrorItems(nodeItems(result.run, node.name), node.name);
		assert.ok(
			expected.length >= 10 && expected.length < members.length,
			`program ${programId}: ${expected.length} of ${members.length} members are ${statuses.join('/')}: the check proves less`,
		);
		const ids = records.map((r) => r.leadId);
		assert.ok(
			ids.every((id) => typeof id === 'number'),
			'leadIds are not numbers (typed values)',
		);
		assert.strictEqual(new Set(ids).size, ids.length, 'a member was output twice');
		assert.deepStrictEqual(
			[...ids].sort((a, b) => Number(a) - Number(b)),
			expected.map((m) => Number(m.leadId)),
			`the members of program ${programId} with status ${statuses.join('/')}`,
		);
		const counters = await emulator.counters();
		assert.strictEqual(counters[MEMBER_CREATE], 1, `create calls: ${JSON.stringify(counters)}`);
		const jobs = (await emulatorJobs(emulator)).filter((j) => j.kind === 'program/members');
		assert.deepStrictEqual(
			jobs.map((j) => [j.status, j.filter]),
			[['Completed', { programId, statusNames: statuses }]],
			'the job and the filter Marketo got',
		);
		report.note(
			`${records.length} of the ${members.length} members of program ${programId} (${statuses.join('/')})`,
		);
	});
	await report.step(scope, "webinar attendees: values equal the emulator's", async () => {
		const byLead = new Map(expected.map((m) => [Number(m.leadId), m]));
		// a name both describes know is the membership's; the others are the lead's
		const values = async (leadId: number): Promise<Record<string, unknown>> => {
			const lead = await emulatorLead(emulator, { id: leadId });
			assert.ok(lead, `lead ${leadId} is not in the emulator`);
			return { ...lead, ...byLead.get(leadId) };
		};
		for (const record of records) {
			const truth = await values(record.leadId as number);
			for (const field of fields) {
				assert.ok(
					sameValue(record[field], truth[field]),
					`lead ${String(record.leadId)} ${field}: n8n ${JSON.stringify(record[field])}, Marketo ${JSON.stringify(truth[field])}`,
				);
			}
		}
		// the sheet rows: one per record, in order, each column the emulator's value of its field
		const assignments = (
			sheet.parameters.assignments as {
				assignments: Array<{ name: string; value: string; type: string }>;
			}
		).assignments;
		const columns = assignments.map(({ name, value, type }) => {
			const field = /^=\{\{\s*\$json\.(\w+)\s*\}\}$/.exec(value)?.[1];
			assert.ok(
				field && fields.includes(field),
				`column "${name}" is not an exported field: ${value}`,
			);
			return { name, field, type };
		});
		const rows = nodeItems(result.run, sheet.name);
		noErrorItems(rows, sheet.name);
		assert.strictEqual(rows.length, records.length, 'one sheet row per member');
		for (const [k, row] of rows.entries()) {
			assert.deepStrictEqual(
				Object.keys(row.json),
				columns.map((c) => c.name),
				`row ${k}: the columns`,
			);
			const truth = await values(records[k].leadId as number);
			for (const { name, field, type } of columns) {
				const cell = row.json[name];
				assert.ok(
					sameValue(cell, truth[field]),
					`row ${k} "${name}": ${JSON.stringify(cell)}, Marketo ${field} ${JSON.stringify(truth[field])}`,
				);
				if (type === 'number') assert.strictEqual(typeof cell, 'number', `row ${k} "${name}"`);
			}
		}
		report.note(
			`${rows.length} rows × ${columns.length} columns; first: ${JSON.stringify(rows[0]?.json).slice(0, 240)}`,
		);
	});
}

// ---------------------------------------------------------------------------------------------------------
// Custom objects: export-updated-cars.json and import-course-enrollments.json

const CO_EXPORT_CREATE = 'POST /bulk/v1/customobjects/:id/export/create.json';

/** A custom object's records as the emulator stores them (text or null), by its control API. */
async function emulatorCustomObjects(
	{ emulator }: VersionRun,
	apiName: string,
): Promise<Array<Record<string, string | null>>> {
	return (await emulator.control('GET', `custom-objects?apiName=${apiName}`)) as Array<
		Record<string, string | null>
	>;
}

/** The API name a Custom Object parameter holds (a picker value or the name). */
function customObjectOf(parameters: Record<string, unknown>): string {
	const picked = parameters.customObject;
	const value =
		typeof picked === 'object' && picked !== null ? (picked as { value?: unknown }).value : picked;
	assert.ok(typeof value === 'string' && value, `no custom object in ${JSON.stringify(picked)}`);
	return value;
}

/**
 * Every record of the object updated in the node's range comes out once, each field equal to the emulator's;
 * one job, with the range as Marketo's updatedAt filter.
 */
async function exportUpdatedCars(version: VersionRun, workflow: WorkflowFixture): Promise<void> {
	const { report, scope, n8n, emulator } = version;
	const node = workflowNode(workflow, 'Export Updated Cars');
	const apiName = customObjectOf(node.parameters);
	const fields = node.parameters.fields as string[];
	const window = range(node.parameters);
	await emulator.control('POST', 'reset');
	const result = await report.step(scope, 'updated cars: execute', async () => {
		const result = await n8n.execute(String(workflow.id));
		assertRan(result, [node.name]);
		return result;
	});
	const records = nodeItems(result.run, node.name).map((item) => item.json);
	const all = await emulatorCustomObjects(version, apiName);
	const from = Date.parse(window.startAt);
	const to = Date.parse(window.endAt);
	const expected = all.filter((r) => {
		const at = Date.parse(String(r.updatedAt));
		return at >= from && at <= to;
	});
	await report.step(scope, `updated cars: every ${apiName} updated in the range once`, async () => {
		noErrorItems(nodeItems(result.run, node.name), node.name);
		assert.ok(
			expected.length >= 5 && expected.length < all.length,
			`${expected.length} of ${all.length} ${apiName} records updated in ${JSON.stringify(window)}: the check proves less`,
		);
		const guids = records.map((r) => r.marketoGUID);
		assert.strictEqual(new Set(guids).size, guids.length, 'a record was output twice');
		assert.deepStrictEqual(
			[...guids].sort(),
			expected.map((r) => r.marketoGUID).sort(),
			`the ${apiName} records updated in ${JSON.stringify(window)}`,
		);
		const counters = await emulator.counters();
		assert.strictEqual(counters[CO_EXPORT_CREATE], 1, `create calls: ${JSON.stringify(counters)}`);
		const jobs = (await emulatorJobs(emulator)).filter(
			(j) => j.kind === `customobjects/${apiName}`,
		);
		assert.deepStrictEqual(
			jobs.map((j) => [j.status, j.filter]),
			[['Completed', { updatedAt: window }]],
			'the job and the filter Marketo got',
		);
		report.note(
			`${records.length} of the ${all.length} ${apiName} records, updated ${window.startAt}..${window.endAt}`,
		);
	});
	await report.step(scope, "updated cars: values equal the emulator's", async () => {
		const byGuid = new Map(expected.map((r) => [r.marketoGUID, r]));
		for (const record of records) {
			const truth = byGuid.get(record.marketoGUID as string);
			assert.ok(truth, `record ${String(record.marketoGUID)} is not one of the range`);
			for (const field of fields) {
				assert.ok(
					sameValue(record[field], truth[field]),
					`${String(record.marketoGUID)} ${field}: n8n ${JSON.stringify(record[field])}, Marketo ${JSON.stringify(truth[field])}`,
				);
			}
			for (const field of ['leadID', 'year', 'price'].filter((f) => fields.includes(f)))
				assert.strictEqual(
					typeof record[field],
					'number',
					`${field} is not a number (typed values)`,
				);
		}
		report.note(`all ${records.length} compared on ${fields.length} fields`);
	});
}

/**
 * The Code node's enrolments go into the custom object through Fields to Import: the emulator afterwards
 * holds the new record and the updated one (same marketoGUID, new values), and not the refused row; the
 * node outputs the summary and the refused row paired with the item that produced it.
 */
async function importCourseEnrollments(
	version: VersionRun,
	workflow: WorkflowFixture,
): Promise<void> {
	const { report, scope, n8n, emulator } = version;
	const code = workflowNode(workflow, 'Enrolments from the LMS');
	const node = workflowNode(workflow, 'Import Course Enrollments');
	const apiName = customObjectOf(node.parameters);
	const mapping = (node.parameters.columns as { value: Record<string, string> }).value;
	// the dedupe fields, and which input key each is mapped from ("={{ $json.key }}")
	const dedupe = ['email', 'courseCode', 'term'];
	const sourceKey = (field: string): string => {
		const key = /^=\{\{\s*\$json\.(\w+)\s*\}\}$/.exec(mapping[field] ?? '')?.[1];
		assert.ok(key, `Fields to Import: ${field} is not mapped from an input field`);
		return key;
	};
	await emulator.control('POST', 'reset');
	const before = await emulatorCustomObjects(version, apiName);
	const result = await report.step(scope, 'course enrolments: execute', async () => {
		const result = await n8n.execute(String(workflow.id));
		assertRan(result, [code.name, node.name]);
		return result;
	});
	const input = nodeItems(result.run, code.name).map((item) => item.json);
	const keyOf = (r: Record<string, unknown>) =>
		dedupe.map((f) => String(r[f] ?? '').toLowerCase()).join('|');
	const inputKey = (item: Record<string, unknown>) =>
		dedupe.map((f) => String(item[sourceKey(f)] ?? '').toLowerCase()).join('|');
	const after = await emulatorCustomObjects(version, apiName);
	const existed = (item: Record<string, unknown>) =>
		before.find((r) => keyOf(r) === inputKey(item));
	const stored = (item: Record<string, unknown>) => after.find((r) => keyOf(r) === inputKey(item));
	const failedIndex = await report.step(
		scope,
		'course enrolments: summary + refused row paired to its item',
		async () => {
			assert.strictEqual(input.length, 3, `the Code node output ${input.length} items`);
			const items = nodeItems(result.run, node.name);
			noErrorItems(items, node.name);
			assert.strictEqual(
				items.length,
				2,
				`Import output ${items.length} items: ${JSON.stringify(items.map((i) => i.json)).slice(0, 600)}`,
			);
			const [summary, failed] = items;
			assert.strictEqual(summary.json.type, 'summary');
			assert.strictEqual(summary.json.status, 'Complete', JSON.stringify(summary.json));
			assert.strictEqual(summary.json.customObject, apiName);
			assert.strictEqual(summary.json.rows, 3);
			assert.strictEqual(summary.json.objectsProcessed, 2);
			assert.strictEqual(summary.json.rowsFailed, 1);
			assert.deepStrictEqual(
				pairedIndexes(summary),
				[0, 1, 2],
				'the summary pairs with every item',
			);
			assert.strictEqual(failed.json.type, 'failedRow', JSON.stringify(failed.json));
			const k = failed.json.inputItem as number;
			assert.ok(Number.isInteger(k) && k >= 0 && k < 3, `inputItem ${JSON.stringify(k)}`);
			assert.deepStrictEqual(pairedIndexes(failed), [k], 'the failed row pairs with its item');
			// the refused row is the one whose grade is not a number, and Marketo's reason names its field
			assert.ok(
				Number.isNaN(Number(input[k][sourceKey('score')])),
				`item ${k} has a numeric score: ${JSON.stringify(input[k])}`,
			);
			assert.match(String(failed.json.reason), /Invalid data type in field Score/);
			const imports = (await emulator.control('GET', 'imports')) as Array<Record<string, unknown>>;
			assert.deepStrictEqual(
				imports.map((b) => [b.kind, b.objectApiName, b.status]),
				[['customobjects', apiName, 'Complete']],
				`import batches: ${JSON.stringify(imports).slice(0, 400)}`,
			);
			report.note(`summary: ${JSON.stringify(summary.json).slice(0, 300)}`);
			report.note(`failed: ${JSON.stringify(failed.json).slice(0, 300)}`);
			return k;
		},
	);
	await report.step(scope, "course enrolments: the emulator's records", async () => {
		let created = 0;
		let updated = 0;
		for (const [k, item] of input.entries()) {
			const was = existed(item);
			const now = stored(item);
			if (k === failedIndex) {
				assert.ok(!was, `the refused item ${k} names an existing record: the check proves less`);
				assert.ok(!now, `the refused item ${k} is in the emulator: ${JSON.stringify(now)}`);
				continue;
			}
			assert.ok(now, `item ${k} is not in the emulator after the import: ${JSON.stringify(item)}`);
			for (const [field, expression] of Object.entries(mapping)) {
				const key = /^=\{\{\s*\$json\.(\w+)\s*\}\}$/.exec(expression)?.[1];
				if (!key) continue;
				assert.ok(
					sameValue(item[key], now[field]) ||
						String(item[key]).toLowerCase() === String(now[field]).toLowerCase(),
					`item ${k} ${field}: LMS ${JSON.stringify(item[key])}, Marketo ${JSON.stringify(now[field])}`,
				);
			}
			if (was) {
				updated++;
				assert.strictEqual(now.marketoGUID, was.marketoGUID, `item ${k}: the record kept its GUID`);
				assert.notStrictEqual(
					[was.score, was.completed].join(),
					[now.score, now.completed].join(),
					`item ${k}: the update changed nothing the check could see`,
				);
			} else created++;
		}
		assert.deepStrictEqual({ created, updated }, { created: 1, updated: 1 }, 'created and updated');
		assert.strictEqual(after.length, before.length + 1, 'records: one created');
		report.note(`${apiName}: ${before.length} → ${after.length} records; 1 created, 1 updated`);
	});
}

// ---------------------------------------------------------------------------------------------------------
// Program Member Import: mark-attended-from-emails.json (a block of its own: it reads and imports its
// workflow itself)

const MARK_ATTENDED = 'mark-attended-from-emails.json';

type Member = Record<string, string | null>;

async function programMembers(version: VersionRun, programId: number): Promise<Member[]> {
	return (await version.emulator.control(
		'GET',
		`program-members?programId=${programId}`,
	)) as Member[];
}

/**
 * The Code node's emails go into the webinar program with the status Attended: the summary says so, and
 * the emulator holds every email's lead as a member with that status (a new lead created for the unknown
 * email); the program's other members keep theirs.
 */
async function markAttendedFromEmails(version: VersionRun): Promise<void> {
	const { report, scope, n8n, emulator } = version;
	const workflow = await report.step(scope, 'mark attended: import the example', async () => {
		const workflow = readExampleWorkflow(MARK_ATTENDED);
		assert.deepStrictEqual(
			exampleCredentialRef(workflow),
			exampleCredentialRef(examples.exportLeads),
			`${workflow.name}: credential`,
		);
		await n8n.importWorkflows([workflow]);
		return workflow;
	});
	const code = workflowNode(workflow, 'Attendee Emails');
	const node = workflowNode(workflow, 'Mark as Attended');
	const programId = Number((node.parameters.program as { value: string }).value);
	const status = String(node.parameters.programMemberStatus);
	await emulator.control('POST', 'reset');
	const before = await programMembers(version, programId);
	const startedAt = Date.now();
	const result = await report.step(scope, 'mark attended: execute', async () => {
		const result = await n8n.execute(String(workflow.id));
		assertRan(result, [code.name, node.name]);
		return result;
	});
	const emails = nodeItems(result.run, code.name).map((item) => String(item.json.email));
	await report.step(scope, 'mark attended: the summary', async () => {
		assert.ok(emails.length >= 3, `the Code node output ${emails.length} emails`);
		const items = nodeItems(result.run, node.name);
		noErrorItems(items, node.name);
		assert.strictEqual(
			items.length,
			1,
			`no failed rows expected: ${JSON.stringify(items.map((i) => i.json)).slice(0, 600)}`,
		);
		const [summary] = items;
		assert.strictEqual(summary.json.type, 'summary');
		assert.strictEqual(summary.json.status, 'Complete', JSON.stringify(summary.json));
		assert.strictEqual(summary.json.programId, programId);
		assert.strictEqual(summary.json.programMemberStatus, status);
		assert.strictEqual(summary.json.rows, emails.length);
		assert.strictEqual(summary.json.leadsProcessed, emails.length);
		assert.strictEqual(summary.json.rowsFailed, 0);
		assert.deepStrictEqual(
			pairedIndexes(summary),
			emails.map((_, k) => k),
			'the summary pairs with every input item',
		);
		const imports = (await emulator.control('GET', 'imports')) as Array<Record<string, unknown>>;
		assert.deepStrictEqual(
			imports.map((b) => [b.kind, b.programId, b.programMemberStatus, b.status]),
			[['program/members', programId, status, 'Complete']],
			`import batches: ${JSON.stringify(imports).slice(0, 400)}`,
		);
		report.note(`summary: ${JSON.stringify(summary.json).slice(0, 300)}`);
	});
	await report.step(scope, "mark attended: the emulator's members have the status", async () => {
		const after = await programMembers(version, programId);
		const byLead = (members: Member[], id: unknown) => members.find((m) => m.leadId === String(id));
		const leadIds: string[] = [];
		let created = 0;
		let changed = 0;
		let moved = 0;
		for (const email of emails) {
			const lead = await emulatorLead(emulator, { email });
			assert.ok(lead, `${email} is not a lead in the emulator after the import`);
			leadIds.push(String(lead.id));
			if (Date.parse(String(lead.createdAt)) >= startedAt - 60_000) created++;
			const member = byLead(after, lead.id);
			assert.ok(member, `${email} (lead ${String(lead.id)}) is not a member of ${programId}`);
			assert.strictEqual(member.statusName, status, `${email}: status`);
			const was = byLead(before, lead.id)?.statusName;
			if (was !== status) changed++;
			if (was && was !== status) moved++;
		}
		assert.ok(created >= 1, 'no email made a new lead: the check proves less');
		assert.ok(moved >= 1, 'no email was a member with another status: the check proves less');
		assert.ok(changed >= 2, `only ${changed} email(s) changed status: the check proves less`);
		const joined = leadIds.filter((id) => !byLead(before, id)).length;
		assert.strictEqual(after.length, before.length + joined, 'members added');
		for (const member of before) {
			if (leadIds.includes(String(member.leadId))) continue;
			assert.strictEqual(
				byLead(after, member.leadId)?.statusName,
				member.statusName,
				`lead ${String(member.leadId)} was not imported, yet its status changed`,
			);
		}
		report.note(
			`${emails.length} emails → ${status} in ${programId}: ${created} new lead(s), ${joined} new member(s), ${changed} status change(s)`,
		);
	});
}

// ---------------------------------------------------------------------------------------------------------

let examples: Examples;

async function checks(version: VersionRun): Promise<void> {
	const { report, scope, n8n: instance, emulator } = version;
	await report.step(scope, 'import credential + example workflows', async () => {
		const ref = exampleCredentialRef(examples.exportLeads);
		for (const workflow of Object.values(examples)) {
			assert.deepStrictEqual(exampleCredentialRef(workflow), ref, `${workflow.name}: credential`);
		}
		await instance.importCredentials([emulatorCredential(emulator, ref)]);
		await instance.importWorkflows(Object.values(examples));
	});
	const cases: Array<[keyof Examples, typeof exportLeadsToRecords]> = [
		['exportLeads', exportLeadsToRecords],
		['exportActivities', exportActivitiesToFile],
		['importLeads', importLeadsFromItems],
		['jobSteps', exportJobSteps],
		['webinarAttendees', exportWebinarAttendees],
		['updatedCars', exportUpdatedCars],
		['courseEnrollments', importCourseEnrollments],
	];
	// a failed example does not stop the others
	for (const [key, run] of cases) {
		await report.scope(scope, () => run(version, examples[key]));
	}
	await report.scope(scope, () => markAttendedFromEmails(version));
}

runSuite({
	setup: async (report) => {
		examples = await report.step('setup', 'read examples/', () => loadExamples());
	},
	n8nOptions: { logLevel: 'info' },
	checks,
});
