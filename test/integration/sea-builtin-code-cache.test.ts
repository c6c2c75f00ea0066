/**
 * The linux-x64 single executable compiles Node's built-in modules from Node's own code cache, not from source,
 * up to its bound port (src/builtin-code-cache.ts): V8 rejects that cache under any non-default flag, and the
 * executable runs with its SEA execArgv. `NODE_DEBUG_NATIVE=CODE_CACHE` makes Node say, for each built-in
 * module, whether its cache was accepted; only what is loaded before the flags are set back (the SEA's own
 * entry, node:v8 and the streams it requires) may be rejected before the listen (node:dns, loaded by it).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../build/lib/ensure-built.ts';
import { TARGETS } from '../../build/lib/targets.ts';
import { freePort } from '../helpers/free-port.ts';

const ROOT = join(import.meta.dirname, '../..');
const EXE = join(ROOT, 'dist', TARGETS['linux-x64'].output);
const work = mkdtempSync(join(tmpdir(), 'nhi-sea-code-cache-'));

beforeAll(() => {
  ensureBuilt(ROOT);
}, 10 * 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Loaded before the flags can be set back: the SEA's entry, then node:v8 and what it requires. */
const BEFORE_THE_RESET = /^(internal\/main\/embedding|v8|internal\/heap_utils|internal\/stream_base_commons|stream|stream\/promises|string_decoder|internal\/streams\/.+|internal\/abort_controller|internal\/promise_hooks)$/;

/** Each built-in module's verdict, in the order Node compiled them, from the executable's start to its /health. */
async function verdictsToHealth(): Promise<Array<{ id: string; accepted: boolean }>> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_DEBUG_NATIVE: 'CODE_CACHE', NHI_GATEWAY_DATA_DIR: join(work, 'data') };
  delete env['NODE_OPTIONS'];
  const child = spawn(EXE, ['--backend', 'simulator', '--port', String(port), '--log-dir', join(work, 'logs')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${stderr}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  return [...stderr.matchAll(/Code cache of (\S+) \(\w+\) is (accepted|rejected)/g)].map((m) => ({ id: m[1]!, accepted: m[2] === 'accepted' }));
}

describe("the executable and Node's built-in code cache", () => {
  it('accepts it for every built-in module loaded after node:v8, up to the listen', async () => {
    const verdicts = await verdictsToHealth();
    const listen = verdicts.findIndex((v) => v.id === 'dns');
    expect(listen).toBeGreaterThan(0);
    const rejected = verdicts.slice(0, listen + 1).filter((v) => !v.accepted).map((v) => v.id);
    expect(rejected.filter((id) => !BEFORE_THE_RESET.test(id))).toEqual([]);
    for (const id of ['crypto', 'http', 'net', 'child_process', 'dns']) expect(verdicts.find((v) => v.id === id), id).toMatchObject({ accepted: true });
  }, 60_000);
});
