/**
 * Pairing: how a HIS web page gets a credential without anyone copying the token file (docs/security.md,
 * section "Pairing"). The page asks to pair its origin; the gateway shows a 6-digit code on its own surface
 * (console, gateway.log, /status on this machine); the user types it into the page; the page gets a token
 * bound to its origin, expiring and revocable.
 *
 * Pairing tokens are stored as SHA-256 hashes (they are 32 random bytes, so a plain hash cannot be guessed
 * back) in a 0600 JSON file in the data folder. The file is re-read when it changes, so `nhi-gateway
 * pairings revoke` takes effect in a running gateway at its next request.
 */
import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Pairing tokens start with this, so they are told from the access token without trying both. */
export const PAIRING_TOKEN_PREFIX = 'nhp_';
export const PAIRINGS_FILE = 'pairings.json';
export const DEFAULT_PAIRING_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
export const PAIRING_CODE_LIFETIME_MS = 2 * 60 * 1000;
export const PAIRING_CODE_TRIES = 5;
/** Pending requests kept at once (each origin has at most one). */
const MAX_PENDING = 20;

/** The pairings file for a backend: the simulator keeps its own, like its token and journal. */
export function pairingsPath(dataDir: string, backend: string | undefined): string {
  return join(dataDir, `${PAIRINGS_FILE}${backend === 'simulator' ? '-simulator' : ''}`);
}

export interface Pairing {
  readonly id: string;
  /** `scheme://host[:port]` the token is bound to. */
  readonly origin: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

interface StoredPairing extends Pairing {
  /** SHA-256 of the token, hex. */
  readonly tokenHash: string;
}

export interface PendingPairing {
  readonly origin: string;
  readonly code: string;
  readonly expiresAt: string;
}

export type PairingCheck = 'valid' | 'wrong-origin' | 'unknown';

export type ConfirmResult =
  | { readonly ok: true; readonly token: string; readonly pairing: Pairing }
  | { readonly ok: false; readonly triesLeft: number };

export interface PairingStoreOptions {
  /** @default Date.now */
  readonly now?: () => number;
  /** @default 30 days */
  readonly lifetimeMs?: number;
  /** Told the code of each new request, to show it on the gateway's own surface. */
  readonly onCode?: (pending: PendingPairing) => void;
}

interface Pending {
  code: string;
  expiresAt: number;
  triesLeft: number;
}

export class PairingStore {
  readonly #file: string;
  readonly #now: () => number;
  readonly #lifetimeMs: number;
  readonly #onCode: ((pending: PendingPairing) => void) | undefined;
  readonly #pending = new Map<string, Pending>();
  #pairings: StoredPairing[] = [];
  /**
   * Which version of the file is loaded: inode, mtime (ns) and size. Both writers (this store and the CLI) replace
   * the file by renaming a new one over it, so the inode changes on every save even when two saves fall in the
   * same mtime tick (a CLI revocation right after the gateway's own save was missed when only mtime was compared).
   */
  #loadedStamp = '';

  constructor(file: string, options: PairingStoreOptions = {}) {
    this.#file = file;
    this.#now = options.now ?? Date.now;
    this.#lifetimeMs = options.lifetimeMs ?? DEFAULT_PAIRING_LIFETIME_MS;
    this.#onCode = options.onCode;
    this.#reload();
  }

  /** Starts (or restarts) a pairing for `origin`: a fresh code, valid 2 minutes and for 5 tries. */
  request(origin: string): PendingPairing {
    const now = this.#now();
    this.#dropExpiredPending(now);
    if (!this.#pending.has(origin) && this.#pending.size >= MAX_PENDING) {
      const oldest = this.#pending.keys().next().value;
      if (oldest !== undefined) this.#pending.delete(oldest);
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = now + PAIRING_CODE_LIFETIME_MS;
    this.#pending.set(origin, { code, expiresAt, triesLeft: PAIRING_CODE_TRIES });
    const pending = { origin, code, expiresAt: new Date(expiresAt).toISOString() };
    this.#onCode?.(pending);
    return pending;
  }

  /** Codes waiting to be typed in (for /status on this machine). */
  pending(): PendingPairing[] {
    this.#dropExpiredPending(this.#now());
    return [...this.#pending].map(([origin, p]) => ({ origin, code: p.code, expiresAt: new Date(p.expiresAt).toISOString() }));
  }

  /** Checks the code the page was told; the right one issues the token, a wrong one uses up a try. */
  confirm(origin: string, code: string): ConfirmResult {
    const now = this.#now();
    this.#dropExpiredPending(now);
    const pending = this.#pending.get(origin);
    if (!pending) return { ok: false, triesLeft: 0 };
    const presented = Buffer.from(code.padEnd(6).slice(0, 6));
    if (!timingSafeEqual(presented, Buffer.from(pending.code)) || code.length !== 6) {
      pending.triesLeft -= 1;
      if (pending.triesLeft <= 0) this.#pending.delete(origin);
      return { ok: false, triesLeft: Math.max(0, pending.triesLeft) };
    }
    this.#pending.delete(origin);
    const token = `${PAIRING_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const pairing: StoredPairing = {
      id: randomUUID(),
      origin,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.#lifetimeMs).toISOString(),
      tokenHash: hashToken(token),
    };
    this.#reload();
    this.#pairings = [...this.#pairings.filter((p) => Date.parse(p.expiresAt) > now), pairing];
    this.#save();
    return { ok: true, token, pairing: publicPart(pairing) };
  }

  /** Whether `token` is a live pairing for `origin` (the page's Origin header; null when absent). */
  check(token: string, origin: string | null): PairingCheck {
    this.#reload();
    const hash = hashToken(token);
    const found = this.#pairings.find((p) => p.tokenHash === hash);
    if (!found || Date.parse(found.expiresAt) <= this.#now()) return 'unknown';
    return found.origin === origin ? 'valid' : 'wrong-origin';
  }

  list(): Pairing[] {
    this.#reload();
    const now = this.#now();
    return this.#pairings.filter((p) => Date.parse(p.expiresAt) > now).map(publicPart);
  }

  /** Removes a pairing; its token is refused from then on. False when there was none with that id. */
  revoke(id: string): boolean {
    this.#reload();
    const before = this.#pairings.length;
    this.#pairings = this.#pairings.filter((p) => p.id !== id);
    if (this.#pairings.length === before) return false;
    this.#save();
    return true;
  }

  #dropExpiredPending(now: number): void {
    for (const [origin, p] of this.#pending) if (p.expiresAt <= now) this.#pending.delete(origin);
  }

  #reload(): void {
    let stamp: string;
    try {
      stamp = fileStamp(this.#file);
    } catch {
      this.#pairings = [];
      this.#loadedStamp = '';
      return;
    }
    if (stamp === this.#loadedStamp) return;
    try {
      const parsed = JSON.parse(readFileSync(this.#file, 'utf8')) as { pairings?: StoredPairing[] };
      this.#pairings = Array.isArray(parsed.pairings) ? parsed.pairings.filter(isStoredPairing) : [];
    } catch {
      // An unreadable file grants nothing; the next save replaces it.
      this.#pairings = [];
    }
    this.#loadedStamp = stamp;
  }

  #save(): void {
    const temp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ pairings: this.#pairings }, null, 1)}\n`, { mode: 0o600 });
    renameSync(temp, this.#file);
    this.#loadedStamp = fileStamp(this.#file);
  }
}

function fileStamp(file: string): string {
  const stat = statSync(file, { bigint: true });
  return `${stat.ino}:${stat.mtimeNs}:${stat.size}`;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function publicPart(p: StoredPairing): Pairing {
  return { id: p.id, origin: p.origin, createdAt: p.createdAt, expiresAt: p.expiresAt };
}

function isStoredPairing(value: unknown): value is StoredPairing {
  const p = value as Partial<StoredPairing> | null;
  return (
    typeof p?.id === 'string' &&
    typeof p.origin === 'string' &&
    typeof p.tokenHash === 'string' &&
    typeof p.expiresAt === 'string' &&
    typeof p.createdAt === 'string'
  );
}
