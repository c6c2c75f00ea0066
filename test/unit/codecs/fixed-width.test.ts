import { describe, expect, it } from 'vitest';
import {
  asciiBytes,
  concatBytes,
  padLeftZeros,
  padRight,
  readTrimmed,
  sliceAscii,
  sliceBytes,
  trimPadding,
} from '../../../src/codecs/fixed-width.ts';
import { InputError } from '../../../src/codecs/input-error.ts';

const buffer = Uint8Array.from([0x41, 0x42, 0x43, 0x20, 0x20, 0x44, 0x00, 0xff]); // "ABC  D\0ÿ"

function expectInputError(fn: () => unknown, field: string, rule: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  expect((caught as InputError).field).toBe(field);
  expect((caught as InputError).rule).toBe(rule);
}

describe('sliceAscii', () => {
  it('reads a 1-based range without trimming', () => {
    expect(sliceAscii(buffer, 1, 3)).toBe('ABC');
    expect(sliceAscii(buffer, 3, 3)).toBe('C  ');
  });

  it('maps bytes 1:1 (latin1), so non-ASCII never throws', () => {
    expect(sliceAscii(buffer, 7, 2)).toBe('\u0000\u00ff');
  });

  it('clamps at the end of the buffer instead of reading past it', () => {
    expect(sliceAscii(buffer, 6, 10)).toBe('D\u0000\u00ff');
    expect(sliceAscii(buffer, 9, 5)).toBe('');
    expect(sliceAscii(buffer, 100, 5)).toBe('');
    expect(sliceAscii(new Uint8Array(0), 1, 12)).toBe('');
  });

  it('treats nonsense ranges as empty', () => {
    expect(sliceAscii(buffer, 1, 0)).toBe('');
    expect(sliceAscii(buffer, 1, -3)).toBe('');
    expect(sliceAscii(buffer, 0, 2)).toBe('AB');
  });
});

describe('sliceBytes', () => {
  it('returns a view of the range, clamped', () => {
    expect([...sliceBytes(buffer, 2, 2)]).toEqual([0x42, 0x43]);
    expect([...sliceBytes(buffer, 7, 20)]).toEqual([0x00, 0xff]);
    expect(sliceBytes(buffer, 50, 2).length).toBe(0);
  });
});

describe('trimPadding / readTrimmed', () => {
  it('trims spaces and NULs at both ends only', () => {
    expect(trimPadding('  A B\0\0 ')).toBe('A B');
    expect(trimPadding('\0\0')).toBe('');
    expect(trimPadding('A\0B')).toBe('A\0B');
  });

  it('readTrimmed combines slicing and trimming', () => {
    expect(readTrimmed(buffer, 1, 5)).toBe('ABC');
    expect(readTrimmed(buffer, 4, 4)).toBe('D');
    expect(readTrimmed(buffer, 40, 4)).toBe('');
  });
});

describe('padRight', () => {
  it('left-aligns and space-pads', () => {
    expect(padRight('AB', 5, 'f')).toBe('AB   ');
    expect(padRight('', 3, 'f')).toBe('   ');
    expect(padRight('ABCDE', 5, 'f')).toBe('ABCDE');
  });

  it('rejects values that are too long', () => {
    expectInputError(() => padRight('ABCDEF', 5, 'hospitalId'), 'hospitalId', 'must be at most 5 characters');
  });

  it('rejects non-ASCII and control characters', () => {
    expectInputError(() => padRight('王', 5, 'name'), 'name', 'must be printable ASCII');
    expectInputError(() => padRight('A\0B', 5, 'idNumber'), 'idNumber', 'must be printable ASCII');
    expectInputError(() => padRight('A\nB', 5, 'idNumber'), 'idNumber', 'must be printable ASCII');
  });
});

describe('padLeftZeros', () => {
  it('right-aligns digits with leading zeros', () => {
    expect(padLeftZeros(0, 8, 'f')).toBe('00000000');
    expect(padLeftZeros(12345, 8, 'f')).toBe('00012345');
    expect(padLeftZeros(99999999, 8, 'f')).toBe('99999999');
    expect(padLeftZeros(6, 2, 'f')).toBe('06');
  });

  it('rejects numbers that do not fit', () => {
    expectInputError(() => padLeftZeros(100000000, 8, 'fees.outpatientFee'), 'fees.outpatientFee', 'must fit in 8 digits');
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60])('rejects %p', (n) => {
    expectInputError(() => padLeftZeros(n, 20, 'count'), 'count', 'must be a non-negative integer');
  });
});

describe('concatBytes / asciiBytes', () => {
  it('concatenates in order', () => {
    const joined = concatBytes(Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3));
    expect([...joined]).toEqual([1, 2, 3]);
    expect(concatBytes().length).toBe(0);
  });

  it('encodes ASCII and refuses anything else', () => {
    expect([...asciiBytes('A1 ')]).toEqual([0x41, 0x31, 0x20]);
    expectInputError(() => asciiBytes('é', 'cardNumber'), 'cardNumber', 'must be ASCII');
    expectInputError(() => asciiBytes('王'), 'value', 'must be ASCII');
  });
});
