import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { IssueKind } from '../../import/issues';
import type { ImportKind } from '../../import/job';
import { appendAll } from '../../helpers/arrays';
import { issueItems, summaryOf } from './output';
import { executeImport, importsAllItems } from './run';

/**
 * Import: build the file from the input items (one import for all of them) or take each item's binary
 * file (one import per item), check it, upload it batch by batch, wait until Marketo has imported every
 * batch, and output the summary — plus, when asked, the failed and warned rows paired with their source.
 */
export const runsOnce = importsAllItems;

export async function run(
	this: IExecuteFunctions,
	kind: ImportKind,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await executeImport(this, kind, itemIndex, true, async (done) => {
		const { prepared, parameters, report, context } = done;
		const out: INodeExecutionData[] = [
			{ json: summaryOf(report, context), pairedItem: done.pairedItem },
		];
		const kinds: IssueKind[] =
			parameters.output === 'failedAndWarnings'
				? ['failure', 'warning']
				: parameters.output === 'failed'
					? ['failure']
					: [];
		if (!kinds.length) return out;
		// The import is done whatever happens here: a failure to fetch the rows must not hide the summary
		// (a user who then re-ran the node would import everything twice).
		const issues = await issueItems(
			this,
			report,
			prepared.source,
			done.context.settings.target,
			kinds,
			// A row built from an input item pairs with that item; otherwise with its batch's item(s).
			(issue) =>
				prepared.source.kind === 'items' && issue.source?.item !== undefined
					? { item: issue.source.item }
					: done.batchItems(issue.batch),
		).then(
			(items) => ({ items, error: undefined }),
			(error: Error) => ({ items: [], error }),
		);
		if (issues.error) {
			out[0].json.issuesError = `The import completed, but its failed/warned rows could not be fetched: ${issues.error.message}. Use Get Failures / Get Warnings with the batchIds above.`;
		}
		appendAll(out, issues.items);
		return out;
	});
}
