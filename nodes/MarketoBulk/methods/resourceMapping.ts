import type { FieldType, ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';

import { describeLeadFields } from '../export/fieldKinds';

const FIELD_TYPES: Record<string, FieldType> = {
	integer: 'number',
	float: 'number',
	currency: 'number',
	percent: 'number',
	score: 'number',
	boolean: 'boolean',
};

/**
 * Lead Import > Fields to Import: Marketo's lead fields (describe), by REST API name, without the ones
 * Marketo marks read-only (an import cannot write them), except Id when it is the Lookup Field (it then
 * names the lead to update). Dates stay text: Marketo wants `YYYY-MM-DD` for date fields, which a dateTime
 * conversion would not keep.
 */
export async function getLeadImportFields(
	this: ILoadOptionsFunctions,
): Promise<ResourceMapperFields> {
	const lookupField = String(this.getNodeParameter('lookupField', 'email'));
	const fields = (await describeLeadFields(this)).filter(
		(field) => !field.readOnly || (field.name === 'id' && lookupField === 'id'),
	);
	return {
		fields: fields
			.map((field) => ({
				id: field.name,
				displayName:
					field.displayName === field.name ? field.name : `${field.displayName} (${field.name})`,
				required: false,
				defaultMatch: field.name === 'email',
				canBeUsedToMatch: false,
				display: true,
				type: FIELD_TYPES[field.dataType] ?? ('string' as FieldType),
			}))
			.sort((a, b) => a.displayName.localeCompare(b.displayName)),
		// n8n shows this notice whenever it is set, so only when there really are no fields.
		...(fields.length === 0
			? {
					emptyFieldsNotice:
						'Marketo returned no lead fields. Check that the API user may read lead fields.',
				}
			: {}),
	};
}
