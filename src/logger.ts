/**
 * The console logger: one line per event, `time level message {fields}`. Callers never pass patient data;
 * as a second line of defence every line is run through `maskIdentifiers` before it is written.
 */
import type { GatewayLogger } from './yoga.ts';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/** Taiwan ID / resident-certificate numbers: keep the first two and last two characters only. */
const ID_NUMBER = /\b([A-Z])([12ABCD89])\d{6}(\d{2})\b/g;

export function maskIdentifiers(text: string): string {
  return text.replace(ID_NUMBER, (_m, letter: string, second: string, tail: string) => `${letter}${second}******${tail}`);
}

export function createConsoleLogger(
  options: { minLevel?: Level; write?: (line: string) => void; now?: () => Date } = {},
): GatewayLogger {
  const min = LEVELS.indexOf(options.minLevel ?? 'info');
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const log = (level: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS.indexOf(level) < min) return;
    const tail = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    write(maskIdentifiers(`${now().toISOString()} ${level.toUpperCase()} ${msg}${tail}`));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
