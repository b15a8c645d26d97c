/**
 * The request pipeline every Marketo call goes through: counting, injected failures, the concurrency
 * cap (615), the rate window (606), authentication (600/601/602), then the endpoint. Control calls
 * under /__emulator/ skip all of it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearer, findRoute, normalizePath, type Deps } from './api';
import type { RequestFailure } from './faults';
import type { ConcurrencyGate, RateLimiter } from './limits';
import { sendError, sendHtml, sendJson } from './respond';

export interface Pipeline {
	deps: Deps;
	limiter: RateLimiter;
	gate: ConcurrencyGate;
	rateLimit: { calls: number; windowSeconds: number };
	count: (key: string) => void;
	control: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
}

export async function handleRequest(
	p: Pipeline,
	req: IncomingMessage,
	res: ServerResponse,
): Promise<void> {
	const url = new URL(req.url ?? '/', 'http://emulator.local');
	const method = req.method ?? 'GET';
	const path = url.pathname;
	if (path.startsWith('/__emulator/')) return p.control(req, res, url);

	let found: ReturnType<typeof findRoute>;
	try {
		found = findRoute(method, path);
	} catch {
		found = undefined;
	}
	// Counter key: the route's path with ':id', or the path with ids normalized when no route knows it.
	let key = normalizePath(path);
	if (found && 'route' in found) key = found.route.path;
	else if (found) key = found.otherMethod.path;
	p.count(`${method} ${key}`);

	const failure = p.deps.faults.takeRequestFailure(method, path, key);
	// A stalled body is the real answer cut short, so the request goes on to its endpoint.
	if (failure?.stallAfterBytes !== undefined)
		stallAfter(res, failure.stallAfterBytes, failure.hangMs);
	else if (failure) return injectFailure(req, res, failure);

	// A wrong host or path prefix gets what a web server gives: an HTML 404, not Marketo JSON.
	if (!found) {
		req.resume();
		return sendHtml(res, 404);
	}
	if (!('route' in found)) {
		req.resume();
		return sendError(res, { code: '605', message: 'HTTP Method not supported' });
	}

	if (!p.gate.enter()) {
		req.resume();
		p.count('refused 615');
		return sendError(res, { code: '615', message: 'Concurrent access limit reached' });
	}
	res.on('close', () => p.gate.leave());

	if (!p.limiter.admit()) {
		req.resume();
		p.count('refused 606');
		const { calls, windowSeconds } = p.rateLimit;
		return sendError(res, {
			code: '606',
			message: `Max rate limit '${calls}' exceeded with in '${windowSeconds}' secs`,
		});
	}

	const { route, params } = found;
	let user: string | undefined;
	if (route.auth !== 'none') {
		const token = bearer(req) ?? url.searchParams.get('access_token') ?? undefined;
		user = p.deps.tokens.userOf(token);
		// An import may carry its token in the form; that is checked once the body is read.
		if (!(route.auth === 'token-or-form' && !token)) {
			const error = p.deps.tokens.check(token);
			if (error) {
				req.resume();
				return sendError(res, error);
			}
		}
	}
	try {
		await route.handle({ req, res, query: url.searchParams, params, deps: p.deps, user });
	} catch (e) {
		if (!res.headersSent)
			sendJson(res, 200, {
				requestId: 'emulator',
				success: false,
				errors: [{ code: '611', message: 'System error' }],
			});
		else res.destroy(e as Error);
	}
}

function injectFailure(req: IncomingMessage, res: ServerResponse, failure: RequestFailure): void {
	const answer = () => {
		if (failure.httpStatus) return sendHtml(res, failure.httpStatus, failure.message);
		sendError(res, {
			code: failure.code ?? '611',
			message: failure.message ?? defaultMessage(failure.code ?? '611'),
		});
	};
	if (failure.unread) {
		// Answer, then close once the answer has left, with the request body still unread.
		res.once('finish', () => req.socket.destroy());
		return answer();
	}
	// A server that hangs has still read the request: the client finishes sending, then waits.
	req.resume();
	if (failure.hang) return holdOpen(res, failure.hangMs);
	if (failure.reset) return void req.socket.destroy();
	answer();
}

/** Keeps the connection open without a byte more, then closes it after `ms` (if given). */
function holdOpen(res: ServerResponse, ms: number | undefined): void {
	if (ms !== undefined) setTimeout(() => res.destroy(), ms).unref();
}

/** Lets the first `limit` bytes of the response body through, then nothing more (see holdOpen). */
function stallAfter(res: ServerResponse, limit: number, hangMs: number | undefined): void {
	let left = limit;
	const write = res.write.bind(res) as (chunk: Buffer) => boolean;
	const end = res.end.bind(res) as () => ServerResponse;
	const pass = (chunk: unknown) => {
		if (left <= 0 || chunk === undefined || chunk === null || typeof chunk === 'function') return;
		const part = Buffer.from(chunk as string | Uint8Array).subarray(0, left);
		left -= part.length;
		if (part.length) write(part);
		if (left <= 0) holdOpen(res, hangMs);
	};
	// Writers are told all went well (and their callbacks never run): they carry on into the void.
	res.write = ((chunk: unknown) => (pass(chunk), true)) as typeof res.write;
	res.end = ((chunk?: unknown) => {
		pass(chunk);
		return left > 0 ? end() : res;
	}) as typeof res.end;
}

const DEFAULT_MESSAGES: Record<string, string> = {
	'601': 'Access token invalid',
	'602': 'Access token expired',
	'604': 'Request timed out',
	'606': "Max rate limit '100' exceeded with in '20' secs",
	'607': 'Daily quota reached',
	'608': 'API Temporarily Unavailable',
	'611': 'System error',
	'615': 'Concurrent access limit reached',
	'1029': 'Too many jobs (10) in queue',
};

function defaultMessage(code: string): string {
	return DEFAULT_MESSAGES[code] ?? 'Error';
}
