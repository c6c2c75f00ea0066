/**
 * Start-up faults as processes: the gateway started as a clinic would (`tsx src/main.ts --backend cshis
 * --cshis-path X --port N`, its own HOME and XDG_STATE_HOME) with a missing DLL, a file that is not a library,
 * a library without NHI's exports (compiled here with gcc), a missing csdll.ini, and a read-only data folder.
 *
 * Documented behaviour (README "A missing or wrong-bitness DLL … never stops the gateway", docs/control-software.md
 * "When the DLL cannot be loaded", issue 12 item 4): the gateway keeps serving (/health 200) and /ready answers
 * 503 with one line per reason that says what is wrong and how to fix it; a data folder it cannot write stops
 * it with exit code 1 and one line saying so.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { childHome, runGateway, startGateway, type ChildHome, type RunningGateway } from '../helpers/gateway-child.ts';
import { freePort } from '../helpers/free-port.ts';
import { FIXTURE_SO, ensureFixtureBuilt } from './cshis/helpers.ts';

const PROCESS_MS = 90_000;

let work: string;
let csdllIni: string;
beforeAll(() => {
  ensureFixtureBuilt();
  work = mkdtempSync(join(tmpdir(), 'nhi-startup-faults-'));
  csdllIni = join(work, 'csdll.ini');
  writeFileSync(csdllIni, '[CS]\r\nCOM=COMX1\r\nCSFSIM=ENABLE\r\nCSTIMEOUT=120\r\n');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const homes: ChildHome[] = [];
const gateways: RunningGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.stop()));
  for (const home of homes.splice(0)) home.dispose();
});

interface Readiness {
  health: number;
  ready: number;
  reasons: string[];
}

/** Starts the cshis backend with these options and reads /health and /ready once it listens. */
async function serveWith(options: string[]): Promise<Readiness & { output: string }> {
  const home = childHome();
  homes.push(home);
  const port = await freePort();
  const gateway = startGateway(['--backend', 'cshis', '--port', String(port), ...options], home.env);
  gateways.push(gateway);
  const started = await gateway.started;
  expect(started, `the gateway must keep serving, but it ended:\n${gateway.output()}`).toEqual({ kind: 'listening' });
  const base = `http://127.0.0.1:${port}`;
  const health = await fetch(`${base}/health`);
  const ready = await fetch(`${base}/ready`);
  const body = (await ready.json()) as { reasons?: unknown };
  const reasons = Array.isArray(body.reasons) ? body.reasons.map(String) : [];
  return { health: health.status, ready: ready.status, reasons, output: gateway.output() };
}

/** Each reason is one line, and together they say what is wrong and what to do. */
function expectOneLineReasons(reasons: string[]): string {
  expect(reasons.length).toBeGreaterThan(0);
  for (const reason of reasons) expect(reason).not.toContain('\n');
  return reasons.join(' | ');
}

describe('start-up faults of the cshis backend, as processes', () => {
  it('missing DLL: keeps serving, /ready names the path and the fix', { timeout: PROCESS_MS }, async () => {
    const missing = join(work, 'no-such-folder', 'CSHIS.dll');
    const r = await serveWith(['--cshis-path', missing, '--csdll-ini', csdllIni]);
    expect(r.health).toBe(200);
    expect(r.ready).toBe(503);
    const text = expectOneLineReasons(r.reasons);
    expect(text).toContain(missing);
    expect(text).toMatch(/not found|does not exist|missing/i);
    expect(text).toMatch(/--cshis-path|install/i);
  });

  it('a text file as the DLL: keeps serving, /ready says it cannot be loaded and how to fix it', { timeout: PROCESS_MS }, async () => {
    const text = join(work, 'CSHIS.txt');
    writeFileSync(text, 'this is not a library\n');
    const r = await serveWith(['--cshis-path', text, '--csdll-ini', csdllIni]);
    expect(r.health).toBe(200);
    expect(r.ready).toBe(503);
    const reasons = expectOneLineReasons(r.reasons);
    expect(reasons).toContain(text);
    expect(reasons).toMatch(/CONTROL_SOFTWARE_UNAVAILABLE|cannot load/i);
    expect(reasons).toMatch(/--cshis-path/);
  });

  it('a library without NHI’s exports: "not NHI’s control software", not "update it"', { timeout: PROCESS_MS }, async () => {
    const dir = join(work, 'dummy');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'dummy.c'), 'int dummy_export(void) { return 42; }\n');
    const library = join(dir, 'libdummy.so');
    execFileSync('gcc', ['-shared', '-fPIC', '-o', library, join(dir, 'dummy.c')]);
    const r = await serveWith(['--cshis-path', library, '--csdll-ini', csdllIni]);
    expect(r.health).toBe(200);
    expect(r.ready).toBe(503);
    const reasons = expectOneLineReasons(r.reasons);
    expect(reasons).toContain(library);
    expect(reasons).toMatch(/not NHI['’]s control software/i);
    expect(reasons).not.toMatch(/update/i);
  });

  it('a missing csdll.ini: keeps serving, /ready names the file and --csdll-ini', { timeout: PROCESS_MS }, async () => {
    const missing = join(work, 'no-such-folder', 'csdll.ini');
    const r = await serveWith(['--cshis-path', FIXTURE_SO, '--csdll-ini', missing]);
    expect(r.health).toBe(200);
    expect(r.ready).toBe(503);
    const reasons = expectOneLineReasons(r.reasons);
    expect(reasons).toContain(missing);
    expect(reasons).toMatch(/--csdll-ini/);
  });

  it('the healthy setup is ready (the faults above are the only difference)', { timeout: PROCESS_MS }, async () => {
    const r = await serveWith(['--cshis-path', FIXTURE_SO, '--csdll-ini', csdllIni]);
    expect(r).toMatchObject({ health: 200, ready: 200, reasons: [] });
  });
});

describe('a data folder the gateway cannot write, as a process', () => {
  const root = process.getuid?.() === 0;
  let folder: string;
  beforeAll(() => {
    folder = join(work, 'state');
    mkdirSync(folder);
    if (root) {
      // root writes through a 0555 folder: a read-only mount is a folder root cannot write either.
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', folder]);
    } else {
      execFileSync('chmod', ['0555', folder]);
    }
  });
  afterAll(() => {
    if (root) execFileSync('umount', [folder]);
    else execFileSync('chmod', ['0755', folder]);
  });

  it('exits 1 with one line that says the folder is read-only and what moves it', { timeout: PROCESS_MS }, async () => {
    const home = childHome();
    homes.push(home);
    const run = await runGateway(['--backend', 'simulator', '--port', String(await freePort())], { ...home.env, XDG_STATE_HOME: folder });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toContain(folder);
    expect(lines[0]).toMatch(root ? /read-only/i : /read-only|permission/i);
    expect(lines[0]).toMatch(/--data-dir|NHI_GATEWAY_DATA_DIR/);
  });
});
