/**
 * Pure COM/OLE Automation facts the CsHisX signer needs, with no native code: struct layouts for 32- and
 * 64-bit Windows (VARIANT, DISPPARAMS, EXCEPINFO), GUIDs, BSTR encoding, constants, and the mapping from an
 * HRESULT to a typed gateway error with the fix an operator needs.
 *
 * Why layouts per pointer size: the gateway runs as win-x86 (CSHIS.dll and, very likely, csHisX.dll are 32-bit
 * components, docs/reference/abi.md) or win-x64. Pointers are 4 or 8 bytes, which moves every field after the first
 * pointer; VARIANT is 16 bytes on Win32 and 24 on Win64. Layouts are computed with MSVC's natural alignment
 * (each member aligned to its own size, 8-byte integers to 8 on both), and the tests check the 64-bit result
 * against the real C ABI through koffi and both against the sizes Windows documents.
 */
import type { SignerServiceCode } from '../../ports/signer.ts';
import { gatewayError } from '../../errors/gateway-codes.ts';
import type { GatewayError } from '../../errors/gateway-errors.ts';

export type PointerSize = 4 | 8;

// ---------------------------------------------------------------------------------------------------------
// struct layouts
// ---------------------------------------------------------------------------------------------------------

interface Member {
  readonly name: string;
  readonly size: number;
  readonly align: number;
}

export interface StructLayout<N extends string> {
  readonly size: number;
  readonly align: number;
  readonly offsets: Readonly<Record<N, number>>;
}

const alignUp = (n: number, align: number) => Math.ceil(n / align) * align;

/** C struct layout with natural alignment (MSVC default packing, which is 8 and never binds for these types). */
export function structLayout<N extends string>(members: readonly (Member & { name: N })[]): StructLayout<N> {
  let offset = 0;
  let align = 1;
  const offsets = {} as Record<N, number>;
  for (const m of members) {
    offset = alignUp(offset, m.align);
    offsets[m.name] = offset;
    offset += m.size;
    align = Math.max(align, m.align);
  }
  return { size: alignUp(offset, align), align, offsets };
}

const u16 = <N extends string>(name: N) => ({ name, size: 2, align: 2 });
const u32 = <N extends string>(name: N) => ({ name, size: 4, align: 4 });
const ptr = <N extends string>(name: N, ps: PointerSize) => ({ name, size: ps as number, align: ps as number });

/**
 * VARIANT (oaidl.h): VARTYPE vt; WORD wReserved1..3; then a union whose largest members are LONGLONG/DOUBLE
 * (8 bytes, aligned 8) and BRECORD (two pointers). `value` is where bstrVal (a pointer) lives.
 */
export function variantLayout(ps: PointerSize): StructLayout<'vt' | 'value'> {
  const unionSize = Math.max(8, 2 * ps);
  const unionAlign = Math.max(8, ps);
  const full = structLayout([u16('vt'), u16('wReserved1'), u16('wReserved2'), u16('wReserved3'), { name: 'value' as const, size: unionSize, align: unionAlign }]);
  return { size: full.size, align: full.align, offsets: { vt: full.offsets.vt, value: full.offsets.value } };
}

/** DISPPARAMS (oaidl.h): VARIANTARG *rgvarg; DISPID *rgdispidNamedArgs; UINT cArgs; UINT cNamedArgs. */
export function dispParamsLayout(ps: PointerSize): StructLayout<'rgvarg' | 'rgdispidNamedArgs' | 'cArgs' | 'cNamedArgs'> {
  return structLayout([ptr('rgvarg', ps), ptr('rgdispidNamedArgs', ps), u32('cArgs'), u32('cNamedArgs')]);
}

type ExcepInfoField =
  | 'wCode'
  | 'wReserved'
  | 'bstrSource'
  | 'bstrDescription'
  | 'bstrHelpFile'
  | 'dwHelpContext'
  | 'pvReserved'
  | 'pfnDeferredFillIn'
  | 'scode';

/** EXCEPINFO (oaidl.h), filled by Invoke when it returns DISP_E_EXCEPTION. */
export function excepInfoLayout(ps: PointerSize): StructLayout<ExcepInfoField> {
  return structLayout([
    u16('wCode'),
    u16('wReserved'),
    ptr('bstrSource', ps),
    ptr('bstrDescription', ps),
    ptr('bstrHelpFile', ps),
    u32('dwHelpContext'),
    ptr('pvReserved', ps),
    ptr('pfnDeferredFillIn', ps),
    u32('scode'),
  ]);
}

/** Slots of IDispatch's vtable (IUnknown's three, then IDispatch's four), in declaration order. */
export const IDISPATCH_SLOT = {
  QueryInterface: 0,
  AddRef: 1,
  Release: 2,
  GetTypeInfoCount: 3,
  GetTypeInfo: 4,
  GetIDsOfNames: 5,
  Invoke: 6,
} as const;
export type IDispatchMethod = keyof typeof IDISPATCH_SLOT;

// ---------------------------------------------------------------------------------------------------------
// constants
// ---------------------------------------------------------------------------------------------------------

/** VARENUM values used here. */
export const VT = { EMPTY: 0, NULL: 1, I4: 3, BSTR: 8, ERROR: 10, BYREF: 0x4000 } as const;
/** IDispatch::Invoke wFlags: call a method (not a property get/put). */
export const DISPATCH_METHOD = 1;
/** LCID passed to GetIDsOfNames/Invoke; CsHisX's methods take and return plain strings, not localised. */
export const LOCALE_USER_DEFAULT = 0x0400;
/** CoCreateInstance class contexts: in-process, or an out-of-process host if one is registered (DllSurrogate). */
export const CLSCTX_INPROC_SERVER = 0x1;
export const CLSCTX_LOCAL_SERVER = 0x4;
export const COINIT_APARTMENTTHREADED = 0x2;
export const COINIT_MULTITHREADED = 0x0;

/** The component's ProgID and install location (docs/reference/abi.md (Installed files), docs/reference/webapi.md (CsHisX)). */
export const CSHISX_PROGID = 'CsHisX.nhicshisx.1';
export const CSHISX_DEFAULT_PATH = 'C:\\NHI\\LIB\\csHisX.dll';
/** VPNH_SignX's card type: 3 = SAM (docs/reference/webapi.md (CsHisX)). */
export const SAM_CARD_TYPE = '3';
export const SERVICE_CODES: readonly SignerServiceCode[] = ['11', '12'];

/** HRESULTs the signer tells apart (winerror.h). Compared unsigned. */
export const HRESULT = {
  S_OK: 0,
  S_FALSE: 1,
  E_NOINTERFACE: 0x80004002,
  E_ACCESSDENIED: 0x80070005,
  E_OUTOFMEMORY: 0x8007000e,
  ERROR_MOD_NOT_FOUND: 0x8007007e,
  ERROR_BAD_EXE_FORMAT: 0x800700c1,
  RPC_E_CHANGED_MODE: 0x80010106,
  DISP_E_MEMBERNOTFOUND: 0x80020003,
  DISP_E_TYPEMISMATCH: 0x80020005,
  DISP_E_UNKNOWNNAME: 0x80020006,
  DISP_E_EXCEPTION: 0x80020009,
  DISP_E_BADPARAMCOUNT: 0x8002000e,
  REGDB_E_CLASSNOTREG: 0x80040154,
  CO_E_NOTINITIALIZED: 0x800401f0,
  CO_E_CLASSSTRING: 0x800401f3,
  CO_E_SERVER_EXEC_FAILURE: 0x80080005,
} as const;

const HRESULT_NAMES = new Map<number, string>(Object.entries(HRESULT).map(([name, value]) => [value, name]));

/** The HRESULT as koffi hands it back (a signed int32) → unsigned 32-bit. */
export const unsignedHresult = (hr: number): number => hr >>> 0;
export const failed = (hr: number): boolean => unsignedHresult(hr) >= 0x80000000;
export const hresultHex = (hr: number): string => `0x${unsignedHresult(hr).toString(16).toUpperCase().padStart(8, '0')}`;
/** e.g. `REGDB_E_CLASSNOTREG 0x80040154`, or just the hex for one without a name here. */
export const describeHresult = (hr: number): string => {
  const name = HRESULT_NAMES.get(unsignedHresult(hr));
  return name ? `${name} ${hresultHex(hr)}` : hresultHex(hr);
};

// ---------------------------------------------------------------------------------------------------------
// GUIDs and BSTRs
// ---------------------------------------------------------------------------------------------------------

/** GUID text (with or without braces) → its 16-byte in-memory form: Data1 u32 LE, Data2/Data3 u16 LE, Data4 as is. */
export function guidBytes(text: string): Uint8Array {
  const m = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i.exec(text);
  if (!m) throw new Error(`not a GUID: ${text}`);
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setUint32(0, parseInt(m[1]!, 16), true);
  view.setUint16(4, parseInt(m[2]!, 16), true);
  view.setUint16(6, parseInt(m[3]!, 16), true);
  const tail = `${m[4]}${m[5]}`;
  for (let i = 0; i < 8; i++) out[8 + i] = parseInt(tail.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export const IID_IDISPATCH = guidBytes('00020400-0000-0000-C000-000000000046');
/** Invoke's and GetIDsOfNames' riid must be IID_NULL. */
export const IID_NULL = new Uint8Array(16);

/**
 * A BSTR as SysAllocString lays it out: a 4-byte little-endian byte count, the UTF-16LE characters and a
 * 2-byte NUL. The BSTR pointer itself points just after the count (offset 4).
 */
export function encodeBstr(text: string): Uint8Array {
  const chars = Buffer.from(text, 'utf16le');
  const out = new Uint8Array(4 + chars.length + 2);
  new DataView(out.buffer).setUint32(0, chars.length, true);
  out.set(chars, 4);
  return out;
}

/** The byte count stored before a BSTR's characters. */
export function bstrByteLength(prefix: Uint8Array): number {
  if (prefix.length < 4) throw new Error('a BSTR length prefix is 4 bytes');
  return new DataView(prefix.buffer, prefix.byteOffset, 4).getUint32(0, true);
}

export function decodeUtf16(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength - (bytes.byteLength % 2)).toString('utf16le');
}

/** A NUL-terminated UTF-16LE string (LPOLESTR), as GetIDsOfNames takes its names. */
export function encodeOleString(text: string): Uint8Array {
  const chars = Buffer.from(text, 'utf16le');
  const out = new Uint8Array(chars.length + 2);
  out.set(chars, 0);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// HRESULT → typed error
// ---------------------------------------------------------------------------------------------------------

export type ComStep = 'CoInitializeEx' | 'CLSIDFromProgID' | 'CoCreateInstance' | 'GetIDsOfNames' | 'Invoke' | 'load';

export interface ComErrorContext {
  readonly step: ComStep;
  readonly progId: string;
  readonly libraryPath: string;
  /** `process.arch` of the gateway. */
  readonly processArch: string;
  /** The csHisX.dll on disk: missing, or its PE architecture ('i386', 'x64', …), when known. */
  readonly library?: { readonly exists: boolean; readonly architecture?: string } | undefined;
  /** The method being called (GetIDsOfNames / Invoke). */
  readonly method?: string | undefined;
  /** EXCEPINFO.scode (or wCode) when Invoke returned DISP_E_EXCEPTION. */
  readonly exceptionCode?: number | undefined;
}

function registerFix(ctx: ComErrorContext): { zh: string; en: string } {
  const lib = ctx.library;
  const regsvr = `C:\\Windows\\SysWOW64\\regsvr32.exe ${ctx.libraryPath}`;
  if (lib && !lib.exists) {
    return {
      zh: `找不到 ${ctx.libraryPath}：請安裝健保讀卡機控制軟體（含 VPN 加值元件），再以系統管理員身分執行 ${regsvr}`,
      en: `${ctx.libraryPath} not found: install the NHI control software (with its VPN value-added component), then run ${regsvr} as administrator`,
    };
  }
  if (lib?.architecture === 'i386' && ctx.processArch !== 'ia32') {
    return {
      zh: `${ctx.libraryPath} 為 32 位元元件，此閘道為 ${ctx.processArch}：請改用 32 位元閘道 nhi-gateway-win-x86.exe（並以系統管理員身分執行 ${regsvr} 註冊）`,
      en: `${ctx.libraryPath} is a 32-bit component and this gateway is ${ctx.processArch}: use the 32-bit gateway nhi-gateway-win-x86.exe (and register the DLL as administrator: ${regsvr})`,
    };
  }
  return {
    zh: `請以系統管理員身分註冊 ${ctx.libraryPath}：${regsvr}（32 位元 Windows 用 C:\\Windows\\System32\\regsvr32.exe）；32 位元元件需搭配 32 位元閘道 nhi-gateway-win-x86.exe`,
    en: `register ${ctx.libraryPath}: run ${regsvr} as administrator (C:\\Windows\\System32\\regsvr32.exe on 32-bit Windows); a 32-bit component needs the 32-bit gateway, nhi-gateway-win-x86.exe`,
  };
}

/**
 * The typed error for a failed COM step. Texts name the step, the HRESULT and the fix; they never contain
 * a random, a signature or patient data (none of those reach this function).
 */
export function comError(hr: number, ctx: ComErrorContext): GatewayError {
  const code = unsignedHresult(hr);
  const what = `${ctx.step}${ctx.method ? ` ${ctx.method}` : ''}`;
  switch (code) {
    case HRESULT.REGDB_E_CLASSNOTREG:
    case HRESULT.CO_E_CLASSSTRING: {
      const fix = registerFix(ctx);
      return gatewayError('SIGNER_UNAVAILABLE', {
        text: {
          zh: `VPN 加值元件 ${ctx.progId} 尚未註冊 (${describeHresult(hr)})`,
          en: `The CsHisX COM object ${ctx.progId} is not registered (${describeHresult(hr)})`,
        },
        hint: fix,
      });
    }
    case HRESULT.ERROR_BAD_EXE_FORMAT:
    case HRESULT.ERROR_MOD_NOT_FOUND:
    case HRESULT.E_ACCESSDENIED:
    case HRESULT.CO_E_SERVER_EXEC_FAILURE:
      return gatewayError('SIGNER_UNAVAILABLE', {
        text: {
          zh: `無法建立 VPN 加值元件 ${ctx.progId} (${what}: ${describeHresult(hr)})`,
          en: `The CsHisX COM object ${ctx.progId} could not be created (${what}: ${describeHresult(hr)})`,
        },
        hint: registerFix(ctx),
      });
    case HRESULT.DISP_E_UNKNOWNNAME:
    case HRESULT.DISP_E_MEMBERNOTFOUND:
      return gatewayError('SIGNER_UNAVAILABLE', {
        text: {
          zh: `此版本 csHisX.dll 沒有 ${ctx.method ?? '所需'} 方法 (${describeHresult(hr)})`,
          en: `This csHisX.dll has no method ${ctx.method ?? '(needed)'} (${describeHresult(hr)})`,
        },
        hint: { zh: '請更新健保讀卡機控制軟體（5.1.5.x 以上）', en: 'Update the NHI control software (5.1.5.x or later)' },
      });
    default: {
      const exception = ctx.exceptionCode !== undefined ? `, exception ${hresultHex(ctx.exceptionCode)}` : '';
      return gatewayError('SIGNER_FAILED', {
        text: {
          zh: `VPN 加值元件呼叫失敗 (${what}: ${describeHresult(hr)}${exception})`,
          en: `A call to the CsHisX COM object failed (${what}: ${describeHresult(hr)}${exception})`,
        },
      });
    }
  }
}

/** A signer that cannot run on this platform at all (COM exists only on Windows). */
export function comUnavailableOnPlatform(platform: string): GatewayError {
  return gatewayError('SIGNER_UNAVAILABLE', {
    text: {
      zh: `VPN 加值元件 (COM) 只能在 Windows 上使用（目前為 ${platform}）`,
      en: `The CsHisX COM signer needs Windows (this is ${platform})`,
    },
    hint: {
      zh: '在 Windows 診間電腦上執行閘道；開發時可用模擬器 (--backend simulator) 搭配測試用 Web API',
      en: 'Run the gateway on the clinic’s Windows PC; for development use the simulator (--backend simulator) with a stand-in Web API',
    },
  });
}
