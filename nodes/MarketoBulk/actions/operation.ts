import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/** Hands output items to the router as they come: what an item emitted before it failed is kept. */
export type Emit = (items: INodeExecutionData[]) => void;

/**
 * One operation of the node, as the router runs it (`actions/router.ts`): `run` turns one input item into
 * output items, returned or emitted; the router loops over the items, pairs each output item that is not
 * paired yet with its input item, and applies Continue On Fail.
 */
export interface Operation {
	/**
	 * True when the operation takes all input items at once (Import from Input Items: one import of every
	 * item): the router calls `run` once, with item 0's index, and a failure pairs with every input item.
	 */
	runsOnce?(ctx: IExecuteFunctions): boolean;
	run(this: IExecuteFunctions, itemIndex: number, emit: Emit): Promise<INodeExecutionData[] | void>;
}
