/**
 * csdll.ini — the control software's settings file (`C:\NHI\INI\csdll.ini`, section `[CS]`; docs/reference/abi.md (csdll.ini),
 * NHI briefing 2022-11): reading it typed, validating and writing changes, and noticing when another
 * program rewrote it (NHI's VPN page is known to rewrite `COM=`, docs/reference/abi.md (csdll.ini)).
 *
 * Layers, top to bottom:
 * - pure functions: {@link parseCsdllIni} (bytes → typed document, through the `ini` package),
 *   {@link validateCsdllChange} (field-level InputErrors naming the ini key), {@link serialiseCsdllIni}
 *   (bytes + change → bytes), {@link diffCsdllEntries}, {@link comToOpenComIndex};
 * - file functions: {@link readCsdllIni}, {@link writeCsdllIni} (atomic: temp file in the same folder,
 *   fsync, rename; `csdll.ini.bak` first; refuses a read-only file);
 * - {@link CsdllIniFile}: the long-lived service with the watcher (fs.watch on the folder + a slow poll,
 *   content hashes against what the gateway last read or wrote).
 *
 * Bytes, not text: the file is ANSI (CP950 on a Taiwanese Windows; Notepad may also save UTF-8 with a BOM or
 * UTF-16LE). Keys and the values the gateway writes are ASCII, so the file is decoded as latin1 (one char per
 * byte, every byte round-trips) — Big5 comments or unknown values survive a write untouched. A UTF-8 BOM is
 * kept; a UTF-16LE file (BOM FF FE) is decoded and written back as UTF-16LE with its BOM.
 *
 * Writes edit lines in place: only the lines of the changed keys in `[CS]` are rewritten (keeping the key's
 * spelling and the spaces around `=`); missing keys are added at the end of `[CS]`; every other line, unknown
 * keys and sections, comments and the line endings (CRLF or LF, whichever the file uses) stay byte for byte.
 *
 * Windows reads the file with GetPrivateProfileString: section and key names are case-insensitive and the
 * first occurrence wins. The typed values follow that; a write rewrites every occurrence of a changed key.
 */
import { createHash, randomBytes } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { chmod, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import ini from 'ini';
import { InputError } from '../../codecs/input-error.ts';
import { CsdllIniError } from './errors.ts';
import {
  CSDLL_KEYS,
  CSDLL_SWITCH_KEYS,
  CSDLL_KEY_DOC,
  type CsdllKey,
  type CsdllSwitchKey,
  type CsdllSwitch,
  type CsdllEncoding,
  type LineEnding,
  type CsdllReaderSetting,
  type CsdllComSetting,
  type CsdllSettings,
  type CsdllEntry,
  type CsdllProblem,
  type CsdllIniDocument,
  type CsdllChange,
  type CsdllKeyChange,
  type CsdllIniSnapshot,
  type CsdllWriteResult,
  type CsdllExternalChange,
} from '../../ports/csdll-ini.ts';

// The file's types live in the port (the schema reads csdll.ini through it); re-exported for the adapter's users.
export * from '../../ports/csdll-ini.ts';

// ---------------------------------------------------------------------------------------------------------
// keys (briefing 2022-11; meanings are the briefing's, "(undocumented)" where no source describes the key)
// ---------------------------------------------------------------------------------------------------------

const COMX = /^COMX([1-9]|10)$/;
const SERIAL = /^COM([1-9]\d{0,2})$/;
/** Highest serial port number accepted (Windows names ports up to COM256). */
const MAX_SERIAL_PORT = 256;

/** CSTIMEOUT bounds, seconds: 1 s up to an hour (the gateway's own --call-timeout-ms limit). */
export const CSTIMEOUT_RANGE = { min: 1, max: 3600 } as const;

/** COMX1…COMX10 or COM1…COM256 (case-insensitive) → typed; null when not a port. */
export function parseCom(value: string): CsdllComSetting | null {
  const v = value.trim().toUpperCase();
  const x = COMX.exec(v);
  if (x) {
    const number = Number(x[1]);
    return { value: v, kind: 'CLOUD_SAM_SLOT', number, openComIndex: number - 1 };
  }
  const s = SERIAL.exec(v);
  if (s) {
    const number = Number(s[1]);
    if (number > MAX_SERIAL_PORT) return null;
    return { value: v, kind: 'SERIAL_PORT', number, openComIndex: number - 1 };
  }
  return null;
}

/** The csOpenCom port index for a COM= value (COMX1 → 0, COM3 → 2), or null when it is not a port. */
export function comToOpenComIndex(value: string): number | null {
  return parseCom(value)?.openComIndex ?? null;
}

/** Splits the raw bytes into text and how to encode it back. */
function decodeBytes(bytes: Uint8Array): { text: string; encoding: CsdllEncoding } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    return { text: buf.subarray(3).toString('latin1'), encoding: 'UTF8_BOM' };
  }
  if (buf[0] === 0xff && buf[1] === 0xfe) return { text: buf.subarray(2).toString('utf16le'), encoding: 'UTF16LE_BOM' };
  return { text: buf.toString('latin1'), encoding: 'ANSI' };
}

function encodeText(text: string, encoding: CsdllEncoding): Buffer {
  switch (encoding) {
    case 'UTF8_BOM':
      // The text was decoded as latin1 after the BOM: latin1 again gives the same bytes back.
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'latin1')]);
    case 'UTF16LE_BOM':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'ANSI':
      return Buffer.from(text, 'latin1');
  }
}

/** CRLF unless the file uses bare LF more often (an empty file gets CRLF: what Notepad writes). */
function lineEndingOf(text: string): LineEnding {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = (text.match(/\n/g)?.length ?? 0) - crlf;
  return lf > crlf ? 'LF' : 'CRLF';
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** ini's value (string, true for a bare key, an array for a repeated key) → the string Windows would read. */
function windowsValue(v: unknown): { value: string; repeated: boolean } {
  if (Array.isArray(v)) return { value: v.length > 0 ? windowsValue(v[0]).value : '', repeated: true };
  if (v === true) return { value: '', repeated: false }; // a bare `KEY` line without `=`
  return { value: v === null ? 'null' : String(v), repeated: false };
}

/**
 * Parses csdll.ini's bytes. Never throws: values it does not understand are reported in `problems` and
 * typed as null, so a damaged file can still be shown (and repaired with {@link serialiseCsdllIni}).
 */
export function parseCsdllIni(bytes: Uint8Array): CsdllIniDocument {
  const { text, encoding } = decodeBytes(bytes);
  // bracketedArray: false → a key written twice becomes an array (we report it; Windows takes the first).
  const parsed = ini.decode(text, { bracketedArray: false }) as Record<string, unknown>;

  const entries: CsdllEntry[] = [];
  const repeated = new Set<string>();
  const walk = (section: string, object: Record<string, unknown>): void => {
    for (const [key, raw] of Object.entries(object)) {
      if (isPlainObject(raw)) {
        // ini nests "[a.b]" under a; put the dotted name back (top level: the section itself)
        walk(section === '' ? key : `${section}.${key}`, raw);
        continue;
      }
      const { value, repeated: twice } = windowsValue(raw);
      if (twice) repeated.add(`${section.toUpperCase()}\0${key.toUpperCase()}`);
      entries.push({ section, key, value });
    }
  };
  walk('', parsed);

  const csEntries = entries.filter((e) => e.section.toUpperCase() === 'CS');
  const first = (key: CsdllKey): CsdllEntry | undefined => csEntries.find((e) => e.key.trim().toUpperCase() === key);
  const problems: CsdllProblem[] = [];
  for (const e of csEntries) {
    if (repeated.has(`CS\0${e.key.toUpperCase()}`)) {
      problems.push({ key: e.key, rule: 'appears more than once in [CS]; Windows reads the first, the gateway rewrites all of them' });
    }
  }
  const duplicateCase = new Map<string, string[]>();
  for (const e of csEntries) {
    const k = e.key.toUpperCase();
    duplicateCase.set(k, [...(duplicateCase.get(k) ?? []), e.key]);
  }
  for (const [k, spellings] of duplicateCase) {
    if (spellings.length > 1) problems.push({ key: k, rule: `appears as ${spellings.join(', ')}; Windows reads the first` });
  }

  const readerEntry = first('READER');
  let reader: CsdllReaderSetting | null = null;
  if (readerEntry) {
    const value = readerEntry.value.trim();
    if (value === '') problems.push({ key: 'READER', rule: 'is empty' });
    else reader = { value, type: value.toUpperCase() === 'PC/SC' ? 'PC_SC' : 'OTHER' };
  }

  const comEntry = first('COM');
  let com: CsdllComSetting | null = null;
  if (comEntry) {
    com = parseCom(comEntry.value);
    if (!com) problems.push({ key: 'COM', rule: 'must be COMX1…COMX10 (cloud SAM slot) or COM1…COM256 (dedicated reader)' });
  }

  const switches = {} as Record<CsdllSwitchKey, CsdllSwitch | null>;
  for (const key of CSDLL_SWITCH_KEYS) {
    const e = first(key);
    const v = e?.value.trim().toUpperCase();
    switches[key] = v === 'ENABLE' || v === 'DISABLE' ? v : null;
    if (e && switches[key] === null) problems.push({ key, rule: 'must be ENABLE or DISABLE' });
  }

  const timeoutEntry = first('CSTIMEOUT');
  let csTimeoutSeconds: number | null = null;
  if (timeoutEntry) {
    const v = timeoutEntry.value.trim();
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (Number.isSafeInteger(n) && n >= CSTIMEOUT_RANGE.min && n <= CSTIMEOUT_RANGE.max) csTimeoutSeconds = n;
    else problems.push({ key: 'CSTIMEOUT', rule: `must be a whole number of seconds from ${CSTIMEOUT_RANGE.min} to ${CSTIMEOUT_RANGE.max}` });
  }

  return {
    encoding,
    lineEnding: lineEndingOf(text),
    hasCsSection: Object.keys(parsed).some((k) => k.toUpperCase() === 'CS' && isPlainObject(parsed[k])),
    settings: { reader, com, switches, csTimeoutSeconds },
    entries,
    problems,
  };
}

// ---------------------------------------------------------------------------------------------------------
// changes
// ---------------------------------------------------------------------------------------------------------


/** A validated change: ini key → the exact ASCII value to write. */
export type ValidCsdllChange = Readonly<Partial<Record<CsdllKey, string>>>;

/**
 * Checks every key of a change and returns the values to write. Throws InputError naming the ini key
 * (e.g. `CSTIMEOUT`, `COM`) and the rule, never echoing the value.
 */
export function validateCsdllChange(change: CsdllChange): ValidCsdllChange {
  const out: Partial<Record<CsdllKey, string>> = {};
  for (const [key, raw] of Object.entries(change)) {
    if (!(CSDLL_KEYS as readonly string[]).includes(key)) {
      throw new InputError(key, `is not a csdll.ini key the gateway changes (known: ${CSDLL_KEYS.join(', ')})`);
    }
    if (raw === undefined || raw === null) continue;
    const k = key as CsdllKey;
    if (k === 'READER') {
      if (typeof raw !== 'string' || raw.trim().toUpperCase() !== 'PC/SC') {
        throw new InputError(
          'READER',
          'must be PC/SC (the only documented value); to use NHI’s dedicated reader run C:\\NHI\\UTILITY\\csUpRDType.exe',
        );
      }
      out.READER = 'PC/SC';
    } else if (k === 'COM') {
      const com = typeof raw === 'string' ? parseCom(raw) : null;
      if (!com) throw new InputError('COM', 'must be COMX1…COMX10 (cloud SAM slot) or COM1…COM256 (dedicated reader)');
      out.COM = com.value;
    } else if (k === 'CSTIMEOUT') {
      if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < CSTIMEOUT_RANGE.min || raw > CSTIMEOUT_RANGE.max) {
        throw new InputError('CSTIMEOUT', `must be a whole number of seconds from ${CSTIMEOUT_RANGE.min} to ${CSTIMEOUT_RANGE.max}`);
      }
      out.CSTIMEOUT = String(raw);
    } else {
      const v = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
      if (v !== 'ENABLE' && v !== 'DISABLE') throw new InputError(k, 'must be ENABLE or DISABLE');
      out[k] = v;
    }
  }
  if (Object.keys(out).length === 0) throw new InputError('input', 'names no csdll.ini key to change');
  return out;
}

/** Lines with their own terminators ('' for a last line without one). */
function splitLines(text: string): { line: string; eol: string }[] {
  const out: { line: string; eol: string }[] = [];
  const re = /([^\r\n]*)(\r\n|\n|\r|$)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const [, line = '', eol = ''] = m;
    if (line === '' && eol === '') break; // the empty match at the end
    out.push({ line, eol });
    if (eol === '') break;
  }
  return out;
}

const SECTION_LINE = /^\s*\[([^\]]*)\]/;
const isComment = (line: string): boolean => /^\s*[;#]/.test(line);

/**
 * Applies a validated change to the file's bytes and returns the new bytes. Pure. Only the changed keys'
 * lines in [CS] differ; keys not in the file are added after the last key of the first [CS] section (a
 * [CS] section is appended when there is none). Line endings and the encoding are the file's own.
 */
export function serialiseCsdllIni(original: Uint8Array, change: ValidCsdllChange): Buffer {
  const { text, encoding } = decodeBytes(original);
  const eol = lineEndingOf(text) === 'CRLF' ? '\r\n' : '\n';
  const lines = splitLines(text);
  const pending = new Map<string, string>(Object.entries(change).filter((e): e is [string, string] => e[1] !== undefined));
  const written = new Set<string>();

  let section: string | null = null;
  let firstCs = -1; // index of the first [CS] header
  let insertAfter = -1; // last key line (or the header) of the first [CS] section
  let inFirstCs = false;
  for (let i = 0; i < lines.length; i++) {
    const entry = lines[i];
    if (!entry) continue;
    const header = SECTION_LINE.exec(entry.line);
    if (header) {
      section = (header[1] ?? '').trim().toUpperCase();
      inFirstCs = section === 'CS' && firstCs === -1;
      if (inFirstCs) {
        firstCs = i;
        insertAfter = i;
      }
      continue;
    }
    if (section !== 'CS' || isComment(entry.line)) continue;
    const eq = entry.line.indexOf('=');
    const key = (eq < 0 ? entry.line : entry.line.slice(0, eq)).trim().toUpperCase();
    if (key === '') continue;
    if (inFirstCs) insertAfter = i;
    const value = pending.get(key);
    if (value === undefined) continue;
    if (eq < 0) {
      entry.line = `${entry.line.trimEnd()}=${value}`;
    } else {
      const spaces = /^[ \t]*/.exec(entry.line.slice(eq + 1))?.[0] ?? '';
      entry.line = `${entry.line.slice(0, eq + 1)}${spaces}${value}`;
    }
    written.add(key);
  }

  // Keys the file does not have yet, in the briefing's order.
  const missing = CSDLL_KEYS.filter((k) => pending.has(k) && !written.has(k)).map((k) => ({ line: `${k}=${pending.get(k) ?? ''}`, eol }));
  if (missing.length > 0) {
    if (firstCs === -1) {
      const last = lines.at(-1);
      if (last && last.eol === '') last.eol = eol;
      if (last && last.line.trim() !== '') lines.push({ line: '', eol }); // a blank line before the new section
      lines.push({ line: '[CS]', eol }, ...missing);
    } else {
      const after = lines[insertAfter];
      if (after && after.eol === '') after.eol = eol;
      lines.splice(insertAfter + 1, 0, ...missing);
    }
  }
  return encodeText(lines.map((l) => l.line + l.eol).join(''), encoding);
}


/** Keys added, removed or changed between two readings (sections and keys compared case-insensitively). */
export function diffCsdllEntries(before: readonly CsdllEntry[], after: readonly CsdllEntry[]): CsdllKeyChange[] {
  const id = (e: CsdllEntry): string => `${e.section.toUpperCase()}\0${e.key.trim().toUpperCase()}`;
  const index = (entries: readonly CsdllEntry[]): Map<string, CsdllEntry> => {
    const map = new Map<string, CsdllEntry>();
    for (const e of entries) if (!map.has(id(e))) map.set(id(e), e);
    return map;
  };
  const a = index(before);
  const b = index(after);
  const changes: CsdllKeyChange[] = [];
  for (const [k, e] of a) {
    const other = b.get(k);
    if (!other) changes.push({ section: e.section, key: e.key, before: e.value, after: null });
    else if (other.value !== e.value) changes.push({ section: e.section, key: e.key, before: e.value, after: other.value });
  }
  for (const [k, e] of b) if (!a.has(k)) changes.push({ section: e.section, key: e.key, before: null, after: e.value });
  return changes;
}

// ---------------------------------------------------------------------------------------------------------
// files
// ---------------------------------------------------------------------------------------------------------



const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

/** The backup written before each change: `<path>.bak` (the content before the gateway's last write). */
export const backupPathOf = (path: string): string => `${path}.bak`;

async function readRaw(path: string): Promise<{ bytes: Buffer; mode: number } | null> {
  try {
    const [bytes, st] = await Promise.all([readFile(path), stat(path)]);
    return { bytes, mode: st.mode };
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw new CsdllIniError('CSDLL_INI_IO_FAILED', path, errnoOf(error) ?? (error instanceof Error ? error.message : String(error)));
  }
}

function snapshotOf(path: string, raw: { bytes: Buffer; mode: number } | null, now: Date): CsdllIniSnapshot {
  return {
    path,
    exists: raw !== null,
    readOnly: raw !== null && (raw.mode & 0o222) === 0,
    document: raw === null ? null : parseCsdllIni(raw.bytes),
    hash: raw === null ? null : sha256(raw.bytes),
    readAt: now.toISOString(),
  };
}

/** Reads and parses csdll.ini. A missing file is a snapshot with `exists: false`; other I/O errors throw CsdllIniError. */
export async function readCsdllIni(path: string, now: Date = new Date()): Promise<CsdllIniSnapshot> {
  return snapshotOf(path, await readRaw(path), now);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Replaces `path` with `bytes` atomically: a temp file in the same folder (so the rename never crosses a
 * volume), fsync, the original mode, rename over the target, then fsync of the folder where the platform
 * allows it. Windows refuses a rename while another program has the file open without sharing delete: a few
 * short retries cover the control software reading it at that moment.
 */
async function replaceAtomically(path: string, bytes: Uint8Array, mode: number | null): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (mode !== null && process.platform !== 'win32') await chmod(temp, mode & 0o7777);
    for (let attempt = 0; ; attempt++) {
      try {
        await rename(temp, path);
        break;
      } catch (error) {
        const code = errnoOf(error);
        if (attempt >= 5 || !(code === 'EPERM' || code === 'EBUSY' || code === 'EACCES') || process.platform !== 'win32') throw error;
        await sleep(20 * 2 ** attempt);
      }
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  try {
    const dir = await open(dirname(path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // Windows cannot open a folder for fsync; NTFS journals the rename itself.
  }
}

/**
 * Validates `change`, then rewrites csdll.ini: refuses a missing file (CSDLL_INI_NOT_FOUND) and a read-only
 * one (CSDLL_INI_READ_ONLY), saves the current bytes to `csdll.ini.bak`, and replaces the file atomically.
 * Edits the freshest bytes on disk, so a concurrent rewrite by another program is merged, not lost, for
 * every key this change does not name. Throws InputError for bad values, CsdllIniError for the file.
 */
export async function writeCsdllIni(path: string, change: CsdllChange, now: Date = new Date()): Promise<CsdllWriteResult> {
  const valid = validateCsdllChange(change);
  const raw = await readRaw(path);
  if (!raw) throw new CsdllIniError('CSDLL_INI_NOT_FOUND', path);
  if ((raw.mode & 0o222) === 0) throw new CsdllIniError('CSDLL_INI_READ_ONLY', path);
  const bytes = serialiseCsdllIni(raw.bytes, valid);
  const backupPath = backupPathOf(path);
  try {
    await replaceAtomically(backupPath, raw.bytes, raw.mode);
    await replaceAtomically(path, bytes, raw.mode);
  } catch (error) {
    if (error instanceof CsdllIniError) throw error;
    const code = errnoOf(error);
    if (code === 'EROFS') throw new CsdllIniError('CSDLL_INI_READ_ONLY', path);
    const detail = code === 'EACCES' || code === 'EPERM' ? `access denied (${code})` : (code ?? (error instanceof Error ? error.message : String(error)));
    throw new CsdllIniError('CSDLL_INI_IO_FAILED', path, detail);
  }
  const before = parseCsdllIni(raw.bytes);
  const snapshot = snapshotOf(path, { bytes, mode: raw.mode }, now);
  return { snapshot, backupPath, changedKeys: diffCsdllEntries(before.entries, snapshot.document?.entries ?? []) };
}

// ---------------------------------------------------------------------------------------------------------
// the service: last known state, external-change detection
// ---------------------------------------------------------------------------------------------------------


/** Minimal logger (src/yoga.ts GatewayLogger); csdll.ini holds no patient data. */
interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface CsdllIniFileOptions {
  readonly logger?: Logger | undefined;
  /** Also re-read the file this often (fs.watch misses changes on some shares), ms. 0 = no polling. @default 10000 */
  readonly pollMs?: number | undefined;
  /** Watch the folder with fs.watch. @default true */
  readonly watch?: boolean | undefined;
  /** Wait this long after a watch event before reading (editors write in several steps), ms. @default 100 */
  readonly debounceMs?: number | undefined;
  readonly now?: (() => Date) | undefined;
}

/** A one-line summary of changed keys for logs, e.g. `[CS] COM: COMX1 → COMX3`. */
export function describeKeyChanges(changes: readonly CsdllKeyChange[]): string {
  return changes
    .map((c) => `[${c.section}] ${c.key}: ${c.before ?? '(absent)'} → ${c.after ?? '(removed)'}`)
    .join('; ');
}

/**
 * csdll.ini as a long-lived service: reads (each one also checks for an outside rewrite), validated atomic
 * updates, and a watcher. The gateway's own writes are never reported as external: after each write the
 * new content's hash becomes the known one. Reads and writes run one at a time.
 */
export class CsdllIniFile implements AsyncDisposable {
  readonly path: string;
  readonly #logger: Logger | undefined;
  readonly #now: () => Date;
  readonly #listeners = new Set<(change: CsdllExternalChange) => void>();
  #known: { hash: string | null; entries: readonly CsdllEntry[] } | null = null;
  #lastExternalChange: CsdllExternalChange | null = null;
  #last: CsdllIniSnapshot | null = null;
  #tail: Promise<unknown> = Promise.resolve();
  #watcher: FSWatcher | null = null;
  #poll: ReturnType<typeof setInterval> | null = null;
  #debounce: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  readonly #options: CsdllIniFileOptions;

  constructor(path: string, options: CsdllIniFileOptions = {}) {
    this.path = path;
    this.#options = options;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => new Date());
  }

  /** The last outside rewrite noticed since the gateway started, or null. */
  get lastExternalChange(): CsdllExternalChange | null {
    return this.#lastExternalChange;
  }

  /** The backup of the content before the gateway's last change (`csdll.ini.bak`), when one exists. */
  async existingBackupPath(): Promise<string | null> {
    const backup = backupPathOf(this.path);
    try {
      await stat(backup);
      return backup;
    } catch {
      return null;
    }
  }

  /** The last snapshot read or written (null before the first read). */
  get last(): CsdllIniSnapshot | null {
    return this.#last;
  }

  /** Reads the file (establishing the known state), then starts the watcher and the poll. */
  async start(): Promise<CsdllIniSnapshot> {
    const snapshot = await this.read();
    if (this.#options.watch !== false) this.#startWatching();
    const pollMs = this.#options.pollMs ?? 10_000;
    if (pollMs > 0) {
      this.#poll = setInterval(() => this.#checkQuietly(), pollMs);
      this.#poll.unref();
    }
    return snapshot;
  }

  /** Reads the file now; a difference from the known content is recorded as an external change. */
  read(): Promise<CsdllIniSnapshot> {
    return this.#serial(async () => {
      const snapshot = await readCsdllIni(this.path, this.#now());
      this.#observe(snapshot);
      return snapshot;
    });
  }

  /**
   * Validates and writes a change (see {@link writeCsdllIni}). A rewrite by someone else since the last read
   * is recorded first, then merged: the change is applied to what is on disk now.
   */
  update(change: CsdllChange): Promise<CsdllWriteResult> {
    validateCsdllChange(change); // bad input fails before any I/O
    return this.#serial(async () => {
      this.#observe(await readCsdllIni(this.path, this.#now()));
      const result = await writeCsdllIni(this.path, change, this.#now());
      this.#known = { hash: result.snapshot.hash, entries: result.snapshot.document?.entries ?? [] };
      this.#last = result.snapshot;
      if (result.changedKeys.length > 0) {
        this.#logger?.info('csdll.ini changed by the gateway', { path: this.path, changes: describeKeyChanges(result.changedKeys) });
      }
      return result;
    });
  }

  /** Called with every outside rewrite; returns the unsubscribe function. */
  onExternalChange(listener: (change: CsdllExternalChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#closed = true;
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#poll) clearInterval(this.#poll);
    if (this.#debounce) clearTimeout(this.#debounce);
    this.#poll = null;
    this.#debounce = null;
    await this.#tail.catch(() => undefined);
  }

  // ---------------------------------------------------------------------------------------------------

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(work, work);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Compares a fresh reading with the known state; the first reading only sets it. */
  #observe(snapshot: CsdllIniSnapshot): void {
    this.#last = snapshot;
    const entries = snapshot.document?.entries ?? [];
    const known = this.#known;
    this.#known = { hash: snapshot.hash, entries };
    if (known === null || known.hash === snapshot.hash) return;
    const change: CsdllExternalChange = {
      at: snapshot.readAt,
      changedKeys: diffCsdllEntries(known.entries, entries),
      removed: !snapshot.exists,
    };
    this.#lastExternalChange = change;
    this.#logger?.warn('csdll.ini was rewritten by another program (NHI’s VPN page is known to rewrite COM=)', {
      path: this.path,
      changes: change.removed ? 'file removed' : describeKeyChanges(change.changedKeys) || 'bytes changed, no key changed',
    });
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch {
        // a listener's failure must not stop the watcher
      }
    }
  }

  #checkQuietly(): void {
    if (this.#closed) return;
    this.read().catch((error: unknown) => {
      this.#logger?.warn('csdll.ini could not be re-read', {
        path: this.path,
        error: error instanceof Error ? error.message : String(error),
      });
    });
  }

  /**
   * Watches the folder, not the file: an atomic replace (ours, or an editor's) gives the name a new file
   * that a watch on the old one would never see.
   */
  #startWatching(): void {
    const name = basename(this.path);
    const same = (f: string | null): boolean =>
      f === null || (process.platform === 'win32' ? f.toLowerCase() === name.toLowerCase() : f === name);
    try {
      this.#watcher = watch(dirname(this.path), { persistent: false }, (_event, filename) => {
        if (!same(filename === null ? null : String(filename))) return;
        if (this.#debounce) clearTimeout(this.#debounce);
        this.#debounce = setTimeout(() => this.#checkQuietly(), this.#options.debounceMs ?? 100);
        this.#debounce.unref();
      });
      this.#watcher.on('error', (error) => {
        this.#logger?.warn('csdll.ini watcher failed; polling only', { path: this.path, error: error.message });
        this.#watcher?.close();
        this.#watcher = null;
      });
    } catch (error) {
      // e.g. the folder does not exist: the poll still notices the file appearing
      this.#logger?.warn('cannot watch the csdll.ini folder; polling only', {
        path: this.path,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
