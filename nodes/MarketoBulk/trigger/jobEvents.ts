import { randomUUID } from 'crypto';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { CsvDecoder, RecordSplitter, type DataFormat } from '../codec';
import { jobMetadata } from '../export/output';
import { appendAll } from '../helpers/arrays';
import { ENDED_JOB_STATUSES, type ExportJobStatus } from '../export/job';
import type { ExportSpec } from '../export/request';
import { secondsOf } from './clock';
import type { JobsConfig } from './config';
import { toNodeError } from '../helpers/nodeErrors';
import type { TriggerPort } from './port';
import { jobDetails } from './sample';
import { readState, STATE_VERSION, writeState, type JobsState } from './state';

/**
 * Export Job Completed: watches this API user's export jobs of one kind (List Jobs, at most once per
 * Minimum Status Interval) and emits each job once when it has reached one of the chosen end states, also
 * jobs started by other workflows or tools.
 *
 * "Once" is kept by exportId: the ids emitted are saved with the emission; ids Marketo no longer lists
 * (jobs are kept 7 days) are forgotten, which bounds the memory. Starting from "now", the jobs that had
 * already ended at activation are remembered as a baseline and never emitted; with a start date, jobs
 * that ended at or after it are emitted.
 */

/** Records/File output downloads files: at most this many jobs per poll, the rest on the next polls. */
const MAX_DOWNLOADS_PER_POLL = 3;
const BUDGET_RESERVE_MS = 10_000;
const TERMINAL = new Set<string>(ENDED_JOB_STATUSES);

/**
 * A job cancelled before it was ever enqueued did nothing; the data events' activation probes are such
 * jobs. Nobody wants to be told about them.
 */
function neverRan(job: { status: string; queuedAt?: unknown }): boolean {
	return job.status === 'Cancelled' && !job.queuedAt;
}

export async function pollJobEvent(
	port: TriggerPort,
	cfg: JobsConfig,
	store: IDataObject,
): Promise<INodeExecutionData[][] | null> {
	let st = readState<JobsState>(store, 'jobs');
	const now = port.nowMs();
	if (st && st.stream === cfg.streamKey && st.lastListLocal !== undefined) {
		const since = now - st.lastListLocal;
		if (since >= 0 && since < cfg.timing.minStatusIntervalMs) return null;
	}
	const jobs = await port.list(cfg.jobs);

	if (!st || st.stream !== cfg.streamKey) {
		st = {
			v: STATE_VERSION,
			type: 'jobs',
			id: randomUUID(),
			stream: cfg.streamKey,
			baseline:
				cfg.start.from === 'now'
					? jobs.filter((job) => TERMINAL.has(job.status)).map((job) => job.exportId)
					: [],
			emitted: [],
			floor: cfg.start.from === 'date' ? cfg.start.dateSeconds : undefined,
			lastListLocal: now,
		};
		writeState(store, st);
		if (cfg.start.from === 'now') return null;
	}
	st.lastListLocal = now;

	// Forget what Marketo no longer lists (older than 7 days): it cannot come back.
	const listed = new Set(jobs.map((job) => job.exportId));
	st.baseline = st.baseline.filter((id) => listed.has(id));
	st.emitted = st.emitted.filter((id) => listed.has(id));
	const done = new Set([...st.baseline, ...st.emitted]);
	const floor = st.floor;
	const due = jobs
		.filter(
			(job) =>
				(cfg.statuses as string[]).includes(job.status) &&
				!neverRan(job) &&
				!done.has(job.exportId) &&
				(floor === undefined || (endedAt(job) ?? Infinity) >= floor),
		)
		.sort((a, b) => (endedAt(a) ?? 0) - (endedAt(b) ?? 0));
	if (due.length === 0) return null;

	const items: INodeExecutionData[] = [];
	const emitted: string[] = [];
	let downloads = 0;
	for (const job of due) {
		if (cfg.output === 'jobs' || job.status !== 'Completed') {
			items.push({ json: jobDetails(cfg.kind, job) });
			emitted.push(job.exportId);
			continue;
		}
		const left = port.budgetLeftMs();
		if (
			downloads >= MAX_DOWNLOADS_PER_POLL ||
			(downloads > 0 && left !== undefined && left < BUDGET_RESERVE_MS)
		)
			break;
		downloads++;
		try {
			appendAll(items, await jobItems(port, cfg, job));
			emitted.push(job.exportId);
		} catch (error) {
			// Emit what is ready; this job is tried again on the next poll (and reported if it fails first).
			if (items.length === 0) throw toNodeError(port.node, error);
			port.logger.warn(
				`downloading export job ${job.exportId} failed; trying again on the next poll`,
				{ error: String(error) },
			);
			break;
		}
	}
	st.emitted.push(...emitted);
	return items.length ? [items] : null;
}

async function jobItems(
	port: TriggerPort,
	cfg: JobsConfig,
	job: ExportJobStatus,
): Promise<INodeExecutionData[]> {
	const format = String(job.format ?? 'CSV').toUpperCase() as DataFormat;
	// The columns are whatever the job's creator chose: read them from the file, so that values are typed.
	let fields: string[] = [];
	if (Number(job.numberOfRecords ?? 1) !== 0 || cfg.output === 'file') {
		const head = await port.head(cfg.jobs, job.exportId, 64 * 1024);
		if (head === 'gone') return [{ json: { ...jobDetails(cfg.kind, job), fileAvailable: false } }];
		fields = headerOf(head, format);
	}
	const spec: ExportSpec = { kind: cfg.kind, format, fields, filter: {} };
	if (cfg.output === 'records' && Number(job.numberOfRecords ?? 1) === 0) return [];
	const items = await port.output(spec, job, undefined, cfg.outputOptions);
	if (cfg.output === 'file') {
		for (const item of items)
			item.json = { event: cfg.event, ...jobDetails(cfg.kind, job), ...item.json };
	} else if (cfg.includeJobMetadata) {
		const metadata = { event: cfg.event, ...jobMetadata(spec, job, undefined) };
		for (const item of items) item.json._marketoBulk = { ...metadata };
	}
	return items;
}

function headerOf(bytes: Uint8Array, format: DataFormat): string[] {
	const splitter = new RecordSplitter();
	const records = [...splitter.write(bytes)];
	try {
		if (records.length === 0) records.push(...splitter.end());
		if (records.length === 0) return [];
		const decoder = new CsvDecoder({ format, nullLiteral: null });
		const rows = [...decoder.write(records[0]), ...decoder.end()];
		return (rows[0]?.values ?? []).map((value) => value ?? '');
	} catch {
		// Untyped values are still values: the output decodes the file by its own header.
		return [];
	}
}

/** When the job reached its end state, on Marketo's clock (epoch seconds). */
function endedAt(job: ExportJobStatus): number | undefined {
	return (
		secondsOf(job.finishedAt) ??
		secondsOf(job.startedAt) ??
		secondsOf(job.queuedAt) ??
		secondsOf(job.createdAt)
	);
}
