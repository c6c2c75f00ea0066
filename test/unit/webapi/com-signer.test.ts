/**
 * The CsHisX COM signer on Linux: the pure parts (layouts per arch, GUIDs, BSTRs, HRESULT mapping) and the
 * real vtable path against a fake COM object made of koffi callbacks (test/webapi/fake-com.ts).
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import {
  HRESULT,
  IID_IDISPATCH,
  comError,
  decodeUtf16,
  describeHresult,
  dispParamsLayout,
  encodeBstr,
  bstrByteLength,
  excepInfoLayout,
  guidBytes,
  variantLayout,
} from '../../../src/adapters/signer/com-layout.ts';
import { ComSigner } from '../../../src/adapters/signer/com-signer.ts';
import { DispatchClient } from '../../../src/adapters/signer/dispatch.ts';
import { createFakeCom, FAKE_RANDOM, fakeSignature, type FakeCom } from '../../webapi/fake-com.ts';

const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');

describe('COM layouts', () => {
  it('match the C ABI of this (64-bit) machine, checked through koffi', () => {
    // The same declarations as oaidl.h; koffi lays them out with the platform's C rules.
    const VARIANT = koffi.struct({
      vt: 'uint16_t', r1: 'uint16_t', r2: 'uint16_t', r3: 'uint16_t',
      value: koffi.union({ llVal: 'int64_t', bstrVal: 'void *', brecord: koffi.struct({ pvRecord: 'void *', pRecInfo: 'void *' }) }),
    });
    const DISPPARAMS = koffi.struct({ rgvarg: 'void *', rgdispidNamedArgs: 'void *', cArgs: 'uint32_t', cNamedArgs: 'uint32_t' });
    const EXCEPINFO = koffi.struct({
      wCode: 'uint16_t', wReserved: 'uint16_t', bstrSource: 'void *', bstrDescription: 'void *', bstrHelpFile: 'void *',
      dwHelpContext: 'uint32_t', pvReserved: 'void *', pfnDeferredFillIn: 'void *', scode: 'int32_t',
    });
    expect(koffi.sizeof('void *')).toBe(8);
    expect(variantLayout(8)).toMatchObject({ size: koffi.sizeof(VARIANT), offsets: { vt: 0, value: koffi.offsetof(VARIANT, 'value') } });
    const dp = dispParamsLayout(8);
    expect(dp.size).toBe(koffi.sizeof(DISPPARAMS));
    for (const f of ['rgvarg', 'rgdispidNamedArgs', 'cArgs', 'cNamedArgs'] as const) expect(dp.offsets[f]).toBe(koffi.offsetof(DISPPARAMS, f));
    const ex = excepInfoLayout(8);
    expect(ex.size).toBe(koffi.sizeof(EXCEPINFO));
    for (const f of ['wCode', 'bstrSource', 'bstrDescription', 'bstrHelpFile', 'dwHelpContext', 'pvReserved', 'pfnDeferredFillIn', 'scode'] as const) {
      expect([f, ex.offsets[f]]).toEqual([f, koffi.offsetof(EXCEPINFO, f)]);
    }
  });

  it('give the sizes Windows documents for Win32 and Win64', () => {
    // sizeof(VARIANT) is 16 on Win32 and 24 on Win64; DISPPARAMS 16 / 24; EXCEPINFO 32 / 64.
    expect([variantLayout(4).size, variantLayout(8).size]).toEqual([16, 24]);
    expect(variantLayout(4).offsets.value).toBe(8);
    expect([dispParamsLayout(4).size, dispParamsLayout(8).size]).toEqual([16, 24]);
    expect(dispParamsLayout(4).offsets).toEqual({ rgvarg: 0, rgdispidNamedArgs: 4, cArgs: 8, cNamedArgs: 12 });
    expect([excepInfoLayout(4).size, excepInfoLayout(8).size]).toEqual([32, 64]);
    expect(excepInfoLayout(4).offsets).toMatchObject({ bstrSource: 4, bstrDescription: 8, dwHelpContext: 16, scode: 28 });
    expect(excepInfoLayout(8).offsets).toMatchObject({ bstrSource: 8, bstrDescription: 16, dwHelpContext: 32, pvReserved: 40, scode: 56 });
  });

  it('encodes GUIDs with little-endian Data1-3 and BSTRs with a byte-count prefix', () => {
    expect(Buffer.from(IID_IDISPATCH).toString('hex')).toBe('0004020000000000c000000000000046');
    expect(Buffer.from(guidBytes('{12345678-9ABC-DEF0-0102-030405060708}')).toString('hex')).toBe('78563412bc9af0de0102030405060708');
    expect(() => guidBytes('not-a-guid')).toThrow();
    const bstr = encodeBstr('VPNH_SignX 醫');
    expect(bstrByteLength(bstr)).toBe(2 * 'VPNH_SignX 醫'.length);
    expect([...bstr.subarray(bstr.length - 2)]).toEqual([0, 0]);
    expect(decodeUtf16(bstr.subarray(4, 4 + bstrByteLength(bstr)))).toBe('VPNH_SignX 醫');
  });

  it('maps HRESULTs to typed errors with the fix, and never to a bare number', () => {
    const ctx = { progId: 'CsHisX.nhicshisx.1', libraryPath: 'C:\\NHI\\LIB\\csHisX.dll', processArch: 'ia32' } as const;
    const notRegistered = comError(HRESULT.REGDB_E_CLASSNOTREG | 0, { ...ctx, step: 'CoCreateInstance' });
    expect(notRegistered).toMatchObject({ code: 'SIGNER_UNAVAILABLE', category: 'SAM', retryable: false });
    expect(notRegistered.messageEn).toContain('REGDB_E_CLASSNOTREG 0x80040154');
    expect(notRegistered.hintEn).toContain('regsvr32.exe C:\\NHI\\LIB\\csHisX.dll');
    expect(comError(HRESULT.CO_E_CLASSSTRING, { ...ctx, step: 'CLSIDFromProgID' }).messageEn).toContain('CO_E_CLASSSTRING 0x800401F3');
    // A 64-bit gateway with a 32-bit csHisX.dll: registering alone will not help.
    const wrongBitness = comError(HRESULT.REGDB_E_CLASSNOTREG, { ...ctx, processArch: 'x64', library: { exists: true, architecture: 'i386' }, step: 'CoCreateInstance' });
    expect(wrongBitness.hintEn).toContain('nhi-gateway-win-x86.exe');
    expect(comError(HRESULT.REGDB_E_CLASSNOTREG, { ...ctx, library: { exists: false }, step: 'CoCreateInstance' }).hintEn).toContain('not found');
    expect(comError(HRESULT.DISP_E_UNKNOWNNAME, { ...ctx, step: 'GetIDsOfNames', method: 'VPNH_SignX' }).messageEn).toContain('no method VPNH_SignX');
    const exception = comError(HRESULT.DISP_E_EXCEPTION, { ...ctx, step: 'Invoke', method: 'VPNH_SignX', exceptionCode: 0x80004005 });
    expect(exception).toMatchObject({ code: 'SIGNER_FAILED', retryable: true });
    expect(exception.messageEn).toContain('exception 0x80004005');
    expect(describeHresult(0x8000ffff)).toBe('0x8000FFFF');
  });
});

describe('ComSigner through a fake vtable (koffi callbacks)', () => {
  let fake: FakeCom | null = null;
  afterEach(() => {
    fake?.close();
    fake = null;
  });

  it.each([
    ['MTA, calls on koffi worker threads', 0, 'async'],
    ['main thread already an STA (RPC_E_CHANGED_MODE), calls on it', HRESULT.RPC_E_CHANGED_MODE | 0, 'sync'],
  ] as const)('signs: %s', async (_name, coInitHr, mode) => {
    fake = createFakeCom({ coInitHr });
    const f = fake;
    const probe = await DispatchClient.create(f.runtime, { progId: 'CsHisX.nhicshisx.1', libraryPath: 'x', processArch: 'x64' });
    expect(probe.mode).toBe(mode);
    await probe.release();
    f.calls.length = 0;
    const signer = new ComSigner({ loadRuntime: () => f.runtime });
    const signature = await signer.sign('12');
    expect(signature).toMatchObject({ clientRandom: FAKE_RANDOM, signature: fakeSignature(FAKE_RANDOM, '12'), serviceCode: '12' });
    expect(f.calls).toEqual([
      'CoInitializeEx(0)',
      'CLSIDFromProgID(CsHisX.nhicshisx.1)',
      'CoCreateInstance(IDispatch)',
      'GetIDsOfNames(VPNGetRandomX)',
      'Invoke(VPNGetRandomX, [])',
      'GetIDsOfNames(VPNH_SignX)',
      // The fake reverses rgvarg back: the gateway put the arguments last-first, as DISPPARAMS requires.
      `Invoke(VPNH_SignX, [${FAKE_RANDOM},3,12])`,
    ]);
    expect(f.violations).toEqual([]);
    // Every BSTR freed: the three arguments by the gateway, both results by VariantClear.
    expect(f.liveBstrs()).toBe(0);
    expect(f.doubleFrees).toBe(0);

    await signer.sign('11'); // DISPIDs are cached: no second GetIDsOfNames
    expect(f.calls.slice(7)).toEqual(['Invoke(VPNGetRandomX, [])', `Invoke(VPNH_SignX, [${FAKE_RANDOM},3,11])`]);
    expect(await signer.status()).toEqual({ ready: true });
    await signer[Symbol.asyncDispose]();
    expect(f.calls.at(-1)).toBe('Release');
    expect(f.refCount()).toBe(0);
  });

  it('reports an unregistered class on status with the regsvr32 fix, and recovers once it is registered', async () => {
    let registered = false;
    const fakes: FakeCom[] = [];
    const signer = new ComSigner({
      loadRuntime: () => {
        const f = createFakeCom(registered ? {} : { createHr: HRESULT.REGDB_E_CLASSNOTREG });
        fakes.push(f);
        return f.runtime;
      },
    });
    const status = await signer.status();
    expect(status.ready).toBe(false);
    if (status.ready) return;
    expect(status.error.code).toBe('SIGNER_UNAVAILABLE');
    expect(status.reason).toMatch(/^SIGNER_UNAVAILABLE: The CsHisX COM object CsHisX\.nhicshisx\.1 is not registered \(REGDB_E_CLASSNOTREG 0x80040154\)/);
    expect(status.reason).toContain('regsvr32.exe C:\\NHI\\LIB\\csHisX.dll');
    await expect(signer.sign('11')).rejects.toMatchObject({ code: 'SIGNER_UNAVAILABLE' });
    registered = true; // "after regsvr32": the next call tries again
    await expect(signer.sign('11')).resolves.toMatchObject({ clientRandom: FAKE_RANDOM });
    await signer[Symbol.asyncDispose]();
    for (const f of fakes) f.close();
  });

  it('turns DISP_E_EXCEPTION into SIGNER_FAILED and still frees the exception’s BSTRs and the arguments', async () => {
    fake = createFakeCom({ methods: { VPNH_SignX: () => ({ hr: HRESULT.DISP_E_EXCEPTION, scode: 0x80004005 }) } });
    const f = fake;
    const signer = new ComSigner({ loadRuntime: () => f.runtime });
    await expect(signer.sign('11')).rejects.toMatchObject({ code: 'SIGNER_FAILED', messageEn: expect.stringContaining('exception 0x80004005') });
    expect(f.liveBstrs()).toBe(0);
    await signer[Symbol.asyncDispose]();
  });

  it('refuses what is not a random or a signature, showing a short return code but never a value', async () => {
    fake = createFakeCom({ methods: { VPNH_SignX: () => '9240' } });
    const f = fake;
    const signer = new ComSigner({ loadRuntime: () => f.runtime });
    await expect(signer.sign('11')).rejects.toMatchObject({ code: 'SIGNER_FAILED', messageEn: 'VPNH_SignX did not return a 512-character hex signature (returned 9240)' });
    const g = createFakeCom({ methods: { VPNGetRandomX: () => 'short' } });
    const other = new ComSigner({ loadRuntime: () => g.runtime });
    const error = (await other.sign('11').then(() => new Error('signed'), (e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'SIGNER_FAILED' });
    expect(error.message).not.toContain('short');
    await other[Symbol.asyncDispose]();
    g.close();
    await signer[Symbol.asyncDispose]();
  });

  it('serialises signings: two at once never interleave their random/sign pairs', async () => {
    fake = createFakeCom();
    const f = fake;
    const signer = new ComSigner({ loadRuntime: () => f.runtime });
    await Promise.all([signer.sign('11'), signer.sign('12')]);
    const invokes = f.calls.filter((c) => c.startsWith('Invoke'));
    expect(invokes).toEqual([
      'Invoke(VPNGetRandomX, [])',
      `Invoke(VPNH_SignX, [${FAKE_RANDOM},3,11])`,
      'Invoke(VPNGetRandomX, [])',
      `Invoke(VPNH_SignX, [${FAKE_RANDOM},3,12])`,
    ]);
    await signer[Symbol.asyncDispose]();
  });

  it('says COM needs Windows instead of loading ole32 elsewhere', async () => {
    const signer = new ComSigner({ platform: 'linux' });
    const status = await signer.status();
    expect(status).toMatchObject({ ready: false, error: { code: 'SIGNER_UNAVAILABLE' } });
    if (!status.ready) expect(status.reason).toContain('needs Windows');
  });
});
