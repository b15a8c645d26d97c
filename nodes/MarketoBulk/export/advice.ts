import { MarketoApiError } from '../transport/errors';
import type { MarketoContext } from '../transport';
import { customObjectAdvice } from './customObjects';
import { memberAdvice } from './memberErrors';
import type { ExportSpec } from './request';

/**
 * Runs `call` (an export's calls); when Marketo refuses it, the message says what the refusal means for
 * this kind of export: a program member status or Updated At, a custom object or its filter.
 */
export async function withExportAdvice<T>(
	ctx: MarketoContext,
	spec: Pick<ExportSpec, 'kind' | 'filter' | 'range' | 'customObject'>,
	call: () => Promise<T>,
): Promise<T> {
	if (spec.kind !== 'programMembers' && spec.kind !== 'customObjects') return await call();
	return await call().catch(async (error: unknown) => {
		if (error instanceof MarketoApiError) {
			const advice =
				spec.kind === 'programMembers'
					? await memberAdvice(ctx, spec, error)
					: customObjectAdvice(spec, error);
			if (advice) {
				const said = error.marketoMessage.replace(/[.\s]+$/, '');
				error.message = `Marketo error ${error.marketoCode}: ${said}. ${advice}`;
			}
		}
		return await Promise.reject(error);
	});
}
