/**
 * Fixed-width field helpers for the output buffers and the input strings of docs/reference/buffers.md.
 *
 * Reading is clamped to the buffer: the DLL reports its own output length (docs/reference/abi.md) and a short report must
 * give a short field, never an exception or a read past the end.
 */
import { InputError } from './input-error.ts';

/** Bytes `start1Based … start1Based+length−1`, clamped to the buffer (the layouts are written 1-based, docs/reference/buffers.md). */
export function sliceBytes(bytes: Uint8Array, start1Based: number, length: number): Uint8Array {
  const start = fieldStart(bytes, start1Based);
  return bytes.subarray(start, fieldEnd(bytes, start, length));
}

/** 0-based index of a 1-based field's first byte, clamped to the buffer (as {@link sliceBytes}). */
export function fieldStart(bytes: Uint8Array, start1Based: number): number {
  return Math.min(Math.max(start1Based - 1, 0), bytes.length);
}

/** 0-based end (exclusive) of a field of `length` bytes from `start`, clamped to the buffer (as {@link sliceBytes}). */
export function fieldEnd(bytes: Uint8Array, start: number, length: number): number {
  return Math.min(start + Math.max(length, 0), bytes.length);
}

/** Fields up to this many bytes are built char by char (far below any string-length concern). */
const SHORT_FIELD = 64;

/**
 * Bytes `[start, end)` as latin1 text: each byte becomes the code point of the same value. Card fields are a
 * few dozen bytes and read on every request: indexing the buffer directly makes no view object per field.
 */
export function latin1Range(bytes: Uint8Array, start: number, end: number): string {
  if (end - start > SHORT_FIELD) return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/** A field as latin1 text, untrimmed; shorter than `length` when the buffer ends early. */
export function sliceAscii(bytes: Uint8Array, start1Based: number, length: number): string {
  const start = fieldStart(bytes, start1Based);
  return latin1Range(bytes, start, fieldEnd(bytes, start, length));
}

/** Removes the space and NUL padding the DLL (spaces) and PC/SC (NULs) put around fields (docs/reference/abi.md (Dates, Big5)). */
export function trimPadding(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPaddingCode(text.charCodeAt(start))) start++;
  while (end > start && isPaddingCode(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Also a byte test: in latin1 the padding bytes 0x20 and 0x00 are the padding code points. */
function isPaddingCode(code: number): boolean {
  return code === 0x20 || code === 0x00;
}

/**
 * {@link sliceAscii} trimmed of padding: what most single-value fields want. The padding is found in the
 * bytes (latin1 maps 0x20 and 0x00 to the same code points), so only the trimmed text is built.
 */
export function readTrimmed(bytes: Uint8Array, start1Based: number, length: number): string {
  let start = fieldStart(bytes, start1Based);
  let end = fieldEnd(bytes, start, length);
  while (start < end && isPaddingCode(bytes[start]!)) start++;
  while (end > start && isPaddingCode(bytes[end - 1]!)) end--;
  return latin1Range(bytes, start, end);
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
