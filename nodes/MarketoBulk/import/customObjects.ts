import { PackageError } from '../helpers/errors';
import { describeCustomObject, type CustomObjectDescription } from '../metadata/customObjects';
import type { MarketoContext } from '../transport';

/**
 * A custom object import's object, described before anything is sent: it must have dedupe fields, since an
 * import finds the records to create or update by them (every row must carry them).
 */
export async function describeImportTarget(
	ctx: MarketoContext,
	apiName: string,
): Promise<CustomObjectDescription> {
	const described = await describeCustomObject(ctx, apiName);
	if (described.dedupeFields.length === 0) {
		throw new PackageError(
			'UNEXPECTED_ANSWER',
			`Marketo's describe of the custom object "${apiName}" names no dedupe fields`,
			{
				description:
					'An import finds the records to create or update by the dedupe fields. Check that the custom object is approved in Marketo (Admin > Marketo Custom Objects).',
				consequence: 'Nothing was sent to Marketo.',
			},
		);
	}
	return described;
}
