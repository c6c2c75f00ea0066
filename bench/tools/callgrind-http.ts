/**
 * Instructions per request over HTTP, counted in the *server* process: each target of the gateway benchmark
 * (bench/gateway-basic-data.ts) runs under `valgrind --tool=callgrind --instr-atstart=no`; this process sends
 * the benchmark request at concurrency 16 (the judged setting), switches counting on for `--count` requests
 * after `--warmup`, then off. Everything the server process does is counted: node:http, the adapter, yoga,
 * our plugins and files, V8's JIT and its GC threads. Other processes cannot inflate the count, so on a
 * shared machine this compares what only the HTTP path does (bench/tools/callgrind-per-request.ts counts
 * the in-process `yoga.fetch` loop). Slow (~50× native).
 *   npx tsx bench/tools/callgrind-http.ts [--targets=bare,shipped] [--warmup=3000] [--count=1500] [--windows=2] [--jobs=2] [--keep=<dir>]
 * A target is a name below, optionally with V8 flags replacing its own: `"shipped:--max-semi-space-size=16 --expose-gc"` (flags separated by spaces)
 * (`shipped:` alone runs it with Node's defaults). Each window is counted separately (zeroed, then dumped),
 * so the spread between windows shows the count's own noise (collections and JIT work falling inside).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEA_EXEC_ARGV } from '../../build/lib/exec-argv.ts';
import { basicDataExchange } from '../gateway-basic-data.ts';
import { startChildServer } from '../lib/child-server.ts';
import { benchServerNode } from '../lib/server-node.ts';
import { KeepAliveClient, runConcurrent, Tally } from '../lib/http-client.ts';

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const targets = arg('targets', 'bare,shipped').split(',');
const warmup = Number(arg('warmup', '3000'));
const count = Number(arg('count', '1500'));
const windows = Number(arg('windows', '2'));
const jobs = Number(arg('jobs', '2'));
/** Keep the callgrind files here (for callgrind_annotate: V8's own code, GC and builtins are named in them). */
const keep = arg('keep', '');
const CONCURRENCY = 16;

/** The gateway benchmark's targets (bench/gateway-basic-data.ts), with the flags each runs with there. */
const KNOWN: Record<string, { script: string; args: string[]; nodeArgs: readonly string[] }> = {
  bare: { script: 'bench/servers/bare-yoga.ts', args: [], nodeArgs: [] },
  shipped: { script: 'bench/servers/gateway.ts', args: ['--variant=shipped'], nodeArgs: SEA_EXEC_ARGV },
  stripped: { script: 'bench/servers/gateway.ts', args: ['--variant=production'], nodeArgs: [] },
};

const out = keep || mkdtempSync(join(tmpdir(), 'nhi-callgrind-http-'));
mkdirSync(out, { recursive: true });
// Before any child starts: the servers read the bench token from the environment.
const exchange = basicDataExchange();

const callgrindControl = (pid: number, ...args: string[]): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn('callgrind_control', [...args, String(pid)], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });

async function measure(target: string, index: number): Promise<number[]> {
  const [name, flags] = target.split(/:(.*)/s) as [string, string | undefined];
  const known = KNOWN[name];
  if (!known) throw new Error(`unknown target ${name}; known: ${Object.keys(KNOWN).join(', ')}`);
  const nodeArgs = flags === undefined ? known.nodeArgs : flags.split(/\s+/).filter(Boolean);
  const prefix = join(out, `t${index}`);
  const server = await startChildServer({
    node: benchServerNode(),
    name: target,
    script: known.script,
    args: known.args,
    nodeArgs,
    // V8 writes and rewrites machine code on its heap.
    wrapper: ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${prefix}.out`],
    startTimeoutMs: 600_000,
  });
  // Idle sockets closed after 2 s, before the server's keep-alive timeout (5 s) closes them under a request.
  const client = new KeepAliveClient('127.0.0.1', server.port, CONCURRENCY, 120_000, 2_000);
  const tally = new Tally();
  /** Requests answered as expected in each window (the divisor). */
  const answered: number[] = [];
  try {
    await runConcurrent(client, exchange, tally, { concurrency: CONCURRENCY, durationMs: 1e9, maxRequests: warmup });
    await callgrindControl(server.pid, '-i', 'on');
    for (let w = 0; w < windows; w++) {
      await callgrindControl(server.pid, '-z');
      const okBefore = tally.ok;
      await runConcurrent(client, exchange, tally, { concurrency: CONCURRENCY, durationMs: 1e9, maxRequests: count });
      answered.push(tally.ok - okBefore);
      await callgrindControl(server.pid, '-d', `window${w}`);
    }
    await callgrindControl(server.pid, '-i', 'off');
  } finally {
    client.close();
    await server.stop(600_000);
  }
  // A pooled socket the slowed server closed just as a request went out (ECONNRESET) costs the server
  // next to nothing and is not counted; any other failure voids the count.
  if (tally.failed > tally.transportErrors) throw new Error(`${target}: ${tally.failed} failed requests (${tally.firstProblem})`);
  if (tally.transportErrors > 0) process.stderr.write(`  ${target}: ${tally.transportErrors} transport errors (${tally.firstProblem}), not counted\n`);
  // Dumps are `<prefix>.out.<n>` in order; each holds one window (counters zeroed before it).
  const dumps = readdirSync(out)
    .filter((f) => f.startsWith(`t${index}.out.`))
    .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()));
  const perRequest = dumps.map((f, w) => {
    const totals = /^(?:totals|summary): (\d+)/m.exec(readFileSync(join(out, f), 'utf8'));
    if (!totals) throw new Error(`${target}: no totals in ${f}`);
    return Number(totals[1]) / answered[w]!;
  });
  if (perRequest.length !== windows) throw new Error(`${target}: ${perRequest.length} dumps for ${windows} windows`);
  return perRequest;
}

const results = new Map<string, number[]>();
const queue = targets.map((t, i) => [t, i] as const);
await Promise.all(
  Array.from({ length: Math.max(1, jobs) }, async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const ir = await measure(next[0], next[1]);
      results.set(next[0], ir);
      process.stderr.write(`  ${next[0]} done: ${ir.map((x) => (x / 1e6).toFixed(3)).join(', ')} M instructions/request\n`);
    }
  }),
);
if (!keep) rmSync(out, { recursive: true, force: true });
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const bare = results.get('bare');
for (const target of targets) {
  const ir = results.get(target)!;
  const ratio = bare ? `  bare/this ${(mean(bare) / mean(ir)).toFixed(3)}` : '';
  process.stdout.write(
    `${target.padEnd(40)} ${(mean(ir) / 1e6).toFixed(3)} M instructions/request (windows ${ir.map((x) => (x / 1e6).toFixed(3)).join(', ')})${ratio}\n`,
  );
}
