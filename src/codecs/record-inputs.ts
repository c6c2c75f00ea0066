/**
 * Input strings of the record writes (1.18–1.26, 1.45, 1.46, 1.48, 1.49) and of the DLL's ICD-10 codec
 * (5.1 / 5.2), validated before any card call: bad input is an InputError naming the field and the rule,
 * never the value. Layouts: docs/reference/card-functions.md. Where the manual does not say how a number
 * is padded (days, total) the choice is written next to it and listed there as uncertain.
 *
 * The decoders at the bottom are for the simulator, which must read what a HIS sends exactly as the DLL does.
 */
import {
  DISPENSING_CODES,
  ORDER_TYPES,
  type NewbornInput,
  type PrescriptionInput,
  type PreventiveCareInput,
  type VaccinationInput,
} from '../domain/types.ts';
import { RECORD } from '../ports/control-software.ts';
import { decodeBig5Field, encodeBig5Field } from './big5.ts';
import { padLeftZeros, padRight } from './fixed-width.ts';
import { InputError } from './input-error.ts';
import { OUTPATIENT_RX_LAYOUT, formatRecord, readRecord, type OutpatientRxFields } from './records.ts';
import { dateToRocDateTime, isoDateToRoc, validateRocDateTime13 } from './roc-date.ts';
import { validateDiagnosisCode } from './write-inputs.ts';

const RX = RECORD.outpatientPrescription;

// ---- prescriptions ----------------------------------------------------------------------------------------

/** Total: a positive decimal written without exponent in at most 7 characters. */
function formatTotal(total: number, field: string): string {
  if (typeof total !== 'number' || !Number.isFinite(total) || total <= 0) {
    throw new InputError(field, 'must be a positive number');
  }
  const text = String(total);
  if (!/^\d+(\.\d+)?$/.test(text) || text.length > 7) {
    throw new InputError(field, 'must be written in at most 7 characters (e.g. 21 or 10.5)');
  }
  return text;
}

function ascii(value: string | undefined, width: number, field: string): string {
  const text = value ?? '';
  if (typeof text !== 'string') throw new InputError(field, 'must be text');
  return padRight(text, width, field).trimEnd();
}

/** One prescription line → its stored fields (the visit time is the write call's). */
export function prescriptionFields(visitTimeRoc: string, input: PrescriptionInput, field: string): OutpatientRxFields {
  if (!Object.hasOwn(ORDER_TYPES, input.orderType)) {
    throw new InputError(`${field}.orderType`, `must be one of ${Object.keys(ORDER_TYPES).join(', ')}`);
  }
  if (typeof input.itemCode !== 'string' || !/^[A-Z0-9]{1,12}$/.test(input.itemCode)) {
    throw new InputError(`${field}.itemCode`, 'must be 1-12 upper-case letters or digits');
  }
  if (!Number.isInteger(input.days) || input.days < 0 || input.days > 99) {
    throw new InputError(`${field}.days`, 'must be a whole number from 0 to 99');
  }
  if (!Object.hasOwn(DISPENSING_CODES, input.dispensing)) {
    throw new InputError(`${field}.dispensing`, `must be one of ${Object.keys(DISPENSING_CODES).join(', ')}`);
  }
  return {
    visitTimeRoc,
    orderType: input.orderType,
    itemCode: input.itemCode,
    site: ascii(input.site, 6, `${field}.site`),
    usage: ascii(input.usage, 18, `${field}.usage`),
    // Days right-aligned and zero-padded (a choice: the manual does not say; see card-functions.md).
    days: padLeftZeros(input.days, 2, `${field}.days`),
    total: formatTotal(input.total, `${field}.total`),
    dispensing: input.dispensing,
  };
}

/**
 * 1.18 / 1.48 (one record) and 1.45 / 1.49 (n records): n × 61 characters and n. At most 60 per call, the
 * card's outpatient area.
 */
export function encodePrescriptionsInput(
  visitTimeRoc: string,
  prescriptions: readonly PrescriptionInput[],
): { readonly data: string; readonly count: number } {
  validateRocDateTime13(visitTimeRoc, 'visitTimeRoc');
  if (!Array.isArray(prescriptions) || prescriptions.length < 1 || prescriptions.length > RX.capacity) {
    throw new InputError('prescriptions', `must list 1 to ${RX.capacity} records (the card holds ${RX.capacity})`);
  }
  const data = prescriptions
    .map((p, i) => formatRecord(prescriptionFields(visitTimeRoc, p, `prescriptions[${i}]`), OUTPATIENT_RX_LAYOUT, `prescriptions[${i}]`))
    .join('');
  return { data, count: prescriptions.length };
}

/** Simulator: n × 61 characters back into records; InputError (→ 6018) when the length or a field is wrong. */
export function decodePrescriptionsInput(data: string, count: number): OutpatientRxFields[] {
  if (!Number.isInteger(count) || count < 1 || count > RX.capacity) throw new InputError('count', `1 to ${RX.capacity}`);
  if (data.length !== count * RX.size) throw new InputError('pDataWrite', `must be ${count} × ${RX.size} characters`);
  const bytes = Buffer.from(data, 'latin1');
  const out: OutpatientRxFields[] = [];
  for (let i = 0; i < count; i++) {
    const record = readRecord(bytes, OUTPATIENT_RX_LAYOUT, i);
    if (!record) throw new InputError(`pDataWrite[${i}]`, 'blank record');
    if (!Object.hasOwn(ORDER_TYPES, record.orderType)) throw new InputError(`pDataWrite[${i}].orderType`, 'unknown');
    out.push(record);
  }
  return out;
}

// ---- allergies --------------------------------------------------------------------------------------------

function allergyBytes(name: string, field: string): Uint8Array {
  if (typeof name !== 'string') throw new InputError(field, 'must be text');
  if (/[\x00-\x1f\x7f]/.test(name)) throw new InputError(field, 'must not contain control characters');
  // Big5 (inferred for allergy names, as for the cardholder's name); 造字 as PUA code points are kept.
  return encodeBig5Field(name.trim(), RECORD.allergy.size, field);
}

/** 1.20: up to 3 names → 120 bytes of Big5 (missing slots blank). */
export function encodeAllergiesInput(names: readonly string[]): Uint8Array {
  if (!Array.isArray(names) || names.length < 1 || names.length > RECORD.allergy.capacity) {
    throw new InputError('allergies', `must list 1 to ${RECORD.allergy.capacity} names (the card holds ${RECORD.allergy.capacity})`);
  }
  const out = new Uint8Array(RECORD.allergy.size * RECORD.allergy.capacity).fill(0x20);
  names.forEach((name, i) => {
    if (name.trim() === '') throw new InputError(`allergies[${i}]`, 'must not be blank');
    out.set(allergyBytes(name, `allergies[${i}]`), i * RECORD.allergy.size);
  });
  return out;
}

/** 1.46: one name (40 bytes) and its slot 1–3. */
export function encodeAllergySlotInput(slot: number, name: string): { readonly slot: number; readonly data: Uint8Array } {
  if (!Number.isInteger(slot) || slot < 1 || slot > RECORD.allergy.capacity) {
    throw new InputError('slot', `must be 1 to ${RECORD.allergy.capacity}`);
  }
  if (typeof name !== 'string' || name.trim() === '') throw new InputError('name', 'must not be blank');
  return { slot, data: allergyBytes(name, 'name') };
}

/** Simulator: 40-byte allergy slots back into Unicode names ('' for a blank slot). */
export function decodeAllergiesInput(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i * RECORD.allergy.size < bytes.length; i++) {
    out.push(decodeBig5Field(bytes.subarray(i * RECORD.allergy.size, (i + 1) * RECORD.allergy.size)).text);
  }
  return out;
}

// ---- newborn, organ donation, preventive care, phone, prenatal, vaccination -------------------------------

/** 1.19: newborn birth date (ROC 7) and birth order (1 digit). */
export function encodeNewbornInput(input: NewbornInput, now: Date): { readonly birthDateRoc: string; readonly birthOrder: string } {
  const birthDateRoc = isoDateToRoc(input.birthDate, 'birthDate');
  // Compared as ROC dates in Taiwan time: same width, so string order is date order.
  if (birthDateRoc > dateToRocDateTime(now).slice(0, 7)) {
    throw new InputError('birthDate', 'must not be in the future');
  }
  if (typeof input.birthOrder !== 'string' || !/^[1-9]$/.test(input.birthOrder)) {
    throw new InputError('birthOrder', 'must be one digit 1-9');
  }
  return { birthDateRoc, birthOrder: input.birthOrder };
}

/**
 * 1.21: the flag is one character; its values are not in any public source (see card-functions.md), so
 * only the form is checked: one upper-case letter or digit.
 */
export function validateOrganDonationFlag(flag: string): string {
  if (typeof flag !== 'string' || !/^[A-Z0-9]$/.test(flag)) throw new InputError('flag', 'must be one upper-case letter or digit');
  return flag;
}

function code2(value: string, field: string): string {
  if (typeof value !== 'string' || !/^[A-Z0-9]{2}$/.test(value)) throw new InputError(field, 'must be 2 upper-case letters or digits');
  return value;
}

/** 1.22: service item and item code, 2 characters each (the date comes from the reader, the hospital from the SAM). */
export function encodePreventiveCareInput(input: PreventiveCareInput): PreventiveCareInput {
  return { serviceItem: code2(input.serviceItem, 'serviceItem'), itemCode: code2(input.itemCode, 'itemCode') };
}

/** 1.24: prenatal check item code, 2 characters. */
export function validatePrenatalItemCode(itemCode: string): string {
  return code2(itemCode, 'itemCode');
}

/** 1.23: up to 14 characters: digits with optional + - ( ) # and spaces inside. */
export function validateEmergencyPhone(phone: string): string {
  if (typeof phone !== 'string' || !/^[0-9+(][0-9()#\- ]{0,12}[0-9]$/.test(phone)) {
    throw new InputError('emergencyPhone', 'must be 2-14 characters: digits, optionally with + - ( ) # and spaces');
  }
  return phone;
}

/** 1.26: vaccine type (≤ 6) and lot number (≤ 12). */
export function encodeVaccinationInput(input: VaccinationInput): VaccinationInput {
  if (typeof input.vaccineType !== 'string' || !/^[A-Za-z0-9-]{1,6}$/.test(input.vaccineType)) {
    throw new InputError('vaccineType', 'must be 1-6 letters, digits or -');
  }
  if (typeof input.lotNumber !== 'string' || !/^[\x21-\x7e]{1,12}$/.test(input.lotNumber)) {
    throw new InputError('lotNumber', 'must be 1-12 printable ASCII characters without spaces');
  }
  return { vaccineType: input.vaccineType, lotNumber: input.lotNumber };
}

// ---- 5.1 / 5.2 ICD-10 codec inputs ------------------------------------------------------------------------

/** First characters of a 5-character card form (押碼), per the manual's 5.2 page. */
export const ICD10_CARD_FORM_LEADS = '!"#$%&()*+:<>?@^{|}~';

/** 5.1 input: an ICD-10-CM code without the dot. */
export function validateIcd10EncodeInput(code: string): string {
  return validateDiagnosisCode(code, 'code');
}

/** 5.2 input: 5 printable characters starting with one of the card-form lead characters. */
export function validateIcd10CardForm(cardForm: string): string {
  if (typeof cardForm !== 'string' || !/^[\x21-\x7e]{5}$/.test(cardForm) || !ICD10_CARD_FORM_LEADS.includes(cardForm[0]!)) {
    throw new InputError('cardForm', `must be 5 printable characters starting with one of ${ICD10_CARD_FORM_LEADS}`);
  }
  return cardForm;
}

/** Whether a code needs the 5.1 card form in the default (5-character) layout: longer than 5, or E/V-initial. */
export function needsIcd10CardForm(code: string): boolean {
  return code.length > 5 || code.startsWith('E') || code.startsWith('V');
}
