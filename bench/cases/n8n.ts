/**
 * Case 2: how users export leads in n8n today, against our node, in the same real n8n on the same emulator
 * data: a workflow of HTTP Request nodes (token, create, enqueue, a Wait + IF polling loop, download as a
 * file) and Extract From File (CSV), vs Manual Trigger → Marketo Bulk (Export, Records output). Both poll
 * every second. Each execution is `n8n execute` (test/harness/n8n.ts) with our packed package installed the way
 * n8n installs a community package.
 *
 * Measured per execution: the execution's own time (n8n's startedAt → stoppedAt), the peak RSS of the n8n
 * process during the execution (sampled every 20 ms inside n8n by a --require'd script; the kernel's
 * high-water mark of the whole process, which also covers n8n printing the run data at the end, goes in the
 * details), and the API calls the emulator counted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import {
	DEFAULT_VERSIONS,
	n8nInstall,
	packPackage,
	prepareUserFolder,
	type UserFolder,
} from '../../test/harness/install';
import { N8n } from '../../test/harness/n8n';
import { cacheDir } from '../../test/harness/processes';
import type { WorkflowFixture } from '../../test/harness/workflows';
import {
	CALL,
	DATA_RANGE,
	EXPORT_RANGE,
	LEAD_FIELDS,
	median,
	totalCalls,
	type BenchContext,
} from '../lib/bench';
import { startEmulatorProcess, type EmulatorProcess } from '../../test/harness/emulator';
import { mb, rowsLabel, secs } from '../lib/report';

const CREDENTIAL_ID = 'benchMarketoCred';
const HTTP_WORKFLOW = 'benchHttpRequestExport';
const OUR_WORKFLOW = 'benchMarketoBulkExport';
const PROCESSING_MS = 2500;
const POLL_SECONDS = 1;

/** Runs inside every n8n process (NODE_OPTIONS=--require): RSS samples and the peak, written at exit. */
const PRELOAD = `'use strict';
const fs = require('fs');
const dir = process.env.BENCH_RSS_DIR;
if (dir) {
	const samples = [];
	const timer = setInterval(() => samples.push([Date.now(), process.memoryUsage.rss()]), 20);
	timer.unref();
	process.on('exit', () => {
		try {
			samples.push([Date.now(), process.memoryUsage.rss()]);
			fs.writeFileSync(dir + '/' + process.pid + '.json', JSON.stringify({ argv: process.argv, maxRss: process.resourceUsage().maxRSS * 1024, samples }));
		} catch (e) {}
	});
}
`;

interface ProcessMemory {
	argv: string[];
	maxRss: number;
	samples: Array<[number, number]>;
}

interface Execution {
	workflow: string;
	/** n8n's own startedAt → stoppedAt. */
	seconds: number;
	/** `n8n execute`, start to exit. */
	processSeconds: number;
	baselineRss: number;
	peakRss: number;
	processPeakRss: number;
	calls: Record<string, number>;
	items: number;
}

const node = (
	id: number,
	name: string,
	type: string,
	typeVersion: number,
	parameters: Record<string, unknown>,
	extra: Record<string, unknown> = {},
) => ({
	id: `b0e0c0de-0000-4000-8000-${String(id).padStart(12, '0')}`,
	name,
	type,
	typeVersion,
	position: [id * 220, 0],
	parameters,
	...extra,
});

const to = (name: string) => ({ main: [[{ node: name, type: 'main', index: 0 }]] });

/** The usual way: HTTP Request nodes, a Wait + IF polling loop, Extract From File. */
function httpRequestWorkflow(emulator: EmulatorProcess): WorkflowFixture {
	const auth = {
		sendHeaders: true,
		headerParameters: {
			parameters: [
				{ name: 'Authorization', value: "=Bearer {{ $('Get Token').first().json.access_token }}" },
			],
		},
	};
	const job = `{{ $('Create Job').first().json.result[0].exportId }}`;
	const base = `${emulator.url}/bulk/v1/leads/export`;
	const body = { fields: LEAD_FIELDS, format: 'CSV', filter: { createdAt: EXPORT_RANGE } };
	return {
		id: HTTP_WORKFLOW,
		name: 'Bench: lead export with HTTP Request nodes',
		nodes: [
			node(1, 'Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			node(2, 'Get Token', 'n8n-nodes-base.httpRequest', 4.2, {
				url: `${emulator.url}/identity/oauth/token`,
				sendQuery: true,
				queryParameters: {
					parameters: [
						{ name: 'grant_type', value: 'client_credentials' },
						{ name: 'client_id', value: emulator.clientId },
						{ name: 'client_secret', value: emulator.clientSecret },
					],
				},
				options: {},
			}),
			node(3, 'Create Job', 'n8n-nodes-base.httpRequest', 4.2, {
				method: 'POST',
				url: `${base}/create.json`,
				...auth,
				sendBody: true,
				specifyBody: 'json',
				jsonBody: JSON.stringify(body),
				options: {},
			}),
			node(4, 'Enqueue Job', 'n8n-nodes-base.httpRequest', 4.2, {
				method: 'POST',
				url: `=${base}/${job}/enqueue.json`,
				...auth,
				options: {},
			}),
			node(
				5,
				'Wait',
				'n8n-nodes-base.wait',
				1.1,
				{ resume: 'timeInterval', amount: POLL_SECONDS, unit: 'seconds' },
				{ webhookId: 'b0e0c0de-0000-4000-8000-0000000000aa' },
			),
			node(6, 'Get Status', 'n8n-nodes-base.httpRequest', 4.2, {
				url: `=${base}/${job}/status.json`,
				...auth,
				options: {},
			}),
			node(7, 'Completed?', 'n8n-nodes-base.if', 2, {
				conditions: {
					options: { caseSensitive: true, leftValue: '', typeValidation: 'strict' },
					conditions: [
						{
							id: 'b0e0c0de-0000-4000-8000-0000000000bb',
							leftValue: '={{ $json.result[0].status }}',
							rightValue: 'Completed',
							operator: { type: 'string', operation: 'equals' },
						},
					],
					combinator: 'and',
				},
				options: {},
			}),
			node(8, 'Download File', 'n8n-nodes-base.httpRequest', 4.2, {
				url: `=${base}/${job}/file.json`,
				...auth,
				options: { response: { response: { responseFormat: 'file' } } },
			}),
			node(9, 'Extract From File', 'n8n-nodes-base.extractFromFile', 1, {
				operation: 'csv',
				binaryPropertyName: 'data',
				options: {},
			}),
		],
		connections: {
			Start: to('Get Token'),
			'Get Token': to('Create Job'),
			'Create Job': to('Enqueue Job'),
			'Enqueue Job': to('Wait'),
			Wait: to('Get Status'),
			'Get Status': to('Completed?'),
			'Completed?': {
				main: [
					[{ node: 'Download File', type: 'main', index: 0 }],
					[{ node: 'Wait', type: 'main', index: 0 }],
				],
			},
			'Download File': to('Extract From File'),
		},
	};
}

function ourWorkflow(): WorkflowFixture {
	return {
		id: OUR_WORKFLOW,
		name: 'Bench: lead export with Marketo Bulk',
		nodes: [
			node(1, 'Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			node(
				2,
				'Marketo Bulk',
				'n8n-nodes-marketo-bulk.marketoBulk',
				1,
				{
					resource: 'leadExport',
					operation: 'export',
					fields: LEAD_FIELDS,
					format: 'CSV',
					filterType: 'createdAt',
					...EXPORT_RANGE,
					output: 'records',
					options: { pollIntervalSeconds: POLL_SECONDS },
				},
				{ credentials: { marketoApi: { id: CREDENTIAL_ID, name: 'Marketo (emulator)' } } },
			),
		],
		connections: { Start: to('Marketo Bulk') },
	};
}

const callText = (e: Execution) =>
	`${totalCalls(e.calls)} (token ${e.calls[CALL.token] ?? 0}, status ${e.calls[CALL.status] ?? 0}, describe ${e.calls[CALL.describe] ?? 0}, file ${e.calls[CALL.file] ?? 0})`;

function readMemory(dir: string, n8nBin: string): ProcessMemory | undefined {
	for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
		const m = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProcessMemory;
		if (m.argv[1] === n8nBin && m.argv.includes('execute')) return m;
	}
	return undefined;
}

function clearMemory(dir: string): void {
	for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')))
		rmSync(join(dir, file), { force: true });
}

/**
 * Reads the newest execution of a workflow from n8n's database, with n8n's own sqlite3 and flatted: `n8n
 * execute` prints the run data through its logger as it exits, and above ~10 MB the end of it is lost, so
 * stdout cannot be relied on for 100k items.
 */
const DB_READER = `'use strict';
const sqlite3 = require('sqlite3');
const { parse } = require('flatted');
const db = new sqlite3.Database(process.argv[2], sqlite3.OPEN_READONLY);
const sql = 'SELECT e.status, e.startedAt, e.stoppedAt, d.data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? ORDER BY e.id DESC LIMIT 1';
db.all(sql, [process.argv[3]], (error, rows) => {
	if (error) throw error;
	const row = rows[0];
	if (!row) return console.log('{}');
	const data = parse(row.data);
	const items = {};
	for (const [name, runs] of Object.entries(data.resultData.runData)) {
		const last = runs[runs.length - 1];
		items[name] = (last && last.data && last.data.main && last.data.main[0] && last.data.main[0].length) || 0;
	}
	const error2 = data.resultData.error;
	console.log(JSON.stringify({ status: row.status, startedAt: row.startedAt, stoppedAt: row.stoppedAt, items, error: error2 && error2.message }));
});
`;

interface StoredExecution {
	status?: string;
	startedAt?: string;
	stoppedAt?: string;
	items?: Record<string, number>;
	error?: string;
}

function storedExecution(
	n8n: N8n,
	folder: UserFolder,
	scriptDir: string,
	workflow: string,
): StoredExecution {
	const script = join(scriptDir, 'read-execution.js');
	if (!existsSync(script)) writeFileSync(script, DB_READER);
	const modules = dirname(dirname(dirname(n8n.install.n8nBin)));
	const out = spawnSync(
		n8n.install.nodeBin,
		[script, join(folder.root, '.n8n', 'database.sqlite'), workflow],
		{
			env: { ...process.env, NODE_PATH: modules, NODE_OPTIONS: '' },
			encoding: 'utf8',
		},
	);
	if (out.status !== 0)
		throw new Error(`reading the execution from n8n's database failed: ${out.stderr}`);
	return JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as StoredExecution;
}

/** SQLite keeps '2026-01-01 10:00:00.000' in UTC. */
const utc = (text: string | undefined) => Date.parse(`${String(text).replace(' ', 'T')}Z`);

async function execute(
	n8n: N8n,
	folder: UserFolder,
	emulator: EmulatorProcess,
	rssDir: string,
	workflow: string,
	lastNode: string,
): Promise<Execution> {
	await emulator.resetCounters();
	clearMemory(rssDir);
	const result = await n8n.execute(workflow, 20 * 60_000);
	const stored = result.code === 0 ? storedExecution(n8n, folder, rssDir, workflow) : {};
	if (result.code !== 0 || stored.status !== 'success') {
		const kept = mkdtempSync(join(tmpdir(), 'marketo-bulk-bench-n8n-failed-'));
		writeFileSync(join(kept, 'stdout.txt'), result.stdout);
		writeFileSync(join(kept, 'stderr.txt'), result.stderr);
		throw new Error(
			`${workflow}: exit ${result.code}, execution ${stored.status ?? 'not stored'}: ${stored.error ?? result.error ?? ''}\n(n8n's output kept in ${kept})`,
		);
	}
	const startedAt = utc(stored.startedAt);
	const stoppedAt = utc(stored.stoppedAt);
	const memory = readMemory(rssDir, n8n.install.n8nBin);
	if (!memory) throw new Error(`${workflow}: no memory samples from the n8n process`);
	const before = memory.samples.filter(([t]) => t <= startedAt);
	const during = memory.samples.filter(([t]) => t >= startedAt && t <= stoppedAt);
	const baselineRss = before.length ? before[before.length - 1][1] : memory.samples[0][1];
	const calls = Object.fromEntries(
		Object.entries(await emulator.counters()).filter(([k, v]) => v > 0 && k !== 'rangeRequests'),
	);
	return {
		workflow,
		seconds: (stoppedAt - startedAt) / 1000,
		processSeconds: result.ms / 1000,
		baselineRss,
		peakRss: Math.max(baselineRss, ...during.map(([, rss]) => rss)),
		processPeakRss: memory.maxRss,
		calls,
		items: stored.items?.[lastNode] ?? 0,
	};
}

export async function n8nCase(ctx: BenchContext): Promise<void> {
	const version = ctx.n8nVersion ?? DEFAULT_VERSIONS[DEFAULT_VERSIONS.length - 1];
	if (ctx.smoke && !existsSync(join(cacheDir(), `n8n-${version}`, '.complete'))) {
		ctx.report.skip(
			'2 n8n',
			`n8n ${version} is not installed (scripts/install-n8n.sh); the smoke run does not install it`,
		);
		return;
	}
	const rows = ctx.smoke ? 5_000 : 100_000;
	const runs = ctx.smoke ? 1 : ctx.runs;
	ctx.log(`  n8n ${version}: install, pack our package, prepare a user folder`);
	const install = n8nInstall(version);
	const tarball = packPackage();
	let folder: UserFolder | undefined;
	let emulator: EmulatorProcess | undefined;
	const rssDir = mkdtempSync(join(tmpdir(), 'marketo-bulk-bench-n8n-'));
	const preload = join(rssDir, 'preload.js');
	writeFileSync(preload, PRELOAD);
	const executions = new Map<string, Execution[]>([
		[HTTP_WORKFLOW, []],
		[OUR_WORKFLOW, []],
	]);
	try {
		const userFolder = (folder = prepareUserFolder(version, tarball));
		emulator = await startEmulatorProcess({
			options: {
				leads: { count: rows, ...DATA_RANGE },
				activities: { count: 10, ...DATA_RANGE },
				exportProcessingMs: PROCESSING_MS,
				statusRefreshSeconds: 1,
				dailyExportQuotaBytes: 1e15,
			},
		});
		const n8n = await N8n.create(install, userFolder, {
			env: { NODE_OPTIONS: `--require ${preload}`, BENCH_RSS_DIR: rssDir },
			logLevel: 'warn',
		});
		await n8n.importCredentials([
			{
				id: CREDENTIAL_ID,
				name: 'Marketo (emulator)',
				type: 'marketoApi',
				data: {
					restEndpoint: emulator.restEndpoint,
					clientId: emulator.clientId,
					clientSecret: emulator.clientSecret,
				},
			},
		]);
		await n8n.importWorkflow(httpRequestWorkflow(emulator));
		await n8n.importWorkflow(ourWorkflow());
		const broken = new Set<string>();
		for (let r = 0; r < runs; r++) {
			for (const [workflow, lastNode] of [
				[HTTP_WORKFLOW, 'Extract From File'],
				[OUR_WORKFLOW, 'Marketo Bulk'],
			] as const) {
				if (broken.has(workflow)) continue;
				try {
					const e = await execute(n8n, userFolder, emulator, rssDir, workflow, lastNode);
					if (e.items !== rows)
						throw new Error(`${lastNode} output ${e.items} items, expected ${rows}`);
					executions.get(workflow)!.push(e);
					ctx.log(
						`    ${workflow} #${r + 1}: execution ${e.seconds.toFixed(2)} s, n8n execute ${e.processSeconds.toFixed(1)} s, peak RSS ${mb(e.peakRss)} (from ${mb(e.baselineRss)}), ${totalCalls(e.calls)} calls`,
					);
				} catch (error) {
					broken.add(workflow);
					ctx.report.fail(`2 n8n: ${workflow}`, error);
				}
			}
		}
	} finally {
		await emulator?.stop();
		folder?.remove();
		rmSync(rssDir, { recursive: true, force: true });
		if (!process.env.E2E_TARBALL) rmSync(dirname(tarball), { recursive: true, force: true });
	}
	summarize(ctx, version, install.nodeVersion, rows, executions);
}

function summarize(
	ctx: BenchContext,
	version: string,
	nodeVersion: string,
	rows: number,
	executions: Map<string, Execution[]>,
): void {
	const http = executions.get(HTTP_WORKFLOW)!;
	const ours = executions.get(OUR_WORKFLOW)!;
	const detail: string[][] = [];
	const med = (list: Execution[], f: (e: Execution) => number) => median(list.map(f));
	for (const [label, list] of [
		['HTTP Request ×5 + Wait/IF loop + Extract From File', http],
		['Marketo Bulk: Export, Records output', ours],
	] as const) {
		if (!list.length) continue;
		detail.push([
			label,
			secs(med(list, (e) => e.seconds)),
			secs(med(list, (e) => e.processSeconds)),
			mb(med(list, (e) => e.baselineRss)),
			mb(med(list, (e) => e.peakRss)),
			mb(med(list, (e) => e.peakRss - e.baselineRss)),
			mb(med(list, (e) => e.processPeakRss)),
			list.map(callText).join('; '),
		]);
	}
	ctx.report.detail({
		title: `Case 2, in n8n ${version} (Node ${nodeVersion}): ${rowsLabel(rows)} leads × 10 fields, median of ${Math.max(http.length, ours.length)} execution(s)`,
		header: [
			'Workflow',
			'Execution',
			'`n8n execute` process',
			'RSS at start',
			'Peak RSS during execution',
			'Growth',
			'Process peak (incl. printing the run)',
			'API calls',
		],
		rows: detail,
		notes: [
			`Job processing ${PROCESSING_MS / 1000} s on the emulator; both workflows poll every ${POLL_SECONDS} s. The \`n8n execute\` process includes n8n's start-up and printing the whole run data as JSON at the end, the same for both. Execution times and item counts are read from the execution n8n stored in its database. API calls per execution, in order: n8n keeps the token our credential fetched (preAuthentication) and reuses it while it is valid, so later executions of our node need no token call; the HTTP Request workflow fetches one every time.`,
		],
	});
	if (!http.length || !ours.length) {
		if (http.length || ours.length) {
			ctx.report.row({
				caseId: '2 n8n',
				measure: `${rowsLabel(rows)} rows in n8n`,
				ours: ours.length ? 'ok' : 'failed (see Broken)',
				baseline: http.length ? 'HTTP Request workflow ok' : 'HTTP Request workflow failed',
				verdict: 'failed',
			});
		}
		return;
	}
	const rowsFor = [
		['wall time of the execution', med(ours, (e) => e.seconds), med(http, (e) => e.seconds), secs],
		[
			'peak RSS of the n8n process during the execution',
			med(ours, (e) => e.peakRss),
			med(http, (e) => e.peakRss),
			mb,
		],
		[
			'RSS growth of the n8n process during the execution',
			med(ours, (e) => e.peakRss - e.baselineRss),
			med(http, (e) => e.peakRss - e.baselineRss),
			mb,
		],
	] as const;
	const perRun = (list: Execution[]) => list.map((e) => totalCalls(e.calls)).join(' / ');
	for (const [what, a, b, format] of rowsFor) {
		ctx.report.row({
			caseId: '2 n8n',
			measure: `${rowsLabel(rows)} rows, ${what}`,
			ours: format(a),
			baseline: `HTTP Request workflow ${format(b)}`,
			ratio: a / b,
			verdict: 'info',
		});
	}
	ctx.report.row({
		caseId: '2 n8n',
		measure: `${rowsLabel(rows)} rows, API calls per execution`,
		ours: perRun(ours),
		baseline: `HTTP Request workflow ${perRun(http)}`,
		ratio: med(ours, (e) => totalCalls(e.calls)) / med(http, (e) => totalCalls(e.calls)),
		verdict: 'info',
	});
}
