/**
 * A growable byte buffer that export rows are written into. Writing bytes directly, rather than building
 * JavaScript strings and encoding them, is what lets a large export stream at loopback speed.
 */
export class ByteSink {
	buf: Buffer;
	pos = 0;

	constructor(size: number) {
		this.buf = Buffer.allocUnsafe(size);
	}

	private grow(need: number): void {
		const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + need));
		this.buf.copy(next, 0, 0, this.pos);
		this.buf = next;
	}

	/** Writes a string known to be ASCII, one byte per character. */
	ascii(s: string): void {
		const n = s.length;
		if (this.pos + n > this.buf.length) this.grow(n);
		const b = this.buf;
		let p = this.pos;
		for (let k = 0; k < n; k++) b[p++] = s.charCodeAt(k);
		this.pos = p;
	}

	bytes(u: Uint8Array): void {
		const n = u.length;
		if (this.pos + n > this.buf.length) this.grow(n);
		if (n > 32) {
			this.buf.set(u, this.pos);
			this.pos += n;
		} else {
			const b = this.buf;
			let p = this.pos;
			for (let k = 0; k < n; k++) b[p++] = u[k];
			this.pos = p;
		}
	}

	/** Copies len bytes of src from start (a slice of a precomputed table). */
	copy(src: Uint8Array, start: number, len: number): void {
		if (this.pos + len > this.buf.length) this.grow(len);
		const b = this.buf;
		let p = this.pos;
		for (let k = start, end = start + len; k < end; k++) b[p++] = src[k];
		this.pos = p;
	}

	/** Writes an 11-byte `YYYY-MM-DDT` prefix and the 9-byte `HH:MM:SSZ` at `at` in `times`. */
	dateTime(prefix: Uint8Array, times: Uint8Array, at: number): void {
		if (this.pos + 20 > this.buf.length) this.grow(20);
		const b = this.buf;
		let p = this.pos;
		for (let k = 0; k < 11; k++) b[p++] = prefix[k];
		for (let k = at, end = at + 9; k < end; k++) b[p++] = times[k];
		this.pos = p;
	}

	/** Writes a non-negative integer's decimal digits without making a string. */
	uint(n: number): void {
		if (n > 0x7fffffff) return this.ascii(String(n));
		// Small integers: stay in 32-bit arithmetic, which is much faster than Math.floor on doubles.
		let len = 1;
		for (let x = n; x >= 10; x = (x / 10) | 0) len++;
		if (this.pos + len > this.buf.length) this.grow(len);
		const b = this.buf;
		let p = this.pos + len;
		this.pos = p;
		while (n >= 10) {
			const q = (n / 10) | 0;
			b[--p] = 48 + n - q * 10;
			n = q;
		}
		b[--p] = 48 + n;
	}

	/** Writes an integer's decimal digits, with a leading '-' when negative. */
	int(n: number): void {
		if (n < 0) {
			this.byte(45);
			n = -n;
		}
		this.uint(n);
	}

	byte(c: number): void {
		if (this.pos >= this.buf.length) this.grow(1);
		this.buf[this.pos++] = c;
	}

	utf8(s: string): void {
		const max = s.length * 3;
		if (this.pos + max > this.buf.length) this.grow(max);
		this.pos += this.buf.write(s, this.pos, 'utf8');
	}
}
