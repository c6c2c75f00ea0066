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
  CardUpdateResult,
  StageListener,
  UploadDataInput,
  UploadReceipt,
  NoCardTreatmentIdPolicy,
} from '../ports/card-stack.ts';
import type { TreatmentIdWebApi } from '../ports/webapi.ts';
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
import { isoDateToRoc, rocDateTimeToIso, assertNotFuture, dateToRocDateTime } from '../codecs/roc-date.ts';
import { isWebApiOutcomeUnknown } from '../errors/webapi-codes.ts';
import { errorForVendorCode, isWarningOnly, lookupVendorCode } from '../errors/vendor-codes.ts';
import { gatewayError } from '../errors/gateway-codes.ts';
import { InputError } from '../codecs/input-error.ts';
import { GatewayError } from '../errors/gateway-errors.ts';
import { cardIdentity } from './card-sessions.ts';
import { CshisCardRecords } from './cshis-card-records.ts';

export interface CshisCardStackOptions {
  readonly strategy: VisitStrategy;
  readonly now?: () => Date;
  /** NHI's treatment-ID Web API (方式4, and visits without a card); null/omitted = not configured. */
  readonly webApi?: TreatmentIdWebApi | null;
  /** Default: WEB_API when `webApi` is set, else CONTROL_SOFTWARE_1_54. */
  readonly noCardTreatmentId?: NoCardTreatmentIdPolicy;
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

/**
 * A treatment-ID failure after the visit is on the card, as the visit's warning: typed errors as they are,
 * and a field the Web API specification refuses (card data it cannot take) as WEB_API_REQUEST_INVALID naming
 * the field and rule (never the value). Anything else is a bug and is not swallowed.
 */
function pendingWarning(error: unknown): VisitWarning | null {
  let typed: GatewayError;
  if (error instanceof GatewayError) typed = error;
  else if (error instanceof InputError) {
    typed = gatewayError('WEB_API_REQUEST_INVALID', {
      text: {
        zh: `Web API 請求欄位不符規格，未送出 (${error.field}: ${error.rule})`,
        en: `A Web API request field does not meet the specification, so nothing was sent (${error.field}: ${error.rule})`,
      },
    });
  } else return null;
  return { code: typed.code, vendorCode: typed.vendorCode, messageZh: typed.messageZh, messageEn: typed.messageEn };
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
  /** The record functions of issue 14 (src/domain/cshis-card-records.ts). */
  readonly records: CshisCardRecords;

  constructor(
    private readonly cs: ControlSoftware,
    private readonly options: CshisCardStackOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.records = new CshisCardRecords(cs, { now: this.now });
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

  async lightState(levelsKnown?: (levels: LightState) => void): Promise<LightState> {
    const hc = await this.cs.hisGetCardStatus(CARD_TYPE.HEALTH_CARD);
    const hpc = await this.cs.hisGetCardStatus(CARD_TYPE.PROFESSIONAL_CARD);
    const state = lightStateFromStatusCodes(hc, hpc);
    levelsKnown?.(state);
    if (state.healthCard.level === 0) return { ...state, healthCardIdentity: null };
    if (this.cs.peekHealthCardNumber) {
      const peeked = await this.cs.peekHealthCardNumber();
      return { ...state, healthCardIdentity: peeked === null ? null : cardIdentity(peeked) };
    }
    // Reading a card not yet authenticated would authenticate it (the light would move by itself): below level 2
    // the identity stays unknown, and a drop from 2 to 1 is what tells a swap there (src/domain/light-monitor.ts).
    if (state.healthCard.level < 2) return { ...state, healthCardIdentity: undefined };
    // Which card: two cards swapped between two polls show the same light, never the same card number (1.35).
    const number = await this.cs.csGetCardNo(CARD_TYPE.HEALTH_CARD).catch(() => null);
    const healthCardIdentity = number && number.rc === 0 ? cardIdentity(decodeCardNumber(bytesOf(number))) : undefined;
    return { ...state, healthCardIdentity };
  }

  async startVisit(input: StartVisitInput): Promise<Visit> {
    validateTreatmentCategory(input.category);
    const item = input.category;
    // docs/reference/buffers.md (Code lists): cBabyTreat is a single flag character; samples pass a space when the visit is not a newborn's.
    const baby = input.newborn ? 'Y' : ' ';
    // docs/reference/buffers.md (Code lists) cTreatAfterCheck: '1' normal, '2' late card (the ICD-10 example's '0' is the documented conflict).
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
    if (strategy === 'SEQ256_WEBAPI') return this.startVisitViaWebApi(item, baby, after);
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
    if (this.options.strategy === 'SEQ256_WEBAPI') {
      // 方式4 completes a pending visit the way it started: the Web API, with the visit's time and the patient
      // and card number read from the inserted card (which must be the visit's card, as for 1.56).
      const webApi = this.requireWebApi();
      const holder = decodeBasicData(bytesOf(await this.cs.hisGetBasicData()));
      const { samId, hospitalId } = await this.samIdentity();
      const treatmentId = await webApi.treatmentId({
        samId,
        hospitalId,
        cardId: holder.cardNumber || null,
        patientId: holder.idNumber,
        visitTimeRoc,
      });
      return { treatmentId, source: 'WEB_API', visitTime, visitTimeRoc, hospitalId };
    }
    const treatmentId = await this.treatmentIdViaCard(visitTimeRoc);
    return { treatmentId, source: 'CONTROL_SOFTWARE_1_56', visitTime, visitTimeRoc, hospitalId: null };
  }

  async treatmentIdWithoutCard(patientId: string): Promise<TreatmentIdResult> {
    validateTaiwanId(patientId, 'patientId');
    const policy = this.options.noCardTreatmentId ?? (this.options.webApi ? 'WEB_API' : 'CONTROL_SOFTWARE_1_54');
    if (policy === 'CONTROL_SOFTWARE_1_54') return this.treatmentIdWithoutCardVia154(patientId);
    try {
      return await this.treatmentIdWithoutCardViaWebApi(patientId);
    } catch (error) {
      // 1.54 as a fallback only when NHI certainly issued nothing: the request was never sent (no Web API,
      // no connection, untrusted certificate, signer down) or NHI refused it with an RtnCode. After a timeout,
      // a reset or a garbled answer NHI may have issued an ID, and 1.54 would issue a second one.
      if (policy === 'WEB_API_THEN_1_54' && error instanceof GatewayError && !isWebApiOutcomeUnknown(error)) {
        return this.treatmentIdWithoutCardVia154(patientId);
      }
      throw error;
    }
  }

  /** 例外就醫 through the Web API: the SAM's identity, no card number, and now as sTreatDT (as 1.54 stamps it). */
  private async treatmentIdWithoutCardViaWebApi(patientId: string): Promise<TreatmentIdResult> {
    const webApi = this.requireWebApi();
    const { samId, hospitalId } = await this.samIdentity();
    const visitTimeRoc = dateToRocDateTime(this.now());
    const treatmentId = await webApi.treatmentId({ samId, hospitalId, cardId: null, patientId, visitTimeRoc });
    return { treatmentId, source: 'WEB_API', visitTime: rocDateTimeToIso(visitTimeRoc, 'visitTimeRoc'), visitTimeRoc, hospitalId };
  }

  private async treatmentIdWithoutCardVia154(patientId: string): Promise<TreatmentIdResult> {
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

  /**
   * 方式4 (docs/webapi.md (Which way to configure)): 1.37 for seq number, signature and insurance check, then NHI's Web API for the
   * treatment ID. Before the visit is taken: the patient's ID and card number from the card (1.1, for
   * sPatientId/sCardId) and a valid SAM signature, so a missing card or a signer that cannot sign refuses the
   * visit instead of leaving it half done. After 1.37 the visit is on the card: any Web API failure (timeout,
   * reset, RtnCode, a card field failing the spec) returns the visit flagged treatmentIdPending with a warning,
   * and treatmentIdForVisit completes it later.
   */
  private async startVisitViaWebApi(item: TreatmentCategoryCode, baby: string, after: string): Promise<Visit> {
    const webApi = this.requireWebApi();
    const holder = decodeBasicData(bytesOf(await this.cs.hisGetBasicData()));
    await webApi.prepare();
    const warnings: VisitWarning[] = [];
    const out = await this.cs.hisGetSeqNumber256(item, baby, after);
    const warning = check(out.rc);
    if (warning) warnings.push(warning);
    const seq = decodeSeqNumber256(out.bytes);
    const visit = { ...seq, category: item, strategy: 'SEQ256_WEBAPI' as const };
    try {
      const treatmentId = await webApi.treatmentId({
        samId: seq.samId,
        hospitalId: seq.hospitalId,
        cardId: holder.cardNumber || null,
        patientId: holder.idNumber,
        visitTimeRoc: seq.visitTimeRoc,
      });
      return { ...visit, treatmentId, treatmentIdSource: 'WEB_API', treatmentIdPending: false, warnings };
    } catch (error) {
      const pending = pendingWarning(error);
      if (!pending) throw error;
      warnings.push(pending);
      return { ...visit, treatmentId: null, treatmentIdSource: null, treatmentIdPending: true, warnings };
    }
  }

  private requireWebApi(): TreatmentIdWebApi {
    if (this.options.webApi) return this.options.webApi;
    throw gatewayError('WEB_API_NOT_CONFIGURED', {
      hint: {
        zh: '請設定 --webapi-url 與 --nhi-ca-file（見 docs/webapi.md；模擬器可指向測試用 Web API），或改用其他取號方式',
        en: 'Set --webapi-url and --nhi-ca-file (docs/webapi.md; on the simulator, point it at a stand-in), or use another visit strategy',
      },
    });
  }

  /** sSamid and sHospid for a request that has no 1.37 output to take them from (2.2 and 1.35 on the SAM). */
  private async samIdentity(): Promise<{ samId: string; hospitalId: string }> {
    const hospitalId = decodeHospitalId(bytesOf(await this.cs.csGetHospID()));
    const samId = decodeCardNumber(bytesOf(await this.cs.csGetCardNo(CARD_TYPE.SAM)));
    return { samId, hospitalId };
  }

  async updateCard(onStage: StageListener = () => {}): Promise<CardUpdateResult> {
    onStage('WAITING_FOR_READER');
    requirePresent(await this.cs.hisGetCardStatus(CARD_TYPE.HEALTH_CARD), 4013, 4033);
    onStage('CONTACTING_NHI_IDC');
    // 2.1 first when needed, so a SAM/network problem is reported as such and not as a failed update.
    if ((await this.cs.hisGetCardStatus(CARD_TYPE.SAM)) !== 2) check(await this.cs.csVerifySAMDC());
    onStage('WRITING_CARD');
    check(await this.cs.csUpdateHCContents());
    const { remainingVisits, cardValidUntil } = await this.cardValidity();
    return { remainingVisits, cardValidUntil };
  }

  async uploadData(input: UploadDataInput, onStage: StageListener = () => {}): Promise<UploadReceipt> {
    if (input.file.trim() === '' || input.file.includes('\0')) throw new InputError('file', 'must be the path of the XML file');
    if (!Number.isSafeInteger(input.fileSize) || input.fileSize < 1) throw new InputError('fileSize', 'must be a positive number of bytes');
    if (!Number.isSafeInteger(input.recordCount) || input.recordCount < 1) throw new InputError('recordCount', 'must be at least 1');
    onStage('WAITING_FOR_READER');
    const samStatus = requirePresent(await this.cs.hisGetCardStatus(CARD_TYPE.SAM), 4012, 4032);
    onStage('CONTACTING_NHI_IDC');
    if (samStatus !== 2) check(await this.cs.csVerifySAMDC());
    onStage('UPLOADING');
    const bytes = bytesOf(await this.cs.csUploadData(input.file, String(input.fileSize), String(input.recordCount)));
    return decodeUploadReceipt(bytes);
  }
}

/**
 * hisGetCardStatus codes (docs/reference/buffers.md (1.15)) → throws the vendor error for "not inserted" (0), "not that kind of card" (9)
 * and any error code (4000 …); returns the status otherwise.
 */
function requirePresent(status: number, notInsertedCode: number, wrongCardCode: number): number {
  if (status === 0) throw errorForVendorCode(notInsertedCode);
  if (status === 9) throw errorForVendorCode(wrongCardCode);
  if (status < 0 || status > 9) throw errorForVendorCode(status);
  return status;
}

/** docs/reference/buffers.md (3.1) (50 B): SAM id 12 · hospital code 10 · upload time 14 · receive time 14 (Gregorian, Taiwan time). */
function decodeUploadReceipt(bytes: Uint8Array): UploadReceipt {
  const text = Buffer.from(bytes).toString('latin1').padEnd(50, ' ');
  const gregorian = (raw: string): string | null => {
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(raw);
    if (!m) return null;
    const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`;
    return Number.isNaN(Date.parse(iso)) ? null : iso;
  };
  return {
    samId: text.slice(0, 12).trim(),
    hospitalId: text.slice(12, 22).trim(),
    uploadedAt: gregorian(text.slice(22, 36)),
    receivedAt: gregorian(text.slice(36, 50)),
  };
}

/**
 * docs/reference/buffers.md (1.15) status codes → the console's lights. Health card: 0 none, 1 inserted, 2 authenticated with the SAM;
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
