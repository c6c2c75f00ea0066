/**
 * THE ONLY module that imports koffi. Loads CSHIS.dll (or the Linux test fixture) and declares every export of
 * docs/reference/functions.md once, with the normalised signatures there and the ABI of docs/reference/abi.md:
 *
 * - `int __stdcall` everywhere (koffi ignores the convention on non-x86 targets; on x86 it also finds
 *   `name@N` decorated exports by itself).
 * - `buf` → `_Out_ uint8_t *` (a Buffer/Uint8Array: koffi passes its memory directly, the DLL writes into it;
 *   outputs are not NUL-terminated, docs/reference/abi.md). Buffers the caller pre-fills (ICD-10 markers docs/reference/buffers.md (1.8 / 1.33 / 1.50), upload sizes) are
 *   `_Inout_ uint8_t *`.
 * - `len` → `_Inout_ int *`, passed as a zero-initialised 4-byte Int32Array holding the buffer size (the
 *   header's `short*` vs `int*` CONFLICT, docs/reference/abi.md: a 16-bit writer leaves the upper half 0 on little-endian x86).
 * - `in` → `const char *`, passed as a NUL-terminated Uint8Array (the adapter encodes latin1 + NUL).
 * - other `int*` (counts, HPC status) → Int32Array(1).
 *
 * Missing exports (older DLL versions) do not fail the load: they are listed in `missingExports` and calling
 * one throws / rejects with MissingExportError. `hisGetEmergentTel` falls back to `HisGetEmergentTel` (docs/reference/abi.md).
 * Before loading, the PE header's Machine field is compared with `process.arch` (WrongBitnessError).
 *
 * koffi is obtained with `require('koffi')` when a CommonJS `require` exists (the esbuild CJS bundle of the
 * Windows single executable: esbuild sees the literal require and inlines koffi's index.cjs), otherwise with
 * `createRequire(import.meta.url)` (ESM under tsx/vitest). `import koffi from 'koffi'` would break the CJS
 * bundle (docs/windows.md gotchas).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { LibraryLoadError, MissingExportError, WrongBitnessError } from './errors.ts';
import { isLoadableBy, readPeHeaderFromFile, type PeHeaderInfo } from './pe.ts';

type Koffi = typeof import('koffi');
type LibraryHandle = import('koffi').LibraryHandle;
type KoffiFunction = ReturnType<LibraryHandle['func']>;

const koffi: Koffi =
  typeof require === 'function' ? (require('koffi') as Koffi) : (createRequire(import.meta.url)('koffi') as Koffi);

// ---------------------------------------------------------------------------------------------------------
// signature table (docs/reference/functions.md, normalised)
// ---------------------------------------------------------------------------------------------------------

/** Parameter kinds and their koffi types. */
const KOFFI_TYPE = {
  /** char* output buffer (not NUL-terminated). */
  buf: '_Out_ uint8_t *',
  /** char* buffer the caller pre-fills and the DLL rewrites. */
  ioBuf: '_Inout_ uint8_t *',
  /** int* iBufferLen: buffer size in, bytes written out. */
  len: '_Inout_ int *',
  /** const char* NUL-terminated input. */
  in: 'const char *',
  int: 'int',
  long: 'long',
  /** int* written by the DLL (HPC status, record count). */
  intOut: '_Out_ int *',
  /** int* read and written by the DLL (record count). */
  intInOut: '_Inout_ int *',
} as const;

type ParamKind = keyof typeof KOFFI_TYPE;

/** Every export of docs/reference/functions.md with its parameter kinds, in docs/reference/functions.md order. All return `int`. */
export const CSHIS_EXPORTS = {
  hisGetBasicData: ['buf', 'len'], // 1.1
  hisGetRegisterBasic: ['buf', 'len'], // 1.2
  hisGetRegisterPrevent: ['buf', 'len'], // 1.3
  hisGetRegisterPregnant: ['buf', 'len'], // 1.4
  hisGetTreatmentNoNeedHPC: ['buf', 'len'], // 1.5
  hisGetCumulativeData: ['buf', 'len'], // 1.6
  hisGetCumulativeFee: ['buf', 'len'], // 1.7
  hisGetTreatmentNeedHPC: ['ioBuf', 'len'], // 1.8 (ICD-10 markers pre-filled, docs/reference/buffers.md (1.8 / 1.33 / 1.50))
  hisGetSeqNumber: ['in', 'in', 'buf', 'len'], // 1.9
  hisReadPrescription: ['buf', 'len', 'buf', 'len', 'buf', 'len', 'buf', 'len'], // 1.10
  hisGetInoculateData: ['buf', 'len'], // 1.11
  hisGetOrganDonate: ['buf', 'len'], // 1.12
  hisGetEmergentTel: ['buf', 'len'], // 1.13 (falls back to HisGetEmergentTel)
  hisGetLastSeqNum: ['buf', 'len'], // 1.14
  hisGetCardStatus: ['int'], // 1.15
  hisWriteTreatmentCode: ['in', 'in', 'in', 'in', 'buf'], // 1.16 (DocID out)
  hisWriteTreatmentFee: ['in', 'in', 'in', 'in'], // 1.17
  hisWritePrescription: ['in', 'in', 'in', 'in'], // 1.18
  hisWriteNewBorn: ['in', 'in', 'in', 'in'], // 1.19
  hisWriteAllergicMedicines: ['in', 'in', 'in', 'buf'], // 1.20
  hisWriteOrganDonate: ['in', 'in', 'in'], // 1.21
  hisWriteHealthInsurance: ['in', 'in', 'in', 'in'], // 1.22
  hisWriteEmergentTel: ['in', 'in', 'in'], // 1.23
  hisWritePredeliveryCheckup: ['in', 'in', 'in'], // 1.24
  hisDeletePredeliveryData: ['in', 'in'], // 1.25
  hisWriteInoculateData: ['in', 'in', 'in', 'in'], // 1.26
  csVerifyHCPIN: [], // 1.27
  csInputHCPIN: [], // 1.28
  csDisableHCPIN: [], // 1.29
  csUpdateHCContents: [], // 1.30
  csOpenCom: ['int'], // 1.31
  csCloseCom: [], // 1.32
  hisGetCriticalIllness: ['ioBuf', 'len'], // 1.33
  csGetDateTime: ['buf', 'len'], // 1.34
  csGetCardNo: ['int', 'buf', 'len'], // 1.35
  csISSetPIN: [], // 1.36
  hisGetSeqNumber256: ['in', 'in', 'in', 'buf', 'len'], // 1.37
  hisGetRegisterBasic2: ['buf', 'len'], // 1.38
  csUnGetSeqNumber: ['in'], // 1.39
  csUpdateHCNoReset: [], // 1.40
  hisReadPrescriptMain: ['buf', 'len', 'int', 'int', 'intOut'], // 1.41
  hisReadPrescriptLongTerm: ['buf', 'len', 'int', 'int', 'intOut'], // 1.42
  hisReadPrescriptHVE: ['buf', 'len', 'int', 'int', 'intOut'], // 1.43
  hisReadPrescriptAllergic: ['buf', 'len', 'int', 'int', 'intOut'], // 1.44
  hisWriteMultiPrescript: ['in', 'in', 'in', 'in', 'intInOut'], // 1.45
  hisWriteAllergicNum: ['in', 'in', 'in', 'buf', 'int'], // 1.46
  hisWriteTreatmentData: ['in', 'in', 'in', 'in', 'buf'], // 1.47
  hisWritePrescriptionSign: ['in', 'in', 'in', 'in', 'buf', 'len'], // 1.48
  hisWriteMultiPrescriptSign: ['in', 'in', 'in', 'in', 'intInOut', 'buf', 'len'], // 1.49
  hisGetCriticalIllnessID: ['in', 'in', 'ioBuf', 'len'], // 1.50
  csGetVersionEx: ['buf'], // 1.51 (returns the version code)
  csSoftwareReset: ['int'], // 1.52
  hisGetSeqNumber256N1: ['in', 'in', 'in', 'buf', 'len'], // 1.53
  hisGetTreatNumNoICCard: ['in', 'in', 'buf', 'len'], // 1.54
  hisQuickInsurence: ['in'], // 1.55 (signature from the briefing only)
  hisGetTreatNumICCard: ['in', 'buf', 'len'], // 1.56
  csVerifySAMDC: [], // 2.1
  csGetHospID: ['buf', 'len'], // 2.2
  csUploadData: ['in', 'ioBuf', 'ioBuf', 'buf', 'len'], // 3.1 (size and count are in/out strings)
  csUploadDataPrec: ['in', 'ioBuf', 'ioBuf', 'in', 'buf', 'len'], // 3.2
  csDownloadData: ['in', 'in', 'in', 'in', 'in', 'in', 'buf'], // 5.x, no spec
  hpcGetHPCStatus: ['int', 'intOut'], // 4.1
  hpcVerifyHPCPIN: [], // 4.2
  hpcInputHPCPIN: [], // 4.3
  hpcUnlockHPC: [], // 4.4
  hpcGetHPCSN: ['buf', 'len'], // 4.5
  hpcGetHPCSSN: ['buf', 'len'], // 4.6
  hpcGetHPCCNAME: ['buf', 'len'], // 4.7
  hpcGetHPCENAME: ['buf', 'len'], // 4.8
  hisGetICD10EnC: ['in', 'buf'], // 5.1
  hisGetICD10DeC: ['in', 'buf'], // 5.2
  csGetVersion: [], // header extra; parameters unknown, declared (void)
  csGetLastUnTreatmentData: ['buf', 'len'], // header extra
  hisGetInsurerData: ['buf', 'len'], // header extra
  HCA_GNFuncCall: ['long', 'in', 'buf', 'long', 'long', 'long', 'long', 'long'], // header extra
} as const satisfies Record<string, readonly ParamKind[]>;

export type CshisExportName = keyof typeof CSHIS_EXPORTS;
export const CSHIS_EXPORT_NAMES = Object.keys(CSHIS_EXPORTS) as CshisExportName[];

/** Alternative spellings tried when the canonical export is absent (docs/reference/functions.md (1.13)). */
const EXPORT_ALIASES: Partial<Record<CshisExportName, readonly string[]>> = {
  hisGetEmergentTel: ['HisGetEmergentTel'],
};

type TsType<K> = K extends 'int' | 'long'
  ? number
  : K extends 'len' | 'intOut' | 'intInOut'
    ? Int32Array
    : Uint8Array;

/** The JS argument tuple of an export: numbers, Int32Array(1) for int*, Uint8Array for char*. */
export type CshisArgs<N extends CshisExportName> = ArgsOf<(typeof CSHIS_EXPORTS)[N]>;
type ArgsOf<P extends readonly ParamKind[]> = { -readonly [I in keyof P]: TsType<P[I]> };

/** One declared export: call it synchronously, or use `.async` (runs on a koffi worker thread). */
export interface NativeFunction<N extends CshisExportName> {
  (...args: CshisArgs<N>): number;
  async(...args: [...CshisArgs<N>, (err: unknown, rc: number) => void]): void;
}

export interface CshisLibrary {
  /** The path given to {@link loadCshisLibrary}. */
  readonly path: string;
  /** PE header of the file (null for an ELF/Mach-O library). */
  readonly pe: PeHeaderInfo | null;
  /** Exports of docs/reference/functions.md the library does not have (calling them gives MissingExportError). */
  readonly missingExports: readonly CshisExportName[];
  /** Exports found under another spelling, e.g. `{ hisGetEmergentTel: 'HisGetEmergentTel' }`. */
  readonly aliasedExports: Readonly<Partial<Record<CshisExportName, string>>>;
  has(name: CshisExportName): boolean;
  /** The declared function (with `.async`). Throws MissingExportError for a missing export. */
  fn<N extends CshisExportName>(name: N): NativeFunction<N>;
  /** Synchronous call on the calling thread. Throws MissingExportError. */
  call<N extends CshisExportName>(name: N, ...args: CshisArgs<N>): number;
  /**
   * The call on a koffi worker thread; resolves with the int return value. Rejects with MissingExportError,
   * or with koffi's error if the call could not be made. The argument buffers are kept referenced until the
   * native call returns, even if the caller stopped waiting.
   */
  callAsync<N extends CshisExportName>(name: N, ...args: CshisArgs<N>): Promise<number>;
}

interface LibraryInternals {
  readonly handle: LibraryHandle;
}
const internals = new WeakMap<CshisLibrary, LibraryInternals>();

/**
 * Loads the control-software library and declares every export of docs/reference/functions.md.
 * Throws WrongBitnessError (PE machine ≠ process.arch) or LibraryLoadError (koffi.load failed).
 */
export function loadCshisLibrary(path: string): CshisLibrary {
  // A path (not a bare name the loader searches for) that does not exist: say so plainly instead of
  // passing on the loader's "cannot open shared object file" / "The specified module could not be found".
  if (/[\\/]/.test(path) && !existsSync(path)) throw new LibraryLoadError(path, 'file not found');
  const pe = checkBitness(path);

  let handle: LibraryHandle;
  try {
    handle = koffi.load(path);
  } catch (error) {
    throw new LibraryLoadError(path, error instanceof Error ? error.message : String(error));
  }

  const functions = new Map<CshisExportName, KoffiFunction>();
  const missing: CshisExportName[] = [];
  const aliased: Partial<Record<CshisExportName, string>> = {};
  for (const name of CSHIS_EXPORT_NAMES) {
    const params = CSHIS_EXPORTS[name].map((kind: ParamKind) => KOFFI_TYPE[kind]);
    let declared: KoffiFunction | null = null;
    for (const exportName of [name, ...(EXPORT_ALIASES[name] ?? [])]) {
      try {
        declared = handle.func('__stdcall', exportName, 'int', params);
        if (exportName !== name) aliased[name] = exportName;
        break;
      } catch {
        // not exported under this name (older DLL): try the next spelling, else record it as missing
      }
    }
    if (declared) functions.set(name, declared);
    else missing.push(name);
  }

  const fn = <N extends CshisExportName>(name: N): NativeFunction<N> => {
    const f = functions.get(name);
    if (!f) throw new MissingExportError(name);
    return f as unknown as NativeFunction<N>;
  };

  const library: CshisLibrary = {
    path,
    pe,
    missingExports: Object.freeze(missing),
    aliasedExports: Object.freeze(aliased),
    has: (name) => functions.has(name),
    fn,
    call: (name, ...args) => fn(name)(...args),
    callAsync: (name, ...args) =>
      new Promise<number>((resolve, reject) => {
        const f = functions.get(name);
        if (!f) {
          reject(new MissingExportError(name));
          return;
        }
        const keepAlive: unknown[] = args; // the DLL writes into these until the call returns
        try {
          f.async(...keepAlive, (err: unknown, rc: number) => {
            void keepAlive; // referenced by this closure until the native call is over
            if (err) reject(err instanceof Error ? err : new Error(String(err)));
            else resolve(rc);
          });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }),
  };
  internals.set(library, { handle });
  return library;
}

/**
 * Compares the PE Machine field with process.arch when on Windows or when the file is a PE image.
 * Returns the header (null for non-PE files); lets a missing file through to koffi's error.
 */
function checkBitness(path: string): PeHeaderInfo | null {
  let pe: PeHeaderInfo | null;
  try {
    pe = readPeHeaderFromFile(path);
  } catch {
    return null; // unreadable/missing: koffi.load reports it
  }
  if (pe && !isLoadableBy(pe.architecture, process.arch)) {
    throw new WrongBitnessError(basename(path), pe.architecture, process.arch);
  }
  return pe;
}

// ---------------------------------------------------------------------------------------------------------
// test fixture controls (test/native/cshis_fixture.c) — used only by tests
// ---------------------------------------------------------------------------------------------------------

const FIXTURE_EXPORTS = {
  fixtureReset: [],
  fixtureInsertHealthCard: ['const uint8_t *', 'const uint8_t *', 'int'],
  fixtureRemoveHealthCard: [],
  fixtureInsertProfessionalCard: ['const char *', 'const char *', 'const uint8_t *', 'int', 'const char *'],
  fixtureRemoveProfessionalCard: [],
  fixtureSetForcedRc: ['const char *', 'int'],
  fixtureSetDelayMs: ['const char *', 'int'],
  fixtureHang: ['const char *', 'int'],
  fixtureOverlapCount: [],
  fixtureInFlight: [],
  fixtureCallCount: ['const char *'],
  fixtureWriteCount: ['const char *'],
  fixtureGetLastWrite: ['const char *', '_Out_ uint8_t *', '_Inout_ int *'],
  fixtureSetOverlongLength: ['const char *', 'int'],
  fixtureSetRequireOpen: ['int'],
  fixtureReaderOpen: [],
  fixtureSetArea: ['const char *', 'const uint8_t *', 'int'],
  fixtureSetPinSet: ['int'],
  fixtureSetProfessionalPharmacist: ['int'],
  fixtureRestartLibrary: [],
  fixtureStateChangeLog: ['_Out_ uint8_t *', '_Inout_ int *'],
} as const satisfies Record<string, readonly string[]>;

/** Control surface of the test fixture. All calls are synchronous and never block on a hung CSHIS call. */
export interface FixtureControls {
  /** Clears cards, visits, knobs and counters; releases hung calls. */
  reset(): void;
  /** Inserts a health card: exactly 72 + 78 raw bytes (docs/reference/buffers.md (1.1 / 1.2)), and the last sequence number on it. */
  insertHealthCard(basic72: Uint8Array, register78: Uint8Array, lastSeq: number): void;
  removeHealthCard(): void;
  insertProfessionalCard(card: {
    serial: string;
    id: string;
    nameBig5: Uint8Array;
    englishName: string;
  }): void;
  removeProfessionalCard(): void;
  /** Next calls of `fn` return `rc` without doing anything; 0 clears. */
  setForcedRc(fn: CshisExportName, rc: number): void;
  /** Sleep `ms` inside every call of `fn` ('*' = all). */
  setDelayMs(fn: CshisExportName | '*', ms: number): void;
  /** Calls of `fn` ('*' = all) block inside the library until released. */
  hang(fn: CshisExportName | '*', on: boolean): void;
  /** Times a CSHIS call started while another one was inside the library. */
  overlapCount(): number;
  /** CSHIS calls currently inside the library. */
  inFlight(): number;
  callCount(fn: CshisExportName): number;
  /** Successful visit writes for the visit with this 13-char datetime (−1 if no such visit). */
  writeCount(dateTime13: string): number;
  /** The data of the last write for this visit, or null. */
  lastWrite(dateTime13: string): Uint8Array | null;
  /** `fn` reports *len = buffer size + extra on success (0 clears). */
  setOverlongLength(fn: CshisExportName, extra: number): void;
  /** When on, calls other than csOpenCom/csCloseCom/csGetVersion(Ex) return 4000 unless the reader is open. */
  setRequireOpen(on: boolean): void;
  readerOpen(): boolean;
  /**
   * Seeds a record area of the inserted card (cshis_fixture.c fixtureSetArea): 'outpatient' | 'longterm' |
   * 'hve' | 'vaccination' | 'prevent' | 'pregnant' (whole records), 'allergy' (120 bytes), 'organ' (1),
   * 'ci' (21-byte records: code 7, from 7, until 7).
   */
  setArea(name: FixtureArea, bytes: Uint8Array): void;
  /** 1.36's answer for the inserted card. */
  setPinSet(on: boolean): void;
  /** The inserted professional card is a pharmacist's (9100 rules). */
  setProfessionalPharmacist(on: boolean): void;
  /**
   * What a gateway restart does to the library (cshis_fixture.c fixtureRestartLibrary): the reader is closed,
   * SAM authentication and verified PINs are gone; the cards and what is written on them stay.
   */
  restartLibrary(): void;
  /** Card insertions and removals since the last reset, oldest first, stamped on CLOCK_REALTIME (µs). */
  stateChanges(): FixtureStateChange[];
}

export interface FixtureStateChange {
  /** Counts from 0 since the last reset. */
  readonly n: number;
  readonly slot: 'HEALTH_CARD' | 'PROFESSIONAL_CARD';
  readonly inserted: boolean;
  /** When the fixture made the change: CLOCK_REALTIME in µs since the epoch (compare with Date.now() × 1000). */
  readonly atUs: number;
}

export type FixtureArea = 'outpatient' | 'longterm' | 'hve' | 'vaccination' | 'prevent' | 'pregnant' | 'allergy' | 'organ' | 'ci';

/** Declares the fixture's `fixture*` control exports on a library loaded with {@link loadCshisLibrary}. */
export function loadFixtureControls(library: CshisLibrary): FixtureControls {
  const inner = internals.get(library);
  if (!inner) throw new Error('loadFixtureControls: not a library returned by loadCshisLibrary');
  const f = {} as Record<keyof typeof FIXTURE_EXPORTS, (...args: unknown[]) => number>;
  for (const [name, params] of Object.entries(FIXTURE_EXPORTS)) {
    f[name as keyof typeof FIXTURE_EXPORTS] = inner.handle.func('__stdcall', name, 'int', [...params]) as (
      ...args: unknown[]
    ) => number;
  }
  const named = (what: string, rc: number, fn: string): void => {
    if (rc !== 0) throw new Error(`${what}: unknown function name '${fn}'`);
  };
  const cstr = (s: string): Buffer => Buffer.from(`${s}\0`, 'latin1');
  return {
    reset: () => void f.fixtureReset(),
    insertHealthCard: (basic72, register78, lastSeq) => {
      if (basic72.length !== 72 || register78.length !== 78) {
        throw new Error(`insertHealthCard needs 72 + 78 bytes, got ${basic72.length} + ${register78.length}`);
      }
      if (f.fixtureInsertHealthCard(basic72, register78, lastSeq) !== 0) throw new Error('insertHealthCard failed');
    },
    removeHealthCard: () => void f.fixtureRemoveHealthCard(),
    insertProfessionalCard: ({ serial, id, nameBig5, englishName }) => {
      // koffi passes an empty Uint8Array as NULL: hand the fixture a 1-byte buffer with length 0 instead
      const name = nameBig5.length > 0 ? nameBig5 : new Uint8Array(1);
      const rc = f.fixtureInsertProfessionalCard(cstr(serial), cstr(id), name, nameBig5.length, cstr(englishName));
      if (rc !== 0) throw new Error(`insertProfessionalCard failed (${rc})`);
    },
    removeProfessionalCard: () => void f.fixtureRemoveProfessionalCard(),
    setForcedRc: (fn, rc) => named('setForcedRc', f.fixtureSetForcedRc(cstr(fn), rc), fn),
    setDelayMs: (fn, ms) => named('setDelayMs', f.fixtureSetDelayMs(cstr(fn), ms), fn),
    hang: (fn, on) => named('hang', f.fixtureHang(cstr(fn), on ? 1 : 0), fn),
    overlapCount: () => f.fixtureOverlapCount(),
    inFlight: () => f.fixtureInFlight(),
    callCount: (fn) => f.fixtureCallCount(cstr(fn)),
    writeCount: (dt) => f.fixtureWriteCount(cstr(dt)),
    lastWrite: (dt) => {
      const buf = Buffer.alloc(128);
      const len = new Int32Array([buf.length]);
      const rc = f.fixtureGetLastWrite(cstr(dt), buf, len);
      return rc === 0 ? Uint8Array.from(buf.subarray(0, Math.max(0, Math.min(len[0] ?? 0, buf.length)))) : null;
    },
    setOverlongLength: (fn, extra) => named('setOverlongLength', f.fixtureSetOverlongLength(cstr(fn), extra), fn),
    setRequireOpen: (on) => void f.fixtureSetRequireOpen(on ? 1 : 0),
    readerOpen: () => f.fixtureReaderOpen() === 1,
    setArea: (name, bytes) => {
      if (bytes.length === 0) return; // koffi passes an empty array as NULL; an empty area needs no seeding
      if (f.fixtureSetArea(cstr(name), bytes, bytes.length) !== 0) throw new Error(`setArea(${name}) refused ${bytes.length} bytes`);
    },
    setPinSet: (on) => void f.fixtureSetPinSet(on ? 1 : 0),
    setProfessionalPharmacist: (on) => void f.fixtureSetProfessionalPharmacist(on ? 1 : 0),
    restartLibrary: () => void f.fixtureRestartLibrary(),
    stateChanges: () => {
      const buf = Buffer.alloc(4096 * 48);
      const len = new Int32Array([buf.length]);
      if (f.fixtureStateChangeLog(buf, len) < 0) throw new Error('stateChanges: the fixture refused the buffer');
      return buf
        .subarray(0, len[0] ?? 0)
        .toString('latin1')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [n, slot, inserted, us] = line.split(' ').map(Number);
          return { n: n!, slot: slot === 1 ? 'HEALTH_CARD' : 'PROFESSIONAL_CARD', inserted: inserted === 1, atUs: us! };
        });
    },
  };
}
