import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ReplayBuffer } from '../../../src/domain/replay-buffer.ts';

describe('ReplayBuffer', () => {
  it('gives what came after an id, [] for the newest, null for an id of another run or a malformed one', () => {
    const buffer = new ReplayBuffer<string>({ epoch: 'run1' });
    expect(buffer.lastId).toBeNull();
    const a = buffer.push('a');
    const b = buffer.push('b');
    const c = buffer.push('c');
    expect([a.id, b.id, c.id]).toEqual(['run1-1', 'run1-2', 'run1-3']);
    expect(buffer.after(a.id)?.map((s) => s.value)).toEqual(['b', 'c']);
    expect(buffer.after(c.id)).toEqual([]);
    expect(buffer.lastId).toBe('run1-3');
    for (const id of ['run0-1', 'run1-4', 'run1-0', 'run1-01', 'run1-', 'nonsense', '']) expect(buffer.after(id)).toBeNull();
  });

  it('forgets past its capacity: an id whose successors are gone is too old', () => {
    const buffer = new ReplayBuffer<number>({ epoch: 'e', window: { capacity: 3 } });
    for (let i = 1; i <= 5; i += 1) buffer.push(i);
    expect(buffer.after('e-1')).toBeNull();
    expect(buffer.after('e-2')?.map((s) => s.value)).toEqual([3, 4, 5]);
  });

  it('forgets past its age', () => {
    let now = 0;
    const buffer = new ReplayBuffer<number>({ epoch: 'e', window: { maxAgeMs: 1000 }, now: () => now });
    buffer.push(1);
    now = 600;
    buffer.push(2);
    now = 1200;
    expect(buffer.after('e-1')?.map((s) => s.value)).toEqual([2]);
    now = 1700;
    expect(buffer.after('e-1')).toBeNull();
    // Nothing missed after the newest id, even when its item has aged out.
    expect(buffer.after('e-2')).toEqual([]);
  });

  it('replays exactly the retained items after any id (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 60 }), fc.nat(70), (capacity, count, pick) => {
        const buffer = new ReplayBuffer<number>({ epoch: 'p', window: { capacity } });
        for (let i = 1; i <= count; i += 1) buffer.push(i);
        const seq = Math.min(pick, count);
        const got = seq === 0 ? null : buffer.after(`p-${seq}`);
        if (seq === 0) return;
        const firstKept = Math.max(1, count - capacity + 1);
        if (seq < firstKept - 1) expect(got).toBeNull();
        else expect(got?.map((s) => s.value)).toEqual(Array.from({ length: count - seq }, (_, k) => seq + k + 1));
      }),
    );
  });
});
