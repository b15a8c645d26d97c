import type { IDataObject } from 'n8n-workflow';

import { STATE_KEY } from './state';

/**
 * How the trigger's state reaches n8n's database.
 *
 * n8n saves a workflow's static data when the poll emits (and after an activation), and only if its root
 * is flagged as changed. n8n-workflow's ObservableObject flags it on an assignment through one of the
 * objects it wrapped: those it loaded from the database, and the node's own object. An object a node
 * stores later is kept as it is, so a change made inside it later flags nothing (until a restart loads
 * it from the database and wraps it). The trigger used to store its state once (at activation) and change
 * it in place afterwards: n8n kept saving the activation's state, and a restart replayed what had been
 * emitted since. So every poll works on a plain copy and finally assigns it through the object n8n handed
 * to this poll, which flags the root that n8n saves in every version and mode.
 *
 * Not every mode saves what a poll that emitted nothing changed: n8n 1.x and the in-memory scheduler of
 * 2.x keep it in memory until the next emission; the durable scheduler's poll triggers load the static
 * data from the database for every poll and, without durable cursors, save it only with an emission. So
 * this process also remembers the last state each trigger wrote: a poll handed an older revision of the
 * same state, with the same emissions, continues from the remembered one (the job it started is used, not
 * started again). Never across an emission: n8n's copy decides what has been emitted.
 */

/** What the wrapper below keeps in every state: one more `rev` per change, one more `emissions` per emission. */
interface Revisioned {
	id?: unknown;
	rev?: number;
	emissions?: number;
}

const remembered = new Map<string, string>();
const MAX_REMEMBERED = 1000;

/**
 * Runs one poll's step on a plain copy of the trigger's state, then writes what changed back through
 * `store` (the object `getWorkflowStaticData('node')` returned for this poll), also when the step throws:
 * a failing poll keeps what it did, as it would in n8n's memory. A step that returns something other than
 * null has emitted. `key` names the trigger in this process (workflow id and node name).
 */
export async function withSavedState<T>(
	key: string,
	store: IDataObject,
	step: (working: IDataObject) => Promise<T | null>,
): Promise<T | null> {
	// n8n starts a poll at every tick of the Poll Times, whether or not the previous one has ended, and a
	// poll can outlast a minute (a download that waits out a hung call). Both would start from the same
	// saved state and emit the same window twice: a poll that finds the previous one still running does
	// nothing, and the next tick carries on.
	if (running.has(key)) return null;
	running.add(key);
	try {
		return await stepOnCopy(key, store, step);
	} finally {
		running.delete(key);
	}
}

/** Triggers whose poll is running in this process (n8n runs every poll of a trigger in one process). */
const running = new Set<string>();

async function stepOnCopy<T>(
	key: string,
	store: IDataObject,
	step: (working: IDataObject) => Promise<T | null>,
): Promise<T | null> {
	const savedJson = jsonOf(store[STATE_KEY]);
	const baseJson = newer(savedJson, remembered.get(key));
	const working: IDataObject =
		baseJson === undefined ? {} : { [STATE_KEY]: JSON.parse(baseJson) as IDataObject };
	let emitted = false;
	try {
		const result = await step(working);
		emitted = result !== null;
		return result;
	} finally {
		const next = working[STATE_KEY] as (IDataObject & Revisioned) | undefined;
		if (next !== undefined && emitted) next.emissions = (next.emissions ?? 0) + 1;
		if (next !== undefined && jsonOf(next) !== baseJson) {
			const base = baseJson === undefined ? undefined : (JSON.parse(baseJson) as Revisioned);
			next.rev = base !== undefined && base.id === next.id ? (base.rev ?? 0) + 1 : 1;
		}
		const nextJson = jsonOf(next);
		if (nextJson !== savedJson) {
			if (next === undefined) delete store[STATE_KEY];
			else store[STATE_KEY] = next;
		}
		if (nextJson === undefined) remembered.delete(key);
		else {
			if (remembered.size >= MAX_REMEMBERED && !remembered.has(key)) remembered.clear();
			remembered.set(key, nextJson);
		}
	}
}

/** The remembered state, when it continues n8n's copy: same state, same emissions, later revision. */
function newer(
	savedJson: string | undefined,
	rememberedJson: string | undefined,
): string | undefined {
	if (savedJson === undefined || rememberedJson === undefined) return savedJson;
	const saved = JSON.parse(savedJson) as Revisioned;
	const mine = JSON.parse(rememberedJson) as Revisioned;
	const sameProgress = mine.id === saved.id && (mine.emissions ?? 0) === (saved.emissions ?? 0);
	return sameProgress && (mine.rev ?? 0) > (saved.rev ?? 0) ? rememberedJson : savedJson;
}

function jsonOf(value: unknown): string | undefined {
	return value === undefined ? undefined : JSON.stringify(value);
}
