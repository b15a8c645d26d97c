import { createJobBodies, buildExportSpec } from '../../../nodes/MarketoBulk/export/request';
import {
	applyProgramMemberFilter,
	programIdsOf,
} from '../../../nodes/MarketoBulk/export/memberFilter';
import { exportJobPath, exportJobsPath } from '../../../nodes/MarketoBulk/transport/paths';

/** export/memberFilter.ts: the Program Member export's filter, validated before any call. */

const entry = (value: string, mode = 'list') => ({ program: { __rl: true, mode, value } });

describe('programIdsOf', () => {
	it('reads the collection the editor saves, plain values and expressions, each program once', () => {
		expect(programIdsOf({ program: [entry('3002'), entry('3004', 'id'), entry('3002')] })).toEqual([
			3002, 3004,
		]);
		expect(programIdsOf({ program: [{ program: '3001, 3003' }] })).toEqual([3001, 3003]);
		expect(programIdsOf([3001, '3002'])).toEqual([3001, 3002]);
		expect(programIdsOf('3005')).toEqual([3005]);
		expect(programIdsOf({})).toEqual([]);
		expect(programIdsOf('')).toEqual([]);
	});

	it('refuses what is not a program ID', () => {
		expect(() => programIdsOf({ program: [entry('Webinar')] })).toThrow(
			/^"Webinar" is not a program ID \(a number\)/,
		);
	});
});

describe('applyProgramMemberFilter', () => {
	const apply = (parameters: Parameters<typeof applyProgramMemberFilter>[1]) => {
		const filter = {};
		const rangeKey = applyProgramMemberFilter(filter, parameters);
		return { filter, rangeKey };
	};

	it('one program is programId, several are programIds (at most 10)', () => {
		expect(apply({ programs: '3002' })).toEqual({
			filter: { programId: 3002 },
			rangeKey: undefined,
		});
		const ten = Array.from({ length: 10 }, (_, k) => String(4000 + k));
		expect(apply({ programs: ten }).filter).toEqual({ programIds: ten.map(Number) });
		expect(() => apply({ programs: [...ten, '5000'] })).toThrow(
			'Marketo exports the members of at most 10 programs per job; 11 were given.',
		);
		expect(() => apply({ programs: [] })).toThrow('Choose a program (Programs).');
	});

	it('adds status names, exhausted and cadence; Any adds nothing', () => {
		expect(
			apply({
				programs: '3003',
				statusNames: 'Member, Engaged, Member',
				isExhausted: 'false',
				nurtureCadence: 'paus',
				updatedAtFilter: true,
			}),
		).toEqual({
			filter: {
				programId: 3003,
				statusNames: ['Member', 'Engaged'],
				isExhausted: false,
				nurtureCadence: 'paus',
			},
			rangeKey: 'updatedAt',
		});
		expect(apply({ programs: '3003', isExhausted: 'any', nurtureCadence: 'any' }).filter).toEqual({
			programId: 3003,
		});
	});

	it("sends `paus` for the extract page's `pause` (an expression may use either)", () => {
		expect(apply({ programs: '3003', nurtureCadence: 'pause' }).filter).toMatchObject({
			nurtureCadence: 'paus',
		});
		expect(() => apply({ programs: '3003', nurtureCadence: 'slow' })).toThrow(/norm .* paus/);
	});
});

describe('a program member export spec', () => {
	it('splits an Updated At range into ≤ 31-day windows that share no second', () => {
		const spec = buildExportSpec(
			'programMembers',
			{
				fields: ['leadId'],
				programs: '3001',
				updatedAtFilter: true,
				startAt: '2026-01-01',
				endAt: '2026-03-01',
			},
			{ allowLongRange: true },
		);
		expect(createJobBodies(spec).map(({ body }) => body.filter)).toEqual([
			{
				programId: 3001,
				updatedAt: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-01-31T23:59:59Z' },
			},
			{
				programId: 3001,
				updatedAt: { startAt: '2026-02-01T00:00:00Z', endAt: '2026-02-28T23:59:59Z' },
			},
		]);
	});

	it('needs fields', () => {
		expect(() =>
			buildExportSpec('programMembers', { programs: '3001' }, { allowLongRange: true }),
		).toThrow('Choose at least one lead or program member field to export (Fields).');
	});

	it('leaves programId out of Fields for several programs: Marketo adds that column first itself', () => {
		const fields = ['programId', 'leadId', 'statusName'];
		const of = (programs: string) =>
			buildExportSpec('programMembers', { fields, programs }, { allowLongRange: true }).fields;
		expect(of('3001, 3002')).toEqual(['leadId', 'statusName']);
		expect(of('3001')).toEqual(fields);
	});

	it('has its paths under program/members', () => {
		expect(exportJobsPath('programMembers')).toBe('/bulk/v1/program/members/export');
		expect(exportJobPath('programMembers', 'abc', 'file')).toBe(
			'/bulk/v1/program/members/export/abc/file.json',
		);
		expect(exportJobsPath('leads')).toBe('/bulk/v1/leads/export');
	});
});
