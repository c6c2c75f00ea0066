/**
 * `deno task start` (deno.json) runs the same gateway under Deno 2 on the simulator: a query and a
 * subscription over SSE, from a real client on a real port. Deno comes from the pinned `deno` npm
 * devDependency (its postinstall puts the binary at node_modules/deno/deno, which the task calls).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSse } from '../../helpers/sse.ts';
import { freePort } from '../../helpers/free-port.ts';

const ROOT = join(import.meta.dirname, '../../..');
const DENO = join(ROOT, 'node_modules/deno/deno');


describe('the gateway under Deno (deno task start)', () => {
  let child: ChildProcess;
  let work: string;
  let url: string;
  let output = '';
  let exited: Promise<void>;

  beforeAll(async () => {
    if (!existsSync(DENO)) {
      throw new Error(`${DENO} is missing: run npm ci (the deno devDependency's postinstall puts the binary there)`);
    }
    work = mkdtempSync(join(tmpdir(), 'nhi-deno-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: '1',
      DENO_DIR: join(ROOT, '.cache/deno'),
      NHI_GATEWAY_DATA_DIR: join(work, 'data'),
      NHI_GATEWAY_LOG_DIR: join(work, 'logs'),
    };
    delete env['NODE_OPTIONS'];
    // Its own process group, so stopping it also stops the `deno run` that `deno task` starts.
    child = spawn(DENO, ['task', 'start', '--backend', 'simulator', '--port', String(port)], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`deno task start exited with ${child.exitCode}:\n${output}`);
      try {
        // /ready, not /health: /health answers while the app is still being built (src/early-server.ts).
        if ((await fetch(`${url}/ready`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the gateway under Deno did not answer /ready:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 120_000);

  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      process.kill(-child.pid, 'SIGTERM');
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('prints the banner from src/main.ts', () => {
    expect(output).toContain('NHI Card Gateway');
    expect(output).toContain('backend:   simulator (chosen with --backend; no card reader needed)');
  });

  it('answers a query', async () => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ gateway { version backend ready } lightState { ... on LightState { healthCard { level colour } } } }' }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      gateway: { version: expect.stringMatching(/^\d+\.\d+\.\d+/), backend: 'SIMULATOR', ready: true },
      lightState: { healthCard: { level: 0, colour: expect.any(String) } },
    });
  });

  it('delivers a subscription over SSE', async () => {
    const events = await collectSse<{ lightStateChanged: { healthCard: { level: number }; professionalCard: { level: number } } }>(
      `${url}/graphql`,
      'subscription { lightStateChanged { healthCard { level } professionalCard { level } } }',
      undefined,
      { take: 1, signal: AbortSignal.timeout(30_000) },
    );
    // Each event carries its id for Last-Event-ID resume (docs/protocol.md).
    expect(events).toEqual([
      { data: { lightStateChanged: { healthCard: { level: 0 }, professionalCard: { level: 0 } } }, extensions: { eventId: expect.stringMatching(/^[0-9a-z]+-\d+$/) } },
    ]);
  });
});
