import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as activityExport from './activityExport/ActivityExport.resource';
import * as customObjectExport from './customObjectExport/CustomObjectExport.resource';
import * as customObjectImport from './customObjectImport/CustomObjectImport.resource';
import { labelSubtitle } from '../descriptions/subtitle';
import { EXPORT_ID_PICKER_VERSION, ONE_STEP, ONE_STEP_IMPORT } from './common.descriptions';
import * as leadExport from './leadExport/LeadExport.resource';
import * as leadImport from './leadImport/LeadImport.resource';
import * as programMemberExport from './programMemberExport/ProgramMemberExport.resource';
import * as programMemberImport from './programMemberImport/ProgramMemberImport.resource';

/** The node's versions: 1.1 picks the job steps' Export ID; new nodes take the latest. */
export const versions = [1, EXPORT_ID_PICKER_VERSION];

/** The node's parameters: the resource selector, then each resource's operations and fields. */
export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Activity Export', value: 'activityExport' },
			{ name: 'Custom Object Export', value: 'customObjectExport' },
			{ name: 'Custom Object Import', value: 'customObjectImport' },
			{ name: 'Lead Export', value: 'leadExport' },
			{ name: 'Lead Import', value: 'leadImport' },
			{ name: 'Program Member Export', value: 'programMemberExport' },
			{ name: 'Program Member Import', value: 'programMemberImport' },
		],
		default: 'leadExport',
	},
	...leadExport.description,
	...activityExport.description,
	...leadImport.description,
	...programMemberExport.description,
	...programMemberImport.description,
	...customObjectExport.description,
	...customObjectImport.description,
];

/**
 * The canvas subtitle: the chosen operation as the node panel words it ("Export leads", "Create a lead
 * export job") rather than the raw resource and operation values.
 */
export const subtitle = labelSubtitle(
	Object.fromEntries(
		properties
			.filter((p) => p.name === 'operation')
			.flatMap((p) =>
				(p.options as INodePropertyOptions[]).map((o) => [
					`${String(p.displayOptions?.show?.resource?.[0])}.${String(o.value)}`,
					(o.action ?? o.name).replace(ONE_STEP, '').replace(ONE_STEP_IMPORT, ''),
				]),
			),
	),
	'$parameter["resource"] + "." + $parameter["operation"]',
);
