/**
 * Output buffer layouts of the CSHIS API (docs/reference/buffers.md), both ways:
 * - decoders turn the DLL's bytes into domain values. They read card data, so they never throw: a short
 *   buffer gives short (blank) fields, a malformed date gives null or '' (docs/reference/abi.md (Dates, Big5)), unknown bytes U+FFFD.
 * - encoders produce exactly the DLL's bytes for the embedded simulator. They check that each value fits
 *   its width and character set (InputError naming the field) but not what it means, so the simulator can
 *   present a card with, say, an impossible birth date and exercise the lenient decoders.
 */
import type {
  BasicData,
  CardValidity,
  DecodedText,
  HealthCardStatus,
  LastSeqNumber,
  NoCardTreatmentId,
  ProfessionalCardIdentity,
  ProfessionalCardStatus,
  RegisterData,
  SamStatus,
  SeqNumberResult,
  Sex,
} from '../domain/types.ts';
import { OUTPUT_SIZE } from '../ports/control-software.ts';
import { decodeBig5Field, decodeBig5Range, encodeBig5, encodeBig5Field } from './big5.ts';
import { asciiBytes, concatBytes, fieldEnd, fieldStart, padLeftZeros, padRight, readTrimmed, sliceAscii, sliceBytes } from './fixed-width.ts';
import { InputError } from './input-error.ts';
import { dateToRocDateTime, decodeRocDateField, decodeRocDateTimeOrNull } from './roc-date.ts';

interface FieldSpec {
  /** 1-based, as docs/reference/buffers.md writes the ranges. */
  readonly start: number;
  readonly length: number;
}

// docs/reference/buffers.md (1.1 / 1.2): 1.1 and 1.2 share bytes 1–58, then diverge.
const CARD_HOLDER = {
  cardNumber: { start: 1, length: 12 },
  name: { start: 13, length: 20 },
  idNumber: { start: 33, length: 10 },
  birthDate: { start: 43, length: 7 },
  sex: { start: 50, length: 1 },
  issueDate: { start: 51, length: 7 },
  cancelled: { start: 58, length: 1 },
} as const satisfies Record<string, FieldSpec>;

// docs/reference/buffers.md (1.1 / 1.2), 1.1 only.
const BASIC_DATA = {
  emergencyPhone: { start: 59, length: 14 },
} as const satisfies Record<string, FieldSpec>;

// docs/reference/buffers.md (1.1 / 1.2), 1.2 only.
const REGISTER_BASIC = {
  insurerCode: { start: 59, length: 2 },
  beneficiaryCategory: { start: 61, length: 1 },
  cardValidUntil: { start: 62, length: 7 },
  remainingVisits: { start: 69, length: 2 },
  newbornBirthDate: { start: 71, length: 7 },
  newbornBirthOrder: { start: 78, length: 1 },
} as const satisfies Record<string, FieldSpec>;

// docs/reference/buffers.md (1.38).
const REGISTER_BASIC2 = {
  cardValidUntil: { start: 1, length: 7 },
  remainingVisits: { start: 8, length: 2 },
} as const satisfies Record<string, FieldSpec>;

// docs/reference/buffers.md (1.14): S5 reads the sequence number from characters 4–7; the first three are (inferred) the ROC year.
const LAST_SEQ_NUM = {
  rocYear: { start: 1, length: 3 },
  seqNumber: { start: 4, length: 4 },
} as const satisfies Record<string, FieldSpec>;

// docs/reference/buffers.md (1.37 / 1.53).
const SEQ_NUMBER = {
  visitTime: { start: 1, length: 13 },
  seqNumber: { start: 14, length: 4 },
  hospitalId: { start: 18, length: 10 },
  signature: { start: 28, length: 256 },
  samId: { start: 284, length: 12 },
  sameDayVisit: { start: 296, length: 1 },
  treatmentId: { start: 297, length: 20 },
} as const satisfies Record<string, FieldSpec>;

// docs/reference/buffers.md (1.54).
const NO_CARD_TREATMENT_ID = {
  visitTime: { start: 1, length: 13 },
  hospitalId: { start: 14, length: 10 },
  treatmentId: { start: 24, length: 20 },
} as const satisfies Record<string, FieldSpec>;

const HPC_FIELD_WIDTH = {
  serialNumber: OUTPUT_SIZE.hpcGetHPCSN,
  idNumber: OUTPUT_SIZE.hpcGetHPCSSN,
  chineseName: OUTPUT_SIZE.hpcGetHPCCNAME,
  englishName: OUTPUT_SIZE.hpcGetHPCENAME,
} as const;

/** docs/reference/buffers.md (1.1 / 1.2) card-cancelled flag: S4 maps '1' to normal and '2' to cancelled. */
const CANCELLED_FLAG = '2';
const NOT_CANCELLED_FLAG = '1';
/** docs/reference/buffers.md (1.9 / 1.37 / 1.53) 是否同日就診. */
const SAME_DAY_VISIT_FLAG = 'Y';
const NOT_SAME_DAY_VISIT_FLAG = 'N';

function read(bytes: Uint8Array, spec: FieldSpec): string {
  return readTrimmed(bytes, spec.start, spec.length);
}

function readRaw(bytes: Uint8Array, spec: FieldSpec): string {
  return sliceAscii(bytes, spec.start, spec.length);
}

function readBig5(bytes: Uint8Array, spec: FieldSpec): DecodedText {
  const start = fieldStart(bytes, spec.start);
  return decodeBig5Range(bytes, start, fieldEnd(bytes, start, spec.length));
}

function readNullable(bytes: Uint8Array, spec: FieldSpec): string | null {
  const value = read(bytes, spec);
  return value === '' ? null : value;
}

/** Required card dates have no null in the domain type: an unreadable one becomes '' rather than failing the read. */
/** An unreadable date is null, never a made-up value: the HIS must see that the card's field is bad. */
function readDate(bytes: Uint8Array, spec: FieldSpec): string | null {
  return decodeRocDateField(bytes, spec.start, spec.length);
}

/** A non-numeric count is null (unreadable), not 0, which would look like a real "no visits left". */
function readCount(bytes: Uint8Array, spec: FieldSpec): number | null {
  const value = read(bytes, spec);
  return /^\d+$/.test(value) ? Number(value) : null;
}

/**
 * The sex byte, else what the ID number says (national ID 1/2, new resident certificate 8/9, old resident
 * certificate A/C male, B/D female). A card where neither is readable is corrupt: null, not a guess.
 */
export function decodeSex(sexByte: string, idNumber: string): Sex | null {
  // Compared directly rather than upper-cased and matched: nothing but m/f upper-cases to M/F, nor anything
  // but these digits and letters to [18AC] / [29BD].
  if (sexByte === 'M' || sexByte === 'm') return 'M';
  if (sexByte === 'F' || sexByte === 'f') return 'F';
  switch (idNumber.charAt(1)) {
    case '1': case '8': case 'A': case 'C': case 'a': case 'c':
      return 'M';
    case '2': case '9': case 'B': case 'D': case 'b': case 'd':
      return 'F';
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Decoders
// ---------------------------------------------------------------------------------------------------------

/*
 * The cardholder fields shared by 1.1 and 1.2 are spelled out in each decoder rather than spread from a
 * common object: one object per read, fields in the same order. On Node 20's V8 a spread followed by more
 * properties creates a new hidden class on every call (~2 µs per added property, docs/performance.md).
 */

/** docs/reference/buffers.md (1.1) hisGetBasicData, 72 bytes. */
export function decodeBasicData(bytes: Uint8Array): BasicData {
  const idNumber = read(bytes, CARD_HOLDER.idNumber);
  return {
    cardNumber: read(bytes, CARD_HOLDER.cardNumber),
    name: readBig5(bytes, CARD_HOLDER.name),
    idNumber,
    birthDate: readDate(bytes, CARD_HOLDER.birthDate),
    sex: decodeSex(read(bytes, CARD_HOLDER.sex), idNumber),
    issueDate: readDate(bytes, CARD_HOLDER.issueDate),
    cancelled: read(bytes, CARD_HOLDER.cancelled) === CANCELLED_FLAG,
    emergencyPhone: readNullable(bytes, BASIC_DATA.emergencyPhone),
  };
}

/** docs/reference/buffers.md (1.2) hisGetRegisterBasic, 78 bytes. */
export function decodeRegisterBasic(bytes: Uint8Array): RegisterData {
  const idNumber = read(bytes, CARD_HOLDER.idNumber);
  return {
    cardNumber: read(bytes, CARD_HOLDER.cardNumber),
    name: readBig5(bytes, CARD_HOLDER.name),
    idNumber,
    birthDate: readDate(bytes, CARD_HOLDER.birthDate),
    sex: decodeSex(read(bytes, CARD_HOLDER.sex), idNumber),
    issueDate: readDate(bytes, CARD_HOLDER.issueDate),
    cancelled: read(bytes, CARD_HOLDER.cancelled) === CANCELLED_FLAG,
    insurerCode: read(bytes, REGISTER_BASIC.insurerCode),
    beneficiaryCategory: readNullable(bytes, REGISTER_BASIC.beneficiaryCategory),
    cardValidUntil: readDate(bytes, REGISTER_BASIC.cardValidUntil),
    remainingVisits: readCount(bytes, REGISTER_BASIC.remainingVisits),
    newbornBirthDate: readDate(bytes, REGISTER_BASIC.newbornBirthDate),
    newbornBirthOrder: readNullable(bytes, REGISTER_BASIC.newbornBirthOrder),
  };
}

/** docs/reference/buffers.md (1.38) hisGetRegisterBasic2, 9 bytes. */
export function decodeRegisterBasic2(bytes: Uint8Array): CardValidity {
  return {
    cardValidUntil: readDate(bytes, REGISTER_BASIC2.cardValidUntil),
    remainingVisits: readCount(bytes, REGISTER_BASIC2.remainingVisits),
  };
}

/** docs/reference/buffers.md (1.14) hisGetLastSeqNum, 7 bytes. */
export function decodeLastSeqNum(bytes: Uint8Array): LastSeqNumber {
  return {
    raw: sliceAscii(bytes, 1, OUTPUT_SIZE.hisGetLastSeqNum),
    seqNumber: read(bytes, LAST_SEQ_NUM.seqNumber),
  };
}

/** docs/reference/buffers.md (1.34) csGetDateTime, 13 bytes → ISO date-time, or null when the clock reads garbage. */
export function decodeReaderDateTime(bytes: Uint8Array): string | null {
  return decodeRocDateTimeOrNull(sliceAscii(bytes, 1, OUTPUT_SIZE.csGetDateTime));
}

/** docs/reference/buffers.md (1.35) csGetCardNo, 12 bytes. */
export function decodeCardNumber(bytes: Uint8Array): string {
  return readTrimmed(bytes, 1, OUTPUT_SIZE.csGetCardNo);
}

/** docs/reference/buffers.md (2.2) csGetHospID, 10 bytes. */
export function decodeHospitalId(bytes: Uint8Array): string {
  return readTrimmed(bytes, 1, OUTPUT_SIZE.csGetHospID);
}

/** 1.37 and 1.53 share every field but the treatment ID (the caller's), one object per read (see above). */
function decodeSeqNumberFields(bytes: Uint8Array, treatmentId: string | null): SeqNumberResult {
  const visitTimeRoc = read(bytes, SEQ_NUMBER.visitTime);
  return {
    visitTime: decodeRocDateTimeOrNull(visitTimeRoc) ?? '',
    visitTimeRoc,
    seqNumber: read(bytes, SEQ_NUMBER.seqNumber),
    hospitalId: read(bytes, SEQ_NUMBER.hospitalId),
    // Opaque: passed on verbatim (upload XML), so not trimmed.
    signature: readRaw(bytes, SEQ_NUMBER.signature),
    samId: read(bytes, SEQ_NUMBER.samId),
    sameDayVisit: read(bytes, SEQ_NUMBER.sameDayVisit).toUpperCase() === SAME_DAY_VISIT_FLAG,
    treatmentId,
  };
}

/** docs/reference/buffers.md (1.37) hisGetSeqNumber256, 296 bytes. */
export function decodeSeqNumber256(bytes: Uint8Array): SeqNumberResult {
  return decodeSeqNumberFields(bytes, null);
}

/**
 * docs/reference/buffers.md (1.53) hisGetSeqNumber256N1, 316 bytes. A blank treatment ID (the DLL's tolerated 5174, docs/reference/return-codes.md) is null,
 * so the HIS can fetch it later with 1.56.
 */
export function decodeSeqNumber256N1(bytes: Uint8Array): SeqNumberResult {
  return decodeSeqNumberFields(bytes, readNullable(bytes, SEQ_NUMBER.treatmentId));
}

/** docs/reference/buffers.md (1.54) hisGetTreatNumNoICCard, 43 bytes. */
export function decodeTreatNumNoICCard(bytes: Uint8Array): NoCardTreatmentId {
  const visitTimeRoc = read(bytes, NO_CARD_TREATMENT_ID.visitTime);
  return {
    visitTime: decodeRocDateTimeOrNull(visitTimeRoc) ?? '',
    visitTimeRoc,
    hospitalId: read(bytes, NO_CARD_TREATMENT_ID.hospitalId),
    treatmentId: read(bytes, NO_CARD_TREATMENT_ID.treatmentId),
  };
}

/** docs/reference/buffers.md (1.56) hisGetTreatNumICCard, 20 bytes: the treatment ID alone. */
export function decodeTreatNumICCard(bytes: Uint8Array): string {
  return readTrimmed(bytes, 1, OUTPUT_SIZE.hisGetTreatNumICCard);
}

/** docs/reference/functions.md (4.5) hpcGetHPCSN: variable length, no NUL. */
export function decodeHpcSerialNumber(bytes: Uint8Array): string {
  return readTrimmed(bytes, 1, HPC_FIELD_WIDTH.serialNumber);
}

/** docs/reference/functions.md (4.6) hpcGetHPCSSN. */
export function decodeHpcIdNumber(bytes: Uint8Array): string {
  return readTrimmed(bytes, 1, HPC_FIELD_WIDTH.idNumber);
}

/** docs/reference/functions.md (4.7) hpcGetHPCCNAME: Big5 (docs/reference/abi.md (Dates, Big5)). */
export function decodeHpcChineseName(bytes: Uint8Array): DecodedText {
  return decodeBig5Field(sliceBytes(bytes, 1, HPC_FIELD_WIDTH.chineseName));
}

/** docs/reference/functions.md (4.8) hpcGetHPCENAME. */
export function decodeHpcEnglishName(bytes: Uint8Array): string {
  return readTrimmed(bytes, 1, HPC_FIELD_WIDTH.englishName);
}

/** The four HPC reads (docs/reference/functions.md (4.5–4.8)) as one identity. */
export function decodeProfessionalCardIdentity(buffers: {
  readonly serialNumber: Uint8Array;
  readonly idNumber: Uint8Array;
  readonly chineseName: Uint8Array;
  readonly englishName: Uint8Array;
}): ProfessionalCardIdentity {
  return {
    serialNumber: decodeHpcSerialNumber(buffers.serialNumber),
    idNumber: decodeHpcIdNumber(buffers.idNumber),
    name: decodeHpcChineseName(buffers.chineseName),
    englishName: decodeHpcEnglishName(buffers.englishName),
  };
}

/**
 * docs/reference/buffers.md (Write inputs) pBufferDocID of 1.16/1.20/1.47: the HPC holder's ID then NUL, or a lone NUL without an HPC. A C string,
 * so everything after the first NUL is stale buffer content, not data.
 */
export function decodeDocId(bytes: Uint8Array): string | null {
  const field = sliceBytes(bytes, 1, OUTPUT_SIZE.docId);
  const nul = field.indexOf(0);
  const id = readTrimmed(nul === -1 ? field : field.subarray(0, nul), 1, OUTPUT_SIZE.docId);
  return id === '' ? null : id;
}

// ---------------------------------------------------------------------------------------------------------
// docs/reference/buffers.md (1.15) hisGetCardStatus codes
// ---------------------------------------------------------------------------------------------------------

/** docs/reference/buffers.md (1.15) / docs/reference/return-codes.md: every card type answers 4000 when the reader times out. */
const READER_TIMEOUT_CODE = 4000;

export const SAM_STATUS_BY_CODE: Readonly<Record<number, SamStatus>> = {
  0: 'NOT_INSERTED',
  1: 'NOT_AUTHENTICATED',
  2: 'AUTHENTICATED',
  9: 'NOT_A_SAM',
  [READER_TIMEOUT_CODE]: 'READER_TIMEOUT',
};

export const HEALTH_CARD_STATUS_BY_CODE: Readonly<Record<number, HealthCardStatus>> = {
  0: 'NOT_INSERTED',
  1: 'NOT_SAM_AUTHENTICATED',
  2: 'SAM_AUTHENTICATED',
  3: 'HPC_AUTHENTICATED',
  4: 'PIN_VERIFIED',
  5: 'IDC_AUTHENTICATED',
  9: 'NOT_A_HEALTH_CARD',
  [READER_TIMEOUT_CODE]: 'READER_TIMEOUT',
};

export const PROFESSIONAL_CARD_STATUS_BY_CODE: Readonly<Record<number, ProfessionalCardStatus>> = {
  0: 'NOT_INSERTED',
  1: 'NOT_SAM_AUTHENTICATED',
  2: 'SAM_AUTHENTICATED',
  3: 'PIN_VERIFIED',
  9: 'NOT_A_PROFESSIONAL_CARD',
  [READER_TIMEOUT_CODE]: 'READER_TIMEOUT',
};

/** docs/reference/buffers.md (1.15) CardType 1. */
export function samStatusFromCode(code: number): SamStatus {
  return Object.hasOwn(SAM_STATUS_BY_CODE, code) ? SAM_STATUS_BY_CODE[code]! : 'UNKNOWN';
}

/** docs/reference/buffers.md (1.15) CardType 2. */
export function healthCardStatusFromCode(code: number): HealthCardStatus {
  return Object.hasOwn(HEALTH_CARD_STATUS_BY_CODE, code) ? HEALTH_CARD_STATUS_BY_CODE[code]! : 'UNKNOWN';
}

/** docs/reference/buffers.md (1.15) CardType 3. */
export function professionalCardStatusFromCode(code: number): ProfessionalCardStatus {
  return Object.hasOwn(PROFESSIONAL_CARD_STATUS_BY_CODE, code) ? PROFESSIONAL_CARD_STATUS_BY_CODE[code]! : 'UNKNOWN';
}

// ---------------------------------------------------------------------------------------------------------
// Encoders (simulator)
// ---------------------------------------------------------------------------------------------------------

/** A health card's fields as stored on the card: ROC dates as strings, the name as Unicode text. */
export interface CardHolderRecord {
  readonly cardNumber: string;
  /** Unicode; rare characters as PUA code points U+E000–U+F848 (see big5.ts). */
  readonly name: string;
  readonly idNumber: string;
  readonly birthDateRoc: string;
  readonly sex: Sex;
  readonly issueDateRoc: string;
  readonly cancelled: boolean;
  readonly emergencyPhone: string | null;
  readonly insurerCode: string;
  readonly beneficiaryCategory: string | null;
  readonly cardValidUntilRoc: string;
  readonly remainingVisits: number;
  readonly newbornBirthDateRoc: string | null;
  readonly newbornBirthOrder: string | null;
}

type CardHolderCommonRecord = Pick<
  CardHolderRecord,
  'cardNumber' | 'name' | 'idNumber' | 'birthDateRoc' | 'sex' | 'issueDateRoc' | 'cancelled'
>;
export type BasicDataRecord = CardHolderCommonRecord & Pick<CardHolderRecord, 'emergencyPhone'>;
export type RegisterBasicRecord = CardHolderCommonRecord &
  Pick<
    CardHolderRecord,
    | 'insurerCode'
    | 'beneficiaryCategory'
    | 'cardValidUntilRoc'
    | 'remainingVisits'
    | 'newbornBirthDateRoc'
    | 'newbornBirthOrder'
  >;
export type RegisterBasic2Record = Pick<CardHolderRecord, 'cardValidUntilRoc' | 'remainingVisits'>;

/** ASCII text left-aligned and space-padded to `width` bytes (the docs/reference/buffers.md convention for text fields). */
export function encodeFixed(text: string, width: number, field = 'value'): Uint8Array {
  return asciiBytes(padRight(text, width, field), field);
}

function encodeCount(n: number, width: number, field: string): Uint8Array {
  return asciiBytes(padLeftZeros(n, width, field), field);
}

function encodeOptional(text: string | null, width: number, field: string): Uint8Array {
  return encodeFixed(text ?? '', width, field);
}

function assertLength(bytes: Uint8Array, expected: number): Uint8Array {
  // A layout table that does not add up is a bug in this file, not bad input.
  if (bytes.length !== expected) throw new Error(`layout produced ${bytes.length} bytes, expected ${expected}`);
  return bytes;
}

function encodeCardHolderCommon(record: CardHolderCommonRecord): Uint8Array {
  return concatBytes(
    encodeFixed(record.cardNumber, CARD_HOLDER.cardNumber.length, 'cardNumber'),
    encodeBig5Field(record.name, CARD_HOLDER.name.length, 'name'),
    encodeFixed(record.idNumber, CARD_HOLDER.idNumber.length, 'idNumber'),
    encodeFixed(record.birthDateRoc, CARD_HOLDER.birthDate.length, 'birthDateRoc'),
    encodeFixed(record.sex, CARD_HOLDER.sex.length, 'sex'),
    encodeFixed(record.issueDateRoc, CARD_HOLDER.issueDate.length, 'issueDateRoc'),
    encodeFixed(record.cancelled ? CANCELLED_FLAG : NOT_CANCELLED_FLAG, CARD_HOLDER.cancelled.length, 'cancelled'),
  );
}

/** docs/reference/buffers.md (1.1), 72 bytes. */
export function encodeBasicData(record: BasicDataRecord): Uint8Array {
  return assertLength(
    concatBytes(
      encodeCardHolderCommon(record),
      encodeOptional(record.emergencyPhone, BASIC_DATA.emergencyPhone.length, 'emergencyPhone'),
    ),
    OUTPUT_SIZE.hisGetBasicData,
  );
}

/** docs/reference/buffers.md (1.2), 78 bytes. */
export function encodeRegisterBasic(record: RegisterBasicRecord): Uint8Array {
  return assertLength(
    concatBytes(
      encodeCardHolderCommon(record),
      encodeFixed(record.insurerCode, REGISTER_BASIC.insurerCode.length, 'insurerCode'),
      encodeOptional(record.beneficiaryCategory, REGISTER_BASIC.beneficiaryCategory.length, 'beneficiaryCategory'),
      encodeFixed(record.cardValidUntilRoc, REGISTER_BASIC.cardValidUntil.length, 'cardValidUntilRoc'),
      encodeCount(record.remainingVisits, REGISTER_BASIC.remainingVisits.length, 'remainingVisits'),
      encodeOptional(record.newbornBirthDateRoc, REGISTER_BASIC.newbornBirthDate.length, 'newbornBirthDateRoc'),
      encodeOptional(record.newbornBirthOrder, REGISTER_BASIC.newbornBirthOrder.length, 'newbornBirthOrder'),
    ),
    OUTPUT_SIZE.hisGetRegisterBasic,
  );
}

/** docs/reference/buffers.md (1.38), 9 bytes. */
export function encodeRegisterBasic2(record: RegisterBasic2Record): Uint8Array {
  return assertLength(
    concatBytes(
      encodeFixed(record.cardValidUntilRoc, REGISTER_BASIC2.cardValidUntil.length, 'cardValidUntilRoc'),
      encodeCount(record.remainingVisits, REGISTER_BASIC2.remainingVisits.length, 'remainingVisits'),
    ),
    OUTPUT_SIZE.hisGetRegisterBasic2,
  );
}

/** docs/reference/buffers.md (1.14), 7 bytes: the visit's ROC year (inferred, docs/reference/buffers.md (1.14)) then its 4-character sequence number. */
export function encodeLastSeqNum(last: { readonly visitTimeRoc: string; readonly seqNumber: string }): Uint8Array {
  return assertLength(
    concatBytes(
      encodeFixed(last.visitTimeRoc.slice(0, LAST_SEQ_NUM.rocYear.length), LAST_SEQ_NUM.rocYear.length, 'visitTimeRoc'),
      encodeFixed(last.seqNumber, LAST_SEQ_NUM.seqNumber.length, 'seqNumber'),
    ),
    OUTPUT_SIZE.hisGetLastSeqNum,
  );
}

/** docs/reference/buffers.md (1.34), 13 bytes: the simulated reader clock at `now`, Taiwan time. */
export function encodeReaderDateTime(now: Date): Uint8Array {
  return encodeFixed(dateToRocDateTime(now), OUTPUT_SIZE.csGetDateTime, 'dateTime');
}

/** docs/reference/buffers.md (1.35), 12 bytes. */
export function encodeCardNumber(cardNumber: string): Uint8Array {
  return encodeFixed(cardNumber, OUTPUT_SIZE.csGetCardNo, 'cardNumber');
}

/** docs/reference/buffers.md (2.2), 10 bytes. */
export function encodeHospitalId(hospitalId: string): Uint8Array {
  return encodeFixed(hospitalId, OUTPUT_SIZE.csGetHospID, 'hospitalId');
}

export interface SeqNumberRecord {
  readonly visitTimeRoc: string;
  readonly seqNumber: string;
  readonly hospitalId: string;
  /** 256 printable characters (docs/reference/buffers.md (1.9 / 1.37 / 1.53)); shorter values are space-padded. */
  readonly signature: string;
  readonly samId: string;
  readonly sameDayVisit: boolean;
}

function encodeSeqNumberCommon(record: SeqNumberRecord): Uint8Array {
  return concatBytes(
    encodeFixed(record.visitTimeRoc, SEQ_NUMBER.visitTime.length, 'visitTimeRoc'),
    encodeFixed(record.seqNumber, SEQ_NUMBER.seqNumber.length, 'seqNumber'),
    encodeFixed(record.hospitalId, SEQ_NUMBER.hospitalId.length, 'hospitalId'),
    encodeFixed(record.signature, SEQ_NUMBER.signature.length, 'signature'),
    encodeFixed(record.samId, SEQ_NUMBER.samId.length, 'samId'),
    encodeFixed(
      record.sameDayVisit ? SAME_DAY_VISIT_FLAG : NOT_SAME_DAY_VISIT_FLAG,
      SEQ_NUMBER.sameDayVisit.length,
      'sameDayVisit',
    ),
  );
}

/** docs/reference/buffers.md (1.37), 296 bytes. */
export function encodeSeqNumber256(record: SeqNumberRecord): Uint8Array {
  return assertLength(encodeSeqNumberCommon(record), OUTPUT_SIZE.hisGetSeqNumber256);
}

/** docs/reference/buffers.md (1.53), 316 bytes. */
export function encodeSeqNumber256N1(record: SeqNumberRecord & { readonly treatmentId: string }): Uint8Array {
  return assertLength(
    concatBytes(
      encodeSeqNumberCommon(record),
      encodeFixed(record.treatmentId, SEQ_NUMBER.treatmentId.length, 'treatmentId'),
    ),
    OUTPUT_SIZE.hisGetSeqNumber256N1,
  );
}

/** docs/reference/buffers.md (1.54), 43 bytes. */
export function encodeTreatNumNoICCard(record: {
  readonly visitTimeRoc: string;
  readonly hospitalId: string;
  readonly treatmentId: string;
}): Uint8Array {
  return assertLength(
    concatBytes(
      encodeFixed(record.visitTimeRoc, NO_CARD_TREATMENT_ID.visitTime.length, 'visitTimeRoc'),
      encodeFixed(record.hospitalId, NO_CARD_TREATMENT_ID.hospitalId.length, 'hospitalId'),
      encodeFixed(record.treatmentId, NO_CARD_TREATMENT_ID.treatmentId.length, 'treatmentId'),
    ),
    OUTPUT_SIZE.hisGetTreatNumNoICCard,
  );
}

/** docs/reference/buffers.md (1.56), 20 bytes. */
export function encodeTreatNumICCard(treatmentId: string): Uint8Array {
  return encodeFixed(treatmentId, OUTPUT_SIZE.hisGetTreatNumICCard, 'treatmentId');
}

/**
 * docs/reference/functions.md (4.5–4.8) return their length through `len` without a NUL, so (inferred) the DLL reports just the value's
 * bytes, not a padded buffer. These encoders do the same and only enforce the buffer size.
 */
function encodeVariableAscii(text: string, maxLength: number, field: string): Uint8Array {
  return asciiBytes(padRight(text, maxLength, field).slice(0, text.length), field);
}

/** docs/reference/functions.md (4.5) hpcGetHPCSN. */
export function encodeHpcSerialNumber(serialNumber: string): Uint8Array {
  return encodeVariableAscii(serialNumber, HPC_FIELD_WIDTH.serialNumber, 'serialNumber');
}

/** docs/reference/functions.md (4.6) hpcGetHPCSSN. */
export function encodeHpcIdNumber(idNumber: string): Uint8Array {
  return encodeVariableAscii(idNumber, HPC_FIELD_WIDTH.idNumber, 'idNumber');
}

/** docs/reference/functions.md (4.7) hpcGetHPCCNAME: Big5, at most 20 bytes. */
export function encodeHpcChineseName(name: string): Uint8Array {
  const bytes = encodeBig5(name, 'name');
  if (bytes.length > HPC_FIELD_WIDTH.chineseName) {
    throw new InputError('name', `must fit in ${HPC_FIELD_WIDTH.chineseName} bytes of Big5`);
  }
  return bytes;
}

/** docs/reference/functions.md (4.8) hpcGetHPCENAME. */
export function encodeHpcEnglishName(englishName: string): Uint8Array {
  return encodeVariableAscii(englishName, HPC_FIELD_WIDTH.englishName, 'englishName');
}

/** docs/reference/buffers.md (Write inputs) pBufferDocID: the HPC holder's ID NUL-filled to 11 bytes, or all NULs when no HPC is present. */
export function encodeDocId(idNumber: string | null): Uint8Array {
  const out = new Uint8Array(OUTPUT_SIZE.docId);
  if (idNumber !== null) {
    // Leave room for the terminating NUL.
    out.set(encodeVariableAscii(idNumber, OUTPUT_SIZE.docId - 1, 'idNumber'));
  }
  return out;
}
