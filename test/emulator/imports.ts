/**
 * Bulk lead import: a FIFO queue of batches (2 importing, 10 in all), row-by-row insert-or-update
 * against the data store, and failure/warning files that repeat the offending rows as sent.
 *
 * Where Marketo's documentation is silent this follows its observable behaviour:
 * - the header must name REST API fields (case-insensitive, as in Marketo's own `FirstName` example);
 *   a column that names no field fails the whole batch, with a message naming the column, so a file
 *   in the wrong format (one big unknown column) fails the same way;
 * - empty cells leave the existing value alone;
 * - read-only fields (id unless it is the lookup field, createdAt, updatedAt, cookies) are ignored;
 * - a value of the wrong type for a non-lookup field is dropped with a warning, the row is imported.
 *
 * Program member imports (POST /bulk/v1/program/{programId}/members/import.json) share the queue: Marketo
 * gives one set of import limits for every import type and does not say whether the queues are one.
 * Their rows are matched on `email` (the dedupe key every record must carry), create or update the lead
 * and put it in the program with the batch's programMemberStatus. Following the program member import
 * page: a value that does not fit its field fails the row (`Invalid data type in field <display name>`),
 * an invalid email is only a warning and the row is imported.
 *
 * Custom object imports (POST /bulk/v1/customobjects/{apiName}/import.json) share the queue too; their
 * rows are matched on the type's dedupe fields (customObjects.ts) and answered in the custom object
 * page's terms (objectApiName, numOfObjectsProcessed, importTime).
 */
import { EXPORT_DELIMITERS, makeEscaper, parseDelimited } from './csv';
import { coTypeOf } from './coTypes';
import { importCoRows } from './customObjects';
import type { FaultState } from './faults';
import { PM_CUSTOM_FIELDS, programById, statusesOf } from './programs';
import {
	LEAD_FIELD_BY_LOWER_NAME,
	LOOKUP_FIELDS,
	PARTITIONS,
	STATIC_LISTS,
	type LeadField,
} from './schema';
import type { DataStore } from './store';
import type { Clock } from './time';
import type { ApiError, LeadValues } from './types';
import { EMAIL, INTEGER, fitsType, normalizeValue } from './values';

export type ImportFormat = 'csv' | 'tsv' | 'ssv';
export type ImportKind = 'leads' | 'program/members' | 'customobjects';
export type ImportStatus = 'Queued' | 'Importing' | 'Complete' | 'Failed';

export interface ImportBatch {
	kind: ImportKind;
	batchId: number;
	/** Custom object imports: the type's API name. */
	objectApiName?: string;
	/** Program member imports: the program joined and the status every member gets. */
	programId?: number;
	programMemberStatus?: string;
	importId: string;
	status: ImportStatus;
	format: ImportFormat;
	lookupField: string;
	listId?: number;
	partitionName?: string;
	createdAt: number;
	startedAt?: number;
	finishedAt?: number;
	text: string;
	numOfLeadsProcessed?: number;
	numOfRowsFailed?: number;
	numOfRowsWithWarning?: number;
	message?: string;
	failures: string;
	warnings: string;
	/** Ids of the leads the batch inserted or updated. */
	leadIds: number[];
}

export interface ImportSettings {
	processing: number;
	queued: number;
	processingMs: number;
}

export interface ImportRequest {
	file: Buffer;
	format?: string;
	lookupField?: string;
	listId?: string;
	partitionName?: string;
	/** A program member import into this program (path parameter, as sent). */
	programId?: string;
	programMemberStatus?: string;
	/** A custom object import of this type (path parameter). */
	objectApiName?: string;
}

const BATCH_RETENTION_MS = 7 * 86_400_000;
const invalid = (message: string): ApiError => ({ code: '1003', message });

export class ImportManager {
	private batches = new Map<number, ImportBatch>();
	private nextBatchId = 1001;
	private timers = new Set<NodeJS.Timeout>();

	constructor(
		private readonly store: () => DataStore,
		private readonly clock: Clock,
		private readonly settings: ImportSettings,
		private readonly faults: FaultState,
	) {}

	reset(): void {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		this.batches.clear();
		this.nextBatchId = 1001;
	}

	all(): ImportBatch[] {
		return [...this.batches.values()];
	}

	get(batchId: number): ImportBatch | undefined {
		const b = this.batches.get(batchId);
		if (b && this.clock.nowMs() - b.createdAt > BATCH_RETENTION_MS) return undefined;
		return b;
	}

	submit(req: ImportRequest): ImportBatch | ApiError {
		if (!req.format) return invalid("Missing value for the required parameter 'format'");
		const format = req.format.toLowerCase();
		if (format !== 'csv' && format !== 'tsv' && format !== 'ssv') {
			return invalid(`Invalid format '${req.format}'. Allowed values: csv, tsv, ssv`);
		}
		if (req.objectApiName !== undefined && !coTypeOf(req.objectApiName))
			return invalid(`Invalid custom object type '${req.objectApiName}'`);
		let program: { programId: number; status: string } | undefined;
		if (req.programId !== undefined) {
			const found = /^\d+$/.test(req.programId) ? programById(Number(req.programId)) : undefined;
			if (!found) return invalid(`Program ${req.programId} not found`);
			if (!req.programMemberStatus)
				return invalid("Missing value for the required parameter 'programMemberStatus'");
			// Marketo documents no error for a status the program's channel lacks; this borrows the
			// nearest documented one, Change Lead Program Status's 1025.
			if (!statusesOf(found).some((st) => st.name === req.programMemberStatus))
				return { code: '1025', message: `Program status '${req.programMemberStatus}' not found` };
			program = { programId: found.id, status: req.programMemberStatus };
		}
		const lookupField = program ? 'email' : req.lookupField || 'email';
		if (!LOOKUP_FIELDS.includes(lookupField)) {
			return LEAD_FIELD_BY_LOWER_NAME.has(lookupField.toLowerCase())
				? { code: '1011', message: `Field '${lookupField}' not supported` }
				: { code: '1006', message: `Field '${lookupField}' not found` };
		}
		let listId: number | undefined;
		if (req.listId !== undefined && req.listId !== '') {
			if (!/^\d+$/.test(req.listId)) return invalid(`Invalid value for listId: '${req.listId}'`);
			listId = Number(req.listId);
		}
		const waiting = this.all().filter(
			(b) => b.status === 'Queued' || b.status === 'Importing',
		).length;
		if (waiting >= this.settings.queued) return { code: '1016', message: 'Too many imports' };
		const batchId = this.nextBatchId++;
		const batch: ImportBatch = {
			kind:
				req.objectApiName !== undefined ? 'customobjects' : program ? 'program/members' : 'leads',
			objectApiName: req.objectApiName,
			programId: program?.programId,
			programMemberStatus: program?.status,
			batchId,
			importId: String(batchId),
			status: 'Queued',
			format,
			lookupField,
			listId,
			partitionName: req.partitionName || undefined,
			createdAt: this.clock.nowMs(),
			text: req.file.toString('utf8').replace(/^\uFEFF/, ''),
			failures: '',
			warnings: '',
			leadIds: [],
		};
		this.batches.set(batchId, batch);
		// Picked up after the call returns, which therefore always says Queued.
		this.later(() => this.pump(), 0);
		return batch;
	}

	private later(fn: () => void, ms: number): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			fn();
		}, ms);
		this.timers.add(timer);
	}

	private pump(): void {
		let importing = this.all().filter((b) => b.status === 'Importing').length;
		const queued = this.all()
			.filter((b) => b.status === 'Queued')
			.sort((a, b) => a.batchId - b.batchId);
		for (const batch of queued) {
			if (importing >= this.settings.processing) break;
			importing++;
			batch.status = 'Importing';
			batch.startedAt = this.clock.nowMs();
			this.later(() => {
				this.process(batch);
				this.pump();
			}, this.settings.processingMs);
		}
	}

	/** A processed batch: its failures/warnings files (the header plus a reason column), counts and message. */
	private complete(
		batch: ImportBatch,
		headerAndDelimiter: string,
		escape: (value: string) => string,
		rows: {
			processed: number;
			failures: string[];
			warnings: string[];
			warningsMessage: boolean;
			/** What the message counts as members; default: the leads the batch touched. */
			members?: number;
		},
	): void {
		const { processed, failures, warnings } = rows;
		const headerLine = (name: string) => headerAndDelimiter + escape(name) + '\n';
		batch.failures = failures.length ? headerLine('Import Failure Reason') + failures.join('') : '';
		batch.warnings = warnings.length ? headerLine('Import Warning Reason') + warnings.join('') : '';
		batch.status = 'Complete';
		batch.finishedAt = this.clock.nowMs();
		batch.numOfLeadsProcessed = processed;
		batch.numOfRowsFailed = failures.length;
		batch.numOfRowsWithWarning = warnings.length;
		const members = rows.members ?? batch.leadIds.length;
		const imported = `${processed} records imported (${members} members)`;
		batch.message =
			failures.length > 0
				? `Import completed with errors, ${imported}, ${failures.length} failed`
				: warnings.length > 0 && rows.warningsMessage
					? `Import completed with warnings, ${imported}, ${warnings.length} with warnings`
					: `Import succeeded, ${imported}`;
	}

	private fail(batch: ImportBatch, message: string): void {
		batch.status = 'Failed';
		batch.message = message;
		batch.numOfLeadsProcessed = 0;
		batch.numOfRowsFailed = 0;
		batch.numOfRowsWithWarning = 0;
		batch.finishedAt = this.clock.nowMs();
	}

	/** Import SSV uses semicolons (the import documentation's third delimiter); a space also works. */
	private delimiterOf(batch: ImportBatch): string {
		if (batch.format === 'csv') return EXPORT_DELIMITERS.CSV;
		if (batch.format === 'tsv') return EXPORT_DELIMITERS.TSV;
		const firstLine = batch.text.split(/\r?\n/, 1)[0] ?? '';
		return firstLine.includes(';') ? ';' : ' ';
	}

	private process(batch: ImportBatch): void {
		const failure = this.faults.takeBatchFailure();
		if (failure !== undefined) return this.fail(batch, failure);
		if (batch.kind === 'program/members') return this.processMembers(batch);
		if (batch.kind === 'customobjects') return this.processCustomObjects(batch);
		const store = this.store();
		const d = this.delimiterOf(batch);
		const escape = makeEscaper(d);
		const records = parseDelimited(batch.text, d).filter((r) => r.raw !== '');
		if (records.length === 0) return this.fail(batch, 'Import file is empty');

		const header = records[0];
		const columns: LeadField[] = [];
		const unknown: string[] = [];
		for (const name of header.cells) {
			const field = LEAD_FIELD_BY_LOWER_NAME.get(name.trim().toLowerCase());
			if (field) columns.push(field);
			else unknown.push(name);
		}
		if (unknown.length)
			return this.fail(batch, unknown.map((u) => `Field '${u}' not found`).join('; '));
		const dup = columns.find((c, k) => columns.indexOf(c) !== k);
		if (dup) return this.fail(batch, `Duplicate field '${dup.name}' in header`);
		if (batch.partitionName !== undefined && !PARTITIONS.includes(batch.partitionName)) {
			return this.fail(batch, `Partition '${batch.partitionName}' not found`);
		}
		if (batch.listId !== undefined && !STATIC_LISTS.some((l) => l.id === batch.listId)) {
			return this.fail(batch, `Static list ${batch.listId} not found`);
		}

		const lookup = batch.lookupField;
		const lookupCol = columns.findIndex((c) => c.name === lookup);
		// Rows of this batch that touch the same lead are merged into one change.
		const changes: Array<{ id?: number; values: LeadValues }> = [];
		const byEmail = new Map<string, number>();
		const byId = new Map<number, number>();
		const failures: string[] = [];
		const warnings: string[] = [];
		let processed = 0;

		for (const rec of records.slice(1)) {
			const fail = (reason: string) => failures.push(rec.raw + d + escape(reason) + '\n');
			if (rec.cells.length !== columns.length) {
				fail(`1003 Invalid data: row has ${rec.cells.length} fields, header has ${columns.length}`);
				continue;
			}
			const key = lookupCol >= 0 ? rec.cells[lookupCol].trim() : '';
			if (!key) {
				fail(`1003 Value for lookup field '${lookup}' is missing`);
				continue;
			}
			let target: { index?: number; id?: number };
			if (lookup === 'id') {
				if (!INTEGER.test(key)) {
					fail(`1001 Invalid value '${key}'. Required of type 'integer'`);
					continue;
				}
				const id = Number(key);
				if (!byId.has(id) && !store.lead(id)) {
					fail('1004 Lead not found');
					continue;
				}
				target = { index: byId.get(id), id };
			} else {
				if (!EMAIL.test(key)) {
					fail(`1003 Invalid email address '${key}'`);
					continue;
				}
				const lower = key.toLowerCase();
				if (byEmail.has(lower)) target = { index: byEmail.get(lower) };
				else {
					const found = store.findLeadsByEmail(lower);
					if (found.length > 1) {
						fail('1007 Multiple leads match the lookup criteria');
						continue;
					}
					target = { id: found[0] };
				}
			}

			const values: LeadValues = {};
			const rowWarnings: string[] = [];
			columns.forEach((field, k) => {
				const v = rec.cells[k];
				if (v === '' || field.readOnly) return;
				if (!fitsType(field, v)) {
					rowWarnings.push(`1001 Invalid value '${v}'. Required of type '${field.dataType}'`);
					return;
				}
				values[field.name] = normalizeValue(field, v);
			});
			if (lookup === 'email') values.email = key;

			if (target.index !== undefined) Object.assign(changes[target.index].values, values);
			else {
				changes.push({ id: target.id, values });
				const index = changes.length - 1;
				if (lookup === 'id') byId.set(target.id!, index);
				else byEmail.set(key.toLowerCase(), index);
			}
			processed++;
			if (rowWarnings.length) warnings.push(rec.raw + d + escape(rowWarnings.join('; ')) + '\n');
		}

		batch.leadIds = store.applyImport(changes, Math.floor(this.clock.nowMs() / 1000), batch.listId);
		this.complete(batch, header.raw + d, escape, {
			processed,
			failures,
			warnings,
			warningsMessage: true,
		});
	}

	private processMembers(batch: ImportBatch): void {
		const store = this.store();
		const d = this.delimiterOf(batch);
		const escape = makeEscaper(d);
		const records = parseDelimited(batch.text, d).filter((r) => r.raw !== '');
		if (records.length === 0) return this.fail(batch, 'Import file is empty');
		const header = records[0];
		type Column = { lead?: LeadField; custom?: string; display: string };
		const columns: Column[] = [];
		const unknown: string[] = [];
		for (const name of header.cells) {
			const lower = name.trim().toLowerCase();
			const lead = LEAD_FIELD_BY_LOWER_NAME.get(lower);
			const custom = PM_CUSTOM_FIELDS.find((f) => f.name.toLowerCase() === lower);
			if (lead) columns.push({ lead, display: lead.displayName });
			else if (custom) columns.push({ custom: custom.name, display: custom.displayName });
			else unknown.push(name);
		}
		if (unknown.length)
			return this.fail(batch, unknown.map((u) => `Field '${u}' not found`).join('; '));
		const emailCol = columns.findIndex((c) => c.lead?.name === 'email');
		if (emailCol < 0) return this.fail(batch, "Missing required field 'email' in header");

		const changes: Array<{ id?: number; values: LeadValues }> = [];
		const customs: Array<Record<string, string>> = [];
		const byEmail = new Map<string, number>();
		const failures: string[] = [];
		const warnings: string[] = [];
		let processed = 0;
		for (const rec of records.slice(1)) {
			const fail = (reason: string) => failures.push(rec.raw + d + escape(reason) + '\n');
			if (rec.cells.length !== columns.length) {
				fail(`Invalid data: row has ${rec.cells.length} fields, header has ${columns.length}`);
				continue;
			}
			const email = rec.cells[emailCol].trim();
			if (!email) {
				fail('Missing value for email');
				continue;
			}
			const bad = columns.findIndex(
				(c, k) =>
					c.lead !== undefined &&
					c.lead.name !== 'email' &&
					!c.lead.readOnly &&
					rec.cells[k] !== '' &&
					!fitsType(c.lead, rec.cells[k]),
			);
			if (bad >= 0) {
				fail(`Invalid data type in field ${columns[bad].display}`);
				continue;
			}
			const lower = email.toLowerCase();
			let index = byEmail.get(lower);
			if (index === undefined) {
				const found = store.findLeadsByEmail(lower);
				if (found.length > 1) {
					fail('Multiple leads match the lookup criteria');
					continue;
				}
				changes.push({ id: found[0], values: {} });
				customs.push({});
				index = changes.length - 1;
				byEmail.set(lower, index);
			}
			const values = changes[index].values;
			columns.forEach((c, k) => {
				const v = rec.cells[k];
				if (v === '') return;
				if (c.custom) customs[index][c.custom] = v;
				else if (c.lead && !c.lead.readOnly) values[c.lead.name] = normalizeValue(c.lead, v);
			});
			values.email = email;
			processed++;
			if (!EMAIL.test(email)) warnings.push(rec.raw + d + escape('Invalid email address') + '\n');
		}
		const nowSec = Math.floor(this.clock.nowMs() / 1000);
		batch.leadIds = store.applyImport(changes, nowSec);
		batch.leadIds.forEach((id, k) =>
			store.members.upsert(batch.programId!, id, batch.programMemberStatus!, nowSec, customs[k]),
		);
		// Adobe documents no "completed with warnings" message for program member imports.
		this.complete(batch, header.raw + d, escape, {
			processed,
			failures,
			warnings,
			warningsMessage: false,
		});
	}

	/** Custom object rows are matched on the type's dedupe fields (customObjects.ts). */
	private processCustomObjects(batch: ImportBatch): void {
		const d = this.delimiterOf(batch);
		const escape = makeEscaper(d);
		const records = parseDelimited(batch.text, d).filter((r) => r.raw !== '');
		if (records.length === 0) return this.fail(batch, 'Import file is empty');
		const header = records[0];
		const rows = importCoRows(
			this.store(),
			coTypeOf(batch.objectApiName!)!,
			header.cells,
			records.slice(1),
			d,
			escape,
			Math.floor(this.clock.nowMs() / 1000),
		);
		// The page's own message: "Import succeeded, 3 records imported (3 members)".
		this.complete(batch, header.raw + d, escape, {
			...rows,
			members: rows.objects,
			warningsMessage: true,
		});
	}

	/** The batch as the status endpoint shows it. */
	view(b: ImportBatch): Record<string, unknown> {
		if (b.kind === 'customobjects') return this.coView(b);
		const v: Record<string, unknown> = {
			batchId: b.batchId,
			importId: b.importId,
			status: b.status,
		};
		if (b.status === 'Complete' || b.status === 'Failed') {
			v.numOfLeadsProcessed = b.numOfLeadsProcessed;
			v.numOfRowsFailed = b.numOfRowsFailed;
			v.numOfRowsWithWarning = b.numOfRowsWithWarning;
			v.message = b.message;
		}
		return v;
	}

	/** Get Import Custom Object Status: operation, objectApiName, numOfObjectsProcessed, importTime. */
	private coView(b: ImportBatch): Record<string, unknown> {
		const v: Record<string, unknown> = {
			batchId: b.batchId,
			operation: 'import',
			status: b.status,
			objectApiName: b.objectApiName,
		};
		if (b.status === 'Complete' || b.status === 'Failed') {
			v.numOfObjectsProcessed = b.numOfLeadsProcessed;
			v.numOfRowsFailed = b.numOfRowsFailed;
			v.numOfRowsWithWarning = b.numOfRowsWithWarning;
			const seconds = Math.round(((b.finishedAt ?? 0) - (b.startedAt ?? b.createdAt)) / 1000);
			v.importTime = `${seconds} second(s)`;
			v.message = b.message;
		}
		return v;
	}
}
