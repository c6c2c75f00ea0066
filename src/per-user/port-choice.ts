/**
 * Which port a gateway listens on when `--port` is not given (docs/terminal-server.md). On a shared
 * workstation or terminal server each OS user runs their own gateway, so one fixed port cannot do:
 *
 * 1. the documented default (8737) first, so a single-user clinic sees nothing new;
 * 2. if it is taken (by another user's gateway, or any program), the user's own port: the base plus an
 *    offset from 1 to RANGE-1 derived from the user (the uid on Linux/macOS, `DOMAIN\user` on Windows),
 *    so the same user usually gets the same port every day;
 * 3. then the ports after that one, wrapping around, until one is free.
 *
 * Every candidate is in `base … base + USER_PORT_RANGE - 1`: the range the client kit's `findGateway`
 * tries (client/src/find-gateway.ts). An explicit `--port` keeps its meaning: that port or a start failure.
 */
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';

/** How many ports the per-user range has (8737–8768 with the default base). Keep in step with the client kit. */
export const USER_PORT_RANGE = 32;

/** What identifies the OS user: the uid where there is one, else the Windows account name (case-insensitive). */
export function currentUserKey(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform !== 'win32' && typeof process.getuid === 'function') return `uid:${process.getuid()}`;
  const domain = env['USERDOMAIN'] ?? '';
  const name = env['USERNAME'] ?? userInfo().username;
  return `account:${`${domain}\\${name}`.toLowerCase()}`;
}

/** The user's own offset in the range: 1 … range-1 (0 is the shared default port). */
export function userPortOffset(userKey: string, range = USER_PORT_RANGE): number {
  const digest = createHash('sha256').update(userKey).digest();
  return 1 + (digest.readUInt32BE(0) % (range - 1));
}

/** The ports to try, in order: the base, the user's own, then the rest of the range after it. */
export function userPortCandidates(base: number, userKey: string, range = USER_PORT_RANGE): number[] {
  const offset = userPortOffset(userKey, range);
  const ports = [base];
  for (let i = 0; i < range - 1; i++) ports.push(base + 1 + ((offset - 1 + i) % (range - 1)));
  return ports.filter((port) => port <= 65535);
}

/**
 * Tries `listen` on each candidate until one is not in use. Other failures (not allowed, no such address)
 * end the search at once: they would fail on every port. When every port is taken, the last error is thrown
 * with a message naming the range.
 */
export async function listenOnFirstFree<T>(candidates: readonly number[], listen: (port: number) => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (const port of candidates) {
    try {
      return await listen(port);
    } catch (error) {
      if (!isAddressInUse(error)) throw error;
      lastError = error;
    }
  }
  throw new Error(
    `every port from ${candidates[0]} to ${Math.max(...candidates)} is in use (one gateway per user takes one of them); stop a gateway or use --port`,
    { cause: lastError },
  );
}

function isAddressInUse(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e.code === 'EADDRINUSE') return true;
  }
  return false;
}
