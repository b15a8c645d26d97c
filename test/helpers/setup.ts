import { startEmulator, type EmulatorOptions, type MarketoEmulator } from '../emulator';
import {
	createContext,
	credentialStore,
	type ContextOptions,
	type CredentialStore,
	type TestContext,
} from './n8nContext';

/** An emulator per test file, plus a way to build node contexts whose credentials point at it. */
export interface Harness {
	emulator: MarketoEmulator;
	credentials: CredentialStore;
	context(parameters: ContextOptions['parameters'], extra?: Partial<ContextOptions>): TestContext;
}

export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
	const emulator = await startEmulator(options);
	const harness: Harness = {
		emulator,
		credentials: credentialStore(`${emulator.url}/rest`, emulator.clientId, emulator.clientSecret),
		context: (parameters, extra = {}) =>
			createContext({ credentials: harness.credentials, parameters, ...extra }),
	};
	return harness;
}

/** Counter value for an endpoint key such as 'POST /bulk/v1/leads/export/create.json'. */
export function count(emulator: MarketoEmulator, key: string): number {
	return emulator.counters()[key] ?? 0;
}
