/**
 * Output layouts of the card's record areas (issue 14): prescriptions, allergies, the visit ring, critical
 * illness, cumulative data, vaccinations, preventive care, prenatal records, organ donation, emergency phone.
 * Layouts: docs/reference/card-functions.md (from the control software's API manual 3.3, §4.2–§4.5 of the
 * team's reference). Both ways, as layouts.ts does:
 * - decoders never throw (card data): blank records are left out, blank or bad dates are null, bad
 *   numbers are null, Big5 text keeps 造字 as PUA plus raw hex;
 * - encoders (simulator, native-fixture seeding) lay stored fields out to the exact widths and refuse a
 *   value that does not fit (InputError naming the field).
 */
import type {
  AllergyRecord,
  CardVisitRecord,
  CriticalIllness,
  CumulativeFees,
  CumulativeYear,
  ImportantOrder,
  LongTermPrescription,
  OrganDonationFlag,
  OutpatientPrescription,
  PrenatalRecord,
  PrescriptionAreas,
  PreventiveCareRecord,
  ReaderClock,
  TreatmentDiagnoses,
  TreatmentHistory,
  VaccinationRecord,
  VisitDiagnoses,
} from '../domain/types.ts';
import { RECORD, type PrescriptionAreasRaw } from '../ports/control-software.ts';
import { decodeBig5Field, encodeBig5Field } from './big5.ts';
import { asciiBytes, concatBytes, padRight, sliceAscii, sliceBytes, trimPadding } from './fixed-width.ts';
import { InputError } from './input-error.ts';
import { decodeRocDateOrNull, decodeRocDateTimeOrNull } from './roc-date.ts';

/** A record layout: field names and widths in card order. */
export type Layout<K extends string = string> = readonly (readonly [K, number])[];
/** A record's fields as the card stores them: ASCII text, untrimmed widths not required. */
export type Fields<L extends Layout> = { readonly [E in L[number] as E[0]]: string };

function widthOf(layout: Layout): number {
  return layout.reduce((sum, [, w]) => sum + w, 0);
}

// ---- layouts (sizes asserted below against RECORD) ----------------------------------------------------

export const OUTPATIENT_RX_LAYOUT = [
  ['visitTimeRoc', 13],
  ['orderType', 1],
  ['itemCode', 12],
  ['site', 6],
  ['usage', 18],
  ['days', 2],
  ['total', 7],
  ['dispensing', 2],
] as const satisfies Layout;

export const LONG_TERM_RX_LAYOUT = [
  ['issueDateRoc', 7],
  ['drugCode', 10],
  ['usage', 18],
  ['days', 2],
  ['total', 7],
] as const satisfies Layout;

export const IMPORTANT_ORDER_LAYOUT = [
  ['dateRoc', 7],
  ['hospitalId', 10],
  ['itemCode', 6],
  ['site', 6],
  ['total', 7],
] as const satisfies Layout;

export const VACCINATION_LAYOUT = [
  ['vaccineType', 6],
  ['dateRoc', 7],
  ['hospitalId', 10],
  ['lotNumber', 12],
] as const satisfies Layout;

export const PREVENTIVE_CARE_LAYOUT = [
  ['serviceItem', 2],
  ['dateRoc', 7],
  ['hospitalId', 10],
  ['itemCode', 2],
] as const satisfies Layout;

export const PRENATAL_LAYOUT = [
  ['dateRoc', 7],
  ['hospitalId', 10],
  ['itemCode', 2],
] as const satisfies Layout;

export const VISIT_LAYOUT = [
  ['category', 2],
  ['newborn', 1],
  ['visitTimeRoc', 13],
  ['lateCard', 1],
  ['seqNumber', 4],
  ['hospitalId', 10],
  ['outpatientFee', 8],
  ['outpatientCopay', 8],
  ['inpatientFee', 8],
  ['inpatientCopayShortStay', 7],
  ['inpatientCopayLongStay', 7],
] as const satisfies Layout;

export const CRITICAL_ILLNESS_DATES_LAYOUT = [
  ['validFromRoc', 7],
  ['validUntilRoc', 7],
] as const satisfies Layout;

export const CUMULATIVE_YEAR_LAYOUT = [
  ['yearRoc', 3],
  ['visitCount', 4],
  ['outpatientFees', 10],
  ['inpatientFees', 10],
  ['outpatientCopay', 8],
  ['inpatientCopayShortStay', 8],
  ['inpatientCopayLongStay', 8],
  ['totalCopay', 8],
  ['totalCopayShortStay', 8],
] as const satisfies Layout;

export const CUMULATIVE_FEE_LAYOUT = [
  ['outpatientTotal', 10],
  ['inpatientTotal', 10],
] as const satisfies Layout;

export type OutpatientRxFields = Fields<typeof OUTPATIENT_RX_LAYOUT>;
export type LongTermRxFields = Fields<typeof LONG_TERM_RX_LAYOUT>;
export type ImportantOrderFields = Fields<typeof IMPORTANT_ORDER_LAYOUT>;
export type VaccinationFields = Fields<typeof VACCINATION_LAYOUT>;
export type PreventiveCareFields = Fields<typeof PREVENTIVE_CARE_LAYOUT>;
export type PrenatalFields = Fields<typeof PRENATAL_LAYOUT>;
export type VisitFields = Fields<typeof VISIT_LAYOUT>;
export type CumulativeYearFields = Fields<typeof CUMULATIVE_YEAR_LAYOUT>;
export type CumulativeFeeFields = Fields<typeof CUMULATIVE_FEE_LAYOUT>;

/** A critical illness as stored: code (ICD-10-CM, ≤ 7) and ROC dates. */
export interface CriticalIllnessFields {
  readonly code: string;
  readonly validFromRoc: string;
  readonly validUntilRoc: string;
}

/** One visit's diagnoses as stored (1.8). */
export interface VisitDiagnosesFields {
  readonly visitTimeRoc: string;
  readonly diagnoses: readonly string[];
}

const CI_DEFAULT_CODE_WIDTH = 5;
const ICD10_CODE_WIDTH = 7;
const DIAGNOSES_PER_VISIT = 6;
/** The marker the caller pre-fills to ask for ICD-10 width (§4.4 of the reference; S3 Ex3-2). */
export const ICD10_MARKER = '[XXXXXXX]';

for (const [layout, size] of [
  [OUTPATIENT_RX_LAYOUT, RECORD.outpatientPrescription.size],
  [LONG_TERM_RX_LAYOUT, RECORD.longTermPrescription.size],
  [IMPORTANT_ORDER_LAYOUT, RECORD.importantOrder.size],
  [VACCINATION_LAYOUT, RECORD.vaccination.size],
  [PREVENTIVE_CARE_LAYOUT, RECORD.preventiveCare.size],
  [PRENATAL_LAYOUT, RECORD.prenatal.size],
  [VISIT_LAYOUT, RECORD.visit.size],
  [CUMULATIVE_YEAR_LAYOUT, RECORD.cumulativeYear.size],
] as const) {
  if (widthOf(layout) !== size) throw new Error(`record layout adds up to ${widthOf(layout)}, not ${size}`);
}

// ---- generic field access -------------------------------------------------------------------------------

/** Record `index` (0-based) of a fixed-size area, its fields trimmed; null when the record is blank or absent. */
export function readRecord<L extends Layout>(bytes: Uint8Array, layout: L, index: number): Fields<L> | null {
  const size = widthOf(layout);
  const start = index * size;
  if (start >= bytes.length) return null;
  const record = bytes.subarray(start, Math.min(start + size, bytes.length));
  if (isBlank(record)) return null;
  const out: Record<string, string> = {};
  let offset = 1;
  for (const [name, width] of layout) {
    out[name] = trimPadding(sliceAscii(record, offset, width));
    offset += width;
  }
  return out as Fields<L>;
}

/** Every non-blank record of an area, in card order. */
export function readRecords<L extends Layout>(bytes: Uint8Array, layout: L): Fields<L>[] {
  const size = widthOf(layout);
  const out: Fields<L>[] = [];
  for (let i = 0; i * size < bytes.length; i++) {
    const record = readRecord(bytes, layout, i);
    if (record) out.push(record);
  }
  return out;
}

function isBlank(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0x20 || b === 0x00);
}

/** One record's text, each field left-aligned and space-padded (InputError naming `field.name`). */
export function formatRecord<L extends Layout>(fields: Fields<L>, layout: L, field = 'record'): string {
  const values = fields as Record<string, string>;
  return layout.map(([name, width]) => padRight(values[name] ?? '', width, `${field}.${name}`)).join('');
}

/** An area of `capacity` records, records in order then blank (spaces). */
export function encodeArea<L extends Layout>(records: readonly Fields<L>[], layout: L, capacity: number, field = 'records'): Uint8Array {
  if (records.length > capacity) throw new InputError(field, `at most ${capacity} records`);
  const size = widthOf(layout);
  const text = records.map((r, i) => formatRecord(r, layout, `${field}[${i}]`)).join('');
  return asciiBytes(text.padEnd(size * capacity, ' '), field);
}

function dateOrNull(roc: string): string | null {
  return decodeRocDateOrNull(roc);
}

function intOrNull(text: string): number | null {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : null;
}

// ---- 1.10 / 1.41–1.44: prescriptions, long-term, important orders, allergies ---------------------------

export function toOutpatientPrescription(f: OutpatientRxFields): OutpatientPrescription {
  return {
    visitTime: decodeRocDateTimeOrNull(f.visitTimeRoc),
    visitTimeRoc: f.visitTimeRoc,
    orderType: f.orderType,
    itemCode: f.itemCode,
    site: f.site,
    usage: f.usage,
    days: intOrNull(f.days),
    total: f.total,
    dispensing: f.dispensing,
  };
}

/** Outpatient prescription records (61 bytes each), blank ones left out. */
export function decodeOutpatientPrescriptions(bytes: Uint8Array): OutpatientPrescription[] {
  return readRecords(bytes, OUTPATIENT_RX_LAYOUT).map(toOutpatientPrescription);
}

export function decodeLongTermPrescriptions(bytes: Uint8Array): LongTermPrescription[] {
  return readRecords(bytes, LONG_TERM_RX_LAYOUT).map((f) => ({
    issueDate: dateOrNull(f.issueDateRoc),
    issueDateRoc: f.issueDateRoc,
    drugCode: f.drugCode,
    usage: f.usage,
    days: intOrNull(f.days),
    total: f.total,
  }));
}

export function decodeImportantOrders(bytes: Uint8Array): ImportantOrder[] {
  return readRecords(bytes, IMPORTANT_ORDER_LAYOUT).map((f) => ({
    date: dateOrNull(f.dateRoc),
    dateRoc: f.dateRoc,
    hospitalId: f.hospitalId,
    itemCode: f.itemCode,
    site: f.site,
    total: f.total,
  }));
}

/**
 * Allergy slots (40 bytes of Big5 each; the encoding is not stated by the spec, Big5 is inferred as for
 * names). `firstSlot` numbers the records when a range read (1.44) starts later than slot 1.
 */
export function decodeAllergies(bytes: Uint8Array, firstSlot = 1): AllergyRecord[] {
  const size = RECORD.allergy.size;
  const out: AllergyRecord[] = [];
  for (let i = 0; i * size < bytes.length; i++) {
    const name = decodeBig5Field(bytes.subarray(i * size, (i + 1) * size));
    if (name.text !== '' || name.rawHex !== '') out.push({ slot: firstSlot + i, name });
  }
  return out;
}

/** 1.10's four areas. */
export function decodePrescriptionAreas(raw: Omit<PrescriptionAreasRaw, 'rc'>): PrescriptionAreas {
  return {
    outpatient: decodeOutpatientPrescriptions(raw.outpatient),
    longTerm: decodeLongTermPrescriptions(raw.longTerm),
    importantOrders: decodeImportantOrders(raw.importantOrders),
    allergies: decodeAllergies(raw.allergies),
  };
}

/** Simulator: three allergy slots as stored (Unicode, '' = empty) → 120 bytes. */
export function encodeAllergySlots(names: readonly string[]): Uint8Array {
  if (names.length > RECORD.allergy.capacity) throw new InputError('allergies', `at most ${RECORD.allergy.capacity}`);
  const slots = Array.from({ length: RECORD.allergy.capacity }, (_, i) => names[i] ?? '');
  return concatBytes(...slots.map((n, i) => encodeBig5Field(n, RECORD.allergy.size, `allergies[${i}]`)));
}

// ---- 1.11 vaccinations, 1.3 preventive care, 1.4 prenatal -----------------------------------------------

export function decodeVaccinations(bytes: Uint8Array): VaccinationRecord[] {
  return readRecords(bytes, VACCINATION_LAYOUT).map((f) => ({
    vaccineType: f.vaccineType,
    date: dateOrNull(f.dateRoc),
    dateRoc: f.dateRoc,
    hospitalId: f.hospitalId,
    lotNumber: f.lotNumber,
  }));
}

export function decodePreventiveCare(bytes: Uint8Array): PreventiveCareRecord[] {
  return readRecords(bytes, PREVENTIVE_CARE_LAYOUT).map((f) => ({
    serviceItem: f.serviceItem,
    date: dateOrNull(f.dateRoc),
    dateRoc: f.dateRoc,
    hospitalId: f.hospitalId,
    itemCode: f.itemCode,
  }));
}

export function decodePrenatalRecords(bytes: Uint8Array): PrenatalRecord[] {
  return readRecords(bytes, PRENATAL_LAYOUT).map((f) => ({
    date: dateOrNull(f.dateRoc),
    dateRoc: f.dateRoc,
    hospitalId: f.hospitalId,
    itemCode: f.itemCode,
  }));
}

// ---- 1.5 visit ring with fees and critical-illness dates ------------------------------------------------

/** §4.3: the 補卡 flag, as cTreatAfterCheck numbers it ('2' = card presented late). */
const LATE_CARD_FLAG = '2';

function toVisitRecord(f: VisitFields): CardVisitRecord {
  return {
    category: f.category,
    // Values of 新生兒就醫註記 in this record are not documented: blank, 'N' and '0' read as "not newborn".
    newborn: f.newborn !== '' && f.newborn !== 'N' && f.newborn !== '0',
    visitTime: decodeRocDateTimeOrNull(f.visitTimeRoc),
    visitTimeRoc: f.visitTimeRoc,
    lateCard: f.lateCard === LATE_CARD_FLAG,
    seqNumber: f.seqNumber,
    hospitalId: f.hospitalId,
    fees: {
      outpatientFee: intOrNull(f.outpatientFee),
      outpatientCopay: intOrNull(f.outpatientCopay),
      inpatientFee: intOrNull(f.inpatientFee),
      inpatientCopayShortStay: intOrNull(f.inpatientCopayShortStay),
      inpatientCopayLongStay: intOrNull(f.inpatientCopayLongStay),
    },
  };
}

const CI_DATES_BLOCK = RECORD.criticalIllness.capacity * 14;

/** 1.5 hisGetTreatmentNoNeedHPC, 498 bytes: 6 × CI dates (84) then 6 × visit (69). */
export function decodeTreatmentHistory(bytes: Uint8Array): TreatmentHistory {
  const ciBytes = bytes.subarray(0, Math.min(CI_DATES_BLOCK, bytes.length));
  const criticalIllnessPeriods = readRecords(ciBytes, CRITICAL_ILLNESS_DATES_LAYOUT).map((f) =>
    criticalIllness(null, f.validFromRoc, f.validUntilRoc),
  );
  const visits = readRecords(bytes.subarray(Math.min(CI_DATES_BLOCK, bytes.length)), VISIT_LAYOUT).map(toVisitRecord);
  return { criticalIllnessPeriods, visits };
}

/** Simulator: 1.5's 498 bytes. */
export function encodeTreatmentHistory(ci: readonly CriticalIllnessFields[], visits: readonly VisitFields[]): Uint8Array {
  const dates = encodeArea(
    ci.map((c) => ({ validFromRoc: c.validFromRoc, validUntilRoc: c.validUntilRoc })),
    CRITICAL_ILLNESS_DATES_LAYOUT,
    RECORD.criticalIllness.capacity,
    'criticalIllnesses',
  );
  return concatBytes(dates, encodeArea(visits, VISIT_LAYOUT, RECORD.visit.capacity, 'visits'));
}

function criticalIllness(code: string | null, fromRoc: string, untilRoc: string): CriticalIllness {
  return {
    code: code === null || code === '' || code === 'XXXXXXX' ? null : code,
    validFrom: dateOrNull(fromRoc),
    validFromRoc: fromRoc,
    validUntil: dateOrNull(untilRoc),
    validUntilRoc: untilRoc,
  };
}

// ---- 1.33 / 1.50 / 1.8: critical illness with codes, and diagnoses --------------------------------------

/** The ICD-10-mode pre-fill for 1.33 / 1.50 (138 bytes) or 1.8 (540 bytes): markers where codes go. */
export function icd10MarkerBuffer(withVisits: boolean): Uint8Array {
  const ciGroup = ICD10_MARKER.padEnd(RECORD.criticalIllness.sizeIcd10, ' ');
  const visitGroup = ' '.repeat(13) + ICD10_MARKER.repeat(DIAGNOSES_PER_VISIT);
  const text = ciGroup.repeat(RECORD.criticalIllness.capacity) + (withVisits ? visitGroup.repeat(RECORD.visitDiagnoses.capacity) : '');
  return asciiBytes(text);
}

/** A bracketed ICD-10 slot `[code   ]`: the code, '' for blank or the untouched marker. */
function bracketed(slot: string): string {
  const inner = slot.startsWith('[') && slot.endsWith(']') ? slot.slice(1, -1) : slot;
  const code = trimPadding(inner);
  return code === 'XXXXXXX' ? '' : code;
}

function decodeCriticalIllnessBlock(bytes: Uint8Array, icd10: boolean): CriticalIllness[] {
  const size = icd10 ? RECORD.criticalIllness.sizeIcd10 : RECORD.criticalIllness.size;
  const codeWidth = icd10 ? ICD10_CODE_WIDTH + 2 : CI_DEFAULT_CODE_WIDTH;
  const out: CriticalIllness[] = [];
  for (let i = 0; i < RECORD.criticalIllness.capacity; i++) {
    const group = sliceAscii(bytes, i * size + 1, size);
    const codeText = group.slice(0, codeWidth);
    const code = icd10 ? bracketed(codeText) : trimPadding(codeText);
    const from = trimPadding(group.slice(codeWidth, codeWidth + 7));
    const until = trimPadding(group.slice(codeWidth + 7, codeWidth + 14));
    if (code === '' && from === '' && until === '') continue;
    out.push(criticalIllness(code, from, until));
  }
  return out;
}

/** 1.33 / 1.50: 114 bytes (default) or 138 (ICD-10 mode); the layout follows from `icd10`. */
export function decodeCriticalIllnesses(bytes: Uint8Array, icd10: boolean): CriticalIllness[] {
  return decodeCriticalIllnessBlock(bytes, icd10);
}

/** 1.8: 372 bytes (default) or 540 (ICD-10 mode). */
export function decodeTreatmentDiagnoses(bytes: Uint8Array, icd10: boolean): TreatmentDiagnoses {
  const ciSize = (icd10 ? RECORD.criticalIllness.sizeIcd10 : RECORD.criticalIllness.size) * RECORD.criticalIllness.capacity;
  const visitSize = icd10 ? RECORD.visitDiagnoses.sizeIcd10 : RECORD.visitDiagnoses.size;
  const slotWidth = icd10 ? ICD10_CODE_WIDTH + 2 : CI_DEFAULT_CODE_WIDTH;
  const visits: VisitDiagnoses[] = [];
  for (let i = 0; i < RECORD.visitDiagnoses.capacity; i++) {
    const text = sliceAscii(bytes, ciSize + i * visitSize + 1, visitSize);
    const visitTimeRoc = trimPadding(text.slice(0, 13));
    const diagnoses: string[] = [];
    for (let d = 0; d < DIAGNOSES_PER_VISIT; d++) {
      const slot = text.slice(13 + d * slotWidth, 13 + (d + 1) * slotWidth);
      const code = icd10 ? bracketed(slot) : trimPadding(slot);
      if (code !== '') diagnoses.push(code);
    }
    if (visitTimeRoc === '' && diagnoses.length === 0) continue;
    visits.push({ visitTime: decodeRocDateTimeOrNull(visitTimeRoc), visitTimeRoc, diagnoses });
  }
  return {
    layout: icd10 ? 'ICD10' : 'DEFAULT',
    criticalIllnesses: decodeCriticalIllnessBlock(sliceBytes(bytes, 1, ciSize), icd10),
    visits,
  };
}

function formatCode(code: string, icd10: boolean, field: string): string {
  return icd10 ? `[${padRight(code, ICD10_CODE_WIDTH, field)}]` : padRight(code, CI_DEFAULT_CODE_WIDTH, field);
}

/**
 * Simulator: the CI block. `showCodes` false blanks the codes (no verified professional card: the DLL
 * then returns dates only). In the default width a code longer than 5 characters is written in its 5.1
 * card form by the caller; here it must already fit.
 */
export function encodeCriticalIllnessBlock(ci: readonly CriticalIllnessFields[], icd10: boolean, showCodes: boolean): Uint8Array {
  if (ci.length > RECORD.criticalIllness.capacity) throw new InputError('criticalIllnesses', 'at most 6');
  const groups = Array.from({ length: RECORD.criticalIllness.capacity }, (_, i) => {
    const c = ci[i];
    if (!c) return ' '.repeat(icd10 ? RECORD.criticalIllness.sizeIcd10 : RECORD.criticalIllness.size);
    return (
      formatCode(showCodes ? c.code : '', icd10, `criticalIllnesses[${i}].code`) +
      padRight(c.validFromRoc, 7, `criticalIllnesses[${i}].validFromRoc`) +
      padRight(c.validUntilRoc, 7, `criticalIllnesses[${i}].validUntilRoc`)
    );
  });
  return asciiBytes(groups.join(''));
}

/** Simulator: 1.8's buffer. */
export function encodeTreatmentDiagnoses(
  ci: readonly CriticalIllnessFields[],
  visits: readonly VisitDiagnosesFields[],
  icd10: boolean,
): Uint8Array {
  if (visits.length > RECORD.visitDiagnoses.capacity) throw new InputError('visits', 'at most 6');
  const visitSize = icd10 ? RECORD.visitDiagnoses.sizeIcd10 : RECORD.visitDiagnoses.size;
  const visitText = Array.from({ length: RECORD.visitDiagnoses.capacity }, (_, i) => {
    const v = visits[i];
    if (!v) return ' '.repeat(visitSize);
    const slots = Array.from({ length: DIAGNOSES_PER_VISIT }, (_, d) =>
      formatCode(v.diagnoses[d] ?? '', icd10, `visits[${i}].diagnoses[${d}]`),
    );
    return padRight(v.visitTimeRoc, 13, `visits[${i}].visitTimeRoc`) + slots.join('');
  }).join('');
  return concatBytes(encodeCriticalIllnessBlock(ci, icd10, true), asciiBytes(visitText));
}

// ---- 1.6 / 1.7 cumulative data and fees -----------------------------------------------------------------

export function decodeCumulativeData(bytes: Uint8Array): CumulativeYear[] {
  return readRecords(bytes, CUMULATIVE_YEAR_LAYOUT).map((f) => {
    const yearRoc = intOrNull(f.yearRoc);
    return {
      yearRoc: f.yearRoc,
      year: yearRoc === null ? null : yearRoc + 1911,
      visitCount: intOrNull(f.visitCount),
      outpatientFees: intOrNull(f.outpatientFees),
      inpatientFees: intOrNull(f.inpatientFees),
      outpatientCopay: intOrNull(f.outpatientCopay),
      inpatientCopayShortStay: intOrNull(f.inpatientCopayShortStay),
      inpatientCopayLongStay: intOrNull(f.inpatientCopayLongStay),
      totalCopay: intOrNull(f.totalCopay),
      totalCopayShortStay: intOrNull(f.totalCopayShortStay),
    };
  });
}

export function decodeCumulativeFees(bytes: Uint8Array): CumulativeFees {
  const f = readRecord(bytes, CUMULATIVE_FEE_LAYOUT, 0);
  return { outpatientTotal: f ? intOrNull(f.outpatientTotal) : null, inpatientTotal: f ? intOrNull(f.inpatientTotal) : null };
}

/** Right-aligned zero-padded digits, as the fee fields are written (see write-inputs.ts on 1.17). */
export function zeroPadded(n: number, width: number): string {
  return String(Math.max(0, Math.trunc(n))).padStart(width, '0').slice(-width);
}

// ---- 1.12, 1.13, 1.34 -----------------------------------------------------------------------------------

export function decodeOrganDonation(bytes: Uint8Array): OrganDonationFlag {
  const raw = trimPadding(sliceAscii(bytes, 1, 1));
  return { raw: raw === '' ? null : raw };
}

export function decodeEmergencyPhone(bytes: Uint8Array): string | null {
  const phone = trimPadding(sliceAscii(bytes, 1, 14));
  return phone === '' ? null : phone;
}

export function decodeReaderClock(bytes: Uint8Array): ReaderClock {
  const dateTimeRoc = trimPadding(sliceAscii(bytes, 1, 13));
  return { dateTime: decodeRocDateTimeOrNull(dateTimeRoc), dateTimeRoc };
}

// ---- 1.48 / 1.49 signatures, 5.1 / 5.2 ------------------------------------------------------------------

/** n × 40 signature bytes → n opaque strings (kept verbatim for the upload, not trimmed). */
export function splitSignatures(bytes: Uint8Array): string[] {
  const size = RECORD.prescriptionSignature.size;
  const out: string[] = [];
  for (let i = 0; i + size <= bytes.length; i += size) out.push(sliceAscii(bytes, i + 1, size));
  return out;
}

/** 5.1 / 5.2 output: text up to the first NUL, trimmed. */
export function decodeIcd10CodecOutput(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return trimPadding(sliceAscii(nul < 0 ? bytes : bytes.subarray(0, nul), 1, bytes.length));
}
