/** The hand-written multipart/form-data body of the import upload. */
import { createServer, type IncomingMessage } from 'http';
import type { AddressInfo } from 'net';
import { Readable } from 'stream';
import axios from 'axios';
import { request } from 'undici';

import {
	multipartBody,
	newBoundary,
	quoteParameter,
} from '../../../nodes/MarketoBulk/import/multipart';
import { toNodeReadable } from '../../../nodes/MarketoBulk/helpers/readable';
import { boundaryOf, parseMultipart } from '../../emulator/multipart';

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const chunk of chunks) parts.push(Buffer.from(chunk));
	return Buffer.concat(parts);
}

describe('multipartBody', () => {
	test('exact bytes for fields and a file, Content-Length matching', async () => {
		const body = multipartBody(
			[
				{ name: 'format', content: 'csv' },
				{
					name: 'file',
					fileName: 'leads.csv',
					contentType: 'text/csv',
					data: [utf8('email\n'), utf8('a@b.c\n')],
				},
			],
			'XyZ',
		);
		const bytes = await collect(body.stream());
		expect(bytes.toString('utf8')).toBe(
			'--XyZ\r\nContent-Disposition: form-data; name="format"\r\n\r\ncsv\r\n' +
				'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="leads.csv"\r\nContent-Type: text/csv\r\n\r\nemail\na@b.c\n\r\n' +
				'--XyZ--\r\n',
		);
		expect(body.contentLength).toBe(bytes.length);
		expect(body.contentType).toBe('multipart/form-data; boundary=XyZ');
	});

	test('parsed back by an independent parser; binary-safe; UTF-8 file names', async () => {
		const file = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
		const body = multipartBody([
			{ name: 'lookupField', content: 'email' },
			{ name: 'listId', content: '1001' },
			{
				name: 'file',
				fileName: 'Leads ümlaut.csv',
				contentType: 'text/csv',
				data: [file.subarray(0, 1000), file.subarray(1000)],
			},
		]);
		const bytes = await collect(body.stream());
		expect(bytes.length).toBe(body.contentLength);
		const parts = parseMultipart(bytes, boundaryOf(body.contentType)!)!;
		expect(parts.map((p) => p.name)).toEqual(['lookupField', 'listId', 'file']);
		expect(parts[0].data.toString()).toBe('email');
		expect(parts[2].filename).toBe('Leads ümlaut.csv');
		expect(Buffer.compare(parts[2].data, Buffer.from(file))).toBe(0);
	});

	test('stream() can be replayed (one call per attempt) and gives the same bytes', async () => {
		const body = multipartBody([
			{ name: 'file', fileName: 'f.csv', contentType: 'text/csv', data: [utf8('x\n1\n')] },
		]);
		const first = await collect(body.stream());
		const second = await collect(body.stream());
		expect(second.equals(first)).toBe(true);
	});

	test('a file given as a function is streamed anew per call; no length → no Content-Length', async () => {
		let opened = 0;
		const data = async function* () {
			opened++;
			yield utf8('email\n');
			yield utf8('x@y.z\n');
		};
		const body = multipartBody([
			{ name: 'file', fileName: 'f.csv', contentType: 'text/csv', data },
		]);
		expect(body.contentLength).toBeUndefined();
		await collect(body.stream());
		await collect(body.stream());
		expect(opened).toBe(2);
		const withLength = multipartBody([
			{ name: 'file', fileName: 'f.csv', contentType: 'text/csv', data, length: 12 },
		]);
		expect(withLength.contentLength).toBe((await collect(withLength.stream())).length);
	});

	test('parameters are quoted like browsers do; boundaries are random and valid', () => {
		expect(quoteParameter('a"b\r\nc')).toBe('"a%22b%0D%0Ac"');
		const a = newBoundary();
		const b = newBoundary();
		expect(a).not.toBe(b);
		expect(a.length).toBeLessThanOrEqual(70);
		expect(() => multipartBody([], 'bad boundary with spaces')).toThrow(/boundary/);
	});
});

describe('toNodeReadable', () => {
	test('gives a Node Readable (found without importing stream) with the same bytes', async () => {
		const chunks = async function* () {
			yield utf8('hello ');
			yield utf8('world');
		};
		const readable = toNodeReadable(chunks());
		expect(readable).toBeInstanceOf(Readable);
		expect((await collect(readable as AsyncIterable<Uint8Array>)).toString()).toBe('hello world');
	});

	test('streams an upload over HTTP with the announced Content-Length (no chunked encoding)', async () => {
		let received: { headers: IncomingMessage['headers']; body: Buffer } | undefined;
		const server = createServer(async (req, res) => {
			received = { headers: req.headers, body: await collect(req) };
			res.end('{}');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const file = utf8('email,firstName\n' + 'a@b.c,"Doe, John"\n'.repeat(10_000));
			const body = multipartBody([
				{ name: 'format', content: 'csv' },
				{ name: 'file', fileName: 'f.csv', contentType: 'text/csv', data: [file] },
			]);
			const { port } = server.address() as AddressInfo;
			const response = await request(`http://127.0.0.1:${port}/`, {
				method: 'POST',
				headers: { 'content-type': body.contentType, 'content-length': String(body.contentLength) },
				body: toNodeReadable(body.stream()) as Readable,
			});
			await response.body.text();
			expect(received!.headers['content-length']).toBe(String(body.contentLength));
			expect(received!.headers['transfer-encoding']).toBeUndefined();
			const parts = parseMultipart(received!.body, boundaryOf(body.contentType)!)!;
			expect(Buffer.compare(parts[1].data, Buffer.from(file))).toBe(0);
		} finally {
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	});

	test('axios (what n8n sends requests with) uploads the Readable; a bare async generator would not do', async () => {
		const bodies: Buffer[] = [];
		const server = createServer(async (req, res) => {
			bodies.push(await collect(req));
			res.setHeader('content-type', 'application/json');
			res.end('{"success":true}');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const { port } = server.address() as AddressInfo;
			const body = multipartBody([
				{
					name: 'file',
					fileName: 'f.csv',
					contentType: 'text/csv',
					data: [utf8('email\nx@y.z\n')],
				},
			]);
			const headers = {
				'Content-Type': body.contentType,
				'Content-Length': String(body.contentLength),
			};
			const response = await axios.post(
				`http://127.0.0.1:${port}/`,
				toNodeReadable(body.stream()),
				{ headers },
			);
			expect(response.data).toEqual({ success: true });
			expect(bodies[0].length).toBe(body.contentLength);
			expect(bodies[0].equals(await collect(body.stream()))).toBe(true);
			// A bare async generator is not sent as the body by axios (it is serialised as an object).
			await axios
				.post(`http://127.0.0.1:${port}/`, body.stream(), {
					headers: { 'Content-Type': body.contentType },
				})
				.catch(() => undefined);
			expect(bodies[1]?.equals(bodies[0])).not.toBe(true);
		} finally {
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	});
});
