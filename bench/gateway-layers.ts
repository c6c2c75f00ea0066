/**
 * Where the gateway's time goes on the benchmark query, without sockets or a load generator: each app of
 * bench/servers/gateway-variants.ts runs alone in its own process (bench/servers/fetch-loop.ts), answering
 * the query through `yoga.fetch` back to back, in interleaved rounds; the cheapest round (CPU time) per app
 * is reported.
 *
 * Read `gateway-*` rows against `production` (what removing that one thing saves) and `bare+*` rows against
 * `bare` (what adding that one thing costs). This is the yoga part of a request; Node's HTTP server and the
 * whatwg-node adapter come on top (see the gateway section for the full HTTP numbers).
 */
import { runChildScript } from './lib/child-run.ts';
import { median } from './lib/stats.ts';
import { markdownTable, textTable, type Row } from './lib/table.ts';
import type { BenchContext, BenchModule, BenchReport } from './lib/types.ts';
import { benchToken } from './lib/bench-token.ts';
import { APP_DESCRIPTIONS, APP_NAMES, type AppName } from './servers/gateway-variants.ts';

interface LoopResult {
  readonly wallUsPerRequest: number;
  readonly cpuUsPerRequest: number;
  readonly gcUsPerRequest: number;
  readonly foreignCpuShare: number | null;
  readonly ok: number;
  readonly failed: number;
  readonly first: string | null;
  readonly last: string | null;
}

const EXPECTED = '"cardNumber":"000012345678"';

async function loop(app: AppName, warmup: number, count: number): Promise<LoopResult> {
  const run = await runChildScript({
    script: 'bench/servers/fetch-loop.ts',
    args: [`--app=${app}`, `--warmup=${warmup}`, `--count=${count}`],
    timeoutMs: 120_000,
  });
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (run.timedOut || !line) {
    throw new Error(`fetch-loop ${app}: ${run.timedOut ? 'timed out' : `exited ${run.code} without a result`}\n${run.stderr.slice(-2000)}`);
  }
  return JSON.parse(line.slice('RESULT '.length)) as LoopResult;
}

export const benchmark: BenchModule = {
  title: 'Gateway layers: in-process cost of healthCard.basicData per app variant',
  section: 'gateway-layers',
  async run(ctx: BenchContext): Promise<BenchReport> {
    benchToken();
    const rounds = ctx.quick ? 1 : 3;
    const warmup = ctx.quick ? 300 : 3000;
    const count = ctx.quick ? 1000 : 10_000;
    const results = new Map<AppName, LoopResult[]>(APP_NAMES.map((a) => [a, []]));
    for (let round = 0; round < rounds; round++) {
      for (const app of APP_NAMES) {
        const r = await loop(app, warmup, count);
        results.get(app)?.push(r);
      }
      ctx.log(`  round ${round + 1}/${rounds} done`);
    }

    const med = (app: AppName, key: 'wallUsPerRequest' | 'cpuUsPerRequest' | 'gcUsPerRequest'): number =>
      median((results.get(app) ?? []).map((r) => r[key]));
    // Interference only ever adds to a CPU-bound loop's cost: the cheapest round is the best estimate. CPU
    // time rather than wall time, because on a shared machine waiting for a core inflates wall time most.
    const best = (app: AppName, key: 'wallUsPerRequest' | 'cpuUsPerRequest' = 'cpuUsPerRequest'): number =>
      Math.min(...(results.get(app) ?? []).map((r) => r[key]));
    const production = best('production');
    const bare = best('bare');
    const headers: Row = ['app', 'CPU µs/req', 'rounds', 'wall µs/req', 'GC µs/req (median)', 'Δ CPU', 'checks', 'what'];
    const rows: Row[] = APP_NAMES.map((app) => {
      const runs = results.get(app) ?? [];
      const wall = best(app);
      let delta = '';
      if (app.startsWith('gateway-') || app === 'app-no-graphiql') delta = `saves ${(production - wall).toFixed(1)}`;
      else if (app.startsWith('bare+')) delta = `adds ${(wall - bare).toFixed(1)}`;
      else if (app === 'production' || app === 'npm-start') delta = `bare ${wall - bare >= 0 ? '+' : ''}${(wall - bare).toFixed(1)}`;
      const failed = runs.reduce((n, r) => n + r.failed, 0);
      const ok = runs.reduce((n, r) => n + r.ok, 0);
      const cardSeen = runs.every((r) => (r.first ?? '').includes(EXPECTED) && (r.last ?? '').includes(EXPECTED));
      const check = failed === 0 && cardSeen ? `ok (${ok})` : `FAILED ${failed}/${ok + failed}: ${(runs.find((r) => r.failed > 0)?.last ?? '').slice(0, 160)}`;
      return [
        app,
        wall.toFixed(1),
        runs.map((r) => `${r.cpuUsPerRequest.toFixed(0)}${(r.foreignCpuShare ?? 0) > 0.1 ? '*' : ''}`).join(' '),
        best(app, 'wallUsPerRequest').toFixed(1),
        med(app, 'gcUsPerRequest').toFixed(1),
        delta,
        check,
        APP_DESCRIPTIONS[app],
      ];
    });
    const method =
      `Each app alone in its own process: ${warmup} warm-up then ${count} sequential \`yoga.fetch\` calls of the benchmark ` +
      `query (with the access token), ${rounds} interleaved rounds. CPU µs/req = the process's CPU time per request ` +
      '(V8\'s GC helper threads included), cheapest round — the loop is CPU-bound, so interference only adds; ' +
      '`rounds` lists every round, `*` marking those during which other processes used over 10 % of a core. ' +
      'wall µs/req: fastest round. `saves` = production − this app; `adds` = this app − bare (CPU).';
    const all = [...results.values()].flat();
    const busyRuns = all.filter((r) => (r.foreignCpuShare ?? 0) > 0.1).length;
    // The cheapest of several rounds tolerates some interference; most rounds disturbed is too much.
    const unreliable = busyRuns > all.length / 2 ? `${busyRuns} of ${all.length} loops ran while other processes used over 10 % of a core` : undefined;
    return {
      text: [textTable(headers, rows), '', method].join('\n'),
      markdown: [markdownTable(headers, rows), '', method].join('\n'),
      unreliable,
    };
  },
};
