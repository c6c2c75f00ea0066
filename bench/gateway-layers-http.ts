/**
 * The layers that matter, over HTTP: like bench/gateway-basic-data.ts (same client, same request, each server
 * in its own process) for a few app variants of bench/servers/gateway-variants.ts. Server CPU time per
 * request is the number to read; it is what caps throughput once the server's core is saturated.
 */
import { basicDataExchange, httpVerification } from './gateway-basic-data.ts';
import { compareHttpTargets, DEFAULT_HTTP_OPTIONS, QUICK_HTTP_OPTIONS, type HttpTargetSpec } from './lib/http-compare.ts';
import { fmtInt, fmtMs } from './lib/stats.ts';
import { markdownTable, textTable, type Row } from './lib/table.ts';
import type { BenchContext, BenchModule, BenchReport } from './lib/types.ts';
import { APP_DESCRIPTIONS, APP_NAMES, isAppName, type AppName } from './servers/gateway-variants.ts';

const DEFAULT_APPS: readonly AppName[] = ['bare', 'production', 'gateway-no-security', 'gateway-bare-schema', 'bare+gateway-schema', 'npm-start'];

/**
 * `NHI_BENCH_APPS=bare,production,… npm run bench -- gateway-layers-http` compares other variants (names:
 * bench/servers/gateway-variants.ts); `bare` is always measured, as the reference.
 */
function appsToRun(): readonly AppName[] {
  const asked = process.env['NHI_BENCH_APPS'];
  if (!asked) return DEFAULT_APPS;
  const names = asked.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !isAppName(name));
  if (unknown.length > 0) throw new Error(`NHI_BENCH_APPS: unknown app ${unknown.join(', ')}; known: ${APP_NAMES.join(', ')}`);
  return ['bare', ...(names as AppName[]).filter((name) => name !== 'bare')];
}

export const benchmark: BenchModule = {
  title: 'Gateway layers over HTTP: server CPU per request',
  section: 'gateway-layers-http',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const base = ctx.quick ? QUICK_HTTP_OPTIONS : DEFAULT_HTTP_OPTIONS;
    const opts = { ...base, count: ctx.quick ? base.count : 1000, roundMs: ctx.quick ? base.roundMs : 1500 };
    const specs: HttpTargetSpec[] = appsToRun().map((app) => ({
      key: app,
      label: app,
      script: 'bench/servers/gateway.ts',
      args: [`--variant=${app}`],
    }));
    const { results, foreignCpuShare } = await compareHttpTargets(specs, basicDataExchange(), opts, ctx);
    const bare = results.find((r) => r.spec.key === 'bare');
    if (!bare) throw new Error('missing bare');
    const headers: Row = ['app', 'server CPU/req', '÷ bare', `req/s (c=${opts.concurrency})`, '÷ bare', 'p50 (c=1)', 'checks', 'what'];
    const rows: Row[] = results.map((r) => {
      const check = httpVerification(r);
      return [
        r.spec.key,
        `${Math.round(r.serverCpuUsPerRequest)} µs`,
        (r.serverCpuUsPerRequest / bare.serverCpuUsPerRequest).toFixed(2),
        fmtInt(r.rps),
        (r.rps / bare.rps).toFixed(2),
        fmtMs(r.latency.p50),
        check.ok ? `ok (${fmtInt(r.tally.requests)})` : `FAILED: ${check.summary}`,
        APP_DESCRIPTIONS[r.spec.key as AppName],
      ];
    });
    const note =
      `Served by startServer (bare too, so the HTTP path is identical). Other processes used ` +
      `${foreignCpuShare === null ? 'an unknown share' : `${Math.round(foreignCpuShare * 100)} %`} of a core during the run. ` +
      `Concurrency 1: ${fmtInt(opts.count)} requests after ${opts.warmup} warm-up; concurrency ${opts.concurrency}: ` +
      `${opts.rounds} × ${opts.roundMs / 1000} s rounds (median).`;
    const busy = foreignCpuShare !== null && foreignCpuShare > 0.1;
    return {
      text: [textTable(headers, rows), '', note].join('\n'),
      markdown: [markdownTable(headers, rows), '', note].join('\n'),
      unreliable: busy ? `other processes used ${Math.round((foreignCpuShare ?? 0) * 100)} % of a core` : undefined,
    };
  },
};
