import {
	Workflow,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeTypes,
	type IPollFunctions,
} from 'n8n-workflow';

import type { ExportJobStatus } from '../../../nodes/MarketoBulk/export/job';
import type { ExportJobs } from '../../../nodes/MarketoBulk/export/request';
import { MarketoApiError } from '../../../nodes/MarketoBulk/transport/errors';
import { gridEnd, isoOf, nextCentralMidnight } from '../../../nodes/MarketoBulk/trigger/clock';
import {
	fingerprint,
	readTriggerConfig,
	type DataConfig,
	type JobsConfig,
	type RecordIdentity,
	type TriggerConfig,
} from '../../../nodes/MarketoBulk/trigger/config';
import { pollDataEvent } from '../../../nodes/MarketoBulk/trigger/dataEvents';
import { pollJobEvent } from '../../../nodes/MarketoBulk/trigger/jobEvents';
import type { TriggerPort } from '../../../nodes/MarketoBulk/trigger/port';
import {
	deduplicate,
	MAX_SEEN,
	readState,
	STATE_KEY,
	type DataState,
} from '../../../nodes/MarketoBulk/trigger/state';
import { withSavedState } from '../../../nodes/MarketoBulk/trigger/store';
import { seeded } from '../../helpers/random';

const sec = (iso: string) => Date.parse(iso) / 1000;

// -------------------------------------------------------------------------------------------------
// An in-memory Marketo for the state machines: jobs with a life cycle the test drives, records stamped on
// Marketo's clock, a separate n8n clock, and armed failures. `output` returns the job's window as it was
// when the job completed.

const NODE: INode = {
	id: 'trigger-1',
	name: 'Marketo Bulk Trigger',
	type: 'n8n-nodes-marketo-bulk.marketoBulkTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

interface FakeRecord {
	id: number;
	/** Marketo seconds. */
	createdAt: number;
	updatedAt?: number;
}

interface FakeJob {
	kind: ExportJobs;
	exportId: string;
	status: string;
	body: IDataObject;
	createdAt: number;
	finishedAt?: number;
	snapshot?: FakeRecord[];
	errorMsg?: string;
	fileGone?: boolean;
}

const iso = (sec: number) => new Date(sec * 1000).toISOString().replace('.000Z', 'Z');

class FakeMarketo implements TriggerPort {
	node = NODE;
	/** n8n server clock (ms). */
	local = Date.parse('2026-03-01T12:00:00Z');
	/** Marketo clock = local + skew. */
	skewMs = 0;
	records: FakeRecord[] = [];
	jobs: FakeJob[] = [];
	calls: string[] = [];
	private armed: Array<{ op: string; error: Error }> = [];
	private seq = 0;
	warnings: string[] = [];
	logger = {
		debug: () => {},
		warn: (message: string) => {
			this.warnings.push(message);
		},
	};
	/** Called for every download (to make one fail). */
	onOutput: (job: FakeJob) => void = () => {};

	marketoSec(): number {
		return Math.floor((this.local + this.skewMs) / 1000);
	}

	advance(seconds: number): void {
		this.local += seconds * 1000;
	}

	addRecords(n: number, atSec = this.marketoSec()): FakeRecord[] {
		const added: FakeRecord[] = [];
		for (let k = 0; k < n; k++) {
			const record = { id: this.records.length + 1, createdAt: atSec };
			this.records.push(record);
			added.push(record);
		}
		return added;
	}

	arm(op: string, error: Error): void {
		this.armed.push({ op, error });
	}

	error(code: string, message: string): MarketoApiError {
		return new MarketoApiError(NODE, { code, message });
	}

	private take(op: string): void {
		this.calls.push(op);
		const i = this.armed.findIndex((a) => a.op === op);
		if (i >= 0) {
			const [armed] = this.armed.splice(i, 1);
			throw armed.error;
		}
	}

	private job(exportId: string): FakeJob {
		const job = this.jobs.find((j) => j.exportId === exportId);
		if (!job) throw this.error('1003', `Export job '${exportId}' not found`);
		return job;
	}

	view(job: FakeJob): ExportJobStatus {
		return {
			exportId: job.exportId,
			status: job.status as ExportJobStatus['status'],
			format: 'CSV',
			createdAt: iso(job.createdAt),
			...(job.finishedAt ? { finishedAt: iso(job.finishedAt) } : {}),
			...(job.status === 'Completed'
				? { numberOfRecords: job.snapshot!.length, fileSize: 1, fileChecksum: '' }
				: {}),
			...(job.errorMsg ? { errorMsg: job.errorMsg } : {}),
		};
	}

	/** Processes every queued job: Completed (or Failed, if `fail`) with the records of its window now. */
	complete(options: { fail?: string } = {}): number {
		let n = 0;
		for (const job of this.jobs) {
			if (job.status !== 'Queued') continue;
			n++;
			job.finishedAt = this.marketoSec();
			if (options.fail) {
				job.status = 'Failed';
				job.errorMsg = options.fail;
				continue;
			}
			job.status = 'Completed';
			const filter = job.body.filter as IDataObject;
			const range = (filter.createdAt ?? filter.updatedAt) as { startAt: string; endAt: string };
			const key = filter.createdAt ? 'createdAt' : 'updatedAt';
			const start = Date.parse(range.startAt) / 1000;
			const end = Date.parse(range.endAt) / 1000;
			job.snapshot = this.records
				.filter((r) => {
					const t = key === 'createdAt' ? r.createdAt : (r.updatedAt ?? r.createdAt);
					return t >= start && t <= end;
				})
				.map((r) => ({ ...r }));
		}
		return n;
	}

	inFlight(): FakeJob[] {
		return this.jobs.filter((j) => j.status === 'Queued' || j.status === 'Processing');
	}

	// TriggerPort ---------------------------------------------------------------------------------

	nowMs(): number {
		return this.local;
	}

	budgetLeftMs(): number | undefined {
		return undefined;
	}

	async create(kind: ExportJobs, body: IDataObject): Promise<ExportJobStatus> {
		this.take('create');
		const job: FakeJob = {
			kind,
			exportId: `job-${++this.seq}`,
			status: 'Created',
			body,
			createdAt: this.marketoSec(),
		};
		this.jobs.push(job);
		return this.view(job);
	}

	async enqueue(_kind: ExportJobs, exportId: string): Promise<ExportJobStatus> {
		this.take('enqueue');
		const job = this.job(exportId);
		if (job.status !== 'Created') throw this.error('1029', 'Job already queued');
		job.status = 'Queued';
		return this.view(job);
	}

	async status(_kind: ExportJobs, exportId: string): Promise<ExportJobStatus> {
		this.take('status');
		return this.view(this.job(exportId));
	}

	async cancel(_kind: ExportJobs, exportId: string): Promise<void> {
		this.calls.push('cancel');
		const job = this.jobs.find((j) => j.exportId === exportId);
		if (job && (job.status === 'Created' || job.status === 'Queued')) job.status = 'Cancelled';
	}

	async list(kind: ExportJobs): Promise<ExportJobStatus[]> {
		this.take('list');
		return this.jobs.filter((j) => j.kind === kind).map((j) => this.view(j));
	}

	async head(_kind: ExportJobs, exportId: string): Promise<Uint8Array | 'gone'> {
		this.take('head');
		const job = this.job(exportId);
		return job.fileGone ? 'gone' : new TextEncoder().encode('id,createdAt\n');
	}

	async output(_spec: unknown, job: ExportJobStatus): Promise<INodeExecutionData[]> {
		this.take('output');
		const fake = this.job(job.exportId);
		this.onOutput(fake);
		return fake.snapshot!.map((r) => ({
			json: {
				id: r.id,
				createdAt: iso(r.createdAt),
				...(r.updatedAt ? { updatedAt: iso(r.updatedAt) } : {}),
			},
		}));
	}

	async kinds(): Promise<Record<string, never>> {
		return {};
	}

	async binary(): Promise<never> {
		throw new Error('not used');
	}

	async sleep(ms: number): Promise<void> {
		this.local += ms;
	}
}

/** The trigger's config from parameters, as poll() reads it. */
function configOf(parameters: IDataObject): TriggerConfig {
	const ctx = {
		getNode: () => NODE,
		getTimezone: () => 'UTC',
		getNodeParameter: (name: string, fallback?: unknown) =>
			parameters[name] === undefined ? fallback : parameters[name],
	} as unknown as IPollFunctions;
	return readTriggerConfig(ctx);
}

const ids = (output: INodeExecutionData[][] | null): number[] =>
	(output?.[0] ?? []).map((item) => Number(item.json.id));

describe('trigger clock', () => {
	it('ends windows on whole minutes', () => {
		expect(isoOf(gridEnd(sec('2026-03-01T10:05:30Z')))).toBe('2026-03-01T10:04:59Z');
		expect(isoOf(gridEnd(sec('2026-03-01T10:04:59Z')))).toBe('2026-03-01T10:04:59Z');
		expect(isoOf(gridEnd(sec('2026-03-01T10:05:00Z')))).toBe('2026-03-01T10:04:59Z');
	});

	it('finds the next 00:00 US Central in winter (CST) and summer (CDT)', () => {
		expect(new Date(nextCentralMidnight(Date.parse('2026-01-15T12:00:00Z'))).toISOString()).toBe(
			'2026-01-16T06:00:00.000Z',
		);
		expect(new Date(nextCentralMidnight(Date.parse('2026-07-15T12:00:00Z'))).toISOString()).toBe(
			'2026-07-16T05:00:00.000Z',
		);
		// 03:00 UTC is still the previous evening in Chicago.
		expect(new Date(nextCentralMidnight(Date.parse('2026-07-16T03:00:00Z'))).toISOString()).toBe(
			'2026-07-16T05:00:00.000Z',
		);
	});
});

describe('overlap de-duplication', () => {
	const identity: RecordIdentity = {
		keyHeaders: ['id'],
		stampHeader: 'createdAt',
		keyIncludesStamp: false,
		strip: [],
	};
	const item = (id: number, at: string): INodeExecutionData => ({ json: { id, createdAt: at } });

	it('drops records emitted before and remembers only what the next window can repeat', () => {
		const result = deduplicate(
			[
				item(1, '2026-03-01T10:00:10Z'),
				item(2, '2026-03-01T10:00:50Z'),
				item(3, '2026-03-01T10:00:59Z'),
			],
			identity,
			[['1', sec('2026-03-01T10:00:10Z')]],
			{ start: sec('2026-03-01T10:00:00Z'), nextStart: sec('2026-03-01T10:00:30Z') },
		);
		expect(result.items.map((i) => i.json.id)).toEqual([2, 3]);
		expect(result.dropped).toBe(1);
		expect(result.seen.map(([key]) => key).sort()).toEqual(['2', '3']);
	});

	it('keys Updated Leads by id and time, so a later change is a new event', () => {
		const updated = { ...identity, stampHeader: 'updatedAt', keyIncludesStamp: true };
		const result = deduplicate(
			[{ json: { id: 7, updatedAt: '2026-03-01T10:00:40Z' } }],
			updated,
			[['7@2026-03-01T10:00:10Z', sec('2026-03-01T10:00:10Z')]],
			{ start: sec('2026-03-01T10:00:00Z'), nextStart: sec('2026-03-01T10:00:00Z') },
		);
		expect(result.items).toHaveLength(1);
	});

	it('keys program members by program, lead and time: one lead in two programs is two events', () => {
		const members: RecordIdentity = {
			keyHeaders: ['programId', 'leadId'],
			stampHeader: 'updatedAt',
			keyIncludesStamp: true,
			strip: [],
		};
		const member = (programId: number, leadId: number) => ({
			json: { programId, leadId, updatedAt: '2026-03-01T10:00:40Z' },
		});
		const window = { start: sec('2026-03-01T10:00:00Z'), nextStart: sec('2026-03-01T10:00:30Z') };
		const first = deduplicate([member(3002, 42), member(3004, 42)], members, [], window);
		expect(first.items).toHaveLength(2);
		expect(first.seen.map(([key]) => key).sort()).toEqual([
			'3002/42@2026-03-01T10:00:40Z',
			'3004/42@2026-03-01T10:00:40Z',
		]);
		const again = deduplicate([member(3004, 42), member(3004, 43)], members, first.seen, window);
		expect(again.items.map((i) => i.json.leadId)).toEqual([43]);
	});

	it('is bounded', () => {
		const many = Array.from({ length: MAX_SEEN + 50 }, (_, i) =>
			item(i + 1, '2026-03-01T10:00:59Z'),
		);
		const result = deduplicate(many, identity, [], {
			start: 0,
			nextStart: sec('2026-03-01T10:00:00Z'),
		});
		expect(result.items).toHaveLength(MAX_SEEN + 50);
		expect(result.seen).toHaveLength(MAX_SEEN);
		expect(result.trimmed).toBe(true);
	});
});

describe('Program Member Changes configuration', () => {
	const program = (id: number) => ({ program: { __rl: true, mode: 'list', value: String(id) } });
	const memberTrigger = (extra: IDataObject) =>
		configOf({
			event: 'programMemberChanges',
			fields: ['email', 'statusName'],
			programs: { program: [program(3002)] },
			...extra,
		}) as DataConfig;

	it('exports the chosen programs by Updated At, with leadId and updatedAt added for de-duplication', () => {
		const cfg = memberTrigger({ statusNames: ['Attended'] });
		expect(cfg.kind).toBe('programMembers');
		expect(cfg.rangeKey).toBe('updatedAt');
		expect(cfg.spec.fields).toEqual(['email', 'statusName', 'leadId', 'updatedAt']);
		expect(cfg.userSpec.fields).toEqual(['email', 'statusName']);
		expect(cfg.spec.filter).toEqual({ programId: 3002, statusNames: ['Attended'] });
		expect(cfg.identity).toEqual({
			keyHeaders: ['leadId'],
			stampHeader: 'updatedAt',
			keyIncludesStamp: true,
			strip: ['leadId', 'updatedAt'],
		});
	});

	it("keys several programs' members by Marketo's programId column too, under the user's renames", () => {
		const cfg = memberTrigger({
			fields: ['leadId', 'statusName'],
			programs: { program: [program(3002), program(3004)] },
			columnHeaderNames: { renames: [{ field: 'leadId', header: 'Lead' }] },
		});
		expect(cfg.spec.filter).toEqual({ programIds: [3002, 3004] });
		expect(cfg.identity.keyHeaders).toEqual(['programId', 'Lead']);
		expect(cfg.identity.strip).toEqual(['updatedAt']);
	});

	it('refuses more than 10 programs before any call, as the Program Member Export does', () => {
		const programs = { program: Array.from({ length: 11 }, (_, i) => program(3001 + i)) };
		expect(() => memberTrigger({ programs })).toThrow(/at most 10 programs/);
	});
});

describe('Custom Object Changes configuration', () => {
	const object = (apiName: string) => ({ __rl: true, mode: 'apiName', value: apiName });
	const coTrigger = (extra: IDataObject) =>
		configOf({
			event: 'customObjectChanges',
			customObject: object('car_c'),
			fields: ['vin', 'color'],
			...extra,
		}) as DataConfig;

	it("exports the object's jobs by Updated At, with marketoGUID and updatedAt added for de-duplication", () => {
		const cfg = coTrigger({});
		expect(cfg.kind).toBe('customObjects');
		expect(cfg.jobs).toEqual({ kind: 'customObjects', apiName: 'car_c' });
		expect(cfg.rangeKey).toBe('updatedAt');
		expect(cfg.spec.fields).toEqual(['vin', 'color', 'marketoGUID', 'updatedAt']);
		expect(cfg.userSpec.fields).toEqual(['vin', 'color']);
		expect(cfg.identity).toEqual({
			keyHeaders: ['marketoGUID'],
			stampHeader: 'updatedAt',
			keyIncludesStamp: true,
			strip: ['marketoGUID', 'updatedAt'],
		});
	});

	it("starts a new stream for another object, and keeps the lead events' stream keys", () => {
		expect(coTrigger({}).streamKey).not.toBe(
			coTrigger({ customObject: object('course_enrollment_c') }).streamKey,
		);
		const leads = configOf({ event: 'newLeads', fields: ['id'] }) as DataConfig;
		expect(leads.jobs).toBe('leads');
		expect(leads.streamKey).toBe(
			fingerprint({ event: 'newLeads', kind: 'leads', filter: {}, start: { from: 'now' } }),
		);
	});

	it('refuses a missing object before any call', () => {
		expect(() => coTrigger({ customObject: object('') })).toThrow(/Choose a custom object/);
	});
});

// -------------------------------------------------------------------------------------------------

const FAST = { safetyLagSeconds: 0, overlapSeconds: 60, minStatusIntervalSeconds: 60 };

function leadTrigger(extra: IDataObject = {}) {
	return configOf({
		event: 'newLeads',
		fields: ['id', 'email', 'createdAt'],
		format: 'CSV',
		output: 'records',
		startFrom: 'now',
		...extra,
		options: { ...FAST, ...((extra.options as IDataObject) ?? {}) },
	}) as DataConfig;
}

function stateOf(store: IDataObject): DataState {
	return readState<DataState>(store, 'data')!;
}

/** A trigger (New Leads unless `cfg` says otherwise) on an in-memory Marketo, after its activation poll. */
async function activated(cfg: DataConfig = leadTrigger()) {
	const marketo = new FakeMarketo();
	const store: IDataObject = {};
	await pollDataEvent(marketo, cfg, store);
	return { marketo, store, cfg };
}

/** Activated, then `records` new records, and a minute later the poll that starts their job. */
async function jobStartedFor(records: number, cfg: DataConfig = leadTrigger()) {
	const trigger = await activated(cfg);
	trigger.marketo.addRecords(records);
	trigger.marketo.advance(61);
	await pollDataEvent(trigger.marketo, cfg, trigger.store);
	return trigger;
}

/** Marketo completes the job in flight; a minute later the poll that emits it: the emitted ids. */
async function completeAndEmit(
	marketo: FakeMarketo,
	cfg: DataConfig,
	store: IDataObject,
): Promise<number[]> {
	marketo.complete();
	marketo.advance(61);
	return ids(await pollDataEvent(marketo, cfg, store));
}

describe('data event state machine (in-memory Marketo)', () => {
	it("probes once at activation (create + cancel, nothing enqueued) and starts at Marketo's now", async () => {
		const marketo = new FakeMarketo();
		marketo.skewMs = -7 * 60_000; // the n8n server's clock is 7 minutes ahead
		const store: IDataObject = {};
		expect(await pollDataEvent(marketo, leadTrigger(), store)).toBeNull();
		expect(marketo.calls).toEqual(['create', 'cancel']);
		expect(marketo.jobs[0].status).toBe('Cancelled');
		const state = stateOf(store);
		expect(isoOf(state.floor)).toBe(isoOf(marketo.marketoSec()));
		expect(state.watermark).toBe(state.floor - 1);
		expect(Math.round(state.offsetMs / 60_000)).toBe(-7);
	});

	it.each([
		['n8n 1.x (state in memory, saved on emit)', 'memory'],
		['a restart before every poll (state reloaded from JSON)', 'json'],
		['n8n 2.x durable scheduler (a failing poll keeps nothing), with random faults', 'durable'],
	])(
		'emits every record exactly once over many polls while records keep arriving: %s',
		async (_name, mode) => {
			const marketo = new FakeMarketo();
			let store: IDataObject = {};
			const cfg = leadTrigger();
			await pollDataEvent(marketo, cfg, store);
			const floor = stateOf(store).floor;
			const emitted: number[] = [];
			const next = seeded(mode === 'durable' ? 7 : 42);
			let failures = 0;
			marketo.onOutput = () => {
				if (mode === 'durable' && next(5) === 0)
					throw new Error('connection reset during download');
			};
			for (let poll = 0; poll < 120; poll++) {
				marketo.addRecords(next(4), marketo.marketoSec());
				// A record Marketo makes visible late, stamped up to 58 s in the past (inside the 60 s overlap).
				if (next(3) === 0) marketo.addRecords(1, marketo.marketoSec() - next(58));
				marketo.advance(20 + next(90));
				if (next(2) === 0)
					marketo.complete({
						fail: mode === 'durable' && next(6) === 0 ? 'internal error' : undefined,
					});
				if (mode === 'durable' && next(6) === 0)
					marketo.arm('enqueue', marketo.error('1029', 'Too many jobs (10) in queue'));
				if (mode === 'durable' && next(8) === 0)
					marketo.arm('status', marketo.error('611', 'System error'));
				if (mode === 'json') store = JSON.parse(JSON.stringify(store));
				const working =
					mode === 'durable' ? (JSON.parse(JSON.stringify(store)) as IDataObject) : store;
				try {
					emitted.push(...ids(await pollDataEvent(marketo, cfg, working)));
					store = working;
				} catch {
					failures++;
				}
				expect(marketo.inFlight().length).toBeLessThanOrEqual(1);
			}
			marketo.onOutput = () => {};
			// Drain: stop adding, let the last windows complete.
			for (let i = 0; i < 8; i++) {
				marketo.advance(120);
				marketo.complete();
				emitted.push(...ids(await pollDataEvent(marketo, cfg, store)));
			}
			const watermark = stateOf(store).watermark;
			const expected = marketo.records
				.filter((r) => r.createdAt >= floor && r.createdAt <= watermark)
				.map((r) => r.id);
			expect(new Set(emitted).size).toBe(emitted.length);
			expect([...emitted].sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
			expect(expected.length).toBeGreaterThan(150);
			if (mode === 'durable') expect(failures).toBeGreaterThanOrEqual(3);
		},
	);

	it("checks a job's status at most once per Minimum Status Interval and never waits inside a poll", async () => {
		const { marketo, store, cfg } = await jobStartedFor(3);
		marketo.calls = [];
		for (let i = 0; i < 5; i++) {
			marketo.advance(10);
			expect(await pollDataEvent(marketo, cfg, store)).toBeNull();
		}
		expect(marketo.calls.filter((c) => c === 'status')).toHaveLength(0);
		marketo.advance(15);
		await pollDataEvent(marketo, cfg, store);
		expect(marketo.calls.filter((c) => c === 'status')).toHaveLength(1);
	});

	it('saves the next job with the emission (n8n 1.x saves static data only then)', async () => {
		const { marketo, store, cfg } = await jobStartedFor(2);
		marketo.complete();
		marketo.addRecords(2);
		marketo.advance(61);
		const saved = JSON.parse(JSON.stringify(store)) as IDataObject; // what n8n 1.x had saved before
		const output = await pollDataEvent(marketo, cfg, store);
		expect(ids(output)).toEqual([1, 2]);
		const state = stateOf(store);
		expect(state.job?.phase).toBe('enqueued');
		expect(state.job?.exportId).toBe(marketo.inFlight()[0].exportId);
		expect(stateOf(saved).watermark).toBeLessThan(state.watermark);
	});

	it("cancels and asks again for a window that ends after Marketo's clock (n8n clock jumped ahead)", async () => {
		const { marketo, store, cfg } = await activated();
		marketo.addRecords(2);
		marketo.advance(120);
		marketo.skewMs = -30 * 60_000; // the n8n server's clock jumped 30 minutes ahead of Marketo's
		marketo.calls = [];
		await pollDataEvent(marketo, cfg, store);
		expect(marketo.calls).toEqual(['create', 'cancel']);
		// Marketo's now is before the start: nothing to export yet, but the offset is learned.
		expect(stateOf(store).job).toBeUndefined();
		marketo.advance(30 * 60 + 120);
		marketo.addRecords(1, marketo.marketoSec() - 90);
		marketo.calls = [];
		await pollDataEvent(marketo, cfg, store);
		expect(marketo.calls).toEqual(['create', 'enqueue']);
		const job = stateOf(store).job!;
		expect(sec(job.endAt)).toBeLessThanOrEqual(marketo.marketoSec());
		marketo.complete();
		marketo.advance(61);
		expect(ids(await pollDataEvent(marketo, cfg, store)).sort((a, b) => a - b)).toEqual([1, 2, 3]);
	});

	it('retries a Failed job for the same window start on the next poll, and says so after repeated failures', async () => {
		const { marketo, store, cfg } = await jobStartedFor(4);
		const firstStart = stateOf(store).job!.startAt;
		marketo.complete({ fail: 'Export failed due to an internal error' });
		marketo.advance(61);
		expect(await pollDataEvent(marketo, cfg, store)).toBeNull();
		expect(stateOf(store).job).toBeUndefined();
		expect(stateOf(store).failures).toBe(1);
		marketo.advance(61);
		await pollDataEvent(marketo, cfg, store);
		expect(stateOf(store).job!.startAt).toBe(firstStart);
		// Two more failures: the third in a row is reported once, and the window is still retried.
		for (let i = 0; i < 2; i++) {
			marketo.complete({ fail: 'boom' });
			marketo.advance(61);
			if (i === 1)
				await expect(pollDataEvent(marketo, cfg, store)).rejects.toThrow(/3 times in a row/);
			else await pollDataEvent(marketo, cfg, store);
			marketo.advance(61);
			await pollDataEvent(marketo, cfg, store);
		}
		expect(stateOf(store).job!.startAt).toBe(firstStart);
		expect(await completeAndEmit(marketo, cfg, store)).toEqual([1, 2, 3, 4]);
	});

	it('treats a full export queue as "try again next poll", never as a failure', async () => {
		const { marketo, store, cfg } = await activated();
		marketo.addRecords(2);
		marketo.advance(61);
		marketo.arm('enqueue', marketo.error('1029', 'Too many jobs (10) in queue'));
		expect(await pollDataEvent(marketo, cfg, store)).toBeNull();
		expect(stateOf(store).job!.phase).toBe('created');
		const exportId = stateOf(store).job!.exportId;
		marketo.arm('enqueue', marketo.error('1029', 'Too many jobs (10) in queue'));
		marketo.advance(61);
		expect(await pollDataEvent(marketo, cfg, store)).toBeNull();
		marketo.advance(61);
		await pollDataEvent(marketo, cfg, store);
		expect(stateOf(store).job).toMatchObject({ exportId, phase: 'enqueued' });
		expect(marketo.jobs.filter((j) => j.status !== 'Cancelled')).toHaveLength(1);
	});

	it('pauses on the daily quota until 00:00 US Central, says so once, and loses nothing', async () => {
		const { marketo, store, cfg } = await activated();
		marketo.addRecords(3);
		marketo.advance(61);
		marketo.arm('create', marketo.error('1029', 'Export daily quota 500MB exceeded'));
		await expect(pollDataEvent(marketo, cfg, store)).rejects.toThrow(
			/daily bulk export quota is used up.*2026-03-02T06:00:00Z/,
		);
		marketo.calls = [];
		for (let i = 0; i < 10; i++) {
			marketo.advance(3600);
			// Silent until the reset (2026-03-01 12:00 UTC + hours → midnight Chicago = 06:00 UTC next day).
			if (marketo.local < Date.parse('2026-03-02T06:01:00Z'))
				expect(await pollDataEvent(marketo, cfg, store)).toBeNull();
		}
		expect(marketo.calls.filter((c) => c === 'create').length).toBeLessThanOrEqual(1);
		marketo.advance(3600 * 10);
		await pollDataEvent(marketo, cfg, store);
		marketo.complete();
		marketo.advance(61);
		const out = ids(await pollDataEvent(marketo, cfg, store));
		expect(out).toEqual([1, 2, 3]);
	});

	it('activates even when the daily quota is used up, then says so once and waits for the reset', async () => {
		const marketo = new FakeMarketo();
		const store: IDataObject = {};
		const cfg = leadTrigger();
		marketo.arm('create', marketo.error('1029', 'Export daily quota 500MB exceeded'));
		expect(await pollDataEvent(marketo, cfg, store)).toBeNull();
		marketo.advance(60);
		await expect(pollDataEvent(marketo, cfg, store)).rejects.toThrow(/quota is used up/);
		marketo.advance(60);
		marketo.calls = [];
		expect(await pollDataEvent(marketo, cfg, store)).toBeNull();
		expect(marketo.calls).toEqual([]);
		marketo.advance(24 * 3600);
		marketo.addRecords(2);
		marketo.advance(120);
		await pollDataEvent(marketo, cfg, store);
		expect(await completeAndEmit(marketo, cfg, store)).toEqual([1, 2]);
	});

	it('reuses the saved job after a failed download (no second export), and re-exports a job whose file is gone', async () => {
		const { marketo, store, cfg } = await jobStartedFor(3);
		marketo.complete();
		marketo.advance(61);
		let failNext = true;
		marketo.onOutput = () => {
			if (failNext) {
				failNext = false;
				throw new Error('checksum mismatch');
			}
		};
		const before = JSON.stringify(store);
		await expect(pollDataEvent(marketo, cfg, store)).rejects.toThrow('checksum mismatch');
		// n8n 2.x keeps none of a failing poll's changes; n8n 1.x keeps them in memory: both must work.
		const createsBefore = marketo.calls.filter((c) => c === 'create').length;
		for (const variant of [JSON.parse(before) as IDataObject, store]) {
			const copy = JSON.parse(JSON.stringify(variant)) as IDataObject;
			marketo.advance(61);
			expect(ids(await pollDataEvent(marketo, cfg, copy))).toEqual([1, 2, 3]);
		}
		expect(marketo.calls.filter((c) => c === 'create').length - createsBefore).toBe(2); // only the next windows

		// A completed job whose file expired is exported again for the same window.
		const store2: IDataObject = {};
		const m2 = new FakeMarketo();
		await pollDataEvent(m2, cfg, store2);
		m2.addRecords(2);
		m2.advance(61);
		await pollDataEvent(m2, cfg, store2);
		m2.complete();
		m2.jobs[m2.jobs.length - 1].fileGone = true;
		m2.advance(61);
		expect(await pollDataEvent(m2, cfg, store2)).toBeNull();
		m2.advance(61);
		await pollDataEvent(m2, cfg, store2);
		m2.complete();
		m2.advance(61);
		expect(ids(await pollDataEvent(m2, cfg, store2))).toEqual([1, 2]);
	});

	it('replaces a job Marketo no longer knows (status refused, not in List Jobs)', async () => {
		const { marketo, store, cfg } = await jobStartedFor(2);
		marketo.jobs.splice(marketo.jobs.length - 1, 1);
		marketo.advance(61);
		expect(await pollDataEvent(marketo, cfg, store)).toBeNull();
		expect(marketo.calls.slice(-2)).toEqual(['status', 'list']);
		expect(stateOf(store).job).toBeUndefined();
		marketo.advance(61);
		await pollDataEvent(marketo, cfg, store);
		expect(await completeAndEmit(marketo, cfg, store)).toEqual([1, 2]);
	});

	it('backfills from a start date in 31-day windows, one job at a time', async () => {
		const marketo = new FakeMarketo();
		const start = sec('2025-11-01T00:00:00Z');
		for (let day = 0; day < 120; day++) marketo.addRecords(2, start + day * 86_400);
		const store: IDataObject = {};
		const cfg = leadTrigger({
			startFrom: 'date',
			startDate: '2025-11-01T00:00:00Z',
			output: 'file',
		});
		const windows: string[] = [];
		const emitted: number[] = [];
		await pollDataEvent(marketo, cfg, store);
		for (let i = 0; i < 10; i++) {
			const job = stateOf(store).job;
			if (job && !windows.includes(`${job.startAt}..${job.endAt}`))
				windows.push(`${job.startAt}..${job.endAt}`);
			expect(marketo.inFlight().length).toBeLessThanOrEqual(1);
			marketo.complete();
			marketo.advance(61);
			emitted.push(...ids(await pollDataEvent(marketo, cfg, store)));
		}
		expect(windows.slice(0, 3)).toEqual([
			'2025-11-01T00:00:00Z..2025-12-01T23:59:59Z',
			'2025-12-02T00:00:00Z..2026-01-01T23:59:59Z',
			'2026-01-02T00:00:00Z..2026-02-01T23:59:59Z',
		]);
		expect(windows[3]).toMatch(/^2026-02-02T00:00:00Z\.\.2026-03-01T12:0\d:59Z$/);
		expect(emitted.sort((a, b) => a - b)).toEqual(marketo.records.map((r) => r.id));
	});

	it('never re-emits when Overlap is raised between polls (windows start no earlier than the memory covers)', async () => {
		const marketo = new FakeMarketo();
		const store: IDataObject = {};
		const small = leadTrigger();
		await pollDataEvent(marketo, small, store);
		const emitted: number[] = [];
		for (let i = 0; i < 3; i++) {
			marketo.addRecords(2);
			marketo.advance(300);
			marketo.complete();
			emitted.push(...ids(await pollDataEvent(marketo, small, store)));
		}
		const big = leadTrigger({ options: { overlapSeconds: 3600 } });
		for (let i = 0; i < 4; i++) {
			marketo.addRecords(1);
			marketo.advance(300);
			marketo.complete();
			emitted.push(...ids(await pollDataEvent(marketo, big, store)));
		}
		expect(new Set(emitted).size).toBe(emitted.length);
		expect(emitted.length).toBeGreaterThanOrEqual(8);
	});

	it('explains 1035 for Updated Leads at activation', async () => {
		const marketo = new FakeMarketo();
		marketo.arm(
			'create',
			marketo.error('1035', 'Unsupported filter type for target subscription: updatedAt'),
		);
		await expect(
			pollDataEvent(marketo, leadTrigger({ event: 'updatedLeads' }), {}),
		).rejects.toThrow(/does not offer the Updated At filter/);
	});

	it('starts again when the events change, and keeps the watermark when only the fields change', async () => {
		const marketo = new FakeMarketo();
		const store: IDataObject = {};
		await pollDataEvent(marketo, leadTrigger(), store);
		marketo.addRecords(2);
		marketo.advance(61);
		await pollDataEvent(marketo, leadTrigger(), store);
		const before = stateOf(store);
		await pollDataEvent(
			marketo,
			leadTrigger({ fields: ['id', 'email', 'createdAt', 'firstName'] }),
			store,
		);
		const after = stateOf(store);
		expect(after.floor).toBe(before.floor);
		expect(after.watermark).toBe(before.watermark);
		expect(after.id).toBe(before.id);
		expect(marketo.jobs.find((j) => j.exportId === before.job!.exportId)!.status).toBe('Cancelled');
		expect(store[STATE_KEY]).toBeDefined();
	});
});

describe('Export Job Completed (in-memory Marketo)', () => {
	function jobsTrigger(extra: IDataObject = {}) {
		return configOf({
			event: 'jobCompleted',
			exportType: 'leads',
			jobStatuses: ['Completed'],
			jobOutput: 'jobs',
			...extra,
			options: { minStatusIntervalSeconds: 60 },
		}) as JobsConfig;
	}

	it('emits each job once when it completes, not the ones that had completed before activation', async () => {
		const marketo = new FakeMarketo();
		const old = await marketo.create('leads', {
			filter: { createdAt: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-02T00:00:00Z' } },
		});
		await marketo.enqueue('leads', old.exportId);
		marketo.complete();
		const store: IDataObject = {};
		const cfg = jobsTrigger();
		expect(await pollJobEvent(marketo, cfg, store)).toBeNull();
		const a = await marketo.create('leads', {
			filter: { createdAt: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-02T00:00:00Z' } },
		});
		await marketo.enqueue('leads', a.exportId);
		const seen: string[] = [];
		for (let i = 0; i < 5; i++) {
			marketo.advance(61);
			if (i === 2) marketo.complete();
			const out = await pollJobEvent(marketo, cfg, store);
			for (const item of out?.[0] ?? []) seen.push(String(item.json.exportId));
		}
		expect(seen).toEqual([a.exportId]);
	});
});

// -------------------------------------------------------------------------------------------------
// What reaches n8n's database. A model of how n8n keeps a poller's static data, built on n8n-workflow's
// own Workflow and ObservableObject: the workflow's static data is loaded from the database column into a
// Workflow; n8n saves it (JSON of the root) after the activation and when a poll emits, and only if the
// root is flagged as changed. n8n 1.x and the in-memory scheduler of 2.x keep one Workflow per activation
// (later polls change it in memory); the durable scheduler's poll triggers (2.x) build a Workflow from the
// database for every poll.

type N8nMode = 'in-memory scheduler' | 'durable poll triggers';

const NODE_TYPES = {
	getByName: () => ({ description: { properties: [] } }),
	getByNameAndVersion: () => ({ description: { properties: [] }, poll: async () => null }),
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;

class N8nStaticData {
	/** workflow_entity.staticData */
	column = '{}';
	private workflow = this.load();
	/** Names the n8n process: the trigger's memory of its state is per process. */
	private process = 1;

	constructor(private readonly mode: N8nMode) {}

	private load(): Workflow {
		return new Workflow({
			id: 'wf1',
			nodes: [NODE],
			connections: {},
			active: true,
			nodeTypes: NODE_TYPES,
			staticData: JSON.parse(this.column) as IDataObject,
		});
	}

	private save(workflow: Workflow): void {
		const root = workflow.staticData as IDataObject & { __dataChanged?: boolean };
		if (root.__dataChanged !== true) return;
		this.column = JSON.stringify(root);
		root.__dataChanged = false;
	}

	/** One poll of the trigger, through poll.ts's write path. */
	async poll(
		step: (store: IDataObject) => Promise<INodeExecutionData[][] | null>,
		activation = false,
	): Promise<INodeExecutionData[][] | null> {
		if (this.mode === 'durable poll triggers' && !activation) this.workflow = this.load();
		// n8n saves the static data of the Workflow this poll ran on (durable: its own)
		const workflow = this.workflow;
		const store = workflow.getStaticData('node', NODE);
		const result = await withSavedState(`${this.process}/wf1:trigger`, store, step);
		if (activation || result !== null) this.save(workflow);
		return result;
	}

	/** n8n stops (its memory is gone) and starts again: a new activation from the database. */
	restart(): void {
		this.process++;
		this.workflow = this.load();
	}

	/** The workflow deactivated and activated again, or an activation retried: n8n runs on. */
	reactivate(): void {
		this.workflow = this.load();
	}

	saved(): DataState | undefined {
		const root = JSON.parse(this.column) as IDataObject;
		return readState<DataState>((root[`node:${NODE.name}`] ?? {}) as IDataObject, 'data');
	}
}

describe("the state reaches n8n's database", () => {
	it.each<[N8nMode]>([['in-memory scheduler'], ['durable poll triggers']])(
		'backfill with restarts after emissions and with jobs in flight (%s): each record once, the saved watermark moves with each emission',
		async (mode) => {
			const marketo = new FakeMarketo();
			const start = sec('2026-01-01T00:00:00Z');
			for (let day = 0; day < 59; day++) marketo.addRecords(3, start + day * 86_400 + 3_600);
			const cfg = leadTrigger({ startFrom: 'date', startDate: '2026-01-01T00:00:00Z' });
			const n8n = new N8nStaticData(mode);
			const step = (store: IDataObject) => pollDataEvent(marketo, cfg, store);
			await n8n.poll(step, true);
			expect(marketo.jobs.map((j) => j.status)).toEqual(['Cancelled']);

			const emitted: number[] = [];
			let restarts = 0;
			let emissions = 0;
			let restartedInFlight = false;
			for (let poll = 0; poll < 12; poll++) {
				marketo.advance(61);
				const out = await n8n.poll(step);
				emitted.push(...ids(out));
				marketo.complete();
				if (out !== null) {
					// n8n saved this emission: the watermark at its window's end, the next job with it.
					const saved = n8n.saved()!;
					expect(saved.emissions).toBe(++emissions);
					expect(saved.last?.records).toBe(out[0].length);
					expect(saved.watermark).toBe(sec(saved.last!.endAt));
				}
				// Restart right after every emission, and once while a job is in flight.
				const inFlight: boolean = out === null && emissions > 0 && !restartedInFlight;
				restartedInFlight ||= inFlight;
				if (out !== null || inFlight) {
					restarts++;
					n8n.restart();
					const again = await n8n.poll(step, true);
					if (again !== null) emissions++;
					emitted.push(...ids(again));
				}
			}
			expect(restarts).toBeGreaterThanOrEqual(3);
			expect(restartedInFlight).toBe(true);
			expect(new Set(emitted).size).toBe(emitted.length);
			expect(emitted.sort((a, b) => a - b)).toEqual(marketo.records.map((r) => r.id));
		},
	);

	it.each<[N8nMode]>([['in-memory scheduler'], ['durable poll triggers']])(
		'a poll that starts while the previous one still runs (a download waiting out a hung call) does nothing: each record once (%s)',
		async (mode) => {
			const marketo = new FakeMarketo();
			const start = sec('2026-01-01T00:00:00Z');
			for (let day = 0; day < 20; day++) marketo.addRecords(2, start + day * 86_400);
			const cfg = leadTrigger({ startFrom: 'date', startDate: '2026-01-01T00:00:00Z' });
			const n8n = new N8nStaticData(mode);
			let hung: Promise<void> | undefined;
			const step = async (store: IDataObject) => {
				const hold = hung; // this poll's download will not end before the hold is released
				hung = undefined;
				const out = await pollDataEvent(marketo, cfg, store);
				await hold;
				return out;
			};
			await n8n.poll(step, true);
			const emitted: number[] = [];
			for (let poll = 0; poll < 6; poll++) {
				marketo.advance(61);
				let release = () => {};
				if (poll === 1) hung = new Promise<void>((resolve) => (release = resolve));
				const first = n8n.poll(step);
				if (poll === 1) {
					// n8n's next tick while this poll still waits
					marketo.advance(61);
					expect(await n8n.poll(step)).toBeNull();
					release();
				}
				emitted.push(...ids(await first));
				marketo.complete();
			}
			expect(emitted.length).toBeGreaterThan(0);
			expect(new Set(emitted).size).toBe(emitted.length);
			expect(emitted.sort((a, b) => a - b)).toEqual(marketo.records.map((r) => r.id));
		},
	);

	it('a failed activation starts no export, and an activation again in the same n8n reuses the job a poll without emission started', async () => {
		const marketo = new FakeMarketo();
		const start = sec('2026-01-01T00:00:00Z');
		for (let day = 0; day < 50; day++) marketo.addRecords(1, start + day * 86_400);
		const cfg = leadTrigger({ startFrom: 'date', startDate: '2026-01-01T00:00:00Z' });
		const n8n = new N8nStaticData('in-memory scheduler');
		const step = (store: IDataObject) => pollDataEvent(marketo, cfg, store);
		// Activation attempts that n8n then refuses: their state is never saved.
		for (let attempt = 0; attempt < 3; attempt++) {
			await withSavedState(`refused/${attempt}`, {}, step);
			expect(marketo.inFlight()).toHaveLength(0);
		}
		expect(marketo.jobs.map((j) => j.status)).toEqual(['Cancelled', 'Cancelled', 'Cancelled']);

		await n8n.poll(step, true);
		marketo.advance(61);
		expect(await n8n.poll(step)).toBeNull();
		expect(marketo.inFlight()).toHaveLength(1);
		expect(n8n.saved()?.job).toBeUndefined(); // n8n saves only with an emission
		n8n.reactivate();
		marketo.complete();
		marketo.advance(61);
		const emitted = ids(await n8n.poll(step, true));
		expect(emitted.length).toBeGreaterThan(0);
		expect(marketo.jobs.filter((j) => j.status !== 'Cancelled')).toHaveLength(2); // that one, the next
	});
});
