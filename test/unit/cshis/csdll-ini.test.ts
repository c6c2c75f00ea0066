/**
 * csdll.ini: parsing, validation, byte-exact serialisation, atomic writes with a backup, read-only refusal,
 * and the watcher that notices another program rewriting the file (anchors.md §1.6).
 * Samples are NHI's from the 2022-11 briefing (5.1.5.7 sample with all twelve keys).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CsdllIniFile,
  comToOpenComIndex,
  diffCsdllEntries,
  parseCsdllIni,
  readCsdllIni,
  serialiseCsdllIni,
  validateCsdllChange,
  writeCsdllIni,
  type CsdllExternalChange,
} from '../../../src/adapters/cshis/csdll-ini.ts';
import { CsdllIniError } from '../../../src/adapters/cshis/errors.ts';
import { InputError } from '../../../src/codecs/input-error.ts';

/** The briefing's 5.1.5.7 sample (remote-desktop slide), as Notepad saves it: CRLF, no BOM. */
const NHI_SAMPLE = [
  '[CS]',
  'READER=PC/SC',
  'COM=COMX1',
  'HCA=ENABLE',
  'CSFSIM=ENABLE',
  'MSGSHOW=ENABLE',
  'HPCFASTAUTH=DISABLE',
  'CSWATCH=DISABLE',
  'CSTIMEOUT=120',
  'CSAUTOVSAM=ENABLE',
  'CSOFFAUTH=DISABLE',
  'CSREMOTE=DISABLE',
  'CLSCSFSIM=ENABLE',
  '',
].join('\r\n');

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const inputErrorOf = (fn: () => unknown): InputError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
};

describe('parseCsdllIni', () => {
  it('types every key of NHI’s sample', () => {
    const doc = parseCsdllIni(bytes(NHI_SAMPLE));
    expect(doc.encoding).toBe('ANSI');
    expect(doc.lineEnding).toBe('CRLF');
    expect(doc.hasCsSection).toBe(true);
    expect(doc.problems).toEqual([]);
    expect(doc.settings).toEqual({
      reader: { value: 'PC/SC', type: 'PC_SC' },
      com: { value: 'COMX1', kind: 'CLOUD_SAM_SLOT', number: 1, openComIndex: 0 },
      switches: {
        HCA: 'ENABLE',
        CSFSIM: 'ENABLE',
        MSGSHOW: 'ENABLE',
        HPCFASTAUTH: 'DISABLE',
        CSWATCH: 'DISABLE',
        CSAUTOVSAM: 'ENABLE',
        CSOFFAUTH: 'DISABLE',
        CSREMOTE: 'DISABLE',
        CLSCSFSIM: 'ENABLE',
      },
      csTimeoutSeconds: 120,
    });
    expect(doc.entries).toHaveLength(12);
    expect(doc.entries[1]).toEqual({ section: 'CS', key: 'COM', value: 'COMX1' });
  });

  it('reads keys and sections case-insensitively, first occurrence wins, and reports what it does not understand', () => {
    const doc = parseCsdllIni(bytes('[cs]\ncom = comx3\nCom=COMX9\nCSTIMEOUT=two minutes\nCSWATCH=yes\nREADER=NHI\n[Other]\nX=1\n'));
    expect(doc.lineEnding).toBe('LF');
    expect(doc.settings.com).toEqual({ value: 'COMX3', kind: 'CLOUD_SAM_SLOT', number: 3, openComIndex: 2 });
    expect(doc.settings.csTimeoutSeconds).toBeNull();
    expect(doc.settings.switches.CSWATCH).toBeNull();
    expect(doc.settings.reader).toEqual({ value: 'NHI', type: 'OTHER' });
    expect(doc.problems.map((p) => p.key).sort()).toEqual(['COM', 'CSTIMEOUT', 'CSWATCH']);
    expect(doc.entries).toContainEqual({ section: 'Other', key: 'X', value: '1' });
  });

  it('reports a key written twice and keeps the first value (what GetPrivateProfileString reads)', () => {
    const doc = parseCsdllIni(bytes('[CS]\r\nCOM=COMX1\r\nCOM=COMX2\r\n'));
    expect(doc.settings.com?.value).toBe('COMX1');
    expect(doc.problems).toEqual([{ key: 'COM', rule: expect.stringContaining('more than once') }]);
  });

  it('understands a UTF-16LE file with its BOM and a UTF-8 BOM', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('[CS]\r\nCOM=COMX2\r\n', 'utf16le')]);
    expect(parseCsdllIni(utf16)).toMatchObject({ encoding: 'UTF16LE_BOM', settings: { com: { value: 'COMX2' } } });
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes('[CS]\r\nCOM=COMX4\r\n')]);
    expect(parseCsdllIni(utf8)).toMatchObject({ encoding: 'UTF8_BOM', settings: { com: { value: 'COMX4' } } });
  });

  it('maps COM= to the csOpenCom index: COMX1 → 0, COMX10 → 9, COM3 → 2; refuses others', () => {
    expect(comToOpenComIndex('COMX1')).toBe(0);
    expect(comToOpenComIndex('comx10')).toBe(9);
    expect(comToOpenComIndex('COM3')).toBe(2);
    expect(comToOpenComIndex('COMX11')).toBeNull();
    expect(comToOpenComIndex('COMX0')).toBeNull();
    expect(comToOpenComIndex('COM0')).toBeNull();
    expect(comToOpenComIndex('COM257')).toBeNull();
    expect(comToOpenComIndex('LPT1')).toBeNull();
  });
});

describe('validateCsdllChange', () => {
  it('normalises good values to what is written', () => {
    expect(validateCsdllChange({ COM: 'comx2', CSWATCH: 'enable', CSTIMEOUT: 90, READER: 'pc/sc' })).toEqual({
      COM: 'COMX2',
      CSWATCH: 'ENABLE',
      CSTIMEOUT: '90',
      READER: 'PC/SC',
    });
    expect(validateCsdllChange({ COM: 'COM4', HCA: undefined })).toEqual({ COM: 'COM4' });
  });

  it.each([
    [{ CSTIMEOUT: 0 }, 'CSTIMEOUT', /seconds from 1 to 3600/],
    [{ CSTIMEOUT: 1.5 }, 'CSTIMEOUT', /whole number/],
    [{ CSTIMEOUT: '120' }, 'CSTIMEOUT', /whole number/],
    [{ COM: 'COMX11' }, 'COM', /COMX1…COMX10/],
    [{ COM: 'COM1\r\nREADER=X' }, 'COM', /COMX1…COMX10/],
    [{ HPCFASTAUTH: 'ON' }, 'HPCFASTAUTH', /ENABLE or DISABLE/],
    [{ READER: 'NHI' }, 'READER', /csUpRDType/],
    [{ FOO: 'x' } as never, 'FOO', /not a csdll.ini key/],
    [{}, 'input', /no csdll.ini key/],
  ])('refuses %j naming the key', (change, field, rule) => {
    const error = inputErrorOf(() => validateCsdllChange(change));
    expect(error.field).toBe(field);
    expect(error.rule).toMatch(rule);
  });
});

describe('serialiseCsdllIni', () => {
  it('changes only the named lines and keeps CRLF', () => {
    const out = serialiseCsdllIni(bytes(NHI_SAMPLE), { COM: 'COMX2', CSTIMEOUT: '60' });
    expect(out.toString('latin1')).toBe(NHI_SAMPLE.replace('COM=COMX1', 'COM=COMX2').replace('CSTIMEOUT=120', 'CSTIMEOUT=60'));
  });

  it('keeps Big5 comments, unknown keys and sections, spacing and key spelling byte for byte', () => {
    const big5Comment = Buffer.from([0x3b, 0xb4, 0xfa, 0xb8, 0xd5, 0x0d, 0x0a]); // ";測試\r\n" in Big5
    const original = Buffer.concat([
      big5Comment,
      bytes('[CS]\r\nReader = PC/SC\r\ncom = COMX1\r\nVENDORKEY=\xa4\xa4\r\n\r\n[HIS]\r\nCOM=COM7\r\n'),
    ]);
    const out = serialiseCsdllIni(original, { COM: 'COMX5' });
    const expected = Buffer.concat([
      big5Comment,
      bytes('[CS]\r\nReader = PC/SC\r\ncom = COMX5\r\nVENDORKEY=\xa4\xa4\r\n\r\n[HIS]\r\nCOM=COM7\r\n'),
    ]);
    expect(out.equals(expected)).toBe(true);
  });

  it('adds missing keys after the last key of [CS], before other sections, with the file’s line ending', () => {
    const out = serialiseCsdllIni(bytes('[CS]\nREADER=PC/SC\nCOM=COMX1\n\n[X]\nA=1\n'), { CSWATCH: 'ENABLE', HCA: 'ENABLE' });
    expect(out.toString('latin1')).toBe('[CS]\nREADER=PC/SC\nCOM=COMX1\nHCA=ENABLE\nCSWATCH=ENABLE\n\n[X]\nA=1\n');
  });

  it('adds a [CS] section to a file without one, and terminates a last line that had no newline', () => {
    expect(serialiseCsdllIni(bytes('[X]\r\nA=1'), { COM: 'COMX1' }).toString('latin1')).toBe('[X]\r\nA=1\r\n\r\n[CS]\r\nCOM=COMX1\r\n');
    expect(serialiseCsdllIni(bytes(''), { COM: 'COMX1' }).toString('latin1')).toBe('[CS]\r\nCOM=COMX1\r\n');
    expect(serialiseCsdllIni(bytes('[CS]\r\nREADER=PC/SC'), { COM: 'COMX2' }).toString('latin1')).toBe('[CS]\r\nREADER=PC/SC\r\nCOM=COMX2\r\n');
  });

  it('rewrites every occurrence of a repeated key, so the reader sees the new value whichever it picks', () => {
    expect(serialiseCsdllIni(bytes('[CS]\r\nCOM=COMX1\r\nCOM=COMX2\r\n'), { COM: 'COMX3' }).toString('latin1')).toBe(
      '[CS]\r\nCOM=COMX3\r\nCOM=COMX3\r\n',
    );
  });

  it('writes a UTF-16LE file back as UTF-16LE with its BOM', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('[CS]\r\nCOM=COMX2\r\n', 'utf16le')]);
    const out = serialiseCsdllIni(utf16, { COM: 'COMX3' });
    expect(out.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    expect(out.subarray(2).toString('utf16le')).toBe('[CS]\r\nCOM=COMX3\r\n');
  });

  it('round-trips: what it writes parses back to the change', () => {
    const out = serialiseCsdllIni(bytes(NHI_SAMPLE), validateCsdllChange({ HPCFASTAUTH: 'ENABLE', CSTIMEOUT: 300 }));
    const doc = parseCsdllIni(out);
    expect(doc.settings.switches.HPCFASTAUTH).toBe('ENABLE');
    expect(doc.settings.csTimeoutSeconds).toBe(300);
    expect(diffCsdllEntries(parseCsdllIni(bytes(NHI_SAMPLE)).entries, doc.entries)).toEqual([
      { section: 'CS', key: 'HPCFASTAUTH', before: 'DISABLE', after: 'ENABLE' },
      { section: 'CS', key: 'CSTIMEOUT', before: '120', after: '300' },
    ]);
  });
});

describe('csdll.ini on disk', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'csdll-'));
    path = join(dir, 'csdll.ini');
    writeFileSync(path, bytes(NHI_SAMPLE));
  });
  afterEach(() => {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a missing file as exists: false', async () => {
    const snapshot = await readCsdllIni(join(dir, 'nope.ini'));
    expect(snapshot).toMatchObject({ exists: false, readOnly: false, document: null, hash: null });
  });

  it('writes atomically: backup first, same mode, no temp file left, CRLF kept', async () => {
    chmodSync(path, 0o640);
    const result = await writeCsdllIni(path, { COM: 'COMX2' });
    expect(readFileSync(path, 'latin1')).toBe(NHI_SAMPLE.replace('COM=COMX1', 'COM=COMX2'));
    expect(readFileSync(result.backupPath, 'latin1')).toBe(NHI_SAMPLE);
    expect(result.backupPath).toBe(`${path}.bak`);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).sort()).toEqual(['csdll.ini', 'csdll.ini.bak']);
    expect(result.changedKeys).toEqual([{ section: 'CS', key: 'COM', before: 'COMX1', after: 'COMX2' }]);
    expect(result.snapshot.document?.settings.com?.value).toBe('COMX2');
  });

  it('refuses a read-only file with CSDLL_INI_READ_ONLY and leaves it untouched', async () => {
    chmodSync(path, 0o444);
    const error = await writeCsdllIni(path, { COM: 'COMX2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsdllIniError);
    expect((error as CsdllIniError).code).toBe('CSDLL_INI_READ_ONLY');
    expect((error as CsdllIniError).messageEn).toMatch(/read-only/);
    expect(readFileSync(path, 'latin1')).toBe(NHI_SAMPLE);
    expect(existsSync(`${path}.bak`)).toBe(false);
    expect((await readCsdllIni(path)).readOnly).toBe(true);
  });

  it('refuses a missing file with CSDLL_INI_NOT_FOUND, and bad input before touching anything', async () => {
    await expect(writeCsdllIni(join(dir, 'none.ini'), { COM: 'COMX2' })).rejects.toMatchObject({ code: 'CSDLL_INI_NOT_FOUND' });
    await expect(writeCsdllIni(path, { CSTIMEOUT: -1 })).rejects.toBeInstanceOf(InputError);
    expect(existsSync(`${path}.bak`)).toBe(false);
  });

  it('reports I/O failures as CSDLL_INI_IO_FAILED (unreadable path; backup that cannot be replaced) and leaves the file as it was', async () => {
    const unreadable = join(dir, 'folder.ini');
    mkdirSync(unreadable);
    await expect(readCsdllIni(unreadable)).rejects.toMatchObject({ code: 'CSDLL_INI_IO_FAILED' });
    mkdirSync(join(dir, 'csdll.ini.bak'));
    writeFileSync(join(dir, 'csdll.ini.bak', 'x'), 'occupied'); // a non-empty folder: nothing can be renamed over it
    const error = await writeCsdllIni(path, { COM: 'COMX2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsdllIniError);
    expect((error as CsdllIniError).code).toBe('CSDLL_INI_IO_FAILED');
    expect(readFileSync(path, 'latin1')).toBe(NHI_SAMPLE);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it.runIf(process.platform !== 'win32')('reports a folder it may not write (no permission, or full) as CSDLL_INI_IO_FAILED', async () => {
    if (process.getuid?.() !== 0) {
      chmodSync(dir, 0o555);
      await expect(writeCsdllIni(path, { COM: 'COMX2' })).rejects.toMatchObject({ code: 'CSDLL_INI_IO_FAILED' });
      return;
    }
    // root writes through a 0555 folder (CI runs as root), and a read-only mount is CSDLL_INI_READ_ONLY by design:
    // a full folder is the one root may not write either.
    const full = join(dir, 'full');
    mkdirSync(full);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full]);
    try {
      const file = join(full, 'csdll.ini');
      writeFileSync(file, bytes(NHI_SAMPLE));
      try {
        writeFileSync(join(full, 'filler'), Buffer.alloc(1 << 20));
      } catch {
        // ENOSPC: the folder is full now
      }
      await expect(writeCsdllIni(file, { COM: 'COMX2' })).rejects.toMatchObject({ code: 'CSDLL_INI_IO_FAILED' });
      expect(readFileSync(file, 'latin1')).toBe(NHI_SAMPLE);
    } finally {
      execFileSync('umount', [full]);
    }
  });
});

describe('CsdllIniFile: external rewrites', () => {
  let dir: string;
  let path: string;
  const files: CsdllIniFile[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'csdll-watch-'));
    path = join(dir, 'csdll.ini');
    writeFileSync(path, bytes(NHI_SAMPLE));
  });
  afterEach(async () => {
    for (const f of files.splice(0)) await f[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (options: ConstructorParameters<typeof CsdllIniFile>[1] = {}): Promise<CsdllIniFile> => {
    const file = new CsdllIniFile(path, { pollMs: 0, debounceMs: 20, ...options });
    files.push(file);
    await file.start();
    return file;
  };
  const nextChange = (file: CsdllIniFile): Promise<CsdllExternalChange> =>
    new Promise((resolve) => {
      const off = file.onExternalChange((c) => {
        off();
        resolve(c);
      });
    });

  it('notices another program rewriting COM= (fs.watch) and keeps the change with before/after', async () => {
    const warnings: string[] = [];
    const file = await open({ logger: { info: () => undefined, warn: (m, f) => warnings.push(`${m} ${JSON.stringify(f)}`) } });
    expect(file.lastExternalChange).toBeNull();
    const changed = nextChange(file);
    writeFileSync(path, bytes(NHI_SAMPLE.replace('COM=COMX1', 'COM=COMX3'))); // what NHI's VPN page does
    const change = await changed;
    expect(change.changedKeys).toEqual([{ section: 'CS', key: 'COM', before: 'COMX1', after: 'COMX3' }]);
    expect(change.removed).toBe(false);
    expect(file.lastExternalChange).toEqual(change);
    expect(warnings.join('\n')).toMatch(/rewritten by another program.*COMX1 → COMX3/);
  });

  it('never reports its own writes, and notices a rewrite on the next read even without a watcher', async () => {
    const file = await open({ watch: false });
    await file.update({ CSWATCH: 'ENABLE' });
    expect((await file.read()).document?.settings.switches.CSWATCH).toBe('ENABLE');
    expect(file.lastExternalChange).toBeNull();

    writeFileSync(path, bytes(NHI_SAMPLE.replace('CSTIMEOUT=120', 'CSTIMEOUT=30')));
    await file.read();
    expect(file.lastExternalChange?.changedKeys).toEqual([
      { section: 'CS', key: 'CSWATCH', before: 'ENABLE', after: 'DISABLE' },
      { section: 'CS', key: 'CSTIMEOUT', before: '120', after: '30' },
    ]);
  });

  it('merges its change into what another program wrote since the last read', async () => {
    const file = await open({ watch: false });
    writeFileSync(path, bytes(NHI_SAMPLE.replace('COM=COMX1', 'COM=COMX3')));
    const result = await file.update({ HPCFASTAUTH: 'ENABLE' });
    expect(file.lastExternalChange?.changedKeys).toEqual([{ section: 'CS', key: 'COM', before: 'COMX1', after: 'COMX3' }]);
    expect(result.snapshot.document?.settings.com?.value).toBe('COMX3');
    expect(result.snapshot.document?.settings.switches.HPCFASTAUTH).toBe('ENABLE');
  });

  it('notices the file being deleted (poll) and comes back to it', async () => {
    const file = await open({ watch: false, pollMs: 30 });
    const removed = nextChange(file);
    rmSync(path);
    expect((await removed).removed).toBe(true);
    const back = nextChange(file);
    writeFileSync(path, bytes(NHI_SAMPLE));
    expect((await back).changedKeys).toHaveLength(12);
  });
});
