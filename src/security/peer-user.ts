/**
 * Which OS user is on the other end of a loopback TCP connection, on Linux: the kernel lists every socket
 * with its owner's uid in /proc/net/tcp and tcp6, so the client's socket (its local port is our remote
 * port, its remote port our local port) names its user. Used to keep pairing codes to this user's own
 * programs and browser (docs/security.md, "Pairing"): on a shared host another user's program can reach
 * 127.0.0.1 too. Elsewhere (Windows, macOS) the answer is "unknown" and nothing is refused on it.
 */
import { readFileSync } from 'node:fs';

interface SocketLike {
  readonly remotePort?: number | undefined;
  readonly localPort?: number | undefined;
  readonly remoteAddress?: string | undefined;
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
  const uid = peerUid(socket, platform);
  return uid === undefined || uid === process.getuid?.();
}
