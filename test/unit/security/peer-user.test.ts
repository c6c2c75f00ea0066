/** The peer's OS user of a real loopback connection, from /proc/net/tcp (Linux). */
import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isSameUserPeer, peerUid } from '../../../src/security/peer-user.ts';

describe.skipIf(process.platform !== 'linux')('peer user (Linux only: /proc/net/tcp)', () => {
  it('names this process’s uid for a connection it made itself, over IPv4 and IPv6', async () => {
    for (const host of ['127.0.0.1', '::1']) {
      const accepted = new Promise<Socket>((resolve) => {
        const server = createServer((socket) => {
          resolve(socket);
          server.close();
        });
        server.listen(0, host, () => {
          const { port } = server.address() as { port: number };
          const client = connect(port, host);
          client.on('error', () => undefined);
          server.once('close', () => client.destroy());
        });
      });
      const socket = await accepted;
      expect(peerUid(socket), host).toBe(process.getuid!());
      expect(isSameUserPeer({ req: { socket } })).toBe(true);
      socket.destroy();
    }
  });

  it('answers unknown without a socket or off Linux', () => {
    expect(peerUid(undefined)).toBeUndefined();
    expect(peerUid({ remotePort: 1, localPort: 2 }, 'win32')).toBeUndefined();
    expect(isSameUserPeer(undefined)).toBe(true);
  });
});
