import type { FieldType, ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';

import {
	describeLeadFields,
	describeProgramMemberImportFields,
	type LeadField,
} from '../export/fieldKinds';
import { describeImportTarget } from '../import/customObjects';
import { importableFields } from '../metadata/customObjects';

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
	fields: Array<Pick<LeadField, 'name' | 'displayName' | 'dataType'>>,
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
 * to update). The Lookup Field is required: Marketo refuses every row without it.
 */
export async function getLeadImportFields(
	this: ILoadOptionsFunctions,
): Promise<ResourceMapperFields> {
	const lookupField = String(this.getNodeParameter('lookupField', 'email'));
	const lookupName =
		lookupField === 'other'
			? String(this.getNodeParameter('lookupFieldName', '')).trim()
			: lookupField;
	const fields = (await describeLeadFields(this)).filter(
		(field) => !field.readOnly || (field.name === 'id' && lookupField === 'id'),
	);
	return mapperFields(
		fields,
		'Marketo returned no lead fields. Check that the API user may read lead fields.',
		lookupName ? [lookupName] : [],
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

/**
 * Custom Object Import > Fields to Import: the fields of the chosen object an import can write
 * (`updateable` in its describe, and its dedupe and link fields), the link to the lead among them. The dedupe fields are required and
 * matched by default: Marketo finds the record to create or update by them.
 */
export async function getCustomObjectImportFields(
	this: ILoadOptionsFunctions,
): Promise<ResourceMapperFields> {
	const picked = this.getNodeParameter('customObject', '') as unknown;
	const raw = picked && typeof picked === 'object' ? (picked as { value?: unknown }).value : picked;
	const apiName = String(raw ?? '').trim();
	const noFields =
		'Marketo returned no fields an import can write for this custom object. Check the custom object, and that the API user may read custom objects.';
	if (!apiName) return { fields: [], emptyFieldsNotice: 'Choose the Custom Object first.' };
	const writable = importableFields(await describeImportTarget(this, apiName));
	const dedupeFields = writable.filter((field) => field.dedupe).map((field) => field.name);
	const mapped = mapperFields(writable, noFields, dedupeFields);
	const byName = new Map(writable.map((field) => [field.name, field]));
	for (const field of mapped.fields) {
		const described = byName.get(field.id)!;
		field.defaultMatch = described.dedupe;
		if (described.dedupe) field.displayName = `${field.displayName} (dedupe field)`;
		else if (described.link) field.displayName = `${field.displayName} (link to lead)`;
	}
	return mapped;
}
