/**
 * Logs and audit are written asynchronously (src/log-file.ts); a clean stop must still leave every line on
 * disk. A real gateway process (`tsx src/main.ts`, the simulator backend) gets N identity reads with the
 * token and N reads without it, all at once; the moment the last answer arrives it gets SIGINT or SIGTERM.
 * Every request leaves one audit line (a read, or a refusal: no token, or the identity-read rate limit,
 * whose burst of 20 some of the N reads exceed) and every refusal one "request refused" log line. After the
 * process exits, audit.log and gateway.log must hold exactly as many as the answers say, and the shutdown
 * lines logged last.
 * (SIGBREAK is Windows-only; it runs the same handler, src/server.ts SHUTDOWN_SIGNALS.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/free-port.ts';

const N = 200;
/** Starting tsx takes seconds, many more on a busy shared machine; nothing here is timed. */
const TIMEOUT_MS = 180_000;
const READ = '{ healthCard { basicData { ... on BasicData { cardNumber } } } }';

let dir: string | undefined;
let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = child = undefined;
});

function startGateway(port: number, dataDir: string): Promise<ChildProcess> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', '--backend', 'simulator', '--port', String(port), '--log-dir', join(dataDir, 'logs'), '--identity-reads-per-minute', '100000'],
    { env: { ...process.env, NHI_GATEWAY_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      // The banner's last line is printed once the server listens.
      if (out.includes('Ctrl+C to stop')) resolve(proc);
    });
    proc.once('exit', (code) => reject(new Error(`gateway exited ${code} before listening: ${err}`)));
  });
}

async function post(url: string, query: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-nhi-gateway': '1', ...headers }, body: JSON.stringify({ query }) });
  return { status: response.status, body: await response.text() };
}

const jsonLines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('a clean stop leaves every log and audit line on disk', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}`, async () => {
      dir = mkdtempSync(join(tmpdir(), 'nhi-flush-'));
      const port = await freePort();
      child = await startGateway(port, dir);
      const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
      const url = `http://127.0.0.1:${port}/graphql`;
      const token = readFileSync(join(dir, 'token-simulator'), 'utf8').trim();
      expect((await post(url, 'mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }', {})).status).toBe(200);

      const answers = await Promise.all([
        ...Array.from({ length: N }, () => post(url, READ, { authorization: `Bearer ${token}` })),
        ...Array.from({ length: N }, () => post(url, READ, {})),
      ]);
      child.kill(signal);
      const read = answers.filter((a) => a.status === 200 && a.body.includes('"cardNumber":"000012345678"')).length;
      expect(answers.slice(N).every((a) => !a.body.includes('cardNumber'))).toBe(true);
      expect(read).toBeGreaterThanOrEqual(20); // the rate limit's burst at least
      expect(await exited).toBe(0);

      const audit = jsonLines(join(dir, 'logs', 'audit.log'));
      const reads = audit.filter((e) => e['event'] === 'operation' && e['outcome'] === 'OK' && JSON.stringify(e['fields']).includes('HealthCard.basicData'));
      const refused = audit.filter((e) => e['event'] === 'refused');
      expect(reads).toHaveLength(read);
      expect(refused).toHaveLength(2 * N - read);

      const log = jsonLines(join(dir, 'logs', 'gateway.log'));
      expect(log.filter((l) => l['msg'] === 'request refused')).toHaveLength(2 * N - read);
      const messages = log.map((l) => String(l['msg']));
      expect(messages).toContain(`${signal} received: shutting down (press Ctrl+C again to force)`);
      expect(messages.at(-1)).toBe('gateway stopped');
      expect(log.some((l) => l['msg'] === 'log queue full: lines dropped')).toBe(false);
    }, TIMEOUT_MS);
  }
});
