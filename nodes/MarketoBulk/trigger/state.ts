import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { secondsOf } from './clock';
import type { Notice } from './notices';
import type { RecordIdentity } from './config';

/**
 * What the trigger keeps in the workflow's static data between polls. Plain JSON (n8n stores it as
 * such); every time is epoch seconds on Marketo's clock unless named `…Local` (n8n server's clock, ms).
 */

export const STATE_KEY = 'marketoBulkTrigger';
export const STATE_VERSION = 1;

/** De-duplication memory is bounded: at most this many record keys are kept. */
export const MAX_SEEN = 20_000;

/** The one export job a data event may have in flight. */
export interface WindowJob {
	exportId: string;
	/** The window it exports, inclusive, as sent to Marketo. */
	startAt: string;
	endAt: string;
	/** Marketo's createdAt of the job. */
	createdAt: string;
	/** created: not yet enqueued (e.g. queue full); enqueued: Queued or Processing. */
	phase: 'created' | 'enqueued';
	lastStatus?: string;
	lastCheckLocal?: number;
}

/** A record key and its time (-1 when the record had none), for the overlap of the next window. */
export type SeenEntry = [key: string, stamp: number];

export type { Notice };

export interface DataState {
	v: number;
	type: 'data';
	/** Random per state, names this trigger's notices (see notices.ts). */
	id: string;
	stream: string;
	shape: string;
	/** Marketo's clock minus the n8n server's, learned from job createdAt stamps. */
	offsetMs: number;
	/** First second the trigger is responsible for ("now" at activation, or the chosen start date). */
	floor: number;
	/** Every record stamped at or before this second has been emitted. */
	watermark: number;
	job?: WindowJob;
	seen: SeenEntry[];
	/** `seen` holds every emitted key stamped at or after this second: no window may start earlier. */
	seenFrom?: number;
	/** Jobs of the current window that ended Failed or Cancelled in a row. */
	failures: number;
	/** Daily export quota used up: no export calls until this local time. */
	quotaUntilLocal?: number;
	notice?: Notice;
	/** Last emitted job, for the user looking at static data. */
	last?: { exportId: string; startAt: string; endAt: string; records: number };
	/** Changes and emissions so far, counted by store.ts. */
	rev?: number;
	emissions?: number;
}

export interface JobsState {
	v: number;
	type: 'jobs';
	id: string;
	stream: string;
	/** Jobs already terminal at activation ("now"): never emitted. */
	baseline: string[];
	/** Jobs emitted, by exportId. */
	emitted: string[];
	/** Marketo seconds: with a start date, jobs that finished before it are not emitted. */
	floor?: number;
	lastListLocal?: number;
	/** Changes and emissions so far, counted by store.ts. */
	rev?: number;
	emissions?: number;
}

export function readState<T extends DataState | JobsState>(
	store: IDataObject,
	type: T['type'],
): T | undefined {
	const state = store[STATE_KEY] as T | undefined;
	if (!state || typeof state !== 'object' || state.v !== STATE_VERSION || state.type !== type)
		return undefined;
	return state;
}

export function writeState(store: IDataObject, state: DataState | JobsState): void {
	store[STATE_KEY] = state as unknown as IDataObject;
}

// -------------------------------------------------------------------------------------------------
// Record identity and the overlap's de-duplication

export function keyOf(json: IDataObject, identity: RecordIdentity): string | undefined {
	const parts: string[] = [];
	for (const header of identity.keyHeaders) {
		const value = json[header];
		if (value === undefined || value === null || value === '') return undefined;
		parts.push(String(value));
	}
	// One key column: the value alone, as the states saved before keys could have several columns.
	const id = parts.join('/');
	if (!identity.keyIncludesStamp) return id;
	return `${id}@${String(json[identity.stampHeader] ?? '')}`;
}

export function stampOf(json: IDataObject, identity: RecordIdentity): number | undefined {
	return secondsOf(json[identity.stampHeader]);
}

export interface Deduplicated {
	items: INodeExecutionData[];
	dropped: number;
	seen: SeenEntry[];
	trimmed: boolean;
}

/**
 * Drops records already emitted (their key is in `seen`), then computes what the next window must
 * remember: keys of records that the next window, starting at `nextStart`, may return again. That is
 * every record stamped at or after `nextStart`, plus, for one window only, records whose visible time
 * does not explain why the window returned them (Updated Leads: Marketo filters on the last change of
 * any field, which the visible updatedAt may not show).
 */
export function deduplicate(
	items: INodeExecutionData[],
	identity: RecordIdentity,
	previous: SeenEntry[],
	window: { start: number; nextStart: number },
): Deduplicated {
	const known = new Set(previous.map(([key]) => key));
	const next = new Map<string, number>();
	for (const [key, stamp] of previous) if (stamp >= window.nextStart) next.set(key, stamp);
	const out: INodeExecutionData[] = [];
	let dropped = 0;
	for (const item of items) {
		const key = keyOf(item.json, identity);
		if (key === undefined) {
			out.push(item);
			continue;
		}
		if (known.has(key)) {
			dropped++;
			continue;
		}
		known.add(key);
		out.push(item);
		const stamp = stampOf(item.json, identity);
		if (stamp === undefined || stamp >= window.nextStart || stamp < window.start)
			next.set(key, stamp ?? -1);
	}
	let seen = [...next.entries()];
	const trimmed = seen.length > MAX_SEEN;
	if (trimmed) seen = seen.sort((a, b) => b[1] - a[1]).slice(0, MAX_SEEN);
	return { items: out, dropped, seen, trimmed };
}
