/**
 * Normalising client input before it reaches the card stack. Throws InputError naming the field.
 */
import { InputError } from '../src/codecs/input-error.ts';
import { assertNotFuture, isoDateTimeToRoc, rocDateTimeToIso } from '../src/codecs/roc-date.ts';

/**
 * A visit time as the 13-digit ROC string the control software wants; accepts that or an ISO date-time.
 * A visit time is never in the future (NHI rejects it; the briefing's sTreatDT rule).
 */
export function visitTimeToRoc(value: string, field: string, now: Date = new Date()): string {
  const trimmed = value.trim();
  let roc: string | null = null;
  if (/^\d{13}$/.test(trimmed)) {
    rocDateTimeToIso(trimmed, field);
    roc = trimmed;
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) {
    roc = isoDateTimeToRoc(trimmed, field);
  }
  if (roc !== null) {
    assertNotFuture(roc, now, field);
    return roc;
  }
  throw new InputError(field, 'must be a 13-digit ROC date-time (yyyMMddHHmmss) or an ISO 8601 date-time with offset');
}
