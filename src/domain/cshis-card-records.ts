/**
 * The CardRecords port (src/ports/card-stack.ts) over the CSHIS API — any ControlSoftware: the koffi adapter
 * or the simulator. Every input is validated by the record codecs before any card call (InputError →
 * BAD_USER_INPUT naming field and rule); non-zero return codes become the typed errors of the one code table.
 * Where the gateway can tell that the DLL would refuse for want of a professional card, it says so first
 * (4014 / 4042, typed) without calling the DLL; otherwise the DLL's 4042 / 5056 / 9100 pass through typed.
 */
import { CARD_TYPE, type ControlSoftware, type RawOutput } from '../ports/control-software.ts';
import type {
  AllergyWriteResult,
  CardholderRef,
  CardRecords,
  CardUpdateResult,
  DiagnosisWidth,
  PrescriptionArea,
  StageListener,
  WritePrescriptionsInput,
  WritePrescriptionsResult,
} from '../ports/card-stack.ts';
import type {
  CriticalIllness,
  CumulativeFees,
  CumulativeYear,
  NewbornInput,
  OrganDonationFlag,
  PrenatalRecord,
  PrescriptionAreas,
  PreventiveCareInput,
  PreventiveCareRecord,
  ReaderClock,
  TreatmentDiagnoses,
  TreatmentHistory,
  VaccinationInput,
  VaccinationRecord,
} from './types.ts';
import {
  decodeAllergies,
  decodeCriticalIllnesses,
  decodeCumulativeData,
  decodeCumulativeFees,
  decodeEmergencyPhone,
  decodeIcd10CodecOutput,
  decodeImportantOrders,
  decodeLongTermPrescriptions,
  decodeOrganDonation,
  decodeOutpatientPrescriptions,
  decodePrenatalRecords,
  decodePrescriptionAreas,
  decodePreventiveCare,
  decodeReaderClock,
  decodeTreatmentDiagnoses,
  decodeTreatmentHistory,
  decodeVaccinations,
  splitSignatures,
} from '../codecs/records.ts';
import {
  encodeAllergiesInput,
  encodeAllergySlotInput,
  encodeNewbornInput,
  encodePrescriptionsInput,
  encodePreventiveCareInput,
  encodeVaccinationInput,
  validateEmergencyPhone,
  validateIcd10CardForm,
  validateIcd10EncodeInput,
  validateOrganDonationFlag,
  validatePrenatalItemCode,
} from '../codecs/record-inputs.ts';
import { decodeDocId, decodeRegisterBasic2 } from '../codecs/layouts.ts';
import { isoDateToRoc, validateRocDateTime13 } from '../codecs/roc-date.ts';
import { validateTaiwanId } from '../codecs/write-inputs.ts';
import { InputError } from '../codecs/input-error.ts';
import { errorForVendorCode, isWarningOnly } from '../errors/vendor-codes.ts';

const HPC_NOT_INSERTED = 4014;
const HPC_PIN_NOT_VERIFIED = 4042;

/** Throws the typed error for a non-zero code (warning-only codes pass). */
function check(rc: number): void {
  if (rc !== 0 && !isWarningOnly(rc)) throw errorForVendorCode(rc);
}

function bytesOf(out: RawOutput): Uint8Array {
  check(out.rc);
  return out.bytes;
}

const EMPTY_AREAS: PrescriptionAreas = { outpatient: [], longTerm: [], importantOrders: [], allergies: [] };

export interface CshisCardRecordsOptions {
  readonly now?: () => Date;
}

export class CshisCardRecords implements CardRecords {
  private readonly now: () => Date;

  constructor(
    private readonly cs: ControlSoftware,
    options: CshisCardRecordsOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  // ---- reads ----

  async preventiveCare(): Promise<readonly PreventiveCareRecord[]> {
    return decodePreventiveCare(bytesOf(await this.cs.hisGetRegisterPrevent()));
  }

  async prenatalRecords(): Promise<readonly PrenatalRecord[]> {
    return decodePrenatalRecords(bytesOf(await this.cs.hisGetRegisterPregnant()));
  }

  async treatmentHistory(): Promise<TreatmentHistory> {
    return decodeTreatmentHistory(bytesOf(await this.cs.hisGetTreatmentNoNeedHPC()));
  }

  async cumulativeData(): Promise<readonly CumulativeYear[]> {
    return decodeCumulativeData(bytesOf(await this.cs.hisGetCumulativeData()));
  }

  async cumulativeFees(): Promise<CumulativeFees> {
    return decodeCumulativeFees(bytesOf(await this.cs.hisGetCumulativeFee()));
  }

  async treatmentDiagnoses(width: DiagnosisWidth): Promise<TreatmentDiagnoses> {
    const icd10 = icd10Width(width);
    await this.requireVerifiedProfessionalCard();
    return decodeTreatmentDiagnoses(bytesOf(await this.cs.hisGetTreatmentNeedHPC(icd10)), icd10);
  }

  async prescriptions(): Promise<PrescriptionAreas> {
    const raw = await this.cs.hisReadPrescription();
    check(raw.rc);
    return decodePrescriptionAreas(raw);
  }

  async prescriptionRange(area: PrescriptionArea, start: number, end: number): Promise<PrescriptionAreas> {
    const capacity = { OUTPATIENT: 60, LONG_TERM: 30, IMPORTANT_ORDERS: 10, ALLERGIES: 3 }[area];
    if (capacity === undefined) throw new InputError('area', 'must be OUTPATIENT, LONG_TERM, IMPORTANT_ORDERS or ALLERGIES');
    if (!Number.isInteger(start) || start < 1 || start > capacity) throw new InputError('start', `must be 1 to ${capacity}`);
    if (!Number.isInteger(end) || end < start || end > capacity) throw new InputError('end', `must be start to ${capacity}`);
    switch (area) {
      case 'OUTPATIENT':
        return { ...EMPTY_AREAS, outpatient: decodeOutpatientPrescriptions(bytesOf(await this.cs.hisReadPrescriptMain(start, end))) };
      case 'LONG_TERM':
        return { ...EMPTY_AREAS, longTerm: decodeLongTermPrescriptions(bytesOf(await this.cs.hisReadPrescriptLongTerm(start, end))) };
      case 'IMPORTANT_ORDERS':
        return { ...EMPTY_AREAS, importantOrders: decodeImportantOrders(bytesOf(await this.cs.hisReadPrescriptHVE(start, end))) };
      case 'ALLERGIES':
        return { ...EMPTY_AREAS, allergies: decodeAllergies(bytesOf(await this.cs.hisReadPrescriptAllergic(start, end)), start) };
    }
  }

  async vaccinations(): Promise<readonly VaccinationRecord[]> {
    return decodeVaccinations(bytesOf(await this.cs.hisGetInoculateData()));
  }

  async organDonation(): Promise<OrganDonationFlag> {
    return decodeOrganDonation(bytesOf(await this.cs.hisGetOrganDonate()));
  }

  async emergencyPhone(): Promise<string | null> {
    return decodeEmergencyPhone(bytesOf(await this.cs.hisGetEmergentTel()));
  }

  async criticalIllnesses(width: DiagnosisWidth, cardholder?: CardholderRef): Promise<readonly CriticalIllness[]> {
    const icd10 = icd10Width(width);
    if (!cardholder) return decodeCriticalIllnesses(bytesOf(await this.cs.hisGetCriticalIllness(icd10)), icd10);
    const { patientId, birthDateRoc } = cardholderArgs(cardholder);
    return decodeCriticalIllnesses(bytesOf(await this.cs.hisGetCriticalIllnessID(patientId, birthDateRoc, icd10)), icd10);
  }

  async readerClock(): Promise<ReaderClock> {
    return decodeReaderClock(bytesOf(await this.cs.csGetDateTime()));
  }

  // ---- writes ----

  async writePrescriptions(input: WritePrescriptionsInput): Promise<WritePrescriptionsResult> {
    const { patientId, birthDateRoc } = cardholderArgs(input);
    const visitTimeRoc = validateRocDateTime13(input.visitTimeRoc, 'visitTimeRoc');
    const { data, count } = encodePrescriptionsInput(visitTimeRoc, input.prescriptions);
    const records = decodeOutpatientPrescriptions(Buffer.from(data, 'latin1'));
    await this.requireVisitOnCard(visitTimeRoc);
    if (!input.signed) {
      const api = count === 1 ? 'hisWritePrescription' : 'hisWriteMultiPrescript';
      check(
        count === 1
          ? await this.cs.hisWritePrescription(visitTimeRoc, patientId, birthDateRoc, data)
          : await this.cs.hisWriteMultiPrescript(visitTimeRoc, patientId, birthDateRoc, data, count),
      );
      return { visitTimeRoc, api, records, signatures: null };
    }
    const api = count === 1 ? 'hisWritePrescriptionSign' : 'hisWriteMultiPrescriptSign';
    const out =
      count === 1
        ? await this.cs.hisWritePrescriptionSign(visitTimeRoc, patientId, birthDateRoc, data)
        : await this.cs.hisWriteMultiPrescriptSign(visitTimeRoc, patientId, birthDateRoc, data, count);
    const signatures = splitSignatures(bytesOf(out));
    return {
      visitTimeRoc,
      api,
      records,
      // A short signature buffer leaves later records without one: '' rather than a shifted pairing.
      signatures: records.map((record, i) => ({ record, signature: signatures[i] ?? '' })),
    };
  }

  async writeAllergies(input: CardholderRef & { readonly names: readonly string[] }): Promise<AllergyWriteResult> {
    const { patientId, birthDateRoc } = cardholderArgs(input);
    const data = encodeAllergiesInput(input.names);
    await this.requireProfessionalCard();
    return { doctorIdNumber: decodeDocId(bytesOf(await this.cs.hisWriteAllergicMedicines(patientId, birthDateRoc, data))) };
  }

  async writeAllergySlot(input: CardholderRef & { readonly slot: number; readonly name: string }): Promise<AllergyWriteResult> {
    const { patientId, birthDateRoc } = cardholderArgs(input);
    const { slot, data } = encodeAllergySlotInput(input.slot, input.name);
    await this.requireProfessionalCard();
    return { doctorIdNumber: decodeDocId(bytesOf(await this.cs.hisWriteAllergicNum(patientId, birthDateRoc, data, slot))) };
  }

  async writeNewborn(input: CardholderRef & { readonly newborn: NewbornInput }): Promise<void> {
    const { patientId, birthDateRoc } = cardholderArgs(input);
    const newborn = encodeNewbornInput(input.newborn, this.now());
    check(await this.cs.hisWriteNewBorn(patientId, birthDateRoc, newborn.birthDateRoc, newborn.birthOrder));
  }

  async writeOrganDonation(input: CardholderRef & { readonly flag: string }): Promise<void> {
    const { patientId, birthDateRoc } = cardholderArgs(input);
    check(await this.cs.hisWriteOrganDonate(patientId, birthDateRoc, validateOrganDonationFlag(input.flag)));
  }

  async writePreventiveCare(input: CardholderRef & { readonly record: PreventiveCareInput }): Promise<void> {
    const { patientId, birthDateRoc } = cardholderArgs(input);
    const record = encodePreventiveCareInput(input.record);
    check(await this.cs.hisWriteHealthInsurance(patientId, birthDateRoc, record.serviceItem, record.itemCode));
  }

  async writeEmergencyPhone(input: CardholderRef & { readonly emergencyPhone: string }): Promise<void> {
    const { patientId, birthDateRoc } = cardholderArgs(input);
    check(await this.cs.hisWriteEmergentTel(patientId, birthDateRoc, validateEmergencyPhone(input.emergencyPhone)));
  }

  async writePrenatalCheckup(input: CardholderRef & { readonly itemCode: string }): Promise<void> {
    const { patientId, birthDateRoc } = cardholderArgs(input);
    check(await this.cs.hisWritePredeliveryCheckup(patientId, birthDateRoc, validatePrenatalItemCode(input.itemCode)));
  }

  async deletePrenatalRecords(input: CardholderRef): Promise<void> {
    const { patientId, birthDateRoc } = cardholderArgs(input);
    check(await this.cs.hisDeletePredeliveryData(patientId, birthDateRoc));
  }

  async writeVaccination(input: CardholderRef & { readonly vaccination: VaccinationInput }): Promise<void> {
    const { patientId, birthDateRoc } = cardholderArgs(input);
    const v = encodeVaccinationInput(input.vaccination);
    check(await this.cs.hisWriteInoculateData(patientId, birthDateRoc, v.vaccineType, v.lotNumber));
  }

  // ---- PIN flows, update without reset ----

  async patientPinSet(): Promise<boolean> {
    const rc = await this.cs.csISSetPIN();
    if (rc === 0 || rc === 1) return rc === 1;
    throw errorForVendorCode(rc);
  }

  async verifyPatientPin(): Promise<void> {
    check(await this.cs.csVerifyHCPIN());
  }

  async setPatientPin(): Promise<void> {
    check(await this.cs.csInputHCPIN());
  }

  async disablePatientPin(): Promise<void> {
    check(await this.cs.csDisableHCPIN());
  }

  async changeProfessionalPin(): Promise<void> {
    check(await this.cs.hpcInputHPCPIN());
  }

  async unlockProfessionalCard(): Promise<void> {
    check(await this.cs.hpcUnlockHPC());
  }

  async updateCardWithoutReset(onStage: StageListener = () => {}): Promise<CardUpdateResult> {
    onStage('WAITING_FOR_READER');
    const status = await this.cs.hisGetCardStatus(CARD_TYPE.HEALTH_CARD);
    if (status === 0) throw errorForVendorCode(4013);
    if (status >= 4000) throw errorForVendorCode(status);
    onStage('CONTACTING_NHI_IDC');
    if ((await this.cs.hisGetCardStatus(CARD_TYPE.SAM)) !== 2) check(await this.cs.csVerifySAMDC());
    onStage('WRITING_CARD');
    check(await this.cs.csUpdateHCNoReset());
    const out = await this.cs.hisGetRegisterBasic2();
    if (out.rc !== 0) return { remainingVisits: null, cardValidUntil: null };
    const { remainingVisits, cardValidUntil } = decodeRegisterBasic2(out.bytes);
    return { remainingVisits, cardValidUntil };
  }

  // ---- ICD-10 codec ----

  async icd10ToCardForm(code: string): Promise<string> {
    return decodeIcd10CodecOutput(bytesOf(await this.cs.hisGetICD10EnC(validateIcd10EncodeInput(code))));
  }

  async icd10FromCardForm(cardForm: string): Promise<string> {
    return decodeIcd10CodecOutput(bytesOf(await this.cs.hisGetICD10DeC(validateIcd10CardForm(cardForm))));
  }

  // ---- pre-checks (what the gateway can know before the DLL refuses) ----

  /**
   * A prescription belongs to a visit on the card: the visit ring (1.5) must hold `visitTimeRoc`, else the
   * write is bad input and nothing is sent. When 1.5 itself fails, the DLL decides (5022, typed).
   */
  private async requireVisitOnCard(visitTimeRoc: string): Promise<void> {
    const out = await this.cs.hisGetTreatmentNoNeedHPC();
    if (out.rc !== 0) return;
    if (!decodeTreatmentHistory(out.bytes).visits.some((v) => v.visitTimeRoc === visitTimeRoc)) {
      throw new InputError('visitTimeRoc', 'must be a visit on the card (one of its last 6 visits, not cancelled)');
    }
  }

  private async requireProfessionalCard(): Promise<void> {
    const { rc, status } = await this.cs.hpcGetHPCStatus();
    if (rc === 0 && status === 0) throw errorForVendorCode(HPC_NOT_INSERTED);
  }

  private async requireVerifiedProfessionalCard(): Promise<void> {
    const status = await this.cs.hisGetCardStatus(CARD_TYPE.PROFESSIONAL_CARD);
    if (status === 0) throw errorForVendorCode(HPC_NOT_INSERTED);
    if (status === 1 || status === 2) throw errorForVendorCode(HPC_PIN_NOT_VERIFIED);
    // 3 (PIN verified) or a code the status call itself failed with: let 1.8 answer for itself.
  }
}

function icd10Width(width: DiagnosisWidth): boolean {
  if (width !== 'DEFAULT' && width !== 'ICD10') throw new InputError('width', 'must be DEFAULT or ICD10');
  return width === 'ICD10';
}

/** The DLL's pPatientID and pPatientBirthDate (ROC 7), validated. */
function cardholderArgs(ref: CardholderRef): { readonly patientId: string; readonly birthDateRoc: string } {
  return { patientId: validateTaiwanId(ref.patientId, 'patientId'), birthDateRoc: isoDateToRoc(ref.birthDate, 'birthDate') };
}
