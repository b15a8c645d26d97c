/** recordBuilder: typing Marketo's text values without ever producing NaN or losing text. */
import { decodeRecords, recordBuilder } from '../../../nodes/MarketoBulk/codec';

describe('recordBuilder', () => {
	const header = ['id', 'score', 'active', 'attributes', 'email'];
	const build = recordBuilder(header, {
		id: 'integer',
		score: 'float',
		active: 'boolean',
		attributes: 'json',
		email: 'string',
	});

	test('types values; null stays null', () => {
		expect(build(['42', '-1.5', 'true', '{"a":1,"b":{"c":"x"}}', 'a@x.com'])).toEqual({
			id: 42,
			score: -1.5,
			active: true,
			attributes: { a: 1, b: { c: 'x' } },
			email: 'a@x.com',
		});
		expect(build([null, null, null, null, null])).toEqual({
			id: null,
			score: null,
			active: null,
			attributes: null,
			email: null,
		});
	});

	test('integers: decimal only, safe range, otherwise the text stays', () => {
		const b = recordBuilder(['n'], { n: 'integer' });
		const n = (v: string) => b([v]).n;
		expect(n('0')).toBe(0);
		expect(n('-0')).toBe(0);
		expect(n('+7')).toBe(7);
		expect(n('9007199254740991')).toBe(9007199254740991);
		for (const text of [
			'9007199254740993',
			'1.5',
			'1e3',
			'0x1f',
			' 1',
			'1 ',
			'-',
			'abc',
			'NaN',
			'Infinity',
		]) {
			expect(n(text)).toBe(text);
		}
		expect(n('')).toBeNull();
	});

	test('floats: decimal and exponent forms; never NaN or Infinity', () => {
		const b = recordBuilder(['f'], { f: 'float' });
		const f = (v: string) => b([v]).f;
		expect(f('3.25')).toBe(3.25);
		expect(f('-.5')).toBe(-0.5);
		expect(f('5.')).toBe(5);
		expect(f('1.0E7')).toBe(1e7);
		expect(f('2e-3')).toBe(0.002);
		for (const text of [
			'.',
			'-',
			'e5',
			'1e',
			'1e+',
			'0x10',
			' 1',
			'1,5',
			'NaN',
			'Infinity',
			'1e999',
		]) {
			expect(f(text)).toBe(text);
		}
		expect(f('')).toBeNull();
	});

	test("booleans: true/false and Marketo's 1/0", () => {
		const b = recordBuilder(['x'], { x: 'boolean' });
		const x = (v: string) => b([v]).x;
		expect([x('true'), x('false'), x('1'), x('0'), x('TRUE'), x('False')]).toEqual([
			true,
			false,
			true,
			false,
			true,
			false,
		]);
		expect(x('yes')).toBe('yes');
		expect(x('2')).toBe('2');
	});

	test('json: objects and arrays parsed, anything else kept as text', () => {
		const b = recordBuilder(['j'], { j: 'json' });
		const j = (v: string) => b([v]).j;
		expect(j('[1,"a"]')).toEqual([1, 'a']);
		expect(j('{"cut":')).toBe('{"cut":');
		expect(j('12')).toBe('12');
		expect(j('plain')).toBe('plain');
	});

	test('flattenJson: attributes {a:{b:1}} → attributes.a.b; arrays stay values', () => {
		const b = recordBuilder(
			['id', 'attributes'],
			{ id: 'integer', attributes: 'json' },
			{ flattenJson: true },
		);
		expect(b(['1', '{"Reason":"x","Old Status ID":20,"deep":{"k":[1,2]}}'])).toEqual({
			id: 1,
			'attributes.Reason': 'x',
			'attributes.Old Status ID': 20,
			'attributes.deep.k': [1, 2],
		});
		// Not an object: kept under its own key.
		expect(b(['1', 'oops'])).toEqual({ id: 1, attributes: 'oops' });
		expect(b(['1', null])).toEqual({ id: 1, attributes: null });
	});

	test('unlisted columns stay text; missing trailing values become null', () => {
		const b = recordBuilder(['a', 'b', 'c'], { a: 'integer' });
		expect(b(['1', '2'])).toEqual({ a: 1, b: '2', c: null });
		const plain = recordBuilder(['a', 'constructor'], {});
		expect(plain(['1', 'x'])).toEqual({ a: '1', constructor: 'x' });
	});

	test('a column named __proto__ becomes a field, not a prototype', () => {
		const b = recordBuilder(['__proto__', 'j'], { j: 'json' });
		const o = b(['{"polluted":true}', '{}']);
		expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
		expect(Object.keys(o)).toEqual(['__proto__', 'j']);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	test('with decodeRecords (the way the node uses it)', async () => {
		async function* source() {
			yield Buffer.from('leadId,activityTypeId,attributes\n5414087,104,"{""Success"":false}"\n');
		}
		const out = [];
		for await (const batch of decodeRecords(source(), {
			convert: (h) =>
				recordBuilder(
					h,
					{ leadId: 'integer', activityTypeId: 'integer', attributes: 'json' },
					{ flattenJson: true },
				),
		})) {
			out.push(...batch.records);
		}
		expect(out).toEqual([
			{ json: { leadId: 5414087, activityTypeId: 104, 'attributes.Success': false }, line: 2 },
		]);
	});
});
