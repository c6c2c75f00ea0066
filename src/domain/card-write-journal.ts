/**
 * The card-write journal: an append-only JSON-lines file recording every operation that writes to a card
 * or consumes a visit, flushed to disk (fsync) before the native call and again after it. After a crash
 * mid-call, a `begin` without its `end` says the outcome is unknown: the gateway reports it and never
 * silently repeats that write.
 *
 * Records carry no patient data: the input is kept only as a hash (to recognise a repeated request), and
 * results are stored without ID numbers. Idempotency keys are chosen by the HIS and may hold anything (a key
 * like `visit-<ID number>-…`), so the file has them only as HMAC-SHA256 under a per-install secret kept
 * beside it (`<file>.key`, 0600); lookups hash the incoming key the same way. Results (treatment IDs,
 * security signatures) are needed only while their key may be replayed (the retention): at open, a file
 * holding results past the retention is rewritten without them, and `.previous` keeps no results at all.
 */
import { appendFileSync, chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

/** Prefix of a key as stored: the HMAC, never the key itself. */
const KEY_HASH_PREFIX = 'hmac-sha256:';

export type JournalOutcome = 'OK' | 'ERROR';
export type Resolution = 'APPLIED' | 'NOT_APPLIED';

export interface BeginRecord {
  readonly t: 'begin';
  readonly id: string;
  readonly op: string;
  /** The idempotency key as `hmac-sha256:<hex>` (see the file comment); callers pass it verbatim to begin(). */
  readonly key: string | null;
  readonly inputHash: string;
  readonly at: string;
  /** Card state read just before the call, to check the outcome later (e.g. the last seq number, 1.14). */
  readonly before?: Readonly<Record<string, string | number | null>>;
}

export interface EndRecord {
  readonly t: 'end';
  readonly id: string;
  readonly at: string;
  readonly outcome: JournalOutcome;
  readonly result?: unknown;
  /** For errors: enough to rebuild the typed error (never its message, which is rebuilt from the code table). */
  readonly error?: { readonly code: string; readonly vendorCode: number | null; readonly retryable: boolean };
}

export interface ResolveRecord {
  readonly t: 'resolve';
  readonly id: string;
  readonly at: string;
  readonly resolution: Resolution;
  readonly how: 'CHECKED' | 'CONFIRMED_BY_OPERATOR';
}

/**
 * An operation that touched no card and already succeeded, in one line (a treatment ID fetched later for a
 * visit): nothing to recover after a crash, so no begin/end pair that a torn write could leave unresolved.
 */
export interface NoteRecord {
  readonly t: 'note';
  readonly id: string;
  readonly op: string;
  readonly inputHash: string;
  readonly at: string;
  readonly result: unknown;
}

export type JournalRecord = BeginRecord | EndRecord | ResolveRecord | NoteRecord;

export interface JournalEntry {
  readonly begin: BeginRecord;
  end: EndRecord | null;
  resolution: ResolveRecord | null;
}

export interface CardWriteJournalOptions {
  /** The JSON-lines file; null keeps the journal in memory (tests, or a read-only data folder — see readiness). */
  readonly path: string | null;
  readonly now?: () => Date;
  /**
   * How long a finished operation is remembered (its idempotency key answers with the first result), in ms.
   * Unresolved operations are kept until resolved, however old. @default 24 hours
   */
  readonly retentionMs?: number;
  /**
   * At open, a file larger than this (bytes) that holds records past the retention is rewritten with only
   * what is still remembered (see {@link CardWriteJournal.open}). @default 1 MiB
   */
  readonly compactAboveBytes?: number;
  /**
   * The secret idempotency keys are hashed with. Default: read from `<path>.key`, created (32 random bytes,
   * 0600) when missing; a random one for an in-memory journal.
   */
  readonly keySecret?: Buffer;
}

/** Reads or creates the per-install secret beside the journal (0600, like the journal). */
export function loadOrCreateKeySecret(path: string): Buffer {
  try {
    const text = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(text)) {
      tightenIfLoose(path);
      return Buffer.from(text, 'hex');
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32);
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, `${secret.toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  return secret;
}

/** An end record as history keeps it: without its result (treatment IDs, signatures). */
function withoutResult(record: JournalRecord): JournalRecord {
  if (record.t === 'note') {
    const { result: _dropped, ...rest } = record;
    return { ...rest, result: null };
  }
  if (record.t !== 'end' || record.result === undefined) return record;
  const { result: _dropped, ...rest } = record;
  return rest;
}

/** What the file was compacted to at open, for the log. */
export interface JournalCompaction {
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly recordsDropped: number;
  /** The file as it was before, kept once beside it (`<file>.previous`). */
  readonly previousPath: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The journal names operations and idempotency keys: this user's business only (docs/security.md). */
const PRIVATE_FILE_MODE = 0o600;

/** An existing journal readable by others (made by an older version) becomes 0600; POSIX only. */
function tightenIfLoose(path: string): void {
  if (process.platform === 'win32') return;
  try {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
const DEFAULT_COMPACT_ABOVE_BYTES = 1024 * 1024;

/** Rewrites `path` with `records` only: copy to `.previous`, write `.compacting`, fsync, rename over. */
function compactFile(
  path: string,
  records: readonly JournalRecord[],
  history: readonly JournalRecord[],
  bytesBefore: number,
  recordsDropped: number,
): JournalCompaction {
  const previousPath = `${path}.previous`;
  const temporaryPath = `${path}.compacting`;
  // The history as it was, keys hashed and without results: nothing recovery needs, nothing it should not keep.
  writeFileSync(previousPath, history.map((record) => `${JSON.stringify(withoutResult(record))}\n`).join(''), { mode: PRIVATE_FILE_MODE });
  chmodSync(previousPath, PRIVATE_FILE_MODE);
  const body = records.map((record) => `${JSON.stringify(record)}\n`).join('');
  const fd = openSync(temporaryPath, 'w', PRIVATE_FILE_MODE);
  try {
    try {
      writeSync(fd, body);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // On Windows this fails while another program (an antivirus scan) holds the file: the old one stays.
    renameSync(temporaryPath, path);
  } catch (error) {
    rmSync(temporaryPath, { force: true });
    throw error;
  }
  syncDirectory(dirname(path));
  return { bytesBefore, bytesAfter: Buffer.byteLength(body, 'utf8'), recordsDropped, previousPath };
}

/** Makes a rename durable on POSIX; Windows has no directory handles to flush (NTFS journals the rename). */
function syncDirectory(directory: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class CardWriteJournal {
  private readonly entries = new Map<string, JournalEntry>();
  /** By hashed key. */
  private readonly byKey = new Map<string, JournalEntry>();
  /** Keys as the caller sent them, for operations begun by this process only (the file has hashes). */
  private readonly plainKeys = new Map<string, string>();
  private keySecret: Buffer = randomBytes(32);
  /** Set while replaying a file that still held keys verbatim (an older version wrote it). */
  private sawPlainKeys = false;
  private readonly now: () => Date;
  private lastWriteError: string | null = null;

  private readonly retentionMs: number;
  private lastPrune = 0;
  /** Set when open() compacted the file. */
  compaction: JournalCompaction | null = null;
  /** Set when open() tried to compact the file and could not (the file is then used as it was). */
  compactionError: string | null = null;

  private constructor(private readonly path: string | null, now?: () => Date, retentionMs?: number) {
    this.now = now ?? (() => new Date());
    this.retentionMs = retentionMs ?? DAY_MS;
  }

  /**
   * Opens (creating the folder if needed) and replays the journal. Synchronous on purpose: it runs once at
   * start-up, before anything may touch a card. Unparseable lines (a torn last write) are skipped.
   *
   * The file only grows while the gateway runs (every card write appends). So that it stays small over years
   * of daily starts, a file over `compactAboveBytes` is rewritten here with just the records of the
   * operations still remembered — every unresolved one, however old, and finished ones within the retention —
   * by writing a new file, flushing it and renaming it over the old one (a crash at any point leaves either
   * the old file or the new one, never a mix). The old file is first copied to `<file>.previous`, once, for
   * whoever wants the longer history (the audit log has who did what in any case).
   */
  static open(options: CardWriteJournalOptions): CardWriteJournal {
    const journal = new CardWriteJournal(options.path, options.now, options.retentionMs);
    let text = '';
    let records = 0;
    const history: JournalRecord[] = [];
    if (options.keySecret) journal.keySecret = options.keySecret;
    if (options.path) {
      mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
      if (!options.keySecret) journal.keySecret = loadOrCreateKeySecret(`${options.path}.key`);
      tightenIfLoose(options.path);
      try {
        text = readFileSync(options.path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        records += 1;
        try {
          const record = journal.hashedKey(JSON.parse(line) as JournalRecord);
          journal.apply(record);
          history.push(record);
        } catch {
          // A crash in the middle of an append leaves a partial line: its operation's begin (if any) was
          // complete and flushed earlier, so skipping the fragment loses nothing.
        }
      }
    }
    const retainedBefore = new Set(journal.entries.keys());
    journal.prune(true);
    // Settled operations past the retention whose results (treatment IDs, signatures) are still on disk.
    const staleResults = history.some(
      (r) => (r.t === 'end' || r.t === 'note') && r.result !== undefined && retainedBefore.has(r.id) && !journal.entries.has(r.id),
    );
    if (options.path && text !== '' && !text.endsWith('\n')) {
      // A torn last line: end it, or the next record would be appended onto it and be unreadable too.
      try {
        appendFileSync(options.path, '\n');
        text += '\n';
      } catch (error) {
        // Unwritable: every append will fail too, and card writes are refused (JOURNAL_UNAVAILABLE).
        journal.lastWriteError = (error as NodeJS.ErrnoException).code ?? 'WRITE_FAILED';
      }
    }
    if (options.path) {
      const bytesBefore = Buffer.byteLength(text, 'utf8');
      const kept = journal.retainedRecords();
      const large = bytesBefore > (options.compactAboveBytes ?? DEFAULT_COMPACT_ABOVE_BYTES) && kept.length < records;
      if (large || staleResults || journal.sawPlainKeys) {
        try {
          journal.compaction = compactFile(options.path, kept, history, bytesBefore, records - kept.length);
        } catch (error) {
          // The uncompacted file is still a correct journal: go on with it, and say why.
          journal.compactionError = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
        }
      }
    }
    return journal;
  }

  /** The records of every operation still remembered, in the order they began. */
  private retainedRecords(): JournalRecord[] {
    const out: JournalRecord[] = [];
    for (const entry of this.entries.values()) {
      out.push(entry.begin);
      if (entry.end) out.push(entry.end);
      if (entry.resolution) out.push(entry.resolution);
    }
    return out;
  }

  /** Operations that began and never ended, and have not been resolved since. */
  unresolved(): JournalEntry[] {
    return [...this.entries.values()].filter((e) => e.end === null && e.resolution === null);
  }

  /** Every operation still remembered (within the retention), in the order they began. */
  remembered(): JournalEntry[] {
    return [...this.entries.values()];
  }

  entry(id: string): JournalEntry | undefined {
    return this.entries.get(id);
  }

  /** The operation begun under this idempotency key (as the caller sends it), if still remembered. */
  forKey(key: string): JournalEntry | undefined {
    return this.byKey.get(this.hashKey(key));
  }

  /** The key as the caller sent it, when this process began the operation; null after a restart (the file has a hash). */
  plainKey(entry: JournalEntry): string | null {
    return this.plainKeys.get(entry.begin.id) ?? null;
  }

  private hashKey(key: string): string {
    return `${KEY_HASH_PREFIX}${createHmac('sha256', this.keySecret).update(key, 'utf8').digest('hex')}`;
  }

  /** A replayed begin record with its key hashed, if an older version wrote it verbatim. */
  private hashedKey(record: JournalRecord): JournalRecord {
    if (record.t !== 'begin' || record.key === null || record.key.startsWith(KEY_HASH_PREFIX)) return record;
    this.sawPlainKeys = true;
    return { ...record, key: this.hashKey(record.key) };
  }

  /** Why the last append failed (disk full, read-only folder), or null. */
  get writeError(): string | null {
    return this.lastWriteError;
  }

  /**
   * Forgets finished operations older than the retention, so memory stays flat however many keys a day
   * brings (the file keeps the history). At most once a minute unless forced.
   */
  prune(force = false): void {
    const now = this.now().getTime();
    if (!force && now - this.lastPrune < 60_000) return;
    this.lastPrune = now;
    for (const [id, entry] of this.entries) {
      const finished = entry.end !== null || entry.resolution !== null;
      if (!finished || now - Date.parse(entry.begin.at) < this.retentionMs) continue;
      this.entries.delete(id);
      this.plainKeys.delete(id);
      if (entry.begin.key && this.byKey.get(entry.begin.key) === entry) this.byKey.delete(entry.begin.key);
    }
  }

  async begin(input: Omit<BeginRecord, 't' | 'id' | 'at'>): Promise<BeginRecord> {
    this.prune();
    const record: BeginRecord = {
      t: 'begin',
      id: randomUUID(),
      at: this.now().toISOString(),
      ...input,
      key: input.key === null ? null : this.hashKey(input.key),
    };
    await this.append(record);
    this.apply(record);
    if (input.key !== null) this.plainKeys.set(record.id, input.key);
    return record;
  }

  async end(id: string, outcome: JournalOutcome, detail: Pick<EndRecord, 'result' | 'error'>): Promise<void> {
    const record: EndRecord = { t: 'end', id, at: this.now().toISOString(), outcome, ...detail };
    // The end is recorded in memory even if the disk refuses it: this process knows the outcome; only a
    // restart would see the operation as unknown, which is the safe side.
    this.apply(record);
    await this.append(record).catch(() => undefined);
  }

  /**
   * Records an operation that touched no card and succeeded (see NoteRecord). Remembered in memory even if the
   * disk refuses it, as an end is; the caller's answer does not depend on it.
   */
  async note(input: { readonly op: string; readonly inputHash: string; readonly result: unknown }): Promise<void> {
    this.prune();
    const record: NoteRecord = { t: 'note', id: randomUUID(), op: input.op, inputHash: input.inputHash, at: this.now().toISOString(), result: input.result };
    this.apply(record);
    await this.append(record).catch(() => undefined);
  }

  async resolve(id: string, resolution: Resolution, how: ResolveRecord['how']): Promise<ResolveRecord> {
    const record: ResolveRecord = { t: 'resolve', id, at: this.now().toISOString(), resolution, how };
    await this.append(record);
    this.apply(record);
    return record;
  }

  private apply(record: JournalRecord): void {
    if (record.t === 'note') {
      // Held as a finished operation, so retention, compaction and readers treat it like any other.
      const begin: BeginRecord = { t: 'begin', id: record.id, op: record.op, key: null, inputHash: record.inputHash, at: record.at };
      const end: EndRecord = { t: 'end', id: record.id, at: record.at, outcome: 'OK', result: record.result };
      this.entries.set(record.id, { begin, end, resolution: null });
      return;
    }
    if (record.t === 'begin') {
      const entry: JournalEntry = { begin: record, end: null, resolution: null };
      this.entries.set(record.id, entry);
      if (record.key) this.byKey.set(record.key, entry);
      return;
    }
    const entry = this.entries.get(record.id);
    if (!entry) return;
    if (record.t === 'end') entry.end = record;
    else entry.resolution = record;
  }

  private async append(record: JournalRecord): Promise<void> {
    if (!this.path) return;
    try {
      const handle = await open(this.path, 'a', PRIVATE_FILE_MODE);
      try {
        await handle.appendFile(`${JSON.stringify(record)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      this.lastWriteError = null;
    } catch (error) {
      this.lastWriteError = (error as NodeJS.ErrnoException).code ?? 'WRITE_FAILED';
      throw error;
    }
  }
}
