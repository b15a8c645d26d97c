/** A canvas subtitle: an expression that looks the value of `key` (an expression) up in `labels`. */
export function labelSubtitle(labels: Record<string, string>, key: string): string {
	return `={{ (${JSON.stringify(labels)})[${key}] || "" }}`;
}
