/**
 * Nothing written twice: card writes and visit-consuming operations run through here.
 *
 * - With an idempotency key, a repeated request returns the first result (or the first typed error)
 *   without a second native call; concurrent repeats share the one call in flight. The same key with
 *   different input is refused.
 * - Every such operation is journaled before and after the native call. If the journal cannot be written,
 *   the card is not touched.
 * - An operation whose outcome is unknown (the process died mid-call, or the call timed out and is still
 *   inside the library) is never repeated by a retry: the retry gets OUTCOME_UNKNOWN until the entry is
 *   resolved, by checking the card or by the operator.
 */
import { createHash } from 'node:crypto';
import type { CardWriteJournal, JournalEntry, Resolution } from './card-write-journal.ts';
import { GatewayError } from '../errors/gateway-errors.ts';
import { errorForVendorCode, lookupVendorCode } from '../errors/vendor-codes.ts';
import { errorForWebApiRtnCode, lookupWebApiCode } from '../errors/webapi-codes.ts';
import { GATEWAY_CODES, gatewayError, type GatewayCodeName } from '../errors/gateway-codes.ts';
import { InputError } from '../codecs/input-error.ts';

export interface WriteOperation<T> {
  /** Stable operation name, e.g. 'startVisit'. */
  readonly op: string;
  readonly key: string | null | undefined;
  /** The request's input; only its hash is stored. */
  readonly input: unknown;
  /** Card state to record before the call, for checking an unknown outcome later. */
  readonly before?: () => Promise<Record<string, string | number | null>>;
  readonly execute: () => Promise<T>;
  /** What of the result may be stored in the journal (no ID numbers or names). */
  readonly persistable?: (result: T) => unknown;
}

/** Failures after which the card may or may not have been written (docs/card/README.md, "Safety of writes"). */
const OUTCOME_LEFT_OPEN: ReadonlySet<string> = new Set(['CALL_TIMEOUT']);

const KEY_PATTERN = /^[\x21-\x7e]{8,128}$/;

export function hashInput(input: unknown): string {
  return createHash('sha256').update(stableJson(input)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export class IdempotentWrites {
  private readonly inFlight = new Map<string, { inputHash: string; promise: Promise<unknown> }>();
  /**
   * Full first results of this process's operations by key: the journal stores a redacted copy (no ID
   * numbers), so a retry in the same process must get the original, byte for byte. Only kept while the
   * journal still remembers the key, so it is bounded by the same retention.
   */
  private readonly firstResults = new Map<string, unknown>();
  private lastResultsPrune = 0;

  constructor(private readonly journal: CardWriteJournal) {}

  async run<T>(operation: WriteOperation<T>): Promise<T> {
    const key = operation.key ?? null;
    if (key !== null && !KEY_PATTERN.test(key)) {
      throw new InputError('idempotencyKey', 'must be 8–128 printable ASCII characters (a UUID is a good choice)');
    }
    const inputHash = hashInput({ op: operation.op, input: operation.input });
    if (key === null) return this.execute(operation, null, inputHash);

    const running = this.inFlight.get(key);
    if (running) {
      if (running.inputHash !== inputHash) throw gatewayError('IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT');
      return running.promise as Promise<T>;
    }
    this.pruneFirstResults();
    const previous = this.journal.forKey(key);
    if (!previous) this.firstResults.delete(key);
    else if (previous.end?.outcome === 'OK' && previous.begin.inputHash === inputHash && this.firstResults.has(key)) {
      return this.firstResults.get(key) as T;
    }
    // A retryable failure (no card, reader busy, network down) wrote nothing: the same key may go again.
    const retryAllowed = previous?.end?.outcome === 'ERROR' && previous.end.error?.retryable === true && previous.begin.inputHash === inputHash;
    if (previous && !retryAllowed) return this.replay<T>(previous, inputHash);

    const promise = this.execute(operation, key, inputHash);
    this.inFlight.set(key, { inputHash, promise });
    try {
      return await promise;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Drops first results whose key the journal has forgotten (retention), at most once a minute. */
  private pruneFirstResults(): void {
    const now = Date.now();
    if (now - this.lastResultsPrune < 60_000) return;
    this.lastResultsPrune = now;
    for (const key of this.firstResults.keys()) if (!this.journal.forKey(key)) this.firstResults.delete(key);
  }

  /** The idempotency key as the caller sent it, if this process began the operation (the journal keeps a hash). */
  plainKey(entry: JournalEntry): string | null {
    return this.journal.plainKey(entry);
  }

  /** Operations whose outcome is unknown (the process stopped mid-call). */
  unresolved(): JournalEntry[] {
    return this.journal.unresolved();
  }

  /** Every journaled operation still remembered, oldest first (cardVisits joins them with the card). */
  remembered(): JournalEntry[] {
    return this.journal.remembered();
  }

  /**
   * Journals an operation that touched no card and succeeded (a treatment ID fetched later), so recovery views
   * (cardVisits) know it after a restart. `result` must hold no ID number or name. Never throws: the caller's
   * answer stands whether or not the disk took it.
   */
  async note(op: string, input: unknown, result: unknown): Promise<void> {
    await this.journal.note({ op, inputHash: hashInput({ op, input }), result }).catch(() => undefined);
  }

  async resolve(id: string, resolution: Resolution, how: 'CHECKED' | 'CONFIRMED_BY_OPERATOR') {
    const entry = this.journal.entry(id);
    if (!entry || entry.end !== null || entry.resolution !== null) {
      throw new InputError('id', 'is not an unresolved card write');
    }
    return this.journal.resolve(id, resolution, how);
  }

  private async execute<T>(operation: WriteOperation<T>, key: string | null, inputHash: string): Promise<T> {
    const before = operation.before ? await operation.before() : undefined;
    let begin;
    try {
      begin = await this.journal.begin({ op: operation.op, key, inputHash, ...(before ? { before } : {}) });
    } catch {
      // Without a journal entry a crash could leave an unknown write behind: refuse before touching the card.
      throw gatewayError('JOURNAL_UNAVAILABLE');
    }
    try {
      const result = await operation.execute();
      if (key !== null) this.firstResults.set(key, result);
      await this.journal.end(begin.id, 'OK', { result: operation.persistable ? operation.persistable(result) : result });
      return result;
    } catch (error) {
      // The call timed out but is still inside the library: it may yet write the card. As after a crash
      // mid-call, the entry stays open (no end), unresolvedCardWrites lists it for checkCardWrite, and the
      // answer is OUTCOME_UNKNOWN (not retryable: settle it) rather than CALL_TIMEOUT, which is retryable as a
      // read's answer and would invite a second write (without a key, a repeat would reach the card again).
      if (error instanceof GatewayError && OUTCOME_LEFT_OPEN.has(error.code)) throw gatewayError('OUTCOME_UNKNOWN');
      const typed =
        error instanceof GatewayError
          ? { code: error.code, vendorCode: error.vendorCode, retryable: error.retryable }
          : error instanceof InputError
            ? { code: 'BAD_USER_INPUT', vendorCode: null, retryable: true } // refused before the card was touched
            : { code: 'INTERNAL', vendorCode: null, retryable: false };
      await this.journal.end(begin.id, 'ERROR', { error: typed });
      throw error;
    }
  }

  private replay<T>(entry: JournalEntry, inputHash: string): T {
    if (entry.begin.inputHash !== inputHash) throw gatewayError('IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT');
    if (entry.end === null) {
      if (entry.resolution?.resolution === 'NOT_APPLIED') {
        // Checked and not applied: the caller may go again, but under a new key, so the history stays clear.
        throw gatewayError('IDEMPOTENCY_KEY_SPENT');
      }
      throw gatewayError(entry.resolution ? 'IDEMPOTENCY_KEY_SPENT' : 'OUTCOME_UNKNOWN');
    }
    if (entry.end.outcome === 'OK') return entry.end.result as T;
    const stored = entry.end.error;
    throw (stored && rebuildError(stored.code, stored.vendorCode)) ?? gatewayError('IDEMPOTENCY_KEY_SPENT');
  }
}

/**
 * The typed error a stored failure stood for, looked up by its stable code in the table it came from:
 * a vendor number alone is ambiguous (the Web API's RtnCode 5004 is not CSHIS's 5004).
 */
function rebuildError(code: string, vendorCode: number | null): GatewayError | null {
  if (vendorCode !== null && (code === 'VENDOR_CODE_UNKNOWN' || lookupVendorCode(vendorCode)?.code === code)) {
    return errorForVendorCode(vendorCode);
  }
  if (vendorCode !== null && code === 'WEB_API_CODE_UNKNOWN') return errorForWebApiRtnCode(String(vendorCode).padStart(4, '0'));
  if (vendorCode !== null) {
    const webApi = lookupWebApiCode(vendorCode);
    if (webApi?.code === code) return errorForWebApiRtnCode(String(vendorCode).padStart(4, '0'));
  }
  if (GATEWAY_CODES.some((entry) => entry.code === code)) return gatewayError(code as GatewayCodeName);
  return null;
}
