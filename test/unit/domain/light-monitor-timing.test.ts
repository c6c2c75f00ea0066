/**
 * When the light poller samples (issue 15, item 2): a changed light goes out as soon as the two status reads
 * know it, before the card-number read; and the next poll is asked for early enough that samples stay at most
 * one interval apart even when a poll waits for a card call in flight and the one before did not. Fake timers
 * (clock and performance.now), so the figures are exact and nothing here depends on the machine's speed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LightMonitor, type LevelsKnown } from '../../../src/domain/light-monitor.ts';
import type { LightState } from '../../../src/ports/card-stack.ts';

const READERS = {
  HEALTH_CARD: { id: 'hc', name: 'HC reader', slot: 'HEALTH_CARD' },
  PROFESSIONAL_CARD: { id: 'hpc', name: 'HPC reader', slot: 'PROFESSIONAL_CARD' },
} as const;

const CALL_MS = 50;
const INTERVAL_MS = 500;

const state = (hpcLevel: 0 | 2): LightState => ({
  healthCard: { level: 2, colour: 'GREEN' },
  professionalCard: hpcLevel === 0 ? { level: 0, colour: 'WHITE' } : { level: 2, colour: 'ORANGE' },
});

const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/** Ends the stream and the monitor; a read in flight sleeps on the fake clock, so the clock must move meanwhile. */
async function stop(stream: AsyncIterableIterator<unknown>, monitor: LightMonitor): Promise<void> {
  const done = Promise.all([stream.return?.(), monitor[Symbol.asyncDispose]()]);
  await vi.advanceTimersByTimeAsync(4 * INTERVAL_MS);
  await done;
}

/**
 * A control software whose status reads each take CALL_MS, after waiting `waits[n]` ms for the card call in
 * flight, then a card-number read of CALL_MS. Records when each poll's levels were sampled.
 */
function slowControlSoftware(waits: (n: number) => number) {
  const samples: number[] = [];
  let hpcLevel: 0 | 2 = 0;
  let n = 0;
  const read = async (levelsKnown?: LevelsKnown): Promise<LightState> => {
    await sleep(waits(n++));
    await sleep(2 * CALL_MS);
    samples.push(performance.now());
    const levels = state(hpcLevel);
    levelsKnown?.(levels);
    await sleep(CALL_MS);
    return { ...levels, healthCardIdentity: 'card-1' };
  };
  return { read, samples, insertDoctorCard: () => (hpcLevel = 2) };
}

/** Subscribes to a monitor over `slowControlSoftware(waits)` for `intervals` intervals; the gaps between samples. */
async function sampleGaps(waits: (n: number) => number, intervals: number): Promise<number[]> {
  const cs = slowControlSoftware(waits);
  const monitor = new LightMonitor({ read: cs.read, readers: READERS, intervalMs: INTERVAL_MS });
  const stream = monitor.lightStates();
  void stream.next();
  await vi.advanceTimersByTimeAsync(intervals * INTERVAL_MS);
  const gaps = cs.samples.slice(1).map((t, i) => t - cs.samples[i]!);
  await stop(stream, monitor);
  return gaps;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the light poller’s timing', () => {
  it('publishes a changed light when the status reads know it, before the card-number read returns', async () => {
    const cs = slowControlSoftware(() => 0);
    const monitor = new LightMonitor({ read: cs.read, readers: READERS, intervalMs: INTERVAL_MS });
    const received: { at: number; level: number }[] = [];
    const stream = monitor.lightStates();
    const pump = (async () => {
      for await (const s of stream) received.push({ at: performance.now(), level: s.professionalCard.level });
    })();
    await vi.advanceTimersByTimeAsync(3 * CALL_MS); // the first read, which sets the baseline
    expect(received.map((r) => r.level)).toEqual([0]);
    cs.insertDoctorCard();
    await vi.advanceTimersByTimeAsync(2 * INTERVAL_MS);
    const change = received.find((r) => r.level === 2);
    const sampled = cs.samples.find((t) => t > received[0]!.at);
    expect(change).toBeDefined();
    // Delivered at the sample itself, not one card-number read (CALL_MS) later.
    expect(change!.at).toBe(sampled);
    await stop(stream, monitor);
    await pump;
  });

  it('keeps samples exactly one interval apart with an idle queue', async () => {
    const gaps = await sampleGaps(() => 0, 10);
    expect(gaps.length).toBeGreaterThanOrEqual(8);
    for (const gap of gaps) expect(gap).toBe(INTERVAL_MS);
  });

  it('keeps samples at most one interval apart when polls wait for a card call in flight by turns', async () => {
    // Every other poll waits a whole card call for the queue (the worst case for a fixed-rate timer).
    const gaps = await sampleGaps((n) => (n % 2 === 1 ? CALL_MS : 0), 20);
    expect(gaps.length).toBeGreaterThanOrEqual(15);
    // The first waiting poll comes before its wait was ever seen: it may be late by that one wait.
    expect(gaps[0]).toBeLessThanOrEqual(INTERVAL_MS + CALL_MS);
    for (const gap of gaps.slice(1)) {
      expect(gap).toBeLessThanOrEqual(INTERVAL_MS);
      expect(gap).toBeGreaterThanOrEqual(INTERVAL_MS - CALL_MS);
    }
  });

  it('polls a control software slower than half the interval at most twice per interval', async () => {
    // The first gap is the subscriber's own first read followed by the timed ones: left out.
    const gaps = (await sampleGaps(() => INTERVAL_MS, 30)).slice(1);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(INTERVAL_MS / 2);
  });
});
