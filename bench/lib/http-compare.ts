/**
 * Runs several HTTP servers (each in its own child process) against one Exchange with the same client,
 * interleaving the targets phase by phase so drift on a busy machine hits them alike:
 *   latency: `warmup` sequential requests each, then `count` measured ones in `chunks` alternating slices;
 *   throughput: `warmupMs` at `concurrency` each, then `rounds` × `roundMs` alternating; the median round
 *   is the result. Server CPU time per request (from the child) and the client's CPU share are recorded:
 *   a client near 100 % of one core means the load generator, not the server, was the limit.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { KeepAliveClient, Tally, runConcurrent, runSequential, type Exchange } from './http-client.ts';
import { startChildServer, type ChildServer } from './child-server.ts';
import { median, summarize, type LatencySummary } from './stats.ts';
import type { BenchContext } from './types.ts';
import { ForeignCpu } from './machine.ts';

export interface HttpTargetSpec {
  readonly key: string;
  readonly label: string;
  /** Relative to the repository root. */
  readonly script: string;
  readonly args?: readonly string[];
  /** V8 flags for this server's process, e.g. the executable's (build/lib/exec-argv.ts). */
  readonly nodeArgs?: readonly string[];
  /** The Node executable (bench/lib/server-node.ts). @default the benchmark's own */
  readonly node?: string;
}

export interface HttpCompareOptions {
  readonly warmup: number;
  readonly count: number;
  readonly chunks: number;
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly roundMs: number;
  readonly rounds: number;
  /** Per round, a bound on top of `roundMs`. */
  readonly maxRequestsPerRound: number;
}

export const DEFAULT_HTTP_OPTIONS: HttpCompareOptions = {
  warmup: 300,
  count: 2000,
  chunks: 4,
  concurrency: 16,
  warmupMs: 1000,
  roundMs: 2000,
  // Five, not three: on a 2-vCPU VM single rounds of the same build differ by ±8 %, and a median of five
  // moves less with one unlucky round.
  rounds: 5,
  maxRequestsPerRound: 100_000,
};

export const QUICK_HTTP_OPTIONS: HttpCompareOptions = {
  warmup: 50,
  count: 200,
  chunks: 2,
  concurrency: 16,
  warmupMs: 200,
  roundMs: 300,
  rounds: 1,
  maxRequestsPerRound: 10_000,
};

export interface HttpTargetResult {
  readonly spec: HttpTargetSpec;
  readonly pid: number;
  /** Concurrency 1. */
  readonly latency: LatencySummary;
  /** Requests/s of each throughput round, and their median. */
  readonly roundsRps: readonly number[];
  readonly rps: number;
  /** Latency seen under the concurrent load (all rounds). */
  readonly loadedLatency: LatencySummary;
  /** Server process CPU time per request during the throughput rounds, in µs. */
  readonly serverCpuUsPerRequest: number;
  /** Server CPU time / wall time during the throughput rounds (1 = one core busy). */
  readonly serverCpuShare: number;
  /** Client (this process) CPU time / wall time during the throughput rounds. */
  readonly clientCpuShare: number;
  readonly tally: Tally;
}

export interface HttpComparison {
  readonly results: HttpTargetResult[];
  /**
   * CPU used by other processes during the measured phases, as a share of one core (null off Linux).
   * Above ~0.1 the machine was shared and the numbers are suspect.
   */
  readonly foreignCpuShare: number | null;
}

export async function compareHttpTargets(
  specs: readonly HttpTargetSpec[],
  exchange: Exchange,
  opts: HttpCompareOptions,
  ctx: BenchContext,
): Promise<HttpComparison> {
  if (ctx.cpuProfDir) mkdirSync(ctx.cpuProfDir, { recursive: true });
  const servers: ChildServer[] = [];
  const clients: KeepAliveClient[] = [];
  try {
    for (const spec of specs) {
      // One directory per target, Node's default file names: the tsx loader thread writes a profile of its
      // own, and a fixed --cpu-prof-name would let it overwrite the main thread's (`CPU.*.<pid>.0.*`).
      const nodeArgs = [...(spec.nodeArgs ?? []), ...(ctx.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${join(ctx.cpuProfDir, spec.key)}`] : [])];
      const server = await startChildServer({ name: spec.key, script: spec.script, args: spec.args ?? [], nodeArgs, ...(spec.node ? { node: spec.node } : {}) });
      servers.push(server);
      clients.push(new KeepAliveClient('127.0.0.1', server.port, opts.concurrency));
      ctx.log(`  started ${spec.key} (pid ${server.pid}, port ${server.port})`);
    }
    const tallies = specs.map(() => new Tally());
    const at = <T>(list: readonly T[], i: number): T => {
      const item = list[i];
      if (item === undefined) throw new Error(`no item ${i}`);
      return item;
    };

    // Latency at concurrency 1.
    const samples: number[][] = specs.map(() => []);
    for (let i = 0; i < specs.length; i++) {
      await runSequential(at(clients, i), exchange, at(tallies, i), { warmup: opts.warmup, count: 0, maxMs: 0 });
    }
    const serversCpuMs = async (): Promise<number> => {
      let total = 0;
      for (const server of servers) {
        const t = await server.cpu();
        total += (t.user + t.system) / 1000;
      }
      return total;
    };
    const foreign = new ForeignCpu();
    const ownStart = process.cpuUsage();
    const serversStart = await serversCpuMs();
    const perChunk = Math.ceil(opts.count / opts.chunks);
    for (let chunk = 0; chunk < opts.chunks; chunk++) {
      for (let i = 0; i < specs.length; i++) {
        const r = await runSequential(at(clients, i), exchange, at(tallies, i), { warmup: 0, count: perChunk, maxMs: 30_000});
        at(samples, i).push(...r.samples);
      }
    }
    ctx.log(`  latency done`);

    // Throughput at `concurrency`.
    for (let i = 0; i < specs.length; i++) {
      await runConcurrent(at(clients, i), exchange, at(tallies, i), {
        concurrency: opts.concurrency,
        durationMs: opts.warmupMs,
        maxRequests: opts.maxRequestsPerRound,
      });
    }
    const rounds: number[][] = specs.map(() => []);
    const loaded: number[][] = specs.map(() => []);
    const cpu = specs.map(() => ({ server: 0, client: 0, wallMs: 0, requests: 0 }));
    for (let round = 0; round < opts.rounds; round++) {
      for (let i = 0; i < specs.length; i++) {
        const server = at(servers, i);
        const before = await server.cpu();
        const clientBefore = process.cpuUsage();
        const r = await runConcurrent(at(clients, i), exchange, at(tallies, i), {
          concurrency: opts.concurrency,
          durationMs: opts.roundMs,
          maxRequests: opts.maxRequestsPerRound,
        });
        const clientUsage = process.cpuUsage(clientBefore);
        const after = await server.cpu();
        at(rounds, i).push(r.rps);
        at(loaded, i).push(...r.samples);
        const c = at(cpu, i);
        c.server += after.user + after.system - before.user - before.system;
        c.client += clientUsage.user + clientUsage.system;
        c.wallMs += r.elapsedMs;
        c.requests += r.requests;
      }
      ctx.log(`  throughput round ${round + 1}/${opts.rounds}: ${specs.map((s, i) => `${s.key} ${Math.round(at(rounds, i).at(-1) ?? 0)}/s`).join(', ')}`);
    }

    const ownCpu = process.cpuUsage(ownStart);
    foreign.addOwn((ownCpu.user + ownCpu.system) / 1000 + (await serversCpuMs()) - serversStart);
    const foreignCpuShare = foreign.share();

    const results = specs.map((spec, i): HttpTargetResult => {
      const c = at(cpu, i);
      return {
        spec,
        pid: at(servers, i).pid,
        latency: summarize(at(samples, i)),
        roundsRps: at(rounds, i),
        rps: median(at(rounds, i)),
        loadedLatency: summarize(at(loaded, i)),
        serverCpuUsPerRequest: c.server / c.requests,
        serverCpuShare: c.server / 1000 / c.wallMs,
        clientCpuShare: c.client / 1000 / c.wallMs,
        tally: at(tallies, i),
      };
    });
    return { results, foreignCpuShare };
  } finally {
    for (const client of clients) client.close();
    for (const server of servers) {
      const { code, stderr } = await server.stop();
      const noise = stderr.trim();
      if (code !== 0 || noise) ctx.log(`  ${server.name} exited with ${code}${noise ? `; stderr:\n${noise.split('\n').slice(-20).join('\n')}` : ''}`);
    }
  }
}
