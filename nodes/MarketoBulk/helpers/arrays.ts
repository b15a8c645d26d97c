/** Appends without spreading: `push(...items)` overflows V8's argument limit past ~100k items. */
export function appendAll<T>(target: T[], items: readonly T[]): void {
	for (const item of items) target.push(item);
}
