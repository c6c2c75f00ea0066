/**
 * THE module that loads the PC/SC library through koffi (toolchain.md §3–§4): winscard.dll on Windows (`…A`
 * functions, 4-byte DWORD/LONG, `__stdcall`), libpcsclite.so.1 on Linux (DWORD/LONG are C `long`s: 8 bytes on
 * x86_64, cdecl), PCSC.framework on macOS (4-byte DWORD, packed structs). The widths and struct layouts come from
 * abi.ts (pure data); the koffi struct types built here are checked against that data when the library loads,
 * so a mismatch fails loudly instead of corrupting memory.
 *
 * Every call but SCardCancel runs with koffi's `.async` (a libuv worker thread), so a blocking
 * SCardGetStatusChange (`INFINITE`, or `\\?PnP?\Notification` waiting for a reader) never blocks the event loop,
 * and SCardCancel (synchronous, on the main thread) ends it at shutdown.
 *
 * Output integers (handles, lengths) go through Buffers sized from the ABI and passed as `void *`, so the same
 * code serves 4- and 8-byte DWORDs. The library is loaded lazily and a failed load is retried on the next call:
 * a gateway started before pcsc-lite was installed attaches once it is (issue 4, "absent PC/SC library").
 *
 * koffi is obtained as in src/adapters/cshis/native.ts: `require('koffi')` in the CJS bundle of the Windows
 * executable, `createRequire(import.meta.url)` under tsx/vitest (toolchain.md §1 gotchas).
 */
import { createRequire } from 'node:module';
import type {
  PcscContext,
  PcscDisposition,
  PcscHandle,
  PcscLibraryInfo,
  PcscPort,
  PcscProtocol,
  PcscShareMode,
  ReaderStateQuery,
  ReaderStateResult,
} from '../../ports/pcsc.ts';
import { abiFor, type PcscAbi } from './abi.ts';
import {
  DISPOSITION,
  INFINITE,
  PROTOCOL,
  PcscError,
  RETURN_CODES,
  SCARD_SCOPE_SYSTEM,
  SCARD_S_SUCCESS,
  SHARE_MODE,
  STATE,
  KOFFI_UNAVAILABLE,
  toUint32,
} from './codes.ts';

type Koffi = typeof import('koffi');
type KoffiFunction = ReturnType<import('koffi').LibraryHandle['func']>;
type TypeObject = import('koffi').TypeObject;

let koffiModule: Koffi | null = null;
/** koffi itself is loaded on first use, so merely importing this module (e.g. for types) costs nothing. */
function koffi(): Koffi {
  koffiModule ??=
    typeof require === 'function' ? (require('koffi') as Koffi) : (createRequire(import.meta.url)('koffi') as Koffi);
  return koffiModule;
}

/** The koffi types of one ABI: scalars by width, and the two structs. */
export interface PcscKoffiTypes {
  readonly dword: string;
  readonly long: string;
  readonly handle: string;
  readonly readerState: TypeObject;
  readonly ioRequest: TypeObject;
}

/**
 * Builds koffi types for `abi`. Struct types are anonymous (koffi's type names are process-wide, and test runners
 * load this module more than once per process). Usable on any host for an ABI with the host's pointer width;
 * the unit tests use it to compare koffi's layout with abi.ts.
 */
export function koffiTypesFor(abi: PcscAbi): PcscKoffiTypes {
  const k = koffi();
  const dword = abi.dwordSize === 8 ? 'uint64' : 'uint32';
  const long = abi.longSize === 8 ? 'int64' : 'int32';
  const handle = `${abi.handleSigned ? 'int' : 'uint'}${abi.handleSize * 8}`;
  const readerStateFields = {
    szReader: 'const char *',
    pvUserData: 'void *',
    dwCurrentState: dword,
    dwEventState: dword,
    cbAtr: dword,
    rgbAtr: k.array('uint8', abi.maxAtrSize, 'Typed'),
  };
  const ioRequestFields = { dwProtocol: dword, cbPciLength: dword };
  const struct = abi.pack === 1 ? k.pack.bind(k) : k.struct.bind(k);
  return {
    dword,
    long,
    handle,
    readerState: struct(readerStateFields),
    ioRequest: struct(ioRequestFields),
  };
}

/** Throws when koffi's layout of the structs differs from abi.ts (wrong widths or packing for this platform). */
export function checkLayouts(abi: PcscAbi, types: PcscKoffiTypes): void {
  const k = koffi();
  const problems: string[] = [];
  const compare = (what: string, type: TypeObject, layout: PcscAbi['readerState']) => {
    if (k.sizeof(type) !== layout.size) problems.push(`${what} size ${k.sizeof(type)} ≠ ${layout.size}`);
    for (const [field, offset] of Object.entries(layout.offsets)) {
      if (k.offsetof(type, field) !== offset) problems.push(`${what}.${field} at ${k.offsetof(type, field)} ≠ ${offset}`);
    }
  };
  compare('SCARD_READERSTATE', types.readerState, abi.readerState);
  compare('SCARD_IO_REQUEST', types.ioRequest, abi.ioRequest);
  if (problems.length > 0) throw new Error(`PC/SC struct layouts for ${abi.id} do not match: ${problems.join('; ')}`);
}

interface Functions {
  establishContext: KoffiFunction;
  releaseContext: KoffiFunction;
  listReaders: KoffiFunction;
  getStatusChange: KoffiFunction;
  cancel: KoffiFunction;
  connect: KoffiFunction;
  disconnect: KoffiFunction;
  beginTransaction: KoffiFunction;
  endTransaction: KoffiFunction;
  transmit: KoffiFunction;
}

interface Loaded {
  readonly fns: Functions;
  readonly types: PcscKoffiTypes;
  readonly wine: boolean;
}

export interface NativePcscOptions {
  /** Library to load instead of the platform's (tests, unusual installs). */
  readonly library?: string;
  /** ABI instead of the host's (only for a library built for another ABI on the same pointer width). */
  readonly abi?: PcscAbi;
}

/** A PcscPort over the platform's PC/SC library. Nothing is loaded until the first call. */
export function createNativePcscPort(options: NativePcscOptions = {}): PcscPort {
  const abi = options.abi ?? abiFor(process.platform, process.arch);
  const library = options.library ?? abi?.library ?? 'libpcsclite.so.1';
  let loaded: Loaded | null = null;
  let wine = false;

  const load = (call: string): Loaded => {
    if (loaded) return loaded;
    if (!abi) {
      throw new PcscError(call, null, 'LIBRARY_UNAVAILABLE', `no PC/SC ABI known for ${process.platform}-${process.arch}`);
    }
    try {
      koffi();
    } catch (error) {
      // koffi itself (the executable's extracted native module), not the PC/SC library: installing pcsc-lite
      // would not help. src/sea-setup.ts names the temp folder when it is the cause.
      const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
      throw new PcscError(call, null, 'LIBRARY_UNAVAILABLE', `${KOFFI_UNAVAILABLE}: ${reason}`);
    }
    try {
      loaded = loadLibrary(abi, library);
    } catch (error) {
      // A missing library (no pcsc-lite installed) is an expected state, retried on the next call.
      throw new PcscError(call, null, 'LIBRARY_UNAVAILABLE', error instanceof Error ? error.message : String(error));
    }
    wine = loaded.wine;
    return loaded;
  };

  const dwordBuffer = (value = 0): Buffer => {
    const buffer = Buffer.alloc(abi?.dwordSize ?? 8);
    writeUint(buffer, value);
    return buffer;
  };
  const readUint = (buffer: Buffer): number =>
    buffer.length === 8 ? Number(buffer.readBigUInt64LE(0)) : buffer.readUInt32LE(0);
  const writeUint = (buffer: Buffer, value: number): void => {
    if (buffer.length === 8) buffer.writeBigUInt64LE(BigInt(value), 0);
    else buffer.writeUInt32LE(value >>> 0, 0);
  };
  const handleBuffer = (): Buffer => Buffer.alloc(abi?.handleSize ?? 8);
  const readHandle = (buffer: Buffer): bigint => {
    if (buffer.length === 8) return abi?.handleSigned ? buffer.readBigInt64LE(0) : buffer.readBigUInt64LE(0);
    return BigInt(abi?.handleSigned ? buffer.readInt32LE(0) : buffer.readUInt32LE(0));
  };
  /** 8-byte handles go to koffi as bigint (they may exceed 2^53 on Windows x64), 4-byte ones as numbers. */
  const handleArg = (handle: bigint): bigint | number => ((abi?.handleSize ?? 8) === 8 ? handle : Number(handle));

  /** Runs `fn` on a koffi worker thread; resolves with the LONG return value as an unsigned 32-bit number. */
  const run = (fn: KoffiFunction, args: unknown[]): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      const keepAlive = args; // buffers the library writes into stay referenced until the call returns
      try {
        fn.async(...keepAlive, (err: unknown, rc: number | bigint) => {
          void keepAlive;
          if (err) reject(err instanceof Error ? err : new Error(String(err)));
          else resolve(toUint32(rc));
        });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });

  const check = (call: string, rc: number): void => {
    if (rc !== SCARD_S_SUCCESS) throw new PcscError(call, rc);
  };
  const name = (base: string): string => `${base}${abi?.stringSuffix ?? ''}`;

  const port: PcscPort = {
    get info(): PcscLibraryInfo {
      return { library, abi: abi?.id ?? `${process.platform}-${process.arch}`, wine };
    },

    async establishContext() {
      const { fns } = load('SCardEstablishContext');
      const out = handleBuffer();
      check('SCardEstablishContext', await run(fns.establishContext, [SCARD_SCOPE_SYSTEM, null, null, out]));
      return readHandle(out);
    },

    async releaseContext(context) {
      const { fns } = load('SCardReleaseContext');
      check('SCardReleaseContext', await run(fns.releaseContext, [handleArg(context)]));
    },

    async listReaders(context) {
      const { fns } = load(name('SCardListReaders'));
      // Two calls: the size, then the multi-string. A reader attached in between makes the second call report
      // SCARD_E_INSUFFICIENT_BUFFER: ask again.
      for (let attempt = 0; attempt < 3; attempt++) {
        const length = dwordBuffer(0);
        let rc = await run(fns.listReaders, [handleArg(context), null, null, length]);
        if (rc === RETURN_CODES.SCARD_E_NO_READERS_AVAILABLE) return [];
        check(name('SCardListReaders'), rc);
        const size = readUint(length);
        if (size === 0) return [];
        const names = Buffer.alloc(size);
        rc = await run(fns.listReaders, [handleArg(context), null, names, length]);
        if (rc === RETURN_CODES.SCARD_E_NO_READERS_AVAILABLE) return [];
        if (rc === RETURN_CODES.SCARD_E_INSUFFICIENT_BUFFER) continue;
        check(name('SCardListReaders'), rc);
        return splitMultiString(names.subarray(0, Math.min(readUint(length), size)));
      }
      throw new PcscError(name('SCardListReaders'), RETURN_CODES.SCARD_E_INSUFFICIENT_BUFFER);
    },

    async getStatusChange(context, timeoutMs, states) {
      const { fns } = load(name('SCardGetStatusChange'));
      const structs = states.map((s: ReaderStateQuery) => ({
        szReader: s.reader,
        pvUserData: null,
        dwCurrentState: s.currentState >>> 0,
        dwEventState: 0,
        cbAtr: 0,
        rgbAtr: new Uint8Array(abi?.maxAtrSize ?? 33),
      }));
      const timeout = timeoutMs === 'INFINITE' ? INFINITE : Math.max(0, Math.min(Math.round(timeoutMs), INFINITE - 1));
      const rc = await run(fns.getStatusChange, [handleArg(context), timeout, structs, structs.length]);
      check(name('SCardGetStatusChange'), rc);
      return structs.map((s, i): ReaderStateResult => {
        const eventState = Number(s.dwEventState) >>> 0;
        const atrLength = Math.min(Number(s.cbAtr), s.rgbAtr.length);
        return {
          reader: states[i]?.reader ?? s.szReader,
          eventState,
          changed: (eventState & STATE.CHANGED) !== 0,
          present: (eventState & STATE.PRESENT) !== 0,
          mute: (eventState & STATE.MUTE) !== 0,
          unavailable: (eventState & (STATE.UNAVAILABLE | STATE.UNKNOWN)) !== 0,
          atr: Uint8Array.from(s.rgbAtr.subarray(0, atrLength)),
        };
      });
    },

    cancel(context) {
      if (!loaded) return;
      try {
        // Synchronous on purpose: it must reach the service while the blocked call holds a worker thread.
        loaded.fns.cancel(handleArg(context));
      } catch {
        // nothing to cancel on a dead context
      }
    },

    async connect(context, reader, share, protocols) {
      const { fns } = load(name('SCardConnect'));
      const handle = handleBuffer();
      const active = dwordBuffer(0);
      const wanted = protocols.reduce((mask, p: PcscProtocol) => mask | PROTOCOL[p], 0);
      check(
        name('SCardConnect'),
        await run(fns.connect, [handleArg(context), reader, SHARE_MODE[share as PcscShareMode], wanted, handle, active]),
      );
      const activeProtocol = readUint(active);
      return { handle: readHandle(handle), protocol: activeProtocol === PROTOCOL.T0 ? 'T0' : 'T1' };
    },

    async beginTransaction(handle) {
      const { fns } = load('SCardBeginTransaction');
      check('SCardBeginTransaction', await run(fns.beginTransaction, [handleArg(handle)]));
    },

    async endTransaction(handle, disposition) {
      const { fns } = load('SCardEndTransaction');
      check('SCardEndTransaction', await run(fns.endTransaction, [handleArg(handle), DISPOSITION[disposition as PcscDisposition]]));
    },

    async transmit(handle, protocol, command, maxResponseBytes = 258) {
      const { fns } = load('SCardTransmit');
      const pci = ioRequest(protocol);
      const send = Buffer.from(command);
      const receive = Buffer.alloc(maxResponseBytes);
      const length = dwordBuffer(receive.length);
      check(
        'SCardTransmit',
        await run(fns.transmit, [handleArg(handle), pci, send, send.length, null, receive, length]),
      );
      return Uint8Array.from(receive.subarray(0, Math.min(readUint(length), receive.length)));
    },

    async disconnect(handle, disposition) {
      const { fns } = load('SCardDisconnect');
      check('SCardDisconnect', await run(fns.disconnect, [handleArg(handle), DISPOSITION[disposition as PcscDisposition]]));
    },
  };

  /** SCARD_IO_REQUEST {dwProtocol, cbPciLength = sizeof(SCARD_IO_REQUEST)} in the ABI's layout (§3 table). */
  const ioRequest = (protocol: PcscProtocol): Buffer => {
    const layout = abi!.ioRequest;
    const buffer = Buffer.alloc(layout.size);
    const put = (offset: number, value: number) => {
      if (abi!.dwordSize === 8) buffer.writeBigUInt64LE(BigInt(value), offset);
      else buffer.writeUInt32LE(value, offset);
    };
    put(layout.offsets.dwProtocol ?? 0, PROTOCOL[protocol]);
    put(layout.offsets.cbPciLength ?? abi!.dwordSize, layout.size);
    return buffer;
  };

  return port;
}

function loadLibrary(abi: PcscAbi, library: string): Loaded {
  const k = koffi();
  const handle = k.load(library);
  const types = koffiTypesFor(abi);
  checkLayouts(abi, types);
  const { dword, long, handle: h } = types;
  const declare = (exportName: string, params: unknown[]): KoffiFunction =>
    abi.callingConvention === '__stdcall'
      ? handle.func('__stdcall', exportName, long, params as never[])
      : handle.func(exportName, long, params as never[]);
  const a = abi.stringSuffix;
  const fns: Functions = {
    // (dwScope, pvReserved1, pvReserved2, LPSCARDCONTEXT phContext)
    establishContext: declare('SCardEstablishContext', [dword, 'void *', 'void *', 'void *']),
    releaseContext: declare('SCardReleaseContext', [h]),
    // (hContext, mszGroups, mszReaders, LPDWORD pcchReaders)
    listReaders: declare(`SCardListReaders${a}`, [h, 'const char *', 'void *', 'void *']),
    // (hContext, dwTimeout, LPSCARD_READERSTATE rgReaderStates, cReaders)
    getStatusChange: declare(`SCardGetStatusChange${a}`, [h, dword, k.inout(k.pointer(types.readerState)), dword]),
    cancel: declare('SCardCancel', [h]),
    // (hContext, szReader, dwShareMode, dwPreferredProtocols, LPSCARDHANDLE phCard, LPDWORD pdwActiveProtocol)
    connect: declare(`SCardConnect${a}`, [h, 'const char *', dword, dword, 'void *', 'void *']),
    disconnect: declare('SCardDisconnect', [h, dword]),
    beginTransaction: declare('SCardBeginTransaction', [h]),
    endTransaction: declare('SCardEndTransaction', [h, dword]),
    // (hCard, pioSendPci, pbSendBuffer, cbSendLength, pioRecvPci, pbRecvBuffer, pcbRecvLength)
    transmit: declare('SCardTransmit', [h, 'void *', 'void *', dword, 'void *', 'void *', 'void *']),
  };
  return { fns, types, wine: detectWine(abi) };
}

/**
 * Wine's ntdll exports wine_get_version; Windows' does not. Under Wine, blocking SCardGetStatusChange returns at
 * once (toolchain.md §3), so the watcher polls.
 */
function detectWine(abi: PcscAbi): boolean {
  if (!abi.id.startsWith('win32')) return false;
  try {
    const ntdll = koffi().load('ntdll.dll');
    ntdll.func('wine_get_version', 'const char *', []);
    return true;
  } catch {
    return false;
  }
}

/**
 * A multi-string: names separated by NUL, ended by an empty name. Decoded as UTF-8, which is what koffi encodes
 * `const char *` arguments with, so a name goes back to SCardConnect / SCardGetStatusChange byte for byte. (The
 * Windows `…A` functions use the ANSI code page: a non-ASCII reader name would not round-trip there; reader names
 * are vendor + model + index in ASCII in practice.)
 */
export function splitMultiString(bytes: Uint8Array): string[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.split('\0').filter((s) => s.length > 0);
}
