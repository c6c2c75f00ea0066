/**
 * Issue 2, item 9: what the gateway adds to one health-card read.
 *   (a) the port call alone: services.cards.basicData(), in-process (no GraphQL, no HTTP);
 *   (b) a bare graphql-yoga server answering the same query shape from a constant (bench/servers/bare-yoga.ts);
 *   (c) the gateway as it ships, over the simulator with a card inserted (bench/servers/gateway.ts
 *       --variant=shipped): built through src/main.ts's own functions (src/shipped-app.ts) — file log, audit
 *       log, token file, access control, limits, and the V8 flags the executable runs with
 *       (build/lib/exec-argv.ts; NHI_BENCH_GATEWAY_NODE_ARGS replaces them to measure a trade, `defaults`
 *       for none: bench/lib/node-args.ts); only the identity-read rate limit's numbers raised (at its burst of
 *       20 reads it would refuse the load);
 *   (c′) a diagnostic, not judged: createApp with the token and the rate limit off, console logger, no files
 *       (what this benchmark judged before issue 18).
 * (b), (c) and (c′) run as the executable runs the gateway: bundled by esbuild with the executable's options,
 * by plain Node (bench/lib/bundled-server.ts), on the Node the executable ships (bench/lib/server-node.ts).
 * (c-src), not judged, is (c) from the TypeScript sources through tsx, as this benchmark ran it before round 7.
 * (b′), not judged, is (b) without yoga's request-body limit, whose counting stream (b) pays on every request
 * and the gateway does not (src/plugins/use-body-size-limit.ts): the floor with that cost taken out.
 * Targets: rps (c)/(b) ≥ 0.75 at concurrency 16; p50 (c) − (b) ≤ 0.3 ms at concurrency 1.
 */
import { createSimulatorServices } from '../src/services.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleBenchServer } from './lib/bundled-server.ts';
import { describeNodeArgs, gatewayNodeArgs } from './lib/node-args.ts';
import { benchServerNode, nodeVersionOf } from './lib/server-node.ts';
import type { Exchange, HttpResponse, Outcome } from './lib/http-client.ts';
import { benchToken } from './lib/bench-token.ts';
import { compareHttpTargets, DEFAULT_HTTP_OPTIONS, QUICK_HTTP_OPTIONS, type HttpTargetResult } from './lib/http-compare.ts';
import { fmtInt, fmtMs, median, summarize, type LatencySummary } from './lib/stats.ts';
import { markdownTable, textTable, type Row } from './lib/table.ts';
import type { BenchContext, BenchModule, BenchReport } from './lib/types.ts';

export const QUERY = '{ healthCard { basicData { ... on BasicData { cardNumber idNumber name { text } } } } }';
export const EXPECTED_CARD_NUMBER = '000012345678';
const EXPECTED_FRAGMENT = `"cardNumber":"${EXPECTED_CARD_NUMBER}"`;

export const TARGETS = { throughputRatio: 0.75, p50DiffMs: 0.3 } as const;

/** Fresh-process repetitions of the HTTP comparison (not in --quick). */
const FORKS = 3;

/** Other processes using more than this share of a core during the run make the verdicts unreliable. */
const BUSY_SHARE = 0.1;

export function checkBasicDataResponse(response: HttpResponse): Outcome {
  if (response.status === 200 && response.body.includes(EXPECTED_FRAGMENT) && !response.body.includes('"errors"')) return 'ok';
  return response.body.includes('"errors"') ? 'graphql-error' : 'unexpected';
}

/**
 * The request every HTTP target gets, byte for byte: what a HIS sends (the access token, the gateway's CSRF
 * header). Bare yoga ignores the extra headers.
 */
export function basicDataExchange(): Exchange {
  return {
    path: '/graphql',
    body: Buffer.from(JSON.stringify({ query: QUERY })),
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: `Bearer ${benchToken()}`,
      'x-nhi-gateway': '1',
    },
    check: checkBasicDataResponse,
  };
}

interface InProcessResult {
  readonly latency: LatencySummary;
  readonly calls: number;
  readonly failures: number;
  readonly firstCardNumber: string | null;
  readonly lastCardNumber: string | null;
  readonly firstProblem: string | null;
}

/** (a): the port call, awaited back to back in this process. */
async function measurePortCall(warmup: number, count: number): Promise<InProcessResult> {
  const services = createSimulatorServices({ strategy: 'N1' });
  try {
    if (!services.simulator) throw new Error('simulator services without simulator controls');
    services.simulator.insertHealthCard('STANDARD');
    let failures = 0;
    let firstProblem: string | null = null;
    let firstCardNumber: string | null = null;
    let lastCardNumber: string | null = null;
    const call = async (): Promise<void> => {
      try {
        const data = await services.cards.basicData();
        firstCardNumber ??= data.cardNumber;
        lastCardNumber = data.cardNumber;
      } catch (error) {
        failures++;
        firstProblem ??= error instanceof Error ? error.message : String(error);
      }
    };
    for (let i = 0; i < warmup; i++) await call();
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = process.hrtime.bigint();
      await call();
      samples.push(Number(process.hrtime.bigint() - t0));
    }
    return { latency: summarize(samples), calls: warmup + count, failures, firstCardNumber, lastCardNumber, firstProblem };
  } finally {
    await services[Symbol.asyncDispose]();
  }
}

function bodyHasCard(body: string | null): boolean {
  return body !== null && body.includes(EXPECTED_FRAGMENT);
}

export function httpVerification(r: HttpTargetResult): { ok: boolean; summary: string } {
  const t = r.tally;
  const firstOk = bodyHasCard(t.firstBody);
  const lastOk = bodyHasCard(t.lastBody);
  const ok = t.failed === 0 && firstOk && lastOk && t.requests > 0;
  const statuses = [...t.statuses].map(([s, n]) => `${s}×${fmtInt(n)}`).join(' ');
  const summary =
    `${fmtInt(t.requests)} requests (${statuses || 'none'}); non-200: ${t.non200}, GraphQL errors: ${t.graphqlErrors}, ` +
    `unexpected bodies: ${t.unexpected}, transport errors: ${t.transportErrors}; cardNumber ${EXPECTED_CARD_NUMBER} ` +
    `in first: ${firstOk ? 'yes' : 'NO'}, last: ${lastOk ? 'yes' : 'NO'}${t.firstProblem ? `; first problem: ${t.firstProblem}` : ''}`;
  return { ok, summary };
}

export const benchmark: BenchModule = {
  title: 'Gateway overhead: healthCard.basicData over HTTP',
  section: 'gateway-basic-data',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const opts = ctx.quick ? QUICK_HTTP_OPTIONS : DEFAULT_HTTP_OPTIONS;
    const inWarmup = ctx.quick ? 100 : 1000;
    const inCount = ctx.quick ? 1000 : 10_000;

    ctx.log('(a) port call in-process');
    const a = await measurePortCall(inWarmup, inCount);

    // Forks, as JMH calls them: the whole comparison again with fresh server processes. The same build's
    // server CPU per request differs by up to ~10 % from one process to the next (JIT and heap-sizing
    // decisions made early stick for the process's life) while staying steady within one, so one process
    // per target says more about luck than about the code. The median fork is reported.
    const forks = ctx.quick ? 1 : FORKS;
    const shippedNodeArgs = gatewayNodeArgs(process.env['NHI_BENCH_GATEWAY_NODE_ARGS']);
    // Every server on the Node the executable is built from (bench/lib/server-node.ts says why).
    const node = benchServerNode();
    const serverNode = nodeVersionOf(node);
    ctx.log(`servers run on Node ${serverNode}`);
    const runs: { results: HttpTargetResult[]; foreignCpuShare: number | null; ratio: number; diff: number }[] = [];
    const bundles = mkdtempSync(join(tmpdir(), 'nhi-bench-gateway-'));
    ctx.log(`bundling the servers as the executable is bundled, into ${bundles}`);
    const bareBundle = await bundleBenchServer('bench/servers/bare-yoga.ts', bundles);
    const gatewayBundle = await bundleBenchServer('bench/servers/gateway.ts', bundles);
    try {
    for (let fork = 1; fork <= forks; fork++) {
      ctx.log(`(b) bare yoga, (c) gateway as shipped, (c′) stripped gateway, (b′) bare yoga without body limit, (c-src) (c) from source — over HTTP, fork ${fork}/${forks}`);
      const run = await compareHttpTargets(
        [
          { key: 'bare-yoga', label: '(b) bare graphql-yoga, constant', script: bareBundle, node },
          {
            key: 'shipped',
            label: process.env['NHI_BENCH_GATEWAY_NODE_ARGS']?.trim()
              ? `(c) gateway as shipped but V8 flags ${describeNodeArgs(shippedNodeArgs)} (NOT the judged configuration)`
              : '(c) gateway as shipped (logs, audit, access control, the executable\'s V8 flags)',
            script: gatewayBundle,
            args: ['--variant=shipped'],
            nodeArgs: shippedNodeArgs,
            node,
          },
          { key: 'stripped', label: '(c′) diagnostic: createApp, no log files', script: gatewayBundle, args: ['--variant=production'], node },
          { key: 'bare-no-body-limit', label: '(b′) diagnostic: (b) without yoga\'s body-limit stream', script: bareBundle, args: ['--no-body-limit'], node },
          {
            key: 'shipped-source',
            label: '(c-src) diagnostic: (c) from the TypeScript sources through tsx',
            script: 'bench/servers/gateway.ts',
            args: ['--variant=shipped'],
            nodeArgs: shippedNodeArgs,
            node,
          },
        ],
        basicDataExchange(),
        opts,
        ctx,
      );
      const [rb, rc] = run.results;
      if (!rb || !rc) throw new Error('missing results');
      runs.push({ results: run.results, foreignCpuShare: run.foreignCpuShare, ratio: rc.rps / rb.rps, diff: rc.latency.p50 - rb.latency.p50 });
    }
    } finally {
      rmSync(bundles, { recursive: true, force: true });
    }
    const byRatio = [...runs].sort((x, y) => x.ratio - y.ratio);
    const medianRun = byRatio[Math.floor((byRatio.length - 1) / 2)]!;
    const { results } = medianRun;
    const shares = runs.map((r) => r.foreignCpuShare).filter((x): x is number => x !== null);
    const foreignCpuShare = shares.length === runs.length ? Math.max(...shares) : null;
    const [b, c, cStripped, bNoLimit, cSource] = results;
    if (!b || !c || !cStripped || !bNoLimit || !cSource) throw new Error('missing results');
    const sourceRatios = runs.map((r) => r.results[4]!.rps / r.results[0]!.rps);
    const noLimitRatios = runs.map((r) => r.results[1]!.rps / r.results[3]!.rps);

    const ratio = medianRun.ratio;
    const diff = median(runs.map((r) => r.diff));
    const aOk = a.failures === 0 && a.firstCardNumber === EXPECTED_CARD_NUMBER && a.lastCardNumber === EXPECTED_CARD_NUMBER;
    const failedForks = runs.filter((r) => !r.results.every((x) => httpVerification(x).ok)).length;
    const bCheck = httpVerification(b);
    const cCheck = httpVerification(c);
    const cStrippedCheck = httpVerification(cStripped);
    const cSourceCheck = httpVerification(cSource);
    const valid = aOk && failedForks === 0;
    const busy = foreignCpuShare !== null && foreignCpuShare > BUSY_SHARE;
    const verdict = (pass: boolean): string =>
      valid ? `${pass ? 'PASS' : 'MISS'}${busy ? ' (machine busy: unreliable)' : ''}` : 'INVALID (failed requests)';
    const ratioVerdict = verdict(ratio >= TARGETS.throughputRatio);
    const diffVerdict = verdict(diff <= TARGETS.p50DiffMs);

    const headers: Row = ['', 'p50 (c=1)', 'p99 (c=1)', `req/s (c=${opts.concurrency})`, `p50 / p99 (c=${opts.concurrency})`, 'server CPU/req', 'server CPU', 'client CPU'];
    const pct = (x: number): string => `${Math.round(x * 100)} %`;
    const rows: Row[] = [
      ['(a) port call, in-process', fmtMs(a.latency.p50), fmtMs(a.latency.p99), '—', '—', '—', '—', '—'],
      ...results.map((r): Row => [
        r.spec.label,
        fmtMs(r.latency.p50),
        fmtMs(r.latency.p99),
        fmtInt(r.rps),
        `${fmtMs(r.loadedLatency.p50)} / ${fmtMs(r.loadedLatency.p99)}`,
        `${Math.round(r.serverCpuUsPerRequest)} µs`,
        pct(r.serverCpuShare),
        pct(r.clientCpuShare),
      ]),
    ];
    const pairedRatios = c.roundsRps.map((x, i) => x / (b.roundsRps[i] ?? Number.NaN));
    const forkList = (values: number[], digits: number): string => values.map((x) => x.toFixed(digits)).join(', ');
    const verdictLines = [
      `throughput (c)/(b): ${ratio.toFixed(3)} (target ≥ ${TARGETS.throughputRatio}) → ${ratioVerdict}` +
        (forks > 1 ? `; median of ${forks} forks: ${forkList(runs.map((r) => r.ratio), 3)}` : ''),
      `p50 (c) − (b): ${diff.toFixed(3)} ms (target ≤ ${TARGETS.p50DiffMs} ms) → ${diffVerdict}` +
        (forks > 1 ? `; median of ${forks} forks: ${forkList(runs.map((r) => r.diff), 3)} ms` : ''),
      ...(forks > 1
        ? [
            `by fork: req/s (b) ${runs.map((r) => fmtInt(r.results[0]!.rps)).join(', ')}; (c) ${runs.map((r) => fmtInt(r.results[1]!.rps)).join(', ')}; ` +
              `server CPU per request (b) ${runs.map((r) => Math.round(r.results[0]!.serverCpuUsPerRequest)).join(', ')} µs; ` +
              `(c) ${runs.map((r) => Math.round(r.results[1]!.serverCpuUsPerRequest)).join(', ')} µs`,
          ]
        : []),
      `not judged: (c′)/(b) ${(cStripped.rps / b.rps).toFixed(3)}, p50 (c′) − (b) ${(cStripped.latency.p50 - b.latency.p50).toFixed(3)} ms; ` +
        `(c-src)/(b) ${median(sourceRatios).toFixed(3)} (forks ${forkList(sourceRatios, 3)}); ` +
        `(c)/(b′) ${median(noLimitRatios).toFixed(3)} (forks ${forkList(noLimitRatios, 3)}), p50 (c) − (b′) ${(c.latency.p50 - bNoLimit.latency.p50).toFixed(3)} ms; ` +
        `server CPU per request (c)/(b) ${(c.serverCpuUsPerRequest / b.serverCpuUsPerRequest).toFixed(2)}; ` +
        `per-round (c)/(b) ${pairedRatios.map((x) => x.toFixed(2)).join(', ')}`,
      `servers (b), (b′), (c), (c′) bundled as the executable is (bench/lib/bundled-server.ts), (c-src) through tsx; all on Node ${serverNode}${process.env['NHI_BENCH_SERVER_NODE']?.trim() === 'current' ? ' (NHI_BENCH_SERVER_NODE=current: NOT the executable\'s Node)' : " (the executable's)"}`,
      `other processes used ${foreignCpuShare === null ? 'an unknown share' : `${Math.round(foreignCpuShare * 100)} %`} of a core during the HTTP phases` +
        (busy ? ` (over ${BUSY_SHARE * 100} %: the machine was shared, rerun when it is quiet)` : ''),
    ];
    const checkLines = [
      ...(forks > 1 ? [`every request of all ${forks} forks checked: ${failedForks === 0 ? 'all answered as expected' : `${failedForks} fork(s) had failures`}; the median fork's tallies:`] : []),
      `(a) ${fmtInt(a.calls)} calls, ${a.failures} failed; cardNumber first: ${a.firstCardNumber}, last: ${a.lastCardNumber}${a.firstProblem ? `; first problem: ${a.firstProblem}` : ''}`,
      `(b) ${bCheck.summary}`,
      `(c) ${cCheck.summary}`,
      `(c′) ${cStrippedCheck.summary}`,
      `(b′) ${httpVerification(bNoLimit).summary}`,
      `(c-src) ${cSourceCheck.summary}`,
    ];
    const method =
      `(a) ${fmtInt(inCount)} sequential awaits after ${fmtInt(inWarmup)} warm-up. (b), (c), (c′): each server in its own ` +
      `child process on 127.0.0.1, one keep-alive node:http client for all; concurrency 1: ${fmtInt(opts.count)} ` +
      `sequential POSTs after ${opts.warmup} warm-up (in ${opts.chunks} slices, targets alternating); concurrency ${opts.concurrency}: ` +
      `${opts.rounds} rounds of ${opts.roundMs / 1000} s, targets alternating, after ${opts.warmupMs / 1000} s warm-up; median round reported. ` +
      `All of this ${forks} time(s) with fresh server processes (forks); the table is the fork with the median (c)/(b) throughput, ` +
      `and the judged numbers are the medians over forks. ` +
      `Server CPU = the server process's user+system time during the rounds (over 100 %: V8's GC threads), per request and ` +
      `as a share of one core; client CPU = the load generator's. On a 2-vCPU VM the load generator still slows the server ` +
      `somewhat (two busy processes need not each get a full core), alike for every target; server CPU per request is the ` +
      `steadiest number. p99 at concurrency 1 is mostly the VM's wake-up latency (the same for every target).`;
    const text = [
      textTable(headers, rows),
      '',
      ...verdictLines,
      '',
      'checks:',
      ...checkLines.map((l) => `  ${l}`),
      `  rounds req/s: ${results.map((r) => `${r.spec.key} ${r.roundsRps.map((x) => fmtInt(x)).join(', ')}`).join('; ')}`,
      `  first body (b): ${b.tally.firstBody ?? '—'}`,
      `  first body (c): ${c.tally.firstBody ?? '—'}`,
    ].join('\n');

    const markdown = [
      `Query: \`${QUERY}\` — (a) the port call \`services.cards.basicData()\` in-process; (b) bare graphql-yoga ` +
        `(\`createYoga\` + \`createSchema\`, default plugins, GraphiQL and logging off) answering the same shape from a constant; ` +
        `(c) the gateway as it ships, over \`createSimulatorServices({ strategy: 'N1' })\` with the STANDARD card inserted: ` +
        `built through the functions \`src/main.ts\` calls — \`parseArgs\` (\`--backend simulator --log-dir …\`), ` +
        `\`openGatewayLogs\` (pino to \`gateway.log\` and the console, \`audit.log\`; asynchronous batched writes), ` +
        `\`loadOrCreateToken\`, a \`PairingStore\` and \`shippedAppOptions\` (access control, origins, limits, pairing routes, audit of every identity read) — ` +
        `with one change: the identity-read rate limiter runs on every request with numbers no benchmark reaches ` +
        `(its shipped burst of 20 reads would make a load test measure refusals); its process runs with the V8 flags ` +
        `\`${describeNodeArgs(shippedNodeArgs)}\` (build/lib/exec-argv.ts; NHI_BENCH_GATEWAY_NODE_ARGS replaces them); ` +
        `(c′) a diagnostic, not judged: \`createApp\` with the token, the rate limit off, console logger, no log or audit file. ` +
        `(b′) a diagnostic, not judged: (b) with \`maxRequestBodySize: false\` — yoga's request-body limit counts every body through a stream, which (b) pays and the gateway does not (it checks Content-Length instead: src/plugins/use-body-size-limit.ts). ` +
        `(c-src) a diagnostic, not judged: (c) run from the TypeScript sources through tsx, as this benchmark ran it until round 7. ` +
        `(b), (b′), (c) and (c′) run as the executable runs the gateway: bundled with the executable's esbuild options (CommonJS, NODE_ENV=production, no keepNames; bench/lib/bundled-server.ts) and run by plain Node. ` +
        `All run on Node ${serverNode}, the executable's (bench/lib/server-node.ts; \`NHI_BENCH_SERVER_NODE=current\` runs them on the benchmark's own Node).`,
      '',
      `Targets: req/s (c)/(b) ≥ ${TARGETS.throughputRatio}; p50 (c) − (b) ≤ ${TARGETS.p50DiffMs} ms.${ctx.quick ? ' **--quick run: not for comparison.**' : ''}`,
      '',
      markdownTable(headers, rows),
      '',
      ...verdictLines.map((l) => `- ${l}`),
      '',
      `Checks (every request, warm-up included, must answer 200 with the card and no \`errors\`):`,
      '',
      ...checkLines.map((l) => `- ${l}`),
      '',
      `Method: ${method}`,
      '',
      `All targets get the same request: \`POST /graphql\`, JSON, \`Authorization: Bearer <token>\`, \`x-nhi-gateway: 1\` (bare yoga ignores the headers).`,
    ].join('\n');

    return {
      text,
      markdown,
      unreliable: busy ? `other processes used ${Math.round((foreignCpuShare ?? 0) * 100)} % of a core` : undefined,
    };
  },
};
