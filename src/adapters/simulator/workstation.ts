/**
 * The embedded simulator: an in-memory clinic workstation implementing the ControlSoftware port with the
 * DLL's own buffers and return codes, so every codec and the whole domain layer above it run unchanged.
 *
 * State machine (cshis-api.md §6.1, §10): the SAM authenticates with the IDC (csVerifySAMDC, or
 * automatically on the first card operation as the DLL has done since 3.3); an inserted health card becomes
 * SAM-authenticated on its first operation; a professional card goes inserted → SAM-authenticated → PIN
 * verified. Visits consume counted visits (就醫類別 01–05), take seq numbers and can be cancelled (1.39)
 * within the §5 rules.
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
  UPLOAD_SIZE_MISMATCH: 9070,
  UPDATE_REFUSED_VISITS_LEFT: 9081,
} as const;

/** §7 9081: the card update refuses a card that still has more than this many visits. */
const UPDATE_MAX_VISITS_LEFT = 3;
/** What a card update refills the visit counter to (the card's usual six). */
const VISITS_AFTER_UPDATE = 6;

const SAME_DAY_OTHER_DEPARTMENT = 5010;
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
}

interface InsertedHealthCard {
  readonly patient: SimulatedPatient;
  samAuthenticated: boolean;
  remainingVisits: number;
  lastSeqNumber: number;
  readonly visits: SimulatedVisit[];
  /** Set by a card update (1.30): the renewed validity, overriding the patient's. */
  validUntilRoc?: string;
}

interface InsertedProfessionalCard {
  readonly professional: SimulatedProfessional;
  pinVerified: boolean;
}

import type { SimulatorControls } from '../../ports/simulator.ts';
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
  private readonly listeners = new Set<() => void>();
  /** Card state survives removal, as the real card keeps its counters. */
  private readonly cardMemory = new Map<string, InsertedHealthCard>();

  constructor(options: SimulatorOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.latencyMs = options.latencyMs ?? 0;
    this.networkLatencyMs = options.networkLatencyMs ?? 800;
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
    };
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

  reset(): void {
    this.samAuthenticated = false;
    this.healthCard = null;
    this.professionalCard = null;
    this.forcedCodes.clear();
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
          if (this.healthCard) this.healthCard.samAuthenticated = false;
          break;
        case 1:
          this.samAuthenticated = false;
          break;
        case 2:
          if (this.professionalCard) this.professionalCard.pinVerified = false;
          break;
        case 3:
          if (this.healthCard) this.healthCard.samAuthenticated = false;
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

  // ---- presence and status (§6.1) ----

  hisGetCardStatus(cardType: CardType) {
    return this.run('hisGetCardStatus', () => {
      switch (cardType) {
        case CARD_TYPE.SAM:
          return this.samAuthenticated ? 2 : 1;
        case CARD_TYPE.HEALTH_CARD:
          if (!this.healthCard) return 0;
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
      return card.patient.hasPin ? 1 : 0;
    });
  }

  // ---- visits ----

  hisGetSeqNumber256(treatItem: string, babyTreat: string, treatAfterCheck: string) {
    return this.cardOutput('hisGetSeqNumber256', (card) => {
      const visit = this.takeSeqNumber(card, treatItem, babyTreat, treatAfterCheck);
      if (typeof visit === 'number') return visit;
      return { rc: this.sameDayOtherDepartment(card, visit), bytes: encodeSeqNumber256(this.seqFields(card, visit)) };
    });
  }

  hisGetSeqNumber256N1(treatItem: string, babyTreat: string, treatAfterCheck: string) {
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
      return card.patient.insuranceCheckCode;
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
    return this.run('csUpdateHCContents', () => {
      const card = this.requireHealthCard();
      if (typeof card === 'number') return card;
      const { patient } = card;
      if (patient.cancelled) return RC.CARD_CANCELLED;
      if (patient.insuranceCheckCode !== 0) return patient.insuranceCheckCode;
      const expired = dateToRocDateTime(this.now()).slice(0, 7) > this.validUntilRoc(patient, card);
      // An expired card is renewed whatever its counter says; otherwise 9081 guards against needless updates.
      if (!expired && card.remainingVisits > UPDATE_MAX_VISITS_LEFT) return RC.UPDATE_REFUSED_VISITS_LEFT;
      if (card.remainingVisits <= UPDATE_MAX_VISITS_LEFT) card.remainingVisits = VISITS_AFTER_UPDATE;
      if (expired) card.validUntilRoc = dateToRocDateTime(new Date(this.now().getTime() + 365 * DAY_MS)).slice(0, 7);
      // 1.30 ends with a card reset: the card has to authenticate with the SAM again (the light drops to 1).
      card.samAuthenticated = false;
      this.changed();
      return OK;
    });
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

  async [Symbol.asyncDispose](): Promise<void> {
    this.listeners.clear();
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
    if (patient.cancelled) return RC.CARD_CANCELLED;
    const now = this.now();
    if (dateToRocDateTime(now).slice(0, 7) > this.validUntilRoc(patient, card)) return RC.CARD_EXPIRED;
    const newborn = babyTreat.trim() !== '';
    // §7 5004: a newborn visit needs a newborn attachment on the card, and only within 60 days of birth.
    if (newborn && (patient.newbornAgeDays === null || patient.newbornAgeDays > 60)) return RC.NEWBORN_NOT_ALLOWED;
    if (patient.insuranceCheckCode !== 0) return patient.insuranceCheckCode;
    const counted = COUNTED_CATEGORIES.has(treatItem);
    if (counted && card.remainingVisits <= 0) return RC.NO_VISITS_LEFT;

    let visitTimeRoc = dateToRocDateTime(now);
    // Two visits in the same second would be indistinguishable to 1.39/1.56; the DLL's clock has the same limit.
    while (card.visits.some((v) => v.visitTimeRoc === visitTimeRoc)) {
      visitTimeRoc = dateToRocDateTime(new Date(now.getTime() + 1000 * (card.visits.length + 1)));
    }
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
    };
    card.visits.push(visit);
    return visit;
  }

  /** §7 5010: a counted visit to a second department on the same day is registered, with a warning. */
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
    // §5 pBufferDocID: the HPC holder's ID (when an HPC is verified) followed by NUL.
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
    // The record depends on today's date (Taiwan time): the day number is enough for the key.
    const key = `${taiwanDayNumber(this.now())}|${card.remainingVisits}|${card.validUntilRoc ?? ''}`;
    let reads = this.storedReads.get(card);
    if (!reads) {
      reads = new Map();
      this.storedReads.set(card, reads);
    }
    const stored = reads.get(name);
    if (stored?.key === key) return stored.bytes.slice();
    const bytes = encode(this.record(card));
    reads.set(name, { key, bytes: bytes.slice() });
    return bytes;
  }

  private readonly storedReads = new WeakMap<InsertedHealthCard, Map<string, { readonly key: string; readonly bytes: Uint8Array }>>();

  private record(card: InsertedHealthCard): CardHolderRecord {
    const { patient } = card;
    const newbornBirthDateRoc =
      patient.newbornAgeDays === null
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
      emergencyPhone: patient.emergencyPhone,
      insurerCode: patient.insurerCode,
      beneficiaryCategory: patient.beneficiaryCategory,
      cardValidUntilRoc: this.validUntilRoc(patient, card),
      remainingVisits: card.remainingVisits,
      newbornBirthDateRoc,
      newbornBirthOrder: patient.newbornBirthOrder,
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

  /** Since 3.3 the DLL authenticates the SAM by itself on the first card operation (§10). */
  private authenticateSam(): void {
    if (this.samAuthenticated) return;
    this.samAuthenticated = true;
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  // ---- call plumbing ----

  private async delay(): Promise<void> {
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
  }

  private async networkDelay(): Promise<void> {
    if (this.networkLatencyMs > 0) await new Promise((r) => setTimeout(r, this.networkLatencyMs));
  }

  // `delay()` is awaited only when there is one: awaiting a no-op async call still costs microtask turns.
  private async run(name: string, body: () => number): Promise<number> {
    if (this.latencyMs > 0) await this.delay();
    return this.forcedCodes.get(name) ?? body();
  }

  private async output(name: string, body: () => Uint8Array | number | RawOutput): Promise<RawOutput> {
    if (this.latencyMs > 0) await this.delay();
    const forced = this.forcedCodes.get(name);
    if (forced !== undefined) return { rc: forced, bytes: new Uint8Array(0) };
    const result = body();
    if (typeof result === 'number') return { rc: result, bytes: new Uint8Array(0) };
    const { rc, bytes } = result instanceof Uint8Array ? { rc: OK, bytes: result } : result;
    const limit = (OUTPUT_SIZE as Record<string, number>)[name] ?? bytes.length;
    return { rc, bytes: bytes.subarray(0, limit) };
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

/** 256 printable characters, as 1.37's hex-converted signature (§4.6); deterministic per visit. */
function signatureFor(idNumber: string, visitTimeRoc: string): string {
  let hex = '';
  for (let i = 0; hex.length < 256; i++) {
    hex += createHash('sha256').update(`${idNumber}|${visitTimeRoc}|${i}`).digest('hex').toUpperCase();
  }
  return hex.slice(0, 256);
}

/** Taiwan-local Gregorian `yyyyMMddHHmmss`, as 3.1's receipt times (§4.2; S4 parses them as Gregorian). */
function gregorianDateTime(d: Date): string {
  const roc = dateToRocDateTime(d);
  return `${Number(roc.slice(0, 3)) + 1911}${roc.slice(3)}`;
}

/** 20-character treatment ID (就醫識別碼); the real format is NHI's, this one is only stable and unique. */
function treatmentIdFor(idNumber: string, visitTimeRoc: string): string {
  const digest = createHash('sha256').update(`${idNumber}|${visitTimeRoc}|treat`).digest('hex').toUpperCase();
  return `SIM${visitTimeRoc.slice(0, 7)}${digest.slice(0, 10)}`;
}
