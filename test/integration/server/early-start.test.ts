/**
 * The port answers before the app is built (src/early-server.ts, src/main.ts): a real gateway process
 * (`node --import tsx src/main.ts`, simulator backend) whose loading of src/main-app.ts is held by a loader
 * hook until the test opens a gate file (test/support/hold-app-load.mjs). Everything sent before the gate
 * opens was sent before the app could be ready, so nothing here depends on timing:
 * - /health answers 200 (as yoga answers it later), /ready 503 with the reason "starting", /status a page
 *   that says so;
 * - a GraphQL POST and a graphql-ws operation sent then are not refused: they get their normal answers
 *   once the app is built; /ready turns 200;
 * - a /health with a foreign Host is not answered early (the door's Host check applies): it waits for the app.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/free-port.ts';
import { createWsClient } from '../../helpers/ws.ts';

/** Starting tsx takes seconds, many more on a busy shared machine; nothing here is timed. */
const TIMEOUT_MS = 180_000;

let dir: string | undefined;
let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = child = undefined;
});

/** Polls until the port answers /health (connection refused until it is bound). */
async function untilBound(base: string, proc: ChildProcess, output: () => string): Promise<Response> {
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`gateway exited ${proc.exitCode}: ${output()}`);
    try {
      return await fetch(`${base}/health`);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** GET with a chosen Host header (fetch does not let one set Host). */
function getWithHost(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('answering before the app is built', () => {
  it('/health and /ready answer at once; GraphQL over HTTP and graphql-ws sent then get their normal answers', { timeout: TIMEOUT_MS }, async () => {
    dir = mkdtempSync(join(tmpdir(), 'nhi-early-start-'));
    const gate = join(dir, 'gate');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './test/support/hold-app-load.mjs', 'src/main.ts', '--backend', 'simulator', '--port', String(port), '--log-dir', join(dir, 'logs')],
      { env: { ...process.env, NHI_GATEWAY_DATA_DIR: join(dir, 'data'), NHI_TEST_APP_GATE: gate }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const bannerOut = new Promise<void>((resolve) => proc.stdout!.on('data', () => out.includes('Ctrl+C to stop') && resolve()));

    // The gate is closed: the app cannot be built yet.
    const health = await untilBound(base, proc, () => out);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-yoga-id')).toBe('yoga');
    expect(await health.text()).toBe('');
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, reasons: ['starting'] });
    const status = await fetch(`${base}/status`);
    expect(status.status).toBe(200);
    expect(status.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await status.text()).toContain('The gateway is starting');
    expect(out).not.toContain('Ctrl+C to stop');

    // Sent before the app exists; answered once it does.
    let foreignAnswered = false;
    const foreign = getWithHost(port, '/health', 'attacker.example').then((status) => ((foreignAnswered = true), status));
    const graphql = fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-nhi-gateway': '1' },
      body: JSON.stringify({ query: '{ gateway { version } }' }),
    });
    const ws = createWsClient(`${base}/graphql`);
    const wsResult = new Promise<unknown>((resolve, reject) => {
      let value: unknown;
      ws.subscribe({ query: '{ gateway { version } }' }, { next: (v) => (value = v), error: reject, complete: () => resolve(value) });
    });
    // A later early answer on another connection: the foreign-Host /health sent before it is still held.
    expect((await fetch(`${base}/ready`)).status).toBe(503);
    expect(foreignAnswered).toBe(false);

    writeFileSync(gate, '');
    const answer = await graphql;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ data: { gateway: { version: expect.any(String) } } });
    expect(await wsResult).toEqual({ data: { gateway: { version: expect.any(String) } } });
    await ws.dispose();
    // What the app's door answers a foreign Host on /health: yoga's health check, as before this change.
    expect(await foreign).toBe(200);
    await bannerOut;
    const readyNow = await fetch(`${base}/ready`);
    expect(readyNow.status).toBe(200);
    expect(((await readyNow.json()) as { ready: boolean }).ready).toBe(true);
    // The app's own status page from now on.
    expect(await (await fetch(`${base}/status`)).text()).not.toContain('The gateway is starting');
  });
});
