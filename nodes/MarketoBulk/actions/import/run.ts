import type { IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import type { PreparedImport } from '../../import/batches';
import { ImportRunError, runImport, type ImportKind, type ImportReport } from '../../import/job';
import { checkMemberStatus } from './memberStatus';
import { withFailureOutput } from '../failures';
import { summaryOf, type SummaryContext } from './output';
import {
	importParametersOf,
	prepareFromBinary,
	prepareFromItems,
	runSettingsOf,
	withCustomObject,
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
 * Input Items make one import of all items (read with item 0's parameters), so Import and Create Import Job
 * then run once per execution; Binary File makes one import per item.
 */
export function importsAllItems(ctx: IExecuteFunctions): boolean {
	return ctx.getNodeParameter('source', 0, 'items') !== 'binary';
}

/**
 * What Import and Create Import Job share, for one import (see `importsAllItems`): prepare it (checked
 * before anything is sent, a program member import's status and a custom object's dedupe fields too), run it, and hand it to `outputOf`. A run that stopped once Marketo held some
 * of its batches fails with its report, which Continue On Fail outputs with the error.
 */
export async function executeImport(
	ctx: IExecuteFunctions,
	kind: ImportKind,
	itemIndex: number,
	waitForCompletion: boolean,
	outputOf: (done: FinishedImport) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const all = importsAllItems(ctx);
	const items = ctx.getInputData();
	// Row n of the import is input item n - 1, so a batch pairs with the slice of items it carries.
	const pairedItem: IPairedItemData | IPairedItemData[] = all
		? items.map((_, item) => ({ item }))
		: { item: itemIndex };
	const parameters = await withCustomObject(ctx, importParametersOf(ctx, kind, itemIndex));
	if (parameters.programId !== undefined)
		await checkMemberStatus(ctx, parameters.programId, parameters.programMemberStatus as string);
	const prepared: FinishedImport['prepared'] = await (all
		? prepareFromItems(ctx, items, parameters)
		: prepareFromBinary(ctx, itemIndex, parameters));
	const settings = runSettingsOf(parameters, prepared, waitForCompletion);
	const context: SummaryContext = {
		source: prepared.source,
		settings,
		ignoredFields: prepared.ignoredFields,
	};
	const report = await runImport(ctx, prepared.source, prepared.batches, settings).catch(
		(error: unknown) => {
			// A run that got some batches into Marketo: the report must reach the user either way.
			if (error instanceof ImportRunError)
				throw withFailureOutput(error, summaryOf(error.report, context));
			throw error;
		},
	);
	const batchItems = (batch: number) => {
		if (!Array.isArray(pairedItem)) return pairedItem;
		const plan = prepared.batches[batch - 1];
		return pairedItem.slice(plan.firstRow - 1, plan.lastRow);
	};
	return await outputOf({ prepared, parameters, report, context, pairedItem, batchItems });
}
