/**
 * The reader's clock (1.34) and the ICD-10 codec (5.1, 5.2): reads without patient data.
 */
import type { GatewayServices } from '../../src/context.ts';
import { withInputNames } from '../input.ts';
import { InputError } from '../../src/codecs/input-error.ts';
import { recordsOf } from './records-port.ts';

export const readerClock = (s: GatewayServices) => recordsOf(s).readerClock();

export interface Icd10Mapping {
  readonly code: string;
  readonly cardForm: string;
}

/** Renames the codec's argument name to the GraphQL argument the client wrote. */
async function asArgument<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InputError) throw new InputError(name, error.rule);
    throw error;
  }
}

export async function icd10Encode(s: GatewayServices, code: string): Promise<Icd10Mapping> {
  const normalized = code.trim().toUpperCase().replace('.', '');
  const cardForm = await asArgument('code', () => recordsOf(s).icd10ToCardForm(normalized));
  return { code: normalized, cardForm };
}

export async function icd10Decode(s: GatewayServices, cardForm: string): Promise<Icd10Mapping> {
  const code = await asArgument('cardForm', () => withInputNames(() => recordsOf(s).icd10FromCardForm(cardForm)));
  return { code, cardForm };
}
