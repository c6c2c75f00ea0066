/**
 * Domain values decoded from the control software's buffers. These are what the schema exposes and what a
 * future control-software-6.0 backend (JSON, cshis-api.md §11) would produce too, so nothing here mentions
 * byte offsets.
 *
 * Dates are ISO strings: `YYYY-MM-DD` for dates, `YYYY-MM-DDTHH:mm:ss+08:00` for date-times (NHI times
 * are Taiwan local time), alongside the raw ROC form where the card's own form matters for later calls.
 */

/** A Big5/CP950 text field decoded without ever rejecting the card (§12). */
export interface DecodedText {
  /** Unicode text, trimmed. Rare (user-defined area) characters appear as Private Use Area code points. */
  readonly text: string;
  /** The raw bytes as uppercase hex, trimmed of padding, so a HIS with NHI's font can render them itself. */
  readonly rawHex: string;
  /** True when the field held user-defined-area (造字) characters. */
  readonly hasRareCharacters: boolean;
}

export type Sex = 'M' | 'F';

/** §4.1 API 1.1 (72 bytes). */
export interface BasicData {
  readonly cardNumber: string;
  readonly name: DecodedText;
  readonly idNumber: string;
  /** ISO date; null when the card's field is unreadable (never a made-up value). */
  readonly birthDate: string | null;
  /** null when neither the sex byte nor the ID number tells. */
  readonly sex: Sex | null;
  readonly issueDate: string | null;
  /** 卡片註銷註記: true when the card has been cancelled (flag '2'). */
  readonly cancelled: boolean;
  readonly emergencyPhone: string | null;
}

/** §4.1 API 1.2 (78 bytes). */
export interface RegisterData {
  readonly cardNumber: string;
  readonly name: DecodedText;
  readonly idNumber: string;
  readonly birthDate: string | null;
  readonly sex: Sex | null;
  readonly issueDate: string | null;
  readonly cancelled: boolean;
  readonly insurerCode: string;
  /** 保險對象身分註記, one character, or null when blank. */
  readonly beneficiaryCategory: string | null;
  readonly cardValidUntil: string | null;
  readonly remainingVisits: number | null;
  /** 新生兒依附註記: the newborn's birth date when the card carries a newborn, else null. */
  readonly newbornBirthDate: string | null;
  /** 新生兒胞胎註記: birth order for twins etc., else null. */
  readonly newbornBirthOrder: string | null;
}

/** §4.2 API 1.38 (9 bytes). */
export interface CardValidity {
  /** null when unreadable on the card. */
  readonly cardValidUntil: string | null;
  readonly remainingVisits: number | null;
}

/** §4.2 API 1.14 (7 bytes). */
export interface LastSeqNumber {
  /** The raw 7 characters as on the card. */
  readonly raw: string;
  /** The 4-digit visit sequence number (characters 4–7). */
  readonly seqNumber: string;
}

/** §4.6 APIs 1.37 (296 bytes) and 1.53 (316 bytes). */
export interface SeqNumberResult {
  /** 就診日期時間 as ISO date-time. */
  readonly visitTime: string;
  /** 就診日期時間 as the 13-digit ROC string the later calls (1.56, 1.39, writes) need. */
  readonly visitTimeRoc: string;
  readonly seqNumber: string;
  readonly hospitalId: string;
  /** 安全簽章, 256 printable characters. */
  readonly signature: string;
  readonly samId: string;
  readonly sameDayVisit: boolean;
  /** 就醫識別碼: only from 1.53, else null. */
  readonly treatmentId: string | null;
}

/** §4.7 API 1.54 (43 bytes). */
export interface NoCardTreatmentId {
  readonly visitTime: string;
  readonly visitTimeRoc: string;
  readonly hospitalId: string;
  readonly treatmentId: string;
}

/** §6.1 hisGetCardStatus codes, per card type. */
export type SamStatus = 'NOT_INSERTED' | 'NOT_AUTHENTICATED' | 'AUTHENTICATED' | 'NOT_A_SAM' | 'READER_TIMEOUT' | 'UNKNOWN';
export type HealthCardStatus =
  | 'NOT_INSERTED'
  | 'NOT_SAM_AUTHENTICATED'
  | 'SAM_AUTHENTICATED'
  | 'HPC_AUTHENTICATED'
  | 'PIN_VERIFIED'
  | 'IDC_AUTHENTICATED'
  | 'NOT_A_HEALTH_CARD'
  | 'READER_TIMEOUT'
  | 'UNKNOWN';
export type ProfessionalCardStatus =
  | 'NOT_INSERTED'
  | 'NOT_SAM_AUTHENTICATED'
  | 'SAM_AUTHENTICATED'
  | 'PIN_VERIFIED'
  | 'NOT_A_PROFESSIONAL_CARD'
  | 'READER_TIMEOUT'
  | 'UNKNOWN';

/** The console's light state (briefing: 0 white, 1 brown, 2 green/orange, 3 light purple). */
export type LightLevel = 0 | 1 | 2 | 3;
export type LightColour = 'WHITE' | 'BROWN' | 'GREEN' | 'ORANGE' | 'PURPLE';

/** 就醫類別 (§6.2). */
export const TREATMENT_CATEGORIES = {
  '01': '西醫門診',
  '02': '牙醫門診',
  '03': '中醫門診',
  '04': '急診',
  '05': '住院',
  AA: '同一療程項目以同一醫療機構六次以內',
  AB: '同一療程項目非六次以內',
  AC: '預防保健',
  AD: '職業傷害或職業病門診',
  AE: '慢性病連續處方箋領藥',
  AF: '藥局調劑',
  AG: '排程檢查',
  AH: '居家照護(第二次以後)',
  AI: '同日同醫師看診(第二次以後)',
  BA: '門(急)診當次轉住院之入院',
  BB: '出院',
  BC: '急診中、住院中執行項目',
  BD: '急診第二日(含)以後之離院',
  BE: '職業傷害或職業病之住院',
  CA: '其他規定不須累計就醫序號',
} as const;
export type TreatmentCategoryCode = keyof typeof TREATMENT_CATEGORIES;

/** Diagnoses and fees written by 1.16 / 1.17 / 1.47 (§5). */
export interface TreatmentWrite {
  /** 補卡註記: true when the card is presented late (補卡). */
  readonly lateCard: boolean;
  /** Main diagnosis then up to five secondary diagnoses, ICD-10-CM codes without the dot. */
  readonly diagnoses: readonly string[];
  readonly fees?: TreatmentFees;
}

/** §5 1.17 fee block, whole NT$ amounts. */
export interface TreatmentFees {
  readonly outpatientFee: number;
  readonly outpatientCopay: number;
  readonly inpatientFee: number;
  readonly inpatientCopayShortStay: number;
  readonly inpatientCopayLongStay: number;
}

/** A professional card's identity (§4 4.5–4.8). */
export interface ProfessionalCardIdentity {
  readonly serialNumber: string;
  readonly idNumber: string;
  readonly name: DecodedText;
  readonly englishName: string;
}

// ---------------------------------------------------------------------------------------------------------
// Card records beyond registration (issue 14): layouts in docs/reference/card-functions.md.
// Every date comes twice: ISO (null when the card's field is blank or unreadable) and the raw ROC string.
// ---------------------------------------------------------------------------------------------------------

/** 醫令類別 of an outpatient prescription record (1.10 / 1.41, written by 1.18 / 1.45 / 1.48 / 1.49). */
export const ORDER_TYPES = {
  '1': '非長期藥品',
  '2': '長期藥品',
  '3': '診療',
  '4': '特殊材料',
  '5': '重要醫令',
  A: '藥局調劑: 非長期藥品',
  B: '藥局調劑: 長期藥品',
} as const;
export type OrderType = keyof typeof ORDER_TYPES;

/** 交付處方註記 (values as a production clinic system uses them; not from the official spec). */
export const DISPENSING_CODES = { '01': '自行調劑', '02': '交付調劑', '03': '自行執行' } as const;
export type DispensingCode = keyof typeof DISPENSING_CODES;

/** One outpatient prescription record (61 bytes on the card, the same layout is written). */
export interface OutpatientPrescription {
  /** The visit it belongs to (就診日期時間). */
  readonly visitTime: string | null;
  readonly visitTimeRoc: string;
  readonly orderType: string;
  /** 診療項目代號: drug, procedure or material code. */
  readonly itemCode: string;
  /** 診療部位. */
  readonly site: string;
  /** 用法 (frequency / route text, e.g. `TID`). */
  readonly usage: string;
  readonly days: number | null;
  /** 總量, as written (a decimal string: the card stores 7 characters). */
  readonly total: string;
  readonly dispensing: string;
}

/** One long-term prescription record (44 bytes). */
export interface LongTermPrescription {
  readonly issueDate: string | null;
  readonly issueDateRoc: string;
  readonly drugCode: string;
  readonly usage: string;
  readonly days: number | null;
  readonly total: string;
}

/** One important order (重要醫令, 36 bytes). */
export interface ImportantOrder {
  readonly date: string | null;
  readonly dateRoc: string;
  readonly hospitalId: string;
  readonly itemCode: string;
  readonly site: string;
  readonly total: string;
}

/** One allergy slot (40 bytes of Big5 text); `slot` is 1–3. */
export interface AllergyRecord {
  readonly slot: number;
  readonly name: DecodedText;
}

/** The four areas 1.10 returns in one call, blank records left out. */
export interface PrescriptionAreas {
  readonly outpatient: readonly OutpatientPrescription[];
  readonly longTerm: readonly LongTermPrescription[];
  readonly importantOrders: readonly ImportantOrder[];
  readonly allergies: readonly AllergyRecord[];
}

/** Fees of one visit record (1.5), whole NT$. */
export interface VisitFees {
  readonly outpatientFee: number | null;
  readonly outpatientCopay: number | null;
  readonly inpatientFee: number | null;
  readonly inpatientCopayShortStay: number | null;
  readonly inpatientCopayLongStay: number | null;
}

/** One of the 6 visit records (1.5, 69 bytes each); the ring holds the most recent visits. */
export interface CardVisitRecord {
  readonly category: string;
  readonly newborn: boolean;
  readonly visitTime: string | null;
  readonly visitTimeRoc: string;
  readonly lateCard: boolean;
  readonly seqNumber: string;
  readonly hospitalId: string;
  readonly fees: VisitFees;
}

/** A critical-illness validity period (1.5 has only the dates; 1.8 / 1.33 / 1.50 add the code). */
export interface CriticalIllness {
  /** ICD code, or null when the caller may not see it (no verified professional card, pharmacy card) or in 1.5. */
  readonly code: string | null;
  readonly validFrom: string | null;
  readonly validFromRoc: string;
  readonly validUntil: string | null;
  readonly validUntilRoc: string;
}

/** 1.5 hisGetTreatmentNoNeedHPC, decoded. */
export interface TreatmentHistory {
  readonly criticalIllnessPeriods: readonly CriticalIllness[];
  readonly visits: readonly CardVisitRecord[];
}

/** One visit's diagnoses (1.8): main diagnosis first. */
export interface VisitDiagnoses {
  readonly visitTime: string | null;
  readonly visitTimeRoc: string;
  readonly diagnoses: readonly string[];
}

/** 1.8 hisGetTreatmentNeedHPC, decoded. `layout` tells the width the codes were read in. */
export interface TreatmentDiagnoses {
  readonly layout: 'DEFAULT' | 'ICD10';
  readonly criticalIllnesses: readonly CriticalIllness[];
  readonly visits: readonly VisitDiagnoses[];
}

/** One year of 1.6 hisGetCumulativeData (67 bytes; the card keeps two). */
export interface CumulativeYear {
  /** ROC year (3 digits) as on the card, and the Gregorian year, or null when blank. */
  readonly yearRoc: string;
  readonly year: number | null;
  readonly visitCount: number | null;
  readonly outpatientFees: number | null;
  readonly inpatientFees: number | null;
  readonly outpatientCopay: number | null;
  readonly inpatientCopayShortStay: number | null;
  readonly inpatientCopayLongStay: number | null;
  readonly totalCopay: number | null;
  readonly totalCopayShortStay: number | null;
}

/** 1.7 hisGetCumulativeFee (20 bytes). */
export interface CumulativeFees {
  readonly outpatientTotal: number | null;
  readonly inpatientTotal: number | null;
}

/** One of 40 vaccination records (1.11, 35 bytes each). */
export interface VaccinationRecord {
  readonly vaccineType: string;
  readonly date: string | null;
  readonly dateRoc: string;
  readonly hospitalId: string;
  readonly lotNumber: string;
}

/** One of 6 preventive-care records (1.3, 21 bytes each). */
export interface PreventiveCareRecord {
  readonly serviceItem: string;
  readonly date: string | null;
  readonly dateRoc: string;
  readonly hospitalId: string;
  readonly itemCode: string;
}

/** One of 11 prenatal check records (1.4, 19 bytes each; female cardholders only). */
export interface PrenatalRecord {
  readonly date: string | null;
  readonly dateRoc: string;
  readonly hospitalId: string;
  readonly itemCode: string;
}

/** 1.12: the card's one-character organ-donation / hospice flag. Its values are not public (see docs). */
export interface OrganDonationFlag {
  /** The raw character, or null when blank. */
  readonly raw: string | null;
}

/** 1.34 csGetDateTime. */
export interface ReaderClock {
  readonly dateTime: string | null;
  readonly dateTimeRoc: string;
}

/** 1.48 / 1.49: each written record with its 40-byte signature (to upload to NHI). */
export interface SignedPrescription {
  readonly record: OutpatientPrescription;
  readonly signature: string;
}

// ---- inputs of the record writes: plain JSON (journal- and redaction-friendly), validated by record-inputs.ts ----

/** One prescription line to write (1.18 / 1.45 / 1.48 / 1.49); the visit time comes from the write call. */
export interface PrescriptionInput {
  readonly orderType: OrderType;
  /** NHI drug / procedure / material code: 1–12 upper-case letters or digits. */
  readonly itemCode: string;
  /** 診療部位, up to 6 ASCII characters; '' when none. */
  readonly site?: string;
  /** 用法, up to 18 ASCII characters (e.g. `TID`); '' when none. */
  readonly usage?: string;
  /** 天數, 0–99 (0 for a procedure). */
  readonly days: number;
  /** 總量: a positive number written in at most 7 characters (e.g. 21 or 10.5). */
  readonly total: number;
  readonly dispensing: DispensingCode;
}

export interface NewbornInput {
  /** ISO date of the birth, not in the future. */
  readonly birthDate: string;
  /** 胞胎註記: 1 for a single birth, 2.. for the order of twins etc. (one digit). */
  readonly birthOrder: string;
}

export interface PreventiveCareInput {
  /** 保健服務項目註記, 2 letters or digits. */
  readonly serviceItem: string;
  /** 檢查項目代碼, 2 letters or digits. */
  readonly itemCode: string;
}

export interface VaccinationInput {
  /** 疫苗種類, 1–6 letters, digits or '-'. */
  readonly vaccineType: string;
  /** 疫苗批號, 1–12 printable ASCII characters without spaces. */
  readonly lotNumber: string;
}
