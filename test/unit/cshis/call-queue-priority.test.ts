/**
 * Light-status reads take the next turn: behind a long line of card calls a status light must not wait for all
 * of them (issue: lights starve under load).
 */
import { describe, expect, it } from 'vitest';
import { CallQueue, MAX_PRIORITY_RUN } from '../../../src/adapters/cshis/call-queue.ts';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('CallQueue priority', () => {
  it('runs a priority read right after the running call, ahead of every ordinary waiting call', async () => {
    const queue = new CallQueue({ timeoutMs: 0 });
    const order: string[] = [];
    const gate = deferred();
    const first = queue.enqueue({ name: 'first', run: async () => { await gate.promise; order.push('first'); } });
    const ordinary = Array.from({ length: 5 }, (_, i) => queue.enqueue({ name: `card${i}`, run: async () => { order.push(`card${i}`); } }));
    const light = queue.enqueue({ name: 'hisGetCardStatus', priority: true, run: async () => { order.push('light'); } });
    expect(queue.depth).toBe(6);
    gate.resolve();
    await Promise.all([first, light, ...ordinary]);
    expect(order).toEqual(['first', 'light', 'card0', 'card1', 'card2', 'card3', 'card4']);
  });

  it('keeps priority reads in their own order, and ordinary calls each wait at most for the reads already waiting', async () => {
    const queue = new CallQueue({ timeoutMs: 0 });
    const order: string[] = [];
    const gate = deferred();
    const running = queue.enqueue({ name: 'running', run: () => gate.promise });
    const a = queue.enqueue({ name: 'a', run: async () => { order.push('a'); } });
    const l1 = queue.enqueue({ name: 'l1', priority: true, run: async () => { order.push('l1'); } });
    const b = queue.enqueue({ name: 'b', run: async () => { order.push('b'); } });
    const l2 = queue.enqueue({ name: 'l2', priority: true, run: async () => { order.push('l2'); } });
    gate.resolve();
    await Promise.all([running, a, b, l1, l2]);
    expect(order).toEqual(['l1', 'l2', 'a', 'b']);
  });
});

describe('CallQueue priority series (a light poll of several reads)', () => {
  it('runs a poll\'s reads back to back: no ordinary call starts between one priority read and the next', async () => {
    const queue = new CallQueue({ timeoutMs: 0 });
    const order: string[] = [];
    const gate = deferred();
    const inFlight = queue.enqueue({ name: 'inFlight', run: async () => { await gate.promise; order.push('inFlight'); } });
    const ordinary = Array.from({ length: 3 }, (_, i) => queue.enqueue({ name: `card${i}`, run: async () => { order.push(`card${i}`); } }));
    // As CshisCardStack.lightState: each read is queued when the previous one has returned.
    const poll = (async () => {
      await queue.enqueue({ name: 'hcStatus', priority: true, run: async () => { order.push('hcStatus'); } });
      await queue.enqueue({ name: 'hpcStatus', priority: true, run: async () => { order.push('hpcStatus'); } });
      await queue.enqueue({ name: 'cardNo', priority: true, run: async () => { order.push('cardNo'); } });
    })();
    gate.resolve();
    await Promise.all([inFlight, poll, ...ordinary]);
    expect(order).toEqual(['inFlight', 'hcStatus', 'hpcStatus', 'cardNo', 'card0', 'card1', 'card2']);
  });

  it('lets ordinary calls go once the priority caller has queued nothing more in its turn', async () => {
    const queue = new CallQueue({ timeoutMs: 0 });
    const order: string[] = [];
    await queue.enqueue({ name: 'light', priority: true, run: async () => { order.push('light'); } });
    // Queued while the lane is still held (same turn): it waits for the turn's end, then runs without anything else.
    await queue.enqueue({ name: 'card', run: async () => { order.push('card'); } });
    await queue.idle();
    expect(order).toEqual(['light', 'card']);
    expect(queue.depth).toBe(0);
  });
});

describe('CallQueue priority fairness', () => {
  it(`gives a waiting ordinary call a turn after ${MAX_PRIORITY_RUN} priority calls in a row (a poller that never pauses)`, async () => {
    const queue = new CallQueue({ timeoutMs: 0 });
    const order: string[] = [];
    const gate = deferred();
    const running = queue.enqueue({ name: 'running', run: () => gate.promise });
    const card = queue.enqueue({ name: 'card', run: async () => { order.push('card'); } });
    // Reads queued back to back, each as the previous one returns, for longer than any poll.
    const poller = (async () => {
      for (let i = 0; i < MAX_PRIORITY_RUN + 2; i++) {
        await queue.enqueue({ name: 'status', priority: true, run: async () => { order.push(`status${i}`); } });
      }
    })();
    gate.resolve();
    await Promise.all([running, card, poller]);
    const expected = Array.from({ length: MAX_PRIORITY_RUN + 2 }, (_, i) => `status${i}`);
    expected.splice(MAX_PRIORITY_RUN, 0, 'card');
    expect(order).toEqual(expected);
  });
});
