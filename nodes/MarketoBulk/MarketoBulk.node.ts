import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { customOperations } from './actions/router';
import { versionDescription } from './actions/versionDescription';
import { listSearch, loadOptions } from './methods';

export class MarketoBulk implements INodeType {
	description: INodeTypeDescription = versionDescription;

	methods = { loadOptions, listSearch };

	customOperations = customOperations;
}
