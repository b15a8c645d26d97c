/**
 * The community-package verification, run locally: packs the package, then runs the verifier's own scan
 * (`analyzePackage` of @n8n/scan-community-package) on both legs it checks when a package is submitted:
 * the packed tarball (compiled .js + package.json) and the source (package.json + nodes/ + credentials/).
 * The verifier also requires npm provenance from a public repository, which only a real publish has.
 * Usage: npx ts-node --transpile-only scripts/check-package.ts  (expects `npm run build` done)
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve, sep } from 'path';

/**
 * The package has no public home yet, and a homepage or author address pointing at nothing is worse than
 * none. These two rules of the scan need one; everything else must pass. prepublishOnly's lint enforces them.
 */
const WAIVED_UNTIL_PUBLISHED = new Set([
	'@n8n/community-nodes/require-homepage',
	'@n8n/community-nodes/valid-author',
]);

async function main() {
	const root = resolve(__dirname, '..');
	const work = mkdtempSync(join(tmpdir(), 'marketo-bulk-pack-'));
	try {
		const packed = JSON.parse(
			execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
				cwd: root,
				encoding: 'utf8',
			}),
		)[0];
		execFileSync('tar', ['xzf', join(work, packed.filename), '-C', work]);
		const unpacked = join(work, 'package');
		const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));

		const failures: string[] = [];
		const files: string[] = packed.files.map((f: { path: string }) => f.path);
		for (const expected of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) {
			if (!files.includes(expected))
				failures.push(`the tarball lacks ${expected}, named in package.json "n8n"`);
		}
		for (const icon of [
			'dist/nodes/MarketoBulk/marketo.svg',
			'dist/nodes/MarketoBulk/marketo.dark.svg',
			'dist/credentials/marketo.svg',
			'dist/credentials/marketo.dark.svg',
		]) {
			if (!files.includes(icon)) failures.push(`the tarball lacks the icon ${icon}`);
		}
		// every output schema of the source, where n8n looks for it (next to the compiled node)
		const schemas = readdirSync(join(root, 'nodes'), { recursive: true })
			.map(String)
			.filter((f) => f.split(sep).includes('__schema__') && f.endsWith('.json'))
			.map((f) => `dist/nodes/${f.split(sep).join('/')}`);
		if (schemas.length === 0) failures.push('the source holds no output schema (__schema__)');
		for (const schema of schemas)
			if (!files.includes(schema)) failures.push(`the tarball lacks the output schema ${schema}`);
		if (
			files.some(
				(f) =>
					!f.startsWith('dist/') &&
					!['package.json', 'README.md', 'LICENSE.md', 'LICENSE'].includes(f),
			)
		) {
			failures.push(
				`the tarball holds files outside dist/: ${files.filter((f) => !f.startsWith('dist/')).join(', ')}`,
			);
		}
		// A source map names .ts files the tarball does not hold: debuggers and n8n's stack traces would point at nothing.
		const maps = files.filter((f) => f.endsWith('.map'));
		if (maps.length) failures.push(`the tarball holds ${maps.length} source maps (${maps[0]}, …)`);
		if (Object.keys(manifest.dependencies ?? {}).length)
			failures.push('package.json has runtime dependencies');

		const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(
			'@n8n/scan-community-package/scanner/scanner.mjs' as string
		);
		for (const [leg, dir, patterns] of [
			['tarball', unpacked, ['**/*.js', 'package.json']],
			['source', root, SOURCE_FILE_PATTERNS],
		] as const) {
			const result = await analyzePackage(dir, patterns);
			const violated = new Set(
				[...String(result.details ?? '').matchAll(/\s(@n8n\/community-nodes\/[\w-]+)\s*$/gm)].map(
					(m) => m[1],
				),
			);
			if (result.passed) console.log(`scan of the ${leg}: passed`);
			else if (violated.size > 0 && [...violated].every((rule) => WAIVED_UNTIL_PUBLISHED.has(rule)))
				console.log(
					`scan of the ${leg}: passed except ${[...violated].join(', ')} (waived until the package has a public home; npm publish enforces them)`,
				);
			else failures.push(`scan of the ${leg} failed: ${result.message}\n${result.details ?? ''}`);
		}
		console.log(`packed ${packed.filename}: ${files.length} files, ${packed.size} bytes`);
		if (failures.length) {
			console.error(failures.map((f) => `FAIL: ${f}`).join('\n'));
			process.exit(1);
		}
		console.log('community package checks: passed');
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

void main();
