import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	CsvDecoder,
	decodeRecords,
	recordBuilder,
	RecordSplitter,
	type DataFormat,
	concatBytes,
	isBlank,
} from '../codec';
import { asCsv, jobMetadata, storedFileType } from '../export/output';
import type { ExportJobStatus } from '../export/job';
import {
	createJobBodies,
	EXPORT_KIND_NOUNS,
	type ExportJobs,
	type ExportKind,
	type ExportSpec,
} from '../export/request';
import { is1029QueueFull, MarketoApiError } from '../transport/errors';
import { gridEnd } from './clock';
import type { DataConfig, JobsConfig, TriggerConfig } from './config';
import { explainCreateError } from './notices';
import { toNodeError } from '../helpers/nodeErrors';
import type { TriggerPort } from './port';

/**
 * Manual mode ("Fetch Test Event"): a small real sample, quickly, without reading or writing the trigger's
 * saved state. Data events show the first records of the newest completed export job of this API user
 * whose columns match the trigger's (read with one ranged request, not the whole file); when there is none,
 * they start such an export for a recent window and wait for it briefly. The next Fetch Test Event finds
 * that job if it was not ready in time.
 */

export const SAMPLE_RECORDS = 10;
const HEAD_BYTES = 256 * 1024;
const CANDIDATE_JOBS = 5;
const MAX_MANUAL_WAIT_MS = 90_000;
const FIRST_MANUAL_CHECK_MS = 2_000;

/** How far back a sample export looks when no job matches: memberships change less often than leads. */
const SAMPLE_SPANS: Record<DataConfig['event'], { days: number; noun: string }> = {
	newLeads: { days: 7, noun: 'leads created' },
	updatedLeads: { days: 7, noun: 'leads updated' },
	newActivities: { days: 1, noun: 'activities' },
	programMemberChanges: { days: 30, noun: 'program members changed' },
	customObjectChanges: { days: 30, noun: 'custom object records updated' },
};

export async function sample(
	port: TriggerPort,
	cfg: TriggerConfig,
): Promise<INodeExecutionData[][]> {
	return cfg.event === 'jobCompleted' ? await sampleJobs(port, cfg) : await sampleData(port, cfg);
}

async function sampleData(port: TriggerPort, cfg: DataConfig): Promise<INodeExecutionData[][]> {
	const spec = cfg.userSpec;
	const expected = spec.fields.map((field) => spec.columnHeaderNames?.[field] ?? field);
	// Several programs: Marketo puts a programId column first.
	if (spec.filter.programIds !== undefined) expected.unshift('programId');
	const jobs = (await port.list(cfg.jobs))
		.filter(
			(job) =>
				job.status === 'Completed' &&
				String(job.format ?? 'CSV').toUpperCase() === spec.format &&
				Number(job.numberOfRecords ?? 1) !== 0,
		)
		.sort((a, b) => jobTime(b) - jobTime(a))
		.slice(0, CANDIDATE_JOBS);
	for (const job of jobs) {
		const head = await readHead(port, cfg.jobs, job.exportId, spec.format);
		if (head === 'gone' || head.rows.length === 0 || !sameColumns(head.header, expected)) continue;
		return [await sampleItems(port, cfg, spec, job, head)];
	}

	// No matching job yet: export a recent window with this configuration.
	const { days, noun } = SAMPLE_SPANS[cfg.event];
	const end = gridEnd(Math.floor(port.nowMs() / 1000) - cfg.timing.lagSeconds);
	const start = end + 1 - days * 86_400;
	const [{ body }] = createJobBodies({
		...spec,
		range: { key: cfg.rangeKey, start: new Date(start * 1000), end: new Date(end * 1000) },
	});
	let job: ExportJobStatus;
	try {
		job = await port.create(cfg.jobs, body);
	} catch (error) {
		throw explainCreateError(port.node, cfg.event, error);
	}
	try {
		job = await port.enqueue(cfg.jobs, job.exportId);
	} catch (error) {
		await port.cancel(cfg.jobs, job.exportId);
		if (error instanceof MarketoApiError) {
			const detail = { code: error.marketoCode, message: error.marketoMessage };
			if (is1029QueueFull(detail)) {
				throw new NodeOperationError(
					port.node,
					"Marketo's export queue is full, so no sample could be exported now.",
					{
						description:
							'Try Fetch Test Event again later. The active trigger does not fail on a full queue: it tries again on the next poll.',
					},
				);
			}
		}
		throw toNodeError(port.node, error);
	}
	job = await waitBriefly(port, cfg.jobs, job, cfg.timing.minStatusIntervalMs);
	if (job.status !== 'Completed') {
		throw new NodeOperationError(
			port.node,
			`Marketo is preparing a sample: export job ${job.exportId} (the last ${days} day${days > 1 ? 's' : ''}) is ${job.status}.`,
			{
				description:
					'Run Fetch Test Event again in a minute or two: it then shows records from that job. (The active trigger never waits like this; it checks its job on later polls.)',
			},
		);
	}
	const head = await readHead(port, cfg.jobs, job.exportId, spec.format);
	if (head === 'gone' || head.rows.length === 0) {
		throw new NodeOperationError(
			port.node,
			`No ${noun} in the last ${days} day${days > 1 ? 's' : ''} (export job ${job.exportId}), so there is no sample to show.`,
			{
				description: `Once active, the trigger emits them as they appear. To see data now, run the Marketo Bulk node's Export for an older date range.`,
			},
		);
	}
	return [await sampleItems(port, cfg, spec, job, head)];
}

async function sampleJobs(port: TriggerPort, cfg: JobsConfig): Promise<INodeExecutionData[][]> {
	const jobs = (await port.list(cfg.jobs))
		.filter((job) => (cfg.statuses as string[]).includes(job.status))
		.sort((a, b) => jobTime(b) - jobTime(a));
	if (jobs.length === 0) {
		throw new NodeOperationError(
			port.node,
			`No ${EXPORT_KIND_NOUNS[cfg.kind].noun} export job of this API user ended ${cfg.statuses.join(' or ')} in the last 7 days, so there is no sample to show.`,
			{
				description:
					'Once active, the trigger emits each such job as it ends, including jobs started by other workflows or tools.',
			},
		);
	}
	if (cfg.output === 'jobs')
		return [jobs.slice(0, 3).map((job) => ({ json: jobDetails(cfg.kind, job) }))];
	for (const job of jobs.slice(0, CANDIDATE_JOBS)) {
		if (job.status !== 'Completed') continue;
		const format = String(job.format ?? 'CSV').toUpperCase() as DataFormat;
		const head = await readHead(port, cfg.jobs, job.exportId, format);
		if (head === 'gone' || head.rows.length === 0) continue;
		const spec: ExportSpec = { kind: cfg.kind, format, fields: head.header, filter: {} };
		return [await sampleItems(port, cfg, spec, job, head)];
	}
	return [[{ json: jobDetails(cfg.kind, jobs[0]) }]];
}

/**
 * Manual mode only: someone is watching, and a small sample job is often ready within seconds, so the first
 * check comes after 2 s and the gaps double up to the Status Interval (about 6 checks in the 90 s at most;
 * the active trigger keeps to the Status Interval).
 */
async function waitBriefly(
	port: TriggerPort,
	jobs: ExportJobs,
	job: ExportJobStatus,
	intervalMs: number,
): Promise<ExportJobStatus> {
	const budget = port.budgetLeftMs();
	const limit = Math.min(MAX_MANUAL_WAIT_MS, budget === undefined ? Infinity : budget - 5_000);
	const longest = Math.max(FIRST_MANUAL_CHECK_MS, intervalMs);
	const started = port.nowMs();
	let step = FIRST_MANUAL_CHECK_MS;
	let status = job;
	for (
		;
		status.status !== 'Completed' && port.nowMs() - started + step <= limit;
		step = Math.min(step * 2, longest)
	) {
		await port.sleep(step);
		status = { ...(await port.status(jobs, job.exportId)), exportId: job.exportId };
		if (status.status === 'Failed' || status.status === 'Cancelled') {
			throw new NodeOperationError(
				port.node,
				`The sample export job ${job.exportId} ended ${status.status}${status.errorMsg ? `: ${status.errorMsg}` : ''}.`,
				{ description: 'Run Fetch Test Event again.' },
			);
		}
	}
	return status;
}

// -------------------------------------------------------------------------------------------------

interface Head {
	header: string[];
	headerBytes: Uint8Array;
	rows: Uint8Array[];
}

/** The header and the first complete records of a job's file, from one ranged request. */
async function readHead(
	port: TriggerPort,
	jobs: ExportJobs,
	exportId: string,
	format: DataFormat,
): Promise<Head | 'gone'> {
	const bytes = await port.head(jobs, exportId, HEAD_BYTES);
	if (bytes === 'gone') return 'gone';
	const splitter = new RecordSplitter();
	const records = splitter.write(bytes);
	if (bytes.length < HEAD_BYTES) records.push(...splitter.end());
	const lines = records.filter((record) => !isBlank(record));
	if (lines.length === 0) return { header: [], headerBytes: new Uint8Array(0), rows: [] };
	const decoder = new CsvDecoder({ format, nullLiteral: null });
	const decoded = [...decoder.write(lines[0]), ...decoder.end()];
	const header = (decoded[0]?.values ?? []).map((value) => value ?? '');
	return { header, headerBytes: lines[0], rows: lines.slice(1, 1 + SAMPLE_RECORDS) };
}

async function sampleItems(
	port: TriggerPort,
	cfg: DataConfig | JobsConfig,
	spec: ExportSpec,
	job: ExportJobStatus,
	head: Head,
): Promise<INodeExecutionData[]> {
	const metadata: IDataObject = {
		event: cfg.event,
		sample: true,
		...jobMetadata(spec, job, undefined),
	};
	const options = cfg.outputOptions;
	if (options.output === 'file') {
		const type = storedFileType(spec.format, options.fileEncoding);
		const records = [head.headerBytes, ...head.rows];
		const bytes = type.reencode
			? concatBytes(await collect(asCsv(records, spec.format)))
			: concatBytes(records);
		const binary = await port.binary(
			bytes,
			`marketo-${spec.kind}-sample.${type.extension}`,
			type.mimeType,
		);
		return [
			{
				json: { ...metadata, sampleRecords: head.rows.length },
				binary: { [options.binaryPropertyName || 'data']: binary },
			},
		];
	}
	const kinds = await port.kinds(spec, options.typedValues !== false);
	const items: INodeExecutionData[] = [];
	const source = (async function* () {
		yield concatBytes([head.headerBytes, ...head.rows]);
	})();
	for await (const batch of decodeRecords(source, {
		format: spec.format,
		convert: (header) =>
			recordBuilder(header, kinds, { flattenJson: options.flattenAttributes === true }),
	})) {
		for (const record of batch.records) items.push({ json: record.json as IDataObject });
	}
	const withMetadata = 'includeJobMetadata' in cfg && cfg.includeJobMetadata;
	if (withMetadata) for (const item of items) item.json._marketoBulk = { ...metadata };
	return items;
}

export function jobDetails(kind: ExportKind, job: ExportJobStatus): IDataObject {
	return { kind, ...job };
}

function jobTime(job: ExportJobStatus): number {
	const text = job.finishedAt ?? job.startedAt ?? job.queuedAt ?? job.createdAt;
	const ms = text ? Date.parse(text) : NaN;
	return Number.isFinite(ms) ? ms : 0;
}

function sameColumns(a: string[], b: string[]): boolean {
	return a.length === b.length && a.every((value, i) => value === b[i]);
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
	const out: Uint8Array[] = [];
	for await (const chunk of chunks) out.push(chunk);
	return out;
}
