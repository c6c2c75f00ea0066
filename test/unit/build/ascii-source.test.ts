/**
 * The executable's bundle is made ASCII only (build/lib/ascii-source.ts): `String.raw` templates keep their
 * value with every non-ASCII character moved into an escaped substitution, and anything else non-ASCII
 * fails the build. The values are checked by evaluating the rewritten source.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiBundle, asciiRawTemplates, assertAscii, NonAsciiSourceError } from '../../../build/lib/ascii-source.ts';

const evaluate = (source: string): unknown => new Function(`return ${source};`)();

describe('ASCII-only bundle', () => {
  it('rewrites String.raw text to ASCII with the same value', () => {
    const source = "String.raw`var a = '模擬器 simulator'; x.split(/\\r\\n|\\n/); '、😀' + ${1 + 1}`";
    const rewritten = asciiRawTemplates(source);
    expect(rewritten).toMatch(/^[\x00-\x7f]*$/);
    expect(evaluate(rewritten)).toBe(evaluate(source));
    expect(evaluate(rewritten)).toBe("var a = '模擬器 simulator'; x.split(/\\r\\n|\\n/); '、😀' + 2");
  });

  it('keeps every String.raw value for any text (property)', () => {
    // Template text: any character but a bare backtick, dollar or backslash, plus escapes and substitutions.
    const plain = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((c) => !/[`$\\]/.test(c));
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('模', '・', '（', '😀', 'é', '\\n', '\\`', '${"x"}', '{', '}'), plain) });
    fc.assert(
      fc.property(text, text, (a, b) => {
        const source = `[String.raw\`${a}\`, 'plain', String.raw\`${b}\`]`;
        const rewritten = asciiRawTemplates(source);
        expect(rewritten).toMatch(/^[\x00-\x7f]*$/);
        expect(evaluate(rewritten)).toEqual(evaluate(source));
      }),
    );
  });

  it('leaves source without String.raw as it is', () => {
    expect(asciiRawTemplates('var s = "\\u6a21"; f`x`;')).toBe('var s = "\\u6a21"; f`x`;');
  });

  it('fails, naming the place, on non-ASCII outside String.raw', () => {
    expect(() => asciiBundle('var ok = 1; css`模`;', 'the bundle')).toThrow(NonAsciiSourceError);
    expect(() => assertAscii('var ok = 1; css`模`;', 'the bundle')).toThrow(/the bundle has a non-ASCII character at 16 .*css`模/);
    expect(asciiBundle('String.raw`模`', 'the bundle')).toBe('String.raw`${"\\u6a21"}`');
  });

  it('refuses an unterminated template instead of guessing', () => {
    expect(() => asciiRawTemplates('String.raw`abc')).toThrow(/unterminated String.raw template at character 0/);
  });
});
