/**
 * The PC/SC edges a front desk hits (issue: the patient on the screen is the card in the reader), against the
 * in-memory PC/SC service: a card first reported as OTHER because identification timed out (the reader stack was
 * busy) is identified again once it frees up; "unpowered" from a card pulled while the reader powers it up is
 * CARD_REMOVED, not an I/O error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PcscCardStack } from '../../../src/adapters/pcsc/card-stack.ts';
import { ReaderWatcher, type WatcherEvent } from '../../../src/adapters/pcsc/reader-watcher.ts';
import { GatewayError } from '../../../src/errors/gateway-errors.ts';
import { FakePcsc, nhiCard } from './fake-pcsc.ts';
import { createPcscPresence } from '../../../src/backends/pcsc.ts';
import { LightMonitor, type ReaderDescription, type CardSlot } from '../../../src/domain/light-monitor.ts';

const LOGICAL_READERS: Record<CardSlot, ReaderDescription> = {
  HEALTH_CARD: { id: 'pcsc:health-card', name: 'health card', slot: 'HEALTH_CARD' },
  PROFESSIONAL_CARD: { id: 'pcsc:professional-card', name: 'professional card', slot: 'PROFESSIONAL_CARD' },
};

const R0 = 'Generic Smart Card Reader 00 00';
const R1 = 'Generic Smart Card Reader 01 00';
const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const dispose of disposers.splice(0)) await dispose();
});

async function until(condition: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** An NHI card in R0 and a watcher whose identification waits until `release()` (the card stack is busy). */
function watchWithBusyIdentification() {
  const fake = new FakePcsc([R0]);
  fake.insert(R0, nhiCard());
  let release!: () => void;
  const busy = new Promise<void>((r) => (release = r));
  const events: WatcherEvent[] = [];
  const watcher = new ReaderWatcher(fake, {
    backoff: { initialMs: 5, maxMs: 20 },
    classifyTimeoutMs: 20,
    classify: async () => {
      await busy;
      return 'NHI_CARD';
    },
  });
  disposers.push(() => watcher.dispose());
  watcher.subscribe((e) => events.push(e));
  watcher.start();
  return { fake, watcher, events, release };
}

describe('identification that timed out', () => {
  it('announces the NHI card again once the late identification answers, and its reader shows NHI_CARD', async () => {
    const { watcher, events, release } = watchWithBusyIdentification();
    await until(() => events.some((e) => e.kind === 'CARD_INSERTED'), 'CARD_INSERTED');
    expect(watcher.readers()[0]?.card?.kind).toBe('OTHER');
    release();
    await until(() => events.filter((e) => e.kind === 'CARD_INSERTED').length === 2, 'the card identified');
    const inserted = events.flatMap((e) => (e.kind === 'CARD_INSERTED' ? [e.card] : []));
    expect(inserted.map((c) => c.kind)).toEqual(['OTHER', 'NHI_CARD']);
    expect(watcher.readers()[0]?.card?.kind).toBe('NHI_CARD');
    // The same card, only identified again: the same card session.
    expect(inserted[1]?.session).toBe(inserted[0]?.session);
  });

  it('says nothing more when the card left before the late identification answered', async () => {
    const { fake, events, release } = watchWithBusyIdentification();
    await until(() => events.some((e) => e.kind === 'CARD_INSERTED'), 'CARD_INSERTED');
    fake.remove(R0);
    await until(() => events.some((e) => e.kind === 'CARD_REMOVED'), 'CARD_REMOVED');
    release();
    await new Promise((r) => setTimeout(r, 50));
    expect(events.map((e) => e.kind)).toEqual(['READER_ATTACHED', 'CARD_INSERTED', 'CARD_REMOVED']);
  });
});

describe('a card pulled while the reader powers it up', () => {
  async function setup() {
    const fake = new FakePcsc([R0, R1]);
    let stack: PcscCardStack | null = null;
    const watcher = new ReaderWatcher(fake, { classify: (reader) => stack!.classify(reader), backoff: { initialMs: 5, maxMs: 10 } });
    stack = new PcscCardStack(fake, { presence: watcher, libraryPath: 'fake-pcsc', removalGraceMs: 50 });
    watcher.start();
    await watcher.whenRunning(1000);
    disposers.push(async () => {
      await watcher.dispose();
      await stack![Symbol.asyncDispose]();
    });
    return { fake, stack };
  }
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'resolved',
      (error: unknown) => (error instanceof GatewayError ? error.code : String(error)),
    );

  it('is CARD_REMOVED when the reader says the card is gone', async () => {
    const { fake, stack } = await setup();
    fake.insert(R0, nhiCard());
    await new Promise((r) => setTimeout(r, 20));
    fake.failNext.set('connect', 'SCARD_W_UNPOWERED_CARD');
    const read = stack.basicData();
    fake.remove(R0);
    expect(await codeOf(read)).toBe('CARD_REMOVED');
  });

  it('is CARD_REMOVED for "protocol mismatch" too (pcsc-lite with no ATR from a card that went away)', async () => {
    const { fake, stack } = await setup();
    fake.insert(R0, nhiCard());
    await new Promise((r) => setTimeout(r, 20));
    fake.failNext.set('connect', 'SCARD_E_PROTO_MISMATCH');
    const read = stack.basicData();
    fake.remove(R0);
    expect(await codeOf(read)).toBe('CARD_REMOVED');
  });

  it('stays an I/O error when the card is still there', async () => {
    const { fake, stack } = await setup();
    fake.insert(R0, nhiCard());
    await new Promise((r) => setTimeout(r, 20));
    fake.failNext.set('connect', 'SCARD_W_UNPOWERED_CARD');
    expect(await codeOf(stack.basicData())).toBe('HEALTH_CARD_IO_ERROR');
  });
});

/** Two fake PC/SC readers watched by a presence-only light monitor, disposed after the test. */
async function twoReaders() {
  const fake = new FakePcsc([R0, R1]);
  const pcsc = createPcscPresence({ port: fake, watcher: { backoff: { initialMs: 5, maxMs: 10 } } });
  const monitor = new LightMonitor({ presence: pcsc.presence, readers: LOGICAL_READERS, intervalMs: 1000 });
  disposers.push(async () => {
    await monitor[Symbol.asyncDispose]();
    await pcsc[Symbol.asyncDispose]();
  });
  await pcsc.watcher.whenRunning(1000);
  const cards = () => pcsc.watcher.readers().map((r) => r.card);
  return { fake, monitor, cards };
}

describe('card sessions per reader', () => {
  it('follow the NHI card whether or not anybody watches; another reader\'s card leaving does not end them', async () => {
    const { fake, monitor, cards } = await twoReaders();
    fake.insert(R0, nhiCard({ unknown: true }));
    fake.insert(R1, nhiCard());
    await until(() => cards().every((c) => c !== null) && cards()[1]?.kind === 'NHI_CARD', 'both cards');
    const nhiSession = cards()[1]!.session;
    // Nobody subscribes: the session still comes from the reader holding the NHI card.
    expect(await monitor.cardSession('HEALTH_CARD')).toBe(nhiSession);
    fake.remove(R0);
    await until(() => cards()[0] === null, 'the other card out');
    expect(await monitor.cardSession('HEALTH_CARD')).toBe(nhiSession);
    fake.remove(R1);
    await until(() => cards()[1] === null, 'the NHI card out');
    expect(await monitor.cardSession('HEALTH_CARD')).toBeNull();
    fake.insert(R1, nhiCard());
    await until(() => cards()[1]?.kind === 'NHI_CARD', 'the NHI card back');
    const again = await monitor.cardSession('HEALTH_CARD');
    expect(again).toMatch(/^cs_/);
    expect(again).not.toBe(nhiSession);
  });
  it('each reader names its own card (Reader.cardSession), while reads use the reader with the NHI card', async () => {
    const { fake, monitor, cards } = await twoReaders();
    const perReader = () => Promise.all(monitor.readers.map((r) => monitor.readerCardSession(r)));
    fake.insert(R0, nhiCard());
    fake.insert(R1, nhiCard());
    await until(() => cards().every((c) => c?.kind === 'NHI_CARD'), 'both NHI cards');
    const [s0, s1] = cards().map((c) => c!.session);
    expect(s0).not.toBe(s1);
    expect(await perReader()).toEqual([s0, s1]);
    expect(await monitor.cardSession('HEALTH_CARD')).toBe(s0); // the first reader by name: the one a read uses
    fake.remove(R0);
    await until(() => cards()[0] === null, 'the first card out');
    expect(await perReader()).toEqual([null, s1]);
    expect(await monitor.cardSession('HEALTH_CARD')).toBe(s1);
  });
});

describe('a swap PC/SC did not see', () => {
  it('is found by the card number at the next read: the swap is announced with a new session and the read fails', async () => {
    const fake = new FakePcsc([R0]);
    const pcsc = createPcscPresence({ port: fake, watcher: { backoff: { initialMs: 5, maxMs: 10 } } });
    disposers.push(async () => {
      await pcsc[Symbol.asyncDispose]();
    });
    const events: WatcherEvent[] = [];
    pcsc.watcher.subscribe((e) => events.push(e));
    await pcsc.watcher.whenRunning(1000);
    // Another card number in place, same ATR, no removal: the reader's counter never moves.
    let swapped = false;
    const inner = nhiCard();
    fake.insert(R0, {
      atr: inner.atr,
      respond(command) {
        const response = inner.respond(command);
        if (!swapped || response.length !== 59) return response;
        const other = Uint8Array.from(response);
        other.set(Buffer.from('000087654321', 'ascii'), 0);
        return other;
      },
    });
    await until(() => pcsc.watcher.readers()[0]?.card?.kind === 'NHI_CARD', 'the card identified');
    const first = pcsc.watcher.readers()[0]!.card!.session;
    const firstNumber = (await pcsc.cards.basicData()).cardNumber;
    expect((await pcsc.cards.basicData()).cardNumber).toBe(firstNumber); // same card: nothing happens
    swapped = true;
    await expect(pcsc.cards.basicData()).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    const cardEvents = events.flatMap((e) => (e.kind === 'CARD_INSERTED' || e.kind === 'CARD_REMOVED' ? [[e.kind, e.card.session] as const] : []));
    const second = pcsc.watcher.readers()[0]!.card!.session;
    expect(second).not.toBe(first);
    expect(cardEvents).toEqual([
      ['CARD_INSERTED', first],
      ['CARD_REMOVED', first],
      ['CARD_INSERTED', second],
    ]);
    expect((await pcsc.cards.basicData()).cardNumber).toBe('000087654321');
  });
});
