/**
 * build/lib/icon.ts: our icon written over an executable's icon images in place. The executable is built by
 * mingw-w64 from an .ico laid out like node.exe's (DIBs and a 256 px PNG, made here with node.exe-sized
 * slots), so the test needs no node.exe.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listResources } from '../../../build/lib/pe-image.ts';
import { crc32, drawIcon, encodeIconDib, encodePng, iconImageSize, replaceIcons, RT_GROUP_ICON, RT_ICON, type Raster } from '../../../build/lib/icon.ts';

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const mingw = hasCommand('x86_64-w64-mingw32-gcc') && hasCommand('x86_64-w64-mingw32-windres');

/** A noisy raster: its PNG compresses badly, so the slot is larger than ours needs. */
function noise(size: number): Raster {
  const rgba = new Uint8Array(size * size * 4);
  let seed = 7;
  for (let i = 0; i < rgba.length; i++) rgba[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  return { size, rgba };
}

/** An .ico file: ICONDIR, one entry per image, the images. */
function ico(images: Uint8Array[], sizes: number[]): Uint8Array {
  const header = Buffer.alloc(6 + images.length * 16);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach((image, i) => {
    const at = 6 + i * 16;
    header[at] = sizes[i]! >= 256 ? 0 : sizes[i]!;
    header[at + 1] = sizes[i]! >= 256 ? 0 : sizes[i]!;
    header.writeUInt16LE(1, at + 4);
    header.writeUInt16LE(32, at + 6);
    header.writeUInt32LE(image.byteLength, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += image.byteLength;
  });
  return Buffer.concat([header, ...images]);
}

describe('icon encoders', () => {
  it('draws a PNG that inflates to the raster, with valid CRCs', () => {
    const raster = drawIcon(64);
    const png = Buffer.from(encodePng(raster));
    expect(iconImageSize(png)).toBe(64);
    let at = 8;
    const idat: Buffer[] = [];
    while (at < png.length) {
      const length = png.readUInt32BE(at);
      const type = png.subarray(at + 4, at + 8).toString('latin1');
      expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
      if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
      at += 12 + length;
    }
    const rows = inflateSync(Buffer.concat(idat));
    expect(rows.length).toBe(64 * (64 * 4 + 1));
    expect(rows.subarray(1 + 32 * 4, 1 + 32 * 4 + 4)).toEqual(Buffer.from(raster.rgba.subarray(32 * 4, 32 * 4 + 4)));
  });

  it('lays a DIB out as node.exe\'s are (header, double height, mask)', () => {
    const dib = encodeIconDib(drawIcon(16));
    expect(dib.byteLength).toBe(1128); // node.exe's 16 px image
    expect(iconImageSize(dib)).toBe(16);
    expect(Buffer.from(dib).readInt32LE(8)).toBe(32);
  });
});

describe.skipIf(!mingw)(`replacing the icon of an executable${mingw ? '' : ' (pending: mingw-w64 not installed)'}`, () => {
  let work: string;
  let exe: Uint8Array;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'nhi-icon-'));
    const sizes = [16, 32, 256];
    writeFileSync(join(work, 'old.ico'), ico([encodeIconDib(noise(16)), encodeIconDib(noise(32)), encodePng(noise(256))], sizes));
    writeFileSync(join(work, 'icon.rc'), `1 ICON "${join(work, 'old.ico')}"\n`);
    writeFileSync(join(work, 'main.c'), 'int main(void) { return 0; }\n');
    execFileSync('x86_64-w64-mingw32-windres', [join(work, 'icon.rc'), '-O', 'coff', '-o', join(work, 'icon.o')]);
    execFileSync('x86_64-w64-mingw32-gcc', ['-O1', '-o', join(work, 'app.exe'), join(work, 'main.c'), join(work, 'icon.o')]);
    exe = readFileSync(join(work, 'app.exe'));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes ours at every size, keeps the file size, and updates the icon group', () => {
    const copy = Uint8Array.from(exe);
    expect(replaceIcons(copy)).toBe(3);
    expect(copy.byteLength).toBe(exe.byteLength);
    const resources = listResources(copy);
    const icons = resources.filter((r) => r.type === RT_ICON);
    for (const icon of icons) {
      const data = copy.subarray(icon.offset, icon.offset + icon.size);
      const size = iconImageSize(data);
      const expected = size === 256 ? encodePng(drawIcon(256)) : encodeIconDib(drawIcon(size));
      expect(Buffer.from(data).equals(Buffer.from(expected))).toBe(true);
    }
    const group = resources.find((r) => r.type === RT_GROUP_ICON)!;
    const view = Buffer.from(copy.subarray(group.offset, group.offset + group.size));
    for (let i = 0; i < view.readUInt16LE(4); i++) {
      const id = view.readUInt16LE(6 + i * 14 + 12);
      expect(view.readUInt32LE(6 + i * 14 + 8)).toBe(icons.find((r) => r.name === id)!.size);
    }
  });
});
