import type { IDataObject } from 'n8n-workflow';

import {
	ExecutionCancelledError,
	marketoRequest,
	marketoRequestAfterCancel,
	pause,
	type MarketoCall,
	type MarketoContext,
} from '../transport';
import { is1029AlreadyQueued, MarketoApiError } from '../transport/errors';
import type { ExportJobs } from './request';
import { exportJobPath, exportJobsPath } from '../transport/paths';
import { isExportQueueFull, whileQueueFull } from '../transport/queueFull';
import { PackageError } from '../helpers/errors';

/**
 * The steps of a Marketo bulk export job, each one API call, plus `runExportJob` that strings them together
 * for the one-step Export. The trigger calls the same steps, one per poll, instead of `runExportJob`.
 */

export type JobStatusName =
	| 'Created'
	| 'Queued'
	| 'Processing'
	| 'Cancelled'
	| 'Completed'
	| 'Failed';

/** Every status, in the order a job goes through them. */
export const JOB_STATUSES: readonly JobStatusName[] = [
	'Created',
	'Queued',
	'Processing',
	'Completed',
	'Failed',
	'Cancelled',
];

/** The statuses a job ends in. */
export const ENDED_JOB_STATUSES: readonly JobStatusName[] = ['Cancelled', 'Completed', 'Failed'];

/**
 * Marketo's status enum spells `Canceled`, its cancel examples `Cancelled`. Both mean one state, named
 * `Cancelled` here: every job this package reads passes through this, so nothing else compares spellings.
 */
export function canonicalStatus<T extends IDataObject>(job: T): T {
	return typeof job.status === 'string' && /^cancell?ed$/i.test(job.status)
		? { ...job, status: 'Cancelled' }
		: job;
}

export interface ExportJobStatus extends IDataObject {
	exportId: string;
	status: JobStatusName;
	format?: string;
	createdAt?: string;
	queuedAt?: string;
	startedAt?: string;
	finishedAt?: string;
	numberOfRecords?: number;
	fileSize?: number;
	fileChecksum?: string;
	errorMsg?: string;
}

export async function createExportJob(
	ctx: MarketoContext,
	kind: ExportJobs,
	body: IDataObject,
): Promise<ExportJobStatus> {
	return await jobStep(ctx, 'create', {
		method: 'POST',
		path: `${exportJobsPath(kind)}/create.json`,
		body,
	});
}

/**
 * Enqueue. When the transport had to resend the call (a dropped connection, HTTP 502), the first attempt
 * may have gone through; Marketo then answers 1029 "Job already queued" or 1003 "not in Created state",
 * and the job's own status tells how it really stands.
 */
export async function enqueueExportJob(
	ctx: MarketoContext,
	kind: ExportJobs,
	exportId: string,
): Promise<ExportJobStatus> {
	const outcome = await jobStep(ctx, 'enqueue', {
		method: 'POST',
		path: exportJobPath(kind, exportId, 'enqueue'),
	}).then(
		(job) => ({ job, error: undefined }),
		(error: unknown) => ({ job: undefined, error }),
	);
	if (outcome.job) return outcome.job;
	return await recoverEnqueue(ctx, kind, exportId, outcome.error);
}

/**
 * An enqueue call that failed: when Marketo refused it with 1029 "Job already queued" or 1003 (an earlier
 * attempt went through), the job's status, unless the job is still Created; else the error again. Shared
 * by Export, the trigger and the declarative Enqueue Job step.
 */
export async function recoverEnqueue(
	ctx: MarketoContext,
	kind: ExportJobs,
	exportId: string,
	error: unknown,
): Promise<ExportJobStatus> {
	const perhapsQueued =
		error instanceof MarketoApiError &&
		(is1029AlreadyQueued({ code: error.marketoCode, message: error.marketoMessage }) ||
			error.marketoCode === '1003');
	if (perhapsQueued) {
		const status = await getExportJobStatus(ctx, kind, exportId);
		if (status.status !== 'Created') return status;
	}
	return await Promise.reject(error);
}

export async function getExportJobStatus(
	ctx: MarketoContext,
	kind: ExportJobs,
	exportId: string,
	deadline?: number,
) {
	return await jobStep(ctx, 'status', {
		method: 'GET',
		path: exportJobPath(kind, exportId, 'status'),
		deadline,
	});
}

export async function cancelExportJob(ctx: MarketoContext, kind: ExportJobs, exportId: string) {
	return await jobStep(ctx, 'cancel', {
		method: 'POST',
		path: exportJobPath(kind, exportId, 'cancel'),
	});
}

/** One job step (create, enqueue, status, cancel): its call, and the job Marketo answers with. */
async function jobStep(
	ctx: MarketoContext,
	step: string,
	call: MarketoCall,
): Promise<ExportJobStatus> {
	const { result } = await marketoRequest<ExportJobStatus>(ctx, call);
	const job = result[0];
	if (!job || typeof job.exportId !== 'string') {
		throw new PackageError(
			'UNEXPECTED_ANSWER',
			`Marketo answered the ${step} call without an export job in "result".`,
			{ description: "This is unexpected; try again. If it repeats, check Marketo's status page." },
		);
	}
	return canonicalStatus(job);
}

/**
 * This API user's jobs of the last 7 days, all pages. A filter naming Cancelled is applied here rather
 * than by Marketo: which spelling Marketo's filter takes is not documented (enum `Canceled`, examples
 * `Cancelled`, swagger `cancelled`), while the statuses it reports are read either way.
 */
export async function listExportJobs(
	ctx: MarketoContext,
	kind: ExportJobs,
	statuses: string[] = [],
): Promise<ExportJobStatus[]> {
	const wanted = statuses.map((status) => canonicalStatus({ status }).status as string);
	const serverFilter = wanted.length > 0 && !wanted.includes('Cancelled');
	const jobs: ExportJobStatus[] = [];
	let nextPageToken: string | undefined;
	do {
		const envelope = await marketoRequest<ExportJobStatus>(ctx, {
			method: 'GET',
			path: `${exportJobsPath(kind)}.json`,
			qs: {
				...(serverFilter ? { status: wanted.join(',') } : {}),
				...(nextPageToken ? { nextPageToken } : {}),
			},
		});
		for (const job of envelope.result) {
			const read = canonicalStatus(job);
			if (wanted.length === 0 || wanted.includes(read.status)) jobs.push(read);
		}
		nextPageToken =
			envelope.nextPageToken && envelope.result.length ? envelope.nextPageToken : undefined;
	} while (nextPageToken);
	return jobs;
}

export interface WaitSettings {
	pollIntervalMs: number;
	/** Epoch ms after which the run gives up (and cancels the job it started). */
	deadline: number;
}

/**
 * Create → enqueue → wait until Completed. Queue-full answers (1029 "too many jobs") wait and try again
 * until the deadline; the daily quota answer (also 1029) fails at once. A job this run started is
 * cancelled if the run times out, fails while waiting, or the execution is cancelled.
 */
export async function runExportJob(
	ctx: MarketoContext,
	kind: ExportJobs,
	body: IDataObject,
	wait: WaitSettings,
): Promise<ExportJobStatus> {
	const created = await whileQueueFull(ctx, wait, isExportQueueFull, () =>
		createExportJob(ctx, kind, body),
	);
	const { exportId } = created;
	let finished = false;
	try {
		// The enqueue answers with the job's status (Queued), so the first status call waits a full interval:
		// asking at once could only hear Queued again and would spend a call for nothing.
		let status = await whileQueueFull(ctx, wait, isExportQueueFull, () =>
			enqueueExportJob(ctx, kind, exportId),
		);
		while (status.status !== 'Completed') {
			if (status.status === 'Failed') {
				finished = true;
				throw new PackageError(
					'EXPORT_JOB_FAILED',
					`Marketo export job ${exportId} failed: ${status.errorMsg ?? 'no reason given'}.`,
					{
						description:
							"Nothing was downloaded. Run the node again; if it keeps failing, narrow the date range or fields, and check Marketo's status page.",
					},
				);
			}
			if (status.status === 'Cancelled') {
				finished = true;
				throw new PackageError(
					'EXPORT_JOB_CANCELLED',
					`Marketo export job ${exportId} was cancelled (by another user, workflow or tool) before it completed.`,
					{ description: 'Nothing was downloaded. Run the node again.' },
				);
			}
			if (Date.now() + wait.pollIntervalMs > wait.deadline) {
				throw new PackageError(
					'EXPORT_TIMEOUT',
					`Marketo export job ${exportId} was still ${status.status} when the timeout was reached; the job was cancelled.`,
					{
						description:
							status.status === 'Queued'
								? "The job never left Marketo's queue: other exports (2 run at a time per instance) were ahead of it. Raise the Timeout option, or run the export when the queue is quieter."
								: 'Large exports can take a long time to process. Raise the Timeout option, or narrow the date range or fields.',
					},
				);
			}
			await pause(ctx, wait.pollIntervalMs);
			status = await getExportJobStatus(ctx, kind, exportId, wait.deadline);
		}
		finished = true;
		return status;
	} finally {
		if (!finished) await cancelQuietly(ctx, kind, exportId);
	}
}

/**
 * Best effort: a job left behind would hold one of Marketo's two processing slots and spend export quota.
 * After the execution was cancelled, n8n aborts every authenticated request of the run, so the cancel goes
 * out with the cached token through the plain HTTP helper.
 */
async function cancelQuietly(
	ctx: MarketoContext,
	kind: ExportJobs,
	exportId: string,
): Promise<void> {
	try {
		await cancelExportJob(ctx, kind, exportId);
		return;
	} catch (error) {
		// Marketo's own answer (say 1003, "cannot be cancelled": already cancelled or finished) proves the
		// call went through; only a request the cancelled execution aborted is worth sending again.
		if (error instanceof MarketoApiError) return;
		if (!(error instanceof ExecutionCancelledError) && !isAbort(error)) return;
	}
	try {
		await marketoRequestAfterCancel(ctx, {
			method: 'POST',
			path: exportJobPath(kind, exportId, 'cancel'),
		});
	} catch {
		// The job will expire on its own; the error that stopped the run is the one worth reporting.
	}
}

function isAbort(error: unknown): boolean {
	const text = `${(error as Error)?.name ?? ''} ${(error as Error)?.message ?? ''}`;
	return /abort|cancel/i.test(text);
}
