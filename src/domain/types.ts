/**
 * Domain values decoded from the control software's buffers. These are what the schema exposes and what a
 * future control-software-6.0 backend (JSON, docs/reference/webapi.md (Control software 6.0)) would produce too, so nothing here mentions
 * byte offsets.
 *
 * Dates are ISO strings: `YYYY-MM-DD` for dates, `YYYY-MM-DDTHH:mm:ss+08:00` for date-times (NHI times
 * are Taiwan local time), alongside the raw ROC form where the card's own form matters for later calls.
 */

/** A Big5/CP950 text field decoded without ever rejecting the card (docs/reference/abi.md (Dates, Big5)). */
export interface DecodedText {
  /** Unicode text, trimmed. Rare (user-defined area) characters appear as Private Use Area code points. */
  readonly text: string;
  /** The raw bytes as uppercase hex, trimmed of padding, so a HIS with NHI's font can render them itself. */
  readonly rawHex: string;
  /** True when the field held user-defined-area (造字) characters. */
  readonly hasRareCharacters: boolean;
}

export type Sex = 'M' | 'F';

/** docs/reference/buffers.md (1.1) (72 bytes). */
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

/** docs/reference/buffers.md (1.2) (78 bytes). */
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

/** docs/reference/buffers.md (1.38) (9 bytes). */
export interface CardValidity {
  /** null when unreadable on the card. */
  readonly cardValidUntil: string | null;
  readonly remainingVisits: number | null;
}

/** docs/reference/buffers.md (1.14) (7 bytes). */
export interface LastSeqNumber {
  /** The raw 7 characters as on the card. */
  readonly raw: string;
  /** The 4-digit visit sequence number (characters 4–7). */
  readonly seqNumber: string;
}

/** docs/reference/buffers.md (1.37) (296 bytes) and 1.53 (316 bytes). */
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

/** docs/reference/buffers.md (1.54) (43 bytes). */
export interface NoCardTreatmentId {
  readonly visitTime: string;
  readonly visitTimeRoc: string;
  readonly hospitalId: string;
  readonly treatmentId: string;
}

/** docs/reference/buffers.md (1.15) hisGetCardStatus codes, per card type. */
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

/** 就醫類別 (docs/reference/buffers.md (Code lists)). */
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

/** Diagnoses and fees written by 1.16 / 1.17 / 1.47 (docs/reference/buffers.md (Write inputs)). */
export interface TreatmentWrite {
  /** 補卡註記: true when the card is presented late (補卡). */
  readonly lateCard: boolean;
  /** Main diagnosis then up to five secondary diagnoses, ICD-10-CM codes without the dot. */
  readonly diagnoses: readonly string[];
  readonly fees?: TreatmentFees;
}

/** docs/reference/buffers.md (1.17) fee block, whole NT$ amounts. */
export interface TreatmentFees {
  readonly outpatientFee: number;
  readonly outpatientCopay: number;
  readonly inpatientFee: number;
  readonly inpatientCopayShortStay: number;
  readonly inpatientCopayLongStay: number;
}

/** A professional card's identity (docs/reference/buffers.md (4.5–4.8)). */
export interface ProfessionalCardIdentity {
  readonly serialNumber: string;
  readonly idNumber: string;
  readonly name: DecodedText;
  readonly englishName: string;
}
