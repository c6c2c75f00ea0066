/**
 * The discovery file (docs/terminal-server.md): `gateway.json` in the user's data folder says where this
 * user's running gateway listens — `{ port, pid, version, startedAt, user, url }`, nothing secret — so
 * scripts, `nhi-gateway where` and support staff need not guess among the per-user ports.
 *
 * Written after the server listens (0600, through a temporary file and a rename, so a reader never sees
 * half of it; on Windows the data folder's user-only ACL, src/security/private-files.ts, covers it), removed
 * on a clean stop and at process exit. A file whose pid is no longer running is stale: the next start
 * replaces it and `where` says so.
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DISCOVERY_FILE = 'gateway.json';

export interface GatewayDiscovery {
  readonly port: number;
  readonly pid: number;
  readonly version: string;
  readonly startedAt: string;
  /** The OS account that runs it (the operator's login, not a patient's). */
  readonly user: string;
  /** e.g. `http://127.0.0.1:8741` (the GraphQL endpoint is `<url>/graphql`). */
  readonly url: string;
}

export type DiscoveryState =
  | { readonly state: 'absent' }
  | { readonly state: 'unreadable'; readonly reason: string }
  | { readonly state: 'stale'; readonly info: GatewayDiscovery }
  | { readonly state: 'running'; readonly info: GatewayDiscovery };

export interface DiscoveryDeps {
  /** Whether a process with this pid runs. @default `process.kill(pid, 0)` (EPERM counts as running) */
  readonly isRunning?: (pid: number) => boolean;
  /** Registers a function for process exit. @default `process.once('exit', …)` */
  readonly onExit?: (fn: () => void) => void;
}

export function discoveryPath(dataDir: string): string {
  return join(dataDir, DISCOVERY_FILE);
}

/** What the data folder's discovery file says, with its pid checked. */
export function readDiscovery(dataDir: string, deps: DiscoveryDeps = {}): DiscoveryState {
  const isRunning = deps.isRunning ?? processIsRunning;
  let text: string;
  try {
    text = readFileSync(discoveryPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    return { state: 'unreadable', reason: (error as Error).message };
  }
  let parsed: Partial<GatewayDiscovery>;
  try {
    parsed = JSON.parse(text) as Partial<GatewayDiscovery>;
  } catch {
    return { state: 'unreadable', reason: 'not JSON' };
  }
  if (typeof parsed.pid !== 'number' || typeof parsed.port !== 'number') return { state: 'unreadable', reason: 'no pid or port' };
  const info: GatewayDiscovery = {
    port: parsed.port,
    pid: parsed.pid,
    version: String(parsed.version ?? ''),
    startedAt: String(parsed.startedAt ?? ''),
    user: String(parsed.user ?? ''),
    url: String(parsed.url ?? `http://127.0.0.1:${parsed.port}`),
  };
  return isRunning(info.pid) ? { state: 'running', info } : { state: 'stale', info };
}

export interface PublishedDiscovery {
  readonly path: string;
  /** Set when a stale file (a gateway that did not stop cleanly) was replaced. */
  readonly replacedStale?: GatewayDiscovery;
  /** Removes the file if it is still this process's. Idempotent. */
  remove(): void;
}

/**
 * Writes this gateway's discovery file. Throws when the file names another gateway that is still running
 * (the instance lock normally stops that earlier: one gateway per data folder).
 */
export function publishDiscovery(dataDir: string, info: GatewayDiscovery, deps: DiscoveryDeps = {}): PublishedDiscovery {
  const path = discoveryPath(dataDir);
  const before = readDiscovery(dataDir, deps);
  if (before.state === 'running' && before.info.pid !== info.pid) {
    throw new Error(`another gateway of this user is running (pid ${before.info.pid}, ${before.info.url}); see ${path}`);
  }
  const temporary = `${path}.${info.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    const now = readDiscovery(dataDir, { isRunning: () => true });
    if (now.state !== 'absent' && now.state !== 'unreadable' && now.info.pid !== info.pid) return;
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  };
  (deps.onExit ?? ((fn) => process.once('exit', fn)))(remove);
  return { path, ...(before.state === 'stale' ? { replacedStale: before.info } : {}), remove };
}

function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
