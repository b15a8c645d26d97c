/** Value typing: which JSON type a column's text becomes (integer, float, boolean, JSON or text). */

/** Typed record builder: which JSON type a column's text becomes. */
export type FieldKind = 'string' | 'integer' | 'float' | 'boolean' | 'json';

const K_STRING = 0;
const K_INTEGER = 1;
const K_FLOAT = 2;
const K_BOOLEAN = 3;
const K_JSON = 4;

function kindCode(kind: FieldKind | undefined): number {
	switch (kind) {
		case 'integer':
			return K_INTEGER;
		case 'float':
			return K_FLOAT;
		case 'boolean':
			return K_BOOLEAN;
		case 'json':
			return K_JSON;
		default:
			return K_STRING;
	}
}

/** Decimal integer text → number; anything else (or beyond 2^53) stays text, never NaN or rounded. */
function toInteger(v: string): string | number {
	const len = v.length;
	let i = 0;
	let c = v.charCodeAt(0);
	if (c === 45 || c === 43) i = 1; // '-' '+'
	if (i >= len) return v;
	for (; i < len; i++) {
		c = v.charCodeAt(i);
		if (c < 48 || c > 57) return v;
	}
	const num = Number(v);
	if (!Number.isSafeInteger(num)) return v;
	return num === 0 ? 0 : num; // no -0 from '-0'
}

/** Decimal number text (Java's '1.0E7' too) → number; Number() alone would accept '', ' ', '0x1f'. */
function toFloat(v: string): string | number {
	const len = v.length;
	let i = 0;
	let c = v.charCodeAt(0);
	if (c === 45 || c === 43) i++;
	let digits = 0;
	while (i < len && (c = v.charCodeAt(i)) >= 48 && c <= 57) {
		i++;
		digits++;
	}
	if (i < len && v.charCodeAt(i) === 46) {
		i++;
		while (i < len && (c = v.charCodeAt(i)) >= 48 && c <= 57) {
			i++;
			digits++;
		}
	}
	if (digits === 0) return v;
	if (i < len && (v.charCodeAt(i) | 32) === 101) {
		// 'e' or 'E'
		i++;
		if (i < len && ((c = v.charCodeAt(i)) === 45 || c === 43)) i++;
		let expDigits = 0;
		while (i < len && (c = v.charCodeAt(i)) >= 48 && c <= 57) {
			i++;
			expDigits++;
		}
		if (expDigits === 0) return v;
	}
	if (i !== len) return v;
	const num = Number(v);
	return Number.isFinite(num) ? num : v;
}

function toBoolean(v: string): string | boolean {
	if (v === 'true' || v === '1') return true;
	if (v === 'false' || v === '0') return false;
	const lower = v.length === 4 || v.length === 5 ? v.toLowerCase() : v;
	if (lower === 'true') return true;
	if (lower === 'false') return false;
	return v;
}

function toJson(v: string): unknown {
	const c = v.charCodeAt(0);
	if (c !== 123 && c !== 91) return v; // only objects and arrays: '12' in a JSON column stays text
	try {
		return JSON.parse(v);
	} catch {
		return v; // a cut-off or hand-edited attribute cell: keep the text rather than fail the file
	}
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setKey(o: Record<string, unknown>, key: string, value: unknown): void {
	// An assignment to '__proto__' would change the record's prototype instead of adding a field.
	if (key === '__proto__') {
		Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
	} else {
		o[key] = value;
	}
}

function flattenInto(o: Record<string, unknown>, prefix: string, value: Record<string, unknown>) {
	for (const k of Object.keys(value)) {
		const v = value[k];
		if (isPlainObject(v)) flattenInto(o, prefix + '.' + k, v);
		else setKey(o, prefix + '.' + k, v);
	}
}

/**
 * Builds records from values: the null literal (already null) stays null, integer/float/boolean/json
 * columns are typed per `kinds` (unlisted columns stay text). Text that does not parse as its kind is
 * kept as text, never NaN; an empty value in a typed column becomes null (there is no number in it).
 * Booleans accept 'true'/'false' and the '1'/'0' Marketo writes for some fields. With `flattenJson`,
 * a JSON object cell such as attributes {"a":{"b":1}} becomes the field 'attributes.a.b'.
 * Missing trailing values become null so every record has every header key.
 */
export function recordBuilder(
	header: string[],
	kinds: Record<string, FieldKind>,
	options: { flattenJson?: boolean } = {},
): (values: Array<string | null>) => Record<string, unknown> {
	const width = header.length;
	const keys = header.slice();
	const codes = new Uint8Array(width);
	let typed = false;
	for (let i = 0; i < width; i++) {
		const kind = Object.prototype.hasOwnProperty.call(kinds, keys[i]) ? kinds[keys[i]] : undefined;
		codes[i] = kindCode(kind);
		if (codes[i] !== K_STRING) typed = true;
	}
	const flatten = options.flattenJson === true;
	const unsafeKey = keys.includes('__proto__');

	if (!typed && !unsafeKey) {
		// Text only (the default for decodeRecords): no per-value type dispatch.
		return (values) => {
			const o: Record<string, unknown> = {};
			for (let i = 0; i < width; i++) o[keys[i]] = i < values.length ? values[i] : null;
			return o;
		};
	}

	return (values) => {
		const o: Record<string, unknown> = {};
		for (let i = 0; i < width; i++) {
			const v = i < values.length ? values[i] : null;
			const code = codes[i];
			let out: unknown = v;
			if (v !== null && code !== K_STRING) {
				if (v === '') out = null;
				else if (code === K_INTEGER) out = toInteger(v);
				else if (code === K_FLOAT) out = toFloat(v);
				else if (code === K_BOOLEAN) out = toBoolean(v);
				else {
					out = toJson(v);
					if (flatten && isPlainObject(out)) {
						flattenInto(o, keys[i], out);
						continue;
					}
				}
			}
			if (unsafeKey) setKey(o, keys[i], out);
			else o[keys[i]] = out;
		}
		return o;
	};
}
