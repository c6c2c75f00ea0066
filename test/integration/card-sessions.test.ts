/**
 * Card sessions and swaps: every insertion gets its own session, and a swap — even one that falls between two
 * light polls — is announced as CARD_REMOVED (old session) then CARD_INSERTED (new session). On the simulator and
 * on the cshis backend over the native fixture through koffi.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCshisControlSoftware } from '../../src/adapters/cshis/cshis-control-software.ts';
import { loadCshisLibrary, loadFixtureControls, type FixtureControls } from '../../src/adapters/cshis/native.ts';
import { controlSoftwareBackend } from '../../src/backends/cshis.ts';
import { createServices, createSimulatorServices, type RunningServices } from '../../src/services.ts';
import type { ReaderEvent } from '../../src/domain/light-monitor.ts';
import { FIXTURE_SO, ensureFixtureBuilt, insertSimulatedPatient } from './cshis/helpers.ts';
import { nextWithin } from '../helpers/next-within.ts';

let services: RunningServices | null = null;
afterEach(async () => {
  await services?.[Symbol.asyncDispose]();
  services = null;
});

async function nextCardEvents(events: AsyncIterator<ReaderEvent>, count: number): Promise<ReaderEvent[]> {
  const seen: ReaderEvent[] = [];
  while (seen.length < count) {
    const event = await nextWithin(events, `card event ${seen.length + 1}`, 5000);
    if (event.slot === 'HEALTH_CARD' && (event.kind === 'CARD_INSERTED' || event.kind === 'CARD_REMOVED')) seen.push(event);
  }
  return seen;
}

describe('card sessions on the simulator', () => {
  it('a card inserted over an authenticated one is a removal of the old session and an insertion of a new one', async () => {
    services = createSimulatorServices({ strategy: 'N1', simulator: { networkLatencyMs: 0 } });
    const { simulator, monitor, cards } = services;
    const events = monitor.readerEvents();
    simulator!.insertHealthCard('STANDARD');
    const [first] = await nextCardEvents(events, 1);
    expect(first).toMatchObject({ kind: 'CARD_INSERTED', cardSession: expect.stringMatching(/^cs_/) });
    await cards.basicData(); // authenticates the card: light 2
    await expect.poll(() => monitor.cardSession('HEALTH_CARD')).toBe(first!.cardSession);

    simulator!.insertHealthCard('RARE_CHARACTER_NAME');
    const [removed, inserted] = await nextCardEvents(events, 2);
    expect(removed).toMatchObject({ kind: 'CARD_REMOVED', cardSession: first!.cardSession });
    expect(inserted).toMatchObject({ kind: 'CARD_INSERTED' });
    expect(inserted!.cardSession).not.toBe(first!.cardSession);
    expect(await monitor.cardSession('HEALTH_CARD')).toBe(inserted!.cardSession);
    await events.return?.();
  });

  it('keeps the session of a card that stays in, and gives none without a card', async () => {
    services = createSimulatorServices({ strategy: 'N1', simulator: { networkLatencyMs: 0 } });
    expect(await services.monitor.cardSession('HEALTH_CARD')).toBeNull();
    services.simulator!.insertHealthCard('STANDARD');
    const session = await services.monitor.cardSession('HEALTH_CARD');
    await services.cards.basicData();
    expect(await services.monitor.cardSession('HEALTH_CARD')).toBe(session);
    services.simulator!.removeHealthCard();
    expect(await services.monitor.cardSession('HEALTH_CARD')).toBeNull();
  });
});

describe('card sessions on the cshis backend (native fixture)', () => {
  let fx: FixtureControls;
  beforeAll(() => {
    ensureFixtureBuilt();
    fx = loadFixtureControls(loadCshisLibrary(FIXTURE_SO));
  });
  afterEach(() => fx.reset());

  it('sees a swap of two authenticated cards that falls between two polls (by card number)', async () => {
    fx.reset();
    insertSimulatedPatient(fx, 'STANDARD');
    const cs = await createCshisControlSoftware({ libraryPath: FIXTURE_SO, callTimeoutMs: 5000, readerPort: 0, openPolicy: 'keep-open' });
    // A poll interval far longer than the test: only the explicit refreshes below read the lights.
    services = createServices(controlSoftwareBackend(cs, { lightPollMs: 600_000 }), { strategy: 'N1' });
    const { monitor, cards } = services;
    const events = monitor.readerEvents();
    await cards.basicData();
    await monitor.refresh();
    const before = await monitor.cardSession('HEALTH_CARD');
    expect(before).toMatch(/^cs_/);

    // Between two polls: the card goes out, another goes in and is read (authenticated) by another program.
    fx.removeHealthCard();
    insertSimulatedPatient(fx, 'RARE_CHARACTER_NAME');
    await cs.hisGetBasicData();
    await monitor.refresh();
    const [removed, inserted] = await nextCardEvents(events, 2);
    expect(removed).toMatchObject({ kind: 'CARD_REMOVED', cardSession: before });
    expect(inserted).toMatchObject({ kind: 'CARD_INSERTED', level: 2 });
    expect(inserted!.cardSession).not.toBe(before);
    await events.return?.();
  });
});
