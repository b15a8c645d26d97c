/**
 * The Marketo Bulk Trigger's Program Member Changes event against the emulator, over HTTP, poll after
 * poll. One clock drives both sides (the emulator's `now` and Date.now), as in trigger.test.ts. The
 * emulator's seeded memberships are all stamped before the trigger starts (its leads end a month
 * earlier), so every change the trigger may emit is one these tests make, and expected results come
 * from the tests' own log of changes, never from the code that filters exports.
 */
import type { IDataObject } from 'n8n-workflow';

import { MarketoBulkTrigger } from '../../nodes/MarketoBulk/MarketoBulkTrigger.node';
import { startEmulator, type MarketoEmulator } from '../emulator';
import { credentialStore } from '../helpers/n8nContext';
import { count, type Harness } from '../helpers/setup';
import { seeded } from '../helpers/random';
import {
	advance,
	dataState,
	jsons,
	nowSec,
	setClock,
	settle as settleJobs,
	startTriggerHarness,
	testNow,
	triggerPolls,
} from '../helpers/triggerRun';

const PM_CREATE = 'POST /bulk/v1/program/members/export/create.json';
const WEBINAR = 3002; // members: every 3rd lead
const TRADESHOW = 3004; // members: every 7th lead
const SHARED_STATUSES = ['Invited', 'Registered', 'No Show', 'Attended'];

let harness: Harness;

beforeAll(async () => {
	// Memberships are seeded with updatedAt within the leads' range: all before the trigger starts.
	harness = await startTriggerHarness({
		start: '2026-01-01T00:00:00Z',
		end: '2026-02-01T00:00:00Z',
	});
});
afterAll(async () => {
	await harness.emulator.close();
	jest.restoreAllMocks();
});
beforeEach(() => {
	harness.emulator.reset();
	setClock('2026-03-01T00:00:30Z');
});

const program = (id: number) => ({ program: { __rl: true, mode: 'id', value: String(id) } });
const BASE = {
	event: 'programMemberChanges',
	fields: ['email', 'statusName', 'membershipDate'],
	programs: { program: [program(WEBINAR), program(TRADESHOW)] },
	statusNames: [],
	format: 'CSV',
	output: 'records',
	startFrom: 'now',
	options: { safetyLagSeconds: 60, overlapSeconds: 120, minStatusIntervalSeconds: 0 },
};

const trigger = new MarketoBulkTrigger();
const { pollOnce, N8n } = triggerPolls(() => harness, BASE);
const settle = (emulator: MarketoEmulator = harness.emulator) => settleJobs(emulator);

/** A change the tests made, and how an emitted record names it. */
interface Change {
	programId: number;
	leadId: number;
	statusName: string;
	at: number;
}
const keyOf = (c: { programId: unknown; leadId: unknown; at: unknown }) =>
	`${String(c.programId)}/${String(c.leadId)}@${String(c.at)}`;

/** Changes memberships through the emulator, and logs them. */
function change(
	log: Change[],
	programId: number,
	leadIds: number[],
	statusName: string,
	at: number,
) {
	harness.emulator.data.setMemberships({ programId, leadIds, statusName, at: new Date(at * 1000) });
	for (const leadId of leadIds) log.push({ programId, leadId, statusName, at });
}

describe('Program Member Changes: exactly once across polls', () => {
	it.each([
		['with n8n running throughout', false],
		['with n8n restarted after emissions and while jobs were in flight', true],
	])('emits each membership change once, in two programs, %s', async (_name, restart) => {
		const n8n = new N8n({ fields: ['leadId', 'statusName', 'updatedAt'] });
		expect(await n8n.poll(true)).toBeNull(); // activation: probe, start at Marketo's now
		const floor = n8n.state().floor;
		const next = seeded(restart ? 23 : 17);
		const log: Change[] = [];
		const lastChanged = new Map<string, number>();
		const emitted: IDataObject[] = [];
		let restarts = 0;
		for (let poll = 0; poll < 30; poll++) {
			advance(600 + next(2 * 3600));
			// Each member changes at most every third poll: a change is exported before the next
			// one to the same member replaces it (Marketo exports a member's state as it is).
			for (let k = 0; k < 1 + next(5); k++) {
				const programId = next(2) === 0 ? WEBINAR : TRADESHOW;
				const leadId = 1 + next(3000); // members already, or new ones
				const member = `${programId}/${leadId}`;
				if (poll - (lastChanged.get(member) ?? -9) < 3) continue;
				lastChanged.set(member, poll);
				const status = SHARED_STATUSES[next(SHARED_STATUSES.length)];
				change(log, programId, [leadId], status, nowSec() - next(30));
			}
			const output = await n8n.poll();
			emitted.push(...jsons(output));
			await settle();
			if (restart && (output !== null || next(4) === 0)) {
				restarts++;
				emitted.push(...jsons(await n8n.restart()));
				await settle();
			}
		}
		for (let i = 0; i < 4; i++) {
			advance(3600);
			emitted.push(...jsons(await n8n.poll()));
			await settle();
		}
		const watermark = n8n.state().watermark;
		const expected = log.filter((c) => c.at >= floor && c.at <= watermark);
		const keys = emitted.map((r) =>
			keyOf({
				programId: r.programId,
				leadId: r.leadId,
				at: Date.parse(String(r.updatedAt)) / 1000,
			}),
		);
		expect(new Set(keys).size).toBe(keys.length);
		expect([...keys].sort()).toEqual(expected.map(keyOf).sort());
		const statusOf = new Map(expected.map((c) => [keyOf(c), c.statusName]));
		for (const [i, record] of emitted.entries())
			expect(record.statusName).toBe(statusOf.get(keys[i]));
		expect(expected.length).toBeGreaterThan(40);
		expect(watermark).toBeGreaterThan(log[log.length - 1].at);
		if (restart) expect(restarts).toBeGreaterThanOrEqual(5);
	});

	it('emits a member again once when its status changes between polls, and only statuses asked for', async () => {
		const parameters = {
			programs: { program: [program(WEBINAR)] },
			statusNames: ['Registered', 'Attended'],
		};
		const store: IDataObject = {};
		const log: Change[] = [];
		await pollOnce(parameters, store);
		advance(600);
		change(log, WEBINAR, [2999, 2998], 'Invited', nowSec()); // not members yet: they join
		change(log, WEBINAR, [3], 'Registered', nowSec());
		change(log, WEBINAR, [6], 'Attended', nowSec());
		const rounds: IDataObject[][] = [];
		const pollAll = async (polls: number) => {
			const out: IDataObject[] = [];
			for (let i = 0; i < polls; i++) {
				advance(600);
				out.push(...jsons(await pollOnce(parameters, store)));
				await settle();
			}
			rounds.push(out);
		};
		await pollAll(3);
		const email = (id: number) => harness.emulator.data.getLead(id)!.email as string;
		// One program: no programId column; leadId and updatedAt were exported for de-duplication only.
		expect(rounds[0].map((r) => Object.keys(r))).toEqual([
			['email', 'statusName', 'membershipDate'],
			['email', 'statusName', 'membershipDate'],
		]);
		expect(rounds[0].map((r) => [r.email, r.statusName])).toEqual([
			[email(3), 'Registered'],
			[email(6), 'Attended'],
		]);
		await pollAll(3); // nothing changed: nothing emitted
		expect(rounds[1]).toEqual([]);

		change(log, WEBINAR, [3], 'Attended', nowSec()); // Registered → Attended: emitted again, once
		change(log, WEBINAR, [6], 'No Show', nowSec()); // Attended → No Show: not a status asked for
		change(log, WEBINAR, [2999], 'Registered', nowSec()); // Invited → Registered: now seen
		await pollAll(4);
		expect(rounds[2].map((r) => [r.email, r.statusName])).toEqual([
			[email(3), 'Attended'],
			[email(2999), 'Registered'],
		]);
	});

	it('neither loses nor repeats changes at a window boundary or stamped late into an exported window', async () => {
		const parameters = { fields: ['leadId', 'statusName', 'updatedAt'] };
		const store: IDataObject = {};
		const log: Change[] = [];
		await pollOnce(parameters, store);
		advance(1800);
		// Marketo reads a job's members when it starts processing: the first job waits in the queue
		// while the members it should see change.
		harness.emulator.faults.stuckInQueue(true);
		expect(await pollOnce(parameters, store)).toBeNull(); // starts the first window's job
		const first = dataState(store).job!;
		const end = Date.parse(first.endAt) / 1000;
		// In the first window: at its last second, and inside the next window's overlap.
		change(log, WEBINAR, [30], 'Registered', end);
		change(log, TRADESHOW, [28], 'Registered', end - 50);
		change(log, WEBINAR, [33], 'Invited', end - 300);
		// One lead, a member of both programs, changed in both at the same second: two events.
		change(log, WEBINAR, [42], 'Registered', end - 10);
		change(log, TRADESHOW, [42], 'Registered', end - 10);
		harness.emulator.faults.stuckInQueue(false);
		await settle(); // the first job has read its members
		// Visible only after that: stamped inside the first window (in the next one's overlap), at the
		// first second of the next window, and a member the first window holds changing again.
		change(log, WEBINAR, [36], 'Attended', end - 20);
		change(log, TRADESHOW, [35], 'No Show', end);
		change(log, WEBINAR, [39], 'Registered', end + 1);
		change(log, TRADESHOW, [28], 'Attended', end + 1);
		advance(300);
		const firstRecords = jsons(await pollOnce(parameters, store)); // emits; starts the next job
		expect(firstRecords.map((r) => `${String(r.programId)}/${String(r.leadId)}`).sort()).toEqual([
			'3002/30',
			'3002/33',
			'3002/42',
			'3004/28',
			'3004/42',
		]);
		const second = dataState(store).job!;
		expect(Date.parse(second.startAt) / 1000).toBe(end + 1 - 120); // the overlap
		await settle();
		const later: IDataObject[] = [];
		for (let i = 0; i < 4; i++) {
			advance(600);
			later.push(...jsons(await pollOnce(parameters, store)));
			await settle();
		}
		const emitted = [...firstRecords, ...later].map((r) =>
			keyOf({
				programId: r.programId,
				leadId: r.leadId,
				at: Date.parse(String(r.updatedAt)) / 1000,
			}),
		);
		expect(emitted.sort()).toEqual(log.map(keyOf).sort());
		// The second window's job returned the first window's overlap again (lead 30 at its last second,
		// lead 42 in both programs): those were dropped.
		const secondJob = harness.emulator.data.jobs().find((j) => j.exportId === second.exportId)!;
		expect(secondJob.numberOfRecords).toBe(later.length + 3);
		expect(later.some((r) => r.leadId === 30 || r.leadId === 42)).toBe(false);
	});

	it('says what 1035 means for Program Member Changes at activation, and what else can see changes', async () => {
		const emulator = await startEmulator({
			disabledFilters: ['programMembers.updatedAt'],
			now: () => new Date(testNow()),
			exportProcessingMs: 5,
		});
		try {
			const credentials = credentialStore(
				`${emulator.url}/rest`,
				emulator.clientId,
				emulator.clientSecret,
			);
			const poll = (parameters: IDataObject) =>
				trigger.poll.call(
					harness.context({ ...BASE, ...parameters }, { staticData: {}, credentials }).context,
				);
			await expect(poll({})).rejects.toMatchObject({
				message: expect.stringMatching(/1035.*Updated At filter for bulk program member exports/),
				description: expect.stringMatching(/Change Status in Progression/),
			});
			// The subscription lacks it for program members only: Updated Leads activates.
			await expect(poll({ event: 'updatedLeads', fields: ['id', 'email'] })).resolves.toBeNull();
		} finally {
			await emulator.close();
		}
	});

	it('names an unknown status name and the valid ones at activation', async () => {
		await expect(
			pollOnce({ programs: { program: [program(WEBINAR)] }, statusNames: ['Visited Booth'] }, {}),
		).rejects.toThrow(/"Visited Booth" is not a membership status.*Attended On-demand/);
	});
});

describe('Program Member Changes: Fetch Test Event', () => {
	it('exports recent changes as a sample without touching the saved state, then reuses that job', async () => {
		const store: IDataObject = {};
		await pollOnce({}, store);
		advance(40 * 86_400); // the sample's 30 days hold only these changes
		change([], WEBINAR, [9, 12], 'Attended', nowSec() - 3600);
		change([], TRADESHOW, [14], 'Registered', nowSec() - 7200);
		const saved = JSON.stringify(store);
		const before = count(harness.emulator, PM_CREATE);
		const sample = jsons(await pollOnce({}, store, 'manual'));
		// Several programs: Marketo's programId column first, then the chosen fields.
		expect(sample.map((r) => Object.keys(r))).toEqual(
			sample.map(() => ['programId', 'email', 'statusName', 'membershipDate']),
		);
		expect(sample.map((r) => [r.programId, r.statusName]).sort()).toEqual([
			[WEBINAR, 'Attended'],
			[WEBINAR, 'Attended'],
			[TRADESHOW, 'Registered'],
		]);
		expect(count(harness.emulator, PM_CREATE) - before).toBe(1);
		const again = jsons(await pollOnce({}, store, 'manual'));
		expect(again).toEqual(sample);
		expect(count(harness.emulator, PM_CREATE) - before).toBe(1);
		expect(JSON.stringify(store)).toBe(saved);
	});
});
