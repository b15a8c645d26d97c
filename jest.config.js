/** Unit and integration tests (over HTTP against the Marketo emulator). End-to-end runs inside a real n8n
 * live in test/e2e and run through scripts/test-e2e.sh, not here. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'],
	transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
	testTimeout: 60_000,
};
