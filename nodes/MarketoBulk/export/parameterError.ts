import { PackageError } from '../helpers/errors';

/** Thrown for user mistakes found before any API call; the node turns it into a NodeOperationError. */
export class ExportParameterError extends PackageError {
	constructor(message: string) {
		super('EXPORT_PARAMETER', message);
	}
}

/** Multi-select values, comma-separated text or a JSON array from an expression, as a clean list. */
export function listOf(value: unknown): string[] {
	if (value === undefined || value === null || value === '') return [];
	const items = Array.isArray(value) ? value : String(value).split(',');
	return items.map((item) => String(item).trim()).filter((item) => item !== '');
}
