import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	IN8nHttpFullResponse,
} from 'n8n-workflow';

import {
	instanceOrigin,
	type MarketoCall,
	type MarketoContext,
	type MarketoEnvelope,
	type StreamResponse,
} from './call';
import { sendWithPolicy, toRequestOptions } from './send';
import { transportState } from './state';
import { envelopeOf, errorOf, type RawResponse, verdictOf } from './verdicts';

export {
	CREDENTIALS_TYPE,
	instanceOrigin,
	RETRY_POLICY,
	TIME_LIMITS,
	type ByteStream,
	type MadeBody,
	type MarketoCall,
	type MarketoContext,
	type MarketoEnvelope,
	type StreamResponse,
} from './call';
export { cancelSignalOf, ExecutionCancelledError, pause } from './cancel';
export { limitRetriesUntil, marketoRequestAfterCancel } from './send';

/**
 * The one way this package talks to Marketo. Every request, from the node's one-step operations, its
 * declarative single steps, the trigger and the pickers, goes through `sendWithPolicy` (send.ts), which:
 * - unwraps Marketo's envelope (errors arrive with HTTP 200 and `success:false`);
 * - on 601/602 (token invalid/expired, also HTTP 200, which n8n does not recognise) or HTTP 401 fetches a
 *   fresh token and replays the request once;
 * - gives every attempt a time limit of its own (TIME_LIMITS), cut to the run's deadline;
 * - retries what is transient (604, 608, 611, HTTP 429/5xx, dropped connections, time limits) with
 *   exponential backoff and jitter, a bounded number of times; Marketo's rate limits (606, 615), shared
 *   with every other client of the instance, are waited out for as long as the run may wait;
 * - turns everything else into a MarketoApiError whose message says what to change (verdicts.ts).
 *
 * call.ts says what a call is and its limits, cancel.ts how waits end when the execution is cancelled,
 * streams.ts how stream bodies are watched; this file is the public face and the declarative routing glue.
 */

export async function marketoRequest<T = IDataObject>(
	ctx: MarketoContext,
	call: MarketoCall,
): Promise<MarketoEnvelope<T>> {
	const response = await sendWithPolicy(ctx, {
		build: () => toRequestOptions(ctx, call),
		acceptStatus: call.acceptStatus,
		idempotent: call.idempotent,
		deadline: call.deadline,
	});
	return envelopeOf<T>(response.body);
}

export async function marketoStream(
	ctx: MarketoContext,
	call: MarketoCall,
): Promise<StreamResponse> {
	const response = await sendWithPolicy(ctx, {
		build: () => toRequestOptions(ctx, { ...call, stream: true }),
		acceptStatus: call.acceptStatus,
		deadline: call.deadline,
	});
	return response as unknown as StreamResponse;
}

// ---------------------------------------------------------------------------------------------------
// Declarative routing glue: the single-step operations are plain `routing` descriptions whose requests
// pass through these two hooks, so they follow exactly the same policy as everything else.

/** preSend: point the request at the instance and keep it, so that `unwrapEnvelope` can replay it. */
export async function prepareRoutedRequest(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	requestOptions.baseURL = await instanceOrigin(this);
	requestOptions.ignoreHttpStatusErrors = true;
	requestOptions.returnFullResponse = true;
	requestOptions.json = true;
	// A deep copy taken before n8n adds the Authorization header, so a replay carries the fresh token.
	transportState(this).routedRequest = structuredClone(requestOptions);
	return requestOptions;
}

/** postReceive: one item per entry of Marketo's `result`; failures go through the shared policy. */
export async function unwrapEnvelope(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const sent = transportState(this).routedRequest;
	let body: unknown = response.body;
	const verdict = verdictOf(response as unknown as RawResponse);
	if (verdict.kind !== 'ok') {
		// Without the request to replay, Marketo's answer is the outcome: an error, never an empty success.
		if (!sent) throw errorOf(this, verdict);
		body = (
			await sendWithPolicy(this, {
				build: async () => ({ options: structuredClone(sent) }),
				firstResponse: response as unknown as RawResponse,
			})
		).body;
	}
	const envelope = envelopeOf(body);
	return envelope.result.map((json) => ({ json: json as IDataObject }));
}

// ---------------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------------
