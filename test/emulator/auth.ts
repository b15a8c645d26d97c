/**
 * Marketo's identity service for the instance's API users (the main one, plus any `otherUsers`). Like
 * Marketo, it hands out the same access token to a user until that token expires, with expires_in
 * counting down; only then does it mint a new one. A token knows its user: export jobs are visible only
 * to the user who created them.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from './time';
import type { ApiError } from './types';

export const API_USER = 'api-user@example.com';

interface Token {
	value: string;
	expiresAt: number;
	clientId: string;
}

export interface IdentityAnswer {
	status: number;
	body: Record<string, unknown>;
}

export class TokenService {
	/** Each user's current token. */
	private readonly current = new Map<string, Token>();
	private readonly known = new Map<string, Token>();
	private readonly secrets: Map<string, string>;

	constructor(
		private readonly clock: Clock,
		readonly clientId: string,
		readonly clientSecret: string,
		private readonly ttlSeconds: number,
		otherUsers: Array<{ clientId: string; clientSecret: string }> = [],
	) {
		this.secrets = new Map([
			...otherUsers.map((u) => [u.clientId, u.clientSecret] as [string, string]),
			[clientId, clientSecret],
		]);
	}

	/** The client id (API user) a token was issued to. */
	userOf(token: string | undefined): string | undefined {
		return token === undefined ? undefined : this.known.get(token)?.clientId;
	}

	/** Answers `GET|POST /identity/oauth/token` for the given parameters. */
	issue(params: URLSearchParams): IdentityAnswer {
		const grant = params.get('grant_type');
		if (!grant)
			return {
				status: 400,
				body: { error: 'invalid_request', error_description: 'Missing grant type' },
			};
		if (grant !== 'client_credentials') {
			return {
				status: 400,
				body: {
					error: 'unsupported_grant_type',
					error_description: `Unsupported grant type: ${grant}`,
				},
			};
		}
		const id = params.get('client_id') ?? '';
		const secret = this.secrets.get(id);
		if (secret === undefined) {
			return {
				status: 401,
				body: { error: 'unauthorized', error_description: `No client with requested id: ${id}` },
			};
		}
		if (params.get('client_secret') !== secret) {
			return {
				status: 401,
				body: { error: 'invalid_client', error_description: 'Bad client credentials' },
			};
		}
		const now = this.clock.nowMs();
		let current = this.current.get(id);
		if (!current || current.expiresAt <= now) {
			// Marketo tokens look like a UUID followed by a short data-centre suffix.
			current = {
				value: `${randomUUID()}:ab`,
				expiresAt: now + this.ttlSeconds * 1000,
				clientId: id,
			};
			this.current.set(id, current);
			this.known.set(current.value, current);
			this.issued.push(current.value);
		}
		return {
			status: 200,
			body: {
				access_token: current.value,
				token_type: 'bearer',
				expires_in: Math.max(0, Math.floor((current.expiresAt - now) / 1000)),
				scope: API_USER,
			},
		};
	}

	/** Every token handed out since the emulator started (kept through resets): tests look for leaks. */
	readonly issued: string[] = [];

	/** The API error for this token, or undefined when it is good. */
	check(token: string | undefined): ApiError | undefined {
		if (!token) return { code: '600', message: 'Empty access token' };
		const t = this.known.get(token);
		if (!t) return { code: '601', message: 'Access token invalid' };
		if (t.expiresAt <= this.clock.nowMs()) return { code: '602', message: 'Access token expired' };
		return undefined;
	}

	expireAll(): void {
		const past = this.clock.nowMs() - 1;
		for (const t of this.known.values()) t.expiresAt = past;
	}

	invalidateAll(): void {
		this.known.clear();
		this.current.clear();
	}
}
