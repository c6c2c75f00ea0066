import { describe, expect, it } from 'vitest';
import { SimulatedWorkstation } from '../../../src/adapters/simulator/workstation.ts';
import { CshisCardStack } from '../../../src/domain/cshis-card-stack.ts';
import { LightMonitor, type ReaderEvent } from '../../../src/domain/light-monitor.ts';
import type { LightState } from '../../../src/ports/card-stack.ts';

function setup(intervalMs = 60_000) {
  const sim = new SimulatedWorkstation();
  const cards = new CshisCardStack(sim, { strategy: 'N1' });
  let reads = 0;
  const monitor = new LightMonitor({
    read: async () => {
      reads += 1;
      return cards.lightState();
    },
    readers: {
      HEALTH_CARD: { id: 'hc', name: 'HC reader', slot: 'HEALTH_CARD' },
      PROFESSIONAL_CARD: { id: 'hpc', name: 'HPC reader', slot: 'PROFESSIONAL_CARD' },
    },
    intervalMs,
    changeSignal: (wake) => sim.onChange(wake),
  });
  return { sim, cards, monitor, reads: () => reads };
}

async function take<T>(iterator: AsyncIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  while (out.length < n) {
    const next = await iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

const levels = (s: LightState) => [s.healthCard.level, s.professionalCard.level];

describe('LightMonitor', () => {
  it('streams the current lights first, then each change, woken by the backend without polling', async () => {
    const { sim, cards, monitor } = setup();
    const stream = monitor.lightStates();
    const first = stream.next();
    expect(levels((await first).value as LightState)).toEqual([0, 0]);
    sim.insertHealthCard('STANDARD');
    expect(levels((await stream.next()).value as LightState)).toEqual([1, 0]);
    await cards.basicData();
    expect(levels((await stream.next()).value as LightState)).toEqual([2, 0]);
    sim.insertProfessionalCard('PHYSICIAN');
    expect(levels((await stream.next()).value as LightState)).toEqual([2, 2]);
    await cards.verifyProfessionalPin();
    const medical = (await stream.next()).value as LightState;
    expect(levels(medical)).toEqual([3, 3]);
    expect(medical.healthCard.colour).toBe('PURPLE');
    await stream.return?.();
    await monitor[Symbol.asyncDispose]();
  });

  it('turns changes into reader events in order', async () => {
    const { sim, cards, monitor } = setup();
    const events = monitor.readerEvents();
    const collected = take(events, 3);
    await monitor.refresh(); // baseline
    sim.insertHealthCard('STANDARD');
    await monitor.refresh();
    await cards.basicData();
    await monitor.refresh();
    sim.removeHealthCard();
    await monitor.refresh();
    const got = (await collected) as ReaderEvent[];
    expect(got.map((e) => [e.kind, e.readerId, e.level])).toEqual([
      ['CARD_INSERTED', 'hc', 1],
      ['CARD_AUTHENTICATED', 'hc', 2],
      ['CARD_REMOVED', 'hc', 0],
    ]);
    await events.return?.();
    await monitor[Symbol.asyncDispose]();
  });

  it('does not read while nobody listens', async () => {
    const { sim, monitor, reads } = setup(5);
    sim.insertHealthCard('STANDARD');
    await monitor.refresh();
    await new Promise((r) => setTimeout(r, 30));
    expect(reads()).toBe(0);
    const stream = monitor.lightStates();
    await stream.next();
    await stream.return?.();
    const after = reads();
    await new Promise((r) => setTimeout(r, 30));
    expect(reads()).toBe(after);
    await monitor[Symbol.asyncDispose]();
  });
});
