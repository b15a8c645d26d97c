/**
 * The Marketo Bulk Trigger's Custom Object Changes event against the emulator, over HTTP, poll after
 * poll. One clock drives both sides (the emulator's `now` and Date.now), as in trigger.test.ts. The
 * emulator's seeded records are all stamped before the trigger starts (its leads end a month earlier),
 * so every change the trigger may emit is one these tests make, and expected results come from the
 * tests' own log of changes, never from the code that filters exports.
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

const CO_CREATE = 'POST /bulk/v1/customobjects/:id/export/create.json';
const COLORS = ['red', 'blue', 'green', 'purple'];

let harness: Harness;

beforeAll(async () => {
	// Records are seeded with updatedAt within the leads' range: all before the trigger starts.
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

const BASE = {
	event: 'customObjectChanges',
	customObject: { __rl: true, mode: 'apiName', value: 'car_c' },
	fields: ['vin', 'color'],
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
	vin: string;
	color: string;
	at: number;
}
const keyOf = (c: { vin: unknown; at: unknown }) => `${String(c.vin)}@${String(c.at)}`;

/** The seeded cars' VINs (each linked to a lead), to change. */
const seededVins = () => harness.emulator.data.customObjects('car_c').map((r) => String(r.vin));

/** Updates (or creates) cars through the emulator at a second, and logs them. */
function change(log: Change[], vins: string[], color: string, at: number, leadID?: number) {
	harness.emulator.data.upsertCustomObjects({
		apiName: 'car_c',
		records: vins.map((vin) => ({ vin, color, ...(leadID ? { leadID } : {}) })),
		at: new Date(at * 1000),
	});
	for (const vin of vins) log.push({ vin, color, at });
}

describe('Custom Object Changes: exactly once across polls', () => {
	it.each([
		['with n8n running throughout', false],
		['with n8n restarted after emissions and while jobs were in flight', true],
	])('emits each record update once, %s', async (_name, restart) => {
		const n8n = new N8n({ fields: ['vin', 'color', 'updatedAt'] });
		expect(await n8n.poll(true)).toBeNull(); // activation: probe, start at Marketo's now
		const floor = n8n.state().floor;
		const vins = seededVins();
		const next = seeded(restart ? 29 : 19);
		const log: Change[] = [];
		const lastChanged = new Map<string, number>();
		const emitted: IDataObject[] = [];
		let restarts = 0;
		for (let poll = 0; poll < 30; poll++) {
			advance(600 + next(2 * 3600));
			// Each record changes at most every third poll: an update is exported before the next
			// one to the same record replaces it (Marketo exports a record as it is).
			for (let k = 0; k < 1 + next(5); k++) {
				const vin = vins[next(vins.length)];
				if (poll - (lastChanged.get(vin) ?? -9) < 3) continue;
				lastChanged.set(vin, poll);
				change(log, [vin], COLORS[next(COLORS.length)], nowSec() - next(30));
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
			keyOf({ vin: r.vin, at: Date.parse(String(r.updatedAt)) / 1000 }),
		);
		expect(new Set(keys).size).toBe(keys.length);
		expect([...keys].sort()).toEqual(expected.map(keyOf).sort());
		const colorOf = new Map(expected.map((c) => [keyOf(c), c.color]));
		for (const [i, record] of emitted.entries()) expect(record.color).toBe(colorOf.get(keys[i]));
		expect(expected.length).toBeGreaterThan(40);
		expect(watermark).toBeGreaterThan(log[log.length - 1].at);
		if (restart) expect(restarts).toBeGreaterThanOrEqual(5);
	});

	it('emits a record again once when it is updated between polls, and new records', async () => {
		const store: IDataObject = {};
		const log: Change[] = [];
		const [a, b] = seededVins();
		await pollOnce({}, store);
		advance(600);
		change(log, [a], 'green', nowSec());
		change(log, ['WBANEW00000000001'], 'red', nowSec(), 5); // a new car of lead 5
		const rounds: IDataObject[][] = [];
		const pollAll = async (polls: number) => {
			const out: IDataObject[] = [];
			for (let i = 0; i < polls; i++) {
				advance(600);
				out.push(...jsons(await pollOnce({}, store)));
				await settle();
			}
			rounds.push(out);
		};
		await pollAll(3);
		// marketoGUID and updatedAt were exported for de-duplication only.
		expect(rounds[0].map((r) => Object.keys(r))).toEqual([
			['vin', 'color'],
			['vin', 'color'],
		]);
		expect(rounds[0].map((r) => [r.vin, r.color]).sort()).toEqual(
			[
				[a, 'green'],
				['WBANEW00000000001', 'red'],
			].sort(),
		);
		await pollAll(3); // nothing changed: nothing emitted
		expect(rounds[1]).toEqual([]);
		change(log, [a], 'purple', nowSec()); // updated again: emitted again, once
		change(log, [b], 'blue', nowSec());
		await pollAll(4);
		expect(rounds[2].map((r) => [r.vin, r.color]).sort()).toEqual(
			[
				[a, 'purple'],
				[b, 'blue'],
			].sort(),
		);
	});

	it('neither loses nor repeats updates at a window boundary or stamped late into an exported window', async () => {
		const parameters = { fields: ['vin', 'color', 'updatedAt'] };
		const store: IDataObject = {};
		const log: Change[] = [];
		const vins = seededVins();
		await pollOnce(parameters, store);
		advance(1800);
		// Marketo reads a job's records when it starts processing: the first job waits in the queue
		// while the records it should see change.
		harness.emulator.faults.stuckInQueue(true);
		expect(await pollOnce(parameters, store)).toBeNull(); // starts the first window's job
		const first = dataState(store).job!;
		const end = Date.parse(first.endAt) / 1000;
		// In the first window: at its last second, and inside the next window's overlap.
		change(log, [vins[0]], 'red', end);
		change(log, [vins[1]], 'red', end - 50);
		change(log, [vins[2]], 'red', end - 300);
		harness.emulator.faults.stuckInQueue(false);
		await settle(); // the first job has read its records
		// Visible only after that: stamped inside the first window (in the next one's overlap), at the
		// first second of the next window, and a record the first window holds updated again.
		change(log, [vins[3]], 'blue', end - 20);
		change(log, [vins[4]], 'blue', end + 1);
		change(log, [vins[1]], 'purple', end + 1);
		advance(300);
		const firstRecords = jsons(await pollOnce(parameters, store)); // emits; starts the next job
		expect(firstRecords.map((r) => r.vin).sort()).toEqual([vins[0], vins[1], vins[2]].sort());
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
			keyOf({ vin: r.vin, at: Date.parse(String(r.updatedAt)) / 1000 }),
		);
		expect(emitted.sort()).toEqual(log.map(keyOf).sort());
		// The second window's job returned the first window's overlap again (vins[0] at its last
		// second): that was dropped.
		const secondJob = harness.emulator.data.jobs().find((j) => j.exportId === second.exportId)!;
		expect(secondJob.numberOfRecords).toBe(later.length + 1);
		expect(later.some((r) => r.vin === vins[0])).toBe(false);
	});

	it("exports all of the object's fields from its describe when none are chosen", async () => {
		const store: IDataObject = {};
		const [a] = seededVins();
		await pollOnce({ fields: [] }, store);
		advance(600);
		change([], [a], 'green', nowSec());
		const out: IDataObject[] = [];
		for (let i = 0; i < 3; i++) {
			advance(600);
			out.push(...jsons(await pollOnce({ fields: [] }, store)));
			await settle();
		}
		expect(out).toHaveLength(1);
		expect(Object.keys(out[0])).toEqual(
			expect.arrayContaining(['marketoGUID', 'updatedAt', 'leadID', 'vin', 'make', 'color']),
		);
		expect([out[0].vin, out[0].color]).toEqual([a, 'green']);
	});

	it('says what 1035 means for Custom Object Changes at activation', async () => {
		const emulator = await startEmulator({
			disabledFilters: ['customObjects.updatedAt'],
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
				message: expect.stringMatching(/1035.*Updated At filter for bulk custom object exports/),
				description: expect.stringMatching(/Static List or Smart List/),
			});
			// The subscription lacks it for custom objects only: Updated Leads activates.
			await expect(poll({ event: 'updatedLeads', fields: ['id', 'email'] })).resolves.toBeNull();
		} finally {
			await emulator.close();
		}
	});
});

describe('Custom Object Changes: Fetch Test Event', () => {
	it('exports recent updates as a sample without touching the saved state, then reuses that job', async () => {
		const store: IDataObject = {};
		const [a, b] = seededVins();
		await pollOnce({}, store);
		advance(40 * 86_400); // the sample's 30 days hold only these changes
		change([], [a, b], 'purple', nowSec() - 3600);
		const saved = JSON.stringify(store);
		const before = count(harness.emulator, CO_CREATE);
		const sample = jsons(await pollOnce({}, store, 'manual'));
		expect(sample.map((r) => [r.vin, r.color]).sort()).toEqual(
			[
				[a, 'purple'],
				[b, 'purple'],
			].sort(),
		);
		expect(count(harness.emulator, CO_CREATE) - before).toBe(1);
		const again = jsons(await pollOnce({}, store, 'manual'));
		expect(again).toEqual(sample);
		expect(count(harness.emulator, CO_CREATE) - before).toBe(1);
		expect(JSON.stringify(store)).toBe(saved);
	});
});
