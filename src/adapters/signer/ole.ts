/**
 * THE ONLY module under src/adapters/signer that imports koffi: ole32.dll / oleaut32.dll entry points, raw
 * native memory, and calls through a COM object's vtable. Everything above it (dispatch.ts, com-signer.ts)
 * works with BigInt addresses and these three interfaces, so the tests can put a fake COM runtime (fake
 * entry points, a real vtable of koffi callbacks) under the real dispatch code on Linux.
 *
 * koffi is obtained as in src/adapters/cshis/native.ts (docs/windows.md (Inside the executable)): `require('koffi')` when a CommonJS
 * `require` exists (the esbuild bundle of the Windows executable), otherwise `createRequire(import.meta.url)`.
 * This module is loaded only by the COM signer (the cshis backend), never on the simulator path.
 *
 * ABI notes (docs/reference/abi.md): every COM method and ole32/oleaut32 export is `__stdcall` (koffi ignores the
 * convention off x86); HRESULT is a 32-bit signed LONG on both Win32 and Win64; pointers are passed as BigInt.
 */
import { createRequire } from 'node:module';
import { IDISPATCH_SLOT, type IDispatchMethod, type PointerSize } from './com-layout.ts';

type Koffi = typeof import('koffi');
type KoffiType = ReturnType<Koffi['proto']>;

const koffi: Koffi =
  typeof require === 'function' ? (require('koffi') as Koffi) : (createRequire(import.meta.url)('koffi') as Koffi);

/** COM method prototypes (oaidl.h / unknwn.h), first parameter `this`. Declared once per process. */
export const COM_PROTOS: Readonly<Record<IDispatchMethod, KoffiType>> = {
  QueryInterface: koffi.proto('__stdcall', null, 'int32_t', ['void *', 'void *', 'void *']),
  AddRef: koffi.proto('__stdcall', null, 'uint32_t', ['void *']),
  Release: koffi.proto('__stdcall', null, 'uint32_t', ['void *']),
  GetTypeInfoCount: koffi.proto('__stdcall', null, 'int32_t', ['void *', 'void *']),
  GetTypeInfo: koffi.proto('__stdcall', null, 'int32_t', ['void *', 'uint32_t', 'uint32_t', 'void *']),
  // HRESULT GetIDsOfNames(this, REFIID riid, LPOLESTR *rgszNames, UINT cNames, LCID lcid, DISPID *rgDispId)
  GetIDsOfNames: koffi.proto('__stdcall', null, 'int32_t', ['void *', 'void *', 'void *', 'uint32_t', 'uint32_t', 'void *']),
  // HRESULT Invoke(this, DISPID, REFIID, LCID, WORD wFlags, DISPPARAMS*, VARIANT *pVarResult, EXCEPINFO*, UINT *puArgErr)
  Invoke: koffi.proto('__stdcall', null, 'int32_t', [
    'void *', 'int32_t', 'void *', 'uint32_t', 'uint16_t', 'void *', 'void *', 'void *', 'void *',
  ]),
};

/** Raw native memory addressed by BigInt. Allocations are zeroed and never move. */
export interface NativeMemory {
  readonly pointerSize: PointerSize;
  alloc(size: number): bigint;
  free(address: bigint): void;
  read(address: bigint, offset: number, length: number): Uint8Array;
  write(address: bigint, offset: number, bytes: Uint8Array): void;
  /** The pointer stored at address+offset (0n for NULL). */
  readPointer(address: bigint, offset: number): bigint;
  writePointer(address: bigint, offset: number, value: bigint): void;
}

export const nativeMemory: NativeMemory = {
  pointerSize: koffi.sizeof('void *') as PointerSize,
  alloc(size) {
    const address = koffi.alloc('uint8_t', Math.max(1, size)) as unknown as bigint;
    new Uint8Array(koffi.view(address, Math.max(1, size))).fill(0);
    return address;
  },
  free(address) {
    koffi.free(address);
  },
  read(address, offset, length) {
    if (length === 0) return new Uint8Array(0);
    return new Uint8Array(koffi.view(address + BigInt(offset), length)).slice();
  },
  write(address, offset, bytes) {
    if (bytes.length === 0) return;
    new Uint8Array(koffi.view(address + BigInt(offset), bytes.length)).set(bytes);
  },
  readPointer(address, offset) {
    const value = koffi.decode(address, offset, 'void *') as bigint | null;
    return value ?? 0n;
  },
  writePointer(address, offset, value) {
    koffi.encode(address, offset, 'void *', value);
  },
};

/** Calls a method through a COM object's vtable: `(*(*self))[slot](self, …)`. */
export interface VtableCaller {
  /**
   * `mode: 'sync'` runs on the calling thread (required when the object lives in this thread's STA);
   * `'async'` runs on a koffi worker thread, which is in the process's MTA once the main thread joined it.
   */
  call(self: bigint, method: IDispatchMethod, args: readonly unknown[], mode: 'sync' | 'async'): Promise<number>;
}

const decodedFunctions = new Map<string, (...args: unknown[]) => number>();

export const vtableCaller: VtableCaller = {
  call(self, method, args, mode) {
    const vtable = nativeMemory.readPointer(self, 0);
    const fnPointer = nativeMemory.readPointer(vtable, IDISPATCH_SLOT[method] * nativeMemory.pointerSize);
    if (fnPointer === 0n) return Promise.reject(new Error(`COM vtable slot ${method} is NULL`));
    const key = `${method}:${fnPointer}`;
    let fn = decodedFunctions.get(key);
    if (!fn) {
      fn = koffi.decode(fnPointer, COM_PROTOS[method]) as (...args: unknown[]) => number;
      decodedFunctions.set(key, fn);
    }
    const callable = fn as ((...a: unknown[]) => number) & { async: (...a: unknown[]) => void };
    if (mode === 'sync') {
      try {
        return Promise.resolve(callable(self, ...args));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return new Promise<number>((resolve, reject) => {
      try {
        callable.async(self, ...args, (err: unknown, result: number) => {
          if (err) reject(err instanceof Error ? err : new Error(String(err)));
          else resolve(result);
        });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  },
};

/** The ole32/oleaut32 exports the signer calls. HRESULTs are returned as koffi gives them (signed int32). */
export interface OleEntryPoints {
  /** CoInitializeEx(NULL, dwCoInit). */
  coInitializeEx(coInit: number): number;
  /** CLSIDFromProgID(progId, &clsid): writes 16 bytes at `clsidOut`. */
  clsidFromProgId(progId: string, clsidOut: bigint): number;
  /** CoCreateInstance(&clsid, NULL, clsctx, &iid, &pv): writes the interface pointer at `ppv`. */
  coCreateInstance(clsid: bigint, clsContext: number, iid: bigint, ppv: bigint): number;
  /** SysAllocString: a BSTR (pointer just after its length prefix), 0n on failure. */
  sysAllocString(text: string): bigint;
  sysFreeString(bstr: bigint): void;
  /** VariantClear: frees what a VARIANT owns (a result BSTR) and sets it to VT_EMPTY. */
  variantClear(variant: bigint): number;
}

/** Everything the dispatch code needs; tests build one with fake entry points over the real memory/vtable. */
export interface OleRuntime {
  readonly entry: OleEntryPoints;
  readonly memory: NativeMemory;
  readonly vtable: VtableCaller;
}

export class OleUnavailableError extends Error {
  override readonly name = 'OleUnavailableError';
}

let loaded: OleEntryPoints | null = null;

/** Loads ole32.dll and oleaut32.dll (once). Throws OleUnavailableError off Windows or when loading fails. */
export function loadOleEntryPoints(platform: string = process.platform): OleEntryPoints {
  if (loaded) return loaded;
  if (platform !== 'win32') throw new OleUnavailableError(`COM needs Windows (this is ${platform})`);
  let ole32;
  let oleaut32;
  try {
    ole32 = koffi.load('ole32.dll');
    oleaut32 = koffi.load('oleaut32.dll');
  } catch (error) {
    throw new OleUnavailableError(`ole32/oleaut32 could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  const CoInitializeEx = ole32.func('__stdcall', 'CoInitializeEx', 'int32_t', ['void *', 'uint32_t']);
  const CLSIDFromProgID = ole32.func('__stdcall', 'CLSIDFromProgID', 'int32_t', ['str16', 'void *']);
  const CoCreateInstance = ole32.func('__stdcall', 'CoCreateInstance', 'int32_t', ['void *', 'void *', 'uint32_t', 'void *', 'void *']);
  const SysAllocString = oleaut32.func('__stdcall', 'SysAllocString', 'void *', ['str16']);
  const SysFreeString = oleaut32.func('__stdcall', 'SysFreeString', 'void', ['void *']);
  const VariantClear = oleaut32.func('__stdcall', 'VariantClear', 'int32_t', ['void *']);
  loaded = {
    coInitializeEx: (coInit) => CoInitializeEx(null, coInit) as number,
    clsidFromProgId: (progId, clsidOut) => CLSIDFromProgID(progId, clsidOut) as number,
    coCreateInstance: (clsid, clsContext, iid, ppv) => CoCreateInstance(clsid, null, clsContext, iid, ppv) as number,
    sysAllocString: (text) => (SysAllocString(text) as bigint | null) ?? 0n,
    sysFreeString: (bstr) => void SysFreeString(bstr),
    variantClear: (variant) => VariantClear(variant) as number,
  };
  return loaded;
}

/** The real runtime: Windows' ole32/oleaut32 over koffi's memory and vtable calls. */
export function loadOleRuntime(platform: string = process.platform): OleRuntime {
  return { entry: loadOleEntryPoints(platform), memory: nativeMemory, vtable: vtableCaller };
}
