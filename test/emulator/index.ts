/**
 * A standalone HTTP server on 127.0.0.1 that behaves like Marketo's identity, REST and Bulk APIs, for
 * integration tests (in process), end-to-end tests (as a separate process, driven through
 * /__emulator/) and demos. Data is synthetic and deterministic: same options, byte-identical files.
 * Leads, activities, static and smart lists, programs with their channels and memberships (programs.ts),
 * custom object types with their records (coTypes.ts), and the bulk export (leads, activities, program
 * members, custom objects) and import (leads, program members, custom objects) jobs.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TokenService } from './auth';
import { handleControl } from './control';
import { ExportManager } from './exports';
import { FaultState, type RequestFailure } from './faults';
import { ImportManager } from './imports';
import { ConcurrencyGate, RateLimiter } from './limits';
import { normalizeMemberFilter, selectMembers } from './members';
import { memberValues, programById, statusesOf } from './programs';
import { STATIC_LISTS } from './schema';
import { DataStore, countPlan, planPositions, type DataShape } from './store';
import { handleRequest, type Pipeline } from './server';
import { Clock } from './time';
import { coRecordValues, coTypeOf } from './coTypes';
import { normalizeCoFilter, selectCoRecords, upsertCoRecords } from './customObjects';
import type {
	ExportActivityFilter,
	ExportCustomObjectFilter,
	ExportLeadFilter,
	ExportProgramMemberFilter,
} from './types';
import { normalizeActivityFilter, normalizeLeadFilter } from './validate';

export type {
	ExportActivityFilter,
	ExportLeadFilter,
	ExportProgramMemberFilter,
	ExportCustomObjectFilter,
	DateRangeFilter,
} from './types';
export { CO_TYPES } from './coTypes';
export { CHANNELS, PM_FIELDS, PM_PROGRAMS } from './programs';
export { parseDelimited, parseTable } from './csv';

export interface EmulatorOptions {
	/** 0 (default) = a random free port. */
	port?: number;
	clientId?: string;
	clientSecret?: string;
	/** More API users of the same instance: they share its limits but see only their own export jobs. */
	otherUsers?: Array<{ clientId: string; clientSecret: string }>;
	tokenTtlSeconds?: number;
	/** Sliding window over all API calls, token calls included → 606. Default 100 per 20 s. */
	rateLimit?: { calls: number; windowSeconds: number };
	/** Requests in flight, downloads included → 615. Default 10. */
	maxConcurrent?: number;
	/** Export status snapshots refresh at most this often. Default 0 (live); real Marketo: 60. */
	statusRefreshSeconds?: number;
	/** Time a job spends Processing. Default 300. */
	exportProcessingMs?: number;
	/** Time an import batch spends Importing. Default 300. */
	importProcessingMs?: number;
	/** Default 2 processing / 10 queued, processing included → 1029. */
	exportQueue?: { processing: number; queued: number };
	/** Default 2 / 10 → 1016. */
	importQueue?: { processing: number; queued: number };
	/** Default 500 MB → 1029, reset at 00:00 America/Chicago. */
	dailyExportQuotaBytes?: number;
	/**
	 * e.g. ['updatedAt', 'smartListId', 'smartListName'] → 1035. 'updatedAt' also takes the filter from
	 * Program Member and Custom Object exports; 'programMembers.updatedAt' and 'customObjects.updatedAt'
	 * take it from those only. The list keys apply to custom object exports as to lead exports.
	 */
	disabledFilters?: string[];
	/** Synthetic leads, createdAt spread evenly over [start, end]. Default 1000 over 2026-01-01..2026-06-30. */
	leads?: { count: number; start: string; end: string };
	/** Synthetic activities, same idea. Default 2000 over the same range. */
	activities?: { count: number; start: string; end: string };
	/** The clock (default real time); setNow() moves it. */
	now?: () => Date;
	/** Days a completed file stays downloadable; then file.json answers 404. Default 7. */
	fileAvailableDays?: number;
	/** How job answers spell the cancelled state (Marketo's enum: Canceled; its examples: Cancelled). Default Cancelled. */
	cancelledStatus?: 'Cancelled' | 'Canceled';
}

export interface MarketoEmulator {
	/** e.g. http://127.0.0.1:43123; the REST endpoint a user pastes is url + '/rest'. */
	url: string;
	clientId: string;
	clientSecret: string;
	close(): Promise<void>;
	/** Back to the initial data, jobs, imports, counters, faults and clock. Issued tokens stay valid. */
	reset(): void;
	/** Calls per endpoint, keyed 'METHOD /path/with/:id', plus 'rangeRequests', 'refused 606' and 'refused 615'. */
	counters(): Record<string, number>;
	resetCounters(): void;
	faults: {
		/** Faults armed and not fired yet. */
		pending(): number;
		failNext(match: string, count: number, failure: RequestFailure): void;
		dropFileAfterBytes(bytes: number, times?: number): void;
		/** The next `times` file responses end cleanly after `bytes` (chunked, or with that Content-Length). */
		truncateFileAfterBytes(bytes: number, times?: number, contentLength?: boolean): void;
		failNextJob(message?: string): void;
		/** The next import batch to be processed ends Failed, with this message. */
		failNextBatch(message?: string): void;
		/** The next job is cancelled before it completes, as by another user, with that status spelling. */
		cancelNextJob(spelling?: 'Cancelled' | 'Canceled'): void;
		/** The next job to complete reports `delta` more records than its file holds. */
		miscountNextJob(delta: number): void;
		corruptNextChecksum(): void;
		completedFileMissing(): void;
		stuckInQueue(on: boolean): void;
		throttleBytesPerSecond(bps: number | null): void;
		expireAllTokens(): void;
		invalidateAllTokens(): void;
	};
	data: {
		leadCount(filter?: ExportLeadFilter): number;
		activityCount(filter: ExportActivityFilter): number;
		leads(filter?: ExportLeadFilter): Iterable<Record<string, unknown>>;
		activities(filter: ExportActivityFilter): Iterable<Record<string, unknown>>;
		addLeads(n: number, at?: Date): void;
		addActivities(n: number, at?: Date): void;
		getLead(idOrEmail: number | string): Record<string, unknown> | undefined;
		staticListMembers(listId: number): number[];
		/** A program's members now (program member fields, null when empty), ascending lead id. */
		programMembers(programId: number): Array<Record<string, string | null>>;
		/** How many members a Program Member export filter selects right now (any range length). */
		programMemberCount(filter: ExportProgramMemberFilter): number;
		/**
		 * Puts leads in a program with a status, or changes the status of those already in it (updatedAt
		 * = `at`, default now); a lead not yet in the program needs a status.
		 */
		setMemberships(change: {
			programId: number;
			leadIds: number[];
			statusName?: string;
			at?: Date;
		}): void;
		/** A custom object type's records now (every field, null when empty), oldest first. */
		customObjects(apiName: string): Array<Record<string, string | null>>;
		/** How many records a Custom Object export filter selects right now (any range length). */
		customObjectCount(apiName: string, filter: ExportCustomObjectFilter): number;
		/**
		 * Creates or updates records, matched on the type's dedupe fields (updatedAt = `at`, default now),
		 * with an import's checks; all or nothing. Returns their marketoGUIDs.
		 */
		upsertCustomObjects(change: {
			apiName: string;
			records: Array<Record<string, unknown>>;
			at?: Date;
		}): string[];
		jobs(): Array<{
			/** 'leads', 'activities', 'program/members' or 'customobjects/{apiName}'. */
			kind: string;
			exportId: string;
			status: string;
			[k: string]: unknown;
		}>;
		imports(): Array<{ batchId: number; status: string; [k: string]: unknown }>;
	};
	setNow(d: Date | null): void;
	/** The emulator's current time. */
	now(): Date;
	exportedBytesToday(): number;
	/** Every access token issued since the emulator started. */
	issuedTokens(): string[];
}

const MB = 1024 * 1024;
const DEFAULT_RANGE = { start: '2026-01-01T00:00:00Z', end: '2026-06-30T00:00:00Z' };

/** Ground-truth queries accept any range and every filter type. */
const GROUND_TRUTH = { limits: false, disabledFilters: [] };

function unwrap<T>(r: { ok: T } | { error: { code: string; message: string } }): T {
	if ('error' in r) throw new Error(`${r.error.code} ${r.error.message}`);
	return r.ok;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<MarketoEmulator> {
	const clientId = options.clientId ?? 'demo-client-id';
	const clientSecret = options.clientSecret ?? 'demo-client-secret';
	const rateLimit = options.rateLimit ?? { calls: 100, windowSeconds: 20 };
	const shape: DataShape = {
		leads: options.leads ?? { count: 1000, ...DEFAULT_RANGE },
		activities: options.activities ?? { count: 2000, ...DEFAULT_RANGE },
	};
	const clock = new Clock(options.now);
	const faults = new FaultState();
	let store = new DataStore(shape);
	const getStore = () => store;
	const exportQueue = options.exportQueue ?? { processing: 2, queued: 10 };
	const importQueue = options.importQueue ?? { processing: 2, queued: 10 };
	const exports = new ExportManager(getStore, clock, faults, {
		processing: exportQueue.processing,
		queued: exportQueue.queued,
		processingMs: options.exportProcessingMs ?? 300,
		statusRefreshSeconds: options.statusRefreshSeconds ?? 0,
		dailyQuotaBytes: options.dailyExportQuotaBytes ?? 500 * MB,
		fileAvailableDays: options.fileAvailableDays ?? 7,
		cancelledStatus: options.cancelledStatus ?? 'Cancelled',
	});
	const imports = new ImportManager(
		getStore,
		clock,
		{
			processing: importQueue.processing,
			queued: importQueue.queued,
			processingMs: options.importProcessingMs ?? 300,
		},
		faults,
	);
	const tokens = new TokenService(
		clock,
		clientId,
		clientSecret,
		options.tokenTtlSeconds ?? 3600,
		options.otherUsers,
	);
	const counters = new Map<string, number>();
	const limiter = new RateLimiter(rateLimit.calls, rateLimit.windowSeconds * 1000);
	const gate = new ConcurrencyGate(options.maxConcurrent ?? 10);
	const count = (key: string) => counters.set(key, (counters.get(key) ?? 0) + 1);
	const sec = (d: Date | undefined) => Math.floor((d ? d.getTime() : clock.nowMs()) / 1000);
	const coType = (apiName: string) => {
		const t = coTypeOf(apiName);
		if (!t) throw new Error(`Custom object type '${apiName}' not found`);
		return t;
	};
	const leadFilter = (filter?: ExportLeadFilter) =>
		filter === undefined
			? ({ kind: 'all' } as const)
			: unwrap(normalizeLeadFilter(filter, GROUND_TRUTH));

	const emulator: MarketoEmulator = {
		url: '',
		clientId,
		clientSecret,
		close: async () => {
			exports.close();
			imports.reset();
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
		reset: () => {
			store = new DataStore(shape);
			exports.reset();
			imports.reset();
			counters.clear();
			faults.reset();
			limiter.reset();
			clock.set(null);
		},
		counters: () => ({ rangeRequests: 0, ...Object.fromEntries(counters) }),
		resetCounters: () => counters.clear(),
		faults: {
			pending: () => faults.pending(),
			failNext: (match, n, failure) => faults.failNext(match, n, failure),
			dropFileAfterBytes: (bytes, times) => faults.dropFileAfterBytes(bytes, times),
			truncateFileAfterBytes: (bytes, times, contentLength) =>
				faults.truncateFileAfterBytes(bytes, times, contentLength),
			failNextJob: (message) => faults.failNextJob(message),
			failNextBatch: (message) => faults.failNextBatch(message),
			cancelNextJob: (spelling) => faults.cancelNextJob(spelling),
			miscountNextJob: (delta) => faults.miscountNextJob(delta),
			corruptNextChecksum: () => faults.corruptNextChecksum(),
			completedFileMissing: () => faults.completedFileMissing(),
			stuckInQueue: (on) => {
				faults.stuckInQueue = on;
				if (!on) exports.pump();
			},
			throttleBytesPerSecond: (bps) => (faults.throttleBps = bps && bps > 0 ? bps : null),
			expireAllTokens: () => tokens.expireAll(),
			invalidateAllTokens: () => tokens.invalidateAll(),
		},
		data: {
			leadCount: (filter) => countPlan(store.leadPlan(leadFilter(filter))),
			activityCount: (filter) =>
				countPlan(store.activityPlan(unwrap(normalizeActivityFilter(filter, GROUND_TRUTH)))),
			leads: (filter) => {
				const plan = store.leadPlan(leadFilter(filter));
				const s = store;
				return (function* () {
					for (const id of planPositions(plan)) yield s.lead(id)!;
				})();
			},
			activities: (filter) => {
				const plan = store.activityPlan(unwrap(normalizeActivityFilter(filter, GROUND_TRUTH)));
				const s = store;
				return (function* () {
					for (const i of planPositions(plan)) yield s.activity(i);
				})();
			},
			programMembers: (programId) => store.members.members(programId).map(memberValues),
			programMemberCount: (filter) =>
				selectMembers(store, unwrap(normalizeMemberFilter(filter, GROUND_TRUTH))).length,
			setMemberships: ({ programId, leadIds, statusName, at }) => {
				const program = programById(programId);
				if (!program) throw new Error(`Program ${programId} not found`);
				if (statusName !== undefined && !statusesOf(program).some((s) => s.name === statusName))
					throw new Error(`Status '${statusName}' is not in program ${programId}'s channel`);
				for (const id of leadIds) {
					if (!store.lead(id)) throw new Error(`Lead ${id} not found`);
					const status = statusName ?? store.members.get(programId, id)?.statusName;
					if (status === undefined)
						throw new Error(`Lead ${id} is not in program ${programId}: a statusName is needed`);
					store.members.upsert(programId, id, status, sec(at));
				}
			},
			customObjects: (apiName) => {
				const t = coType(apiName);
				return store.customObjects.all(t).map((r) => coRecordValues(t, r));
			},
			customObjectCount: (apiName, filter) =>
				selectCoRecords(store, unwrap(normalizeCoFilter(coType(apiName), filter, GROUND_TRUTH)))
					.length,
			upsertCustomObjects: ({ apiName, records, at }) =>
				upsertCoRecords(store, coType(apiName), records, sec(at)),
			addLeads: (n, at) => void store.addLeads(n, sec(at)),
			addActivities: (n, at) => store.addActivities(n, sec(at)),
			getLead: (idOrEmail) => {
				if (typeof idOrEmail === 'number' || /^\d+$/.test(idOrEmail))
					return store.lead(Number(idOrEmail));
				const ids = store.findLeadsByEmail(idOrEmail);
				return ids.length ? store.lead(ids[0]) : undefined;
			},
			staticListMembers: (listId) => {
				const list = STATIC_LISTS.find((l) => l.id === listId);
				return list ? store.staticListMembers(list) : [];
			},
			jobs: () =>
				exports.all().map((j) => ({
					...exports.view(j),
					kind: j.kind,
					exportId: j.exportId,
					status: j.status,
					fields: j.fields,
					filter: j.rawFilter,
					dataVersion: j.version,
				})),
			imports: () =>
				imports.all().map((b) => ({
					...imports.view(b),
					batchId: b.batchId,
					status: b.status,
					format: b.format,
					kind: b.kind,
					programId: b.programId,
					programMemberStatus: b.programMemberStatus,
					objectApiName: b.objectApiName,
					lookupField: b.lookupField,
					listId: b.listId,
					partitionName: b.partitionName,
					leadIds: b.leadIds,
				})),
		},
		setNow: (d) => clock.set(d),
		now: () => new Date(clock.nowMs()),
		exportedBytesToday: () => exports.exportedBytesToday(),
		issuedTokens: () => [...tokens.issued],
	};

	const pipeline: Pipeline = {
		deps: {
			tokens,
			exports,
			imports,
			faults,
			disabledFilters: options.disabledFilters ?? [],
			countRange: () => count('rangeRequests'),
		},
		limiter,
		gate,
		rateLimit,
		count,
		control: (req, res, url) => handleControl(emulator, req, res, url),
	};

	const server: Server = createServer((req, res) => {
		handleRequest(pipeline, req, res).catch((e) => res.destroy(e as Error));
	});
	// Downloads of large files may take a while; never let the server time them out.
	server.requestTimeout = 0;
	server.on('connection', (s: Socket) => s.setNoDelay(true));
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	emulator.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return emulator;
}
