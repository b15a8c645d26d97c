/**
 * The fault matrix, inside a REAL n8n for each supported version (n8n 1.x on Node 20, 2.x on Node 24): each
 * fault Marketo (or the network in between) can produce, injected by the emulator at each step of Export
 * (Records and File output) and Import (from Input Items, and a few cells from a Binary File), while n8n
 * runs the operation. Each cell ends in one of:
 *
 * - recovered: the run succeeded and its data is exactly what a run without the fault returned (the same
 *   lead ids for an export; for an import, every row in Marketo once and the summary's counts right, and
 *   for the failures/warnings steps exactly the refused and warned rows, paired with their input items);
 * - error: the run failed with a message that names the cause (each cell says which words it expects);
 * - MISMATCH: the run reported success with data that differs. Never allowed.
 *
 * Each operation runs as a workflow behind a Webhook node (Respond: when the last node finishes), so n8n
 * starts once per version and a cell costs one HTTP call plus the operation itself. The Marketo node has
 * Continue On Fail on: its error comes back as an item with the message n8n would show.
 * The emulator runs with a high rate limit so that only the injected 606/615 answers count.
 *
 * Prints the table per version and the counts; `RELIABILITY_DOC=docs/reliability.md` also rewrites that
 * file's table section from the run.
 *
 *   npx ts-node --transpile-only test/e2e/faults.e2e.ts
 *   N8N_E2E_VERSIONS=1 E2E_FAULT_CELLS=status E2E_KEEP=1 npx ts-node --transpile-only test/e2e/faults.e2e.ts
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import { emulatorCount, emulatorLead, type EmulatorProcess } from '../harness/emulator';
import type { N8n } from '../harness/n8n';
import { sleep } from '../harness/processes';
import type { WorkflowFixture } from '../harness/workflows';
import { replaceSection } from '../helpers/docSection';
import { StepFailure } from '../harness/report';
import { emulatorCredential, runSuite, type VersionRun } from '../harness/suite';

const PACKAGE = 'n8n-nodes-marketo-bulk';
const CREDENTIAL = { id: 'faultMatrixCred1', name: 'Marketo (fault matrix)' };
const WINDOW = { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-11T00:00:00Z' };
/** What Marketo's filter gets for that window: End is exclusive in the node, inclusive at Marketo. */
const MARKETO_WINDOW = { startAt: WINDOW.startAt, endAt: '2026-03-10T23:59:59Z' };
const IMPORT_ROWS = 20;

type Op = 'exportRecords' | 'exportFile' | 'import' | 'importFile';
const OPS: Op[] = ['exportRecords', 'exportFile', 'import', 'importFile'];
const OP_LABEL: Record<Op, string> = {
	exportRecords: 'Export › Records',
	exportFile: 'Export › File',
	import: 'Import (items)',
	importFile: 'Import (binary file)',
};
const isImport = (op: Op) => op === 'import' || op === 'importFile';

// ---------------------------------------------------------------------------------------------------------
// The workflows: Webhook → operation (→ a Code node that hands the File output's binary ids back)

function webhookNode(op: Op) {
	return {
		id: `fm-${op}-webhook`,
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: `0f3a1c2e-7d4b-4e8a-9c6f-00000000000${OPS.indexOf(op) + 1}`,
		parameters: {
			httpMethod: 'POST',
			path: `fault-matrix-${op}`,
			responseMode: 'lastNode',
			responseData: 'allEntries',
			options: {},
		},
	};
}

const MARKETO_OPTIONS = { pollIntervalSeconds: 1, timeoutMinutes: 3 };

function marketoNode(op: Op) {
	const parameters = isImport(op)
		? {
				resource: 'leadImport',
				operation: 'import',
				...(op === 'import'
					? { source: 'items', columns: { mappingMode: 'autoMapInputData', value: null } }
					: { source: 'binary', binaryPropertyName: 'data' }),
				lookupField: 'email',
				output: 'failedAndWarnings',
				options: MARKETO_OPTIONS,
			}
		: {
				resource: 'leadExport',
				operation: 'export',
				fields: ['id', 'email', 'createdAt'],
				filterType: 'createdAt',
				...WINDOW,
				format: 'CSV',
				output: op === 'exportFile' ? 'file' : 'records',
				options:
					op === 'exportFile'
						? { ...MARKETO_OPTIONS, binaryPropertyName: 'data' }
						: MARKETO_OPTIONS,
			};
	return {
		id: `fm-${op}-marketo`,
		name: 'Marketo',
		type: `${PACKAGE}.marketoBulk`,
		typeVersion: 1,
		position: [240, 0],
		onError: 'continueRegularOutput',
		parameters,
		credentials: { marketoApi: CREDENTIAL },
	};
}

/**
 * Import input: IMPORT_ROWS new leads whose emails carry the cell's name. With `issues`, every row has a
 * Lead Score and some rows are wrong: an email Marketo refuses (failed rows, not imported) and a score
 * that is not a number (a warning, the row imported without it), so the import has failures and warnings
 * files to read.
 */
const FAILED_ROWS = [4, 13];
const WARNING_ROWS = [9];
const IMPORT_ITEMS_CODE = `const { cell, issues } = $input.first().json.body;
return Array.from({ length: ${IMPORT_ROWS} }, (_, i) => {
  const json = { email: 'fm-' + cell + '-' + i + '@example.com', firstName: 'Fault', lastName: 'Row ' + i };
  if (issues) {
    json.leadScore = ${JSON.stringify(WARNING_ROWS)}.includes(i) ? 'lots' : i;
    if (${JSON.stringify(FAILED_ROWS)}.includes(i)) json.email = 'fm-' + cell + '-' + i + '.example.com';
  }
  return { json };
});`;

/** File output: the binary data's id (where n8n stored the file) into the JSON the webhook answers with. */
const BINARY_IDS_CODE = `return $input.all().map((item) => ({
  json: { ...item.json, binaryId: item.binary && item.binary.data ? item.binary.data.id : null },
}));`;

function codeNode(name: string, jsCode: string, x: number) {
	return {
		id: `fm-code-${name.toLowerCase().replace(/\W+/g, '-')}`,
		name,
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [x, 0],
		parameters: { jsCode },
	};
}

/** Binary File source: the same rows as a CSV file. */
const TO_CSV = {
	id: 'fm-to-csv',
	name: 'To CSV',
	type: 'n8n-nodes-base.convertToFile',
	typeVersion: 1.1,
	position: [180, 0],
	parameters: { operation: 'csv', options: { fileName: 'leads.csv' } },
};

function matrixWorkflow(op: Op): WorkflowFixture {
	const chain =
		op === 'import'
			? [webhookNode(op), codeNode('Rows', IMPORT_ITEMS_CODE, 120), marketoNode(op)]
			: op === 'importFile'
				? [webhookNode(op), codeNode('Rows', IMPORT_ITEMS_CODE, 120), TO_CSV, marketoNode(op)]
				: op === 'exportFile'
					? [webhookNode(op), marketoNode(op), codeNode('Binary Ids', BINARY_IDS_CODE, 480)]
					: [webhookNode(op), marketoNode(op)];
	const connections: Record<string, unknown> = {};
	for (let k = 0; k + 1 < chain.length; k++)
		connections[chain[k].name] = { main: [[{ node: chain[k + 1].name, type: 'main', index: 0 }]] };
	return {
		id: `faultMatrix${op[0].toUpperCase()}${op.slice(1)}`,
		name: `Fault matrix: ${OP_LABEL[op]}`,
		nodes: chain,
		connections,
		settings: { executionOrder: 'v1' },
	};
}

// ---------------------------------------------------------------------------------------------------------
// The cells

interface Cell {
	op: Op;
	step: string;
	fault: string;
	arm: (emulator: EmulatorProcess) => Promise<unknown>;
	/** 'recovered', or the words the error message must contain. */
	expect: 'recovered' | RegExp;
	/** Recovered, and the output must carry a warning with these words (`_marketoBulk.note`). */
	warns?: RegExp;
	/** Import: the input has failed and warned rows (FAILED_ROWS, WARNING_ROWS), read back and paired. */
	issues?: boolean;
}

const failNext =
	(match: string, failure: Record<string, unknown>, count = 1) =>
	(e: EmulatorProcess) =>
		e.control('POST', 'faults', {
			// n8n keeps the token it has: a token call happens only once Marketo refuses that one
			...(match === TOKEN_REQUEST ? { invalidateAllTokens: true } : {}),
			failNext: { match, count, failure },
		});
const faults = (body: Record<string, unknown>) => (e: EmulatorProcess) =>
	e.control('POST', 'faults', body);

/** The request each step makes, as the emulator's fault matcher reads it ('METHOD path', ids as ':id'). */
const TOKEN_REQUEST = 'GET /identity/oauth/token';
const EXPORT_STEPS: Record<string, string> = {
	token: TOKEN_REQUEST,
	create: 'POST /bulk/v1/leads/export/create.json',
	enqueue: 'POST /bulk/v1/leads/export/:id/enqueue.json',
	status: 'GET /bulk/v1/leads/export/:id/status.json',
	file: 'GET /bulk/v1/leads/export/:id/file.json',
};
const IMPORT_STEPS: Record<string, string> = {
	token: TOKEN_REQUEST,
	upload: 'POST /bulk/v1/leads.json',
	'batch status': 'GET /bulk/v1/leads/batch/:id.json',
};
/** The failures and warnings files, read once the batch is Complete (only when it has such rows). */
const ISSUE_STEPS: Record<string, string> = {
	failures: 'GET /bulk/v1/leads/batch/:id/failures.json',
	warnings: 'GET /bulk/v1/leads/batch/:id/warnings.json',
};

/** Faults any call can meet, and whether the run must recover from them there. */
const REQUEST_FAULTS: Array<{ fault: string; failure: Record<string, unknown> }> = [
	{ fault: 'connection reset before response', failure: { reset: true } },
	{ fault: 'HTTP 502', failure: { httpStatus: 502 } },
	{ fault: 'HTTP 503', failure: { httpStatus: 503 } },
	{ fault: '601 token invalid', failure: { code: '601', message: 'Access token invalid' } },
	{ fault: '602 token expired', failure: { code: '602', message: 'Access token expired' } },
	{ fault: '604 request timed out', failure: { code: '604', message: 'Request timed out' } },
	{ fault: '606 rate limit', failure: { code: '606', message: 'Max rate limit 100 exceeded' } },
	{
		fault: '608 API temporarily unavailable',
		failure: { code: '608', message: 'API Temporarily Unavailable' },
	},
	{ fault: '611 system error', failure: { code: '611', message: 'System error' } },
	{
		fault: '615 concurrent limit',
		failure: { code: '615', message: 'Concurrent access limit reached' },
	},
];

/** An upload that may have reached Marketo is never sent twice: these surface instead of recovering. */
const AMBIGUOUS_UPLOAD = /may or may not|not sure|unknown|accepted/i;

function cells(): Cell[] {
	const out: Cell[] = [];
	for (const op of ['exportRecords', 'exportFile'] as const) {
		for (const [step, request] of Object.entries(EXPORT_STEPS)) {
			for (const { fault, failure } of REQUEST_FAULTS) {
				// the token endpoint answers OAuth, not Marketo's envelope: only transport faults apply there
				if (step === 'token' && failure.code) continue;
				out.push({ op, step, fault, arm: failNext(request, failure), expect: 'recovered' });
			}
		}
		out.push(
			{
				op,
				step: 'create',
				fault: '1029 export queue full',
				arm: failNext(EXPORT_STEPS.create, {
					code: '1029',
					message: 'Too many jobs (10) in queue',
				}),
				expect: 'recovered',
			},
			{
				op,
				step: 'enqueue',
				fault: '1029 export queue full',
				arm: failNext(EXPORT_STEPS.enqueue, {
					code: '1029',
					message: 'Too many jobs (10) in queue',
				}),
				expect: 'recovered',
			},
			{
				op,
				step: 'create',
				fault: '1029 daily quota',
				arm: failNext(EXPORT_STEPS.create, {
					code: '1029',
					message: 'Export daily quota 500MB exceeded',
				}),
				expect: /quota/i,
			},
			{
				op,
				step: 'status',
				fault: 'job Failed',
				arm: faults({ failNextJob: 'Export failed due to an internal error' }),
				expect: /fail/i,
			},
			{
				op,
				step: 'status',
				fault: 'job cancelled by someone else, spelled Canceled',
				arm: faults({ cancelNextJob: 'Canceled' }),
				expect: /cancel/i,
			},
			{
				op,
				step: 'status',
				fault: 'job cancelled by someone else, spelled Cancelled',
				arm: faults({ cancelNextJob: 'Cancelled' }),
				expect: /cancel/i,
			},
			{
				op,
				step: 'file',
				fault: 'numberOfRecords differs from the file',
				arm: faults({ miscountNextJob: 1 }),
				// Records are counted as they are decoded; a File is passed on as verified, rows uncounted
				expect: 'recovered',
				...(op === 'exportRecords' ? { warns: /Marketo reported \d+ records/ } : {}),
			},
			{
				op,
				step: 'file',
				fault: 'connection reset mid-body',
				arm: faults({ dropFileAfterBytes: 300 }),
				expect: 'recovered',
			},
			{
				op,
				step: 'file',
				fault: 'checksum mismatch',
				arm: faults({ corruptNextChecksum: true }),
				expect: /checksum|sha-?256/i,
			},
			// The body ends early but cleanly: no connection error, only fewer bytes than fileSize
			{
				op,
				step: 'file',
				fault: 'truncated file, ends cleanly (chunked)',
				arm: faults({ truncateFileAfterBytes: { bytes: 300 } }),
				expect: 'recovered',
			},
			{
				op,
				step: 'file',
				fault: 'truncated file, ends cleanly (short Content-Length)',
				arm: faults({ truncateFileAfterBytes: { bytes: 300, contentLength: true } }),
				expect: 'recovered',
			},
			{
				op,
				step: 'file',
				fault: 'truncated file, every download and resume',
				// the first download and the 10 resumes the client allows itself
				arm: faults({ truncateFileAfterBytes: { bytes: 10, times: 11, contentLength: true } }),
				expect: /broke off 10 times.*No data was output/i,
			},
		);
	}
	for (const [step, request] of Object.entries(IMPORT_STEPS)) {
		for (const { fault, failure } of REQUEST_FAULTS) {
			if (step === 'token' && failure.code) continue;
			// after an upload was sent, only Marketo's envelope proves it was refused: HTTP 502 and a
			// dropped connection leave it open, and the run says so instead of sending the rows twice
			const ambiguous = step === 'upload' && (failure.reset || failure.httpStatus === 502);
			out.push({
				op: 'import',
				step,
				fault,
				arm: failNext(request, failure),
				expect: ambiguous ? AMBIGUOUS_UPLOAD : 'recovered',
			});
		}
	}
	// The failures and warnings files: every row Marketo refused or warned about comes back paired with
	// the input item that produced it, whatever the call to read it met first.
	for (const [step, request] of Object.entries(ISSUE_STEPS)) {
		for (const { fault, failure } of REQUEST_FAULTS) {
			out.push({
				op: 'import',
				step,
				fault,
				arm: failNext(request, failure),
				expect: 'recovered',
				issues: true,
			});
		}
	}
	// Binary File source: the upload re-reads the file for a retry, a dropped upload is not sent twice.
	out.push(
		{
			op: 'importFile',
			step: 'upload',
			fault: 'connection reset before response',
			arm: failNext(IMPORT_STEPS.upload, { reset: true }),
			expect: AMBIGUOUS_UPLOAD,
		},
		{
			op: 'importFile',
			step: 'upload',
			fault: '601 token invalid',
			arm: failNext(IMPORT_STEPS.upload, { code: '601', message: 'Access token invalid' }),
			expect: 'recovered',
		},
		{
			op: 'importFile',
			step: 'upload',
			fault: '606 rate limit',
			arm: failNext(IMPORT_STEPS.upload, { code: '606', message: 'Max rate limit 100 exceeded' }),
			expect: 'recovered',
		},
		{
			op: 'importFile',
			step: 'batch status',
			fault: '604 request timed out',
			arm: failNext(IMPORT_STEPS['batch status'], { code: '604', message: 'Request timed out' }),
			expect: 'recovered',
		},
	);
	// A request that never answers, or a body that stops arriving, ends at the call's own time limit (45 s
	// for a call, 60 s of silence in a file) and is retried: one cell each, they take a minute.
	out.push(
		{
			op: 'exportRecords',
			step: 'status',
			fault: 'hang: no answer',
			arm: failNext(EXPORT_STEPS.status, { hang: true }),
			expect: 'recovered',
		},
		{
			op: 'exportFile',
			step: 'file',
			fault: 'hang: body stops arriving',
			arm: failNext(EXPORT_STEPS.file, { stallAfterBytes: 200 }),
			expect: 'recovered',
		},
		{
			op: 'import',
			step: 'batch status',
			fault: 'hang: no answer',
			arm: failNext(IMPORT_STEPS['batch status'], { hang: true }),
			expect: 'recovered',
		},
	);
	out.push({
		op: 'import',
		step: 'upload',
		fault: '1016 import queue full',
		arm: failNext(IMPORT_STEPS.upload, { code: '1016', message: 'Too many imports' }),
		expect: 'recovered',
	});
	// E2E_FAULT_CELLS: only the cells whose 'op step fault' contains one of these ('|'-separated)
	const only = process.env.E2E_FAULT_CELLS?.split('|');
	return only
		? out.filter((c) => only.some((o) => `${c.op} ${c.step} ${c.fault}`.includes(o)))
		: out;
}

// ---------------------------------------------------------------------------------------------------------
// Running a cell

type Outcome = { result: 'recovered' | 'error' | 'MISMATCH'; detail: string; warning?: string };

async function callWebhook(
	n8n: N8n,
	op: Op,
	body: unknown,
): Promise<{ status: number; items: unknown }> {
	const response = await fetch(`${n8n.baseUrl}/webhook/fault-matrix-${op}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(5 * 60_000),
	});
	const text = await response.text();
	let items: unknown = text;
	try {
		items = JSON.parse(text);
	} catch {
		// not JSON: kept as text for the message
	}
	return { status: response.status, items };
}

function errorOf(status: number, items: unknown): string | undefined {
	if (status !== 200) return `HTTP ${status}: ${JSON.stringify(items).slice(0, 300)}`;
	const list = Array.isArray(items) ? items : [items];
	// Continue On Fail: { error, description } (this package), or { error: { message, description } }
	const failed = list.find((item) => item && typeof item === 'object' && 'error' in item) as
		| { error: unknown; description?: string }
		| undefined;
	if (!failed) return undefined;
	const error = (
		typeof failed.error === 'string'
			? { message: failed.error, description: failed.description }
			: failed.error
	) as { message?: string; description?: string };
	return `${error.message ?? ''}${error.description ? ` — ${error.description}` : ''}`;
}

function idsOfCsv(text: string): string[] {
	const [header, ...rows] = text.split(/\r?\n/).filter((line) => line !== '');
	const column = header.split(',').indexOf('id');
	return rows.map((row) => row.split(',')[column]);
}

async function exportedIds(n8n: N8n, op: Op, items: unknown[]): Promise<string[]> {
	if (op === 'exportRecords') return items.map((item) => String((item as { id: unknown }).id));
	const ids: string[] = [];
	for (const item of items as Array<{ binaryId?: string }>) {
		assert.ok(
			item.binaryId,
			`a File item without binary data: ${JSON.stringify(item).slice(0, 200)}`,
		);
		ids.push(...idsOfCsv(fs.readFileSync(n8n.binaryDataPath(item.binaryId), 'utf8')));
	}
	return ids;
}

interface IssueItem {
	type?: string;
	inputItem?: number;
	reason?: string;
	match?: string;
}

/** The failed and warned rows an `issues` input must come back with, in the order Import outputs them. */
const EXPECTED_ISSUES = [
	...FAILED_ROWS.map((row) => ({ type: 'failedRow', row, reason: /Invalid email/ })),
	...WARNING_ROWS.map((row) => ({ type: 'warningRow', row, reason: /Invalid value 'lots'/ })),
];

async function judgeImport(
	emulator: EmulatorProcess,
	cell: string,
	items: unknown[],
	issues: boolean,
): Promise<string> {
	const summary = items[0] as {
		batches?: unknown[];
		rowsFailed?: number;
		rowsWithWarning?: number;
	};
	const problems: string[] = [];
	for (let i = 0; i < IMPORT_ROWS; i++) {
		if (issues && FAILED_ROWS.includes(i)) continue;
		const email = `fm-${cell}-${i}@example.com`;
		if (!(await emulatorLead(emulator, { email }))) problems.push(`${email} not in Marketo`);
	}
	const imports = (await emulator.control('GET', 'imports')) as Array<{ batchId: string }>;
	const batches = summary.batches?.length ?? 0;
	const received = imports.length;
	if (received !== batches)
		problems.push(`Marketo received ${received} upload(s), the summary reports ${batches}`);
	const rows = items.slice(1) as IssueItem[];
	if (!issues) {
		if (rows.length) problems.push(`${rows.length} failed/warned row item(s)`);
		return problems.join('; ');
	}
	if (summary.rowsFailed !== FAILED_ROWS.length || summary.rowsWithWarning !== WARNING_ROWS.length)
		problems.push(
			`the summary reports ${summary.rowsFailed} failed and ${summary.rowsWithWarning} warned rows`,
		);
	const got = rows.map((r) => `${r.type} ${r.inputItem} (${r.match})`).join(', ');
	const want = EXPECTED_ISSUES.map((e) => `${e.type} ${e.row} (exact)`).join(', ');
	if (got !== want) problems.push(`rows out: ${got || 'none'}; expected: ${want}`);
	else
		EXPECTED_ISSUES.forEach((e, k) => {
			if (!e.reason.test(rows[k].reason ?? ''))
				problems.push(`${e.type} ${e.row}: reason ${JSON.stringify(rows[k].reason)}`);
		});
	return problems.join('; ');
}

async function runCell(
	n8n: N8n,
	emulator: EmulatorProcess,
	cell: Cell,
	index: number,
	baseline: Record<Op, string[]>,
): Promise<Outcome> {
	await emulator.control('POST', 'reset');
	await cell.arm(emulator);
	const name = `c${index}`;
	const { status, items } = await callWebhook(n8n, cell.op, {
		cell: name,
		...(cell.issues ? { issues: true } : {}),
	});
	// a fault that met no request proves nothing: the cell fails instead of passing as "recovered"
	const { pending } = (await emulator.control('GET', 'faults')) as { pending: number };
	assert.strictEqual(pending, 0, `the ${cell.fault} fault armed for ${cell.step} never fired`);
	const error = errorOf(status, items);
	if (error) return { result: 'error', detail: error };
	const list = items as unknown[];
	if (isImport(cell.op)) {
		// the import completed, its failed/warned rows could not be read: said on the summary
		const issuesError = (list[0] as { issuesError?: string } | undefined)?.issuesError;
		if (issuesError) return { result: 'error', detail: issuesError };
		const problem = await judgeImport(emulator, name, list, !!cell.issues);
		return problem ? { result: 'MISMATCH', detail: problem } : { result: 'recovered', detail: '' };
	}
	const warning = (
		list as Array<{ _marketoBulk?: { note?: string; recordCountMismatch?: boolean } }>
	)
		.map((item) => item._marketoBulk)
		.find((meta) => meta?.recordCountMismatch)?.note;
	const ids = (await exportedIds(n8n, cell.op, list)).sort();
	const expected = baseline[cell.op];
	if (ids.length !== expected.length || ids.some((id, k) => id !== expected[k])) {
		return {
			result: 'MISMATCH',
			detail: `${ids.length} records, expected ${expected.length} (${new Set(ids).size} distinct)`,
		};
	}
	return { result: 'recovered', detail: warning ?? `${ids.length} records`, warning };
}

// ---------------------------------------------------------------------------------------------------------

interface Row {
	version: string;
	cell: Cell;
	outcome: Outcome;
	ok: boolean;
}
const rows: Row[] = [];

async function matrix({ report, scope, version, n8n, emulator: e }: VersionRun): Promise<void> {
	await report.step(scope, 'import credential + workflows, start n8n', async () => {
		await n8n.importCredentials([emulatorCredential(e, CREDENTIAL)]);
		await n8n.importWorkflows(OPS.map(matrixWorkflow));
		await n8n.start();
		await n8n.setupOwner();
		for (const op of OPS) await n8n.activateWorkflow(matrixWorkflow(op).id!);
		// n8n 2.x registers webhooks in the background after the activate call returns. A GET to a POST
		// webhook answers 404 both ways, but names the method it expects once the webhook is registered.
		for (const op of OPS) {
			const deadline = Date.now() + 60_000;
			for (;;) {
				const probe = await fetch(`${n8n.baseUrl}/webhook/fault-matrix-${op}`);
				if (probe.status !== 404 || /POST/.test(await probe.text())) break;
				if (Date.now() > deadline) throw new Error(`webhook fault-matrix-${op} never registered`);
				await sleep(500);
			}
		}
	});
	const baseline = {} as Record<Op, string[]>;
	await report.step(scope, 'baseline runs without faults', async () => {
		await e.control('POST', 'reset');
		const truth = await emulatorCount(e, 'leads', { createdAt: MARKETO_WINDOW });
		for (const op of ['exportRecords', 'exportFile'] as const) {
			const { status, items } = await callWebhook(n8n, op, { cell: 'baseline' });
			const error = errorOf(status, items);
			assert.ok(!error, `${OP_LABEL[op]} failed without a fault: ${error}`);
			baseline[op] = (await exportedIds(n8n, op, items as unknown[])).sort();
			assert.strictEqual(baseline[op].length, truth, `${OP_LABEL[op]}: records vs the emulator`);
		}
		report.note(`baseline: ${truth} leads in ${WINDOW.startAt} .. ${WINDOW.endAt}`);
	});
	const all = cells();
	for (let k = 0; k < all.length; k++) {
		const cell = all[k];
		const label = `${OP_LABEL[cell.op]} › ${cell.step} › ${cell.fault}`;
		await report
			.step(scope, label, async () => {
				const outcome = await runCell(n8n, e, cell, k, baseline);
				const ok =
					outcome.result !== 'MISMATCH' &&
					(cell.expect === 'recovered'
						? outcome.result === 'recovered' &&
							(cell.warns ? cell.warns.test(outcome.warning ?? '') : !outcome.warning)
						: outcome.result === 'error' && cell.expect.test(outcome.detail));
				rows.push({ version, cell, outcome, ok });
				assert.ok(
					ok,
					`${outcome.result}${outcome.detail ? `: ${outcome.detail}` : ''} (expected ${cell.expect === 'recovered' ? 'recovered' : `an error matching ${cell.expect}`})`,
				);
			})
			// a cell that is not as expected is reported; the next cell still runs
			.catch((error) => {
				if (!(error instanceof StepFailure)) throw error;
			});
	}
	const searched = await report.step(scope, 'no secret in what n8n stored or logged', () =>
		noSecretsStored(n8n, e),
	);
	report.note(searched);
}

/** Every file under `dir`, except the folders named in `skip` (relative to `dir`). */
function filesUnder(dir: string, skip: string[], base = dir): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (skip.includes(path.relative(base, full))) return [];
		if (entry.isDirectory()) return filesUnder(full, skip, base);
		return entry.isFile() ? [full] : [];
	});
}

/**
 * After the matrix (every error path included): the client secret and every access token the emulator
 * issued, searched for in everything n8n stored and logged: its database (execution data, error messages),
 * binary data, logs and its console output. Left out: the test's own input files and the package itself.
 */
async function noSecretsStored(n8n: N8n, e: EmulatorProcess): Promise<string> {
	await n8n.stop();
	const { issued } = (await e.control('GET', 'tokens')) as { issued: string[] };
	assert.ok(issued.length > 0, 'the emulator issued no token: nothing was checked');
	const secrets = [e.clientSecret, ...issued];
	const files = filesUnder(n8n.folder.root, ['e2e-input', path.join('.n8n', 'nodes')]);
	const found: string[] = [];
	for (const [where, bytes] of [
		['n8n console output', Buffer.from(n8n.log)] as const,
		...files.map((file) => [path.relative(n8n.folder.root, file), fs.readFileSync(file)] as const),
	]) {
		for (const secret of secrets) {
			if (bytes.includes(secret))
				found.push(
					`${where} holds ${secret === e.clientSecret ? 'the client secret' : 'an access token'}`,
				);
		}
	}
	assert.deepStrictEqual(found, []);
	return `${secrets.length} secrets (client secret + ${issued.length} tokens) searched in ${files.length} files and the console output`;
}

function table(): string {
	const versions = [...new Set(rows.map((r) => r.version))];
	const keyOf = (c: Cell) => `${OP_LABEL[c.op]} | ${c.step} | ${c.fault}`;
	const keys = [...new Set(rows.map((r) => keyOf(r.cell)))];
	const lines = [
		`| Operation | Step | Fault | ${versions.map((v) => `n8n ${v}`).join(' | ')} |`,
		`|---|---|---|${versions.map(() => '---|').join('')}`,
	];
	for (const key of keys) {
		const cellsOfKey = versions.map((v) => {
			const row = rows.find((r) => r.version === v && keyOf(r.cell) === key);
			if (!row) return '—';
			const text =
				row.outcome.result === 'error'
					? `error: ${row.outcome.detail.slice(0, 90)}`
					: row.outcome.result;
			return `${row.ok ? '' : '**FAIL** '}${text.replace(/\|/g, '/').replace(/\s+/g, ' ')}`;
		});
		lines.push(`| ${key} | ${cellsOfKey.join(' | ')} |`);
	}
	const count = (result: Outcome['result']) =>
		rows.filter((r) => r.outcome.result === result).length;
	lines.push(
		'',
		`Faults injected: ${rows.length}; recovered: ${count('recovered')}; surfaced as errors: ${count('error')}; data mismatches: ${count('MISMATCH')}; cells not as expected: ${rows.filter((r) => !r.ok).length}.`,
	);
	return lines.join('\n');
}

runSuite({
	emulatorArgs: ['--rate-limit', '10000/20', '--processing-ms', '200'],
	checks: matrix,
	finish: (report) => {
		const text = table();
		process.stdout.write(`\n${text}\n\n`);
		if (process.env.RELIABILITY_DOC)
			replaceSection(process.env.RELIABILITY_DOC, 'fault-matrix', text);
		report.note(`fault matrix: ${rows.length} cells`);
	},
});
