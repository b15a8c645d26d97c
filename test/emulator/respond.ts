/** Response helpers: Marketo's JSON envelope, gateway-style HTML errors, body reading. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiError } from './types';

let sequence = 0;

/** Marketo request ids look like `e42b#14272d07d78`. */
export function requestId(): string {
	return randomBytes(2).toString('hex') + '#' + Date.now().toString(16);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': 'application/json;charset=UTF-8',
		'Content-Length': Buffer.byteLength(text),
	});
	res.end(text);
}

/**
 * A success envelope. Marketo's own examples sometimes carry `warnings: []` and sometimes no warnings
 * key at all; every third response here carries it so clients are exercised on both.
 */
export function sendOk(
	res: ServerResponse,
	result?: unknown[],
	extra: Record<string, unknown> = {},
): void {
	const body: Record<string, unknown> = { requestId: requestId() };
	if (result !== undefined) body.result = result;
	body.success = true;
	Object.assign(body, extra);
	if (!('warnings' in body) && ++sequence % 3 === 0) body.warnings = [];
	sendJson(res, 200, body);
}

/** API errors arrive with HTTP 200, success:false and no result key. */
export function sendError(res: ServerResponse, error: ApiError): void {
	sendJson(res, 200, { requestId: requestId(), success: false, errors: [error] });
}

const REASONS: Record<number, string> = {
	400: 'Bad Request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	413: 'Request Entity Too Large',
	414: 'Request-URI Too Long',
	429: 'Too Many Requests',
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
	504: 'Gateway Time-out',
};

/** What a gateway or a wrong host answers: an HTML page, not JSON. */
export function sendHtml(res: ServerResponse, status: number, detail?: string): void {
	const reason = REASONS[status] ?? 'Error';
	const html =
		`<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n` +
		(detail ? `<p>${detail.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</p>\r\n` : '') +
		`<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
	res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(html) });
	res.end(html);
}

/** A plain-text answer (what Marketo's bulk pages show for a missing file). */
export function sendText(res: ServerResponse, status: number, text: string): void {
	res.writeHead(status, {
		'Content-Type': 'text/plain',
		'Content-Length': Buffer.byteLength(text),
	});
	res.end(text);
}

/** Reads the request body, or returns 'tooLarge' (and stops reading) past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'tooLarge'> {
	return new Promise((resolve, reject) => {
		const declared = Number(req.headers['content-length']);
		if (Number.isFinite(declared) && declared > limit) {
			req.resume();
			resolve('tooLarge');
			return;
		}
		const chunks: Buffer[] = [];
		let size = 0;
		let done = false;
		req.on('data', (c: Buffer) => {
			if (done) return;
			size += c.length;
			if (size > limit) {
				done = true;
				req.resume();
				resolve('tooLarge');
				return;
			}
			chunks.push(c);
		});
		req.on('end', () => {
			if (!done) resolve(Buffer.concat(chunks));
		});
		req.on('error', reject);
	});
}
