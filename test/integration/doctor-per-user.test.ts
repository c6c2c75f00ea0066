/**
 * The doctor's port row on a shared PC, as processes: gateway A runs under one HOME without --port; the doctor
 * under another HOME (another data folder, so another "user" as far as the discovery file goes) must not call
 * A's gateway its own, and names the port a gateway started there now would take — the gateway's own
 * candidates (src/per-user/port-choice.ts) — skipping a port another program holds. Under A's HOME it finds
 * A's gateway through the discovery file.
 *
 * Both HOMEs share this test's uid, so their candidate lists are the same: what tells them apart is the data
 * folder, exactly what the doctor reads.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childHome, runGateway, startGateway, type ChildHome, type RunningGateway } from '../helpers/gateway-child.ts';
import { currentUserKey, userPortCandidates } from '../../src/per-user/port-choice.ts';

// Generous: a tsx process starts slowly on a loaded 2-core machine, and this test runs three.
const PROCESS_MS = 180_000;

interface PortRow {
  status: string;
  detail: string;
}

async function portRow(home: ChildHome): Promise<PortRow> {
  const run = await runGateway(['doctor', '--backend', 'simulator', '--json'], home.env);
  const report = JSON.parse(run.stdout) as { checks: Array<PortRow & { id: string }> };
  const row = report.checks.find((c) => c.id === 'gateway-port');
  if (!row) throw new Error(`no port row: ${run.stdout}${run.stderr}`);
  return row;
}

const wouldTake = (detail: string): number => {
  const m = /started now it would take 127\.0\.0\.1:(\d+) \(free\)/.exec(detail);
  if (!m) throw new Error(`no port named: ${detail}`);
  return Number(m[1]);
};

/** Another program on `port`: it accepts and hangs up at once (no HTTP), so it holds no connection at close. */
function hold(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.destroy();
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('doctor: per-user ports, two HOMEs', () => {
  let homeA: ChildHome;
  let homeB: ChildHome;
  let gatewayA: RunningGateway;
  let portA: number;
  let pidA: number;
  const candidates = userPortCandidates(8737, currentUserKey());

  beforeAll(async () => {
    homeA = childHome();
    homeB = childHome();
    gatewayA = startGateway(['--backend', 'simulator'], homeA.env);
    expect(await gatewayA.started).toEqual({ kind: 'listening' });
    const discovery = JSON.parse(readFileSync(join(homeA.env['XDG_STATE_HOME']!, 'nhi-gateway', 'gateway.json'), 'utf8')) as { port: number; pid: number };
    portA = discovery.port;
    pidA = discovery.pid;
  }, PROCESS_MS);
  afterAll(async () => {
    await gatewayA?.stop();
    homeA?.dispose();
    homeB?.dispose();
  });

  it('under A’s HOME: A’s gateway, found through its discovery file, ready', { timeout: PROCESS_MS }, async () => {
    const row = await portRow(homeA);
    expect(row.status).toBe('pass');
    expect(row.detail).toMatch(new RegExp(`^this user's gateway \\(pid ${pidA}, .*gateway\\.json\\) at http://127\\.0\\.0\\.1:${portA}: ready$`));
  });

  it('under B’s HOME: no gateway of B’s, never A’s called B’s; another program’s port is skipped', { timeout: PROCESS_MS }, async () => {
    const row = await portRow(homeB);
    expect(row.status).toBe('pass');
    expect(row.detail).toMatch(/^no gateway of this user running; started now it would take/);
    expect(row.detail).not.toContain("this user's gateway");
    const port = wouldTake(row.detail);
    expect(port).not.toBe(portA);
    expect(candidates).toContain(port);
    // A's port, if it comes before, is named as someone else's gateway.
    if (candidates.indexOf(portA) < candidates.indexOf(port)) expect(row.detail).toContain(`${portA} in use by another gateway (not this user's)`);

    // Another program takes that port: the next candidate, and the program named as such.
    const program = await hold(port);
    try {
      const next = await portRow(homeB);
      expect(next.status).toBe('pass');
      const nextPort = wouldTake(next.detail);
      expect(candidates.indexOf(nextPort)).toBeGreaterThan(candidates.indexOf(port));
      expect(next.detail).toContain(`${port} in use by another program`);
    } finally {
      await new Promise((done) => program.close(done));
    }
  });
});
