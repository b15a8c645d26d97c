/**
 * The control API under /__emulator/, so tests running in another process (end-to-end runs inside a
 * real n8n) can do everything the in-process MarketoEmulator object offers. Not counted, not limited.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MarketoEmulator } from './index';
import { readBody, sendJson } from './respond';

class BadRequest extends Error {}

const asDate = (v: unknown): Date | undefined => {
	if (v === undefined || v === null) return undefined;
	const d = new Date(String(v));
	if (Number.isNaN(d.getTime())) throw new BadRequest(`Invalid date: ${String(v)}`);
	return d;
};

const asCount = (v: unknown): number => {
	if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
		throw new BadRequest('Expected a non-negative integer');
	return v;
};

/** Applies each key of a faults body to the matching fault method. */
function applyFaults(emu: MarketoEmulator, body: Record<string, unknown>): void {
	const f = emu.faults;
	for (const [key, value] of Object.entries(body)) {
		switch (key) {
			case 'failNext': {
				const v = value as { match?: string; count?: number; failure?: Record<string, unknown> };
				if (!v || typeof v.match !== 'string')
					throw new BadRequest('failNext needs { match, count, failure }');
				f.failNext(v.match, v.count ?? 1, (v.failure ?? {}) as Parameters<typeof f.failNext>[2]);
				break;
			}
			case 'dropFileAfterBytes':
				f.dropFileAfterBytes(asCount(value), body.times === undefined ? 1 : asCount(body.times));
				break;
			case 'truncateFileAfterBytes': {
				// a count, or { bytes, times?, contentLength? }
				const v =
					typeof value === 'number'
						? { bytes: value }
						: ((value ?? {}) as { bytes?: unknown; times?: unknown; contentLength?: unknown });
				f.truncateFileAfterBytes(
					asCount(v.bytes),
					v.times === undefined ? 1 : asCount(v.times),
					v.contentLength === true,
				);
				break;
			}
			case 'times':
				break;
			case 'failNextJob':
				f.failNextJob(
					typeof value === 'string'
						? value
						: ((value as { message?: string } | null)?.message ?? undefined),
				);
				break;
			case 'failNextBatch':
				f.failNextBatch(typeof value === 'string' ? value : undefined);
				break;
			case 'miscountNextJob':
				f.miscountNextJob(Number(value));
				break;
			case 'cancelNextJob':
				f.cancelNextJob(value === 'Canceled' ? 'Canceled' : 'Cancelled');
				break;
			case 'corruptNextChecksum':
				if (value !== false) f.corruptNextChecksum();
				break;
			case 'completedFileMissing':
				if (value !== false) f.completedFileMissing();
				break;
			case 'stuckInQueue':
				f.stuckInQueue(Boolean(value));
				break;
			case 'throttleBytesPerSecond':
				f.throttleBytesPerSecond(value === null ? null : asCount(value));
				break;
			case 'expireAllTokens':
				if (value !== false) f.expireAllTokens();
				break;
			case 'invalidateAllTokens':
				if (value !== false) f.invalidateAllTokens();
				break;
			default:
				throw new BadRequest(`Unknown fault '${key}'`);
		}
	}
}

export async function handleControl(
	emu: MarketoEmulator,
	req: IncomingMessage,
	res: ServerResponse,
	url: URL,
): Promise<void> {
	const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
	const body = async (): Promise<Record<string, unknown>> => {
		const raw = await readBody(req, 1024 * 1024);
		if (raw === 'tooLarge') throw new BadRequest('Body too large');
		const text = raw.toString('utf8').trim();
		if (!text) return {};
		try {
			return JSON.parse(text) as Record<string, unknown>;
		} catch {
			throw new BadRequest('Invalid JSON');
		}
	};
	try {
		const members = /^GET \/__emulator\/static-list\/(\d+)\/members$/.exec(route);
		if (members) return sendJson(res, 200, emu.data.staticListMembers(Number(members[1])));
		switch (route) {
			case 'GET /__emulator/info':
				return sendJson(res, 200, {
					url: emu.url,
					restEndpoint: emu.url + '/rest',
					clientId: emu.clientId,
					clientSecret: emu.clientSecret,
				});
			case 'GET /__emulator/counters':
				return sendJson(res, 200, emu.counters());
			case 'POST /__emulator/reset':
				emu.reset();
				return sendJson(res, 200, { ok: true });
			case 'POST /__emulator/reset-counters':
				emu.resetCounters();
				return sendJson(res, 200, { ok: true });
			case 'GET /__emulator/tokens':
				return sendJson(res, 200, { issued: emu.issuedTokens() });
			case 'GET /__emulator/faults':
				return sendJson(res, 200, { pending: emu.faults.pending() });
			case 'POST /__emulator/faults':
				applyFaults(emu, await body());
				return sendJson(res, 200, { ok: true });
			case 'POST /__emulator/now': {
				const b = await body();
				emu.setNow(asDate(b.now) ?? null);
				return sendJson(res, 200, { ok: true, now: emu.now().toISOString() });
			}
			case 'POST /__emulator/leads': {
				const b = await body();
				emu.data.addLeads(asCount(b.add), asDate(b.at));
				return sendJson(res, 200, { ok: true });
			}
			case 'POST /__emulator/activities': {
				const b = await body();
				emu.data.addActivities(asCount(b.add), asDate(b.at));
				return sendJson(res, 200, { ok: true });
			}
			case 'POST /__emulator/count': {
				const b = await body();
				if (b.kind === 'leads')
					return sendJson(res, 200, { count: emu.data.leadCount(b.filter as never) });
				if (b.kind === 'activities')
					return sendJson(res, 200, { count: emu.data.activityCount(b.filter as never) });
				if (b.kind === 'program/members')
					return sendJson(res, 200, { count: emu.data.programMemberCount(b.filter as never) });
				if (typeof b.kind === 'string' && b.kind.startsWith('customobjects/'))
					return sendJson(res, 200, {
						count: emu.data.customObjectCount(b.kind.slice(14), b.filter as never),
					});
				throw new BadRequest(
					"kind must be 'leads', 'activities', 'program/members' or 'customobjects/{apiName}'",
				);
			}
			case 'GET /__emulator/program-members': {
				const id = Number(url.searchParams.get('programId'));
				if (!Number.isInteger(id) || id <= 0) throw new BadRequest('programId is required');
				return sendJson(res, 200, emu.data.programMembers(id));
			}
			case 'POST /__emulator/program-members': {
				// { programId, leadIds: [..], statusName?, at? }: adds the leads or changes their status.
				const b = await body();
				const leadIds = b.leadIds;
				if (!Array.isArray(leadIds) || !leadIds.every((x) => Number.isInteger(x)))
					throw new BadRequest('leadIds must be an array of integers');
				try {
					emu.data.setMemberships({
						programId: Number(b.programId),
						leadIds: leadIds as number[],
						statusName: typeof b.statusName === 'string' ? b.statusName : undefined,
						at: asDate(b.at),
					});
				} catch (e) {
					throw new BadRequest(e instanceof Error ? e.message : String(e));
				}
				return sendJson(res, 200, { ok: true });
			}
			case 'GET /__emulator/custom-objects': {
				const apiName = url.searchParams.get('apiName');
				if (!apiName) throw new BadRequest('apiName is required');
				return sendJson(res, 200, emu.data.customObjects(apiName));
			}
			case 'POST /__emulator/custom-objects': {
				// { apiName, records: [{ field: value, .. }], at? }: creates or updates by the dedupe fields.
				const b = await body();
				if (typeof b.apiName !== 'string') throw new BadRequest('apiName is required');
				if (!Array.isArray(b.records) || !b.records.every((r) => r && typeof r === 'object'))
					throw new BadRequest('records must be an array of objects');
				const marketoGUIDs = emu.data.upsertCustomObjects({
					apiName: b.apiName,
					records: b.records as Array<Record<string, unknown>>,
					at: asDate(b.at),
				});
				return sendJson(res, 200, { ok: true, marketoGUIDs });
			}
			case 'GET /__emulator/jobs':
				return sendJson(res, 200, emu.data.jobs());
			case 'GET /__emulator/imports':
				return sendJson(res, 200, emu.data.imports());
			case 'GET /__emulator/exported-bytes-today':
				return sendJson(res, 200, { bytes: emu.exportedBytesToday() });
			case 'GET /__emulator/lead': {
				const id = url.searchParams.get('id');
				const email = url.searchParams.get('email');
				const lead = id
					? emu.data.getLead(Number(id))
					: email
						? emu.data.getLead(email)
						: undefined;
				if (!lead) return sendJson(res, 404, { error: 'Lead not found' });
				return sendJson(res, 200, lead);
			}
			default:
				return sendJson(res, 404, { error: `Unknown control route: ${route}` });
		}
	} catch (e) {
		sendJson(res, 400, { error: e instanceof Error ? e.message : String(e) });
	}
}
