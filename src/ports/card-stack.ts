/**
 * The `CardStack` port: the card stack as the schema sees it, in domain terms. Types only.
 *
 * Resolvers talk to this, never to the control software. Today one implementation (src/domain/cshis-card-stack.ts)
 * runs over the `ControlSoftware` port, which the koffi/CSHIS.dll adapter and the simulator both implement.
 * A backend for NHI's control software 6.0 (local REST + cloud JSON, docs/reference/webapi.md (Control software 6.0)) would implement this
 * port directly, and the schema would not change.
 *
 * Every method rejects with a `GatewayError` subclass for expected failures (vendor codes through the code
 * table, timeouts, missing cards) and with `InputError` for bad input; anything else is a bug.
 */
import type {
  BasicData,
  CardValidity,
  CriticalIllness,
  CumulativeFees,
  CumulativeYear,
  NewbornInput,
  OrganDonationFlag,
  OutpatientPrescription,
  PrenatalRecord,
  PrescriptionAreas,
  PrescriptionInput,
  PreventiveCareInput,
  PreventiveCareRecord,
  ReaderClock,
  SignedPrescription,
  TreatmentDiagnoses,
  TreatmentHistory,
  VaccinationInput,
  VaccinationRecord,
  HealthCardStatus,
  LastSeqNumber,
  LightColour,
  LightLevel,
  ProfessionalCardIdentity,
  ProfessionalCardStatus,
  RegisterData,
  SamStatus,
  TreatmentCategoryCode,
  TreatmentWrite,
} from '../domain/types.ts';
import type { ResetTarget } from './control-software.ts';

export interface ControlSoftwareDescription {
  readonly backend: string;
  /** csGetVersionEx's code, e.g. 5158; null when the control software can't be reached. */
  readonly version: number | null;
  readonly libraryPath: string;
}

export interface SamInfo {
  readonly hospitalId: string;
  readonly samId: string;
  readonly status: SamStatus;
  readonly authenticated: boolean;
  /** Whether this is an NHI test module (test cards only); null when unknown. */
  readonly testModule: boolean | null;
}

export interface ProfessionalCardInfo {
  readonly status: ProfessionalCardStatus;
  readonly present: boolean;
  readonly pinVerified: boolean;
}

export interface CardLight {
  readonly level: LightLevel;
  readonly colour: LightColour;
}

/** The console's two lights (CSWATCH window): one for the health card, one for the professional card. */
export interface LightState {
  readonly healthCard: CardLight;
  readonly professionalCard: CardLight;
  /**
   * Which health card is in (src/domain/card-sessions.ts `cardIdentity`, never the card number), when the read
   * knows it: null for none, undefined for unknown. Lets the light monitor see a swap between two polls.
   */
  readonly healthCardIdentity?: string | null | undefined;
}

export type TreatmentIdSource = 'CONTROL_SOFTWARE_1_53' | 'CONTROL_SOFTWARE_1_56' | 'CONTROL_SOFTWARE_1_54' | 'WEB_API';

/**
 * How a visit gets its seq number, insurance check and treatment ID (docs/webapi.md (Which way to configure), 方式 1–4).
 * - `SEQ256_QUICK_TREATNUM`: 1.55 then 1.37 then 1.56 (方式 1)
 * - `SEQ256_TREATNUM`: 1.37 then 1.56 (方式 2)
 * - `N1`: 1.53 alone (方式 3)
 * - `SEQ256_WEBAPI`: 1.37 then NHI's Web API (方式 4)
 */
export type VisitStrategy = 'SEQ256_QUICK_TREATNUM' | 'SEQ256_TREATNUM' | 'N1' | 'SEQ256_WEBAPI';

/**
 * Where `treatmentIdWithoutCard` (例外就醫, no card) gets its treatment ID. NHI recommends the Web API for
 * visits without a card since 2022-10-03 (docs/reference/webapi.md (Treatment-ID Web API)); 1.54 (hisGetTreatNumNoICCard) remains.
 * - `WEB_API`: the Web API only.
 * - `CONTROL_SOFTWARE_1_54`: API 1.54 only.
 * - `WEB_API_THEN_1_54`: the Web API; API 1.54 only when NHI certainly issued nothing (the request was not
 *   sent, or NHI refused it) — never after a timeout, reset or garbled answer, which could have issued one.
 * Default: `WEB_API` when a Web API is configured, else `CONTROL_SOFTWARE_1_54`.
 */
export type NoCardTreatmentIdPolicy = 'WEB_API' | 'CONTROL_SOFTWARE_1_54' | 'WEB_API_THEN_1_54';

export interface StartVisitInput {
  readonly category: TreatmentCategoryCode;
  /** 新生兒就醫註記: the visit is for the newborn attached to this card. */
  readonly newborn: boolean;
  /** 補卡註記: the card is presented after the visit (補卡). */
  readonly lateCard: boolean;
}

export interface Visit {
  readonly category: TreatmentCategoryCode;
  readonly visitTime: string;
  readonly visitTimeRoc: string;
  readonly seqNumber: string;
  readonly hospitalId: string;
  readonly signature: string;
  readonly samId: string;
  readonly sameDayVisit: boolean;
  readonly treatmentId: string | null;
  readonly treatmentIdSource: TreatmentIdSource | null;
  /** True when the visit was registered but its treatment ID could not be fetched yet (complete it later). */
  readonly treatmentIdPending: boolean;
  readonly strategy: VisitStrategy;
  readonly warnings: readonly VisitWarning[];
}

export interface VisitWarning {
  readonly code: string;
  readonly vendorCode: number | null;
  readonly messageZh: string;
  readonly messageEn: string;
}

export interface TreatmentIdResult {
  readonly treatmentId: string;
  readonly source: TreatmentIdSource;
  readonly visitTime: string;
  readonly visitTimeRoc: string;
  readonly hospitalId: string | null;
}

export interface WriteTreatmentInput extends TreatmentWrite {
  /** The visit's 13-digit ROC time, as returned by startVisit. */
  readonly visitTimeRoc: string;
  /** The cardholder's ID and birth date: the DLL compares them with the inserted card (5020 on mismatch). */
  readonly patientId: string;
  readonly birthDate: string; // ISO date
  /** ICD-10 layout (brackets, 7-char codes) or the old 5-char layout (docs/reference/buffers.md (Write inputs)). */
  readonly layout: 'ICD10' | 'DEFAULT';
  /** Write codes and fees in one call (1.47) rather than 1.16 then 1.17. */
  readonly combined: boolean;
}

export interface WriteTreatmentResult {
  readonly visitTimeRoc: string;
  readonly apis: readonly string[];
  /** The verified professional's ID number, as returned in pBufferDocID, or null. */
  readonly doctorIdNumber: string | null;
}

/**
 * Stages of a long operation (card update 1.30, data upload 3.1), in order. Each one a CardStack method
 * reports is the start of a real control-software call, never an estimate: WAITING_FOR_READER is the card/SAM
 * status check, CONTACTING_NHI_IDC the SAM authentication (2.1, skipped when already done), WRITING_CARD the
 * 1.30 call (it fetches the new contents from NHI and writes them in one call), UPLOADING the 3.1 call.
 * QUEUED, DONE and FAILED belong to whoever runs the operation.
 */
export type OperationStage =
  | 'QUEUED'
  | 'WAITING_FOR_READER'
  | 'CONTACTING_NHI_IDC'
  | 'WRITING_CARD'
  | 'UPLOADING'
  | 'WAITING_FOR_PIN'
  | 'DONE'
  | 'FAILED';

/** The stages a CardStack method itself reports. */
export type CallStage = Extract<OperationStage, 'WAITING_FOR_READER' | 'CONTACTING_NHI_IDC' | 'WRITING_CARD' | 'UPLOADING'>;

export type StageListener = (stage: CallStage) => void;

export interface CardUpdateResult {
  /** Read back with 1.38 after the update; null when unreadable. */
  readonly remainingVisits: number | null;
  /** ISO date; null when unreadable. */
  readonly cardValidUntil: string | null;
}

export interface UploadDataInput {
  /** Full path of the XML file on this workstation (the control software reads it). */
  readonly file: string;
  /** The file's size in bytes (pFileSize; 9070 when it does not match). */
  readonly fileSize: number;
  /** Number of records in the file (pNumber). */
  readonly recordCount: number;
}

/** docs/reference/buffers.md (3.1)'s 50-byte receipt. */
export interface UploadReceipt {
  readonly samId: string;
  readonly hospitalId: string;
  /** ISO 8601 (+08:00): when the control software sent the file; null when unreadable. */
  readonly uploadedAt: string | null;
  /** ISO 8601 (+08:00): when NHI's data centre received it; null when unreadable. */
  readonly receivedAt: string | null;
}

export interface CardStack extends AsyncDisposable {
  /** The card's record functions (issue 14); null on a backend without the control software (PC/SC). */
  readonly records: CardRecords | null;
  describe(): Promise<ControlSoftwareDescription>;
  healthCardStatus(): Promise<HealthCardStatus>;
  /** docs/reference/functions.md (1.1), no PIN. */
  basicData(): Promise<BasicData>;
  /** docs/reference/functions.md (1.2), no PIN since 5.1.5.7. */
  registerData(): Promise<RegisterData>;
  /** docs/reference/functions.md (1.38). */
  cardValidity(): Promise<CardValidity>;
  /** docs/reference/functions.md (1.14). */
  lastSeqNumber(): Promise<LastSeqNumber>;
  professionalCard(): Promise<ProfessionalCardInfo>;
  /** docs/reference/functions.md (4.5–4.8); requires an inserted professional card. */
  professionalIdentity(): Promise<ProfessionalCardIdentity>;
  sam(): Promise<SamInfo>;
  /**
   * Both slots' lights (docs/reference/buffers.md (1.15)) and which health card is in. `levelsKnown`, when given,
   * is called with the lights as soon as they are read, before the slower card-number read, so the light
   * monitor can publish a change at once (docs/lights-under-load.md).
   */
  lightState(levelsKnown?: (levels: LightState) => void): Promise<LightState>;
  startVisit(input: StartVisitInput): Promise<Visit>;
  /** docs/reference/functions.md (1.55): resolves when insured, rejects with an InsuranceError otherwise. */
  quickInsuranceCheck(category: TreatmentCategoryCode): Promise<void>;
  /** docs/reference/functions.md (1.56) (or the Web API, per strategy) for a visit already on the card. */
  treatmentIdForVisit(visitTimeRoc: string): Promise<TreatmentIdResult>;
  /** docs/reference/functions.md (1.54) (or the Web API) for a visit without a card. */
  treatmentIdWithoutCard(patientId: string): Promise<TreatmentIdResult>;
  /** docs/reference/functions.md (1.39). */
  cancelVisit(visitTimeRoc: string): Promise<void>;
  /** docs/reference/functions.md (1.16) + docs/reference/functions.md (1.17), or docs/reference/functions.md (1.47). */
  writeTreatment(input: WriteTreatmentInput): Promise<WriteTreatmentResult>;
  /** docs/reference/functions.md (2.1). */
  verifySam(): Promise<SamInfo>;
  /** docs/reference/functions.md (4.2) hpcVerifyHPCPIN: the DLL asks for the PIN in its own dialog. Never retried automatically. */
  verifyProfessionalPin(): Promise<ProfessionalCardInfo>;
  /** docs/reference/functions.md (1.52). */
  reset(target: ResetTarget): Promise<void>;
  /**
   * docs/reference/functions.md (1.30) online card update, reporting each stage as its call starts; resolves with the counters read back
   * (1.38). Rejects with the typed error (4013 no card, 9081 more than 3 visits left, 4061 network …).
   */
  updateCard(onStage?: StageListener): Promise<CardUpdateResult>;
  /** docs/reference/functions.md (3.1) data upload of an XML file, reporting each stage; resolves with the decoded 50-byte receipt. */
  uploadData(input: UploadDataInput, onStage?: StageListener): Promise<UploadReceipt>;
}

// ---------------------------------------------------------------------------------------------------------
// Card records (issue 14): every remaining control-software function a HIS uses, in domain terms.
// Function numbers → methods: docs/reference/card-functions.md. Inputs and results are plain JSON, so the
// card-write journal can store them (with identity fields redacted) when the schema step wires them.
// ---------------------------------------------------------------------------------------------------------

/** The cardholder a write or identity-checked read names: the DLL compares both with the card (5020). */
export interface CardholderRef {
  readonly patientId: string;
  /** ISO date. */
  readonly birthDate: string;
}

export type PrescriptionArea = 'OUTPATIENT' | 'LONG_TERM' | 'IMPORTANT_ORDERS' | 'ALLERGIES';

export interface WritePrescriptionsInput extends CardholderRef {
  /** The visit's 13-digit ROC time (startVisit's visitTimeRoc): each record is written for that visit. */
  readonly visitTimeRoc: string;
  readonly prescriptions: readonly PrescriptionInput[];
  /** 1.48 / 1.49: return each record's 40-character signature for the upload to NHI. */
  readonly signed: boolean;
}

export interface WritePrescriptionsResult {
  readonly visitTimeRoc: string;
  /** The export used: hisWritePrescription, hisWriteMultiPrescript, hisWritePrescriptionSign, hisWriteMultiPrescriptSign. */
  readonly api: string;
  readonly records: readonly OutpatientPrescription[];
  /** Signed writes: one per record, in order; null for unsigned writes. */
  readonly signatures: readonly SignedPrescription[] | null;
}

export interface AllergyWriteResult {
  /** The professional card holder's ID number the DLL returned (pBufferDocID), or null. */
  readonly doctorIdNumber: string | null;
}

export type DiagnosisWidth = 'DEFAULT' | 'ICD10';

export interface CardRecords {
  /** 1.3 */
  preventiveCare(): Promise<readonly PreventiveCareRecord[]>;
  /** 1.4 */
  prenatalRecords(): Promise<readonly PrenatalRecord[]>;
  /** 1.5: critical-illness dates and the 6-visit ring with fees. */
  treatmentHistory(): Promise<TreatmentHistory>;
  /** 1.6 */
  cumulativeData(): Promise<readonly CumulativeYear[]>;
  /** 1.7 */
  cumulativeFees(): Promise<CumulativeFees>;
  /** 1.8: needs a verified professional card (typed 4014 / 4042 before the call when the gateway can tell). */
  treatmentDiagnoses(width: DiagnosisWidth): Promise<TreatmentDiagnoses>;
  /** 1.10: the four areas in one call. */
  prescriptions(): Promise<PrescriptionAreas>;
  /** 1.41–1.44: records start..end (1-based) of one area; the other areas come back empty. */
  prescriptionRange(area: PrescriptionArea, start: number, end: number): Promise<PrescriptionAreas>;
  /** 1.11 */
  vaccinations(): Promise<readonly VaccinationRecord[]>;
  /** 1.12 */
  organDonation(): Promise<OrganDonationFlag>;
  /** 1.13 */
  emergencyPhone(): Promise<string | null>;
  /** 1.33, or 1.50 when `cardholder` is given (the DLL checks it: 5020). Codes only with a verified HPC. */
  criticalIllnesses(width: DiagnosisWidth, cardholder?: CardholderRef): Promise<readonly CriticalIllness[]>;
  /** 1.34 */
  readerClock(): Promise<ReaderClock>;

  /** 1.18 / 1.45 / 1.48 / 1.49, chosen by count and `signed`. */
  writePrescriptions(input: WritePrescriptionsInput): Promise<WritePrescriptionsResult>;
  /** 1.20: the three allergy slots at once (needs a professional card: typed 4014 before the call). */
  writeAllergies(input: CardholderRef & { readonly names: readonly string[] }): Promise<AllergyWriteResult>;
  /** 1.46: one slot 1–3. */
  writeAllergySlot(input: CardholderRef & { readonly slot: number; readonly name: string }): Promise<AllergyWriteResult>;
  /** 1.19 */
  writeNewborn(input: CardholderRef & { readonly newborn: NewbornInput }): Promise<void>;
  /** 1.21 */
  writeOrganDonation(input: CardholderRef & { readonly flag: string }): Promise<void>;
  /** 1.22 */
  writePreventiveCare(input: CardholderRef & { readonly record: PreventiveCareInput }): Promise<void>;
  /** 1.23 */
  writeEmergencyPhone(input: CardholderRef & { readonly emergencyPhone: string }): Promise<void>;
  /** 1.24 (female cardholders: 5079 otherwise) */
  writePrenatalCheckup(input: CardholderRef & { readonly itemCode: string }): Promise<void>;
  /** 1.25 */
  deletePrenatalRecords(input: CardholderRef): Promise<void>;
  /** 1.26 */
  writeVaccination(input: CardholderRef & { readonly vaccination: VaccinationInput }): Promise<void>;

  /** 1.36 */
  patientPinSet(): Promise<boolean>;
  /** 1.27: the DLL's keypad dialog. Never retried automatically. */
  verifyPatientPin(): Promise<void>;
  /** 1.28 */
  setPatientPin(): Promise<void>;
  /** 1.29 */
  disablePatientPin(): Promise<void>;
  /** 4.3 */
  changeProfessionalPin(): Promise<void>;
  /** 4.4 */
  unlockProfessionalCard(): Promise<void>;
  /** 1.40: the update without the card reset (ask the patient to re-insert the card afterwards). */
  updateCardWithoutReset(onStage?: StageListener): Promise<CardUpdateResult>;

  /** 5.1: ICD-10-CM code → the 5-character card form. */
  icd10ToCardForm(code: string): Promise<string>;
  /** 5.2 */
  icd10FromCardForm(cardForm: string): Promise<string>;
}
// Journal and logs: every write input above is plain JSON whose identity fields (`patientId`, `birthDate`,
// `emergencyPhone`, result `doctorIdNumber`, `signature`) are keys the logger's redactDeep blanks (src/logger.ts).
