/**
 * Peak resident memory of this process over a stretch of work. On Linux the kernel's own high-water
 * mark is used: writing 5 to /proc/self/clear_refs resets VmHWM, which then covers every page the work
 * touched, however briefly. Elsewhere RSS is sampled every few milliseconds (which can miss short peaks
 * and costs the measured process some CPU).
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface PeakMeter {
	/** RSS when the meter started, bytes. */
	baseline: number;
	stop(): { baseline: number; peak: number; growth: number; method: 'VmHWM' | 'sampled' };
}

function vmHwm(): number | undefined {
	try {
		const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
		return m ? Number(m[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}

function resetHwm(): boolean {
	try {
		writeFileSync('/proc/self/clear_refs', '5');
		return true;
	} catch {
		return false;
	}
}

export function startPeakMeter(sampleMs = 5): PeakMeter {
	(globalThis as { gc?: () => void }).gc?.();
	const baseline = process.memoryUsage().rss;
	const kernel = resetHwm() && vmHwm() !== undefined;
	let sampled = baseline;
	// Sampling costs CPU in the measured process: only where the kernel keeps no high-water mark.
	const timer = kernel
		? undefined
		: setInterval(() => {
				sampled = Math.max(sampled, process.memoryUsage.rss());
			}, sampleMs);
	timer?.unref();
	return {
		baseline,
		stop() {
			if (timer) clearInterval(timer);
			sampled = Math.max(sampled, process.memoryUsage.rss());
			const hwm = kernel ? vmHwm() : undefined;
			const peak = hwm !== undefined ? Math.max(hwm, sampled) : sampled;
			return {
				baseline,
				peak,
				growth: Math.max(0, peak - baseline),
				method: hwm !== undefined ? 'VmHWM' : 'sampled',
			};
		},
	};
}
