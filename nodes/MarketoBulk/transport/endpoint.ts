/**
 * Users paste Marketo's REST endpoint in many shapes: `https://123-ABC-456.mktorest.com/rest`, the bare host,
 * with a trailing slash, sometimes without the scheme. Everything else (identity, REST, bulk) hangs off the
 * bare origin, so we reduce whatever was pasted to that origin once, here.
 */
export function marketoOrigin(restEndpoint: unknown): string {
	let text = typeof restEndpoint === 'string' ? restEndpoint.trim() : '';
	if (text === '') {
		throw new Error(
			'The REST endpoint is empty. Copy it from Marketo: Admin > Integration > Web Services > REST API (e.g. https://123-ABC-456.mktorest.com/rest).',
		);
	}
	if (!/^https?:\/\//i.test(text)) text = `https://${text}`;
	if (!URL.canParse(text)) {
		throw new Error(
			`"${restEndpoint}" is not a URL. The REST endpoint looks like https://123-ABC-456.mktorest.com/rest (Admin > Integration > Web Services).`,
		);
	}
	const url = new URL(text);
	const path = url.pathname.replace(/\/+$/, '');
	if (path !== '' && !/^\/(rest|identity|bulk)$/i.test(path)) {
		throw new Error(
			`The REST endpoint "${restEndpoint}" has an unexpected path "${url.pathname}". Use the endpoint as Marketo shows it, e.g. https://123-ABC-456.mktorest.com/rest.`,
		);
	}
	return `${url.protocol}//${url.host}`;
}
