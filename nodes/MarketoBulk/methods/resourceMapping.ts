import type { FieldType, ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';

import {
	describeLeadFields,
	describeProgramMemberImportFields,
	type LeadField,
} from '../export/fieldKinds';

const FIELD_TYPES: Record<string, FieldType> = {
	integer: 'number',
	float: 'number',
	currency: 'number',
	percent: 'number',
	score: 'number',
	boolean: 'boolean',
};

/**
 * Fields to Import of an import resource, by REST API name, email matched by default; `required` are the
 * fields every row must carry (the mapper shows them and flags them empty). Dates stay text: Marketo wants
 * `YYYY-MM-DD` for date fields, which a dateTime conversion would not keep.
 */
function mapperFields(
	fields: LeadField[],
	noFieldsNotice: string,
	required: string[] = [],
): ResourceMapperFields {
	return {
		fields: fields
			.map((field) => ({
				id: field.name,
				displayName:
					field.displayName === field.name ? field.name : `${field.displayName} (${field.name})`,
				required: required.includes(field.name),
				defaultMatch: field.name === 'email',
				canBeUsedToMatch: false,
				display: true,
				type: FIELD_TYPES[field.dataType] ?? ('string' as FieldType),
			}))
			.sort((a, b) => a.displayName.localeCompare(b.displayName)),
		// n8n shows this notice whenever it is set, so only when there really are no fields.
		...(fields.length === 0 ? { emptyFieldsNotice: noFieldsNotice } : {}),
	};
}

/**
 * Lead Import > Fields to Import: Marketo's lead fields (describe), without the ones Marketo marks
 * read-only (an import cannot write them), except Id when it is the Lookup Field (it then names the lead
 * to update).
 */
export async function getLeadImportFields(
	this: ILoadOptionsFunctions,
): Promise<ResourceMapperFields> {
	const lookupField = String(this.getNodeParameter('lookupField', 'email'));
	const fields = (await describeLeadFields(this)).filter(
		(field) => !field.readOnly || (field.name === 'id' && lookupField === 'id'),
	);
	return mapperFields(
		fields,
		'Marketo returned no lead fields. Check that the API user may read lead fields.',
	);
}

/**
 * Program Member Import > Fields to Import: the program member fields an import writes (the custom ones)
 * and the writable lead fields; email, which Marketo matches members by, is required: every row must
 * carry it (Marketo's dedupe key for a program member import).
 */
export async function getProgramMemberImportFields(
	this: ILoadOptionsFunctions,
): Promise<ResourceMapperFields> {
	const fields = (await describeProgramMemberImportFields(this)).filter((field) => !field.readOnly);
	return mapperFields(
		fields,
		'Marketo returned no lead or program member fields. Check that the API user may read lead fields.',
		['email'],
	);
}
