/** The machine a run happened on, for RESULTS.md. */
import * as os from 'node:os';

export interface Machine {
	cpus: string;
	cores: number;
	memory: string;
	node: string;
	os: string;
	/** 1, 5 and 15 minute load averages. */
	load: number[];
}

export function machine(): Machine {
	const cpus = os.cpus();
	return {
		cpus: cpus[0]?.model.trim() ?? 'unknown',
		cores: cpus.length,
		memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
		node: process.version,
		os: `${os.type()} ${os.release()} ${os.arch()}`,
		load: os.loadavg(),
	};
}

export const loadText = (load: number[]) => load.map((l) => l.toFixed(2)).join(', ');
