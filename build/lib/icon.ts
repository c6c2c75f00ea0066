/**
 * The gateway's icon, drawn here (a teal tile with a white health card and its gold chip) and written into
 * the executable in place of node.exe's, image for image: node.exe has 16, 32, 48, 64 and 128 px images as
 * 32-bit DIBs and a 256 px PNG. Each of ours has the same dimensions, so a DIB has exactly the old size and
 * the PNG must not be larger (checked); the icon group's byte counts are updated. Like the version
 * resource (build/lib/version-resource.ts), this avoids rebuilding `.rsrc`. Run before signing.
 *
 * References: Microsoft "BITMAPINFOHEADER" and the ICO/GRPICONDIR layouts (an icon DIB is twice as high,
 * XOR image bottom-up then a 1-bit AND mask, rows padded to 32 bits); the PNG specification (IHDR, IDAT
 * with zlib, IEND, CRC-32 over type and data).
 */
import { deflateSync } from 'node:zlib';
import { listResources, parsePeImage, PeFormatError } from './pe-image.ts';

export const RT_ICON = 3;
export const RT_GROUP_ICON = 14;

/** RGBA pixels, rows top to bottom. */
export interface Raster {
  readonly size: number;
  readonly rgba: Uint8Array;
}

const TILE = [0x0f, 0x76, 0x6e]; // teal
const CARD = [0xff, 0xff, 0xff];
const CHIP = [0xe0, 0xa8, 0x2e]; // gold
const STRIPE = [0x9c, 0xc9, 0xc4];

/** Inside a rounded rectangle (coordinates in 0..1 of the icon). */
function inRounded(x: number, y: number, left: number, top: number, right: number, bottom: number, radius: number): boolean {
  if (x < left || x > right || y < top || y > bottom) return false;
  const cx = Math.min(Math.max(x, left + radius), right - radius);
  const cy = Math.min(Math.max(y, top + radius), bottom - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

function colourAt(x: number, y: number): readonly number[] | null {
  if (!inRounded(x, y, 0.02, 0.02, 0.98, 0.98, 0.18)) return null;
  if (inRounded(x, y, 0.14, 0.26, 0.86, 0.74, 0.06)) {
    if (inRounded(x, y, 0.22, 0.38, 0.4, 0.56, 0.03)) return CHIP;
    if (x > 0.48 && x < 0.78 && ((y > 0.4 && y < 0.45) || (y > 0.52 && y < 0.57))) return STRIPE;
    return CARD;
  }
  return TILE;
}

/** The icon at `size` px, 4×4 supersampled so small sizes keep their shapes. */
export function drawIcon(size: number): Raster {
  const rgba = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const c = colourAt((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          if (!c) continue;
          r += c[0]!;
          g += c[1]!;
          b += c[2]!;
          a++;
        }
      }
      const at = (py * size + px) * 4;
      if (a > 0) {
        rgba[at] = Math.round(r / a);
        rgba[at + 1] = Math.round(g / a);
        rgba[at + 2] = Math.round(b / a);
      }
      rgba[at + 3] = Math.round((a / (samples * samples)) * 255);
    }
  }
  return { size, rgba };
}

/** An icon image as a 32-bit DIB: BITMAPINFOHEADER, BGRA rows bottom-up, an all-zero AND mask. */
export function encodeIconDib(raster: Raster): Uint8Array {
  const { size, rgba } = raster;
  const maskRow = Math.ceil(size / 32) * 4;
  const out = new Uint8Array(40 + size * size * 4 + maskRow * size);
  const view = new DataView(out.buffer);
  view.setUint32(0, 40, true);
  view.setInt32(4, size, true);
  view.setInt32(8, size * 2, true);
  view.setUint16(12, 1, true);
  view.setUint16(14, 32, true);
  view.setUint32(20, size * size * 4 + maskRow * size, true);
  for (let y = 0; y < size; y++) {
    const row = 40 + (size - 1 - y) * size * 4;
    for (let x = 0; x < size; x++) {
      const from = (y * size + x) * 4;
      out[row + x * 4] = rgba[from + 2]!;
      out[row + x * 4 + 1] = rgba[from + 1]!;
      out[row + x * 4 + 2] = rgba[from]!;
      out[row + x * 4 + 3] = rgba[from + 3]!;
    }
  }
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.byteLength);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(data, 8);
  view.setUint32(8 + data.byteLength, crc32(out.subarray(4, 8 + data.byteLength)));
  return out;
}

/** An RGBA PNG (8 bits per channel, no filtering, maximum compression). */
export function encodePng(raster: Raster): Uint8Array {
  const { size, rgba } = raster;
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, size);
  view.setUint32(4, size);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = new Uint8Array(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rows.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  const parts = [
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ];
  return Buffer.concat(parts);
}

const isPng = (data: Uint8Array): boolean => data[0] === 0x89 && data[1] === 0x50 && data[2] === 0x4e && data[3] === 0x47;

/** The width of an icon image (PNG IHDR or DIB header). */
export function iconImageSize(data: Uint8Array): number {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return isPng(data) ? view.getUint32(16) : view.getInt32(4, true);
}

/** Replaces every RT_ICON image with ours at the same size and format, in place; updates the icon groups. */
export function replaceIcons(bytes: Uint8Array): number {
  const image = parsePeImage(bytes);
  if (image.certificateTable.size !== 0) throw new PeFormatError('the image is signed: replace the icon before signing');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const resources = listResources(bytes, image);
  const newSizes = new Map<number, number>();
  for (const icon of resources.filter((r) => r.type === RT_ICON)) {
    const old = bytes.subarray(icon.offset, icon.offset + icon.size);
    const raster = drawIcon(iconImageSize(old));
    const ours = isPng(old) ? encodePng(raster) : encodeIconDib(raster);
    if (ours.byteLength > icon.size) {
      throw new PeFormatError(`icon image ${String(icon.name)} (${raster.size} px): ours is ${ours.byteLength} bytes, the slot ${icon.size}`);
    }
    bytes.fill(0, icon.offset, icon.offset + icon.size);
    bytes.set(ours, icon.offset);
    view.setUint32(icon.entryOffset + 4, ours.byteLength, true);
    if (typeof icon.name === 'number') newSizes.set(icon.name, ours.byteLength);
  }
  for (const group of resources.filter((r) => r.type === RT_GROUP_ICON)) {
    const count = view.getUint16(group.offset + 4, true);
    for (let i = 0; i < count; i++) {
      const entry = group.offset + 6 + i * 14;
      const size = newSizes.get(view.getUint16(entry + 12, true));
      if (size !== undefined) view.setUint32(entry + 8, size, true);
    }
  }
  return newSizes.size;
}
