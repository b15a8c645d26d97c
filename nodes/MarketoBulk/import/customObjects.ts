import { marketoRequest, type MarketoContext } from '../transport';
import { PackageError } from '../helpers/errors';

/**
 * What a custom object import needs to know of the object: its dedupe fields (every row must carry
 * them), the fields an import may write, and the fields that link a record to a lead. Read from Marketo's
 * list (`/rest/v1/customobjects.json`: the picker) and describe (`…/{apiName}/describe.json`).
 *
 * Marketo's examples disagree on two names: the swagger calls the object's name `apiName`, every example
 * `name`; one describe example calls a relationship's target `object`, the rest `relatedTo`. Both are read.
 */

export interface CustomObjectSummary {
	name: string;
	displayName: string;
}

export interface CustomObjectField {
	name: string;
	displayName: string;
	dataType: string;
	/** Marketo's `updateable`: only these can be imported. */
	updateable: boolean;
	/** One of the object's dedupe fields. */
	dedupe: boolean;
	/** Holds the value that links the record to its lead (e.g. the lead's ID or email). */
	link: boolean;
}

export interface CustomObjectDescription extends CustomObjectSummary {
	dedupeFields: string[];
	fields: CustomObjectField[];
}

interface RawObject {
	name?: string;
	apiName?: string;
	displayName?: string;
	dedupeFields?: string[];
	relationships?: Array<{
		field?: string;
		relatedTo?: { name?: string; field?: string };
		object?: { name?: string; field?: string };
	}>;
	fields?: Array<{ name: string; displayName?: string; dataType?: string; updateable?: boolean }>;
}

const nameOf = (raw: RawObject) => String(raw.name ?? raw.apiName ?? '');

export async function listCustomObjects(ctx: MarketoContext): Promise<CustomObjectSummary[]> {
	const { result } = await marketoRequest<RawObject>(ctx, {
		method: 'GET',
		path: '/rest/v1/customobjects.json',
	});
	return (result ?? [])
		.filter((raw) => nameOf(raw) !== '')
		.map((raw) => ({ name: nameOf(raw), displayName: String(raw.displayName ?? nameOf(raw)) }));
}

export async function describeCustomObject(
	ctx: MarketoContext,
	apiName: string,
): Promise<CustomObjectDescription> {
	const { result } = await marketoRequest<RawObject>(ctx, {
		method: 'GET',
		path: `/rest/v1/customobjects/${encodeURIComponent(apiName)}/describe.json`,
	});
	const raw = result?.[0];
	if (!raw || !Array.isArray(raw.dedupeFields) || raw.dedupeFields.length === 0) {
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
	const dedupe = new Set(raw.dedupeFields.map((name) => name.toLowerCase()));
	const links = new Set(
		(raw.relationships ?? [])
			.map((r) => String(r.field ?? '').toLowerCase())
			.filter((name) => name !== ''),
	);
	return {
		name: nameOf(raw) || apiName,
		displayName: String(raw.displayName ?? apiName),
		dedupeFields: raw.dedupeFields.map(String),
		fields: (raw.fields ?? []).map((field) => ({
			name: field.name,
			displayName: field.displayName ?? field.name,
			dataType: String(field.dataType ?? 'string'),
			updateable: field.updateable !== false,
			dedupe: dedupe.has(field.name.toLowerCase()),
			link: links.has(field.name.toLowerCase()),
		})),
	};
}
