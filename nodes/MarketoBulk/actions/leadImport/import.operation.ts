import { appendAll } from '../../helpers/output';
import type { IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import type { IssueKind, PairedIssue } from '../../helpers/importRows';
import { ImportRunError, runImport } from '../../jobs/importJob';
import { failedItem } from '../failures';
import { issueItems, runFailureItem, summaryOf, type SummaryContext } from './output';
import {
	asNodeError,
	importParametersOf,
	prepareFromBinary,
	prepareFromItems,
	runSettingsOf,
	type ImportParameters,
} from './parameters';
import type { PreparedImport } from '../../helpers/importFile';

/**
 * Import: build the file from the input items (one import for all of them) or take each item's binary
 * file (one import per item), check it, upload it batch by batch, wait until Marketo has imported every
 * batch, and output the summary — plus, when asked, the failed and warned rows paired with their source.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	const source = this.getNodeParameter('source', 0, 'items') as string;

	if (source === 'binary') {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const paired = { item: itemIndex };
			try {
				const parameters = importParametersOf(this, itemIndex);
				const prepared = await prepareFromBinary(this, itemIndex, parameters).catch((error) => {
					throw asNodeError(this, error, itemIndex);
				});
				appendAll(
					out,
					await importOne(this, prepared, parameters, itemIndex, paired, () => paired),
				);
			} catch (error) {
				out.push(failedItem(this, error, itemIndex));
			}
		}
		return [out];
	}

	// Input Items: all items make one import; the summary is paired with all of them, each row with its item.
	const all: IPairedItemData[] = items.map((_, item) => ({ item }));
	try {
		const parameters = importParametersOf(this, 0);
		const prepared = await prepareFromItems(this, items, parameters).catch((error) => {
			throw asNodeError(this, error, 0);
		});
		const batchItems = (batch: number) => {
			const plan = prepared.batches[batch - 1];
			return all.slice(plan.firstRow - 1, plan.lastRow);
		};
		out.push(
			...(await importOne(this, prepared, parameters, 0, all, (issue) =>
				issue.source?.item !== undefined ? { item: issue.source.item } : batchItems(issue.batch),
			)),
		);
	} catch (error) {
		out.push({ ...failedItem(this, error, 0), pairedItem: all });
	}
	return [out];
}

async function importOne(
	ctx: IExecuteFunctions,
	prepared: PreparedImport & { ignoredFields?: string[] },
	parameters: ImportParameters,
	itemIndex: number,
	pairedItem: IPairedItemData | IPairedItemData[],
	pairedOf: (issue: PairedIssue) => IPairedItemData | IPairedItemData[],
): Promise<INodeExecutionData[]> {
	const settings = runSettingsOf(parameters, prepared, true);
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
	const out: INodeExecutionData[] = [{ json: summaryOf(report, context), pairedItem }];
	const kinds: IssueKind[] =
		parameters.output === 'failedAndWarnings'
			? ['failure', 'warning']
			: parameters.output === 'failed'
				? ['failure']
				: [];
	if (kinds.length) {
		// The import is done whatever happens here: a failure to fetch the rows must not hide the summary
		// (a user who then re-ran the node would import everything twice).
		const issues = await issueItems(
			ctx,
			report,
			prepared.source,
			parameters.lookupField,
			kinds,
			pairedOf,
		).then(
			(items) => ({ items, error: undefined }),
			(error: Error) => ({ items: [], error }),
		);
		if (issues.error) {
			out[0].json.issuesError = `The import completed, but its failed/warned rows could not be fetched: ${issues.error.message}. Use Get Failures / Get Warnings with the batchIds above.`;
		}
		appendAll(out, issues.items);
	}
	return out;
}
