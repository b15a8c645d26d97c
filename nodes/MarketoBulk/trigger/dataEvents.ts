import { randomUUID } from 'crypto';
import type {
	IDataObject,
	INodeExecutionData,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import type { ExportJobStatus } from '../export/job';
import { isExportQueueFull } from '../transport/queueFull';
import { is1029Quota, MarketoApiError, adviceFor } from '../transport/errors';
import { gridEnd, isoOf, MAX_WINDOW_SECONDS, nextCentralMidnight, secondsOf } from './clock';
import type { DataConfig } from './config';
import {
	countDownloadFailure,
	explainCreateError,
	markTold,
	noticeError,
	wasTold,
} from './notices';
import { toNodeError } from '../helpers/nodeErrors';
import { shapeItems, windowBody } from './dataWindows';
import type { TriggerPort } from './port';
import {
	readState,
	STATE_VERSION,
	writeState,
	type DataState,
	type Notice,
	type WindowJob,
} from './state';

/**
 * New Leads, Updated Leads, New Activities: the state machine, one step per poll.
 *
 *   (no state) ──probe──▶ IDLE ──create+enqueue──▶ ENQUEUED ──status: Completed──▶ download, emit ──▶ IDLE
 *                          ▲  ╲ queue full              │  ╲ Queued/Processing: wait for a later poll
 *                          │   ▶ CREATED ──enqueue──────┘   ╲ Failed/Cancelled/gone: back to IDLE, same
 *                          │                                   window start, retried on the next poll
 *                          └── quota used up: PAUSED until 00:00 US Central (state and window kept)
 *
 * IDLE plans the window [max(floor, watermark + 1 − overlap), min(Marketo now − lag (whole minutes),
 * start + 31 days − 1 s)] and starts one job for it if it reaches past the watermark. The exportId is in
 * the state before anything waits on it. The emitting poll moves the watermark to the window's end, keeps
 * the keys the next window's overlap may repeat, and starts the next job, so that all of it is saved with
 * the emission (n8n saves static data only then). The first poll only probes (see run()), so the first
 * job starts on the poll after the activation.
 *
 * A poll that has done something Marketo remembers (created a job) never throws afterwards: a failure is
 * left for the next poll, which repeats the step and reports it (see notices.ts).
 */

const FAILURE_NOTICE_EVERY = 3;
/** Downloads of one job's file that may fail before the window is exported again. */
const MAX_DOWNLOAD_ATTEMPTS = 3;
/** Keep this much of the poll budget (n8n ≥ 2.38) before starting the next job after an emission. */
const BUDGET_RESERVE_MS = 10_000;

export async function pollDataEvent(
	port: TriggerPort,
	cfg: DataConfig,
	store: IDataObject,
): Promise<INodeExecutionData[][] | null> {
	return await new DataPoll(port, cfg, store).run();
}

class DataPoll {
	/** This poll created or cancelled a job: it must return, not throw. */
	private acted = false;

	/** This poll moved the watermark (an emission, maybe empty): it must return, not throw. */
	private holdingItems = false;

	private st!: DataState;

	constructor(
		private readonly port: TriggerPort,
		private readonly cfg: DataConfig,
		private readonly store: IDataObject,
	) {}

	async run(): Promise<INodeExecutionData[][] | null> {
		const saved = readState<DataState>(this.store, 'data');
		// The poll that (re)starts the state starts no export: it is n8n's activation poll, and the
		// activation may still fail after it (n8n 1.x checks the poll times only then, and retries). A
		// failed activation's state is never saved, so a job started now would be left behind by each try.
		if (!saved || saved.stream !== this.cfg.streamKey) {
			this.st = await this.initialize(undefined);
			return null;
		}
		if (saved.shape !== this.cfg.shapeKey) {
			this.st = await this.initialize(saved);
			return null;
		}
		this.st = saved;
		const st = this.st;

		// A notice from an earlier poll is told first, before anything changes.
		if (st.notice) {
			const notice = st.notice;
			if (!wasTold(st.id, notice)) {
				markTold(st.id, notice);
				throw noticeError(this.port.node, notice);
			}
			delete st.notice;
		}
		if (st.quotaUntilLocal !== undefined) {
			if (this.port.nowMs() < st.quotaUntilLocal) return null;
			delete st.quotaUntilLocal;
		}

		if (st.job?.phase === 'created') {
			await this.enqueue(st.job);
			return null;
		}
		if (st.job?.phase === 'enqueued') return await this.check(st.job);
		await this.startJob();
		return null;
	}

	// ---------------------------------------------------------------------------------------------
	// First poll: validate the configuration with Marketo, read its clock, fix the start.

	/**
	 * Creates a job for a one-minute window with this configuration and cancels it before it is enqueued
	 * (no export, no quota): Marketo validates fields, filters and the subscription's filter types (1035)
	 * now, at activation, and stamps the job with its own clock, which fixes "now".
	 */
	private async initialize(previous: DataState | undefined): Promise<DataState> {
		const { port, cfg } = this;
		const old = readState<DataState>(this.store, 'data');
		const second = Math.floor(port.nowMs() / 1000) - 86_400;
		let probe: ExportJobStatus | undefined;
		let quotaUsedUp = false;
		try {
			probe = await port.create(cfg.jobs, windowBody(this.cfg, second, second + 59));
		} catch (error) {
			// A used-up quota is no reason to fail the activation: start on the n8n clock, pause, tell.
			if (!isQuota(error)) throw this.explained(error);
			quotaUsedUp = true;
		}
		const received = port.nowMs();
		if (probe) await port.cancel(cfg.jobs, probe.exportId);
		if (old?.job) await port.cancel(cfg.jobs, old.job.exportId);

		const createdSec = secondsOf(probe?.createdAt);
		const offsetMs =
			createdSec === undefined ? (previous?.offsetMs ?? 0) : createdSec * 1000 - received;
		let state: DataState;
		if (previous) {
			// Same events, other fields/format/output: carry on from the same watermark.
			state = { ...previous, shape: cfg.shapeKey, offsetMs, job: undefined, failures: 0 };
			delete state.job;
		} else {
			const floor =
				cfg.start.from === 'date' && cfg.start.dateSeconds !== undefined
					? cfg.start.dateSeconds
					: (createdSec ?? Math.floor((received + offsetMs) / 1000));
			state = {
				v: STATE_VERSION,
				type: 'data',
				id: randomUUID(),
				stream: cfg.streamKey,
				shape: cfg.shapeKey,
				offsetMs,
				floor,
				watermark: floor - 1,
				seen: [],
				failures: 0,
			};
		}
		writeState(this.store, state);
		if (quotaUsedUp) {
			this.st = state;
			this.holdingItems = true; // the notice waits for the next poll: activation succeeds
			this.quotaUsedUp();
			this.holdingItems = false;
		}
		port.logger.debug('state initialised', {
			floor: isoOf(state.floor),
			watermark: isoOf(state.watermark),
		});
		return state;
	}

	// ---------------------------------------------------------------------------------------------
	// IDLE → CREATED → ENQUEUED

	private plan(): { start: number; end: number } | undefined {
		const { st, cfg } = this;
		const overlap = cfg.output === 'records' ? cfg.timing.overlapSeconds : 0;
		// Never before what the de-duplication memory covers (Overlap may have been raised since).
		const start = Math.max(st.floor, st.seenFrom ?? st.floor, st.watermark + 1 - overlap);
		const marketoNow = Math.floor((this.port.nowMs() + st.offsetMs) / 1000);
		const end = Math.min(
			gridEnd(marketoNow - cfg.timing.lagSeconds),
			start + MAX_WINDOW_SECONDS - 1,
		);
		return end > st.watermark ? { start, end } : undefined;
	}

	private async startJob(): Promise<void> {
		let plan = this.plan();
		if (!plan) return;
		const { port, cfg, st } = this;
		// Marketo checks the window against its own clock: a window that would end after Marketo's
		// "now − lag" (the n8n server's clock runs ahead) is cancelled before it is enqueued and asked again.
		for (let attempt = 0; attempt < 3; attempt++) {
			let created: ExportJobStatus;
			try {
				created = await port.create(cfg.jobs, windowBody(this.cfg, plan.start, plan.end));
			} catch (error) {
				this.createFailed(error);
				return;
			}
			this.acted = true;
			const received = port.nowMs();
			const createdSec = secondsOf(created.createdAt);
			let latest: number = plan.end;
			if (createdSec !== undefined) {
				st.offsetMs = createdSec * 1000 - received;
				latest = Math.min(
					gridEnd(createdSec - cfg.timing.lagSeconds),
					plan.start + MAX_WINDOW_SECONDS - 1,
				);
			}
			if (plan.end <= latest) {
				st.job = {
					exportId: created.exportId,
					startAt: isoOf(plan.start),
					endAt: isoOf(plan.end),
					createdAt: created.createdAt ?? isoOf(Math.floor(received / 1000)),
					phase: 'created',
				};
				port.logger.debug('export job created', { ...st.job });
				await this.enqueue(st.job);
				return;
			}
			await port.cancel(cfg.jobs, created.exportId);
			port.logger.debug("window ended after Marketo's clock; asked again", {
				planned: isoOf(plan.end),
				latest: isoOf(latest),
			});
			if (latest <= st.watermark) return;
			plan = { start: plan.start, end: latest };
		}
	}

	private async enqueue(job: WindowJob): Promise<void> {
		const { port, cfg } = this;
		try {
			const queued = await port.enqueue(cfg.jobs, job.exportId);
			job.phase = 'enqueued';
			job.lastStatus = queued.status;
			job.lastCheckLocal = port.nowMs();
			return;
		} catch (error) {
			if (isExportQueueFull(error)) {
				port.logger.debug("Marketo's export queue is full; enqueueing again on the next poll", {
					exportId: job.exportId,
				});
				return;
			}
			if (isQuota(error)) {
				this.quotaUsedUp();
				return;
			}
			if (this.acted || this.holdingItems) {
				port.logger.warn('enqueue failed; trying again on the next poll', {
					exportId: job.exportId,
					error: String(error),
				});
				return;
			}
			// A job that can no longer be enqueued (cancelled by someone else, expired) is replaced.
			const status = await this.statusIfListed(job.exportId);
			if (status === undefined || status.status === 'Cancelled' || status.status === 'Failed') {
				this.jobEnded(job, status?.status ?? 'gone', status?.errorMsg);
				return;
			}
			if (status.status !== 'Created') {
				job.phase = 'enqueued';
				job.lastStatus = status.status;
				job.lastCheckLocal = port.nowMs();
				return;
			}
			throw toNodeError(port.node, error);
		}
	}

	private createFailed(error: unknown): void {
		if (isExportQueueFull(error)) {
			this.port.logger.debug("Marketo's export queue is full; creating the job on the next poll");
			return;
		}
		if (isQuota(error)) {
			this.quotaUsedUp();
			return;
		}
		const explained = this.explained(error);
		if (!this.acted && !this.holdingItems) throw explained;
		this.port.logger.warn('creating the export job failed; trying again on the next poll', {
			error: String(error),
		});
		if (error instanceof MarketoApiError && explained !== error) {
			this.tell({
				id: `config:${error.marketoCode}`,
				message: explained.message,
				description: explained.description ?? undefined,
			});
		}
	}

	// ---------------------------------------------------------------------------------------------
	// ENQUEUED: one status check per poll, at most every Minimum Status Interval

	private async check(job: WindowJob): Promise<INodeExecutionData[][] | null> {
		const { port, cfg } = this;
		const now = port.nowMs();
		const last = job.lastCheckLocal ?? 0;
		if (now >= last && now - last < cfg.timing.minStatusIntervalMs) return null;

		let status: ExportJobStatus | undefined;
		try {
			status = await port.status(cfg.jobs, job.exportId);
		} catch (error) {
			if (!(error instanceof MarketoApiError)) throw toNodeError(port.node, error);
			// Marketo refused the status call: List Jobs tells whether the job still exists.
			status = await this.statusIfListed(job.exportId);
			if (status === undefined) {
				this.jobEnded(job, 'gone', `${error.marketoCode}: ${error.marketoMessage}`);
				return null;
			}
		}
		job.lastCheckLocal = now;
		job.lastStatus = status.status;
		switch (status.status) {
			case 'Completed':
				return await this.emit(job, status);
			case 'Failed':
			case 'Cancelled':
				this.jobEnded(job, status.status, status.errorMsg);
				return null;
			case 'Created':
				job.phase = 'created';
				await this.enqueue(job);
				return null;
			default:
				return null;
		}
	}

	private async statusIfListed(exportId: string): Promise<ExportJobStatus | undefined> {
		const jobs = await this.port.list(this.cfg.jobs);
		return jobs.find((j) => j.exportId === exportId);
	}

	/** Failed, Cancelled or gone: the same window start is planned again on the next poll. */
	private jobEnded(job: WindowJob, how: string, reason: string | undefined): void {
		const { st } = this;
		st.failures++;
		delete st.job;
		this.port.logger.warn(
			`export job ${job.exportId} ended ${how}; its window is exported again on the next poll`,
			{
				window: `${job.startAt}..${job.endAt}`,
				reason,
			},
		);
		if (st.failures % FAILURE_NOTICE_EVERY === 0) {
			this.tell({
				id: `failed:${st.watermark}:${st.failures}`,
				message: `Marketo export jobs for the window starting ${job.startAt} ended ${how} ${st.failures} times in a row${reason ? ` (last: ${reason})` : ''}.`,
				description:
					"The trigger keeps exporting the same window again on each poll, so nothing is skipped. If this persists, check Marketo's status page, the fields chosen, and whether other tools cancel this API user's jobs.",
			});
		}
	}

	// ---------------------------------------------------------------------------------------------
	// Completed: download, de-duplicate the overlap, emit, advance, start the next job

	private async emit(
		job: WindowJob,
		status: ExportJobStatus,
	): Promise<INodeExecutionData[][] | null> {
		const { port, cfg, st } = this;
		const start = secondsOf(job.startAt) as number;
		const end = secondsOf(job.endAt) as number;
		const window = { startAt: job.startAt, endAt: job.endAt };
		const completed: ExportJobStatus = { ...status, exportId: job.exportId };

		let items: INodeExecutionData[] = [];
		const count = Number(completed.numberOfRecords);
		if (!(completed.numberOfRecords !== undefined && count === 0)) {
			// The saved job is reused as long as Marketo still has its file (7 days); else it is exported again.
			const head = await port.head(cfg.jobs, job.exportId, 1);
			if (head === 'gone') {
				this.jobEnded(job, 'without a file (expired)', undefined);
				return null;
			}
			try {
				items = await port.output(cfg.spec, completed, window, cfg.outputOptions);
			} catch (error) {
				// Nothing was emitted and the state is as before: the next poll downloads the same job again
				// (no new export). A file that keeps failing (e.g. its checksum never matches) is given up.
				const attempts = countDownloadFailure(st.id, job.exportId);
				if (attempts < MAX_DOWNLOAD_ATTEMPTS) throw toNodeError(port.node, error);
				st.failures++;
				delete st.job;
				st.notice = {
					id: `download:${job.exportId}`,
					message: `The file of Marketo export job ${job.exportId} failed to download ${attempts} times (${(error as Error).message}). The trigger exports the window starting ${job.startAt} again.`,
					description: 'Nothing was emitted from that job, so nothing is duplicated or skipped.',
				};
				return null;
			}
		}

		const shaped = shapeItems(port, cfg, st, items, { start, end, completed, window });
		items = shaped.items;
		const { seen, seenFrom, dropped } = shaped;

		// Everything below is saved together with the emission (n8n saves the state when the poll emits).
		st.watermark = end;
		st.seen = seen;
		st.seenFrom = seenFrom;
		st.failures = 0;
		delete st.job;
		st.last = {
			exportId: job.exportId,
			startAt: job.startAt,
			endAt: job.endAt,
			records: items.length,
		};
		port.logger.debug('export job emitted', { ...st.last, duplicatesDropped: dropped });

		this.holdingItems = true;
		const left = port.budgetLeftMs();
		if (left === undefined || left > BUDGET_RESERVE_MS) {
			try {
				await this.startJob();
			} catch (error) {
				port.logger.warn('starting the next export job failed; trying again on the next poll', {
					error: String(error),
				});
			}
		}
		return items.length ? [items] : null;
	}

	// ---------------------------------------------------------------------------------------------

	private quotaUsedUp(): void {
		const { st, port } = this;
		const marketoNow = port.nowMs() + st.offsetMs;
		const reset = nextCentralMidnight(marketoNow);
		// A minute after the reset, on the n8n server's clock.
		st.quotaUntilLocal = reset - st.offsetMs + 60_000;
		const at = isoOf(Math.floor(reset / 1000));
		this.tell({
			id: `quota:${at}`,
			message: `Marketo's daily bulk export quota is used up. The trigger pauses until it resets at 00:00 US Central time (${at}) and then continues where it left off; nothing is skipped.`,
			description: adviceFor({ code: '1029', message: 'quota' }),
		});
	}

	/** Reports a notice now if this poll may still throw, else leaves it for the next poll. */
	private tell(notice: Notice): void {
		const { st } = this;
		if (wasTold(st.id, notice)) return;
		if (!this.acted && !this.holdingItems) {
			markTold(st.id, notice);
			throw noticeError(this.port.node, notice);
		}
		st.notice = notice;
	}

	private explained(error: unknown): NodeApiError | NodeOperationError {
		return explainCreateError(this.port.node, this.cfg.event, error);
	}
}

function isQuota(error: unknown): boolean {
	return (
		error instanceof MarketoApiError &&
		is1029Quota({ code: error.marketoCode, message: error.marketoMessage })
	);
}
