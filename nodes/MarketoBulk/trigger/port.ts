import type {
	IBinaryData,
	IDataObject,
	INode,
	INodeExecutionData,
	IPollFunctions,
} from 'n8n-workflow';

import type { FieldKind } from '../codec';
import { jobOutput, type OutputOptions } from '../export/output';
import type { DateWindow } from '../export/windows';
import {
	cancelExportJob,
	createExportJob,
	enqueueExportJob,
	getExportJobStatus,
	listExportJobs,
	type ExportJobStatus,
} from '../export/job';
import { exportJobsOf, type ExportJobs, type ExportSpec } from '../export/request';
import { columnKinds } from '../export/fieldKinds';
import { withExportAdvice } from '../export/advice';
import { limitRetriesUntil, marketoStream, pause } from '../transport';
import { exportJobPath } from '../transport/paths';

/**
 * Everything the trigger's state machines need from the outside world, as one small interface: the job
 * steps (one API call each, from export/job.ts), the shared download-and-output code (export/output.ts),
 * a clock and a logger. poll.ts builds the real one from n8n's poll context; unit tests drive the state
 * machines with an in-memory Marketo.
 */
export interface TriggerPort {
	node: INode;
	/** The n8n server's clock (epoch ms). Used for intervals and as a first estimate of Marketo's. */
	nowMs(): number;
	/** What is left of this poll's time budget (n8n ≥ 2.38), undefined when n8n sets none. */
	budgetLeftMs(): number | undefined;
	logger: {
		debug(message: string, meta?: IDataObject): void;
		warn(message: string, meta?: IDataObject): void;
	};
	// Each job step takes whose jobs it works on: a kind's, or one custom object's (exportJobsOf).
	create(jobs: ExportJobs, body: IDataObject): Promise<ExportJobStatus>;
	enqueue(jobs: ExportJobs, exportId: string): Promise<ExportJobStatus>;
	status(jobs: ExportJobs, exportId: string): Promise<ExportJobStatus>;
	/** Best effort; never throws. */
	cancel(jobs: ExportJobs, exportId: string): Promise<void>;
	list(jobs: ExportJobs): Promise<ExportJobStatus[]>;
	/** The first bytes of a job's file, or 'gone' when Marketo no longer has it (HTTP 404/410). */
	head(jobs: ExportJobs, exportId: string, maxBytes: number): Promise<Uint8Array | 'gone'>;
	/** Downloads a completed job and turns it into items: the node's Export code. */
	output(
		spec: ExportSpec,
		job: ExportJobStatus,
		window: DateWindow | undefined,
		options: OutputOptions,
	): Promise<INodeExecutionData[]>;
	kinds(spec: ExportSpec, typedValues: boolean): Promise<Record<string, FieldKind>>;
	binary(bytes: Uint8Array, fileName: string, mimeType: string): Promise<IBinaryData>;
	/** Manual mode only: the active trigger never waits. */
	sleep(ms: number): Promise<void>;
}

export function pollPort(ctx: IPollFunctions): TriggerPort {
	const started = Date.now();
	const budget = (ctx as { getPollBudgetMs?: () => number }).getPollBudgetMs;
	const budgetMs = typeof budget === 'function' ? budget.call(ctx) : undefined;
	// Leave a fifth of the budget for downloading and emitting what is ready.
	if (budgetMs !== undefined) limitRetriesUntil(ctx, started + budgetMs * 0.8);
	return {
		node: ctx.getNode(),
		nowMs: () => Date.now(),
		budgetLeftMs: () =>
			typeof budgetMs === 'number' ? budgetMs - (Date.now() - started) : undefined,
		logger: {
			debug: (message, meta) => ctx.logger.debug(`Marketo Bulk Trigger: ${message}`, meta),
			warn: (message, meta) => ctx.logger.warn(`Marketo Bulk Trigger: ${message}`, meta),
		},
		// A program member or custom object job's refusals are explained as the node's Export explains
		// them (a status name no chosen program has, with each program's statuses; an unknown object).
		create: async (jobs, body) =>
			await withExportAdvice(ctx, adviceSpecOf(jobs, body), () => createExportJob(ctx, jobs, body)),
		enqueue: async (jobs, exportId) => await enqueueExportJob(ctx, jobs, exportId),
		status: async (jobs, exportId) => await getExportJobStatus(ctx, jobs, exportId),
		cancel: async (jobs, exportId) => {
			try {
				await cancelExportJob(ctx, jobs, exportId);
			} catch {
				// A job left behind expires on its own; it was never enqueued or is already finished.
			}
		},
		list: async (jobs) => await listExportJobs(ctx, jobs),
		head: async (jobs, exportId, maxBytes) => await fileHead(ctx, jobs, exportId, maxBytes),
		output: async (spec, job, window, options) =>
			(await jobOutput(ctx, spec, job, options, { window })).items,
		kinds: async (spec, typedValues) =>
			await columnKinds(
				ctx,
				exportJobsOf(spec.kind, spec.customObject),
				spec.fields,
				spec.columnHeaderNames,
				typedValues,
			),
		binary: async (bytes, fileName, mimeType) =>
			await ctx.helpers.prepareBinaryData(Buffer.from(bytes), fileName, mimeType),
		sleep: async (ms) => await pause(ctx, ms),
	};
}

/**
 * What withExportAdvice reads of a create-job call: the kind, the object, the filter. Error 1035 on the
 * windows' Updated At filter is told in the trigger's own terms (notices.ts), so no range is needed here.
 */
function adviceSpecOf(jobs: ExportJobs, body: IDataObject) {
	const filter = (body.filter ?? {}) as IDataObject;
	if (typeof jobs === 'string') return { kind: jobs, filter };
	return { kind: jobs.kind, customObject: jobs.apiName, filter };
}

/** `Range: bytes=0-…` on the job's file, through the shared transport; reads no more than asked. */
async function fileHead(
	ctx: IPollFunctions,
	jobs: ExportJobs,
	exportId: string,
	maxBytes: number,
): Promise<Uint8Array | 'gone'> {
	const response = await marketoStream(ctx, {
		method: 'GET',
		path: exportJobPath(jobs, exportId, 'file'),
		headers: { Range: `bytes=0-${Math.max(0, maxBytes - 1)}` },
		acceptStatus: [404, 410, 416],
	});
	if (response.statusCode === 404 || response.statusCode === 410) {
		response.body.destroy?.();
		return 'gone';
	}
	if (response.statusCode === 416) {
		response.body.destroy?.();
		return new Uint8Array(0);
	}
	const chunks: Uint8Array[] = [];
	let total = 0;
	const body = response.body as unknown;
	if (body instanceof Uint8Array || typeof body === 'string') {
		const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
		return bytes.subarray(0, maxBytes);
	}
	for await (const chunk of response.body) {
		chunks.push(chunk);
		total += chunk.length;
		// A server that ignores Range sends the whole file: stop reading once we have enough.
		if (total >= maxBytes) break;
	}
	response.body.destroy?.();
	return Buffer.concat(chunks).subarray(0, maxBytes);
}
