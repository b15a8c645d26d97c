/** The Marketo endpoints: identity, describes, asset listings, bulk export and bulk import. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenService } from './auth';
import { EXPORT_CONTENT_TYPES } from './csv';
import { EXPORT_STATUSES, type ExportKind, type ExportManager } from './exports';
import type { FaultState } from './faults';
import { serveFile } from './files';
import type { ImportFormat, ImportKind, ImportManager } from './imports';
import { CO_TYPES, coTypeOf, coTypeView } from './coTypes';
import { validateCoExport } from './customObjects';
import { boundaryOf, parseMultipart } from './multipart';
import { readBody, sendError, sendHtml, sendJson, sendOk, sendText } from './respond';
import { ACTIVITY_TYPES, LEAD_FIELDS, SMART_LISTS, STATIC_LISTS, type ListAsset } from './schema';
import { assetDate } from './time';
import type { ApiError } from './types';
import { validateMemberExport } from './members';
import {
	CHANNELS,
	PM_PROGRAMS,
	describeProgramMembers,
	programById,
	type Program,
} from './programs';
import { validateActivityExport, validateLeadExport } from './validate';

export interface Deps {
	tokens: TokenService;
	exports: ExportManager;
	imports: ImportManager;
	faults: FaultState;
	disabledFilters: string[];
	countRange: () => void;
}

export interface Ctx {
	req: IncomingMessage;
	res: ServerResponse;
	query: URLSearchParams;
	params: string[];
	deps: Deps;
	/** The API user (client id) whose token the request carries. */
	user?: string;
}

export interface Route {
	method: 'GET' | 'POST';
	/** Path with ':id' placeholders; also the counter key. */
	path: string;
	pattern: RegExp;
	/** Identity calls carry no access token; imports may carry it as a form field. */
	auth: 'none' | 'token' | 'token-or-form';
	handle: (ctx: Ctx) => Promise<void> | void;
}

const JSON_LIMIT = 1024 * 1024;
/** Marketo refuses import files of 10 MB or more (HTTP 413). */
export const IMPORT_FILE_LIMIT = 10 * 1024 * 1024;
const NO_ASSETS = 'No assets found for the given search criteria.';
const MAX_LIST_BATCH = 300;

const route = (
	method: Route['method'],
	path: string,
	auth: Route['auth'],
	handle: Route['handle'],
): Route => ({
	method,
	path,
	pattern: new RegExp('^' + path.replace(/[.]/g, '\\.').replace(/:id/g, '([^/]+?)') + '$'),
	auth,
	handle,
});

// ---------------------------------------------------------------------------------------------------
// Identity

async function identity(ctx: Ctx): Promise<void> {
	const params = new URLSearchParams(ctx.query);
	if (ctx.req.method === 'POST') {
		const body = await readBody(ctx.req, JSON_LIMIT);
		if (body === 'tooLarge') return sendHtml(ctx.res, 413);
		for (const [k, v] of new URLSearchParams(body.toString('utf8')))
			if (!params.has(k)) params.set(k, v);
	}
	const answer = ctx.deps.tokens.issue(params);
	sendJson(ctx.res, answer.status, answer.body);
}

// ---------------------------------------------------------------------------------------------------
// Describe and asset listings

function describe(ctx: Ctx): void {
	sendOk(
		ctx.res,
		LEAD_FIELDS.map((f) => ({
			id: f.id,
			displayName: f.displayName,
			dataType: f.dataType,
			...(f.length !== undefined ? { length: f.length } : {}),
			rest: { name: f.name, readOnly: f.readOnly },
			soap: { name: f.soapName, readOnly: f.readOnly },
		})),
	);
}

function describe2(ctx: Ctx): void {
	sendOk(ctx.res, [
		{
			name: 'API Lead',
			searchableFields: [
				['email'],
				['id'],
				['cookies'],
				['externalCompanyId'],
				['externalSalesPersonId'],
			],
			fields: LEAD_FIELDS.map((f) => ({
				name: f.name,
				displayName: f.displayName,
				dataType: f.dataType,
				...(f.length !== undefined ? { length: f.length } : {}),
				updateable: !f.readOnly,
				crmManaged: f.crmManaged ?? false,
			})),
		},
	]);
}

function activityTypes(ctx: Ctx): void {
	sendOk(
		ctx.res,
		ACTIVITY_TYPES.map((t) => ({
			id: t.id,
			name: t.name,
			description: t.description,
			...(t.primaryAttribute ? { primaryAttribute: t.primaryAttribute } : {}),
			attributes: t.attributes,
		})),
	);
}

function assetView(a: ListAsset, kind: 'static' | 'smart'): Record<string, unknown> {
	return {
		id: a.id,
		name: a.name,
		description: a.description,
		createdAt: assetDate(a.createdAt),
		updatedAt: assetDate(a.updatedAt),
		folder: {
			id: a.folder.id,
			type: a.folder.type,
			folderName: a.program ?? `Lists ${a.folder.id}`,
		},
		workspace: 'Default',
		computedUrl: `https://app-ab01.marketo.com/#${kind === 'static' ? 'ST' : 'SL'}${a.id}A1`,
	};
}

const nonNegativeInt = (v: string | null, fallback: number): number | undefined =>
	v === null || v === '' ? fallback : /^\d+$/.test(v) ? Number(v) : undefined;

function listAssets(kind: 'static' | 'smart') {
	return (ctx: Ctx): void => {
		const offset = nonNegativeInt(ctx.query.get('offset'), 0);
		if (offset === undefined)
			return sendError(ctx.res, {
				code: '1003',
				message: `Invalid value for offset: '${ctx.query.get('offset')}'`,
			});
		const maxReturn = nonNegativeInt(ctx.query.get('maxReturn'), 20);
		if (maxReturn === undefined || maxReturn < 1 || maxReturn > 200) {
			return sendError(ctx.res, { code: '1003', message: 'maxReturn must be between 1 and 200' });
		}
		const name = ctx.query.get('name');
		const all = (kind === 'static' ? STATIC_LISTS : SMART_LISTS).filter(
			(a) => !name || a.name === name,
		);
		const page = all.slice(offset, offset + maxReturn);
		// Past the end Marketo answers success with no result at all, only a warning.
		if (page.length === 0) return sendOk(ctx.res, undefined, { warnings: [NO_ASSETS] });
		sendOk(
			ctx.res,
			page.map((a) => assetView(a, kind)),
		);
	};
}

function assetByName(kind: 'static' | 'smart') {
	return (ctx: Ctx): void => {
		const name = ctx.query.get('name');
		if (!name) return sendError(ctx.res, { code: '701', message: 'name cannot be blank' });
		const hit = (kind === 'static' ? STATIC_LISTS : SMART_LISTS).find((a) => a.name === name);
		if (!hit) return sendOk(ctx.res, undefined, { warnings: [NO_ASSETS] });
		sendOk(ctx.res, [assetView(hit, kind)]);
	};
}

function assetById(kind: 'static' | 'smart') {
	return (ctx: Ctx): void => {
		const hit = (kind === 'static' ? STATIC_LISTS : SMART_LISTS).find(
			(a) => String(a.id) === ctx.params[0],
		);
		if (!hit) return sendOk(ctx.res, undefined, { warnings: [NO_ASSETS] });
		sendOk(ctx.res, [assetView(hit, kind)]);
	};
}

// ---------------------------------------------------------------------------------------------------
// Programs, channels and the program member describe

function programView(p: Program): Record<string, unknown> {
	return {
		id: p.id,
		name: p.name,
		description: p.description,
		createdAt: assetDate(p.createdAt),
		updatedAt: assetDate(p.updatedAt),
		url: `https://app-ab01.marketo.com/#PG${p.id}A1`,
		type: p.type,
		channel: p.channel,
		folder: { type: 'Folder', value: 1000 + (p.id % 10), folderName: 'Programs' },
		status: p.status,
		workspace: 'Default',
		headStart: false,
	};
}

/** offset (default 0) and maxReturn (default 20, 1..200) as the asset API reads them, or the error sent. */
function paging(ctx: Ctx): { offset: number; maxReturn: number } | undefined {
	const offset = nonNegativeInt(ctx.query.get('offset'), 0);
	if (offset === undefined) {
		sendError(ctx.res, {
			code: '1003',
			message: `Invalid value for offset: '${ctx.query.get('offset')}'`,
		});
		return undefined;
	}
	const maxReturn = nonNegativeInt(ctx.query.get('maxReturn'), 20);
	if (maxReturn === undefined || maxReturn < 1 || maxReturn > 200) {
		sendError(ctx.res, { code: '1003', message: 'maxReturn must be between 1 and 200' });
		return undefined;
	}
	return { offset, maxReturn };
}

/** Browse programs: offset/maxReturn, status, earliestUpdatedAt/latestUpdatedAt (created or updated in range). */
function listPrograms(ctx: Ctx): void {
	const page = paging(ctx);
	if (!page) return;
	const status = ctx.query.get('status');
	const bound = (name: string) => {
		const v = ctx.query.get(name);
		return v ? Date.parse(v) : undefined;
	};
	const earliest = bound('earliestUpdatedAt');
	const latest = bound('latestUpdatedAt');
	if (Number.isNaN(earliest) || Number.isNaN(latest))
		return sendError(ctx.res, { code: '1003', message: 'Invalid date format' });
	const all = PM_PROGRAMS.filter(
		(p) =>
			(!status || p.status === status) &&
			(earliest === undefined || Math.max(p.createdAt, p.updatedAt) >= earliest) &&
			(latest === undefined || Math.min(p.createdAt, p.updatedAt) <= latest),
	);
	const hits = all.slice(page.offset, page.offset + page.maxReturn);
	if (hits.length === 0) return sendOk(ctx.res, undefined, { warnings: [NO_ASSETS] });
	sendOk(ctx.res, hits.map(programView));
}

function programById_(ctx: Ctx): void {
	const hit = /^\d+$/.test(ctx.params[0]) ? programById(Number(ctx.params[0])) : undefined;
	if (!hit) return sendOk(ctx.res, undefined, { warnings: [NO_ASSETS] });
	sendOk(ctx.res, [programView(hit)]);
}

function programByName(ctx: Ctx): void {
	const name = ctx.query.get('name');
	if (!name) return sendError(ctx.res, { code: '701', message: 'name cannot be blank' });
	const hit = PM_PROGRAMS.find((p) => p.name === name);
	if (!hit) return sendOk(ctx.res, undefined, { warnings: [NO_ASSETS] });
	sendOk(ctx.res, [programView(hit)]);
}

function listChannels(ctx: Ctx): void {
	const page = paging(ctx);
	if (!page) return;
	const hits = CHANNELS.slice(page.offset, page.offset + page.maxReturn);
	if (hits.length === 0) return sendOk(ctx.res, undefined, { warnings: [NO_ASSETS] });
	sendOk(
		ctx.res,
		hits.map((c) => ({
			id: c.id,
			name: c.name,
			applicableProgramType: c.applicableProgramType,
			progressionStatuses: c.progressionStatuses,
		})),
	);
}

function describeMembers(ctx: Ctx): void {
	sendOk(ctx.res, [describeProgramMembers()]);
}

// ---------------------------------------------------------------------------------------------------
// Bulk export

/** The export families; custom object paths carry the type's apiName before the export id. */
type ExportFamily = 'leads' | 'activities' | 'program/members' | 'customobjects';

/** The job kind and export id a request names (custom objects: params = [apiName, exportId]). */
function jobRef(family: ExportFamily, ctx: Ctx): { kind: ExportKind; id: string } {
	return family === 'customobjects'
		? { kind: `customobjects/${ctx.params[0]}`, id: ctx.params[1] }
		: { kind: family, id: ctx.params[0] };
}

/** Custom object routes answer 1003 for a type the instance does not have, before anything else. */
function knownType(family: ExportFamily, handle: Route['handle']): Route['handle'] {
	if (family !== 'customobjects') return handle;
	return (ctx) => {
		if (coTypeOf(ctx.params[0])) return handle(ctx);
		ctx.req.resume();
		sendError(ctx.res, { code: '1003', message: `Invalid custom object type '${ctx.params[0]}'` });
	};
}

function createExport(family: ExportFamily) {
	return async (ctx: Ctx): Promise<void> => {
		if (!/json/i.test(ctx.req.headers['content-type'] ?? '')) {
			ctx.req.resume();
			return sendError(ctx.res, { code: '612', message: 'Invalid Content Type' });
		}
		const raw = await readBody(ctx.req, JSON_LIMIT);
		if (raw === 'tooLarge') return sendHtml(ctx.res, 413);
		let body: unknown;
		try {
			body = JSON.parse(raw.toString('utf8'));
		} catch {
			return sendError(ctx.res, { code: '609', message: 'Invalid JSON' });
		}
		const opts = { limits: true, disabledFilters: ctx.deps.disabledFilters };
		const v =
			family === 'leads'
				? validateLeadExport(body, opts)
				: family === 'activities'
					? validateActivityExport(body, opts)
					: family === 'program/members'
						? validateMemberExport(body, opts)
						: validateCoExport(coTypeOf(ctx.params[0])!, body, opts);
		if ('error' in v) return sendError(ctx.res, v.error);
		const job = ctx.deps.exports.create(
			jobRef(family, ctx).kind,
			v.ok,
			(body as Record<string, unknown>).filter,
			ctx.user,
		);
		if ('code' in job) return sendError(ctx.res, job);
		const view = ctx.deps.exports.view(job);
		sendOk(ctx.res, [
			{
				exportId: view.exportId,
				format: view.format,
				status: view.status,
				createdAt: view.createdAt,
			},
		]);
	};
}

function withJob(
	family: ExportFamily,
	fn: (ctx: Ctx, job: NonNullable<ReturnType<ExportManager['get']>>) => Promise<void> | void,
) {
	return (ctx: Ctx): Promise<void> | void => {
		const { kind, id } = jobRef(family, ctx);
		const job = ctx.deps.exports.get(kind, id, ctx.user);
		if (!job)
			return sendError(ctx.res, {
				code: '1003',
				message: `Export job '${id}' not found`,
			});
		return fn(ctx, job);
	};
}

const answerJob = (ctx: Ctx, r: ReturnType<ExportManager['enqueue']>) =>
	'code' in r ? sendError(ctx.res, r as ApiError) : sendOk(ctx.res, [ctx.deps.exports.view(r)]);

function listExports(family: ExportFamily) {
	return (ctx: Ctx): void => {
		const { kind } = jobRef(family, ctx);
		const wanted = ctx.query
			.getAll('status')
			.flatMap((s) => s.split(','))
			.map((s) => s.trim())
			.filter(Boolean);
		const bad = wanted.find((s) => !(EXPORT_STATUSES as string[]).includes(s));
		if (bad) return sendError(ctx.res, { code: '1003', message: `Invalid status '${bad}'` });
		const size = nonNegativeInt(ctx.query.get('batchSize'), MAX_LIST_BATCH);
		if (size === undefined || size < 1 || size > MAX_LIST_BATCH) {
			return sendError(ctx.res, {
				code: '1003',
				message: `batchSize must be between 1 and ${MAX_LIST_BATCH}`,
			});
		}
		let offset = 0;
		const token = ctx.query.get('nextPageToken');
		if (token) {
			const m = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
			if (!m) return sendError(ctx.res, { code: '1003', message: 'Invalid nextPageToken' });
			offset = Number(m[1]);
		}
		const jobs = ctx.deps.exports.list(kind, wanted.length ? new Set(wanted) : undefined, ctx.user);
		const page = jobs.slice(offset, offset + size);
		const extra: Record<string, unknown> = {};
		if (offset + size < jobs.length)
			extra.nextPageToken = Buffer.from(`offset:${offset + size}`).toString('base64');
		sendOk(
			ctx.res,
			page.map((j) => ctx.deps.exports.view(j)),
			extra,
		);
	};
}

function exportRoutes(family: ExportFamily): Route[] {
	const base = `/bulk/v1/${family === 'customobjects' ? 'customobjects/:id' : family}/export`;
	const r = (method: Route['method'], path: string, handle: Route['handle']) =>
		route(method, path, 'token', knownType(family, handle));
	return [
		r('POST', `${base}/create.json`, createExport(family)),
		r(
			'POST',
			`${base}/:id/enqueue.json`,
			withJob(family, (ctx, job) => answerJob(ctx, ctx.deps.exports.enqueue(job))),
		),
		r(
			'GET',
			`${base}/:id/status.json`,
			withJob(family, (ctx, job) => sendOk(ctx.res, [ctx.deps.exports.statusView(job)])),
		),
		r(
			'POST',
			`${base}/:id/cancel.json`,
			withJob(family, (ctx, job) => answerJob(ctx, ctx.deps.exports.cancel(job))),
		),
		r('GET', `${base}/:id/file.json`, async (ctx) => {
			const { kind, id } = jobRef(family, ctx);
			const job = ctx.deps.exports.get(kind, id, ctx.user);
			// The program member and custom object extract pages: a file of an incomplete job or of
			// an unknown id is an HTTP 404 with a plain-text body. Lead and activity files keep the
			// JSON error their pages show.
			if (
				(family === 'program/members' || family === 'customobjects') &&
				job?.status !== 'Completed'
			)
				return sendText(ctx.res, 404, job ? 'Export file not available' : 'Export job not found');
			if (!job)
				return sendError(ctx.res, {
					code: '1003',
					message: `Export job '${id}' not found`,
				});
			if (ctx.req.headers.range) ctx.deps.countRange();
			const state = ctx.deps.exports.fileState(job);
			if (state === 'missing') return sendHtml(ctx.res, 404);
			if (state !== 'ok') return sendError(ctx.res, state);
			await serveFile(ctx.req, ctx.res, job, ctx.deps.faults);
		}),
		r('GET', `${base}.json`, listExports(family)),
	];
}

// ---------------------------------------------------------------------------------------------------
// Bulk import

/**
 * POST /bulk/v1/leads.json, /bulk/v1/program/{programId}/members/import.json (format and
 * programMemberStatus in the query or the form) and /bulk/v1/customobjects/{apiName}/import.json.
 */
function importBatch(kind: ImportKind) {
	return (ctx: Ctx) => submitImport(ctx, kind);
}

async function submitImport(ctx: Ctx, kind: ImportKind): Promise<void> {
	const boundary = boundaryOf(ctx.req.headers['content-type']);
	if (!boundary) {
		ctx.req.resume();
		return sendError(ctx.res, { code: '612', message: 'Invalid Content Type' });
	}
	const body = await readBody(ctx.req, IMPORT_FILE_LIMIT + 1024 * 1024);
	if (body === 'tooLarge') return sendHtml(ctx.res, 413);
	const parts = parseMultipart(body, boundary);
	if (!parts) return sendError(ctx.res, { code: '613', message: 'Invalid Multipart Request' });
	// A parameter is read from the query and the form alike; sent in both, its values are joined with a
	// comma, as a Java servlet container joins a repeated request parameter.
	const field = (name: string) => {
		const values = [
			...ctx.query.getAll(name),
			...parts
				.filter((x) => x.name === name && x.filename === undefined)
				.map((x) => x.data.toString('utf8').trim()),
		];
		return values.length ? values.join(',') : undefined;
	};
	// The access token may come as a form field (Marketo's own curl example sends it that way).
	const tokenError = ctx.deps.tokens.check(
		bearer(ctx.req) ?? ctx.query.get('access_token') ?? field('access_token'),
	);
	if (tokenError) return sendError(ctx.res, tokenError);
	const file = parts.find((p) => p.name === 'file');
	if (!file)
		return sendError(ctx.res, {
			code: '1003',
			message: "Missing value for the required parameter 'file'",
		});
	if (file.data.length >= IMPORT_FILE_LIMIT)
		return sendHtml(ctx.res, 413, 'File size exceeds 10MB');
	const batch = ctx.deps.imports.submit(
		kind === 'program/members'
			? {
					file: file.data,
					format: field('format'),
					programId: ctx.params[0],
					programMemberStatus: field('programMemberStatus'),
				}
			: kind === 'customobjects'
				? { file: file.data, format: field('format'), objectApiName: ctx.params[0] }
				: {
						file: file.data,
						format: field('format'),
						lookupField: field('lookupField'),
						listId: field('listId'),
						partitionName: field('partitionName'),
					},
	);
	if ('code' in batch) return sendError(ctx.res, batch);
	// The custom object page's answer names the type and has no importId.
	sendOk(ctx.res, [
		kind === 'customobjects'
			? { batchId: batch.batchId, status: batch.status, objectApiName: batch.objectApiName }
			: { batchId: batch.batchId, importId: batch.importId, status: batch.status },
	]);
}

const IMPORT_CONTENT_TYPES: Record<ImportFormat, string> = {
	csv: EXPORT_CONTENT_TYPES.CSV,
	tsv: EXPORT_CONTENT_TYPES.TSV,
	ssv: EXPORT_CONTENT_TYPES.SSV,
};

/** The batch a status/failures/warnings path names (custom objects: params = [apiName, batchId]). */
function withBatch(
	fn: (ctx: Ctx, batch: NonNullable<ReturnType<ImportManager['get']>>) => void,
	kind: ImportKind = 'leads',
) {
	return (ctx: Ctx): void => {
		const [apiName, id] = kind === 'customobjects' ? ctx.params : [undefined, ctx.params[0]];
		const found = /^\d+$/.test(id) ? ctx.deps.imports.get(Number(id)) : undefined;
		const batch =
			found && found.kind === kind && found.objectApiName === apiName ? found : undefined;
		if (!batch)
			return sendError(ctx.res, {
				code: '1003',
				message: `Import batch '${id}' not found`,
			});
		fn(ctx, batch);
	};
}

function batchFile(which: 'failures' | 'warnings', kind: ImportKind = 'leads') {
	return withBatch((ctx, batch) => {
		const text = batch[which];
		// The custom object import page: "If no failure file exists, an HTTP 404 status code is returned."
		if (
			kind === 'customobjects' &&
			(batch.status === 'Queued' || batch.status === 'Importing' || !text)
		)
			return sendText(ctx.res, 404, `No ${which} file for batch ${batch.batchId}`);
		if (batch.status === 'Queued' || batch.status === 'Importing') {
			return sendError(ctx.res, {
				code: '1003',
				message: `Import batch is not complete (status: ${batch.status})`,
			});
		}
		ctx.res.writeHead(200, {
			'Content-Type': IMPORT_CONTENT_TYPES[batch.format],
			'Content-Length': Buffer.byteLength(text),
		});
		ctx.res.end(text);
	}, kind);
}

function describeCustomObject(ctx: Ctx): void {
	const t = coTypeOf(ctx.params[0]);
	if (!t)
		return sendError(ctx.res, {
			code: '1003',
			message: `Invalid custom object type '${ctx.params[0]}'`,
		});
	sendOk(ctx.res, [coTypeView(t, true)]);
}

/** Get Custom Object Types: all of them, or those `names` (comma-separated) picks; no fields. */
function listCustomObjects(ctx: Ctx): void {
	const names = (ctx.query.get('names') ?? '')
		.split(',')
		.map((n) => n.trim())
		.filter(Boolean);
	const hits = CO_TYPES.filter((t) => names.length === 0 || names.includes(t.name));
	sendOk(
		ctx.res,
		hits.map((t) => coTypeView(t, false)),
	);
}

// ---------------------------------------------------------------------------------------------------

export function bearer(req: IncomingMessage): string | undefined {
	const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
	return m ? m[1].trim() : undefined;
}

export const ROUTES: Route[] = [
	route('GET', '/identity/oauth/token', 'none', identity),
	route('POST', '/identity/oauth/token', 'none', identity),
	route('GET', '/rest/v1/leads/describe.json', 'token', describe),
	route('GET', '/rest/v1/leads/describe2.json', 'token', describe2),
	route('GET', '/rest/v1/activities/types.json', 'token', activityTypes),
	route('GET', '/rest/asset/v1/staticLists.json', 'token', listAssets('static')),
	route('GET', '/rest/asset/v1/smartLists.json', 'token', listAssets('smart')),
	route('GET', '/rest/asset/v1/staticList/byName.json', 'token', assetByName('static')),
	route('GET', '/rest/asset/v1/smartList/byName.json', 'token', assetByName('smart')),
	route('GET', '/rest/asset/v1/staticList/:id.json', 'token', assetById('static')),
	route('GET', '/rest/asset/v1/smartList/:id.json', 'token', assetById('smart')),
	route('GET', '/rest/v1/programs/members/describe.json', 'token', describeMembers),
	// The superseded twin the import page still links to.
	route('GET', '/rest/v1/program/members/describe.json', 'token', describeMembers),
	route('GET', '/rest/asset/v1/programs.json', 'token', listPrograms),
	// Before ':id', which would match 'byName' too.
	route('GET', '/rest/asset/v1/program/byName.json', 'token', programByName),
	route('GET', '/rest/asset/v1/program/:id.json', 'token', programById_),
	route('GET', '/rest/asset/v1/channels.json', 'token', listChannels),
	...exportRoutes('leads'),
	...exportRoutes('activities'),
	...exportRoutes('program/members'),
	route('GET', '/rest/v1/customobjects.json', 'token', listCustomObjects),
	route('GET', '/rest/v1/customobjects/:id/describe.json', 'token', describeCustomObject),
	...exportRoutes('customobjects'),
	route('POST', '/bulk/v1/leads.json', 'token-or-form', importBatch('leads')),
	route(
		'GET',
		'/bulk/v1/leads/batch/:id.json',
		'token',
		withBatch((ctx, b) => sendOk(ctx.res, [ctx.deps.imports.view(b)])),
	),
	route('GET', '/bulk/v1/leads/batch/:id/failures.json', 'token', batchFile('failures')),
	route('GET', '/bulk/v1/leads/batch/:id/warnings.json', 'token', batchFile('warnings')),
	route(
		'POST',
		'/bulk/v1/program/:id/members/import.json',
		'token-or-form',
		importBatch('program/members'),
	),
	route(
		'GET',
		'/bulk/v1/program/members/import/:id/status.json',
		'token',
		withBatch((ctx, b) => sendOk(ctx.res, [ctx.deps.imports.view(b)]), 'program/members'),
	),
	route(
		'GET',
		'/bulk/v1/program/members/import/:id/failures.json',
		'token',
		batchFile('failures', 'program/members'),
	),
	route(
		'GET',
		'/bulk/v1/program/members/import/:id/warnings.json',
		'token',
		batchFile('warnings', 'program/members'),
	),
	route(
		'POST',
		'/bulk/v1/customobjects/:id/import.json',
		'token-or-form',
		knownType('customobjects', importBatch('customobjects')),
	),
	route(
		'GET',
		'/bulk/v1/customobjects/:id/import/:id/status.json',
		'token',
		withBatch((ctx, b) => sendOk(ctx.res, [ctx.deps.imports.view(b)]), 'customobjects'),
	),
	route(
		'GET',
		'/bulk/v1/customobjects/:id/import/:id/failures.json',
		'token',
		batchFile('failures', 'customobjects'),
	),
	route(
		'GET',
		'/bulk/v1/customobjects/:id/import/:id/warnings.json',
		'token',
		batchFile('warnings', 'customobjects'),
	),
];

/** The route for a request, or which paths exist under another method (for 605). */
export function findRoute(
	method: string,
	path: string,
): { route: Route; params: string[] } | { otherMethod: Route } | undefined {
	let other: Route | undefined;
	for (const r of ROUTES) {
		const m = r.pattern.exec(path);
		if (!m) continue;
		if (r.method === method) return { route: r, params: m.slice(1).map(decodeURIComponent) };
		other ??= r;
	}
	return other ? { otherMethod: other } : undefined;
}

/** Counter key for a path no route knows: numeric and UUID segments become ':id'. */
export function normalizePath(path: string): string {
	return path
		.split('/')
		.map((seg) =>
			seg.replace(
				/^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?=\.json$|$)/i,
				':id',
			),
		)
		.join('/');
}
