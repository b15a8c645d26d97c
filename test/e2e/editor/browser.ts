/**
 * Chromium for the editor check: Debian's package (Playwright cannot download a browser on a closed network),
 * driven by playwright-core, plus a collector of the browser's console errors that knows n8n's own noise.
 */
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

import { REPO_ROOT } from '../../harness/processes';
import { PACKAGE } from './fixtures';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium to run: CHROMIUM_PATH, else the first of the usual Debian/Ubuntu paths that exists. */
export function chromiumPath(): string {
	const found = [process.env.CHROMIUM_PATH, ...CANDIDATES].find(
		(candidate): candidate is string => !!candidate && fs.existsSync(candidate),
	);
	if (!found) {
		throw new Error(
			'Chromium not found (looked at CHROMIUM_PATH and ' +
				`${CANDIDATES.join(', ')}): install it with \`apt-get install chromium\``,
		);
	}
	return found;
}

/**
 * Headless Chromium with a fresh profile (Playwright's launch() gives every browser a new temporary
 * --user-data-dir and removes it on close). The flags keep it from calling home: the network is closed,
 * and without them Chromium keeps retrying refused connections.
 */
export async function launchChromium(): Promise<Browser> {
	return await chromium.launch({
		executablePath: chromiumPath(),
		headless: true,
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});
}

export interface ConsoleEntry {
	/** The step that was running. */
	step: string;
	kind: 'console' | 'pageerror';
	text: string;
	/** Where it came from: the failed resource for "Failed to load resource", else the script. */
	url: string;
}

/** A failed call of the editor to n8n's REST API, with what it sent and what n8n answered. */
export interface FailedCall {
	url: string;
	status: number;
	request: string;
	body: string;
}

export interface Noise {
	reason: string;
	matches(entry: ConsoleEntry, calls: FailedCall[]): boolean;
}

export const pathOf = (url: string) => new URL(url, 'http://x').pathname;

/** The output schemas the package ships, as `<resource>/<operation>`. */
const SHIPPED_SCHEMAS = new Set(
	fs
		.readdirSync(path.join(REPO_ROOT, 'nodes', 'MarketoBulk', '__schema__', 'v1.0.0'), {
			recursive: true,
		})
		.map(String)
		.filter((f) => f.endsWith('.json'))
		.map((f) =>
			f
				.replace(/\.json$/, '')
				.split(path.sep)
				.join('/'),
		),
);

/**
 * Console errors the editor logs on its own, with nothing of ours involved, or (the last one) a race in n8n
 * that our node can only soften. Only these are ignored; every other console error or uncaught exception fails
 * the step it happened in. Each is counted and printed.
 */
export const KNOWN_NOISE: Noise[] = [
	{
		// Both versions: the sign-in page asks whether a session exists; without one n8n answers 401.
		reason: 'GET /rest/login answers 401 on the sign-in page, before we log in',
		matches: (e) => /status of 401/.test(e.text) && pathOf(e.url) === '/rest/login',
	},
	{
		// Both versions: the node creator's "Node details" and the node panel's community-package tab fetch the
		// package's metadata from registry.npmjs.org in the browser; the test machine's network is closed.
		reason: 'the community-package details fetch registry.npmjs.org (closed network: net::ERR_*)',
		matches: (e) => /net::ERR_/.test(e.text) && /^https:\/\/registry\.npmjs\.org\//.test(e.url),
	},
	{
		// n8n 1.123: after a sign-in through the form, the version check reads the instance's
		// versionNotifications settings before the signed-in settings are loaded (a race in versions.store).
		reason:
			"n8n 1.x versions.store.checkForNewVersions reads settings before they are loaded ('enabled' of undefined)",
		matches: (e) =>
			e.kind === 'pageerror' &&
			/reading 'enabled'/.test(e.text) &&
			/checkForNewVersions/.test(e.text),
	},
	{
		// n8n 1.123: the AI assistant store asks for its sessions although the community edition has no licence.
		reason:
			'n8n 1.x asks /rest/ai/sessions/metadata without an AI licence (403 "Plan lacks license")',
		matches: (e) =>
			(/status of 403/.test(e.text) && pathOf(e.url) === '/rest/ai/sessions/metadata') ||
			/Failed to fetch sessions metadata: .*Plan lacks license/.test(e.text),
	},
	{
		// n8n 1.123: opening a workflow asks for its last successful execution; a workflow never run has none.
		reason:
			'n8n 1.x asks /rest/workflows/<id>/executions/last-successful of a never-run workflow (404)',
		matches: (e) =>
			/status of 404/.test(e.text) &&
			/^\/rest\/workflows\/[^/]+\/executions\/last-successful$/.test(pathOf(e.url)),
	},
	{
		// Both versions: a panel previews the output of the node before it (and of itself) from an output schema
		// the node's package may ship (`<node dir>/__schema__/v1.0.0/<resource>/<operation>.json`); n8n asks
		// GET /schemas/<type>/<version>/<resource>/<operation>.json for every node without run data and answers
		// 404 when there is none. Ours ships one for each operation whose output has a fixed shape: a 404 for one
		// of those fails the step.
		reason:
			'GET /schemas/<our node>/… answers 404 for an operation without a fixed output shape (no __schema__)',
		matches: (e) => {
			if (!/status of 404/.test(e.text)) return false;
			const asked = new RegExp(
				`^/schemas/${PACKAGE.replace(/[-.]/g, '\\$&')}\\.\\w+/[\\d.]+(?:/(\\w+)/(\\w+))?\\.json$`,
			).exec(pathOf(e.url));
			return !!asked && !SHIPPED_SCHEMAS.has(`${asked[1]}/${asked[2]}`);
		},
	},
	{
		// n8n 1.123: after Execute step, the panel previews the parent node's output from an output schema; n8n's
		// own Manual Trigger ships none, so GET /schemas/n8n-nodes-base.manualTrigger/1.0.0.json answers 404.
		reason:
			"GET /schemas/<an n8n-nodes-base node>/… answers 404 (n8n's own nodes ship no output schema)",
		matches: (e) =>
			/status of 404/.test(e.text) &&
			/^\/schemas\/n8n-nodes-base\.\w+\/[\d.]+(?:\/\w+\/\w+)?\.json$/.test(pathOf(e.url)),
	},
	{
		// n8n 2.40: a node added from the node panel into a workflow that already has a node asks its
		// loadOptions (our Fields list) BEFORE n8n assigns it the only credential of the type: the request carries
		// no credentials, n8n answers 500 "Node does not have any credentials set", and the field shows
		// "Error fetching options" until the panel is opened again. Matched only with exactly that request and answer.
		reason:
			'n8n 2.x calls loadOptions of a node just added from the node panel before it assigns the credential (500 "Node does not have any credentials set")',
		matches: (e, calls) =>
			/status of 500/.test(e.text) &&
			pathOf(e.url) === '/rest/dynamic-node-parameters/options' &&
			calls.some(
				(c) =>
					c.url === e.url &&
					c.status === 500 &&
					/Node does not have any credentials set/.test(c.body) &&
					!/"credentials"\s*:/.test(c.request),
			),
	},
];

/** Collects the page's console errors and uncaught exceptions, by step, minus KNOWN_NOISE. */
export class ConsoleErrors {
	step = 'start';
	private readonly entries: ConsoleEntry[] = [];
	/** Failed /rest/ calls, request and answer (to tell noise from errors). */
	readonly failedCalls: FailedCall[] = [];

	constructor(page: Page) {
		page.on('console', (message: ConsoleMessage) => {
			if (message.type() !== 'error') return;
			this.entries.push({
				step: this.step,
				kind: 'console',
				text: message.text(),
				url: message.location().url ?? '',
			});
		});
		page.on('pageerror', (error: Error) => {
			this.entries.push({
				step: this.step,
				kind: 'pageerror',
				text: `${error.message}\n${error.stack ?? ''}`,
				url: '',
			});
		});
		page.on('response', (response) => {
			if (response.status() < 400 || !pathOf(response.url()).startsWith('/rest/')) return;
			const call: FailedCall = {
				url: response.url(),
				status: response.status(),
				request: response.request().postData() ?? '',
				body: '',
			};
			this.failedCalls.push(call);
			response.text().then(
				(body) => (call.body = body.slice(0, 2000)),
				() => undefined,
			);
		});
	}

	/** Errors a step provokes on purpose (a refusal it arms), each ignored in that step only. */
	private readonly provoked: Array<Noise & { step: string }> = [];

	/** The running step provokes this error: it is the step's subject, not a failure. */
	provokes(noise: Noise): void {
		this.provoked.push({ ...noise, step: this.step });
	}

	private noiseOf(entry: ConsoleEntry): Noise | undefined {
		return [...KNOWN_NOISE, ...this.provoked.filter((n) => n.step === entry.step)].find((n) =>
			n.matches(entry, this.failedCalls),
		);
	}

	/** A position to pass to `since()`. */
	mark(): number {
		return this.entries.length;
	}

	/** The errors since `mark` that are not known noise (classified now, when the answers have arrived). */
	since(mark: number): ConsoleEntry[] {
		return this.entries.slice(mark).filter((e) => !this.noiseOf(e));
	}

	/** How often each kind of known noise was ignored. */
	ignored(): Map<string, number> {
		const counts = new Map<string, number>();
		for (const entry of this.entries) {
			const noise = this.noiseOf(entry);
			if (noise) counts.set(noise.reason, (counts.get(noise.reason) ?? 0) + 1);
		}
		return counts;
	}

	/** The failed call behind a "Failed to load resource" entry, if captured. */
	callOf(entry: ConsoleEntry): FailedCall | undefined {
		return this.failedCalls.find((c) => c.url === entry.url);
	}

	format(entries: ConsoleEntry[]): string {
		return entries
			.map((e) => {
				const call = this.callOf(e);
				const answer = call ? `\n    n8n answered ${call.status}: ${call.body.slice(0, 300)}` : '';
				return `[${e.kind}${e.url ? ` ${e.url}` : ''}] ${e.text.split('\n').slice(0, 6).join('\n    ')}${answer}`;
			})
			.join('\n');
	}
}
