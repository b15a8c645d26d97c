/** The emulated instance's schema: lead fields, activity types and the assets they refer to. */

export type MarketoDataType =
	| 'string'
	| 'text'
	| 'integer'
	| 'float'
	| 'currency'
	| 'boolean'
	| 'date'
	| 'datetime'
	| 'email'
	| 'phone'
	| 'url'
	| 'reference';

export interface LeadField {
	id: number;
	name: string;
	displayName: string;
	soapName: string;
	dataType: MarketoDataType;
	length?: number;
	readOnly: boolean;
	crmManaged?: boolean;
}

const f = (
	id: number,
	name: string,
	displayName: string,
	dataType: MarketoDataType,
	extra: Partial<LeadField> = {},
): LeadField => ({
	id,
	name,
	displayName,
	soapName: name[0].toUpperCase() + name.slice(1),
	dataType,
	length: ['string', 'email', 'phone', 'url'].includes(dataType)
		? 255
		: dataType === 'text'
			? 65_535
			: undefined,
	readOnly: false,
	...extra,
});

export const LEAD_FIELDS: LeadField[] = [
	f(1, 'id', 'Id', 'integer', { readOnly: true, soapName: 'Id' }),
	f(2, 'email', 'Email Address', 'email'),
	f(3, 'firstName', 'First Name', 'string'),
	f(4, 'lastName', 'Last Name', 'string'),
	f(5, 'company', 'Company Name', 'string'),
	f(6, 'title', 'Job Title', 'string'),
	f(7, 'phone', 'Phone Number', 'phone'),
	f(8, 'address', 'Address', 'text'),
	f(9, 'city', 'City', 'string'),
	f(10, 'state', 'State', 'string'),
	f(11, 'postalCode', 'Postal Code', 'string'),
	f(12, 'country', 'Country', 'string'),
	f(13, 'website', 'Website', 'url'),
	f(14, 'leadScore', 'Lead Score', 'integer'),
	f(15, 'annualRevenue', 'Annual Revenue', 'currency', { crmManaged: true }),
	f(16, 'numberOfEmployees', 'Num Employees', 'integer', { crmManaged: true }),
	f(17, 'rating', 'Lead Rating', 'float'),
	f(18, 'unsubscribed', 'Unsubscribed', 'boolean'),
	f(19, 'doNotCall', 'Do Not Call', 'boolean'),
	f(20, 'birthDate', 'Date of Birth', 'date'),
	f(21, 'leadSource', 'Lead Source', 'string'),
	f(22, 'leadStatus', 'Lead Status', 'string'),
	f(23, 'externalCompanyId', 'External Company Id', 'string'),
	f(24, 'externalSalesPersonId', 'External Sales Person Id', 'string'),
	f(25, 'acquisitionProgramId', 'Acquisition Program Id', 'reference'),
	f(26, 'cookies', 'Cookies', 'string', { readOnly: true }),
	f(27, 'createdAt', 'Created At', 'datetime', { readOnly: true }),
	f(28, 'updatedAt', 'Updated At', 'datetime', { readOnly: true }),
];

export const LEAD_FIELD_BY_NAME = new Map(LEAD_FIELDS.map((x) => [x.name, x]));
/** Import headers are matched without regard to case (Marketo's own example uses `FirstName`). */
export const LEAD_FIELD_BY_LOWER_NAME = new Map(LEAD_FIELDS.map((x) => [x.name.toLowerCase(), x]));

/** Fields a bulk import may deduplicate on. */
export const LOOKUP_FIELDS = ['email', 'id'];

export type AssetGroup = 'leadField' | 'program' | 'staticList' | 'webForm';

export interface ActivityType {
	id: number;
	name: string;
	description: string;
	primaryAttribute?: { name: string; dataType: string };
	attributes: Array<{ name: string; dataType: string }>;
	/** Which asset group a primaryAttributeValue(Id)s filter on this type refers to. */
	group?: AssetGroup;
}

const attrs = (...pairs: Array<[string, string]>) =>
	pairs.map(([name, dataType]) => ({ name, dataType }));

export const ACTIVITY_TYPES: ActivityType[] = [
	{
		id: 1,
		name: 'Visit Webpage',
		description: 'User visits a web page',
		primaryAttribute: { name: 'Webpage ID', dataType: 'integer' },
		attributes: attrs(
			['Client IP Address', 'string'],
			['Query Parameters', 'string'],
			['Referrer URL', 'string'],
			['User Agent', 'string'],
			['Webpage URL', 'string'],
		),
	},
	{
		id: 2,
		name: 'Fill Out Form',
		description: 'User fills out and submits a form on web page',
		primaryAttribute: { name: 'Webform ID', dataType: 'integer' },
		attributes: attrs(
			['Client IP Address', 'string'],
			['Form Fields', 'text'],
			['Query Parameters', 'string'],
			['Referrer URL', 'string'],
			['Webpage ID', 'integer'],
		),
		group: 'webForm',
	},
	{
		id: 6,
		name: 'Send Email',
		description: 'Send Marketo Email to a person',
		primaryAttribute: { name: 'Mail ID', dataType: 'integer' },
		attributes: attrs(
			['Campaign Run ID', 'integer'],
			['Step ID', 'integer'],
			['Choice Number', 'integer'],
		),
	},
	{
		id: 7,
		name: 'Email Delivered',
		description: 'Marketo Email is delivered to a person',
		primaryAttribute: { name: 'Mail ID', dataType: 'integer' },
		attributes: attrs(
			['Campaign Run ID', 'integer'],
			['Step ID', 'integer'],
			['Choice Number', 'integer'],
		),
	},
	{
		id: 10,
		name: 'Open Email',
		description: 'User opens Marketo Email',
		primaryAttribute: { name: 'Mail ID', dataType: 'integer' },
		attributes: attrs(
			['Device', 'string'],
			['Is Mobile Device', 'boolean'],
			['Platform', 'string'],
			['User Agent', 'string'],
		),
	},
	{
		id: 11,
		name: 'Click Email',
		description: 'User clicks on a link in a Marketo Email',
		primaryAttribute: { name: 'Mail ID', dataType: 'integer' },
		attributes: attrs(
			['Link', 'string'],
			['Device', 'string'],
			['Is Mobile Device', 'boolean'],
			['Platform', 'string'],
		),
	},
	{
		id: 12,
		name: 'New Lead',
		description: 'New person/record is added to the lead database',
		attributes: attrs(
			['Source Type', 'string'],
			['Form Name', 'string'],
			['List Name', 'string'],
			['SFDC Type', 'string'],
		),
	},
	{
		id: 13,
		name: 'Change Data Value',
		description: 'Changed attribute value for a person',
		primaryAttribute: { name: 'Attribute Name', dataType: 'integer' },
		attributes: attrs(
			['New Value', 'text'],
			['Old Value', 'text'],
			['Reason', 'string'],
			['Source', 'string'],
		),
		group: 'leadField',
	},
	{
		id: 22,
		name: 'Change Score',
		description: 'Changed score value for a person',
		primaryAttribute: { name: 'Attribute Name', dataType: 'integer' },
		attributes: attrs(
			['Change Value', 'string'],
			['New Value', 'integer'],
			['Old Value', 'integer'],
			['Reason', 'string'],
		),
		group: 'leadField',
	},
	{
		id: 24,
		name: 'Add to List',
		description: 'Person is added to a list',
		primaryAttribute: { name: 'List ID', dataType: 'integer' },
		attributes: attrs(['Source', 'string']),
		group: 'staticList',
	},
	{
		id: 25,
		name: 'Remove from List',
		description: 'Person is removed from a list',
		primaryAttribute: { name: 'List ID', dataType: 'integer' },
		attributes: attrs(['Source', 'string']),
		group: 'staticList',
	},
	{
		id: 37,
		name: 'Delete Lead',
		description: 'Delete lead from Marketo',
		primaryAttribute: { name: 'Lead ID', dataType: 'integer' },
		attributes: attrs(['Remove from CRM', 'boolean']),
	},
	{
		id: 104,
		name: 'Change Status in Progression',
		description: 'Change a status in a program',
		primaryAttribute: { name: 'Program ID', dataType: 'integer' },
		attributes: attrs(
			['Acquired By', 'boolean'],
			['New Status ID', 'integer'],
			['Old Status ID', 'integer'],
			['Program Member ID', 'integer'],
			['Reason', 'string'],
			['Success', 'boolean'],
		),
		group: 'program',
	},
];

export const ACTIVITY_TYPE_BY_ID = new Map(ACTIVITY_TYPES.map((t) => [t.id, t]));

/** Bulk activity extract refuses this type: deleted leads have their own endpoint. */
export const DELETE_LEAD_TYPE_ID = 37;

export const ACTIVITY_FIELDS = [
	'marketoGUID',
	'leadId',
	'activityDate',
	'activityTypeId',
	'campaignId',
	'primaryAttributeValueId',
	'primaryAttributeValue',
	'attributes',
	'actionResult',
];
export const DEFAULT_ACTIVITY_FIELDS = ACTIVITY_FIELDS.slice(0, 8);

export interface NamedAsset {
	id: number;
	name: string;
	/** Program that holds the asset, if any: activity filters then name it `<Program>.<Asset>`. */
	program?: string;
}

/** `<Program>.<Asset>` as the activity extract filter and activity rows spell it. */
export const qualifiedName = (a: NamedAsset): string =>
	a.program ? a.program + '.' + a.name : a.name;

export const PROGRAMS: NamedAsset[] = [
	{ id: 3001, name: 'GL_OP_ALL_2026' },
	{ id: 3002, name: 'Webinar 2026-03 — Data, "Fast"' },
	{ id: 3003, name: 'Nurture: Onboarding' },
	{ id: 3004, name: 'Événement Paris 2026' },
	{ id: 3005, name: '東京 セミナー 2026' },
];

export const FORMS: NamedAsset[] = [
	{ id: 4001, name: 'MPS Outbound', program: 'GL_OP_ALL_2026' },
	{ id: 4002, name: 'Contact Us, Main' },
	{ id: 4003, name: 'Registration', program: 'Webinar 2026-03 — Data, "Fast"' },
	{ id: 4004, name: 'Téléchargement 📄', program: 'Événement Paris 2026' },
];

export const EMAILS: NamedAsset[] = [
	{ id: 5001, name: 'Invite', program: 'Webinar 2026-03 — Data, "Fast"' },
	{ id: 5002, name: 'Reminder, Day 1', program: 'Webinar 2026-03 — Data, "Fast"' },
	{ id: 5003, name: 'Welcome', program: 'Nurture: Onboarding' },
	{ id: 5004, name: 'ご案内メール', program: '東京 セミナー 2026' },
	{ id: 5005, name: 'Newsletter "Spring"' },
];

export const WEBPAGES: NamedAsset[] = [
	{ id: 6001, name: 'www.example.com/pricing' },
	{ id: 6002, name: 'www.example.com/blog/a,b,c?x="1"' },
	{ id: 6003, name: 'info.example.com/lp/webinar-2026-03.html' },
	{ id: 6004, name: 'www.example.com/ja/製品' },
];

export interface ListAsset extends NamedAsset {
	description: string;
	folder: { id: number; type: 'Folder' | 'Program' };
	createdAt: number;
	updatedAt: number;
	/** Base membership: lead ids divisible by this (0 = nobody). */
	modulus: number;
}

const STATIC_LIST_NAMES: Array<[string, string?]> = [
	['Webinar 2026-03 Attendees'],
	['Webinar 2026-03 Registrants'],
	['MPS Outbound', 'GL_OP_ALL_2026'],
	['Trade Show — Berlin 2026'],
	['Kunden München (Ä/Ö/Ü)'],
	['東京セミナー 参加者 🎉', '東京 セミナー 2026'],
	['Customers, "VIP"'],
	['Newsletter Subscribers'],
	['Churn Risk Q2'],
	['Product Beta Testers'],
	['Partners EMEA'],
	['Partners APAC'],
	['Event Follow-up 2026-04'],
	['Do Not Contact'],
	['Enterprise Accounts'],
	['SMB Accounts'],
	['Nurture Track A', 'Nurture: Onboarding'],
	['Nurture Track B', 'Nurture: Onboarding'],
	['Sales Accepted'],
	['MQL Backlog'],
	['Imported from CRM'],
	['Webinar 2026-05 Attendees'],
	['Conference Leads 2026'],
	['Test List'],
	['Empty List'],
];

const SMART_LIST_NAMES = [
	'All Leads with Email',
	'MQL - Last 30 Days',
	'Engaged, Not Converted',
	'Scoring: High "Hot" Leads',
	'Región: España',
	'中国 市场 线索',
	'Opened Any Email',
	'Visited Pricing Page',
	'Form Fills 2026',
	'Unsubscribed',
	'Bounced Emails',
	'Enterprise (1000+ Employees)',
	'SMB (< 50 Employees)',
	'Webinar No-Shows',
	'Webinar Attendees (All)',
	'Partners – All Regions',
	'Leads Missing Country',
	'Recently Updated',
	'Recently Created',
	'Top 100 Accounts',
	'Customers',
	'Prospects',
	'Re-engagement Candidates',
	'GDPR Consent Given',
	'Test Smart List',
];

const assetTime = (k: number) => Date.UTC(2025, 10, 1 + k, 9, 30, 0);

export const STATIC_LISTS: ListAsset[] = STATIC_LIST_NAMES.map(([name, program], k) => {
	const prog = PROGRAMS.find((p) => p.name === program);
	return {
		id: 1001 + k,
		name,
		program,
		description: k % 3 === 0 ? '' : `Static list ${k + 1}`,
		folder: prog ? { id: prog.id, type: 'Program' } : { id: 12 + (k % 4), type: 'Folder' },
		createdAt: assetTime(k),
		updatedAt: assetTime(k + 3),
		modulus: name === 'Empty List' ? 0 : k + 2,
	};
});

export const SMART_LISTS: ListAsset[] = SMART_LIST_NAMES.map((name, k) => ({
	id: 2001 + k,
	name,
	description: k % 4 === 1 ? '' : `Smart list ${k + 1}`,
	folder: { id: 40 + (k % 3), type: 'Folder' },
	createdAt: assetTime(k),
	updatedAt: assetTime(k + 5),
	// Smart list k holds the leads whose id leaves remainder 1 modulo k + 3.
	modulus: k + 3,
}));

export const PARTITIONS = ['Default', 'EMEA', 'APAC'];
