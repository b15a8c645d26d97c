import type { INodeProperties } from 'n8n-workflow';

import { dateRangeFields, exportResource, exportShow } from '../common.descriptions';
import { ACTIVITY_FIELDS, ACTIVITY_FILTERS, shownWhere } from '../../descriptions/exportParameters';

export const description: INodeProperties[] = exportResource('activities', [
	...dateRangeFields('activities', {}, true),
	...shownWhere([...ACTIVITY_FILTERS, ACTIVITY_FIELDS], exportShow('activities')),
]);
