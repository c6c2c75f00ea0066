/**
 * `nhi-gateway doctor` as a process on this (Linux) machine: it checks what the chosen backend needs and
 * nothing else, so a healthy simulator and a healthy cshis setup over the native test library (test/native)
 * exit 0; a missing library exits 1 and names the check. The JSON carries versions, paths, ids and codes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childHome, runGateway, type ChildHome } from '../helpers/gateway-child.ts';
import { freePort } from '../helpers/free-port.ts';
import { FIXTURE_SO, ensureFixtureBuilt } from './cshis/helpers.ts';

const PROCESS_MS = 60_000;

interface JsonReport {
  ok: boolean;
  gateway: { version: string; node: string; platform: string; arch: string };
  backend: string;
  paths?: { cshis: string; csdllIni: string };
  checks: { id: string; status: string; detail: string; code?: string }[];
}

describe('doctor as a process', () => {
  let home: ChildHome;
  let dir: string;
  let ini: string;
  let port: number;
  beforeAll(async () => {
    ensureFixtureBuilt();
    home = childHome();
    dir = mkdtempSync(join(tmpdir(), 'nhi-doctor-process-'));
    ini = join(dir, 'csdll.ini');
    writeFileSync(ini, '[CS]\r\nCOM=COMX1\r\nCSFSIM=ENABLE\r\nCSTIMEOUT=120\r\n');
    port = await freePort();
  });
  afterAll(() => {
    home?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--backend simulator checks nothing of C:\\NHI and exits 0', { timeout: PROCESS_MS }, async () => {
    const run = await runGateway(['doctor', '--backend', 'simulator', '--port', String(port)], home.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('backend simulator');
    expect(run.stdout).not.toContain('C:\\NHI');
    expect(run.stdout).toContain('All checks passed.');
  });

  it('--backend cshis over the native test library and a csdll.ini exits 0', { timeout: PROCESS_MS }, async () => {
    const run = await runGateway(['doctor', '--backend', 'cshis', '--cshis-path', FIXTURE_SO, '--csdll-ini', ini, '--port', String(port), '--json'], home.env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report).toMatchObject({ ok: true, backend: 'cshis', gateway: { version: expect.any(String), node: process.version, platform: 'linux' } });
    expect(report.paths).toMatchObject({ cshis: FIXTURE_SO, csdllIni: ini });
    const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    expect(status).toMatchObject({ 'csdll-ini': 'pass', 'control-software': 'pass', version: 'pass', 'gateway-port': 'pass' });
    // Off Windows the cshis backend needs no PC/SC, and the SAM folder is the clinic PC's.
    expect(status['sam-file']).toBe('skip');
    expect(status).not.toHaveProperty('readers');
    expect(status).not.toHaveProperty('smartcard-service');
    expect(report.checks.find((c) => c.id === 'version')?.detail).toMatch(/^\d\.\d\.\d\.\d /);
  });

  it('a missing library exits 1 and names the check, in the table and in JSON', { timeout: PROCESS_MS }, async () => {
    const missing = join(dir, 'no-such', 'CSHIS.dll');
    const args = ['doctor', '--backend', 'cshis', '--cshis-path', missing, '--csdll-ini', ini, '--port', String(port)];
    const table = await runGateway(args, home.env);
    expect(table.code).toBe(1);
    expect(table.stdout).toContain('Control software (CSHIS.dll)');
    expect(table.stdout).toContain('1 check(s) failed');
    const json = await runGateway([...args, '--json'], home.env);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as JsonReport;
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([
      expect.objectContaining({ id: 'control-software', detail: `not found: ${missing}`, code: 'ENOENT' }),
    ]);
  });

  it('without --csdll-ini off Windows, names the option instead of C:\\NHI\\INI', { timeout: PROCESS_MS }, async () => {
    const run = await runGateway(['doctor', '--backend', 'cshis', '--cshis-path', FIXTURE_SO, '--port', String(port), '--json'], home.env);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    const ini = report.checks.find((c) => c.id === 'csdll-ini');
    expect(ini).toMatchObject({ status: 'fail', code: 'ENOENT' });
    expect(ini?.detail).toContain('cannot exist on linux');
  });
});
