import { sleep } from 'n8n-workflow';

import { type ByteStream, isStream, seconds, TimeLimitError } from './call';
import { parseMaybeJson, type RawResponse } from './verdicts';

/** Stream bodies: a watch on pauses in a download, and reading the JSON error a stream may carry. */

/** How often a time limit is checked: a pending sleep, never more than one per limit. */
export const WATCH_STEP_MS = 1000;

/**
 * The body, failing (and closed) once a read has waited `ms` for its next piece. Only waits count: a
 * consumer that takes its time between reads is not the network stalling. One watcher at a time, and
 * none while nobody reads.
 */
export function watchPauses(body: ByteStream, ms: number): ByteStream {
	const iterator = body[Symbol.asyncIterator]();
	let waitingSince: number | undefined;
	let watching = false;
	let finished = false;
	let fail: (error: Error) => void = () => undefined;
	const stalled = new Promise<never>((_resolve, reject) => (fail = reject));
	stalled.catch(() => undefined);
	const watch = async () => {
		watching = true;
		while (!finished && waitingSince !== undefined) {
			const left = waitingSince + ms - Date.now();
			if (left <= 0) {
				finished = true;
				const error = new TimeLimitError(`Marketo sent no data for ${seconds(ms)}`);
				fail(error);
				body.destroy?.(error);
				break;
			}
			await sleep(Math.min(left, WATCH_STEP_MS));
		}
		watching = false;
	};
	async function* guarded(): AsyncGenerator<Uint8Array> {
		try {
			for (;;) {
				waitingSince = Date.now();
				if (!watching) void watch();
				const next = await Promise.race([iterator.next(), stalled]);
				waitingSince = undefined;
				if (next.done) return;
				yield next.value;
			}
		} finally {
			finished = true;
			waitingSince = undefined;
			await iterator.return?.();
		}
	}
	return Object.assign(guarded(), {
		destroy: (error?: Error) => {
			finished = true;
			body.destroy?.(error);
		},
	});
}

/** Enough of an error answer to read it; a file is never buffered. */
const MAX_ERROR_BODY_BYTES = 1 << 20;

/**
 * A JSON error envelope can come back on a streamed call (file.json of a job that is not completed),
 * whatever the Content-Type says. The first chunk tells: an export file never starts with "{". A 206 is
 * the rest of a file from a byte offset, where "{" is just data (an activity's attributes JSON), never an
 * envelope. Anything else flows on untouched, first chunk included.
 */
export async function readJsonErrorOfStream(response: RawResponse): Promise<RawResponse> {
	if (!isStream(response.body)) return response;
	const original = response.body;
	const iterator = original[Symbol.asyncIterator]();
	const first = await iterator.next();
	const head = first.done ? '' : Buffer.from(first.value.subarray(0, 64)).toString('utf8');
	const envelope = response.statusCode !== 206 && head.trimStart().startsWith('{');
	if (response.statusCode >= 300 || envelope) {
		const chunks: Uint8Array[] = first.done ? [] : [first.value];
		let size = chunks[0]?.length ?? 0;
		while (size < MAX_ERROR_BODY_BYTES) {
			const next = await iterator.next();
			if (next.done) break;
			chunks.push(next.value);
			size += next.value.length;
		}
		await iterator.return?.();
		const text = Buffer.concat(chunks).toString('utf8');
		return { ...response, body: parseMaybeJson(text) ?? text };
	}
	async function* rest(): AsyncGenerator<Uint8Array> {
		try {
			if (!first.done) yield first.value;
			for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
				yield next.value;
			}
		} finally {
			await iterator.return?.();
		}
	}
	const body: ByteStream = Object.assign(rest(), {
		destroy: (error?: Error) => original.destroy?.(error),
	});
	return { ...response, body };
}
