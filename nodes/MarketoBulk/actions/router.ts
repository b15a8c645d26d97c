import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import * as createJob from './export/createJob.operation';
import * as downloadFile from './export/downloadFile.operation';
import * as exportOperation from './export/export.operation';
import * as getQuotaUsage from './export/getQuotaUsage.operation';
import * as listJobs from './export/listJobs.operation';
import * as importCreateJob from './leadImport/createJob.operation';
import * as importGetFailures from './leadImport/getFailures.operation';
import * as importGetWarnings from './leadImport/getWarnings.operation';
import * as importOperation from './leadImport/import.operation';
import type { ExportKind } from '../export/request';

type Operation = (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;

/**
 * The operations that are more than one request run as n8n `customOperations` (List Jobs too: it pages);
 * the single-request steps (enqueue, status, cancel, import status) are declarative routing in the
 * descriptions. Lead and
 * activity exports share their operations; only the kind differs.
 */
function forKind(kind: ExportKind): Record<string, Operation> {
	return {
		export: function (this: IExecuteFunctions) {
			return exportOperation.execute.call(this, kind);
		},
		createJob: function (this: IExecuteFunctions) {
			return createJob.execute.call(this, kind);
		},
		downloadFile: function (this: IExecuteFunctions) {
			return downloadFile.execute.call(this, kind);
		},
		listJobs: function (this: IExecuteFunctions) {
			return listJobs.execute.call(this, kind);
		},
		getQuotaUsage: getQuotaUsage.execute,
	};
}

export const customOperations: Record<string, Record<string, Operation>> = {
	leadExport: forKind('leads'),
	activityExport: forKind('activities'),
	leadImport: {
		import: importOperation.execute,
		createJob: importCreateJob.execute,
		getFailures: importGetFailures.execute,
		getWarnings: importGetWarnings.execute,
	},
};
