/**
 * `npm run bench -- native`: CSHIS.dll over koffi (issue 3, item 7), against the native fixture
 * (test/native/cshis_fixture.c, built on demand), everything in this one process:
 *
 * 1. Call overhead of one hisGetBasicData (72 bytes, docs/reference/buffers.md (1.1 / 1.2)): koffi synchronous call; koffi `.async` (worker
 *    thread); the adapter (queue + `.async`, keep-open reader); the gateway over HTTP (createApp over
 *    createCshisServices as `--backend cshis` builds it, served by startServer on 127.0.0.1, one keep-alive
 *    client in this process, concurrency 1). Sequential calls; p50/p99 per call.
 * 2. Event-loop delay (perf_hooks monitorEventLoopDelay, 1 ms resolution) while one 2-second fixture call
 *    runs through the adapter, with /health polled meanwhile; target max ≤ 10 ms. Negative control: the same
 *    call made synchronously, which must block the loop for ~2 s (proves the monitor sees a blocked loop).
 * 3. 100 concurrent mixed requests through the gateway over HTTP, repeated in rounds: 30 basicData, 15
 *    validity, 15 lastSeqNumber, 20 startVisit, 20 writeTreatment (to visits started just before the burst),
 *    shuffled. Throughput = 100 / burst wall time; every response must be the expected type; the fixture's
 *    overlap counter (a CSHIS export entered while another was inside) must stay 0.
 *
 * Why in-process and not a server child: the fixture's counters (overlaps, calls, writes) and its cards live
 * in the process that loaded it. The load generator's CPU is small next to the serial native queue here.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.ts';
import { parseArgs } from '../src/config.ts';
import { open as openCshisBackend } from '../src/backends/cshis.ts';
import { createServices, servicesOptionsFromConfig } from '../src/services.ts';
import { startServer } from '../src/server.ts';
import { createConsoleLogger } from '../src/logger.ts';
import { rocDateToIso } from '../src/codecs/roc-date.ts';
import { createCshisControlSoftware } from '../src/adapters/cshis/cshis-control-software.ts';
import { loadCshisLibrary, loadFixtureControls, type CshisExportName, type FixtureControls } from '../src/adapters/cshis/native.ts';
import type { SimulatedPatient } from '../src/adapters/simulator/patients.ts';
import { FIXTURE_SO, ensureFixtureBuilt, insertSimulatedPatient } from '../test/integration/cshis/helpers.ts';
import { KeepAliveClient, type Exchange, type HttpResponse, type Outcome } from './lib/http-client.ts';
import { benchToken } from './lib/bench-token.ts';
import { ForeignCpu } from './lib/machine.ts';
import { fmtInt, fmtMs, median, summarize, type LatencySummary } from './lib/stats.ts';
import { markdownTable, textTable, type Row } from './lib/table.ts';
import type { BenchContext, BenchModule, BenchReport } from './lib/types.ts';

export const TARGETS = { eventLoopMaxDelayMs: 10, overlaps: 0 } as const;

const machineCores = (): number => cpus().length;

const SLOW_CALL_MS = 2_000;
const CSDLL_INI = '[CS]\r\nREADER=PC/SC\r\nCOM=COMX1\r\nHCA=ENABLE\r\nCSFSIM=ENABLE\r\nMSGSHOW=ENABLE\r\nCSTIMEOUT=120\r\n';

// ---------------------------------------------------------------------------------------------------------
// requests
// ---------------------------------------------------------------------------------------------------------

type Kind = 'basicData' | 'validity' | 'lastSeqNumber' | 'startVisit' | 'writeTreatment';

/** The burst's mix; 100 requests. */
export const MIX: Readonly<Record<Kind, number>> = { basicData: 30, validity: 15, lastSeqNumber: 15, startVisit: 20, writeTreatment: 20 };
/** Visits started before each burst; the burst's writes go to them (a visit must not lie in the future). */
const SETUP_VISITS = 4;

const HEADERS = (token: string) => ({
  'content-type': 'application/json',
  accept: 'application/graphql-response+json, application/json',
  authorization: `Bearer ${token}`,
});

function exchange(token: string, query: string, variables: Record<string, unknown> | undefined, expectTypename: string): Exchange {
  return {
    path: '/graphql',
    body: Buffer.from(JSON.stringify({ query, variables })),
    headers: HEADERS(token),
    check: (r: HttpResponse): Outcome =>
      r.status === 200 && r.body.includes(`"__typename":"${expectTypename}"`) && !r.body.includes('"errors"')
        ? 'ok'
        : r.body.includes('"errors"') || r.body.includes('"code"')
          ? 'graphql-error'
          : 'unexpected',
  };
}

const Q = {
  basicData: '{ healthCard { basicData { __typename ... on BasicData { cardNumber } ... on Error { code } } } }',
  validity: '{ healthCard { validity { __typename ... on Error { code } } } }',
  lastSeqNumber: '{ healthCard { lastSeqNumber { __typename ... on Error { code } } } }',
  startVisit:
    'mutation { startVisit(input: { category: WESTERN_MEDICINE_OUTPATIENT }) { __typename ... on Visit { visitTimeRoc } ... on Error { code } } }',
  writeTreatment:
    'mutation($input: WriteTreatmentInput!) { writeTreatment(input: $input) { __typename ... on Error { code } ... on VendorError { vendorCode } } }',
} as const;

const EXPECT: Record<Kind, string> = {
  basicData: 'BasicData',
  validity: 'CardValidity',
  lastSeqNumber: 'LastSeqNumber',
  startVisit: 'Visit',
  writeTreatment: 'TreatmentWritten',
};

function writeVariables(patient: SimulatedPatient, visitTimeRoc: string): Record<string, unknown> {
  return {
    input: {
      visitTime: visitTimeRoc,
      patientId: patient.idNumber,
      birthDate: rocDateToIso(patient.birthDateRoc, 'birthDate'),
      diagnoses: ['J069'],
      fees: { outpatientFee: 350, outpatientCopay: 50 },
    },
  };
}

/** Deterministic shuffle (xorshift32), so every run sends the same order. */
function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

// ---------------------------------------------------------------------------------------------------------
// the gateway over the fixture
// ---------------------------------------------------------------------------------------------------------

interface Gateway {
  readonly client: KeepAliveClient;
  readonly token: string;
  readonly baseUrl: string;
  close(): Promise<void>;
}

async function startGateway(dir: string): Promise<Gateway> {
  const ini = join(dir, 'csdll.ini');
  writeFileSync(ini, CSDLL_INI, 'latin1');
  const parsed = parseArgs(['--backend', 'cshis', '--cshis-path', FIXTURE_SO, '--csdll-ini', ini], {});
  if (parsed.kind !== 'run') throw new Error(`bench config: ${JSON.stringify(parsed)}`);
  const quiet = createConsoleLogger({ write: () => undefined });
  const services = createServices(await openCshisBackend(parsed.config, { logger: quiet }), servicesOptionsFromConfig(parsed.config, { logger: quiet }));
  const token = benchToken();
  // The identity-read rate limit is off, as in the gateway benchmark: at its default a load test measures refusals.
  const yoga = createApp(services, { graphiql: false, logger: quiet, security: { token, identityRate: false } });
  const server = await startServer({ yoga, host: '127.0.0.1', port: 0 });
  const client = new KeepAliveClient('127.0.0.1', server.port, 128, 30_000);
  return {
    client,
    token,
    baseUrl: server.url.replace(/\/+$/, ''),
    close: async () => {
      client.close();
      await server.close(0);
      await services[Symbol.asyncDispose]();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// 1. call overhead
// ---------------------------------------------------------------------------------------------------------

interface OverheadRow {
  readonly label: string;
  readonly latency: LatencySummary;
  readonly failures: number;
}

async function measure(label: string, warmup: number, count: number, call: () => Promise<boolean> | boolean): Promise<OverheadRow> {
  let failures = 0;
  for (let i = 0; i < warmup; i++) if (!(await call())) failures++;
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    const ok = await call();
    samples.push(Number(process.hrtime.bigint() - t0));
    if (!ok) failures++;
  }
  return { label, latency: summarize(samples), failures };
}

// ---------------------------------------------------------------------------------------------------------
// 2. event loop during a 2-second call
// ---------------------------------------------------------------------------------------------------------

interface LoopDelay {
  readonly maxMs: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly callMs: number;
  readonly healthAnswers: number;
  readonly healthMaxMs: number;
}

async function eventLoopDuring(work: () => Promise<unknown> | unknown, healthUrl: string | null): Promise<LoopDelay> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let polling = healthUrl !== null;
  let healthAnswers = 0;
  let healthMaxMs = 0;
  const poller = (async () => {
    while (polling && healthUrl) {
      const t0 = performance.now();
      const response = await fetch(healthUrl);
      await response.arrayBuffer();
      if (response.ok && polling) {
        healthAnswers++;
        healthMaxMs = Math.max(healthMaxMs, performance.now() - t0);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await new Promise((r) => setTimeout(r, 100)); // let the poller's first requests pass
  histogram.enable();
  // Node records from the monitor's second tick on: let it tick before the work, or a loop blocked from the
  // start would record nothing (the negative control would pass by accident).
  await new Promise((r) => setTimeout(r, 10));
  const t0 = performance.now();
  await work();
  const callMs = performance.now() - t0;
  // Keep sampling a little: a loop blocked until now records its delay only when the next sample fires.
  await new Promise((r) => setTimeout(r, 20));
  histogram.disable();
  polling = false;
  await poller;
  return {
    maxMs: histogram.max / 1e6,
    p99Ms: histogram.percentile(99) / 1e6,
    meanMs: histogram.mean / 1e6,
    callMs,
    healthAnswers,
    healthMaxMs,
  };
}

// ---------------------------------------------------------------------------------------------------------
// 3. 100 concurrent mixed requests
// ---------------------------------------------------------------------------------------------------------

interface BurstResult {
  readonly wallMs: number;
  readonly ok: number;
  readonly failed: number;
  readonly firstProblem: string | null;
  readonly byKind: ReadonlyMap<Kind, number[]>;
  readonly overlaps: number;
  readonly nativeCalls: number;
  readonly writesOnCard: number;
}

const COUNTED: readonly CshisExportName[] = [
  'csOpenCom',
  'csCloseCom',
  'hisGetBasicData',
  'hisGetRegisterBasic2',
  'hisGetLastSeqNum',
  'hisGetSeqNumber256N1',
  'hisWriteTreatmentCode',
  'hisWriteTreatmentFee',
];

async function burst(gw: Gateway, fx: FixtureControls, round: number): Promise<BurstResult> {
  const patient = insertSimulatedPatient(fx, 'STANDARD', { remainingVisits: 99 }); // fresh card: visits and clock reset
  const setupVisits: string[] = [];
  for (let i = 0; i < SETUP_VISITS; i++) {
    const r = await gw.client.post(exchange(gw.token, Q.startVisit, undefined, 'Visit'));
    const m = /"visitTimeRoc":"(\d{13})"/.exec(r.body);
    if (!m?.[1]) throw new Error(`setup visit failed: ${r.body.slice(0, 300)}`);
    setupVisits.push(m[1]);
  }
  const overlapsBefore = fx.overlapCount();
  const callsBefore = COUNTED.reduce((n, f) => n + fx.callCount(f), 0);

  const requests: { kind: Kind; ex: Exchange }[] = [];
  let w = 0;
  for (const [kind, n] of Object.entries(MIX) as [Kind, number][]) {
    for (let i = 0; i < n; i++) {
      const variables = kind === 'writeTreatment' ? writeVariables(patient, setupVisits[w++ % SETUP_VISITS] ?? '') : undefined;
      requests.push({ kind, ex: exchange(gw.token, Q[kind], variables, EXPECT[kind]) });
    }
  }
  shuffle(requests, 0x9e3779b9 + round);

  const byKind = new Map<Kind, number[]>();
  let ok = 0;
  let failed = 0;
  let firstProblem: string | null = null;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    requests.map(async ({ kind, ex }) => {
      const s = process.hrtime.bigint();
      let outcome: Outcome;
      let body = '';
      try {
        const r = await gw.client.post(ex);
        body = r.body;
        outcome = ex.check(r);
      } catch (error) {
        outcome = 'unexpected';
        body = error instanceof Error ? error.message : String(error);
      }
      const ns = Number(process.hrtime.bigint() - s);
      byKind.set(kind, [...(byKind.get(kind) ?? []), ns]);
      if (outcome === 'ok') ok++;
      else {
        failed++;
        firstProblem ??= `${kind}: ${body.slice(0, 300)}`;
      }
    }),
  );
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const writesOnCard = setupVisits.reduce((n, dt) => n + Math.max(0, fx.writeCount(dt)), 0);
  return {
    wallMs,
    ok,
    failed,
    firstProblem,
    byKind,
    overlaps: fx.overlapCount() - overlapsBefore,
    nativeCalls: COUNTED.reduce((n, f) => n + fx.callCount(f), 0) - callsBefore,
    writesOnCard,
  };
}

// ---------------------------------------------------------------------------------------------------------

export const benchmark: BenchModule = {
  title: 'CSHIS over koffi: call overhead, event loop during a 2 s call, 100 concurrent mixed requests',
  section: 'cshis-native',
  async run(ctx: BenchContext): Promise<BenchReport> {
    ensureFixtureBuilt();
    const lib = loadCshisLibrary(FIXTURE_SO);
    const fx = loadFixtureControls(lib);
    fx.reset();
    const patient = insertSimulatedPatient(fx, 'STANDARD');
    const dir = mkdtempSync(join(tmpdir(), 'bench-native-'));
    const q = ctx.quick;
    const n = { sync: q ? 2000 : 20_000, async: q ? 500 : 5000, adapter: q ? 500 : 5000, http: q ? 200 : 2000 };

    try {
      // ---- 1. overhead ----
      ctx.log('1. call overhead: koffi sync, koffi .async, adapter, gateway over HTTP');
      const buf = Buffer.alloc(72);
      const len = new Int32Array(1);
      const basicOk = (rc: number): boolean => rc === 0 && buf.toString('latin1', 0, 12) === patient.cardNumber;
      const sync = await measure('(a) koffi, synchronous call', n.sync / 10, n.sync, () => {
        len[0] = 72;
        return basicOk(lib.call('hisGetBasicData', buf, len));
      });
      const asyncRow = await measure('(b) koffi .async (worker thread)', n.async / 10, n.async, async () => {
        len[0] = 72;
        return basicOk(await lib.callAsync('hisGetBasicData', buf, len));
      });
      const cs = await createCshisControlSoftware({ libraryPath: FIXTURE_SO, callTimeoutMs: 10_000, readerPort: 0, openPolicy: 'keep-open' });
      const adapterRow = await measure('(c) adapter: queue + .async, keep-open', n.adapter / 10, n.adapter, async () => {
        const r = await cs.hisGetBasicData();
        return r.rc === 0 && r.bytes.length === 72;
      });

      const gw = await startGateway(dir);
      try {
        const basicEx = exchange(gw.token, Q.basicData, undefined, 'BasicData');
        const httpRow = await measure('(d) gateway over HTTP (healthCard.basicData)', n.http / 10, n.http, async () => {
          try {
            return basicEx.check(await gw.client.post(basicEx)) === 'ok';
          } catch {
            return false;
          }
        });
        const overhead = [sync, asyncRow, adapterRow, httpRow];

        // ---- 2. event loop ----
        ctx.log(`2. event loop during a ${SLOW_CALL_MS} ms call (adapter), then the synchronous negative control`);
        for (let i = 0; i < 5; i++) await (await fetch(`${gw.baseUrl}/health`)).arrayBuffer(); // warm fetch and /health
        const foreign = new ForeignCpu();
        const cpu0 = process.cpuUsage();
        // Baseline runs (the same 2 s, /health polled, no native call) interleaved with the call runs: on a
        // shared machine the loop's max delay is mostly other processes taking the CPU, and the baseline shows
        // how much. Medians over the runs, so one preemption does not decide the verdict.
        fx.setDelayMs('hisGetBasicData', SLOW_CALL_MS);
        const slowRcs: number[] = [];
        const loops: LoopDelay[] = [];
        const idles: LoopDelay[] = [];
        for (let i = 0; i < (q ? 1 : 5); i++) {
          idles.push(await eventLoopDuring(() => new Promise((r) => setTimeout(r, SLOW_CALL_MS)), `${gw.baseUrl}/health`));
          loops.push(
            await eventLoopDuring(async () => {
              slowRcs.push((await cs.hisGetBasicData()).rc);
            }, `${gw.baseUrl}/health`),
          );
        }
        const medianOf = (runs: LoopDelay[]): LoopDelay => ({
          maxMs: median(runs.map((l) => l.maxMs)),
          p99Ms: median(runs.map((l) => l.p99Ms)),
          meanMs: median(runs.map((l) => l.meanMs)),
          callMs: median(runs.map((l) => l.callMs)),
          healthAnswers: runs.reduce((a, l) => a + l.healthAnswers, 0),
          healthMaxMs: Math.max(...runs.map((l) => l.healthMaxMs)),
        });
        const idle = medianOf(idles);
        const cpu1 = process.cpuUsage(cpu0);
        foreign.addOwn((cpu1.user + cpu1.system) / 1000);
        const foreignShare = foreign.share();
        const loop = medianOf(loops);
        const slowRc = slowRcs.every((rc) => rc === 0) ? 0 : (slowRcs.find((rc) => rc !== 0) ?? -999);
        let syncRc = -999;
        const blocked = await eventLoopDuring(() => {
          len[0] = 72;
          syncRc = lib.call('hisGetBasicData', buf, len);
        }, null);
        fx.setDelayMs('hisGetBasicData', 0);
        await cs[Symbol.asyncDispose]();

        // ---- 3. mixed burst ----
        const rounds = q ? 2 : 7;
        ctx.log(`3. ${rounds} rounds of 100 concurrent mixed requests`);
        const bursts: BurstResult[] = [];
        for (let r = 0; r < rounds; r++) bursts.push(await burst(gw, fx, r));
        const measured = bursts.slice(1); // the first round is the warm-up
        const wall = measured.map((b) => b.wallMs).sort((a, b) => a - b);
        const medianWall = wall[Math.floor(wall.length / 2)] ?? Number.NaN;
        const allOk = bursts.every((b) => b.failed === 0);
        const overlaps = bursts.reduce((s, b) => s + b.overlaps, 0);
        const totalOverlapCounter = fx.overlapCount();
        const kinds = Object.keys(MIX) as Kind[];
        const kindLatency = new Map(kinds.map((k) => [k, summarize(measured.flatMap((b) => b.byKind.get(k) ?? []))]));
        const expectedWrites = MIX.writeTreatment * 2; // 1.16 + 1.17 each

        // ---- report ----
        const verdict = (pass: boolean): string => (pass ? 'PASS' : 'MISS');
        const overheadHeaders: Row = ['hisGetBasicData, sequential', 'calls', 'p50', 'p99', 'mean', 'failed'];
        const overheadRows: Row[] = overhead.map((o) => [o.label, fmtInt(o.latency.count), fmtMs(o.latency.p50), fmtMs(o.latency.p99), fmtMs(o.latency.mean), String(o.failures)]);
        const loopHeaders: Row = ['2 s', 'took', 'loop delay max', 'p99', 'mean', '/health answers (max latency)'];
        const loopRows: Row[] = [
          [`adapter call (.async, queue), median of ${loops.length}`, fmtMs(loop.callMs), fmtMs(loop.maxMs), fmtMs(loop.p99Ms), fmtMs(loop.meanMs), `${loop.healthAnswers} (${fmtMs(loop.healthMaxMs)})`],
          [`baseline: no native call, median of ${idles.length}`, fmtMs(idle.callMs), fmtMs(idle.maxMs), fmtMs(idle.p99Ms), fmtMs(idle.meanMs), `${idle.healthAnswers} (${fmtMs(idle.healthMaxMs)})`],
          ['negative control: synchronous koffi call', fmtMs(blocked.callMs), fmtMs(blocked.maxMs), fmtMs(blocked.p99Ms), fmtMs(blocked.meanMs), '— (not polled)'],
        ];
        const burstHeaders: Row = ['kind', 'per burst', 'p50', 'p99', 'max'];
        const burstRows: Row[] = kinds.map((k) => {
          const l = kindLatency.get(k);
          return [k, String(MIX[k]), fmtMs(l?.p50 ?? NaN), fmtMs(l?.p99 ?? NaN), fmtMs(l?.max ?? NaN)];
        });
        const loopPass = loop.maxMs <= TARGETS.eventLoopMaxDelayMs && slowRc === 0;
        const lines = [
          `event loop max delay during the ${SLOW_CALL_MS} ms adapter call: ${fmtMs(loop.maxMs)} (median of ${loops.length} runs: ` +
            `${loops.map((l) => fmtMs(l.maxMs)).join(', ')}; target ≤ ${TARGETS.eventLoopMaxDelayMs} ms) → ${verdict(loopPass)}; ` +
            `the same 2 s without a native call: ${fmtMs(idle.maxMs)} (${idles.map((l) => fmtMs(l.maxMs)).join(', ')}); ` +
            `other processes used ${foreignShare === null ? 'an unknown share' : `${foreignShare.toFixed(2)} cores`} of this ${machineCores()}-core machine meanwhile; call rc ${slowRc}`,
          `negative control (same call, synchronous): loop blocked ${fmtMs(blocked.maxMs)} (rc ${syncRc}) — the monitor does see a blocked loop`,
          `throughput, 100 concurrent mixed requests: median burst ${fmtMs(medianWall)} → ${fmtInt(100 / (medianWall / 1000))} req/s ` +
            `(bursts: ${measured.map((b) => fmtMs(b.wallMs)).join(', ')}; first burst ${fmtMs(bursts[0]?.wallMs ?? NaN)} not counted)`,
          `overlapping native calls (fixtureOverlapCount): ${overlaps} during the bursts, ${totalOverlapCounter} in the whole run (target ${TARGETS.overlaps}) → ${verdict(overlaps === 0 && totalOverlapCounter === 0)}`,
          `responses: ${bursts.reduce((s, b) => s + b.ok, 0)} ok, ${bursts.reduce((s, b) => s + b.failed, 0)} failed${allOk ? '' : `; first problem: ${bursts.find((b) => b.firstProblem)?.firstProblem}`}`,
          `native calls per burst (csOpenCom/csCloseCom and the reads/writes): ${measured.map((b) => b.nativeCalls).join(', ')} — identical concurrent reads are coalesced`,
          `card writes per burst on the setup visits (1.16 + 1.17 per writeTreatment): ${bursts.map((b) => b.writesOnCard).join(', ')} (expected ${expectedWrites})`,
          `overhead: (d) − (c) = ${fmtMs(httpRow.latency.p50 - adapterRow.latency.p50)} at p50 (GraphQL + HTTP + domain layer); (c) − (b) = ${fmtMs(adapterRow.latency.p50 - asyncRow.latency.p50)} (queue); (b) − (a) = ${fmtMs(asyncRow.latency.p50 - sync.latency.p50)} (worker-thread hop)`,
        ];
        const method =
          `In one process (the fixture's counters live where it is loaded). (a)–(c) call the fixture's hisGetBasicData directly, ` +
          `through koffi \`.async\`, and through the adapter (keep-open); (d) POSTs \`healthCard.basicData\` to the gateway ` +
          `(createApp over createCshisServices, N1, token, identity rate limit off) over 127.0.0.1 with one keep-alive client; ` +
          `${fmtInt(n.sync)} / ${fmtInt(n.async)} / ${fmtInt(n.adapter)} / ${fmtInt(n.http)} measured calls after 10 % warm-up. ` +
          `Event loop: monitorEventLoopDelay (resolution 1 ms) enabled only while the call runs, /health fetched every 20 ms meanwhile. ` +
          `Mixed load: per round a fresh STANDARD card (99 visits), ${SETUP_VISITS} visits started first, then ${Object.values(MIX).reduce((a, b) => a + b, 0)} requests ` +
          `(${kinds.map((k) => `${MIX[k]} ${k}`).join(', ')}) shuffled and sent at once over up to 128 sockets; writes go to the setup visits; ` +
          `${rounds} rounds, the first not counted; latencies per kind over the counted rounds.`;

        const text = [
          textTable(overheadHeaders, overheadRows),
          '',
          textTable(loopHeaders, loopRows),
          '',
          textTable(burstHeaders, burstRows),
          '',
          ...lines,
        ].join('\n');
        const markdown = [
          `Fixture: \`${FIXTURE_SO.replace(/^.*\/test\//, 'test/')}\` (CSHIS.dll's exports, gcc).${q ? ' **--quick run: not for comparison.**' : ''}`,
          '',
          `Targets: event-loop max delay ≤ ${TARGETS.eventLoopMaxDelayMs} ms while a ${SLOW_CALL_MS} ms call runs; zero overlapping native calls under 100 concurrent mixed requests.`,
          '',
          '**Call overhead** (one hisGetBasicData):',
          '',
          markdownTable(overheadHeaders, overheadRows),
          '',
          '**Event loop during a 2-second native call:**',
          '',
          markdownTable(loopHeaders, loopRows),
          '',
          '**100 concurrent mixed requests** (latency per request kind, counted bursts):',
          '',
          markdownTable(burstHeaders, burstRows),
          '',
          ...lines.map((l) => `- ${l}`),
          '',
          `Method: ${method}`,
        ].join('\n');
        return { text, markdown };
      } finally {
        await gw.close();
      }
    } finally {
      fx.reset();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
