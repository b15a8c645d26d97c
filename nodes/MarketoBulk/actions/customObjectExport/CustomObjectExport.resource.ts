import type { INodeProperties } from 'n8n-workflow';

import {
	dateRangeFields,
	EXPORT_RESOURCE,
	exportResource,
	exportShow,
	listFilterField,
} from '../common.descriptions';
import {
	CUSTOM_OBJECT_FIELDS,
	CUSTOM_OBJECT_FILTER,
	CUSTOM_OBJECT_LOCATOR,
	shownWhere,
} from '../../descriptions/exportParameters';

const show = exportShow('customObjects');

// Every step but Get Quota Usage works on one object's jobs, so the object comes first.
const customObject: INodeProperties = {
	...CUSTOM_OBJECT_LOCATOR,
	displayOptions: {
		show: { resource: [EXPORT_RESOURCE.customObjects] },
		hide: { operation: ['getQuotaUsage'] },
	},
};

const [operations, ...rest] = exportResource('customObjects', [
	...shownWhere([CUSTOM_OBJECT_FIELDS, CUSTOM_OBJECT_FILTER], show),
	...dateRangeFields('customObjects', { filterType: ['updatedAt'] }, true),
	listFilterField('customObjects', 'static'),
	listFilterField('customObjects', 'smart'),
]);

export const description: INodeProperties[] = [operations, customObject, ...rest];
