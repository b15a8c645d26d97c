const path = require('path');
const { parallel, task, src, dest } = require('gulp');

// tsc compiles the TypeScript; n8n also needs, next to the compiled files, each node's and credential's icon
// and the nodes' output schemas (__schema__/v<version>/<resource>/<operation>.json: the editor previews a
// node's output from them before it has run).
task('build:assets', parallel(copyIcons, copySchemas));

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
