/**
 * Builds and packs the package once for the e2e suites (from a snapshot copy of the sources, so dist/ in the
 * checkout is left alone); prints the tarball's path. Used by scripts/test-e2e.sh.
 *   npx ts-node --transpile-only scripts/e2e-pack.ts [--no-build] [--in-place]
 */
import { packPackage } from '../test/harness/install';

try {
	const args = process.argv.slice(2);
	const tarball = packPackage({
		build: !args.includes('--no-build'),
		fromCopy: !args.includes('--in-place'),
	});
	process.stdout.write(`${tarball}\n`);
} catch (error) {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
}
