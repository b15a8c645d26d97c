import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { ExportJobStatus } from '../export/job';
import { jobMetadata } from '../export/output';
import { createJobBodies } from '../export/request';
import type { DataConfig } from './config';
import type { TriggerPort } from './port';
import { deduplicate, type DataState, type SeenEntry } from './state';

/**
 * What a data event's window turns into: the create-job body for a window, and the items of a completed
 * job as the trigger emits them (records de-duplicated against the previous window's overlap, job metadata
 * added; or one item per job). The state machine that drives them is dataEvents.ts.
 */

/** The one create-job body of a trigger window (a window never spans more than one job). */
export function windowBody(cfg: DataConfig, startSec: number, endSec: number): IDataObject {
	const spec = {
		...cfg.spec,
		range: {
			key: cfg.rangeKey,
			start: new Date(startSec * 1000),
			end: new Date(endSec * 1000),
		},
	};
	const bodies = createJobBodies(spec);
	if (bodies.length !== 1)
		throw new Error(`A trigger window spans ${bodies.length} jobs; this is a bug.`);
	return bodies[0].body;
}

export interface ShapedItems {
	items: INodeExecutionData[];
	/** Record keys the next window's overlap may repeat, and from when that memory is complete. */
	seen: SeenEntry[];
	seenFrom: number;
	dropped: number;
}

/** The items of a completed window job, shaped for emission (see the file comment). */
export function shapeItems(
	port: TriggerPort,
	cfg: DataConfig,
	st: DataState,
	downloaded: INodeExecutionData[],
	job: {
		start: number;
		end: number;
		completed: ExportJobStatus;
		window: { startAt: string; endAt: string };
	},
): ShapedItems {
	const { start, end, completed, window } = job;
	let items = downloaded;
	let seen: SeenEntry[] = [];
	let seenFrom = end + 1;
	let dropped = 0;
	if (cfg.output === 'records') {
		const nextStart = Math.max(st.floor, end + 1 - cfg.timing.overlapSeconds);
		// The memory is complete from where the previous one was (this window continues it), so the
		// next window may start at nextStart, or later if Overlap was raised since.
		seenFrom = Math.max(nextStart, st.seenFrom ?? st.floor);
		const result = deduplicate(items, cfg.identity, st.seen, { start, nextStart });
		items = result.items;
		seen = result.seen;
		dropped = result.dropped;
		if (result.trimmed) {
			// The next window starts where the memory is complete: no duplicates (late records older
			// than that are not looked for again).
			const oldest = Math.min(...seen.map(([, stamp]) => stamp).filter((stamp) => stamp >= 0));
			if (Number.isFinite(oldest)) seenFrom = Math.min(end + 1, Math.max(seenFrom, oldest + 1));
			port.logger.warn(
				`more records than the de-duplication memory holds fell in the overlap; kept the newest ${seen.length}. Lower Overlap.`,
			);
		}
		const metadata = cfg.includeJobMetadata
			? { event: cfg.event, ...jobMetadata(cfg.spec, completed, window) }
			: undefined;
		for (const item of items) {
			for (const header of cfg.identity.strip) delete item.json[header];
			if (metadata) item.json._marketoBulk = { ...metadata };
		}
	} else {
		for (const item of items) item.json = { event: cfg.event, ...item.json };
	}
	return { items, seen, seenFrom, dropped };
}
