/**
 * Logging with pino: JSON lines into size-rotated files in a documented folder, plus human-readable lines
 * on the console for whoever started the gateway. Callers never pass patient data; in case one does:
 *
 * 1. every logged object goes through `redactDeep` (pino's `formatters.log`, which runs before pino
 *    serializes anything), which blanks known keys (`idNumber`, `name`, `birthDate`, `signature`, …) at any
 *    depth. Not pino's own `redact` as well: its paths would only find keys `redactDeep` has already blanked,
 *    and it cost ~13 µs per audit line (about a tenth of a whole request);
 * 2. every string, and finally every written line, goes through {@link maskIdentifiers}, so an ID number
 *    inside an error message is masked too.
 *
 * No pino transports: they run in worker threads and load modules dynamically, which breaks in the
 * single-executable bundle. Files are written asynchronously in batches by {@link RotatingFileStream}
 * (src/log-file.ts): a request only queues its line. `close()` flushes; what a crash loses is in
 * docs/security.md.
 */
import { join } from 'node:path';
import pino, { type DestinationStream } from 'pino';
import type { GatewayLogger } from './yoga.ts';
import type { AuditEntry, AuditLog } from './security/audit.ts';
import { dataDirectory } from './paths.ts';
import { maskIdentifiers } from './mask.ts';
import { AUDIT_FILE, LOG_FILE } from './log-file-names.ts';
import { RotatingFileStream, type LogFileOptions, type RotationOptions } from './log-file.ts';

export { maskIdentifiers, RotatingFileStream, type LogFileOptions, type RotationOptions };

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/** Keys whose values are patient or professional data (or secrets) wherever they appear. */
export const SENSITIVE_KEYS = [
  'idNumber',
  'patientId',
  'doctorIdNumber',
  'name',
  'englishName',
  'rawHex',
  'birthDate',
  'birthDateRoc',
  'newbornBirthDate',
  'signature',
  'cardNumber',
  'emergencyPhone',
  'authorization',
  'token',
] as const;
const SENSITIVE = new Set<string>(SENSITIVE_KEYS);
export const REDACTED = '[redacted]';

/** Blanks sensitive keys at any depth and masks ID numbers in strings; Errors become plain objects. */
export function redactDeep(value: unknown, seen: WeakSet<object> = new WeakSet(), depth = 0): unknown {
  if (typeof value === 'string') return maskIdentifiers(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth > 12) return '[…]';
  seen.add(value);
  if (value instanceof Error) {
    return { type: value.name, message: maskIdentifiers(value.message), ...(value.stack ? { stack: maskIdentifiers(value.stack) } : {}) };
  }
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, seen, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = SENSITIVE.has(key) ? REDACTED : redactDeep(item, seen, depth + 1);
  return out;
}

// ---- files ----

/** `%LOCALAPPDATA%\nhi-gateway\logs` on Windows, `$XDG_STATE_HOME/nhi-gateway/logs` (or ~/.local/state/…) elsewhere. */
export function defaultLogDirectory(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform = process.platform): string {
  return join(dataDirectory(env, platform), 'logs');
}
export { AUDIT_FILE, LOG_FILE };

// ---- the gateway logger ----

export interface GatewayLoggerOptions {
  /** @default 'info' */
  readonly level?: Level;
  /** Write JSON lines to `<directory>/gateway.log` (rotated). Omitted: no file. */
  readonly directory?: string;
  readonly rotation?: LogFileOptions;
  /** Human-readable lines for the operator: `true` = stderr, a function = that. @default false */
  readonly console?: boolean | ((line: string) => void);
  /** Clock for timestamps (tests). */
  readonly now?: () => Date;
}

export interface ClosableLogger extends GatewayLogger {
  /** The JSON log file, when there is one. */
  readonly file: string | null;
  /** Lines the file did not get (queue full or write failed). */
  readonly dropped: number;
  /** Resolves when every line logged so far is in the file. */
  flush(): Promise<void>;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

const PINO_LEVEL: Record<Level, number> = { debug: 20, info: 30, warn: 40, error: 50 };

function basePinoOptions(level: string, now: (() => Date) | undefined): pino.LoggerOptions {
  return {
    level,
    base: null,
    messageKey: 'msg',
    timestamp: now ? () => `,"time":"${now().toISOString()}"` : pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redactDeep(object) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? maskIdentifiers(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
}

/** `time LEVEL message {fields}` from one of our JSON lines (already redacted and masked). */
function humanLine(json: string): { level: Level; text: string } | null {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return null;
  }
  const { time, level, msg, ...fields } = record;
  const label = (LEVELS as readonly string[]).includes(String(level)) ? (level as Level) : 'info';
  const tail = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  return { level: label, text: maskIdentifiers(`${String(time)} ${label.toUpperCase()} ${String(msg ?? '')}${tail}`) };
}

export function createGatewayLogger(options: GatewayLoggerOptions = {}): ClosableLogger {
  const level = options.level ?? 'info';
  const file = options.directory ? new RotatingFileStream(join(options.directory, LOG_FILE), options.rotation) : null;
  const consoleWrite =
    options.console === true ? (line: string) => void process.stderr.write(`${line}\n`) : options.console || null;
  const destination: DestinationStream = {
    write(line: string) {
      file?.write(line);
      if (consoleWrite) {
        const human = humanLine(line);
        if (human) consoleWrite(human.text);
      }
    },
  };
  const logger = pino(basePinoOptions(level, options.now), destination);
  const log = (lvl: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (PINO_LEVEL[lvl] < PINO_LEVEL[level]) return;
    if (fields && Object.keys(fields).length > 0) logger[lvl](fields, msg);
    else logger[lvl](msg);
  };
  return {
    level,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    file: file?.path ?? null,
    get dropped() {
      return file?.dropped ?? 0;
    },
    flush: async () => file?.flush(),
    close: async () => file?.close(),
  };
}

/**
 * A console-only logger (stderr by default, or `write`), one human line per event:
 * `time LEVEL message {fields}`, redacted and masked like the files.
 */
export function createConsoleLogger(
  options: { minLevel?: Level; write?: (line: string) => void; now?: () => Date } = {},
): GatewayLogger {
  return createGatewayLogger({
    ...(options.minLevel ? { level: options.minLevel } : {}),
    console: options.write ?? true,
    ...(options.now ? { now: options.now } : {}),
  });
}

// ---- the audit log ----

export interface FileAuditLog extends AuditLog {
  readonly file: string;
  /** Entries the file did not get (queue full or write failed). */
  readonly dropped: number;
  /** Resolves when every entry recorded so far is in the file. */
  flush(): Promise<void>;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

/** Audit entries as JSON lines in `<directory>/audit.log` (rotated), with the same redaction as the logs. */
export function createAuditLog(options: { directory: string; rotation?: LogFileOptions; now?: () => Date }): FileAuditLog {
  const stream = new RotatingFileStream(join(options.directory, AUDIT_FILE), {
    // Kept longer than the debug log: it is the record of who read and wrote which card.
    maxFiles: 10,
    ...options.rotation,
  });
  const logger = pino(basePinoOptions('info', options.now), stream);
  const now = options.now ?? (() => new Date());
  return {
    file: stream.path,
    record: (entry: AuditEntry) => {
      // The usual entry is written without pino's generic path (one per identity read: it was most of the
      // audit's cost per request, docs/performance.md); anything else still goes through redaction.
      const line = auditLine(entry, now);
      if (line === null) logger.info({ ...entry }, 'audit');
      else stream.write(line);
    },
    get dropped() {
      return stream.dropped;
    },
    flush: () => stream.flush(),
    close: () => stream.close(),
  };
}

/** Keys an audit entry has (src/security/audit.ts `AuditEntry`), none of them sensitive. */
const AUDIT_STRING_KEYS: ReadonlySet<string> = new Set(['event', 'transport', 'origin', 'remoteAddress', 'auth', 'operationType', 'operationName', 'outcome']);
/**
 * `,"key":` and `,"key":"` for each of them, and the same closing the string before them (`","key":`), made
 * once: the line is grown by one concatenation per key and none of these pieces is made per line. (Measured
 * against collecting the pieces in an array and joining them: the join made ~1 KB less garbage per request
 * but cost ~9,500 more instructions per line, docs/performance.md round 7.)
 */
const KEY_PREFIX = new Map([...AUDIT_STRING_KEYS].map((key) => [key, `,"${key}":`]));
const KEY_PREFIX_QUOTED = new Map([...AUDIT_STRING_KEYS].map((key) => [key, `,"${key}":"`]));
const CLOSE_KEY_PREFIX = new Map([...AUDIT_STRING_KEYS].map((key) => [key, `","${key}":`]));
const CLOSE_KEY_PREFIX_QUOTED = new Map([...AUDIT_STRING_KEYS].map((key) => [key, `","${key}":"`]));

/**
 * `toISOString` cost about as much as the rest of the line: lines of the same second reuse the line's start
 * up to the milliseconds (`{"level":"info","time":"YYYY-MM-DDTHH:mm:ss.`) and add `mmmZ` from a table,
 * which is what `toISOString` ends with for every date (for times before 1970 it is called every time).
 */
let isoSecond = Number.NaN;
let isoSecondPrefix = '';
const MILLIS_Z: readonly string[] = Array.from({ length: 1000 }, (_, ms) => `${String(ms).padStart(3, '0')}Z`);

/**
 * The JSON line pino would write for `entry` (`{"level":"info","time":…,…entry,"msg":"audit"}`), built
 * directly when the entry has only AuditEntry's keys with string/null values and `{ field, outcome }`
 * items, which `redactDeep` would return unchanged. Null for any other shape: the caller then takes the
 * generic, redacting path. The stream masks ID numbers in the whole line either way. Strings are written
 * as `JSON.stringify` writes them (test/api/security/audit-line.test.ts holds the two to the same bytes).
 */
export function auditLine(entry: AuditEntry, now: () => Date): string | null {
  const time = now();
  const ms = time.getTime();
  let out: string;
  if (ms >= 0 && Math.floor(ms / 1000) === isoSecond) {
    out = isoSecondPrefix + MILLIS_Z[ms % 1000]!;
  } else {
    const iso = time.toISOString();
    out = '{"level":"info","time":"' + iso;
    // The start up to the milliseconds (`…"time":"2026-12-02T06:00:00.`), for the next lines of the same second.
    if (ms >= 0) {
      isoSecond = Math.floor(ms / 1000);
      isoSecondPrefix = out.slice(0, -4);
    }
  }
  // `out` ends inside a string (the time, or a plain value) when `open` is set: the closing quote is then
  // written with the next key's prefix, one concatenation instead of two.
  let open = true;
  for (const key in entry) {
    const value = (entry as unknown as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (AUDIT_STRING_KEYS.has(key)) {
      if (value === null) {
        out += (open ? CLOSE_KEY_PREFIX : KEY_PREFIX).get(key)! + 'null';
        open = false;
      } else if (typeof value !== 'string') {
        return null;
      } else if (isPlainJsonString(value)) {
        out += (open ? CLOSE_KEY_PREFIX_QUOTED : KEY_PREFIX_QUOTED).get(key)! + value;
        open = true;
      } else {
        out += (open ? CLOSE_KEY_PREFIX : KEY_PREFIX).get(key)! + JSON.stringify(value);
        open = false;
      }
    } else if (key === 'fields') {
      const fields = fieldsJson(value);
      if (fields === null) return null;
      out += (open ? '","fields":' : ',"fields":') + fields;
      open = false;
    } else {
      return null;
    }
  }
  return out + (open ? '","msg":"audit"}\n' : ',"msg":"audit"}\n');
}

function fieldsJson(value: unknown): string | null {
  if (!Array.isArray(value)) return null;
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    const item = value[i] as Record<string, unknown> | null;
    if (item === null || typeof item !== 'object') return null;
    let keys = 0;
    for (const _key in item) keys++;
    const { field, outcome } = item;
    if (keys !== 2 || typeof field !== 'string' || typeof outcome !== 'string') return null;
    out += (i > 0 ? ',{"field":' : '{"field":') + jsonString(field) + ',"outcome":' + jsonString(outcome) + '}';
  }
  return out + ']';
}

function jsonString(value: string): string {
  return isPlainJsonString(value) ? '"' + value + '"' : JSON.stringify(value);
}

/**
 * Whether `JSON.stringify(value)` is `value` in quotes: no quote, backslash or control character, and no
 * surrogate (a lone one would be escaped; pairs are left to JSON.stringify too, to keep this simple).
 */
function isPlainJsonString(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}
