/**
 * What goes into the import upload: rows built from items, binary files checked and cut into batches on
 * row boundaries (header repeated), and failure rows paired back to the rows sent.
 */
import {
	batchesOf,
	ImportInputError,
	type PreparedImport,
} from '../../nodes/MarketoBulk/import/batches';
import { parseFormat, prepareBinaryImport } from '../../nodes/MarketoBulk/import/fileSource';
import { prepareItemsImport } from '../../nodes/MarketoBulk/import/itemsSource';
import { decodeIssueFile, pairIssues, type IssueRow } from '../../nodes/MarketoBulk/import/issues';
import { CsvDecoder } from '../../nodes/MarketoBulk/codec';

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (chunks: Uint8Array[]) =>
	Buffer.concat(chunks.map((c) => Buffer.from(c))).toString('utf8');

/** A binary input that hands out the file in chunks of `size` bytes (cut anywhere). */
function fileInput(content: string | Uint8Array, size = 7) {
	const data = typeof content === 'string' ? bytes(content) : content;
	let opened = 0;
	return {
		opened: () => opened,
		input: {
			fileName: 'leads.csv',
			open: async () => {
				opened++;
				return (async function* () {
					for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
				})();
			},
		},
	};
}

async function batchTexts(prepared: PreparedImport): Promise<string[]> {
	const out: string[] = [];
	for await (const batch of batchesOf(prepared.source, prepared.batches))
		out.push(text(batch.chunks));
	return out;
}

async function inputError(promise: Promise<unknown> | (() => unknown)): Promise<ImportInputError> {
	try {
		await (typeof promise === 'function' ? promise() : promise);
	} catch (error) {
		expect(error).toBeInstanceOf(ImportInputError);
		return error as ImportInputError;
	}
	throw new Error('expected an ImportInputError');
}

describe('rows from input items', () => {
	test('header is the union of mapped fields; values quoted by the codec; empty → empty', async () => {
		const prepared = prepareItemsImport(
			[
				{ item: 0, values: { email: 'a@x.io', firstName: 'Ann, "Annie"' } },
				{ item: 1, values: { email: 'b@x.io', company: 'Line\nBreak', leadScore: 12 } },
				{
					item: 2,
					values: {
						email: 'c@x.io',
						firstName: null,
						unsubscribed: true,
						address: { city: 'Oslo' },
					},
				},
			],
			{ lookupField: 'email' },
		);
		expect(prepared.source.header).toEqual([
			'email',
			'firstName',
			'company',
			'leadScore',
			'unsubscribed',
			'address',
		]);
		const [file] = await batchTexts(prepared);
		expect(file).toBe(
			'email,firstName,company,leadScore,unsubscribed,address\n' +
				'a@x.io,"Ann, ""Annie""",,,,\n' +
				'b@x.io,,"Line\nBreak",12,,\n' +
				'c@x.io,,,,true,"{""city"":""Oslo""}"\n',
		);
		// The file decodes back to the values.
		const decoder = new CsvDecoder({ delimiter: ',', nullLiteral: null });
		const rows = [...decoder.write(file), ...decoder.end()].map((r) => r.values);
		expect(rows[1][1]).toBe('Ann, "Annie"');
		expect(rows[2][2]).toBe('Line\nBreak');
		const texts: string[][] = [];
		for await (const row of prepared.source.rows({ texts: true })) texts.push(row.texts!);
		expect(texts[0]).toEqual(['a@x.io', 'Ann, "Annie"', '', '', '', '']);
		expect(texts[2][5]).toBe('{"city":"Oslo"}');
	});

	test('refuses no items, no fields, and a lookup field that is not mapped', async () => {
		expect(
			(await inputError(() => prepareItemsImport([], { lookupField: 'email' }))).message,
		).toMatch(/no input items/);
		expect(
			(
				await inputError(() =>
					prepareItemsImport([{ item: 0, values: {} }], { lookupField: 'email' }),
				)
			).message,
		).toMatch(/None of the input items has a field/);
		const error = await inputError(() =>
			prepareItemsImport([{ item: 0, values: { firstName: 'A' } }], { lookupField: 'email' }),
		);
		expect(error.message).toMatch(/lookup field "email" is not among the mapped fields/);
		// The lookup field is matched like Marketo matches columns: ignoring case.
		expect(() =>
			prepareItemsImport([{ item: 0, values: { Id: 5 } }], { lookupField: 'id' }),
		).not.toThrow();
	});

	test('splits into batches by rows and by size, header repeated, rows whole', async () => {
		const records = Array.from({ length: 10 }, (_, i) => ({
			item: i,
			values: { email: `lead${i}@x.io`, note: 'x'.repeat(i) },
		}));
		const byRows = prepareItemsImport(records, { lookupField: 'email', limits: { maxRows: 4 } });
		expect(byRows.batches.map((b) => [b.firstRow, b.lastRow])).toEqual([
			[1, 4],
			[5, 8],
			[9, 10],
		]);
		const bySize = prepareItemsImport(records, { lookupField: 'email', limits: { maxBytes: 60 } });
		const files = await batchTexts(bySize);
		expect(files.length).toBe(bySize.batches.length);
		expect(files.length).toBeGreaterThan(3);
		for (const [i, file] of files.entries()) {
			expect(file.startsWith('email,note\n')).toBe(true);
			expect(Buffer.byteLength(file)).toBe(bySize.batches[i].bytes);
			expect(Buffer.byteLength(file)).toBeLessThanOrEqual(60);
		}
		expect(files.map((f) => f.slice('email,note\n'.length)).join('')).toBe(
			records.map((r) => `${r.values.email},${r.values.note}\n`).join(''),
		);
		expect(
			(
				await inputError(() =>
					prepareItemsImport(records, { lookupField: 'email', limits: { maxBytes: 20 } }),
				)
			).message,
		).toMatch(/does not fit/);
	});
});

describe('binary files', () => {
	test.each([
		['CSV', 'email,firstName\na@x.io,Ann\n', ','],
		['TSV', 'email\tfirstName\na@x.io\tAnn\n', '\t'],
		['SSV', 'email;firstName\na@x.io;Ann\n', ';'],
		['SSV', 'email firstName\na@x.io Ann\n', ' '],
	])('detects %s from the header (%j)', async (format, content, delimiter) => {
		const prepared = await prepareBinaryImport(fileInput(content).input, {
			format: 'auto',
			lookupField: 'email',
		});
		expect(prepared.source.format).toBe(format);
		expect(prepared.source.delimiter).toBe(delimiter);
		expect(prepared.source.header).toEqual(['email', 'firstName']);
		expect(prepared.source.rowCount).toBe(1);
		// A chosen format that agrees is fine.
		await expect(
			prepareBinaryImport(fileInput(content).input, {
				format: format as 'CSV',
				lookupField: 'email',
			}),
		).resolves.toBeTruthy();
	});

	test('a chosen format that disagrees with the header is refused', async () => {
		const error = await inputError(
			prepareBinaryImport(fileInput('email\tfirstName\na\tb\n').input, {
				format: 'CSV',
				lookupField: 'email',
			}),
		);
		expect(error.message).toMatch(/tab-separated, but the format is CSV/);
		expect(error.description).toMatch(/TSV/);
	});

	test('unknown format names are refused', () => {
		expect(parseFormat('tsv', false)).toBe('TSV');
		expect(parseFormat('TSV', false)).toBe('TSV');
		expect(parseFormat('auto', true)).toBe('auto');
		expect(() => parseFormat('xlsx', true)).toThrow(/Unknown file format "xlsx"/);
	});

	test('refuses empty files, header-only files, and files that are not delimited text', async () => {
		const run = (content: string | Uint8Array) =>
			inputError(
				prepareBinaryImport(fileInput(content).input, { format: 'auto', lookupField: 'email' }),
			);
		expect((await run('')).message).toMatch(/is empty/);
		expect((await run('\n\r\n')).message).toMatch(/is empty/);
		expect((await run('email,firstName\n')).message).toMatch(/header but no rows/);
		expect((await run('email,firstName\n\n\n')).message).toMatch(/header but no rows/);
		expect((await run(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).message).toMatch(
			/Excel \(XLSX\)/,
		);
		expect((await run('%PDF-1.7\n...')).message).toMatch(/PDF/);
		expect((await run(new Uint8Array([0x65, 0x6d, 0x00, 0x61, 0x0a]))).message).toMatch(
			/binary data/,
		);
		expect((await run(new Uint8Array([0xff, 0xfe, 0x65, 0x00]))).message).toMatch(/UTF-16/);
		expect((await run('email,firstName\ra@x.io,Ann\r')).message).toMatch(/carriage return/);
	});

	test('refuses a lookup field missing from the header, empty and repeated header names', async () => {
		const run = (content: string, lookupField = 'email') =>
			inputError(prepareBinaryImport(fileInput(content).input, { format: 'auto', lookupField }));
		expect((await run('firstName,lastName\nA,B\n')).message).toMatch(
			/lookup field "email" is not among the file's header columns/,
		);
		expect((await run('email,firstName\na@x.io,A\n', 'id')).message).toMatch(/lookup field "id"/);
		expect((await run('email,,lastName\na,b,c\n')).message).toMatch(/Column 2 .* has no name/);
		expect((await run('email,Email\na,b\n')).message).toMatch(/appears twice/);
	});

	test('refuses mixed delimiters and rows of the wrong width, naming the line', async () => {
		const run = (content: string) =>
			inputError(
				prepareBinaryImport(fileInput(content).input, { format: 'auto', lookupField: 'email' }),
			);
		const mixed = await run('email,firstName\na@x.io,Ann\n\nb@x.io;Bob\n');
		expect(mixed.message).toBe('Line 4 has 1 value but the header has 2 columns');
		expect(mixed.description).toMatch(/semicolons while the header uses commas/);
		expect((await run('email,firstName\na@x.io,Ann,extra\n')).message).toMatch(
			/Line 2 has 3 values/,
		);
		expect((await run('email,firstName\na@x.io,"Ann\n')).message).toMatch(/never closed/);
		expect((await run('email,firstName\na@x.io,An"n\nb@x.io,Bob\n')).message).toMatch(
			/Line 2: a quoted value .* never closed/,
		);
		expect((await run('email,firstName\na@x.io,An"n\nb@x.io,B"ob\n')).message).toMatch(
			/Line 2: the quoting of this record is broken/,
		);
	});

	test('rows keep their bytes and line numbers; BOM, CRLF, blank lines, quoted newlines, no final newline', async () => {
		const content =
			'\uFEFFemail,note\r\n\r\na@x.io,"two\r\nlines"\r\nb@x.io,plain\r\n\nc@x.io,"x,y"';
		const prepared = await prepareBinaryImport(fileInput(content, 3).input, {
			format: 'auto',
			lookupField: 'email',
		});
		expect(prepared.source.header).toEqual(['email', 'note']);
		const rows = [];
		for await (const row of prepared.source.rows())
			rows.push({ row: row.row, line: row.line, text: text([row.bytes]) });
		expect(rows).toEqual([
			{ row: 1, line: 3, text: 'a@x.io,"two\r\nlines"\r\n' },
			{ row: 2, line: 5, text: 'b@x.io,plain\r\n' },
			{ row: 3, line: 7, text: 'c@x.io,"x,y"\n' },
		]);
		const [file] = await batchTexts(prepared);
		expect(file).toBe('email,note\r\na@x.io,"two\r\nlines"\r\nb@x.io,plain\r\nc@x.io,"x,y"\n');
	});

	test('a large file is cut on row boundaries into batches under the limit, each with the header', async () => {
		const header = 'email,firstName,note\n';
		let body = '';
		for (let i = 0; i < 3000; i++) body += `lead${i}@x.io,"N, ${i}","multi\nline ""${i}"""\n`;
		const source = fileInput(header + body, 4096);
		const prepared = await prepareBinaryImport(source.input, {
			format: 'auto',
			lookupField: 'email',
			limits: { maxBytes: 20_000 },
		});
		expect(prepared.batches.length).toBeGreaterThanOrEqual(5);
		const files = await batchTexts(prepared);
		expect(files.map((f) => f.slice(header.length)).join('')).toBe(body);
		for (const [i, file] of files.entries()) {
			expect(file.startsWith(header)).toBe(true);
			expect(Buffer.byteLength(file)).toBe(prepared.batches[i].bytes);
			expect(Buffer.byteLength(file)).toBeLessThanOrEqual(20_000);
			const decoder = new CsvDecoder({ delimiter: ',' });
			const rows = [...decoder.write(file), ...decoder.end()];
			expect(rows.length - 1).toBe(prepared.batches[i].rows);
		}
		// The check pass and the upload pass each read the file once.
		expect(source.opened()).toBe(2);
	});
});

describe('a 60 MB file', () => {
	test('is checked and cut into 7 batches under 10 MB, streamed in 64 KiB chunks', async () => {
		const header = Buffer.from('email,firstName,lastName,company,address\n');
		const row = (i: number) =>
			`lead${i}@example.com,First ${i},"O'Brien, ""Jr""",Company ${i % 97},"Street ${i}\nFloor ${i % 9}"\n`;
		const parts: Buffer[] = [header];
		let size = header.length;
		let rows = 0;
		while (size < 60 * 1024 * 1024) {
			const b = Buffer.from(row(rows++));
			parts.push(b);
			size += b.length;
		}
		const file = Buffer.concat(parts);
		const prepared = await prepareBinaryImport(
			fileInput(new Uint8Array(file.buffer, file.byteOffset, file.length), 65536).input,
			{ format: 'auto', lookupField: 'email' },
		);
		expect(prepared.source.rowCount).toBe(rows);
		expect(prepared.batches.length).toBe(7);
		let total = 0;
		let next = 1;
		for await (const batch of batchesOf(prepared.source, prepared.batches)) {
			const bytes = batch.chunks.reduce((n, c) => n + c.length, 0);
			expect(bytes).toBe(batch.plan.bytes);
			expect(bytes).toBeLessThan(10_000_000);
			expect(Buffer.from(batch.chunks[0].subarray(0, header.length)).equals(header)).toBe(true);
			expect(batch.plan.firstRow).toBe(next);
			next = batch.plan.lastRow + 1;
			total += bytes - header.length;
		}
		expect(total).toBe(file.length - header.length);
		expect(next).toBe(rows + 1);
	}, 30_000);
});

describe('failures and warnings files, paired back to the rows sent', () => {
	test("the appended last column is the reason; the rest are the row's fields", async () => {
		const chunks = await fileInput(
			'email,firstName,Import Failure Reason\na@x.io,"A, B",1004 Lead not found\n',
			5,
		).input.open();
		const out: IssueRow[] = [];
		for await (const rows of decodeIssueFile(chunks, 'failure', '1001', 'csv')) out.push(...rows);
		expect(out).toEqual([
			{
				kind: 'failure',
				batchId: '1001',
				reason: '1004 Lead not found',
				fields: { email: 'a@x.io', firstName: 'A, B' },
			},
		]);
	});

	test('exact, duplicate, loose, lookup-field and unmatched rows', async () => {
		const prepared = prepareItemsImport(
			[
				{ item: 0, values: { email: 'ok@x.io', firstName: 'Ok' } },
				{ item: 1, values: { email: 'dup@x.io', firstName: 'Dup' } },
				{ item: 2, values: { email: 'dup@x.io', firstName: 'Dup' } },
				{ item: 3, values: { email: 'Case@X.io ', firstName: 'Case' } },
				{ item: 4, values: { email: 'changed@x.io', firstName: 'Before' } },
				{ item: 5, values: { email: 'other@x.io', firstName: 'Other' } },
			],
			{ lookupField: 'email', limits: { maxRows: 3 } },
		);
		const row = (email: string, firstName: string, reason: string): IssueRow => ({
			kind: 'failure',
			batchId: '1',
			reason,
			fields: { email, firstName },
		});
		const paired = await pairIssues(
			prepared.source,
			[
				{
					plan: prepared.batches[0],
					issues: [row('dup@x.io', 'Dup', 'first'), row('dup@x.io', 'Dup', 'second')],
				},
				{
					plan: prepared.batches[1],
					issues: [
						row('case@x.io', 'case', 'loose'),
						row('changed@x.io', 'After', 'by email'),
						row('ghost@x.io', 'G', 'none'),
					],
				},
			],
			'email',
		);
		const summary = paired.map((p) => [
			p.reason,
			p.match,
			p.source?.item,
			p.identicalRows?.map((r) => r.item),
		]);
		expect(summary).toEqual([
			['first', 'exact', 1, [1, 2]],
			['second', 'exact', 2, [1, 2]],
			['loose', 'loose', 3, undefined],
			['by email', 'lookupField', 4, undefined],
			['none', 'none', undefined, undefined],
		]);
	});

	test('binary rows are paired with their row and line numbers, columns matched by name', async () => {
		const content = 'email,firstName\na@x.io,A\nb@x.io,"multi\nline"\nc@x.io,C\n';
		const prepared = await prepareBinaryImport(fileInput(content).input, {
			format: 'auto',
			lookupField: 'email',
			limits: { maxRows: 2 },
		});
		const paired = await pairIssues(
			prepared.source,
			[
				{
					plan: prepared.batches[0],
					issues: [
						{
							kind: 'warning',
							batchId: '7',
							reason: 'w',
							fields: { FirstName: 'multi\nline', Email: 'b@x.io' },
						},
					],
				},
				{
					plan: prepared.batches[1],
					issues: [
						{
							kind: 'failure',
							batchId: '8',
							reason: 'f',
							fields: { email: 'c@x.io', firstName: 'C' },
						},
					],
				},
			],
			'email',
		);
		expect(paired.map((p) => [p.batch, p.match, p.source?.row, p.source?.line])).toEqual([
			[1, 'exact', 2, 3],
			[2, 'exact', 3, 5],
		]);
	});
});
