import type { INodeProperties } from 'n8n-workflow';

import {
	dateRangeFields,
	downloadOptions,
	exportIdField,
	exportOperations,
	exportRunFields,
	exportShow,
	fileShapeFields,
	listJobsFields,
} from '../common.descriptions';
import { ACTIVITY_FIELDS, ACTIVITY_FILTERS, shownWhere } from '../../descriptions/exportParameters';

export const description: INodeProperties[] = [
	exportOperations('activities'),
	exportIdField('activities'),
	...listJobsFields('activities'),
	...dateRangeFields('activities', {}, true),
	...shownWhere([...ACTIVITY_FILTERS, ACTIVITY_FIELDS], exportShow('activities')),
	...fileShapeFields('activities'),
	...exportRunFields('activities'),
	...downloadOptions('activities'),
];
