import { importResource } from '../import/descriptions';

/**
 * Program Member Import: the shared import operations (`actions/import/`) into one program, with one
 * membership status for every row.
 */
export const description = importResource('programMembers');
