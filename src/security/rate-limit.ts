/**
 * Token buckets keyed by caller (the Origin, or "no origin"): identity reads are cheap for a page to ask
 * for and each one is a card read, so a page that loops over `healthCard` is slowed down, not obeyed.
 */

export interface RateLimitOptions {
  /** Sustained rate. */
  readonly perMinute: number;
  /** Reads allowed at once after a quiet period (the bucket size). */
  readonly burst: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Idle buckets are dropped beyond this many keys, so random Origin values cannot grow memory. @default 1000 */
  readonly maxKeys?: number;
}

export const DEFAULT_IDENTITY_RATE: Pick<RateLimitOptions, 'perMinute' | 'burst'> = { perMinute: 60, burst: 20 };

export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

/** One answer object for every granted take (they are frozen and identical). */
const TAKEN: TakeResult = Object.freeze({ ok: true });

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #now: () => number;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimitOptions) {
    if (!(options.perMinute > 0) || !(options.burst >= 1)) throw new Error('rate limit: perMinute > 0 and burst >= 1');
    this.#capacity = options.burst;
    this.#perMs = options.perMinute / 60_000;
    this.#now = options.now ?? Date.now;
    this.#maxKeys = options.maxKeys ?? 1000;
  }

  /** Takes `cost` tokens (capped at the bucket size, so a big query waits rather than failing for ever). */
  take(key: string, cost = 1): TakeResult {
    const now = this.#now();
    const need = Math.min(Math.max(cost, 1), this.#capacity);
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      this.#prune(now);
      bucket = { tokens: this.#capacity, at: now };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.#capacity, bucket.tokens + (now - bucket.at) * this.#perMs);
      bucket.at = now;
    }
    if (bucket.tokens >= need) {
      bucket.tokens -= need;
      return TAKEN;
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((need - bucket.tokens) / this.#perMs / 1000)) };
  }

  #prune(now: number): void {
    if (this.#buckets.size < this.#maxKeys) return;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * this.#perMs >= this.#capacity) this.#buckets.delete(key);
    }
    // Still full of busy keys: drop the oldest (Map keeps insertion order); they start again with a full bucket.
    while (this.#buckets.size >= this.#maxKeys) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest === undefined) break;
      this.#buckets.delete(oldest);
    }
  }
}
