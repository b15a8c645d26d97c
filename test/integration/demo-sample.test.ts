/**
 * What a newcomer meets in the demo: the trigger example's Fetch Test Event, against the emulator the demo
 * starts (`--data-until-now`), returns records within seconds (it once waited 31 s, then found no leads
 * because the synthetic data ended months before today).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { IDataObject } from 'n8n-workflow';

import { MarketoBulkTrigger } from '../../nodes/MarketoBulk/MarketoBulkTrigger.node';
import { rangeUntilNow } from '../emulator/dataRange';
import { startHarness, type Harness } from '../helpers/setup';

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'trigger-new-leads.json');

let harness: Harness;

beforeAll(async () => {
	// the demo's emulator: the cli's defaults with --data-until-now
	harness = await startHarness({
		leads: { count: 1000, ...rangeUntilNow() },
		activities: { count: 2000, ...rangeUntilNow() },
	});
});
afterAll(async () => {
	await harness.emulator.close();
});

it("the trigger example's Fetch Test Event shows records within seconds", async () => {
	const workflow = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as {
		nodes: Array<{ type: string; parameters: IDataObject }>;
	};
	const node = workflow.nodes.find((n) => n.type.endsWith('.marketoBulkTrigger'))!;
	const test = harness.context(node.parameters, { staticData: {}, mode: 'manual' });
	const started = Date.now();
	const output = await new MarketoBulkTrigger().poll.call(test.context);
	const seconds = (Date.now() - started) / 1000;
	const records = output?.[0] ?? [];
	expect(records.length).toBeGreaterThan(0);
	expect(Object.keys(records[0].json)).toEqual(node.parameters.fields);
	expect(seconds).toBeLessThan(10);
}, 60_000);

it('a newly added trigger with its default options shows records within seconds too', async () => {
	// the defaults: Status Interval 60 s, Safety Lag 5 min; manual mode checks its sample job sooner
	const test = harness.context(
		{ event: 'newLeads', fields: ['id', 'email'], output: 'records' },
		{ staticData: {}, mode: 'manual' },
	);
	const started = Date.now();
	const output = await new MarketoBulkTrigger().poll.call(test.context);
	const seconds = (Date.now() - started) / 1000;
	expect((output?.[0] ?? []).length).toBeGreaterThan(0);
	expect(seconds).toBeLessThan(10);
}, 120_000);
