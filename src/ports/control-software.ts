/**
 * The `ControlSoftware` port: NHI's card-reader control software at the level of the CSHIS API
 * (docs/reference/functions.md). Types only.
 *
 * Raw calls in, raw bytes and vendor return codes out. Every codec (buffer layouts docs/reference/buffers.md, input layouts docs/reference/buffers.md (Write inputs))
 * lives above this port so that the koffi/CSHIS.dll adapter and the embedded simulator share them: a
 * difference between the two can only be a difference in the bytes they return.
 *
 * Conventions for every method:
 * - Inputs are the ASCII strings the DLL expects, **without** the trailing NUL (the adapter adds it) and
 *   already laid out to their fixed widths by the docs/reference/buffers.md (Write inputs) codecs. The port does not validate them.
 * - A method resolves with the vendor return code (`rc`, 0 = success, docs/reference/return-codes.md) and never rejects for a
 *   vendor error: mapping codes to typed errors is the job of the one code table (src/errors/vendor-codes.ts).
 * - A method rejects only for failures *around* the call: the adapter's timeout (`CallTimeoutError`),
 *   a missing export (`MissingExportError`), or the adapter being disposed.
 * - Output bytes are exactly what the DLL reported through its length pointer, never more than the docs/reference/buffers.md
 *   buffer size (over-long reports are truncated to the buffer, never read past).
 * - Calls are serialised by the adapter: callers may call concurrently; at most one native call runs.
 */
export interface RawOutput {
  /** Vendor return code (docs/reference/return-codes.md); 0 = success. */
  readonly rc: number;
  /** Output bytes (length as reported by the DLL, clamped to the docs/reference/buffers.md buffer size). Empty when rc ≠ 0. */
  readonly bytes: Uint8Array;
}

/** Card kinds as numbered by hisGetCardStatus / csGetCardNo (docs/reference/buffers.md (Code lists) CardType). */
export type CardType = 1 | 2 | 3;
export const CARD_TYPE = { SAM: 1, HEALTH_CARD: 2, PROFESSIONAL_CARD: 3 } as const;

/** csSoftwareReset targets (docs/reference/functions.md (1.52)). */
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

  /** docs/reference/functions.md (1.31) csOpenCom(port): 0-based port index (0 → COMX1). Resolves with 0 or −1. */
  csOpenCom(port: number): Promise<number>;
  /** docs/reference/functions.md (1.32) csCloseCom(). Resolves with 0 or −1. */
  csCloseCom(): Promise<number>;
  /**
   * docs/reference/functions.md (1.51) csGetVersionEx(path): resolves with the version code (e.g. 5158 for 5.1.5.8) and the full path of
   * the loaded DLL. The version is the return value, not an rc.
   */
  csGetVersionEx(): Promise<{ readonly version: number; readonly path: string }>;
  /** docs/reference/functions.md (1.52) csSoftwareReset(type). */
  csSoftwareReset(target: ResetTarget): Promise<number>;
  /** docs/reference/functions.md (1.34) csGetDateTime: reader clock, 13 ASCII bytes ROC yyyMMddHHmmss. */
  csGetDateTime(): Promise<RawOutput>;

  // ---- card presence and status ----

  /**
   * docs/reference/functions.md (1.15) hisGetCardStatus(CardType): resolves with the status code of docs/reference/buffers.md (1.15) (0–5, 9) or an error code
   * (4000 reader timeout, ...). Note this call returns the *status* as its return value.
   */
  hisGetCardStatus(cardType: CardType): Promise<number>;
  /** docs/reference/functions.md (1.35) csGetCardNo(CardType): 12 bytes. */
  csGetCardNo(cardType: CardType): Promise<RawOutput>;
  /** docs/reference/functions.md (4.1) hpcGetHPCStatus(1, &status): status 1 = present, 0 = absent. */
  hpcGetHPCStatus(): Promise<{ readonly rc: number; readonly status: number }>;

  // ---- health card reads ----

  /** docs/reference/functions.md (1.1) hisGetBasicData: 72 bytes (docs/reference/buffers.md (1.1 / 1.2)). No PIN. */
  hisGetBasicData(): Promise<RawOutput>;
  /** docs/reference/functions.md (1.2) hisGetRegisterBasic: 78 bytes (docs/reference/buffers.md (1.1 / 1.2)). No PIN since 5.1.5.7. */
  hisGetRegisterBasic(): Promise<RawOutput>;
  /** docs/reference/functions.md (1.38) hisGetRegisterBasic2: 9 bytes (docs/reference/buffers.md (1.38)). */
  hisGetRegisterBasic2(): Promise<RawOutput>;
  /** docs/reference/functions.md (1.14) hisGetLastSeqNum: 7 bytes (docs/reference/buffers.md (1.14)). */
  hisGetLastSeqNum(): Promise<RawOutput>;
  /** docs/reference/functions.md (1.36) csISSetPIN: resolves 0 (no PIN) / 1 (PIN set) / an error code. */
  csISSetPIN(): Promise<number>;

  // ---- visits ----

  /** docs/reference/functions.md (1.37) hisGetSeqNumber256(cTreatItem 2, cBabyTreat 1, cTreatAfterCheck 1): 296 bytes (docs/reference/buffers.md (1.9 / 1.37 / 1.53)). */
  hisGetSeqNumber256(treatItem: string, babyTreat: string, treatAfterCheck: string): Promise<RawOutput>;
  /** docs/reference/functions.md (1.53) hisGetSeqNumber256N1: as 1.37 plus the 20-byte treatment ID, 316 bytes (docs/reference/buffers.md (1.9 / 1.37 / 1.53)). Needs ≥ 5.1.5.x. */
  hisGetSeqNumber256N1(treatItem: string, babyTreat: string, treatAfterCheck: string): Promise<RawOutput>;
  /**
   * docs/reference/functions.md (1.55) hisQuickInsurence(cTreatItem): real-time insurance check, no output buffer.
   * Signature from the NHI briefing only (docs/reference/functions.md, unverified).
   */
  hisQuickInsurence(treatItem: string): Promise<number>;
  /** docs/reference/functions.md (1.56) hisGetTreatNumICCard(pDateTime 13): 20 bytes (docs/reference/buffers.md (1.54 / 1.56)). Signature from the briefing. */
  hisGetTreatNumICCard(visitDateTime: string): Promise<RawOutput>;
  /** docs/reference/functions.md (1.54) hisGetTreatNumNoICCard(pPatientID 10, pHospID 10): 43 bytes (docs/reference/buffers.md (1.54 / 1.56)). */
  hisGetTreatNumNoICCard(patientId: string, hospitalId: string): Promise<RawOutput>;
  /** docs/reference/functions.md (1.39) csUnGetSeqNumber(pUnTreatDate 13): cancel a registration (退掛). */
  csUnGetSeqNumber(visitDateTime: string): Promise<number>;

  // ---- card writes (docs/reference/buffers.md (Write inputs) layouts) ----

  /** docs/reference/functions.md (1.16) hisWriteTreatmentCode(dt, id, birth, data): rc plus the DocID buffer (HPC holder's ID or empty). */
  hisWriteTreatmentCode(dateTime: string, patientId: string, birthDate: string, data: string): Promise<RawOutput>;
  /** docs/reference/functions.md (1.17) hisWriteTreatmentFee(dt, id, birth, data 38). */
  hisWriteTreatmentFee(dateTime: string, patientId: string, birthDate: string, data: string): Promise<number>;
  /** docs/reference/functions.md (1.47) hisWriteTreatmentData(dt, id, birth, data 69|93): rc plus DocID. */
  hisWriteTreatmentData(dateTime: string, patientId: string, birthDate: string, data: string): Promise<RawOutput>;

  // ---- SAM ----

  /** docs/reference/functions.md (2.1) csVerifySAMDC: SAM ↔ IDC authentication. */
  csVerifySAMDC(): Promise<number>;
  /** docs/reference/functions.md (2.2) csGetHospID: 10 bytes. */
  csGetHospID(): Promise<RawOutput>;

  // ---- professional card (HPC) ----

  /** docs/reference/functions.md (4.2) hpcVerifyHPCPIN: PIN via the DLL's keypad dialog. Never retried automatically. */
  hpcVerifyHPCPIN(): Promise<number>;
  /** docs/reference/functions.md (4.5) hpcGetHPCSN: card serial. */
  hpcGetHPCSN(): Promise<RawOutput>;
  /** docs/reference/functions.md (4.6) hpcGetHPCSSN: holder's ID number. */
  hpcGetHPCSSN(): Promise<RawOutput>;
  /** docs/reference/functions.md (4.7) hpcGetHPCCNAME: holder's Chinese name, Big5. */
  hpcGetHPCCNAME(): Promise<RawOutput>;
  /** docs/reference/functions.md (4.8) hpcGetHPCENAME: holder's English name. */
  hpcGetHPCENAME(): Promise<RawOutput>;

  // ---- long operations (NHI IDC round trips) ----

  /**
   * docs/reference/functions.md (1.30) csUpdateHCContents: online card update (refills visits, renews validity) followed by a card reset.
   * One blocking call: the control software contacts NHI's IDC and writes the card inside it. 9081 when the
   * card still has more than 3 visits left.
   */
  csUpdateHCContents(): Promise<number>;
  /**
   * docs/reference/functions.md (3.1) csUploadData(pUploadFileName, pFileSize, pNumber, buf, len): uploads the daily XML file to NHI's data
   * centre. `fileSize` is the file's size in bytes and `recordCount` the number of records, both as decimal
   * strings (the DLL takes them as in/out char*). 50 bytes out (docs/reference/buffers.md): SAM id 12, hospital code 10, upload
   * time 14 and receive time 14 (Gregorian yyyyMMddHHmmss). 6017 file not found, 9070 size mismatch.
   */
  csUploadData(file: string, fileSize: string, recordCount: string): Promise<RawOutput>;
}

/** docs/reference/buffers.md output buffer sizes the adapters allocate (and clamp to). */
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
} as const;
