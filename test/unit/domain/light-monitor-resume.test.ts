import { describe, expect, it } from 'vitest';
import { SimulatedWorkstation } from '../../../src/adapters/simulator/workstation.ts';
import { CshisCardStack } from '../../../src/domain/cshis-card-stack.ts';
import { LightMonitor } from '../../../src/domain/light-monitor.ts';
import { createStreamCursor } from '../../../src/domain/stream-cursor.ts';

function setup(lingerMs: number) {
  const sim = new SimulatedWorkstation();
  const cards = new CshisCardStack(sim, { strategy: 'N1' });
  const monitor = new LightMonitor({
    read: () => cards.lightState(),
    readers: {
      HEALTH_CARD: { id: 'hc', name: 'HC reader', slot: 'HEALTH_CARD' },
      PROFESSIONAL_CARD: { id: 'hpc', name: 'HPC reader', slot: 'PROFESSIONAL_CARD' },
    },
    intervalMs: 60_000,
    lingerMs,
    idEpoch: 'test',
  });
  return { sim, monitor };
}

describe('LightMonitor resume', () => {
  it('labels each item with its id and, after the last subscriber left, replays what happened meanwhile', async () => {
    const { sim, monitor } = setup(60_000);
    const cursor = createStreamCursor(null);
    const lights = monitor.lightStates(cursor);
    expect((await lights.next()).value?.healthCard.level).toBe(0);
    const seen = cursor.current;
    expect(seen).toEqual({ id: 'test-1', replayed: false });
    await lights.return?.();

    // Nobody listens, but the monitor lingers: both changes are recorded (a light and an event each).
    sim.insertHealthCard('STANDARD');
    await monitor.refresh();
    sim.removeHealthCard();
    await monitor.refresh();

    const resume = createStreamCursor(seen!.id);
    const again = monitor.lightStates(resume);
    expect(resume.resume).toBe('REPLAYED');
    const got: [number, boolean][] = [];
    for (let i = 0; i < 3; i += 1) {
      const { value } = await again.next();
      got.push([value!.healthCard.level, resume.current!.replayed]);
    }
    expect(got).toEqual([
      [1, true],
      [0, true],
      [0, false],
    ]);
    await again.return?.();

    const events = createStreamCursor(seen!.id);
    const eventStream = monitor.readerEvents(events);
    expect((await eventStream.next()).value?.kind).toBe('CARD_INSERTED');
    expect((await eventStream.next()).value?.kind).toBe('CARD_REMOVED');
    expect(events.current?.replayed).toBe(true);
    await eventStream.return?.();
    await monitor[Symbol.asyncDispose]();
  });

  it('says GAP for an id it does not know and sends the current state at once', async () => {
    const { monitor } = setup(0);
    const cursor = createStreamCursor('another-run-5');
    const lights = monitor.lightStates(cursor);
    expect(cursor.resume).toBe('GAP');
    expect((await lights.next()).value?.healthCard.level).toBe(0);
    expect(cursor.current?.replayed).toBe(false);
    await lights.return?.();
    await monitor[Symbol.asyncDispose]();
  });

  it('without lingering, stops watching when the last subscriber leaves (nothing to replay)', async () => {
    const { sim, monitor } = setup(0);
    const cursor = createStreamCursor(null);
    const lights = monitor.lightStates(cursor);
    await lights.next();
    const seen = cursor.current!.id;
    await lights.return?.();
    sim.insertHealthCard('STANDARD');
    await monitor.refresh();
    const resume = createStreamCursor(seen);
    const again = monitor.lightStates(resume);
    expect(resume.resume).toBe('REPLAYED');
    // Only the fresh read: the change happened while nobody watched.
    expect((await again.next()).value?.healthCard.level).toBe(1);
    expect(resume.current?.replayed).toBe(false);
    await again.return?.();
    await monitor[Symbol.asyncDispose]();
  });
});
