/**
 * The frame the e2e scripts that need n8n and the emulator share: pack the package and start the emulator
 * once; then, for each n8n version, install n8n (cached), install the packed package the way n8n installs a
 * community package into a fresh user folder, and hand the (not yet started) n8n to the script's checks.
 * Afterwards n8n is stopped and its folder removed, unless a step failed or E2E_KEEP is set.
 */
import * as fs from 'fs';
import * as path from 'path';

import { startEmulatorProcess, type EmulatorProcess } from './emulator';
import {
	e2eVersions,
	n8nInstall,
	packPackage,
	prepareUserFolder,
	type UserFolder,
} from './install';
import { N8n, type N8nOptions } from './n8n';
import type { CredentialFixture } from './workflows';
import { Report } from './report';

export interface VersionRun {
	report: Report;
	/** "n8n 2.40.7 (Node 24.x)": the scope of every step of this version. */
	scope: string;
	version: string;
	n8n: N8n;
	emulator: EmulatorProcess;
}

export interface Suite {
	/** Steps before anything is packed (reading examples, checking for Chromium). */
	setup?: (report: Report) => Promise<void>;
	n8nOptions?: N8nOptions;
	/** The n8n versions this suite runs on, out of those asked for (default: all of them). */
	versions?: (asked: string[]) => string[];
	/** Options for the emulator process (test/emulator/cli.ts), e.g. a rate limit. */
	emulatorArgs?: string[];
	/** The user folder of each n8n: by default the tarball installed as n8n installs a community package. */
	userFolder?: (version: string, tarball: string) => UserFolder;
	/** The checks of one n8n version; a failed step ends them (the next version still runs). */
	checks: (run: VersionRun) => Promise<void>;
	/** Last notes, before the timings. */
	finish?: (report: Report) => void;
}

/** A Marketo credential (our type) pointing at the emulator, under the id and name a workflow references. */
export function emulatorCredential(
	emulator: EmulatorProcess,
	ref: { id: string; name: string },
): CredentialFixture {
	return {
		...ref,
		type: 'marketoApi',
		data: {
			restEndpoint: emulator.restEndpoint,
			clientId: emulator.clientId,
			clientSecret: emulator.clientSecret,
		},
	};
}

/** Runs the suite and exits the process: 0 when every step passed. */
export function runSuite(suite: Suite): void {
	main(suite).then(
		(code) => process.exit(code),
		(error) => {
			process.stderr.write(`${error?.stack ?? error}\n`);
			process.exit(1);
		},
	);
}

async function main(suite: Suite): Promise<number> {
	const report = new Report();
	let tarball = '';
	let emulator: EmulatorProcess | undefined;
	await report.scope('setup', async () => {
		await suite.setup?.(report);
		const packStep = process.env.E2E_TARBALL ? 'package from E2E_TARBALL' : 'build + pack';
		tarball = await report.step('setup', packStep, () => packPackage());
		report.note(`package: ${tarball}`);
		emulator = await report.step('setup', 'start emulator', () =>
			startEmulatorProcess({ args: suite.emulatorArgs }),
		);
	});
	if (tarball && emulator) {
		const asked = e2eVersions();
		const versions = suite.versions?.(asked) ?? asked;
		if (versions.length < asked.length)
			report.note(`not run on n8n ${asked.filter((v) => !versions.includes(v)).join(', ')}`);
		for (const version of versions) {
			await report.scope(`n8n ${version}`, () =>
				onVersion(suite, report, version, tarball, emulator!),
			);
		}
	}
	await emulator?.stop();
	if (tarball && !process.env.E2E_TARBALL)
		fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	suite.finish?.(report);
	report.printTimings();
	return report.finish();
}

async function onVersion(
	suite: Suite,
	report: Report,
	version: string,
	tarball: string,
	emulator: EmulatorProcess,
): Promise<void> {
	let scope = `n8n ${version}`;
	let folder: UserFolder | undefined;
	let n8n: N8n | undefined;
	const failedBefore = report.failed;
	let finished = false;
	try {
		const install = await report.step(scope, 'install n8n', () => n8nInstall(version));
		scope = `n8n ${version} (Node ${install.nodeVersion})`;
		folder = await report.step(scope, 'install package', () =>
			(suite.userFolder ?? prepareUserFolder)(version, tarball),
		);
		n8n = await N8n.create(install, folder, suite.n8nOptions);
		await suite.checks({ report, scope, version, n8n, emulator });
		finished = true;
	} finally {
		await n8n?.stop();
		if (folder) {
			if (finished && report.failed === failedBefore && !process.env.E2E_KEEP) folder.remove();
			else process.stdout.write(`     user folder kept: ${folder.root}\n`);
		}
	}
}
