/**
 * Fixed-width field helpers for the output buffers and the input strings of docs/reference/buffers.md.
 *
 * Reading is clamped to the buffer: the DLL reports its own output length (docs/reference/abi.md) and a short report must
 * give a short field, never an exception or a read past the end.
 */
import { InputError } from './input-error.ts';

/** Bytes `start1Based … start1Based+length−1`, clamped to the buffer (the layouts are written 1-based, docs/reference/buffers.md). */
export function sliceBytes(bytes: Uint8Array, start1Based: number, length: number): Uint8Array {
  const start = Math.min(Math.max(start1Based - 1, 0), bytes.length);
  const end = Math.min(start + Math.max(length, 0), bytes.length);
  return bytes.subarray(start, end);
}

/** Fields up to this many bytes are decoded with one String.fromCharCode call (far below its argument limit). */
const SHORT_FIELD = 512;

/** A field as latin1 text, untrimmed; shorter than `length` when the buffer ends early. */
export function sliceAscii(bytes: Uint8Array, start1Based: number, length: number): string {
  const field = sliceBytes(bytes, start1Based, length);
  // Card fields are a few dozen bytes: building the string directly beats a Buffer view per field.
  // Latin-1 either way: each byte becomes the code point of the same value.
  if (field.length <= SHORT_FIELD) return String.fromCharCode.apply(null, field as unknown as number[]);
  return Buffer.from(field.buffer, field.byteOffset, field.byteLength).toString('latin1');
}

/** Removes the space and NUL padding the DLL (spaces) and PC/SC (NULs) put around fields (docs/reference/abi.md (Dates, Big5)). */
export function trimPadding(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPaddingCode(text.charCodeAt(start))) start++;
  while (end > start && isPaddingCode(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function isPaddingCode(code: number): boolean {
  return code === 0x20 || code === 0x00;
}

/** {@link sliceAscii} trimmed of padding: what most single-value fields want. */
export function readTrimmed(bytes: Uint8Array, start1Based: number, length: number): string {
  return trimPadding(sliceAscii(bytes, start1Based, length));
}

/** Printable ASCII only: a NUL would end the DLL's C string early and non-ASCII has no single-byte form. */
function assertPrintableAscii(value: string, field: string): void {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new InputError(field, 'must be printable ASCII');
}

/** Left-aligned, space-padded to `width` (the docs/reference/buffers.md (Write inputs) default for text fields). */
export function padRight(value: string, width: number, field: string): string {
  assertPrintableAscii(value, field);
  if (value.length > width) throw new InputError(field, `must be at most ${width} characters`);
  return value.padEnd(width, ' ');
}

/** Right-aligned, zero-padded digits of a non-negative integer. */
export function padLeftZeros(n: number, width: number, field: string): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new InputError(field, 'must be a non-negative integer');
  const digits = String(n);
  if (digits.length > width) throw new InputError(field, `must fit in ${width} digits`);
  return digits.padStart(width, '0');
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** ASCII text → bytes; refuses anything above 0x7F instead of letting latin1 smuggle it in. */
export function asciiBytes(str: string, field = 'value'): Uint8Array {
  if (!/^[\x00-\x7f]*$/.test(str)) throw new InputError(field, 'must be ASCII');
  // Pure ASCII (checked above), so each UTF-16 unit is its byte. A plain indexed loop instead of
  // Uint8Array.from's string iterator + per-character callback; and, unlike a view over Buffer.from (which
  // may sit in Node's shared 8 KiB pool), the result still owns its whole ArrayBuffer, as before.
  const out = new Uint8Array(str.length);
  for (let i = 0; i < str.length; i++) out[i] = str.charCodeAt(i);
  return out;
}
