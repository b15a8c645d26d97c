import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { decodeIssueFile, type IssueKind } from '../../import/issues';
import { openImportIssueFile, type ImportKind } from '../../import/job';
import { issueRowJson } from './output';
import { apiNameOf } from './parameters';

/**
 * Get Failures / Get Warnings: Marketo's file of the batch's failed (or warned) rows, decoded into one item
 * per row: `{type, reason, batchId, fields}`, `fields` holding the row as Marketo wrote it back. The file
 * is streamed (a lost connection reads it again, see `openImportIssueFile`) and its rows returned once it
 * was read to its end, so a file that cannot be read outputs none of them. The format (CSV, TSV, SSV) is
 * read from its header line. A custom object batch without such rows answers HTTP 404: no items.
 */
export async function issuesOfBatch(
	ctx: IExecuteFunctions,
	importKind: ImportKind,
	kind: IssueKind,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const batchId = String(ctx.getNodeParameter('batchId', itemIndex, '')).trim();
	if (!/^\d+$/.test(batchId)) {
		throw new NodeOperationError(ctx.getNode(), `"${batchId}" is not a batch ID`, {
			itemIndex,
			description: 'A batch ID is the number Import or Create Import Job returned as batchId.',
		});
	}
	const file = await openImportIssueFile(
		ctx,
		{
			kind: importKind,
			...(importKind === 'customObjects' ? { apiName: apiNameOf(ctx, itemIndex) } : {}),
		},
		batchId,
		kind === 'failure' ? 'failures' : 'warnings',
	);
	const items: INodeExecutionData[] = [];
	for await (const rows of decodeIssueFile(file, kind, batchId)) {
		for (const row of rows) items.push({ json: issueRowJson(row) });
	}
	return items;
}
