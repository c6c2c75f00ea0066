/**
 * The log and audit files' writer: lines are queued in memory and written asynchronously, in batches, off
 * the request's path. A request only appends a string to an array; the batch (everything logged in one
 * event-loop turn, plus whatever piled up while the previous write was in flight) goes to the file in one
 * `write` on libuv's thread pool.
 *
 * - Bounded: at most `maxBufferedBytes` wait in memory. A line that would go over is dropped and counted,
 *   and once the queue drains a warning line saying how many were dropped is written in their place.
 * - Clean stop: `flush()` / `close()` wait for the write in flight and write the rest; the gateway awaits
 *   them on SIGINT/SIGTERM/SIGBREAK (src/main.ts). On `process.exit` whatever is still queued is written
 *   synchronously. What a crash loses is in docs/security.md ("Logs on a crash").
 * - Rotates by size at line boundaries: `x.log` → `x.log.1` → … → `x.log.N` (dropped). Files are created
 *   0600 (their folder 0700). Write failures (disk full) never throw into the gateway: lines are dropped
 *   and counted.
 */
import { close as closeAsync, closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, write, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { maskIdentifiers } from './mask.ts';

export interface RotationOptions {
  /** Rotate when the current file would grow past this. @default 10 MiB */
  readonly maxBytes?: number;
  /** Rotated files kept (`gateway.log.1` newest … `.N` oldest). @default 5 */
  readonly maxFiles?: number;
}

export interface LogFileOptions extends RotationOptions {
  /** Queued bytes not yet written, at most; beyond it lines are dropped (and counted). @default 8 MiB */
  readonly maxBufferedBytes?: number;
}

export const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Streams with queued lines, written synchronously if the process exits before they drain. */
const open = new Set<RotatingFileStream>();
let exitHookInstalled = false;
function registerForExit(stream: RotatingFileStream): void {
  open.add(stream);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const s of open) s.flushSync();
  });
}

function writeAsync(fd: number, data: Buffer): Promise<number> {
  return new Promise((resolve, reject) => write(fd, data, 0, data.length, null, (error, written) => (error ? reject(error) : resolve(written))));
}

export class RotatingFileStream implements DestinationStream {
  readonly path: string;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  readonly #maxBuffered: number;
  #fd: number | null = null;
  #size = 0;
  #queue: string[] = [];
  /** UTF-8 length of each queued line, measured once when it is queued. */
  #queueBytes: number[] = [];
  #queuedBytes = 0;
  /** Lines dropped since the last notice was written. */
  #unreported = 0;
  #dropped = 0;
  #draining: Promise<void> | null = null;
  #scheduled = false;

  constructor(path: string, options: LogFileOptions = {}) {
    this.path = path;
    this.#maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.#maxFiles = Math.max(1, options.maxFiles ?? 5);
    this.#maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    // Opened now so a bad folder fails at start, where the operator sees it.
    this.#open();
  }

  /** Lines that were not written: queue full, or the write failed. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Bytes queued and not yet handed to the file. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  write(chunk: string): boolean {
    const line = maskIdentifiers(chunk);
    const bytes = Buffer.byteLength(line);
    if (this.#queuedBytes + bytes > this.#maxBuffered) {
      this.#dropped++;
      this.#unreported++;
      return true;
    }
    this.#queue.push(line);
    this.#queueBytes.push(bytes);
    this.#queuedBytes += bytes;
    registerForExit(this);
    if (this.#draining === null) this.#schedule();
    return true;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // After the current turn's I/O callbacks: one batch for all of them.
    setImmediate(() => {
      this.#scheduled = false;
      void this.flush();
    });
  }

  /** Resolves once every line queued before the call is in the file (or counted as dropped). */
  flush(): Promise<void> {
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = null;
      // Lines queued by other microtasks between the last batch and here.
      if (this.#queue.length > 0 || this.#unreported > 0) this.#schedule();
    });
    return this.#draining;
  }

  /** Flushes, then closes the file. Lines written afterwards reopen it. */
  async close(): Promise<void> {
    await this.flush();
    const fd = this.#fd;
    this.#fd = null;
    open.delete(this);
    if (fd !== null) await new Promise<void>((resolve) => closeAsync(fd, () => resolve()));
  }

  /**
   * Writes the queue synchronously (process exit). A batch already handed to the thread pool is not
   * waited for: it reaches the file unless the process dies before the pool runs it.
   */
  flushSync(): void {
    for (;;) {
      const batch = this.#nextBatch();
      if (batch === null) break;
      try {
        if (this.#fd === null) this.#open();
        writeSync(this.#fd!, batch.data);
        this.#size += batch.data.length;
      } catch {
        this.#dropped += batch.lines;
      }
    }
    if (this.#fd !== null && this.#draining === null) {
      try {
        closeSync(this.#fd);
      } catch {
        // already gone
      }
      this.#fd = null;
    }
    open.delete(this);
  }

  async #drain(): Promise<void> {
    for (;;) {
      const batch = this.#nextBatch();
      if (batch === null) return;
      try {
        if (this.#fd === null) this.#open();
        let offset = 0;
        while (offset < batch.data.length) offset += await writeAsync(this.#fd!, batch.data.subarray(offset));
        this.#size += batch.data.length;
      } catch {
        this.#dropped += batch.lines;
      }
    }
  }

  /**
   * Takes the lines that fit in the current file (rotating first when not even one does), plus the notice
   * of dropped lines once the queue is empty. Null when there is nothing to write.
   */
  #nextBatch(): { data: Buffer; lines: number } | null {
    if (this.#queue.length === 0 && this.#unreported > 0) {
      const count = this.#unreported;
      this.#unreported = 0;
      this.#queue.push(`${JSON.stringify({ level: 'warn', time: new Date().toISOString(), msg: 'log queue full: lines dropped', dropped: count })}\n`);
      this.#queueBytes.push(Buffer.byteLength(this.#queue[0]!));
      this.#queuedBytes += this.#queueBytes[0]!;
    }
    if (this.#queue.length === 0) return null;
    let taken = 0;
    let bytes = 0;
    for (const lineBytes of this.#queueBytes) {
      if (this.#size + bytes + lineBytes > this.#maxBytes && this.#size + bytes > 0) break;
      bytes += lineBytes;
      taken++;
    }
    if (taken === 0) {
      // Not even the next line fits: start a new file (the current one is non-empty).
      try {
        this.#rotate();
      } catch {
        // Keep appending to the current file rather than lose lines.
        this.#size = 0;
      }
      return this.#nextBatch();
    }
    const lines = this.#queue.splice(0, taken);
    this.#queueBytes.splice(0, taken);
    this.#queuedBytes -= bytes;
    return { data: Buffer.from(lines.join('')), lines: taken };
  }

  #open(): void {
    this.#fd = openSync(this.path, 'a', 0o600);
    this.#size = statSync(this.path).size;
  }

  #rotate(): void {
    // Windows cannot rename an open file: close first. Called between writes, never during one.
    if (this.#fd !== null) {
      try {
        closeSync(this.#fd);
      } catch {
        // already gone
      }
      this.#fd = null;
    }
    rmSync(`${this.path}.${this.#maxFiles}`, { force: true });
    for (let i = this.#maxFiles - 1; i >= 1; i--) {
      try {
        renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    renameSync(this.path, `${this.path}.1`);
    this.#open();
  }
}
