/**
 * An in-memory PC/SC service behind the PcscPort, for unit tests of the watcher and the card stack: readers that
 * come and go, cards with scripted APDU answers, a service that stops and starts (contexts die with it), blocking
 * SCardGetStatusChange that SCardCancel ends, and a Wine mode where blocking calls return at once.
 * State words follow pcsc-lite: flags in the low 16 bits, a per-reader event counter in the high 16 bits.
 */
import type {
  PcscContext,
  PcscErrorCode,
  PcscHandle,
  PcscPort,
  PcscProtocol,
  ReaderStateQuery,
  ReaderStateResult,
} from '../../../src/ports/pcsc.ts';
import { PNP_NOTIFICATION, PcscError, RETURN_CODES, STATE } from '../../../src/adapters/pcsc/codes.ts';

export interface FakeCard {
  readonly atr: Uint8Array;
  readonly protocol?: PcscProtocol;
  /** Answers one command APDU; throw a PcscError to fail the transmit. */
  respond(command: Uint8Array): Uint8Array;
}

interface FakeReader {
  card: FakeCard | null;
  counter: number;
}

interface Waiter {
  readonly context: PcscContext;
  readonly states: readonly ReaderStateQuery[];
  resolve(results: readonly ReaderStateResult[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | null;
}

const fail = (call: string, code: Exclude<PcscErrorCode, 'LIBRARY_UNAVAILABLE' | 'UNKNOWN'>): PcscError =>
  new PcscError(call, RETURN_CODES[code]);

export class FakePcsc implements PcscPort {
  info = { library: 'fake-pcsc', abi: 'linux-x64', wine: false };
  /** Blocking getStatusChange returns at once, unchanged (Wine, docs/pcsc.md (The native layer and its ABI)). */
  wineMode = false;
  /**
   * A blocking wait starts this long after the call (koffi queues it to a worker thread first): a cancel in
   * between finds nothing to cancel, as with the real library.
   */
  waitStartDelayMs = 0;
  /** Blocking calls issued but not waiting yet (see waitStartDelayMs). */
  startingWaits = 0;
  /** False: the `\\?PnP?\Notification` pseudo-reader is UNKNOWN, and adding a reader wakes no wait. */
  pnpSupported = true;
  private serviceUp = true;
  private readonly readerMap = new Map<string, FakeReader>();
  private readonly contexts = new Set<PcscContext>();
  private readonly handles = new Map<PcscHandle, { reader: string; context: PcscContext }>();
  private nextId = 1n;
  private waiters: Waiter[] = [];
  /** Every call made, by name, for assertions. */
  readonly calls: string[] = [];
  /** Makes the next call of a method fail once with a code. */
  readonly failNext = new Map<string, Exclude<PcscErrorCode, 'LIBRARY_UNAVAILABLE' | 'UNKNOWN'>>();

  constructor(readers: readonly string[] = []) {
    for (const name of readers) this.readerMap.set(name, { card: null, counter: 0 });
  }

  // ---- controls ----

  get pendingWaits(): number {
    return this.waiters.length;
  }
  get liveContexts(): number {
    return this.contexts.size;
  }

  attachReader(name: string): void {
    this.readerMap.set(name, { card: null, counter: 0 });
    this.notify();
  }

  detachReader(name: string): void {
    this.readerMap.delete(name);
    this.notify();
  }

  insert(reader: string, card: FakeCard): void {
    const r = this.mustReader(reader);
    r.card = card;
    r.counter++;
    this.notify();
  }

  remove(reader: string): void {
    const r = this.mustReader(reader);
    r.card = null;
    r.counter++;
    this.notify();
  }

  /** The service goes away (pcscd killed): blocked calls fail with `code`, every context dies. */
  stopService(code: 'SCARD_F_COMM_ERROR' | 'SCARD_E_SERVICE_STOPPED' = 'SCARD_F_COMM_ERROR'): void {
    this.serviceUp = false;
    this.contexts.clear();
    this.handles.clear();
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(fail('SCardGetStatusChange', code));
    }
  }

  startService(): void {
    this.serviceUp = true;
  }

  // ---- PcscPort ----

  async establishContext(): Promise<PcscContext> {
    this.calls.push('establishContext');
    this.maybeFail('establishContext');
    if (!this.serviceUp) throw fail('SCardEstablishContext', 'SCARD_E_NO_SERVICE');
    const context = this.nextId++;
    this.contexts.add(context);
    return context;
  }

  async releaseContext(context: PcscContext): Promise<void> {
    this.calls.push('releaseContext');
    if (!this.contexts.delete(context)) throw fail('SCardReleaseContext', 'SCARD_E_INVALID_HANDLE');
  }

  async listReaders(context: PcscContext): Promise<readonly string[]> {
    this.calls.push('listReaders');
    this.checkContext('SCardListReaders', context);
    return [...this.readerMap.keys()];
  }

  getStatusChange(
    context: PcscContext,
    timeoutMs: number | 'INFINITE',
    states: readonly ReaderStateQuery[],
  ): Promise<readonly ReaderStateResult[]> {
    this.calls.push('getStatusChange');
    try {
      this.maybeFail('getStatusChange');
      this.checkContext('SCardGetStatusChange', context);
    } catch (error) {
      return Promise.reject(error);
    }
    for (const s of states) {
      if (s.reader !== PNP_NOTIFICATION && !this.readerMap.has(s.reader) && s.currentState !== 0) {
        return Promise.reject(fail('SCardGetStatusChange', 'SCARD_E_UNKNOWN_READER'));
      }
    }
    const now = this.evaluate(states);
    if (now.some((r) => r.changed)) return Promise.resolve(now);
    if (this.wineMode) return Promise.resolve(now);
    if (timeoutMs === 0) return Promise.reject(fail('SCardGetStatusChange', 'SCARD_E_TIMEOUT'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { context, states, resolve, reject, timer: null };
      const startWaiting = () => {
        if (timeoutMs !== 'INFINITE') {
          waiter.timer = setTimeout(() => {
            this.waiters = this.waiters.filter((w) => w !== waiter);
            reject(fail('SCardGetStatusChange', 'SCARD_E_TIMEOUT'));
          }, timeoutMs);
        }
        this.waiters.push(waiter);
      };
      if (this.waitStartDelayMs > 0) {
        this.startingWaits++;
        setTimeout(() => {
          this.startingWaits--;
          startWaiting();
        }, this.waitStartDelayMs);
      } else startWaiting();
    });
  }

  cancel(context: PcscContext): void {
    this.calls.push('cancel');
    for (const w of this.waiters.filter((x) => x.context === context)) {
      this.waiters = this.waiters.filter((x) => x !== w);
      if (w.timer) clearTimeout(w.timer);
      w.reject(fail('SCardGetStatusChange', 'SCARD_E_CANCELLED'));
    }
  }

  async connect(context: PcscContext, reader: string): Promise<{ handle: PcscHandle; protocol: PcscProtocol }> {
    this.calls.push('connect');
    this.maybeFail('connect');
    this.checkContext('SCardConnect', context);
    const r = this.readerMap.get(reader);
    if (!r) throw fail('SCardConnect', 'SCARD_E_UNKNOWN_READER');
    if (!r.card) throw fail('SCardConnect', 'SCARD_E_NO_SMARTCARD');
    const handle = this.nextId++;
    this.handles.set(handle, { reader, context });
    return { handle, protocol: r.card.protocol ?? 'T1' };
  }

  async beginTransaction(handle: PcscHandle): Promise<void> {
    this.calls.push('beginTransaction');
    this.cardOf('SCardBeginTransaction', handle);
  }

  async endTransaction(handle: PcscHandle): Promise<void> {
    this.calls.push('endTransaction');
    if (!this.handles.has(handle)) throw fail('SCardEndTransaction', 'SCARD_E_INVALID_HANDLE');
  }

  async transmit(handle: PcscHandle, _protocol: PcscProtocol, command: Uint8Array): Promise<Uint8Array> {
    this.calls.push('transmit');
    this.maybeFail('transmit');
    return this.cardOf('SCardTransmit', handle).respond(command);
  }

  async disconnect(handle: PcscHandle): Promise<void> {
    this.calls.push('disconnect');
    if (!this.handles.delete(handle)) throw fail('SCardDisconnect', 'SCARD_E_INVALID_HANDLE');
  }

  // ---- internals ----

  private evaluate(states: readonly ReaderStateQuery[]): ReaderStateResult[] {
    return states.map((s) => {
      let eventState: number;
      let atr: Uint8Array = new Uint8Array(0);
      if (s.reader === PNP_NOTIFICATION) {
        eventState = this.pnpSupported
          ? (this.readerMap.size << 16) >>> 0 // Windows-style reader count, echoed back by callers
          : STATE.UNKNOWN | STATE.UNAVAILABLE;
      } else {
        const r = this.readerMap.get(s.reader);
        if (!r) eventState = STATE.UNKNOWN | STATE.UNAVAILABLE;
        else {
          eventState = ((r.counter << 16) | (r.card ? STATE.PRESENT : STATE.EMPTY)) >>> 0;
          if (r.card) atr = r.card.atr;
        }
      }
      const changed = (s.currentState & ~STATE.CHANGED) !== eventState;
      const word = changed ? (eventState | STATE.CHANGED) >>> 0 : eventState;
      return {
        reader: s.reader,
        eventState: word,
        changed,
        present: (word & STATE.PRESENT) !== 0,
        mute: false,
        unavailable: (word & (STATE.UNAVAILABLE | STATE.UNKNOWN)) !== 0,
        atr,
      };
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) {
      const results = this.evaluate(w.states);
      if (!results.some((r) => r.changed)) continue;
      this.waiters = this.waiters.filter((x) => x !== w);
      if (w.timer) clearTimeout(w.timer);
      w.resolve(results);
    }
  }

  private checkContext(call: string, context: PcscContext): void {
    if (!this.serviceUp) throw fail(call, 'SCARD_E_NO_SERVICE');
    if (!this.contexts.has(context)) throw fail(call, 'SCARD_E_INVALID_HANDLE');
  }

  private cardOf(call: string, handle: PcscHandle): FakeCard {
    const h = this.handles.get(handle);
    if (!h) throw fail(call, 'SCARD_E_INVALID_HANDLE');
    const card = this.readerMap.get(h.reader)?.card;
    if (!card) throw fail(call, 'SCARD_W_REMOVED_CARD');
    return card;
  }

  private mustReader(name: string): FakeReader {
    const r = this.readerMap.get(name);
    if (!r) throw new Error(`fake: no reader ${name}`);
    return r;
  }

  private maybeFail(method: string): void {
    const code = this.failNext.get(method);
    if (code) {
      this.failNext.delete(method);
      throw fail(method, code);
    }
  }
}

// ---- cards ----

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

export const ATR_NHI = hex('3B8F0154574E48492D46414B452D30303031CA');
export const ATR_OTHER = hex('3B8F014F544845522D434152442D30303031DF');

/** The docs/reference/pcsc.md 57-byte answer for a test patient with a 造字 (0xFA40) in the name. */
export function basicData57(): Uint8Array {
  const ascii = (s: string) => Buffer.from(s, 'latin1');
  const name = Buffer.alloc(20, 0);
  hex('A4FDFA40A9FA').forEach((b, i) => (name[i] = b));
  const out = Buffer.concat([ascii('000012345678'), name, ascii('A123456789'), ascii('0690512'), ascii('M'), ascii('1140101')]);
  if (out.length !== 57) throw new Error('bad test data');
  return Uint8Array.from(out);
}

export interface NhiCardOptions {
  /** READ answers `61 39`, the data comes with GET RESPONSE. */
  readonly t0?: boolean;
  /** Not an NHI card: SELECT → 6A 82. */
  readonly unknown?: boolean;
  /** Called on READ before answering: throw to simulate a card pulled out mid-read. */
  readonly onRead?: () => void;
  /** The first answer to SELECT is `6C xx`-style wrong-length first (exercises the 6C path). */
  readonly wrongLengthFirst?: boolean;
}

export function nhiCard(options: NhiCardOptions = {}): FakeCard {
  const data = basicData57();
  let pending: Uint8Array | null = null;
  let selected = false;
  let askedLength = false;
  const sw = (a: number, b: number) => Uint8Array.from([a, b]);
  return {
    atr: options.unknown ? ATR_OTHER : ATR_NHI,
    protocol: options.t0 ? 'T0' : 'T1',
    respond(command) {
      const cmd = Buffer.from(command);
      if (cmd.subarray(0, 4).equals(Buffer.from([0x00, 0xa4, 0x04, 0x00]))) {
        if (options.unknown) return sw(0x6a, 0x82);
        selected = true;
        return sw(0x90, 0x00);
      }
      if (cmd.subarray(0, 4).equals(Buffer.from([0x00, 0xca, 0x11, 0x00]))) {
        if (!selected) return sw(0x69, 0x85);
        options.onRead?.();
        if (options.wrongLengthFirst && !askedLength) {
          askedLength = true;
          return sw(0x6c, 0x00);
        }
        if (options.t0) {
          pending = Uint8Array.from([...data, 0x90, 0x00]);
          return sw(0x61, data.length);
        }
        return Uint8Array.from([...data, 0x90, 0x00]);
      }
      if (cmd.subarray(0, 4).equals(Buffer.from([0x00, 0xc0, 0x00, 0x00])) && pending) {
        const answer = pending;
        pending = null;
        return answer;
      }
      return sw(0x6d, 0x00);
    },
  };
}
