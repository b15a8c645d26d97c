/**
 * Bulk export jobs (leads, activities, program members and custom objects share one queue and one daily
 * quota, as in Marketo): life cycle, scheduler, daily quota, delayed status snapshots and the faults that bend a job's ending.
 */
import { randomUUID } from 'node:crypto';
import type { ExportFormat } from './csv';
import {
	activityFileSource,
	digestFile,
	leadFileSource,
	type Checkpoint,
	type FileSource,
} from './filegen';
import { coFileSource, type NormalCoFilter } from './customObjects';
import type { FaultState } from './faults';
import { memberFileSource, type NormalMemberFilter } from './members';
import type { DataStore, NormalActivityFilter, NormalLeadFilter } from './store';
import { Clock, centralDayKey, isoSeconds } from './time';
import type { ApiError } from './types';
import type { ExportRequest } from './validate';

/** Also the path segment: /bulk/v1/{kind}/export/… (custom objects: customobjects/{apiName}). */
export type ExportKind = 'leads' | 'activities' | 'program/members' | `customobjects/${string}`;
export type ExportStatus =
	| 'Created'
	| 'Queued'
	| 'Processing'
	| 'Cancelled'
	| 'Completed'
	| 'Failed';
export const EXPORT_STATUSES: ExportStatus[] = [
	'Created',
	'Queued',
	'Processing',
	'Cancelled',
	'Completed',
	'Failed',
];

export interface ExportJob {
	kind: ExportKind;
	/** The API user (client id) who created the job: only they see it. */
	owner?: string;
	exportId: string;
	format: ExportFormat;
	status: ExportStatus;
	seq: number;
	createdAt: number;
	queuedAt?: number;
	startedAt?: number;
	finishedAt?: number;
	numberOfRecords?: number;
	fileSize?: number;
	fileChecksum?: string;
	errorMsg?: string;
	fields: string[];
	headers: string[];
	filter: NormalLeadFilter | NormalActivityFilter | NormalMemberFilter | NormalCoFilter;
	/** The request's filter as sent, for listings and tests. */
	rawFilter: unknown;
	/** Data version the job reads; set when it starts processing. */
	version?: number;
	source?: FileSource;
	checkpoints?: Checkpoint[];
	/** Cancelled by "someone else" (fault): how its status is spelled. */
	cancelledAs?: 'Cancelled' | 'Canceled';
	/** Completed, but its file is gone (fault). */
	fileMissing?: boolean;
	/** What the status endpoint last showed, and when (emulator clock, ms). */
	snapshot?: { at: number; view: Record<string, unknown> };
	/** Bumped on cancel/reset so a running digest knows to stop. */
	run: number;
}

export interface ExportSettings {
	processing: number;
	queued: number;
	processingMs: number;
	statusRefreshSeconds: number;
	dailyQuotaBytes: number;
	fileAvailableDays: number;
	/** How answers spell the cancelled state: Marketo's enum says Canceled, its examples Cancelled. */
	cancelledStatus: 'Cancelled' | 'Canceled';
}

const MB = 1024 * 1024;

export class ExportManager {
	private jobs = new Map<string, ExportJob>();
	private seq = 0;
	private timers = new Set<NodeJS.Timeout>();
	/** Bytes of export files completed per US Central day. */
	private bytesByDay = new Map<string, number>();
	private generation = 0;

	constructor(
		private readonly store: () => DataStore,
		private readonly clock: Clock,
		private readonly faults: FaultState,
		private readonly settings: ExportSettings,
	) {}

	reset(): void {
		this.generation++;
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		this.jobs.clear();
		this.bytesByDay.clear();
		this.seq = 0;
	}

	close(): void {
		this.reset();
	}

	exportedBytesToday(): number {
		return this.bytesByDay.get(centralDayKey(this.clock.nowMs())) ?? 0;
	}

	private quotaError(): ApiError | undefined {
		if (this.exportedBytesToday() < this.settings.dailyQuotaBytes) return undefined;
		const mb = Math.max(1, Math.round(this.settings.dailyQuotaBytes / MB));
		return { code: '1029', message: `Export daily quota ${mb}MB exceeded` };
	}

	all(): ExportJob[] {
		return [...this.jobs.values()].sort((a, b) => b.seq - a.seq);
	}

	/** The job, if it is of that kind and, when a user is given, theirs (Marketo: creator only). */
	get(kind: ExportKind, exportId: string, user?: string): ExportJob | undefined {
		const job = this.jobs.get(exportId);
		return job && job.kind === kind && (user === undefined || job.owner === user) ? job : undefined;
	}

	create(
		kind: ExportKind,
		req: ExportRequest<
			NormalLeadFilter | NormalActivityFilter | NormalMemberFilter | NormalCoFilter
		>,
		rawFilter: unknown,
		owner?: string,
	): ExportJob | ApiError {
		const quota = this.quotaError();
		if (quota) return quota;
		const job: ExportJob = {
			kind,
			owner,
			exportId: randomUUID(),
			format: req.format,
			status: 'Created',
			seq: ++this.seq,
			createdAt: this.clock.nowMs(),
			fields: req.fields,
			headers: req.headers,
			filter: req.filter,
			rawFilter,
			run: 0,
		};
		this.jobs.set(job.exportId, job);
		this.snapshot(job);
		return job;
	}

	enqueue(job: ExportJob): ExportJob | ApiError {
		if (job.status === 'Queued' || job.status === 'Processing')
			return { code: '1029', message: 'Job already queued' };
		if (job.status !== 'Created') {
			return {
				code: '1003',
				message: `Export job is not in Created state (status: ${job.status})`,
			};
		}
		const quota = this.quotaError();
		if (quota) return quota;
		const inQueue = [...this.jobs.values()].filter(
			(j) => j.status === 'Queued' || j.status === 'Processing',
		).length;
		if (inQueue >= this.settings.queued) {
			return { code: '1029', message: `Too many jobs (${this.settings.queued}) in queue` };
		}
		job.status = 'Queued';
		job.queuedAt = this.clock.nowMs();
		// A job is picked up after the enqueue call returns, which therefore always says Queued.
		this.later(() => this.pump());
		return job;
	}

	cancel(job: ExportJob): ExportJob | ApiError {
		if (job.status === 'Cancelled') return job;
		if (job.status === 'Completed' || job.status === 'Failed') {
			return { code: '1003', message: `Export job cannot be cancelled (status: ${job.status})` };
		}
		job.status = 'Cancelled';
		job.run++;
		this.pump();
		return job;
	}

	private later(fn: () => void, ms = 0): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			fn();
		}, ms);
		this.timers.add(timer);
	}

	/** Starts queued jobs, oldest first, while processing slots are free. */
	pump(): void {
		if (this.faults.stuckInQueue) return;
		let processing = [...this.jobs.values()].filter((j) => j.status === 'Processing').length;
		const queued = [...this.jobs.values()]
			.filter((j) => j.status === 'Queued')
			.sort((a, b) => a.seq - b.seq);
		for (const job of queued) {
			if (processing >= this.settings.processing) break;
			processing++;
			this.start(job);
		}
	}

	private start(job: ExportJob): void {
		const store = this.store();
		job.status = 'Processing';
		job.startedAt = this.clock.nowMs();
		// The job reads the data (and list memberships) as they are when it starts processing.
		job.version = store.version;
		job.source =
			job.kind === 'leads'
				? leadFileSource(
						store,
						job.version,
						store.leadPlan(job.filter as NormalLeadFilter, job.version),
						job.fields,
						job.headers,
						job.format,
					)
				: job.kind === 'program/members'
					? memberFileSource(
							store,
							job.version,
							job.filter as NormalMemberFilter,
							job.fields,
							job.headers,
							job.format,
						)
					: job.kind.startsWith('customobjects/')
						? coFileSource(
								store,
								job.version,
								job.filter as NormalCoFilter,
								job.fields,
								job.headers,
								job.format,
							)
						: activityFileSource(
								store,
								store.activityPlan(job.filter as NormalActivityFilter, job.version),
								job.fields,
								job.headers,
								job.format,
							);
		const run = job.run;
		const generation = this.generation;
		const stale = () =>
			job.run !== run || this.generation !== generation || job.status !== 'Processing';
		let digested: Awaited<ReturnType<typeof digestFile>>;
		let waited = false;
		const finishWhenReady = () => {
			if (digested && waited && !stale()) this.finish(job, digested);
		};
		this.later(() => {
			waited = true;
			finishWhenReady();
		}, this.settings.processingMs);
		void digestFile(job.source, stale).then((d) => {
			digested = d;
			finishWhenReady();
		});
	}

	private finish(
		job: ExportJob,
		digest: NonNullable<Awaited<ReturnType<typeof digestFile>>>,
	): void {
		job.finishedAt = this.clock.nowMs();
		const cancelledAs = this.faults.takeCancel();
		const failure = cancelledAs ? undefined : this.faults.takeJobFailure();
		if (cancelledAs) {
			job.status = 'Cancelled';
			job.cancelledAs = cancelledAs;
		} else if (failure !== undefined) {
			job.status = 'Failed';
			job.errorMsg = failure;
		} else {
			job.status = 'Completed';
			job.numberOfRecords = digest.records + this.faults.takeMiscount();
			job.fileSize = digest.size;
			job.fileChecksum = digest.checksum;
			job.checkpoints = digest.checkpoints;
			if (this.faults.takeCorruptChecksum()) {
				// Same shape, wrong digest: flip the last hex digit.
				const last = job.fileChecksum.slice(-1);
				job.fileChecksum = job.fileChecksum.slice(0, -1) + (last === '0' ? '1' : '0');
			}
			if (this.faults.takeFileMissing()) job.fileMissing = true;
			const day = centralDayKey(job.finishedAt);
			this.bytesByDay.set(day, (this.bytesByDay.get(day) ?? 0) + digest.size);
		}
		this.pump();
	}

	/** The job as the status endpoint shows it right now. */
	view(job: ExportJob): Record<string, unknown> {
		const v: Record<string, unknown> = {
			exportId: job.exportId,
			format: job.format,
			status:
				job.status === 'Cancelled'
					? (job.cancelledAs ?? this.settings.cancelledStatus)
					: job.status,
			createdAt: isoSeconds(job.createdAt),
		};
		if (job.queuedAt !== undefined) v.queuedAt = isoSeconds(job.queuedAt);
		if (job.startedAt !== undefined) v.startedAt = isoSeconds(job.startedAt);
		if (job.finishedAt !== undefined) v.finishedAt = isoSeconds(job.finishedAt);
		if (job.status === 'Completed') {
			v.numberOfRecords = job.numberOfRecords;
			v.fileSize = job.fileSize;
			v.fileChecksum = job.fileChecksum;
		}
		if (job.status === 'Failed') v.errorMsg = job.errorMsg;
		return v;
	}

	private snapshot(job: ExportJob): Record<string, unknown> {
		const view = this.view(job);
		job.snapshot = { at: this.clock.nowMs(), view };
		return view;
	}

	/**
	 * What the status endpoint answers: Marketo refreshes job status only every so often, so a poll
	 * sees the snapshot taken at most statusRefreshSeconds ago (0 = always live).
	 */
	statusView(job: ExportJob): Record<string, unknown> {
		const refresh = this.settings.statusRefreshSeconds * 1000;
		if (!job.snapshot || refresh <= 0 || this.clock.nowMs() - job.snapshot.at >= refresh)
			return this.snapshot(job);
		return job.snapshot.view;
	}

	/** Whether the job's file can be served, and if not what to answer. */
	fileState(job: ExportJob): 'ok' | 'missing' | ApiError {
		if (job.status !== 'Completed') {
			return { code: '1003', message: `Export job is not completed (status: ${job.status})` };
		}
		if (job.fileMissing) return 'missing';
		const expires = job.finishedAt! + this.settings.fileAvailableDays * 86_400_000;
		if (this.clock.nowMs() >= expires) return 'missing';
		return 'ok';
	}

	/** Jobs as the list endpoint returns them (newest first), for one kind, statuses and user. */
	list(kind: ExportKind, statuses?: Set<string>, user?: string): ExportJob[] {
		return this.all().filter(
			(j) =>
				j.kind === kind &&
				(user === undefined || j.owner === user) &&
				(!statuses || statuses.has(j.status)),
		);
	}
}
