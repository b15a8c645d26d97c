import type { IDataObject } from 'n8n-workflow';

import { centralDay, isoSeconds } from './windows';
import { MarketoApiError, is1029Quota } from '../transport/errors';
import type { MarketoContext } from '../transport';
import { listExportJobs } from './job';
import { listCustomObjects } from '../metadata/customObjects';
import type { ExportJobs, ExportKind } from './request';

/** Marketo's daily limit on export file sizes, shared by every bulk export kind of an instance. */
export const DAILY_EXPORT_QUOTA_BYTES = 500 * 1024 * 1024;

const QUOTA_KINDS: ExportKind[] = ['leads', 'activities', 'programMembers', 'customObjects'];

export interface ExportQuotaUsage extends IDataObject {
	/** The US Central day Marketo counts in (YYYY-MM-DD). */
	day: string;
	usedBytes: number;
	usedMB: number;
	quotaBytes: number;
	remainingBytes: number;
	/** Completed jobs of this API user that finished that day, by export kind. */
	completedJobs: Record<string, number>;
	resetsAt: string;
	note: string;
}

/**
 * What this API user's exports have used of today's quota: the file sizes of its jobs that completed
 * since 00:00 US Central. Marketo lists only the caller's own jobs, so exports by other API users of the
 * instance, which count against the same quota, are not in the figure.
 */
export async function exportQuotaUsage(
	ctx: MarketoContext,
	nowMs = Date.now(),
): Promise<ExportQuotaUsage> {
	const today = centralDay(nowMs);
	let usedBytes = 0;
	const completedJobs: Record<string, number> = {};
	const uncounted: string[] = [];
	for (const kind of QUOTA_KINDS) {
		completedJobs[kind] = 0;
		for (const jobs of await jobListsOf(ctx, kind, uncounted)) {
			for (const job of await listExportJobs(ctx, jobs, ['Completed'])) {
				const finished = Date.parse(String(job.finishedAt ?? ''));
				if (!(finished >= today.startMs && finished < today.endMs)) continue;
				usedBytes += Number(job.fileSize) || 0;
				completedJobs[kind]++;
			}
		}
	}
	return {
		day: today.day,
		usedBytes,
		usedMB: Math.round((usedBytes / 1024 / 1024) * 10) / 10,
		quotaBytes: DAILY_EXPORT_QUOTA_BYTES,
		remainingBytes: Math.max(0, DAILY_EXPORT_QUOTA_BYTES - usedBytes),
		completedJobs,
		resetsAt: isoSeconds(Math.floor(today.endMs / 1000)),
		note: [
			"Jobs of this API user only: exports by other API users of the instance count against the same 500 MB but Marketo does not list them. The day is Marketo's, in US Central time.",
			...uncounted,
		].join(' '),
	};
}

/**
 * The job lists of a kind: one, or one per custom object linked to leads (each object lists its own jobs).
 * An instance without custom objects, or an API user that may not read them, has no custom object jobs it
 * can count: that is said in `uncounted` (the note), never silently left out.
 */
async function jobListsOf(
	ctx: MarketoContext,
	kind: ExportKind,
	uncounted: string[],
): Promise<ExportJobs[]> {
	if (kind !== 'customObjects') return [kind];
	const types = await listCustomObjects(ctx).catch((error: unknown) => {
		// 603 access denied, 616 subscription without custom objects, 1026 custom objects not enabled
		if (error instanceof MarketoApiError && ['603', '616', '1026'].includes(error.marketoCode)) {
			uncounted.push(
				`Custom object export jobs are not counted: Marketo answered ${error.marketoCode} (${error.marketoMessage}) when asked for the custom objects.`,
			);
			return [];
		}
		throw error;
	});
	return types.filter((type) => type.linkedToLead).map((type) => ({ kind, apiName: type.apiName }));
}

/** One sentence for a message: "this API user's exports completed today: 312.4 MB of 500 MB (…)". */
export function describeQuotaUsage(usage: ExportQuotaUsage): string {
	const jobs = Object.values(usage.completedJobs).reduce((sum, n) => sum + n, 0);
	return `This API user's exports completed today (${usage.day}, US Central): ${usage.usedMB} MB of 500 MB in ${jobs} job${jobs === 1 ? '' : 's'}; exports of other API users count too but are not visible. The quota resets at ${usage.resetsAt}.`;
}

/**
 * Runs `call`; when Marketo answers that the daily export quota is used up, the error also says how much
 * of it this API user's exports used today (best effort: if that cannot be read, the error stays as is).
 */
export async function withQuotaUsage<T>(ctx: MarketoContext, call: () => Promise<T>): Promise<T> {
	return await call().catch(async (error: unknown) => {
		if (
			error instanceof MarketoApiError &&
			is1029Quota({ code: error.marketoCode, message: error.marketoMessage })
		) {
			const usage = await exportQuotaUsage(ctx).catch(() => undefined);
			if (usage)
				error.description = [describeQuotaUsage(usage), error.description]
					.filter(Boolean)
					.join(' ');
		}
		return await Promise.reject(error);
	});
}
