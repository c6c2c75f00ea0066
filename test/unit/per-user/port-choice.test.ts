/** The per-user port range (src/per-user/port-choice.ts) and the client kit's copy of it agree; real listens. */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { currentUserKey, listenOnFirstFree, USER_PORT_RANGE, userPortCandidates, userPortOffset } from '../../../src/per-user/port-choice.ts';
import { DEFAULT_PORT } from '../../../src/config.ts';
import { GATEWAY_BASE_PORT, GATEWAY_PORTS } from '../../../client/src/find-gateway.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      servers.push(server);
      resolve(server);
    });
  });
}

describe('per-user port candidates', () => {
  it('start at the default port, then the user’s own, and cover the range once', () => {
    fc.assert(
      fc.property(fc.string(), (key) => {
        const ports = userPortCandidates(DEFAULT_PORT, key);
        expect(ports[0]).toBe(DEFAULT_PORT);
        expect(ports[1]).toBe(DEFAULT_PORT + userPortOffset(key));
        expect([...ports].sort((a, b) => a - b)).toEqual(GATEWAY_PORTS);
      }),
    );
  });

  it('are the same for the same user every time, and differ between users', () => {
    expect(userPortCandidates(DEFAULT_PORT, 'uid:1001')).toEqual(userPortCandidates(DEFAULT_PORT, 'uid:1001'));
    const own = new Set(Array.from({ length: 40 }, (_, uid) => userPortOffset(`uid:${1000 + uid}`)));
    expect(own.size).toBeGreaterThan(15);
    expect(Math.min(...own)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...own)).toBeLessThanOrEqual(USER_PORT_RANGE - 1);
  });

  it('the client kit tries exactly the gateway’s range (8737–8768, named in --help and docs)', () => {
    expect(GATEWAY_BASE_PORT).toBe(DEFAULT_PORT);
    expect(GATEWAY_PORTS).toEqual(Array.from({ length: USER_PORT_RANGE }, (_, i) => DEFAULT_PORT + i));
    expect(GATEWAY_PORTS.at(-1)).toBe(8768);
  });

  it('keys a user by uid on POSIX and by DOMAIN\\name (case-insensitive) on Windows', () => {
    if (process.getuid) expect(currentUserKey({}, 'linux')).toBe(`uid:${process.getuid()}`);
    expect(currentUserKey({ USERDOMAIN: 'CLINIC', USERNAME: 'Desk1' }, 'win32')).toBe('account:clinic\\desk1');
  });
});

describe('listenOnFirstFree', () => {
  it('skips ports in use and takes the next candidate', async () => {
    const taken = await listen(0);
    const takenPort = (taken.address() as { port: number }).port;
    const free = await listen(0);
    const freePort = (free.address() as { port: number }).port;
    await new Promise((resolve) => free.close(resolve));
    servers.splice(servers.indexOf(free), 1);
    const got = await listenOnFirstFree([takenPort, freePort], listen);
    expect((got.address() as { port: number }).port).toBe(freePort);
  });

  it('names the range when every port is taken, and stops at once on other errors', async () => {
    const taken = await listen(0);
    const port = (taken.address() as { port: number }).port;
    await expect(listenOnFirstFree([port, port], listen)).rejects.toThrow(`every port from ${port} to ${port} is in use`);
    let calls = 0;
    const denied = Object.assign(new Error('not allowed'), { code: 'EACCES' });
    await expect(
      listenOnFirstFree([1, 2, 3], () => {
        calls++;
        return Promise.reject(denied);
      }),
    ).rejects.toBe(denied);
    expect(calls).toBe(1);
  });
});
