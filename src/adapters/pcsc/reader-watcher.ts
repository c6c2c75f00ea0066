/**
 * Watches PC/SC readers and cards and reports attach/detach/insert/remove as they happen, surviving what breaks
 * the anchors (docs/pcsc.md (Surviving what breaks other agents)):
 *
 * - readers attached before start are reported (nfc-pcsc #46/#89 missed them): the first pass asks every reader's
 *   state with SCARD_STATE_UNAWARE;
 * - readers attached or detached later are seen through `\\?PnP?\Notification`, and the reader list is read again
 *   after every change, so a reader unplugged and plugged back is seen again (Fortify #563, node-pcsclite #68);
 * - when the service stops or the context dies (SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED, SCARD_F_COMM_ERROR
 *   when pcscd is killed, Windows stopping the service with the last reader — pyscard #153) every reader is
 *   reported detached and a new context is established with exponential backoff; no restart needed;
 * - where blocking SCardGetStatusChange does not block (Wine: docs/pcsc.md (The native layer and its ABI)) it polls with a timeout of 0 every
 *   `pollIntervalMs` and compares states itself. Polling is chosen when the library reports Wine, and also when
 *   blocking calls keep returning at once without a change (so an unknown broken implementation cannot spin).
 *
 * The blocking call runs on a koffi worker thread (native.ts); `dispose()` ends it with SCardCancel.
 * Logs carry reader names and PC/SC codes only; ATRs identify card models, not people, and card data is never
 * read here (classification is the caller's `classify`).
 */
import type { PcscContext, PcscFailure, PcscPort, ReaderStateResult } from '../../ports/pcsc.ts';
import { CONTEXT_DEAD_CODES, KOFFI_UNAVAILABLE, PNP_NOTIFICATION, STATE, pcscCode } from './codes.ts';
import { newCardSession } from '../../domain/card-sessions.ts';

export type CardKind = 'NHI_CARD' | 'OTHER';

export interface WatchedCard {
  /** Uppercase hex; empty for a mute card (present, no ATR). */
  readonly atr: string;
  readonly kind: CardKind;
  /**
   * The card session (src/domain/card-sessions.ts): new at every insertion, a swap included, and kept when the
   * same card is only identified again. Given here, where insertions are seen, so it is right whether or not
   * anybody subscribes to the lights.
   */
  readonly session: string;
}

export interface WatchedReader {
  readonly name: string;
  readonly card: WatchedCard | null;
}

export type WatcherEvent =
  | { readonly kind: 'READER_ATTACHED'; readonly reader: string; readonly at: Date }
  | { readonly kind: 'READER_DETACHED'; readonly reader: string; readonly at: Date }
  /** `card` is the new card. */
  | { readonly kind: 'CARD_INSERTED'; readonly reader: string; readonly card: WatchedCard; readonly at: Date }
  /** `card` is the card that went away. */
  | { readonly kind: 'CARD_REMOVED'; readonly reader: string; readonly card: WatchedCard; readonly at: Date };

export type WatcherMode = 'blocking' | 'poll';

export interface WatcherStatus {
  /** STARTING before the first context, RUNNING with a live context, UNAVAILABLE while retrying, STOPPED after dispose. */
  readonly state: 'STARTING' | 'RUNNING' | 'UNAVAILABLE' | 'STOPPED';
  /** Why it is not RUNNING (for /ready); null when running. No card data. */
  readonly reason: string | null;
  readonly mode: WatcherMode;
  /** Contexts established so far (1 after a clean start; more after the service came back). */
  readonly contexts: number;
}

export interface ReaderWatcherOptions {
  /** `auto` (default): blocking, or polling under Wine / when blocking calls return at once. */
  readonly mode?: 'auto' | WatcherMode;
  /** Poll interval in ms for poll mode. @default 250 */
  readonly pollIntervalMs?: number;
  /**
   * How long one blocking SCardGetStatusChange waits before it is simply issued again, in ms. A finite wait
   * bounds the damage of a lost SCardCancel. @default 60000
   */
  readonly waitTimeoutMs?: number;
  /** Backoff between attempts to establish a context, in ms: doubles from `initialMs` up to `maxMs`. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /**
   * Tells an NHI card from other cards (the SELECT of docs/reference/pcsc.md) when a card is inserted, before CARD_INSERTED is emitted.
   * Must not reject; bounded by `classifyTimeoutMs` (then OTHER). Without it every card is OTHER.
   */
  readonly classify?: (reader: string, atr: Uint8Array) => Promise<CardKind>;
  /** @default 3000 */
  readonly classifyTimeoutMs?: number;
  readonly now?: () => Date;
  readonly log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
}

/** Blocking calls that come back this fast, this many times in a row without any change, mean "does not block". */
const SPIN_RETURN_MS = 5;
const SPIN_LIMIT = 5;
/** Longest blocking wait where `\\?PnP?\Notification` is not supported, so new readers are found by re-listing. */
const NO_PNP_WAIT_MS = 1000;

interface Known {
  /** dwEventState last seen (CHANGED cleared), passed back as dwCurrentState. */
  eventState: number;
  card: WatchedCard | null;
}

class ContextDied extends Error {
  constructor(readonly failure: unknown) {
    super('PC/SC context died');
  }
}

export class ReaderWatcher implements AsyncDisposable {
  private readonly known = new Map<string, Known>();
  private readonly listeners = new Set<(event: WatcherEvent) => void>();
  private readonly statusListeners = new Set<(status: WatcherStatus) => void>();
  private context: PcscContext | null = null;
  private loop: Promise<void> | null = null;
  private disposed = false;
  private wake: (() => void) | null = null;
  private pnpState = 0;
  private pnpSupported = true;
  private mode: WatcherMode;
  private currentStatus: WatcherStatus;
  private readonly pollIntervalMs: number;
  private readonly waitTimeoutMs: number;
  private readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  private readonly now: () => Date;

  constructor(
    private readonly port: PcscPort,
    private readonly options: ReaderWatcherOptions = {},
  ) {
    this.mode = options.mode === 'poll' ? 'poll' : 'blocking';
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 60_000;
    this.backoff = options.backoff ?? { initialMs: 250, maxMs: 2000 };
    this.now = options.now ?? (() => new Date());
    this.currentStatus = { state: 'STARTING', reason: 'PC/SC not connected yet', mode: this.mode, contexts: 0 };
  }

  /** Starts watching (idempotent). Returns at once; events follow. */
  start(): void {
    if (this.loop || this.disposed) return;
    this.loop = this.run();
  }

  /** Resolves once the first context is RUNNING and its readers are known, or rejects after `timeoutMs`. */
  async whenRunning(timeoutMs: number): Promise<void> {
    if (this.currentStatus.state === 'RUNNING') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`PC/SC watcher not running after ${timeoutMs} ms: ${this.currentStatus.reason ?? ''}`));
      }, timeoutMs);
      const off = this.onStatus((s) => {
        if (s.state !== 'RUNNING') return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  /** Readers and cards as last seen, sorted by reader name. */
  readers(): readonly WatchedReader[] {
    return [...this.known.entries()]
      .map(([name, k]) => ({ name, card: k.card }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  status(): WatcherStatus {
    return this.currentStatus;
  }

  /**
   * A read found another card (another card number) in `reader` than the one `session` was given to: the card
   * was swapped without PC/SC noticing (same ATR, the reader's event counter did not move). Reported like any
   * swap: CARD_REMOVED for the old session, CARD_INSERTED with a new one. Nothing happens when the reader no
   * longer holds that session (the watcher saw the swap itself meanwhile).
   */
  cardChanged(reader: string, session: string): void {
    const known = this.known.get(reader);
    const before = known?.card;
    if (this.disposed || !known || !before || before.session !== session) return;
    known.card = null;
    this.emit({ kind: 'CARD_REMOVED', reader, card: before, at: this.now() });
    const card: WatchedCard = { atr: before.atr, kind: 'NHI_CARD', session: newCardSession() };
    known.card = card;
    this.emit({ kind: 'CARD_INSERTED', reader, card, at: this.now() });
  }

  /** Every event from now on, in order. Returns the unsubscribe function. */
  subscribe(listener: (event: WatcherEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (status: WatcherStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Cancels the blocking call (SCardCancel), reports nothing more, releases the context. */
  async dispose(): Promise<void> {
    if (this.disposed) {
      await this.loop;
      return;
    }
    this.disposed = true;
    this.wake?.();
    // The blocking call is queued to a worker thread before it starts waiting: a SCardCancel that arrives in
    // between finds nothing to cancel, and the wait would run its full timeout. Cancel until the loop ends.
    let ended = false;
    const loop = (this.loop ?? Promise.resolve()).finally(() => {
      ended = true;
    });
    while (!ended) {
      if (this.context !== null) this.port.cancel(this.context);
      await Promise.race([loop, new Promise((resolve) => setTimeout(resolve, 50))]);
    }
    this.setStatus({ state: 'STOPPED', reason: 'stopped' });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  // -------------------------------------------------------------------------------------------------------

  private async run(): Promise<void> {
    let delay = this.backoff.initialMs;
    while (!this.disposed) {
      let context: PcscContext;
      try {
        context = await this.port.establishContext();
      } catch (error) {
        this.setStatus({ state: 'UNAVAILABLE', reason: describeFailure(error) });
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.backoff.maxMs);
        continue;
      }
      if (this.disposed) {
        await this.release(context);
        break;
      }
      this.context = context;
      // The service answered: after this context dies, the first retry comes soon again.
      delay = this.backoff.initialMs;
      if (this.options.mode !== 'blocking' && this.options.mode !== 'poll' && this.port.info.wine) {
        this.switchToPolling('Wine: blocking SCardGetStatusChange returns at once (docs/pcsc.md (The native layer and its ABI))');
      }
      try {
        await this.watch(context);
      } catch (error) {
        const failure = error instanceof ContextDied ? error.failure : error;
        if (!this.disposed) {
          this.options.log?.('warn', 'PC/SC context lost; establishing a new one', { code: pcscCode(failure) ?? 'UNEXPECTED' });
          this.detachAll();
          this.setStatus({ state: 'UNAVAILABLE', reason: describeFailure(failure) });
          // Not at once: a service that accepts contexts and kills them straight away must not make this spin.
          await this.sleep(delay);
          delay = Math.min(delay * 2, this.backoff.maxMs);
        }
      } finally {
        this.context = null;
        await this.release(context);
      }
    }
  }

  private async watch(context: PcscContext): Promise<void> {
    await this.sync(context);
    this.setStatus({
      state: 'RUNNING',
      reason: null,
      contexts: this.currentStatus.contexts + 1,
    });
    let quickReturns = 0;
    while (!this.disposed) {
      if (this.mode === 'poll') {
        await this.sleep(this.pollIntervalMs);
        if (!this.disposed) await this.sync(context);
        continue;
      }
      const names = [...this.known.keys()];
      const queries = [
        { reader: PNP_NOTIFICATION, currentState: this.pnpState },
        ...names.map((reader) => ({ reader, currentState: this.known.get(reader)?.eventState ?? 0 })),
      ];
      const started = performance.now();
      let results: readonly ReaderStateResult[];
      try {
        // Without PnP notifications nothing wakes us for a new reader: wait briefly and re-list on timeout.
        const timeout = this.pnpSupported ? this.waitTimeoutMs : Math.min(this.waitTimeoutMs, NO_PNP_WAIT_MS);
        results = await this.port.getStatusChange(context, timeout, queries);
      } catch (error) {
        const code = pcscCode(error);
        if (code === 'SCARD_E_TIMEOUT' && !this.pnpSupported) {
          await this.sync(context);
          continue;
        }
        if (code === 'SCARD_E_CANCELLED' || code === 'SCARD_E_TIMEOUT') continue;
        if (code === 'SCARD_E_UNKNOWN_READER' || code === 'SCARD_E_READER_UNAVAILABLE') {
          await this.sync(context); // a reader went away between the list and the wait
          continue;
        }
        throw isContextDead(error) ? new ContextDied(error) : error;
      }
      if (this.disposed) return;
      const emitted = await this.apply(context, results);
      const quick = performance.now() - started < SPIN_RETURN_MS && emitted === 0;
      quickReturns = quick ? quickReturns + 1 : 0;
      if (quickReturns >= SPIN_LIMIT && this.options.mode !== 'blocking') {
        this.switchToPolling('SCardGetStatusChange keeps returning at once without a change');
      }
    }
  }

  /** Applies one blocking call's results; returns how many events it emitted. */
  private async apply(context: PcscContext, results: readonly ReaderStateResult[]): Promise<number> {
    let emitted = 0;
    let relist = false;
    for (const result of results) {
      if (result.reader === PNP_NOTIFICATION) {
        // pcsc-lite keeps 0 here and sets CHANGED; Windows keeps a reader count in the high 16 bits, echoed back.
        if (result.changed) relist = true;
        // An implementation without the pseudo-reader reports it UNKNOWN: fall back to short waits + re-listing.
        this.pnpSupported = (result.eventState & STATE.UNKNOWN) === 0;
        this.pnpState = result.eventState & ~STATE.CHANGED;
        continue;
      }
      if (result.unavailable) {
        relist = true;
        continue;
      }
      if (result.changed) emitted += await this.update(result.reader, result);
    }
    if (relist) emitted += await this.sync(context);
    return emitted;
  }

  /**
   * Reads the reader list and every reader's state (timeout 0, UNAWARE): reports readers that came or went and
   * cards that changed. This is the whole of poll mode, and the first pass of blocking mode.
   */
  private async sync(context: PcscContext): Promise<number> {
    let names: readonly string[];
    try {
      names = await this.port.listReaders(context);
    } catch (error) {
      throw isContextDead(error) ? new ContextDied(error) : error;
    }
    let emitted = 0;
    const present = new Set(names);
    for (const name of [...this.known.keys()]) {
      if (!present.has(name)) emitted += this.detach(name);
    }
    const attached: string[] = [];
    for (const name of names) {
      if (this.known.has(name)) continue;
      this.known.set(name, { eventState: 0, card: null });
      attached.push(name);
    }
    for (const name of attached) {
      this.emit({ kind: 'READER_ATTACHED', reader: name, at: this.now() });
      emitted++;
    }
    if (names.length === 0) return emitted;
    let results: readonly ReaderStateResult[];
    try {
      results = await this.port.getStatusChange(
        context,
        0,
        names.map((reader) => ({ reader, currentState: STATE.UNAWARE })),
      );
    } catch (error) {
      const code = pcscCode(error);
      if (code === 'SCARD_E_TIMEOUT') return emitted;
      if (code === 'SCARD_E_UNKNOWN_READER' || code === 'SCARD_E_READER_UNAVAILABLE') return emitted; // next pass
      throw isContextDead(error) ? new ContextDied(error) : error;
    }
    for (const result of results) {
      if (result.reader === PNP_NOTIFICATION || !this.known.has(result.reader)) continue;
      emitted += await this.update(result.reader, result);
    }
    return emitted;
  }

  /** Compares one reader's new state with what we knew; emits CARD_REMOVED / CARD_INSERTED. */
  private async update(name: string, result: ReaderStateResult): Promise<number> {
    const known = this.known.get(name);
    if (!known) return 0;
    const before = known.card;
    const previousCounter = known.eventState >>> 16;
    known.eventState = result.eventState & ~STATE.CHANGED;
    const nowPresent = result.present || result.mute;
    const atr = result.mute ? '' : hex(result.atr);
    // The event counter (high 16 bits, pcsc-lite and Windows) moves by 2 when a card was swapped between calls.
    const counter = result.eventState >>> 16;
    const swapped =
      before !== null && nowPresent && (before.atr !== atr || (counter !== 0 && counter - previousCounter >= 2));
    let emitted = 0;
    if (before !== null && (!nowPresent || swapped)) {
      known.card = null;
      this.emit({ kind: 'CARD_REMOVED', reader: name, card: before, at: this.now() });
      emitted++;
    }
    if (nowPresent && (before === null || swapped)) {
      const { kind, late } = result.mute ? { kind: 'OTHER' as const, late: null } : await this.classify(name, result.atr);
      if (this.disposed || !this.known.has(name)) return emitted;
      const card: WatchedCard = { atr, kind, session: newCardSession() };
      known.card = card;
      this.emit({ kind: 'CARD_INSERTED', reader: name, card, at: this.now() });
      emitted++;
      if (late) this.identifyLater(name, card, late);
    }
    return emitted;
  }

  /**
   * Classification that took longer than `classifyTimeoutMs` (the card stack was busy, e.g. a read stuck on a
   * card in another reader) reports OTHER at once, and hands back the classification still under way.
   */
  private async classify(reader: string, atr: Uint8Array): Promise<{ kind: CardKind; late: Promise<CardKind> | null }> {
    const classify = this.options.classify;
    if (!classify) return { kind: 'OTHER', late: null };
    const answer = classify(reader, atr).catch((): CardKind => 'OTHER');
    let timer: NodeJS.Timeout | undefined;
    try {
      const kind = await Promise.race([
        answer,
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), this.options.classifyTimeoutMs ?? 3000);
        }),
      ]);
      return kind === null ? { kind: 'OTHER', late: answer } : { kind, late: null };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * When the reader frees up and the late classification finds an NHI card that is still in the reader, the
   * card is announced again (CARD_INSERTED, kind NHI_CARD): its light would otherwise stay 0 for good.
   */
  private identifyLater(reader: string, card: WatchedCard, late: Promise<CardKind>): void {
    void late.then((kind) => {
      const known = this.known.get(reader);
      if (this.disposed || kind === card.kind || !known || known.card !== card) return;
      // The same card, now known for what it is: same session.
      const identified: WatchedCard = { atr: card.atr, kind, session: card.session };
      known.card = identified;
      this.emit({ kind: 'CARD_INSERTED', reader, card: identified, at: this.now() });
    });
  }

  private detach(name: string): number {
    const known = this.known.get(name);
    if (!known) return 0;
    this.known.delete(name);
    let emitted = 0;
    if (known.card) {
      this.emit({ kind: 'CARD_REMOVED', reader: name, card: known.card, at: this.now() });
      emitted++;
    }
    this.emit({ kind: 'READER_DETACHED', reader: name, at: this.now() });
    return emitted + 1;
  }

  /** The service is gone: from the gateway's point of view, so is every reader. */
  private detachAll(): void {
    for (const name of [...this.known.keys()]) this.detach(name);
    this.pnpState = 0;
  }

  private switchToPolling(reason: string): void {
    if (this.mode === 'poll') return;
    this.mode = 'poll';
    this.options.log?.('warn', 'PC/SC watcher falls back to polling', { reason, intervalMs: this.pollIntervalMs });
    this.setStatus({});
  }

  private emit(event: WatcherEvent): void {
    if (this.disposed) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.options.log?.('warn', 'PC/SC event listener failed', { error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  private setStatus(change: Partial<WatcherStatus>): void {
    const next = { ...this.currentStatus, mode: this.mode, ...change };
    if (next.state === this.currentStatus.state && next.reason === this.currentStatus.reason && next.mode === this.currentStatus.mode && next.contexts === this.currentStatus.contexts) return;
    const wasRunning = this.currentStatus.state === 'RUNNING';
    this.currentStatus = next;
    if (next.state === 'RUNNING' && !wasRunning) this.options.log?.('info', 'PC/SC watcher running', { mode: next.mode, contexts: next.contexts });
    for (const listener of [...this.statusListeners]) listener(next);
  }

  private async release(context: PcscContext): Promise<void> {
    try {
      await this.port.releaseContext(context);
    } catch {
      // a dead context cannot be released; nothing is held
    }
  }

  /** Waits `ms`, or less when dispose() wakes it. */
  private sleep(ms: number): Promise<void> {
    if (this.disposed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}

function isContextDead(error: unknown): boolean {
  const code = pcscCode(error);
  return code !== null && CONTEXT_DEAD_CODES.has(code);
}

/** Why PC/SC is not usable, for /ready: the code and what to do, never card data. */
export function describeFailure(error: unknown): string {
  const code = pcscCode(error);
  if (code === 'LIBRARY_UNAVAILABLE') {
    const failure = error as PcscFailure;
    if (failure.message.includes(KOFFI_UNAVAILABLE)) return failure.message.replace(/^[^:]*: LIBRARY_UNAVAILABLE: ?/, '');
    return `PC/SC library not available (${failure.message.replace(/^[^:]*: LIBRARY_UNAVAILABLE: ?/, '')}); install pcsc-lite (Linux) — the gateway attaches once it is there`;
  }
  if (code === 'SCARD_E_NO_SERVICE' || code === 'SCARD_E_SERVICE_STOPPED' || code === 'SCARD_F_COMM_ERROR') {
    return `PC/SC service not running (${code}); start pcscd (Linux) or the Smart Card service (Windows) — the gateway attaches once it is up`;
  }
  if (code === 'SCARD_E_NO_READERS_AVAILABLE') {
    return `no PC/SC reader (${code}); Windows stops the Smart Card service without readers — plug one in`;
  }
  if (code !== null) return `PC/SC error ${code}`;
  return `PC/SC watcher failed: ${error instanceof Error ? error.message : String(error)}`;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}
