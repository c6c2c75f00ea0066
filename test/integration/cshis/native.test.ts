/**
 * The koffi layer (src/adapters/cshis/native.ts) against the real native fixture: declarations, missing
 * exports, the HisGetEmergentTel fallback, the bitness check on the mingw DLLs, and a negative control
 * proving the fixture's overlap counter does detect concurrent calls.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LibraryLoadError, MissingExportError, WrongBitnessError } from '../../../src/adapters/cshis/errors.ts';
import {
  CSHIS_EXPORT_NAMES,
  loadCshisLibrary,
  loadFixtureControls,
  type CshisLibrary,
  type FixtureControls,
} from '../../../src/adapters/cshis/native.ts';
import { readPeHeaderFromFile, readPeMachine } from '../../../src/adapters/cshis/pe.ts';
import {
  FIXTURE_SO,
  MINIMAL_SO,
  WIN_IA32_DLL,
  WIN_X64_DLL,
  ascii,
  basicData,
  ensureFixtureBuilt,
  mingwInstalled,
  registerData,
} from './helpers.ts';

let lib: CshisLibrary;
let fx: FixtureControls;

beforeAll(() => {
  ensureFixtureBuilt();
  lib = loadCshisLibrary(FIXTURE_SO);
  fx = loadFixtureControls(lib);
});

beforeEach(() => fx.reset());

describe('loadCshisLibrary on the fixture', () => {
  it('declares every export of docs/reference/functions.md and the fixture exports exactly those', () => {
    expect(lib.missingExports).toEqual([]);
    expect(lib.aliasedExports).toEqual({});
    expect(lib.pe).toBeNull(); // an ELF file
    const exported = execFileSync('nm', ['-D', '--defined-only', FIXTURE_SO], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((parts) => parts[1] === 'T')
      .map((parts) => parts[2] ?? '')
      .filter((name) => !name.startsWith('fixture'))
      .sort();
    expect(exported).toEqual([...CSHIS_EXPORT_NAMES].sort());
  });

  it('calls synchronously and through .async with buffers and an int32 length', async () => {
    fx.insertHealthCard(basicData(), registerData(), 7);
    const buf = Buffer.alloc(72);
    const len = new Int32Array([72]);
    expect(lib.call('hisGetBasicData', buf, len)).toBe(0);
    expect(len[0]).toBe(72);
    expect(ascii(buf.subarray(0, 12))).toBe('000012345678');

    const small = Buffer.alloc(9);
    const smallLen = new Int32Array([9]);
    await expect(lib.callAsync('hisGetRegisterBasic2', small, smallLen)).resolves.toBe(0);
    expect(ascii(small)).toBe('119123106');
    expect(smallLen[0]).toBe(9);

    const status = new Int32Array(1);
    await expect(lib.callAsync('hpcGetHPCStatus', 1, status)).resolves.toBe(0);
    expect(status[0]).toBe(0);
    await new Promise<void>((resolve, reject) =>
      lib.fn('hisGetCardStatus').async(2, (err, rc) => (err ? reject(err) : (expect(rc).toBe(2), resolve()))),
    );
  });

  it('honours a smaller *len by writing at most that many bytes', () => {
    fx.insertHealthCard(basicData(), registerData(), 7);
    const buf = Buffer.alloc(20, 0xee);
    const len = new Int32Array([10]);
    expect(lib.call('hisGetBasicData', buf, len)).toBe(0);
    expect(len[0]).toBe(10);
    expect(buf[10]).toBe(0xee);
  });

  it('csGetVersionEx returns the version code and the module path', () => {
    const path = Buffer.alloc(260);
    expect(lib.call('csGetVersionEx', path)).toBe(5158);
    expect(path.subarray(0, path.indexOf(0)).toString()).toBe(FIXTURE_SO);
  });

  it('the overlap counter detects concurrent calls when the queue is bypassed (negative control)', async () => {
    fx.setDelayMs('csGetHospID', 150);
    const call = () => lib.callAsync('csGetHospID', Buffer.alloc(10), new Int32Array([10]));
    await Promise.all([call(), call(), call()]);
    expect(fx.overlapCount()).toBeGreaterThanOrEqual(1);
    expect(fx.inFlight()).toBe(0);
  });

  it('control functions reject unknown names', () => {
    expect(() => fx.setForcedRc('noSuchFunction' as never, 1)).toThrow(/unknown function name/);
    expect(() => fx.insertHealthCard(new Uint8Array(71), registerData(), 0)).toThrow(/72 \+ 78/);
  });
});

describe('an older DLL with missing exports', () => {
  it('loads, lists the missing exports and falls back to HisGetEmergentTel', async () => {
    const old = loadCshisLibrary(MINIMAL_SO);
    expect(old.missingExports).toContain('hisGetBasicData');
    expect(old.missingExports).toContain('hisGetSeqNumber256N1');
    expect(old.missingExports).not.toContain('csGetVersionEx');
    expect(old.missingExports).not.toContain('hisGetEmergentTel');
    expect(old.missingExports).toHaveLength(CSHIS_EXPORT_NAMES.length - 4);
    expect(old.aliasedExports).toEqual({ hisGetEmergentTel: 'HisGetEmergentTel' });
    expect(old.has('hisGetEmergentTel')).toBe(true);

    const tel = Buffer.alloc(14);
    await expect(old.callAsync('hisGetEmergentTel', tel, new Int32Array([14]))).resolves.toBe(0);
    expect(ascii(tel).trim()).toBe('0227065866');

    expect(() => old.call('hisGetBasicData', Buffer.alloc(72), new Int32Array([72]))).toThrow(MissingExportError);
    expect(() => old.fn('hisGetSeqNumber256N1')).toThrow(MissingExportError);
    const err = await old.callAsync('hisGetSeqNumber256N1', Buffer.from('01\0'), Buffer.from(' \0'), Buffer.from('1\0'), Buffer.alloc(316), new Int32Array([316])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingExportError);
    expect((err as MissingExportError).exportName).toBe('hisGetSeqNumber256N1');
    expect(() => loadFixtureControls(old)).toThrow(); // no fixture* exports in the old DLL
  });

  it('a file that is not a library gives LibraryLoadError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cshis-'));
    const path = join(dir, 'not-a-library.so');
    writeFileSync(path, 'hello');
    expect(() => loadCshisLibrary(path)).toThrow(LibraryLoadError);
    expect(() => loadCshisLibrary(join(dir, 'missing.so'))).toThrow(LibraryLoadError);
  });
});

describe.skipIf(!mingwInstalled())('PE bitness of the mingw-built CSHIS.dll', () => {
  it('reads i386 and x64 from the DLLs', () => {
    expect(readPeHeaderFromFile(WIN_IA32_DLL)).toEqual({ machine: 0x014c, architecture: 'i386' });
    expect(readPeHeaderFromFile(WIN_X64_DLL)).toEqual({ machine: 0x8664, architecture: 'x64' });
    expect(readPeHeaderFromFile(FIXTURE_SO)).toBeNull();
    expect(readPeMachine(new Uint8Array(64))).toBeNull();
  });

  it.runIf(process.arch === 'x64')('refuses the 32-bit DLL in this x64 process with a clear message', () => {
    let error: unknown;
    try {
      loadCshisLibrary(WIN_IA32_DLL);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WrongBitnessError);
    expect((error as WrongBitnessError).messageEn).toBe(
      'CSHIS.dll is 32-bit (i386) but this gateway is x64: use nhi-gateway-win-x86.exe',
    );
    expect((error as WrongBitnessError).dllArchitecture).toBe('i386');
  });

  it.runIf(process.arch === 'x64' && process.platform !== 'win32')(
    'passes the bitness check for the x64 DLL (then koffi cannot dlopen a PE on Linux)',
    () => {
      expect(() => loadCshisLibrary(WIN_X64_DLL)).toThrow(LibraryLoadError);
    },
  );
});

if (!mingwInstalled()) {
  describe('PE bitness of the mingw-built CSHIS.dll', () => {
    it.todo('PENDING: mingw-w64 not installed (apt-get install -y gcc-mingw-w64-i686 gcc-mingw-w64-x86-64)');
  });
}
