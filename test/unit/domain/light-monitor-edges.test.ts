/**
 * Edges of the light monitor's early publish (issue 15): a read still in flight when the last subscriber leaves,
 * and a presence change between a read's early light and its end. Reads are driven by hand (a read returns when
 * the test says so), so the order of events is exact.
 */
import { describe, expect, it } from 'vitest';
import { LightMonitor, type LevelsKnown, type PresenceChange, type PresenceReader, type PresenceSource } from '../../../src/domain/light-monitor.ts';
import type { CardLight, LightState } from '../../../src/ports/card-stack.ts';

const READERS = {
  HEALTH_CARD: { id: 'hc', name: 'HC reader', slot: 'HEALTH_CARD' },
  PROFESSIONAL_CARD: { id: 'hpc', name: 'HPC reader', slot: 'PROFESSIONAL_CARD' },
} as const;

const HC: Record<number, CardLight> = { 0: { level: 0, colour: 'WHITE' }, 1: { level: 1, colour: 'BROWN' }, 2: { level: 2, colour: 'GREEN' } };
const HPC: Record<number, CardLight> = { 0: { level: 0, colour: 'WHITE' }, 2: { level: 2, colour: 'ORANGE' }, 3: { level: 3, colour: 'PURPLE' } };
const lights = (hc: number, hpc: number): LightState => ({ healthCard: HC[hc]!, professionalCard: HPC[hpc]! });
const levels = (s: LightState): [number, number] => [s.healthCard.level, s.professionalCard.level];

/** A poller whose reads end when the test calls `finish`; `early` hands the levels over before the end. */
function handDriven() {
  const pending: { levelsKnown?: LevelsKnown; resolve: (s: LightState) => void }[] = [];
  const read = (levelsKnown?: LevelsKnown): Promise<LightState> =>
    new Promise((resolve) => pending.push({ ...(levelsKnown ? { levelsKnown } : {}), resolve }));
  const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return {
    read,
    reads: () => pending.length,
    early: (state: LightState) => pending.at(-1)!.levelsKnown?.(state),
    async finish(state: LightState) {
      pending.at(-1)!.resolve(state);
      await flush();
    },
    /** Disposes the monitor, ending whatever read it still waits for. */
    async dispose(monitor: LightMonitor, state: LightState) {
      const disposed = monitor[Symbol.asyncDispose]();
      for (const p of pending) p.resolve(state);
      await disposed;
    },
    flush,
  };
}

describe('the light monitor’s early publish, at its edges', () => {
  it('a read that ends after the last subscriber left is not handed to the next subscriber as the current light', async () => {
    const cs = handDriven();
    const monitor = new LightMonitor({ read: cs.read, readers: READERS, intervalMs: 3_600_000 });
    const first = monitor.lightStates();
    const firstValue = first.next();
    await cs.finish(lights(2, 0));
    expect(levels((await firstValue).value as LightState)).toEqual([2, 0]);

    void monitor.refresh(); // a poll in flight…
    expect(cs.reads()).toBe(2);
    await first.return?.(); // …when the widget closes its subscription
    await cs.finish(lights(2, 0)); // the poll comes back after that

    // Meanwhile the card leaves. The next subscriber must be given a fresh read, not the light of before.
    const second = monitor.lightStates();
    const secondValue = second.next();
    await cs.finish(lights(0, 0)); // ends the fresh read, if the subscriber asked for one
    expect(levels((await secondValue).value as LightState)).toEqual([0, 0]);
    await second.return?.();
    await cs.dispose(monitor, lights(0, 0));
  });

  it('a presence change between a read’s early light and its end does not put the light of before back', async () => {
    const cs = handDriven();
    let card: PresenceReader['card'] = null;
    const listeners = new Set<(change: PresenceChange) => void>();
    const reader = { id: 'pcsc-0', name: 'PC/SC reader 0', slot: 'HEALTH_CARD' } as const;
    const presence: PresenceSource = {
      slots: ['HEALTH_CARD'],
      readers: () => [{ ...reader, card }],
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const monitor = new LightMonitor({ read: cs.read, presence, readers: READERS, intervalMs: 3_600_000 });
    const stream = monitor.lightStates();
    const seen: [number, number][] = [];
    const pump = (async () => {
      for await (const s of stream) seen.push(levels(s));
    })();
    await cs.finish(lights(0, 2));
    expect(seen).toEqual([[0, 2]]);

    void monitor.refresh();
    cs.early(lights(0, 3)); // the doctor's PIN went in: the professional light goes to 3 at once
    await cs.flush();
    expect(seen.at(-1)).toEqual([0, 3]);
    // A health card goes in before the read's card-number call returns.
    card = { atr: '3B00', kind: 'NHI_CARD' };
    for (const listener of listeners) listener({ kind: 'CARD_INSERTED', reader, card, at: new Date() });
    await cs.finish(lights(0, 3));
    await cs.flush();

    // The professional light never goes back to 2.
    expect(seen).toEqual([
      [0, 2],
      [0, 3],
      [1, 3],
    ]);
    await stream.return?.();
    await cs.dispose(monitor, lights(0, 3));
    await pump;
  });
});
