/**
 * Smoke test inside a REAL n8n, for each supported version (n8n 1.x on Node 20, 2.x on Node 24):
 * install the package exactly as the README's "from this repository" commands say (run as written, in a
 * copy of the working tree with a fresh HOME; the other suites install it as n8n installs a community
 * package), start n8n, check that our credential and node types
 * are registered without errors and that their icons are served; then import a credential pointing at the
 * Marketo emulator (a separate process) and a Manual Trigger → Marketo Bulk (Lead Export › List Jobs)
 * workflow, execute it headless and check it ran and fetched a token (preAuthentication inside n8n).
 *
 *   npx ts-node --transpile-only test/e2e/smoke.e2e.ts
 *   N8N_E2E_VERSIONS=2 E2E_TARBALL=/path/to/package.tgz E2E_KEEP=1 npx ts-node --transpile-only test/e2e/smoke.e2e.ts
 *
 * Exits non-zero when a step fails; each FAIL line names the n8n version and the step.
 */
import * as assert from 'assert';

import { createLeadExportJob, tokenCalls } from '../harness/emulator';
import { installAsReadmeSays, userFolderFrom } from '../harness/install';
import { nodeOutput, type WorkflowFixture } from '../harness/workflows';
import { emulatorCredential, runSuite, type VersionRun } from '../harness/suite';

const PACKAGE = 'n8n-nodes-marketo-bulk';
const CREDENTIAL_TYPE = 'marketoApi';
const NODE_TYPES = [`${PACKAGE}.marketoBulk`, `${PACKAGE}.marketoBulkTrigger`];
const CREDENTIAL_ID = 'e2eMarketoCred1';
const WORKFLOW_ID = 'e2eSmokeListJobs';
const NODE_NAME = 'Marketo Bulk';

function listJobsWorkflow(): WorkflowFixture {
	return {
		id: WORKFLOW_ID,
		name: 'E2E smoke: list lead export jobs',
		nodes: [
			{
				id: 'a0f0e2e0-0000-4000-8000-000000000001',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'a0f0e2e0-0000-4000-8000-000000000002',
				name: NODE_NAME,
				type: `${PACKAGE}.marketoBulk`,
				typeVersion: 1,
				position: [240, 0],
				parameters: { resource: 'leadExport', operation: 'listJobs' },
				credentials: { [CREDENTIAL_TYPE]: { id: CREDENTIAL_ID, name: 'Marketo (emulator)' } },
			},
		],
		connections: { Start: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] } },
	};
}

/** iconUrl is a string, or {light, dark} for themed icons. */
function iconUrls(value: unknown): string[] {
	if (typeof value === 'string') return [value];
	if (value && typeof value === 'object')
		return Object.values(value).filter((v): v is string => typeof v === 'string');
	return [];
}

async function smoke({ report, scope, n8n: instance, emulator }: VersionRun): Promise<void> {
	// scripts/test-e2e.sh installs n8n with npm_config_ignore_scripts=true: a native module that was not
	// compiled shows here, when n8n opens its database
	await report.step(scope, 'n8n opens its database (n8n list:workflow)', async () => {
		const listed = await instance.cli(['list:workflow']);
		assert.strictEqual(listed.code, 0, `n8n list:workflow: ${listed.stdout}${listed.stderr}`);
	});
	await report.step(scope, 'start n8n', () => instance.start());
	const nodes = await report.step(scope, 'node types registered', async () => {
		const types = await instance.nodeTypes();
		const ours = types.filter((t) => t.name.startsWith(`${PACKAGE}.`));
		for (const name of NODE_TYPES) {
			assert.ok(
				ours.some((t) => t.name === name),
				`${name} missing; ours: ${ours.map((t) => t.name).join(', ') || 'none'}`,
			);
		}
		return ours;
	});
	report.note(`registered: ${nodes.map((t) => t.name).join(', ')}`);
	const credentials = await report.step(scope, 'credential type registered', async () => {
		const types = await instance.credentialTypes();
		const ours = types.filter((t) => t.name === CREDENTIAL_TYPE);
		assert.strictEqual(ours.length, 1, `${CREDENTIAL_TYPE} missing`);
		const fields = ((ours[0].properties ?? []) as Array<{ name: string }>).map((p) => p.name);
		for (const field of ['restEndpoint', 'clientId', 'clientSecret', 'accessToken']) {
			assert.ok(
				fields.includes(field),
				`${CREDENTIAL_TYPE} has no field ${field} (has ${fields.join(', ')})`,
			);
		}
		return ours;
	});
	await report.step(scope, 'icons served', async () => {
		const urls = new Set([...nodes, ...credentials].flatMap((t) => iconUrls(t.iconUrl)));
		assert.ok(urls.size > 0, 'no iconUrl on our types');
		for (const url of urls) {
			const icon = await instance.getRaw(url);
			assert.strictEqual(icon.status, 200, `GET /${url} answered ${icon.status}`);
			assert.match(
				icon.contentType,
				/image\/svg\+xml/,
				`GET /${url}: content-type ${icon.contentType}`,
			);
			assert.match(icon.body.toString('utf8'), /<svg[\s>]/, `GET /${url} is not an SVG`);
		}
	});
	await report.step(scope, 'no package errors in log', () => {
		const problems = instance.problemsMentioning(PACKAGE);
		assert.deepStrictEqual(problems, [], `n8n logged:\n${problems.join('\n')}`);
		const loaded = instance.logMatching(
			new RegExp(`Loaded all credentials and nodes from ${PACKAGE}`),
		);
		if (loaded.length > 0) {
			assert.match(
				loaded[0],
				/"credentials": 1, "nodes": 2/,
				`unexpected load counts: ${loaded[0]}`,
			);
		}
	});
	await report.step(scope, 'stop n8n', () => instance.stop());

	await report.step(scope, 'import credential + workflow', async () => {
		await instance.importCredentials([
			emulatorCredential(emulator, { id: CREDENTIAL_ID, name: 'Marketo (emulator)' }),
		]);
		await instance.importWorkflow(listJobsWorkflow());
	});
	// a fresh emulator state, and a job of the same API user, created outside n8n, that List Jobs must return
	await emulator.control('POST', 'reset');
	const exportId = await createLeadExportJob(emulator);
	const tokensBefore = tokenCalls(await emulator.counters());
	const run = await report.step(scope, 'execute (leadExport › listJobs)', async () => {
		const result = await instance.execute(WORKFLOW_ID);
		assert.ok(result.ok, `execution failed: ${result.error}`);
		const runs = result.run?.data.resultData.runData[NODE_NAME];
		assert.ok(runs && runs.length > 0, `${NODE_NAME} did not run`);
		const items = nodeOutput(result.run, NODE_NAME);
		for (const item of items)
			assert.ok(!('error' in item), `item with error: ${JSON.stringify(item)}`);
		assert.ok(
			items.some((item) => item.exportId === exportId),
			`job ${exportId} not among the ${items.length} item(s): ${JSON.stringify(items).slice(0, 400)}`,
		);
		return result;
	});
	const items = nodeOutput(run.run, NODE_NAME);
	report.note(
		`${NODE_NAME} returned ${items.length} item(s)${items.length ? `, e.g. ${JSON.stringify(items[0]).slice(0, 160)}` : ''}`,
	);
	await report.step(scope, 'emulator saw a token request', async () => {
		const after = tokenCalls(await emulator.counters());
		assert.ok(
			after > tokensBefore,
			`token calls before ${tokensBefore}, after ${after}; execution took ${run.ms} ms`,
		);
	});
}

let readmeInstall = '';
runSuite({
	setup: async (report) => {
		readmeInstall = await report.step('setup', "install as the README's commands say", () =>
			installAsReadmeSays(),
		);
	},
	userFolder: () => userFolderFrom(readmeInstall),
	checks: smoke,
});
