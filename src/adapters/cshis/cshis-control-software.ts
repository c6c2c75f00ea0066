/**
 * The ControlSoftware port (src/ports/control-software.ts) over CSHIS.dll through koffi.
 *
 * - Every call goes through one CallQueue: at most one native call is inside the DLL at any time, each runs
 *   on a koffi worker thread (`.async`) so the event loop stays free, and each has a timeout.
 * - Inputs get a trailing NUL (latin1). Output buffers are allocated per OUTPUT_SIZE (§4), `len` starts as the
 *   buffer size, and the length the DLL reports is clamped to the buffer (never read past it). Bytes are
 *   empty when rc ≠ 0.
 * - openPolicy 'per-operation' brackets each call with csOpenCom(port)/csCloseCom() inside the same queue
 *   slot (what the public wrappers do, §2 Threading); 'keep-open' opens once and reopens after a reader
 *   failure (−1, 4000, 9204, 9205).
 * - After a timed-out call finally returns, the queue first runs a recovery task: csSoftwareReset(0) and a
 *   fresh csOpenCom (per-operation: open, reset, close).
 * - Vendor codes are returned, never thrown; rejections are CallTimeoutError, MissingExportError,
 *   ControlSoftwareTooOldError and AdapterDisposedError only (plus koffi's own error if a call cannot be
 *   marshalled, which is a bug).
 * - csGetVersionEx is read once at load; an API newer than that version (features.ts: 1.53 needs 5.1.5.1,
 *   1.56 needs 5.1.5.3) is refused with ControlSoftwareTooOldError before anything reaches the DLL.
 */
import { resolve as resolvePath } from 'node:path';
import {
  OUTPUT_SIZE,
  type CardType,
  type ControlSoftware,
  type ControlSoftwareInfo,
  type PrescriptionAreasRaw,
  type RangeOutput,
  type RawOutput,
  type ResetTarget,
} from '../../ports/control-software.ts';
import { CallQueue, type QueueEvent, type QueueEventType, type QueueStats } from './call-queue.ts';
import { AdapterDisposedError, CallTimeoutError, ControlSoftwareTooOldError, MissingExportError } from './errors.ts';
import { isTooOldFor, minimumVersionOf } from './features.ts';
import { icd10MarkerBuffer } from '../../codecs/records.ts';
import { loadCshisLibrary, type CshisArgs, type CshisExportName, type CshisLibrary } from './native.ts';

export type OpenPolicy = 'per-operation' | 'keep-open';

export interface CshisControlSoftwareOptions {
  /** CSHIS.dll (or the test fixture) to load. */
  readonly libraryPath: string;
  /** Timeout of one queue slot (the call plus its csOpenCom/csCloseCom bracket), ms. */
  readonly callTimeoutMs: number;
  /** csOpenCom port index: 0 = COM1 / COMX1 (§1.31, §10). */
  readonly readerPort: number;
  readonly openPolicy: OpenPolicy;
  /**
   * Timeout for calls that may wait for a person or for the NHI network: the PIN keypad dialog
   * (hpcVerifyHPCPIN), sequence numbers (visit-count reminder dialog and online coverage checks, §2 Blocking
   * UI / §6.2), hisQuickInsurence, hisGetTreatNumNoICCard and csVerifySAMDC.
   * Default: max(callTimeoutMs, 120 000).
   */
  readonly slowCallTimeoutMs?: number | undefined;
  /** How long a call may wait for its turn behind other calls (ms). Default: unbounded. */
  readonly maxWaitMs?: number | undefined;
}

export interface CshisAdapterStats extends QueueStats {
  readonly openPolicy: OpenPolicy;
  /** Whether the adapter believes the reader is open (keep-open policy, or an explicit csOpenCom). */
  readonly readerOpen: boolean;
  /** The csOpenCom port index in use (0 = COM1 / COMX1). */
  readonly readerPort: number;
  /** Timeout of an ordinary call, ms. */
  readonly callTimeoutMs: number;
  /** Timeout of calls that wait for a person or NHI's network (PIN dialog, seq numbers, SAM), ms. */
  readonly slowCallTimeoutMs: number;
}

export interface CshisControlSoftware extends ControlSoftware {
  queueStats(): CshisAdapterStats;
  /** §3 exports the loaded DLL lacks (calling a method that needs one rejects with MissingExportError). */
  readonly missingExports: readonly string[];
  /**
   * csGetVersionEx's code read at load (e.g. 5158 = 5.1.5.8), or null when that call did not answer in time.
   * APIs newer than it are refused with ControlSoftwareTooOldError (features.ts).
   */
  readonly versionCode: number | null;
  /** 'degraded' when a call times out, 'recovered' when the stuck call returns, 'recovery-failed'. */
  onQueueEvent<E extends QueueEventType>(
    type: E,
    listener: (event: Extract<QueueEvent, { type: E }>) => void,
  ): () => void;
}

/** Return codes after which 'keep-open' closes and reopens the reader before the next call. */
const READER_FAILURE_CODES: ReadonlySet<number> = new Set([-1, 4000, 9204, 9205]);

const EMPTY = new Uint8Array(0);

/** Input string → NUL-terminated latin1 bytes (§2: plain char*, NUL-terminated). */
function cstr(value: string): Buffer {
  return Buffer.from(`${value}\0`, 'latin1');
}

/** Raw bytes (Big5 allergy names) + NUL. */
function cbytes(value: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(value), Buffer.from([0])]);
}

/** A NUL-terminated latin1 string in a 32-byte buffer the DLL may rewrite (in/out char*, §3 3.1). */
function inOutString(value: string): Buffer {
  const buf = Buffer.alloc(Math.max(32, value.length + 1));
  buf.write(value, 'latin1');
  return buf;
}

/** Bytes up to the first NUL, decoded as a path (ASCII as is; else UTF-8 on POSIX, Big5/CP950 on Windows). */
function decodePath(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  const raw = nul < 0 ? bytes : bytes.subarray(0, nul);
  if (raw.every((b) => b < 0x80)) return Buffer.from(raw).toString('latin1');
  if (process.platform !== 'win32') return new TextDecoder('utf-8').decode(raw);
  try {
    return new TextDecoder('big5').decode(raw); // the ANSI code page of a Taiwanese Windows (§12)
  } catch {
    return Buffer.from(raw).toString('latin1'); // Node built without full ICU
  }
}

interface SlotOptions<T> {
  /** Coalescing key for reads (omit for writes and actions). */
  readonly coalesceKey?: string | undefined;
  readonly timeoutMs?: number | undefined;
  /** A light-status read: takes the next turn in the queue (call-queue.ts). */
  readonly priority?: boolean | undefined;
  /** Bracket with csOpenCom/csCloseCom (per-operation) or ensure the reader is open (keep-open). */
  readonly reader: boolean;
  /** The vendor code inside a result, to notice reader failures. */
  readonly rcOf: (result: T) => number;
  /** The result to resolve with when csOpenCom fails (its rc, −1 in practice). */
  readonly openFailed: (rc: number) => T;
}

/**
 * Loads the library and returns the adapter. Throws WrongBitnessError / LibraryLoadError from the load;
 * never fails because of the reader (a closed or stuck reader shows up in the calls and `queueStats()`).
 */
export async function createCshisControlSoftware(options: CshisControlSoftwareOptions): Promise<CshisControlSoftware> {
  const lib: CshisLibrary = loadCshisLibrary(options.libraryPath);
  const port = options.readerPort;
  const policy = options.openPolicy;
  const slowTimeoutMs = options.slowCallTimeoutMs ?? Math.max(options.callTimeoutMs, 120_000);

  let readerOpen = false;
  let disposed = false;
  /** Set once by the first csGetVersionEx below; gates newer APIs (features.ts). */
  let versionCode: number | null = null;

  const call = <N extends CshisExportName>(name: N, ...args: CshisArgs<N>): Promise<number> =>
    lib.callAsync(name, ...args);

  const openReader = async (): Promise<number> => {
    const rc = await call('csOpenCom', port);
    readerOpen = rc === 0;
    return rc;
  };
  const closeReader = async (): Promise<number> => {
    const rc = await call('csCloseCom');
    readerOpen = false;
    return rc;
  };
  const canBracket = lib.has('csOpenCom') && lib.has('csCloseCom');

  /** Runs after a stuck call returned, before any waiting call: reset the reader, reopen it. */
  const recover = async (): Promise<void> => {
    if (!canBracket) {
      if (lib.has('csSoftwareReset')) await call('csSoftwareReset', 0);
      return;
    }
    if (policy === 'per-operation') {
      const rc = await openReader();
      try {
        if (rc === 0 && lib.has('csSoftwareReset')) await call('csSoftwareReset', 0);
      } finally {
        await closeReader();
      }
    } else {
      if (lib.has('csSoftwareReset')) await call('csSoftwareReset', 0);
      await closeReader();
      await openReader();
    }
  };

  const queue = new CallQueue({
    timeoutMs: options.callTimeoutMs,
    maxWaitMs: options.maxWaitMs,
    recover,
  });

  const withReader = async <T>(body: () => Promise<T>, slot: SlotOptions<T>): Promise<T> => {
    if (!slot.reader || !canBracket) return body();
    if (policy === 'per-operation') {
      const rc = await openReader();
      if (rc !== 0) return slot.openFailed(rc);
      try {
        return await body();
      } finally {
        await closeReader();
      }
    }
    if (!readerOpen) {
      const rc = await openReader();
      if (rc !== 0) return slot.openFailed(rc);
    }
    const result = await body();
    if (READER_FAILURE_CODES.has(slot.rcOf(result))) {
      // Reopen before the next call (close first: the DLL may still hold the port).
      await closeReader().catch(() => undefined);
    }
    return result;
  };

  /** One queue slot for one port method (name = the export it is about, for stats and MissingExportError). */
  const slot = <T>(name: CshisExportName, body: () => Promise<T>, o: SlotOptions<T>): Promise<T> => {
    if (disposed) return Promise.reject(new AdapterDisposedError());
    // Too old before missing: "update to 5.1.5.1" is the fix a front desk can act on; an old DLL lacks the export too.
    if (isTooOldFor(name, versionCode)) {
      return Promise.reject(new ControlSoftwareTooOldError(name, versionCode ?? 0, minimumVersionOf(name) ?? 0));
    }
    if (!lib.has(name)) return Promise.reject(new MissingExportError(name));
    return queue.enqueue({
      name,
      coalesceKey: o.coalesceKey,
      timeoutMs: o.timeoutMs,
      priority: o.priority,
      run: () => withReader(body, o),
    });
  };

  const key = (name: string, ...args: (string | number)[]): string => JSON.stringify([name, ...args]);

  const rcOnly = { rcOf: (rc: number) => rc, openFailed: (rc: number) => rc } as const;
  const rawOut = {
    rcOf: (r: RawOutput) => r.rc,
    openFailed: (rc: number): RawOutput => ({ rc, bytes: EMPTY }),
  } as const;

  /** A (…, buf, len) read: buffer per OUTPUT_SIZE, len = size, reported length clamped to the buffer. */
  const readBuffer = async (
    size: number,
    invoke: (buf: Buffer, len: Int32Array) => Promise<number>,
  ): Promise<RawOutput> => {
    const buf = Buffer.alloc(size);
    const len = new Int32Array([size]);
    const rc = await invoke(buf, len);
    if (rc !== 0) return { rc, bytes: EMPTY };
    const reported = len[0] ?? 0;
    const n = Math.min(Math.max(reported, 0), size);
    return { rc, bytes: Uint8Array.from(buf.subarray(0, n)) };
  };

  /** A write with a DocID out-buffer (≥ 11 bytes, §5): the HPC holder's ID up to the NUL, or empty. */
  const writeWithDocId = async (invoke: (docId: Buffer) => Promise<number>): Promise<RawOutput> => {
    const docId = Buffer.alloc(OUTPUT_SIZE.docId);
    const rc = await invoke(docId);
    if (rc !== 0) return { rc, bytes: EMPTY };
    const nul = docId.indexOf(0);
    return { rc, bytes: Uint8Array.from(docId.subarray(0, nul < 0 ? docId.length : nul)) };
  };

  /** Coalesced callers share one result object: give each its own bytes. */
  const own = (r: RawOutput): RawOutput => ({ rc: r.rc, bytes: r.bytes.slice() });

  type BufLenExport =
    | 'hisGetBasicData'
    | 'hisGetRegisterBasic'
    | 'hisGetRegisterBasic2'
    | 'hisGetLastSeqNum'
    | 'csGetDateTime'
    | 'csGetHospID'
    | 'hpcGetHPCSN'
    | 'hpcGetHPCSSN'
    | 'hpcGetHPCCNAME'
    | 'hpcGetHPCENAME'
    | 'hisGetRegisterPrevent'
    | 'hisGetRegisterPregnant'
    | 'hisGetTreatmentNoNeedHPC'
    | 'hisGetCumulativeData'
    | 'hisGetCumulativeFee'
    | 'hisGetInoculateData'
    | 'hisGetOrganDonate'
    | 'hisGetEmergentTel';

  const simpleRead = (name: BufLenExport): Promise<RawOutput> =>
    slot(name, () => readBuffer(OUTPUT_SIZE[name], (buf, len) => call(name, buf, len)), {
      ...rawOut,
      reader: true,
      coalesceKey: key(name),
    }).then(own);

  /** Reported length clamped to [0, size]. */
  const clampLength = (reported: number | undefined, size: number): number => Math.min(Math.max(reported ?? 0, 0), size);

  /**
   * 1.8 / 1.33 / 1.50: the buffer is in/out. ICD-10 mode pre-fills the markers (its length is the ICD-10
   * size); the default mode passes a zeroed buffer of the default size.
   */
  const readPrefilled = async (
    markers: Uint8Array | null,
    defaultSize: number,
    invoke: (buf: Buffer, len: Int32Array) => Promise<number>,
  ): Promise<RawOutput> => {
    const buf = markers ? Buffer.from(markers) : Buffer.alloc(defaultSize);
    const len = new Int32Array([buf.length]);
    const rc = await invoke(buf, len);
    if (rc !== 0) return { rc, bytes: EMPTY };
    return { rc, bytes: Uint8Array.from(buf.subarray(0, clampLength(len[0], buf.length))) };
  };

  type RangeExport = 'hisReadPrescriptMain' | 'hisReadPrescriptLongTerm' | 'hisReadPrescriptHVE' | 'hisReadPrescriptAllergic';
  /** 1.41–1.44: a buffer for the whole area, the record range, and the count the DLL writes back. */
  const rangeRead = (name: RangeExport, start: number, end: number): Promise<RangeOutput> =>
    slot(
      name,
      async (): Promise<RangeOutput> => {
        const size = OUTPUT_SIZE[name];
        const buf = Buffer.alloc(size);
        const len = new Int32Array([size]);
        const count = new Int32Array(1);
        const rc = await call(name, buf, len, start, end, count);
        if (rc !== 0) return { rc, bytes: EMPTY, count: 0 };
        return { rc, bytes: Uint8Array.from(buf.subarray(0, clampLength(len[0], size))), count: count[0] ?? 0 };
      },
      {
        reader: true,
        coalesceKey: key(name, start, end),
        rcOf: (r) => r.rc,
        openFailed: (rc) => ({ rc, bytes: EMPTY, count: 0 }),
      },
    ).then((r) => ({ ...r, bytes: r.bytes.slice() }));

  /** 5.1 / 5.2. */
  const icd10Codec = (name: 'hisGetICD10EnC' | 'hisGetICD10DeC', input: string): Promise<RawOutput> =>
    slot(
      name,
      async () => {
        const out = Buffer.alloc(OUTPUT_SIZE.icd10Codec);
        const rc = await call(name, cstr(input), out);
        if (rc !== 0) return { rc, bytes: EMPTY };
        const nul = out.indexOf(0);
        return { rc, bytes: Uint8Array.from(out.subarray(0, nul < 0 ? out.length : nul)) };
      },
      { ...rawOut, reader: true, coalesceKey: key(name, input) },
    ).then(own);

  // ---- initial state: library path, and the reader for keep-open --------------------------------------

  let libraryPath = resolvePath(options.libraryPath);
  if (lib.has('csGetVersionEx')) {
    try {
      const { version, path } = await versionEx();
      versionCode = version;
      if (path) libraryPath = path;
    } catch (error) {
      if (!(error instanceof CallTimeoutError)) throw error; // a stuck DLL at start-up shows in queueStats()
    }
  }
  if (policy === 'keep-open' && canBracket) {
    try {
      await queue.enqueue({ name: 'csOpenCom', run: openReader });
    } catch (error) {
      if (!(error instanceof CallTimeoutError)) throw error;
    }
  }

  function versionEx(): Promise<{ version: number; path: string }> {
    return slot(
      'csGetVersionEx',
      async () => {
        const buf = Buffer.alloc(OUTPUT_SIZE.csGetVersionExPath);
        const version = await call('csGetVersionEx', buf);
        return { version, path: decodePath(buf) };
      },
      {
        reader: false,
        coalesceKey: key('csGetVersionEx'),
        rcOf: () => 0,
        openFailed: () => ({ version: 0, path: '' }),
      },
    );
  }

  const info: ControlSoftwareInfo = { backend: 'cshis', libraryPath };

  const adapter: CshisControlSoftware = {
    info,
    missingExports: lib.missingExports,
    get versionCode() {
      return versionCode;
    },

    queueStats: () => ({
      ...queue.stats(),
      openPolicy: policy,
      readerOpen,
      readerPort: port,
      callTimeoutMs: options.callTimeoutMs,
      slowCallTimeoutMs: slowTimeoutMs,
    }),
    onQueueEvent: (type, listener) => queue.on(type, listener),

    // ---- reader and environment ----
    csOpenCom: (p) =>
      slot('csOpenCom', async () => {
        const rc = await call('csOpenCom', p);
        readerOpen = rc === 0;
        return rc;
      }, { ...rcOnly, reader: false }),
    csCloseCom: () => slot('csCloseCom', closeReader, { ...rcOnly, reader: false }),
    csGetVersionEx: () => versionEx().then((v) => ({ ...v })),
    csSoftwareReset: (target: ResetTarget) =>
      slot('csSoftwareReset', () => call('csSoftwareReset', target), { ...rcOnly, reader: true }),
    csGetDateTime: () => simpleRead('csGetDateTime'),

    // ---- card presence and status ----
    hisGetCardStatus: (cardType: CardType) =>
      slot('hisGetCardStatus', () => call('hisGetCardStatus', cardType), {
        ...rcOnly,
        reader: true,
        coalesceKey: key('hisGetCardStatus', cardType),
        priority: true,
      }),
    csGetCardNo: (cardType: CardType) =>
      slot(
        'csGetCardNo',
        () => readBuffer(OUTPUT_SIZE.csGetCardNo, (buf, len) => call('csGetCardNo', cardType, buf, len)),
        // Also read by the light poller (which card is in): its turn comes as early as the status reads'.
        { ...rawOut, reader: true, coalesceKey: key('csGetCardNo', cardType), priority: true },
      ).then(own),
    hpcGetHPCStatus: () =>
      slot(
        'hpcGetHPCStatus',
        async () => {
          const status = new Int32Array(1);
          const rc = await call('hpcGetHPCStatus', 1, status);
          return { rc, status: rc === 0 ? (status[0] ?? 0) : 0 };
        },
        {
          reader: true,
          coalesceKey: key('hpcGetHPCStatus', 1),
          priority: true,
          rcOf: (r) => r.rc,
          openFailed: (rc) => ({ rc, status: 0 }),
        },
      ).then((r) => ({ ...r })),

    // ---- health card reads ----
    hisGetBasicData: () => simpleRead('hisGetBasicData'),
    hisGetRegisterBasic: () => simpleRead('hisGetRegisterBasic'),
    hisGetRegisterBasic2: () => simpleRead('hisGetRegisterBasic2'),
    hisGetLastSeqNum: () => simpleRead('hisGetLastSeqNum'),
    csISSetPIN: () =>
      slot('csISSetPIN', () => call('csISSetPIN'), { ...rcOnly, reader: true, coalesceKey: key('csISSetPIN') }),

    // ---- visits ----
    hisGetSeqNumber256: (treatItem, babyTreat, treatAfterCheck) =>
      slot(
        'hisGetSeqNumber256',
        () =>
          readBuffer(OUTPUT_SIZE.hisGetSeqNumber256, (buf, len) =>
            call('hisGetSeqNumber256', cstr(treatItem), cstr(babyTreat), cstr(treatAfterCheck), buf, len),
          ),
        { ...rawOut, reader: true, timeoutMs: slowTimeoutMs },
      ),
    hisGetSeqNumber256N1: (treatItem, babyTreat, treatAfterCheck) =>
      slot(
        'hisGetSeqNumber256N1',
        () =>
          readBuffer(OUTPUT_SIZE.hisGetSeqNumber256N1, (buf, len) =>
            call('hisGetSeqNumber256N1', cstr(treatItem), cstr(babyTreat), cstr(treatAfterCheck), buf, len),
          ),
        { ...rawOut, reader: true, timeoutMs: slowTimeoutMs },
      ),
    hisQuickInsurence: (treatItem) =>
      slot('hisQuickInsurence', () => call('hisQuickInsurence', cstr(treatItem)), {
        ...rcOnly,
        reader: true,
        timeoutMs: slowTimeoutMs,
      }),
    hisGetTreatNumICCard: (visitDateTime) =>
      slot(
        'hisGetTreatNumICCard',
        () =>
          readBuffer(OUTPUT_SIZE.hisGetTreatNumICCard, (buf, len) =>
            call('hisGetTreatNumICCard', cstr(visitDateTime), buf, len),
          ),
        { ...rawOut, reader: true, coalesceKey: key('hisGetTreatNumICCard', visitDateTime) },
      ).then(own),
    hisGetTreatNumNoICCard: (patientId, hospitalId) =>
      slot(
        'hisGetTreatNumNoICCard',
        () =>
          readBuffer(OUTPUT_SIZE.hisGetTreatNumNoICCard, (buf, len) =>
            call('hisGetTreatNumNoICCard', cstr(patientId), cstr(hospitalId), buf, len),
          ),
        { ...rawOut, reader: true, timeoutMs: slowTimeoutMs },
      ),
    csUnGetSeqNumber: (visitDateTime) =>
      slot('csUnGetSeqNumber', () => call('csUnGetSeqNumber', cstr(visitDateTime)), { ...rcOnly, reader: true }),

    // ---- card writes ----
    hisWriteTreatmentCode: (dateTime, patientId, birthDate, data) =>
      slot(
        'hisWriteTreatmentCode',
        () =>
          writeWithDocId((docId) =>
            call('hisWriteTreatmentCode', cstr(dateTime), cstr(patientId), cstr(birthDate), cstr(data), docId),
          ),
        { ...rawOut, reader: true },
      ),
    hisWriteTreatmentFee: (dateTime, patientId, birthDate, data) =>
      slot(
        'hisWriteTreatmentFee',
        () => call('hisWriteTreatmentFee', cstr(dateTime), cstr(patientId), cstr(birthDate), cstr(data)),
        { ...rcOnly, reader: true },
      ),
    hisWriteTreatmentData: (dateTime, patientId, birthDate, data) =>
      slot(
        'hisWriteTreatmentData',
        () =>
          writeWithDocId((docId) =>
            call('hisWriteTreatmentData', cstr(dateTime), cstr(patientId), cstr(birthDate), cstr(data), docId),
          ),
        { ...rawOut, reader: true },
      ),

    // ---- SAM ----
    csVerifySAMDC: () =>
      slot('csVerifySAMDC', () => call('csVerifySAMDC'), { ...rcOnly, reader: true, timeoutMs: slowTimeoutMs }),
    csGetHospID: () => simpleRead('csGetHospID'),

    // ---- professional card ----
    hpcVerifyHPCPIN: () =>
      slot('hpcVerifyHPCPIN', () => call('hpcVerifyHPCPIN'), { ...rcOnly, reader: true, timeoutMs: slowTimeoutMs }),
    hpcGetHPCSN: () => simpleRead('hpcGetHPCSN'),
    hpcGetHPCSSN: () => simpleRead('hpcGetHPCSSN'),
    hpcGetHPCCNAME: () => simpleRead('hpcGetHPCCNAME'),
    hpcGetHPCENAME: () => simpleRead('hpcGetHPCENAME'),

    // ---- long operations (both wait for NHI's IDC: the slow timeout) ----
    csUpdateHCContents: () =>
      slot('csUpdateHCContents', () => call('csUpdateHCContents'), { ...rcOnly, reader: true, timeoutMs: slowTimeoutMs }),
    csUploadData: (file, fileSize, recordCount) =>
      slot(
        'csUploadData',
        () =>
          readBuffer(OUTPUT_SIZE.csUploadData, (buf, len) =>
            // pFileSize and pNumber are in/out char* (§3 3.1): give the DLL room to write a longer number back.
            call('csUploadData', cstr(file), inOutString(fileSize), inOutString(recordCount), buf, len),
          ),
        { ...rawOut, reader: true, timeoutMs: slowTimeoutMs },
      ),

    // ---- health card records (issue 14) ----
    hisGetRegisterPrevent: () => simpleRead('hisGetRegisterPrevent'),
    hisGetRegisterPregnant: () => simpleRead('hisGetRegisterPregnant'),
    hisGetTreatmentNoNeedHPC: () => simpleRead('hisGetTreatmentNoNeedHPC'),
    hisGetCumulativeData: () => simpleRead('hisGetCumulativeData'),
    hisGetCumulativeFee: () => simpleRead('hisGetCumulativeFee'),
    hisGetInoculateData: () => simpleRead('hisGetInoculateData'),
    hisGetOrganDonate: () => simpleRead('hisGetOrganDonate'),
    hisGetEmergentTel: () => simpleRead('hisGetEmergentTel'),
    hisGetTreatmentNeedHPC: (icd10) =>
      slot(
        'hisGetTreatmentNeedHPC',
        () =>
          readPrefilled(icd10 ? icd10MarkerBuffer(true) : null, OUTPUT_SIZE.hisGetTreatmentNeedHPC, (buf, len) =>
            call('hisGetTreatmentNeedHPC', buf, len),
          ),
        { ...rawOut, reader: true, coalesceKey: key('hisGetTreatmentNeedHPC', String(icd10)) },
      ).then(own),
    hisGetCriticalIllness: (icd10) =>
      slot(
        'hisGetCriticalIllness',
        () =>
          readPrefilled(icd10 ? icd10MarkerBuffer(false) : null, OUTPUT_SIZE.hisGetCriticalIllness, (buf, len) =>
            call('hisGetCriticalIllness', buf, len),
          ),
        { ...rawOut, reader: true, coalesceKey: key('hisGetCriticalIllness', String(icd10)) },
      ).then(own),
    hisGetCriticalIllnessID: (patientId, birthDate, icd10) =>
      slot(
        'hisGetCriticalIllnessID',
        () =>
          readPrefilled(icd10 ? icd10MarkerBuffer(false) : null, OUTPUT_SIZE.hisGetCriticalIllness, (buf, len) =>
            call('hisGetCriticalIllnessID', cstr(patientId), cstr(birthDate), buf, len),
          ),
        { ...rawOut, reader: true },
      ),
    hisReadPrescription: () =>
      slot(
        'hisReadPrescription',
        async (): Promise<PrescriptionAreasRaw> => {
          const sizes = [
            OUTPUT_SIZE.hisReadPrescriptionOutpatient,
            OUTPUT_SIZE.hisReadPrescriptionLongTerm,
            OUTPUT_SIZE.hisReadPrescriptionImportantOrders,
            OUTPUT_SIZE.hisReadPrescriptionAllergies,
          ] as const;
          const bufs = sizes.map((n) => Buffer.alloc(n));
          const lens = sizes.map((n) => new Int32Array([n]));
          const rc = await call('hisReadPrescription', bufs[0]!, lens[0]!, bufs[1]!, lens[1]!, bufs[2]!, lens[2]!, bufs[3]!, lens[3]!);
          if (rc !== 0) return { rc, outpatient: EMPTY, longTerm: EMPTY, importantOrders: EMPTY, allergies: EMPTY };
          const part = (i: number) => Uint8Array.from(bufs[i]!.subarray(0, clampLength(lens[i]![0], sizes[i]!)));
          return { rc, outpatient: part(0), longTerm: part(1), importantOrders: part(2), allergies: part(3) };
        },
        {
          reader: true,
          coalesceKey: key('hisReadPrescription'),
          rcOf: (r) => r.rc,
          openFailed: (rc) => ({ rc, outpatient: EMPTY, longTerm: EMPTY, importantOrders: EMPTY, allergies: EMPTY }),
        },
      ).then((r) => ({ ...r, outpatient: r.outpatient.slice(), longTerm: r.longTerm.slice(), importantOrders: r.importantOrders.slice(), allergies: r.allergies.slice() })),
    hisReadPrescriptMain: (start, end) => rangeRead('hisReadPrescriptMain', start, end),
    hisReadPrescriptLongTerm: (start, end) => rangeRead('hisReadPrescriptLongTerm', start, end),
    hisReadPrescriptHVE: (start, end) => rangeRead('hisReadPrescriptHVE', start, end),
    hisReadPrescriptAllergic: (start, end) => rangeRead('hisReadPrescriptAllergic', start, end),

    // ---- record writes ----
    hisWritePrescription: (dt, id, birth, data) =>
      slot('hisWritePrescription', () => call('hisWritePrescription', cstr(dt), cstr(id), cstr(birth), cstr(data)), {
        ...rcOnly,
        reader: true,
      }),
    hisWriteMultiPrescript: (dt, id, birth, data, count) =>
      slot(
        'hisWriteMultiPrescript',
        () => call('hisWriteMultiPrescript', cstr(dt), cstr(id), cstr(birth), cstr(data), new Int32Array([count])),
        { ...rcOnly, reader: true },
      ),
    hisWritePrescriptionSign: (dt, id, birth, data) =>
      slot(
        'hisWritePrescriptionSign',
        () =>
          readBuffer(OUTPUT_SIZE.hisWritePrescriptionSign, (buf, len) =>
            call('hisWritePrescriptionSign', cstr(dt), cstr(id), cstr(birth), cstr(data), buf, len),
          ),
        { ...rawOut, reader: true },
      ),
    hisWriteMultiPrescriptSign: (dt, id, birth, data, count) =>
      slot(
        'hisWriteMultiPrescriptSign',
        () =>
          readBuffer(OUTPUT_SIZE.hisWriteMultiPrescriptSign, (buf, len) =>
            call('hisWriteMultiPrescriptSign', cstr(dt), cstr(id), cstr(birth), cstr(data), new Int32Array([count]), buf, len),
          ),
        { ...rawOut, reader: true },
      ),
    hisWriteNewBorn: (id, birth, newbornDate, order) =>
      slot('hisWriteNewBorn', () => call('hisWriteNewBorn', cstr(id), cstr(birth), cstr(newbornDate), cstr(order)), {
        ...rcOnly,
        reader: true,
      }),
    hisWriteAllergicMedicines: (id, birth, data) =>
      slot(
        'hisWriteAllergicMedicines',
        () => writeWithDocId((docId) => call('hisWriteAllergicMedicines', cstr(id), cstr(birth), cbytes(data), docId)),
        { ...rawOut, reader: true },
      ),
    hisWriteAllergicNum: (id, birth, data, slotNumber) =>
      slot(
        'hisWriteAllergicNum',
        () => writeWithDocId((docId) => call('hisWriteAllergicNum', cstr(id), cstr(birth), cbytes(data), docId, slotNumber)),
        { ...rawOut, reader: true },
      ),
    hisWriteOrganDonate: (id, birth, flag) =>
      slot('hisWriteOrganDonate', () => call('hisWriteOrganDonate', cstr(id), cstr(birth), cstr(flag)), { ...rcOnly, reader: true }),
    hisWriteHealthInsurance: (id, birth, serviceItem, itemCode) =>
      slot(
        'hisWriteHealthInsurance',
        () => call('hisWriteHealthInsurance', cstr(id), cstr(birth), cstr(serviceItem), cstr(itemCode)),
        { ...rcOnly, reader: true },
      ),
    hisWriteEmergentTel: (id, birth, phone) =>
      slot('hisWriteEmergentTel', () => call('hisWriteEmergentTel', cstr(id), cstr(birth), cstr(phone)), { ...rcOnly, reader: true }),
    hisWritePredeliveryCheckup: (id, birth, itemCode) =>
      slot('hisWritePredeliveryCheckup', () => call('hisWritePredeliveryCheckup', cstr(id), cstr(birth), cstr(itemCode)), {
        ...rcOnly,
        reader: true,
      }),
    hisDeletePredeliveryData: (id, birth) =>
      slot('hisDeletePredeliveryData', () => call('hisDeletePredeliveryData', cstr(id), cstr(birth)), { ...rcOnly, reader: true }),
    hisWriteInoculateData: (id, birth, vaccineType, lotNumber) =>
      slot(
        'hisWriteInoculateData',
        () => call('hisWriteInoculateData', cstr(id), cstr(birth), cstr(vaccineType), cstr(lotNumber)),
        { ...rcOnly, reader: true },
      ),

    // ---- PIN flows: the DLL's keypad dialog waits for a person (slow timeout, never coalesced) ----
    csVerifyHCPIN: () => slot('csVerifyHCPIN', () => call('csVerifyHCPIN'), { ...rcOnly, reader: true, timeoutMs: slowTimeoutMs }),
    csInputHCPIN: () => slot('csInputHCPIN', () => call('csInputHCPIN'), { ...rcOnly, reader: true, timeoutMs: slowTimeoutMs }),
    csDisableHCPIN: () => slot('csDisableHCPIN', () => call('csDisableHCPIN'), { ...rcOnly, reader: true, timeoutMs: slowTimeoutMs }),
    hpcInputHPCPIN: () => slot('hpcInputHPCPIN', () => call('hpcInputHPCPIN'), { ...rcOnly, reader: true, timeoutMs: slowTimeoutMs }),
    hpcUnlockHPC: () => slot('hpcUnlockHPC', () => call('hpcUnlockHPC'), { ...rcOnly, reader: true, timeoutMs: slowTimeoutMs }),
    csUpdateHCNoReset: () =>
      slot('csUpdateHCNoReset', () => call('csUpdateHCNoReset'), { ...rcOnly, reader: true, timeoutMs: slowTimeoutMs }),

    // ---- ICD-10 codec (no length parameter: a zeroed 8-byte buffer, read up to the first NUL) ----
    hisGetICD10EnC: (code) => icd10Codec('hisGetICD10EnC', code),
    hisGetICD10DeC: (cardForm) => icd10Codec('hisGetICD10DeC', cardForm),

    async [Symbol.asyncDispose]() {
      if (disposed) return;
      disposed = true;
      // Let queued calls finish, then close the reader — unless a call is stuck inside the DLL, in which
      // case nothing more can be sent: waiting callers are rejected and the reader is left as it is.
      if (!queue.isStuck && readerOpen && canBracket) {
        try {
          await queue.enqueue({ name: 'csCloseCom', run: closeReader });
        } catch {
          // timed out or failed: nothing else to do while shutting down
        }
      }
      queue.dispose();
    },
  };
  return adapter;
}
