/** An Export ID parameter's value: a resource locator's, or the plain string of older workflows. */
export function exportIdValue(raw: unknown): string {
	const value = typeof raw === 'object' && raw !== null && 'value' in raw ? raw.value : raw;
	return String(value ?? '').trim();
}
