/**
 * Which OS user is on the other end of a loopback TCP connection, on Linux: the kernel lists every socket
 * with its owner's uid in /proc/net/tcp and tcp6, so the client's socket (its local port is our remote
 * port, its remote port our local port) names its user. Each OS user runs their own gateway
 * (docs/terminal-server.md): on a shared host another user's program can reach 127.0.0.1 too, so the door
 * (src/plugins/use-access-control.ts) refuses every request and WebSocket of another user, and pairing codes
 * are shown to this user's programs only. On Windows the TCP owner-pid table and the process's token say the
 * same (src/security/windows-peer.ts). On macOS the answer is "unknown" and nothing is refused on it
 * (docs/terminal-server.md says what that means there).
 */
import { readFileSync } from 'node:fs';
import { windowsPeerIsSameUser, type WindowsPeerApi } from './windows-peer.ts';
import { createWindowsPeerApi } from '../adapters/windows/peer-process.ts';

interface SocketLike {
  readonly remotePort?: number | undefined;
  readonly localPort?: number | undefined;
  readonly remoteAddress?: string | undefined;
  readonly localAddress?: string | undefined;
}

/** The peer's uid, or undefined when it cannot be known (not Linux, not found, no socket). */
export function peerUid(socket: SocketLike | undefined, platform: NodeJS.Platform = process.platform): number | undefined {
  if (platform !== 'linux' || !socket?.remotePort || !socket.localPort) return undefined;
  const local = socket.remotePort.toString(16).toUpperCase().padStart(4, '0');
  const remote = socket.localPort.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns.length < 8) continue;
      if (columns[1]!.endsWith(`:${local}`) && columns[2]!.endsWith(`:${remote}`)) return Number(columns[7]);
    }
  }
  return undefined;
}

/**
 * False only when the peer is known to be another OS user than the gateway's. In-process calls (no socket)
 * and platforms without the lookup count as this user.
 */
export function isSameUserPeer(serverContext: unknown, platform: NodeJS.Platform = process.platform): boolean {
  const socket = (serverContext as { req?: { socket?: SocketLike } } | undefined)?.req?.socket;
  return isSameUserSocket(socket, platform);
}

/** Decided once per connection (keep-alive requests reuse it): the table is read at most once per socket. */
const decided = new WeakMap<object, boolean>();

/** {@link isSameUserPeer} for a socket (a WebSocket's upgrade request has one too). */
export function isSameUserSocket(socket: SocketLike | undefined, platform: NodeJS.Platform = process.platform): boolean {
  if ((platform !== 'linux' && platform !== 'win32') || !socket) return true;
  const known = decided.get(socket);
  if (known !== undefined) return known;
  let same: boolean;
  if (platform === 'win32') {
    const api = windowsApi();
    try {
      same = api ? windowsPeerIsSameUser(api, socket) !== false : true;
    } catch {
      same = true; // a native call that fails says nothing about the caller; the credential rules still apply
    }
  } else {
    const uid = peerUid(socket, platform);
    same = uid === undefined || uid === process.getuid?.();
  }
  decided.set(socket, same);
  return same;
}

let windowsPeerApi: WindowsPeerApi | null | undefined;
/** koffi and the three DLLs, loaded at the first connection; if that fails, peers are "unknown" (not refused). */
function windowsApi(): WindowsPeerApi | null {
  if (windowsPeerApi === undefined) {
    try {
      windowsPeerApi = createWindowsPeerApi();
    } catch {
      windowsPeerApi = null;
    }
  }
  return windowsPeerApi;
}
