import type { IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import type { PreparedImport } from '../../import/batches';
import { appendAll } from '../../helpers/arrays';
import { ImportRunError, runImport, type ImportReport } from '../../import/job';
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

/** One import that went through: all input items together, or one item's binary file. */
export interface FinishedImport {
	prepared: PreparedImport & { ignoredFields?: string[] };
	parameters: ImportParameters;
	report: ImportReport;
	context: SummaryContext;
	/** The input item(s) the import as a whole pairs with. */
	pairedItem: IPairedItemData | IPairedItemData[];
	/** The input item(s) behind batch n (1-based). */
	batchItems(batch: number): IPairedItemData | IPairedItemData[];
}

/**
 * The loop Import and Create Import Job share: Input Items make one import of all items (read with item
 * 0's parameters); Binary File makes one import per item. Each import is prepared (checked before anything
 * is sent), run, and handed to `outputOf`. A run that stopped once Marketo held some of its batches still
 * outputs its report; other failures follow Continue On Fail per item.
 */
export async function executeImports(
	ctx: IExecuteFunctions,
	waitForCompletion: boolean,
	outputOf: (done: FinishedImport) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];

	const runOne = async (
		itemIndex: number,
		prepare: (parameters: ImportParameters) => Promise<FinishedImport['prepared']>,
		pairedItem: IPairedItemData | IPairedItemData[],
	): Promise<INodeExecutionData[]> => {
		const parameters = importParametersOf(ctx, itemIndex);
		const prepared = await prepare(parameters).catch((error) => {
			throw asNodeError(ctx, error, itemIndex);
		});
		const settings = runSettingsOf(parameters, prepared, waitForCompletion);
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
		const batchItems = (batch: number) => {
			if (!Array.isArray(pairedItem)) return pairedItem;
			const plan = prepared.batches[batch - 1];
			return pairedItem.slice(plan.firstRow - 1, plan.lastRow);
		};
		return await outputOf({
			prepared,
			parameters,
			report: outcome.report,
			context,
			pairedItem,
			batchItems,
		});
	};

	const source = ctx.getNodeParameter('source', 0, 'items') as string;
	if (source === 'binary') {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const prepare = async (parameters: ImportParameters) =>
					await prepareFromBinary(ctx, itemIndex, parameters);
				appendAll(out, await runOne(itemIndex, prepare, { item: itemIndex }));
			} catch (error) {
				out.push(failedItem(ctx, error, itemIndex));
			}
		}
		return [out];
	}

	// Row n of the import is input item n - 1, so a batch pairs with the slice of items it carries.
	const all: IPairedItemData[] = items.map((_, item) => ({ item }));
	try {
		const prepare = async (parameters: ImportParameters) =>
			await prepareFromItems(ctx, items, parameters);
		appendAll(out, await runOne(0, prepare, all));
	} catch (error) {
		out.push({ ...failedItem(ctx, error, 0), pairedItem: all });
	}
	return [out];
}
