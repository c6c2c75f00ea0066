/**
 * Late-bound calls to an automation object (IDispatch) by method name with string arguments and a string
 * result — all CsHisX needs (docs/reference/webapi.md (CsHisX): VPNGetRandomX(), VPNH_SignX(BSTR, BSTR, BSTR) → BSTR).
 *
 * The sequence is the one every late-binding client performs (VB's CreateObject, jacob's Dispatch, S4's
 * win32com): CoInitializeEx → CLSIDFromProgID → CoCreateInstance(IID_IDispatch) → per method
 * GetIDsOfNames → Invoke(DISPATCH_METHOD) with the arguments as VT_BSTR VARIANTs in REVERSE order (DISPPARAMS
 * rule), result VARIANT VT_BSTR → VariantClear; Release at the end.
 *
 * Threading: the main thread joins the multi-threaded apartment. CsHisX is an in-process component; if it is
 * apartment-threaded, COM creates it in a host STA with its own message loop and hands us a proxy, so calls
 * may come from koffi's worker threads (implicitly MTA) and a slow VPNH_SignX (the cloud SAM talks to NHI's
 * IDC) never blocks the event loop. If the main thread already was in an STA (RPC_E_CHANGED_MODE), the
 * object lives in that STA and must be called on the main thread: calls are then synchronous.
 */
import {
  CLSCTX_INPROC_SERVER,
  CLSCTX_LOCAL_SERVER,
  COINIT_MULTITHREADED,
  DISPATCH_METHOD,
  HRESULT,
  IID_IDISPATCH,
  IID_NULL,
  LOCALE_USER_DEFAULT,
  VT,
  bstrByteLength,
  comError,
  decodeUtf16,
  dispParamsLayout,
  encodeOleString,
  excepInfoLayout,
  failed,
  unsignedHresult,
  variantLayout,
  type ComErrorContext,
} from './com-layout.ts';
import type { OleRuntime } from './ole.ts';
import { gatewayError } from '../../errors/gateway-codes.ts';

export type ErrorContextBase = Omit<ComErrorContext, 'step' | 'method' | 'exceptionCode'>;

export class DispatchClient {
  private readonly dispIds = new Map<string, number>();
  private released = false;

  private constructor(
    private readonly ole: OleRuntime,
    private readonly self: bigint,
    /** 'async' in the MTA, 'sync' when the main thread is an STA (see the module comment). */
    readonly mode: 'sync' | 'async',
    private readonly context: ErrorContextBase,
  ) {}

  /** CoInitializeEx + CLSIDFromProgID + CoCreateInstance(IID_IDispatch). Rejects with a typed error. */
  static async create(ole: OleRuntime, context: ErrorContextBase): Promise<DispatchClient> {
    const { entry, memory } = ole;
    const init = entry.coInitializeEx(COINIT_MULTITHREADED);
    // S_OK / S_FALSE: this thread is (now) in the MTA. RPC_E_CHANGED_MODE: it was already an STA — fine,
    // but then the object must be called on this thread.
    const mode = unsignedHresult(init) === HRESULT.RPC_E_CHANGED_MODE ? 'sync' : 'async';
    if (mode === 'async' && failed(init)) throw comError(init, { ...context, step: 'CoInitializeEx' });

    const clsid = memory.alloc(16);
    const iid = memory.alloc(16);
    const ppv = memory.alloc(memory.pointerSize);
    try {
      const hrClsid = entry.clsidFromProgId(context.progId, clsid);
      if (failed(hrClsid)) throw comError(hrClsid, { ...context, step: 'CLSIDFromProgID' });
      memory.write(iid, 0, IID_IDISPATCH);
      const hrCreate = entry.coCreateInstance(clsid, CLSCTX_INPROC_SERVER | CLSCTX_LOCAL_SERVER, iid, ppv);
      if (failed(hrCreate)) throw comError(hrCreate, { ...context, step: 'CoCreateInstance' });
      const self = memory.readPointer(ppv, 0);
      if (self === 0n) throw comError(HRESULT.E_NOINTERFACE, { ...context, step: 'CoCreateInstance' });
      return new DispatchClient(ole, self, mode, context);
    } finally {
      memory.free(clsid);
      memory.free(iid);
      memory.free(ppv);
    }
  }

  /** DISPID of a method (GetIDsOfNames, cached). */
  async dispId(name: string): Promise<number> {
    const cached = this.dispIds.get(name);
    if (cached !== undefined) return cached;
    const { memory } = this.ole;
    const nameBytes = encodeOleString(name);
    const nameMem = memory.alloc(nameBytes.length);
    const names = memory.alloc(memory.pointerSize);
    const riid = memory.alloc(16);
    const out = memory.alloc(4);
    try {
      memory.write(nameMem, 0, nameBytes);
      memory.writePointer(names, 0, nameMem);
      memory.write(riid, 0, IID_NULL);
      const hr = await this.ole.vtable.call(this.self, 'GetIDsOfNames', [riid, names, 1, LOCALE_USER_DEFAULT, out], this.mode);
      if (failed(hr)) throw comError(hr, { ...this.context, step: 'GetIDsOfNames', method: name });
      const id = new DataView(memory.read(out, 0, 4).buffer).getInt32(0, true);
      this.dispIds.set(name, id);
      return id;
    } finally {
      memory.free(nameMem);
      memory.free(names);
      memory.free(riid);
      memory.free(out);
    }
  }

  /**
   * Invokes a method with string arguments and returns its string result. Every BSTR the gateway allocates
   * is freed, and the result VARIANT is cleared, whatever happens.
   */
  async callString(name: string, args: readonly string[]): Promise<string> {
    if (this.released) throw new Error('DispatchClient used after release');
    const dispId = await this.dispId(name);
    const { memory, entry } = this.ole;
    const ps = memory.pointerSize;
    const variant = variantLayout(ps);
    const params = dispParamsLayout(ps);
    const excep = excepInfoLayout(ps);

    const argBstrs: bigint[] = [];
    const rgvarg = args.length > 0 ? memory.alloc(variant.size * args.length) : 0n;
    const dispParams = memory.alloc(params.size);
    const result = memory.alloc(variant.size);
    const excepInfo = memory.alloc(excep.size);
    const argErr = memory.alloc(4);
    const riid = memory.alloc(16);
    try {
      // DISPPARAMS holds the arguments right to left: rgvarg[0] is the LAST argument.
      args.forEach((arg, index) => {
        const bstr = entry.sysAllocString(arg);
        if (bstr === 0n) throw gatewayError('SIGNER_FAILED', { text: { zh: 'SysAllocString 失敗（記憶體不足）', en: 'SysAllocString failed (out of memory)' } });
        argBstrs.push(bstr);
        const slot = args.length - 1 - index;
        const at = slot * variant.size;
        memory.write(rgvarg, at + variant.offsets.vt, u16(VT.BSTR));
        memory.writePointer(rgvarg, at + variant.offsets.value, bstr);
      });
      memory.writePointer(dispParams, params.offsets.rgvarg, rgvarg);
      memory.writePointer(dispParams, params.offsets.rgdispidNamedArgs, 0n);
      memory.write(dispParams, params.offsets.cArgs, u32(args.length));
      memory.write(dispParams, params.offsets.cNamedArgs, u32(0));
      memory.write(riid, 0, IID_NULL);

      const hr = await this.ole.vtable.call(
        this.self,
        'Invoke',
        [dispId, riid, LOCALE_USER_DEFAULT, DISPATCH_METHOD, dispParams, result, excepInfo, argErr],
        this.mode,
      );
      if (failed(hr)) {
        let exceptionCode: number | undefined;
        if (unsignedHresult(hr) === HRESULT.DISP_E_EXCEPTION) {
          const scode = readU32(memory.read(excepInfo, excep.offsets.scode, 4));
          const wCode = readU16(memory.read(excepInfo, excep.offsets.wCode, 2));
          exceptionCode = scode !== 0 ? scode : wCode;
          // The component allocated these; their text is not shown (it could be anything), only freed.
          for (const field of ['bstrSource', 'bstrDescription', 'bstrHelpFile'] as const) {
            const bstr = memory.readPointer(excepInfo, excep.offsets[field]);
            if (bstr !== 0n) entry.sysFreeString(bstr);
          }
        }
        throw comError(hr, { ...this.context, step: 'Invoke', method: name, exceptionCode });
      }
      const vt = readU16(memory.read(result, variant.offsets.vt, 2));
      if (vt !== VT.BSTR) {
        throw gatewayError('SIGNER_FAILED', {
          text: {
            zh: `${name} 回傳的型別不是字串 (VARTYPE ${vt})`,
            en: `${name} returned a VARIANT of type ${vt}, not a string (VT_BSTR)`,
          },
        });
      }
      return this.readBstr(memory.readPointer(result, variant.offsets.value));
    } finally {
      for (const bstr of argBstrs) entry.sysFreeString(bstr);
      entry.variantClear(result);
      if (rgvarg !== 0n) memory.free(rgvarg);
      memory.free(dispParams);
      memory.free(result);
      memory.free(excepInfo);
      memory.free(argErr);
      memory.free(riid);
    }
  }

  /** IUnknown::Release. Synchronous: it runs at shutdown and must finish before the process exits. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.ole.vtable.call(this.self, 'Release', [], 'sync');
  }

  private readBstr(bstr: bigint): string {
    if (bstr === 0n) return ''; // a NULL BSTR is the empty string
    const length = bstrByteLength(this.ole.memory.read(bstr - 4n, 0, 4));
    return decodeUtf16(this.ole.memory.read(bstr, 0, length));
  }
}

function u16(value: number): Uint8Array {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, value, true);
  return out;
}
function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}
function readU16(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 2).getUint16(0, true);
}
function readU32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
}
