/**
 * Which Windows user is on the other end of a loopback TCP connection (docs/terminal-server.md, section 5):
 * the TCP table with owner pids (`GetExtendedTcpTable`, TCP_TABLE_OWNER_PID_ALL) names the client's process,
 * the process's token names its user (`OpenProcess`, `OpenProcessToken`, `GetTokenInformation(TokenUser)`),
 * and the SID is compared with the gateway's own. The native calls are in src/adapters/windows/peer-process.ts;
 * everything here is pure (tables and token buffers as bytes), so it is unit-tested on any OS over fakes.
 */

/** What the native side provides (src/adapters/windows/peer-process.ts; fakes in tests). */
export interface WindowsPeerApi {
  /** The raw MIB_TCPTABLE_OWNER_PID (IPv4) or MIB_TCP6TABLE_OWNER_PID (IPv6), or undefined when the call fails. */
  tcpTable(family: 4 | 6): Uint8Array | undefined;
  /**
   * The SID (`S-1-5-21-…`) of the user a process runs as; `denied` when this user may not even query the
   * process (another user's, or a protected one); undefined when it cannot be told (the process ended).
   */
  processUserSid(pid: number): string | 'denied' | undefined;
  /** The gateway's own user SID. */
  currentUserSid(): string | undefined;
}

const IPV4_ROW = 24; // dwState, dwLocalAddr, dwLocalPort, dwRemoteAddr, dwRemotePort, dwOwningPid
const IPV6_ROW = 56; // ucLocalAddr[16], dwLocalScopeId, dwLocalPort, ucRemoteAddr[16], dwRemoteScopeId, dwRemotePort, dwState, dwOwningPid

/** A port as the TCP table stores it: network byte order in the low 16 bits of a DWORD. */
function portAt(view: DataView, offset: number): number {
  return view.getUint16(offset, false);
}

/**
 * The pid owning the connection whose local port is `clientPort` and remote port `serverPort` (the client's
 * end of our accepted socket), from a raw owner-pid TCP table; undefined when no such row.
 */
export function findTcpOwnerPid(table: Uint8Array, family: 4 | 6, clientPort: number, serverPort: number): number | undefined {
  if (table.byteLength < 4) return undefined;
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const count = view.getUint32(0, true);
  const size = family === 4 ? IPV4_ROW : IPV6_ROW;
  const [local, remote, pid] = family === 4 ? [8, 16, 20] : [20, 44, 52];
  for (let i = 0; i < count; i++) {
    const row = 4 + i * size;
    if (row + size > table.byteLength) break;
    if (portAt(view, row + local) === clientPort && portAt(view, row + remote) === serverPort) return view.getUint32(row + pid, true);
  }
  return undefined;
}

/**
 * A SID in its string form from its binary form (revision, sub-authority count, 48-bit authority big-endian,
 * then 32-bit little-endian sub-authorities), e.g. `S-1-5-21-1004336348-1177238915-682003330-1001`.
 */
export function sidToString(sid: Uint8Array): string | undefined {
  if (sid.byteLength < 8) return undefined;
  const count = sid[1]!;
  if (sid.byteLength < 8 + 4 * count) return undefined;
  const view = new DataView(sid.buffer, sid.byteOffset, sid.byteLength);
  const authority = view.getUint16(2, false) * 2 ** 32 + view.getUint32(4, false);
  const parts = [`S-${sid[0]}-${authority}`];
  for (let i = 0; i < count; i++) parts.push(String(view.getUint32(8 + 4 * i, true)));
  return parts.join('-');
}

/**
 * The user's SID from a TOKEN_USER buffer filled by GetTokenInformation: its first field is a pointer to the
 * SID, which Windows places inside the same buffer; `bufferAddress` is the buffer's address (koffi.address).
 */
export function sidFromTokenUser(buffer: Uint8Array, bufferAddress: bigint, pointerSize: 4 | 8): string | undefined {
  if (buffer.byteLength < pointerSize) return undefined;
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const pointer = pointerSize === 8 ? view.getBigUint64(0, true) : BigInt(view.getUint32(0, true));
  const offset = Number(pointer - bufferAddress);
  if (!Number.isInteger(offset) || offset < pointerSize || offset >= buffer.byteLength) return undefined;
  return sidToString(buffer.subarray(offset));
}

interface SocketLike {
  readonly remotePort?: number | undefined;
  readonly localPort?: number | undefined;
  readonly localAddress?: string | undefined;
}

/**
 * True: the client runs as the gateway's user; false: another user's (or a process this user may not query);
 * undefined: cannot be told (no socket, not a local connection, a failed call) and nothing is refused on it.
 */
export function windowsPeerIsSameUser(api: WindowsPeerApi, socket: SocketLike | undefined, ownPid: number = process.pid): boolean | undefined {
  if (!socket?.remotePort || !socket.localPort) return undefined;
  const family = socket.localAddress?.includes(':') && !socket.localAddress.startsWith('::ffff:') ? 6 : 4;
  const table = api.tcpTable(family);
  if (!table) return undefined;
  const pid = findTcpOwnerPid(table, family, socket.remotePort, socket.localPort);
  // 0 and 4 are the idle and System pseudo-processes: never a real client (Wine also reports 0 for a socket
  // of a process it does not manage), so they say nothing about the caller.
  if (pid === undefined || pid === 0 || pid === 4) return undefined;
  if (pid === ownPid) return true;
  const theirs = api.processUserSid(pid);
  if (theirs === 'denied') return false;
  const ours = api.currentUserSid();
  if (theirs === undefined || ours === undefined) return undefined;
  return theirs === ours;
}
