import {
	buildExportSpec,
	exportFilterSpec,
	exportJobsOf,
	exportRange,
} from '../../nodes/MarketoBulk/export/request';

/**
 * export/request.ts validates an export in two parts: what it asks for (exportFilterSpec) and its dates
 * (exportRange). The trigger uses the first only: it sets each window itself.
 */

describe('exportFilterSpec: an export without its dates', () => {
	it('says which date range a filter needs, and reads no dates', () => {
		expect(exportFilterSpec('leads', { fields: 'id,email', filterType: 'updatedAt' })).toEqual({
			spec: { kind: 'leads', format: 'CSV', fields: ['id', 'email'], filter: {} },
			rangeKey: 'updatedAt',
		});
		expect(
			exportFilterSpec('leads', {
				fields: ['id'],
				filterType: 'staticList',
				staticList: { mode: 'id', value: '1001' },
			}),
		).toEqual({
			spec: { kind: 'leads', format: 'CSV', fields: ['id'], filter: { staticListId: 1001 } },
			rangeKey: undefined,
		});
		const { spec, rangeKey } = exportFilterSpec('activities', { activityTypeIds: [1, 2] });
		expect(rangeKey).toBe('createdAt');
		expect(spec.filter).toEqual({ activityTypeIds: [1, 2] });
		expect(spec.range).toBeUndefined();
	});

	it('rejects a filter as the node does', () => {
		expect(() => exportFilterSpec('leads', { fields: '' })).toThrow(
			'Choose at least one lead field to export (Fields).',
		);
		expect(() => exportFilterSpec('activities', { primaryAttributeFilter: 'ids' })).toThrow(
			'Enter at least one primary attribute value, or set Primary Attribute Filter to None.',
		);
	});
});

describe('exportRange: the dates', () => {
	const options = { timeZone: 'UTC', allowLongRange: false };

	it('reads End as not included', () => {
		expect(
			exportRange('leads', 'createdAt', { startAt: '2026-01-01', endAt: '2026-01-02' }, options),
		).toEqual({
			key: 'createdAt',
			start: new Date('2026-01-01T00:00:00Z'),
			end: new Date('2026-01-01T23:59:59.999Z'),
		});
	});

	it("words a missing date for the kind's filter", () => {
		expect(() => exportRange('activities', 'createdAt', { endAt: '2026-01-02' }, options)).toThrow(
			/^Activity exports need a date range: Start \(""\) is not a date/,
		);
		expect(() => exportRange('leads', 'updatedAt', { startAt: '2026-01-01' }, options)).toThrow(
			/^This filter needs a date range: End \(""\) is not a date/,
		);
	});

	it('holds one job to 31 days unless longer ranges are split', () => {
		const long = { startAt: '2026-01-01', endAt: '2026-03-01' };
		expect(() => exportRange('leads', 'createdAt', long, options)).toThrow(
			/^The date range is 59 days; one Marketo job covers at most 31 days/,
		);
		expect(
			exportRange('leads', 'createdAt', long, { ...options, allowLongRange: true }).start,
		).toEqual(new Date('2026-01-01T00:00:00Z'));
	});
});

describe('buildExportSpec: both', () => {
	it('adds the range to the filter spec', () => {
		const parameters = { fields: 'id', startAt: '2026-01-01', endAt: '2026-01-02' };
		expect(
			buildExportSpec('leads', parameters, { timeZone: 'UTC', allowLongRange: false }),
		).toEqual({
			...exportFilterSpec('leads', parameters).spec,
			range: exportRange('leads', 'createdAt', parameters, {
				timeZone: 'UTC',
				allowLongRange: false,
			}),
		});
	});
});

describe('custom object exports', () => {
	const car = { mode: 'list', value: 'car_c' };

	it('filter on Updated At unless told otherwise, or on the leads of a list; no fields means all', () => {
		expect(exportFilterSpec('customObjects', { customObject: car })).toEqual({
			spec: { kind: 'customObjects', customObject: 'car_c', format: 'CSV', fields: [], filter: {} },
			rangeKey: 'updatedAt',
		});
		const { spec, rangeKey } = exportFilterSpec('customObjects', {
			customObject: 'course_enrollment_c',
			fields: ['email', 'term'],
			filterType: 'smartList',
			smartList: { mode: 'name', value: 'All Customers' },
		});
		expect(rangeKey).toBeUndefined();
		expect(spec).toMatchObject({
			customObject: 'course_enrollment_c',
			fields: ['email', 'term'],
			filter: { smartListName: 'All Customers' },
		});
	});

	it('refuse a lead-only filter, no object and a name that is not an API name', () => {
		expect(() =>
			exportFilterSpec('customObjects', { customObject: car, filterType: 'createdAt' }),
		).toThrow(
			'Unknown filter "createdAt": a custom object export takes exactly one of Updated At, Static List or Smart List.',
		);
		expect(() =>
			exportFilterSpec('customObjects', { customObject: { mode: 'list', value: '' } }),
		).toThrow('Choose a custom object (Custom Object).');
		expect(() => exportFilterSpec('customObjects', { customObject: '../leads' })).toThrow(
			/^"..\/leads" is not a custom object API name/,
		);
	});

	it("name the object's jobs, and leave the other kinds' jobs the kind's", () => {
		expect(exportJobsOf('customObjects', car)).toEqual({ kind: 'customObjects', apiName: 'car_c' });
		expect(exportJobsOf('programMembers', car)).toBe('programMembers');
	});
});
