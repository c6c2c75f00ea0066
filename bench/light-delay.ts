/**
 * `npm run bench -- light-delay` (issue 15, item 2): how long a light change takes to reach a graphql-ws
 * subscriber, measured from the moment the control software's state changed — the native fixture stamps every
 * card insertion and removal on CLOCK_REALTIME in µs (cshis_fixture.c fixtureStateChangeLog) — to the moment the
 * `lightStateChanged` event arrives here (Date.now's clock, read as performance.timeOrigin + performance.now()).
 * Both processes run on this machine, so the two clocks are the same clock.
 *
 * The gateway runs in its own process (bench/load-server.ts: the cshis backend over the real koffi adapter on
 * the fixture, light poll interval 500 ms unless NHI_BENCH_LIGHT_POLL_MS says otherwise). Every control-software
 * call sleeps NHI_BENCH_LIGHT_CALL_MS inside the fixture (default 50 ms, the call duration of issue 15's report).
 * The doctor's card goes in and out at a random phase of the poll; two phases:
 *
 * - idle: nothing else is queued;
 * - load: NHI_BENCH_LIGHT_CLIENTS (200) clients send reads back to back (basicData, registerData, lightState,
 *   gateway — the read mix of bench/load.ts), so up to 200 calls wait in the control-software queue.
 *
 * Target (issue 15): every change arrives within one poll interval + one call duration. A change the
 * subscriber never saw (the card went in and out between two polls) is counted as missed.
 */
import { createWsClient } from '../test/helpers/ws.ts';
import { startChildServer } from './lib/child-server.ts';
import { KeepAliveClient, type Exchange } from './lib/http-client.ts';
import { benchToken } from './lib/bench-token.ts';
import { ForeignCpu, describeMachine, machineInfo } from './lib/machine.ts';
import { startMarker, endMarker } from './lib/markdown.ts';
import { markdownTable, textTable, type Row } from './lib/table.ts';
import type { BenchContext, BenchModule, BenchReport } from './lib/types.ts';
import { ensureFixtureBuilt } from '../test/integration/cshis/helpers.ts';
import type { FixtureStateChange } from '../src/adapters/cshis/native.ts';

/** A light event as the subscriber received it: when (ms since the epoch, fractional) and the doctor's-card level. */
export interface ReceivedLight {
  readonly atMs: number;
  readonly level: number;
}

export interface MatchedChanges {
  /** Receive time − change time, ms, one per change the subscriber saw, in change order. */
  readonly delaysMs: number[];
  /** Changes no event reported (in and out again before the gateway looked). */
  readonly missed: number;
}

/**
 * Pairs each change of the professional card with the event that reported it. An event that flips the light
 * between off (0) and on (> 0) reports the state the gateway read at some moment before it, so it belongs to
 * the latest change in the same direction made before it arrived; a change no flip belongs to was missed.
 */
export function matchLightChanges(changes: readonly FixtureStateChange[], events: readonly ReceivedLight[]): MatchedChanges {
  const hpc = changes.filter((c) => c.slot === 'PROFESSIONAL_CARD').map((c) => ({ ...c, atMs: c.atUs / 1000 }));
  const delays = new Map<number, number>();
  let previous: number | null = null;
  for (const event of events) {
    const flipped = previous !== null && (previous > 0) !== (event.level > 0);
    previous = event.level;
    if (!flipped) continue;
    const inserted = event.level > 0;
    let owner: (typeof hpc)[number] | undefined;
    for (const change of hpc) if (change.atMs < event.atMs && change.inserted === inserted) owner = change;
    if (owner && !delays.has(owner.n)) delays.set(owner.n, event.atMs - owner.atMs);
  }
  // The first event gives the level before the changes; changes before it cannot be measured.
  const measurable = hpc.filter((c) => c.atMs > (events[0]?.atMs ?? Number.POSITIVE_INFINITY));
  return {
    delaysMs: measurable.filter((c) => delays.has(c.n)).map((c) => delays.get(c.n)!),
    missed: measurable.filter((c) => !delays.has(c.n)).length,
  };
}

/** Nearest-rank percentile. */
function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface PhaseResult {
  readonly name: string;
  readonly toggles: number;
  readonly delaysMs: readonly number[];
  readonly missed: number;
  readonly requests: number;
  readonly requestFailures: number;
  /** The same changes matched with when the gateway published them (its own in-process reader): the gateway's share. */
  readonly publishedDelaysMs: readonly number[];
}

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

async function control<T>(base: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    // Generous: the control port shares the gateway's event loop, which 200 clients keep busy on a shared machine.
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new Error(`control ${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

const READS = [
  '{ healthCard { basicData { __typename ... on Error { code } } } }',
  '{ healthCard { registerData { __typename ... on Error { code } } } }',
  '{ lightState { __typename } }',
  '{ gateway { version } }',
];

export const benchmark: BenchModule = {
  title: 'Light-change delivery delay: fixture state change → graphql-ws subscriber, idle and under 200 clients',
  section: 'light-delay',
  async run(ctx: BenchContext): Promise<BenchReport> {
    ensureFixtureBuilt();
    const toggles = envInt('NHI_BENCH_LIGHT_TOGGLES', ctx.quick ? 6 : 40, 2, 1000);
    const clients = envInt('NHI_BENCH_LIGHT_CLIENTS', 200, 1, 1000);
    const callMs = envInt('NHI_BENCH_LIGHT_CALL_MS', 50, 0, 1000);
    const token = benchToken();
    const server = await startChildServer({ name: 'light-gateway', script: 'bench/load-server.ts', args: ['--journal=memory'] });
    const base = `http://127.0.0.1:${server.port}`;
    const foreign = new ForeignCpu();
    let http: KeepAliveClient | null = null;
    const ws = { client: null as ReturnType<typeof createWsClient> | null };
    try {
      const info = await control<{ gatewayPort: number; lightPollMs: number }>(base, '/info');
      const url = `http://127.0.0.1:${info.gatewayPort}/graphql`;
      await control(base, '/delay', { ms: callMs });
      await control(base, '/hpc', { inserted: false });
      await control(base, '/published/watch', {});

      const events: ReceivedLight[] = [];
      ws.client = createWsClient(url, { connectionParams: { authorization: `Bearer ${token}` } });
      let firstEvent: () => void = () => undefined;
      const subscribed = new Promise<void>((resolve) => (firstEvent = resolve));
      ws.client.subscribe(
        { query: 'subscription { lightStateChanged { professionalCard { level } } }' },
        {
          next: (value) => {
            const level = (value.data as { lightStateChanged?: { professionalCard?: { level?: number } } } | null)?.lightStateChanged?.professionalCard?.level;
            if (typeof level === 'number') events.push({ atMs: now(), level });
            firstEvent();
          },
          error: (error) => ctx.log(`  subscription failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`),
          complete: () => undefined,
        },
      );
      await subscribed;

      // The card goes in, then out, at a random phase of the poll: toggle every 3 polls + a random part of one.
      let inserted = false;
      const toggle = async (count: number): Promise<void> => {
        for (let i = 0; i < count; i++) {
          await sleep(info.lightPollMs * 3 + Math.random() * info.lightPollMs + callMs * 2);
          inserted = !inserted;
          await control(base, '/hpc', { inserted });
        }
        await sleep(info.lightPollMs * 3 + callMs * 4); // the last change's event
      };

      const phase = async (name: string, withLoad: boolean): Promise<PhaseResult> => {
        const from = events.length;
        const changesBefore = (await control<FixtureStateChange[]>(base, '/changes')).length;
        let stop = false;
        let requests = 0;
        let requestFailures = 0;
        const loops: Promise<void>[] = [];
        if (withLoad) {
          http = new KeepAliveClient('127.0.0.1', info.gatewayPort, clients + 8, 120_000, 4000);
          const client = http;
          const headers = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}`, 'x-nhi-gateway': '1' };
          const exchanges: Exchange[] = READS.map((query) => ({ path: '/graphql', body: Buffer.from(JSON.stringify({ query })), headers, check: () => 'ok' }));
          for (let c = 0; c < clients; c++) {
            loops.push(
              (async () => {
                for (let i = c; !stop; i++) {
                  try {
                    const response = await client.post(exchanges[i % exchanges.length]!);
                    requests++;
                    if (response.status !== 200) requestFailures++;
                  } catch {
                    requestFailures++;
                  }
                }
              })(),
            );
          }
          // Let the queue fill before the first change.
          await sleep(Math.max(2000, callMs * 20));
        }
        ctx.log(`  ${name}: ${toggles} changes of the doctor's card${withLoad ? ` with ${clients} clients reading` : ''}`);
        await toggle(toggles);
        stop = true;
        await Promise.all(loops);
        const changes = (await control<FixtureStateChange[]>(base, '/changes')).slice(changesBefore);
        // The last event before the phase gives the starting level, so the phase's first flip is seen as one.
        const seen = events.slice(Math.max(0, from - 1));
        const matched = matchLightChanges(changes, seen);
        const published = await control<ReceivedLight[]>(base, '/published');
        const publishedFrom = published.findLastIndex((p) => p.atMs < (changes[0]?.atUs ?? 0) / 1000);
        const inGateway = matchLightChanges(changes, published.slice(Math.max(0, publishedFrom)));
        return { name, toggles: changes.length, delaysMs: matched.delaysMs, missed: matched.missed, requests, requestFailures, publishedDelaysMs: inGateway.delaysMs };
      };

      const idle = await phase('idle', false);
      const loaded = await phase(`${clients} clients`, true);
      const budget = info.lightPollMs + callMs;
      const foreignShare = foreign.share();
      return report([idle, loaded], { pollMs: info.lightPollMs, callMs, clients, budget, quick: ctx.quick, foreignShare });
    } finally {
      await ws.client?.dispose();
      (http as KeepAliveClient | null)?.close();
      const { code, stderr } = await server.stop();
      if (code !== 0 && stderr.trim()) ctx.log(`  light-gateway exited with ${code}; stderr:\n${stderr.trim().split('\n').slice(-20).join('\n')}`);
    }
  },
};

/** The gateway's own share: change → published in its process (diagnostic, not judged). */
function publishedSummary(delays: readonly number[]): string {
  const sorted = [...delays].sort((a, b) => a - b);
  if (sorted.length === 0) return '—';
  return [pct(sorted, 50), pct(sorted, 95), sorted[sorted.length - 1]!].map((ms) => `${ms.toFixed(0)}`).join(' / ') + ' ms';
}

function report(
  phases: readonly PhaseResult[],
  o: { pollMs: number; callMs: number; clients: number; budget: number; quick: boolean; foreignShare: number | null },
): BenchReport {
  const fmt = (ms: number): string => (Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : '—');
  const rows: Row[] = phases.map((p) => {
    const sorted = [...p.delaysMs].sort((a, b) => a - b);
    const within = sorted.filter((d) => d <= o.budget).length;
    const verdict = p.missed === 0 && within === sorted.length && sorted.length > 0 ? 'MET' : 'MISSED';
    return [
      p.name,
      String(p.toggles),
      String(sorted.length),
      String(p.missed),
      fmt(pct(sorted, 50)),
      fmt(pct(sorted, 95)),
      fmt(sorted[sorted.length - 1] ?? Number.NaN),
      `${within}/${p.toggles} within ${o.budget} ms → ${verdict}`,
      publishedSummary(p.publishedDelaysMs),
      p.requests ? `${p.requests} (${p.requestFailures} failed)` : '—',
    ];
  });
  const headers: Row = ['queue', 'changes', 'seen', 'missed', 'p50', 'p95', 'max', `target ≤ poll ${o.pollMs} + call ${o.callMs} ms`, 'published by the gateway: p50 / p95 / max', 'reads sent'];
  const busy = o.foreignShare !== null && o.foreignShare > 0.1 ? `other processes used ${o.foreignShare.toFixed(2)} cores during the run` : undefined;
  const how =
    `The doctor's card goes in and out at a random phase of the light poll (cshis backend over the real koffi adapter on ` +
    `the native fixture, its own process; poll interval ${o.pollMs} ms; every control-software call sleeps ${o.callMs} ms ` +
    `inside the fixture). Delay = when the graphql-ws \`lightStateChanged\` event arrived − when the fixture changed ` +
    `the card state (the fixture stamps each change on CLOCK_REALTIME in µs: cshis_fixture.c fixtureStateChangeLog). ` +
    `"idle": nothing else queued; "${o.clients} clients": that many clients send reads back to back (basicData, ` +
    `registerData, lightState, gateway), so the control-software queue stays full. Missed: a change no event reported. ` +
    `A poll reads both slots' status, then the card number; the light goes out after the status reads, and the next ` +
    `poll is asked for early enough that samples stay at most one interval apart; the server starts at most 16 HTTP ` +
    `requests per event-loop turn, so the poll's callbacks get in between a burst (docs/lights-under-load.md). ` +
    `"Published by the gateway": the same changes matched with when the gateway process published them (a reader of ` +
    `its light stream inside that process, bench/load-server.ts \`/published\`): the rest of the delay is transport ` +
    `and the subscriber's own event loop.`;
  const markdown = [how, '', markdownTable(headers, rows), ...(o.quick ? ['', '`--quick`: few changes, not for recording.'] : [])].join('\n');
  const text = [
    textTable(headers, rows),
    '',
    'Ready to paste into BENCHMARKS.md (or run with --write):',
    '',
    startMarker('light-delay'),
    `### ${benchmark.title}`,
    '',
    `Recorded ${new Date().toISOString()} on ${describeMachine(machineInfo())} (\`npm run bench -- light-delay\`).${busy ? ` **Unreliable: ${busy}.**` : ''}`,
    '',
    markdown,
    endMarker('light-delay'),
  ].join('\n');
  return { text, markdown, unreliable: busy };
}
