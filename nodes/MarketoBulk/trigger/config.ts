import { createHash } from 'crypto';
import type { IDataObject, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { outputOptionsOf } from '../descriptions/exportParameters';
import { withExportAdvice } from '../export/advice';
import { withCustomObjectFields } from '../export/customObjects';
import type { OutputOptions } from '../export/output';
import { toDate } from '../export/windows';
import {
	exportFilterSpec,
	exportJobsOf,
	type ExportJobs,
	type ExportKind,
	type ExportParameters,
	type ExportSpec,
} from '../export/request';
import { toNodeError } from '../helpers/nodeErrors';

/**
 * The trigger's parameters, read and validated once per poll (before any API call), with the same
 * validation as the node's Export (exportFilterSpec; the trigger sets each window's dates itself).
 */

export type DataEvent =
	| 'newLeads'
	| 'updatedLeads'
	| 'newActivities'
	| 'programMemberChanges'
	| 'customObjectChanges';
export type TriggerEvent = DataEvent | 'jobCompleted';

export interface Timing {
	/** Marketo-clock seconds a window's end stays behind "now". */
	lagSeconds: number;
	/** Records output: each window starts this many seconds before the previous one ended. */
	overlapSeconds: number;
	/** Least time between two status (or List Jobs) checks of the same trigger. */
	minStatusIntervalMs: number;
}

export interface StartChoice {
	from: 'now' | 'date';
	/** Epoch seconds (Marketo's clock) for `date`. */
	dateSeconds?: number;
}

/** How a record is recognised again when windows overlap, and which columns the user did not ask for. */
export interface RecordIdentity {
	/**
	 * Columns (headers) whose values together name the record: `id` for leads, `marketoGUID` for
	 * activities and custom object records, `leadId` for the members of one program, `programId` and
	 * `leadId` for several programs.
	 */
	keyHeaders: string[];
	/** Column holding the record's time: createdAt / updatedAt / activityDate. */
	stampHeader: string;
	/**
	 * Updated Leads, Program Member Changes, Custom Object Changes: the same lead, membership or record
	 * is a new event once it changed again, so the key includes the stamp.
	 */
	keyIncludesStamp: boolean;
	/** Columns added for de-duplication only, removed from the emitted records. */
	strip: string[];
}

export interface DataConfig {
	event: DataEvent;
	kind: ExportKind;
	/** Whose jobs the trigger creates and lists: the kind's, or the custom object's. */
	jobs: ExportJobs;
	rangeKey: 'createdAt' | 'updatedAt';
	/** What each job exports (with the identity columns added for Records output). */
	spec: ExportSpec;
	/** The export as the user defined it (for samples and file probes). */
	userSpec: ExportSpec;
	identity: RecordIdentity;
	output: 'records' | 'file';
	outputOptions: OutputOptions;
	includeJobMetadata: boolean;
	start: StartChoice;
	timing: Timing;
	/** Changes when what the trigger watches changes: a new watermark starts. */
	streamKey: string;
	/** Changes when the shape of the jobs changes: the watermark stays, an in-flight job is replaced. */
	shapeKey: string;
}

export interface JobsConfig {
	event: 'jobCompleted';
	kind: ExportKind;
	jobs: ExportJobs;
	statuses: Array<'Completed' | 'Failed' | 'Cancelled'>;
	output: 'jobs' | 'records' | 'file';
	outputOptions: OutputOptions;
	includeJobMetadata: boolean;
	start: StartChoice;
	timing: Timing;
	streamKey: string;
}

export type TriggerConfig = DataConfig | JobsConfig;

/** What each data event exports, and the date filter its windows set. */
const DATA_EVENT_SOURCES: Record<
	DataEvent,
	{ kind: ExportKind; rangeKey: DataConfig['rangeKey'] }
> = {
	newLeads: { kind: 'leads', rangeKey: 'createdAt' },
	updatedLeads: { kind: 'leads', rangeKey: 'updatedAt' },
	newActivities: { kind: 'activities', rangeKey: 'createdAt' },
	programMemberChanges: { kind: 'programMembers', rangeKey: 'updatedAt' },
	customObjectChanges: { kind: 'customObjects', rangeKey: 'updatedAt' },
};

export const DATA_EVENTS = Object.keys(DATA_EVENT_SOURCES) as DataEvent[];

const DEFAULTS = { lagSeconds: 300, overlapSeconds: 60, minStatusIntervalSeconds: 60 };

/** What every event reads alike: where it starts, its timing and its output options. */
interface CommonConfig {
	start: StartChoice;
	timing: Timing;
	outputOptions: OutputOptions;
	includeJobMetadata: boolean;
}

export function readTriggerConfig(ctx: IPollFunctions): TriggerConfig {
	const event = String(ctx.getNodeParameter('event', 'newLeads')) as TriggerEvent;
	const options = (ctx.getNodeParameter('options', {}) ?? {}) as IDataObject;
	const common: CommonConfig = {
		timing: timingOf(options),
		start: startChoice(ctx),
		// Records output here; each event sets the output it has.
		outputOptions: outputOptionsOf(options, 'records'),
		includeJobMetadata: options.includeJobMetadata === true,
	};
	if (event === 'jobCompleted') return jobsConfig(ctx, common);
	if (!DATA_EVENTS.includes(event)) {
		throw new NodeOperationError(ctx.getNode(), `Unknown event "${event}".`);
	}
	return dataConfig(ctx, event, common);
}

/**
 * readTriggerConfig, and for Custom Object Changes without Fields, the object's fields from its describe
 * (the node's Custom Object Export exports them all alike): the identity columns are added to those, and
 * column renames are checked against them.
 */
export async function loadTriggerConfig(ctx: IPollFunctions): Promise<TriggerConfig> {
	const config = readTriggerConfig(ctx);
	if (config.event !== 'customObjectChanges' || config.userSpec.fields.length > 0) return config;
	let userSpec: ExportSpec;
	try {
		userSpec = await withExportAdvice(ctx, config.userSpec, () =>
			withCustomObjectFields(ctx, config.userSpec),
		);
	} catch (error) {
		throw toNodeError(ctx.getNode(), error);
	}
	const { start, timing, outputOptions, includeJobMetadata } = config;
	return dataConfigOf(config.event, userSpec, config.output, {
		start,
		timing,
		outputOptions,
		includeJobMetadata,
	});
}

function timingOf(options: IDataObject): Timing {
	return {
		lagSeconds: nonNegative(options.safetyLagSeconds, DEFAULTS.lagSeconds),
		overlapSeconds: nonNegative(options.overlapSeconds, DEFAULTS.overlapSeconds),
		minStatusIntervalMs:
			nonNegative(options.minStatusIntervalSeconds, DEFAULTS.minStatusIntervalSeconds) * 1000,
	};
}

function jobsConfig(ctx: IPollFunctions, common: CommonConfig): JobsConfig {
	const event = 'jobCompleted';
	const exportType = String(ctx.getNodeParameter('exportType', 'leads'));
	const kind: ExportKind =
		exportType === 'activities' || exportType === 'programMembers' ? exportType : 'leads';
	const chosen = ctx.getNodeParameter('jobStatuses', ['Completed']) as unknown;
	const statuses = (Array.isArray(chosen) ? chosen : [chosen])
		.map(String)
		.filter(
			(s): s is JobsConfig['statuses'][number] =>
				s === 'Completed' || s === 'Failed' || s === 'Cancelled',
		);
	if (statuses.length === 0) {
		throw new NodeOperationError(
			ctx.getNode(),
			'Choose at least one job status to watch (Statuses).',
		);
	}
	const output = String(ctx.getNodeParameter('jobOutput', 'jobs')) as JobsConfig['output'];
	const { start } = common;
	return {
		...common,
		event,
		kind,
		jobs: exportJobsOf(kind),
		statuses: [...new Set(statuses)].sort(),
		output,
		outputOptions: { ...common.outputOptions, output: output === 'file' ? 'file' : 'records' },
		streamKey: fingerprint({ event, kind, statuses: [...new Set(statuses)].sort(), start }),
	};
}

function dataConfig(ctx: IPollFunctions, event: DataEvent, common: CommonConfig): DataConfig {
	const { kind, rangeKey } = DATA_EVENT_SOURCES[event];
	const userSpec = userSpecOf(ctx, kind, rangeKey);
	const output = String(ctx.getNodeParameter('output', 'records')) === 'file' ? 'file' : 'records';
	return dataConfigOf(event, userSpec, output, common);
}

/** The data event's config from its export as the user defined it (fields known). */
function dataConfigOf(
	event: DataEvent,
	userSpec: ExportSpec,
	output: DataConfig['output'],
	common: CommonConfig,
): DataConfig {
	const { kind, rangeKey } = DATA_EVENT_SOURCES[event];
	const { spec, identity } = withIdentity(userSpec, rangeKey, output);
	const filter = { ...userSpec.filter };
	// A custom object's records are another stream than another object's (undefined for other kinds,
	// which JSON leaves out: their stream keys stay as they were).
	const customObject = userSpec.customObject;
	const { start } = common;
	return {
		...common,
		event,
		kind,
		jobs: exportJobsOf(kind, customObject),
		rangeKey,
		spec,
		userSpec,
		identity,
		output,
		outputOptions: { ...common.outputOptions, output },
		streamKey: fingerprint({ event, kind, customObject, filter, start }),
		shapeKey: fingerprint({
			fields: spec.fields,
			format: spec.format,
			headers: spec.columnHeaderNames ?? {},
			output,
		}),
	};
}

/**
 * The export as the user defined it, validated as the node's Export validates it, without the date range:
 * the trigger sets each window itself.
 */
function userSpecOf(
	ctx: IPollFunctions,
	kind: ExportKind,
	rangeKey: DataConfig['rangeKey'],
): ExportSpec {
	const read = (name: string) => ctx.getNodeParameter(name, '') as unknown;
	const parameters: ExportParameters = {
		fields: read('fields'),
		format: read('format') || 'CSV',
		columnHeaderNames: read('columnHeaderNames'),
		filterType: rangeKey,
	};
	if (kind === 'activities') {
		parameters.activityTypeIds = read('activityTypeIds');
		parameters.primaryAttributeFilter = read('primaryAttributeFilter') || 'none';
		parameters.primaryAttributeValueIds = read('primaryAttributeValueIds');
		parameters.primaryAttributeValues = read('primaryAttributeValues');
	}
	if (kind === 'programMembers') {
		// The programs and status names as the node's Program Member Export reads them; the Updated At
		// filter is what the event watches, so it is always on (each window sets its dates).
		parameters.programs = read('programs');
		parameters.statusNames = read('statusNames');
		parameters.updatedAtFilter = true;
	}
	if (kind === 'customObjects') {
		// The object as the node's Custom Object Export reads it; its one filter is Updated At, each
		// window's.
		parameters.customObject = read('customObject');
	}
	try {
		return exportFilterSpec(kind, parameters).spec;
	} catch (error) {
		throw toNodeError(ctx.getNode(), error);
	}
}

/**
 * What each job exports, and how a record is recognised again. Records output de-duplicates the overlap
 * by id and prunes its memory by record time, so both columns are exported even when not chosen, and
 * removed again from the emitted records.
 */
function withIdentity(
	userSpec: ExportSpec,
	rangeKey: DataConfig['rangeKey'],
	output: DataConfig['output'],
): { spec: ExportSpec; identity: RecordIdentity } {
	const keyFields = {
		leads: ['id'],
		activities: ['marketoGUID'],
		programMembers: ['leadId'],
		customObjects: ['marketoGUID'],
	}[userSpec.kind];
	const stampField = userSpec.kind === 'activities' ? 'activityDate' : rangeKey;
	const spec: ExportSpec = {
		...userSpec,
		fields: [...userSpec.fields],
		filter: { ...userSpec.filter },
	};
	const strip: string[] = [];
	if (output === 'records') {
		for (const field of [...keyFields, stampField]) {
			if (!spec.fields.includes(field)) {
				spec.fields.push(field);
				strip.push(field);
			}
		}
	}
	const header = (field: string) => spec.columnHeaderNames?.[field] ?? field;
	// Several programs: a lead may be a member of more than one, told apart by the programId column
	// Marketo puts first in such a file (not among `fields`, so never renamed).
	const keyHeaders = keyFields.map(header);
	if (spec.filter.programIds !== undefined) keyHeaders.unshift('programId');
	const identity: RecordIdentity = {
		keyHeaders,
		stampHeader: header(stampField),
		keyIncludesStamp: rangeKey === 'updatedAt',
		strip: strip.map(header),
	};
	return { spec, identity };
}

function startChoice(ctx: IPollFunctions): StartChoice {
	const from = String(ctx.getNodeParameter('startFrom', 'now')) === 'date' ? 'date' : 'now';
	if (from === 'now') return { from };
	const value = ctx.getNodeParameter('startDate', '') as unknown;
	const date = toDate(value, ctx.getTimezone());
	if (!date) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Start Date ("${String(value ?? '')}") is not a date. Use a date like 2026-01-31 or 2026-01-31T12:00:00Z.`,
		);
	}
	return { from, dateSeconds: Math.floor(date.getTime() / 1000) };
}

function nonNegative(value: unknown, fallback: number): number {
	if (value === undefined || value === null || value === '') return fallback;
	const n = Number(value);
	return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function fingerprint(value: unknown): string {
	return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
