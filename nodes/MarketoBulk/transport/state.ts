import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

/** What the transport keeps per execution context: one object, dropped with the context. */
export interface TransportState {
	/** A declarative step's request as sent, so that `unwrapEnvelope` can replay it (see index.ts). */
	routedRequest?: IHttpRequestOptions;
	/** A time after which no retry may start and no attempt may last (a poll's time budget). */
	retryDeadline?: number;
	/** Credentials carrying a token refreshed after 601/602, used for later calls. */
	refreshedCredentials?: ICredentialDataDecryptedObject;
}

const states = new WeakMap<object, TransportState>();

export function transportState(ctx: object): TransportState {
	let state = states.get(ctx);
	if (state === undefined) {
		state = {};
		states.set(ctx, state);
	}
	return state;
}
