/**
 * The reader watcher against the in-memory PC/SC service: what the anchors get wrong (docs/pcsc.md (Surviving what breaks other agents)) — readers
 * present at start, unplug/replug, the service stopping and coming back, Wine's non-blocking wait — and that
 * dispose() ends the blocking call with SCardCancel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ReaderWatcher, describeFailure, type WatcherEvent } from '../../../src/adapters/pcsc/reader-watcher.ts';
import { KOFFI_UNAVAILABLE, PcscError, RETURN_CODES } from '../../../src/adapters/pcsc/codes.ts';
import { ATR_NHI, ATR_OTHER, FakePcsc, nhiCard } from './fake-pcsc.ts';

const R0 = 'ACS ACR39U 00 00';
const R1 = 'Castles EZ100PU 01 00';
const NHI_HEX = Buffer.from(ATR_NHI).toString('hex').toUpperCase();
const OTHER_HEX = Buffer.from(ATR_OTHER).toString('hex').toUpperCase();

const watchers: ReaderWatcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.dispose()));
});

function watch(fake: FakePcsc, options: ConstructorParameters<typeof ReaderWatcher>[1] = {}) {
  const events: WatcherEvent[] = [];
  const watcher = new ReaderWatcher(fake, {
    backoff: { initialMs: 5, maxMs: 20 },
    // SELECT answered 90 00 ⇔ NHI card: the fake's cards carry their kind in the ATR.
    classify: async (_reader, atr) => (Buffer.from(atr).equals(Buffer.from(ATR_NHI)) ? 'NHI_CARD' : 'OTHER'),
    ...options,
  });
  watchers.push(watcher);
  watcher.subscribe((e) => events.push(e));
  const summary = () => events.map((e) => [e.kind, e.reader, 'card' in e ? `${e.card.kind}:${e.card.atr.slice(0, 6)}` : null]);
  return { watcher, events, summary };
}

async function until(condition: () => boolean, what: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('ReaderWatcher', () => {
  it('reports readers and cards already present at start, then blocks', async () => {
    const fake = new FakePcsc([R0, R1]);
    fake.insert(R0, nhiCard());
    const { watcher, summary } = watch(fake);
    watcher.start();
    await watcher.whenRunning(1000);
    expect(summary()).toEqual([
      ['READER_ATTACHED', R0, null],
      ['READER_ATTACHED', R1, null],
      ['CARD_INSERTED', R0, 'NHI_CARD:3B8F01'],
    ]);
    expect(watcher.readers()).toEqual([
      { name: R0, card: { atr: NHI_HEX, kind: 'NHI_CARD', session: expect.stringMatching(/^cs_/) } },
      { name: R1, card: null },
    ]);
    await until(() => fake.pendingWaits === 1, 'a blocking wait');
    expect(watcher.status()).toMatchObject({ state: 'RUNNING', reason: null, mode: 'blocking', contexts: 1 });
  });

  it('reports insert and remove in order, with ATR and card kind, from the blocking wait', async () => {
    const fake = new FakePcsc([R0]);
    const { watcher, events, summary } = watch(fake);
    watcher.start();
    await watcher.whenRunning(1000);
    await until(() => fake.pendingWaits === 1, 'a blocking wait');
    fake.insert(R0, nhiCard());
    await until(() => events.length === 2, 'CARD_INSERTED');
    fake.remove(R0);
    await until(() => events.length === 3, 'CARD_REMOVED');
    fake.insert(R0, nhiCard({ unknown: true }));
    await until(() => events.length === 4, 'the other card');
    expect(summary()).toEqual([
      ['READER_ATTACHED', R0, null],
      ['CARD_INSERTED', R0, 'NHI_CARD:3B8F01'],
      ['CARD_REMOVED', R0, 'NHI_CARD:3B8F01'],
      ['CARD_INSERTED', R0, 'OTHER:3B8F01'],
    ]);
    expect(events[3]).toMatchObject({ card: { atr: OTHER_HEX } });
    expect(watcher.readers()[0]?.card).toEqual({ atr: OTHER_HEX, kind: 'OTHER', session: expect.stringMatching(/^cs_/) });
    // Every insertion is a new card session.
    const sessions = events.flatMap((e) => ('card' in e ? [e.card.session] : []));
    expect(sessions[0]).toBe(sessions[1]);
    expect(sessions[2]).not.toBe(sessions[0]);
  });

  it('sees readers attached and detached through \\\\?PnP?\\Notification, and a replugged reader again', async () => {
    const fake = new FakePcsc([]);
    const { watcher, events, summary } = watch(fake);
    watcher.start();
    await watcher.whenRunning(1000);
    await until(() => fake.pendingWaits === 1, 'a PnP-only wait');
    fake.attachReader(R1);
    await until(() => events.length === 1, 'READER_ATTACHED');
    fake.insert(R1, nhiCard());
    await until(() => events.length === 2, 'CARD_INSERTED');
    fake.detachReader(R1); // unplugged with the card in
    await until(() => events.length === 4, 'CARD_REMOVED + READER_DETACHED');
    fake.attachReader(R1); // plugged back
    await until(() => events.length === 5, 'READER_ATTACHED again');
    expect(summary()).toEqual([
      ['READER_ATTACHED', R1, null],
      ['CARD_INSERTED', R1, 'NHI_CARD:3B8F01'],
      ['CARD_REMOVED', R1, 'NHI_CARD:3B8F01'],
      ['READER_DETACHED', R1, null],
      ['READER_ATTACHED', R1, null],
    ]);
    expect(watcher.status().contexts).toBe(1);
  });

  it('finds new readers by re-listing where \\\\?PnP?\\Notification is not supported', async () => {
    const fake = new FakePcsc([R0]);
    fake.pnpSupported = false;
    const { watcher, events } = watch(fake);
    watcher.start();
    await watcher.whenRunning(1000);
    await until(() => fake.pendingWaits === 1, 'a blocking wait');
    fake.attachReader(R1); // wakes nobody: no PnP
    await until(() => events.some((e) => e.kind === 'READER_ATTACHED' && e.reader === R1), 'R1 by re-listing', 3000);
    expect(watcher.status().mode).toBe('blocking');
  });

  it('re-establishes the context when the service dies, without a restart', async () => {
    const fake = new FakePcsc([R0]);
    fake.insert(R0, nhiCard());
    const { watcher, events, summary } = watch(fake);
    watcher.start();
    await watcher.whenRunning(1000);
    await until(() => fake.pendingWaits === 1, 'a blocking wait');

    fake.stopService('SCARD_F_COMM_ERROR'); // pcscd killed during SCardGetStatusChange
    await until(() => events.length === 4, 'everything detached');
    // First the code that ended the wait, then what re-establishing meets.
    await until(() => /SCARD_E_NO_SERVICE/.test(watcher.status().reason ?? ''), 'the retry’s reason');
    expect(watcher.status()).toMatchObject({ state: 'UNAVAILABLE' });
    expect(watcher.status().reason).toMatch(/^PC\/SC service not running \(SCARD_E_NO_SERVICE\); start pcscd/);
    expect(watcher.readers()).toEqual([]);

    fake.startService();
    await until(() => watcher.status().state === 'RUNNING', 'RUNNING again');
    await until(() => events.length === 6, 'reader and card again');
    expect(summary()).toEqual([
      ['READER_ATTACHED', R0, null],
      ['CARD_INSERTED', R0, 'NHI_CARD:3B8F01'],
      ['CARD_REMOVED', R0, 'NHI_CARD:3B8F01'],
      ['READER_DETACHED', R0, null],
      ['READER_ATTACHED', R0, null],
      ['CARD_INSERTED', R0, 'NHI_CARD:3B8F01'],
    ]);
    expect(watcher.status()).toMatchObject({ state: 'RUNNING', contexts: 2 });
    // Windows' way of stopping the service when the last reader goes.
    await until(() => fake.pendingWaits === 1, 'a blocking wait');
    fake.stopService('SCARD_E_SERVICE_STOPPED');
    fake.startService();
    await until(() => watcher.status().contexts === 3, 'a third context');
  });

  it('waits for a service that is not there at start, with backoff, and attaches when it appears', async () => {
    const fake = new FakePcsc([R0]);
    fake.stopService();
    const { watcher, summary } = watch(fake, { backoff: { initialMs: 5, maxMs: 10 } });
    watcher.start();
    await until(() => watcher.status().state === 'UNAVAILABLE', 'UNAVAILABLE');
    await until(() => fake.calls.filter((c) => c === 'establishContext').length >= 3, 'retries');
    expect(watcher.status().reason).toMatch(/start pcscd/);
    fake.startService();
    await watcher.whenRunning(1000);
    expect(summary()).toEqual([['READER_ATTACHED', R0, null]]);
  });

  it('polls with timeout 0 in poll mode (Wine), at the configured interval', async () => {
    const fake = new FakePcsc([R0]);
    const { watcher, events, summary } = watch(fake, { mode: 'poll', pollIntervalMs: 10 });
    watcher.start();
    await watcher.whenRunning(1000);
    fake.insert(R0, nhiCard());
    await until(() => events.length === 2, 'CARD_INSERTED by polling');
    fake.remove(R0);
    await until(() => events.length === 3, 'CARD_REMOVED by polling');
    expect(summary().map((e) => e[0])).toEqual(['READER_ATTACHED', 'CARD_INSERTED', 'CARD_REMOVED']);
    expect(fake.pendingWaits).toBe(0); // never blocks
    expect(watcher.status().mode).toBe('poll');
  });

  it('falls back to polling when the library reports Wine, or when blocking calls return at once', async () => {
    const wine = new FakePcsc([R0]);
    wine.info = { ...wine.info, wine: true };
    const a = watch(wine, { pollIntervalMs: 10 });
    a.watcher.start();
    await a.watcher.whenRunning(1000);
    expect(a.watcher.status().mode).toBe('poll');

    const broken = new FakePcsc([R0]);
    broken.wineMode = true; // SCardGetStatusChange returns at once with nothing changed
    const b = watch(broken, { pollIntervalMs: 10 });
    b.watcher.start();
    await until(() => b.watcher.status().mode === 'poll', 'the spin detector');
    broken.insert(R0, nhiCard());
    await until(() => b.events.length === 2, 'CARD_INSERTED by polling');
    expect(b.events[1]).toMatchObject({ kind: 'CARD_INSERTED', card: { kind: 'NHI_CARD' } });
  });

  it('sees a card swapped between two looks (event counter moved by 2)', async () => {
    const fake = new FakePcsc([R0]);
    const { watcher, events, summary } = watch(fake, { mode: 'poll', pollIntervalMs: 30 });
    fake.insert(R0, nhiCard());
    watcher.start();
    await until(() => events.length === 2, 'the first card');
    fake.remove(R0);
    fake.insert(R0, nhiCard()); // same ATR, within one poll interval
    await until(() => events.length === 4, 'the swap');
    expect(summary().slice(2).map((e) => e[0])).toEqual(['CARD_REMOVED', 'CARD_INSERTED']);
  });

  it('re-lists when a reader vanishes between the list and the wait', async () => {
    const fake = new FakePcsc([R0, R1]);
    const { watcher, events } = watch(fake);
    watcher.start();
    await watcher.whenRunning(1000);
    fake.failNext.set('getStatusChange', 'SCARD_E_UNKNOWN_READER');
    fake.detachReader(R1);
    await until(() => events.some((e) => e.kind === 'READER_DETACHED'), 'READER_DETACHED');
    expect(watcher.readers().map((r) => r.name)).toEqual([R0]);
  });

  it('treats a card it cannot classify in time as OTHER', async () => {
    const fake = new FakePcsc([R0]);
    fake.insert(R0, nhiCard());
    const { watcher, events } = watch(fake, { classify: () => new Promise(() => undefined), classifyTimeoutMs: 20 });
    watcher.start();
    await until(() => events.length === 2, 'CARD_INSERTED');
    expect(events[1]).toMatchObject({ kind: 'CARD_INSERTED', card: { kind: 'OTHER', atr: NHI_HEX } });
  });

  it('dispose() cancels the blocking call (SCardCancel) and releases the context', async () => {
    const fake = new FakePcsc([R0]);
    const { watcher, events } = watch(fake, { waitTimeoutMs: 60_000 });
    watcher.start();
    await watcher.whenRunning(1000);
    await until(() => fake.pendingWaits === 1, 'a blocking wait');
    const started = Date.now();
    await watcher.dispose();
    expect(Date.now() - started).toBeLessThan(500);
    expect(fake.calls).toContain('cancel');
    expect(fake.pendingWaits).toBe(0);
    expect(fake.liveContexts).toBe(0);
    expect(watcher.status().state).toBe('STOPPED');
    fake.insert(R0, nhiCard());
    await new Promise((r) => setTimeout(r, 20));
    expect(events.map((e) => e.kind)).toEqual(['READER_ATTACHED']); // nothing after dispose
  });

  it('dispose() also ends a wait that had not started when the first SCardCancel arrived', async () => {
    const fake = new FakePcsc([R0]);
    fake.waitStartDelayMs = 30;
    const { watcher } = watch(fake, { waitTimeoutMs: 60_000 });
    watcher.start();
    await watcher.whenRunning(1000);
    // The loop has issued its blocking call; the "worker thread" starts waiting 30 ms later.
    await until(() => fake.startingWaits === 1, 'a blocking call on its way');
    const started = Date.now();
    await watcher.dispose();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(fake.calls.filter((c) => c === 'cancel').length).toBeGreaterThanOrEqual(2);
    expect(fake.pendingWaits).toBe(0);
  });

  it('says why PC/SC is not usable, without card data', () => {
    expect(describeFailure(new PcscError('SCardEstablishContext', null, 'LIBRARY_UNAVAILABLE', 'libpcsclite.so.1: cannot open shared object file'))).toMatch(
      /^PC\/SC library not available \(libpcsclite\.so\.1: cannot open shared object file\); install pcsc-lite/,
    );
    expect(describeFailure(new PcscError('SCardEstablishContext', RETURN_CODES.SCARD_E_NO_SERVICE))).toMatch(/SCARD_E_NO_SERVICE/);
    expect(describeFailure(new PcscError('SCardEstablishContext', RETURN_CODES.SCARD_E_NO_READERS_AVAILABLE))).toMatch(/plug one in/);
  });

  it('does not advise installing pcsc-lite when koffi itself could not load (a temp folder fault)', () => {
    const reason = describeFailure(new PcscError('SCardEstablishContext', null, 'LIBRARY_UNAVAILABLE', `${KOFFI_UNAVAILABLE}: failed to map segment from shared object`));
    expect(reason).toContain("koffi's native module could not be loaded");
    expect(reason).toContain('NHI_GATEWAY_TEMP_DIR');
    expect(reason).not.toMatch(/pcsc-lite/);
  });
});
