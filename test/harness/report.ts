/**
 * Steps of an e2e script: each prints one `PASS <scope> › <step> (time)` or `FAIL <scope> › <step>: why`
 * line; the script ends with `N passed, N failed` (scripts/test-e2e.sh adds those lines up).
 */

export class StepFailure extends Error {}

interface Timing {
	scope: string;
	step: string;
	ms: number;
	ok: boolean;
}

export class Report {
	passed = 0;
	failed = 0;
	readonly timings: Timing[] = [];

	/** Runs one step; on failure prints FAIL and throws StepFailure (the scope's later steps are skipped). */
	async step<T>(scope: string, name: string, fn: () => Promise<T> | T): Promise<T> {
		const started = Date.now();
		try {
			const value = await fn();
			const ms = Date.now() - started;
			this.passed++;
			this.timings.push({ scope, step: name, ms, ok: true });
			log(`PASS ${scope} › ${name} (${seconds(ms)})`);
			return value;
		} catch (error) {
			const ms = Date.now() - started;
			this.failed++;
			this.timings.push({ scope, step: name, ms, ok: false });
			const message = error instanceof Error ? error.message : String(error);
			log(`FAIL ${scope} › ${name} (${seconds(ms)}): ${indent(message)}`);
			throw new StepFailure(`${scope} › ${name}`);
		}
	}

	/** An indented line under the last step (a detail worth seeing in the output). */
	note(text: string): void {
		log(`     ${indent(text)}`);
	}

	/** Runs a scope's steps; a failed step ends the scope, not the script. */
	async scope(scope: string, fn: () => Promise<void>): Promise<void> {
		try {
			await fn();
		} catch (error) {
			if (error instanceof StepFailure) return;
			this.failed++;
			log(
				`FAIL ${scope} › (unexpected): ${indent(error instanceof Error ? (error.stack ?? error.message) : String(error))}`,
			);
		}
	}

	printTimings(): void {
		log('');
		log('timings:');
		for (const t of this.timings) {
			log(
				`  ${t.ok ? ' ' : '!'} ${`${t.scope} › ${t.step}`.padEnd(72)} ${seconds(t.ms).padStart(7)}`,
			);
		}
	}

	/** Prints the final line and returns the process exit code. */
	finish(): number {
		log('');
		log(`${this.passed} passed, ${this.failed} failed`);
		return this.failed === 0 && this.passed > 0 ? 0 : 1;
	}
}

function log(line: string): void {
	process.stdout.write(`${line}\n`);
}

function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}

function indent(text: string): string {
	return text.includes('\n') ? text.replace(/\n/g, '\n    ') : text;
}
