/**
 * The fault matrix, inside a REAL n8n for each supported version (n8n 1.x on Node 20, 2.x on Node 24): each
 * fault Marketo (or the network in between) can produce, injected by the emulator at each step of Export
 * (Records and File output), Import (from Input Items, and a few cells from a Binary File), the one-step Get
 * Failures / Get Warnings, and the trigger's polls (Records and File output), while n8n runs them. Each
 * cell ends in one of:
 *
 * - recovered: the run succeeded and its data is exactly what a run without the fault returned (the same
 *   lead ids for an export; for an import, every row in Marketo once and the summary's counts right, and
 *   for the failures/warnings steps exactly the refused and warned rows, paired with their input items;
 *   for the trigger, every lead of its period emitted once over all its executions);
 * - error: the run failed with a message that names the cause (each cell says which words it expects);
 * - MISMATCH: the run reported success with data that differs. Never allowed.
 *
 * Each operation runs as a workflow behind a Webhook node (Respond: when the last node finishes), so n8n
 * starts once per version and a cell costs one HTTP call plus the operation itself. The Marketo node has
 * Continue On Fail on: its error comes back as an item with the message n8n would show.
 * The emulator runs with a high rate limit so that only the injected 606/615 answers count. Cells that wait
 * out a call's time limit (hangs) and the trigger's cells (n8n polls once a minute) run at once, each a
 * workflow of its own against a Marketo instance of its own (one emulator process serves them all).
 *
 * Prints two tables (the trigger's, the others'), a column per version, with the counts;
 * `RELIABILITY_DOC=docs/reliability.md` also rewrites that file's table sections from the run.
 *
 *   npx ts-node --transpile-only test/e2e/faults.e2e.ts
 *   N8N_E2E_VERSIONS=1 E2E_FAULT_CELLS=status E2E_KEEP=1 npx ts-node --transpile-only test/e2e/faults.e2e.ts
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

import {
	emulatorCount,
	emulatorLead,
	startEmulatorInstances,
	type EmulatorProcess,
} from '../harness/emulator';
import type { N8n } from '../harness/n8n';
import { sleep } from '../harness/processes';
import type { WorkflowFixture } from '../harness/workflows';
import { replaceSection } from '../helpers/docSection';
import { StepFailure } from '../harness/report';
import { emulatorCredential, runSuite, type VersionRun } from '../harness/suite';
import { emissions } from '../harness/trigger';

const PACKAGE = 'n8n-nodes-marketo-bulk';
const CREDENTIAL = { id: 'faultMatrixCred1', name: 'Marketo (fault matrix)' };
const WINDOW = { startAt: '2026-03-01T00:00:00Z', endAt: '2026-03-11T00:00:00Z' };
/** What Marketo's filter gets for that window: End is exclusive in the node, inclusive at Marketo. */
const MARKETO_WINDOW = { startAt: WINDOW.startAt, endAt: '2026-03-10T23:59:59Z' };
const IMPORT_ROWS = 20;
/** The emulator of the matrix: a high rate limit, so that only the injected 606/615 answers count. */
const EMULATOR_ARGS = ['--rate-limit', '10000/20', '--processing-ms', '200'];

type Op = 'exportRecords' | 'exportFile' | 'import' | 'importFile' | 'getFailures' | 'getWarnings';
const OPS: Op[] = [
	'exportRecords',
	'exportFile',
	'import',
	'importFile',
	'getFailures',
	'getWarnings',
];
const OP_LABEL: Record<Op, string> = {
	exportRecords: 'Export › Records',
	exportFile: 'Export › File',
	import: 'Import (items)',
	importFile: 'Import (binary file)',
	getFailures: 'Get Failures',
	getWarnings: 'Get Warnings',
};
/** Get Failures / Get Warnings: one step, on the batch an Import (summary only) before it just ran. */
const isIssueStep = (op: Op) => op === 'getFailures' || op === 'getWarnings';
const isImport = (op: Op) => op === 'import' || op === 'importFile';

// ---------------------------------------------------------------------------------------------------------
// The workflows: Webhook → operation (→ a Code node that hands the File output's binary ids back)

/**
 * Where a cell's workflow runs: the shared one of its operation (the emulator of the matrix), or one of
 * its own (`own`: a cell that runs at once with others, against a Marketo instance of its own).
 */
interface Route {
	/** The webhook path. */
	path: string;
	/** Unique per workflow: the workflow id and the webhook's id are made from it. */
	number: number;
	credential: { id: string; name: string };
}

const sharedRoute = (op: Op): Route => ({
	path: `fault-matrix-${op}`,
	number: OPS.indexOf(op) + 1,
	credential: CREDENTIAL,
});

function webhookNode(op: Op, route: Route) {
	return {
		id: `fm-${op}-webhook`,
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: `0f3a1c2e-7d4b-4e8a-9c6f-${String(route.number).padStart(12, '0')}`,
		parameters: {
			httpMethod: 'POST',
			path: route.path,
			responseMode: 'lastNode',
			responseData: 'allEntries',
			options: {},
		},
	};
}

const MARKETO_OPTIONS = { pollIntervalSeconds: 1, timeoutMinutes: 3 };

function marketoNode(op: Op, route: Route) {
	const parameters = isIssueStep(op)
		? { resource: 'leadImport', operation: op, batchId: '={{ $json.batches[0].batchId }}' }
		: isImport(op)
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
		credentials: { marketoApi: route.credential },
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

/** Get Failures / Get Warnings read the batch of this import: it reads neither file itself. */
const SUMMARY_IMPORT = {
	id: 'fm-summary-import',
	name: 'Import',
	type: `${PACKAGE}.marketoBulk`,
	typeVersion: 1,
	position: [180, 0],
	parameters: {
		resource: 'leadImport',
		operation: 'import',
		source: 'items',
		columns: { mappingMode: 'autoMapInputData', value: null },
		lookupField: 'email',
		output: 'summary',
		options: MARKETO_OPTIONS,
	},
};

function matrixWorkflow(op: Op, route = sharedRoute(op)): WorkflowFixture {
	const [webhook, marketo] = [webhookNode(op, route), marketoNode(op, route)];
	const chain =
		op === 'import'
			? [webhook, codeNode('Rows', IMPORT_ITEMS_CODE, 120), marketo]
			: isIssueStep(op)
				? [
						webhook,
						codeNode('Rows', IMPORT_ITEMS_CODE, 120),
						{ ...SUMMARY_IMPORT, credentials: { marketoApi: route.credential } },
						marketo,
					]
				: op === 'importFile'
					? [webhook, codeNode('Rows', IMPORT_ITEMS_CODE, 120), TO_CSV, marketo]
					: op === 'exportFile'
						? [webhook, marketo, codeNode('Binary Ids', BINARY_IDS_CODE, 480)]
						: [webhook, marketo];
	const connections: Record<string, unknown> = {};
	for (let k = 0; k + 1 < chain.length; k++)
		connections[chain[k].name] = { main: [[{ node: chain[k + 1].name, type: 'main', index: 0 }]] };
	return {
		id: `faultMatrix${op[0].toUpperCase()}${op.slice(1)}${route.number}`,
		name: `Fault matrix: ${OP_LABEL[op]} (${route.path})`,
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
	/**
	 * The cell waits out a call's time limit (about a minute): it runs at once with the other such cells,
	 * each against a Marketo instance of its own, while the others run one by one.
	 */
	own?: boolean;
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

/** A failures/warnings file whose connection is lost inside its first row (the header is shorter). */
const ISSUE_FILE_CUT = {
	fault: 'connection reset mid-body',
	failure: { stallAfterBytes: 80, hangMs: 0 },
};

/** A failures/warnings call that never answers, or whose file stops arriving inside its first row. */
const ISSUE_FILE_HANGS: Array<[string, Record<string, unknown>]> = [
	['hang: no answer', { hang: true }],
	['hang: body stops arriving', { stallAfterBytes: 80 }],
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
				expect: /broke off again after 10 resumes.*No data was output/i,
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
	// The failures and warnings files, read by the import (every row Marketo refused or warned about comes
	// back paired with the input item that produced it) and by the one-step Get Failures / Get Warnings
	// (exactly those rows), whatever the call to read them met first. A call that never answers, or a
	// file that stops arriving, waits out its time limit: those cells run on instances of their own.
	for (const [op, step] of [
		['import', 'failures'],
		['import', 'warnings'],
		['getFailures', 'failures'],
		['getWarnings', 'warnings'],
	] as const) {
		for (const { fault, failure } of [...REQUEST_FAULTS, ISSUE_FILE_CUT])
			out.push({
				op,
				step,
				fault,
				arm: failNext(ISSUE_STEPS[step], failure),
				expect: 'recovered',
				issues: true,
			});
		for (const [fault, failure] of ISSUE_FILE_HANGS)
			out.push({
				op,
				step,
				fault,
				arm: failNext(ISSUE_STEPS[step], failure),
				expect: 'recovered',
				issues: true,
				own: true,
			});
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
	// for a call, 60 s of silence in a file) and is retried; an upload that was sent whole and never
	// answered may have reached Marketo, and is not sent again.
	for (const op of ['exportRecords', 'exportFile'] as const) {
		for (const [step, request] of Object.entries(EXPORT_STEPS))
			out.push({
				op,
				step,
				fault: 'hang: no answer',
				arm: failNext(request, { hang: true }),
				expect: 'recovered',
				own: true,
			});
		out.push({
			op,
			step: 'file',
			fault: 'hang: body stops arriving',
			arm: failNext(EXPORT_STEPS.file, { stallAfterBytes: 200 }),
			expect: 'recovered',
			own: true,
		});
	}
	for (const [step, request] of Object.entries(IMPORT_STEPS)) {
		out.push({
			op: 'import',
			step,
			fault: 'hang: no answer',
			arm: failNext(request, { hang: true }),
			expect: step === 'upload' ? AMBIGUOUS_UPLOAD : 'recovered',
			own: true,
		});
	}
	out.push({
		op: 'import',
		step: 'batch status',
		fault: 'batch Failed',
		arm: faults({ failNextBatch: 'Import failed due to an internal error' }),
		expect: /import batch \d+ failed: Import failed due to an internal error/,
	});
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
	route: Route,
	body: unknown,
): Promise<{ status: number; items: unknown }> {
	const response = await fetch(`${n8n.baseUrl}/webhook/${route.path}`, {
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

/** Get Failures / Get Warnings: exactly the rows Marketo refused (or warned about), with their reasons. */
function judgeIssueRows(op: Op, cell: string, items: unknown[]): string {
	const expected = EXPECTED_ISSUES.filter(
		(e) => e.type === (op === 'getFailures' ? 'failedRow' : 'warningRow'),
	);
	const rows = items as Array<IssueItem & { fields?: Record<string, unknown> }>;
	const emailOf = (row: number) =>
		`fm-${cell}-${row}${FAILED_ROWS.includes(row) ? '.' : '@'}example.com`;
	const got = rows.map((r) => `${r.type} ${String(r.fields?.email)}`).join(', ');
	const want = expected.map((e) => `${e.type} ${emailOf(e.row)}`).join(', ');
	if (got !== want) return `rows out: ${got || 'none'}; expected: ${want}`;
	const wrongReason = expected.find((e, k) => !e.reason.test(rows[k].reason ?? ''));
	return wrongReason ? `${wrongReason.type} ${wrongReason.row}: reason ${rows[0].reason}` : '';
}

async function runCell(
	n8n: N8n,
	emulator: EmulatorProcess,
	cell: Cell,
	index: number,
	baseline: Record<Op, string[]>,
	route = sharedRoute(cell.op),
): Promise<Outcome> {
	await emulator.control('POST', 'reset');
	await cell.arm(emulator);
	const name = `c${index}`;
	const { status, items } = await callWebhook(n8n, route, {
		cell: name,
		...(cell.issues ? { issues: true } : {}),
	});
	// a fault that met no request proves nothing: the cell fails instead of passing as "recovered"
	const { pending } = (await emulator.control('GET', 'faults')) as { pending: number };
	assert.strictEqual(pending, 0, `the ${cell.fault} fault armed for ${cell.step} never fired`);
	const error = errorOf(status, items);
	if (error) return { result: 'error', detail: error };
	const list = items as unknown[];
	if (isIssueStep(cell.op)) {
		const problem = judgeIssueRows(cell.op, name, list);
		return problem ? { result: 'MISMATCH', detail: problem } : { result: 'recovered', detail: '' };
	}
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
// The trigger's cells. n8n polls on its own schedule, at most once a minute, so a cell takes minutes: each
// is a workflow of its own polling a Marketo instance of its own, all at once, while the cells above run.
// A cell arms its fault once the trigger is active; it passes when the trigger caught up, every lead of
// its period emitted exactly once, whatever the polls in between threw, or (daily quota) when it paused
// and said why.

const TRIGGER_NODE = 'New Leads in Marketo';
/** Leads up to the instance's start, about 60 a day: the two days the trigger backfills hold ~120. */
const TRIGGER_EMULATOR_ARGS = [...EMULATOR_ARGS, '--data-until-now', '--leads', '20000'];
const TRIGGER_BACKFILL_MS = 2 * 86_400_000;
/** From the activations until every trigger cell caught up; then one more poll for anything emitted twice. */
const TRIGGER_WAIT_MS = 12 * 60_000;
const ONE_MORE_POLL_MS = 75_000;

interface TriggerCell {
	step: string;
	fault: string;
	output: 'records' | 'file';
	arm: (emulator: EmulatorProcess) => Promise<unknown>;
	/** 'recovered', or the words of the error n8n shows for a poll (the trigger then pauses). */
	expect: 'recovered' | RegExp;
}

function triggerCells(): TriggerCell[] {
	const out: TriggerCell[] = [];
	const add = (
		step: string,
		fault: string,
		arm: TriggerCell['arm'],
		{ expect = 'recovered' as TriggerCell['expect'], file = false } = {},
	) => {
		out.push({ step, fault, output: 'records', arm, expect });
		if (file) out.push({ step, fault, output: 'file', arm, expect });
	};
	for (const [step, request] of Object.entries(EXPORT_STEPS)) {
		for (const { fault, failure } of REQUEST_FAULTS) {
			if (step === 'token' && failure.code) continue;
			add(step, fault, failNext(request, failure));
		}
		add(step, 'hang: no answer', failNext(request, { hang: true }));
	}
	const queueFull = { code: '1029', message: 'Too many jobs (10) in queue' };
	add('create', '1029 export queue full', failNext(EXPORT_STEPS.create, queueFull));
	add('enqueue', '1029 export queue full', failNext(EXPORT_STEPS.enqueue, queueFull));
	add(
		'create',
		'1029 daily quota',
		failNext(EXPORT_STEPS.create, { code: '1029', message: 'Export daily quota 500MB exceeded' }),
		{ expect: /daily bulk export quota is used up/ },
	);
	add('status', 'job Failed', faults({ failNextJob: 'Export failed due to an internal error' }));
	for (const spelling of ['Canceled', 'Cancelled'])
		add(
			'status',
			`job cancelled by someone else, spelled ${spelling}`,
			faults({ cancelNextJob: spelling }),
		);
	add('file', 'numberOfRecords differs from the file', faults({ miscountNextJob: 1 }));
	add('file', 'connection reset mid-body', faults({ dropFileAfterBytes: 300 }), { file: true });
	add('file', 'checksum mismatch', faults({ corruptNextChecksum: true }), { file: true });
	add(
		'file',
		'truncated file, ends cleanly (chunked)',
		faults({ truncateFileAfterBytes: { bytes: 300 } }),
		{ file: true },
	);
	add(
		'file',
		'truncated file, ends cleanly (short Content-Length)',
		faults({ truncateFileAfterBytes: { bytes: 300, contentLength: true } }),
	);
	// the poll's 1-byte look at the file first, then the download and its 10 resumes, 1 byte each
	add(
		'file',
		'truncated file, every download and resume',
		faults({ truncateFileAfterBytes: { bytes: 1, times: 12, contentLength: true } }),
	);
	add('file', 'file gone (404)', faults({ completedFileMissing: true }));
	add('file', 'hang: body stops arriving', failNext(EXPORT_STEPS.file, { stallAfterBytes: 200 }), {
		file: true,
	});
	const only = process.env.E2E_FAULT_CELLS?.split('|');
	return only
		? out.filter((c) => only.some((o) => `trigger ${c.output} ${c.step} ${c.fault}`.includes(o)))
		: out;
}

const TRIGGER_LABEL = { records: 'Trigger › Records', file: 'Trigger › File' } as const;

function triggerWorkflow(
	cell: TriggerCell,
	k: number,
	credential: { id: string; name: string },
	startDate: string,
): WorkflowFixture {
	return {
		id: `faultMatrixTrigger${k}`,
		name: `Fault matrix: trigger ${k}`,
		nodes: [
			{
				id: `fm-trigger-${k}`,
				name: TRIGGER_NODE,
				type: `${PACKAGE}.marketoBulkTrigger`,
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					pollTimes: { item: [{ mode: 'everyMinute' }] },
					event: 'newLeads',
					fields: ['id', 'email', 'createdAt'],
					format: 'CSV',
					output: cell.output,
					startFrom: 'date',
					startDate,
					// windows up to the minute, the status read on every poll: a backfill waits for nothing else
					options: { safetyLagSeconds: 0, minStatusIntervalSeconds: 0 },
				},
				credentials: { marketoApi: credential },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
}

interface TriggerProgress {
	/** The period's leads in Marketo. */
	truth: number;
	ids: number[];
	errors: string[];
}

async function triggerProgress(
	n8n: N8n,
	instance: EmulatorProcess,
	cell: TriggerCell,
	k: number,
	startDate: string,
): Promise<TriggerProgress> {
	const list = await emissions(n8n, `faultMatrixTrigger${k}`, TRIGGER_NODE, cell.output === 'file');
	const truth = await emulatorCount(instance, 'leads', {
		createdAt: { startAt: startDate, endAt: '2100-01-01T00:00:00Z' },
	});
	return {
		truth,
		ids: list.flatMap((e) => e.ids),
		errors: list.filter((e) => e.status !== 'success').map((e) => e.error ?? e.status),
	};
}

const caughtUp = (cell: TriggerCell, p: TriggerProgress) =>
	cell.expect === 'recovered'
		? new Set(p.ids).size >= p.truth
		: p.errors.some((error) => (cell.expect as RegExp).test(error));

/** Emitted ids that are no lead of the period (none in Marketo, or created before its start). */
async function outsideThePeriod(
	instance: EmulatorProcess,
	ids: number[],
	startDate: string,
): Promise<number[]> {
	const outside: number[] = [];
	for (const id of new Set(ids)) {
		const lead = await emulatorLead(instance, { id });
		if (!lead || Date.parse(String(lead.createdAt)) < Date.parse(startDate)) outside.push(id);
	}
	return outside;
}

function triggerOutcome(cell: TriggerCell, p: TriggerProgress, outside: number[]): Outcome {
	const distinct = new Set(p.ids).size;
	const failedFirst = p.errors.length
		? `; ${p.errors.length} poll(s) failed first: ${p.errors[0].slice(0, 80)}`
		: '';
	// with no id twice and none outside the period, as many ids as the period's leads are exactly those
	if (distinct !== p.ids.length || outside.length > 0 || distinct > p.truth)
		return {
			result: 'MISMATCH',
			detail: `${p.ids.length - distinct} emitted twice, ${outside.length} not of the period (${outside.slice(0, 5).join(', ')}), ${distinct} distinct of ${p.truth} leads`,
		};
	if (cell.expect !== 'recovered') {
		const error = p.errors.find((e) => (cell.expect as RegExp).test(e));
		if (error) return { result: 'error', detail: error };
	}
	if (distinct === p.truth)
		return { result: 'recovered', detail: `${p.truth} leads once${failedFirst}` };
	return {
		result: 'error',
		detail: `not caught up: ${distinct} of ${p.truth} leads emitted${failedFirst}`,
	};
}

// ---------------------------------------------------------------------------------------------------------

interface Row {
	version: string;
	/** 'Operation | Step | Fault' */
	key: string;
	trigger: boolean;
	outcome: Outcome;
	ok: boolean;
}
const rows: Row[] = [];

/** Records a cell's outcome for the tables and fails its step when the outcome is not the expected one. */
function judge(
	version: string,
	key: string,
	trigger: boolean,
	expect: 'recovered' | RegExp,
	outcome: Outcome,
	warns?: RegExp,
): void {
	const ok =
		outcome.result !== 'MISMATCH' &&
		(expect === 'recovered'
			? outcome.result === 'recovered' &&
				(warns ? warns.test(outcome.warning ?? '') : !outcome.warning)
			: outcome.result === 'error' && expect.test(outcome.detail));
	rows.push({ version, key, trigger, outcome, ok });
	assert.ok(
		ok,
		`${outcome.result}${outcome.detail ? `: ${outcome.detail}` : ''} (expected ${expect === 'recovered' ? 'recovered' : `an error matching ${expect}`})`,
	);
}

const cellKey = (cell: Cell) => `${OP_LABEL[cell.op]} | ${cell.step} | ${cell.fault}`;
const triggerKey = (cell: TriggerCell) =>
	`${TRIGGER_LABEL[cell.output]} | ${cell.step} | ${cell.fault}`;

/** A cell that is not as expected is reported as a failed step; the next cell still runs. */
const nextCellRuns = (error: unknown) => {
	if (!(error instanceof StepFailure)) throw error;
};

/** A webhook is registered: n8n 2.x registers them in the background after the activate call returns. */
async function webhookRegistered(n8n: N8n, route: Route): Promise<void> {
	// A GET to a POST webhook answers 404 both ways, but names the method it expects once registered.
	const deadline = Date.now() + 60_000;
	for (;;) {
		const probe = await fetch(`${n8n.baseUrl}/webhook/${route.path}`);
		if (probe.status !== 404 || /POST/.test(await probe.text())) return;
		if (Date.now() > deadline) throw new Error(`webhook ${route.path} never registered`);
		await sleep(500);
	}
}

async function matrix(run: VersionRun): Promise<void> {
	const all = cells();
	const own = all.filter((c) => c.own);
	const triggers = triggerCells();
	const instances = await run.report.step(
		run.scope,
		`start Marketo instances of their own: ${own.length} for slow cells, ${triggers.length} for the trigger`,
		async () => ({
			own: own.length ? await startEmulatorInstances(own.length, { args: EMULATOR_ARGS }) : [],
			trigger: triggers.length
				? await startEmulatorInstances(triggers.length, { args: TRIGGER_EMULATOR_ARGS })
				: [],
		}),
	);
	try {
		await cellsOf(run, all, triggers, instances);
	} finally {
		await instances.own[0]?.stop();
		await instances.trigger[0]?.stop();
	}
}

async function cellsOf(
	{ report, scope, version, n8n, emulator: e }: VersionRun,
	all: Cell[],
	triggers: TriggerCell[],
	instances: { own: EmulatorProcess[]; trigger: EmulatorProcess[] },
): Promise<void> {
	const own = all.filter((c) => c.own);
	const ownRoute = (k: number): Route => ({
		path: `fault-matrix-${own[k].op}-own${k}`,
		number: 100 + k,
		credential: { id: `faultMatrixOwnCred${k}`, name: `Marketo (fault cell ${k})` },
	});
	const triggerCredential = (k: number) => ({
		id: `faultMatrixTrigCred${k}`,
		name: `Marketo (trigger cell ${k})`,
	});
	const routes = [...OPS.map(sharedRoute), ...own.map((_, k) => ownRoute(k))];
	const startDate = new Date(Date.now() - TRIGGER_BACKFILL_MS).toISOString().slice(0, 16) + ':00Z';
	await report.step(scope, 'import credentials + workflows, start n8n', async () => {
		await n8n.importCredentials([
			emulatorCredential(e, CREDENTIAL),
			...own.map((_, k) => emulatorCredential(instances.own[k], ownRoute(k).credential)),
			...triggers.map((_, k) => emulatorCredential(instances.trigger[k], triggerCredential(k))),
		]);
		await n8n.importWorkflows([
			...OPS.map((op) => matrixWorkflow(op)),
			...own.map((cell, k) => matrixWorkflow(cell.op, ownRoute(k))),
			...triggers.map((cell, k) => triggerWorkflow(cell, k, triggerCredential(k), startDate)),
		]);
		await n8n.start();
		await n8n.setupOwner();
		for (const op of OPS) await n8n.activateWorkflow(matrixWorkflow(op).id!);
		for (const [k, cell] of own.entries())
			await n8n.activateWorkflow(matrixWorkflow(cell.op, ownRoute(k)).id!);
		for (const route of routes) await webhookRegistered(n8n, route);
	});
	await report.step(
		scope,
		`activate ${triggers.length} trigger cells, arm their faults`,
		async () => {
			const from = n8n.log.length;
			for (let k = 0; k < triggers.length; k++)
				await n8n.activateWorkflow(`faultMatrixTrigger${k}`);
			// n8n 2.x activates in the background: a fault armed before the activation's poll could meet it
			for (let k = 0; k < triggers.length; k++) {
				const active = new RegExp(
					`(Added triggers and pollers|Activated trigger node "${TRIGGER_NODE}") for workflow "Fault matrix: trigger ${k}"`,
				);
				const deadline = Date.now() + 120_000;
				while (n8n.logMatching(active, from).length === 0) {
					if (Date.now() > deadline) throw new Error(`trigger cell ${k} was never activated`);
					await sleep(500);
				}
			}
			for (const [k, cell] of triggers.entries()) await cell.arm(instances.trigger[k]);
		},
	);
	const activated = Date.now();
	const baseline = {} as Record<Op, string[]>;
	await report.step(scope, 'baseline runs without faults', async () => {
		await e.control('POST', 'reset');
		const truth = await emulatorCount(e, 'leads', { createdAt: MARKETO_WINDOW });
		for (const op of ['exportRecords', 'exportFile'] as const) {
			const { status, items } = await callWebhook(n8n, sharedRoute(op), { cell: 'baseline' });
			const error = errorOf(status, items);
			assert.ok(!error, `${OP_LABEL[op]} failed without a fault: ${error}`);
			baseline[op] = (await exportedIds(n8n, op, items as unknown[])).sort();
			assert.strictEqual(baseline[op].length, truth, `${OP_LABEL[op]}: records vs the emulator`);
		}
		report.note(`baseline: ${truth} leads in ${WINDOW.startAt} .. ${WINDOW.endAt}`);
	});
	// The slow cells run at once, in the background, while the others run one by one.
	const ownRuns = own.map((cell, k) =>
		runCell(n8n, instances.own[k], cell, 1000 + k, baseline, ownRoute(k)).then(
			(outcome) => ({ outcome }),
			(error: unknown) => ({ error }),
		),
	);
	for (const [k, cell] of all.entries()) {
		if (cell.own) continue;
		await report
			.step(scope, cellKey(cell).replace(/ \| /g, ' › '), async () => {
				judge(
					version,
					cellKey(cell),
					false,
					cell.expect,
					await runCell(n8n, e, cell, k, baseline),
					cell.warns,
				);
			})
			.catch(nextCellRuns);
	}
	for (const [k, cell] of own.entries()) {
		await report
			.step(scope, `${cellKey(cell).replace(/ \| /g, ' › ')} (own instance)`, async () => {
				const settled = await ownRuns[k];
				if ('error' in settled) throw settled.error;
				judge(version, cellKey(cell), false, cell.expect, settled.outcome, cell.warns);
			})
			.catch(nextCellRuns);
	}
	const progress = (k: number) =>
		triggerProgress(n8n, instances.trigger[k], triggers[k], k, startDate);
	// nothing to wait for when E2E_FAULT_CELLS selected no trigger cell
	if (triggers.length > 0)
		await report.step(scope, 'every trigger cell caught up (n8n polls once a minute)', async () => {
			const pending = new Set(triggers.keys());
			while (pending.size && Date.now() - activated < TRIGGER_WAIT_MS) {
				for (const k of [...pending])
					if (caughtUp(triggers[k], await progress(k))) pending.delete(k);
				if (pending.size) await sleep(15_000);
			}
			report.note(
				pending.size
					? `trigger cells not caught up after ${TRIGGER_WAIT_MS / 60_000} min: ${[...pending].join(', ')}`
					: `trigger cells caught up ${Math.round((Date.now() - activated) / 1000)} s after their activation`,
			);
			// one more poll: nothing may come twice
			await sleep(ONE_MORE_POLL_MS);
		});
	for (const [k, cell] of triggers.entries()) {
		await report
			.step(scope, triggerKey(cell).replace(/ \| /g, ' › '), async () => {
				const { pending } = (await instances.trigger[k].control('GET', 'faults')) as {
					pending: number;
				};
				assert.strictEqual(
					pending,
					0,
					`the ${cell.fault} fault armed for ${cell.step} never fired`,
				);
				const seen = await progress(k);
				const outside = await outsideThePeriod(instances.trigger[k], seen.ids, startDate);
				judge(version, triggerKey(cell), true, cell.expect, triggerOutcome(cell, seen, outside));
			})
			.catch(nextCellRuns);
	}
	const searched = await report.step(scope, 'no secret in what n8n stored or logged', () =>
		noSecretsStored(n8n, [e, ...instances.own, ...instances.trigger]),
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
async function noSecretsStored(n8n: N8n, emulators: EmulatorProcess[]): Promise<string> {
	await n8n.stop();
	const issued: string[] = [];
	for (const e of emulators)
		issued.push(...((await e.control('GET', 'tokens')) as { issued: string[] }).issued);
	assert.ok(issued.length > 0, 'the emulator issued no token: nothing was checked');
	const clientSecrets = new Set(emulators.map((e) => e.clientSecret));
	const secrets = [...clientSecrets, ...issued];
	const files = filesUnder(n8n.folder.root, ['e2e-input', path.join('.n8n', 'nodes')]);
	const found: string[] = [];
	for (const [where, bytes] of [
		['n8n console output', Buffer.from(n8n.log)] as const,
		...files.map((file) => [path.relative(n8n.folder.root, file), fs.readFileSync(file)] as const),
	]) {
		for (const secret of secrets) {
			if (bytes.includes(secret))
				found.push(
					`${where} holds ${clientSecrets.has(secret) ? 'the client secret' : 'an access token'}`,
				);
		}
	}
	assert.deepStrictEqual(found, []);
	return `${secrets.length} secrets (client secret + ${issued.length} tokens) searched in ${files.length} files and the console output`;
}

/** The table of the trigger's cells, or of the others, one column per n8n version, with the counts. */
function table(trigger: boolean): string {
	const selected = rows.filter((r) => r.trigger === trigger);
	const versions = [...new Set(selected.map((r) => r.version))];
	const keys = [...new Set(selected.map((r) => r.key))];
	const lines = [
		`| ${trigger ? 'Output' : 'Operation'} | Step | Fault | ${versions.map((v) => `n8n ${v}`).join(' | ')} |`,
		`|---|---|---|${versions.map(() => '---|').join('')}`,
	];
	for (const key of keys) {
		const cellsOfKey = versions.map((v) => {
			const row = selected.find((r) => r.version === v && r.key === key);
			if (!row) return '—';
			const text =
				row.outcome.result === 'recovered' && trigger
					? `recovered: ${row.outcome.detail}`
					: row.outcome.result === 'error'
						? `error: ${row.outcome.detail.slice(0, 90)}`
						: row.outcome.result;
			return `${row.ok ? '' : '**FAIL** '}${text.replace(/\|/g, '/').replace(/\s+/g, ' ')}`;
		});
		lines.push(`| ${key} | ${cellsOfKey.join(' | ')} |`);
	}
	const count = (result: Outcome['result']) =>
		selected.filter((r) => r.outcome.result === result).length;
	lines.push(
		'',
		`Faults injected: ${selected.length}; recovered: ${count('recovered')}; surfaced as errors: ${count('error')}; data mismatches: ${count('MISMATCH')}; cells not as expected: ${selected.filter((r) => !r.ok).length}.`,
	);
	return lines.join('\n');
}

runSuite({
	emulatorArgs: EMULATOR_ARGS,
	checks: matrix,
	finish: (report) => {
		for (const [trigger, section] of [
			[false, 'fault-matrix'],
			[true, 'trigger-faults'],
		] as const) {
			const text = table(trigger);
			process.stdout.write(`\n${text}\n\n`);
			if (process.env.RELIABILITY_DOC) replaceSection(process.env.RELIABILITY_DOC, section, text);
		}
		report.note(`fault matrix: ${rows.length} cells`);
	},
});
