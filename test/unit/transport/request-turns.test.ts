/**
 * src/transport/request-turns.ts: a burst of requests starts in batches, in arrival order, and what became ready
 * meanwhile (a timer, an I/O callback: the light poll's) runs between the batches.
 */
import { describe, expect, it } from 'vitest';
import { takeTurns } from '../../../src/transport/request-turns.ts';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('takeTurns', () => {
  it('starts requests at once below the share of a turn', () => {
    const started: number[] = [];
    const handle = takeTurns((n: number) => started.push(n), 4);
    for (let n = 0; n < 4; n++) handle(n);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('starts the rest of a burst in later turns, in arrival order, letting a due timer in between', async () => {
    const log: string[] = [];
    const handle = takeTurns((n: number) => log.push(`request ${n}`), 4);
    setTimeout(() => log.push('timer'), 0);
    // Hold the thread until the timer is due (its 1 ms has passed), so the next timers phase runs it whatever the
    // machine's speed; waiting a few ms before arming it (as here before) left it not yet due on a fast turn.
    const due = performance.now() + 2;
    while (performance.now() < due);
    for (let n = 0; n < 20; n++) handle(n);
    expect(log).toEqual(['request 0', 'request 1', 'request 2', 'request 3']);
    for (let i = 0; i < 8; i++) await turn();
    const requests = log.filter((l) => l.startsWith('request'));
    expect(requests).toEqual(Array.from({ length: 20 }, (_, n) => `request ${n}`));
    // The timer ran before the burst was through: between batches, not after all twenty.
    const timerAt = log.indexOf('timer');
    expect(timerAt).toBeGreaterThan(0);
    expect(timerAt).toBeLessThan(log.length - 1);
  });

  it('refuses a share that is not a positive integer', () => {
    expect(() => takeTurns(() => undefined, 0)).toThrow(RangeError);
  });
});
