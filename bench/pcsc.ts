/**
 * Issue 4 item 6: how fast card insertion and removal reach a HIS, on the PC/SC test bed (pcscd + vpcd + the
 * virtual NHI card of test/pcsc/), in one run:
 *   (a) a separate process blocking in SCardGetStatusChange through our native loader (bench/pcsc-direct-listener.ts):
 *       the floor — pcscd itself notices vpcd cards by polling every few hundred ms;
 *   (b) a gateway subscriber: `readerEvents` over graphql-ws (and, reported alongside, over SSE), gateway in its
 *       own process (bench/pcsc-gateway-server.ts);
 *   (c) a client polling the gateway once a second (`readers { cardPresent }`), the anchors' model (docs/pcsc.md).
 * Then the fan-out: 1,000 concurrent `readerEvents` subscribers (500 SSE, 500 graphql-ws) each receive every event;
 * latency after (a) and the gateway's resident memory.
 *
 * All times are process.hrtime.bigint() (CLOCK_MONOTONIC: one clock for every process on the machine), taken by
 * (a) when SCardGetStatusChange returns and by this process when a client has the event. Targets (issue 4):
 * p99 (b − a) ≤ 20 ms; (c − a) ≥ 10 × (b − a) (compared at p50); fan-out p99 ≤ 250 ms after (a), RSS ≤ 200 MB.
 * Inserting waits for the card to be classified (one SELECT, docs/reference/pcsc.md) so CARD_INSERTED can say "NHI card": that
 * round trip is part of (b − a) for insertions.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { REPO_ROOT, startChildServer, type ChildServer } from './lib/child-server.ts';
import { fmtMs, summarize, type LatencySummary } from './lib/stats.ts';
import { markdownTable, textTable, type Row } from './lib/table.ts';
import type { BenchContext, BenchModule, BenchReport } from './lib/types.ts';
import { acquireTestBed, pcscdMissing, READERS, type TestBed, type VirtualCard } from '../test/pcsc/test-bed.ts';

export const TARGETS = { gatewayP99Ms: 20, pollFactor: 10, fanoutP99Ms: 250, fanoutRssMb: 200 } as const;
const TOKEN = 'pcsc-benchmark-token-0123456789abcdefghij';
const EVENTS = 'subscription { readerEvents { kind readerName cardKind } }';
const READER = READERS[0];
type Kind = 'INSERTED' | 'REMOVED';

const tsxLoader = import.meta.resolve('tsx');
const now = (): bigint => process.hrtime.bigint();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Times (ns, hrtime) at which each observer saw each event, in order. */
class Timeline {
  private readonly times: bigint[] = [];
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];
  constructor(readonly name: string) {}
  get count(): number {
    return this.times.length;
  }
  at(i: number): bigint | undefined {
    return this.times[i];
  }
  push(t: bigint, kind: Kind, expected: Kind): void {
    if (kind !== expected) throw new Error(`${this.name}: saw ${kind} where ${expected} was due (event ${this.times.length + 1})`);
    this.times.push(t);
    for (const w of [...this.waiters]) {
      if (this.times.length >= w.count) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }
  until(count: number, ms: number): Promise<void> {
    if (this.times.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: ${this.times.length} of ${count} events after ${ms} ms`)), ms);
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

/** Event i is an insertion when i is even (every cycle: insert, then remove). */
const kindOf = (i: number): Kind => (i % 2 === 0 ? 'INSERTED' : 'REMOVED');

interface DirectListener {
  readonly timeline: Timeline;
  stop(): Promise<void>;
}

async function startDirectListener(): Promise<DirectListener> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--import', tsxLoader, 'bench/pcsc-direct-listener.ts', READER],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timeline = new Timeline('(a) direct listener');
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`direct listener not ready: ${stderr}`)), 15_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('READY')) {
        clearTimeout(timer);
        if (line !== 'READY 0') reject(new Error('direct listener: a card is already in the reader'));
        else resolve();
        return;
      }
      const m = /^EVENT (INSERTED|REMOVED) (\d+)$/.exec(line);
      if (m) timeline.push(BigInt(m[2]!), m[1] as Kind, kindOf(timeline.count));
    });
    child.once('exit', (code) => reject(new Error(`direct listener exited (${code}): ${stderr}`)));
  });
  await ready;
  return {
    timeline,
    stop: async () => {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.stdin.end();
      await Promise.race([exited, sleep(3000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

/** A graphql-ws subscriber; `onEvent` gets the kind and the receive time. */
function wsSubscriber(url: string, onEvent: (kind: Kind, at: bigint) => void): Client {
  const client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${TOKEN}` },
  });
  client.subscribe<{ readerEvents: { kind: string } }>(
    { query: EVENTS },
    {
      next: (value) => {
        const at = now();
        const kind = value.data?.readerEvents.kind;
        if (kind === 'CARD_INSERTED') onEvent('INSERTED', at);
        else if (kind === 'CARD_REMOVED') onEvent('REMOVED', at);
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
  return client;
}

/** An SSE subscriber over fetch; resolves once the response headers are in (the subscription is live). */
async function sseSubscriber(url: string, signal: AbortSignal, onEvent: (kind: Kind, at: bigint) => void): Promise<void> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query: EVENTS }),
    signal,
  });
  if (!response.ok || !response.body) throw new Error(`SSE subscribe failed: ${response.status}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = now();
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) !== -1) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (!frame.includes('event: next')) continue;
          if (frame.includes('"CARD_INSERTED"')) onEvent('INSERTED', at);
          else if (frame.includes('"CARD_REMOVED"')) onEvent('REMOVED', at);
        }
      }
    } catch {
      // aborted at the end
    }
  })();
}

/** Polls `readers { name cardPresent }` once a second; records when the reader's card presence flips. */
function startPoller(url: string, timeline: Timeline): () => void {
  let present = false;
  let stopped = false;
  const body = JSON.stringify({ query: '{ readers { name cardPresent } }' });
  const tick = async () => {
    if (stopped) return;
    try {
      const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const at = now();
      const json = (await response.json()) as { data?: { readers: Array<{ name: string; cardPresent: boolean | null }> } };
      const reader = json.data?.readers.find((r) => r.name === READER);
      const isPresent = reader?.cardPresent === true;
      if (isPresent !== present) {
        present = isPresent;
        timeline.push(at, present ? 'INSERTED' : 'REMOVED', kindOf(timeline.count));
      }
    } catch {
      // the gateway is shutting down
    }
  };
  // Once a second from a fixed schedule, like a page's setInterval.
  const timer = setInterval(() => void tick(), 1000);
  void tick();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

function rssMb(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

interface Cycler {
  readonly events: number;
  cycle(settle: () => Promise<void>): Promise<void>;
}

/** Inserts and removes the card, waiting for every observer after each step and a random pause between them. */
function cycler(bed: TestBed, a: Timeline): Cycler {
  let events = 0;
  let card: VirtualCard | null = null;
  return {
    get events() {
      return events;
    },
    async cycle(settle) {
      card = await bed.insertCard();
      events++;
      await a.until(events, 10_000);
      await settle();
      // A random phase against the 1 s poller, so (c) samples the whole interval.
      await sleep(150 + Math.random() * 1000);
      await card.remove();
      card = null;
      events++;
      await a.until(events, 10_000);
      await settle();
      await sleep(150 + Math.random() * 1000);
    },
  };
}

function diffs(observer: Timeline, a: Timeline, from: number, to: number, kind?: Kind): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) {
    if (kind && kindOf(i) !== kind) continue;
    const x = observer.at(i);
    const base = a.at(i);
    if (x !== undefined && base !== undefined) out.push(Number(x - base));
  }
  return out;
}

export const benchmark: BenchModule = {
  title: 'PC/SC card events: direct listener vs gateway subscriber vs 1 s poller, and 1,000-subscriber fan-out',
  section: 'pcsc',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const missing = pcscdMissing();
    if (missing) {
      const text = `skipped: ${missing}`;
      return { text, markdown: text };
    }
    const cycles = ctx.quick ? 4 : 50;
    const fanoutCycles = ctx.quick ? 2 : 10;
    const fanout = ctx.quick ? 100 : 1000;

    const loadBefore = loadavg()[0] ?? 0;
    ctx.log('PC/SC test bed: pcscd + vpcd');
    const bed = await acquireTestBed();
    let gateway: ChildServer | null = null;
    let direct: DirectListener | null = null;
    const cleanup: Array<() => Promise<void> | void> = [];
    try {
      await bed.startPcscd();
      gateway = await startChildServer({ name: 'pcsc gateway', script: 'bench/pcsc-gateway-server.ts', args: [`--token=${TOKEN}`] });
      const url = `http://127.0.0.1:${gateway.port}`;
      const rssIdle = rssMb(gateway.pid);
      direct = await startDirectListener();
      const a = direct.timeline;

      // ---- (a) vs (b) vs (c) ----
      const bWs = new Timeline('(b) graphql-ws subscriber');
      const bSse = new Timeline('(b′) SSE subscriber');
      const c = new Timeline('(c) 1 s poller');
      const ws = wsSubscriber(url, (k, t) => bWs.push(t, k, kindOf(bWs.count)));
      cleanup.push(() => ws.dispose());
      const sseAbort = new AbortController();
      cleanup.push(() => sseAbort.abort());
      await sseSubscriber(url, sseAbort.signal, (k, t) => bSse.push(t, k, kindOf(bSse.count)));
      const stopPoller = startPoller(url, c);
      cleanup.push(stopPoller);
      await sleep(500); // the ws subscription is live

      const run = cycler(bed, a);
      ctx.log(`(a)/(b)/(c): ${cycles} insert/remove cycles`);
      for (let i = 0; i < cycles; i++) {
        await run.cycle(async () => {
          await Promise.all([bWs.until(run.events, 10_000), bSse.until(run.events, 10_000), c.until(run.events, 5000)]);
        });
      }
      const phase1End = run.events;
      stopPoller();

      // ---- fan-out ----
      ctx.log(`fan-out: ${fanout} subscribers (${fanout / 2} SSE, ${fanout / 2} graphql-ws)`);
      const subscribers: Timeline[] = [];
      const fanAbort = new AbortController();
      cleanup.push(() => fanAbort.abort());
      const clients: Client[] = [];
      cleanup.push(async () => {
        await Promise.all(clients.map((x) => x.dispose()));
      });
      const base = run.events;
      for (let i = 0; i < fanout; i++) {
        const t = new Timeline(`subscriber ${i}`);
        subscribers.push(t);
        const onEvent = (k: Kind, at: bigint) => t.push(at, k, kindOf(base + t.count));
        if (i % 2 === 0) await sseSubscriber(url, fanAbort.signal, onEvent);
        else clients.push(wsSubscriber(url, onEvent));
      }
      await sleep(2000); // every graphql-ws subscription acknowledged and live
      const rssSubscribed = rssMb(gateway.pid);
      // Each subscriber's timeline counts from `base`: index j there is event base + j.
      const all = (count: number) => Promise.all(subscribers.map((t) => t.until(count, 20_000)));
      for (let i = 0; i < fanoutCycles; i++) {
        await run.cycle(() => all(run.events - base).then(() => undefined));
      }
      const rssEnd = rssMb(gateway.pid);
      const fanSamples: number[] = [];
      let received = 0;
      for (const t of subscribers) {
        received += t.count;
        for (let j = 0; j < t.count; j++) {
          const x = t.at(j);
          const ref = a.at(base + j);
          if (x !== undefined && ref !== undefined) fanSamples.push(Number(x - ref));
        }
      }
      const expected = subscribers.length * (run.events - base);

      // ---- report ----
      const s = (xs: number[]): LatencySummary => summarize(xs);
      const bAll = s(diffs(bWs, a, 0, phase1End));
      const cAll = s(diffs(c, a, 0, phase1End));
      const rows: Row[] = [];
      const row = (label: string, x: LatencySummary): Row => [label, String(x.count), fmtMs(x.p50), fmtMs(x.p99), fmtMs(x.max)];
      for (const kind of ['INSERTED', 'REMOVED'] as const) {
        rows.push(row(`(b − a) graphql-ws, card ${kind.toLowerCase()}`, s(diffs(bWs, a, 0, phase1End, kind))));
        rows.push(row(`(b′ − a) SSE, card ${kind.toLowerCase()}`, s(diffs(bSse, a, 0, phase1End, kind))));
        rows.push(row(`(c − a) 1 s poller, card ${kind.toLowerCase()}`, s(diffs(c, a, 0, phase1End, kind))));
      }
      rows.push(row('(b − a) graphql-ws, all events', bAll));
      rows.push(row('(c − a) 1 s poller, all events', cAll));
      const fan = s(fanSamples);
      rows.push(row(`fan-out: ${fanout} subscribers, every event`, fan));
      const headers: Row = ['', 'events', 'p50', 'p99', 'max'];

      const mb = (x: { rss: number; peak: number } | null, key: 'rss' | 'peak') => (x ? `${x[key].toFixed(0)} MB` : 'n/a');
      const factor = cAll.p50 / bAll.p50;
      const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
      const full = fanout === 1000;
      const lines = [
        `gateway p99 (b − a): ${fmtMs(bAll.p99)} (target ≤ ${TARGETS.gatewayP99Ms} ms) → ${verdict(bAll.p99 <= TARGETS.gatewayP99Ms)}`,
        `poller vs subscriber: p50 (c − a) / p50 (b − a) = ${factor.toFixed(0)}× (target ≥ ${TARGETS.pollFactor}×) → ${verdict(factor >= TARGETS.pollFactor)}`,
        `fan-out: ${received} of ${expected} deliveries (${received === expected ? 'every subscriber got every event' : 'MISSING DELIVERIES'}); ` +
          `p99 after (a) ${fmtMs(fan.p99)} (target ≤ ${TARGETS.fanoutP99Ms} ms) → ${full ? verdict(fan.p99 <= TARGETS.fanoutP99Ms && received === expected) : 'not judged (--quick)'}`,
        `gateway resident memory: ${mb(rssIdle, 'rss')} idle, ${mb(rssSubscribed, 'rss')} with ${fanout} subscribers, ${mb(rssEnd, 'rss')} after the fan-out events, peak ${mb(rssEnd, 'peak')} ` +
          `(target ≤ ${TARGETS.fanoutRssMb} MB) → ${full && rssEnd ? verdict(rssEnd.peak <= TARGETS.fanoutRssMb) : 'not judged'}`,
      ];
      const loadAfter = loadavg()[0] ?? 0;
      lines.push(
        `machine load (1-min average) ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after` +
          (Math.max(loadBefore, loadAfter) > 1.5 ? ' — other processes competed for the CPU: tail latencies are inflated, rerun when quiet' : ''),
      );
      const method =
        `${cycles} insert/remove cycles of the virtual NHI card (test/pcsc/nhi_card.py: a T=1 card on vpcd, pcscd 1.9.9), ` +
        `150–1150 ms random pauses; then ${fanoutCycles} cycles with ${fanout} subscribers connected (1 process, graphql-ws via \`ws\`, SSE via fetch). ` +
        `(a), the gateway and the clients are three processes; times are CLOCK_MONOTONIC. (b) includes the classifying SELECT for insertions ` +
        `(CARD_INSERTED carries the card kind), the GraphQL execution and the client's parsing; with 1,000 subscribers the client process parses ` +
        `1,000 messages per event, which is part of the fan-out latency measured. Memory: VmRSS / VmHWM of the gateway process.`;
      const text = [textTable(headers, rows), '', ...lines, '', method].join('\n');
      const markdown = [markdownTable(headers, rows), '', ...lines.map((l) => `- ${l}`), '', method].join('\n');
      return { text, markdown };
    } finally {
      for (const f of cleanup.reverse()) {
        try {
          await f();
        } catch {
          // best effort
        }
      }
      await direct?.stop();
      await gateway?.stop(5000);
      await bed.dispose();
    }
  },
};
