/**
 * Runs the Marketo emulator as a process: `npm run emulator -- --port 8080 --leads 100000`.
 * Prints what to paste into the n8n credential and runs until SIGINT/SIGTERM.
 */
import { DATA_RANGE, rangeUntilNow } from './dataRange';
import { startEmulator, type EmulatorOptions, type MarketoEmulator } from './index';

const USAGE = `Usage: npm run emulator -- [options]
  --port N                    listen on this port (default: a free one)
  --leads N                   number of synthetic leads (default 1000)
  --activities N              number of synthetic activities (default 2000)
  --status-refresh-seconds S  export status refreshes at most every S seconds (default 0; Marketo: 60)
  --processing-ms MS          time an export job or import batch spends processing (default 300)
  --export-processing-ms MS   ... export jobs only
  --import-processing-ms MS   ... import batches only
  --token-ttl S               access token lifetime in seconds (default 3600)
  --rate-limit CALLS/SECONDS  sliding-window rate limit (default 100/20)
  --max-concurrent N          requests in flight before 615 (default 10)
  --data-until-now            synthetic data dated 2026-01-01 .. now rather than .. 2026-06-30 (the tests rely on
                              the fixed range); the demo uses it so that the last days hold data too
  --daily-quota-bytes N       export bytes per day before 1029 (default 524288000)
  --disabled-filters A,B      lead export filters this "subscription" lacks (1035), e.g. updatedAt,smartListId
                              (updatedAt: lead, program member and custom object exports; programMembers.updatedAt
                              and customObjects.updatedAt: those only)
  --client-id ID              (default demo-client-id)
  --client-secret SECRET      (default demo-client-secret)
  --options JSON              emulator options as JSON, over what the flags above give (see EmulatorOptions in
                              test/emulator/index.ts); test/harness/emulator.ts passes its options this way
  --instances N               N separate Marketo instances (own port, data, jobs, tokens, faults), one block
                              printed each: tests that run many isolated cells at once, without a process each
  --exit-with-stdin           stop when stdin ends: a parent process that goes away takes the emulator with it

Program members: programs 3001-3006 (Default, Event with Webinar, Engagement, Event x2, Email) under
GET /rest/asset/v1/programs.json, program/{id}.json, program/byName.json; their channels and statuses under
GET /rest/asset/v1/channels.json; GET /rest/v1/programs/members/describe.json (and the singular twin);
bulk export under /bulk/v1/program/members/export/ (one queue and one daily quota with leads and activities)
and import under /bulk/v1/program/{id}/members/import.json, /bulk/v1/program/members/import/{batchId}/….
Memberships are seeded for the synthetic leads; POST /__emulator/program-members {programId, leadIds,
statusName?, at?} adds leads to a program or changes their status, GET ...?programId=N lists them.
Custom objects: car_c (dedupe vin, linked by leadID to the lead's id) and course_enrollment_c (dedupe
email+courseCode+term, linked by email) under GET /rest/v1/customobjects.json?names=… and
/rest/v1/customobjects/{apiName}/describe.json; bulk export under /bulk/v1/customobjects/{apiName}/export/
(the shared queue and quota; filters updatedAt, staticListId/Name, smartListId/Name) and import under
/bulk/v1/customobjects/{apiName}/import.json, …/import/{batchId}/status.json|failures.json|warnings.json
(404 when there is no such file). Records are seeded for the synthetic leads, dated over the data range;
POST /__emulator/custom-objects {apiName, records:[{field: value}], at?} creates or updates them by their
dedupe fields, GET ...?apiName=car_c lists them; POST /__emulator/count {kind:"customobjects/car_c", filter}.
Export jobs are visible only to the API user who created them; --options '{"otherUsers":[{"clientId":"b",
"clientSecret":"s"}]}' adds API users that share the instance's queues and limits.`;

function fail(message: string): never {
	console.error(`${message}\n\n${USAGE}`);
	process.exit(2);
}

function parseArgs(argv: string[]): EmulatorOptions & { instances: number } {
	const opts: EmulatorOptions = {};
	let instances = 1;
	let range = DATA_RANGE;
	const counts = { leads: 1000, activities: 2000 };
	let json: EmulatorOptions = {};
	for (let k = 0; k < argv.length; k++) {
		const flag = argv[k];
		if (flag === '--help' || flag === '-h') {
			console.log(USAGE);
			process.exit(0);
		}
		if (flag === '--data-until-now') {
			range = rangeUntilNow();
			continue;
		}
		if (flag === '--exit-with-stdin') continue; // read by main()
		const raw = argv[++k];
		if (raw === undefined) fail(`${flag} needs a value`);
		const num = (): number => {
			const n = Number(raw);
			if (!Number.isFinite(n) || n < 0) fail(`${flag} needs a non-negative number, got '${raw}'`);
			return n;
		};
		switch (flag) {
			case '--port':
				opts.port = num();
				break;
			case '--leads':
				counts.leads = num();
				break;
			case '--activities':
				counts.activities = num();
				break;
			case '--status-refresh-seconds':
				opts.statusRefreshSeconds = num();
				break;
			case '--processing-ms':
				opts.exportProcessingMs = num();
				opts.importProcessingMs = opts.exportProcessingMs;
				break;
			case '--export-processing-ms':
				opts.exportProcessingMs = num();
				break;
			case '--import-processing-ms':
				opts.importProcessingMs = num();
				break;
			case '--token-ttl':
				opts.tokenTtlSeconds = num();
				break;
			case '--rate-limit': {
				const m = /^(\d+)\/(\d+)$/.exec(raw);
				if (!m) fail(`--rate-limit needs CALLS/SECONDS, e.g. 100/20`);
				opts.rateLimit = { calls: Number(m[1]), windowSeconds: Number(m[2]) };
				break;
			}
			case '--max-concurrent':
				opts.maxConcurrent = num();
				break;
			case '--daily-quota-bytes':
				opts.dailyExportQuotaBytes = num();
				break;
			case '--disabled-filters':
				opts.disabledFilters = raw
					.split(',')
					.map((x) => x.trim())
					.filter(Boolean);
				break;
			case '--instances':
				instances = Math.max(1, Math.floor(num()));
				break;
			case '--client-id':
				opts.clientId = raw;
				break;
			case '--client-secret':
				opts.clientSecret = raw;
				break;
			case '--options':
				try {
					json = JSON.parse(raw) as EmulatorOptions;
				} catch {
					fail(`--options needs JSON, got '${raw}'`);
				}
				break;
			default:
				fail(`Unknown option ${flag}`);
		}
	}
	opts.leads = { count: counts.leads, ...range };
	opts.activities = { count: counts.activities, ...range };
	return { ...opts, ...json, instances };
}

async function main(): Promise<void> {
	const { instances, ...opts } = parseArgs(process.argv.slice(2));
	const emulators: MarketoEmulator[] = [];
	try {
		// with a fixed --port, the instances take the ports that follow it
		for (let k = 0; k < instances; k++)
			emulators.push(await startEmulator({ ...opts, port: opts.port ? opts.port + k : 0 }));
	} catch (e) {
		const err = e as NodeJS.ErrnoException;
		if (err.code === 'EADDRINUSE') {
			console.error(
				`Port ${opts.port} is already in use. Stop whatever listens there or pick another with --port.`,
			);
		} else if (err.code === 'EACCES') {
			console.error(
				`Not allowed to listen on port ${opts.port}. Pick a port above 1024 with --port.`,
			);
		} else {
			console.error(`Could not start the emulator: ${err.message}`);
		}
		process.exit(1);
	}
	for (const emulator of emulators) {
		console.log(`Marketo emulator listening on ${emulator.url}`);
		console.log('');
		console.log(`  REST endpoint (paste into the credential): ${emulator.url}/rest`);
		console.log(`  Client ID:                                  ${emulator.clientId}`);
		console.log(`  Client Secret:                              ${emulator.clientSecret}`);
		console.log('');
		console.log(
			`  Control API: ${emulator.url}/__emulator/counters, /__emulator/jobs, /__emulator/imports`,
		);
	}
	console.log('Press Ctrl+C to stop.');
	const stop = async (signal: string) => {
		console.log(`\n${signal} received, stopping.`);
		setTimeout(() => process.exit(0), 2000).unref(); // connections that do not close in time
		await Promise.all(emulators.map((emulator) => emulator.close()));
		process.exit(0);
	};
	process.once('SIGINT', () => void stop('SIGINT'));
	process.once('SIGTERM', () => void stop('SIGTERM'));
	if (process.argv.includes('--exit-with-stdin')) {
		process.stdin.once('end', () => void stop('end of stdin'));
		process.stdin.resume();
	}
}

void main();
