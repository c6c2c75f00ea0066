/**
 * Normalising client input before it reaches the card stack. Throws InputError naming the field.
 */
import { InputError } from '../src/codecs/input-error.ts';
import { isoDateTimeToRoc, rocDateTimeToIso } from '../src/codecs/roc-date.ts';

/** A visit time as the 13-digit ROC string the control software wants; accepts that or an ISO date-time. */
export function visitTimeToRoc(value: string, field: string): string {
  const trimmed = value.trim();
  if (/^\d{13}$/.test(trimmed)) {
    rocDateTimeToIso(trimmed, field);
    return trimmed;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) return isoDateTimeToRoc(trimmed, field);
  throw new InputError(field, 'must be a 13-digit ROC date-time (yyyMMddHHmmss) or an ISO 8601 date-time with offset');
}
