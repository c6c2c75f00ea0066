/**
 * Big5 / Windows CP950 text fields (docs/reference/abi.md (Dates, Big5)): names on the health card (docs/reference/buffers.md (1.1 / 1.2)) and the
 * professional card (docs/reference/functions.md (4.7)).
 *
 * Rare name characters (造字) live in Big5's user-defined areas. iconv-lite's `cp950` table leaves those
 * areas unmapped (it yields U+FFFD for the lead byte and then re-reads a 0x40–0x7E trail byte as ASCII),
 * and Node's `TextDecoder('big5')` is Big5-HKSCS, which turns parts of them into HKSCS characters. Neither
 * is what a Windows HIS sees, so we map the user-defined areas ourselves with Microsoft's CP950 EUDC
 * mapping to the Private Use Area, and only hand the other double-byte pairs to iconv-lite.
 *
 * Microsoft CP950 EUDC mapping, areas in this order, each numbered row by row, 157 cells per row
 * (trail bytes 0x40–0x7E then 0xA1–0xFE):
 *
 *   0xFA40–0xFEFE  →  U+E000–U+E310   (785 cells)
 *   0x8E40–0xA0FE  →  U+E311–U+EEB7   (2983 cells)
 *   0x8140–0x8DFE  →  U+EEB8–U+F6B0   (2041 cells)
 *   0xC6A1–0xC8FE  →  U+F6B1–U+F848   (408 cells; row 0xC6 starts at 0xA1, 0xC640–0xC67E are ordinary)
 *
 *   code point = area's first code point + (lead − area's first lead) × 157 + trailIndex − area's first trailIndex
 *   trailIndex = trail − 0x40 for 0x40–0x7E, trail − 0xA1 + 63 for 0xA1–0xFE
 */
import iconv from 'iconv-lite';
import type { DecodedText } from '../domain/types.ts';
import { InputError } from './input-error.ts';

const CELLS_PER_ROW = 157;
const LOW_TRAIL_CELLS = 0x7e - 0x40 + 1; // 63
const REPLACEMENT = '\uFFFD';

interface EudcArea {
  readonly firstLead: number;
  readonly lastLead: number;
  /** Row `firstLead` may start part-way (0xC6A1); later rows always start at trailIndex 0. */
  readonly firstTrailIndex: number;
  readonly firstCodePoint: number;
  readonly lastCodePoint: number;
}

function eudcArea(firstLead: number, lastLead: number, firstTrailIndex: number, firstCodePoint: number): EudcArea {
  const cells = (lastLead - firstLead + 1) * CELLS_PER_ROW - firstTrailIndex;
  return { firstLead, lastLead, firstTrailIndex, firstCodePoint, lastCodePoint: firstCodePoint + cells - 1 };
}

// docs/reference/abi.md (Dates, Big5): the three user-defined areas of Big5 plus CP950's 0xC6A1–0xC8FE.
const EUDC_AREAS: readonly EudcArea[] = [
  eudcArea(0xfa, 0xfe, 0, 0xe000),
  eudcArea(0x8e, 0xa0, 0, 0xe311),
  eudcArea(0x81, 0x8d, 0, 0xeeb8),
  eudcArea(0xc6, 0xc8, LOW_TRAIL_CELLS, 0xf6b1),
];

function isLeadByte(b: number): boolean {
  return b >= 0x81 && b <= 0xfe;
}

function trailIndexOf(b: number): number | null {
  if (b >= 0x40 && b <= 0x7e) return b - 0x40;
  if (b >= 0xa1 && b <= 0xfe) return b - 0xa1 + LOW_TRAIL_CELLS;
  return null;
}

function trailByteOf(trailIndex: number): number {
  return trailIndex < LOW_TRAIL_CELLS ? 0x40 + trailIndex : 0xa1 + trailIndex - LOW_TRAIL_CELLS;
}

/** The PUA code point of a user-defined-area pair, or null when the pair is outside every area. */
export function eudcToCodePoint(lead: number, trail: number): number | null {
  // Most names: a lead byte of ordinary Big5 (0xA1–0xC5, 0xC9–0xF9) lies in no area.
  if ((lead >= 0xa1 && lead <= 0xc5) || (lead >= 0xc9 && lead <= 0xf9)) return null;
  const trailIndex = trailIndexOf(trail);
  if (trailIndex === null) return null;
  for (const area of EUDC_AREAS) {
    if (lead < area.firstLead || lead > area.lastLead) continue;
    const cell = (lead - area.firstLead) * CELLS_PER_ROW + trailIndex - area.firstTrailIndex;
    if (cell < 0) return null;
    return area.firstCodePoint + cell;
  }
  return null;
}

/** The EUDC bytes of a PUA code point, or null when it lies outside U+E000–U+F848. */
export function codePointToEudc(codePoint: number): readonly [number, number] | null {
  for (const area of EUDC_AREAS) {
    if (codePoint < area.firstCodePoint || codePoint > area.lastCodePoint) continue;
    const cell = codePoint - area.firstCodePoint + area.firstTrailIndex;
    return [area.firstLead + Math.floor(cell / CELLS_PER_ROW), trailByteOf(cell % CELLS_PER_ROW)];
  }
  return null;
}

const pairCache = new Map<number, string>();

/** One ordinary CP950 pair; U+FFFD for pairs CP950 leaves unassigned (e.g. 0xA3C0–0xA3FE). */
function decodeOrdinaryPair(lead: number, trail: number): string {
  const key = (lead << 8) | trail;
  const cached = pairCache.get(key);
  if (cached !== undefined) return cached;
  const decoded = iconv.decode(Buffer.from([lead, trail]), 'cp950');
  // A lone character other than U+FFFD means iconv-lite found the pair in its table.
  const text = decoded.length === 1 && decoded !== REPLACEMENT ? decoded : REPLACEMENT;
  pairCache.set(key, text);
  return text;
}

/** Padding characters (docs/reference/abi.md (Dates, Big5)): ASCII space, NUL (PC/SC pads with NULs) and the full-width space 0xA140 = U+3000. */
function isPaddingText(text: string): boolean {
  return text === ' ' || text === '\u0000' || text === '\u3000';
}

/** "00" … "FF": each byte's uppercase hex, looked up instead of formatted. */
const UPPER_HEX: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).toUpperCase().padStart(2, '0'));

/** Bytes `[start, end)` as uppercase hex. */
function upperHexRange(bytes: Uint8Array, start: number, end: number): string {
  let hex = '';
  for (let i = start; i < end; i++) hex += UPPER_HEX[bytes[i]!];
  return hex;
}

/**
 * Decodes a fixed-width Big5 field without ever rejecting it. Padding is trimmed per character, not per
 * byte, so 0x40 as the trail of a real character is never mistaken for half of a full-width space, and
 * `rawHex` is exactly the bytes behind `text` (full-width spaces are trimmed at both ends, like ASCII ones).
 */
export function decodeBig5Field(bytes: Uint8Array): DecodedText {
  return decodeBig5Range(bytes, 0, bytes.length);
}

/**
 * {@link decodeBig5Field} of the bytes `[from, to)` of `bytes`, read in place: card layouts decode their
 * name fields without a view object per field. A pair is read only when both its bytes lie in the range.
 */
export function decodeBig5Range(bytes: Uint8Array, from: number, to: number): DecodedText {
  // One pass, no per-character objects: padding seen after the first real character is held back and kept
  // only if another real character follows (so inner spaces stay, trailing ones go).
  let text = '';
  let heldPadding = '';
  let start = -1;
  let end = from;
  let rare = false;
  let i = from;
  while (i < to) {
    const b = bytes[i]!;
    const next = i + 1 < to ? bytes[i + 1]! : -1;
    let char: string;
    let size = 1;
    let isRare = false;
    if (b < 0x80) {
      char = String.fromCharCode(b);
    } else if (isLeadByte(b) && next !== -1 && trailIndexOf(next) !== null) {
      const pua = eudcToCodePoint(b, next);
      size = 2;
      if (pua === null) char = decodeOrdinaryPair(b, next);
      else {
        char = String.fromCodePoint(pua);
        isRare = true;
      }
    } else {
      char = REPLACEMENT;
    }
    if (isPaddingText(char)) {
      if (start !== -1) heldPadding += char;
    } else {
      if (start === -1) start = i;
      text += heldPadding + char;
      heldPadding = '';
      end = i + size;
      if (isRare) rare = true;
    }
    i += size;
  }
  return {
    text,
    rawHex: start === -1 ? '' : upperHexRange(bytes, start, end),
    hasRareCharacters: rare,
  };
}

/**
 * Unicode → CP950 bytes, the inverse of {@link decodeBig5Field} for the simulator: PUA code points go back
 * to their EUDC bytes. Anything CP950 cannot hold is refused rather than silently written as `?`.
 */
export function encodeBig5(text: string, field = 'name'): Uint8Array {
  const out: number[] = [];
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? 0;
    const eudc = codePointToEudc(codePoint);
    if (eudc) {
      out.push(...eudc);
      continue;
    }
    const encoded = iconv.encode(char, 'cp950');
    // iconv-lite substitutes '?' for what the table lacks.
    if (char !== '?' && encoded.length === 1 && encoded[0] === 0x3f) {
      throw new InputError(field, 'not representable in Big5');
    }
    out.push(...encoded);
  }
  return Uint8Array.from(out);
}

/** {@link encodeBig5} space-padded to a fixed byte width (docs/reference/buffers.md (1.1 / 1.2) name: 20 bytes). */
export function encodeBig5Field(text: string, width: number, field = 'name'): Uint8Array {
  const encoded = encodeBig5(text, field);
  if (encoded.length > width) throw new InputError(field, `must fit in ${width} bytes of Big5`);
  const out = new Uint8Array(width).fill(0x20);
  out.set(encoded);
  return out;
}
