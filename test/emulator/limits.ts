/**
 * Marketo's two request limits: a sliding window of calls (606) and a cap on requests in flight (615).
 * The window runs on real time, not the emulator clock, so moving "now" never throttles anyone.
 */

export class RateLimiter {
	private calls: number[] = [];

	constructor(
		private readonly limit: number,
		private readonly windowMs: number,
	) {}

	/** Records a call and says whether it is allowed. A refused call does not use up the window. */
	admit(): boolean {
		const now = Date.now();
		while (this.calls.length && this.calls[0] <= now - this.windowMs) this.calls.shift();
		if (this.calls.length >= this.limit) return false;
		this.calls.push(now);
		return true;
	}

	reset(): void {
		this.calls = [];
	}
}

export class ConcurrencyGate {
	inFlight = 0;

	constructor(private readonly max: number) {}

	/** Takes a slot, or returns false when max requests are already in flight. */
	enter(): boolean {
		if (this.inFlight >= this.max) return false;
		this.inFlight++;
		return true;
	}

	leave(): void {
		if (this.inFlight > 0) this.inFlight--;
	}
}
