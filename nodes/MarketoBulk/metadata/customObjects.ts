import { marketoRequest, type MarketoContext } from '../transport';

/**
 * The instance's custom objects, from Marketo's custom object metadata API (Read-Only Custom Object): the
 * list (`/rest/v1/customobjects.json`, one call, no paging: the pickers) and one object's describe
 * (`…/{apiName}/describe.json`: its fields, dedupe fields and lead link). Exports and imports both read them.
 *
 * Marketo's examples disagree on two names: the swagger calls the object's name `apiName`, every example
 * `name`; one describe example calls a relationship's target `object`, the rest `relatedTo`. Both are read.
 */

export interface CustomObjectType {
	apiName: string;
	displayName: string;
	/** Linked to leads (e.g. leadID → Lead.Id): only these can be bulk exported. */
	linkedToLead: boolean;
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

export interface CustomObjectDescription extends CustomObjectType {
	dedupeFields: string[];
	/** In describe order. */
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

function typeOf(raw: RawObject, fallbackName = ''): CustomObjectType {
	const apiName = String(raw.name ?? raw.apiName ?? '') || fallbackName;
	return {
		apiName,
		displayName: String(raw.displayName ?? apiName),
		linkedToLead: (raw.relationships ?? []).some(
			(r) => (r.relatedTo ?? r.object)?.name?.toLowerCase() === 'lead',
		),
	};
}

/** Every custom object type of the instance. */
export async function listCustomObjects(ctx: MarketoContext): Promise<CustomObjectType[]> {
	const { result } = await marketoRequest<RawObject>(ctx, {
		method: 'GET',
		path: '/rest/v1/customobjects.json',
	});
	return (result ?? []).map((raw) => typeOf(raw)).filter((type) => type.apiName !== '');
}

/** One custom object: its fields in describe order, its dedupe fields (possibly none) and its lead link. */
export async function describeCustomObject(
	ctx: MarketoContext,
	apiName: string,
): Promise<CustomObjectDescription> {
	const { result } = await marketoRequest<RawObject>(ctx, {
		method: 'GET',
		path: `/rest/v1/customobjects/${encodeURIComponent(apiName)}/describe.json`,
	});
	const raw = result?.[0] ?? {};
	const dedupeFields = (raw.dedupeFields ?? []).map(String);
	const dedupe = new Set(dedupeFields.map((name) => name.toLowerCase()));
	const links = new Set(
		(raw.relationships ?? [])
			.map((r) => String(r.field ?? '').toLowerCase())
			.filter((name) => name !== ''),
	);
	return {
		...typeOf(raw, apiName),
		dedupeFields,
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

/**
 * The fields an import row may carry: the updateable ones, and the dedupe and link fields even where the
 * describe marks them not updateable (a record's key cannot change, but every row must name it to find or
 * create its record and its lead).
 */
export function importableFields(described: CustomObjectDescription): CustomObjectField[] {
	return described.fields.filter((field) => field.updateable || field.dedupe || field.link);
}
