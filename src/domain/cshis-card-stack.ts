/**
 * The CardStack over the CSHIS API (any ControlSoftware: the koffi/CSHIS.dll adapter or the simulator).
 * Decoding and the vendor-code table live here, once, for both.
 */
import {
  CARD_TYPE,
  type ControlSoftware,
  type RawOutput,
  type ResetTarget,
} from '../ports/control-software.ts';
import type {
  CardStack,
  CardLight,
  ControlSoftwareDescription,
  LightState,
  ProfessionalCardInfo,
  SamInfo,
  StartVisitInput,
  TreatmentIdResult,
  Visit,
  VisitStrategy,
  VisitWarning,
  WriteTreatmentInput,
  WriteTreatmentResult,
} from '../ports/card-stack.ts';
import type {
  BasicData,
  CardValidity,
  HealthCardStatus,
  LastSeqNumber,
  LightColour,
  LightLevel,
  ProfessionalCardIdentity,
  RegisterData,
  TreatmentCategoryCode,
} from './types.ts';
import {
  decodeBasicData,
  decodeRegisterBasic,
  decodeRegisterBasic2,
  decodeLastSeqNum,
  decodeSeqNumber256,
  decodeSeqNumber256N1,
  decodeTreatNumICCard,
  decodeTreatNumNoICCard,
  decodeDocId,
  decodeCardNumber,
  decodeHospitalId,
  decodeProfessionalCardIdentity,
  samStatusFromCode,
  healthCardStatusFromCode,
  professionalCardStatusFromCode,
} from '../codecs/layouts.ts';
import { encodeTreatmentCodeInput, encodeFeeInput, encodeTreatmentDataInput } from '../codecs/write-inputs.ts';
import { validateTaiwanId, validateTreatmentCategory } from '../codecs/write-inputs.ts';
import { isoDateToRoc, rocDateTimeToIso, assertNotFuture } from '../codecs/roc-date.ts';
import { errorForVendorCode, isWarningOnly, lookupVendorCode } from '../errors/vendor-codes.ts';
import { gatewayError } from '../errors/gateway-codes.ts';
import { InputError } from '../codecs/input-error.ts';
import { GatewayError } from '../errors/gateway-errors.ts';

export interface CshisCardStackOptions {
  readonly strategy: VisitStrategy;
  readonly now?: () => Date;
}

/** Throws the typed error for a non-zero return code; 5010-style warnings come back instead. */
function check(rc: number): VisitWarning | null {
  if (rc === 0) return null;
  if (isWarningOnly(rc)) {
    const entry = lookupVendorCode(rc);
    return {
      code: entry?.code ?? `VENDOR_${rc}`,
      vendorCode: rc,
      messageZh: entry?.text.zh ?? String(rc),
      messageEn: entry?.text.en ?? String(rc),
    };
  }
  throw errorForVendorCode(rc);
}

function bytesOf(out: RawOutput): Uint8Array {
  check(out.rc);
  return out.bytes;
}

/** Console colours (briefing, CSWATCH): 0 white, 1 brown, 2 green (health card) / orange (professional card), 3 light purple. */
function light(level: LightLevel, levelTwoColour: LightColour): CardLight {
  const colour: LightColour = level === 0 ? 'WHITE' : level === 1 ? 'BROWN' : level === 2 ? levelTwoColour : 'PURPLE';
  return { level, colour };
}

export class CshisCardStack implements CardStack {
  private readonly now: () => Date;

  constructor(
    private readonly cs: ControlSoftware,
    private readonly options: CshisCardStackOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async describe(): Promise<ControlSoftwareDescription> {
    const { version, path } = await this.cs.csGetVersionEx();
    return { backend: this.cs.info.backend, version, libraryPath: path || this.cs.info.libraryPath };
  }

  async healthCardStatus(): Promise<HealthCardStatus> {
    return healthCardStatusFromCode(await this.cs.hisGetCardStatus(CARD_TYPE.HEALTH_CARD));
  }

  async basicData(): Promise<BasicData> {
    return decodeBasicData(bytesOf(await this.cs.hisGetBasicData()));
  }

  async registerData(): Promise<RegisterData> {
    return decodeRegisterBasic(bytesOf(await this.cs.hisGetRegisterBasic()));
  }

  async cardValidity(): Promise<CardValidity> {
    return decodeRegisterBasic2(bytesOf(await this.cs.hisGetRegisterBasic2()));
  }

  async lastSeqNumber(): Promise<LastSeqNumber> {
    return decodeLastSeqNum(bytesOf(await this.cs.hisGetLastSeqNum()));
  }

  async professionalCard(): Promise<ProfessionalCardInfo> {
    const status = professionalCardStatusFromCode(await this.cs.hisGetCardStatus(CARD_TYPE.PROFESSIONAL_CARD));
    return {
      status,
      present: status !== 'NOT_INSERTED' && status !== 'NOT_A_PROFESSIONAL_CARD' && status !== 'READER_TIMEOUT',
      pinVerified: status === 'PIN_VERIFIED',
    };
  }

  async professionalIdentity(): Promise<ProfessionalCardIdentity> {
    // One call at a time: the control software is single-threaded and the adapter serialises anyway.
    const serialNumber = bytesOf(await this.cs.hpcGetHPCSN());
    const idNumber = bytesOf(await this.cs.hpcGetHPCSSN());
    const chineseName = bytesOf(await this.cs.hpcGetHPCCNAME());
    const englishName = bytesOf(await this.cs.hpcGetHPCENAME());
    return decodeProfessionalCardIdentity({ serialNumber, idNumber, chineseName, englishName });
  }

  async sam(): Promise<SamInfo> {
    const status = samStatusFromCode(await this.cs.hisGetCardStatus(CARD_TYPE.SAM));
    const hospitalId = decodeHospitalId(bytesOf(await this.cs.csGetHospID()));
    const samId = decodeCardNumber(bytesOf(await this.cs.csGetCardNo(CARD_TYPE.SAM)));
    return {
      hospitalId,
      samId,
      status,
      authenticated: status === 'AUTHENTICATED',
      testModule: this.cs.info.backend === 'simulator' ? true : null,
    };
  }

  async lightState(): Promise<LightState> {
    const hc = await this.cs.hisGetCardStatus(CARD_TYPE.HEALTH_CARD);
    const hpc = await this.cs.hisGetCardStatus(CARD_TYPE.PROFESSIONAL_CARD);
    return lightStateFromStatusCodes(hc, hpc);
  }

  async startVisit(input: StartVisitInput): Promise<Visit> {
    validateTreatmentCategory(input.category);
    const item = input.category;
    // §6.2: cBabyTreat is a single flag character; samples pass a space when the visit is not a newborn's.
    const baby = input.newborn ? 'Y' : ' ';
    // §6.2 cTreatAfterCheck: '1' normal, '2' late card (the ICD-10 example's '0' is the documented conflict).
    const after = input.lateCard ? '2' : '1';
    const strategy = this.options.strategy;
    const warnings: VisitWarning[] = [];

    if (strategy === 'N1') {
      const out = await this.cs.hisGetSeqNumber256N1(item, baby, after);
      const warning = check(out.rc);
      if (warning) warnings.push(warning);
      const seq = decodeSeqNumber256N1(out.bytes);
      return { ...seq, category: item, treatmentIdSource: seq.treatmentId ? 'CONTROL_SOFTWARE_1_53' : null, treatmentIdPending: !seq.treatmentId, strategy, warnings };
    }
    if (strategy === 'SEQ256_QUICK_TREATNUM') await this.quickInsuranceCheck(item);
    if (strategy === 'SEQ256_WEBAPI') {
      throw gatewayError('WEB_API_NOT_CONFIGURED');
    }
    const out = await this.cs.hisGetSeqNumber256(item, baby, after);
    const warning = check(out.rc);
    if (warning) warnings.push(warning);
    const seq = decodeSeqNumber256(out.bytes);
    // The visit is on the card now: a failing 1.56 must not lose it. It comes back flagged, and
    // treatmentIdForVisit can complete it later.
    try {
      const treatmentId = await this.treatmentIdViaCard(seq.visitTimeRoc);
      return { ...seq, category: item, treatmentId, treatmentIdSource: 'CONTROL_SOFTWARE_1_56', treatmentIdPending: false, strategy, warnings };
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      warnings.push({ code: error.code, vendorCode: error.vendorCode, messageZh: error.messageZh, messageEn: error.messageEn });
      return { ...seq, category: item, treatmentId: null, treatmentIdSource: null, treatmentIdPending: true, strategy, warnings };
    }
  }

  async quickInsuranceCheck(category: TreatmentCategoryCode): Promise<void> {
    validateTreatmentCategory(category);
    check(await this.cs.hisQuickInsurence(category));
  }

  async treatmentIdForVisit(visitTimeRoc: string): Promise<TreatmentIdResult> {
    const visitTime = rocDateTimeToIso(visitTimeRoc, 'visitTimeRoc');
    assertNotFuture(visitTimeRoc, this.now(), 'visitTimeRoc');
    const treatmentId = await this.treatmentIdViaCard(visitTimeRoc);
    return { treatmentId, source: 'CONTROL_SOFTWARE_1_56', visitTime, visitTimeRoc, hospitalId: null };
  }

  async treatmentIdWithoutCard(patientId: string): Promise<TreatmentIdResult> {
    validateTaiwanId(patientId, 'patientId');
    const hospitalId = decodeHospitalId(bytesOf(await this.cs.csGetHospID()));
    const result = decodeTreatNumNoICCard(bytesOf(await this.cs.hisGetTreatNumNoICCard(patientId, hospitalId)));
    return { ...result, source: 'CONTROL_SOFTWARE_1_54' };
  }

  async cancelVisit(visitTimeRoc: string): Promise<void> {
    rocDateTimeToIso(visitTimeRoc, 'visitTimeRoc');
    assertNotFuture(visitTimeRoc, this.now(), 'visitTimeRoc');
    check(await this.cs.csUnGetSeqNumber(visitTimeRoc));
  }

  async writeTreatment(input: WriteTreatmentInput): Promise<WriteTreatmentResult> {
    rocDateTimeToIso(input.visitTimeRoc, 'visitTimeRoc');
    assertNotFuture(input.visitTimeRoc, this.now(), 'visitTimeRoc');
    validateTaiwanId(input.patientId, 'patientId');
    const birthRoc = isoDateToRoc(input.birthDate, 'birthDate');
    const layout = input.layout === 'ICD10' ? 'icd10' : 'default';
    // Encode everything before the first native call, so bad input never leaves half a write on the card.
    if (input.combined) {
      if (!input.fees) throw new InputError('fees', 'required when combined is true (API 1.47 writes codes and fees together)');
      const data = encodeTreatmentDataInput(input, layout);
      const out = await this.cs.hisWriteTreatmentData(input.visitTimeRoc, input.patientId, birthRoc, data);
      return { visitTimeRoc: input.visitTimeRoc, apis: ['1.47'], doctorIdNumber: decodeDocId(bytesOf(out)) };
    }
    const codes = encodeTreatmentCodeInput(input, layout);
    const fees = input.fees ? encodeFeeInput(input.fees) : null;
    const out = await this.cs.hisWriteTreatmentCode(input.visitTimeRoc, input.patientId, birthRoc, codes);
    const doctorIdNumber = decodeDocId(bytesOf(out));
    const apis = ['1.16'];
    if (fees !== null) {
      check(await this.cs.hisWriteTreatmentFee(input.visitTimeRoc, input.patientId, birthRoc, fees));
      apis.push('1.17');
    }
    return { visitTimeRoc: input.visitTimeRoc, apis, doctorIdNumber };
  }

  async verifySam(): Promise<SamInfo> {
    check(await this.cs.csVerifySAMDC());
    return this.sam();
  }

  async verifyProfessionalPin(): Promise<ProfessionalCardInfo> {
    check(await this.cs.hpcVerifyHPCPIN());
    return this.professionalCard();
  }

  async reset(target: ResetTarget): Promise<void> {
    check(await this.cs.csSoftwareReset(target));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.cs[Symbol.asyncDispose]();
  }

  private async treatmentIdViaCard(visitTimeRoc: string): Promise<string> {
    return decodeTreatNumICCard(bytesOf(await this.cs.hisGetTreatNumICCard(visitTimeRoc)));
  }
}

/**
 * §6.1 status codes → the console's lights. Health card: 0 none, 1 inserted, 2 authenticated with the SAM;
 * professional card: 0, 1, 2, and 3 once its PIN is verified. With a verified professional card and an
 * authenticated health card both lights show 3 (the briefing's "medical mode", light purple).
 */
export function lightStateFromStatusCodes(healthCardCode: number, professionalCardCode: number): LightState {
  const hpcLevel: LightLevel =
    professionalCardCode === 3 ? 3 : professionalCardCode === 2 ? 2 : professionalCardCode === 1 ? 1 : 0;
  let hcLevel: LightLevel = 0;
  if (healthCardCode === 1) hcLevel = 1;
  else if (healthCardCode >= 2 && healthCardCode <= 5) hcLevel = hpcLevel === 3 || healthCardCode === 3 ? 3 : 2;
  return { healthCard: light(hcLevel, 'GREEN'), professionalCard: light(hpcLevel, 'ORANGE') };
}
