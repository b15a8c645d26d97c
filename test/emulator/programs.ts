/**
 * Programs, their channels (which give each program its membership statuses), the program member
 * describe, and the memberships themselves: seeded deterministically for the synthetic leads, changed
 * by program member imports and by the control API.
 *
 * The programs are the ones activities already refer to (schema.ts PROGRAMS), plus an email program.
 */
import { PROGRAMS, type MarketoDataType } from './schema';
import { DAY_SECONDS, isoSeconds } from './time';

export interface ProgressionStatus {
	name: string;
	step: number;
	description: string;
	hidden: boolean;
	success: boolean;
}

export interface Channel {
	id: number;
	name: string;
	applicableProgramType: 'program' | 'event' | 'webinar' | 'nurture';
	progressionStatuses: ProgressionStatus[];
}

const statuses = (...list: Array<[string, boolean?]>): ProgressionStatus[] =>
	list.map(([name, success], k) => ({
		name,
		step: k === 0 ? 0 : k * 10,
		description: '',
		hidden: false,
		success: success ?? false,
	}));

export const CHANNELS: Channel[] = [
	{
		id: 1,
		name: 'Webinar',
		applicableProgramType: 'webinar',
		progressionStatuses: statuses(
			['Not in Program'],
			['Invited'],
			['Registered'],
			['Waitlisted'],
			['No Show'],
			['Attended', true],
			['Attended On-demand', true],
		),
	},
	{
		id: 2,
		name: 'Email Send',
		applicableProgramType: 'program',
		progressionStatuses: statuses(
			['Not in Program'],
			['Member'],
			['Sent'],
			['Opened'],
			['Clicked', true],
			['Unsubscribed'],
			['Bounced'],
		),
	},
	{
		id: 3,
		name: 'Nurture',
		applicableProgramType: 'nurture',
		progressionStatuses: statuses(['Not in Program'], ['Member'], ['Engaged', true]),
	},
	{
		id: 4,
		name: 'Tradeshow',
		applicableProgramType: 'event',
		progressionStatuses: statuses(
			['Not in Program'],
			['Invited'],
			['Registered'],
			['Visited Booth'],
			['Attended', true],
			['No Show'],
		),
	},
	{
		id: 5,
		name: 'Content',
		applicableProgramType: 'program',
		progressionStatuses: statuses(
			['Not in Program'],
			['Member'],
			['Web Content'],
			['Converted', true],
		),
	},
];

export type ProgramType = 'Default' | 'Event' | 'Event with Webinar' | 'Engagement' | 'Email';

export interface Program {
	id: number;
	name: string;
	type: ProgramType;
	channel: string;
	description: string;
	createdAt: number;
	updatedAt: number;
	/** Engagement: on/off; Email: unlocked/locked; others: none. */
	status: string;
	/** Seeded memberships: one synthetic lead in `every` (0 = none). */
	every: number;
}

const programTime = (k: number) => Date.UTC(2025, 11, 1 + k * 3, 14, 0, 0);
const kinds: Record<number, Pick<Program, 'type' | 'channel' | 'status' | 'every'>> = {
	3001: { type: 'Default', channel: 'Content', status: '', every: 4 },
	3002: { type: 'Event with Webinar', channel: 'Webinar', status: '', every: 3 },
	3003: { type: 'Engagement', channel: 'Nurture', status: 'on', every: 5 },
	3004: { type: 'Event', channel: 'Tradeshow', status: '', every: 7 },
	3005: { type: 'Event', channel: 'Tradeshow', status: '', every: 0 },
};

export const PM_PROGRAMS: Program[] = [
	...PROGRAMS.map((p, k) => ({
		id: p.id,
		name: p.name,
		description: `Synthetic program ${p.id}`,
		createdAt: programTime(k),
		updatedAt: programTime(k) + 3600_000,
		...kinds[p.id],
	})),
	{
		id: 3006,
		name: 'Newsletter 2026-04',
		type: 'Email' as const,
		channel: 'Email Send',
		status: 'unlocked',
		description: 'Synthetic program 3006',
		createdAt: programTime(5),
		updatedAt: programTime(5) + 3600_000,
		every: 6,
	},
];

export const programById = (id: number): Program | undefined =>
	PM_PROGRAMS.find((p) => p.id === id);

export function statusesOf(program: Program): ProgressionStatus[] {
	return CHANNELS.find((c) => c.name === program.channel)?.progressionStatuses ?? [];
}

// ---------------------------------------------------------------------------------------------------
// Describe

export interface MemberField {
	name: string;
	displayName: string;
	dataType: MarketoDataType;
	length?: number;
	updateable: boolean;
}

const pm = (
	name: string,
	displayName: string,
	dataType: MarketoDataType,
	extra: Partial<MemberField> = {},
): MemberField => ({
	name,
	displayName,
	dataType,
	...(dataType === 'string' || dataType === 'url' ? { length: 255 } : {}),
	updateable: false,
	...extra,
});

/** The program member describe's fields: the standard ones (read-only), then two custom ones. */
export const PM_FIELDS: MemberField[] = [
	pm('acquiredBy', 'acquiredBy', 'boolean'),
	pm('attendanceLikelihood', 'attendanceLikelihood', 'integer'),
	pm('createdAt', 'createdAt', 'datetime'),
	pm('isExhausted', 'isExhausted', 'boolean'),
	pm('leadId', 'leadId', 'integer'),
	pm('membershipDate', 'membershipDate', 'datetime'),
	pm('nurtureCadence', 'nurtureCadence', 'string', { length: 4 }),
	pm('program', 'program', 'string'),
	pm('programId', 'programId', 'integer'),
	pm('reachedSuccess', 'reachedSuccess', 'boolean'),
	pm('reachedSuccessDate', 'reachedSuccessDate', 'datetime'),
	pm('registrationLikelihood', 'registrationLikelihood', 'integer'),
	pm('statusName', 'statusName', 'string'),
	pm('statusReason', 'statusReason', 'string'),
	pm('trackName', 'trackName', 'string'),
	pm('updatedAt', 'updatedAt', 'datetime'),
	pm('waitlistPriority', 'waitlistPriority', 'integer'),
	pm('registrationCode', 'Registration Code', 'string', { updateable: true }),
	pm('webinarUrl', 'Webinar Url', 'url', { updateable: true }),
];

export const PM_FIELD_BY_NAME = new Map(PM_FIELDS.map((x) => [x.name, x]));
/** Custom program member fields an import may set. */
export const PM_CUSTOM_FIELDS = PM_FIELDS.filter((x) => x.updateable);

export function describeProgramMembers(): Record<string, unknown> {
	return {
		name: 'API Program Membership',
		description: 'Map for API program membership fields',
		createdAt: '2016-05-06T21:59:51Z',
		updatedAt: '2026-01-05T10:00:00Z',
		dedupeFields: ['leadId', 'programId'],
		searchableFields: [['leadId'], ['registrationCode'], ['trackName']],
		fields: PM_FIELDS.map((f) => ({
			name: f.name,
			displayName: f.displayName,
			dataType: f.dataType,
			...(f.length !== undefined ? { length: f.length } : {}),
			updateable: f.updateable,
			crmManaged: false,
		})),
	};
}

// ---------------------------------------------------------------------------------------------------
// Memberships

export interface Membership {
	programId: number;
	leadId: number;
	statusName: string;
	/** Epoch seconds. */
	membershipDate: number;
	updatedAt: number;
	reachedSuccessDate?: number;
	isExhausted: boolean;
	/** Engagement programs only: `norm` or `paus` (the describe gives the field length 4). */
	nurtureCadence?: string;
	acquiredBy: boolean;
	custom: Record<string, string>;
}

/** A deterministic 32-bit hash of two integers: seeds synthetic values. */
export const mix = (a: number, b: number): number => {
	let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
	h ^= h >>> 13;
	h = Math.imul(h, 0x27d4eb2f);
	return (h ^ (h >>> 16)) >>> 0;
};

/** What a membership looks like in a file: every program member field, null when empty. */
export function memberValues(m: Membership): Record<string, string | null> {
	const program = programById(m.programId)!;
	const success = statusesOf(program).find((s) => s.name === m.statusName)?.success ?? false;
	const iso = (s: number | undefined) => (s === undefined ? null : isoSeconds(s * 1000));
	return {
		acquiredBy: String(m.acquiredBy),
		attendanceLikelihood: null,
		createdAt: iso(m.membershipDate),
		isExhausted: String(m.isExhausted),
		leadId: String(m.leadId),
		membershipDate: iso(m.membershipDate),
		nurtureCadence: m.nurtureCadence ?? null,
		program: program.name,
		programId: String(m.programId),
		reachedSuccess: String(success),
		reachedSuccessDate: success ? iso(m.reachedSuccessDate ?? m.updatedAt) : null,
		registrationLikelihood: null,
		statusName: m.statusName,
		statusReason: null,
		trackName: program.type === 'Engagement' ? 'Main Stream' : null,
		updatedAt: iso(m.updatedAt),
		waitlistPriority: null,
		registrationCode: m.custom.registrationCode ?? null,
		webinarUrl: m.custom.webinarUrl ?? null,
	};
}

/**
 * Every membership, keyed by program then lead. Seeded: in program k, each synthetic lead whose id is a
 * multiple of the program's `every`, with a status drawn from its channel (never Not in Program),
 * membershipDate spread over the synthetic data's range and updatedAt 0–20 days later (capped at the
 * range's end), so that Updated At windows split the members.
 */
export class MemberStore {
	private byProgram = new Map<number, Map<number, Membership>>();

	constructor(
		private readonly leadCount: number,
		private readonly startSec: number,
		private readonly endSec: number,
	) {}

	/** A program's memberships, seeded on first use so that a large instance starts fast. */
	private program(programId: number): Map<number, Membership> | undefined {
		const known = this.byProgram.get(programId);
		if (known) return known;
		const program = programById(programId);
		if (!program) return undefined;
		const map = new Map<number, Membership>();
		this.byProgram.set(program.id, map);
		if (!program.every) return map;
		const span = Math.max(1, this.endSec - this.startSec);
		const names = statusesOf(program)
			.map((s) => s.name)
			.filter((n) => n !== 'Not in Program');
		const engagement = program.type === 'Engagement';
		for (let id = program.every; id <= this.leadCount; id += program.every) {
			const h = mix(id, program.id);
			const joined = this.startSec + (h % span);
			map.set(id, {
				programId: program.id,
				leadId: id,
				statusName: names[(h >>> 3) % names.length],
				membershipDate: joined,
				updatedAt: Math.min(this.endSec, joined + ((h >>> 7) % (20 * DAY_SECONDS))),
				isExhausted: engagement && (h >>> 11) % 4 === 0,
				nurtureCadence: engagement ? ((h >>> 13) % 3 === 0 ? 'paus' : 'norm') : undefined,
				acquiredBy: (h >>> 17) % 5 === 0,
				custom:
					program.type === 'Event with Webinar' ? { registrationCode: `R${program.id}-${id}` } : {},
			});
		}
		return map;
	}

	/** One program's members, ascending lead id. */
	members(programId: number): Membership[] {
		const map = this.program(programId);
		return map ? [...map.values()].sort((a, b) => a.leadId - b.leadId) : [];
	}

	get(programId: number, leadId: number): Membership | undefined {
		return this.program(programId)?.get(leadId);
	}

	/**
	 * Adds the lead to the program with that status, or changes its status; `custom` values are merged.
	 * Returns the membership.
	 */
	upsert(
		programId: number,
		leadId: number,
		statusName: string,
		atSec: number,
		custom: Record<string, string> = {},
	): Membership {
		const map = this.program(programId)!;
		const program = programById(programId)!;
		const existing = map.get(leadId);
		if (existing) {
			existing.statusName = statusName;
			existing.updatedAt = atSec;
			Object.assign(existing.custom, custom);
			return existing;
		}
		const m: Membership = {
			programId,
			leadId,
			statusName,
			membershipDate: atSec,
			updatedAt: atSec,
			isExhausted: false,
			nurtureCadence: program.type === 'Engagement' ? 'norm' : undefined,
			acquiredBy: false,
			custom: { ...custom },
		};
		map.set(leadId, m);
		return m;
	}
}
