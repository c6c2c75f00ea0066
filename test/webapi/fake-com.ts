/**
 * A fake CsHisX for Linux: fake ole32/oleaut32 entry points (JS) over the REAL native memory and vtable caller
 * of src/adapters/signer/ole.ts, and a COM object whose vtable holds real native function pointers (koffi
 * registered callbacks with the same prototypes the gateway calls). So the dispatch code runs its actual
 * path — read the vtable pointer, read slot 5/6, call the function pointer with DISPPARAMS/VARIANT/EXCEPINFO
 * laid out in native memory — and the fake decodes that memory independently, as the real component would.
 *
 * It records the call sequence and every BSTR allocated and freed, so tests can prove the order of calls,
 * the reversed argument order, and that nothing leaks.
 */
import { createRequire } from 'node:module';
import {
  DISPATCH_METHOD,
  HRESULT,
  IDISPATCH_SLOT,
  IID_IDISPATCH,
  VT,
  bstrByteLength,
  decodeUtf16,
  dispParamsLayout,
  encodeBstr,
  excepInfoLayout,
  variantLayout,
  type IDispatchMethod,
} from '../../src/adapters/signer/com-layout.ts';
import { COM_PROTOS, nativeMemory, vtableCaller, type OleRuntime } from '../../src/adapters/signer/ole.ts';

const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');

export type FakeMethod = (args: readonly string[]) => string | { readonly hr: number; readonly scode?: number };

export interface FakeComOptions {
  /** CoInitializeEx's answer (RPC_E_CHANGED_MODE: the main thread is already an STA). @default S_OK */
  readonly coInitHr?: number;
  /** false: CLSIDFromProgID answers CO_E_CLASSSTRING (ProgID not registered). @default true */
  readonly registered?: boolean;
  /** CoCreateInstance's answer when not S_OK (e.g. REGDB_E_CLASSNOTREG). */
  readonly createHr?: number;
  readonly methods?: Readonly<Record<string, FakeMethod>>;
}

export const FAKE_RANDOM = '0123456789ABCDEF0123';
export const fakeSignature = (random: string, serviceCode: string) =>
  Buffer.from(`${random}|${serviceCode}|`.padEnd(256, '#')).toString('hex').toUpperCase().slice(0, 512);

export interface FakeCom {
  readonly runtime: OleRuntime;
  /** e.g. ['CoInitializeEx(0)', 'CLSIDFromProgID(CsHisX.nhicshisx.1)', 'CoCreateInstance(IDispatch)', 'GetIDsOfNames(VPNGetRandomX)', 'Invoke(1, [])', …] */
  readonly calls: string[];
  /** Problems the fake saw in what the caller passed (wrong riid, flags, VARIANT types…). */
  readonly violations: string[];
  /** BSTRs allocated and not freed yet. */
  liveBstrs(): number;
  readonly doubleFrees: number;
  refCount(): number;
  close(): void;
}

const hr32 = (hr: number) => hr | 0;

export function createFakeCom(options: FakeComOptions = {}): FakeCom {
  const mem = nativeMemory;
  const ps = mem.pointerSize;
  const calls: string[] = [];
  const violations: string[] = [];
  const live = new Set<bigint>();
  let doubleFrees = 0;
  let refs = 0;
  const methods: Record<string, FakeMethod> = {
    VPNGetRandomX: () => FAKE_RANDOM,
    VPNH_SignX: (args) => fakeSignature(args[0] ?? '', args[2] ?? ''),
    ...options.methods,
  };
  const names = Object.keys(methods);

  const sysAllocString = (text: string): bigint => {
    const bytes = encodeBstr(text);
    const block = mem.alloc(bytes.length);
    mem.write(block, 0, bytes);
    const bstr = block + 4n;
    live.add(bstr);
    return bstr;
  };
  const sysFreeString = (bstr: bigint): void => {
    if (bstr === 0n) return;
    if (!live.delete(bstr)) {
      doubleFrees += 1;
      return;
    }
    mem.free(bstr - 4n);
  };
  const readBstr = (bstr: bigint): string => {
    if (bstr === 0n) return '';
    const length = bstrByteLength(mem.read(bstr - 4n, 0, 4));
    return decodeUtf16(mem.read(bstr, 0, length));
  };
  const readOleString = (address: bigint): string => {
    let length = 0;
    while (length < 512) {
      const unit = mem.read(address, length, 2);
      if (unit[0] === 0 && unit[1] === 0) break;
      length += 2;
    }
    return decodeUtf16(mem.read(address, 0, length));
  };
  const isZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);
  const u16 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint16(0, true);
  const u32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
  const writeU16 = (address: bigint, offset: number, value: number) => {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, value, true);
    mem.write(address, offset, b);
  };
  const writeU32 = (address: bigint, offset: number, value: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    mem.write(address, offset, b);
  };

  // ---- the object: [vtable*] → [7 function pointers] ----
  const impl: Record<IDispatchMethod, (...args: never[]) => number> = {
    QueryInterface: () => hr32(HRESULT.E_NOINTERFACE),
    AddRef: () => ++refs,
    Release: () => {
      calls.push('Release');
      return --refs;
    },
    GetTypeInfoCount: () => 0,
    GetTypeInfo: () => hr32(0x80004001),
    GetIDsOfNames: (_self: bigint, riid: bigint, rgszNames: bigint, cNames: number, _lcid: number, rgDispId: bigint) => {
      if (!isZero(mem.read(riid, 0, 16))) violations.push('GetIDsOfNames: riid is not IID_NULL');
      if (cNames !== 1) violations.push(`GetIDsOfNames: cNames ${cNames}`);
      const name = readOleString(mem.readPointer(rgszNames, 0));
      calls.push(`GetIDsOfNames(${name})`);
      const index = names.indexOf(name);
      if (index < 0) return hr32(HRESULT.DISP_E_UNKNOWNNAME);
      writeU32(rgDispId, 0, index + 1);
      return 0;
    },
    Invoke: (
      _self: bigint, dispId: number, riid: bigint, _lcid: number, flags: number,
      pDispParams: bigint, pVarResult: bigint, pExcepInfo: bigint, _puArgErr: bigint,
    ) => {
      if (!isZero(mem.read(riid, 0, 16))) violations.push('Invoke: riid is not IID_NULL');
      if (flags !== DISPATCH_METHOD) violations.push(`Invoke: wFlags ${flags}`);
      const p = dispParamsLayout(ps);
      const v = variantLayout(ps);
      const rgvarg = mem.readPointer(pDispParams, p.offsets.rgvarg);
      const cArgs = u32(mem.read(pDispParams, p.offsets.cArgs, 4));
      if (u32(mem.read(pDispParams, p.offsets.cNamedArgs, 4)) !== 0) violations.push('Invoke: named arguments');
      const reversed: string[] = [];
      for (let i = 0; i < cArgs; i++) {
        const vt = u16(mem.read(rgvarg, i * v.size + v.offsets.vt, 2));
        if (vt !== VT.BSTR) violations.push(`Invoke: argument ${i} has VARTYPE ${vt}`);
        reversed.push(readBstr(mem.readPointer(rgvarg, i * v.size + v.offsets.value)));
      }
      const args = reversed.reverse(); // DISPPARAMS holds them last-first
      const name = names[dispId - 1];
      calls.push(`Invoke(${name ?? dispId}, [${args.join(',')}])`);
      const method = name ? methods[name] : undefined;
      if (!method) return hr32(HRESULT.DISP_E_MEMBERNOTFOUND);
      const result = method(args);
      if (typeof result !== 'string') {
        if (result.scode !== undefined && pExcepInfo) {
          const e = excepInfoLayout(ps);
          writeU32(pExcepInfo, e.offsets.scode, result.scode);
          mem.writePointer(pExcepInfo, e.offsets.bstrDescription, sysAllocString('component error text'));
        }
        return hr32(result.hr);
      }
      if (u16(mem.read(pVarResult, v.offsets.vt, 2)) !== VT.EMPTY) violations.push('Invoke: result VARIANT not initialised to VT_EMPTY');
      writeU16(pVarResult, v.offsets.vt, VT.BSTR);
      mem.writePointer(pVarResult, v.offsets.value, sysAllocString(result));
      return 0;
    },
  };
  const registered: bigint[] = [];
  const vtable = mem.alloc(7 * ps);
  for (const [method, fn] of Object.entries(impl) as [IDispatchMethod, (...a: never[]) => number][]) {
    const pointer = koffi.register(fn, koffi.pointer(COM_PROTOS[method])) as unknown as bigint;
    registered.push(pointer);
    mem.writePointer(vtable, IDISPATCH_SLOT[method] * ps, pointer);
  }
  const object = mem.alloc(ps);
  mem.writePointer(object, 0, vtable);

  const runtime: OleRuntime = {
    memory: mem,
    vtable: vtableCaller,
    entry: {
      coInitializeEx: (coInit) => {
        calls.push(`CoInitializeEx(${coInit})`);
        return hr32(options.coInitHr ?? 0);
      },
      clsidFromProgId: (progId, out) => {
        calls.push(`CLSIDFromProgID(${progId})`);
        if (options.registered === false || progId !== 'CsHisX.nhicshisx.1') return hr32(HRESULT.CO_E_CLASSSTRING);
        mem.write(out, 0, new Uint8Array(16).fill(0x42));
        return 0;
      },
      coCreateInstance: (clsid, _ctx, iid, ppv) => {
        const wanted = mem.read(iid, 0, 16);
        calls.push(`CoCreateInstance(${Buffer.from(wanted).equals(Buffer.from(IID_IDISPATCH)) ? 'IDispatch' : 'other IID'})`);
        if (!mem.read(clsid, 0, 16).every((b) => b === 0x42)) violations.push('CoCreateInstance: not the CLSID from CLSIDFromProgID');
        if (options.createHr !== undefined) return hr32(options.createHr);
        refs = 1;
        mem.writePointer(ppv, 0, object);
        return 0;
      },
      sysAllocString,
      sysFreeString,
      variantClear: (variant) => {
        const v = variantLayout(ps);
        if (u16(mem.read(variant, v.offsets.vt, 2)) === VT.BSTR) sysFreeString(mem.readPointer(variant, v.offsets.value));
        writeU16(variant, v.offsets.vt, VT.EMPTY);
        return 0;
      },
    },
  };

  return {
    runtime,
    calls,
    violations,
    liveBstrs: () => live.size,
    get doubleFrees() {
      return doubleFrees;
    },
    refCount: () => refs,
    close() {
      for (const pointer of registered) koffi.unregister(pointer);
      mem.free(object);
      mem.free(vtable);
    },
  };
}
