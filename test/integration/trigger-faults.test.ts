/**
 * The trigger's fault cells at unit level: each fault at each step of a poll, against the emulator over
 * HTTP, with the static data n8n would keep. A cell arms one fault, then polls (an hour of a shared clock
 * apart) until the trigger has caught up; it passes when every lead of the period was emitted exactly once,
 * whatever the polls in between threw. The same cells run inside real n8n in the fault matrix
 * (test/e2e/faults.e2e.ts, the table in docs/reliability.md), in minutes of real polls; here they take
 * seconds, and a daily quota is waited out on the test clock.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { MarketoBulkTrigger } from '../../nodes/MarketoBulk/MarketoBulkTrigger.node';
import { readState, type DataState } from '../../nodes/MarketoBulk/trigger/state';
import type { MarketoEmulator } from '../emulator';
import type { RequestFailure } from '../emulator/faults';
import { startHarness, type Harness } from '../helpers/setup';

const realNow = Date.now.bind(Date);
let shift = 0;
const testNow = () => realNow() + shift;
const setClock = (iso: string) => {
	shift = Date.parse(iso) - realNow();
};

const START = '2026-03-01T00:00:00Z';
const STEPS = {
	token: 'GET /identity/oauth/token',
	create: 'POST /bulk/v1/leads/export/create.json',
	enqueue: 'POST /bulk/v1/leads/export/:id/enqueue.json',
	status: 'GET /bulk/v1/leads/export/:id/status.json',
	file: 'GET /bulk/v1/leads/export/:id/file.json',
} as const;

const REQUEST_FAULTS: Array<[string, RequestFailure]> = [
	['connection reset before response', { reset: true }],
	['HTTP 502', { httpStatus: 502 }],
	['HTTP 503', { httpStatus: 503 }],
	['601 token invalid', { code: '601', message: 'Access token invalid' }],
	['602 token expired', { code: '602', message: 'Access token expired' }],
	['604 request timed out', { code: '604', message: 'Request timed out' }],
	['606 rate limit', { code: '606', message: 'Max rate limit 100 exceeded' }],
	['608 API temporarily unavailable', { code: '608', message: 'API Temporarily Unavailable' }],
	['611 system error', { code: '611', message: 'System error' }],
	['615 concurrent limit', { code: '615', message: 'Concurrent access limit reached' }],
];

type Arm = (emulator: MarketoEmulator) => void;
const cells: Array<[step: string, fault: string, arm: Arm]> = [];
for (const [step, request] of Object.entries(STEPS)) {
	for (const [fault, failure] of REQUEST_FAULTS) {
		if (step === 'token' && failure.code) continue;
		cells.push([
			step,
			fault,
			(e) => {
				// a token call happens only when the one n8n holds is refused
				if (step === 'token') e.faults.invalidateAllTokens();
				e.faults.failNext(request, 1, failure);
			},
		]);
	}
}
cells.push(
	[
		'create',
		'1029 export queue full',
		(e) =>
			e.faults.failNext(STEPS.create, 1, { code: '1029', message: 'Too many jobs (10) in queue' }),
	],
	[
		'enqueue',
		'1029 export queue full',
		(e) =>
			e.faults.failNext(STEPS.enqueue, 1, { code: '1029', message: 'Too many jobs (10) in queue' }),
	],
	[
		'create',
		'1029 daily quota',
		(e) =>
			e.faults.failNext(STEPS.create, 1, {
				code: '1029',
				message: 'Export daily quota 500MB exceeded',
			}),
	],
	['status', 'job Failed', (e) => e.faults.failNextJob('Export failed due to an internal error')],
	[
		'status',
		'job cancelled by someone else, spelled Canceled',
		(e) => e.faults.cancelNextJob('Canceled'),
	],
	[
		'status',
		'job cancelled by someone else, spelled Cancelled',
		(e) => e.faults.cancelNextJob('Cancelled'),
	],
	['file', 'numberOfRecords differs from the file', (e) => e.faults.miscountNextJob(1)],
	['file', 'connection reset mid-body', (e) => e.faults.dropFileAfterBytes(300)],
	['file', 'checksum mismatch', (e) => e.faults.corruptNextChecksum()],
	['file', 'truncated file, ends cleanly (chunked)', (e) => e.faults.truncateFileAfterBytes(300)],
	[
		'file',
		'truncated file, ends cleanly (short Content-Length)',
		(e) => e.faults.truncateFileAfterBytes(300, 1, true),
	],
	[
		'file',
		'truncated file, every download and resume',
		// the poll's 1-byte look at the file first, then the download and its 10 resumes; 1 byte a
		// response, so even a file of only its header line (19 bytes) is never complete
		(e) => e.faults.truncateFileAfterBytes(1, 12, true),
	],
	['file', 'file gone (404)', (e) => e.faults.completedFileMissing()],
);

let harness: Harness;
const trigger = new MarketoBulkTrigger();

beforeAll(async () => {
	jest.spyOn(Date, 'now').mockImplementation(testNow);
	harness = await startHarness({
		now: () => new Date(testNow()),
		leads: { count: 3000, start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' },
		exportProcessingMs: 5,
		rateLimit: { calls: 100_000, windowSeconds: 20 },
	});
});
afterAll(async () => {
	await harness.emulator.close();
	jest.restoreAllMocks();
});

async function settle(emulator: MarketoEmulator): Promise<void> {
	for (let i = 0; i < 400; i++) {
		if (!emulator.data.jobs().some((job) => job.status === 'Queued' || job.status === 'Processing'))
			return;
		await new Promise((resolve) => setTimeout(resolve, 2));
	}
	throw new Error('emulator jobs did not finish');
}

const PARAMETERS: IDataObject = {
	event: 'newLeads',
	fields: ['id', 'email', 'createdAt'],
	format: 'CSV',
	output: 'records',
	startFrom: 'date',
	startDate: START,
	options: { safetyLagSeconds: 60, overlapSeconds: 120, minStatusIntervalSeconds: 0 },
};

describe('Trigger: every fault at every step of a poll, then caught up with each lead exactly once', () => {
	it.each(cells)('%s › %s', async (step, fault, arm) => {
		const emulator = harness.emulator;
		emulator.reset();
		setClock('2026-03-20T12:00:00Z');
		const store: IDataObject = {};
		const poll = async (): Promise<INodeExecutionData[][] | null> =>
			await trigger.poll.call(harness.context(PARAMETERS, { staticData: store }).context);
		expect(await poll()).toBeNull(); // activation
		arm(emulator);
		const emitted: string[] = [];
		const target = Math.floor(Date.parse('2026-03-20T18:00:00Z') / 1000);
		for (let k = 0; k < 40; k++) {
			shift += 3600_000;
			await settle(emulator);
			try {
				const output = await poll();
				for (const item of output?.[0] ?? []) emitted.push(String(item.json.id));
			} catch {
				// a poll that throws is tried again by the next one: what counts is what was emitted
			}
			if (readState<DataState>(store, 'data')!.watermark >= target) break;
		}
		expect(emulator.faults.pending()).toBe(0); // the fault met its request
		const state = readState<DataState>(store, 'data')!;
		expect(state.watermark).toBeGreaterThanOrEqual(target);
		const truth = [
			...emulator.data.leads({
				createdAt: {
					startAt: START,
					endAt: new Date(state.watermark * 1000).toISOString().replace('.000Z', 'Z'),
				},
			}),
		].map((lead) => String(lead.id));
		const duplicates = emitted.length - new Set(emitted).size;
		const missing = truth.filter((id) => !emitted.includes(id)).length;
		const extra = emitted.filter((id) => !truth.includes(id)).length;
		expect({ duplicates, missing, extra }).toEqual({ duplicates: 0, missing: 0, extra: 0 });
		expect(emitted.length).toBe(truth.length);
	});
});
