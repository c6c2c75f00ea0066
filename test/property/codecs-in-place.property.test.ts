/**
 * The card decoders read their fields in place (no view or intermediate string per field, src/codecs):
 * for any bytes they must answer exactly what the copy-then-parse decoders answered
 * (test/support/reference-codecs.ts). Bytes are drawn so that every path is reached: digits (dates),
 * padding, Big5 lead and trail bytes, user-defined-area pairs, full-width spaces, and short buffers.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBasicData, decodeRegisterBasic, decodeSex } from '../../src/codecs/layouts.ts';
import { decodeBig5Field, decodeBig5Range } from '../../src/codecs/big5.ts';
import { readTrimmed, sliceAscii } from '../../src/codecs/fixed-width.ts';
import { decodeRocDateField } from '../../src/codecs/roc-date.ts';
import {
  referenceDecodeBasicData,
  referenceDecodeBig5Field,
  referenceDecodeRegisterBasic,
  referenceDecodeRocDateOrNull,
  referenceDecodeSex,
  referenceReadTrimmed,
  referenceSliceAscii,
  referenceSliceBytes,
} from '../support/reference-codecs.ts';

const RUNS = { numRuns: 2000 };

/** Bytes a card field holds, and the ones around the edges of every rule. */
const cardByte = fc.oneof(
  fc.integer({ min: 0x30, max: 0x39 }), // digits
  fc.constantFrom(0x20, 0x00, 0x2f, 0x3a, 0x4d, 0x46, 0x6d, 0x66, 0x41, 0x43, 0x31, 0x32, 0x38, 0x39), // padding, M/F, ID letters
  fc.constantFrom(0x81, 0x8d, 0x8e, 0xa0, 0xa1, 0xa4, 0xc5, 0xc6, 0xc8, 0xc9, 0xf9, 0xfa, 0xfe, 0xff, 0x80), // lead-byte edges
  fc.constantFrom(0x40, 0x7e, 0x7f, 0xa1, 0xfe, 0x70, 0xfd, 0xfa), // trail-byte edges
  fc.integer({ min: 0, max: 255 }),
);
const cardBytes = fc.array(cardByte, { minLength: 0, maxLength: 90 }).map((b) => Uint8Array.from(b));
/** A valid ROC date, or nearly one, to reach the date arithmetic. */
const rocDate = fc
  .tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
  .map(([y, m, d]) => `${String(y).padStart(3, '0')}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`);
/** A 1.1 / 1.2 buffer built from plausible fields (then sometimes cut short), so most reads take the usual path. */
const plausibleCard = fc
  .tuple(
    fc.array(cardByte, { minLength: 32, maxLength: 32 }),
    rocDate,
    fc.array(cardByte, { minLength: 1, maxLength: 1 }),
    rocDate,
    fc.array(cardByte, { minLength: 3, maxLength: 3 }),
    rocDate,
    fc.array(cardByte, { minLength: 2, maxLength: 2 }),
    rocDate,
    fc.array(cardByte, { minLength: 1, maxLength: 1 }),
    fc.integer({ min: 0, max: 90 }),
  )
  .map(([head, birth, sex, issue, mid, valid, visits, newborn, order, cut]) => {
    const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
    const all = [...head, ...ascii(birth), ...sex, ...ascii(issue), ...mid, ...ascii(valid), ...visits, ...ascii(newborn), ...order];
    // Every third buffer ends early, anywhere: fields then clamp.
    return Uint8Array.from(cut % 3 === 0 ? all.slice(0, cut) : all);
  });
const anyCard = fc.oneof(cardBytes, plausibleCard);

describe('in-place decoders answer as the copy-then-parse ones', () => {
  it('decodeBasicData and decodeRegisterBasic', () => {
    fc.assert(
      fc.property(anyCard, (bytes) => {
        expect(decodeBasicData(bytes)).toStrictEqual(referenceDecodeBasicData(bytes));
        expect(decodeRegisterBasic(bytes)).toStrictEqual(referenceDecodeRegisterBasic(bytes));
      }),
      RUNS,
    );
  });

  it('decodeBig5Field, and decodeBig5Range of any part of a buffer', () => {
    fc.assert(
      fc.property(cardBytes, fc.nat(), fc.nat(), (bytes, a, b) => {
        expect(decodeBig5Field(bytes)).toStrictEqual(referenceDecodeBig5Field(bytes));
        const from = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const to = from + (bytes.length === 0 ? 0 : b % (bytes.length - from + 1));
        expect(decodeBig5Range(bytes, from, to)).toStrictEqual(referenceDecodeBig5Field(bytes.subarray(from, to)));
      }),
      RUNS,
    );
  });

  it('sliceAscii, readTrimmed and decodeRocDateField for any 1-based range, clamped ones included', () => {
    fc.assert(
      fc.property(anyCard, fc.integer({ min: -2, max: 95 }), fc.integer({ min: -2, max: 80 }), (bytes, start, length) => {
        expect(sliceAscii(bytes, start, length)).toBe(referenceSliceAscii(bytes, start, length));
        expect(readTrimmed(bytes, start, length)).toBe(referenceReadTrimmed(bytes, start, length));
        expect(decodeRocDateField(bytes, start, length)).toBe(referenceDecodeRocDateOrNull(referenceSliceAscii(bytes, start, length)));
        expect(referenceSliceBytes(bytes, start, length).length).toBe(sliceAscii(bytes, start, length).length);
      }),
      RUNS,
    );
  });

  it('decodeRocDateField on seven digits: every date of a range of years, and impossible ones', () => {
    fc.assert(
      fc.property(rocDate, (roc) => {
        const bytes = Uint8Array.from([...roc].map((c) => c.charCodeAt(0)));
        expect(decodeRocDateField(bytes, 1, 7)).toBe(referenceDecodeRocDateOrNull(roc));
      }),
      RUNS,
    );
  });

  it('decodeRocDateField on seven digits: every month 00–13 and day 00–32 of years around every leap-year rule', () => {
    // 1912 first, 1999/2000 (divisible by 400), 2100/2200/2300 (by 100, not 400), 2400, 2910 last, plus ordinary years.
    const rocYears = [0, 1, 2, 3, 4, 5, 85, 86, 87, 88, 89, 90, 113, 114, 115, 116, 189, 289, 389, 489, 998, 999];
    let checked = 0;
    for (const y of rocYears) {
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          const roc = `${String(y).padStart(3, '0')}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
          const bytes = Uint8Array.from([...roc].map((c) => c.charCodeAt(0)));
          expect(decodeRocDateField(bytes, 1, 7), roc).toBe(referenceDecodeRocDateOrNull(roc));
          checked++;
        }
      }
    }
    expect(checked).toBe(rocYears.length * 14 * 33);
  });

  it('decodeSex for any one-character sex field and ID number', () => {
    const oneChar = fc.oneof(fc.constantFrom('', 'M', 'm', 'F', 'f', ' ', 'ß', 'µ', 'ÿ'), fc.string({ minLength: 0, maxLength: 2 }));
    const latin1 = fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(oneChar, fc.array(latin1, { maxLength: 4 }), (sex, id) => {
        expect(decodeSex(sex, id.join(''))).toBe(referenceDecodeSex(sex, id.join('')));
      }),
      RUNS,
    );
  });
});
