const path = require('path');
const { parallel, task, src, dest } = require('gulp');

// tsc compiles the TypeScript; n8n also needs, next to the compiled files, each node's and credential's icon
// and the nodes' output schemas (__schema__/v<version>/<resource>/<operation>.json: the editor previews a
// node's output from them before it has run).
task('build:assets', parallel(copyIcons, copySchemas, copySchemasOf1_1));

function copyIcons() {
	const nodeSource = path.resolve('nodes', '**', '*.{png,svg}');
	const nodeDestination = path.resolve('dist', 'nodes');
	src(nodeSource).pipe(dest(nodeDestination));

	const credSource = path.resolve('credentials', '**', '*.{png,svg}');
	const credDestination = path.resolve('dist', 'credentials');
	return src(credSource).pipe(dest(credDestination));
}

function copySchemas() {
	return src(path.resolve('nodes', '**', '__schema__', '**', '*.json')).pipe(
		dest(path.resolve('dist', 'nodes')),
	);
}

// Marketo Bulk 1.1 changed how the Export ID is entered, no output: n8n asks for each version's schemas, and
// 1.1's are 1.0's.
function copySchemasOf1_1() {
	const schemas = path.resolve('nodes', 'MarketoBulk', '__schema__');
	return src(path.join(schemas, 'v1.0.0', '**', '*.json')).pipe(
		dest(path.resolve('dist', 'nodes', 'MarketoBulk', '__schema__', 'v1.1.0')),
	);
}
