/**
 * The instance's data: synthetic leads and activities plus everything added later (addLeads,
 * addActivities, imports). Every change is stamped with a data version so that an export job reads the
 * data as it was when the job started processing, however long after that its file is downloaded.
 */
import { LEAD_FIELDS, type ListAsset } from './schema';
import {
	Timeline,
	activityGenerators,
	activityPrimary,
	activityTypeOf,
	leadGenerators,
	leadIdFromSyntheticEmail,
	updateLagSeconds,
	MAX_UPDATE_LAG_SECONDS,
	type FieldGen,
} from './synthetic';
import { CustomObjectStore } from './coTypes';
import { MemberStore } from './programs';
import { isoSeconds } from './time';
import type { LeadValues } from './types';

/** Record positions (lead ids or activity indexes) from..to, optionally filtered. */
export interface RangeSegment {
	from: number;
	to: number;
	test?: (pos: number) => boolean;
}
/** An explicit ascending list of positions. */
export interface ListSegment {
	ids: number[];
}
export type Segment = RangeSegment | ListSegment;
export type Plan = Segment[];

/** Filters after validation, in the store's terms (epoch seconds, resolved lists). */
export type NormalLeadFilter =
	| { kind: 'all' }
	| { kind: 'createdAt' | 'updatedAt'; start: number; end: number }
	| { kind: 'staticList'; list: ListAsset }
	| { kind: 'smartList'; list: ListAsset };

export interface NormalActivityFilter {
	start: number;
	end: number;
	types?: Set<number>;
	primaryIds?: Set<number>;
	primaryValues?: Set<string>;
}

interface Block {
	first: number;
	count: number;
	at: number;
	v: number;
}

interface Revision {
	v: number;
	values: LeadValues;
	changedAt: number;
}

export interface DataShape {
	leads: { count: number; start: string; end: string };
	activities: { count: number; start: string; end: string };
}

const toSec = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export class DataStore {
	readonly leadTimeline: Timeline;
	readonly activityTimeline: Timeline;
	readonly baseLeads: number;
	readonly baseActivities: number;
	/** Bumped by every change; jobs remember the version they started at. */
	version = 0;
	/** Program memberships; export jobs copy what they read when they start processing. */
	readonly members: MemberStore;
	/** Custom object records; export jobs copy what they read when they start processing. */
	readonly customObjects: CustomObjectStore;

	private leadBlocks: Block[] = [];
	private activityBlocks: Block[] = [];
	/** Leads created by imports, ascending id, with the version that created them. */
	private importedLeads: Array<{ id: number; v: number }> = [];
	/** Full record after each import that touched a lead (insert or update), oldest first. */
	private revisions = new Map<number, Revision[]>();
	private listAdds = new Map<number, Array<{ id: number; v: number }>>();
	/** Lower-cased emails written by imports → lead ids, for lookups beyond the synthetic pattern. */
	private emailIndex = new Map<string, Set<number>>();
	private nextLeadId: number;
	private nextActivity: number;
	private readonly leadGen: Record<string, FieldGen>;
	private readonly activityGen: Record<string, FieldGen>;

	constructor(shape: DataShape) {
		this.baseLeads = shape.leads.count;
		this.baseActivities = shape.activities.count;
		this.leadTimeline = new Timeline(
			shape.leads.count,
			toSec(shape.leads.start),
			toSec(shape.leads.end),
		);
		this.activityTimeline = new Timeline(
			shape.activities.count,
			toSec(shape.activities.start),
			toSec(shape.activities.end),
		);
		this.members = new MemberStore(
			shape.leads.count,
			toSec(shape.leads.start),
			toSec(shape.leads.end),
		);
		this.customObjects = new CustomObjectStore(
			shape.leads.count,
			toSec(shape.leads.start),
			toSec(shape.leads.end),
			(id) => this.lead(id, 0)?.email ?? undefined,
		);
		this.nextLeadId = this.baseLeads + 1;
		this.nextActivity = this.baseActivities;
		this.leadGen = leadGenerators(this.leadTimeline);
		this.activityGen = activityGenerators(this.activityTimeline, this.baseLeads);
	}

	// ----------------------------------------------------------------------------------------------
	// Leads

	get hasRevisions(): boolean {
		return this.revisions.size > 0;
	}

	/** The lead's record after the last import at or before version v, if any import touched it. */
	revisionAt(id: number, v: number): LeadValues | undefined {
		const revs = this.revisions.get(id);
		if (!revs) return undefined;
		for (let k = revs.length - 1; k >= 0; k--) if (revs[k].v <= v) return revs[k].values;
		return undefined;
	}

	private blockOf(blocks: Block[], pos: number): Block | undefined {
		for (const b of blocks) if (pos >= b.first && pos < b.first + b.count) return b;
		return undefined;
	}

	/** A lead as it was at data version v (default: now). Values are strings; empty is null. */
	lead(id: number, v = this.version): LeadValues | undefined {
		const rev = this.revisionAt(id, v);
		if (rev) return rev;
		if (id >= 1 && id <= this.baseLeads) return this.generatedLead(id - 1);
		const block = this.blockOf(this.leadBlocks, id);
		if (block && block.v <= v) {
			const at = isoSeconds(block.at * 1000);
			return { ...this.generatedLead(id - 1), createdAt: at, updatedAt: at };
		}
		return undefined;
	}

	private generatedLead(i: number): LeadValues {
		const out: LeadValues = {};
		for (const fld of LEAD_FIELDS) out[fld.name] = this.leadGen[fld.name](i);
		return out;
	}

	/** Creation time of an existing lead, epoch seconds. */
	private leadCreatedSec(id: number): number {
		if (id <= this.baseLeads) return this.leadTimeline.at(id - 1);
		const block = this.blockOf(this.leadBlocks, id);
		if (block) return block.at;
		return Math.floor(Date.parse(this.revisions.get(id)![0].values.createdAt!) / 1000);
	}

	/** When any field of the lead last changed (what the updatedAt export filter looks at). */
	private leadChangedSec(id: number, v: number): number {
		const revs = this.revisions.get(id);
		if (revs)
			for (let k = revs.length - 1; k >= 0; k--) if (revs[k].v <= v) return revs[k].changedAt;
		if (id <= this.baseLeads) return this.leadTimeline.at(id - 1) + updateLagSeconds(id - 1);
		return this.leadCreatedSec(id);
	}

	/** Ids of leads created after the synthetic ones and visible at version v, ascending. */
	private extraLeadIds(v: number): number[] {
		const ids: number[] = [];
		for (const b of this.leadBlocks)
			if (b.v <= v) for (let k = 0; k < b.count; k++) ids.push(b.first + k);
		for (const x of this.importedLeads) if (x.v <= v) ids.push(x.id);
		return ids.sort((a, b) => a - b);
	}

	/** Synthetic static-list membership, before imports added anyone. */
	private static baseMember(list: ListAsset, id: number): boolean {
		return list.modulus > 0 && id % list.modulus === 0;
	}

	private static smartMember(list: ListAsset, id: number): boolean {
		return id % list.modulus === 1;
	}

	isStaticListMember(list: ListAsset, id: number, v = this.version): boolean {
		if (id <= this.baseLeads && DataStore.baseMember(list, id)) return true;
		return (this.listAdds.get(list.id) ?? []).some((x) => x.id === id && x.v <= v);
	}

	/** Which leads a lead export with this filter returns, at version v, in file order. */
	leadPlan(filter: NormalLeadFilter, v = this.version): Plan {
		const extras = this.extraLeadIds(v);
		switch (filter.kind) {
			case 'all':
				return [{ from: 1, to: this.baseLeads }, { ids: extras }];
			case 'createdAt': {
				const lo = this.leadTimeline.firstAtOrAfter(filter.start);
				const hi = this.leadTimeline.lastAtOrBefore(filter.end);
				const inRange = (id: number) => {
					const c = this.leadCreatedSec(id);
					return c >= filter.start && c <= filter.end;
				};
				return [{ from: lo + 1, to: hi + 1 }, { ids: extras.filter(inRange) }];
			}
			case 'updatedAt': {
				// A synthetic lead's last change lies within MAX_UPDATE_LAG of its creation, so only that
				// window of ids needs scanning; leads changed by imports are looked at one by one.
				const { start, end } = filter;
				const lo = this.leadTimeline.firstAtOrAfter(start - MAX_UPDATE_LAG_SECONDS) + 1;
				const hi = this.leadTimeline.lastAtOrBefore(end) + 1;
				const changedIn = (id: number) => {
					const c = this.leadChangedSec(id, v);
					return c >= start && c <= end;
				};
				const outside = [...this.revisions.keys()]
					.filter(
						(id) =>
							id <= this.baseLeads &&
							(id < lo || id > hi) &&
							this.revisionAt(id, v) &&
							changedIn(id),
					)
					.sort((a, b) => a - b);
				return [
					{ from: lo, to: hi, test: changedIn },
					{ ids: outside },
					{ ids: extras.filter(changedIn) },
				];
			}
			case 'staticList': {
				const list = filter.list;
				const added = [
					...new Set((this.listAdds.get(list.id) ?? []).filter((x) => x.v <= v).map((x) => x.id)),
				]
					.filter((id) => !(id <= this.baseLeads && DataStore.baseMember(list, id)))
					.sort((a, b) => a - b);
				const base: Segment =
					list.modulus > 0
						? { from: 1, to: this.baseLeads, test: (id) => id % list.modulus === 0 }
						: { ids: [] };
				return [base, { ids: added }];
			}
			case 'smartList': {
				const list = filter.list;
				const test = (id: number) => DataStore.smartMember(list, id);
				return [{ from: 1, to: this.baseLeads, test }, { ids: extras.filter(test) }];
			}
		}
	}

	/** Lead ids whose current email matches (case-insensitive). */
	findLeadsByEmail(email: string): number[] {
		const wanted = email.trim().toLowerCase();
		if (!wanted) return [];
		const candidates = new Set<number>(this.emailIndex.get(wanted) ?? []);
		const synthetic = leadIdFromSyntheticEmail(wanted);
		if (synthetic !== undefined) candidates.add(synthetic);
		return [...candidates]
			.filter((id) => (this.lead(id)?.email ?? '').toLowerCase() === wanted)
			.sort((a, b) => a - b);
	}

	/** Applies one import's inserts and updates as a single new data version. */
	applyImport(
		changes: Array<{ id?: number; values: LeadValues }>,
		nowSec: number,
		listId?: number,
	): number[] {
		const v = ++this.version;
		const at = isoSeconds(nowSec * 1000);
		const ids: number[] = [];
		for (const ch of changes) {
			let id = ch.id;
			let values: LeadValues;
			if (id === undefined) {
				id = this.nextLeadId++;
				values = Object.fromEntries(LEAD_FIELDS.map((x) => [x.name, null]));
				Object.assign(values, ch.values, { id: String(id), createdAt: at, updatedAt: at });
				this.importedLeads.push({ id, v });
			} else {
				values = { ...this.lead(id)!, ...ch.values, updatedAt: at };
			}
			const revs = this.revisions.get(id) ?? [];
			if (revs.length && revs[revs.length - 1].v === v)
				revs[revs.length - 1] = { v, values, changedAt: nowSec };
			else revs.push({ v, values, changedAt: nowSec });
			this.revisions.set(id, revs);
			if (values.email) {
				const key = values.email.toLowerCase();
				const set = this.emailIndex.get(key) ?? new Set<number>();
				set.add(id);
				this.emailIndex.set(key, set);
			}
			ids.push(id);
		}
		if (listId !== undefined) {
			const adds = this.listAdds.get(listId) ?? [];
			for (const id of ids) adds.push({ id, v });
			this.listAdds.set(listId, adds);
		}
		return ids;
	}

	/** New synthetic leads created at `atSec`; returns their ids. */
	addLeads(n: number, atSec: number): number[] {
		if (n <= 0) return [];
		const block = { first: this.nextLeadId, count: n, at: atSec, v: ++this.version };
		this.leadBlocks.push(block);
		this.nextLeadId += n;
		return Array.from({ length: n }, (_, k) => block.first + k);
	}

	staticListMembers(list: ListAsset, v = this.version): number[] {
		const out: number[] = [];
		for (const seg of this.leadPlan({ kind: 'staticList', list }, v))
			forEachPos(seg, (id) => out.push(id));
		return out;
	}

	// ----------------------------------------------------------------------------------------------
	// Activities

	activityGenerators(): Record<string, FieldGen> {
		return activityGenerators(this.activityTimeline, this.baseLeads);
	}

	leadGenerators(): Record<string, FieldGen> {
		return leadGenerators(this.leadTimeline);
	}

	/** Position i's activityDate override if it was added later (addActivities), else undefined. */
	addedActivityAt(i: number): number | undefined {
		return i >= this.baseActivities ? this.blockOf(this.activityBlocks, i)?.at : undefined;
	}

	activity(i: number): Record<string, string | null> {
		const out: Record<string, string | null> = {};
		for (const [name, gen] of Object.entries(this.activityGen)) out[name] = gen(i);
		const at = this.addedActivityAt(i);
		if (at !== undefined) out.activityDate = isoSeconds(at * 1000);
		return out;
	}

	addActivities(n: number, atSec: number): void {
		if (n <= 0) return;
		this.activityBlocks.push({ first: this.nextActivity, count: n, at: atSec, v: ++this.version });
		this.nextActivity += n;
	}

	activityPlan(filter: NormalActivityFilter, v = this.version): Plan {
		const { types, primaryIds, primaryValues } = filter;
		const test =
			types || primaryIds || primaryValues
				? (i: number) => {
						if (types && !types.has(activityTypeOf(i))) return false;
						if (primaryIds || primaryValues) {
							const p = activityPrimary(i);
							if (!p) return false;
							if (primaryIds && !primaryIds.has(p[0])) return false;
							if (primaryValues && !primaryValues.has(p[1])) return false;
						}
						return true;
					}
				: undefined;
		const lo = this.activityTimeline.firstAtOrAfter(filter.start);
		const hi = this.activityTimeline.lastAtOrBefore(filter.end);
		const plan: Plan = [{ from: lo, to: hi, test }];
		for (const b of this.activityBlocks) {
			if (b.v <= v && b.at >= filter.start && b.at <= filter.end)
				plan.push({ from: b.first, to: b.first + b.count - 1, test });
		}
		return plan;
	}
}

/** Visits every position of a segment in order. */
export function forEachPos(seg: Segment, fn: (pos: number) => void): void {
	if ('ids' in seg) {
		for (const id of seg.ids) fn(id);
		return;
	}
	const { from, to, test } = seg;
	if (test) {
		for (let p = from; p <= to; p++) if (test(p)) fn(p);
	} else {
		for (let p = from; p <= to; p++) fn(p);
	}
}

export function countPlan(plan: Plan): number {
	let n = 0;
	for (const seg of plan) {
		if ('ids' in seg) n += seg.ids.length;
		else if (!seg.test) n += Math.max(0, seg.to - seg.from + 1);
		else for (let p = seg.from; p <= seg.to; p++) if (seg.test(p)) n++;
	}
	return n;
}

export function* planPositions(plan: Plan): Generator<number> {
	for (const seg of plan) {
		if ('ids' in seg) yield* seg.ids;
		else for (let p = seg.from; p <= seg.to; p++) if (!seg.test || seg.test(p)) yield p;
	}
}
