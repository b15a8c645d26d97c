/**
 * The codec's error: a file that is not what Marketo writes, with the line of the problem. The codec
 * imports only its own modules, so this is not a `PackageError` (helpers/errors.ts), but carries a code
 * the same way; `helpers/nodeErrors.ts` turns either into an n8n error.
 */
export class CsvError extends Error {
	readonly code = 'CSV_MALFORMED';

	/** 1-based physical line of the problem. */
	line: number;

	constructor(line: number, message: string) {
		super(message);
		this.name = 'CsvError';
		this.line = line;
	}
}
