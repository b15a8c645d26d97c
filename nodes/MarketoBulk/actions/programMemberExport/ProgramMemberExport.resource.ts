import type { INodeProperties } from 'n8n-workflow';

import { dateRangeFields, exportResource, exportShow } from '../common.descriptions';
import {
	PROGRAM_MEMBER_FIELDS,
	PROGRAM_MEMBER_FILTERS,
	shownWhere,
} from '../../descriptions/exportParameters';

const show = exportShow('programMembers');

export const description: INodeProperties[] = exportResource('programMembers', [
	...shownWhere([PROGRAM_MEMBER_FIELDS, ...PROGRAM_MEMBER_FILTERS], show),
	...dateRangeFields('programMembers', { updatedAtFilter: [true] }, true),
]);
