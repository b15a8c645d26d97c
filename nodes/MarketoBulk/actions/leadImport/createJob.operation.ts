import type { IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import type { PreparedImport } from '../../helpers/importFile';
import { ImportRunError, runImport } from '../../jobs/importJob';
import { failedItem } from '../failures';
import { runFailureItem, type SummaryContext } from './output';
import {
	asNodeError,
	importParametersOf,
	prepareFromBinary,
	prepareFromItems,
	runSettingsOf,
	type ImportParameters,
} from './parameters';

/**
 * Create Import Job: check and upload, without waiting for Marketo to import. One item per batch (a file of
 * 10 MB or more becomes several), with its batchId for Get Import Status, Get Failures and Get Warnings.
 * "1016 Too many imports" still waits (Poll Interval) until the timeout.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	const source = this.getNodeParameter('source', 0, 'items') as string;

	if (source === 'binary') {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const parameters = importParametersOf(this, itemIndex);
				const prepared = await prepareFromBinary(this, itemIndex, parameters).catch((error) => {
					throw asNodeError(this, error, itemIndex);
				});
				out.push(...(await uploadOne(this, prepared, parameters, itemIndex, { item: itemIndex })));
			} catch (error) {
				out.push(failedItem(this, error, itemIndex));
			}
		}
		return [out];
	}

	const all: IPairedItemData[] = items.map((_, item) => ({ item }));
	try {
		const parameters = importParametersOf(this, 0);
		const prepared = await prepareFromItems(this, items, parameters).catch((error) => {
			throw asNodeError(this, error, 0);
		});
		out.push(...(await uploadOne(this, prepared, parameters, 0, all)));
	} catch (error) {
		out.push({ ...failedItem(this, error, 0), pairedItem: all });
	}
	return [out];
}

async function uploadOne(
	ctx: IExecuteFunctions,
	prepared: PreparedImport & { ignoredFields?: string[] },
	parameters: ImportParameters,
	itemIndex: number,
	pairedItem: IPairedItemData | IPairedItemData[],
): Promise<INodeExecutionData[]> {
	const settings = runSettingsOf(parameters, prepared, false);
	const context: SummaryContext = {
		source: prepared.source,
		settings,
		ignoredFields: prepared.ignoredFields,
	};
	const outcome = await runImport(ctx, prepared.source, prepared.batches, settings).then(
		(report) => ({ report }),
		(error: unknown) => ({ error }),
	);
	if ('error' in outcome) {
		// A run that got some batches into Marketo: the report must reach the user either way.
		if (outcome.error instanceof ImportRunError)
			return [runFailureItem(ctx, outcome.error, context, itemIndex, pairedItem)];
		throw outcome.error;
	}
	const report = outcome.report;
	const total = report.batches.length;
	const isItems = prepared.source.kind === 'items';
	return report.batches.map((b) => ({
		json: {
			batchId: b.batchId,
			importId: b.importId,
			status: b.status,
			batch: b.batch,
			batchCount: total,
			...(isItems
				? { firstInputItem: b.firstRow - 1, lastInputItem: b.lastRow - 1 }
				: { firstRow: b.firstRow, lastRow: b.lastRow }),
			rows: b.rows,
			format: prepared.source.format,
			lookupField: parameters.lookupField,
			...(parameters.listId ? { listId: parameters.listId } : {}),
			...(isItems ? {} : { fileName: prepared.source.fileName }),
			...(prepared.ignoredFields?.length ? { ignoredFields: prepared.ignoredFields } : {}),
		},
		pairedItem:
			isItems && Array.isArray(pairedItem)
				? pairedItem.slice(b.firstRow - 1, b.lastRow)
				: pairedItem,
	}));
}
