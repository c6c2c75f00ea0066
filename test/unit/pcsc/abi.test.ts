/**
 * SCARD_READERSTATE and SCARD_IO_REQUEST per platform (docs/pcsc.md (The native layer and its ABI) table): the documented numbers for every
 * ABI, koffi's own layout on this host, and koffi's layout of the other platforms' field types where the host can
 * express them (same pointer width, or 4-byte pointers modelled as uint32).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PCSC_ABIS, abiFor, layoutStruct, type PcscAbiId } from '../../../src/adapters/pcsc/abi.ts';
import { checkLayouts, koffiTypesFor, splitMultiString, createNativePcscPort } from '../../../src/adapters/pcsc/native.ts';
import { codeOf, toUint32, CONTEXT_DEAD_CODES, RETURN_CODES } from '../../../src/adapters/pcsc/codes.ts';

const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');

/** From the headers: winscard.h (Windows SDK), pcsclite.h (pcsc-lite 1.9), PCSC.framework (pack(1)). */
const DOCUMENTED: Record<
  PcscAbiId,
  { readerState: { size: number; offsets: [number, number, number, number, number, number] }; ioRequest: number; dword: number; handle: number; atr: number }
> = {
  'win32-x64': { readerState: { size: 64, offsets: [0, 8, 16, 20, 24, 28] }, ioRequest: 8, dword: 4, handle: 8, atr: 36 },
  'win32-arm64': { readerState: { size: 64, offsets: [0, 8, 16, 20, 24, 28] }, ioRequest: 8, dword: 4, handle: 8, atr: 36 },
  'win32-ia32': { readerState: { size: 56, offsets: [0, 4, 8, 12, 16, 20] }, ioRequest: 8, dword: 4, handle: 4, atr: 36 },
  'linux-x64': { readerState: { size: 80, offsets: [0, 8, 16, 24, 32, 40] }, ioRequest: 16, dword: 8, handle: 8, atr: 33 },
  'linux-arm64': { readerState: { size: 80, offsets: [0, 8, 16, 24, 32, 40] }, ioRequest: 16, dword: 8, handle: 8, atr: 33 },
  'linux-ia32': { readerState: { size: 56, offsets: [0, 4, 8, 12, 16, 20] }, ioRequest: 8, dword: 4, handle: 4, atr: 33 },
  'darwin-x64': { readerState: { size: 61, offsets: [0, 8, 16, 20, 24, 28] }, ioRequest: 8, dword: 4, handle: 4, atr: 33 },
  'darwin-arm64': { readerState: { size: 61, offsets: [0, 8, 16, 20, 24, 28] }, ioRequest: 8, dword: 4, handle: 4, atr: 33 },
};

const FIELDS = ['szReader', 'pvUserData', 'dwCurrentState', 'dwEventState', 'cbAtr', 'rgbAtr'] as const;

describe('PC/SC ABI data (abi.ts)', () => {
  it.each(Object.keys(DOCUMENTED) as PcscAbiId[])('%s matches the headers', (id) => {
    const abi = PCSC_ABIS[id];
    const doc = DOCUMENTED[id];
    expect(abi.readerState.size).toBe(doc.readerState.size);
    expect(FIELDS.map((f) => abi.readerState.offsets[f])).toEqual(doc.readerState.offsets);
    expect(abi.ioRequest.size).toBe(doc.ioRequest);
    expect(abi.ioRequest.offsets).toEqual({ dwProtocol: 0, cbPciLength: doc.dword });
    expect(abi.dwordSize).toBe(doc.dword);
    expect(abi.handleSize).toBe(doc.handle);
    expect(abi.maxAtrSize).toBe(doc.atr);
  });

  it('names the library, calling convention and string suffix per platform', () => {
    expect(PCSC_ABIS['win32-ia32']).toMatchObject({ library: 'winscard.dll', callingConvention: '__stdcall', stringSuffix: 'A', longSize: 4 });
    expect(PCSC_ABIS['linux-x64']).toMatchObject({ library: 'libpcsclite.so.1', callingConvention: '__cdecl', stringSuffix: '', longSize: 8 });
    expect(PCSC_ABIS['darwin-arm64']).toMatchObject({ library: '/System/Library/Frameworks/PCSC.framework/PCSC', pack: 1, longSize: 4 });
    expect(abiFor('linux', 'x64')?.id).toBe('linux-x64');
    expect(abiFor('win32', 'ia32')?.id).toBe('win32-ia32');
    expect(abiFor('aix', 'ppc64')).toBeNull();
  });

  it('lays out structs like a C compiler, with and without pack(1)', () => {
    const fields = [
      ['a', { size: 1, align: 1 }],
      ['b', { size: 8, align: 8 }],
      ['c', { size: 4, align: 4 }],
    ] as const;
    expect(layoutStruct(fields)).toEqual({ size: 24, align: 8, offsets: { a: 0, b: 8, c: 16 } });
    expect(layoutStruct(fields, 1)).toEqual({ size: 13, align: 1, offsets: { a: 0, b: 1, c: 9 } });
  });
});

describe('koffi agrees with abi.ts', () => {
  const host = abiFor(process.platform, process.arch);

  it('on this host (the types native.ts loads the library with)', () => {
    expect(host, `no PC/SC ABI for ${process.platform}-${process.arch}`).not.toBeNull();
    const types = koffiTypesFor(host!);
    expect(() => checkLayouts(host!, types)).not.toThrow();
    expect(koffi.sizeof(types.readerState)).toBe(host!.readerState.size);
    for (const f of FIELDS) expect(koffi.offsetof(types.readerState, f)).toBe(host!.readerState.offsets[f]);
    expect(koffi.sizeof(types.ioRequest)).toBe(host!.ioRequest.size);
  });

  it('for every other ABI with the host’s pointer width, built from its own field widths', () => {
    const pointer = koffi.sizeof('void *');
    const checked: string[] = [];
    for (const abi of Object.values(PCSC_ABIS)) {
      if (abi.pointerSize !== pointer) continue;
      expect(() => checkLayouts(abi, koffiTypesFor(abi)), abi.id).not.toThrow();
      checked.push(abi.id);
    }
    // A 64-bit host checks Windows x64 (4-byte DWORD), pcsc-lite LP64 (8-byte) and macOS (packed) alike.
    if (pointer === 8) expect(checked).toEqual(expect.arrayContaining(['win32-x64', 'linux-x64', 'darwin-arm64']));
  });

  it('for the 32-bit ABIs, modelling pointers as uint32', () => {
    for (const id of ['win32-ia32', 'linux-ia32'] as const) {
      const abi = PCSC_ABIS[id];
      const type = koffi.struct({
        szReader: 'uint32',
        pvUserData: 'uint32',
        dwCurrentState: 'uint32',
        dwEventState: 'uint32',
        cbAtr: 'uint32',
        rgbAtr: koffi.array('uint8', abi.maxAtrSize),
      });
      expect(koffi.sizeof(type), id).toBe(abi.readerState.size);
      for (const f of FIELDS) expect(koffi.offsetof(type, f), `${id}.${f}`).toBe(abi.readerState.offsets[f]);
    }
  });

  it('catches a wrong layout instead of corrupting memory', () => {
    const wrong = { ...PCSC_ABIS['linux-x64'], readerState: { ...PCSC_ABIS['linux-x64'].readerState, size: 64 } };
    expect(() => checkLayouts(wrong, koffiTypesFor(PCSC_ABIS['linux-x64']))).toThrow(/SCARD_READERSTATE size 80 ≠ 64/);
  });
});

describe('return codes and reader lists', () => {
  it('normalises LONG return codes of any width and sign', () => {
    expect(codeOf(0x8010001d)).toBe('SCARD_E_NO_SERVICE'); // pcsc-lite LP64: a positive 64-bit long
    expect(codeOf(-2146435043)).toBe('SCARD_E_NO_SERVICE'); // Windows: a negative 32-bit LONG
    expect(codeOf(0x8010001dn)).toBe('SCARD_E_NO_SERVICE');
    expect(codeOf(0x80100099)).toBe('UNKNOWN');
    expect(toUint32(-1)).toBe(0xffffffff);
    expect(RETURN_CODES.SCARD_W_REMOVED_CARD).toBe(0x80100069);
    for (const code of ['SCARD_E_NO_SERVICE', 'SCARD_E_SERVICE_STOPPED', 'SCARD_F_COMM_ERROR', 'SCARD_E_INVALID_HANDLE'] as const) {
      expect(CONTEXT_DEAD_CODES.has(code)).toBe(true);
    }
    expect(CONTEXT_DEAD_CODES.has('SCARD_E_TIMEOUT')).toBe(false);
  });

  it('splits SCardListReaders multi-strings', () => {
    const bytes = Buffer.from('Reader A 00 00\0Reader B 00 01\0\0', 'utf8');
    expect(splitMultiString(bytes)).toEqual(['Reader A 00 00', 'Reader B 00 01']);
    expect(splitMultiString(Buffer.from('\0'))).toEqual([]);
  });

  it('reports a missing library as LIBRARY_UNAVAILABLE, and tries again on the next call', async () => {
    const port = createNativePcscPort({ library: '/nonexistent/libpcsclite-test.so.1' });
    for (let i = 0; i < 2; i++) {
      await expect(port.establishContext()).rejects.toMatchObject({ name: 'PcscError', code: 'LIBRARY_UNAVAILABLE', rc: null });
    }
    expect(port.info).toMatchObject({ library: '/nonexistent/libpcsclite-test.so.1', wine: false });
    expect(() => port.cancel(1n)).not.toThrow(); // nothing loaded, nothing to cancel
  });
});
