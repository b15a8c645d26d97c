import { importResource } from '../import/descriptions';

/**
 * Custom Object Import: the shared import operations (`actions/import/`) into one custom object, whose
 * records Marketo creates or updates by the object's dedupe fields.
 */
export const description = importResource('customObjects');
