/**
 * Client input after the scalars have parsed it (schema/scalars.ts): the checks a scalar cannot make, and the
 * names an input error reports. Throws InputError naming the field as the client wrote it (`input.visitTime`).
 */
import { InputError } from '../src/codecs/input-error.ts';
import { assertNotFuture } from '../src/codecs/roc-date.ts';

/**
 * A visit time is never in the future (NHI rejects it; the briefing's sTreatDT rule). `roc` is the 13-digit
 * ROC form the DateTime scalar parsed.
 */
export function pastVisitTime(roc: string, field = 'input.visitTime', now: Date = new Date()): string {
  assertNotFuture(roc, now, field);
  return roc;
}

/** Codec and domain field names → the input fields a client wrote (`patientId` is the card stack's name). */
const API_NAMES: Readonly<Record<string, string>> = {
  patientId: 'idNumber',
  visitTimeRoc: 'visitTime',
};

/**
 * Runs `work`, renaming the field of an InputError it throws (synchronously or not) from the codec's name to
 * the client's: `patientId` → `input.idNumber`, `diagnoses[1]` → `input.diagnoses[1]`.
 */
export async function withInputNames<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InputError && !error.field.startsWith('input.')) {
      const head = /^[A-Za-z]+/.exec(error.field)?.[0] ?? '';
      const renamed = `input.${API_NAMES[head] ?? head}${error.field.slice(head.length)}`;
      throw new InputError(renamed, error.rule);
    }
    throw error;
  }
}
