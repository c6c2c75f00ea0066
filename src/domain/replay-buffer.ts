/**
 * A bounded memory of the last items a stream published, each with an id, so that a client that lost its
 * connection can say "the last one I saw was X" and get what came after (SSE `Last-Event-ID`).
 *
 * Bounded twice: at most `capacity` items and none older than `maxAgeMs`, whichever is smaller. Ids are
 * `<epoch>-<seq>`: the epoch changes with every gateway run, so an id from before a restart is unknown rather
 * than silently matched to a different event. Pure (no I/O); the clock is injectable.
 */
export interface Stamped<T> {
  /** `<epoch>-<seq>`, unique within this run. */
  readonly id: string;
  readonly value: T;
  /** When it was published (ms since the epoch, from `now`). */
  readonly at: number;
}

export interface ReplayWindow {
  /** Most items kept. @default 256 */
  readonly capacity: number;
  /** Oldest item kept, in ms. @default 300000 (5 minutes) */
  readonly maxAgeMs: number;
}

export const DEFAULT_REPLAY_WINDOW: ReplayWindow = { capacity: 256, maxAgeMs: 5 * 60_000 };

export interface ReplayBufferOptions {
  readonly window?: Partial<ReplayWindow>;
  /** Distinguishes this run's ids from another's. @default random */
  readonly epoch?: string;
  readonly now?: () => number;
}

export class ReplayBuffer<T> {
  readonly epoch: string;
  private readonly window: ReplayWindow;
  private readonly now: () => number;
  private readonly items: Stamped<T>[] = [];
  /** Sequence number of the last item pushed (0 before the first). */
  private lastSeq = 0;

  constructor(options: ReplayBufferOptions = {}) {
    this.window = { ...DEFAULT_REPLAY_WINDOW, ...options.window };
    if (!(this.window.capacity >= 1) || !(this.window.maxAgeMs > 0)) throw new Error('ReplayBuffer: capacity ≥ 1 and maxAgeMs > 0');
    if (options.epoch !== undefined && !/^[A-Za-z0-9]+$/.test(options.epoch)) throw new Error('ReplayBuffer: epoch must be letters and digits');
    this.epoch = options.epoch ?? randomEpoch();
    this.now = options.now ?? Date.now;
  }

  get capacity(): number {
    return this.window.capacity;
  }

  /** The newest id issued, or null before any. */
  get lastId(): string | null {
    return this.lastSeq === 0 ? null : this.idOf(this.lastSeq);
  }

  push(value: T): Stamped<T> {
    this.lastSeq += 1;
    const item: Stamped<T> = { id: this.idOf(this.lastSeq), value, at: this.now() };
    this.items.push(item);
    this.prune();
    return item;
  }

  /**
   * The items published after `id`, oldest first ([] when `id` is the newest). Null when `id` is not one of
   * this run's, or items after it have already left the window: the caller missed something it cannot get.
   */
  after(id: string): Stamped<T>[] | null {
    this.prune();
    const seq = this.seqOf(id);
    if (seq === null || seq > this.lastSeq) return null;
    const firstKept = this.items[0] ? this.seqOfKnown(this.items[0]) : this.lastSeq + 1;
    if (seq < firstKept - 1) return null;
    return this.items.slice(seq - firstKept + 1);
  }

  private prune(): void {
    const oldest = this.now() - this.window.maxAgeMs;
    while (this.items.length > this.window.capacity) this.items.shift();
    while (this.items.length > 0 && (this.items[0] as Stamped<T>).at < oldest) this.items.shift();
  }

  private idOf(seq: number): string {
    return `${this.epoch}-${seq}`;
  }

  private seqOf(id: string): number | null {
    const dash = id.lastIndexOf('-');
    if (dash < 0 || id.slice(0, dash) !== this.epoch) return null;
    const digits = id.slice(dash + 1);
    if (!/^[1-9]\d{0,15}$/.test(digits)) return null;
    return Number(digits);
  }

  private seqOfKnown(item: Stamped<T>): number {
    return Number(item.id.slice(this.epoch.length + 1));
  }
}

function randomEpoch(): string {
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('');
}
