/**
 * What runs inside a measured child process (bench/lib/worker.ts). Each contender gets JSON parameters,
 * may prepare outside the measurement (load a file into memory), then does its work once and says how
 * many bytes and rows it handled. `mark(name)` notes the moment a phase starts (e.g. the file request), so
 * that a phase can be timed inside a whole operation.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';
import type { FieldKind } from '../../nodes/MarketoBulk/codec';
import type { TestContext } from '../../test/helpers/n8nContext';

// Each contender loads only what it uses, so that a child process starts quickly and holds no more
// than its contender needs.
/* eslint-disable @typescript-eslint/no-require-imports */
const csv = () =>
	require('../../nodes/MarketoBulk/codec') as typeof import('../../nodes/MarketoBulk/codec');
const undici = () => require('undici') as typeof import('undici');
/** Our node's operations and the n8n execution context they run in. */
const node = () => ({
	...(require('../../test/helpers/n8nContext') as typeof import('../../test/helpers/n8nContext')),
	...(require('../../nodes/MarketoBulk/actions/router') as typeof import('../../nodes/MarketoBulk/actions/router')),
});

export interface Outcome {
	bytes?: number;
	rows?: number;
	/** Anything else worth reporting (counts, batches, notes). */
	extra?: Record<string, unknown>;
}

export type Mark = (name: string) => void;

export interface Contender<P = Record<string, unknown>, S = unknown> {
	prepare?(params: P): Promise<S> | S;
	run(params: P, state: S, mark: Mark): Promise<Outcome>;
	cleanup?(params: P, state: S): void;
}

export interface ApiParams {
	url: string;
	restEndpoint: string;
	clientId: string;
	clientSecret: string;
}

const CHUNK = 64 * 1024;

/** A file as the 64 KiB Buffer chunks an HTTP download delivers, read before the measurement. */
function chunksOfFile(file: string): Buffer[] {
	const data = readFileSync(file);
	const out: Buffer[] = [];
	for (let i = 0; i < data.length; i += CHUNK) out.push(data.subarray(i, i + CHUNK));
	return out;
}

const bytesOf = (chunks: Buffer[]) => chunks.reduce((n, c) => n + c.length, 0);

// ---------------------------------------------------------------------------------------------------
// Downloads

interface DownloadParams {
	api: ApiParams;
	token: string;
	exportId: string;
}

/** The limit: a streaming GET of the file that only counts bytes. */
const rawDownload: Contender<DownloadParams> = {
	prepare: () => void undici(),
	async run({ api, token, exportId }) {
		const response = await undici().request(
			`${api.url}/bulk/v1/leads/export/${exportId}/file.json`,
			{
				headers: { authorization: `Bearer ${token}` },
			},
		);
		if (response.statusCode !== 200) throw new Error(`file.json answered ${response.statusCode}`);
		let bytes = 0;
		for await (const chunk of response.body) bytes += (chunk as Buffer).length;
		return { bytes };
	},
};

// ---------------------------------------------------------------------------------------------------
// Our Export operation, outside n8n (test/helpers/n8nContext: real HTTP, binary data streamed to disk)

interface ExportParams {
	api: ApiParams;
	fields: string[];
	startAt: string;
	endAt: string;
	output: 'file' | 'records';
	pollIntervalSeconds: number;
	typedValues?: boolean;
}

interface ExportState extends ReturnType<typeof node> {
	binaryDir: string;
}

function markFileRequest(test: TestContext, mark: Mark): void {
	const helpers = test.context.helpers as unknown as {
		httpRequestWithAuthentication: (
			this: unknown,
			type: string,
			options: IHttpRequestOptions,
			extra?: unknown,
		) => Promise<unknown>;
	};
	const original = helpers.httpRequestWithAuthentication;
	helpers.httpRequestWithAuthentication = function (this: unknown, type, options, extra) {
		if (
			/\/file\.json$/.test(String(options.url)) &&
			!/range/i.test(JSON.stringify(options.headers ?? {}))
		)
			mark('download');
		return original.call(this, type, options, extra);
	};
}

const ourExport: Contender<ExportParams, ExportState> = {
	prepare: () => ({ binaryDir: mkdtempSync(join(tmpdir(), 'marketo-bulk-bench-')), ...node() }),
	async run(p, state, mark) {
		const { createContext, credentialStore, customOperations } = state;
		const test = createContext({
			credentials: credentialStore(p.api.restEndpoint, p.api.clientId, p.api.clientSecret),
			binaryDir: state.binaryDir,
			parameters: {
				resource: 'leadExport',
				operation: 'export',
				fields: p.fields,
				format: 'CSV',
				filterType: 'createdAt',
				startAt: p.startAt,
				endAt: p.endAt,
				output: p.output,
				options: {
					pollIntervalSeconds: p.pollIntervalSeconds,
					timeoutMinutes: 30,
					typedValues: p.typedValues !== false,
				},
			},
		});
		markFileRequest(test, mark);
		const [items] = await customOperations.leadExport.export.call(test.context);
		const failed = items.find((item) => item.json.error);
		if (failed) throw new Error(`Export failed: ${String(failed.json.error)}`);
		if (p.output === 'file') {
			const json = items[0].json as IDataObject;
			const stored = statSync(test.binaryFiles.values().next().value as string).size;
			if (stored !== json.fileSize)
				throw new Error(`stored ${stored} bytes, job says ${String(json.fileSize)}`);
			return {
				bytes: stored,
				rows: Number(json.numberOfRecords),
				extra: { resumes: json.downloadResumes },
			};
		}
		const rows = items.length;
		const sample = items[0]?.json as IDataObject | undefined;
		return {
			rows,
			extra: {
				idType: typeof sample?.id,
				leadScoreType: typeof items.find((i) => i.json.leadScore !== null)?.json.leadScore,
			},
		};
	},
	cleanup: (_p, state) => rmSync(state.binaryDir, { recursive: true, force: true }),
};

// ---------------------------------------------------------------------------------------------------
// Decoders on the same file, from memory, in the chunks a download delivers

interface FileParams {
	file: string;
	/** Column kinds for the typed variant, e.g. { id: 'integer', leadScore: 'integer' }. */
	kinds?: Record<string, FieldKind>;
}

type Chunks = Buffer[];
const loadChunks = (p: FileParams) => {
	// Load the parsers before the clock starts.
	csv();
	require('papaparse');
	require('csv-parse');
	return chunksOfFile(p.file);
};

const oursValues: Contender<FileParams, Chunks> = {
	prepare: loadChunks,
	async run(_p, chunks) {
		const decoder = new (csv().CsvDecoder)({ format: 'CSV' });
		let n = 0;
		for (const c of chunks) n += decoder.write(c).length;
		n += decoder.end().length;
		return { rows: n - 1, bytes: bytesOf(chunks) };
	},
};

const oursRecords: Contender<FileParams, Chunks> = {
	prepare: loadChunks,
	async run(_p, chunks) {
		let n = 0;
		for await (const batch of csv().decodeRecords(Readable.from(chunks), { format: 'CSV' }))
			n += batch.records.length;
		return { rows: n, bytes: bytesOf(chunks) };
	},
};

const oursTyped: Contender<FileParams, Chunks> = {
	prepare: loadChunks,
	async run(p, chunks) {
		let n = 0;
		const { decodeRecords, recordBuilder } = csv();
		const convert = (header: string[]) => recordBuilder(header, p.kinds ?? {});
		for await (const batch of decodeRecords(Readable.from(chunks), { format: 'CSV', convert }))
			n += batch.records.length;
		return { rows: n, bytes: bytesOf(chunks) };
	},
};

const papaparse: Contender<FileParams, Chunks> = {
	prepare: loadChunks,
	run: (_p, chunks) =>
		new Promise((resolve, reject) => {
			const Papa = require('papaparse') as typeof import('papaparse');
			let n = 0;
			Papa.parse(Readable.from(chunks) as unknown as File, {
				header: true,
				chunk: (results: Papa.ParseResult<unknown>) => {
					n += results.data.length;
				},
				complete: () => resolve({ rows: n, bytes: bytesOf(chunks) }),
				error: reject,
			});
		}),
};

const csvParseStream: Contender<FileParams, Chunks> = {
	prepare: loadChunks,
	async run(_p, chunks) {
		const { parse } = require('csv-parse') as typeof import('csv-parse');
		let n = 0;
		for await (const _record of Readable.from(chunks).pipe(parse({ columns: true }))) n++;
		return { rows: n, bytes: bytesOf(chunks) };
	},
};

// ---------------------------------------------------------------------------------------------------
// node-marketo-rest (npm): bulkLeadExtract.get (create, enqueue, poll) then bulkLeadExtract.file

interface MarketoRestParams {
	api: ApiParams;
	fields: string[];
	startAt: string;
	endAt: string;
	/** Fixed poll interval, to compare like with like; the library's own is 30 s then 60 s. */
	pollMs?: number;
	records: boolean;
}

const marketoRest: Contender<MarketoRestParams> = {
	prepare: () => {
		require('node-marketo-rest');
		require('csv-parse/sync');
	},
	async run(p, _state, mark) {
		const Marketo = require('node-marketo-rest');
		const client = new Marketo({
			endpoint: p.api.restEndpoint,
			identity: `${p.api.url}/identity`,
			clientId: p.api.clientId,
			clientSecret: p.api.clientSecret,
		});
		if (p.pollMs) {
			// bulkLeadExtract polls through its own Retry; same class, fixed delay.
			const Retry = require('node-marketo-rest/lib/retry');
			client.bulkLeadExtract._retry = new Retry({
				maxRetries: 1000,
				initialDelay: p.pollMs,
				maxDelay: p.pollMs + 1,
			});
		}
		const quiet = console.log;
		console.log = () => {}; // the library logs every status and the create answer
		let text: string;
		try {
			const done = await client.bulkLeadExtract.get(p.fields, {
				createdAt: { startAt: p.startAt, endAt: p.endAt },
			});
			mark('download');
			text = await client.bulkLeadExtract.file(done.result[0].exportId);
		} finally {
			console.log = quiet;
		}
		if (typeof text !== 'string') throw new Error(`file() gave ${typeof text}`);
		const bytes = Buffer.byteLength(text);
		if (!p.records) return { bytes };
		const { parse } = require('csv-parse/sync') as typeof import('csv-parse/sync');
		const records = parse(text, { columns: true }) as unknown[];
		return { bytes, rows: records.length };
	},
};

// ---------------------------------------------------------------------------------------------------
// Lead import: our Create Import Job / Import operations against a raw upload of the same batch files

interface ImportParams {
	api: ApiParams;
	source: 'items' | 'binary';
	/** Items: how many (bench/lib/leads.ts). */
	rows?: number;
	/** Binary: the CSV file. */
	file?: string;
	operation: 'createJob' | 'import';
	pollIntervalSeconds: number;
}

interface ImportState {
	test: TestContext;
	binaryDir: string;
	customOperations: ReturnType<typeof node>['customOperations'];
}

const ourImport: Contender<ImportParams, ImportState> = {
	async prepare(p) {
		const { createContext, credentialStore, customOperations } = node();
		const { leadItems } = require('./leads') as typeof import('./leads');
		const binaryDir = mkdtempSync(join(tmpdir(), 'marketo-bulk-bench-'));
		const items: Array<{ json: IDataObject; binary?: IDataObject }> =
			p.source === 'items' ? leadItems(p.rows ?? 0) : [{ json: {} }];
		const test = createContext({
			credentials: credentialStore(p.api.restEndpoint, p.api.clientId, p.api.clientSecret),
			binaryDir,
			items: items as never,
			parameters: {
				resource: 'leadImport',
				operation: p.operation,
				source: p.source,
				lookupField: 'email',
				output: 'summary',
				fileFormat: 'auto',
				binaryPropertyName: 'data',
				columns: { mappingMode: 'autoMapInputData', value: null },
				options: { pollIntervalSeconds: p.pollIntervalSeconds, timeoutMinutes: 30 },
			},
		});
		if (p.source === 'binary') {
			const data = await test.context.helpers.prepareBinaryData(
				createReadStream(p.file!),
				'leads.csv',
				'text/csv',
			);
			items[0] = {
				json: { fileName: 'leads.csv' },
				binary: { data: data as unknown as IDataObject },
			};
		}
		return { test, binaryDir, customOperations };
	},
	async run(p, state) {
		const [out] = await state.customOperations.leadImport[p.operation].call(state.test.context);
		const failed = out.find((item) => item.json.error);
		if (failed)
			throw new Error(
				`${p.operation} failed: ${String(failed.json.error)} ${String(failed.json.description ?? '')}`,
			);
		if (p.operation === 'createJob') {
			const rows = out.reduce((n, item) => n + Number(item.json.rows ?? 0), 0);
			return {
				rows,
				extra: { batches: out.length, statuses: [...new Set(out.map((i) => i.json.status))] },
			};
		}
		const summary = out[0].json as IDataObject;
		const batches = (summary.batches as IDataObject[] | undefined) ?? [];
		if (summary.status !== 'Complete')
			throw new Error(
				`import ended ${String(summary.status)}: ${JSON.stringify(summary).slice(0, 300)}`,
			);
		return {
			rows: Number(summary.leadsProcessed ?? 0),
			bytes: batches.reduce((n, b) => n + Number(b.bytes ?? 0), 0),
			extra: { batches: batches.length, rowsFailed: summary.rowsFailed },
		};
	},
	cleanup: (_p, state) => rmSync(state.binaryDir, { recursive: true, force: true }),
};

interface RawUploadParams {
	api: ApiParams;
	token: string;
	source: 'items' | 'binary';
	rows?: number;
	file?: string;
}

interface RawUploadState {
	bodies: Array<{ body: Buffer; contentType: string }>;
	bytes: number;
	rows: number;
}

/** The limit: the batch files our import would send (same bytes, same cuts), POSTed one after another. */
const rawUpload: Contender<RawUploadParams, RawUploadState> = {
	async prepare(p) {
		const importFile = {
			...(require('../../nodes/MarketoBulk/import/batches') as typeof import('../../nodes/MarketoBulk/import/batches')),
			...(require('../../nodes/MarketoBulk/import/itemsSource') as typeof import('../../nodes/MarketoBulk/import/itemsSource')),
			...(require('../../nodes/MarketoBulk/import/fileSource') as typeof import('../../nodes/MarketoBulk/import/fileSource')),
		};
		const { multipartBody } =
			require('../../nodes/MarketoBulk/import/multipart') as typeof import('../../nodes/MarketoBulk/import/multipart');
		const { leadItems } = require('./leads') as typeof import('./leads');
		const prepared =
			p.source === 'items'
				? importFile.prepareItemsImport(
						leadItems(p.rows ?? 0).map((item, index) => ({ item: index, values: item.json })),
						{ lookupField: 'email' },
					)
				: await importFile.prepareBinaryImport(
						{
							open: async () => createReadStream(p.file!),
							fileName: 'leads.csv',
							mimeType: 'text/csv',
						},
						{ format: 'auto', lookupField: 'email' },
					);
		const bodies: RawUploadState['bodies'] = [];
		let bytes = 0;
		for await (const batch of importFile.batchesOf(prepared.source, prepared.batches)) {
			bytes += batch.plan.bytes;
			const body = multipartBody([
				{ name: 'format', content: prepared.source.format.toLowerCase() },
				{ name: 'lookupField', content: 'email' },
				{ name: 'file', fileName: 'leads.csv', contentType: 'text/csv', data: batch.chunks },
			]);
			const parts: Uint8Array[] = [];
			for await (const chunk of body.stream()) parts.push(chunk);
			bodies.push({ body: Buffer.concat(parts), contentType: body.contentType });
		}
		undici();
		return { bodies, bytes, rows: prepared.source.rowCount };
	},
	async run(p, state) {
		for (const { body, contentType } of state.bodies) {
			const response = await undici().request(`${p.api.url}/bulk/v1/leads.json`, {
				method: 'POST',
				headers: { authorization: `Bearer ${p.token}`, 'content-type': contentType },
				body,
			});
			const envelope = (await response.body.json()) as { success?: boolean; errors?: unknown };
			if (!envelope.success) throw new Error(`upload refused: ${JSON.stringify(envelope.errors)}`);
		}
		return { bytes: state.bytes, rows: state.rows, extra: { batches: state.bodies.length } };
	},
};

// ---------------------------------------------------------------------------------------------------

export const CONTENDERS: Record<string, Contender<never, never>> = {
	rawDownload,
	ourExport,
	oursValues,
	oursRecords,
	oursTyped,
	papaparse,
	csvParseStream,
	marketoRest,
	ourImport,
	rawUpload,
} as unknown as Record<string, Contender<never, never>>;
