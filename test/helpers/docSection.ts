import * as fs from 'fs';
import * as path from 'path';

/**
 * Replaces what stands between `<!-- name:begin -->` and `<!-- name:end -->` in a file of the repository:
 * tables a test run produces (docs/reliability.md) are written by that run, not copied by hand.
 */
export function replaceSection(file: string, name: string, text: string): void {
	const target = path.resolve(__dirname, '..', '..', file);
	const begin = `<!-- ${name}:begin -->`;
	const end = `<!-- ${name}:end -->`;
	const current = fs.readFileSync(target, 'utf8');
	const from = current.indexOf(begin);
	const to = current.indexOf(end);
	if (from < 0 || to < from) throw new Error(`${file} has no ${begin} … ${end} section`);
	fs.writeFileSync(
		target,
		`${current.slice(0, from + begin.length)}\n${text}\n${current.slice(to)}`,
	);
}
