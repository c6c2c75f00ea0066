/**
 * The `ControlSoftware` port: NHI's card-reader control software at the level of the CSHIS API
 * (cshis-api.md §3). Types only.
 *
 * Raw calls in, raw bytes and vendor return codes out. Every codec (buffer layouts §4, input layouts §5)
 * lives above this port so that the koffi/CSHIS.dll adapter and the embedded simulator share them: a
 * difference between the two can only be a difference in the bytes they return.
 *
 * Conventions for every method:
 * - Inputs are the ASCII strings the DLL expects, **without** the trailing NUL (the adapter adds it) and
 *   already laid out to their fixed widths by the §5 codecs. The port does not validate them.
 * - A method resolves with the vendor return code (`rc`, 0 = success, §7) and never rejects for a
 *   vendor error: mapping codes to typed errors is the job of the one code table (src/errors/vendor-codes.ts).
 * - A method rejects only for failures *around* the call: the adapter's timeout (`CallTimeoutError`),
 *   a missing export (`MissingExportError`), or the adapter being disposed.
 * - Output bytes are exactly what the DLL reported through its length pointer, never more than the §4
 *   buffer size (over-long reports are truncated to the buffer, never read past).
 * - Calls are serialised by the adapter: callers may call concurrently; at most one native call runs.
 */
export interface RawOutput {
  /** Vendor return code (§7); 0 = success. */
  readonly rc: number;
  /** Output bytes (length as reported by the DLL, clamped to the §4 buffer size). Empty when rc ≠ 0. */
  readonly bytes: Uint8Array;
}

/** Card kinds as numbered by hisGetCardStatus / csGetCardNo (§6.2 CardType). */
export type CardType = 1 | 2 | 3;
export const CARD_TYPE = { SAM: 1, HEALTH_CARD: 2, PROFESSIONAL_CARD: 3 } as const;

/** csSoftwareReset targets (§3 1.52). */
export type ResetTarget = 0 | 1 | 2 | 3;
export const RESET_TARGET = { READER: 0, SAM: 1, PROFESSIONAL_CARD: 2, HEALTH_CARD: 3 } as const;

export interface ControlSoftwareInfo {
  /** Which implementation this is: shown in `gateway { backend }`. */
  readonly backend: 'simulator' | 'cshis' | 'cs6';
  /** Where the library was loaded from (csGetVersionEx path for the DLL; a description for the simulator). */
  readonly libraryPath: string;
}

export interface ControlSoftware extends AsyncDisposable {
  readonly info: ControlSoftwareInfo;

  // ---- reader and environment ----

  /** §1.31 csOpenCom(port): 0-based port index (0 → COMX1). Resolves with 0 or −1. */
  csOpenCom(port: number): Promise<number>;
  /** §1.32 csCloseCom(). Resolves with 0 or −1. */
  csCloseCom(): Promise<number>;
  /**
   * §1.51 csGetVersionEx(path): resolves with the version code (e.g. 5158 for 5.1.5.8) and the full path of
   * the loaded DLL. The version is the return value, not an rc.
   */
  csGetVersionEx(): Promise<{ readonly version: number; readonly path: string }>;
  /** §1.52 csSoftwareReset(type). */
  csSoftwareReset(target: ResetTarget): Promise<number>;
  /** §1.34 csGetDateTime: reader clock, 13 ASCII bytes ROC yyyMMddHHmmss. */
  csGetDateTime(): Promise<RawOutput>;

  // ---- card presence and status ----

  /**
   * §1.15 hisGetCardStatus(CardType): resolves with the status code of §6.1 (0–5, 9) or an error code
   * (4000 reader timeout, ...). Note this call returns the *status* as its return value.
   */
  hisGetCardStatus(cardType: CardType): Promise<number>;
  /** §1.35 csGetCardNo(CardType): 12 bytes. */
  csGetCardNo(cardType: CardType): Promise<RawOutput>;
  /** §4.1 hpcGetHPCStatus(1, &status): status 1 = present, 0 = absent. */
  hpcGetHPCStatus(): Promise<{ readonly rc: number; readonly status: number }>;

  // ---- health card reads ----

  /** §1.1 hisGetBasicData: 72 bytes (§4.1). No PIN. */
  hisGetBasicData(): Promise<RawOutput>;
  /** §1.2 hisGetRegisterBasic: 78 bytes (§4.1). No PIN since 5.1.5.7. */
  hisGetRegisterBasic(): Promise<RawOutput>;
  /** §1.38 hisGetRegisterBasic2: 9 bytes (§4.2). */
  hisGetRegisterBasic2(): Promise<RawOutput>;
  /** §1.14 hisGetLastSeqNum: 7 bytes (§4.2). */
  hisGetLastSeqNum(): Promise<RawOutput>;
  /** §1.36 csISSetPIN: resolves 0 (no PIN) / 1 (PIN set) / an error code. */
  csISSetPIN(): Promise<number>;

  // ---- visits ----

  /** §1.37 hisGetSeqNumber256(cTreatItem 2, cBabyTreat 1, cTreatAfterCheck 1): 296 bytes (§4.6). */
  hisGetSeqNumber256(treatItem: string, babyTreat: string, treatAfterCheck: string): Promise<RawOutput>;
  /** §1.53 hisGetSeqNumber256N1: as 1.37 plus the 20-byte treatment ID, 316 bytes (§4.6). Needs ≥ 5.1.5.x. */
  hisGetSeqNumber256N1(treatItem: string, babyTreat: string, treatAfterCheck: string): Promise<RawOutput>;
  /**
   * §1.55 hisQuickInsurence(cTreatItem): real-time insurance check, no output buffer.
   * Signature from the NHI briefing only (cshis-api.md §3, unverified).
   */
  hisQuickInsurence(treatItem: string): Promise<number>;
  /** §1.56 hisGetTreatNumICCard(pDateTime 13): 20 bytes (§4.7). Signature from the briefing. */
  hisGetTreatNumICCard(visitDateTime: string): Promise<RawOutput>;
  /** §1.54 hisGetTreatNumNoICCard(pPatientID 10, pHospID 10): 43 bytes (§4.7). */
  hisGetTreatNumNoICCard(patientId: string, hospitalId: string): Promise<RawOutput>;
  /** §1.39 csUnGetSeqNumber(pUnTreatDate 13): cancel a registration (退掛). */
  csUnGetSeqNumber(visitDateTime: string): Promise<number>;

  // ---- card writes (§5 layouts) ----

  /** §1.16 hisWriteTreatmentCode(dt, id, birth, data): rc plus the DocID buffer (HPC holder's ID or empty). */
  hisWriteTreatmentCode(dateTime: string, patientId: string, birthDate: string, data: string): Promise<RawOutput>;
  /** §1.17 hisWriteTreatmentFee(dt, id, birth, data 38). */
  hisWriteTreatmentFee(dateTime: string, patientId: string, birthDate: string, data: string): Promise<number>;
  /** §1.47 hisWriteTreatmentData(dt, id, birth, data 69|93): rc plus DocID. */
  hisWriteTreatmentData(dateTime: string, patientId: string, birthDate: string, data: string): Promise<RawOutput>;

  // ---- SAM ----

  /** §2.1 csVerifySAMDC: SAM ↔ IDC authentication. */
  csVerifySAMDC(): Promise<number>;
  /** §2.2 csGetHospID: 10 bytes. */
  csGetHospID(): Promise<RawOutput>;

  // ---- professional card (HPC) ----

  /** §4.2 hpcVerifyHPCPIN: PIN via the DLL's keypad dialog. Never retried automatically. */
  hpcVerifyHPCPIN(): Promise<number>;
  /** §4.5 hpcGetHPCSN: card serial. */
  hpcGetHPCSN(): Promise<RawOutput>;
  /** §4.6 hpcGetHPCSSN: holder's ID number. */
  hpcGetHPCSSN(): Promise<RawOutput>;
  /** §4.7 hpcGetHPCCNAME: holder's Chinese name, Big5. */
  hpcGetHPCCNAME(): Promise<RawOutput>;
  /** §4.8 hpcGetHPCENAME: holder's English name. */
  hpcGetHPCENAME(): Promise<RawOutput>;

  // ---- long operations (NHI IDC round trips) ----

  /**
   * §1.30 csUpdateHCContents: online card update (refills visits, renews validity) followed by a card reset.
   * One blocking call: the control software contacts NHI's IDC and writes the card inside it. 9081 when the
   * card still has more than 3 visits left.
   */
  csUpdateHCContents(): Promise<number>;
  /**
   * §3.1 csUploadData(pUploadFileName, pFileSize, pNumber, buf, len): uploads the daily XML file to NHI's data
   * centre. `fileSize` is the file's size in bytes and `recordCount` the number of records, both as decimal
   * strings (the DLL takes them as in/out char*). 50 bytes out (§4.2): SAM id 12, hospital code 10, upload
   * time 14 and receive time 14 (Gregorian yyyyMMddHHmmss). 6017 file not found, 9070 size mismatch.
   */
  csUploadData(file: string, fileSize: string, recordCount: string): Promise<RawOutput>;

  // ---- health card records (issue 14; layouts in docs/reference/card-functions.md) ----

  /** §1.3 hisGetRegisterPrevent: 126 bytes, 6 preventive-care records. */
  hisGetRegisterPrevent(): Promise<RawOutput>;
  /** §1.4 hisGetRegisterPregnant: 209 bytes, 11 prenatal records. */
  hisGetRegisterPregnant(): Promise<RawOutput>;
  /** §1.5 hisGetTreatmentNoNeedHPC: 498 bytes, critical-illness dates + the 6-visit ring with fees. */
  hisGetTreatmentNoNeedHPC(): Promise<RawOutput>;
  /** §1.6 hisGetCumulativeData: 134 bytes, two years of accumulators. */
  hisGetCumulativeData(): Promise<RawOutput>;
  /** §1.7 hisGetCumulativeFee: 20 bytes. */
  hisGetCumulativeFee(): Promise<RawOutput>;
  /**
   * §1.8 hisGetTreatmentNeedHPC: 372 bytes, or 540 in ICD-10 mode (`icd10`: the adapter pre-fills the
   * buffer with `[XXXXXXX]` markers, which is how the DLL is told). Needs a verified professional card.
   */
  hisGetTreatmentNeedHPC(icd10: boolean): Promise<RawOutput>;
  /** §1.10 hisReadPrescription: four areas, 3660 + 1320 + 360 + 120 bytes. */
  hisReadPrescription(): Promise<PrescriptionAreasRaw>;
  /** §1.11 hisGetInoculateData: 1400 bytes, 40 vaccination records. */
  hisGetInoculateData(): Promise<RawOutput>;
  /** §1.12 hisGetOrganDonate: 1 byte. */
  hisGetOrganDonate(): Promise<RawOutput>;
  /** §1.13 hisGetEmergentTel: 14 bytes. */
  hisGetEmergentTel(): Promise<RawOutput>;
  /** §1.33 hisGetCriticalIllness: 114 bytes, or 138 in ICD-10 mode. */
  hisGetCriticalIllness(icd10: boolean): Promise<RawOutput>;
  /** §1.50 hisGetCriticalIllnessID(id, birth): as 1.33, after checking the cardholder (5020). */
  hisGetCriticalIllnessID(patientId: string, birthDate: string, icd10: boolean): Promise<RawOutput>;
  /**
   * §1.41–1.44 range reads: records `start..end` (1-based, inclusive) of one area; `count` is the number of
   * records the DLL returned. `bytes` holds count × record size.
   */
  hisReadPrescriptMain(start: number, end: number): Promise<RangeOutput>;
  hisReadPrescriptLongTerm(start: number, end: number): Promise<RangeOutput>;
  hisReadPrescriptHVE(start: number, end: number): Promise<RangeOutput>;
  hisReadPrescriptAllergic(start: number, end: number): Promise<RangeOutput>;

  // ---- health card record writes (§5 layouts; inputs already laid out by src/codecs/record-inputs.ts) ----

  /** §1.18 hisWritePrescription(dt, id, birth, one 61-byte record). */
  hisWritePrescription(dateTime: string, patientId: string, birthDate: string, data: string): Promise<number>;
  /** §1.45 hisWriteMultiPrescript(dt, id, birth, n × 61, &n). */
  hisWriteMultiPrescript(dateTime: string, patientId: string, birthDate: string, data: string, count: number): Promise<number>;
  /** §1.48 hisWritePrescriptionSign: one record; `bytes` = its 40-byte signature. */
  hisWritePrescriptionSign(dateTime: string, patientId: string, birthDate: string, data: string): Promise<RawOutput>;
  /** §1.49 hisWriteMultiPrescriptSign: n records; `bytes` = n × 40 signature bytes. */
  hisWriteMultiPrescriptSign(
    dateTime: string,
    patientId: string,
    birthDate: string,
    data: string,
    count: number,
  ): Promise<RawOutput>;
  /** §1.19 hisWriteNewBorn(id, birth, newborn birth date ROC 7, birth order 1). */
  hisWriteNewBorn(patientId: string, birthDate: string, newbornBirthDate: string, birthOrder: string): Promise<number>;
  /**
   * §1.20 hisWriteAllergicMedicines(id, birth, 3 × 40 bytes): the data is Big5, so it is passed as bytes.
   * Resolves with rc and the DocID bytes. Needs a professional card (5056).
   */
  hisWriteAllergicMedicines(patientId: string, birthDate: string, data: Uint8Array): Promise<RawOutput>;
  /** §1.46 hisWriteAllergicNum(id, birth, 40 bytes Big5, DocID, slot 1–3). */
  hisWriteAllergicNum(patientId: string, birthDate: string, data: Uint8Array, slot: number): Promise<RawOutput>;
  /** §1.21 hisWriteOrganDonate(id, birth, flag 1). */
  hisWriteOrganDonate(patientId: string, birthDate: string, flag: string): Promise<number>;
  /** §1.22 hisWriteHealthInsurance(id, birth, serviceItem 2, itemCode 2). */
  hisWriteHealthInsurance(patientId: string, birthDate: string, serviceItem: string, itemCode: string): Promise<number>;
  /** §1.23 hisWriteEmergentTel(id, birth, phone ≤ 14). */
  hisWriteEmergentTel(patientId: string, birthDate: string, phone: string): Promise<number>;
  /** §1.24 hisWritePredeliveryCheckup(id, birth, itemCode 2). Female cardholders only (5079). */
  hisWritePredeliveryCheckup(patientId: string, birthDate: string, itemCode: string): Promise<number>;
  /** §1.25 hisDeletePredeliveryData(id, birth): clears all 11 prenatal records. */
  hisDeletePredeliveryData(patientId: string, birthDate: string): Promise<number>;
  /** §1.26 hisWriteInoculateData(id, birth, vaccine type ≤ 6, lot number ≤ 12). */
  hisWriteInoculateData(patientId: string, birthDate: string, vaccineType: string, lotNumber: string): Promise<number>;

  // ---- PIN flows (the DLL shows its own keypad dialog: slow calls) ----

  /** §1.27 csVerifyHCPIN. */
  csVerifyHCPIN(): Promise<number>;
  /** §1.28 csInputHCPIN: set or change the patient's PIN. */
  csInputHCPIN(): Promise<number>;
  /** §1.29 csDisableHCPIN. */
  csDisableHCPIN(): Promise<number>;
  /** §4.3 hpcInputHPCPIN: change the professional card's PIN. */
  hpcInputHPCPIN(): Promise<number>;
  /** §4.4 hpcUnlockHPC: unlock a professional card after three wrong PINs. */
  hpcUnlockHPC(): Promise<number>;

  /** §1.40 csUpdateHCNoReset: 1.30 without the card reset (the patient re-inserts the card). */
  csUpdateHCNoReset(): Promise<number>;

  // ---- ICD-10 codec of the DLL ----

  /** §5.1 hisGetICD10EnC: ICD-10-CM code → 5-character card form (押碼). 9127 when it has no mapping. */
  hisGetICD10EnC(code: string): Promise<RawOutput>;
  /** §5.2 hisGetICD10DeC: card form → ICD-10-CM code. 9127 when it has no mapping. */
  hisGetICD10DeC(cardForm: string): Promise<RawOutput>;
}

/** §1.10's four output areas (each empty when rc ≠ 0). */
export interface PrescriptionAreasRaw {
  readonly rc: number;
  readonly outpatient: Uint8Array;
  readonly longTerm: Uint8Array;
  readonly importantOrders: Uint8Array;
  readonly allergies: Uint8Array;
}

/** A §1.41–1.44 range read. */
export interface RangeOutput extends RawOutput {
  /** Records returned (the DLL's `*count`); 0 when rc ≠ 0. */
  readonly count: number;
}

/** Record sizes and card capacities (§4.5, §4.2, §4.3). */
export const RECORD = {
  outpatientPrescription: { size: 61, capacity: 60 },
  longTermPrescription: { size: 44, capacity: 30 },
  importantOrder: { size: 36, capacity: 10 },
  allergy: { size: 40, capacity: 3 },
  vaccination: { size: 35, capacity: 40 },
  preventiveCare: { size: 21, capacity: 6 },
  prenatal: { size: 19, capacity: 11 },
  visit: { size: 69, capacity: 6 },
  criticalIllness: { size: 19, sizeIcd10: 23, capacity: 6 },
  visitDiagnoses: { size: 43, sizeIcd10: 67, capacity: 6 },
  cumulativeYear: { size: 67, capacity: 2 },
  prescriptionSignature: { size: 40 },
} as const;

/** §4 output buffer sizes the adapters allocate (and clamp to). */
export const OUTPUT_SIZE = {
  hisGetBasicData: 72,
  hisGetRegisterBasic: 78,
  hisGetRegisterBasic2: 9,
  hisGetLastSeqNum: 7,
  csGetDateTime: 13,
  csGetCardNo: 12,
  csGetHospID: 10,
  hisGetSeqNumber256: 296,
  hisGetSeqNumber256N1: 316,
  hisGetTreatNumICCard: 20,
  hisGetTreatNumNoICCard: 43,
  docId: 11,
  hpcGetHPCSN: 20,
  hpcGetHPCSSN: 10,
  hpcGetHPCCNAME: 20,
  hpcGetHPCENAME: 40,
  csGetVersionExPath: 260,
  csUploadData: 50,
  hisGetRegisterPrevent: 126,
  hisGetRegisterPregnant: 209,
  hisGetTreatmentNoNeedHPC: 498,
  hisGetCumulativeData: 134,
  hisGetCumulativeFee: 20,
  hisGetTreatmentNeedHPC: 372,
  hisGetTreatmentNeedHPCIcd10: 540,
  hisReadPrescriptionOutpatient: 3660,
  hisReadPrescriptionLongTerm: 1320,
  hisReadPrescriptionImportantOrders: 360,
  hisReadPrescriptionAllergies: 120,
  hisGetInoculateData: 1400,
  hisGetOrganDonate: 1,
  hisGetEmergentTel: 14,
  hisGetCriticalIllness: 114,
  hisGetCriticalIllnessIcd10: 138,
  hisReadPrescriptMain: 61 * 60,
  hisReadPrescriptLongTerm: 44 * 30,
  hisReadPrescriptHVE: 36 * 10,
  hisReadPrescriptAllergic: 40 * 3,
  hisWritePrescriptionSign: 40,
  /** 1.49: 40 per record, 60 records at most. */
  hisWriteMultiPrescriptSign: 40 * 60,
  /** 5.1 / 5.2 out buffers: 5 (card form) / up to 7 (code); allocated with room for a NUL. */
  icd10Codec: 8,
} as const;
