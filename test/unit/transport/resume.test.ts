import type { INode } from 'n8n-workflow';

import type { MarketoContext, StreamResponse } from '../../../nodes/MarketoBulk/transport/call';
import { resumingBody } from '../../../nodes/MarketoBulk/transport/resume';

const ctx = { getNode: () => ({ name: 'Marketo Bulk' }) as INode } as unknown as MarketoContext;
const FILE = 'header\nrow 1\nrow 2\nrow 3\n';

/** A response whose body passes on `text` in chunks of `size` bytes, then ends or throws `cut`. */
function response(statusCode: number, text: string, size: number, cut?: Error): StreamResponse {
	const bytes = Buffer.from(text);
	async function* body(): AsyncGenerator<Uint8Array> {
		for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
		if (cut) throw cut;
	}
	return { statusCode, headers: {}, body: body() };
}

async function read(chunks: AsyncIterable<Uint8Array>): Promise<string> {
	const parts: Uint8Array[] = [];
	for await (const chunk of chunks) parts.push(chunk);
	return Buffer.concat(parts).toString();
}

const gaveUp = (resumes: number, received: number) =>
	new Error(`gave up after ${resumes} resumes at byte ${received}`);

describe('resumingBody', () => {
	it('passes each byte on once when a reopen sends the whole body again (200, not 206)', async () => {
		const opened: number[] = [];
		const answers = [
			response(200, FILE.slice(0, 10), 4, new Error('socket hang up')),
			response(200, FILE, 3),
		];
		const body = await resumingBody(ctx, {
			open: async (from) => (opened.push(from), answers.shift()!),
			maxResumes: 5,
			gaveUp,
		});
		expect(await read(body.chunks)).toBe(FILE);
		expect(opened).toEqual([0, 10]);
		expect(body.resumes()).toBe(1);
	});

	it('reopens again when a reopen ends cleanly before the bytes already passed on', async () => {
		const answers = [
			response(200, FILE.slice(0, 15), 5, new Error('socket hang up')),
			response(200, FILE.slice(0, 9), 5), // ends without an error, short of byte 15
			response(200, FILE, 5),
		];
		const body = await resumingBody(ctx, {
			open: async () => answers.shift()!,
			maxResumes: 5,
			gaveUp,
		});
		expect(await read(body.chunks)).toBe(FILE);
		expect(body.resumes()).toBe(2);
	});

	it('resumes with a 206 from where a body ended cleanly short of the expected size', async () => {
		const answers = [
			response(200, FILE.slice(0, 12), 4), // ends cleanly, but short of expectedBytes
			response(206, FILE.slice(12), 4),
		];
		const opened: number[] = [];
		const body = await resumingBody(ctx, {
			open: async (from) => (opened.push(from), answers.shift()!),
			expectedBytes: FILE.length,
			maxResumes: 5,
			gaveUp,
		});
		expect(await read(body.chunks)).toBe(FILE);
		expect(opened).toEqual([0, 12]);
	});

	it('gives up after maxResumes reopens that all broke off, saying how many', async () => {
		let opens = 0;
		const body = await resumingBody(ctx, {
			open: async () => (opens++, response(200, FILE.slice(0, 7), 7, new Error('reset'))),
			maxResumes: 3,
			gaveUp,
		});
		await expect(read(body.chunks)).rejects.toThrow('gave up after 3 resumes at byte 7');
		expect(opens).toBe(4);
	});
});
