/** The decoder of the one CSV/TSV/SSV codec: every case here broke a real peer once. */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse as csvParseSync } from 'csv-parse/sync';
import {
	CsvDecoder,
	CsvError,
	decodeRecords,
	delimiterFor,
	detectDelimiter,
	encodeValue,
	type DecodedRow,
	type DecoderOptions,
	type Delimiter,
} from '../../../nodes/MarketoBulk/codec';
import { prng } from '../../helpers/random';

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

/** Decodes input fed in chunks whose sizes come from `size` (bytes for Uint8Array, chars for text). */
function decodeChunked(
	input: Uint8Array | string,
	size: () => number,
	options?: DecoderOptions,
): DecodedRow[] {
	const decoder = new CsvDecoder(options);
	const rows: DecodedRow[] = [];
	const add = (more: DecodedRow[]) => {
		for (const r of more) rows.push(r);
	};
	for (let i = 0; i < input.length; ) {
		const n = Math.max(1, size());
		add(
			decoder.write(typeof input === 'string' ? input.slice(i, i + n) : input.subarray(i, i + n)),
		);
		i += n;
	}
	add(decoder.end());
	return rows;
}

const decode = (input: Uint8Array | string, options?: DecoderOptions) =>
	decodeChunked(input, () => input.length || 1, options);
const values = (input: Uint8Array | string, options?: DecoderOptions) =>
	decode(input, options).map((r) => r.values);

/** Every way of cutting the input must give the same rows as one chunk. */
function expectChunkInvariant(text: string, options?: DecoderOptions, seed = 1): DecodedRow[] {
	const bytes = utf8(text);
	const whole = decode(bytes, options);
	expect(decode(text, options)).toEqual(whole);
	expect(decodeChunked(bytes, () => 1, options)).toEqual(whole);
	expect(decodeChunked(text, () => 1, options)).toEqual(whole);
	const rnd = prng(seed);
	for (let k = 0; k < 5; k++) {
		const max = [2, 3, 7, 64, 4096][k];
		expect(decodeChunked(bytes, () => 1 + Math.floor(rnd() * max), options)).toEqual(whole);
	}
	return whole;
}

async function collect(
	chunks: Array<Uint8Array | string>,
	options: Parameters<typeof decodeRecords>[1] = {},
) {
	async function* source() {
		for (const c of chunks) yield c;
	}
	const batches = [];
	for await (const b of decodeRecords(source(), options)) batches.push(b);
	return batches;
}

async function expectCsvError(promiseOrFn: Promise<unknown> | (() => unknown)) {
	try {
		if (typeof promiseOrFn === 'function') promiseOrFn();
		else await promiseOrFn;
	} catch (e) {
		expect(e).toBeInstanceOf(CsvError);
		return e as CsvError;
	}
	throw new Error('expected a CsvError');
}

describe('delimiterFor / detectDelimiter', () => {
	test('format → delimiter', () => {
		expect(delimiterFor('CSV')).toBe(',');
		expect(delimiterFor('TSV')).toBe('\t');
		expect(delimiterFor('SSV')).toBe(' ');
		expect(delimiterFor('tsv' as never)).toBe('\t');
	});

	test('counts outside quotes only', () => {
		expect(detectDelimiter('a,b,c')).toBe(',');
		expect(detectDelimiter('a\tb\tc')).toBe('\t');
		expect(detectDelimiter('a;b;c')).toBe(';');
		expect(detectDelimiter('a b c')).toBe(' ');
		expect(detectDelimiter('"x,y,z";b;"c,d"')).toBe(';');
		expect(detectDelimiter('"a\tb\tc",d')).toBe(',');
		expect(detectDelimiter('single')).toBe(',');
	});

	test('SSV: semicolon or space, whichever the header uses', () => {
		expect(detectDelimiter('email;firstName;lastName', 'SSV')).toBe(';');
		expect(detectDelimiter('email firstName lastName', 'SSV')).toBe(' ');
		// Renamed headers with spaces inside a semicolon file.
		expect(detectDelimiter('E Mail;First Name;Last Name', 'SSV')).toBe(';');
		expect(detectDelimiter('"First Name" "Last Name"', 'SSV')).toBe(' ');
		expect(detectDelimiter('email', 'SSV')).toBe(' ');
	});

	test("the format's delimiter wins when present; the header's own one when it is absent", () => {
		expect(detectDelimiter('First Name,Last Name', 'CSV')).toBe(',');
		expect(detectDelimiter('a;b,c;d', 'CSV')).toBe(',');
		expect(detectDelimiter('a\tb\tc', 'CSV')).toBe('\t');
		expect(detectDelimiter('a,b', 'TSV')).toBe(',');
		expect(detectDelimiter('First Name', 'TSV')).toBe('\t');
	});
});

describe('CsvDecoder basics', () => {
	test('header and records with line numbers', () => {
		const rows = decode('id,email\n1,a@x.com\n2,b@x.com\n');
		expect(rows).toEqual([
			{ values: ['id', 'email'], line: 1 },
			{ values: ['1', 'a@x.com'], line: 2 },
			{ values: ['2', 'b@x.com'], line: 3 },
		]);
	});

	test('quoted delimiters', () => {
		expect(values('a,b\n"x,y","1,2,3"\n')).toEqual([
			['a', 'b'],
			['x,y', '1,2,3'],
		]);
	});

	test('doubled quotes', () => {
		expect(values('a,b\n"say ""hi""",""""\n"""",x\n')).toEqual([
			['a', 'b'],
			['say "hi"', '"'],
			['"', 'x'],
		]);
	});

	test('LF and CRLF line ends', () => {
		expect(values('a,b\r\n1,2\r\n3,4\r\n')).toEqual([
			['a', 'b'],
			['1', '2'],
			['3', '4'],
		]);
		expect(values('a,b\n1,2\r\n"3","4"\r\n5,"6"\n')).toEqual([
			['a', 'b'],
			['1', '2'],
			['3', '4'],
			['5', '6'],
		]);
	});

	test('CR, LF and CRLF inside quoted values are kept exactly', () => {
		const rows = decode('a,b\r\n"x\ry","p\nq\r\nr"\r\n"\r","\n"\n');
		expect(rows.map((r) => r.values)).toEqual([
			['a', 'b'],
			['x\ry', 'p\nq\r\nr'],
			['\r', '\n'],
		]);
		// Physical lines: the two LFs inside the quoted value of line 2 push the next record to line 5.
		expect(rows.map((r) => r.line)).toEqual([1, 2, 5]);
	});

	test('a lone CR outside quotes is data, not a line end', () => {
		expect(values('a,b\n1\r2,3\n')).toEqual([
			['a', 'b'],
			['1\r2', '3'],
		]);
	});

	test('unquoted null → null, quoted "null" → text, empty → empty string', () => {
		expect(values('a,b,c,d\nnull,"null",,nullx\n')).toEqual([
			['a', 'b', 'c', 'd'],
			[null, 'null', '', 'nullx'],
		]);
		expect(values('a,b\n"",null\nnull,\n')).toEqual([
			['a', 'b'],
			['', null],
			[null, ''],
		]);
	});

	test('nullLiteral: null keeps the text; a custom literal; an empty literal', () => {
		expect(values('a,b\nnull,x\n', { nullLiteral: null })).toEqual([
			['a', 'b'],
			['null', 'x'],
		]);
		expect(values('a,b\nNULL,null\n', { nullLiteral: 'NULL' })).toEqual([
			['a', 'b'],
			[null, 'null'],
		]);
		expect(values('a,b,c\n,"",x\n"",\n', { nullLiteral: '' })).toEqual([
			['a', 'b', 'c'],
			[null, '', 'x'],
			['', null],
		]);
	});

	test('NUL bytes, U+2028 and U+2029 are ordinary characters', () => {
		const text = 'a,b\nx\u0000y,"\u2028"\n\u2029,\u0000\n';
		expect(values(utf8(text))).toEqual([
			['a', 'b'],
			['x\u0000y', '\u2028'],
			['\u2029', '\u0000'],
		]);
		expectChunkInvariant(text);
	});

	test('BOM at file start is dropped (bytes, text, and split across chunks); not elsewhere', () => {
		const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('id,x\n1,\ufeff2\n')]);
		const expected = [
			['id', 'x'],
			['1', '\ufeff2'],
		];
		expect(values(bytes)).toEqual(expected);
		expect(values('\ufeffid,x\n1,\ufeff2\n')).toEqual(expected);
		expect(decodeChunked(bytes, () => 1).map((r) => r.values)).toEqual(expected);
		expect(new CsvDecoder().write(bytes.subarray(0, 2))).toEqual([]);
	});

	test('trailing newline or not; blank lines skipped but counted', () => {
		expect(values('a,b\n1,2')).toEqual([
			['a', 'b'],
			['1', '2'],
		]);
		expect(values('a,b\n1,"2"')).toEqual([
			['a', 'b'],
			['1', '2'],
		]);
		expect(values('a,b\n1,')).toEqual([
			['a', 'b'],
			['1', ''],
		]);
		expect(values('a,b\n1,"x",')).toEqual([
			['a', 'b'],
			['1', 'x', ''],
		]);
		expect(values('a,b\n1,2\r')).toEqual([
			['a', 'b'],
			['1', '2'],
		]);
		expect(values('a,b\n1,"2"\r')).toEqual([
			['a', 'b'],
			['1', '2'],
		]);
		const rows = decode('\r\na,b\n\n1,2\n\r\n\n3,4\n\n');
		expect(rows).toEqual([
			{ values: ['a', 'b'], line: 2 },
			{ values: ['1', '2'], line: 4 },
			{ values: ['3', '4'], line: 7 },
		]);
		expect(decode('')).toEqual([]);
		expect(decode('\n\r\n')).toEqual([]);
	});

	test('a quote inside an unquoted value is literal', () => {
		const rows = expectChunkInvariant('a,b\nab"c,5" tall\n"x",y""\n1,"2"\n');
		expect(rows.map((r) => r.values)).toEqual([
			['a', 'b'],
			['ab"c', '5" tall'],
			['x', 'y""'],
			['1', '2'],
		]);
	});

	test('unterminated quote at end of file → CsvError naming the line where it opened', async () => {
		const d = new CsvDecoder();
		d.write('a,b\n1,2\n3,"never\nclosed\n');
		const e = await expectCsvError(() => d.end());
		expect(e.line).toBe(3);
		expect(e.message).toMatch(/^Line 3: .*column 2.*never closed/);
	});

	test('text after a closing quote → CsvError', async () => {
		const e = await expectCsvError(() => decode('a,b\n"x\ny"z,1\n'));
		expect(e.line).toBe(3);
		expect(e.message).toMatch(/^Line 3: unexpected text after the closing quote of column 1/);
		await expectCsvError(() => decode('a,b\n"x"\r1\n'));
	});

	test('SSV with semicolons and with spaces (detected from the header)', () => {
		const semi = 'email;First Name\n"a;b@x.com";Jo Ann\nnull;"x"\n';
		const d1 = new CsvDecoder({ format: 'SSV' });
		const rows1 = [...d1.write(semi), ...d1.end()].map((r) => r.values);
		expect(d1.delimiter).toBe(';');
		expect(rows1).toEqual([
			['email', 'First Name'],
			['a;b@x.com', 'Jo Ann'],
			[null, 'x'],
		]);
		const space = 'email firstName\n"Jo Ann" null\nb@x.com "say ""hi"""\n';
		const d2 = new CsvDecoder({ format: 'SSV' });
		const rows2 = [...d2.write(space), ...d2.end()].map((r) => r.values);
		expect(d2.delimiter).toBe(' ');
		expect(rows2).toEqual([
			['email', 'firstName'],
			['Jo Ann', null],
			['b@x.com', 'say "hi"'],
		]);
	});

	test('TSV with quoted tabs; an explicit delimiter wins', () => {
		expect(values('a\tb\n"x\ty"\t"1,2"\n', { format: 'TSV' })).toEqual([
			['a', 'b'],
			['x\ty', '1,2'],
		]);
		const d = new CsvDecoder({ delimiter: '\t' });
		expect(d.delimiter).toBe('\t');
		expect([...d.write('a,b\tc\n'), ...d.end()].map((r) => r.values)).toEqual([['a,b', 'c']]);
	});

	test('the delimiter is known once the header line (even a quoted multi-line one) is complete', () => {
		const d = new CsvDecoder();
		expect(d.write('"a\n,b";x;y')).toEqual([]);
		expect(d.delimiter).toBeUndefined();
		expect(d.write('\n1;2;3\n')).toEqual([
			{ values: ['a\n,b', 'x', 'y'], line: 1 },
			{ values: ['1', '2', '3'], line: 3 },
		]);
		expect(d.delimiter).toBe(';');
	});

	test('Marketo activity export sample (JSON attributes in one quoted cell)', () => {
		const text =
			'marketoGUID,leadId,activityDate,activityTypeId,campaignId,primaryAttributeValueId,primaryAttributeValue,attributes\n' +
			'783957693,5414087,2022-02-13T14:06:20Z,104,8497,1670,MembershipTest1,"{""Reason"":""Changed by Smart Campaign, step"",""Program Member ID"":3240303,""Acquired By"":true}"\n' +
			'783958220,5414094,2022-02-13T14:08:50Z,104,null,3569,SuccessWebCPS,"{""Success"":true,""New Status"":""Attended""}"\n';
		const rows = expectChunkInvariant(text);
		expect(rows).toHaveLength(3);
		expect(JSON.parse(rows[1].values[7] as string)).toEqual({
			Reason: 'Changed by Smart Campaign, step',
			'Program Member ID': 3240303,
			'Acquired By': true,
		});
		expect(rows[2].values[4]).toBeNull();
	});
});

describe('chunk boundaries anywhere', () => {
	const tricky =
		'名前,emoji,note\r\n' +
		'中文字,"😀,🎉","say ""hi""\r\nthere"\r\n' +
		'é,null,"""\n"""\r\n' +
		'"a""b",x,"\r"\r\n' +
		'ÿ€😀,"",null\r\n' +
		'𝄞,"\u2028",\u0000\n';

	test('byte by byte, char by char and random sizes equal one chunk', () => {
		const rows = expectChunkInvariant(tricky);
		expect(rows.map((r) => r.values)).toEqual([
			['名前', 'emoji', 'note'],
			['中文字', '😀,🎉', 'say "hi"\r\nthere'],
			['é', null, '"\n"'],
			['a"b', 'x', '\r'],
			['ÿ€😀', '', null],
			['𝄞', '\u2028', '\u0000'],
		]);
		expect(rows.map((r) => r.line)).toEqual([1, 2, 4, 6, 7, 8]);
	});

	test('every single cut point (two chunks) equals one chunk', () => {
		const bytes = utf8(tricky);
		const whole = decode(bytes);
		for (let cut = 0; cut <= bytes.length; cut++) {
			const d = new CsvDecoder();
			const rows = [
				...d.write(bytes.subarray(0, cut)),
				...d.write(bytes.subarray(cut)),
				...d.end(),
			];
			expect(rows).toEqual(whole);
		}
	});

	test('a string chunk after bytes that ended inside a character', () => {
		const d = new CsvDecoder();
		const euro = utf8('€');
		const rows = [
			...d.write(utf8('a\n')),
			...d.write(euro.subarray(0, 1)),
			...d.write('x\n'),
			...d.end(),
		];
		expect(rows.map((r) => r.values)).toEqual([['a'], ['\ufffdx']]);
	});

	test('a long quoted value spanning many chunks is decoded in linear time', () => {
		const big = 'x'.repeat(3_000_000) + '""' + '\n'.repeat(1000);
		const text = 'a,b\n"' + big + '",1\n2,3\n';
		const bytes = utf8(text);
		const started = Date.now();
		const rows = decodeChunked(bytes, () => 1024);
		expect(Date.now() - started).toBeLessThan(5000);
		expect(rows.map((r) => r.line)).toEqual([1, 2, 1003]);
		expect(rows[1].values[0]).toBe('x'.repeat(3_000_000) + '"' + '\n'.repeat(1000));
	});
});

describe('random files against an independent parser (csv-parse)', () => {
	const atoms = [
		'a',
		'Z',
		'7',
		'é',
		'中',
		'😀',
		',',
		';',
		' ',
		'\t',
		'"',
		'\r',
		'\n',
		'\r\n',
		'\0',
		'\u2028',
		'null',
	];

	function randomValue(rnd: () => number): string | null {
		const r = rnd();
		if (r < 0.1) return null;
		if (r < 0.15) return '';
		if (r < 0.2) return 'null';
		let s = '';
		const len = Math.floor(rnd() * 8);
		for (let i = 0; i < len; i++) s += atoms[Math.floor(rnd() * atoms.length)];
		return s;
	}

	for (const delimiter of [',', '\t', ';', ' '] as Delimiter[]) {
		test(`delimiter ${JSON.stringify(delimiter)}: 200 random files, random chunking`, () => {
			const rnd = prng(delimiter.charCodeAt(0));
			for (let f = 0; f < 200; f++) {
				const width = 1 + Math.floor(rnd() * 5);
				const eol = rnd() < 0.5 ? '\n' : '\r\n';
				const header = Array.from({ length: width }, (_, i) => `col${i}`);
				const expected: DecodedRow[] = [{ values: header, line: 1 }];
				let text = header.join(delimiter) + eol;
				let line = 2;
				const rowCount = Math.floor(rnd() * 20);
				for (let r = 0; r < rowCount; r++) {
					const vals = Array.from({ length: width }, () => randomValue(rnd));
					// A record of one empty unquoted value would be a blank line: Marketo writes null.
					const cells = vals.map((v) =>
						v === null
							? 'null'
							: rnd() < 0.2 || (width === 1 && v === '')
								? '"' + v.replaceAll('"', '""') + '"' // needlessly quoted: still valid
								: encodeValue(v, delimiter),
					);
					const record = cells.join(delimiter);
					expected.push({ values: vals, line });
					line += (record.match(/\n/g) ?? []).length + 1;
					text += record + (r === rowCount - 1 && rnd() < 0.3 ? '' : eol);
				}
				const bytes = utf8(text);
				const options = { delimiter };
				expect(decode(bytes, options)).toEqual(expected);
				const maxChunk = 1 + Math.floor(rnd() * 40);
				expect(decodeChunked(bytes, () => 1 + Math.floor(rnd() * maxChunk), options)).toEqual(
					expected,
				);
				// The same file through csv-parse, told how Marketo writes nulls.
				const oracle = csvParseSync(text, {
					delimiter,
					relax_column_count: true,
					skip_empty_lines: true,
					cast: (v, ctx) => (!ctx.quoting && v === 'null' ? null : v),
				}) as Array<Array<string | null>>;
				expect(expected.map((r) => r.values)).toEqual(oracle);
			}
		});
	}
});

describe('decodeRecords', () => {
	test('records keyed by header, batched per chunk, with physical lines', async () => {
		const batches = await collect([
			'id,name,note\n1,Ann,null\n2,"Bo',
			'b","multi\nline"\n3,Cy,',
			'"x"\n',
		]);
		expect(batches.map((b) => b.records.length)).toEqual([1, 1, 1]);
		expect(batches[0].header).toEqual(['id', 'name', 'note']);
		expect(batches.flatMap((b) => b.records)).toEqual([
			{ json: { id: '1', name: 'Ann', note: null }, line: 2 },
			{ json: { id: '2', name: 'Bob', note: 'multi\nline' }, line: 3 },
			{ json: { id: '3', name: 'Cy', note: 'x' }, line: 5 },
		]);
	});

	test('wrong column count → CsvError naming the physical line, with a hint', async () => {
		const e = await expectCsvError(collect(['id,name,note\n1,"two\nlines",x\n2,b\n3,c,d\n']));
		expect(e.line).toBe(4);
		expect(e.message).toMatch(/^Line 4 has 2 values but the header has 3 columns; /);
		expect(e.message).toMatch(/line break|cut off/);

		const more = await expectCsvError(collect(['a,b\n1,2,3\n']));
		expect(more.message).toBe(
			'Line 2 has 3 values but the header has 2 columns; a value may hold an unquoted comma, or the file may use a different delimiter',
		);
		const other = await expectCsvError(collect(['a,b\n1;2\n']));
		expect(other.message).toMatch(
			/^Line 2 has 1 value but the header has 2 columns; .*different delimiter/,
		);
	});

	test('an unterminated quote surfaces from the stream as CsvError', async () => {
		const e = await expectCsvError(collect(['a,b\n1,"open\n', 'more\n']));
		expect(e.line).toBe(2);
	});

	test('empty file yields nothing; header only yields the header with no records', async () => {
		expect(await collect([])).toEqual([]);
		expect(await collect(['', '\n'])).toEqual([]);
		expect(await collect(['a,b\n'])).toEqual([{ header: ['a', 'b'], records: [] }]);
		expect(await collect(['a,b'])).toEqual([{ header: ['a', 'b'], records: [] }]);
	});

	test('SSV by format, and a custom convert', async () => {
		const batches = await collect([utf8('id;score\n1;2.5\n')], {
			format: 'SSV',
			convert: (header) => (v) => ({ [header[0]]: Number(v[0]), [header[1]]: Number(v[1]) }),
		});
		expect(batches[0].records[0].json).toEqual({ id: 1, score: 2.5 });
	});

	test('a header cell written as null keeps its text', async () => {
		const batches = await collect(['a,null\n1,2\n']);
		expect(batches[0].header).toEqual(['a', 'null']);
	});
});

describe('ships inside the node package', () => {
	test('imports only its own modules and touches no restricted global (community-node scanner rules)', () => {
		const dir = join(__dirname, '../../../nodes/MarketoBulk/codec');
		for (const name of readdirSync(dir).filter((file) => file.endsWith('.ts'))) {
			const source = readFileSync(join(dir, name), 'utf8');
			const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
			const imports = [...code.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]);
			expect(imports.filter((path) => !path.startsWith('./'))).toEqual([]);
			expect(code).not.toMatch(/\brequire\s*\(/);
			expect(code).not.toMatch(/\b(setTimeout|setInterval|setImmediate|process|globalThis)\b/);
		}
	});
});
