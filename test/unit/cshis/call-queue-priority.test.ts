/**
 * Light-status reads take the next turn: behind a long line of card calls a status light must not wait for all
 * of them (issue: lights starve under load).
 */
import { describe, expect, it } from 'vitest';
import { CallQueue } from '../../../src/adapters/cshis/call-queue.ts';

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
