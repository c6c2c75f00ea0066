/**
 * Where a server process's CPU goes under the gateway benchmark's HTTP load, by thread: the main
 * (JavaScript) thread, V8's GC and compiler helpers, libuv's thread pool (asynchronous file writes), each
 * split into user and system time and given per request, with context switches per request. The targets
 * are the gateway benchmark's (bench/gateway-basic-data.ts), run side by side in alternating rounds at
 * concurrency 16; CPU is read from /proc/<pid>/task/<tid>/stat (Linux only).
 *   npx tsx bench/tools/http-threads.ts [--targets=bare,shipped,shipped:] [--rounds=10] [--round-ms=1000] [--warmup-ms=3000]
 * A target is a name below, optionally with V8 flags replacing its own (`shipped:` = Node's defaults,
 * `"shipped:--max-semi-space-size=16 --expose-gc"` (flags separated by spaces)), as in bench/tools/callgrind-http.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { SEA_EXEC_ARGV } from '../../build/lib/exec-argv.ts';
import { basicDataExchange } from '../gateway-basic-data.ts';
import { startChildServer, type ChildServer } from '../lib/child-server.ts';
import { KeepAliveClient, runConcurrent, Tally } from '../lib/http-client.ts';

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const targets = arg('targets', 'bare,shipped,shipped:').split(',');
const rounds = Number(arg('rounds', '10'));
// Short rounds: a target's sockets idle while the others run, and past the server's 5-s keep-alive they
// would be reopened, each new connection costing the gateway a /proc/net/tcp read (docs/performance.md).
const roundMs = Number(arg('round-ms', '1000'));
const warmupMs = Number(arg('warmup-ms', '3000'));
const CONCURRENCY = 16;
const TICK_US = 1e6 / 100; // USER_HZ

const KNOWN: Record<string, { script: string; args: string[]; nodeArgs: readonly string[] }> = {
  bare: { script: 'bench/servers/bare-yoga.ts', args: [], nodeArgs: [] },
  shipped: { script: 'bench/servers/gateway.ts', args: ['--variant=shipped'], nodeArgs: SEA_EXEC_ARGV },
  stripped: { script: 'bench/servers/gateway.ts', args: ['--variant=production'], nodeArgs: [] },
};

interface ThreadTimes {
  user: number;
  system: number;
  switches: number;
}

/** CPU (µs) and context switches of every thread of `pid`, summed by thread group name. */
function threadTimes(pid: number): Map<string, ThreadTimes> {
  const groups = new Map<string, ThreadTimes>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    let status: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const user = Number(fields[11]) * TICK_US;
    const system = Number(fields[12]) * TICK_US;
    const switches =
      Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0) + Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
    // Node 20 names no thread (all are `node`): threads are told apart by creation order instead — V8's
    // platform workers (GC, compilers) start with the process, libuv's pool at the first asynchronous file
    // operation (here: the first batch of log lines), so its threads come later.
    const group = tid === String(pid) ? 'main' : `${comm} +${Number(tid) - pid}`;
    const g = groups.get(group) ?? { user: 0, system: 0, switches: 0 };
    g.user += user;
    g.system += system;
    g.switches += switches;
    groups.set(group, g);
  }
  return groups;
}

function diff(after: Map<string, ThreadTimes>, before: Map<string, ThreadTimes>, into: Map<string, ThreadTimes>): void {
  for (const [name, a] of after) {
    const b = before.get(name) ?? { user: 0, system: 0, switches: 0 };
    const t = into.get(name) ?? { user: 0, system: 0, switches: 0 };
    t.user += a.user - b.user;
    t.system += a.system - b.system;
    t.switches += a.switches - b.switches;
    into.set(name, t);
  }
}

const exchange = basicDataExchange();
const servers: ChildServer[] = [];
try {
  for (const target of targets) {
    const [name, flags] = target.split(/:(.*)/s) as [string, string | undefined];
    const known = KNOWN[name];
    if (!known) throw new Error(`unknown target ${name}; known: ${Object.keys(KNOWN).join(', ')}`);
    const nodeArgs = flags === undefined ? known.nodeArgs : flags.split(/\s+/).filter(Boolean);
    servers.push(await startChildServer({ name: target, script: known.script, args: known.args, nodeArgs }));
  }
  const clients = servers.map((s) => new KeepAliveClient('127.0.0.1', s.port, CONCURRENCY));
  const tallies = servers.map(() => new Tally());
  for (const [i, client] of clients.entries()) {
    await runConcurrent(client, exchange, tallies[i]!, { concurrency: CONCURRENCY, durationMs: warmupMs, maxRequests: 1e9 });
  }
  const totals = servers.map(() => new Map<string, ThreadTimes>());
  const requests = servers.map(() => 0);
  const rps: number[][] = servers.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < servers.length; k++) {
      const i = (k + round) % servers.length;
      const before = threadTimes(servers[i]!.pid);
      const phase = await runConcurrent(clients[i]!, exchange, tallies[i]!, { concurrency: CONCURRENCY, durationMs: roundMs, maxRequests: 1e9 });
      diff(threadTimes(servers[i]!.pid), before, totals[i]!);
      requests[i]! += phase.requests;
      rps[i]!.push(phase.rps);
    }
  }
  for (const [i, target] of targets.entries()) {
    const n = requests[i]!;
    const sorted = [...rps[i]!].sort((a, b) => a - b);
    const all = [...totals[i]!.values()].reduce((s, t) => s + t.user + t.system, 0);
    console.log(
      `${target}: ${n} requests, median req/s ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)}, CPU ${(all / n).toFixed(0)} µs/request` +
        `${tallies[i]!.failed ? `, FAILED ${tallies[i]!.failed} (${tallies[i]!.firstProblem})` : ''}`,
    );
    for (const [name, t] of [...totals[i]!].sort((a, b) => b[1].user + b[1].system - a[1].user - a[1].system)) {
      if (t.user + t.system === 0 && t.switches === 0) continue;
      console.log(
        `  ${name.padEnd(18)} user ${(t.user / n).toFixed(1).padStart(6)} µs  sys ${(t.system / n).toFixed(1).padStart(6)} µs  switches ${(t.switches / n).toFixed(2)}/request`,
      );
    }
  }
  for (const c of clients) c.close();
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
