/** The codec's error: a file that is not what Marketo writes, with the line of the problem. */

export class CsvError extends Error {
	/** 1-based physical line of the problem. */
	line: number;

	constructor(line: number, message: string) {
		super(message);
		this.name = 'CsvError';
		this.line = line;
	}
}
