/**
 * The embedded simulator: an in-memory clinic workstation implementing the ControlSoftware port with the
 * DLL's own buffers and return codes, so every codec and the whole domain layer above it run unchanged.
 *
 * State machine (docs/reference/buffers.md (1.15), docs/reference/abi.md (Console and lights)): the SAM authenticates with the IDC (csVerifySAMDC, or
 * automatically on the first card operation as the DLL has done since 3.3); an inserted health card becomes
 * SAM-authenticated on its first operation; a professional card goes inserted → SAM-authenticated → PIN
 * verified. Visits consume counted visits (就醫類別 01–05), take seq numbers and can be cancelled (1.39)
 * within the docs/reference/buffers.md (Write inputs) rules.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import {
  CARD_TYPE,
  OUTPUT_SIZE,
  type CardType,
  type ControlSoftware,
  type RawOutput,
  type ResetTarget,
} from '../../ports/control-software.ts';
import { TREATMENT_CATEGORIES } from '../../domain/types.ts';
import { dateToRocDateTime, taiwanDayNumber } from '../../codecs/roc-date.ts';
import {
  encodeBasicData,
  encodeRegisterBasic,
  encodeRegisterBasic2,
  encodeLastSeqNum,
  encodeSeqNumber256,
  encodeSeqNumber256N1,
  encodeTreatNumNoICCard,
  encodeHpcChineseName,
  type CardHolderRecord,
} from '../../codecs/layouts.ts';
import {
  decodeFeeInput,
  decodeTreatmentCodeInput,
  decodeTreatmentDataInput,
} from '../../codecs/write-inputs.ts';
import {
  CUMULATIVE_FEE_LAYOUT,
  CUMULATIVE_YEAR_LAYOUT,
  IMPORTANT_ORDER_LAYOUT,
  LONG_TERM_RX_LAYOUT,
  OUTPATIENT_RX_LAYOUT,
  PRENATAL_LAYOUT,
  PREVENTIVE_CARE_LAYOUT,
  VACCINATION_LAYOUT,
  encodeAllergySlots,
  encodeArea,
  encodeCriticalIllnessBlock,
  encodeTreatmentDiagnoses,
  encodeTreatmentHistory,
  formatRecord,
  zeroPadded,
  type Fields,
  type Layout,
  type VisitDiagnosesFields,
  type VisitFields,
} from '../../codecs/records.ts';
import { decodeAllergiesInput, decodePrescriptionsInput } from '../../codecs/record-inputs.ts';
import { RECORD, type PrescriptionAreasRaw, type RangeOutput } from '../../ports/control-software.ts';
import {
  PHARMACY_VISIBLE_ORDER_TYPES,
  SimulatedCardRecords,
  pushRing,
  seedFor,
  simulatedIcd10Decode,
  simulatedIcd10Encode,
} from './card-records.ts';
import type { TreatmentFees } from '../../domain/types.ts';
import {
  SIMULATED_HOSPITAL,
  SIMULATED_PATIENTS,
  SIMULATED_PROFESSIONALS,
  type SimulatedPatient,
  type SimulatedProfessional,
} from './patients.ts';

const OK = 0;
const RC = {
  BAD_PARAMETER: 6018,
  HC_NOT_INSERTED: 4013,
  HPC_NOT_INSERTED: 4014,
  NO_VISITS_LEFT: 5001,
  CARD_CANCELLED: 5002,
  CARD_EXPIRED: 5003,
  NEWBORN_NOT_ALLOWED: 5004,
  DIFFERENT_PERSON: 5020,
  VISIT_NOT_FOUND: 5022,
  CANCEL_NO_SUCH_VISIT: 5150,
  CANCEL_NOT_NUMERIC: 5151,
  CANCEL_ALREADY: 5153,
  CANCEL_DATE_NOT_ALLOWED: 5154,
  FILE_NOT_FOUND: 6017,
  HPC_PIN_NOT_VERIFIED: 4042,
  NEWBORN_ORDER_MISSING: 5052,
  HPC_ID_READ_FAILED: 5056,
  SEX_MISMATCH_MALE: 5079,
  PHARMACY_CARD_NOT_PERMITTED: 9100,
  ICD10_NO_MAPPING: 9127,
  UPLOAD_SIZE_MISMATCH: 9070,
  UPDATE_REFUSED_VISITS_LEFT: 9081,
} as const;

/** docs/reference/return-codes.md 9081: the card update refuses a card that still has more than this many visits. */
const UPDATE_MAX_VISITS_LEFT = 3;
/** What a card update refills the visit counter to (the card's usual six). */
const VISITS_AFTER_UPDATE = 6;

const SAME_DAY_OTHER_DEPARTMENT = 5010;
/** Calls that may change what a card holds (saved for the next start); insertion and PIN changes call `changed()`. */
const CHANGES_THE_CARD = /^(hisWrite|hisDelete|hisGetSeqNumber|csUnGetSeqNumber|csUpdateHC|csInputHCPIN|csDisableHCPIN)/;
const COUNTED_CATEGORIES = new Set(['01', '02', '03', '04', '05']);
const DAY_MS = 86_400_000;

interface SimulatedVisit {
  readonly visitTimeRoc: string;
  readonly startedAt: Date;
  readonly category: string;
  readonly seqNumber: number;
  readonly treatmentId: string;
  cancelled: boolean;
  readonly writes: string[];
  /** cBabyTreat was not blank (新生兒就醫). */
  readonly newborn: boolean;
  /** cTreatAfterCheck '2' (補卡). */
  readonly lateCard: boolean;
}

interface InsertedHealthCard {
  readonly patient: SimulatedPatient;
  samAuthenticated: boolean;
  remainingVisits: number;
  lastSeqNumber: number;
  readonly visits: SimulatedVisit[];
  /** Set by a card update (1.30): the renewed validity, overriding the patient's. */
  validUntilRoc?: string;
  /** Prescriptions, allergies, vaccinations … (card-records.ts). */
  readonly records: SimulatedCardRecords;
}

/**
 * Copies of stored reads, handed out as views into a shared slab (as Node's Buffer pool does): a copy of
 * `slice()` gets an ArrayBuffer of its own, whose allocation and collection cost more than the copy itself.
 * Each view is the caller's alone; the slab's other bytes are other copies, never written again.
 */
class CopySlab {
  static readonly SIZE = 8192;
  #slab = new ArrayBuffer(CopySlab.SIZE);
  #used = 0;

  copy(bytes: Uint8Array): Uint8Array {
    if (bytes.length > CopySlab.SIZE / 4) return bytes.slice();
    if (this.#used + bytes.length > CopySlab.SIZE) {
      this.#slab = new ArrayBuffer(CopySlab.SIZE);
      this.#used = 0;
    }
    const view = new Uint8Array(this.#slab, this.#used, bytes.length);
    view.set(bytes);
    // Next copy on an 8-byte boundary, as Node's pool aligns.
    this.#used += (bytes.length + 7) & ~7;
    return view;
  }
}

/** A read's bytes as last encoded, with what they were encoded from (SimulatedWorkstation `storedBytes`). */
interface StoredRead {
  readonly day: number;
  readonly remainingVisits: number;
  readonly validUntilRoc: string | undefined;
  readonly emergencyPhone: string | null | undefined;
  readonly newbornBirthDateRoc: string | undefined;
  readonly newbornBirthOrder: string | undefined;
  readonly bytes: Uint8Array;
}

interface InsertedProfessionalCard {
  readonly professional: SimulatedProfessional;
  pinVerified: boolean;
}

import type { ForcibleGatewayCode, SimulatorControls } from '../../ports/simulator.ts';
import { gatewayError } from '../../errors/gateway-codes.ts';
import { SAVED_STATE_VERSION, loadSavedState, writeSavedState, type SavedCard } from './saved-state.ts';
export type { SimulatorControls };

export interface SimulatorOptions {
  readonly now?: () => Date;
  /** Artificial latency per call in ms, to rehearse spinners; 0 by default. */
  readonly latencyMs?: number;
  /**
   * Extra latency of the calls that go to NHI's IDC and back (1.30 card update, 3.1 upload), so progress
   * screens can be rehearsed. Default 800 ms; tests pass 0.
   */
  readonly networkLatencyMs?: number;
  /**
   * Keep the workstation in this file across restarts (saved-state.ts): the cards in the readers and what was
   * written on them. Omitted (tests, embedded use): in memory only.
   */
  readonly stateFile?: string;
  /** Told when the saved state cannot be read or written (the simulator carries on in memory). */
  readonly onStateProblem?: (message: string) => void;
}

export class SimulatedWorkstation implements ControlSoftware, SimulatorControls {
  readonly info = { backend: 'simulator', libraryPath: 'embedded simulator (no CSHIS.dll)' } as const;
  readonly patients = SIMULATED_PATIENTS;
  readonly professionals = SIMULATED_PROFESSIONALS;

  private readonly now: () => Date;
  private readonly latencyMs: number;
  private readonly networkLatencyMs: number;
  private samAuthenticated = false;
  private readerOpen = false;
  private healthCard: InsertedHealthCard | null = null;
  private professionalCard: InsertedProfessionalCard | null = null;
  private readonly forcedCodes = new Map<string, number>();
  private readonly forcedGatewayCodes = new Map<string, ForcibleGatewayCode>();
  private readonly stateFile: string | null;
  private readonly onStateProblem: (message: string) => void;
  private saveTimer: NodeJS.Timeout | null = null;
  /** Epoch second of the latest visit time handed out (visits are monotonic, one per second). */
  private lastVisitSecond = -Infinity;
  private readonly listeners = new Set<() => void>();
  /** Card state survives removal, as the real card keeps its counters. */
  private readonly cardMemory = new Map<string, InsertedHealthCard>();

  constructor(options: SimulatorOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.latencyMs = options.latencyMs ?? 0;
    this.networkLatencyMs = options.networkLatencyMs ?? 800;
    this.stateFile = options.stateFile ?? null;
    this.onStateProblem = options.onStateProblem ?? (() => {});
    if (this.stateFile) this.restore(this.stateFile);
  }

  // ---- controls ----

  insertHealthCard(patientKey: string): void {
    const patient = this.patients.find((p) => p.key === patientKey);
    if (!patient) throw new RangeError(`unknown simulated patient ${patientKey}`);
    const remembered = this.cardMemory.get(patient.key);
    const card: InsertedHealthCard = remembered ?? {
      patient,
      samAuthenticated: false,
      remainingVisits: patient.remainingVisits,
      lastSeqNumber: patient.lastSeqNumber,
      visits: [],
      records: new SimulatedCardRecords(seedFor(patient.key), patient.emergencyPhone, patient.hasPin),
    };
    card.records.pinVerified = false;
    card.samAuthenticated = false;
    this.cardMemory.set(patient.key, card);
    this.healthCard = card;
    this.changed();
  }

  removeHealthCard(): void {
    this.healthCard = null;
    this.changed();
  }

  insertProfessionalCard(professionalKey: string): void {
    const professional = this.professionals.find((p) => p.key === professionalKey);
    if (!professional) throw new RangeError(`unknown simulated professional ${professionalKey}`);
    this.professionalCard = { professional, pinVerified: false };
    this.changed();
  }

  removeProfessionalCard(): void {
    this.professionalCard = null;
    this.changed();
  }

  forceReturnCode(functionName: string, rc: number | null): void {
    if (rc === null || rc === 0) this.forcedCodes.delete(functionName);
    else this.forcedCodes.set(functionName, rc);
  }

  forceGatewayCode(functionName: string, code: ForcibleGatewayCode | null): void {
    if (code === null) this.forcedGatewayCodes.delete(functionName);
    else this.forcedGatewayCodes.set(functionName, code);
  }

  reset(): void {
    this.samAuthenticated = false;
    this.healthCard = null;
    this.professionalCard = null;
    this.forcedCodes.clear();
    this.forcedGatewayCodes.clear();
    this.cardMemory.clear();
    this.changed();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  writeCount(visitTimeRoc: string): number {
    for (const card of this.cardMemory.values()) {
      const visit = card.visits.find((v) => v.visitTimeRoc === visitTimeRoc);
      if (visit) return visit.writes.length;
    }
    return 0;
  }

  // ---- ControlSoftware: reader and environment ----

  csOpenCom(port: number) {
    return this.run('csOpenCom', () => {
      if (!Number.isInteger(port) || port < 0 || port > 9) return -1;
      this.readerOpen = true;
      return OK;
    });
  }

  csCloseCom() {
    return this.run('csCloseCom', () => {
      const wasOpen = this.readerOpen;
      this.readerOpen = false;
      return wasOpen ? OK : -1;
    });
  }

  async csGetVersionEx() {
    await this.delay();
    return { version: 5158, path: this.info.libraryPath };
  }

  csSoftwareReset(target: ResetTarget) {
    return this.run('csSoftwareReset', () => {
      switch (target) {
        case 0:
          this.samAuthenticated = false;
          if (this.professionalCard) this.professionalCard.pinVerified = false;
          if (this.healthCard) {
            this.healthCard.samAuthenticated = false;
            this.healthCard.records.pinVerified = false;
          }
          break;
        case 1:
          this.samAuthenticated = false;
          break;
        case 2:
          if (this.professionalCard) this.professionalCard.pinVerified = false;
          break;
        case 3:
          if (this.healthCard) {
            this.healthCard.samAuthenticated = false;
            this.healthCard.records.pinVerified = false;
          }
          break;
        default:
          return RC.BAD_PARAMETER;
      }
      this.changed();
      return OK;
    });
  }

  csGetDateTime() {
    return this.output('csGetDateTime', () => ascii(dateToRocDateTime(this.now())));
  }

  // ---- presence and status (docs/reference/buffers.md (1.15)) ----

  hisGetCardStatus(cardType: CardType) {
    return this.run('hisGetCardStatus', () => {
      switch (cardType) {
        case CARD_TYPE.SAM:
          return this.samAuthenticated ? 2 : 1;
        case CARD_TYPE.HEALTH_CARD:
          if (!this.healthCard) return 0;
          if (this.healthCard.records.pinVerified) return 4;
          return this.healthCard.samAuthenticated ? 2 : 1;
        case CARD_TYPE.PROFESSIONAL_CARD:
          if (!this.professionalCard) return 0;
          if (this.professionalCard.pinVerified) return 3;
          return this.samAuthenticated ? 2 : 1;
        default:
          return RC.BAD_PARAMETER;
      }
    });
  }

  async peekHealthCardNumber(): Promise<string | null> {
    return this.healthCard?.patient.cardNumber ?? null;
  }

  csGetCardNo(cardType: CardType) {
    return this.output('csGetCardNo', () => {
      if (cardType === CARD_TYPE.SAM) return ascii(SIMULATED_HOSPITAL.samId);
      if (cardType === CARD_TYPE.HEALTH_CARD) {
        const card = this.requireHealthCard();
        return typeof card === 'number' ? card : ascii(card.patient.cardNumber);
      }
      if (cardType === CARD_TYPE.PROFESSIONAL_CARD) {
        if (!this.professionalCard) return RC.HPC_NOT_INSERTED;
        return ascii(this.professionalCard.professional.serialNumber);
      }
      return RC.BAD_PARAMETER;
    });
  }

  async hpcGetHPCStatus() {
    const rc = await this.run('hpcGetHPCStatus', () => OK);
    return { rc, status: rc === OK && this.professionalCard ? 1 : 0 };
  }

  // ---- health card reads ----

  hisGetBasicData() {
    return this.cardOutput('hisGetBasicData', (card) => this.storedBytes('hisGetBasicData', card, encodeBasicData));
  }

  hisGetRegisterBasic() {
    return this.cardOutput('hisGetRegisterBasic', (card) => this.storedBytes('hisGetRegisterBasic', card, encodeRegisterBasic));
  }

  hisGetRegisterBasic2() {
    return this.cardOutput('hisGetRegisterBasic2', (card) => this.storedBytes('hisGetRegisterBasic2', card, encodeRegisterBasic2));
  }

  hisGetLastSeqNum() {
    return this.cardOutput('hisGetLastSeqNum', (card) => {
      const last = card.visits.at(-1);
      const visitTimeRoc = last ? last.visitTimeRoc : dateToRocDateTime(this.now());
      return encodeLastSeqNum({ visitTimeRoc, seqNumber: String(card.lastSeqNumber).padStart(4, '0') });
    });
  }

  csISSetPIN() {
    return this.run('csISSetPIN', () => {
      const card = this.requireHealthCard();
      if (typeof card === 'number') return card;
      return card.records.pinSet ? 1 : 0;
    });
  }

  // ---- visits ----

  async hisGetSeqNumber256(treatItem: string, babyTreat: string, treatAfterCheck: string) {
    await this.clockPastLastVisit();
    return this.cardOutput('hisGetSeqNumber256', (card) => {
      const visit = this.takeSeqNumber(card, treatItem, babyTreat, treatAfterCheck);
      if (typeof visit === 'number') return visit;
      return { rc: this.sameDayOtherDepartment(card, visit), bytes: encodeSeqNumber256(this.seqFields(card, visit)) };
    });
  }

  async hisGetSeqNumber256N1(treatItem: string, babyTreat: string, treatAfterCheck: string) {
    await this.clockPastLastVisit();
    return this.cardOutput('hisGetSeqNumber256N1', (card) => {
      const visit = this.takeSeqNumber(card, treatItem, babyTreat, treatAfterCheck);
      if (typeof visit === 'number') return visit;
      const bytes = encodeSeqNumber256N1({ ...this.seqFields(card, visit), treatmentId: visit.treatmentId });
      return { rc: this.sameDayOtherDepartment(card, visit), bytes };
    });
  }

  hisQuickInsurence(treatItem: string) {
    return this.run('hisQuickInsurence', () => {
      const card = this.requireHealthCard();
      if (typeof card === 'number') return card;
      if (!(treatItem in TREATMENT_CATEGORIES)) return RC.BAD_PARAMETER;
      // The check answers what registering this category would answer (cancelled, expired, coverage, visits left).
      return this.eligibility(card, treatItem, false);
    });
  }

  hisGetTreatNumICCard(visitDateTime: string) {
    return this.cardOutput('hisGetTreatNumICCard', (card) => {
      const visit = card.visits.find((v) => v.visitTimeRoc === visitDateTime && !v.cancelled);
      return visit ? ascii(visit.treatmentId) : RC.VISIT_NOT_FOUND;
    });
  }

  hisGetTreatNumNoICCard(patientId: string, hospitalId: string) {
    return this.output('hisGetTreatNumNoICCard', () => {
      if (!/^[A-Z][0-9A-D]\d{8}$/.test(patientId) || hospitalId !== SIMULATED_HOSPITAL.hospitalId) {
        return RC.BAD_PARAMETER;
      }
      const visitTimeRoc = dateToRocDateTime(this.now());
      return encodeTreatNumNoICCard({
        visitTimeRoc,
        hospitalId,
        treatmentId: treatmentIdFor(patientId, visitTimeRoc),
      });
    });
  }

  csUnGetSeqNumber(visitDateTime: string) {
    return this.run('csUnGetSeqNumber', () => {
      const card = this.requireHealthCard();
      if (typeof card === 'number') return card;
      const visit = card.visits.find((v) => v.visitTimeRoc === visitDateTime);
      if (!visit) return RC.CANCEL_NO_SUCH_VISIT;
      if (visit.cancelled) return RC.CANCEL_ALREADY;
      if (!/^\d\d$/.test(visit.category)) return RC.CANCEL_NOT_NUMERIC;
      if (this.now().getTime() - visit.startedAt.getTime() > DAY_MS) return RC.CANCEL_DATE_NOT_ALLOWED;
      visit.cancelled = true;
      if (COUNTED_CATEGORIES.has(visit.category)) card.remainingVisits += 1;
      return OK;
    });
  }

  // ---- writes ----

  hisWriteTreatmentCode(dateTime: string, patientId: string, birthDate: string, data: string) {
    return this.output('hisWriteTreatmentCode', () => this.write(dateTime, patientId, birthDate, data, true));
  }

  async hisWriteTreatmentFee(dateTime: string, patientId: string, birthDate: string, data: string) {
    const out = await this.output('hisWriteTreatmentFee', () => this.write(dateTime, patientId, birthDate, data, false));
    return out.rc;
  }

  hisWriteTreatmentData(dateTime: string, patientId: string, birthDate: string, data: string) {
    return this.output('hisWriteTreatmentData', () => this.write(dateTime, patientId, birthDate, data, true));
  }

  // ---- SAM ----

  csVerifySAMDC() {
    return this.run('csVerifySAMDC', () => {
      this.samAuthenticated = true;
      this.changed();
      return OK;
    });
  }

  csGetHospID() {
    return this.output('csGetHospID', () => ascii(SIMULATED_HOSPITAL.hospitalId));
  }

  // ---- professional card ----

  hpcVerifyHPCPIN() {
    return this.run('hpcVerifyHPCPIN', () => {
      if (!this.professionalCard) return RC.HPC_NOT_INSERTED;
      this.authenticateSam();
      this.professionalCard.pinVerified = true;
      this.changed();
      return OK;
    });
  }

  hpcGetHPCSN() {
    return this.hpcOutput('hpcGetHPCSN', (p) => ascii(p.serialNumber));
  }

  hpcGetHPCSSN() {
    return this.hpcOutput('hpcGetHPCSSN', (p) => ascii(p.idNumber));
  }

  hpcGetHPCCNAME() {
    return this.hpcOutput('hpcGetHPCCNAME', (p) => encodeHpcChineseName(p.name));
  }

  hpcGetHPCENAME() {
    return this.hpcOutput('hpcGetHPCENAME', (p) => ascii(p.englishName));
  }

  // ---- long operations ----

  async csUpdateHCContents() {
    await this.networkDelay();
    return this.run('csUpdateHCContents', () => this.updateCard(true));
  }

  async csUploadData(file: string, fileSize: string, recordCount: string) {
    await this.networkDelay();
    return this.output('csUploadData', () => {
      if (!/^\d+$/.test(fileSize) || !/^\d+$/.test(recordCount) || Number(recordCount) < 1) return RC.BAD_PARAMETER;
      let actualSize: number;
      try {
        const stat = statSync(file);
        if (!stat.isFile()) return RC.FILE_NOT_FOUND;
        actualSize = stat.size;
      } catch {
        return RC.FILE_NOT_FOUND;
      }
      if (actualSize !== Number(fileSize)) return RC.UPLOAD_SIZE_MISMATCH;
      this.authenticateSam();
      const sent = gregorianDateTime(this.now());
      const received = gregorianDateTime(new Date(this.now().getTime() + 1000));
      return ascii(`${SIMULATED_HOSPITAL.samId}${SIMULATED_HOSPITAL.hospitalId}${sent}${received}`);
    });
  }

  // ---- health card records (issue 14; rules in card-records.ts) ----

  hisGetRegisterPrevent() {
    return this.cardOutput('hisGetRegisterPrevent', (card) =>
      encodeArea(card.records.preventiveCare, PREVENTIVE_CARE_LAYOUT, RECORD.preventiveCare.capacity),
    );
  }

  hisGetRegisterPregnant() {
    return this.cardOutput('hisGetRegisterPregnant', (card) =>
      encodeArea(card.records.prenatal, PRENATAL_LAYOUT, RECORD.prenatal.capacity),
    );
  }

  hisGetTreatmentNoNeedHPC() {
    return this.cardOutput('hisGetTreatmentNoNeedHPC', (card) =>
      encodeTreatmentHistory(card.records.criticalIllnesses, this.visitRing(card)),
    );
  }

  hisGetCumulativeData() {
    return this.cardOutput('hisGetCumulativeData', (card) => this.cumulativeData(card));
  }

  hisGetCumulativeFee() {
    return this.cardOutput('hisGetCumulativeFee', (card) => {
      const fees = this.ringVisits(card, Infinity).map((v) => visitFees(v));
      const sum = (k: keyof TreatmentFees) => fees.reduce((n, f) => n + (f?.[k] ?? 0), 0);
      return asciiOf(
        formatRecord(
          { outpatientTotal: zeroPadded(sum('outpatientFee'), 10), inpatientTotal: zeroPadded(sum('inpatientFee'), 10) },
          CUMULATIVE_FEE_LAYOUT,
        ),
      );
    });
  }

  /** 1.8: a verified professional card is required (4014 / 4042); a pharmacist's sees no critical-illness codes. */
  hisGetTreatmentNeedHPC(icd10: boolean) {
    const size = icd10 ? OUTPUT_SIZE.hisGetTreatmentNeedHPCIcd10 : OUTPUT_SIZE.hisGetTreatmentNeedHPC;
    return this.output(
      'hisGetTreatmentNeedHPC',
      () => {
        const card = this.requireHealthCard();
        if (typeof card === 'number') return card;
        if (!this.professionalCard) return RC.HPC_NOT_INSERTED;
        if (!this.professionalCard.pinVerified) return RC.HPC_PIN_NOT_VERIFIED;
        const ci = this.criticalIllnessesAsRead(card, icd10).map((c) => (this.isPharmacist() ? { ...c, code: '' } : c));
        return encodeTreatmentDiagnoses(ci, this.visitDiagnoses(card, icd10), icd10);
      },
      size,
    );
  }

  hisReadPrescription(): Promise<PrescriptionAreasRaw> {
    return this.output('hisReadPrescription', () => {
      const card = this.requireHealthCard();
      if (typeof card === 'number') return card;
      return concatAll(this.prescriptionAreas(card));
    }, Infinity).then((out) => {
      const empty = new Uint8Array(0);
      if (out.rc !== OK) return { rc: out.rc, outpatient: empty, longTerm: empty, importantOrders: empty, allergies: empty };
      const sizes = [
        OUTPUT_SIZE.hisReadPrescriptionOutpatient,
        OUTPUT_SIZE.hisReadPrescriptionLongTerm,
        OUTPUT_SIZE.hisReadPrescriptionImportantOrders,
        OUTPUT_SIZE.hisReadPrescriptionAllergies,
      ];
      const parts: Uint8Array[] = [];
      let offset = 0;
      for (const size of sizes) {
        parts.push(out.bytes.slice(offset, offset + size));
        offset += size;
      }
      return { rc: OK, outpatient: parts[0]!, longTerm: parts[1]!, importantOrders: parts[2]!, allergies: parts[3]! };
    });
  }

  hisGetInoculateData() {
    return this.cardOutput('hisGetInoculateData', (card) =>
      encodeArea(card.records.vaccinations, VACCINATION_LAYOUT, RECORD.vaccination.capacity),
    );
  }

  hisGetOrganDonate() {
    return this.cardOutput('hisGetOrganDonate', (card) => asciiOf((card.records.organDonation || ' ').slice(0, 1)));
  }

  hisGetEmergentTel() {
    return this.cardOutput('hisGetEmergentTel', (card) => asciiOf((card.records.emergencyPhone ?? '').padEnd(14, ' ')));
  }

  hisGetCriticalIllness(icd10: boolean) {
    return this.criticalIllnessRead('hisGetCriticalIllness', icd10, () => OK);
  }

  hisGetCriticalIllnessID(patientId: string, birthDate: string, icd10: boolean) {
    return this.criticalIllnessRead('hisGetCriticalIllnessID', icd10, (card) => this.identity(card, patientId, birthDate));
  }

  hisReadPrescriptMain(start: number, end: number) {
    return this.rangeRead('hisReadPrescriptMain', start, end, RECORD.outpatientPrescription, (card) => this.prescriptionAreas(card)[0]);
  }

  hisReadPrescriptLongTerm(start: number, end: number) {
    return this.rangeRead('hisReadPrescriptLongTerm', start, end, RECORD.longTermPrescription, (card) => this.prescriptionAreas(card)[1]);
  }

  hisReadPrescriptHVE(start: number, end: number) {
    return this.rangeRead('hisReadPrescriptHVE', start, end, RECORD.importantOrder, (card) => this.prescriptionAreas(card)[2]);
  }

  hisReadPrescriptAllergic(start: number, end: number) {
    return this.rangeRead('hisReadPrescriptAllergic', start, end, RECORD.allergy, (card) => this.prescriptionAreas(card)[3]);
  }

  // ---- record writes ----

  async hisWritePrescription(dateTime: string, patientId: string, birthDate: string, data: string) {
    return (await this.output('hisWritePrescription', () => this.writePrescriptions(dateTime, patientId, birthDate, data, 1, false))).rc;
  }

  async hisWriteMultiPrescript(dateTime: string, patientId: string, birthDate: string, data: string, count: number) {
    return (await this.output('hisWriteMultiPrescript', () => this.writePrescriptions(dateTime, patientId, birthDate, data, count, false))).rc;
  }

  hisWritePrescriptionSign(dateTime: string, patientId: string, birthDate: string, data: string) {
    return this.output('hisWritePrescriptionSign', () => this.writePrescriptions(dateTime, patientId, birthDate, data, 1, true));
  }

  hisWriteMultiPrescriptSign(dateTime: string, patientId: string, birthDate: string, data: string, count: number) {
    return this.output('hisWriteMultiPrescriptSign', () => this.writePrescriptions(dateTime, patientId, birthDate, data, count, true));
  }

  hisWriteNewBorn(patientId: string, birthDate: string, newbornBirthDate: string, birthOrder: string) {
    return this.cardWrite('hisWriteNewBorn', patientId, birthDate, (card) => {
      if (!/^\d{7}$/.test(newbornBirthDate)) return RC.BAD_PARAMETER;
      if (birthOrder.trim() === '') return RC.NEWBORN_ORDER_MISSING;
      if (!/^[1-9]$/.test(birthOrder)) return RC.BAD_PARAMETER;
      card.records.newborn = { birthDateRoc: newbornBirthDate, birthOrder };
      return OK;
    });
  }

  hisWriteAllergicMedicines(patientId: string, birthDate: string, data: Uint8Array) {
    return this.output('hisWriteAllergicMedicines', () =>
      this.writeAllergies(patientId, birthDate, data, RECORD.allergy.size * RECORD.allergy.capacity, (card, names) => {
        names.forEach((n, i) => (card.records.allergies[i] = n));
      }),
    );
  }

  hisWriteAllergicNum(patientId: string, birthDate: string, data: Uint8Array, slot: number) {
    return this.output('hisWriteAllergicNum', () => {
      if (!Number.isInteger(slot) || slot < 1 || slot > RECORD.allergy.capacity) return RC.BAD_PARAMETER;
      return this.writeAllergies(patientId, birthDate, data, RECORD.allergy.size, (card, [name]) => {
        card.records.allergies[slot - 1] = name ?? '';
      });
    });
  }

  hisWriteOrganDonate(patientId: string, birthDate: string, flag: string) {
    return this.cardWrite('hisWriteOrganDonate', patientId, birthDate, (card) => {
      if (!/^[A-Z0-9]$/.test(flag)) return RC.BAD_PARAMETER;
      card.records.organDonation = flag;
      return OK;
    });
  }

  hisWriteHealthInsurance(patientId: string, birthDate: string, serviceItem: string, itemCode: string) {
    return this.cardWrite('hisWriteHealthInsurance', patientId, birthDate, (card) => {
      if (!/^[A-Z0-9]{2}$/.test(serviceItem) || !/^[A-Z0-9]{2}$/.test(itemCode)) return RC.BAD_PARAMETER;
      pushRing(
        card.records.preventiveCare,
        { serviceItem, dateRoc: this.today(), hospitalId: SIMULATED_HOSPITAL.hospitalId, itemCode },
        RECORD.preventiveCare.capacity,
      );
      return OK;
    });
  }

  hisWriteEmergentTel(patientId: string, birthDate: string, phone: string) {
    return this.cardWrite('hisWriteEmergentTel', patientId, birthDate, (card) => {
      if (phone.length < 1 || phone.length > 14 || !/^[\x20-\x7e]+$/.test(phone)) return RC.BAD_PARAMETER;
      card.records.emergencyPhone = phone;
      return OK;
    });
  }

  hisWritePredeliveryCheckup(patientId: string, birthDate: string, itemCode: string) {
    return this.cardWrite('hisWritePredeliveryCheckup', patientId, birthDate, (card) => {
      if (!/^[A-Z0-9]{2}$/.test(itemCode)) return RC.BAD_PARAMETER;
      if (card.patient.sex !== 'F') return RC.SEX_MISMATCH_MALE;
      pushRing(
        card.records.prenatal,
        { dateRoc: this.today(), hospitalId: SIMULATED_HOSPITAL.hospitalId, itemCode },
        RECORD.prenatal.capacity,
      );
      return OK;
    });
  }

  hisDeletePredeliveryData(patientId: string, birthDate: string) {
    return this.cardWrite('hisDeletePredeliveryData', patientId, birthDate, (card) => {
      if (card.patient.sex !== 'F') return RC.SEX_MISMATCH_MALE;
      card.records.prenatal.length = 0;
      return OK;
    });
  }

  hisWriteInoculateData(patientId: string, birthDate: string, vaccineType: string, lotNumber: string) {
    return this.cardWrite('hisWriteInoculateData', patientId, birthDate, (card) => {
      if (!/^[\x21-\x7e]{1,6}$/.test(vaccineType) || !/^[\x21-\x7e]{1,12}$/.test(lotNumber)) return RC.BAD_PARAMETER;
      pushRing(
        card.records.vaccinations,
        { vaccineType, dateRoc: this.today(), hospitalId: SIMULATED_HOSPITAL.hospitalId, lotNumber },
        RECORD.vaccination.capacity,
      );
      return OK;
    });
  }

  // ---- PIN flows: the simulator has no keypad; the dialog is taken as answered correctly ----

  csVerifyHCPIN() {
    return this.run('csVerifyHCPIN', () => this.withCard((card) => {
      card.records.pinVerified = true;
      this.changed();
      return OK;
    }));
  }

  csInputHCPIN() {
    return this.run('csInputHCPIN', () => this.withCard((card) => {
      card.records.pinSet = true;
      card.records.pinVerified = true;
      this.changed();
      return OK;
    }));
  }

  csDisableHCPIN() {
    return this.run('csDisableHCPIN', () => this.withCard((card) => {
      card.records.pinSet = false;
      this.changed();
      return OK;
    }));
  }

  hpcInputHPCPIN() {
    return this.run('hpcInputHPCPIN', () => (this.professionalCard ? OK : RC.HPC_NOT_INSERTED));
  }

  hpcUnlockHPC() {
    return this.run('hpcUnlockHPC', () => (this.professionalCard ? OK : RC.HPC_NOT_INSERTED));
  }

  async csUpdateHCNoReset() {
    await this.networkDelay();
    return this.run('csUpdateHCNoReset', () => this.updateCard(false));
  }

  // ---- ICD-10 codec (invented table: card-records.ts) ----

  hisGetICD10EnC(code: string) {
    return this.output('hisGetICD10EnC', () => {
      const form = /^[A-Z][0-9][A-Z0-9]{1,5}$/.test(code) ? simulatedIcd10Encode(code) : null;
      return form === null ? RC.ICD10_NO_MAPPING : asciiOf(form);
    }, OUTPUT_SIZE.icd10Codec);
  }

  hisGetICD10DeC(cardForm: string) {
    return this.output('hisGetICD10DeC', () => {
      const code = simulatedIcd10Decode(cardForm);
      return code === null ? RC.ICD10_NO_MAPPING : asciiOf(code);
    }, OUTPUT_SIZE.icd10Codec);
  }

  // ---- record helpers ----

  private today(): string {
    return dateToRocDateTime(this.now()).slice(0, 7);
  }

  private isPharmacist(): boolean {
    return this.professionalCard?.professional.kind === 'PHARMACIST';
  }

  private identity(card: InsertedHealthCard, patientId: string, birthDate: string): number {
    return patientId === card.patient.idNumber && birthDate === card.patient.birthDateRoc ? OK : RC.DIFFERENT_PERSON;
  }

  private withCard(body: (card: InsertedHealthCard) => number): number {
    const card = this.requireHealthCard();
    return typeof card === 'number' ? card : body(card);
  }

  /** A record write: card present, cardholder's ID and birth date (5020), then the body. */
  private cardWrite(name: string, patientId: string, birthDate: string, body: (card: InsertedHealthCard) => number) {
    return this.run(name, () =>
      this.withCard((card) => {
        const rc = this.identity(card, patientId, birthDate);
        return rc !== OK ? rc : body(card);
      }),
    );
  }

  /** Non-cancelled visits, oldest first, the last `limit` of them. */
  private ringVisits(card: InsertedHealthCard, limit: number): SimulatedVisit[] {
    const live = card.visits.filter((v) => !v.cancelled);
    return limit === Infinity ? live : live.slice(-limit);
  }

  private visitRing(card: InsertedHealthCard): VisitFields[] {
    return this.ringVisits(card, RECORD.visit.capacity).map((v) => {
      const fees = visitFees(v);
      const amount = (n: number | undefined, width: number) => (fees ? zeroPadded(n ?? 0, width) : '');
      return {
        category: v.category,
        newborn: v.newborn ? 'Y' : ' ',
        visitTimeRoc: v.visitTimeRoc,
        lateCard: v.lateCard ? '2' : '1',
        seqNumber: String(v.seqNumber).padStart(4, '0'),
        hospitalId: SIMULATED_HOSPITAL.hospitalId,
        outpatientFee: amount(fees?.outpatientFee, 8),
        outpatientCopay: amount(fees?.outpatientCopay, 8),
        inpatientFee: amount(fees?.inpatientFee, 8),
        inpatientCopayShortStay: amount(fees?.inpatientCopayShortStay, 7),
        inpatientCopayLongStay: amount(fees?.inpatientCopayLongStay, 7),
      };
    });
  }

  /** In the default width a code that needs the 5.1 card form is written in it (blank when the table lacks it). */
  private visitDiagnoses(card: InsertedHealthCard, icd10: boolean): VisitDiagnosesFields[] {
    return this.ringVisits(card, RECORD.visitDiagnoses.capacity).map((v) => ({
      visitTimeRoc: v.visitTimeRoc,
      diagnoses: visitCodes(v).map((code) => (icd10 ? code : simulatedIcd10Encode(code) ?? '')),
    }));
  }

  /** Two years (this year, last year): counted visits and fee totals (derived from the visits written here). */
  private cumulativeData(card: InsertedHealthCard): Uint8Array {
    const thisYear = Number(this.today().slice(0, 3));
    const years = [thisYear, thisYear - 1].map((year) => {
      const visits = this.ringVisits(card, Infinity).filter((v) => Number(v.visitTimeRoc.slice(0, 3)) === year);
      const fees = visits.map((v) => visitFees(v));
      const sum = (k: keyof TreatmentFees) => fees.reduce((n, f) => n + (f?.[k] ?? 0), 0);
      const copay = sum('outpatientCopay');
      const short = sum('inpatientCopayShortStay');
      return {
        yearRoc: String(year).padStart(3, '0'),
        visitCount: zeroPadded(visits.filter((v) => COUNTED_CATEGORIES.has(v.category)).length, 4),
        outpatientFees: zeroPadded(sum('outpatientFee'), 10),
        inpatientFees: zeroPadded(sum('inpatientFee'), 10),
        outpatientCopay: zeroPadded(copay, 8),
        inpatientCopayShortStay: zeroPadded(short, 8),
        inpatientCopayLongStay: zeroPadded(sum('inpatientCopayLongStay'), 8),
        totalCopay: zeroPadded(copay + short + sum('inpatientCopayLongStay'), 8),
        totalCopayShortStay: zeroPadded(copay + short, 8),
      };
    });
    return encodeArea(years, CUMULATIVE_YEAR_LAYOUT, RECORD.cumulativeYear.capacity);
  }

  /** 1.10's four areas; a pharmacist's card sees only order types 1, 2, A, B. */
  private prescriptionAreas(card: InsertedHealthCard): [Uint8Array, Uint8Array, Uint8Array, Uint8Array] {
    const r = card.records;
    const outpatient = this.isPharmacist() ? r.outpatient.filter((x) => PHARMACY_VISIBLE_ORDER_TYPES.has(x.orderType)) : r.outpatient;
    return [
      encodeArea(outpatient, OUTPATIENT_RX_LAYOUT, RECORD.outpatientPrescription.capacity),
      encodeArea(r.longTerm, LONG_TERM_RX_LAYOUT, RECORD.longTermPrescription.capacity),
      encodeArea(r.importantOrders, IMPORTANT_ORDER_LAYOUT, RECORD.importantOrder.capacity),
      encodeAllergySlots(r.allergies),
    ];
  }

  /** 1.41–1.44: records start..end (1-based); the count runs to the last non-blank record in the range. */
  private async rangeRead(
    name: string,
    start: number,
    end: number,
    area: { readonly size: number; readonly capacity: number },
    bytesOf: (card: InsertedHealthCard) => Uint8Array,
  ): Promise<RangeOutput> {
    const out = await this.output(name, () => {
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 1 || end > area.capacity || start > end) {
        return RC.BAD_PARAMETER;
      }
      const card = this.requireHealthCard();
      if (typeof card === 'number') return card;
      const all = bytesOf(card);
      let last = start - 1;
      for (let i = start; i <= end; i++) {
        const record = all.subarray((i - 1) * area.size, i * area.size);
        if (record.some((b) => b !== 0x20)) last = i;
      }
      return all.slice((start - 1) * area.size, last * area.size);
    }, Infinity);
    return { ...out, count: out.rc === OK ? out.bytes.length / area.size : 0 };
  }

  /** 1.33 / 1.50: a pharmacist's card gets 9100; without a verified professional card the codes are blank. */
  private criticalIllnessRead(name: string, icd10: boolean, check: (card: InsertedHealthCard) => number) {
    const size = icd10 ? OUTPUT_SIZE.hisGetCriticalIllnessIcd10 : OUTPUT_SIZE.hisGetCriticalIllness;
    return this.output(
      name,
      () => {
        const card = this.requireHealthCard();
        if (typeof card === 'number') return card;
        const rc = check(card);
        if (rc !== OK) return rc;
        if (this.isPharmacist()) return RC.PHARMACY_CARD_NOT_PERMITTED;
        const showCodes = this.professionalCard?.pinVerified === true;
        return encodeCriticalIllnessBlock(this.criticalIllnessesAsRead(card, icd10), icd10, showCodes);
      },
      size,
    );
  }

  /** In the default width a code is read in its 5.1 card form (blank when the table lacks it). */
  private criticalIllnessesAsRead(card: InsertedHealthCard, icd10: boolean) {
    if (icd10) return card.records.criticalIllnesses;
    return card.records.criticalIllnesses.map((c) => ({ ...c, code: simulatedIcd10Encode(c.code) ?? '' }));
  }

  private writePrescriptions(dateTime: string, patientId: string, birthDate: string, data: string, count: number, signed: boolean) {
    const card = this.requireHealthCard();
    if (typeof card === 'number') return card;
    let records;
    try {
      records = decodePrescriptionsInput(data, count);
    } catch {
      return RC.BAD_PARAMETER;
    }
    const rc = this.identity(card, patientId, birthDate);
    if (rc !== OK) return rc;
    const visit = card.visits.find((v) => v.visitTimeRoc === dateTime && !v.cancelled);
    if (!visit) return RC.VISIT_NOT_FOUND;
    // docs/reference/buffers.md (Write inputs): each record's visit time must be the visit the call names.
    if (records.some((r) => r.visitTimeRoc !== dateTime)) return RC.BAD_PARAMETER;
    card.records.addPrescriptions(records, SIMULATED_HOSPITAL.hospitalId);
    if (!signed) return new Uint8Array(0);
    return asciiOf(records.map((r) => prescriptionSignature(r as Fields<Layout>, card.patient.idNumber)).join(''));
  }

  /**
   * 1.20 / 1.46: identity, then a professional card (5056 without one; a pharmacist's: 9100), then DocID out.
   * docs/reference/functions.md defines "needs HPC" as a professional card whose PIN was verified, so an
   * inserted card without a verified PIN is refused too; with 4042, the code for exactly that
   * (docs/reference/return-codes.md). Which of 4042 / 5056 the real DLL gives for it is not documented: inferred.
   */
  private writeAllergies(
    patientId: string,
    birthDate: string,
    data: Uint8Array,
    expectedLength: number,
    store: (card: InsertedHealthCard, names: string[]) => void,
  ): Uint8Array | number {
    const card = this.requireHealthCard();
    if (typeof card === 'number') return card;
    if (data.length !== expectedLength) return RC.BAD_PARAMETER;
    const rc = this.identity(card, patientId, birthDate);
    if (rc !== OK) return rc;
    if (!this.professionalCard) return RC.HPC_ID_READ_FAILED;
    if (!this.professionalCard.pinVerified) return RC.HPC_PIN_NOT_VERIFIED;
    if (this.isPharmacist()) return RC.PHARMACY_CARD_NOT_PERMITTED;
    store(card, decodeAllergiesInput(data));
    return ascii(`${this.professionalCard.professional.idNumber}\0`);
  }

  /** 1.30 / 1.40: refill and renew; `reset` is 1.30's card reset afterwards. */
  private updateCard(reset: boolean): number {
    const card = this.requireHealthCard();
    if (typeof card === 'number') return card;
    const { patient } = card;
    if (patient.cancelled) return RC.CARD_CANCELLED;
    if (patient.insuranceCheckCode !== 0) return patient.insuranceCheckCode;
    const expired = this.today() > this.validUntilRoc(patient, card);
    // An expired card is renewed whatever its counter says; otherwise 9081 guards against needless updates.
    if (!expired && card.remainingVisits > UPDATE_MAX_VISITS_LEFT) return RC.UPDATE_REFUSED_VISITS_LEFT;
    if (card.remainingVisits <= UPDATE_MAX_VISITS_LEFT) card.remainingVisits = VISITS_AFTER_UPDATE;
    if (expired) card.validUntilRoc = dateToRocDateTime(new Date(this.now().getTime() + 365 * DAY_MS)).slice(0, 7);
    if (reset) {
      // 1.30 ends with a card reset: the card has to authenticate with the SAM again (the light drops to 1).
      card.samAuthenticated = false;
      card.records.pinVerified = false;
    }
    this.changed();
    return OK;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.listeners.clear();
    if (this.saveTimer) this.save();
  }

  // ---- kept across restarts (saved-state.ts) ----

  private restore(path: string): void {
    const loaded = loadSavedState(path);
    if (!loaded.state) {
      if (loaded.problem) this.onStateProblem(`simulator state ${path}: ${loaded.problem}; starting with empty readers`);
      return;
    }
    const { state } = loaded;
    for (const saved of state.cards) {
      const patient = this.patients.find((p) => p.key === saved.patient);
      if (!patient) continue;
      const records = new SimulatedCardRecords(seedFor(patient.key), patient.emergencyPhone, patient.hasPin);
      const r = saved.records;
      const fill = <T>(area: T[], from: readonly unknown[]) => area.splice(0, area.length, ...(from as T[]));
      fill(records.outpatient, r.outpatient);
      fill(records.longTerm, r.longTerm);
      fill(records.importantOrders, r.importantOrders);
      fill(records.allergies, r.allergies);
      fill(records.vaccinations, r.vaccinations);
      fill(records.preventiveCare, r.preventiveCare);
      fill(records.prenatal, r.prenatal);
      fill(records.criticalIllnesses, r.criticalIllnesses);
      records.organDonation = r.organDonation;
      records.emergencyPhone = r.emergencyPhone;
      records.pinSet = r.pinSet;
      records.newborn = r.newborn;
      const card: InsertedHealthCard = {
        patient,
        samAuthenticated: false,
        remainingVisits: saved.remainingVisits,
        lastSeqNumber: saved.lastSeqNumber,
        visits: saved.visits.map((v) => ({ ...v, writes: [...v.writes], startedAt: new Date(v.startedAt) })),
        records,
        ...(saved.validUntilRoc ? { validUntilRoc: saved.validUntilRoc } : {}),
      };
      this.cardMemory.set(patient.key, card);
    }
    this.healthCard = state.healthCard ? (this.cardMemory.get(state.healthCard) ?? null) : null;
    const professional = this.professionals.find((p) => p.key === state.professionalCard);
    this.professionalCard = professional ? { professional, pinVerified: false } : null;
    if (state.lastVisitSecond !== null) this.lastVisitSecond = state.lastVisitSecond;
  }

  /** Saves soon: a burst of calls (a visit and its writes) is one write of the file. */
  private markDirty(): void {
    if (!this.stateFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.save(), 50);
    this.saveTimer.unref();
  }

  private save(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (!this.stateFile) return;
    const cards: SavedCard[] = [...this.cardMemory.values()].map((card) => {
      const { pinVerified: _notKept, ...records } = card.records;
      return {
        patient: card.patient.key,
        remainingVisits: card.remainingVisits,
        lastSeqNumber: card.lastSeqNumber,
        validUntilRoc: card.validUntilRoc ?? null,
        visits: card.visits.map((v) => ({ ...v, startedAt: v.startedAt.toISOString() })),
        records: records as SavedCard['records'],
      };
    });
    try {
      writeSavedState(this.stateFile, {
        version: SAVED_STATE_VERSION,
        healthCard: this.healthCard?.patient.key ?? null,
        professionalCard: this.professionalCard?.professional.key ?? null,
        lastVisitSecond: Number.isFinite(this.lastVisitSecond) ? this.lastVisitSecond : null,
        cards,
      });
    } catch (error) {
      this.onStateProblem(`simulator state ${this.stateFile}: cannot write it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  // ---- rules ----

  private takeSeqNumber(
    card: InsertedHealthCard,
    treatItem: string,
    babyTreat: string,
    treatAfterCheck: string,
  ): SimulatedVisit | number {
    if (!(treatItem in TREATMENT_CATEGORIES)) return RC.BAD_PARAMETER;
    if (!/^[ 12YN]?$/.test(babyTreat.trim()) || !/^[012]$/.test(treatAfterCheck)) return RC.BAD_PARAMETER;
    const { patient } = card;
    const newborn = babyTreat.trim() !== '';
    const refused = this.eligibility(card, treatItem, newborn);
    if (refused !== OK) return refused;
    const counted = COUNTED_CATEGORIES.has(treatItem);

    const now = this.visitClock();
    const visitTimeRoc = dateToRocDateTime(now);
    if (counted) {
      card.remainingVisits -= 1;
      card.lastSeqNumber = (card.lastSeqNumber % 9999) + 1;
    }
    const visit: SimulatedVisit = {
      visitTimeRoc,
      startedAt: now,
      category: treatItem,
      seqNumber: card.lastSeqNumber,
      treatmentId: treatmentIdFor(patient.idNumber, visitTimeRoc),
      cancelled: false,
      writes: [],
      newborn,
      lateCard: treatAfterCheck === '2',
    };
    card.visits.push(visit);
    return visit;
  }

  /**
   * Whether `treatItem` may be registered on this card, in the order the visit checks it: cancelled (5002),
   * expired (5003), a newborn visit without a young enough attachment (5004), coverage (the patient's
   * insurance code), no counted visits left (5001). The quick insurance check (1.55) asks the same question,
   * so a desk rehearsing it sees the code the visit would give.
   */
  private eligibility(card: InsertedHealthCard, treatItem: string, newborn: boolean): number {
    const { patient } = card;
    if (patient.cancelled) return RC.CARD_CANCELLED;
    if (this.today() > this.validUntilRoc(patient, card)) return RC.CARD_EXPIRED;
    // docs/reference/return-codes.md 5004: a newborn visit needs a newborn attachment on the card, and only within 60 days of birth.
    if (newborn && (patient.newbornAgeDays === null || patient.newbornAgeDays > 60)) return RC.NEWBORN_NOT_ALLOWED;
    if (patient.insuranceCheckCode !== 0) return patient.insuranceCheckCode;
    if (COUNTED_CATEGORIES.has(treatItem) && card.remainingVisits <= 0) return RC.NO_VISITS_LEFT;
    return OK;
  }

  /**
   * Waits, before a sequence-number call, until the clock has left the second of the last visit handed out.
   * The visit time is the reader clock's (docs/reference/functions.md (1.34)) at one-second resolution, and
   * 1.39 / 1.56 find a visit by that time, so two visits never share a second; a real 1.37 takes longer than
   * a second anyway. Waiting keeps every visit time at or before "now" (never ahead of the clock).
   */
  private async clockPastLastVisit(): Promise<void> {
    const wait = (this.lastVisitSecond + 1) * 1000 - this.now().getTime();
    if (wait > 0 && wait <= 1000) await new Promise((r) => setTimeout(r, wait));
  }

  /**
   * The time of a new visit: the clock, at least one second after the last visit (monotonic). Only a clock
   * that stands still (a test's fixed `now`) can need the bump after {@link clockPastLastVisit} has waited.
   */
  private visitClock(): Date {
    let second = Math.floor(this.now().getTime() / 1000);
    if (second <= this.lastVisitSecond) second = this.lastVisitSecond + 1;
    this.lastVisitSecond = second;
    return new Date(second * 1000);
  }

  /** docs/reference/return-codes.md 5010: a counted visit to a second department on the same day is registered, with a warning. */
  private sameDayOtherDepartment(card: InsertedHealthCard, visit: SimulatedVisit): number {
    if (!COUNTED_CATEGORIES.has(visit.category)) return OK;
    const day = visit.visitTimeRoc.slice(0, 7);
    const other = card.visits.some(
      (v) =>
        v !== visit &&
        !v.cancelled &&
        COUNTED_CATEGORIES.has(v.category) &&
        v.category !== visit.category &&
        v.visitTimeRoc.slice(0, 7) === day,
    );
    return other ? SAME_DAY_OTHER_DEPARTMENT : OK;
  }

  private seqFields(card: InsertedHealthCard, visit: SimulatedVisit) {
    const day = visit.visitTimeRoc.slice(0, 7);
    const sameDayVisit = card.visits.some(
      (v) => v !== visit && !v.cancelled && v.visitTimeRoc.slice(0, 7) === day,
    );
    return {
      visitTimeRoc: visit.visitTimeRoc,
      seqNumber: String(visit.seqNumber).padStart(4, '0'),
      hospitalId: SIMULATED_HOSPITAL.hospitalId,
      signature: signatureFor(card.patient.idNumber, visit.visitTimeRoc),
      samId: SIMULATED_HOSPITAL.samId,
      sameDayVisit,
    };
  }

  private write(dateTime: string, patientId: string, birthDate: string, data: string, withDocId: boolean) {
    const card = this.requireHealthCard();
    if (typeof card === 'number') return card;
    if (patientId !== card.patient.idNumber || birthDate !== card.patient.birthDateRoc) return RC.DIFFERENT_PERSON;
    const visit = card.visits.find((v) => v.visitTimeRoc === dateTime && !v.cancelled);
    if (!visit) return RC.VISIT_NOT_FOUND;
    visit.writes.push(data);
    if (!withDocId) return new Uint8Array(0);
    // docs/reference/buffers.md (Write inputs) pBufferDocID: the HPC holder's ID (when an HPC is verified) followed by NUL.
    const doc = this.professionalCard?.pinVerified ? this.professionalCard.professional.idNumber : '';
    return ascii(`${doc}\0`);
  }

  /**
   * A read's bytes, encoded once per card state, as a real card returns stored bytes rather than re-encoding
   * them (Big5 encoding the name on every read was most of the simulator's cost). {@link record} depends
   * only on the card (its patient, which never changes, and the fields below that visits and updates
   * change) and on today's date in Taiwan (the newborn's birth date and the default validity count whole days
   * from it), so those make the key. Callers get a copy: the cached bytes are never handed out.
   */
  private storedBytes(name: string, card: InsertedHealthCard, encode: (record: CardHolderRecord) => Uint8Array): Uint8Array {
    // The record depends on today's date (Taiwan time): the day number is enough for the key. The key's
    // parts are compared one by one rather than joined into a string on every read.
    const { emergencyPhone, newborn } = card.records;
    const day = taiwanDayNumber(this.now());
    let reads = this.storedReads.get(card);
    if (!reads) {
      reads = new Map();
      this.storedReads.set(card, reads);
    }
    const stored = reads.get(name);
    if (
      stored !== undefined &&
      stored.day === day &&
      stored.remainingVisits === card.remainingVisits &&
      stored.validUntilRoc === card.validUntilRoc &&
      stored.emergencyPhone === emergencyPhone &&
      stored.newbornBirthDateRoc === newborn?.birthDateRoc &&
      stored.newbornBirthOrder === newborn?.birthOrder
    ) {
      return this.copies.copy(stored.bytes);
    }
    const bytes = encode(this.record(card));
    reads.set(name, {
      day,
      remainingVisits: card.remainingVisits,
      validUntilRoc: card.validUntilRoc,
      emergencyPhone,
      newbornBirthDateRoc: newborn?.birthDateRoc,
      newbornBirthOrder: newborn?.birthOrder,
      bytes: bytes.slice(),
    });
    return bytes;
  }

  private readonly storedReads = new WeakMap<InsertedHealthCard, Map<string, StoredRead>>();
  private readonly copies = new CopySlab();

  private record(card: InsertedHealthCard): CardHolderRecord {
    const { patient } = card;
    const written = card.records.newborn;
    const newbornBirthDateRoc = written
      ? written.birthDateRoc
      : patient.newbornAgeDays === null
        ? null
        : dateToRocDateTime(new Date(this.now().getTime() - patient.newbornAgeDays * DAY_MS)).slice(0, 7);
    return {
      cardNumber: patient.cardNumber,
      name: patient.name,
      idNumber: patient.idNumber,
      birthDateRoc: patient.birthDateRoc,
      sex: patient.sex,
      issueDateRoc: patient.issueDateRoc,
      cancelled: patient.cancelled,
      emergencyPhone: card.records.emergencyPhone,
      insurerCode: patient.insurerCode,
      beneficiaryCategory: patient.beneficiaryCategory,
      cardValidUntilRoc: this.validUntilRoc(patient, card),
      remainingVisits: card.remainingVisits,
      newbornBirthDateRoc,
      newbornBirthOrder: written ? written.birthOrder : patient.newbornBirthOrder,
    };
  }

  private validUntilRoc(patient: SimulatedPatient, card?: InsertedHealthCard): string {
    if (card?.validUntilRoc) return card.validUntilRoc;
    if (patient.cardValidUntilRoc) return patient.cardValidUntilRoc;
    return dateToRocDateTime(new Date(this.now().getTime() + 365 * DAY_MS)).slice(0, 7);
  }

  private requireHealthCard(): InsertedHealthCard | number {
    if (!this.healthCard) return RC.HC_NOT_INSERTED;
    this.authenticateSam();
    if (!this.healthCard.samAuthenticated) {
      this.healthCard.samAuthenticated = true;
      this.changed();
    }
    return this.healthCard;
  }

  /** Since 3.3 the DLL authenticates the SAM by itself on the first card operation (docs/reference/abi.md (Console and lights)). */
  private authenticateSam(): void {
    if (this.samAuthenticated) return;
    this.samAuthenticated = true;
    this.changed();
  }

  private changed(): void {
    this.markDirty();
    for (const listener of this.listeners) listener();
  }

  // ---- call plumbing ----

  private async delay(): Promise<void> {
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
  }

  private async networkDelay(): Promise<void> {
    if (this.networkLatencyMs > 0) await new Promise((r) => setTimeout(r, this.networkLatencyMs));
  }

  /** A forced gateway code fails the call the way the real backend's layer does: a typed error, nothing done. */
  private throwForcedGatewayCode(name: string): void {
    if (this.forcedGatewayCodes.size === 0) return;
    const code = this.forcedGatewayCodes.get(name);
    if (code !== undefined) throw gatewayError(code);
  }

  // `delay()` is awaited only when there is one: awaiting a no-op async call still costs microtask turns.
  private async run(name: string, body: () => number): Promise<number> {
    if (this.latencyMs > 0) await this.delay();
    this.throwForcedGatewayCode(name);
    if (CHANGES_THE_CARD.test(name)) this.markDirty();
    return this.forcedCodes.get(name) ?? body();
  }

  private async output(name: string, body: () => Uint8Array | number | RawOutput, limitOverride?: number): Promise<RawOutput> {
    if (this.latencyMs > 0) await this.delay();
    this.throwForcedGatewayCode(name);
    if (CHANGES_THE_CARD.test(name)) this.markDirty();
    const forced = this.forcedCodes.get(name);
    if (forced !== undefined) return { rc: forced, bytes: new Uint8Array(0) };
    const result = body();
    if (typeof result === 'number') return { rc: result, bytes: new Uint8Array(0) };
    const { rc, bytes } = result instanceof Uint8Array ? { rc: OK, bytes: result } : result;
    const limit = limitOverride ?? (OUTPUT_SIZE as Record<string, number>)[name] ?? bytes.length;
    // A second view of the same bytes only when the output must be cut to the DLL's size.
    return { rc, bytes: bytes.length > limit ? bytes.subarray(0, limit) : bytes };
  }

  private cardOutput(
    name: string,
    body: (card: InsertedHealthCard) => Uint8Array | number | RawOutput,
  ): Promise<RawOutput> {
    return this.output(name, () => {
      const card = this.requireHealthCard();
      return typeof card === 'number' ? card : body(card);
    });
  }

  private hpcOutput(name: string, body: (p: SimulatedProfessional) => Uint8Array): Promise<RawOutput> {
    return this.output(name, () => {
      if (!this.professionalCard) return RC.HPC_NOT_INSERTED;
      return body(this.professionalCard.professional);
    });
  }
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'latin1'));
}

/** 256 printable characters, as 1.37's hex-converted signature (docs/reference/buffers.md (1.9 / 1.37 / 1.53)); deterministic per visit. */
function signatureFor(idNumber: string, visitTimeRoc: string): string {
  let hex = '';
  for (let i = 0; hex.length < 256; i++) {
    hex += createHash('sha256').update(`${idNumber}|${visitTimeRoc}|${i}`).digest('hex').toUpperCase();
  }
  return hex.slice(0, 256);
}

/** Taiwan-local Gregorian `yyyyMMddHHmmss`, as 3.1's receipt times (docs/reference/buffers.md (3.1); S4 parses them as Gregorian). */
function gregorianDateTime(d: Date): string {
  const roc = dateToRocDateTime(d);
  return `${Number(roc.slice(0, 3)) + 1911}${roc.slice(3)}`;
}

/** 20-character treatment ID (就醫識別碼); the real format is NHI's, this one is only stable and unique. */
function treatmentIdFor(idNumber: string, visitTimeRoc: string): string {
  const digest = createHash('sha256').update(`${idNumber}|${visitTimeRoc}|treat`).digest('hex').toUpperCase();
  return `SIM${visitTimeRoc.slice(0, 7)}${digest.slice(0, 10)}`;
}

function asciiOf(text: string): Uint8Array {
  return ascii(text);
}

function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** The fees last written for a visit (1.17 alone or inside 1.47), or null. */
function visitFees(visit: { readonly writes: readonly string[] }): TreatmentFees | null {
  for (let i = visit.writes.length - 1; i >= 0; i--) {
    const data = visit.writes[i]!;
    try {
      if (data.length === 38) return decodeFeeInput(data);
      if (data.length === 69 || data.length === 93) return decodeTreatmentDataInput(data).fees;
    } catch {
      // a malformed write is stored as the DLL stored it, but carries no readable fees
    }
  }
  return null;
}

/** The diagnoses last written for a visit (1.16 or 1.47). */
function visitCodes(visit: { readonly writes: readonly string[] }): readonly string[] {
  for (let i = visit.writes.length - 1; i >= 0; i--) {
    const data = visit.writes[i]!;
    try {
      if (data.length === 31 || data.length === 55) return decodeTreatmentCodeInput(data).diagnoses;
      if (data.length === 69 || data.length === 93) return decodeTreatmentDataInput(data).diagnoses;
    } catch {
      // unreadable: no diagnoses
    }
  }
  return [];
}

/** 40 printable characters per written record (opaque to the HIS, uploaded to NHI); deterministic here. */
function prescriptionSignature(record: Fields<Layout>, idNumber: string): string {
  return createHash('sha256').update(`${idNumber}|${formatRecord(record, OUTPATIENT_RX_LAYOUT as Layout)}`).digest('hex').toUpperCase().slice(0, 40);
}
