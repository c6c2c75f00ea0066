/**
 * The card decoders as they were before they read fields in place (docs/performance.md, "What the shipped
 * configuration costs per request"): a field copied out as a view, then a string, then trimmed or matched.
 * Kept only as the oracle of test/property/codecs-in-place.property.test.ts, which checks that the in-place
 * decoders of src/codecs give exactly these answers for any bytes.
 */
import iconv from 'iconv-lite';
import type { BasicData, DecodedText, RegisterData, Sex } from '../../src/domain/types.ts';
import { eudcToCodePoint } from '../../src/codecs/big5.ts';
import { rocDateToIso } from '../../src/codecs/roc-date.ts';

export function referenceSliceBytes(bytes: Uint8Array, start1Based: number, length: number): Uint8Array {
  const start = Math.min(Math.max(start1Based - 1, 0), bytes.length);
  const end = Math.min(start + Math.max(length, 0), bytes.length);
  return bytes.subarray(start, end);
}

export function referenceSliceAscii(bytes: Uint8Array, start1Based: number, length: number): string {
  const field = referenceSliceBytes(bytes, start1Based, length);
  return Buffer.from(field.buffer, field.byteOffset, field.byteLength).toString('latin1');
}

export function referenceTrimPadding(text: string): string {
  return text.replace(/^[ \u0000]+/, '').replace(/[ \u0000]+$/, '');
}

export function referenceReadTrimmed(bytes: Uint8Array, start1Based: number, length: number): string {
  return referenceTrimPadding(referenceSliceAscii(bytes, start1Based, length));
}

export function referenceDecodeRocDateOrNull(raw: string): string | null {
  const trimmed = referenceTrimPadding(raw);
  if (trimmed === '' || /^0+$/.test(trimmed)) return null;
  try {
    return rocDateToIso(trimmed, 'cardDate');
  } catch {
    return null;
  }
}

function isLeadByte(b: number): boolean {
  return b >= 0x81 && b <= 0xfe;
}

function isTrailByte(b: number): boolean {
  return (b >= 0x40 && b <= 0x7e) || (b >= 0xa1 && b <= 0xfe);
}

export function referenceDecodeBig5Field(bytes: Uint8Array): DecodedText {
  let text = '';
  let heldPadding = '';
  let start = -1;
  let end = 0;
  let rare = false;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const next = bytes[i + 1];
    let char: string;
    let size = 1;
    let isRare = false;
    if (b < 0x80) {
      char = String.fromCharCode(b);
    } else if (isLeadByte(b) && next !== undefined && isTrailByte(next)) {
      const pua = eudcToCodePoint(b, next);
      size = 2;
      if (pua === null) {
        const decoded = iconv.decode(Buffer.from([b, next]), 'cp950');
        char = decoded.length === 1 && decoded !== '\uFFFD' ? decoded : '\uFFFD';
      } else {
        char = String.fromCodePoint(pua);
        isRare = true;
      }
    } else {
      char = '\uFFFD';
    }
    if (char === ' ' || char === '\u0000' || char === '\u3000') {
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
  const raw = start === -1 ? new Uint8Array(0) : bytes.subarray(start, end);
  return { text, rawHex: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex').toUpperCase(), hasRareCharacters: rare };
}

export function referenceDecodeSex(sexByte: string, idNumber: string): Sex | null {
  const upper = sexByte.toUpperCase();
  if (upper === 'M' || upper === 'F') return upper;
  const second = idNumber.charAt(1).toUpperCase();
  if (/^[18AC]$/.test(second)) return 'M';
  if (/^[29BD]$/.test(second)) return 'F';
  return null;
}

const read = (bytes: Uint8Array, start: number, length: number): string => referenceReadTrimmed(bytes, start, length);
const nullable = (value: string): string | null => (value === '' ? null : value);
const date = (bytes: Uint8Array, start: number): string | null => referenceDecodeRocDateOrNull(referenceSliceAscii(bytes, start, 7));

function cardHolder(bytes: Uint8Array) {
  const idNumber = read(bytes, 33, 10);
  return {
    cardNumber: read(bytes, 1, 12),
    name: referenceDecodeBig5Field(referenceSliceBytes(bytes, 13, 20)),
    idNumber,
    birthDate: date(bytes, 43),
    sex: referenceDecodeSex(read(bytes, 50, 1), idNumber),
    issueDate: date(bytes, 51),
    cancelled: read(bytes, 58, 1) === '2',
  };
}

export function referenceDecodeBasicData(bytes: Uint8Array): BasicData {
  return { ...cardHolder(bytes), emergencyPhone: nullable(read(bytes, 59, 14)) };
}

export function referenceDecodeRegisterBasic(bytes: Uint8Array): RegisterData {
  const count = read(bytes, 69, 2);
  return {
    ...cardHolder(bytes),
    insurerCode: read(bytes, 59, 2),
    beneficiaryCategory: nullable(read(bytes, 61, 1)),
    cardValidUntil: date(bytes, 62),
    remainingVisits: /^\d+$/.test(count) ? Number(count) : null,
    newbornBirthDate: date(bytes, 71),
    newbornBirthOrder: nullable(read(bytes, 78, 1)),
  };
}
