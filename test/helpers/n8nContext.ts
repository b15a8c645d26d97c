/**
 * A stand-in for the n8n execution contexts, for running our operations and the trigger in jest against
 * the Marketo emulator over real HTTP. It reproduces what n8n-core does where our code depends on it
 * (checked against n8n-core 1.122 `httpRequestWithAuthentication` / credentials-helper):
 * - `httpRequestWithAuthentication` runs the credential's preAuthentication when the expirable token is
 *   empty, stores the token (as n8n writes it back to the database), adds the Bearer header, re-runs
 *   preAuthentication once on an HTTP 401 *exception*, wraps failures in NodeApiError, and sets the
 *   execution's cancel signal on the request;
 * - `httpRequest` follows axios' contract as n8n uses it: `returnFullResponse`, `encoding: 'stream'`,
 *   `ignoreHttpStatusErrors`, `json`, errors carrying `response` and `code`, connection failures named as
 *   Node's http client names them ("socket hang up", ECONNRESET); `timeout` (n8n's default: 300 s)
 *   bounds the wait for the response head only, as axios' redirect-following transport does, so a body
 *   that stops arriving is never timed out;
 * - failures wrapped the way the chosen n8n major does it (`n8nMajor`): in 1.x the NodeApiError keeps
 *   no `cause` (n8n-workflow 1.x declares `cause` as a class field, which resets the cause the Error
 *   constructor set), only `httpCode` (the error code, e.g. "ECONNRESET"), `messages` (the original
 *   message) and a generic message; 2.x keeps the cause;
 * - binary data is stored on disk (n8n's filesystem mode), streamed.
 * Everything else inside n8n is covered by the end-to-end tests that run in a real n8n.
 */
import { createReadStream, createWriteStream, mkdtempSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { request } from 'undici';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	IPollFunctions,
	IBinaryData,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { MarketoApi } from '../../credentials/MarketoApi.credentials';

export interface CredentialStore {
	data: ICredentialDataDecryptedObject;
	/** Token fetches made through preAuthentication. */
	preAuthentications: number;
}

export function credentialStore(
	endpoint: string,
	clientId: string,
	clientSecret: string,
): CredentialStore {
	return {
		data: { restEndpoint: endpoint, clientId, clientSecret, accessToken: '' },
		preAuthentications: 0,
	};
}

const credentialType = new MarketoApi();

export interface HttpError extends Error {
	code?: string;
	response?: { status: number; data: unknown; headers: Record<string, unknown> };
}

/** n8n's `helpers.httpRequest`, on undici. */
export async function httpRequest(options: IHttpRequestOptions): Promise<unknown> {
	const url = new URL(options.url, options.baseURL || undefined);
	for (const [key, value] of Object.entries(options.qs ?? {})) {
		if (value === undefined || value === null) continue;
		url.searchParams.set(key, Array.isArray(value) ? value.join(',') : String(value));
	}
	const headers: Record<string, string> = {};
	for (const [key, value] of Object.entries(options.headers ?? {})) {
		if (value !== undefined) headers[key.toLowerCase()] = String(value);
	}
	let body: unknown = options.body;
	if (body !== undefined && body !== null && !isBinaryBody(body) && typeof body !== 'string') {
		body = JSON.stringify(body);
		headers['content-type'] ??= 'application/json';
	}
	if (options.json) headers.accept ??= 'application/json';
	const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
	let response;
	try {
		response = await request(url, {
			method: options.method ?? 'GET',
			headers,
			body: body as never,
			signal: options.abortSignal,
			headersTimeout: timeout,
			bodyTimeout: 0,
		});
	} catch (error) {
		throw asAxiosError(error as HttpError, timeout);
	}
	const responseHeaders = response.headers as Record<string, string | string[] | undefined>;
	let data: unknown;
	if (options.encoding === 'stream') {
		data = response.body;
	} else {
		const text = await response.body.text();
		const type = String(responseHeaders['content-type'] ?? '');
		data = text;
		if (options.json || /json/.test(type)) {
			try {
				data = text === '' ? '' : JSON.parse(text);
			} catch {
				data = text;
			}
		}
	}
	const ok = response.statusCode >= 200 && response.statusCode < 300;
	if (!ok && !options.ignoreHttpStatusErrors) {
		if (options.encoding === 'stream') (data as Readable).destroy();
		const error = new Error(`Request failed with status code ${response.statusCode}`) as HttpError;
		error.response = { status: response.statusCode, data, headers: responseHeaders };
		throw error;
	}
	if (options.returnFullResponse) {
		return {
			body: data,
			headers: responseHeaders,
			statusCode: response.statusCode,
			statusMessage: '',
		};
	}
	return data;
}

/** n8n-core sets this axios default; the package sets none of its own unless a call asks. */
const DEFAULT_TIMEOUT_MS = 300_000;

/** The error axios gives for the same failure: what n8n-core hands on (and wraps). */
function asAxiosError(error: HttpError, timeout: number): HttpError {
	const code = error.code ?? (error as { cause?: { code?: string } }).cause?.code;
	if (code === 'UND_ERR_HEADERS_TIMEOUT') {
		return Object.assign(new Error(`timeout of ${timeout}ms exceeded`), { code: 'ECONNABORTED' });
	}
	// The connection closed before the answer: Node's http client says "socket hang up".
	if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') {
		return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
	}
	error.code = code;
	return error;
}

function isBinaryBody(body: unknown): boolean {
	return (
		Buffer.isBuffer(body) ||
		body instanceof Uint8Array ||
		body instanceof Readable ||
		(typeof body === 'object' && body !== null && Symbol.asyncIterator in body)
	);
}

export interface ContextOptions {
	credentials: CredentialStore;
	parameters: IDataObject;
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	timeZone?: string;
	staticData?: IDataObject;
	mode?: 'manual' | 'trigger';
	binaryDir?: string;
	/** Which n8n major's error wrapping `httpRequestWithAuthentication` reproduces. Default 2. */
	n8nMajor?: 1 | 2;
}

export interface TestContext {
	context: IExecuteFunctions & IPollFunctions;
	abort: AbortController;
	node: INode;
	/** Bytes written to the binary store per binary id. */
	binaryFiles: Map<string, string>;
}

/** One context per node run, like n8n creates one per execution of a node. */
export function createContext(options: ContextOptions): TestContext {
	const abort = new AbortController();
	const binaryDir = options.binaryDir ?? mkdtempSync(join(tmpdir(), 'marketo-bulk-binary-'));
	const binaryFiles = new Map<string, string>();
	const node: INode = {
		id: 'node-1',
		name: 'Marketo Bulk',
		type: 'n8n-nodes-marketo-bulk.marketoBulk',
		typeVersion: 1,
		position: [0, 0],
		parameters: options.parameters as INode['parameters'],
		credentials: { marketoApi: { id: '1', name: 'Marketo account' } },
	};
	const items: INodeExecutionData[] = options.items ?? [{ json: {} }];
	const store = options.credentials;
	const staticData = options.staticData ?? {};

	const preAuthenticate = async (credentials: ICredentialDataDecryptedObject) => {
		store.preAuthentications++;
		const output = await credentialType.preAuthentication.call(
			{ helpers: { httpRequest } } as never,
			credentials,
		);
		Object.assign(credentials, output);
		// n8n writes the new token back to the stored credential.
		store.data = { ...store.data, ...output };
	};

	const wrap = (error: unknown) => {
		const wrapped = new NodeApiError(node, error as never);
		if (options.n8nMajor === 1) (wrapped as { cause?: unknown }).cause = undefined;
		return wrapped;
	};

	const context = {
		getNode: () => node,
		getInputData: () => items,
		getTimezone: () => options.timeZone ?? 'UTC',
		getMode: () => options.mode ?? 'trigger',
		getActivationMode: () => 'activate',
		getWorkflow: () => ({ id: 'test-workflow', name: 'Test workflow', active: true }),
		continueOnFail: () => options.continueOnFail === true,
		getExecutionCancelSignal: () => abort.signal,
		getWorkflowStaticData: () => staticData,
		logger: { debug() {}, info() {}, warn() {}, error() {} },
		getCredentials: async () => ({ ...store.data }),
		getNodeParameter(name: string, itemIndexOrFallback?: unknown, fallback?: unknown) {
			const fallbackValue =
				typeof itemIndexOrFallback === 'number' ? fallback : itemIndexOrFallback;
			const value = name
				.split('.')
				.reduce<unknown>((at, key) => (at as IDataObject | undefined)?.[key], options.parameters);
			if (value === undefined) {
				if (fallbackValue === undefined) throw new Error(`Could not get parameter "${name}"`);
				return fallbackValue;
			}
			return value;
		},
		helpers: {
			httpRequest,
			async httpRequestWithAuthentication(
				this: unknown,
				_type: string,
				requestOptions: IHttpRequestOptions,
				additional?: { credentialsDecrypted?: { data?: ICredentialDataDecryptedObject } },
			) {
				requestOptions.abortSignal = abort.signal;
				const credentials = additional?.credentialsDecrypted?.data ?? { ...store.data };
				const authenticated = () => ({
					...requestOptions,
					headers: {
						...(requestOptions.headers ?? {}),
						Authorization: `Bearer ${String(credentials.accessToken)}`,
					},
				});
				try {
					if (credentials.accessToken === '' || credentials.accessToken === undefined) {
						await preAuthenticate(credentials);
					}
					return await httpRequest(authenticated());
				} catch (error) {
					if ((error as HttpError).response?.status === 401) {
						try {
							await preAuthenticate(credentials);
							return await httpRequest(authenticated());
						} catch (retryError) {
							throw wrap(retryError);
						}
					}
					throw wrap(error);
				}
			},
			async prepareBinaryData(
				data: Buffer | Readable,
				fileName?: string,
				mimeType?: string,
			): Promise<IBinaryData> {
				const id = `filesystem-v2:test/${binaryFiles.size + 1}`;
				const path = join(binaryDir, `${binaryFiles.size + 1}.bin`);
				binaryFiles.set(id, path);
				await pipeline(
					Buffer.isBuffer(data) ? Readable.from([data]) : data,
					createWriteStream(path),
				);
				return {
					id,
					data: 'filesystem-v2',
					fileName,
					mimeType: mimeType ?? 'text/plain',
					fileSize: String(statSync(path).size),
				} as IBinaryData;
			},
			async getBinaryStream(id: string) {
				return createReadStream(binaryFiles.get(id)!);
			},
			async getBinaryMetadata(id: string) {
				return { fileSize: statSync(binaryFiles.get(id)!).size };
			},
			assertBinaryData(itemIndex: number, propertyName: string) {
				const binary = items[itemIndex]?.binary?.[propertyName];
				if (!binary)
					throw new Error(`No binary data property "${propertyName}" on item ${itemIndex}`);
				return binary;
			},
			async getBinaryDataBuffer(itemIndex: number, propertyName: string) {
				const binary = items[itemIndex].binary![propertyName];
				if (binary.id) {
					const chunks: Buffer[] = [];
					for await (const chunk of createReadStream(binaryFiles.get(binary.id)!))
						chunks.push(chunk as Buffer);
					return Buffer.concat(chunks);
				}
				return Buffer.from(binary.data, 'base64');
			},
			returnJsonArray: (data: IDataObject | IDataObject[]) =>
				(Array.isArray(data) ? data : [data]).map((json) => ({ json })),
		},
	} as unknown as IExecuteFunctions & IPollFunctions;

	return { context, abort, node, binaryFiles };
}

/** Reads a stored binary file back, for assertions. */
export async function readBinary(test: TestContext, binary: IBinaryData): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of createReadStream(test.binaryFiles.get(binary.id!)!))
		chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}
