/**
 * Configuration as a clinic starts it: real gateway processes (src/main.ts through tsx) with a temporary
 * HOME/XDG_STATE_HOME, checking exit codes, the banner, /health and the data folder on disk.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/free-port.ts';
import { bannerUrl, startGatewayProcess, type GatewayProcess } from '../../helpers/gateway-process.ts';

let work: string;
const running: GatewayProcess[] = [];
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'nhi-config-process-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((gateway) => gateway.stop()));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function home(name: string): NodeJS.ProcessEnv {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  return { HOME: dir, XDG_STATE_HOME: join(dir, 'state') };
}

async function start(args: string[], env: NodeJS.ProcessEnv): Promise<GatewayProcess> {
  const gateway = startGatewayProcess(['--port', String(await freePort()), ...args], env);
  running.push(gateway);
  return gateway;
}

// A gateway process compiles its sources through tsx first: seconds on a busy machine, so a generous bound.
const PROCESS_TIMEOUT = { timeout: 120_000 };

describe('backend choice as a process', PROCESS_TIMEOUT, () => {
  it('--backend cshis with a missing CSHIS.dll keeps serving: /health answers, the banner names the path', async () => {
    const gateway = await start(['--backend', 'cshis', '--cshis-path', '/nonexistent/CSHIS.dll'], home('missing-dll'));
    const outcome = await gateway.ready;
    expect(outcome, gateway.output().stderr).toEqual({ kind: 'started' });
    const { stdout } = gateway.output();
    expect(stdout).toMatch(/^ {2}backend: {3}cshis \(\/nonexistent\/CSHIS\.dll; chosen with --backend\)$/m);
    expect((await fetch(bannerUrl(stdout, 'health'))).status).toBe(200);
  });

  it('auto with --cshis-path to a missing file is the cshis backend, not the simulator', async () => {
    const gateway = await start(['--cshis-path', '/nonexistent/CSHIS.dll'], home('auto-dll'));
    expect(await gateway.ready, gateway.output().stderr).toEqual({ kind: 'started' });
    expect(gateway.output().stdout).toMatch(/^ {2}backend: {3}cshis \(\/nonexistent\/CSHIS\.dll; auto: --cshis-path given\)$/m);
  });

  it('auto with nothing naming the control software says why it runs the simulator', async () => {
    const gateway = await start([], home('auto-sim'));
    expect(await gateway.ready, gateway.output().stderr).toEqual({ kind: 'started' });
    expect(gateway.output().stdout).toMatch(/^ {2}backend: {3}simulator \(auto: no --cshis-path given; no card reader needed\)$/m);
  });

  it('--token-file with the simulator exits 2 with the documented line, not the help text', async () => {
    const env = home('token-sim');
    const gateway = await start(['--token-file', join(work, 'token-sim', 'clinic-token')], env);
    expect(await gateway.ready).toEqual({ kind: 'exited', code: 2 });
    const { stdout, stderr } = gateway.output();
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'nhi-gateway: --token-file does not apply to the simulator backend (auto: no --cshis-path given): it applies to real backends; ' +
        'the simulator uses its own token (token-simulator in the data folder); see --help\n',
    );
    expect(existsSync(join(work, 'token-sim', 'clinic-token'))).toBe(false);
  });

  it('a bad value exits 2 with one line', async () => {
    const gateway = await start(['--visit-strategy', 'n2'], home('bad-value'));
    expect(await gateway.ready).toEqual({ kind: 'exited', code: 2 });
    expect(gateway.output().stderr).toMatch(/^nhi-gateway: --visit-strategy must be one of n1, .*; see --help\n$/);
  });
});

describe.skipIf(process.platform === 'win32')('the data folder as a process (reason: POSIX modes; Windows ACLs are unit-tested)', PROCESS_TIMEOUT, () => {
  it('holds token, journal, lock and logs; a loose 0755 folder and 0644 journal are tightened with warnings', async () => {
    const env = home('data');
    const dataDir = join(work, 'data', 'gateway-data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const journal = join(dataDir, 'card-writes.jsonl-simulator');
    writeFileSync(journal, '');
    chmodSync(journal, 0o644);

    const gateway = await start(['--backend', 'simulator', '--data-dir', dataDir, '--pcsc-wake'], env);
    expect(await gateway.ready, gateway.output().stderr).toEqual({ kind: 'started' });
    const { stdout, stderr } = gateway.output();
    const output = stdout + stderr;
    expect(stdout).toContain(`  token:     ${join(dataDir, 'token-simulator')} (created now)`);
    expect(stdout).toContain(`  logs:      ${join(dataDir, 'logs')}`);
    expect(output).toContain(`WARN folder ${dataDir} was open to other users (mode 755); it is now 700`);
    expect(output).toContain(`WARN file ${journal} was open to other users (mode 644); it is now 600`);
    expect(output).toContain('WARN --pcsc-wake does not apply to the simulator backend (chosen with --backend): it applies to cshis; ignored');

    expect(mode(dataDir)).toBe('700');
    expect(mode(join(dataDir, 'logs'))).toBe('700');
    for (const file of ['token-simulator', 'card-writes.jsonl-simulator', 'gateway.lock', 'logs/gateway.log', 'logs/audit.log']) {
      expect(mode(join(dataDir, file)), file).toBe('600');
    }
    expect(JSON.parse(readFileSync(join(dataDir, 'gateway.lock'), 'utf8'))).toMatchObject({ pid: gateway.child.pid });
    // Nothing went to the per-user default folder.
    expect(existsSync(join(env['XDG_STATE_HOME']!, 'nhi-gateway'))).toBe(false);
  });

  it('NHI_GATEWAY_DATA_DIR does the same, and a real backend gets `token` (not token-simulator)', async () => {
    const env = home('data-env');
    const dataDir = join(work, 'data-env', 'folder');
    const gateway = await start(['--cshis-path', '/nonexistent/CSHIS.dll'], { ...env, NHI_GATEWAY_DATA_DIR: dataDir });
    expect(await gateway.ready, gateway.output().stderr).toEqual({ kind: 'started' });
    expect(mode(dataDir)).toBe('700');
    expect(mode(join(dataDir, 'token'))).toBe('600');
    expect(mode(join(dataDir, 'gateway.lock'))).toBe('600');
    expect(existsSync(join(dataDir, 'token-simulator'))).toBe(false);
  });
});
