/**
 * The treatment-ID Web API's request body: exactly the briefing's fields and widths (docs/reference/webapi.md (Treatment-ID Web API),
 * (四)資料定義), validated before any network call. Every failure is a field-level `InputError` naming the
 * wire field (`sPatientId`, `sTreatDT`, …) and the rule — never the value (it may be an ID number).
 *
 * | field         | format | rule here                                                                  |
 * |---------------|--------|----------------------------------------------------------------------------|
 * | sSamid        | X(12)  | required: the SAM's 12-character card number (no SAM → refused here)       |
 * | sHospid       | X(10)  | required: 10 letters or digits                                             |
 * | sClientrandom | X(20)  | required: 20 printable characters (VPNGetRandomX)                          |
 * | sSignature    | X(512) | required: 512 hex digits (VPNH_SignX), valid 8 h                            |
 * | sCardType     | X(1)   | always "3" (SAM)                                                           |
 * | sCardId       | X(12)  | optional: the health card's number; "" when there is no card (assumption)  |
 * | sPatientId    | X(10)  | required: national ID or resident certificate, format and check digit      |
 * | sTreatDT      | X(13)  | required: ROC yyyMMddHHmmss, a real date-time, not later than now           |
 *
 * The optional sCardId is sent as an empty string rather than left out, so every request carries the same
 * eight keys; whether NHI prefers the key absent is not public (docs/reference/webapi.md (Treatment-ID Web API)).
 */
import type { WebApiTreatmentIdRequest } from '../../ports/webapi.ts';
import type { SamSignature } from '../../ports/signer.ts';
import { InputError } from '../../codecs/input-error.ts';
import { validateHospitalId, validateTaiwanId } from '../../codecs/write-inputs.ts';
import { assertNotFuture, validateRocDateTime13 } from '../../codecs/roc-date.ts';

export const WEB_API_FIELD_WIDTHS = {
  sSamid: 12,
  sHospid: 10,
  sClientrandom: 20,
  sSignature: 512,
  sCardType: 1,
  sCardId: 12,
  sPatientId: 10,
  sTreatDT: 13,
} as const;

export type WebApiField = keyof typeof WEB_API_FIELD_WIDTHS;

/** The JSON body, keys in the briefing's order and casing (docs/reference/webapi.md (Upload and download): send exactly the deck's casing). */
export interface TreatmentIdRequestBody {
  readonly sSamid: string;
  readonly sHospid: string;
  readonly sClientrandom: string;
  readonly sSignature: string;
  readonly sCardType: '3';
  readonly sCardId: string;
  readonly sPatientId: string;
  readonly sTreatDT: string;
}

/**
 * Validates the visit's fields (everything but the signature). Called before signing, so bad input never
 * costs a SAM signing or a network call.
 */
export function validateTreatmentIdRequest(request: WebApiTreatmentIdRequest, now: Date): void {
  validateTaiwanId(request.patientId, 'sPatientId');
  validateRocDateTime13(request.visitTimeRoc, 'sTreatDT');
  // 不能超過目前系統時間 (docs/reference/webapi.md (Treatment-ID Web API)); the same one-minute slack as every visit time in the gateway, for a
  // reader clock slightly ahead of the PC's.
  assertNotFuture(request.visitTimeRoc, now, 'sTreatDT');
  if (request.samId.trim() === '') {
    throw new InputError('sSamid', 'is required: no SAM card number (check that the SAM is inserted and authenticated)');
  }
  if (!/^[A-Za-z0-9]{12}$/.test(request.samId)) throw new InputError('sSamid', 'must be the SAM card number: 12 letters or digits');
  validateHospitalId(request.hospitalId, 'sHospid');
  if (request.cardId !== null && !/^[A-Za-z0-9]{12}$/.test(request.cardId)) {
    throw new InputError('sCardId', 'must be the health card number: 12 letters or digits');
  }
}

/** The full body, validated (the visit's fields again, and the signature's). */
export function buildTreatmentIdRequestBody(
  request: WebApiTreatmentIdRequest,
  signature: Pick<SamSignature, 'clientRandom' | 'signature'>,
  now: Date,
): TreatmentIdRequestBody {
  validateTreatmentIdRequest(request, now);
  if (!/^[\x21-\x7e]{20}$/.test(signature.clientRandom)) {
    throw new InputError('sClientrandom', 'must be the 20-character random from VPNGetRandomX');
  }
  if (!/^[0-9A-Fa-f]{512}$/.test(signature.signature)) {
    throw new InputError('sSignature', 'must be the 512-character hex signature from VPNH_SignX');
  }
  return {
    sSamid: request.samId,
    sHospid: request.hospitalId,
    sClientrandom: signature.clientRandom,
    sSignature: signature.signature,
    sCardType: '3',
    sCardId: request.cardId ?? '',
    sPatientId: request.patientId,
    sTreatDT: request.visitTimeRoc,
  };
}
