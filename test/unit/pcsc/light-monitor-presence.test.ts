/**
 * LightMonitor with a presence source (PC/SC): presence changes go out at once, with reader name, ATR and card
 * kind, in the same stream as the poller's authentication levels; removal turns the light off at once even when
 * the last poll still said "authenticated".
 */
import { describe, expect, it } from 'vitest';
import {
  LightMonitor,
  type PresenceChange,
  type PresenceReader,
  type PresenceSource,
  type ReaderEvent,
} from '../../../src/domain/light-monitor.ts';
import type { LightState } from '../../../src/ports/card-stack.ts';

const ATR = '3B8F0154574E48492D46414B452D30303031CA';

class FakePresence implements PresenceSource {
  readonly slots = ['HEALTH_CARD'] as const;
  private readonly map = new Map<string, PresenceReader>();
  private readonly listeners = new Set<(c: PresenceChange) => void>();
  subscribers = 0;

  readers(): readonly PresenceReader[] {
    return [...this.map.values()];
  }
  subscribe(listener: (c: PresenceChange) => void): () => void {
    this.listeners.add(listener);
    this.subscribers++;
    return () => {
      this.listeners.delete(listener);
      this.subscribers--;
    };
  }
  attach(name: string): void {
    const reader = { id: `pcsc:${name}`, name, slot: 'HEALTH_CARD' as const };
    this.map.set(name, { ...reader, card: null });
    this.emit({ kind: 'READER_ATTACHED', reader, card: null, at: new Date('2026-01-01T00:00:00Z') });
  }
  insert(name: string, kind: 'NHI_CARD' | 'OTHER', atr = ATR): void {
    const r = this.map.get(name)!;
    const card = { atr, kind };
    this.map.set(name, { ...r, card });
    this.emit({ kind: 'CARD_INSERTED', reader: r, card, at: new Date('2026-01-01T00:00:01Z') });
  }
  remove(name: string): void {
    const r = this.map.get(name)!;
    const card = r.card;
    this.map.set(name, { ...r, card: null });
    this.emit({ kind: 'CARD_REMOVED', reader: r, card, at: new Date('2026-01-01T00:00:02Z') });
  }
  private emit(change: PresenceChange): void {
    for (const l of this.listeners) l(change);
  }
}

const READERS = {
  HEALTH_CARD: { id: 'cs:hc', name: 'HC (control software)', slot: 'HEALTH_CARD' as const },
  PROFESSIONAL_CARD: { id: 'cs:hpc', name: 'HPC (control software)', slot: 'PROFESSIONAL_CARD' as const },
};

const state = (hc: 0 | 1 | 2 | 3, hpc: 0 | 1 | 2 | 3 = 0): LightState => {
  const colour = (l: number, two: 'GREEN' | 'ORANGE') => (l === 0 ? 'WHITE' : l === 1 ? 'BROWN' : l === 2 ? two : 'PURPLE');
  return { healthCard: { level: hc, colour: colour(hc, 'GREEN') }, professionalCard: { level: hpc, colour: colour(hpc, 'ORANGE') } } as LightState;
};

async function next<T>(it: AsyncIterator<T>): Promise<T> {
  const r = await Promise.race([it.next(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 1000))]);
  if (r.done) throw new Error('ended');
  return r.value;
}

const levels = (s: LightState) => [s.healthCard.level, s.professionalCard.level];

describe('LightMonitor with PC/SC presence', () => {
  it('pushes presence at once: lights and events with reader name, ATR and card kind, in order', async () => {
    const presence = new FakePresence();
    presence.attach('Reader A');
    const monitor = new LightMonitor({ presence, readers: READERS, intervalMs: 60_000 });
    const lights = monitor.lightStates();
    const events = monitor.readerEvents();
    expect(levels(await next(lights))).toEqual([0, 0]);

    presence.insert('Reader A', 'NHI_CARD');
    expect(await next(lights)).toEqual(state(1));
    presence.remove('Reader A');
    expect(await next(lights)).toEqual(state(0));
    presence.insert('Reader A', 'OTHER', '3B00');
    presence.attach('Reader B');

    const got: ReaderEvent[] = [await next(events), await next(events), await next(events), await next(events)];
    expect(got.map((e) => [e.kind, e.readerId, e.readerName, e.level, e.atr, e.cardKind])).toEqual([
      ['CARD_INSERTED', 'pcsc:Reader A', 'Reader A', 1, ATR, 'NHI_CARD'],
      ['CARD_REMOVED', 'pcsc:Reader A', 'Reader A', 0, ATR, 'NHI_CARD'],
      ['CARD_INSERTED', 'pcsc:Reader A', 'Reader A', 0, '3B00', 'OTHER'],
      ['READER_ATTACHED', 'pcsc:Reader B', 'Reader B', 0, null, null],
    ]);
    expect(got[0]?.at).toBe('2026-01-01T00:00:01.000Z');
    expect(got.every((e) => e.slot === 'HEALTH_CARD')).toBe(true);

    // `readers` lists the PC/SC readers with their cards; an OTHER card leaves its reader's light off.
    expect(monitor.readers).toEqual([
      { id: 'pcsc:Reader A', name: 'Reader A', slot: 'HEALTH_CARD', cardPresent: true, atr: '3B00', cardKind: 'OTHER' },
      { id: 'pcsc:Reader B', name: 'Reader B', slot: 'HEALTH_CARD', cardPresent: false, atr: null, cardKind: null },
    ]);
    expect(await monitor.readerLight(monitor.readers[0]!)).toEqual({ level: 0, colour: 'WHITE' });
    await lights.return?.();
    await events.return?.();
    expect(presence.subscribers).toBe(0); // nobody listens: the monitor lets go
    await monitor[Symbol.asyncDispose]();
  });

  it('merges the poller: authentication levels from it, presence decides whether a card is in', async () => {
    const presence = new FakePresence();
    presence.attach('Reader A');
    let polled = state(0);
    const monitor = new LightMonitor({ presence, read: async () => polled, readers: READERS, intervalMs: 60_000 });
    const lights = monitor.lightStates();
    const events = monitor.readerEvents();
    expect(levels(await next(lights))).toEqual([0, 0]);

    // The card goes in; the control software has not looked yet (poll still 0): level 1 at once.
    presence.insert('Reader A', 'NHI_CARD');
    expect(levels(await next(lights))).toEqual([1, 0]);
    // The presence change woke the poller; the control software authenticated the card.
    polled = state(2);
    await monitor.refresh();
    expect(await next(lights)).toEqual(state(2));
    // Pulled out: off at once, although the last poll still says 2.
    presence.remove('Reader A');
    expect(levels(await next(lights))).toEqual([0, 0]);

    const got = [await next(events), await next(events), await next(events)];
    expect(got.map((e) => [e.kind, e.readerName, e.level, e.cardKind])).toEqual([
      ['CARD_INSERTED', 'Reader A', 1, 'NHI_CARD'],
      // From the poller, attributed to the PC/SC reader holding the card; no duplicate CARD_INSERTED.
      ['CARD_AUTHENTICATED', 'Reader A', 2, null],
      ['CARD_REMOVED', 'Reader A', 0, 'NHI_CARD'],
    ]);
    await lights.return?.();
    await events.return?.();
    await monitor[Symbol.asyncDispose]();
  });

  it('leaves slots presence does not cover to the poller, events included', async () => {
    const presence = new FakePresence();
    let polled = state(0, 0);
    const monitor = new LightMonitor({ presence, read: async () => polled, readers: READERS, intervalMs: 60_000 });
    const events = monitor.readerEvents();
    await monitor.refresh();
    polled = state(0, 2);
    await monitor.refresh();
    expect(await next(events)).toMatchObject({ kind: 'CARD_INSERTED', slot: 'PROFESSIONAL_CARD', readerId: 'cs:hpc', level: 2, atr: null, cardKind: null });
    expect(await next(events)).toMatchObject({ kind: 'CARD_AUTHENTICATED', slot: 'PROFESSIONAL_CARD', level: 2 });
    expect(levels(await monitor.current())).toEqual([0, 2]);
    await events.return?.();
    await monitor[Symbol.asyncDispose]();
  });

  it('answers current() from presence when nobody listens, and needs at least one source', async () => {
    const presence = new FakePresence();
    presence.attach('Reader A');
    presence.insert('Reader A', 'NHI_CARD');
    const monitor = new LightMonitor({ presence, readers: READERS, intervalMs: 1000 });
    expect(await monitor.current()).toEqual(state(1));
    expect(() => new LightMonitor({ readers: READERS, intervalMs: 1000 })).toThrow(/poller .* presence source/);
    await monitor[Symbol.asyncDispose]();
  });
});
