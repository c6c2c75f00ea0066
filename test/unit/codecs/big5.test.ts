import { describe, expect, it } from 'vitest';
import {
  codePointToEudc,
  decodeBig5Field,
  encodeBig5,
  encodeBig5Field,
  eudcToCodePoint,
} from '../../../src/codecs/big5.ts';
import { InputError } from '../../../src/codecs/input-error.ts';

/** "A4 FD A4 70" → bytes; the test data is written out by hand, not produced by the encoder. */
function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

function padTo(bytes: Uint8Array, width: number, fill: number): Uint8Array {
  const out = new Uint8Array(width).fill(fill);
  out.set(bytes);
  return out;
}

// 王 A4FD · 小 A470 · 明 A9FA · 陳 B3AF · 美 ACFC (CP950)
const WANG_XIAO_MING = hex('A4FD A470 A9FA');

describe('decodeBig5Field: ordinary names', () => {
  it('decodes 王小明 in a 20-byte space-padded field', () => {
    const field = hex('A4FD A470 A9FA 2020 2020 2020 2020 2020 2020 2020');
    expect(field.length).toBe(20);
    expect(decodeBig5Field(field)).toEqual({ text: '王小明', rawHex: 'A4FDA470A9FA', hasRareCharacters: false });
  });

  it('trims NUL padding (PC/SC style)', () => {
    expect(decodeBig5Field(padTo(WANG_XIAO_MING, 20, 0x00))).toEqual({
      text: '王小明',
      rawHex: 'A4FDA470A9FA',
      hasRareCharacters: false,
    });
  });

  it('trims full-width-space padding, mixed with ASCII padding', () => {
    const field = hex('A4FD A470 A9FA A140 A140 2000 0000 0000 0000 0000');
    expect(decodeBig5Field(field)).toEqual({ text: '王小明', rawHex: 'A4FDA470A9FA', hasRareCharacters: false });
  });

  it('trims leading padding too', () => {
    const field = hex('2020 A140 A4FD A470 A9FA 2020');
    expect(decodeBig5Field(field)).toEqual({ text: '王小明', rawHex: 'A4FDA470A9FA', hasRareCharacters: false });
  });

  it('keeps interior spaces (e.g. a foreign name)', () => {
    const field = hex('4A4F484E20534D495448 20202020 20202020 2020'); // "JOHN SMITH"
    expect(decodeBig5Field(field)).toEqual({ text: 'JOHN SMITH', rawHex: '4A4F484E20534D495448', hasRareCharacters: false });
  });

  it('does not mistake a 0x40 after a character with trail 0xA1 for a full-width space', () => {
    // A4A1 = 丑 (U+4E11), then ASCII '@'. A byte-wise trim of "A1 40" would cut 丑 in half.
    expect(decodeBig5Field(hex('A4A1 40 20 20'))).toEqual({ text: '丑@', rawHex: 'A4A140', hasRareCharacters: false });
  });

  it('gives empty text for an all-padding or empty field', () => {
    const empty = { text: '', rawHex: '', hasRareCharacters: false };
    expect(decodeBig5Field(new Uint8Array(20).fill(0x20))).toEqual(empty);
    expect(decodeBig5Field(new Uint8Array(20))).toEqual(empty);
    expect(decodeBig5Field(hex('A140 A140'))).toEqual(empty);
    expect(decodeBig5Field(new Uint8Array(0))).toEqual(empty);
  });
});

describe('decodeBig5Field: rare characters (user-defined areas, docs/reference/abi.md (Dates, Big5))', () => {
  it('maps 0xFA40 to U+E000 and flags the field', () => {
    const field = hex('B3AF FA40 ACFC 2020 2020 2020 2020 2020 2020 2020'); // 陳 + EUDC + 美
    expect(decodeBig5Field(field)).toEqual({ text: '陳\uE000美', rawHex: 'B3AFFA40ACFC', hasRareCharacters: true });
  });

  // Microsoft CP950 EUDC → PUA, at the corners of every area and across row boundaries.
  it.each([
    ['FA40', 0xe000],
    ['FA7E', 0xe03e],
    ['FAA1', 0xe03f],
    ['FAFE', 0xe09c],
    ['FB40', 0xe09d],
    ['FEFE', 0xe310],
    ['8E40', 0xe311],
    ['A0FE', 0xeeb7],
    ['8140', 0xeeb8],
    ['8840', 0xf303],
    ['8DFE', 0xf6b0],
    ['C6A1', 0xf6b1],
    ['C6FE', 0xf70e],
    ['C740', 0xf70f],
    ['C8FE', 0xf848],
  ])('0x%s → U+%s', (bytes, codePoint) => {
    const pair = hex(bytes);
    expect(eudcToCodePoint(pair[0]!, pair[1]!)).toBe(codePoint);
    const decoded = decodeBig5Field(pair);
    expect(decoded.text.codePointAt(0)).toBe(codePoint);
    expect(decoded.text.length).toBe(1);
    expect(decoded.hasRareCharacters).toBe(true);
    expect(decoded.rawHex).toBe(bytes);
    expect(codePointToEudc(codePoint)).toEqual([pair[0], pair[1]]);
  });

  it('maps every user-defined cell to a distinct PUA code point, never U+FFFD or an HKSCS character', () => {
    const areas: [number, number][] = [
      [0xfa, 0xfe],
      [0x8e, 0xa0],
      [0x81, 0x8d],
      [0xc6, 0xc8],
    ];
    const seen = new Set<number>();
    for (const [first, last] of areas) {
      for (let lead = first; lead <= last; lead++) {
        for (let trail = 0x40; trail <= 0xfe; trail++) {
          if (trail > 0x7e && trail < 0xa1) continue;
          if (lead === 0xc6 && trail < 0xa1) continue; // 0xC640–0xC67E are ordinary characters
          const decoded = decodeBig5Field(Uint8Array.of(lead, trail));
          const codePoint = decoded.text.codePointAt(0)!;
          expect(decoded.text.length).toBe(1);
          expect(codePoint).toBeGreaterThanOrEqual(0xe000);
          expect(codePoint).toBeLessThanOrEqual(0xf848);
          expect(decoded.hasRareCharacters).toBe(true);
          seen.add(codePoint);
          expect([...encodeBig5(decoded.text)]).toEqual([lead, trail]);
        }
      }
    }
    expect(seen.size).toBe(0xf848 - 0xe000 + 1);
  });

  it('leaves 0xC640–0xC67E as ordinary characters', () => {
    expect(decodeBig5Field(hex('C67E'))).toEqual({ text: '籲', rawHex: 'C67E', hasRareCharacters: false });
  });

  it('returns null for pairs outside the areas', () => {
    expect(eudcToCodePoint(0xa4, 0x40)).toBeNull();
    expect(eudcToCodePoint(0xfa, 0x80)).toBeNull();
    expect(eudcToCodePoint(0xc6, 0x40)).toBeNull();
    expect(codePointToEudc(0xdfff)).toBeNull();
    expect(codePointToEudc(0xf849)).toBeNull();
    expect(codePointToEudc(0x738b)).toBeNull();
  });
});

describe('decodeBig5Field: garbage never throws', () => {
  it('turns stray bytes into U+FFFD', () => {
    expect(decodeBig5Field(hex('80 FF')).text).toBe('\uFFFD\uFFFD');
    // Lead byte at the very end.
    expect(decodeBig5Field(hex('A4FD A4')).text).toBe('王\uFFFD');
  });

  it('does not swallow the next character after a lead byte with an invalid trail', () => {
    expect(decodeBig5Field(hex('A4 20 41')).text).toBe('\uFFFD A');
    // Resynchronisation is greedy, like every Big5 decoder: A4A4 (中) pairs up and FD is left alone.
    expect(decodeBig5Field(hex('A4 A4FD')).text).toBe('中\uFFFD');
  });

  it('turns an unassigned pair into one U+FFFD without inventing ASCII from its trail', () => {
    expect(decodeBig5Field(hex('A3C0')).text).toBe('\uFFFD');
    expect(decodeBig5Field(hex('A3FE A4FD')).text).toBe('\uFFFD王');
  });

  it('survives random bytes', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    };
    for (let run = 0; run < 2000; run++) {
      const bytes = Uint8Array.from({ length: run % 41 }, random);
      const decoded = decodeBig5Field(bytes);
      expect(typeof decoded.text).toBe('string');
      expect(decoded.rawHex).toMatch(/^([0-9A-F]{2})*$/);
      expect(decoded.rawHex.length / 2).toBeLessThanOrEqual(bytes.length);
    }
  });
});

describe('encodeBig5', () => {
  it('encodes ordinary characters with CP950', () => {
    expect([...encodeBig5('王小明')]).toEqual([...WANG_XIAO_MING]);
    expect([...encodeBig5('A ?')]).toEqual([0x41, 0x20, 0x3f]);
    expect([...encodeBig5('\u3000')]).toEqual([0xa1, 0x40]);
  });

  it('maps PUA code points back to their EUDC bytes', () => {
    expect([...encodeBig5('陳\uE000美')]).toEqual([...hex('B3AF FA40 ACFC')]);
    expect([...encodeBig5('\uF848')]).toEqual([0xc8, 0xfe]);
  });

  it.each([
    ['😀', 'astral'],
    ['\uF849', 'PUA beyond the EUDC mapping'],
    ['\uFFFD', 'the replacement character'],
    ['é', 'Latin-1 letter absent from CP950'],
    ['\uD800', 'lone surrogate'],
  ])('refuses %j (%s)', (text) => {
    let caught: unknown;
    try {
      encodeBig5(`王${text}`);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect(caught).toMatchObject({ field: 'name', rule: 'not representable in Big5' });
  });

  it('names a custom field', () => {
    expect(() => encodeBig5('😀', 'professionalName')).toThrow(/^professionalName: /);
  });

  it.each(['王小明', '陳\uE000美', 'JOHN SMITH', '林\uF848', '歐陽\uEEB8\uF6B1'])('round-trips %j', (text) => {
    const decoded = decodeBig5Field(encodeBig5Field(text, 20));
    expect(decoded.text).toBe(text);
    expect(decoded.rawHex).toBe(Buffer.from(encodeBig5(text)).toString('hex').toUpperCase());
  });
});

describe('encodeBig5Field', () => {
  it('space-pads to the width', () => {
    expect([...encodeBig5Field('王小明', 20)]).toEqual([...WANG_XIAO_MING, ...new Array<number>(14).fill(0x20)]);
  });

  it('refuses text longer than the width in bytes', () => {
    expect(() => encodeBig5Field('王小明王小明王小明王小', 20)).toThrow(InputError);
    expect(() => encodeBig5Field('王小明王小明王小明王', 20)).not.toThrow(); // exactly 20 bytes
    expect(() => encodeBig5Field('ABC', 2, 'englishName')).toThrow('englishName: must fit in 2 bytes of Big5');
  });
});
