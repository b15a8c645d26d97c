/** Faults tests can inject. Each one is consumed when it fires, so a test arms exactly what it needs. */

export interface RequestFailure {
	httpStatus?: number;
	code?: string;
	message?: string;
	/** Drop the connection without an answer (the client sees ECONNRESET / "socket hang up"). */
	reset?: boolean;
	/**
	 * Answer at once (with `httpStatus`, or the error `code`) and close the connection without reading
	 * the request body, as a server does with a request it refuses at the door: a client still sending
	 * a large body sees `write EPIPE` or a reset rather than the answer.
	 */
	unread?: boolean;
	/** Take the request and never answer: not a byte, until `hangMs` passes or the emulator closes. */
	hang?: boolean;
	/**
	 * Answer normally, but stop after this many bytes of the response body and hold the connection
	 * open (until `hangMs` passes or the emulator closes): a body that stops arriving.
	 */
	stallAfterBytes?: number;
	/** How long `hang` and `stallAfterBytes` hold the connection before closing it. Default: forever. */
	hangMs?: number;
}

interface PendingFailure {
	match: string;
	remaining: number;
	failure: RequestFailure;
}

export class FaultState {
	private failures: PendingFailure[] = [];
	private drops: Array<{ bytes: number; remaining: number }> = [];
	private truncations: Array<{ bytes: number; remaining: number; contentLength: boolean }> = [];
	private jobFailures: string[] = [];
	private batchFailures: string[] = [];
	private corruptChecksums = 0;
	private cancels: Array<'Cancelled' | 'Canceled'> = [];
	private miscounts: number[] = [];
	private missingFiles = 0;
	stuckInQueue = false;
	throttleBps: number | null = null;

	reset(): void {
		this.failures = [];
		this.drops = [];
		this.truncations = [];
		this.jobFailures = [];
		this.batchFailures = [];
		this.corruptChecksums = 0;
		this.cancels = [];
		this.miscounts = [];
		this.missingFiles = 0;
		this.stuckInQueue = false;
		this.throttleBps = null;
	}

	/** Faults armed and not fired yet: a test checks its fault really met a request. */
	pending(): number {
		return (
			this.failures.reduce((sum, f) => sum + f.remaining, 0) +
			this.drops.reduce((sum, d) => sum + d.remaining, 0) +
			this.truncations.reduce((sum, t) => sum + t.remaining, 0) +
			this.jobFailures.length +
			this.batchFailures.length +
			this.cancels.length +
			this.miscounts.length +
			this.corruptChecksums +
			this.missingFiles
		);
	}

	failNext(match: string, count: number, failure: RequestFailure): void {
		if (count > 0) this.failures.push({ match, remaining: count, failure });
	}

	/**
	 * The failure armed for this request, if any. `match` is a substring of the path, or of
	 * 'METHOD path', tried against both the raw and the normalized (':id') path.
	 */
	takeRequestFailure(method: string, path: string, normalized: string): RequestFailure | undefined {
		const candidates = [path, `${method} ${path}`, normalized, `${method} ${normalized}`];
		const hit = this.failures.find((f) => candidates.some((c) => c.includes(f.match)));
		if (!hit) return undefined;
		if (--hit.remaining <= 0) this.failures.splice(this.failures.indexOf(hit), 1);
		return hit.failure;
	}

	dropFileAfterBytes(bytes: number, times = 1): void {
		if (times > 0) this.drops.push({ bytes, remaining: times });
	}

	/** Byte count after which this file response is cut, if a drop is armed. */
	takeDrop(): number | undefined {
		const d = this.drops[0];
		if (!d) return undefined;
		if (--d.remaining <= 0) this.drops.shift();
		return d.bytes;
	}

	/**
	 * The next `times` file responses end cleanly after `bytes` bytes of body: no connection error, the
	 * response is simply complete early. Chunked (the whole file's usual form) ends with its last chunk;
	 * with `contentLength` the response announces the short length (Content-Length, and for a Range
	 * request a Content-Range to match), as a server that believes the file is that long.
	 */
	truncateFileAfterBytes(bytes: number, times = 1, contentLength = false): void {
		if (times > 0) this.truncations.push({ bytes, remaining: times, contentLength });
	}

	/** Where this file response ends early, and whether it says so in its headers, if one is armed. */
	takeTruncation(): { bytes: number; contentLength: boolean } | undefined {
		const t = this.truncations[0];
		if (!t) return undefined;
		if (--t.remaining <= 0) this.truncations.shift();
		return { bytes: t.bytes, contentLength: t.contentLength };
	}

	failNextJob(message = 'Export failed due to an internal error'): void {
		this.jobFailures.push(message);
	}

	/** The next job to finish is cancelled instead, as by another user, its status spelled this way. */
	cancelNextJob(spelling: 'Cancelled' | 'Canceled' = 'Cancelled'): void {
		this.cancels.push(spelling);
	}

	takeCancel(): 'Cancelled' | 'Canceled' | undefined {
		return this.cancels.shift();
	}

	/** The next job to complete reports `delta` more records than its file holds. */
	miscountNextJob(delta: number): void {
		this.miscounts.push(delta);
	}

	takeMiscount(): number {
		return this.miscounts.shift() ?? 0;
	}

	takeJobFailure(): string | undefined {
		return this.jobFailures.shift();
	}

	/** The next import batch to be processed fails as a whole (status Failed) with this message. */
	failNextBatch(message = 'Import failed due to an internal error'): void {
		this.batchFailures.push(message);
	}

	takeBatchFailure(): string | undefined {
		return this.batchFailures.shift();
	}

	corruptNextChecksum(): void {
		this.corruptChecksums++;
	}

	takeCorruptChecksum(): boolean {
		if (this.corruptChecksums <= 0) return false;
		this.corruptChecksums--;
		return true;
	}

	completedFileMissing(): void {
		this.missingFiles++;
	}

	takeFileMissing(): boolean {
		if (this.missingFiles <= 0) return false;
		this.missingFiles--;
		return true;
	}
}
