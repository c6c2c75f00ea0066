/**
 * Taiwan ID / resident-certificate numbers: keep the first two and last two characters only. Found wherever
 * they stand, not only between word boundaries: `\b` treats `_` and letters as part of a word, so
 * `Read_A123456789` or `idA123456789x` (an operation name, a key) would slip through. Only a following digit
 * rules a match out (a longer number); over-masking a log line costs nothing.
 */
const ID_NUMBER = /([A-Z])([12ABCD89])\d{6}(\d{2})(?![0-9])/g;

export function maskIdentifiers(text: string): string {
  return text.replace(ID_NUMBER, (_m, letter: string, second: string, tail: string) => `${letter}${second}******${tail}`);
}
