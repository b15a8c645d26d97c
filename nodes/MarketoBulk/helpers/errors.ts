/**
 * The package's own errors (the codec's, the import sources', the export parameters'): what went wrong, a
 * stable `code` to tell them apart, and what to do about it. They know nothing of n8n; the one adapter in
 * `helpers/nodeErrors.ts` turns them into n8n errors at the node's boundary.
 */
export class PackageError extends Error {
	readonly code: string;

	/** What to do about it, shown under the message. */
	readonly description?: string;

	/** What the failure means for the user's data, said after the message (e.g. "Nothing was sent"). */
	readonly consequence?: string;

	constructor(
		code: string,
		message: string,
		options: { description?: string; consequence?: string } = {},
	) {
		super(message);
		this.name = new.target.name;
		this.code = code;
		this.description = options.description;
		this.consequence = options.consequence;
	}
}
