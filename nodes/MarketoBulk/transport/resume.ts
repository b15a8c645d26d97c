import type { MarketoContext, StreamResponse } from './call';
import { cancelSignalOf, ExecutionCancelledError } from './cancel';

/**
 * A downloaded body that survives a broken connection: when it breaks off (a reset, a body that stops
 * arriving, or one that ends short of the size Marketo reported), the body is opened again from the first
 * byte not yet passed on, at most `maxResumes` times. Each byte reaches the consumer exactly once: a
 * server that answers the reopen with the whole body (200 rather than 206) has what was already passed on
 * skipped. Export files and import failures/warnings files both come through here.
 */
export interface ResumableBody {
	/**
	 * The first response (`from` 0), then a reopen from byte `from` (with `Range`, where the endpoint
	 * takes one).
	 */
	open(from: number): Promise<StreamResponse>;
	/** Bytes the body must have, when Marketo said so: fewer is a body that broke off. */
	expectedBytes?: number;
	maxResumes: number;
	/** The error once the body broke off again after `maxResumes` reopens. */
	gaveUp(resumes: number, received: number, cause: unknown): Error;
}

export interface ResumingBody {
	chunks: AsyncGenerator<Uint8Array>;
	/** How many times the body was reopened so far. */
	resumes(): number;
}

export async function resumingBody(
	ctx: MarketoContext,
	body: ResumableBody,
): Promise<ResumingBody> {
	const first = await body.open(0);
	let resumes = 0;

	async function* chunks(): AsyncGenerator<Uint8Array> {
		let received = 0;
		let response = first;
		for (;;) {
			let skip = received > 0 && response.statusCode !== 206 ? received : 0;
			let failure: unknown;
			try {
				for await (const raw of response.body) {
					let chunk = raw;
					if (skip > 0) {
						if (chunk.length <= skip) {
							skip -= chunk.length;
							continue;
						}
						chunk = chunk.subarray(skip);
						skip = 0;
					}
					received += chunk.length;
					yield chunk;
				}
			} catch (error) {
				failure = error;
			}
			// A reopen that ended before it reached the bytes already passed on broke off too.
			if (skip > 0 && failure === undefined)
				failure = new Error(`the body reopened ended after fewer than ${received} bytes`);
			if (cancelSignalOf(ctx)?.aborted) {
				throw new ExecutionCancelledError(ctx.getNode(), 'The execution was cancelled.');
			}
			// Every byte Marketo reported arrived: a connection lost after the last one (say, the end of a
			// chunked body) changes nothing, and asking for more would only get HTTP 416.
			const expected = body.expectedBytes;
			const complete = expected !== undefined && received >= expected;
			const short = expected !== undefined && received < expected;
			if (complete || (failure === undefined && !short)) return;
			if (resumes === body.maxResumes) throw body.gaveUp(resumes, received, failure);
			resumes++;
			response = await body.open(received);
		}
	}

	return { chunks: chunks(), resumes: () => resumes };
}
