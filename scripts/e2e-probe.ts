/**
 * Asks a REAL n8n (each e2e version) the questions our design depends on, with a throwaway probe package
 * (one credential, one node, plain JS, generated into a temp folder) instead of our package:
 *
 *  (a) what the credential test endpoint (the editor's "Test credential") answers when the credential's
 *      preAuthentication throws `new Error('…')` (and an Error with a description, an HTTP 401 inside it);
 *  (b) whether a node gets `this.getExecutionCancelSignal()` under `n8n execute`, and whether it fires
 *      (SIGTERM to `n8n execute`; "stop" of a manual run under `n8n start`);
 *  (c) what prepareBinaryData stores with N8N_DEFAULT_BINARY_DATA_MODE=filesystem, and without it.
 *
 *   npx ts-node --transpile-only scripts/e2e-probe.ts          (N8N_E2E_VERSIONS=2 for one version)
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';

import { e2eVersions, n8nInstall, prepareUserFolder } from '../test/harness/install';
import { N8n } from '../test/harness/n8n';
import { acquireN8nLock, sleep } from '../test/harness/processes';
import { nodeOutput } from '../test/harness/workflows';

const CREDENTIAL_JS = `'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
class ProbeApi {
	constructor() {
		this.name = 'probeApi';
		this.displayName = 'Probe API';
		this.properties = [
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
			{ displayName: 'Mode', name: 'mode', type: 'string', default: 'ok' },
			{ displayName: 'Token', name: 'token', type: 'hidden', typeOptions: { expirable: true }, default: '' },
		];
		this.authenticate = { type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.token}}' } } };
		this.test = { request: { baseURL: '={{$credentials.url}}', url: '/ok' } };
	}
	async preAuthentication(credentials) {
		if (credentials.mode === 'throw') throw new Error('some sentence');
		if (credentials.mode === 'throwWithDescription') {
			const error = new Error('short message');
			error.description = 'longer description';
			throw error;
		}
		if (credentials.mode === 'http401') await this.helpers.httpRequest({ url: credentials.url + '/401', method: 'POST' });
		return { token: 'tok' };
	}
}
exports.ProbeApi = ProbeApi;
`;

const NODE_JS = `'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const fs = require('fs');
const { Readable } = require('stream');
class Probe {
	constructor() {
		this.description = {
			displayName: 'Probe', name: 'probe', icon: 'file:probe.svg', group: ['transform'], version: 1,
			description: 'probe', defaults: { name: 'Probe' }, inputs: ['main'], outputs: ['main'],
			properties: [
				{ displayName: 'Wait (ms)', name: 'waitMs', type: 'number', default: 0 },
				{ displayName: 'Status File', name: 'statusFile', type: 'string', default: '' },
			],
		};
	}
	async execute() {
		const hasFn = typeof this.getExecutionCancelSignal === 'function';
		const signal = hasFn ? this.getExecutionCancelSignal() : undefined;
		const waitMs = this.getNodeParameter('waitMs', 0);
		const statusFile = this.getNodeParameter('statusFile', 0);
		let abortedAfterMs = null;
		if (waitMs > 0) {
			const started = Date.now();
			fs.writeFileSync(statusFile, 'waiting');
			abortedAfterMs = await new Promise((resolve) => {
				const timer = setTimeout(() => resolve(null), waitMs);
				if (signal) signal.addEventListener('abort', () => { clearTimeout(timer); resolve(Date.now() - started); });
			});
			fs.writeFileSync(statusFile, abortedAfterMs === null ? 'not aborted' : 'aborted after ' + abortedAfterMs + ' ms');
		}
		const csv = Readable.from([Buffer.from('a,b\\n1,2\\n')]);
		const binary = await this.helpers.prepareBinaryData(csv, 'x.csv', 'text/csv');
		return [[{
			json: {
				hasFn,
				signal: signal === undefined ? 'undefined' : Object.prototype.toString.call(signal),
				mode: this.getMode(),
				binaryId: binary.id ?? null,
				binaryData: String(binary.data).slice(0, 20),
				abortedAfterMs,
			},
			binary: { data: binary },
		}]];
	}
}
exports.Probe = Probe;
`;

function makeProbePackage(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-probe-pkg-'));
	const write = (file: string, text: string) => {
		fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
		fs.writeFileSync(path.join(dir, file), text);
	};
	write(
		'package.json',
		JSON.stringify({
			name: 'n8n-nodes-probe',
			version: '0.0.1',
			keywords: ['n8n-community-node-package'],
			files: ['dist'],
			n8n: {
				n8nNodesApiVersion: 1,
				credentials: ['dist/credentials/ProbeApi.credentials.js'],
				nodes: ['dist/nodes/Probe/Probe.node.js'],
			},
			peerDependencies: { 'n8n-workflow': '*' },
		}),
	);
	write('dist/credentials/ProbeApi.credentials.js', CREDENTIAL_JS);
	write('dist/nodes/Probe/Probe.node.js', NODE_JS);
	write(
		'dist/nodes/Probe/probe.svg',
		'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>',
	);
	const packed = spawnSync('npm', ['pack', '--json'], { cwd: dir, encoding: 'utf8' });
	if (packed.status !== 0) throw new Error(packed.stderr);
	return path.join(dir, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0].filename);
}

/** A server for the credential: 200 on /ok, 401 (OAuth-style body) on /401. */
function startServer(): Promise<{ url: string; close: () => void }> {
	const server = http.createServer((req, res) => {
		res.setHeader('content-type', 'application/json');
		if (req.url?.startsWith('/401')) {
			res.statusCode = 401;
			res.end(
				JSON.stringify({ error: 'invalid_client', error_description: 'Bad client credentials' }),
			);
		} else res.end('{"success":true}');
	});
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
		}),
	);
}

function workflow(id: string, waitMs: number, statusFile: string) {
	return {
		id,
		name: id,
		nodes: [
			{
				id: 'p0',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'p1',
				name: 'Probe',
				type: 'n8n-nodes-probe.probe',
				typeVersion: 1,
				position: [220, 0],
				parameters: { waitMs, statusFile },
			},
		],
		connections: { Start: { main: [[{ node: 'Probe', type: 'main', index: 0 }]] } },
	};
}

function say(version: string, topic: string, text: string): void {
	process.stdout.write(`${version.padEnd(9)} ${topic.padEnd(56)} ${text}\n`);
}

async function probe(version: string, tarball: string, serverUrl: string): Promise<void> {
	const install = n8nInstall(version);
	const folder = prepareUserFolder(version, tarball);
	const statusFile = path.join(folder.root, 'probe-status.txt');
	try {
		const n8n = await N8n.create(install, folder);
		await n8n.importWorkflow(workflow('probeQuick', 0, statusFile));
		await n8n.importWorkflow(workflow('probeWait', 15_000, statusFile));

		// (b) + (c) under `n8n execute`
		const quick = await n8n.execute('probeQuick');
		const out = nodeOutput(quick.run, 'Probe')[0] ?? { error: quick.error };
		say(
			version,
			'(b) execute: getExecutionCancelSignal',
			`${out.hasFn ? 'function' : 'missing'} → ${out.signal}`,
		);
		say(
			version,
			'(c) execute, mode=filesystem: binary',
			`id=${out.binaryId} data=${out.binaryData}`,
		);
		const unset = await N8n.create(install, folder, {
			env: { N8N_DEFAULT_BINARY_DATA_MODE: undefined },
		});
		const plain = nodeOutput((await unset.execute('probeQuick')).run, 'Probe')[0] ?? {};
		say(
			version,
			'(c) execute, mode unset: binary',
			`id=${plain.binaryId} data=${plain.binaryData}…`,
		);

		// (b) SIGTERM to `n8n execute` while the node waits
		fs.rmSync(statusFile, { force: true });
		const release = await acquireN8nLock(`probe ${version} execute+SIGTERM`);
		try {
			const child = spawn(
				install.nodeBin,
				[install.n8nBin, 'execute', '--id=probeWait', '--rawOutput'],
				{
					env: n8n.env(),
					stdio: 'ignore',
				},
			);
			const closed = new Promise<number | null>((resolve) =>
				child.on('close', (code) => resolve(code)),
			);
			for (let k = 0; k < 200 && !fs.existsSync(statusFile); k++) await sleep(100);
			const sent = Date.now();
			child.kill('SIGTERM');
			const code = await closed;
			const status = fs.existsSync(statusFile)
				? fs.readFileSync(statusFile, 'utf8')
				: 'node never ran';
			say(
				version,
				'(b) SIGTERM to n8n execute during the node',
				`exit ${code} after ${Date.now() - sent} ms; node: ${status}`,
			);
		} finally {
			release();
		}

		// (a) and (b) under `n8n start`
		await n8n.start();
		try {
			await n8n.setupOwner();
			for (const mode of ['throw', 'throwWithDescription', 'http401', 'ok']) {
				const data = { url: serverUrl, mode };
				const created = await n8n.rest<{ data?: { id?: string } }>('POST', '/rest/credentials', {
					name: `probe ${mode}`,
					type: 'probeApi',
					data,
				});
				const id = created.body.data?.id;
				const tested = await n8n.rest('POST', '/rest/credentials/test', {
					credentials: { id, name: `probe ${mode}`, type: 'probeApi', data },
				});
				say(version, `(a) credential test, preAuthentication ${mode}`, JSON.stringify(tested.body));
			}
			fs.rmSync(statusFile, { force: true });
			const stored = await n8n.rest<{ data: unknown }>('GET', '/rest/workflows/probeWait');
			const started = await n8n.rest<{ data?: { executionId?: string } }>(
				'POST',
				'/rest/workflows/probeWait/run',
				{
					workflowData: stored.body.data,
					triggerToStartFrom: { name: 'Start' },
				},
			);
			const executionId = started.body.data?.executionId;
			for (let k = 0; k < 200 && !fs.existsSync(statusFile); k++) await sleep(100);
			const stopped = await n8n.rest<{ data?: { status?: string } }>(
				'POST',
				`/rest/executions/${executionId}/stop`,
			);
			for (let k = 0; k < 50 && fs.readFileSync(statusFile, 'utf8') === 'waiting'; k++)
				await sleep(100);
			say(
				version,
				'(b) n8n start: stop a running manual execution',
				`execution ${stopped.body.data?.status}; node: ${fs.readFileSync(statusFile, 'utf8')}`,
			);
		} finally {
			await n8n.stop();
		}
	} finally {
		folder.remove();
	}
}

async function main(): Promise<void> {
	const tarball = makeProbePackage();
	const server = await startServer();
	try {
		for (const version of e2eVersions()) {
			try {
				await probe(version, tarball, server.url);
			} catch (error) {
				say(version, 'probe failed', error instanceof Error ? error.message : String(error));
				process.exitCode = 1;
			}
		}
	} finally {
		server.close();
		fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	}
}

void main();
