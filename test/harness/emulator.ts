/**
 * The Marketo emulator (test/emulator) as a separate process, the way a real n8n sees Marketo: over HTTP,
 * from another process. Its control API lives under `/__emulator/`.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';

import type { EmulatorOptions } from '../emulator';
import { REPO_ROOT, sleep, tail, tsNodeArgs } from './processes';

export const DEMO_CLIENT_ID = 'demo-client-id';
export const DEMO_CLIENT_SECRET = 'demo-client-secret';

export interface EmulatorProcess {
	/** Base URL, e.g. http://127.0.0.1:40123 */
	url: string;
	/** What a credential's REST Endpoint field gets: `<url>/rest`. */
	restEndpoint: string;
	clientId: string;
	clientSecret: string;
	pid: number;
	/** Requests served so far, by endpoint key (e.g. `POST /bulk/v1/leads/export/create.json`). */
	counters(): Promise<Record<string, number>>;
	resetCounters(): Promise<void>;
	/** Back to the initial data, no jobs, counters cleared. */
	reset(): Promise<void>;
	jobs(): Promise<Array<Record<string, unknown>>>;
	imports(): Promise<Array<Record<string, unknown>>>;
	/** A request to the control API: `control('POST', 'reset')`. */
	control(method: string, name: string, body?: unknown): Promise<unknown>;
	/** Everything the process printed. */
	output(): string;
	stop(): Promise<void>;
}

export interface EmulatorLaunch {
	/** Flags as `npm run emulator` takes them (test/emulator/cli.ts), e.g. `['--rate-limit', '10000/20']`. */
	args?: string[];
	/** Emulator options over what the flags give (e.g. data shapes and queue sizes the flags do not cover). */
	options?: EmulatorOptions;
	/** How long the process may take to print its URL. Default 60 s. */
	timeoutMs?: number;
}

/**
 * Starts `test/emulator/cli.ts --port 0 …args` in a process of its own (its CPU and memory are not counted in
 * this one) and resolves once it printed its URL. It stops with this process, also when this one is killed.
 */
export async function startEmulatorProcess(launch: EmulatorLaunch = {}): Promise<EmulatorProcess> {
	return (await startEmulatorInstances(1, launch))[0];
}

/**
 * `count` separate Marketo instances (each its own port, data, jobs, tokens and faults) served by one
 * emulator process: many isolated cells at once without a process each. They share the process: stopping
 * one stops them all.
 */
export async function startEmulatorInstances(
	count: number,
	launch: EmulatorLaunch = {},
): Promise<EmulatorProcess[]> {
	const { args = [], options, timeoutMs = 60_000 } = launch;
	const cli = path.join('test', 'emulator', 'cli.ts');
	const json = options ? ['--options', JSON.stringify(options)] : [];
	const instances = count > 1 ? ['--instances', String(count)] : [];
	const child: ChildProcess = spawn(
		process.execPath,
		[...tsNodeArgs(), cli, '--port', '0', ...args, ...instances, ...json, '--exit-with-stdin'],
		{ cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
	);
	let output = '';
	child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
	child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	process.once('exit', () => child.kill('SIGKILL'));

	// cli.ts prints one block per instance (URL, then the credential values), then 'Press Ctrl+C'
	const started = Date.now();
	const urls = () =>
		[
			...output.matchAll(
				/listening on (https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0):\d+)/g,
			),
		].map((m) => m[1].replace('0.0.0.0', '127.0.0.1'));
	while (urls().length < count || !output.includes('Press Ctrl+C')) {
		if (child.exitCode !== null) throw new Error(`the emulator exited early:\n${tail(output, 20)}`);
		if (Date.now() - started > timeoutMs) {
			child.kill('SIGKILL');
			throw new Error(`the emulator printed no URL within ${timeoutMs} ms:\n${tail(output, 20)}`);
		}
		await sleep(100);
	}
	const printed = (label: string) => new RegExp(`${label}:\\s+(\\S+)`).exec(output)?.[1];
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			child.stdin!.end();
			child.kill('SIGTERM');
			await Promise.race([exited, sleep(5000)]);
			if (child.exitCode === null) child.kill('SIGKILL');
		}
	};
	return urls().map((base) => {
		const control = async (method: string, name: string, body?: unknown): Promise<unknown> => {
			const response = await fetch(`${base}/__emulator/${name}`, {
				method,
				headers: body === undefined ? {} : { 'content-type': 'application/json' },
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			const text = await response.text();
			if (!response.ok)
				throw new Error(`emulator ${method} /__emulator/${name}: ${response.status} ${text}`);
			try {
				return JSON.parse(text);
			} catch {
				return text;
			}
		};
		return {
			url: base,
			restEndpoint: `${base}/rest`,
			clientId: printed('Client ID') ?? DEMO_CLIENT_ID,
			clientSecret: printed('Client Secret') ?? DEMO_CLIENT_SECRET,
			pid: child.pid!,
			counters: async () => {
				const body = (await control('GET', 'counters')) as Record<string, unknown>;
				const counters = (body.counters ?? body) as Record<string, number>;
				return counters;
			},
			resetCounters: async () => void (await control('POST', 'reset-counters')),
			reset: async () => void (await control('POST', 'reset')),
			jobs: async () => (await control('GET', 'jobs')) as Array<Record<string, unknown>>,
			imports: async () => (await control('GET', 'imports')) as Array<Record<string, unknown>>,
			control,
			output: () => output,
			stop,
		};
	});
}

/** Calls to the OAuth token endpoint among the counters. */
export function tokenCalls(counters: Record<string, number>): number {
	return Object.entries(counters)
		.filter(([key]) => /identity\/oauth\/token/i.test(key))
		.reduce((sum, [, n]) => sum + (Number(n) || 0), 0);
}

/** A call to the emulator's Marketo API (not through n8n), with a fresh token; returns the envelope's result. */
async function marketoCall(
	emulator: EmulatorProcess,
	method: 'GET' | 'POST',
	path: string,
	body?: unknown,
): Promise<Array<Record<string, unknown>>> {
	const token = new URL(`${emulator.url}/identity/oauth/token`);
	token.search = new URLSearchParams({
		grant_type: 'client_credentials',
		client_id: emulator.clientId,
		client_secret: emulator.clientSecret,
	}).toString();
	const { access_token } = (await (await fetch(token)).json()) as { access_token: string };
	const response = await fetch(`${emulator.url}${path}`, {
		method,
		headers: {
			authorization: `Bearer ${access_token}`,
			...(body === undefined ? {} : { 'content-type': 'application/json' }),
		},
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const answer = (await response.json()) as {
		success?: boolean;
		result?: Array<Record<string, unknown>>;
	};
	if (!answer.success) throw new Error(`${method} ${path}: ${JSON.stringify(answer)}`);
	return answer.result ?? [];
}

/** Creates a lead export job straight through the emulator's Marketo API (not through n8n); returns its id. */
export async function createLeadExportJob(emulator: EmulatorProcess): Promise<string> {
	const [job] = await marketoCall(emulator, 'POST', '/bulk/v1/leads/export/create.json', {
		fields: ['id', 'email'],
		format: 'CSV',
		filter: { createdAt: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-31T00:00:00Z' } },
	});
	const exportId = job?.exportId;
	if (typeof exportId !== 'string' || !exportId)
		throw new Error(`create export job: ${JSON.stringify(job)}`);
	return exportId;
}

/** Enqueues a lead export job straight through the emulator's Marketo API (not through n8n). */
export async function enqueueLeadExportJob(
	emulator: EmulatorProcess,
	exportId: string,
): Promise<void> {
	await marketoCall(emulator, 'POST', `/bulk/v1/leads/export/${exportId}/enqueue.json`);
}

/** An export job as the emulator's control API lists it (`GET /__emulator/jobs`). */
export interface EmulatorJob {
	kind: 'leads' | 'activities' | 'program/members';
	exportId: string;
	status: string;
	numberOfRecords?: number;
	fileSize?: number;
	/** `sha256:<hex>` */
	fileChecksum?: string;
	filter?: Record<string, unknown>;
	[key: string]: unknown;
}

export async function emulatorJobs(emulator: EmulatorProcess): Promise<EmulatorJob[]> {
	return (await emulator.control('GET', 'jobs')) as EmulatorJob[];
}

/** The emulator's ground truth: how many leads/activities match an export filter (no 31-day limit). */
export async function emulatorCount(
	emulator: EmulatorProcess,
	kind: 'leads' | 'activities',
	filter: Record<string, unknown>,
): Promise<number> {
	const body = (await emulator.control('POST', 'count', { kind, filter })) as { count: number };
	return body.count;
}

/**
 * The emulator's ground truth for a program: every membership with every program member field as a file
 * carries it (text, or null), ascending lead id.
 */
export async function emulatorProgramMembers(
	emulator: EmulatorProcess,
	programId: number,
): Promise<Array<Record<string, string | null>>> {
	return (await emulator.control('GET', `program-members?programId=${programId}`)) as Array<
		Record<string, string | null>
	>;
}

/** The emulator's programs and channels as Marketo's Asset API lists them (one page: the emulator has few). */
export async function emulatorPrograms(
	emulator: EmulatorProcess,
): Promise<Array<{ id: number; name: string; channel: string }>> {
	const programs = await marketoCall(emulator, 'GET', '/rest/asset/v1/programs.json?maxReturn=200');
	return programs as Array<{ id: number; name: string; channel: string }>;
}

/** Each channel's status names, in progression order (by step). */
export async function emulatorChannelStatuses(
	emulator: EmulatorProcess,
): Promise<Map<string, string[]>> {
	const channels = (await marketoCall(
		emulator,
		'GET',
		'/rest/asset/v1/channels.json?maxReturn=200',
	)) as Array<{ name: string; progressionStatuses?: Array<{ name: string; step: number }> }>;
	return new Map(
		channels.map((c) => [
			c.name,
			[...(c.progressionStatuses ?? [])].sort((a, b) => a.step - b.step).map((s) => s.name),
		]),
	);
}

/** A lead as the emulator stores it (all values as text, or null), by id or email; undefined when absent. */
export async function emulatorLead(
	emulator: EmulatorProcess,
	query: { id: number | string } | { email: string },
): Promise<Record<string, unknown> | undefined> {
	const search = new URLSearchParams(
		'id' in query ? { id: String(query.id) } : { email: query.email },
	);
	const response = await fetch(`${emulator.url}/__emulator/lead?${search}`);
	if (response.status === 404) return undefined;
	if (!response.ok)
		throw new Error(
			`emulator GET /__emulator/lead?${search}: ${response.status} ${await response.text()}`,
		);
	return (await response.json()) as Record<string, unknown>;
}

/** A field of the emulator's lead describe2 or program member describe, as Marketo answers it. */
export interface DescribedField {
	name: string;
	displayName?: string;
	dataType?: string;
	updateable?: boolean;
}

/** The emulator's lead describe2 and program member describe: what an import may write is read from them. */
export async function emulatorDescribes(
	emulator: EmulatorProcess,
): Promise<{ leads: DescribedField[]; members: DescribedField[] }> {
	const fieldsOf = async (path: string) =>
		((await marketoCall(emulator, 'GET', path))[0]?.fields ?? []) as DescribedField[];
	return {
		leads: await fieldsOf('/rest/v1/leads/describe2.json'),
		members: await fieldsOf('/rest/v1/programs/members/describe.json'),
	};
}

/** A custom object type as the emulator's Marketo API lists it (with its fields for a describe). */
export interface EmulatorCustomObject {
	name: string;
	displayName: string;
	dedupeFields: string[];
	relationships: Array<{ field: string; relatedTo?: { name?: string; field?: string } }>;
	fields?: DescribedField[];
}

/** The emulator's custom object types (`/rest/v1/customobjects.json`). */
export async function emulatorCustomObjects(
	emulator: EmulatorProcess,
): Promise<EmulatorCustomObject[]> {
	return (await marketoCall(
		emulator,
		'GET',
		'/rest/v1/customobjects.json',
	)) as unknown as EmulatorCustomObject[];
}

/** One custom object type with its fields (`/rest/v1/customobjects/{apiName}/describe.json`). */
export async function emulatorCustomObjectDescribe(
	emulator: EmulatorProcess,
	apiName: string,
): Promise<EmulatorCustomObject & { fields: DescribedField[] }> {
	const [described] = await marketoCall(
		emulator,
		'GET',
		`/rest/v1/customobjects/${encodeURIComponent(apiName)}/describe.json`,
	);
	if (!described) throw new Error(`the emulator describes no custom object ${apiName}`);
	return described as unknown as EmulatorCustomObject & { fields: DescribedField[] };
}
