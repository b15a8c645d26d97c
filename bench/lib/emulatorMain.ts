/**
 * The Marketo emulator as a process of its own, so that its CPU and memory are not counted in the
 * process being measured. Takes the emulator options as one JSON argument and prints `listening <url>`.
 * Control and counters go through the emulator's HTTP control API (/__emulator/).
 *
 *   npx ts-node --transpile-only bench/lib/emulatorMain.ts '{"leads":{"count":1000,...}}'
 */
import { startEmulator, type EmulatorOptions } from '../../test/emulator';

async function main(): Promise<void> {
	const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorOptions;
	const emulator = await startEmulator(options);
	process.stdout.write(`listening ${emulator.url}\n`);
	const stop = () => {
		void emulator.close().then(() => process.exit(0));
		setTimeout(() => process.exit(0), 2000).unref();
	};
	process.once('SIGTERM', stop);
	process.once('SIGINT', stop);
	// The parent going away (killed, crashed) takes the emulator with it.
	process.stdin.on('end', stop);
	process.stdin.resume();
}

main().catch((error) => {
	process.stderr.write(`${(error as Error).stack ?? error}\n`);
	process.exit(1);
});
