/**
 * Reads the V8 CPU profiles written with --cpu-prof and sums self time per function, so that a missed target
 * can be explained by where the time goes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../test/harness/processes';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}

interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

export interface Hotspots {
	/** ms of samples. */
	total: number;
	spots: Hotspot[];
	/** Self time per source file (node internals together). */
	files: Hotspot[];
}

export interface Hotspot {
	name: string;
	share: number;
	ms: number;
}

/**
 * Where a function lives. Repository files run through ts-node, whose line numbers are those of the
 * transpiled code, so only the file is given for them.
 */
function where(url: string, line: number): string {
	if (!url) return '';
	let path = url.replace(/^file:\/\//, '');
	if (path.startsWith(REPO_ROOT) && !path.includes('node_modules'))
		return relative(REPO_ROOT, path);
	path = path.replace(/^.*node_modules\//, '');
	return `${path}:${line + 1}`;
}

/** Self time per function of one profile, largest first. */
export function hotspots(file: string, top = 12): Hotspots {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const self = new Map<string, number>();
	const perFile = new Map<string, number>();
	let total = 0;
	for (let i = 0; i < profile.samples.length; i++) {
		const node = byId.get(profile.samples[i]);
		const dt = profile.timeDeltas[i] ?? 0;
		if (!node) continue;
		const name = node.callFrame.functionName || '(anonymous)';
		if (name === '(idle)') continue;
		const key = `${name} ${where(node.callFrame.url, node.callFrame.lineNumber)}`.trim();
		self.set(key, (self.get(key) ?? 0) + dt);
		const fileKey = fileOf(node.callFrame.url, name);
		perFile.set(fileKey, (perFile.get(fileKey) ?? 0) + dt);
		total += dt;
	}
	const spots = [...self.entries()]
		.sort((a, b) => b[1] - a[1])
		.slice(0, top)
		.map(([name, us]) => ({ name, share: us / total, ms: us / 1000 }));
	const files = [...perFile.entries()]
		.sort((a, b) => b[1] - a[1])
		.slice(0, 8)
		.map(([name, us]) => ({ name, share: us / total, ms: us / 1000 }));
	return { total: total / 1000, spots, files };
}

function fileOf(url: string, name: string): string {
	if (!url) return name.startsWith('(') ? name : '(native)';
	if (url.startsWith('node:')) return 'node internals';
	const path = where(url, 0).replace(/:1$/, '');
	if (path.startsWith('node:')) return 'node internals';
	const pkg = /^(@[^/]+\/[^/]+|[^/]+)\//.exec(url.replace(/^.*node_modules\//, ''));
	return url.includes('node_modules/') && pkg ? `${pkg[1]} (package)` : path;
}

/** The newest profile in `dir` whose name starts with `prefix`. */
export function latestProfile(dir: string, prefix: string): string | undefined {
	const files = readdirSync(dir)
		.filter((f) => f.startsWith(prefix) && f.endsWith('.cpuprofile'))
		.sort();
	return files.length ? join(dir, files[files.length - 1]) : undefined;
}
