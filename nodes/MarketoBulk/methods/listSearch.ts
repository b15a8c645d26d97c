import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { marketoRequest } from '../transport';

const PAGE_SIZE = 200;

/**
 * Marketo's asset listings page by offset and cannot search by part of a name, so each page is filtered
 * here; the pagination token is the next offset.
 */
async function searchAssets(
	ctx: ILoadOptionsFunctions,
	path: string,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const offset = Number(paginationToken ?? 0);
	const { result } = await marketoRequest<{ id: number; name: string }>(ctx, {
		method: 'GET',
		path,
		qs: { offset, maxReturn: PAGE_SIZE },
	});
	const needle = filter?.trim().toLowerCase();
	return {
		results: result
			.filter(
				(asset) =>
					!needle || asset.name.toLowerCase().includes(needle) || String(asset.id) === needle,
			)
			.map((asset) => ({ name: asset.name, value: String(asset.id) })),
		paginationToken: result.length === PAGE_SIZE ? String(offset + PAGE_SIZE) : undefined,
	};
}

export async function searchStaticLists(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchAssets(this, '/rest/asset/v1/staticLists.json', filter, paginationToken);
}

export async function searchSmartLists(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchAssets(this, '/rest/asset/v1/smartLists.json', filter, paginationToken);
}
