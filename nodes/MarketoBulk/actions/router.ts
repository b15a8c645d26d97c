import type { IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import * as createJob from './export/createJob.operation';
import * as downloadFile from './export/downloadFile.operation';
import * as exportOperation from './export/export.operation';
import * as getQuotaUsage from './export/getQuotaUsage.operation';
import * as listJobs from './export/listJobs.operation';
import { failedItem } from './failures';
import * as importCreateJob from './import/createJob.operation';
import * as importGetFailures from './import/getFailures.operation';
import * as importGetWarnings from './import/getWarnings.operation';
import * as importOperation from './import/import.operation';
import type { Emit, Operation } from './operation';
import type { ExportKind } from '../export/request';
import type { ImportKind } from '../import/job';
import { toNodeError } from '../helpers/nodeErrors';
import { ExecutionCancelledError } from '../transport';

type CustomOperation = (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;

/**
 * The one per-item loop: each input item runs the operation (or, for an operation that `runsOnce`, all
 * of them together); its output items are paired with it, and a failure becomes an item with the error
 * (Continue On Fail) or stops the execution, naming the item. Items emitted before a failure are kept.
 * A cancelled execution stops, Continue On Fail or not.
 */
async function runOperation(
	ctx: IExecuteFunctions,
	operation: Operation,
): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[] = [];
	const count = ctx.getInputData().length;
	const once = operation.runsOnce?.(ctx) === true;
	const every: IPairedItemData[] = Array.from({ length: count }, (_, item) => ({ item }));
	for (let itemIndex = 0; itemIndex < (once ? 1 : count); itemIndex++) {
		const pairedItem = once ? every : { item: itemIndex };
		const emit: Emit = (items) => {
			for (const item of items) {
				item.pairedItem ??= pairedItem;
				out.push(item);
			}
		};
		try {
			const items = await operation.run.call(ctx, itemIndex, emit);
			if (items) emit(items);
		} catch (error) {
			if (!ctx.continueOnFail() || error instanceof ExecutionCancelledError)
				throw toNodeError(ctx.getNode(), error, itemIndex);
			out.push(failedItem(error, pairedItem));
		}
	}
	return [out];
}

function custom(operation: Operation): CustomOperation {
	return async function (this: IExecuteFunctions) {
		return await runOperation(this, operation);
	};
}

/**
 * The operations that are more than one request run as n8n `customOperations` (List Jobs too: it pages);
 * the single-request steps (enqueue, status, cancel, import status) are declarative routing, each
 * in its own operation file (`option`). Lead and activity exports share their operations; only the kind differs.
 */
function forKind(kind: ExportKind): Record<string, CustomOperation> {
	const ofKind = (
		run: (
			this: IExecuteFunctions,
			kind: ExportKind,
			itemIndex: number,
			emit: Emit,
		) => Promise<INodeExecutionData[] | void>,
	) =>
		custom({
			run: async function (this: IExecuteFunctions, itemIndex, emit) {
				return await run.call(this, kind, itemIndex, emit);
			},
		});
	return {
		export: ofKind(exportOperation.run),
		createJob: ofKind(createJob.run),
		downloadFile: ofKind(downloadFile.run),
		listJobs: ofKind(listJobs.run),
		getQuotaUsage: custom(getQuotaUsage),
	};
}

/** An import resource's operations, bound to its kind; Import and Create Import Job may take all items at once. */
function forImportKind(kind: ImportKind): Record<string, CustomOperation> {
	const ofKind = (
		run: (
			this: IExecuteFunctions,
			kind: ImportKind,
			itemIndex: number,
			emit: Emit,
		) => Promise<INodeExecutionData[] | void>,
		runsOnce?: Operation['runsOnce'],
	) =>
		custom({
			runsOnce,
			run: async function (this: IExecuteFunctions, itemIndex, emit) {
				return await run.call(this, kind, itemIndex, emit);
			},
		});
	return {
		import: ofKind(importOperation.run, importOperation.runsOnce),
		createJob: ofKind(importCreateJob.run, importCreateJob.runsOnce),
		getFailures: ofKind(importGetFailures.run),
		getWarnings: ofKind(importGetWarnings.run),
	};
}

export const customOperations: Record<string, Record<string, CustomOperation>> = {
	leadExport: forKind('leads'),
	activityExport: forKind('activities'),
	programMemberExport: forKind('programMembers'),
	customObjectExport: forKind('customObjects'),
	leadImport: forImportKind('leads'),
	programMemberImport: forImportKind('programMembers'),
	customObjectImport: forImportKind('customObjects'),
};
