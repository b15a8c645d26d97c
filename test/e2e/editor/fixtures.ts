/** Workflows the editor check imports besides the examples. */
import type { WorkflowFixture } from '../../harness/workflows';

export const PACKAGE = 'n8n-nodes-marketo-bulk';
export const CREDENTIAL_TYPE = 'marketoApi';

/** The node of the "every node" workflow behind each panel the check opens. */
export const PANELS = {
	leadExport: 'Lead Export',
	leadExportStaticList: 'Lead Export by Static List',
	activityExport: 'Activity Export',
	leadImport: 'Lead Import',
	leadImportManual: 'Lead Import, mapped manually',
	trigger: 'Marketo Bulk Trigger',
	triggerJobs: 'Export Job Completed',
	jobStatus: 'Get Job Status',
	downloadOldExportId: 'Download File, Export ID saved as text',
	importStatus: 'Get Import Status',
	programMemberExport: 'Program Member Export',
	programMemberExportTooMany: 'Program Member Export, 11 programs',
	programMemberImport: 'Program Member Import, mapped manually',
	triggerMembers: 'Program Member Changes',
	customObjectExport: 'Custom Object Export',
	customObjectImport: 'Custom Object Import, mapped manually',
	// not the event's name: the canvas subtitle check must not pass on the node's name
	triggerCustomObjects: 'Trigger on custom objects',
} as const;

/** Programs By ID, one more than Marketo takes in a job: refused before any call. */
export const TOO_MANY_PROGRAM_IDS = Array.from({ length: 11 }, (_, k) => String(3001 + k));

/** The Export ID a node saved before the picker holds as a plain string. */
export const OLD_EXPORT_ID = 'ce45a7a1-f19d-4ce2-882c-a3c795940a7d';

export const ALL_NODES_ID = 'e2eEditorAllNode';
export const UNKNOWN_NODE_ID = 'e2eEditorUnknown';

function node(
	n: number,
	name: string,
	type: string,
	position: [number, number],
	parameters: Record<string, unknown>,
	credential?: { id: string; name: string },
) {
	return {
		id: `e2e0ed17-0000-4000-8000-${String(n).padStart(12, '0')}`,
		name,
		type,
		typeVersion: 1,
		position,
		parameters,
		...(credential ? { credentials: { [CREDENTIAL_TYPE]: credential } } : {}),
	};
}

/** One node per resource (and the trigger), each with the credential. */
export function allNodesWorkflow(credential: { id: string; name: string }): WorkflowFixture {
	const bulk = `${PACKAGE}.marketoBulk`;
	return {
		id: ALL_NODES_ID,
		name: 'E2E editor: every Marketo Bulk panel',
		nodes: [
			node(1, 'Start', 'n8n-nodes-base.manualTrigger', [0, 0], {}),
			node(
				2,
				PANELS.leadExport,
				bulk,
				[260, 0],
				{
					resource: 'leadExport',
					operation: 'export',
					startAt: '2026-03-01T00:00:00Z',
					endAt: '2026-03-31T00:00:00Z',
				},
				credential,
			),
			node(
				3,
				PANELS.activityExport,
				bulk,
				[520, 0],
				{ resource: 'activityExport', operation: 'export' },
				credential,
			),
			node(
				4,
				PANELS.leadImport,
				bulk,
				[780, 0],
				{ resource: 'leadImport', operation: 'import' },
				credential,
			),
			node(
				5,
				PANELS.leadExportStaticList,
				bulk,
				[260, 240],
				{ resource: 'leadExport', operation: 'export', filterType: 'staticList' },
				credential,
			),
			node(
				8,
				PANELS.leadImportManual,
				bulk,
				[780, 240],
				{
					resource: 'leadImport',
					operation: 'import',
					columns: { mappingMode: 'defineBelow', value: {}, matchingColumns: [], schema: [] },
				},
				credential,
			),
			// the version that picks the Export ID, as a node added today
			{
				...node(
					9,
					PANELS.jobStatus,
					bulk,
					[1040, 0],
					{
						resource: 'leadExport',
						operation: 'getJobStatus',
						exportId: { __rl: true, mode: 'list', value: '' },
					},
					credential,
				),
				typeVersion: 1.1,
			},
			// version 1, saved before the picker
			node(
				10,
				PANELS.downloadOldExportId,
				bulk,
				[1040, 240],
				{ resource: 'activityExport', operation: 'downloadFile', exportId: OLD_EXPORT_ID },
				credential,
			),
			node(
				11,
				PANELS.importStatus,
				bulk,
				[1040, 480],
				{ resource: 'leadImport', operation: 'getImportStatus', batchId: '' },
				credential,
			),
			node(
				12,
				PANELS.programMemberExport,
				bulk,
				[1300, 0],
				{ resource: 'programMemberExport', operation: 'export' },
				credential,
			),
			node(
				13,
				PANELS.programMemberExportTooMany,
				bulk,
				// above the row: its connection from Start crosses no other node (n8n 2.x lets an edge take a click)
				[260, -240],
				{
					resource: 'programMemberExport',
					operation: 'export',
					programs: {
						program: TOO_MANY_PROGRAM_IDS.map((value) => ({
							program: { __rl: true, mode: 'id', value },
						})),
					},
					options: { pollIntervalSeconds: 1 },
				},
				credential,
			),
			node(
				14,
				PANELS.programMemberImport,
				bulk,
				[1300, 480],
				{
					resource: 'programMemberImport',
					operation: 'import',
					columns: { mappingMode: 'defineBelow', value: {}, matchingColumns: [], schema: [] },
				},
				credential,
			),
			node(
				15,
				PANELS.triggerMembers,
				`${PACKAGE}.marketoBulkTrigger`,
				[0, 720],
				{ event: 'programMemberChanges' },
				credential,
			),
			node(
				16,
				PANELS.customObjectExport,
				bulk,
				[520, 480],
				{ resource: 'customObjectExport', operation: 'export' },
				credential,
			),
			node(
				17,
				PANELS.customObjectImport,
				bulk,
				[780, 480],
				{
					resource: 'customObjectImport',
					operation: 'import',
					columns: { mappingMode: 'defineBelow', value: {}, matchingColumns: [], schema: [] },
				},
				credential,
			),
			node(
				18,
				PANELS.triggerCustomObjects,
				`${PACKAGE}.marketoBulkTrigger`,
				[260, 720],
				{ event: 'customObjectChanges' },
				credential,
			),
			node(
				6,
				PANELS.trigger,
				`${PACKAGE}.marketoBulkTrigger`,
				[0, 240],
				{ event: 'newLeads' },
				credential,
			),
			node(
				7,
				PANELS.triggerJobs,
				`${PACKAGE}.marketoBulkTrigger`,
				[0, 480],
				{ event: 'jobCompleted', jobOutput: 'file' },
				credential,
			),
		],
		connections: {
			// Execute step on the 11-program node runs Start, then it (not the other exports)
			Start: {
				main: [
					[
						{ node: PANELS.leadExport, type: 'main', index: 0 },
						{ node: PANELS.programMemberExportTooMany, type: 'main', index: 0 },
					],
				],
			},
			[PANELS.leadExport]: { main: [[{ node: PANELS.activityExport, type: 'main', index: 0 }]] },
			[PANELS.activityExport]: { main: [[{ node: PANELS.leadImport, type: 'main', index: 0 }]] },
		},
	};
}

export const BAD_CREDENTIALS_ID = 'e2eEditorBadCred';

/** Credentials whose REST Endpoint is wrong in the ways newcomers get it wrong, and what the test says. */
export const BAD_CREDENTIALS = {
	unreachable: { id: 'e2eCredUnreach01', name: 'Marketo (nothing listens there)' },
	noScheme: { id: 'e2eCredNoSchem01', name: 'Marketo (endpoint typed without http://)' },
} as const;

/** One node per bad credential (a job step: its panel loads nothing from Marketo). */
export function badCredentialsWorkflow(): WorkflowFixture {
	const step = { resource: 'leadImport', operation: 'getImportStatus', batchId: '1' };
	return {
		id: BAD_CREDENTIALS_ID,
		name: 'E2E editor: credentials with a wrong REST Endpoint',
		nodes: Object.values(BAD_CREDENTIALS).map((credential, k) =>
			node(k + 1, credential.name, `${PACKAGE}.marketoBulk`, [260 * k, 0], step, credential),
		),
		connections: {},
	};
}

/** A node type our package does not have: the checks must flag it (proves they can fail). */
export function unknownNodeWorkflow(): WorkflowFixture {
	return {
		id: UNKNOWN_NODE_ID,
		name: 'E2E editor: unknown node (control)',
		nodes: [
			node(1, 'Start', 'n8n-nodes-base.manualTrigger', [0, 0], {}),
			node(2, 'Not Installed', `${PACKAGE}.notARealNode`, [260, 0], {}),
		],
		connections: { Start: { main: [[{ node: 'Not Installed', type: 'main', index: 0 }]] } },
	};
}
