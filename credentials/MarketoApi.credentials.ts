import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';

import { requestAccessToken } from '../nodes/MarketoBulk/transport/identity';

export class MarketoApi implements ICredentialType {
	name = 'marketoApi';

	displayName = 'Marketo API';

	icon = { light: 'file:marketo.svg', dark: 'file:marketo.dark.svg' } as const;

	documentationUrl =
		'https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'REST Endpoint',
			name: 'restEndpoint',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://123-ABC-456.mktorest.com/rest',
			description:
				'From Marketo: Admin > Integration > Web Services > REST API. With or without the trailing /rest.',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			description:
				'From Marketo: Admin > Integration > LaunchPoint > your custom service > View Details',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			// Filled by preAuthentication and cached by n8n; emptied to force a new token.
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const accessToken = await requestAccessToken(this, credentials);
		return { accessToken };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.accessToken}}' },
		},
	};

	// preAuthentication has already proven the endpoint, ID and secret (with a message naming which one is
	// wrong); this call proves the token is accepted by the REST API and the API user may read leads.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ (/^https?:\\/\\//i.test($credentials.restEndpoint.trim()) ? "" : "https://") + $credentials.restEndpoint.trim().replace(/\\/+$/, "").replace(/\\/(rest|identity|bulk)$/i, "") }}',
			url: '/rest/v1/leads/describe2.json',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'success',
					value: false,
					message:
						'Marketo accepted the Client ID and Secret but refused a test call to the lead field list. Most often the API user\'s role lacks the "Read-Only Lead" (or "Read-Write Lead") permission (Admin > Users & Roles); it can also be the daily API call limit (607) or the rate limit (606): try again later. (The Static List and Smart List pickers and Add to Static List also need "Read-Only Assets".)',
				},
			},
		],
	};
}
