/**
 * The executable's bundle must be ASCII only. Node's SEA loader turns the embedded main script into a V8
 * string with `String::NewFromUtf8`: one byte per character when every character is Latin-1, two bytes
 * per character otherwise. One Chinese character anywhere made the whole 1.9 MB bundle a 3.8 MB two-byte
 * string, held in the V8 heap for the life of the process (V8 keeps a script's source for lazy
 * compilation). Measured in docs/performance.md, "Idle and peak memory".
 *
 * esbuild already writes ASCII (its default `charset`), escaping every string, regular expression and
 * untagged template; it cannot escape a *tagged* template's text, because the tag sees the raw text.
 * `String.raw` is the one tag the gateway's own code uses with non-ASCII text (src/status/script.ts): for it,
 * `a${"\u6a21"}b` is exactly `a模b`, so each non-ASCII character is moved into a substitution holding an
 * escaped string. Any other non-ASCII left in the bundle fails the build, naming where it is.
 */

export class NonAsciiSourceError extends Error {
  override readonly name = 'NonAsciiSourceError';
}

/** `"\uXXXX"` (or a surrogate pair of them) as a JS string literal for one code point. */
function escapedLiteral(char: string): string {
  let out = '';
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return `"${out}"`;
}

const RAW_TAG = 'String.raw`';

/**
 * Rewrites the text of every `String.raw` template so that it holds ASCII only, leaving the value each
 * template evaluates to unchanged. Substitutions already in the template (`${…}`) are copied as they are.
 */
export function asciiRawTemplates(source: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const tag = source.indexOf(RAW_TAG, from);
    if (tag < 0) break;
    let i = tag + RAW_TAG.length;
    out += source.slice(from, i);
    while (i < source.length && source[i] !== '`') {
      const char = source[i]!;
      if (char === '\\') {
        out += source.slice(i, i + 2);
        i += 2;
      } else if (char === '$' && source[i + 1] === '{') {
        const end = substitutionEnd(source, i + 2);
        out += source.slice(i, end);
        i = end;
      } else if (char.charCodeAt(0) > 0x7f) {
        const codePoint = String.fromCodePoint(source.codePointAt(i)!);
        out += `\${${escapedLiteral(codePoint)}}`;
        i += codePoint.length;
      } else {
        out += char;
        i += 1;
      }
    }
    if (i >= source.length) throw new NonAsciiSourceError(`unterminated String.raw template at character ${tag}`);
    from = i; // the closing backtick is copied with the next slice
  }
  return out + source.slice(from);
}

/** Index just past the `}` closing a substitution whose body starts at `start` (braces counted). */
function substitutionEnd(source: string, start: number): number {
  let depth = 1;
  for (let i = start; i < source.length; i++) {
    if (source[i] === '{') depth++;
    else if (source[i] === '}' && --depth === 0) return i + 1;
  }
  throw new NonAsciiSourceError(`unterminated template substitution at character ${start}`);
}

/** Throws, naming the first non-ASCII character and its surroundings, unless `source` is ASCII only. */
export function assertAscii(source: string, what: string): void {
  const at = source.search(/[^\x00-\x7f]/);
  if (at < 0) return;
  const context = source.slice(Math.max(0, at - 60), at + 20).replace(/\s+/g, ' ');
  throw new NonAsciiSourceError(
    `${what} has a non-ASCII character at ${at} (…${context}…): V8 would hold the whole bundle as a two-byte string. ` +
      'Escape it, or keep it out of tagged templates other than String.raw (build/lib/ascii-source.ts).',
  );
}

/** What the bundle step runs on esbuild's output: raw templates made ASCII, then everything checked. */
export function asciiBundle(source: string, what: string): string {
  const ascii = asciiRawTemplates(source);
  assertAscii(ascii, what);
  return ascii;
}
