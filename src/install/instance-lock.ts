/**
 * One gateway per data folder (on Windows `%LOCALAPPDATA%\nhi-gateway`, i.e. per user): a named lock file
 * `gateway.lock` there. The card-write journal in the same folder must have exactly one writer, and a second
 * gateway started at logon (or by hand) must say so and exit instead of fighting over CSHIS.dll.
 *
 * The lock is created with an exclusive create (`wx`), so of two gateways starting at the same moment only
 * one wins. It holds the owner's pid and port. A lock left behind by a gateway that crashed (its pid is no
 * longer running) is taken over. The port is the other half of "single instance": a second gateway on the
 * same port also fails at listen with its own message (src/server.ts).
 */
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'gateway.lock';

interface LockContent {
  readonly pid: number;
  readonly port: number;
  readonly startedAt: string;
  /** Random per acquisition, so a gateway never deletes a lock that another one has since taken. */
  readonly token: string;
}

export interface InstanceLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. Idempotent; also run at process exit. */
  release(): void;
}

export type AcquireResult = { readonly ok: true; readonly lock: InstanceLock } | { readonly ok: false; readonly message: string };

/** Process facts, injectable for tests. */
export interface LockDeps {
  readonly pid?: number;
  /** Whether a process with this pid is running. @default `process.kill(pid, 0)` */
  readonly isRunning?: (pid: number) => boolean;
  readonly now?: () => Date;
  /** Registers a function to run when the process exits. @default `process.once('exit', …)` */
  readonly onExit?: (fn: () => void) => void;
}

export function acquireInstanceLock(directory: string, owner: { readonly port: number }, deps: LockDeps = {}): AcquireResult {
  const pid = deps.pid ?? process.pid;
  const isRunning = deps.isRunning ?? processIsRunning;
  const now = deps.now ?? (() => new Date());
  const path = join(directory, LOCK_FILE);
  const content: LockContent = {
    pid,
    port: owner.port,
    startedAt: now().toISOString(),
    token: `${pid}-${Math.random().toString(36).slice(2)}`,
  };
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
  } catch (error) {
    return { ok: false, message: `cannot create the data folder ${directory}: ${describe(error)}` };
  }

  // Two rounds: the second one after removing a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(content)}\n`, { flag: 'wx', mode: 0o600 });
      const lock = ownLock(path, content.token);
      (deps.onExit ?? ((fn) => process.once('exit', fn)))(() => lock.release());
      return { ok: true, lock };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        return { ok: false, message: `cannot create the lock file ${path}: ${describe(error)}` };
      }
    }
    const holder = readLock(path);
    if (holder === null && isYoung(path, now())) {
      // Created a moment ago and not written yet: another gateway is starting right now.
      return { ok: false, message: `another NHI Card Gateway is starting for this user right now. Lock file: ${path}` };
    }
    if (holder !== null && holder.pid !== pid && isRunning(holder.pid)) {
      return {
        ok: false,
        message:
          `another NHI Card Gateway is already running for this user (pid ${holder.pid}, port ${holder.port}, ` +
          `since ${holder.startedAt}); stop it first. Lock file: ${path}`,
      };
    }
    // Stale (its gateway is gone) or unreadable (a crash mid-write): move it aside, then retry the exclusive
    // create. Renaming to a unique name first means two gateways clearing the same stale lock cannot delete
    // each other's new one.
    const aside = `${path}.stale-${pid}-${Date.now()}`;
    try {
      renameSync(path, aside);
      unlinkSync(aside);
    } catch {
      // someone else moved it first; the retry decides
    }
  }
  return { ok: false, message: `could not take the lock file ${path}; if no gateway is running, delete it` };
}

function ownLock(path: string, token: string): InstanceLock {
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      try {
        if (readLock(path)?.token === token) unlinkSync(path);
      } catch {
        // already gone: nothing to release
      }
    },
  };
}

function readLock(path: string): LockContent | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockContent>;
    if (typeof parsed.pid !== 'number' || typeof parsed.port !== 'number') return null;
    return {
      pid: parsed.pid,
      port: parsed.port,
      startedAt: String(parsed.startedAt ?? 'unknown'),
      token: String(parsed.token ?? ''),
    };
  } catch {
    return null;
  }
}

/** Younger than the time a starting gateway needs between creating the lock and writing it. */
function isYoung(path: string, now: Date): boolean {
  try {
    return now.getTime() - statSync(path).mtimeMs < 2_000;
  } catch {
    return false;
  }
}

function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else (still running).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
