/**
 * A FIFO queue that lets at most one native call run at a time (CSHIS.dll keeps global reader state and is
 * not thread-safe, docs/reference/abi.md (Threading and blocking) / docs/reference/open-questions.md (7)). Pure TypeScript: no koffi.
 *
 * - Each task has a timeout. When it expires, the caller's promise rejects with CallTimeoutError, but the
 *   queue stays BLOCKED (`isStuck`) until the native call really returns: a call inside the DLL cannot be
 *   aborted, and a second call must never enter the DLL while one is still inside.
 * - A 'degraded' event fires on the timeout, 'recovered' when the stuck call returns. An optional `recover`
 *   hook then runs first in the queue (the adapter resets the reader there), before any waiting task.
 * - Identical concurrent reads (same `coalesceKey`, which the caller builds from function name + args and sets
 *   only for reads) share one call; tasks without a key (writes) are never coalesced.
 * - Light-status reads (`priority`) take the next turn instead of the back of the line: behind 200 queued card
 *   calls a status light would be seconds late. They are short and the light monitor polls one at a time, so
 *   ordinary calls wait at most one such read each.
 * - A light poll is several priority reads in a row (both slots' status, then the card number), each queued
 *   when the one before returns. So that no ordinary call slips in between them, the lane stays open after a
 *   priority call until the end of that event-loop turn (setImmediate): the poller's next read is queued in
 *   the microtasks of the same turn and goes first. A priority caller that queues nothing more delays the next
 *   ordinary call by that one turn, never longer. After MAX_PRIORITY_RUN priority calls in a row a waiting
 *   ordinary call goes first, so pollers that never pause cannot starve card calls.
 * - Per-function duration stats: count, last, max and p50 over a small ring-buffer reservoir.
 * - `dispose()` rejects waiting tasks with AdapterDisposedError; a running call is left to finish.
 */
import { AdapterDisposedError, CallTimeoutError } from './errors.ts';

export interface QueueTask<T> {
  /** Function name, for stats and errors. */
  readonly name: string;
  /** Starts the call. Runs only when no other task is running. */
  readonly run: () => Promise<T>;
  /** Overrides the queue's default timeout (ms). 0 or Infinity: no timeout. */
  readonly timeoutMs?: number | undefined;
  /**
   * Set only for reads: a task whose key equals the key of a waiting or running (not yet timed-out) task
   * shares that task's result instead of making another call.
   */
  readonly coalesceKey?: string | undefined;
  /** Runs before every ordinary waiting task (after the recovery task and earlier priority tasks). */
  readonly priority?: boolean | undefined;
}

export interface CallQueueOptions {
  /** Default timeout of a running task in ms. 0 or Infinity: no timeout. */
  readonly timeoutMs: number;
  /**
   * How long a task may wait for its turn (ms) before it rejects with CallTimeoutError without ever
   * running. Default: unbounded (callers wait behind a stuck call until it returns).
   */
  readonly maxWaitMs?: number | undefined;
  /** Runs as the first task after a stuck call returned (e.g. reset and reopen the reader). */
  readonly recover?: (() => Promise<unknown>) | undefined;
  /** Timeout of the recovery task. Default: `timeoutMs`. */
  readonly recoveryTimeoutMs?: number | undefined;
  /** Samples kept per function for p50. Default 64. */
  readonly reservoirSize?: number | undefined;
}

export type QueueEvent =
  | { readonly type: 'degraded'; readonly name: string; readonly timeoutMs: number; readonly startedAt: number }
  | { readonly type: 'recovered'; readonly name: string; readonly durationMs: number }
  | { readonly type: 'recovery-failed'; readonly error: unknown };

export type QueueEventType = QueueEvent['type'];

export interface FunctionStats {
  /** Calls that returned (including ones whose caller had timed out). */
  readonly count: number;
  /** Calls whose run() rejected. */
  readonly errors: number;
  /** Calls whose caller got a CallTimeoutError. */
  readonly timeouts: number;
  readonly lastMs: number;
  readonly maxMs: number;
  /** Median of the last `reservoirSize` durations. */
  readonly p50Ms: number;
}

export interface InFlightInfo {
  readonly name: string;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly elapsedMs: number;
  /** The caller already got a CallTimeoutError; the call is still inside the library. */
  readonly timedOut: boolean;
}

export interface QueueStats {
  /** Tasks waiting for their turn. */
  readonly depth: number;
  readonly isStuck: boolean;
  readonly inFlight: InFlightInfo | null;
  /** Callers served by another caller's identical read. */
  readonly coalesced: number;
  /** Tasks that gave up waiting (maxWaitMs). */
  readonly waitTimeouts: number;
  readonly disposed: boolean;
  readonly functions: Readonly<Record<string, FunctionStats>>;
}

interface Entry {
  readonly task: QueueTask<unknown>;
  readonly promise: Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  readonly internal: boolean;
  waitTimer: ReturnType<typeof setTimeout> | undefined;
}

interface Running {
  readonly entry: Entry;
  readonly startedAt: number;
  readonly t0: number;
  timedOut: boolean;
}

class Reservoir {
  readonly #samples: number[] = [];
  #next = 0;
  count = 0;
  errors = 0;
  timeouts = 0;
  lastMs = 0;
  maxMs = 0;

  constructor(private readonly size: number) {}

  add(ms: number): void {
    this.count++;
    this.lastMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    if (this.#samples.length < this.size) this.#samples.push(ms);
    else this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.size;
  }

  snapshot(): FunctionStats {
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const p50 =
      sorted.length === 0
        ? 0
        : sorted.length % 2 === 1
          ? (sorted[mid] ?? 0)
          : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
    return {
      count: this.count,
      errors: this.errors,
      timeouts: this.timeouts,
      lastMs: this.lastMs,
      maxMs: this.maxMs,
      p50Ms: p50,
    };
  }
}

/**
 * Priority calls in a row after which a waiting ordinary call gets one turn: a light poll is up to three reads
 * (both statuses, the card number), so a poll is never split, but pollers that read without pause (several
 * monitors, a flood of unwatched lightState queries) cannot keep card calls waiting for ever.
 */
export const MAX_PRIORITY_RUN = 4;

const isFinitePositive = (ms: number | undefined): ms is number =>
  typeof ms === 'number' && Number.isFinite(ms) && ms > 0;

export class CallQueue {
  readonly #options: CallQueueOptions;
  readonly #waiting: Entry[] = [];
  readonly #byKey = new Map<string, Entry>();
  readonly #stats = new Map<string, Reservoir>();
  readonly #listeners = new Set<(event: QueueEvent) => void>();
  readonly #idleWaiters: (() => void)[] = [];
  #running: Running | null = null;
  #stuck = false;
  #disposed = false;
  #coalesced = 0;
  #waitTimeouts = 0;
  /** A priority call just returned: until the turn ends, only priority (and recovery) tasks may start. */
  #laneHeld = false;
  #prioritySeries = 0;
  /** Priority calls started in a row since the last ordinary one. */
  #priorityRun = 0;

  constructor(options: CallQueueOptions) {
    this.#options = options;
  }

  /** True from a task's timeout until its native call returns. */
  get isStuck(): boolean {
    return this.#stuck;
  }

  /** Number of tasks waiting for their turn (not counting the running one). */
  get depth(): number {
    return this.#waiting.length;
  }

  get inFlight(): InFlightInfo | null {
    const r = this.#running;
    if (!r) return null;
    return {
      name: r.entry.task.name,
      startedAt: r.startedAt,
      elapsedMs: performance.now() - r.t0,
      timedOut: r.timedOut,
    };
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Queues a task; resolves/rejects with its result, CallTimeoutError, or AdapterDisposedError. */
  enqueue<T>(task: QueueTask<T>): Promise<T> {
    if (this.#disposed) return Promise.reject(new AdapterDisposedError('call queue'));
    if (task.coalesceKey !== undefined) {
      const shared = this.#byKey.get(task.coalesceKey);
      if (shared) {
        this.#coalesced++;
        return shared.promise as Promise<T>;
      }
    }
    const entry = this.#makeEntry(task as QueueTask<unknown>, false);
    if (task.coalesceKey !== undefined) this.#byKey.set(task.coalesceKey, entry);
    if (task.priority) {
      const ahead = this.#waiting.findIndex((waiting) => !waiting.internal && !waiting.task.priority);
      this.#waiting.splice(ahead < 0 ? this.#waiting.length : ahead, 0, entry);
    } else {
      this.#waiting.push(entry);
    }
    if (isFinitePositive(this.#options.maxWaitMs)) {
      const maxWaitMs = this.#options.maxWaitMs;
      entry.waitTimer = setTimeout(() => {
        const i = this.#waiting.indexOf(entry);
        if (i < 0) return;
        this.#waiting.splice(i, 1);
        this.#forgetKey(entry);
        this.#waitTimeouts++;
        entry.reject(new CallTimeoutError(task.name, maxWaitMs));
      }, maxWaitMs);
    }
    this.#pump();
    return entry.promise as Promise<T>;
  }

  /** Subscribes to one event type; returns the unsubscribe function. */
  on<E extends QueueEventType>(type: E, listener: (event: Extract<QueueEvent, { type: E }>) => void): () => void {
    const wrapped = (event: QueueEvent): void => {
      if (event.type === type) listener(event as Extract<QueueEvent, { type: E }>);
    };
    this.#listeners.add(wrapped);
    return () => this.#listeners.delete(wrapped);
  }

  stats(): QueueStats {
    const functions: Record<string, FunctionStats> = {};
    for (const [name, r] of this.#stats) functions[name] = r.snapshot();
    return {
      depth: this.depth,
      isStuck: this.#stuck,
      inFlight: this.inFlight,
      coalesced: this.#coalesced,
      waitTimeouts: this.#waitTimeouts,
      disposed: this.#disposed,
      functions,
    };
  }

  /** Resolves when no task is running or waiting (immediately if idle). */
  idle(): Promise<void> {
    if (!this.#running && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Rejects every waiting task with AdapterDisposedError and refuses new ones. A running call is not
   * interrupted (it cannot be); its caller still gets its result unless it already timed out.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const waiting = this.#waiting.splice(0);
    for (const entry of waiting) {
      if (entry.waitTimer) clearTimeout(entry.waitTimer);
      this.#forgetKey(entry);
      entry.reject(new AdapterDisposedError('call queue'));
    }
    if (!this.#running) this.#notifyIdle();
  }

  // ---------------------------------------------------------------------------------------------------

  #makeEntry(task: QueueTask<unknown>, internal: boolean): Entry {
    let resolve!: (value: unknown) => void;
    let reject!: (reason: unknown) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { task, promise, resolve, reject, internal, waitTimer: undefined };
  }

  #forgetKey(entry: Entry): void {
    const key = entry.task.coalesceKey;
    if (key !== undefined && this.#byKey.get(key) === entry) this.#byKey.delete(key);
  }

  #reservoir(name: string): Reservoir {
    let r = this.#stats.get(name);
    if (!r) {
      r = new Reservoir(Math.max(1, this.#options.reservoirSize ?? 64));
      this.#stats.set(name, r);
    }
    return r;
  }

  #emit(event: QueueEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // a listener's failure must not wedge the queue
      }
    }
  }

  #notifyIdle(): void {
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #pump(): void {
    if (this.#running) return;
    const head = this.#waiting[0];
    if (head && this.#laneHeld && !head.internal && !head.task.priority) return; // released by #holdLane's setImmediate
    const next = this.#takeNext();
    if (!next) {
      this.#notifyIdle();
      return;
    }
    if (next.waitTimer) clearTimeout(next.waitTimer);
    if (next.task.priority) this.#priorityRun++;
    else if (!next.internal) this.#priorityRun = 0;
    this.#start(next);
  }

  /** The head of the line, unless priority calls have had MAX_PRIORITY_RUN turns in a row: then the first ordinary one. */
  #takeNext(): Entry | undefined {
    const head = this.#waiting[0];
    if (head?.task.priority && this.#priorityRun >= MAX_PRIORITY_RUN) {
      const ordinary = this.#waiting.findIndex((e) => !e.internal && !e.task.priority);
      if (ordinary >= 0) return this.#waiting.splice(ordinary, 1)[0];
    }
    return this.#waiting.shift();
  }

  #start(entry: Entry): void {
    const { task } = entry;
    const running: Running = { entry, startedAt: Date.now(), t0: performance.now(), timedOut: false };
    this.#running = running;
    const timeoutMs = task.timeoutMs ?? this.#options.timeoutMs;

    let timer: ReturnType<typeof setTimeout> | undefined;
    if (isFinitePositive(timeoutMs)) {
      timer = setTimeout(() => {
        if (this.#running !== running) return;
        running.timedOut = true;
        this.#stuck = true;
        this.#forgetKey(entry); // later identical reads must not join a call whose callers gave up
        this.#reservoir(task.name).timeouts++;
        entry.reject(new CallTimeoutError(task.name, timeoutMs));
        this.#emit({ type: 'degraded', name: task.name, timeoutMs, startedAt: running.startedAt });
      }, timeoutMs);
    }

    let promise: Promise<unknown>;
    try {
      promise = Promise.resolve(task.run());
    } catch (error) {
      promise = Promise.reject(error);
    }

    const finish = (ok: boolean, value: unknown): void => {
      if (timer) clearTimeout(timer);
      const durationMs = performance.now() - running.t0;
      const stats = this.#reservoir(task.name);
      stats.add(durationMs);
      if (!ok) stats.errors++;
      this.#forgetKey(entry);
      this.#running = null;
      if (task.priority && !running.timedOut && this.#priorityRun < MAX_PRIORITY_RUN) this.#holdLane();
      if (!running.timedOut) {
        if (ok) entry.resolve(value);
        else entry.reject(value);
      } else {
        this.#stuck = false;
        this.#emit({ type: 'recovered', name: task.name, durationMs });
        this.#scheduleRecovery();
      }
      this.#pump();
    };
    promise.then(
      (value) => finish(true, value),
      (error: unknown) => finish(false, error),
    );
  }

  /** Keeps ordinary tasks waiting until the end of this event-loop turn (see the header: a poll's next read). */
  #holdLane(): void {
    this.#laneHeld = true;
    const series = ++this.#prioritySeries;
    setImmediate(() => {
      if (series !== this.#prioritySeries) return; // a later priority call holds it now
      this.#laneHeld = false;
      this.#pump();
    });
  }

  /** Puts the recovery hook at the head of the queue (it runs before every waiting task). */
  #scheduleRecovery(): void {
    const recover = this.#options.recover;
    if (!recover || this.#disposed) return;
    const entry = this.#makeEntry(
      { name: 'recovery', run: recover, timeoutMs: this.#options.recoveryTimeoutMs ?? this.#options.timeoutMs },
      true,
    );
    entry.promise.catch((error: unknown) => this.#emit({ type: 'recovery-failed', error }));
    this.#waiting.unshift(entry);
  }
}
