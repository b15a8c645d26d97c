import { appendAll } from '../../helpers/arrays';
import type { IDataObject, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import type { ImportSource } from '../../import/batches';
import {
	decodeIssueFile,
	pairIssues,
	type IssueKind,
	type IssueRow,
	type PairedIssue,
} from '../../import/issues';
import {
	importFormatParameter,
	lookupFieldOf,
	openImportIssueFile,
	type ImportReport,
	type ImportTarget,
	type RunSettings,
} from '../../import/job';
import type { MarketoContext } from '../../transport';

/**
 * What Import outputs, all on the node's one output: first one summary item (`type: 'summary'`), then, when
 * asked for, one item per failed row (`type: 'failedRow'`) and per row with a warning (`type:
 * 'warningRow'`), each paired with the input item that produced the row. A Switch on `{{$json.type}}`
 * routes them (e.g. failed rows to Slack).
 */

export interface SummaryContext {
	source: ImportSource;
	settings: RunSettings;
	ignoredFields?: string[];
	binaryProperty?: string;
}

export function summaryOf(
	report: ImportReport,
	context: SummaryContext,
	status?: string,
): IDataObject {
	const sum = (
		key:
			| 'numOfLeadsProcessed'
			| 'numOfObjectsProcessed'
			| 'numOfRowsFailed'
			| 'numOfRowsWithWarning',
	) =>
		report.batches.reduce(
			(total, b) => total + (typeof b[key] === 'number' ? (b[key] as number) : 0),
			0,
		);
	const messages = [
		...new Set(report.batches.map((b) => b.message).filter((m): m is string => !!m)),
	];
	const { source, settings } = context;
	return {
		type: 'summary',
		status: status ?? overallStatus(report),
		source: source.kind === 'items' ? 'inputItems' : 'binaryFile',
		...(source.kind === 'binary' ? { fileName: source.fileName } : {}),
		format: importFormatParameter(source.format),
		...targetJson(settings.target),
		rows: report.rowCount,
		rowsSent: report.rowsSent,
		...(settings.target.kind === 'customObjects'
			? { objectsProcessed: sum('numOfObjectsProcessed') }
			: { leadsProcessed: sum('numOfLeadsProcessed') }),
		rowsFailed: sum('numOfRowsFailed'),
		rowsWithWarning: sum('numOfRowsWithWarning'),
		messages,
		batchCount: report.batches.length,
		batches: report.batches.map((b) => ({ ...b })),
		...(context.ignoredFields?.length ? { ignoredFields: context.ignoredFields } : {}),
	};
}

/**
 * Where the rows went: the lead import's lookup field, list and partition, the program and status, or the
 * custom object and its dedupe fields.
 */
export function targetJson(target: ImportTarget): IDataObject {
	if (target.kind === 'customObjects') {
		return { customObject: target.apiName, dedupeFields: target.dedupeFields };
	}
	if (target.kind === 'programMembers') {
		return { programId: target.programId, programMemberStatus: target.programMemberStatus };
	}
	return {
		lookupField: lookupFieldOf(target),
		...(target.listId ? { listId: target.listId } : {}),
		...(target.partitionName ? { partitionName: target.partitionName } : {}),
	};
}

function overallStatus(report: ImportReport): string {
	const statuses = new Set(report.batches.map((b) => b.status));
	if (statuses.size === 1) return [...statuses][0];
	if (statuses.has('Failed')) return 'Failed';
	if (statuses.has('UploadUnknown')) return 'UploadUnknown';
	if (statuses.has('UploadFailed')) return 'UploadFailed';
	if (statuses.has('Importing') || statuses.has('Queued')) return 'Importing';
	return 'Incomplete';
}

/** Downloads the failures (and warnings) of the batches that have some, and pairs each row with its source. */
export async function issueItems(
	ctx: MarketoContext,
	report: ImportReport,
	source: ImportSource,
	target: ImportTarget,
	kinds: IssueKind[],
	pairedOf: (issue: PairedIssue) => IPairedItemData | IPairedItemData[],
): Promise<INodeExecutionData[]> {
	const batches: Array<{
		plan: (typeof report.batches)[number] & { index: number };
		issues: IssueRow[];
	}> = [];
	for (const entry of report.batches) {
		if (entry.batchId === undefined) continue;
		const issues: IssueRow[] = [];
		for (const kind of kinds) {
			const count = kind === 'failure' ? entry.numOfRowsFailed : entry.numOfRowsWithWarning;
			if (!count) continue;
			const file = await openImportIssueFile(
				ctx,
				target,
				entry.batchId,
				kind === 'failure' ? 'failures' : 'warnings',
				true, // the batch's status counted such rows
			);
			for await (const rows of decodeIssueFile(file, kind, String(entry.batchId), source.format))
				appendAll(issues, rows);
		}
		if (issues.length) batches.push({ plan: { ...entry, index: entry.batch }, issues });
	}
	const paired = await pairIssues(source, batches, lookupFieldOf(target));
	const order = (p: PairedIssue) => (p.kind === 'failure' ? 0 : 1);
	paired.sort(
		(a, b) => order(a) - order(b) || (a.source?.row ?? Infinity) - (b.source?.row ?? Infinity),
	);
	return paired.map((issue) => ({
		json: issueJson(issue, source.kind),
		pairedItem: pairedOf(issue),
	}));
}

export function issueJson(issue: PairedIssue, kind: ImportSource['kind']): IDataObject {
	const where: IDataObject = {};
	if (issue.source) {
		if (kind === 'items') where.inputItem = issue.source.item;
		else {
			where.row = issue.source.row;
			where.line = issue.source.line;
		}
	}
	const identical = issue.identicalRows?.map((ref) => (kind === 'items' ? ref.item : ref.row));
	return {
		type: issue.kind === 'failure' ? 'failedRow' : 'warningRow',
		reason: issue.reason,
		batchId: Number(issue.batchId),
		...where,
		match: issue.match,
		...(identical ? { identicalRows: identical } : {}),
		fields: issue.fields,
	};
}

export function issueRowJson(issue: IssueRow): IDataObject {
	return {
		type: issue.kind === 'failure' ? 'failedRow' : 'warningRow',
		reason: issue.reason,
		batchId: Number(issue.batchId),
		fields: issue.fields,
	};
}
