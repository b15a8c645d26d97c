/**
 * `npm run demo`, the README's first command, for each supported n8n version:
 *  - `npm run demo -- --headless --n8n <version>` runs every example workflow in a real n8n and exits 0;
 *  - `npm run demo -- --n8n <version>` (interactive) prints the editor URL and a login that work (the
 *    instructions' workflow links open for that user), and on Ctrl+C (SIGINT to its process group, as a
 *    terminal sends it) stops n8n and the emulator and removes its n8n folder.
 *
 *   npx ts-node --transpile-only test/e2e/demo.e2e.ts
 *   N8N_E2E_VERSIONS=2 E2E_TARBALL=/path/to/package.tgz npx ts-node --transpile-only test/e2e/demo.e2e.ts
 *
 * With E2E_TARBALL the demo installs that tarball instead of building one.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { e2eVersions, packPackage } from '../harness/install';
import { firstFreePort, REPO_ROOT, sleep, tail } from '../harness/processes';
import { Report } from '../harness/report';

interface Run {
	code: number | null;
	signal: NodeJS.Signals | null;
	output: string;
}

function npmDemo(
	args: string[],
	env: NodeJS.ProcessEnv,
	options: { until?: RegExp; timeoutMs: number },
): { done: Promise<Run>; output: () => string; ready: Promise<boolean>; interrupt: () => void } {
	// its own process group, like a command typed into a terminal: Ctrl+C reaches npm, ts-node and n8n alike
	const child = spawn('npm', ['run', '--silent', 'demo', '--', ...args], {
		cwd: REPO_ROOT,
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	let output = '';
	let readyResolve!: (ok: boolean) => void;
	const ready = new Promise<boolean>((resolve) => (readyResolve = resolve));
	const onData = (chunk: Buffer) => {
		output += chunk.toString('utf8');
		if (options.until?.test(output)) readyResolve(true);
	};
	child.stdout!.on('data', onData);
	child.stderr!.on('data', onData);
	const kill = (signal: NodeJS.Signals) => {
		try {
			process.kill(-child.pid!, signal);
		} catch {
			// already gone
		}
	};
	const timer = setTimeout(() => {
		output += `\n[demo.e2e] killed after ${options.timeoutMs} ms`;
		kill('SIGKILL');
	}, options.timeoutMs);
	process.once('exit', () => kill('SIGKILL'));
	const done = new Promise<Run>((resolve) =>
		child.once('close', (code, signal) => {
			clearTimeout(timer);
			readyResolve(false);
			resolve({ code, signal, output });
		}),
	);
	return { done, output: () => output, ready, interrupt: () => kill('SIGINT') };
}

async function headless(report: Report, scope: string, version: string, env: NodeJS.ProcessEnv) {
	await report.step(scope, 'npm run demo -- --headless', async () => {
		const run = await npmDemo(['--headless', '--n8n', version], env, { timeoutMs: 20 * 60_000 })
			.done;
		const summary = /^demo: (\d+) workflow\(s\) ran, (\d+) failed, (\d+) skipped.*$/m.exec(
			run.output,
		);
		assert.strictEqual(run.code, 0, `exit ${run.code}:\n${tail(run.output, 40)}`);
		assert.ok(summary, `no summary line:\n${tail(run.output, 20)}`);
		const [, ran, failed] = summary.map(Number);
		assert.strictEqual(failed, 0, tail(run.output, 40));
		assert.ok(ran > 0, 'no example ran');
		report.note(summary[0]);
		const count = (/importing .* and (\d+) example workflow/.exec(run.output) ?? [])[1];
		report.note(`${count ?? '?'} example(s) imported`);
	});
}

async function interactive(report: Report, scope: string, version: string, env: NodeJS.ProcessEnv) {
	// a port that is not the default, so that a demo someone runs on 5678 meanwhile does not matter
	const port = await firstFreePort(5790);
	const demo = npmDemo(['--n8n', version, '--port', String(port)], env, {
		until: /Press Ctrl\+C/,
		timeoutMs: 15 * 60_000,
	});
	try {
		const { base, email, password, workflowIds, logFile } = await report.step(
			scope,
			'npm run demo: prints URL, login and workflows',
			async () => {
				const ready = await demo.ready;
				const output = demo.output();
				assert.ok(ready, `the demo ended before it was ready:\n${tail(output, 30)}`);
				const url = /Editor:\s+(http:\/\/\S+?)\/?\s*$/m.exec(output)?.[1];
				const login = /Log in:\s+(\S+)\s+\/\s+(\S+)/.exec(output);
				assert.ok(url && login, `no editor URL or login in:\n${tail(output, 30)}`);
				assert.ok(url.endsWith(`:${port}`), `editor URL ${url}, wanted port ${port}`);
				const ids = [...output.matchAll(/\/workflow\/([A-Za-z0-9]+)/g)].map((m) => m[1]);
				assert.ok(ids.length > 0, 'no workflow link printed');
				const log = /n8n's log: (\S+)/.exec(output)?.[1];
				return { base: url, email: login[1], password: login[2], workflowIds: ids, logFile: log };
			},
		);
		await report.step(scope, 'the printed login works and the linked workflows exist', async () => {
			const editor = await fetch(`${base}/`);
			assert.strictEqual(editor.status, 200, `GET ${base}/ answered ${editor.status}`);
			const signIn = await fetch(`${base}/rest/login`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'browser-id': 'demo-e2e' },
				body: JSON.stringify({ emailOrLdapLoginId: email, password }),
			});
			assert.strictEqual(signIn.status, 200, `login answered ${signIn.status}`);
			const cookie = /n8n-auth=[^;]+/.exec(signIn.headers.get('set-cookie') ?? '')?.[0] ?? '';
			for (const id of workflowIds) {
				const response = await fetch(`${base}/rest/workflows/${id}`, {
					headers: { cookie, 'browser-id': 'demo-e2e' },
				});
				assert.strictEqual(response.status, 200, `workflow ${id}: ${response.status}`);
			}
			report.note(`${workflowIds.length} workflow link(s) open for ${email}`);
		});
		await report.step(scope, 'Ctrl+C stops n8n and the emulator, removes its folder', async () => {
			demo.interrupt();
			const run = await Promise.race([demo.done, sleep(60_000).then(() => undefined)]);
			assert.ok(run, 'still running 60 s after SIGINT');
			// the demo exits 0; npm itself then re-raises the SIGINT it got (as in a terminal: exit 130)
			assert.ok(
				run.code === 0 || run.signal === 'SIGINT' || run.code === 130,
				`exit ${run.code} (${run.signal}):\n${tail(run.output, 20)}`,
			);
			assert.match(run.output, /\[demo\] stopped\./);
			const refused = await fetch(`${base}/`).then(
				() => false,
				() => true,
			);
			assert.ok(refused, `${base} still answers after the demo stopped`);
			if (logFile) {
				const folder = path.dirname(logFile);
				assert.ok(!fs.existsSync(folder), `the demo left its n8n folder behind: ${folder}`);
			}
		});
	} finally {
		demo.interrupt();
		await Promise.race([demo.done, sleep(30_000)]);
	}
}

async function main(): Promise<number> {
	const report = new Report();
	let tarball = '';
	await report.scope('setup', async () => {
		const packStep = process.env.E2E_TARBALL ? 'package from E2E_TARBALL' : 'build + pack';
		tarball = await report.step('setup', packStep, () => packPackage());
	});
	if (tarball) {
		const env = { ...process.env, E2E_TARBALL: tarball };
		for (const version of e2eVersions()) {
			const scope = `n8n ${version} demo`;
			await report.scope(scope, () => headless(report, scope, version, env));
			await report.scope(scope, () => interactive(report, scope, version, env));
		}
	}
	if (tarball && !process.env.E2E_TARBALL)
		fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	report.printTimings();
	return report.finish();
}

main().then(
	(code) => process.exit(code),
	(error) => {
		process.stderr.write(`${error?.stack ?? error}\n`);
		process.exit(1);
	},
);
