/**
 * Two OS users' gateways side by side on one host (docs/terminal-server.md), with real processes: two Unix
 * users are created (useradd; needs root, as in CI), each starts `tsx src/main.ts --backend simulator` with
 * runuser and no --port, both at once. They must take different ports of the per-user range, each write its
 * own discovery file (0600, owned by its user), each user's client — the kit's findGateway, run as that user
 * with that user's token — must reach its own gateway and read the card, and user A's token presented to B's
 * gateway (by B's own program) must be refused and audited without the token. A program of the other user
 * is refused at the door (Linux knows the peer's uid). A clean stop removes each discovery file.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_PORTS } from '../../../client/src/find-gateway.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const run = promisify(execFile);
const canSwitchUser = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/sbin/useradd') && existsSync('/usr/sbin/runuser');
const READ = '{ healthCard { basicData { ... on BasicData { idNumber } ... on Error { code } } } }';

interface UserBed {
  readonly name: string;
  readonly uid: number;
  /** XDG_STATE_HOME of the user: the data folder is `<state>/nhi-gateway`. */
  readonly state: string;
  readonly dataDir: string;
  child?: ChildProcess;
  stdout: string;
  stderr: string;
}

let dir: string;
const users: UserBed[] = [];

/** Runs a command as `user` with a clean environment naming that user's state folder. */
function asUser(user: UserBed, command: readonly string[]): string[] {
  return ['-u', user.name, '--', '/usr/bin/env', '-i', `PATH=${process.env['PATH']}`, `HOME=${user.state}`, `XDG_STATE_HOME=${user.state}`, ...command];
}

function startGateway(user: UserBed): Promise<void> {
  const child = spawn('/usr/sbin/runuser', asUser(user, [process.execPath, '--import', 'tsx', 'src/main.ts', '--backend', 'simulator']), {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  user.child = child;
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      user.stdout += chunk.toString('utf8');
      if (user.stdout.includes('Ctrl+C to stop')) resolve();
    });
    child.stderr!.on('data', (chunk: Buffer) => (user.stderr += chunk.toString('utf8')));
    child.once('exit', (code) => reject(new Error(`${user.name}'s gateway exited (${code}): ${user.stderr}`)));
  });
}

/** A Node program run as `user` (ESM, with tsx so it can import the client kit's TypeScript). */
async function runAs<T>(user: UserBed, source: string, ...args: string[]): Promise<T> {
  const { stdout } = await run('/usr/sbin/runuser', asUser(user, [process.execPath, '--import', 'tsx', '--input-type=module', '-e', source, '--', ...args]), {
    cwd: ROOT,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

const discoveryOf = (user: UserBed) =>
  JSON.parse(readFileSync(join(user.dataDir, 'gateway.json'), 'utf8')) as { port: number; pid: number; user: string; url: string; version: string; startedAt: string };

/** Audit refusal lines of a user's gateway (written asynchronously: wait until `atLeast` are there). */
async function auditRefusals(user: UserBed, atLeast: number): Promise<Array<{ outcome: string; operationName?: string }>> {
  const path = join(user.dataDir, 'logs', 'audit.log');
  for (;;) {
    const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()) : [];
    const refused = lines.map((l) => JSON.parse(l) as { event: string; outcome: string; operationName?: string }).filter((l) => l.event === 'refused');
    if (refused.length >= atLeast) return refused;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The client each user runs: find its gateway with its own token, put the test card in, read it. */
const CLIENT = `
import { readFileSync } from 'node:fs';
import { findGateway } from '${ROOT}/client/src/find-gateway.ts';
const [tokenFile, read] = process.argv.slice(-2);
const token = readFileSync(tokenFile, 'utf8').trim();
const found = await findGateway({ token });
const post = (query) => fetch(found.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body: JSON.stringify({ query }) }).then((r) => r.json());
await post('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
const answer = await post(read);
console.log(JSON.stringify({ port: found.port, idNumber: answer.data?.healthCard?.basicData?.idNumber ?? null }));
`;

/** A program that presents a token to a given gateway URL: /credential and an identity read. */
const PRESENT = `
const [url, token, read] = process.argv.slice(-3);
const check = await fetch(url + '/credential', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body: '{}' });
const graphql = await fetch(url + '/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body: JSON.stringify({ query: read }) });
const text = await graphql.text();
console.log(JSON.stringify({ check: check.status, checkCode: (await check.json()).errors?.[0]?.extensions?.code ?? null, read: graphql.status, readCode: JSON.parse(text).errors?.[0]?.extensions?.code ?? null, leaked: text.includes('A123456789') }));
`;

describe.skipIf(!canSwitchUser)('two users’ gateways side by side (needs root, useradd and runuser)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nhi-two-users-'));
    chmodSync(dir, 0o755);
    for (const name of ['nhi-gw-desk-a', 'nhi-gw-desk-b']) {
      await run('/usr/sbin/useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name]).catch((error: { stderr?: string }) => {
        if (!/already exists/.test(error.stderr ?? '')) throw error;
      });
      const uid = Number((await run('/usr/bin/id', ['-u', name])).stdout.trim());
      const state = join(dir, name);
      mkdirSync(state, { mode: 0o700 });
      chownSync(state, uid, uid);
      users.push({ name, uid, state, dataDir: join(state, 'nhi-gateway'), stdout: '', stderr: '' });
    }
    // Both at once, neither told a port.
    await Promise.all(users.map(startGateway));
  }, 120_000);

  afterAll(async () => {
    for (const user of users) {
      if (user.child && user.child.exitCode === null) {
        const exited = new Promise((resolve) => user.child!.once('exit', resolve));
        user.child.kill('SIGKILL');
        await exited;
      }
    }
    for (const user of users) await run('/usr/sbin/userdel', [user.name]).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('take different ports of the per-user range, each with its own 0600 discovery file', () => {
    const [a, b] = users.map(discoveryOf);
    expect(a!.port).not.toBe(b!.port);
    for (const [i, user] of users.entries()) {
      const found = [a, b][i]!;
      expect(GATEWAY_PORTS).toContain(found.port);
      expect(user.stdout).toContain(`GraphiQL:  http://127.0.0.1:${found.port}/graphql`);
      expect(found).toMatchObject({ user: user.name, url: `http://127.0.0.1:${found.port}` });
      const stat = statSync(join(user.dataDir, 'gateway.json'));
      expect(stat.mode & 0o777).toBe(0o600);
      expect(stat.uid).toBe(user.uid);
    }
  });

  it('each user’s client finds its own gateway with the kit and reads the card', async () => {
    const results = await Promise.all(users.map((user) => runAs<{ port: number; idNumber: string | null }>(user, CLIENT, join(user.dataDir, 'token-simulator'), READ)));
    for (const [i, user] of users.entries()) expect(results[i]).toEqual({ port: discoveryOf(user).port, idNumber: 'A123456789' });
  }, 60_000);

  it('`nhi-gateway where` as each user names that user’s gateway', async () => {
    for (const user of users) {
      const { stdout } = await run('/usr/sbin/runuser', asUser(user, [process.execPath, '--import', 'tsx', 'src/main.ts', 'where', '--json']), { cwd: ROOT });
      expect(JSON.parse(stdout)).toMatchObject({ state: 'running', port: discoveryOf(user).port, user: user.name });
    }
  }, 60_000);

  it('refuses A’s token at B’s gateway (audited, without the token), and each user’s programs at the other’s gateway', async () => {
    const [a, b] = users as [UserBed, UserBed];
    const tokenA = readFileSync(join(a.dataDir, 'token-simulator'), 'utf8').trim();
    // Earlier lines: A's findGateway probed B's port too and was turned away at the door (another OS user).
    const earlier = await auditRefusals(b, 0);
    expect(earlier.map((l) => l.outcome)).toEqual(['LOOPBACK_ONLY']);
    // B's own program holding A's token (copied somehow): B's gateway does not know it.
    const atB = await runAs<{ check: number; checkCode: string; read: number; readCode: string; leaked: boolean }>(b, PRESENT, discoveryOf(b).url, tokenA, READ);
    expect(atB).toEqual({ check: 401, checkCode: 'TOKEN_INVALID', read: 401, readCode: 'TOKEN_INVALID', leaked: false });
    const refused = (await auditRefusals(b, earlier.length + 2)).slice(earlier.length);
    expect(refused.map((l) => [l.operationName ?? null, l.outcome])).toEqual([
      ['credentialCheck', 'TOKEN_INVALID'],
      [null, 'TOKEN_INVALID'],
    ]);
    expect(readFileSync(join(b.dataDir, 'logs', 'audit.log'), 'utf8')).not.toContain(tokenA);
    // A's program with A's own token at B's gateway: another OS user, turned away at the door.
    const aAtB = await runAs<{ check: number; read: number; readCode: string; leaked: boolean }>(a, PRESENT, discoveryOf(b).url, tokenA, READ);
    expect(aAtB).toMatchObject({ check: 403, read: 403, readCode: 'LOOPBACK_ONLY', leaked: false });
    expect((await auditRefusals(b, earlier.length + 4)).slice(earlier.length + 2).map((l) => l.outcome)).toEqual(['LOOPBACK_ONLY', 'LOOPBACK_ONLY']);
  }, 60_000);

  it('a clean stop removes each discovery file', async () => {
    for (const user of users) {
      const { pid } = discoveryOf(user);
      const exited = new Promise((resolve) => user.child!.once('exit', resolve));
      process.kill(pid, 'SIGTERM');
      await exited;
      expect(existsSync(join(user.dataDir, 'gateway.json'))).toBe(false);
    }
  }, 60_000);
});
