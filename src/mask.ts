/**
 * Taiwan ID / resident-certificate numbers: keep the first two and last two characters only. Found wherever
 * they stand, not only between word boundaries: `\b` treats `_` and letters as part of a word, so
 * `Read_A123456789` or `idA123456789x` (an operation name, a key) would slip through. Only a following digit
 * rules a match out (a longer number); over-masking a log line costs nothing.
 */
const ID_NUMBER = /([A-Z])([12ABCD89])\d{6}(\d{2})(?![0-9])/g;
/** The same pattern, not global: `test` keeps no `lastIndex` state between calls. */
const HAS_ID_NUMBER = new RegExp(ID_NUMBER.source);

export function maskIdentifiers(text: string): string {
  // Most lines hold none: testing first costs no allocation, where a replace that finds nothing still makes
  // some (every log and audit line passes here, docs/performance.md round 7).
  if (!HAS_ID_NUMBER.test(text)) return text;
  return text.replace(ID_NUMBER, (_m, letter: string, second: string, tail: string) => `${letter}${second}******${tail}`);
}
