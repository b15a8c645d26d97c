import {
	importableFields,
	type CustomObjectDescription,
	type CustomObjectField,
} from '../../../nodes/MarketoBulk/metadata/customObjects';

const field = (name: string, rest: Partial<CustomObjectField>): CustomObjectField => ({
	name,
	displayName: name,
	dataType: 'string',
	updateable: true,
	dedupe: false,
	link: false,
	...rest,
});

describe('importableFields', () => {
	it('keeps the dedupe and link fields even where the describe says they are not updateable', () => {
		const described: CustomObjectDescription = {
			apiName: 'car_c',
			displayName: 'Car',
			linkedToLead: true,
			dedupeFields: ['vin'],
			fields: [
				field('marketoGUID', { updateable: false }),
				field('vin', { updateable: false, dedupe: true }),
				field('leadID', { updateable: false, link: true, dataType: 'integer' }),
				field('make', {}),
				field('createdAt', { updateable: false, dataType: 'datetime' }),
			],
		};
		expect(importableFields(described).map((f) => f.name)).toEqual(['vin', 'leadID', 'make']);
	});
});
