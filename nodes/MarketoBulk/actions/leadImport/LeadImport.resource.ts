import { importResource } from '../import/descriptions';

/** Lead Import: its operations are the shared import ones (`actions/import/`), for leads. */
export const description = importResource('leads');
