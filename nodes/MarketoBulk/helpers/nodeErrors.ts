import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { CsvError } from '../codec/errors';
import { PackageError } from './errors';

/** The message a user sees for an error that is not an n8n error yet. */
export function userMessage(error: unknown): string {
	if (error instanceof PackageError)
		return error.consequence ? `${error.message}. ${error.consequence}` : error.message;
	return (error as { message?: string } | undefined)?.message ?? String(error);
}

/**
 * The error boundary: any error becomes an n8n error, naming the input item when there is one. n8n's
 * errors (Marketo's, the transport's, ours built with a description) pass unchanged; a package error keeps
 * its message, description and code; anything else is wrapped.
 */
export function toNodeError(
	node: INode,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (itemIndex !== undefined) error.context.itemIndex ??= itemIndex;
		return error;
	}
	if (error instanceof PackageError || error instanceof CsvError) {
		const nodeError = new NodeOperationError(node, error, {
			itemIndex,
			message: userMessage(error),
			description: error instanceof PackageError ? error.description : undefined,
		});
		// n8n swaps a message naming ECONNRESET & co. for its generic text; the package's own says more.
		nodeError.message = userMessage(error);
		nodeError.context.code = error.code;
		return nodeError;
	}
	return new NodeOperationError(node, error instanceof Error ? error : String(error), {
		itemIndex,
	});
}
