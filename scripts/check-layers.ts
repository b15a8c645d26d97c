/**
 * Checks the package's layering: every module of nodes/ and credentials/ imports only modules of its own
 * layer or of a lower one, and no import cycle exists (type-only imports count too: a cycle of types is
 * still a tangle to read).
 *
 * Layers, low → high (folders under nodes/MarketoBulk/):
 *   0  transport, codec, helpers (and credentials/)
 *   1  metadata (programs, custom objects: what Marketo says about them), export, import
 *   2  methods, descriptions (parameter blocks shared by the node and the trigger)
 *   3  actions, trigger
 *   4  the node files (MarketoBulk.node.ts, MarketoBulkTrigger.node.ts)
 * Folders of one layer may import each other, except export/ and import/, which stay independent (what
 * both need lives below them, or in metadata/).
 *
 * Run: npx ts-node --transpile-only scripts/check-layers.ts  (exit code 1 and one line per problem)
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, posix, relative, sep } from 'path';

export const LAYERS: Record<string, number> = {
	credentials: 0,
	transport: 0,
	codec: 0,
	helpers: 0,
	metadata: 1,
	export: 1,
	import: 1,
	methods: 2,
	descriptions: 2,
	actions: 3,
	trigger: 3,
	node: 4,
};

/** Folders of one layer that must not import each other. */
const INDEPENDENT: ReadonlyArray<[string, string]> = [['export', 'import']];

const NODE_ROOT = 'nodes/MarketoBulk/';

/** The layer name of a module path relative to the repository ('nodes/MarketoBulk/codec/x.ts'). */
export function layerOf(path: string): string {
	if (path.startsWith('credentials/')) return 'credentials';
	if (!path.startsWith(NODE_ROOT)) return 'outside';
	const rest = path.slice(NODE_ROOT.length);
	const slash = rest.indexOf('/');
	return slash === -1 ? 'node' : rest.slice(0, slash);
}

/** Module specifiers a source imports or re-exports (static, dynamic and require). */
export function importsOf(source: string): string[] {
	const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
	const out: string[] = [];
	const patterns = [
		/\b(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/g,
		/\bimport\s*['"]([^'"]+)['"]/g,
		/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
	];
	for (const pattern of patterns) for (const m of code.matchAll(pattern)) out.push(m[1]);
	return out;
}

function resolve(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
	if (!specifier.startsWith('.')) return undefined;
	const base = posix.normalize(posix.join(posix.dirname(from), specifier));
	for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
		if (files.has(candidate)) return candidate;
	}
	return undefined;
}

/**
 * Problems of a set of modules (path relative to the repository → source text): upward imports, imports
 * of unknown folders, and cycles (each reported once, as the path around it).
 */
export function checkLayers(modules: ReadonlyMap<string, string>): string[] {
	const problems: string[] = [];
	const files = new Set(modules.keys());
	const graph = new Map<string, string[]>();
	for (const [path, source] of modules) {
		const layer = layerOf(path);
		const known = layer in LAYERS;
		if (!known) problems.push(`${path}: folder "${layer}" has no layer`);
		const targets: string[] = [];
		for (const specifier of importsOf(source)) {
			const target = resolve(path, specifier, files);
			if (target === undefined) continue;
			targets.push(target);
			const targetLayer = layerOf(target);
			if (known && (LAYERS[targetLayer] ?? -1) > LAYERS[layer]) {
				problems.push(`${path} (${layer}) imports ${target} (${targetLayer}), a higher layer`);
			}
			if (
				INDEPENDENT.some(
					([a, b]) => (layer === a && targetLayer === b) || (layer === b && targetLayer === a),
				)
			) {
				problems.push(
					`${path} (${layer}) imports ${target} (${targetLayer}): the two stay independent`,
				);
			}
		}
		graph.set(path, [...new Set(targets)].sort());
	}

	// Cycles: a depth-first search; a back edge closes a cycle, reported from its smallest module.
	const state = new Map<string, 'open' | 'done'>();
	const stack: string[] = [];
	const seen = new Set<string>();
	const visit = (node: string) => {
		state.set(node, 'open');
		stack.push(node);
		for (const next of graph.get(node) ?? []) {
			if (state.get(next) === 'open') {
				const cycle = stack.slice(stack.indexOf(next));
				const start = cycle.indexOf([...cycle].sort()[0]);
				const ordered = [...cycle.slice(start), ...cycle.slice(0, start)];
				const key = ordered.join(' → ');
				if (!seen.has(key)) {
					seen.add(key);
					problems.push(`import cycle: ${key} → ${ordered[0]}`);
				}
			} else if (!state.has(next)) {
				visit(next);
			}
		}
		stack.pop();
		state.set(node, 'done');
	};
	for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
	return problems;
}

function listTs(dir: string): string[] {
	const out: string[] = [];
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) out.push(...listTs(path));
		else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
	}
	return out;
}

/** The modules of nodes/ and credentials/ under a repository root. */
export function readModules(root: string): Map<string, string> {
	const modules = new Map<string, string>();
	for (const top of ['nodes', 'credentials']) {
		for (const file of listTs(join(root, top))) {
			const path = relative(root, file).split(sep).join('/');
			modules.set(path, readFileSync(file, 'utf8'));
		}
	}
	return modules;
}

if (require.main === module) {
	const problems = checkLayers(readModules(join(dirname(__filename), '..')));
	for (const problem of problems) console.log(problem);
	if (problems.length > 0) process.exit(1);
	console.log('layers: every import points down or sideways, and no import cycle');
}
