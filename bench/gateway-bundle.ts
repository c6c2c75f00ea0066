/**
 * What the single executable runs, against what the other benchmarks run: the gateway's benchmark server
 * (bench/servers/gateway.ts, target (c) of the gateway benchmark) bundled by esbuild with exactly the
 * executable's options (build/lib/bundle.ts: CommonJS, NODE_ENV=production, no keepNames), then the same
 * bundle with esbuild's keepNames (as the executable was built until this benchmark showed its cost), beside
 * the tsx-run source and bare yoga (run as-is, and bundled like the executable).
 *
 * Why: the other benchmarks run the TypeScript through tsx, which transforms only our files, while the
 * executable's bundle runs every dependency through esbuild too. keepNames wraps each function expression
 * created at run time in a call that defines its `name`; in yoga, envelop and @whatwg-node that means
 * several per request. Same client, request, checks and method as bench/gateway-basic-data.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleBenchServer } from './lib/bundled-server.ts';
import { basicDataExchange, httpVerification } from './gateway-basic-data.ts';
import { compareHttpTargets, DEFAULT_HTTP_OPTIONS, QUICK_HTTP_OPTIONS, type HttpTargetSpec } from './lib/http-compare.ts';
import { fmtInt, fmtMs } from './lib/stats.ts';
import { markdownTable, textTable, type Row } from './lib/table.ts';
import type { BenchContext, BenchModule, BenchReport } from './lib/types.ts';

interface Bundle {
  readonly key: string;
  readonly label: string;
  readonly entry: string;
  readonly keepNames: boolean;
}

const BUNDLES: readonly Bundle[] = [
  { key: 'gateway-bundle', label: 'gateway, bundled as the executable is', entry: 'bench/servers/gateway.ts', keepNames: false },
  { key: 'gateway-bundle-keepnames', label: 'gateway, same bundle with keepNames', entry: 'bench/servers/gateway.ts', keepNames: true },
  { key: 'bare-bundle', label: 'bare yoga, bundled like the executable', entry: 'bench/servers/bare-yoga.ts', keepNames: false },
];

export const benchmark: BenchModule = {
  title: 'The executable’s bundle: tsx-run source vs esbuild bundle (with and without keepNames)',
  section: 'gateway-bundle',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const work = mkdtempSync(join(tmpdir(), 'nhi-bench-bundle-'));
    try {
      const bundled: HttpTargetSpec[] = [];
      for (const b of BUNDLES) {
        ctx.log(`bundling ${b.entry}${b.keepNames ? ' (keepNames on)' : ''}`);
        bundled.push({ key: b.key, label: b.label, script: await bundleBenchServer(b.entry, work, { keepNames: b.keepNames }) });
      }
      const specs: HttpTargetSpec[] = [
        { key: 'bare-yoga', label: 'bare yoga (tsx), as in the gateway benchmark', script: 'bench/servers/bare-yoga.ts' },
        { key: 'gateway', label: 'gateway (tsx), as in the gateway benchmark', script: 'bench/servers/gateway.ts' },
        ...bundled,
      ];
      const opts = ctx.quick ? QUICK_HTTP_OPTIONS : DEFAULT_HTTP_OPTIONS;
      const { results, foreignCpuShare } = await compareHttpTargets(specs, basicDataExchange(), opts, ctx);
      const bare = results.find((r) => r.spec.key === 'bare-yoga');
      if (!bare) throw new Error('missing bare yoga');
      const headers: Row = ['', 'server CPU/req', '÷ bare (tsx)', `req/s (c=${opts.concurrency})`, '÷ bare (tsx)', 'p50 (c=1)', 'checks'];
      const rows: Row[] = results.map((r) => {
        const check = httpVerification(r);
        return [
          r.spec.label,
          `${Math.round(r.serverCpuUsPerRequest)} µs`,
          (r.serverCpuUsPerRequest / bare.serverCpuUsPerRequest).toFixed(2),
          fmtInt(r.rps),
          (r.rps / bare.rps).toFixed(3),
          fmtMs(r.latency.p50),
          check.ok ? `ok (${fmtInt(r.tally.requests)})` : `FAILED: ${check.summary}`,
        ];
      });
      const note =
        `Bundles: build/lib/bundle.ts's options (CommonJS, target node22, NODE_ENV=production) with the benchmark ` +
        `server as entry point, run with plain Node (no loader); the executable embeds the same kind of bundle. ` +
        `Other processes used ${foreignCpuShare === null ? 'an unknown share' : `${Math.round(foreignCpuShare * 100)} %`} ` +
        `of a core. Concurrency 1: ${fmtInt(opts.count)} requests after ${opts.warmup} warm-up; concurrency ` +
        `${opts.concurrency}: ${opts.rounds} × ${opts.roundMs / 1000} s rounds, targets alternating (median).`;
      const busy = foreignCpuShare !== null && foreignCpuShare > 0.1;
      return {
        text: [textTable(headers, rows), '', note].join('\n'),
        markdown: [markdownTable(headers, rows), '', note].join('\n'),
        unreliable: busy ? `other processes used ${Math.round((foreignCpuShare ?? 0) * 100)} % of a core` : undefined,
      };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
