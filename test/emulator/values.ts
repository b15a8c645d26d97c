/** Whether an imported value fits its field's type, and how it is stored: shared by every import kind. */
import type { MarketoDataType } from './schema';

export const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const BOOLEAN = /^(true|false|yes|no|1|0)$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Whether a value fits a field's type; strings of any kind always do. */
export function fitsType(field: { dataType: MarketoDataType }, v: string): boolean {
	switch (field.dataType) {
		case 'integer':
		case 'reference':
			return INTEGER.test(v);
		case 'float':
		case 'currency':
			return DECIMAL.test(v);
		case 'boolean':
			return BOOLEAN.test(v);
		case 'date':
			return DATE.test(v) && !Number.isNaN(Date.parse(v));
		case 'datetime':
			return !Number.isNaN(Date.parse(v));
		case 'email':
			return EMAIL.test(v);
		default:
			return true;
	}
}

/** Booleans are stored as Marketo exports them. */
export function normalizeValue(field: { dataType: MarketoDataType }, v: string): string {
	if (field.dataType === 'boolean') return /^(true|yes|1)$/i.test(v) ? 'true' : 'false';
	return v;
}
