/**
 * Deterministic leads to import: the same items (and the same file) in every process and every run. Values
 * include what needs quoting in CSV (commas, double quotes, line breaks) and non-ASCII text.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const FIRST = ['Anna', 'José', 'Zoë', '美咲', 'Łukasz', 'Søren', 'Ngozi', 'Ольга', 'Chloé', 'Bob'];
const LAST = ['Smith', 'García', 'Müller', '佐藤', 'Nowak', "O'Brien", 'Dubois', 'Kowalski', 'Lee'];
const COMPANIES = [
	'Acme, Inc.',
	'Globex',
	'Initech',
	'Widgets "R" Us',
	'Umbrella Corp',
	'Stark Industries',
	'Café Olé S.A.',
];
const TITLES = ['CEO', 'VP, Marketing', 'Analyst', 'Head of Ops', 'Engineer', 'Sales Rep'];
const CITIES = ['Berlin', 'São Paulo', 'Tokyo', 'New York', 'Zürich', 'Paris', 'Kraków'];
const COUNTRIES = [
	'Germany',
	'Brazil',
	'Japan',
	'United States',
	'Switzerland',
	'France',
	'Poland',
];

export const IMPORT_FIELDS = [
	'email',
	'firstName',
	'lastName',
	'company',
	'title',
	'phone',
	'address',
	'city',
	'country',
	'leadScore',
];

export function lead(i: number): Record<string, string | number> {
	return {
		email: `import.${i}@example.com`,
		firstName: FIRST[i % FIRST.length],
		lastName: LAST[i % LAST.length],
		company: COMPANIES[i % COMPANIES.length],
		title: TITLES[i % TITLES.length],
		phone: `+1 555 ${String(i % 10_000).padStart(4, '0')}`,
		address: i % 10 === 0 ? `${i} Main St\nSuite ${i % 100}` : `${i} Main St`,
		city: CITIES[i % CITIES.length],
		country: COUNTRIES[i % COUNTRIES.length],
		leadScore: i % 100,
	};
}

export function leadItems(n: number): Array<{ json: Record<string, string | number> }> {
	const items = new Array(n);
	for (let i = 0; i < n; i++) items[i] = { json: lead(i) };
	return items;
}

const quote = (v: string | number) => {
	const s = String(v);
	return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Writes a CSV of leads of at least `bytes` bytes; returns its row count. */
export async function writeLeadFile(path: string, bytes: number): Promise<number> {
	const out = createWriteStream(path);
	let size = 0;
	let rows = 0;
	const write = async (text: string) => {
		size += Buffer.byteLength(text);
		if (!out.write(text)) await once(out, 'drain');
	};
	await write(IMPORT_FIELDS.join(',') + '\n');
	while (size < bytes) {
		let block = '';
		for (let k = 0; k < 1000; k++, rows++) {
			const l = lead(rows);
			block += IMPORT_FIELDS.map((f) => quote(l[f])).join(',') + '\n';
		}
		await write(block);
	}
	out.end();
	await once(out, 'finish');
	return rows;
}
