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
    const inserted = events.filter((e) => e.kind === 'CARD_INSERTED').map((e) => ('card' in e ? e.card.kind : null));
    expect(inserted).toEqual(['OTHER', 'NHI_CARD']);
    expect(watcher.readers()[0]?.card?.kind).toBe('NHI_CARD');
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

  it('stays an I/O error when the card is still there', async () => {
    const { fake, stack } = await setup();
    fake.insert(R0, nhiCard());
    await new Promise((r) => setTimeout(r, 20));
    fake.failNext.set('connect', 'SCARD_W_UNPOWERED_CARD');
    expect(await codeOf(stack.basicData())).toBe('HEALTH_CARD_IO_ERROR');
  });
});
