/**
 * The VS_VERSIONINFO encoder (build/lib/version-resource.ts) against the resource compiler of mingw-w64:
 * the same fields give the same bytes as windres makes, and writing ours into a mingw-built executable in
 * place reads back (version, strings) and keeps the file size.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource, readFileVersion, RT_VERSION } from '../../../build/lib/pe-image.ts';
import { encodeVersionInfo, replaceVersionResource, type VersionInfo } from '../../../build/lib/version-resource.ts';

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const mingw = hasCommand('x86_64-w64-mingw32-gcc') && hasCommand('x86_64-w64-mingw32-windres');

const INFO: VersionInfo = {
  version: '0.1.0',
  strings: {
    ProductName: 'NHI Card Gateway',
    CompanyName: 'NHI Card Gateway project',
    FileDescription: 'NHI Card Gateway',
    LegalCopyright: 'NHI Card Gateway contributors',
    OriginalFilename: 'nhi-gateway-win-x64.exe',
    InternalName: 'nhi-gateway',
    Comments: 'Node.js 22.23.2 single executable',
  },
};

function rcFor(info: VersionInfo, extra: string[] = []): string {
  const strings = [...Object.entries(info.strings), ['FileVersion', '0.1.0.0'], ['ProductVersion', '0.1.0']];
  return [
    '1 VERSIONINFO',
    'FILEVERSION 0,1,0,0',
    'PRODUCTVERSION 0,1,0,0',
    'FILEFLAGSMASK 0x3f',
    'FILEFLAGS 0',
    'FILEOS 0x40004',
    'FILETYPE 1',
    'FILESUBTYPE 0',
    'BEGIN',
    '  BLOCK "StringFileInfo"',
    '  BEGIN',
    '    BLOCK "040904B0"',
    '    BEGIN',
    ...strings.map(([k, v]) => `      VALUE "${k}", "${v}\\0"`),
    '    END',
    '  END',
    '  BLOCK "VarFileInfo"',
    '  BEGIN',
    '    VALUE "Translation", 0x409, 1200',
    '  END',
    'END',
    ...extra,
    '',
  ].join('\n');
}

describe.skipIf(!mingw)(`VS_VERSIONINFO${mingw ? '' : ' (pending: mingw-w64 not installed: apt-get install -y gcc-mingw-w64-x86-64)'}`, () => {
  let work: string;
  let exe: Uint8Array;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'nhi-ver-'));
    const build = (name: string, rc: string) => {
      writeFileSync(join(work, `${name}.rc`), rc);
      execFileSync('x86_64-w64-mingw32-windres', [join(work, `${name}.rc`), '-O', 'coff', '-o', join(work, `${name}.o`)]);
      writeFileSync(join(work, 'main.c'), 'int main(void) { return 0; }\n');
      execFileSync('x86_64-w64-mingw32-gcc', ['-O1', '-o', join(work, `${name}.exe`), join(work, 'main.c'), join(work, `${name}.o`)]);
      return readFileSync(join(work, `${name}.exe`));
    };
    // A long, Node-like version resource to be replaced, and a reference one with exactly our fields.
    exe = build('old', rcFor({ version: '22.23.2', strings: { ...INFO.strings, Comments: 'x'.repeat(400) } }).replace('FILEVERSION 0,1,0,0', 'FILEVERSION 22,23,2,0'));
    writeFileSync(join(work, 'reference.bin'), findResource(build('reference', rcFor(INFO)), RT_VERSION, 1)!);
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('encodes the same bytes as windres for the same fields', () => {
    expect(Buffer.from(encodeVersionInfo(INFO)).toString('hex')).toBe(readFileSync(join(work, 'reference.bin')).toString('hex'));
  });

  it('replaces an executable\'s version resource in place', () => {
    const copy = Uint8Array.from(exe);
    expect(readFileVersion(copy)).toBe('22.23.2');
    replaceVersionResource(copy, INFO);
    expect(copy.byteLength).toBe(exe.byteLength);
    expect(readFileVersion(copy)).toBe('0.1.0');
    const data = Buffer.from(findResource(copy, RT_VERSION, 1)!);
    expect(data.byteLength).toBe(encodeVersionInfo(INFO).byteLength);
    expect(data.toString('utf16le')).toContain('NHI Card Gateway project');
  });

  it('refuses a resource that does not fit', () => {
    const copy = Uint8Array.from(exe);
    expect(() => replaceVersionResource(copy, { ...INFO, strings: { ...INFO.strings, Comments: 'y'.repeat(2000) } })).toThrow(/larger than the old one/);
  });
});
