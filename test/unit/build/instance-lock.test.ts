/** One gateway per data folder: the lock file in %LOCALAPPDATA%\nhi-gateway (here a temp folder). */
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireInstanceLock, LOCK_FILE, type LockDeps } from '../../../src/install/instance-lock.ts';

describe('instance lock', () => {
  let dir: string;
  const exits: Array<() => void> = [];
  const deps = (pid: number, running: readonly number[] = []): LockDeps => ({
    pid,
    isRunning: (p) => running.includes(p),
    now: () => new Date('2026-11-26T09:00:00Z'),
    onExit: (fn) => exits.push(fn),
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nhi-lock-'));
    exits.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the lock, records pid and port, and releases it', () => {
    const result = acquireInstanceLock(join(dir, 'nhi-gateway'), { port: 8737 }, deps(100));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const content = JSON.parse(readFileSync(result.lock.path, 'utf8'));
    expect(content).toMatchObject({ pid: 100, port: 8737, startedAt: '2026-11-26T09:00:00.000Z' });
    expect(exits).toHaveLength(1); // also released at process exit
    result.lock.release();
    expect(existsSync(result.lock.path)).toBe(false);
    result.lock.release(); // idempotent
  });

  it('refuses a second gateway while the first one runs, naming it', () => {
    const first = acquireInstanceLock(dir, { port: 8737 }, deps(100));
    expect(first.ok).toBe(true);
    const second = acquireInstanceLock(dir, { port: 8738 }, deps(200, [100]));
    expect(second).toEqual({
      ok: false,
      message: expect.stringMatching(
        /^another NHI Card Gateway is already running for this user \(pid 100, port 8737, since 2026-11-26T09:00:00\.000Z\); stop it first\. Lock file: .*gateway\.lock$/,
      ),
    });
  });

  it('takes over a lock left by a gateway that is no longer running', () => {
    expect(acquireInstanceLock(dir, { port: 8737 }, deps(100)).ok).toBe(true);
    const second = acquireInstanceLock(dir, { port: 8737 }, deps(200, []));
    expect(second.ok).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(200);
  });

  it('never removes a lock another gateway has taken since', () => {
    const first = acquireInstanceLock(dir, { port: 8737 }, deps(100));
    if (!first.ok) throw new Error('no lock');
    // 100 crashed (not running); 200 takes over; then 100's late release must leave 200's lock alone.
    expect(acquireInstanceLock(dir, { port: 8737 }, deps(200, [])).ok).toBe(true);
    first.lock.release();
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(200);
  });

  it('treats an empty lock file of a moment ago as a gateway starting right now', () => {
    writeFileSync(join(dir, LOCK_FILE), '');
    const now = new Date();
    const result = acquireInstanceLock(dir, { port: 8737 }, { ...deps(300), now: () => now });
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/is starting for this user right now/) });
  });

  it('takes over an old unreadable lock file (a crash while writing it)', () => {
    writeFileSync(join(dir, LOCK_FILE), '{"pid":');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, LOCK_FILE), old, old);
    expect(acquireInstanceLock(dir, { port: 8737 }, { ...deps(300), now: () => new Date() }).ok).toBe(true);
  });
});
