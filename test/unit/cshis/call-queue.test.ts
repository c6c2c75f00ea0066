import { describe, expect, it } from 'vitest';
import { CallQueue, type QueueEvent } from '../../../src/adapters/cshis/call-queue.ts';
import { AdapterDisposedError, CallTimeoutError } from '../../../src/adapters/cshis/errors.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A fake native call that resolves when released (or after `ms`). */
function controllable<T>(value: T): { run: () => Promise<T>; release: () => void; started: () => boolean } {
  let release!: () => void;
  let started = false;
  const gate = new Promise<void>((r) => (release = r));
  return {
    run: async () => {
      started = true;
      await gate;
      return value;
    },
    release: () => release(),
    started: () => started,
  };
}

/** Tracks how many fake calls are "inside the library" at once. */
function concurrencyProbe() {
  let inside = 0;
  let maxInside = 0;
  const order: string[] = [];
  const task = (name: string, ms: number) => ({
    name,
    run: async () => {
      inside++;
      maxInside = Math.max(maxInside, inside);
      order.push(name);
      await sleep(ms);
      inside--;
      return name;
    },
  });
  return { task, order, max: () => maxInside };
}

describe('CallQueue', () => {
  it('runs one task at a time, in FIFO order', async () => {
    const q = new CallQueue({ timeoutMs: 1000 });
    const probe = concurrencyProbe();
    const names = Array.from({ length: 8 }, (_, i) => `f${i}`);
    const results = await Promise.all(names.map((n, i) => q.enqueue(probe.task(n, 5 + ((i * 7) % 11)))));
    expect(results).toEqual(names);
    expect(probe.order).toEqual(names);
    expect(probe.max()).toBe(1);
    expect(q.depth).toBe(0);
    expect(q.inFlight).toBeNull();
  });

  it('propagates a task error to its caller only and keeps going', async () => {
    const q = new CallQueue({ timeoutMs: 1000 });
    const bad = q.enqueue({ name: 'bad', run: () => Promise.reject(new Error('boom')) });
    const good = q.enqueue({ name: 'good', run: async () => 42 });
    await expect(bad).rejects.toThrow('boom');
    await expect(good).resolves.toBe(42);
    expect(q.stats().functions.bad).toMatchObject({ count: 1, errors: 1 });
    // a task whose run() throws synchronously is an error too, not a wedged queue
    const sync = q.enqueue({
      name: 'sync',
      run: () => {
        throw new Error('sync boom');
      },
    });
    await expect(sync).rejects.toThrow('sync boom');
    await expect(q.enqueue({ name: 'after', run: async () => 'ok' })).resolves.toBe('ok');
  });

  it('on timeout: rejects the caller with CallTimeoutError, stays blocked until the call returns, then recovers', async () => {
    const events: QueueEvent[] = [];
    const steps: string[] = [];
    const q = new CallQueue({
      timeoutMs: 50,
      recover: async () => {
        steps.push('recover');
      },
    });
    q.on('degraded', (e) => events.push(e));
    q.on('recovered', (e) => events.push(e));

    const hung = controllable('late');
    const first = q.enqueue({ name: 'hisGetBasicData', run: hung.run });
    const second = q.enqueue({
      name: 'csGetHospID',
      run: async () => {
        steps.push('second');
        return 'second';
      },
    });

    const err = await first.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallTimeoutError);
    expect((err as CallTimeoutError).retryable).toBe(true);
    expect((err as CallTimeoutError).functionName).toBe('hisGetBasicData');
    expect(q.isStuck).toBe(true);
    expect(q.depth).toBe(1);
    expect(q.inFlight).toMatchObject({ name: 'hisGetBasicData', timedOut: true });
    expect(events.map((e) => e.type)).toEqual(['degraded']);

    await sleep(80);
    expect(steps).toEqual([]); // the second call never entered while the first was inside

    hung.release();
    await expect(second).resolves.toBe('second');
    expect(steps).toEqual(['recover', 'second']); // recovery runs first
    expect(q.isStuck).toBe(false);
    expect(events.map((e) => e.type)).toEqual(['degraded', 'recovered']);
    const stats = q.stats().functions.hisGetBasicData;
    expect(stats).toMatchObject({ count: 1, timeouts: 1 });
    expect(stats?.lastMs).toBeGreaterThanOrEqual(50);
  });

  it('reports a failing recovery and carries on', async () => {
    const failures: unknown[] = [];
    const q = new CallQueue({ timeoutMs: 20, recover: () => Promise.reject(new Error('reset failed')) });
    q.on('recovery-failed', (e) => failures.push(e.error));
    const hung = controllable(1);
    const first = q.enqueue({ name: 'slow', run: hung.run });
    await expect(first).rejects.toBeInstanceOf(CallTimeoutError);
    const next = q.enqueue({ name: 'next', run: async () => 'ok' });
    hung.release();
    await expect(next).resolves.toBe('ok');
    expect(failures).toHaveLength(1);
  });

  it('a per-task timeout overrides the default; 0 means none', async () => {
    const q = new CallQueue({ timeoutMs: 10 });
    await expect(q.enqueue({ name: 'pin', timeoutMs: 200, run: () => sleep(40).then(() => 'pin') })).resolves.toBe('pin');
    await expect(q.enqueue({ name: 'none', timeoutMs: 0, run: () => sleep(40).then(() => 'none') })).resolves.toBe('none');
  });

  it('coalesces identical concurrent reads and never coalesces tasks without a key', async () => {
    const q = new CallQueue({ timeoutMs: 1000 });
    let reads = 0;
    let writes = 0;
    const read = () =>
      q.enqueue({
        name: 'hisGetBasicData',
        coalesceKey: '["hisGetBasicData"]',
        run: async () => {
          reads++;
          await sleep(20);
          return { n: reads };
        },
      });
    const write = () =>
      q.enqueue({
        name: 'hisWriteTreatmentFee',
        run: async () => {
          writes++;
          await sleep(5);
          return writes;
        },
      });
    const other = q.enqueue({ name: 'csGetCardNo', coalesceKey: '["csGetCardNo",2]', run: async () => 'other' });
    const results = await Promise.all([read(), read(), write(), read(), write(), other]);
    expect(reads).toBe(1);
    expect(writes).toBe(2);
    expect(results[0]).toBe(results[1]);
    expect(results[3]).toBe(results[0]);
    expect(q.stats().coalesced).toBe(2);
    // once settled, the next read is a new call
    await read();
    expect(reads).toBe(2);
  });

  it('does not let a new read join a call whose callers already timed out', async () => {
    const q = new CallQueue({ timeoutMs: 20 });
    const hung = controllable('stale');
    const key = '["hisGetRegisterBasic"]';
    const first = q.enqueue({ name: 'hisGetRegisterBasic', coalesceKey: key, run: hung.run });
    await expect(first).rejects.toBeInstanceOf(CallTimeoutError);
    const second = q.enqueue({ name: 'hisGetRegisterBasic', coalesceKey: key, run: async () => 'fresh' });
    hung.release();
    await expect(second).resolves.toBe('fresh');
  });

  it('exposes depth, inFlight and per-function stats with p50', async () => {
    const q = new CallQueue({ timeoutMs: 1000, reservoirSize: 5 });
    const gate = controllable('x');
    const p = q.enqueue({ name: 'gate', run: gate.run });
    const waiting = [q.enqueue({ name: 'a', run: async () => 1 }), q.enqueue({ name: 'a', run: async () => 2 })];
    await sleep(5);
    expect(q.depth).toBe(2);
    expect(q.inFlight?.name).toBe('gate');
    expect(q.inFlight?.timedOut).toBe(false);
    expect(q.inFlight?.startedAt).toBeLessThanOrEqual(Date.now());
    gate.release();
    await Promise.all([p, ...waiting]);
    for (const ms of [10, 30, 20]) await q.enqueue({ name: 'timed', run: () => sleep(ms) });
    const timed = q.stats().functions.timed;
    expect(timed?.count).toBe(3);
    expect(timed?.maxMs).toBeGreaterThanOrEqual(29);
    expect(timed?.p50Ms).toBeGreaterThanOrEqual(19);
    expect(timed?.p50Ms).toBeLessThan(timed?.maxMs ?? 0);
    expect(q.stats().functions.a?.count).toBe(2);
  });

  it('dispose() rejects waiting tasks, lets the running one finish and refuses new ones', async () => {
    const q = new CallQueue({ timeoutMs: 1000 });
    const gate = controllable('running');
    const running = q.enqueue({ name: 'running', run: gate.run });
    const waiting = q.enqueue({ name: 'waiting', run: async () => 'never' });
    await sleep(1);
    q.dispose();
    await expect(waiting).rejects.toBeInstanceOf(AdapterDisposedError);
    await expect(q.enqueue({ name: 'late', run: async () => 1 })).rejects.toBeInstanceOf(AdapterDisposedError);
    gate.release();
    await expect(running).resolves.toBe('running');
    await q.idle();
    expect(q.stats().disposed).toBe(true);
  });

  it('maxWaitMs makes a waiting task give up without ever running', async () => {
    const q = new CallQueue({ timeoutMs: 0, maxWaitMs: 30 });
    const gate = controllable('g');
    const running = q.enqueue({ name: 'gate', run: gate.run });
    let ran = false;
    const waiting = q.enqueue({
      name: 'w',
      run: async () => {
        ran = true;
      },
    });
    await expect(waiting).rejects.toBeInstanceOf(CallTimeoutError);
    gate.release();
    await running;
    await q.idle();
    expect(ran).toBe(false);
    expect(q.stats().waitTimeouts).toBe(1);
  });

  it('a throwing listener does not wedge the queue; unsubscribe works', async () => {
    const q = new CallQueue({ timeoutMs: 10 });
    let calls = 0;
    q.on('degraded', () => {
      throw new Error('listener bug');
    });
    const off = q.on('degraded', () => calls++);
    off();
    const hung = controllable(0);
    await expect(q.enqueue({ name: 'x', run: hung.run })).rejects.toBeInstanceOf(CallTimeoutError);
    hung.release();
    await expect(q.enqueue({ name: 'y', run: async () => 'y' })).resolves.toBe('y');
    expect(calls).toBe(0);
  });
});
