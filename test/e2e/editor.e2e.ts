/**
 * The n8n editor as a user sees our package, in a REAL n8n for each supported version (1.x on Node 20, 2.x on
 * Node 24), driven by Chromium (Debian's, through playwright-core): sign in through the form, open the example
 * workflows and a workflow with every panel of ours, open each panel (Marketo Bulk › Lead Export, Activity
 * Export, Program Member Export, Custom Object Export, Lead Import, Program Member Import, Custom Object Import,
 * the Marketo Bulk Trigger's events) and the Marketo API credential form,
 * search the node panel for "Marketo" and add both nodes from it. Screenshots go to artifacts/e2e/<version>/.
 *
 * A step fails on: a console error or uncaught exception in the page (except the n8n noise listed in
 * editor/browser.ts KNOWN_NOISE), an icon of ours that does not load (naturalWidth 0), a node n8n shows as
 * unknown ("?" on the canvas, "Install this node to use it" in its panel). A control workflow with a node type
 * our package does not have proves these checks can fail.
 *
 *   npx ts-node --transpile-only test/e2e/editor.e2e.ts
 *   N8N_E2E_VERSIONS=2 E2E_TARBALL=/path/to/package.tgz npx ts-node --transpile-only test/e2e/editor.e2e.ts
 *
 * Needs Chromium (`apt-get install chromium`, or CHROMIUM_PATH=…). Exits non-zero when a step fails.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, Locator, Page } from 'playwright-core';

import { loadExamples } from '../../scripts/demo';
import { chromiumPath, ConsoleErrors, KNOWN_NOISE, launchChromium, pathOf } from './editor/browser';
import { Editor, OUR_ICON, type ImgElement } from './editor/editor';
import {
	ALL_NODES_ID,
	allNodesWorkflow,
	BAD_CREDENTIALS,
	BAD_CREDENTIALS_ID,
	badCredentialsWorkflow,
	OLD_EXPORT_ID,
	PACKAGE,
	PANELS,
	TOO_MANY_PROGRAM_IDS,
	UNKNOWN_NODE_ID,
	unknownNodeWorkflow,
} from './editor/fixtures';
import {
	createLeadExportJob,
	emulatorChannelStatuses,
	emulatorCustomObjectDescribe,
	emulatorCustomObjects,
	emulatorDescribes,
	type EmulatorCustomObject,
	emulatorJobs,
	emulatorPrograms,
	enqueueLeadExportJob,
} from '../harness/emulator';
import { OWNER } from '../harness/n8n';
import { firstFreePort, REPO_ROOT, sleep, tail } from '../harness/processes';
import type { WorkflowFixture } from '../harness/workflows';
import { StepFailure } from '../harness/report';
import { emulatorCredential, runSuite, type VersionRun } from '../harness/suite';

const VIEWPORT = { width: 1440, height: 1800 };

/**
 * A resource mapper in Map Each Column Manually shows this required field (by its label) and flags it, and
 * only it, while it is empty.
 */
async function onlyFlaggedField(ndv: Locator, label: string, name: string): Promise<void> {
	const mapper = ndv.locator('[data-test-id="resource-mapper-container"]');
	await mapper.getByText(label).first().waitFor({ state: 'visible', timeout: 40_000 });
	const issues = mapper.locator('[data-test-id="parameter-issues"]');
	assert.strictEqual(await issues.count(), 1, 'required fields flagged empty in the mapper');
	const flagged = await issues
		.first()
		.locator(`xpath=ancestor::*[.//text()[contains(., "(${name})")]][1]`)
		.count();
	assert.strictEqual(flagged, 1, `the flagged field is not ${label}`);
}

async function editorCheck({
	report,
	scope,
	version,
	n8n: instance,
	emulator,
}: VersionRun): Promise<void> {
	let browser: Browser | undefined;
	const shotsDir = path.join(REPO_ROOT, 'artifacts', 'e2e', version);
	fs.rmSync(shotsDir, { recursive: true, force: true });
	try {
		const { examples, credentials } = loadExamples(path.join(REPO_ROOT, 'examples'));
		const credential = credentials[0];
		await report.step(
			scope,
			`import credential + ${examples.length} examples + 2 workflows`,
			async () => {
				const good = credentials.map((c) => emulatorCredential(emulator, c));
				// a port nothing listens on, and the emulator's endpoint without its http:// (https:// is assumed)
				const closedPort = await firstFreePort(47_000);
				await instance.importCredentials([
					...good,
					{
						...emulatorCredential(emulator, BAD_CREDENTIALS.unreachable),
						data: { ...good[0].data, restEndpoint: `http://127.0.0.1:${closedPort}/rest` },
					},
					{
						...emulatorCredential(emulator, BAD_CREDENTIALS.noScheme),
						data: {
							...good[0].data,
							restEndpoint: emulator.restEndpoint.replace(/^http:\/\//, ''),
						},
					},
				]);
				const workflows: WorkflowFixture[] = [
					...examples.map((e) => e.workflow),
					allNodesWorkflow(credential),
					badCredentialsWorkflow(),
					unknownNodeWorkflow(),
				];
				const file = path.join(instance.folder.root, 'editor-workflows.json');
				fs.writeFileSync(file, JSON.stringify(workflows, null, 2));
				const result = await instance.cli(['import:workflow', `--input=${file}`]);
				assert.strictEqual(result.code, 0, tail(result.stdout + result.stderr, 20));
			},
		);
		await report.step(scope, 'start n8n + owner', async () => {
			await instance.start();
			await instance.setupOwner(OWNER);
		});

		browser = await report.step(scope, 'launch Chromium', () => launchChromium());
		const page: Page = await browser.newPage({ viewport: VIEWPORT });
		page.setDefaultTimeout(20_000);
		const consoleErrors = new ConsoleErrors(page);
		// a check that changed a parameter (a program picked) leaves the workflow unsaved: leaving it discards
		// the change instead of staying on the page; any other dialog is dismissed, as Playwright does by default
		page.on(
			'dialog',
			(dialog) => void (dialog.type() === 'beforeunload' ? dialog.accept() : dialog.dismiss()),
		);
		const editor = new Editor(page, instance.baseUrl, shotsDir);

		/** A UI step: fails on console errors raised meanwhile; after a failure the next steps still run. */
		const ui = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
			consoleErrors.step = name;
			const mark = consoleErrors.mark();
			try {
				return await report.step(scope, name, async () => {
					const value = await fn();
					await page.waitForTimeout(300); // late console errors of this step
					const errors = consoleErrors.since(mark);
					if (errors.length > 0) {
						throw new Error(
							`${errors.length} console error(s) in the page:\n${consoleErrors.format(errors)}`,
						);
					}
					return value;
				});
			} catch (error) {
				if (!(error instanceof StepFailure)) throw error;
				await editor.screenshot(`FAILED ${name}`).catch(() => undefined);
				// start the next step from a clean page
				await page.keyboard.press('Escape').catch(() => undefined);
				return undefined;
			}
		};

		const signedIn = await ui('sign in through the form', async () => {
			await editor.signIn(OWNER);
			return true;
		});
		if (!signedIn) throw new StepFailure('cannot go on without a session');

		// The editor previews a job step's output from the schema the package ships, as for n8n's own nodes
		await ui("output schemas: n8n serves the package's __schema__ files", async () => {
			const schemaDir = path.join(REPO_ROOT, 'nodes', 'MarketoBulk', '__schema__', 'v1.0.0');
			const shipped = fs
				.readdirSync(schemaDir, { recursive: true })
				.map(String)
				.filter((f) => f.endsWith('.json'))
				.map((f) =>
					f
						.replace(/\.json$/, '')
						.split(path.sep)
						.join('/'),
				);
			assert.ok(shipped.includes('leadExport/getJobStatus'), `shipped: ${shipped.join(', ')}`);
			const get = (file: string, version = '1.0.0') =>
				page.evaluate(async (url) => {
					const response = await fetch(url);
					return { status: response.status, body: await response.text() };
				}, `${instance.baseUrl}/schemas/${PACKAGE}.marketoBulk/${version}/${file}.json`);
			// each node version's (n8n asks with the node's version; 1.1 outputs what 1 does)
			for (const version of ['1.0.0', '1.1.0']) {
				for (const file of shipped) {
					const { status, body } = await get(file, version);
					assert.strictEqual(status, 200, `${version}/${file}: HTTP ${status}`);
					assert.strictEqual((JSON.parse(body) as { type?: string }).type, 'object', file);
				}
			}
			// control: an operation without a fixed output shape has none
			assert.strictEqual((await get('leadExport/export')).status, 404);
			report.note(`${shipped.length} output schemas served: ${shipped.join(', ')}`);
		});

		for (const example of examples) {
			await ui(`example opens: ${example.file}`, async () => {
				await editor.openWorkflow(example.workflow.id);
				const { ours, problems } = await editor.canvasProblems();
				await editor.screenshot(`example ${example.file}`);
				assert.ok(ours.length > 0, 'no node of our package on the canvas');
				assert.deepStrictEqual(problems, []);
				report.note(`${ours.length} node(s) of ours: ${ours.map((n) => n.name).join(', ')}`);
			});
		}

		await ui('control: an unknown node type is flagged', async () => {
			await editor.openWorkflow(UNKNOWN_NODE_ID);
			const { problems } = await editor.canvasProblems();
			assert.ok(problems.length > 0, 'the canvas check did not flag a node type n8n does not know');
			await editor.openNode('Not Installed', { parameters: false });
			const ndvProblems = await editor.ndvProblems();
			assert.ok(
				ndvProblems.length > 0,
				'the panel check did not flag a node type n8n does not know',
			);
			await editor.screenshot('control unknown node');
			await editor.closeNdv();
			report.note(`flagged as expected: ${[...problems, ...ndvProblems].join('; ')}`);
		});

		await ui('workflow with every panel opens', async () => {
			await editor.openWorkflow(ALL_NODES_ID);
			const { ours, problems } = await editor.canvasProblems();
			await editor.screenshot('every panel workflow');
			assert.strictEqual(ours.length, Object.keys(PANELS).length, 'nodes of ours on the canvas');
			assert.deepStrictEqual(problems, []);
			// Subtitles name the operation or event, as the panel does (not "export: leadExport").
			const subtitles: Record<string, string> = {
				[PANELS.leadExport]: 'Export leads',
				[PANELS.activityExport]: 'Export activities',
				[PANELS.leadImport]: 'Import leads',
				[PANELS.programMemberExport]: 'Export program members',
				[PANELS.programMemberImport]: 'Import program members',
				[PANELS.triggerMembers]: 'Program Member Changes',
				[PANELS.customObjectExport]: 'Export custom object records',
				[PANELS.customObjectImport]: 'Import custom object records',
				[PANELS.triggerCustomObjects]: 'Custom Object Changes',
				[PANELS.trigger]: 'New Leads',
				[PANELS.triggerJobs]: 'Export Job Completed',
			};
			for (const [name, subtitle] of Object.entries(subtitles)) {
				const node = ours.find((n) => n.name === name);
				assert.ok(node?.text.includes(subtitle), `"${name}" shows: ${node?.text}`);
			}
		});

		/**
		 * Opens a panel, checks it, takes its screenshots, runs `more` while it is open, checks what "Add
		 * Option" offers (`options`: labels that must and must not be there), closes it.
		 */
		const panel = (
			title: string,
			nodeName: string,
			more?: (ndv: ReturnType<Page['locator']>) => Promise<void>,
			expected: { shown?: string[]; hidden?: string[] } = {},
		) =>
			ui(`panel: ${title}`, async () => {
				const ndv = await editor.openNode(nodeName);
				const problems = await editor.ndvProblems();
				await editor.screenshot(`panel ${title}`, ndv.locator('[data-test-id="node-parameters"]'));
				assert.deepStrictEqual(problems, []);
				try {
					if (more) await more(ndv);
					// what "Add Option" offers (for the record: labels and order as users see them)
					const addOption = ndv.locator(
						// visible only: a panel may keep a hidden one (Get Job Status, Get Import Status)
						'[data-test-id="node-parameters"] input[placeholder="Add Option"]:visible',
					);
					if ((await addOption.count()) > 0) {
						await addOption.first().click();
						await page
							.locator('.el-select-dropdown__item:visible')
							.first()
							.waitFor({ state: 'visible' });
						const options = await editor.visibleOptions();
						await editor.screenshot(
							`panel ${title} options`,
							ndv.locator('[data-test-id="node-parameters"]'),
						);
						report.note(`Add Option: ${options.join(' | ')}`);
						await page.keyboard.press('Escape');
						for (const label of expected.shown ?? [])
							assert.ok(options.includes(label), `"${label}" is not offered`);
						for (const label of expected.hidden ?? [])
							assert.ok(!options.includes(label), `"${label}" is offered but does not apply`);
					} else {
						assert.ok(!expected.shown?.length, 'the panel has no "Add Option"');
					}
				} finally {
					await editor.closeNdv();
				}
			});

		// Records output (the default): the file options and (leads) Flatten Attributes do not apply.
		await panel(
			'Marketo Bulk › Lead Export',
			PANELS.leadExport,
			async (ndv) => {
				// the date range rule shows under End, not only in its tooltip
				const hint = ndv.getByText('Not included: for all of January, End is 2026-02-01');
				assert.ok(await hint.first().isVisible(), 'End does not say that it is not included');
			},
			{
				shown: ['Max Items', 'Typed Values', 'Poll Interval (Seconds)'],
				hidden: ['Binary Property', 'File Encoding', 'Flatten Attributes'],
			},
		);
		await ui('Lead Export: Fields lists Marketo fields (loadOptions)', async () => {
			const ndv = await editor.openNode(PANELS.leadExport);
			try {
				// n8n 2.x sometimes lets the first click land while the panel is still settling and opens no
				// dropdown: click again until the dropdown shows anything (items, "Loading", "No data").
				const input = ndv.locator('[data-test-id="parameter-input-fields"]');
				const dropdown = page.locator(
					'.el-select-dropdown:visible, .el-select-dropdown__item:visible',
				);
				for (let attempt = 0; attempt < 4; attempt++) {
					await input.click();
					const opened = await dropdown
						.first()
						.waitFor({ state: 'visible', timeout: 5_000 })
						.then(
							() => true,
							() => false,
						);
					if (opened) break;
				}
				// The list comes from Marketo through n8n (loadOptions): give a busy machine time.
				await page
					.locator('.el-select-dropdown__item:visible')
					.filter({ hasText: '(email)' })
					.first()
					.waitFor({ state: 'visible', timeout: 40_000 })
					.catch(async (error: Error) => {
						const shown = await editor.visibleOptions();
						throw new Error(`${error.message}\nshown instead: ${shown.join(' | ') || 'nothing'}`);
					});
				const options = await editor.visibleOptions();
				await editor.screenshot('Lead Export fields options');
				assert.ok(options.length >= 5, `only ${options.length} option(s): ${options.join(' | ')}`);
				report.note(`${options.length} field options, e.g. ${options.slice(0, 4).join(' | ')}`);
				await page.keyboard.press('Escape');
			} finally {
				await editor.closeNdv();
			}
		});
		await panel(
			'Marketo Bulk › Lead Export (Static List filter)',
			PANELS.leadExportStaticList,
			async (ndv) => {
				await ndv
					.locator(
						'[data-test-id="resource-locator-staticList"] [data-test-id="rlc-input-container"]',
					)
					.click();
				const items = page.locator('[data-test-id="rlc-item"]');
				await items.first().waitFor({ state: 'visible', timeout: 15_000 });
				const names = (await items.allInnerTexts()).map((t) => t.trim());
				await editor.screenshot('Static List picker');
				assert.ok(names.length > 0, 'the Static List picker lists no list');
				report.note(
					`Static List picker: ${names.length} lists, e.g. ${names.slice(0, 3).join(' | ')}`,
				);
				await page.keyboard.press('Escape');
			},
		);
		await panel('Marketo Bulk › Activity Export', PANELS.activityExport, undefined, {
			shown: ['Flatten Attributes', 'Max Items'],
			hidden: ['Binary Property', 'File Encoding'],
		});
		/** Opens the dropdown of a multi-select (n8n 2.x may swallow the first click while the panel settles). */
		const openDropdown = async (input: ReturnType<Page['locator']>) => {
			const dropdown = page.locator(
				'.el-select-dropdown:visible, .el-select-dropdown__item:visible',
			);
			for (let attempt = 0; attempt < 4; attempt++) {
				await input.click();
				const opened = await dropdown
					.first()
					.waitFor({ state: 'visible', timeout: 5_000 })
					.then(
						() => true,
						() => false,
					);
				if (opened) return;
			}
		};
		/**
		 * The Status Names options (or another status list's: `parameter`) once loaded (each option's text starts with its status, a description
		 * naming its programs may follow), as status names: each option matched to the longest of `known`.
		 */
		const statusOptions = async (
			ndv: ReturnType<Page['locator']>,
			known: string[],
			parameter = 'statusNames',
		) => {
			await openDropdown(ndv.locator(`[data-test-id="parameter-input-${parameter}"]`));
			// any known status: a program's channel may lack the first one
			const anyKnown = new RegExp(
				known.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
			);
			await page
				.locator('.el-select-dropdown__item:visible')
				.filter({ hasText: anyKnown })
				.first()
				.waitFor({ state: 'visible', timeout: 40_000 })
				.catch(async (error: Error) => {
					const shown = await editor.visibleOptions();
					throw new Error(`${error.message}\nshown instead: ${shown.join(' | ') || 'nothing'}`);
				});
			const options = await editor.visibleOptions();
			await page.keyboard.press('Escape');
			const bySize = [...known].sort((a, b) => b.length - a.length);
			return options.map(
				(option) =>
					bySize.find((name) => option === name || option.startsWith(`${name} `)) ??
					`(unknown: ${option})`,
			);
		};

		// Program Member Export: the resource is offered and shown; Records options as for leads
		await panel(
			'Marketo Bulk › Program Member Export',
			PANELS.programMemberExport,
			async (ndv) => {
				const resource = ndv.locator('[data-test-id="parameter-input-resource"]');
				const values = await resource
					.locator('input')
					.evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value));
				const shown = `${await resource.innerText()} ${values.join(' ')}`;
				assert.ok(/Program Member Export/.test(shown), `Resource shows: ${shown}`);
				const text = await ndv.locator('[data-test-id="node-parameters"]').innerText();
				for (const label of [
					'Programs',
					'Status Names',
					'Exhausted',
					'Nurture Cadence',
					'Updated At',
				])
					assert.ok(text.includes(label), `no "${label}" in the panel`);
			},
			{
				shown: ['Max Items', 'Typed Values', 'Poll Interval (Seconds)'],
				hidden: ['Binary Property', 'File Encoding', 'Flatten Attributes'],
			},
		);
		// The program picker lists the emulator's programs; Status Names lists every channel's statuses until a
		// program is chosen, then that program's channel's statuses only, in progression order
		await ui('Program Member Export: program picker, then its statuses', async () => {
			const programs = await emulatorPrograms(emulator);
			const channels = await emulatorChannelStatuses(emulator);
			const webinar = programs.find((p) => p.channel === 'Webinar');
			assert.ok(webinar, `no webinar program among ${JSON.stringify(programs)}`);
			const everyStatus = [...new Set([...channels.values()].flat())];
			const webinarStatuses = channels.get(webinar.channel) ?? [];
			assert.ok(
				everyStatus.length > webinarStatuses.length,
				'every channel has the same statuses: the check proves less',
			);
			const ndv = await editor.openNode(PANELS.programMemberExport);
			try {
				const before = await statusOptions(ndv, everyStatus);
				assert.deepStrictEqual(
					[...before].sort(),
					[...everyStatus].sort(),
					'Status Names before a program is chosen',
				);

				const picker = ndv.locator('[data-test-id="resource-locator-program"]');
				await picker.locator('[data-test-id="rlc-input-container"]').click();
				const items = page.locator('[data-test-id="rlc-item"]');
				await items
					.first()
					.waitFor({ state: 'visible', timeout: 20_000 })
					.catch(async (error: Error) => {
						const shown = await page
							.locator('[data-test-id="rlc-error-container"]')
							.allInnerTexts()
							.catch(() => []);
						throw new Error(`${error.message}\nshown instead: ${shown.join(' | ') || 'nothing'}`);
					});
				const names = (await items.allInnerTexts()).map((t) => t.trim());
				await editor.screenshot('Program picker', ndv.locator('[data-test-id="node-parameters"]'));
				assert.deepStrictEqual(
					[...names].sort(),
					programs.map((p) => p.name).sort(),
					"the picker vs. the emulator's programs",
				);
				await items.filter({ hasText: webinar.name }).first().click();
				await page.waitForLoadState('networkidle').catch(() => undefined);

				// the list reloads once the choice reaches n8n: read it again until it changed (or 30 s passed)
				let after = await statusOptions(ndv, everyStatus);
				for (let k = 0; k < 15 && after.length === before.length; k++) {
					await sleep(2_000);
					after = await statusOptions(ndv, everyStatus);
				}
				await editor.screenshot(
					'Status Names of the webinar',
					ndv.locator('[data-test-id="node-parameters"]'),
				);
				assert.deepStrictEqual(after, webinarStatuses, `Status Names of "${webinar.name}"`);
				report.note(
					`${names.length} programs listed; Status Names: ${before.length} of every channel, then ` +
						`${after.length} of "${webinar.name}": ${after.join(', ')}`,
				);
			} finally {
				await editor.closeNdv();
			}
		});
		// More than 10 programs: Execute step fails at once, saying so, and nothing reaches Marketo
		await ui('Program Member Export: 11 programs are refused, saying so', async () => {
			const create = 'POST /bulk/v1/program/members/export/create.json';
			const createsBefore = (await emulator.counters())[create] ?? 0;
			const ndv = await editor.openNode(PANELS.programMemberExportTooMany);
			try {
				await ndv.locator('[data-test-id="node-execute-button"]').first().click();
				const message = ndv.getByText(/at most 10 programs per job/);
				await message
					.first()
					.waitFor({ state: 'visible', timeout: 60_000 })
					.catch(async (error: Error) => {
						throw new Error(`${error.message}\nthe panel says: ${await ndv.innerText()}`);
					});
				const said = (await message.first().innerText()).trim();
				await editor.screenshot('11 programs refused', ndv);
				assert.match(said, new RegExp(`${TOO_MANY_PROGRAM_IDS.length} were given`));
				assert.strictEqual(
					(await emulator.counters())[create] ?? 0,
					createsBefore,
					'a program member export job was created',
				);
				report.note(`the panel says: ${said}`);
			} finally {
				await editor.closeNdv();
			}
		});
		await panel('Marketo Bulk › Lead Import', PANELS.leadImport, async (ndv) => {
			// Map Automatically: our notice says how matching really works (n8n's own asks for equal names)
			const autoMap = ndv.getByText('"first_name" and "firstName" all fill First Name');
			assert.ok(
				await autoMap.first().isVisible(),
				'no notice on how Map Automatically matches input fields',
			);
			const notice = ndv.locator('[data-test-id="empty-fields-notice"]');
			if (await notice.isVisible()) {
				report.note(
					`UI finding: the Lead Import panel shows "${(await notice.innerText()).trim()}" although ` +
						"Marketo returned fields (n8n shows a resource mapper's emptyFieldsNotice whenever the " +
						'method returns one, also in Map Automatically mode)',
				);
			}
		});
		// Map Each Column Manually: the notice on automatic matching is gone (its condition reads the mapper's mode)
		await panel(
			'Marketo Bulk › Lead Import, Map Each Column Manually',
			PANELS.leadImportManual,
			async (ndv) => {
				const autoMap = ndv.getByText('"first_name" and "firstName" all fill First Name');
				assert.strictEqual(await autoMap.count(), 0, 'the Map Automatically notice is shown');
				// the Lookup Field (Email) is required: always in the mapper, flagged while empty
				await onlyFlaggedField(ndv, 'Email Address (email)', 'email');
				report.note('"Email Address (email)", the Lookup Field, shown and flagged while empty');
			},
		);
		// Program Member Import, Map Each Column Manually: the mapper offers what an import may write, read
		// from the emulator's describes (the program member fields it lets write, then the lead fields it does
		// not mark read-only), and Email, Marketo's dedupe key for program members, is required
		const mapperFields = page.waitForResponse(
			(r) => /\/rest\/dynamic-node-parameters\/resource-mapper-fields/.test(r.url()),
			{ timeout: 90_000 },
		);
		mapperFields.catch(() => undefined); // awaited in the step; a panel that fails first leaves it
		await panel(
			'Marketo Bulk › Program Member Import, Map Each Column Manually',
			PANELS.programMemberImport,
			async (ndv) => {
				const { leads, members } = await emulatorDescribes(emulator);
				const writable = members.filter((f) => f.updateable === true);
				const memberNames = new Set(writable.map((f) => f.name));
				const expected = [
					...writable,
					...leads.filter((f) => f.updateable !== false && !memberNames.has(f.name)),
				];
				const label = (f: { name: string; displayName?: string }) =>
					!f.displayName || f.displayName === f.name ? f.name : `${f.displayName} (${f.name})`;
				assert.ok(writable.length > 0, 'the emulator describes no writable program member field');

				// what n8n got from the node's resource mapper method
				const answer = (await (await mapperFields).json()) as {
					data?: { fields?: Array<{ id: string; displayName: string; required?: boolean }> };
				};
				const fields = answer.data?.fields ?? [];
				assert.deepStrictEqual(
					fields.map((f) => `${f.id}: ${f.displayName}`).sort(),
					expected.map((f) => `${f.name}: ${label(f)}`).sort(),
					'Fields to Import vs. what the describes say an import writes',
				);
				assert.deepStrictEqual(
					fields.filter((f) => f.required).map((f) => f.id),
					['email'],
					'required fields',
				);

				// what the panel shows: Email, required (always in the mapper, flagged while empty); the other fields
				// wait under "Add field" (a dropdown in 1.x, a button adding one at a time in 2.x: not read here)
				const email = label(expected.find((f) => f.name === 'email')!);
				await onlyFlaggedField(ndv, email, 'email');
				await editor.screenshot(
					'Program Member Import fields',
					ndv.locator('[data-test-id="node-parameters"]'),
				);
				report.note(
					`Fields to Import: ${fields.length} (${writable.length} program member fields: ` +
						`${writable.map((f) => f.name).join(', ')}); "${email}" shown, flagged while empty`,
				);
			},
		);
		// The program picker lists the emulator's programs; Status lists every channel's statuses until a
		// program is chosen, then that program's channel's only, and another channel's for a program of it
		await ui('Program Member Import: program picker, then its statuses', async () => {
			const programs = await emulatorPrograms(emulator);
			const channels = await emulatorChannelStatuses(emulator);
			const everyStatus = [...new Set([...channels.values()].flat())];
			const webinar = programs.find((p) => p.channel === 'Webinar');
			const statusesOf = (p: { channel: string }) => channels.get(p.channel) ?? [];
			const other = programs.find(
				(p) => webinar && statusesOf(p).join() !== statusesOf(webinar).join(),
			);
			assert.ok(
				webinar && other,
				`no two programs of different channels: ${JSON.stringify(programs)}`,
			);
			const ndv = await editor.openNode(PANELS.programMemberImport);
			try {
				const status = (previous?: string[]) =>
					statusOptions(ndv, everyStatus, 'programMemberStatus').then(async (first) => {
						// the list reloads once the choice reaches n8n: read it again until it changed (or 30 s passed)
						let options = first;
						for (let k = 0; k < 15 && previous && options.join() === previous.join(); k++) {
							await sleep(2_000);
							options = await statusOptions(ndv, everyStatus, 'programMemberStatus');
						}
						return options;
					});
				const before = await status();
				assert.deepStrictEqual(
					[...before].sort(),
					[...everyStatus].sort(),
					'Status before a program is chosen',
				);

				const picker = ndv.locator('[data-test-id="resource-locator-program"]');
				const choose = async (name: string) => {
					await picker.locator('[data-test-id="rlc-input-container"]').click();
					const items = page.locator('[data-test-id="rlc-item"]');
					await items
						.first()
						.waitFor({ state: 'visible', timeout: 20_000 })
						.catch(async (error: Error) => {
							const shown = await page
								.locator('[data-test-id="rlc-error-container"]')
								.allInnerTexts()
								.catch(() => []);
							throw new Error(`${error.message}\nshown instead: ${shown.join(' | ') || 'nothing'}`);
						});
					const names = (await items.allInnerTexts()).map((t) => t.trim());
					await items.filter({ hasText: name }).first().click();
					await page.waitForLoadState('networkidle').catch(() => undefined);
					return names;
				};
				const names = await choose(webinar.name);
				assert.deepStrictEqual(
					[...names].sort(),
					programs.map((p) => p.name).sort(),
					"the picker vs. the emulator's programs",
				);
				const ofWebinar = await status(before);
				assert.deepStrictEqual(ofWebinar, statusesOf(webinar), `Status of "${webinar.name}"`);
				await choose(other.name);
				const ofOther = await status(ofWebinar);
				await editor.screenshot(
					'Program Member Import status of another channel',
					ndv.locator('[data-test-id="node-parameters"]'),
				);
				assert.deepStrictEqual(ofOther, statusesOf(other), `Status of "${other.name}"`);
				report.note(
					`${names.length} programs listed; Status: ${before.length} of every channel, then ` +
						`"${webinar.name}" (${webinar.channel}): ${ofWebinar.join(', ')}; then "${other.name}" ` +
						`(${other.channel}): ${ofOther.join(', ')}`,
				);
			} finally {
				await editor.closeNdv();
			}
		});
		/** A custom object as a picker or a field list names it: "Display Name (name)", the name alone when equal. */
		const label = (f: { name: string; displayName?: string }) =>
			!f.displayName || f.displayName === f.name ? f.name : `${f.displayName} (${f.name})`;
		/** Opens a resource locator's list; returns the names it lists, after clicking the one containing `choose`. */
		const pickFrom = async (
			ndv: ReturnType<Page['locator']>,
			parameter: string,
			choose: string,
		): Promise<string[]> => {
			const picker = ndv.locator(`[data-test-id="resource-locator-${parameter}"]`);
			await picker.locator('[data-test-id="rlc-input-container"]').click();
			const items = page.locator('[data-test-id="rlc-item"]');
			await items
				.first()
				.waitFor({ state: 'visible', timeout: 20_000 })
				.catch(async (error: Error) => {
					const shown = await page
						.locator('[data-test-id="rlc-error-container"]')
						.allInnerTexts()
						.catch(() => []);
					throw new Error(`${error.message}\nshown instead: ${shown.join(' | ') || 'nothing'}`);
				});
			const names = (await items.allInnerTexts()).map((t) => t.trim());
			await items.filter({ hasText: choose }).first().click();
			await page.waitForLoadState('networkidle').catch(() => undefined);
			return names;
		};
		const linkedToLead = (o: EmulatorCustomObject) =>
			o.relationships.some((r) => r.relatedTo?.name?.toLowerCase() === 'lead');

		// Custom Object Export: the picker lists the custom objects Marketo can bulk export (those linked to
		// leads), and Fields then lists the chosen object's describe fields
		await ui('Custom Object Export: object picker, then its fields', async () => {
			const objects = await emulatorCustomObjects(emulator);
			const exportable = objects.filter(linkedToLead);
			const car = await emulatorCustomObjectDescribe(emulator, 'car_c');
			assert.ok(exportable.length > 1, `custom objects linked to leads: ${exportable.length}`);
			const expectedFields = car.fields.map(label);
			const ndv = await editor.openNode(PANELS.customObjectExport);
			try {
				const names = await pickFrom(ndv, 'customObject', '(car_c)');
				assert.deepStrictEqual(
					[...names].sort(),
					exportable.map(label).sort(),
					"the picker vs. the emulator's custom objects linked to leads",
				);
				// Fields reloads once the choice reaches n8n: reopen it until a field of the object shows
				const input = ndv.locator('[data-test-id="parameter-input-fields"]');
				const vin = page.locator('.el-select-dropdown__item:visible').filter({ hasText: '(vin)' });
				let shown = false;
				for (let attempt = 0; attempt < 4 && !shown; attempt++) {
					await openDropdown(input);
					shown = await vin
						.first()
						.waitFor({ state: 'visible', timeout: 10_000 })
						.then(
							() => true,
							() => false,
						);
					if (!shown) await page.keyboard.press('Escape');
				}
				const options = await editor.visibleOptions();
				await editor.screenshot(
					'Custom Object Export fields of car_c',
					ndv.locator('[data-test-id="node-parameters"]'),
				);
				await page.keyboard.press('Escape');
				// an option's text starts with its label; its description (the data type) may follow
				const bySize = [...expectedFields].sort((a, b) => b.length - a.length);
				const fields = options.map(
					(o) => bySize.find((l) => o === l || o.startsWith(`${l} `)) ?? `(unknown: ${o})`,
				);
				assert.deepStrictEqual(
					[...fields].sort(),
					[...expectedFields].sort(),
					"Fields vs. car_c's describe",
				);
				report.note(
					`Custom Object picker: ${names.join(' | ')}; Fields of car_c: ${fields.join(', ')}`,
				);
			} finally {
				await editor.closeNdv();
			}
		});
		// Custom Object Import, Map Each Column Manually: the picker lists every custom object; once one is
		// chosen the mapper offers the fields of its describe an import can write, its dedupe fields required
		await ui('Custom Object Import: object picker, then its fields in the mapper', async () => {
			const apiName = 'course_enrollment_c';
			const objects = await emulatorCustomObjects(emulator);
			const described = await emulatorCustomObjectDescribe(emulator, apiName);
			const links = new Set(described.relationships.map((r) => r.field));
			const writable = described.fields.filter((f) => f.updateable !== false);
			assert.ok(
				described.dedupeFields.length > 1 && writable.length > described.dedupeFields.length,
				`${apiName}: dedupe fields ${described.dedupeFields.join(', ')} of ${writable.length} writable`,
			);
			const expected = writable.map((f) => {
				const suffix = described.dedupeFields.includes(f.name)
					? ' (dedupe field)'
					: links.has(f.name)
						? ' (link to lead)'
						: '';
				return `${f.name}: ${label(f)}${suffix}`;
			});
			const ndv = await editor.openNode(PANELS.customObjectImport);
			try {
				// what n8n gets from the node's resource mapper method once the object is chosen
				const mapperAnswer = page.waitForResponse(
					(r) =>
						/\/rest\/dynamic-node-parameters\/resource-mapper-fields/.test(r.url()) &&
						`${decodeURIComponent(r.url())} ${r.request().postData() ?? ''}`.includes(apiName),
					{ timeout: 60_000 },
				);
				mapperAnswer.catch(() => undefined); // awaited below; a picker that fails first leaves it
				const names = await pickFrom(ndv, 'customObject', `(${apiName})`);
				assert.deepStrictEqual(
					[...names].sort(),
					objects.map(label).sort(),
					"the picker vs. the emulator's custom objects",
				);
				const answer = (await (await mapperAnswer).json()) as {
					data?: { fields?: Array<{ id: string; displayName: string; required?: boolean }> };
				};
				const fields = answer.data?.fields ?? [];
				assert.deepStrictEqual(
					fields.map((f) => `${f.id}: ${f.displayName}`).sort(),
					[...expected].sort(),
					`Fields to Import vs. the updateable fields of ${apiName}'s describe`,
				);
				assert.deepStrictEqual(
					fields
						.filter((f) => f.required)
						.map((f) => f.id)
						.sort(),
					[...described.dedupeFields].sort(),
					'required fields vs. the dedupe fields',
				);
				await editor.screenshot(
					'Custom Object Import fields of course_enrollment_c',
					ndv.locator('[data-test-id="node-parameters"]'),
				);
				report.note(
					`Custom Object picker: ${names.join(' | ')}; Fields to Import of ${apiName}: ` +
						`${fields.length} (required: ${described.dedupeFields.join(', ')})`,
				);
			} finally {
				await editor.closeNdv();
			}
		});
		// Export ID of the job steps: "From list" shows the API user's recent jobs, newest first, by what a user
		// recognises (status, created, format, records, start of the id)
		await panel('Marketo Bulk › Lead Export, Get Job Status', PANELS.jobStatus, async (ndv) => {
			const completed = await createLeadExportJob(emulator);
			await enqueueLeadExportJob(emulator, completed);
			let records: number | undefined;
			for (let k = 0; k < 100 && records === undefined; k++) {
				const job = (await emulatorJobs(emulator)).find((j) => j.exportId === completed);
				if (job?.status === 'Completed') records = Number(job.numberOfRecords);
				else await sleep(200);
			}
			assert.ok(records !== undefined, `export job ${completed} did not complete`);
			await sleep(1_100); // a later creation second than the completed job's
			const created = await createLeadExportJob(emulator);

			const locator = ndv.locator('[data-test-id="resource-locator-exportId"]');
			const modeText = await locator.innerText();
			const modeValues = await locator
				.locator('input')
				.evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value));
			assert.ok(
				[modeText, ...modeValues].some((t) => /From list/i.test(t)),
				`Export ID is not in "From list" mode: ${modeText} | ${modeValues.join(' | ')}`,
			);
			await locator.locator('[data-test-id="rlc-input-container"]').click();
			const items = page.locator('[data-test-id="rlc-item"]');
			await items
				.first()
				.waitFor({ state: 'visible', timeout: 20_000 })
				.catch(async (error: Error) => {
					const shown = await page
						.locator('[data-test-id="rlc-error-container"]')
						.allInnerTexts()
						.catch(() => []);
					throw new Error(`${error.message}\nshown instead: ${shown.join(' | ') || 'nothing'}`);
				});
			const names = (await items.allInnerTexts()).map((t) => t.trim().replace(/\s+/g, ' '));
			await editor.screenshot('Export ID picker', ndv.locator('[data-test-id="node-parameters"]'));
			await page.keyboard.press('Escape');
			report.note(`Export ID picker: ${names.length} jobs, ${names.slice(0, 3).join(' | ')}`);
			const time = '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} \\S+';
			assert.match(
				names[0] ?? '',
				new RegExp(`^Created · ${time} · CSV · ${created.slice(0, 8)}$`),
			);
			const count = `${records!.toLocaleString('en-US')} record${records === 1 ? '' : 's'}`;
			assert.match(
				names[1] ?? '',
				new RegExp(`^Completed · ${time} · CSV · ${count} · ${completed.slice(0, 8)}$`),
			);
		});
		// Marketo refuses the list (603, the API user's role lacks the permission): the picker says what to do
		await panel(
			'Marketo Bulk › Lead Export, Get Job Status (list refused, 603)',
			PANELS.jobStatus,
			async (ndv) => {
				const listRequest = 'GET /bulk/v1/leads/export.json';
				// n8n answers the editor's list request with 500 and the error, and the browser logs that answer
				consoleErrors.provokes({
					reason: 'the Export ID list refused with 603 on purpose (500 from n8n)',
					matches: (e, calls) =>
						/status of 500/.test(e.text) &&
						pathOf(e.url) === '/rest/dynamic-node-parameters/resource-locator-results' &&
						calls.some((c) => c.url === e.url && /error 603/.test(c.body)),
				});
				await emulator.control('POST', 'faults', {
					failNext: {
						match: listRequest,
						count: 1,
						failure: { code: '603', message: 'Access denied' },
					},
				});
				const locator = ndv.locator('[data-test-id="resource-locator-exportId"]');
				await locator.locator('[data-test-id="rlc-input-container"]').click();
				const error = page.locator('[data-test-id="rlc-error-container"]:visible');
				await error.waitFor({ state: 'visible', timeout: 20_000 }).catch(async (e: Error) => {
					const items = await page.locator('[data-test-id="rlc-item"]').allInnerTexts();
					throw new Error(`${e.message}\nshown instead: ${items.join(' | ') || 'nothing'}`);
				});
				const shown = (await error.innerText()).replace(/\s+/g, ' ').trim();
				await editor.screenshot('Export ID picker refused (603)', ndv);
				await page.keyboard.press('Escape');
				report.note(`Export ID picker on 603 shows: ${shown}`);
				const { pending } = (await emulator.control('GET', 'faults')) as { pending: number };
				assert.strictEqual(pending, 0, 'the list request did not reach Marketo');
				// n8n renders the code, the message and, in a notice, the description: what the user must do
				assert.match(shown, /603 - Marketo did not list the lead export jobs: Access denied/);
				assert.match(shown, /Read-Only Lead permission/);
				assert.match(shown, /choose By ID and enter the exportId that Create Job returned/);
			},
		);
		// a workflow saved before the picker (node version 1) holds the Export ID as text: its panel shows that
		// text in a text field, not a picker without a mode ("Mode...")
		await panel(
			'Marketo Bulk › Activity Export, Download File (Export ID saved as text)',
			PANELS.downloadOldExportId,
			async (ndv) => {
				const field = ndv.locator('[data-test-id="parameter-input-exportId"]');
				await field.first().waitFor({ state: 'visible' });
				const inputs = await field.locator('input, textarea').evaluateAll((all) =>
					all.map((i) => {
						const { value, placeholder } = i as unknown as { value: string; placeholder: string };
						return { value, placeholder };
					}),
				);
				const text = await field.innerText();
				const values = inputs.map((i) => i.value);
				// n8n's picker without a mode says "Mode..." (a placeholder or a text, by version)
				const mode = /Mode(\.\.\.|…)/;
				assert.ok(
					!mode.test(text) && !inputs.some((i) => !i.value && mode.test(i.placeholder)),
					`Export ID asks for a mode: ${text} ${JSON.stringify(inputs)}`,
				);
				assert.ok(
					values.includes(OLD_EXPORT_ID) || text.includes(OLD_EXPORT_ID),
					`the saved Export ID is not shown: ${values.join(' | ')} ${text}`,
				);
				const issues = ndv.locator('[data-test-id="parameter-issues"]');
				assert.strictEqual(await issues.count(), 0, 'the saved Export ID is flagged');
				report.note(
					`Export ID saved as text shows: ${[...values.filter(Boolean), text.trim()].filter(Boolean).join(' | ')}`,
				);
			},
		);
		// Batch ID: Marketo lists no batches; the field says where its value comes from
		await panel(
			'Marketo Bulk › Lead Import, Get Import Status',
			PANELS.importStatus,
			async (ndv) => {
				const hint = ndv.getByText('Marketo offers no list of import batches');
				assert.ok(await hint.first().isVisible(), 'Batch ID does not say where it comes from');
				assert.strictEqual(
					await ndv.locator('[data-test-id="resource-locator-batchId"]').count(),
					0,
					'Batch ID offers a list',
				);
			},
		);
		await panel('Marketo Bulk Trigger', PANELS.trigger, undefined, {
			shown: [
				'Overlap (Seconds)',
				'Typed Values',
				'Status Interval (Seconds)',
				'Safety Lag (Seconds)',
			],
			hidden: ['Binary Property', 'Flatten Attributes', 'Max Items'],
		});
		// Export Job Completed has an Output of its own (jobOutput): the file options follow it.
		await panel(
			'Marketo Bulk Trigger › Export Job Completed, File',
			PANELS.triggerJobs,
			undefined,
			{
				shown: ['Binary Property', 'File Encoding'],
				// it exports nothing: no window for a Safety Lag to hold back
				hidden: ['Typed Values', 'Flatten Attributes', 'Overlap (Seconds)', 'Safety Lag (Seconds)'],
			},
		);

		// Program Member Changes: its filters, and the notice on what it does not see
		await panel(
			'Marketo Bulk Trigger › Program Member Changes',
			PANELS.triggerMembers,
			async (ndv) => {
				const text = await ndv.locator('[data-test-id="node-parameters"]').innerText();
				for (const label of ['Field Names or IDs', 'Programs', 'Status Names or IDs'])
					assert.ok(text.includes(label), `no "${label}" in the panel`);
				const notice = ndv.getByText('It does not see a member removed from the program');
				assert.ok(await notice.first().isVisible(), 'no notice on what the event does not see');
				// the lead filters of New Leads do not apply
				assert.ok(!text.includes('Static List'), 'the panel shows a lead filter');
			},
		);
		// Custom Object Changes: the object and its fields, and the notice on what it does not see
		await panel(
			'Marketo Bulk Trigger › Custom Object Changes',
			PANELS.triggerCustomObjects,
			async (ndv) => {
				const text = await ndv.locator('[data-test-id="node-parameters"]').innerText();
				for (const label of ['Custom Object', 'Field Names or IDs'])
					assert.ok(text.includes(label), `no "${label}" in the panel`);
				assert.strictEqual(
					await ndv.locator('[data-test-id="resource-locator-customObject"]').count(),
					1,
					'no Custom Object picker',
				);
				const notice = ndv.getByText('It does not see a deleted record');
				assert.ok(await notice.first().isVisible(), 'no notice on what the event does not see');
				// the lead and program member filters do not apply
				for (const label of ['Static List', 'Programs'])
					assert.ok(!text.includes(label), `the panel shows "${label}"`);
			},
		);
		await ui('Export Job Completed: Export Type offers program member export jobs', async () => {
			const ndv = await editor.openNode(PANELS.triggerJobs);
			try {
				await openDropdown(ndv.locator('[data-test-id="parameter-input-exportType"]'));
				await page
					.locator('.el-select-dropdown__item:visible')
					.first()
					.waitFor({ state: 'visible' });
				const options = await editor.visibleOptions();
				await editor.screenshot(
					'Export Type options',
					ndv.locator('[data-test-id="node-parameters"]'),
				);
				await page.keyboard.press('Escape');
				report.note(`Export Type: ${options.join(' | ')}`);
				assert.deepStrictEqual(options, [
					'Activity Export Jobs',
					'Lead Export Jobs',
					'Program Member Export Jobs',
				]);
			} finally {
				await editor.closeNdv();
			}
		});

		await ui('credentials form: Marketo API', async () => {
			await editor.openNode(PANELS.leadExport);
			try {
				await page.locator('[data-test-id="credential-edit-button"]').click();
				const dialog = page.locator('[data-test-id="credential-edit-dialog"]');
				await dialog.waitFor({ state: 'visible' });
				await dialog
					.locator('[data-test-id="credentials-config-container-test-success"]')
					.waitFor({ state: 'visible', timeout: 30_000 });
				await editor.iconsSettled();
				const text = await dialog.innerText();
				for (const label of ['REST Endpoint', 'Client ID', 'Client Secret']) {
					assert.ok(text.includes(label), `no "${label}" field in the form`);
				}
				assert.ok(!/Access Token/.test(text), 'the hidden Access Token field is visible');
				// the dialog's header (with the icon) is outside the element with the test id in n8n 1.x
				const icons = await dialog
					.locator('xpath=ancestor-or-self::*[@role="dialog"][1]')
					.locator(OUR_ICON)
					.evaluateAll((imgs) => (imgs as unknown as ImgElement[]).map((i) => i.naturalWidth));
				assert.ok(icons.length > 0, 'the credential form shows no icon of ours');
				assert.ok(
					icons.every((w) => w > 0),
					'the credential icon did not load',
				);
				await editor.screenshot('credential Marketo API', dialog);
				report.note('"Connection tested successfully" (the credential test reached the emulator)');
				await editor.closeDialog(dialog);
			} finally {
				await editor.closeNdv();
			}
		});

		// A wrong REST Endpoint: the credential test names the field and the fix (not n8n's generic "The
		// service refused the connection", not a raw TLS error)
		const badEndpoints: Array<[keyof typeof BAD_CREDENTIALS, RegExp]> = [
			['unreachable', /nothing accepted the connection\. Check the REST Endpoint field/],
			['noScheme', /does not answer over HTTPS.*https:\/\/ was assumed/s],
		];
		for (const [kind, expected] of badEndpoints) {
			const ref = BAD_CREDENTIALS[kind];
			await ui(`credential test: ${ref.name}`, async () => {
				await editor.openWorkflow(BAD_CREDENTIALS_ID);
				await editor.openNode(ref.name);
				try {
					await page.locator('[data-test-id="credential-edit-button"]').click();
					const dialog = page.locator('[data-test-id="credential-edit-dialog"]');
					await dialog.waitFor({ state: 'visible' });
					// n8n's failure banner keeps the message behind "More details"
					const moreDetails = dialog.getByText('More details');
					await moreDetails.first().waitFor({ state: 'visible', timeout: 30_000 });
					await moreDetails.first().click();
					await dialog
						.getByText('Check the REST Endpoint field')
						.first()
						.waitFor({ state: 'visible', timeout: 10_000 })
						.catch(async (error: Error) => {
							throw new Error(`${error.message}\nthe form says: ${await dialog.innerText()}`);
						});
					const text = await dialog.innerText();
					await editor.screenshot(`credential test ${kind}`, dialog);
					report.note(`${ref.name}: ${text.replace(/\s+/g, ' ').slice(0, 400)}`);
					assert.match(text, expected);
					assert.doesNotMatch(text, /refused the connection|ECONN|EPROTO|SSL routines/);
					await editor.closeDialog(dialog);
				} finally {
					await editor.closeNdv();
				}
			});
		}

		await ui('node panel: search "Marketo", add the trigger and the node', async () => {
			await page.goto(`${instance.baseUrl}/workflow/new`);
			await page
				.locator('[data-test-id="canvas-add-button"], [data-test-id="canvas-plus-button"]')
				.first()
				.waitFor();
			const search = async () => {
				await page.locator('[data-test-id="node-creator-plus-button"]').click();
				const input = page
					.locator(
						'input[data-test-id="node-creator-search-bar"], [data-test-id="node-creator-search-bar"] input',
					)
					.first();
				await input.fill('Marketo');
				const items = page.locator(
					'[data-test-id="node-creator"] [data-test-id="item-iterator-item"]',
				);
				const item = items.filter({
					has: page.locator('[data-test-id="node-creator-item-name"]', {
						hasText: /^Marketo Bulk$/,
					}),
				});
				await item.first().waitFor({ state: 'visible' });
				await editor.iconsSettled();
				const names = await items
					.locator('[data-test-id="node-creator-item-name"]')
					.allInnerTexts();
				const icons = await item
					.first()
					.locator(OUR_ICON)
					.evaluateAll((imgs) => (imgs as unknown as ImgElement[]).map((i) => i.naturalWidth));
				assert.ok(
					icons.length > 0 && icons.every((w) => w > 0),
					'the node panel shows "Marketo Bulk" without its icon',
				);
				// one entry for the node and its trigger: its description speaks of both
				// (n8n 1.x lists the name only)
				const entry = (await item.first().innerText()).trim();
				assert.ok(
					entry === 'Marketo Bulk' ||
						(entry.includes('import leads, program members and custom objects, in bulk') &&
							entry.includes('start a workflow')),
					`the node panel describes "Marketo Bulk" as: ${entry}`,
				);
				return { item: item.first(), names: names.map((n) => n.trim()) };
			};
			const canvasTypes = async () => (await editor.canvasNodes()).map((n) => n.type);

			// empty workflow: the panel offers triggers; n8n lists "Marketo Bulk Trigger" under "Marketo Bulk"
			const first = await search();
			await editor.screenshot('node panel search Marketo (new workflow)');
			report.note(`search "Marketo" (new workflow): ${first.names.join(' | ')}`);
			await first.item.click();
			const trigger = page.locator('[data-test-id="node-creator-item-name"]', {
				hasText: /^On new leads$/,
			});
			await trigger.waitFor({ state: 'visible' });
			const triggerActions = await page
				.locator('[data-test-id="node-creator"] [data-test-id="node-creator-item-name"]')
				.allInnerTexts();
			await editor.screenshot('node panel Marketo Bulk triggers');
			report.note(`Marketo Bulk › triggers: ${triggerActions.map((t) => t.trim()).join(' | ')}`);
			for (const event of ['On program member changes', 'On custom object changes'])
				assert.ok(
					triggerActions.map((t) => t.trim()).includes(event),
					`no "${event}" among the triggers`,
				);
			await trigger.click();
			await page
				.locator(`[data-test-id="canvas-node"][data-node-type="${PACKAGE}.marketoBulkTrigger"]`)
				.waitFor({ state: 'attached' });
			// Poll Times starts at every 5 minutes, as the notice under it advises (n8n's own default: every minute)
			const triggerNdv = page.locator('[data-test-id="ndv"]');
			await triggerNdv.waitFor({ state: 'visible' });
			const params = triggerNdv.locator('[data-test-id="node-parameters"]');
			await params.getByText('5 minutes or more').first().waitFor({ state: 'visible' });
			// a select shows its choice as its input's value or as text beside it, depending on the version
			const values = await params
				.locator('input')
				.evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value));
			const shown = `${await params.innerText()}\n${values.filter(Boolean).join('\n')}`;
			await editor.screenshot('trigger added from the node panel', params);
			report.note(`new trigger's inputs: ${values.filter(Boolean).join(' | ')}`);
			assert.ok(/Every X/.test(shown), `Poll Times is not "Every X":\n${shown}`);
			assert.ok(values.includes('5'), `Poll Times is not every 5 minutes: ${values.join(' | ')}`);
			assert.ok(!/Every Minute/.test(shown), 'Poll Times defaults to Every Minute');
			await editor.closeNdv();

			// with a trigger on the canvas: the panel offers actions of Marketo Bulk
			const second = await search();
			report.note(`search "Marketo" (after a trigger): ${second.names.join(' | ')}`);
			await second.item.click();
			// the one-step operations stand out among the job steps by name
			const action = page.locator('[data-test-id="node-creator-item-name"]', {
				hasText: /^Export leads \(one step: create, wait, download\)$/,
			});
			await action.waitFor({ state: 'visible' });
			await editor.screenshot('node panel Marketo Bulk actions');
			const actionNames = (
				await page
					.locator('[data-test-id="node-creator"] [data-test-id="node-creator-item-name"]')
					.allInnerTexts()
			).map((t) => t.trim());
			report.note(`Marketo Bulk › actions: ${actionNames.join(' | ')}`);
			for (const oneStep of [
				'Export activities (one step: create, wait, download)',
				'Import leads (one step: upload, wait, report)',
				'Export custom object records (one step: create, wait, download)',
				'Import custom object records (one step: upload, wait, report)',
			])
				assert.ok(actionNames.includes(oneStep), `no "${oneStep}" among the actions`);
			await action.click();
			await page
				.locator(`[data-test-id="canvas-node"][data-node-type="${PACKAGE}.marketoBulk"]`)
				.waitFor({ state: 'attached' });
			const added = page.locator('[data-test-id="ndv"]');
			await added.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
			await page.waitForLoadState('networkidle').catch(() => undefined);
			await editor.screenshot(
				'node added from the node panel',
				added.locator('[data-test-id="node-parameters"]'),
			);
			if (
				consoleErrors.failedCalls.some((c) => /Node does not have any credentials set/.test(c.body))
			) {
				report.note(
					"UI finding: n8n asked the new node's Fields options before assigning its credential; the field " +
						'may show "Error fetching options from Marketo Bulk" until the panel is reopened (see the screenshot)',
				);
			}
			await editor.closeNdv();
			const types = await canvasTypes();
			const { problems } = await editor.canvasProblems();
			await editor.screenshot('nodes added from the node panel');
			assert.ok(types.includes(`${PACKAGE}.marketoBulkTrigger`), `canvas: ${types.join(', ')}`);
			assert.ok(types.includes(`${PACKAGE}.marketoBulk`), `canvas: ${types.join(', ')}`);
			assert.deepStrictEqual(problems, []);
			const names = (await editor.canvasNodes()).map((n) => n.name);
			report.note(`added from the panel: ${names.join(', ')}`);
		});

		const ignored = consoleErrors.ignored();
		if (ignored.size > 0) {
			report.note(
				'ignored n8n console noise: ' +
					[...ignored].map(([reason, n]) => `${n}× ${reason}`).join('; '),
			);
		}
		report.note(`screenshots: ${path.relative(REPO_ROOT, shotsDir)}/`);
		const problems = instance.problemsMentioning(PACKAGE);
		await report.step(scope, 'no package errors in the n8n log', () => {
			assert.deepStrictEqual(problems, [], `n8n logged:\n${problems.join('\n')}`);
		});
	} finally {
		await browser?.close().catch(() => undefined);
	}
}

runSuite({
	setup: async (report) => {
		await report.step('setup', 'Chromium present', () => {
			report.note(chromiumPath());
		});
	},
	n8nOptions: { logLevel: 'info' },
	checks: editorCheck,
	finish: (report) =>
		report.note(
			`known n8n noise the console check ignores: ${KNOWN_NOISE.length} kinds (test/e2e/editor/browser.ts)`,
		),
});
