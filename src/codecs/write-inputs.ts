/**
 * Input strings of the card-write APIs (docs/reference/buffers.md (Write inputs)) and validators for the values passed to the DLL.
 *
 * Encoders turn a `TreatmentWrite` into the pDataWrite strings of 1.16 / 1.17 / 1.47 (without the trailing
 * NUL: the adapter adds it). Decoders read those strings back for the simulator, which stores what the
 * gateway wrote.
 */
import type { TreatmentCategoryCode, TreatmentFees, TreatmentWrite } from '../domain/types.ts';
import { TREATMENT_CATEGORIES } from '../domain/types.ts';
import { padLeftZeros, padRight, trimPadding } from './fixed-width.ts';
import { InputError } from './input-error.ts';

export { validateRocDate, validateRocDateTime13 } from './roc-date.ts';

/**
 * docs/reference/buffers.md (1.8 / 1.33 / 1.50; Write inputs): the original layout has ICD-9-width 5-character slots; the ICD-10-CM layout brackets 7-character
 * slots. The DLL tells them apart by the string's length.
 */
export type DiagnosisLayout = 'default' | 'icd10';

const MAX_DIAGNOSES = 6;
const DEFAULT_CODE_WIDTH = 5;
const ICD10_CODE_WIDTH = 7;
const ICD10_SLOT_WIDTH = ICD10_CODE_WIDTH + 2;
const LATE_CARD_FLAG_WIDTH = 1;

/** docs/reference/buffers.md (1.16): flag + 6 × 5 = 31, flag + 6 × 9 = 55. */
export const TREATMENT_CODE_LENGTH = {
  default: LATE_CARD_FLAG_WIDTH + MAX_DIAGNOSES * DEFAULT_CODE_WIDTH,
  icd10: LATE_CARD_FLAG_WIDTH + MAX_DIAGNOSES * ICD10_SLOT_WIDTH,
} as const satisfies Record<DiagnosisLayout, number>;

/** docs/reference/buffers.md (1.17) fee block, in order. */
const FEE_FIELDS = [
  { key: 'outpatientFee', width: 8 },
  { key: 'outpatientCopay', width: 8 },
  { key: 'inpatientFee', width: 8 },
  { key: 'inpatientCopayShortStay', width: 7 },
  { key: 'inpatientCopayLongStay', width: 7 },
] as const satisfies readonly { key: keyof TreatmentFees; width: number }[];

export const FEE_BLOCK_LENGTH = FEE_FIELDS.reduce((sum, f) => sum + f.width, 0);

/** docs/reference/buffers.md (1.47): the 1.16 layout followed by the fee block (69 / 93). */
export const TREATMENT_DATA_LENGTH = {
  default: TREATMENT_CODE_LENGTH.default + FEE_BLOCK_LENGTH,
  icd10: TREATMENT_CODE_LENGTH.icd10 + FEE_BLOCK_LENGTH,
} as const satisfies Record<DiagnosisLayout, number>;

/**
 * 補卡註記. docs/reference/buffers.md (Code lists) gives cTreatAfterCheck as '1' normal / '2' late card, and the write APIs' flag (docs/reference/buffers.md (Write inputs)) is the
 * same card field, so we write '1' / '2'. CONFLICT: NHI's own ICD-10 example passes '0' for "normal"; the
 * decoder therefore treats everything except '2' as not late.
 */
const LATE_CARD_FLAG = '2';
const NORMAL_CARD_FLAG = '1';

export function lateCardFlag(lateCard: boolean): string {
  return lateCard ? LATE_CARD_FLAG : NORMAL_CARD_FLAG;
}

// ---------------------------------------------------------------------------------------------------------
// Diagnoses
// ---------------------------------------------------------------------------------------------------------

/** ICD-10-CM without the dot: a letter, a digit, then 1–5 letters or digits (3–7 characters). */
const ICD10_CM_CODE = /^[A-Z][0-9][A-Z0-9]{1,5}$/;

/** Checks one ICD-10-CM code; `field` is e.g. `diagnoses[2]`. */
export function validateDiagnosisCode(code: string, field: string): string {
  if (code.includes('.')) throw new InputError(field, 'write the code without the dot');
  if (!ICD10_CM_CODE.test(code)) {
    throw new InputError(field, 'must be an ICD-10-CM code: an upper-case letter, a digit, then 1-5 letters or digits');
  }
  return code;
}

/**
 * Checks the diagnosis list for a layout. In the default layout a code must fit 5 characters, and an
 * E- or V-initial code would be read as an ICD-9 E/V code: both need the ICD-10 layout (or the DLL's 5.1
 * 押碼 conversion, which is not a codec's job).
 */
export function validateDiagnoses(diagnoses: readonly string[], layout: DiagnosisLayout): readonly string[] {
  if (diagnoses.length < 1 || diagnoses.length > MAX_DIAGNOSES) {
    throw new InputError('diagnoses', `must list 1 to ${MAX_DIAGNOSES} codes`);
  }
  diagnoses.forEach((code, i) => {
    const field = `diagnoses[${i}]`;
    validateDiagnosisCode(code, field);
    if (layout === 'default') {
      if (code.length > DEFAULT_CODE_WIDTH) {
        throw new InputError(field, `longer than ${DEFAULT_CODE_WIDTH} characters: needs the ICD-10 layout`);
      }
      if (code.startsWith('E') || code.startsWith('V')) {
        throw new InputError(field, 'E and V codes are ambiguous with ICD-9 in the default layout: needs the ICD-10 layout');
      }
    }
  });
  return diagnoses;
}

function encodeDiagnosisSlots(diagnoses: readonly string[], layout: DiagnosisLayout): string {
  const slots = Array.from({ length: MAX_DIAGNOSES }, (_, i) => diagnoses[i] ?? '');
  if (layout === 'default') {
    // docs/reference/buffers.md (1.16) default: left-aligned, space-padded 5-character slots.
    return slots.map((code, i) => padRight(code, DEFAULT_CODE_WIDTH, `diagnoses[${i}]`)).join('');
  }
  // docs/reference/buffers.md (1.16) ICD-10: '[' + code left-aligned in 7 + ']' (S3 Ex4-1 `[G44201 ]`). Unused slots keep their
  // brackets (inferred: the source shows only filled slots) so every slot is self-delimiting.
  return slots.map((code, i) => `[${padRight(code, ICD10_CODE_WIDTH, `diagnoses[${i}]`)}]`).join('');
}

/** docs/reference/buffers.md (1.16) hisWriteTreatmentCode pDataWrite: 31 characters (default) or 55 (ICD-10). */
export function encodeTreatmentCodeInput(write: TreatmentWrite, layout: DiagnosisLayout): string {
  validateDiagnoses(write.diagnoses, layout);
  return lateCardFlag(write.lateCard) + encodeDiagnosisSlots(write.diagnoses, layout);
}

// ---------------------------------------------------------------------------------------------------------
// Fees
// ---------------------------------------------------------------------------------------------------------

/**
 * docs/reference/buffers.md (1.17) fee block, 38 characters. CONFLICT: the spec says left-aligned and space-padded, but S4 (a
 * production clinic system) sends right-aligned zero-padded digits, and a zero-padded amount cannot be
 * misread whichever way the DLL parses it. We follow S4; the decoder accepts both.
 */
export function encodeFeeInput(fees: TreatmentFees): string {
  return FEE_FIELDS.map(({ key, width }) => padLeftZeros(fees[key], width, `fees.${key}`)).join('');
}

/** docs/reference/buffers.md (1.47) hisWriteTreatmentData pDataWrite: 1.16 layout + fee block, 69 (default) or 93 (ICD-10). */
export function encodeTreatmentDataInput(write: TreatmentWrite, layout: DiagnosisLayout): string {
  if (!write.fees) throw new InputError('fees', 'required when writing diagnoses and fees together');
  const fees = encodeFeeInput(write.fees);
  return encodeTreatmentCodeInput(write, layout) + fees;
}

// ---------------------------------------------------------------------------------------------------------
// Decoders (simulator)
// ---------------------------------------------------------------------------------------------------------

export interface DecodedTreatmentCode {
  readonly layout: DiagnosisLayout;
  readonly lateCard: boolean;
  /** Filled slots in order; blank slots are skipped. */
  readonly diagnoses: readonly string[];
}

export interface DecodedTreatmentData extends DecodedTreatmentCode {
  readonly fees: TreatmentFees;
}

function layoutOfTreatmentCode(length: number): DiagnosisLayout | null {
  if (length === TREATMENT_CODE_LENGTH.default) return 'default';
  if (length === TREATMENT_CODE_LENGTH.icd10) return 'icd10';
  return null;
}

function decodeDiagnosisSlots(slotsText: string, layout: DiagnosisLayout, field: string): string[] {
  const codes: string[] = [];
  const slotWidth = layout === 'default' ? DEFAULT_CODE_WIDTH : ICD10_SLOT_WIDTH;
  for (let i = 0; i < MAX_DIAGNOSES; i++) {
    const slot = slotsText.slice(i * slotWidth, (i + 1) * slotWidth);
    let code = slot;
    if (layout === 'icd10' && slot.trim() !== '') {
      if (!slot.startsWith('[') || !slot.endsWith(']')) {
        throw new InputError(field, `diagnosis slot ${i + 1} must be '[' + 7 characters + ']'`);
      }
      code = slot.slice(1, -1);
    }
    code = trimPadding(code);
    if (code !== '') codes.push(code);
  }
  return codes;
}

/** Reads a docs/reference/buffers.md (1.16) pDataWrite back; the layout follows from the length (31 / 55). */
export function decodeTreatmentCodeInput(data: string): DecodedTreatmentCode {
  const layout = layoutOfTreatmentCode(data.length);
  if (!layout) {
    throw new InputError(
      'pDataWrite',
      `must be ${TREATMENT_CODE_LENGTH.default} or ${TREATMENT_CODE_LENGTH.icd10} characters`,
    );
  }
  return {
    layout,
    lateCard: data.charAt(0) === LATE_CARD_FLAG,
    diagnoses: decodeDiagnosisSlots(data.slice(LATE_CARD_FLAG_WIDTH), layout, 'pDataWrite'),
  };
}

/** Reads a docs/reference/buffers.md (1.17) fee block back; blank fields are 0, both zero- and space-padded digits are accepted. */
export function decodeFeeInput(data: string): TreatmentFees {
  if (data.length !== FEE_BLOCK_LENGTH) {
    throw new InputError('pDataWrite', `must be ${FEE_BLOCK_LENGTH} characters`);
  }
  const fees: Partial<Record<keyof TreatmentFees, number>> = {};
  let offset = 0;
  for (const { key, width } of FEE_FIELDS) {
    const digits = trimPadding(data.slice(offset, offset + width));
    if (!/^\d*$/.test(digits)) throw new InputError(`fees.${key}`, 'must be digits');
    fees[key] = digits === '' ? 0 : Number(digits);
    offset += width;
  }
  return fees as TreatmentFees;
}

/** Reads a docs/reference/buffers.md (1.47) pDataWrite back; the layout follows from the length (69 / 93). */
export function decodeTreatmentDataInput(data: string): DecodedTreatmentData {
  const codeLength =
    data.length === TREATMENT_DATA_LENGTH.default
      ? TREATMENT_CODE_LENGTH.default
      : data.length === TREATMENT_DATA_LENGTH.icd10
        ? TREATMENT_CODE_LENGTH.icd10
        : null;
  if (codeLength === null) {
    throw new InputError(
      'pDataWrite',
      `must be ${TREATMENT_DATA_LENGTH.default} or ${TREATMENT_DATA_LENGTH.icd10} characters`,
    );
  }
  return {
    ...decodeTreatmentCodeInput(data.slice(0, codeLength)),
    fees: decodeFeeInput(data.slice(codeLength)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Validators for values passed to the DLL
// ---------------------------------------------------------------------------------------------------------

/**
 * Letter values of the Taiwan ID checksum. Not alphabetical: I, O, W, X, Y, Z were added after the
 * original series, hence 34, 35, 32, 30, 31, 33.
 */
const ID_LETTER_VALUE: Readonly<Record<string, number>> = {
  A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21,
  N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33,
};

/** Weights for [letter tens, letter units, second character, digits 3–10]. */
const ID_WEIGHTS = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1] as const;

/**
 * Taiwan national ID (letter + 1/2 + 8 digits), new-format resident certificate (2021: letter + 8/9 +
 * 8 digits, same checksum) and old-format resident certificate (letter + A–D + 8 digits, where the second
 * letter counts as the units digit of its letter value). All share one checksum: the weighted sum of the
 * letter's two digits and the nine following values must be a multiple of 10.
 */
export function validateTaiwanId(id: string, field: string): string {
  if (!/^[A-Z][A-Z0-9]\d{8}$/.test(id)) {
    throw new InputError(field, 'must be an upper-case letter followed by 9 characters');
  }
  const second = id.charAt(1);
  let secondValue: number;
  if (/^[1289]$/.test(second)) {
    secondValue = Number(second);
  } else if (/^[A-D]$/.test(second)) {
    secondValue = (ID_LETTER_VALUE[second] ?? 0) % 10;
  } else {
    throw new InputError(field, 'second character must be 1, 2, 8, 9 or A-D');
  }
  const letterValue = ID_LETTER_VALUE[id.charAt(0)] ?? 0;
  const values = [Math.floor(letterValue / 10), letterValue % 10, secondValue, ...id.slice(2).split('').map(Number)];
  const sum = values.reduce((acc, v, i) => acc + v * (ID_WEIGHTS[i] ?? 0), 0);
  if (sum % 10 !== 0) throw new InputError(field, 'check digit does not match');
  return id;
}

/** docs/reference/buffers.md (Code lists) cTreatItem 就醫類別. */
export function validateTreatmentCategory(code: string, field = 'treatmentCategory'): TreatmentCategoryCode {
  if (!Object.hasOwn(TREATMENT_CATEGORIES, code)) {
    throw new InputError(field, 'must be an NHI treatment category code (01-05, AA-AI, BA-BE, CA)');
  }
  return code as TreatmentCategoryCode;
}

/** 院所代碼: 10 letters or digits (docs/reference/buffers.md (1.9 / 1.37 / 1.53), docs/reference/buffers.md (Write inputs)). */
export function validateHospitalId(id: string, field: string): string {
  if (!/^[A-Za-z0-9]{10}$/.test(id)) throw new InputError(field, 'must be 10 letters or digits');
  return id;
}
