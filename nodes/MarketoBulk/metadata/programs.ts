import { marketoRequest, type MarketoContext } from '../transport';

/**
 * Programs and the membership statuses their channels give them, read from Marketo's asset API (Read-Only
 * Assets). Used by the status pickers, to explain a refused status name, and by Program Member Import to check its
 * status before any upload; an export itself never asks.
 */

const PAGE_SIZE = 200;

export interface ProgramStatuses {
	programId: number;
	/** Undefined when Marketo does not know the program. */
	name?: string;
	channel?: string;
	statuses: string[];
}

interface Channel {
	name: string;
	progressionStatuses?: Array<{ name: string; step?: number }>;
}

/** Every channel, page by page (offset + maxReturn; a short or empty page ends the list). */
export async function listChannels(ctx: MarketoContext): Promise<Channel[]> {
	const channels: Channel[] = [];
	for (let offset = 0; ; offset += PAGE_SIZE) {
		const { result } = await marketoRequest<Channel>(ctx, {
			method: 'GET',
			path: '/rest/asset/v1/channels.json',
			qs: { offset, maxReturn: PAGE_SIZE },
		});
		channels.push(...result);
		if (result.length < PAGE_SIZE) return channels;
	}
}

/** The status names of a channel, in the order a member progresses through them. */
export function statusNamesOf(channel: Channel | undefined): string[] {
	return [...(channel?.progressionStatuses ?? [])]
		.sort((a, b) => (a.step ?? 0) - (b.step ?? 0))
		.map((status) => status.name);
}

/** Each program's name, channel and statuses: one call per program, and one for the channels. */
export async function programStatuses(
	ctx: MarketoContext,
	programIds: number[],
): Promise<ProgramStatuses[]> {
	const programs = [];
	for (const programId of programIds) {
		const { result } = await marketoRequest<{ id: number; name?: string; channel?: string }>(ctx, {
			method: 'GET',
			path: `/rest/asset/v1/program/${programId}.json`,
		});
		programs.push({ programId, name: result[0]?.name, channel: result[0]?.channel });
	}
	const channels = await listChannels(ctx);
	return programs.map((program) => ({
		...program,
		statuses: statusNamesOf(channels.find((channel) => channel.name === program.channel)),
	}));
}
