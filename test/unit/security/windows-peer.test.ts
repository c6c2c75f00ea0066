/**
 * The Windows peer-user check (src/security/windows-peer.ts) over fakes: TCP owner-pid tables laid out as
 * GetExtendedTcpTable writes them (ports in network byte order), TOKEN_USER buffers with the SID inside, and
 * the decision for own, other-user, unqueryable and unknown peers.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findTcpOwnerPid, sidFromTokenUser, sidToString, windowsPeerIsSameUser, type WindowsPeerApi } from '../../../src/security/windows-peer.ts';

interface Row {
  readonly localPort: number;
  readonly remotePort: number;
  readonly pid: number;
}

/** A MIB_TCPTABLE_OWNER_PID (family 4) or MIB_TCP6TABLE_OWNER_PID (family 6) as Windows fills it. */
function table(family: 4 | 6, rows: readonly Row[]): Uint8Array {
  const size = family === 4 ? 24 : 56;
  const bytes = new Uint8Array(4 + rows.length * size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, rows.length, true);
  rows.forEach((r, i) => {
    const at = 4 + i * size;
    if (family === 4) {
      view.setUint32(at, 5, true); // MIB_TCP_STATE_ESTAB
      view.setUint32(at + 4, 0x0100007f, true); // 127.0.0.1
      view.setUint16(at + 8, r.localPort, false);
      view.setUint32(at + 12, 0x0100007f, true);
      view.setUint16(at + 16, r.remotePort, false);
      view.setUint32(at + 20, r.pid, true);
    } else {
      bytes[at + 15] = 1; // ::1
      view.setUint16(at + 20, r.localPort, false);
      bytes[at + 24 + 15] = 1;
      view.setUint16(at + 44, r.remotePort, false);
      view.setUint32(at + 48, 5, true);
      view.setUint32(at + 52, r.pid, true);
    }
  });
  return bytes;
}

/** A binary SID: S-1-5-21-a-b-c-rid. */
function sid(subs: readonly number[], authority = 5): Uint8Array {
  const bytes = new Uint8Array(8 + 4 * subs.length);
  const view = new DataView(bytes.buffer);
  bytes[0] = 1;
  bytes[1] = subs.length;
  view.setUint32(4, authority, false);
  subs.forEach((s, i) => view.setUint32(8 + 4 * i, s, true));
  return bytes;
}

const GATEWAY_PORT = 8741;
const ROWS: Row[] = [
  { localPort: GATEWAY_PORT, remotePort: 0, pid: 100 }, // the gateway's listening socket
  { localPort: GATEWAY_PORT, remotePort: 50001, pid: 100 }, // our end of connection 1
  { localPort: 50001, remotePort: GATEWAY_PORT, pid: 2001 }, // the client's end: a browser of this user
  { localPort: GATEWAY_PORT, remotePort: 50002, pid: 100 },
  { localPort: 50002, remotePort: GATEWAY_PORT, pid: 3001 }, // another user's program
  { localPort: 50003, remotePort: GATEWAY_PORT, pid: 4001 }, // a process this user may not query
];

describe('TCP owner table', () => {
  it('finds the client’s end of a connection, IPv4 and IPv6', () => {
    for (const family of [4, 6] as const) {
      expect(findTcpOwnerPid(table(family, ROWS), family, 50001, GATEWAY_PORT)).toBe(2001);
      expect(findTcpOwnerPid(table(family, ROWS), family, 50002, GATEWAY_PORT)).toBe(3001);
      expect(findTcpOwnerPid(table(family, ROWS), family, 50009, GATEWAY_PORT)).toBeUndefined();
    }
  });

  it('never reads past a truncated table', () => {
    const full = table(4, ROWS);
    expect(findTcpOwnerPid(full.subarray(0, 4 + 24 * 2 + 10), 4, 50001, GATEWAY_PORT)).toBeUndefined();
    expect(findTcpOwnerPid(new Uint8Array(2), 4, 1, 2)).toBeUndefined();
  });
});

describe('SIDs', () => {
  it('are written S-R-A-sub…', () => {
    expect(sidToString(sid([21, 1004336348, 1177238915, 682003330, 1001]))).toBe('S-1-5-21-1004336348-1177238915-682003330-1001');
    expect(sidToString(sid([18]))).toBe('S-1-5-18'); // SYSTEM
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 15 }), (subs) => {
        expect(sidToString(sid(subs))).toBe(`S-1-5-${subs.join('-')}`);
      }),
    );
    expect(sidToString(sid([21, 1, 2]).subarray(0, 12))).toBeUndefined();
  });

  it('are read from TOKEN_USER through its pointer into the same buffer (32- and 64-bit)', () => {
    for (const pointerSize of [4, 8] as const) {
      const user = sid([21, 11, 22, 33, 1001]);
      const header = pointerSize * 2; // SID_AND_ATTRIBUTES: PSID, DWORD (padded)
      const buffer = new Uint8Array(header + user.length);
      buffer.set(user, header);
      const address = 0x10_0000n;
      const view = new DataView(buffer.buffer);
      if (pointerSize === 8) view.setBigUint64(0, address + BigInt(header), true);
      else view.setUint32(0, Number(address) + header, true);
      expect(sidFromTokenUser(buffer, address, pointerSize)).toBe('S-1-5-21-11-22-33-1001');
      // A pointer outside the buffer is not followed.
      expect(sidFromTokenUser(buffer, address + 4096n, pointerSize)).toBeUndefined();
    }
  });
});

describe('the decision', () => {
  const OURS = 'S-1-5-21-1-2-3-1001';
  const api = (overrides: Partial<WindowsPeerApi> = {}): WindowsPeerApi => ({
    tcpTable: (family) => table(family, ROWS),
    processUserSid: (pid) => (pid === 2001 ? OURS : pid === 3001 ? 'S-1-5-21-1-2-3-1002' : pid === 4001 ? 'denied' : undefined),
    currentUserSid: () => OURS,
    ...overrides,
  });
  const socket = (clientPort: number, localAddress = '127.0.0.1') => ({ remotePort: clientPort, localPort: GATEWAY_PORT, localAddress });

  it('admits this user’s programs and refuses another user’s and unqueryable ones', () => {
    expect(windowsPeerIsSameUser(api(), socket(50001), 100)).toBe(true);
    expect(windowsPeerIsSameUser(api(), socket(50002), 100)).toBe(false);
    expect(windowsPeerIsSameUser(api(), socket(50003), 100)).toBe(false);
    expect(windowsPeerIsSameUser(api(), socket(50001, '::1'), 100)).toBe(true);
    expect(windowsPeerIsSameUser(api(), socket(50002, '::1'), 100)).toBe(false);
  });

  it('answers unknown (nothing refused) when it cannot tell', () => {
    expect(windowsPeerIsSameUser(api(), socket(50009), 100)).toBeUndefined(); // not a local connection
    expect(windowsPeerIsSameUser(api({ tcpTable: () => undefined }), socket(50002), 100)).toBeUndefined();
    expect(windowsPeerIsSameUser(api({ currentUserSid: () => undefined }), socket(50002), 100)).toBeUndefined();
    expect(windowsPeerIsSameUser(api(), undefined, 100)).toBeUndefined();
  });

  it('says nothing about rows owned by the idle or System pseudo-processes (pid 0, 4)', () => {
    for (const pid of [0, 4]) {
      const rows = [{ localPort: 50006, remotePort: GATEWAY_PORT, pid }];
      expect(windowsPeerIsSameUser(api({ tcpTable: (f) => table(f, rows), processUserSid: () => 'denied' }), socket(50006), 100)).toBeUndefined();
    }
  });

  it('does not query its own process', () => {
    const rows = [{ localPort: 50005, remotePort: GATEWAY_PORT, pid: 100 }];
    expect(windowsPeerIsSameUser(api({ tcpTable: (f) => table(f, rows), processUserSid: () => 'denied' }), socket(50005), 100)).toBe(true);
  });
});
