/**
 * The card's record functions (CardRecords, issue 14) as the resolvers reach them: through `cards.records`,
 * which is null on a backend without the control software (PC/SC). That case is a typed failure of the field.
 */
import type { GatewayServices } from '../../src/context.ts';
import type { CardholderRef, CardRecords } from '../../src/ports/card-stack.ts';
import { gatewayError } from '../../src/errors/gateway-codes.ts';

export function recordsOf(services: Pick<GatewayServices, 'cards'>): CardRecords {
  const records = services.cards.records;
  if (!records) throw gatewayError('NOT_SUPPORTED_BY_BACKEND');
  return records;
}

/** Client input of a cardholder (`idNumber`, `birthDate`) in the port's terms; the ID upper-cased like writeTreatment. */
export function cardholder(input: { readonly idNumber: string; readonly birthDate: string }): CardholderRef {
  return { patientId: input.idNumber.trim().toUpperCase(), birthDate: input.birthDate };
}

/** Without a key a request is still journaled; with one, a repeat returns the first result. */
export type Key = string | null | undefined;
