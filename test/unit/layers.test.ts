import { join } from 'path';

import { checkLayers, importsOf, readModules } from '../../scripts/check-layers';

describe('layers of nodes/ and credentials/', () => {
	test('no module imports a higher layer, and no import cycle', () => {
		expect(checkLayers(readModules(join(__dirname, '../..')))).toEqual([]);
	});

	test('the check finds an upward import and a cycle', () => {
		const modules = new Map([
			['nodes/MarketoBulk/helpers/a.ts', "import { b } from '../methods/b';"],
			['nodes/MarketoBulk/methods/b.ts', 'export const b = 1;'],
			['nodes/MarketoBulk/import/c.ts', "import { d } from '../export/d';"],
			['nodes/MarketoBulk/export/d.ts', 'export const d = 1;'],
			['nodes/MarketoBulk/trigger/x.ts', "import type { Y } from './y';\nexport type X = 1;"],
			['nodes/MarketoBulk/trigger/y.ts', "import {\n\tx,\n} from './x';\nexport type Y = 1;"],
		]);
		expect(checkLayers(modules)).toEqual([
			'nodes/MarketoBulk/helpers/a.ts (helpers) imports nodes/MarketoBulk/methods/b.ts (methods), a higher layer',
			'nodes/MarketoBulk/import/c.ts (import) imports nodes/MarketoBulk/export/d.ts (export): the two stay independent',
			'import cycle: nodes/MarketoBulk/trigger/x.ts → nodes/MarketoBulk/trigger/y.ts → nodes/MarketoBulk/trigger/x.ts',
		]);
	});

	test('reads static, re-export, dynamic and require imports, not comments', () => {
		const source = [
			"import { a } from './a';",
			"export { b } from './b';",
			"import './c';",
			"const d = require('./d');",
			"// import { e } from './e';",
		].join('\n');
		expect(importsOf(source)).toEqual(['./a', './b', './c', './d']);
	});
});
