/** The discovery file (src/per-user/discovery.ts) and `nhi-gateway where`, on real files and real pids. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoveryPath, publishDiscovery, readDiscovery, type GatewayDiscovery } from '../../../src/per-user/discovery.ts';
import { runWhereCommand } from '../../../src/per-user/where-cli.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nhi-discovery-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const info = (pid: number): GatewayDiscovery => ({
  port: 8741,
  pid,
  version: '0.1.0',
  startedAt: '2026-12-02T05:00:00.000Z',
  user: 'desk1',
  url: 'http://127.0.0.1:8741',
});
/** A pid that surely ran and has ended. */
const endedPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;
const noExitHook = { onExit: () => undefined };

function where(args: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runWhereCommand([...args, '--data-dir', dir], {}, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('discovery file', () => {
  it('is written 0600 with port, pid, version, start, user and URL only, and removed on stop', () => {
    const published = publishDiscovery(dir, info(process.pid), noExitHook);
    expect(published.path).toBe(join(dir, 'gateway.json'));
    if (process.platform !== 'win32') expect(statSync(published.path).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(readFileSync(published.path, 'utf8'))).sort()).toEqual(['pid', 'port', 'startedAt', 'url', 'user', 'version']);
    expect(readDiscovery(dir)).toEqual({ state: 'running', info: info(process.pid) });
    expect(where([])).toMatchObject({ code: 0, out: ['http://127.0.0.1:8741/graphql', expect.stringContaining(`pid ${process.pid}`)] });
    expect(JSON.parse(where(['--json']).out[0]!)).toMatchObject({ state: 'running', port: 8741 });
    published.remove();
    expect(existsSync(published.path)).toBe(false);
    expect(where([])).toMatchObject({ code: 1, err: [expect.stringContaining('no gateway running')] });
  });

  it('is stale when its pid has ended: where says so, and the next start replaces it', () => {
    const dead = endedPid();
    writeFileSync(discoveryPath(dir), JSON.stringify(info(dead)));
    expect(readDiscovery(dir).state).toBe('stale');
    expect(where([])).toMatchObject({ code: 1, err: [expect.stringContaining(`left from pid ${dead}`)] });
    const published = publishDiscovery(dir, info(process.pid), noExitHook);
    expect(published.replacedStale?.pid).toBe(dead);
    expect(readDiscovery(dir)).toMatchObject({ state: 'running', info: { pid: process.pid } });
  });

  it('refuses to replace the file of another gateway that still runs, and never removes another’s file', () => {
    writeFileSync(discoveryPath(dir), JSON.stringify(info(process.ppid)));
    expect(() => publishDiscovery(dir, info(process.pid), noExitHook)).toThrow(`pid ${process.ppid}`);
    const dead = endedPid();
    const mine = publishDiscovery(dir, info(dead), { ...noExitHook, isRunning: () => false });
    writeFileSync(discoveryPath(dir), JSON.stringify(info(process.ppid)));
    mine.remove();
    expect(readDiscovery(dir)).toMatchObject({ state: 'running', info: { pid: process.ppid } });
  });
});
