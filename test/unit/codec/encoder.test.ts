/** Encoding import files, the encode → decode round trip, and raw record splitting. */
import {
	CsvDecoder,
	CsvError,
	RecordSplitter,
	encodeRow,
	encodeValue,
	type Delimiter,
} from '../../../nodes/MarketoBulk/codec';
import { prng } from '../../helpers/random';

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

function decodeBytes(bytes: Uint8Array, delimiter: Delimiter, chunk: number) {
	const d = new CsvDecoder({ delimiter });
	const rows = [];
	for (let i = 0; i < bytes.length; i += chunk) rows.push(...d.write(bytes.subarray(i, i + chunk)));
	rows.push(...d.end());
	return rows.map((r) => r.values);
}

describe('encodeValue / encodeRow', () => {
	test('quotes only when needed, doubling quotes', () => {
		expect(encodeValue('plain', ',')).toBe('plain');
		expect(encodeValue('a,b', ',')).toBe('"a,b"');
		expect(encodeValue('a,b', '\t')).toBe('a,b');
		expect(encodeValue('a\tb', '\t')).toBe('"a\tb"');
		expect(encodeValue('a b', ' ')).toBe('"a b"');
		expect(encodeValue('a;b', ';')).toBe('"a;b"');
		expect(encodeValue('say "hi"', ',')).toBe('"say ""hi"""');
		expect(encodeValue('x\ny', ',')).toBe('"x\ny"');
		expect(encodeValue('x\ry', ',')).toBe('"x\ry"');
		expect(encodeValue('中😀', ',')).toBe('中😀');
	});

	test('null/undefined → empty; the text null is quoted so it reads back as text', () => {
		expect(encodeValue(null, ',')).toBe('');
		expect(encodeValue(undefined, ',')).toBe('');
		expect(encodeValue('null', ',')).toBe('"null"');
		expect(encodeValue('', ',')).toBe('');
	});

	test("nullText writes Marketo's null literal, e.g. when re-encoding TSV as CSV", () => {
		const tsv = 'a\tb\tc\nnull\t"null"\tx,y\n';
		const d = new CsvDecoder({ format: 'TSV' });
		const csv = [...d.write(tsv), ...d.end()]
			.map((r) => encodeRow(r.values, ',', { nullText: 'null' }))
			.join('');
		expect(csv).toBe('a,b,c\nnull,"null","x,y"\n');
		expect(encodeValue(undefined, ';', 'null')).toBe('null');
	});

	test('numbers, booleans, dates, objects', () => {
		expect(encodeValue(42, ',')).toBe('42');
		expect(encodeValue(-1.5, ',')).toBe('-1.5');
		expect(encodeValue(10n, ',')).toBe('10');
		expect(encodeValue(true, ',')).toBe('true');
		expect(encodeValue(new Date('2024-01-02T03:04:05Z'), ',')).toBe('2024-01-02T03:04:05.000Z');
		expect(encodeValue({ a: 1, b: 'x' }, ',')).toBe('"{""a"":1,""b"":""x""}"');
		expect(encodeValue([1, 2], '\t')).toBe('[1,2]');
	});

	test('encodeRow joins and ends with LF; a lone empty value stays a record', () => {
		expect(encodeRow(['email', 'firstName'], ',')).toBe('email,firstName\n');
		expect(encodeRow(['a@x.com', 'Jo, Ann', null, 3], ',')).toBe('a@x.com,"Jo, Ann",,3\n');
		expect(encodeRow([''], ',')).toBe('""\n');
		expect(encodeRow([null], ',')).toBe('""\n');
		expect(encodeRow([], ',')).toBe('\n');
	});
});

describe('round trip: encodeRow → decode gives the same values', () => {
	const atoms = [
		'a',
		'b',
		'0',
		'é',
		'ß',
		'中',
		'😀',
		'𝄞',
		',',
		';',
		' ',
		'\t',
		'"',
		'""',
		'\r',
		'\n',
		'\r\n',
		'\0',
		'\u2028',
		'\u2029',
		'\ufeff',
		'null',
		'NULL',
	];

	function randomString(rnd: () => number): string {
		if (rnd() < 0.05) return '';
		if (rnd() < 0.05) return 'null';
		let s = '';
		const len = Math.floor(rnd() * 10);
		for (let i = 0; i < len; i++) {
			s +=
				rnd() < 0.8
					? atoms[Math.floor(rnd() * atoms.length)]
					: String.fromCharCode(Math.floor(rnd() * 0xd7ff));
		}
		return s;
	}

	for (const delimiter of [',', '\t', ' ', ';'] as Delimiter[]) {
		test(`delimiter ${JSON.stringify(delimiter)}: 3000 random rows`, () => {
			const rnd = prng(1000 + delimiter.charCodeAt(0));
			const rows: string[][] = [];
			let file = '';
			for (let r = 0; r < 3000; r++) {
				const width = 1 + Math.floor(rnd() * 6);
				const row = Array.from({ length: width }, () => randomString(rnd));
				// A BOM at the very start of the file is dropped by design; keep the first value off it.
				if (r === 0) row[0] = 'first' + row[0];
				rows.push(row);
				file += encodeRow(row, delimiter);
			}
			const bytes = utf8(file);
			expect(decodeBytes(bytes, delimiter, bytes.length)).toEqual(rows);
			expect(decodeBytes(bytes, delimiter, 1 + Math.floor(rnd() * 97))).toEqual(rows);
		});
	}

	test('each row alone, 5000 cases, byte by byte for the first 300', () => {
		const rnd = prng(7);
		for (let k = 0; k < 5000; k++) {
			const delimiter = ([',', '\t', ' ', ';'] as Delimiter[])[k % 4];
			const row = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => randomString(rnd));
			if (row[0].startsWith('\ufeff')) row[0] = 'x' + row[0];
			const bytes = utf8(encodeRow(row, delimiter));
			expect(decodeBytes(bytes, delimiter, k < 300 ? 1 : bytes.length)).toEqual([row]);
		}
	});
});

describe('RecordSplitter', () => {
	function split(bytes: Uint8Array, chunk: number): Uint8Array[] {
		const s = new RecordSplitter();
		const out: Uint8Array[] = [];
		for (let i = 0; i < bytes.length; i += chunk)
			out.push(...s.write(bytes.subarray(i, i + chunk)));
		out.push(...s.end());
		return out;
	}

	const file =
		'email,note\r\na@x.com,"multi\r\nline, ""quoted"""\r\nb@x.com,中文😀\n"c\n@x.com",null\nlast,no newline';

	test('cuts at line ends outside quotes, keeping each record byte-exact', () => {
		const records = split(utf8(file), 1 << 16).map(text);
		expect(records).toEqual([
			'email,note\r\n',
			'a@x.com,"multi\r\nline, ""quoted"""\r\n',
			'b@x.com,中文😀\n',
			'"c\n@x.com",null\n',
			'last,no newline',
		]);
	});

	test('any chunking gives the same records, and they concatenate to the input', () => {
		const bytes = utf8(file);
		const whole = split(bytes, bytes.length).map(text);
		for (const chunk of [1, 2, 3, 5, 8, 13]) expect(split(bytes, chunk).map(text)).toEqual(whole);
		expect(whole.join('')).toBe(file);
		// Records decode to the same rows as the file.
		const rows = whole.map((r) => {
			const d = new CsvDecoder({ delimiter: ',' });
			return [...d.write(r), ...d.end()].map((x) => x.values);
		});
		expect(rows.flat()).toEqual(decodeBytes(bytes, ',', bytes.length));
	});

	test('random files: records concatenate back to the file for random chunk sizes', () => {
		const rnd = prng(99);
		for (let f = 0; f < 100; f++) {
			let body = 'id,value\n';
			for (let r = 0; r < 30; r++) body += encodeRow([String(r), atomsString(rnd)], ',');
			const bytes = utf8(body);
			const records = split(bytes, 1 + Math.floor(rnd() * 20));
			expect(records.length).toBe(31);
			expect(Buffer.concat(records).equals(Buffer.from(bytes))).toBe(true);
		}
	});

	test('drops a leading BOM, even when it is split across chunks', () => {
		const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('a,b\n1,2\n')]);
		expect(split(bytes, 1).map(text)).toEqual(['a,b\n', '1,2\n']);
		expect(split(bytes, 100).map(text)).toEqual(['a,b\n', '1,2\n']);
		expect(split(new Uint8Array([0xef, 0xbb]), 1)).toEqual([new Uint8Array([0xef, 0xbb])]);
	});

	test('a record left over at the end of a chunk is copied, so the caller may reuse its buffer', () => {
		const s = new RecordSplitter();
		const buf = utf8('a,b\n1,');
		const first = s.write(buf).map(text); // complete records are views: read them before reuse
		buf.fill(0x7a);
		const rest = [...s.write(utf8('2\n')), ...s.end()];
		expect(first).toEqual(['a,b\n']);
		expect(rest.map(text)).toEqual(['1,2\n']);
	});

	test('unterminated quote at the end → CsvError naming the line where the record starts', () => {
		const s = new RecordSplitter();
		s.write(utf8('a,b\n1,"x\ny\n'));
		s.write(utf8('z\n'));
		let error: unknown;
		try {
			s.end();
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(CsvError);
		expect((error as CsvError).line).toBe(2);
	});
});

function atomsString(rnd: () => number): string {
	const atoms = ['a', ',', '"', '\n', '\r\n', '中', '😀', 'null'];
	let s = '';
	for (let i = Math.floor(rnd() * 6); i > 0; i--) s += atoms[Math.floor(rnd() * atoms.length)];
	return s;
}
