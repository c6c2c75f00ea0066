/**
 * `npm run bench -- load` (issue 7, item 8): 200 concurrent clients for 60 s against the gateway over the
 * REAL koffi adapter on the native fixture, mixing identity and status reads, keyed card writes with
 * deliberate retries (sequential, concurrent, later from another client, and with different input), and
 * long-held graphql-ws and SSE subscriptions; verifies:
 *
 * - zero untyped errors: no GraphQL error without a code or with INTERNAL_SERVER_ERROR, no non-JSON body,
 *   no HTTP 5xx, no transport failure (typed errors — union members with a `code`, or `errors` with a code —
 *   are counted per code and __typename; those the mix does not expect are listed);
 * - zero overlapping native calls: the fixture's own in-library counter (fixtureOverlapCount);
 * - zero duplicate writes: for each visit the fixture's write counter equals what the distinct idempotency
 *   keys that wrote to it account for (1.16 + 1.17 = 2, 1.47 = 1), checked right after the visit is
 *   cancelled and again at the end; the fixture's call counters of every keyed export equal the number of
 *   distinct keys; the card's remaining visits equal 99 − started + cancelled; and every retry of a key
 *   returned the first response byte for byte;
 * - memory flat: the gateway's RSS sampled every second (by the gateway process itself);
 * - subscriptions: every held subscription stayed connected, received events, and all holders of one
 *   subscription (graphql-ws and SSE alike) received the same sequence.
 *
 * The gateway runs in its own process (bench/load-server.ts): createCshisServices as `--backend cshis`
 * builds it (card-write journal in a file, fsynced), createApp with the access token and the identity-read
 * rate limit OFF (`identityRate: false`), startServer on 127.0.0.1. The fixture holds one STANDARD card
 * (99 visits). The fixture's reader clock gives each visit its own second and the gateway refuses visit
 * times more than 60 s ahead, so visits start at most once per `visitIntervalMs` (1.1 s): the write load
 * comes from several keys per visit, retries, and `treatmentIdWithoutCard` (1.54, keyed, not clock-bound).
 * Counted visits (01) are cancelled at the end of their flow (the visit comes back); preventive-care visits
 * (AC) are not counted, and cancelling them is the typed error 5151 (expected, and replayed).
 *
 * Environment (optional): NHI_BENCH_LOAD_SECONDS (60), NHI_BENCH_LOAD_CLIENTS (200), NHI_BENCH_LOAD_THINK_MS
 * ("0-100": each request client pauses a uniform random time in this range between its requests),
 * NHI_BENCH_LOAD_NOCARD_SHARE (0.08: share of reads replaced by a keyed treatmentIdWithoutCard; 0 leaves the
 * card-write journal nearly still, to tell its growth from the rest). Change them only to diagnose.
 */
import os from 'node:os';
import type { Client } from 'graphql-ws';
import { startChildServer, type ChildServer } from './lib/child-server.ts';
import { KeepAliveClient, type Exchange, type HttpResponse } from './lib/http-client.ts';
import { benchToken } from './lib/bench-token.ts';
import { ForeignCpu } from './lib/machine.ts';
import { fmtInt, fmtMs, median, summarize } from './lib/stats.ts';
import { markdownTable, textTable, type Row } from './lib/table.ts';
import type { BenchContext, BenchModule, BenchReport } from './lib/types.ts';
import type { ChildStats, MemorySample } from './load-server.ts';
import { heapGrowth, type HeapClasses } from './lib/heap-classes.ts';
import { matchLightChanges } from './light-delay.ts';
import type { FixtureStateChange } from '../src/adapters/cshis/native.ts';
import { describeNodeArgs, gatewayNodeArgs } from './lib/node-args.ts';
import { benchServerNode, nodeVersionOf } from './lib/server-node.ts';
import { rocDateToIso } from '../src/codecs/roc-date.ts';
import { ensureFixtureBuilt, simulatedPatientRecord } from '../test/integration/cshis/helpers.ts';
import { createWsClient } from '../test/helpers/ws.ts';
import { readSseEvents } from '../test/helpers/sse.ts';

// V8 flags for the gateway process: the executable's unless NHI_BENCH_LOAD_NODE_ARGS names others (`defaults`: none).
export { gatewayNodeArgs };

// ---------------------------------------------------------------------------------------------------------
// parameters
// ---------------------------------------------------------------------------------------------------------

export interface LoadParams {
  readonly seconds: number;
  readonly clients: number;
  /** Clients holding one subscription for the whole run (¼ each: ws light, ws reader, SSE light, SSE reader). */
  readonly holders: number;
  /** Clients that subscribe, take the first event and unsubscribe, over and over (half ws, half SSE). */
  readonly churners: number;
  /** Clients sending queries and mutations. */
  readonly requesters: number;
  /** RSS growth is measured from the end of this warm-up. */
  readonly warmupSeconds: number;
  /** At most one startVisit per interval (the fixture's reader clock gives each visit its own second). */
  readonly visitIntervalMs: number;
  /** The doctor's card goes in or out this often (the light and reader events). */
  readonly hpcToggleMs: number;
  readonly thinkMs: readonly [number, number];
  /** Share of request-client reads replaced by a keyed treatmentIdWithoutCard (1.54). */
  readonly noCardShare: number;
  /** After the run: open visit flows and queued retries finish within this. */
  readonly drainMs: number;
  readonly requestTimeoutMs: number;
  /** A bound on top of the time. */
  readonly maxRequests: number;
  readonly seed: number;
}

/** The load generator closes pooled sockets idle this long (Node's HTTP server closes them after 5 s). */
const CLIENT_IDLE_SOCKET_MS = 4000;

/** Flat memory: RSS at the end at most this much above RSS right after the warm-up. */
export const MEMORY_GROWTH_LIMIT = 0.1;
/** Light subscribers must see at least this share of the doctor's-card movements. */
export const EVENT_SHARE_MIN = 0.9;

function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

export function loadParams(quick: boolean): LoadParams {
  const seconds = envInt('NHI_BENCH_LOAD_SECONDS', quick ? 10 : 60, 5, 600);
  const clients = envInt('NHI_BENCH_LOAD_CLIENTS', quick ? 40 : 200, 12, 1000);
  const thinkRaw = process.env['NHI_BENCH_LOAD_THINK_MS'] ?? '0-100';
  const think = /^(\d+)-(\d+)$/.exec(thinkRaw);
  const thinkMs: [number, number] = think ? [Number(think[1]), Number(think[2])] : [Number.NaN, Number.NaN];
  if (!(thinkMs[0] >= 0 && thinkMs[1] >= thinkMs[0] && thinkMs[1] <= 10_000)) throw new Error('NHI_BENCH_LOAD_THINK_MS must look like 0-100');
  const noCardShare = Number(process.env['NHI_BENCH_LOAD_NOCARD_SHARE'] ?? '0.08');
  if (!(noCardShare >= 0 && noCardShare <= 1)) throw new Error('NHI_BENCH_LOAD_NOCARD_SHARE must be a number from 0 to 1');
  const holders = Math.max(4, Math.round((clients * 0.1) / 4) * 4);
  const churners = Math.max(2, Math.round((clients * 0.02) / 2) * 2);
  return {
    seconds,
    clients,
    holders,
    churners,
    requesters: clients - holders - churners,
    warmupSeconds: Math.min(10, Math.max(2, Math.round(seconds / 6))),
    visitIntervalMs: 1100,
    hpcToggleMs: 1500,
    thinkMs,
    noCardShare,
    drainMs: 30_000,
    requestTimeoutMs: 30_000,
    maxRequests: 5_000_000,
    seed: 0x5eed1234,
  };
}

// ---------------------------------------------------------------------------------------------------------
// small tools
// ---------------------------------------------------------------------------------------------------------

/** xorshift32: the same mix of actions on every run (timing aside). */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let s = this.s;
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    this.s = s;
    return s / 2 ** 32;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const now = (): number => performance.now();
const MB = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** A heap snapshot written and summarized by the gateway process: seconds, many more on a busy machine. */
const HEAP_SNAPSHOT_TIMEOUT_MS = 180_000;
const HEAP_CLASSES = process.env['NHI_BENCH_LOAD_HEAP_CLASSES'] === '1';

async function controlGet<T>(control: string, path: string): Promise<T> {
  const response = await fetch(`${control}${path}`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`control ${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

async function controlPost<T>(control: string, path: string, body: unknown, timeoutMs = 10_000): Promise<T> {
  const response = await fetch(`${control}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`control ${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

// ---------------------------------------------------------------------------------------------------------
// requests and how their answers are judged
// ---------------------------------------------------------------------------------------------------------

const Q = {
  basicData:
    '{ healthCard { basicData { __typename ... on BasicData { cardNumber idNumber birthDate name { text } } ... on Error { code } ... on VendorError { vendorCode } } } }',
  registerData:
    '{ healthCard { registerData { __typename ... on RegisterData { remainingVisits cardValidUntil } ... on Error { code } ... on VendorError { vendorCode } } } }',
  lightState:
    '{ lightState { __typename ... on LightState { healthCard { level colour } professionalCard { level colour } } ... on Error { code } ... on VendorError { vendorCode } } }',
  gateway: '{ gateway { __typename version backend ready controlSoftwareQueue { depth coalescedCalls readerOpen } } }',
  startVisit:
    'mutation($input: StartVisitInput!) { startVisit(input: $input) { __typename ' +
    '... on Visit { visitTimeRoc seqNumber signature treatmentId sameDayVisit } ... on Error { code retryable } ... on VendorError { vendorCode } } }',
  writeTreatment:
    'mutation($input: WriteTreatmentInput!) { writeTreatment(input: $input) { __typename ' +
    '... on TreatmentWritten { visitTimeRoc apis doctor { idNumber } } ... on Error { code retryable } ... on VendorError { vendorCode } } }',
  cancelVisit:
    'mutation($input: CancelVisitInput!) { cancelVisit(input: $input) { __typename ' +
    '... on CancelledVisit { visitTimeRoc cancelledAtRoc } ... on Error { code retryable } ... on VendorError { vendorCode } } }',
  treatmentIdWithoutCard:
    'mutation($input: TreatmentIdWithoutCardInput!) { treatmentIdWithoutCard(input: $input) { __typename ' +
    '... on TreatmentId { treatmentId source visitTimeRoc hospitalId } ... on Error { code retryable } ... on VendorError { vendorCode } } }',
  lightStateChanged: 'subscription { lightStateChanged { healthCard { level colour } professionalCard { level colour } } }',
  readerEvents: 'subscription { readerEvents { kind slot level readerId at } }',
} as const;

const PATH: Record<string, readonly string[]> = {
  basicData: ['healthCard', 'basicData'],
  registerData: ['healthCard', 'registerData'],
  lightState: ['lightState'],
  gateway: ['gateway'],
  startVisit: ['startVisit'],
  writeTreatment: ['writeTreatment'],
  cancelVisit: ['cancelVisit'],
  treatmentIdWithoutCard: ['treatmentIdWithoutCard'],
};

interface Outcome {
  /** `BasicData`, `GatewayError:IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT`, `errors:BAD_USER_INPUT`, `untyped:HTTP 500`… */
  readonly label: string;
  /** Why this answer counts as an untyped error, or null. */
  readonly untyped: string | null;
  /** The union member (or object) at the operation's path, when there is one. */
  readonly node: Record<string, unknown> | null;
  readonly body: string;
}

function classify(result: HttpResponse | Error, path: readonly string[]): Outcome {
  if (result instanceof Error) {
    const reused = (result as { reusedSocket?: unknown }).reusedSocket === true ? ' (on a reused keep-alive socket)' : '';
    return { label: 'untyped:transport', untyped: `transport: ${result.message}${reused}`, node: null, body: '' };
  }
  const body = result.body;
  if (result.status >= 500) return { label: `untyped:HTTP ${result.status}`, untyped: `HTTP ${result.status}: ${body.slice(0, 300)}`, node: null, body };
  let json: { data?: unknown; errors?: unknown };
  try {
    json = JSON.parse(body) as typeof json;
  } catch {
    return { label: 'untyped:non-JSON', untyped: `non-JSON (HTTP ${result.status}): ${body.slice(0, 300)}`, node: null, body };
  }
  if (Array.isArray(json.errors) && json.errors.length > 0) {
    const first = json.errors[0] as { message?: unknown; extensions?: { code?: unknown } } | undefined;
    const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : null;
    const untyped = code === null || code === 'INTERNAL_SERVER_ERROR' || code === 'UNEXPECTED';
    return {
      label: `${untyped ? 'untyped:' : ''}errors:${code ?? '(no code)'}`,
      untyped: untyped ? `HTTP ${result.status} ${body.slice(0, 300)}` : null,
      node: null,
      body,
    };
  }
  if (result.status !== 200) return { label: `untyped:HTTP ${result.status}`, untyped: `HTTP ${result.status} without errors: ${body.slice(0, 300)}`, node: null, body };
  let node: unknown = json.data;
  for (const key of path) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  if (!node || typeof node !== 'object') return { label: 'untyped:no data', untyped: `no data at ${path.join('.')}: ${body.slice(0, 300)}`, node: null, body };
  const record = node as Record<string, unknown>;
  const typename = typeof record['__typename'] === 'string' ? record['__typename'] : '(no __typename)';
  const code = typeof record['code'] === 'string' ? `:${record['code']}` : '';
  return { label: `${typename}${code}`, untyped: null, node: record, body };
}

class KindStats {
  readonly samples: number[] = [];
  readonly outcomes = new Map<string, number>();
  unexpected = 0;
  untyped = 0;
}

class Recorder {
  readonly kinds = new Map<string, KindStats>();
  readonly labels = new Map<string, { count: number; expected: number; untyped: boolean }>();
  readonly untypedExamples: string[] = [];
  readonly unexpectedExamples: string[] = [];
  requests = 0;

  record(kind: string, ns: number, outcome: Outcome, expected: boolean): void {
    this.requests++;
    let stats = this.kinds.get(kind);
    if (!stats) this.kinds.set(kind, (stats = new KindStats()));
    stats.samples.push(ns);
    stats.outcomes.set(outcome.label, (stats.outcomes.get(outcome.label) ?? 0) + 1);
    const label = this.labels.get(outcome.label) ?? { count: 0, expected: 0, untyped: outcome.untyped !== null };
    label.count++;
    if (expected) label.expected++;
    this.labels.set(outcome.label, label);
    if (outcome.untyped !== null) {
      stats.untyped++;
      if (this.untypedExamples.length < 10) this.untypedExamples.push(`${kind}: ${outcome.untyped}`);
    } else if (!expected) {
      stats.unexpected++;
      if (this.unexpectedExamples.length < 10) this.unexpectedExamples.push(`${kind}: ${outcome.label} ${outcome.body.slice(0, 200)}`);
    }
  }

  get untyped(): number {
    let n = 0;
    for (const s of this.kinds.values()) n += s.untyped;
    return n;
  }

  get unexpected(): number {
    let n = 0;
    for (const s of this.kinds.values()) n += s.unexpected;
    return n;
  }
}

/** Where two JSON answers differ, as `path: a → b` (first few leaves). */
function describeDifference(a: string, b: string): string {
  let x: unknown;
  let y: unknown;
  try {
    x = JSON.parse(a);
    y = JSON.parse(b);
  } catch {
    return 'not JSON';
  }
  const diffs: string[] = [];
  const walk = (p: string, u: unknown, v: unknown): void => {
    if (diffs.length >= 3) return;
    if (u && v && typeof u === 'object' && typeof v === 'object' && Array.isArray(u) === Array.isArray(v)) {
      const keys = new Set([...Object.keys(u), ...Object.keys(v)]);
      for (const k of keys) walk(p ? `${p}.${k}` : k, (u as Record<string, unknown>)[k], (v as Record<string, unknown>)[k]);
      return;
    }
    if (JSON.stringify(u) !== JSON.stringify(v)) diffs.push(`${p}: ${JSON.stringify(u)?.slice(0, 40)} → ${JSON.stringify(v)?.slice(0, 40)}`);
  };
  walk('', x, y);
  return diffs.length > 0 ? diffs.join('; ') : 'same JSON, different bytes';
}

class Replays {
  sent = 0;
  identical = 0;
  skipped = 0;
  readonly byOp = new Map<string, { sent: number; identical: number }>();
  readonly differences = new Map<string, number>();

  /** `how`: the retry pattern (`retry`, `retry, concurrent`, `retry, other client`), to group differences by. */
  compare(op: string, how: string, first: Outcome, retry: Outcome): void {
    if (first.untyped !== null || retry.untyped !== null) {
      this.skipped++;
      return;
    }
    this.sent++;
    const o = this.byOp.get(op) ?? { sent: 0, identical: 0 };
    o.sent++;
    if (first.body === retry.body) {
      this.identical++;
      o.identical++;
    } else {
      const what = `${op} (${how}): ${describeDifference(first.body, retry.body)}`;
      // Group by the fields that differ, not by their values.
      const key = what.replace(/: "[^"]*" →/g, ': … →').replace(/→ "[^"]*"/g, '→ …');
      this.differences.set(key, (this.differences.get(key) ?? 0) + 1);
    }
    this.byOp.set(op, o);
  }

  get differing(): number {
    return this.sent - this.identical;
  }
}

// ---------------------------------------------------------------------------------------------------------
// visit flows
// ---------------------------------------------------------------------------------------------------------

type Category = 'WESTERN_MEDICINE_OUTPATIENT' | 'PREVENTIVE_CARE';

interface Flow {
  readonly id: number;
  readonly category: Category;
  readonly counted: boolean;
  dt: string | null;
  readonly plannedWrites: number;
  issuedWrites: number;
  doneWrites: number;
  /** 2 per 1.16 + 1.17 key, 1 per 1.47 key, for keys whose first answer was TreatmentWritten. */
  expectedWrites: number;
  holdUntil: number;
  cancelIssued: boolean;
}

interface VisitCheck {
  readonly dt: string;
  readonly counted: boolean;
  readonly expected: number;
  readonly actual: number;
}

class Coordinator {
  private nextStartAt = 0;
  private nextId = 0;
  readonly open: Flow[] = [];
  readonly checks: VisitCheck[] = [];
  draining = false;
  dropped = 0;

  constructor(
    private readonly params: LoadParams,
    private readonly rng: Rng,
  ) {}

  tryStart(): Flow | null {
    const t = now();
    if (this.draining || t < this.nextStartAt || this.open.length >= 40) return null;
    this.nextStartAt = t + this.params.visitIntervalMs;
    const counted = this.rng.next() < 0.8;
    const flow: Flow = {
      id: this.nextId++,
      category: counted ? 'WESTERN_MEDICINE_OUTPATIENT' : 'PREVENTIVE_CARE',
      counted,
      dt: null,
      plannedWrites: this.rng.int(2, 6),
      issuedWrites: 0,
      doneWrites: 0,
      expectedWrites: 0,
      holdUntil: t + this.rng.int(2000, 6000),
      cancelIssued: false,
    };
    this.open.push(flow);
    return flow;
  }

  takeWrite(): Flow | null {
    const ready = this.open.filter((f) => f.dt !== null && f.issuedWrites < f.plannedWrites);
    if (ready.length === 0) return null;
    const flow = this.rng.pick(ready);
    flow.issuedWrites++;
    return flow;
  }

  takeCancel(): Flow | null {
    const t = now();
    const flow = this.open.find(
      (f) => f.dt !== null && !f.cancelIssued && f.doneWrites === f.plannedWrites && (t >= f.holdUntil || this.draining),
    );
    if (!flow) return null;
    flow.cancelIssued = true;
    return flow;
  }

  close(flow: Flow): void {
    const i = this.open.indexOf(flow);
    if (i !== -1) this.open.splice(i, 1);
  }

  get busy(): boolean {
    return this.open.length > 0;
  }
}

// ---------------------------------------------------------------------------------------------------------
// subscriptions
// ---------------------------------------------------------------------------------------------------------

type SubName = 'lightStateChanged' | 'readerEvents';

interface Holder {
  readonly transport: 'graphql-ws' | 'SSE';
  readonly sub: SubName;
  readonly events: string[];
  /** When each event arrived (ms since the epoch, fractional), graphql-ws holders only: light-change delay. */
  readonly times: number[];
  errors: number;
  /** Set when the stream ended or failed before the run asked it to stop. */
  endedEarly: string | null;
  stop(): Promise<void>;
}

const MAX_EVENTS_KEPT = 20_000;

function wsHolder(url: string, token: string, sub: SubName, ready: () => void): Holder {
  let stopping = false;
  let readySignalled = false;
  const signal = (): void => {
    if (!readySignalled) {
      readySignalled = true;
      ready();
    }
  };
  const client: Client = createWsClient(url, { connectionParams: { authorization: `Bearer ${token}` } });
  const holder: Holder = {
    transport: 'graphql-ws',
    sub,
    events: [],
    times: [],
    errors: 0,
    endedEarly: null,
    stop: async () => {
      if (stopping) return;
      stopping = true;
      unsubscribe();
      await client.dispose();
    },
  };
  client.on('connected', () => setTimeout(signal, 50)); // the subscribe message follows the ack at once
  client.on('closed', (event) => {
    if (!stopping) holder.endedEarly ??= `socket closed ${(event as { code?: number }).code ?? ''}`;
  });
  const unsubscribe = client.subscribe(
    { query: Q[sub] },
    {
      next: (value) => {
        signal();
        if (value.errors) holder.errors++;
        if (holder.events.length < MAX_EVENTS_KEPT) {
          holder.events.push(JSON.stringify(value.data ?? null));
          holder.times.push(performance.timeOrigin + performance.now());
        }
      },
      error: (error) => {
        signal();
        if (!stopping) holder.endedEarly ??= `error: ${error instanceof Error ? error.message : JSON.stringify(error).slice(0, 200)}`;
      },
      complete: () => {
        if (!stopping) holder.endedEarly ??= 'completed';
      },
    },
  );
  return holder;
}

function sseHeaders(token: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'text/event-stream',
    authorization: `Bearer ${token}`,
    'x-nhi-gateway': '1',
  };
}

function sseHolder(url: string, token: string, sub: SubName, ready: () => void): Holder {
  let stopping = false;
  const controller = new AbortController();
  const holder: Holder = {
    transport: 'SSE',
    sub,
    events: [],
    times: [],
    errors: 0,
    endedEarly: null,
    stop: async () => {
      stopping = true;
      controller.abort();
      await reading;
    },
  };
  const reading = (async () => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: sseHeaders(token),
        body: JSON.stringify({ query: Q[sub] }),
        signal: controller.signal,
      });
      if (!response.ok || !response.body || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        holder.endedEarly = `HTTP ${response.status} ${response.headers.get('content-type')}: ${(await response.text()).slice(0, 200)}`;
        ready();
        return;
      }
      ready();
      for await (const event of readSseEvents(response.body)) {
        if (event.event === 'complete') {
          if (!stopping) holder.endedEarly ??= 'completed';
          return;
        }
        if (event.event !== 'next') continue;
        const payload = JSON.parse(event.data) as { data?: unknown; errors?: unknown };
        if (payload.errors) holder.errors++;
        if (holder.events.length < MAX_EVENTS_KEPT) holder.events.push(JSON.stringify(payload.data ?? null));
      }
      if (!stopping) holder.endedEarly ??= 'stream ended';
    } catch (error) {
      ready();
      if (!stopping) holder.endedEarly ??= `error: ${error instanceof Error ? error.message : String(error)}`;
    }
  })();
  return holder;
}

/** Subscribe, wait for the first event (lightStateChanged sends the current lights at once), unsubscribe. */
async function churnOnce(transport: 'graphql-ws' | 'SSE', url: string, token: string, timeoutMs: number): Promise<string | null> {
  if (transport === 'graphql-ws') {
    const client = createWsClient(url, { connectionParams: { authorization: `Bearer ${token}` } });
    try {
      return await new Promise<string | null>((resolve) => {
        const timer = setTimeout(() => resolve(`no event within ${timeoutMs} ms`), timeoutMs);
        const unsubscribe = client.subscribe(
          { query: Q.lightStateChanged },
          {
            next: (value) => {
              clearTimeout(timer);
              unsubscribe();
              resolve(value.errors ? `errors: ${JSON.stringify(value.errors).slice(0, 200)}` : null);
            },
            error: (error) => {
              clearTimeout(timer);
              resolve(`error: ${error instanceof Error ? error.message : JSON.stringify(error).slice(0, 200)}`);
            },
            complete: () => {
              clearTimeout(timer);
              resolve('completed before the first event');
            },
          },
        );
      });
    } finally {
      await client.dispose();
    }
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: sseHeaders(token),
      body: JSON.stringify({ query: Q.lightStateChanged }),
      signal: controller.signal,
    });
    if (!response.ok || !response.body) return `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`;
    for await (const event of readSseEvents(response.body)) {
      if (event.event === 'next') {
        const payload = JSON.parse(event.data) as { errors?: unknown };
        return payload.errors ? `errors: ${JSON.stringify(payload.errors).slice(0, 200)}` : null;
      }
      if (event.event === 'complete') return 'completed before the first event';
    }
    return 'stream ended before the first event';
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

// ---------------------------------------------------------------------------------------------------------
// memory
// ---------------------------------------------------------------------------------------------------------

interface MemoryVerdict {
  readonly samples: number;
  /** Median of the first `window` seconds after the warm-up. */
  readonly afterWarmup: number;
  /** The lowest median of `window` consecutive seconds after the warm-up: the settled level growth is measured from. */
  readonly lowest: number;
  readonly mid: number;
  /** Median of the last `window` seconds of the run. */
  readonly end: number;
  readonly peak: number;
  /** end / lowest − 1. */
  readonly growth: number;
  /** Least-squares slope of RSS over the second half, bytes per minute. */
  readonly slopePerMin: number;
  readonly heapAfterWarmup: number;
  readonly heapEnd: number;
  /** Samples (seconds) in each median. */
  readonly window: number;
  readonly pass: boolean;
}

function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/**
 * Flat = RSS at the end of the run (median of the last 5 s) less than MEMORY_GROWTH_LIMIT above the lowest
 * 5-s median after the warm-up. Measured from the lowest settled level, not from the first seconds after the
 * warm-up: V8 sometimes grows the heap far ahead of need under the first burst and gives it back later,
 * and a spike there would hide growth behind it.
 */
function judgeMemory(series: readonly MemorySample[], loadStartT: number, warmupMs: number, loadEndT: number): MemoryVerdict {
  const inLoad = series.filter((s) => s.t >= loadStartT + warmupMs && s.t <= loadEndT);
  // 5 samples (seconds) per median; fewer in a short (--quick) run.
  const window = Math.max(1, Math.min(5, Math.floor(inLoad.length / 3)));
  const head = inLoad.slice(0, window);
  const tail = inLoad.slice(-window);
  const afterWarmup = median(head.map((s) => s.rss));
  const end = median(tail.map((s) => s.rss));
  let lowest = Number.POSITIVE_INFINITY;
  for (let i = 0; i + window <= inLoad.length; i++) lowest = Math.min(lowest, median(inLoad.slice(i, i + window).map((s) => s.rss)));
  const midT = (loadStartT + warmupMs + loadEndT) / 2;
  const midSample = inLoad.reduce<MemorySample | null>((best, s) => (!best || Math.abs(s.t - midT) < Math.abs(best.t - midT) ? s : best), null);
  const secondHalf = inLoad.filter((s) => s.t >= (loadStartT + loadEndT) / 2).map((s) => ({ x: s.t / 60_000, y: s.rss }));
  const growth = end / lowest - 1;
  return {
    samples: inLoad.length,
    afterWarmup,
    lowest,
    mid: midSample?.rss ?? Number.NaN,
    end,
    peak: Math.max(...series.filter((s) => s.t >= loadStartT && s.t <= loadEndT).map((s) => s.rss)),
    growth,
    slopePerMin: slope(secondHalf),
    heapAfterWarmup: median(head.map((s) => s.heapUsed)),
    heapEnd: median(tail.map((s) => s.heapUsed)),
    window,
    pass: inLoad.length >= 3 && growth < MEMORY_GROWTH_LIMIT,
  };
}

// ---------------------------------------------------------------------------------------------------------
// the run
// ---------------------------------------------------------------------------------------------------------

/** Exports whose calls must equal the number of distinct keys sent for them. */
interface KeyCounts {
  startVisit: number;
  writeSeparate: number;
  writeSeparateOk: number;
  writeCombined: number;
  cancelVisit: number;
  treatmentIdWithoutCard: number;
  /** Keys whose first answer was a retryable error (a retry may then call the card again, legitimately). */
  retryableFirst: number;
  countedStarted: number;
  countedCancelled: number;
}

export const benchmark: BenchModule = {
  title: 'Load: 200 concurrent clients, queries + keyed mutations with retries + subscriptions, over the native fixture',
  section: 'load',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const params = loadParams(ctx.quick);
    ensureFixtureBuilt();
    const token = benchToken();
    const patient = simulatedPatientRecord('STANDARD');
    const birthDate = rocDateToIso(patient.birthDateRoc, 'birthDate');
    const rng = new Rng(params.seed);
    const loadBefore = os.loadavg();

    // The gateway runs with the executable's own V8 flags (build/lib/exec-argv.ts): the judged memory is what
    // ships. NHI_BENCH_LOAD_NODE_ARGS replaces them to compare (`defaults`: Node's own heap sizing).
    const extraNodeArgs = gatewayNodeArgs(process.env['NHI_BENCH_LOAD_NODE_ARGS']);
    // On the Node the executable is built from (bench/lib/server-node.ts says why).
    const node = benchServerNode();
    const serverNode = nodeVersionOf(node);
    const server: ChildServer = await startChildServer({ name: 'load-gateway', script: 'bench/load-server.ts', nodeArgs: ['--expose-gc', ...extraNodeArgs], node });
    const control = `http://127.0.0.1:${server.port}`;
    const holders: Holder[] = [];
    let client: KeepAliveClient | null = null;
    try {
      const info = await controlGet<{ gatewayPort: number; pid: number; journal: string }>(control, '/info');
      const gatewayUrl = `http://127.0.0.1:${info.gatewayPort}/graphql`;
      // Pooled sockets idle for 4 s are closed by the client, before the server's 5 s keep-alive timeout.
      client = new KeepAliveClient('127.0.0.1', info.gatewayPort, params.requesters * 3 + 16, params.requestTimeoutMs, CLIENT_IDLE_SOCKET_MS);
      const http1 = client;
      ctx.log(`  gateway pid ${server.pid} on 127.0.0.1:${info.gatewayPort} (journal: ${info.journal}); ${params.clients} clients for ${params.seconds} s`);

      const headers = {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${token}`,
        'x-nhi-gateway': '1',
      };
      const exchange = (query: string, variables?: Record<string, unknown>): Exchange => ({
        path: '/graphql',
        body: Buffer.from(JSON.stringify(variables ? { query, variables } : { query })),
        headers,
        check: () => 'ok',
      });

      const recorder = new Recorder();
      const replays = new Replays();
      const keys: KeyCounts = {
        startVisit: 0,
        writeSeparate: 0,
        writeSeparateOk: 0,
        writeCombined: 0,
        cancelVisit: 0,
        treatmentIdWithoutCard: 0,
        retryableFirst: 0,
        countedStarted: 0,
        countedCancelled: 0,
      };
      const runId = Date.now().toString(36);
      let keySerial = 0;
      const newKey = (op: string): string => `load-${runId}-${op}-${(keySerial++).toString(36)}`;

      let stopIssuing = false;
      const send = async (kind: string, op: string, ex: Exchange, expected: (o: Outcome) => boolean): Promise<Outcome> => {
        const t0 = process.hrtime.bigint();
        let result: HttpResponse | Error;
        try {
          result = await http1.post(ex);
        } catch (error) {
          result = error instanceof Error ? error : new Error(String(error));
        }
        const ns = Number(process.hrtime.bigint() - t0);
        const outcome = classify(result, PATH[op] ?? []);
        recorder.record(kind, ns, outcome, outcome.untyped === null && expected(outcome));
        if (recorder.requests >= params.maxRequests) stopIssuing = true;
        return outcome;
      };
      const is = (...labels: string[]) => (o: Outcome) => labels.includes(o.label);

      // ---- keyed operations with deliberate retries ----
      interface QueuedRetry {
        readonly op: string;
        readonly ex: Exchange;
        readonly expected: (o: Outcome) => boolean;
        readonly first: Outcome;
        readonly notBefore: number;
      }
      const retryQueue: QueuedRetry[] = [];
      const patterns = ['once', 'once', 'sequential', 'concurrent', 'delayed'] as const;
      const keyed = async (op: string, ex: Exchange, expected: (o: Outcome) => boolean): Promise<Outcome> => {
        const pattern = rng.pick(patterns);
        if (pattern === 'concurrent') {
          const all = await Promise.all([send(op, op, ex, expected), send(`${op} (retry, concurrent)`, op, ex, expected), send(`${op} (retry, concurrent)`, op, ex, expected)]);
          const [first, ...rest] = all as [Outcome, ...Outcome[]];
          for (const r of rest) replays.compare(op, 'retry, concurrent', first, r);
          return first;
        }
        const first = await send(op, op, ex, expected);
        if (first.node?.['retryable'] === true) keys.retryableFirst++;
        if (pattern === 'sequential') {
          for (let i = rng.int(1, 2); i > 0; i--) replays.compare(op, 'retry', first, await send(`${op} (retry)`, op, ex, expected));
        } else if (pattern === 'delayed' && retryQueue.length < 2000) {
          for (let i = rng.int(1, 2); i > 0; i--) retryQueue.push({ op, ex, expected, first, notBefore: now() + rng.int(200, 4000) });
        }
        return first;
      };
      const runQueuedRetry = async (): Promise<boolean> => {
        const t = now();
        const i = retryQueue.findIndex((r) => r.notBefore <= t);
        if (i === -1) return false;
        const [item] = retryQueue.splice(i, 1);
        if (!item) return false;
        replays.compare(item.op, 'retry, other client', item.first, await send(`${item.op} (retry, other client)`, item.op, item.ex, item.expected));
        return true;
      };

      // ---- flows ----
      const coordinator = new Coordinator(params, rng);
      const writesOf = async (dts: string[]): Promise<Record<string, { writes: number; lastWrite: string | null }>> =>
        controlPost(control, '/writes', { visits: dts });
      const diagnosesPool = [['J069'], ['J069', 'R05'], ['I10'], ['E119', 'I10'], ['K2970'], ['M545', 'R51']];

      const doStart = async (flow: Flow): Promise<void> => {
        keys.startVisit++;
        const ex = exchange(Q.startVisit, { input: { treatmentCategory: flow.category, idempotencyKey: newKey('sv') } });
        const first = await keyed('startVisit', ex, is('Visit'));
        const dt = first.node?.['visitTimeRoc'];
        if (first.label === 'Visit' && typeof dt === 'string') {
          flow.dt = dt;
          if (flow.counted) keys.countedStarted++;
        } else {
          coordinator.dropped++;
          coordinator.close(flow);
        }
      };
      const doWrite = async (flow: Flow): Promise<void> => {
        const combined = rng.next() < 0.3;
        const key = newKey('wt');
        const input = {
          visitTime: flow.dt,
          idNumber: patient.idNumber,
          birthDate,
          diagnoses: rng.pick(diagnosesPool),
          fees: { outpatientFee: rng.int(200, 900), outpatientCopay: rng.pick([0, 50, 150, 200]) },
          combined,
          idempotencyKey: key,
        };
        if (combined) keys.writeCombined++;
        else keys.writeSeparate++;
        try {
          const first = await keyed('writeTreatment', exchange(Q.writeTreatment, { input }), is('TreatmentWritten'));
          if (first.label === 'TreatmentWritten') {
            const apis = first.node?.['apis'];
            flow.expectedWrites += Array.isArray(apis) ? apis.length : 0;
            if (!combined) keys.writeSeparateOk++;
          }
          // Now and then the same key with other input: refused (typed), and no card call.
          if (rng.next() < 0.1) {
            const other = { ...input, diagnoses: ['Z000'] };
            await send('writeTreatment (same key, other input)', 'writeTreatment', exchange(Q.writeTreatment, { input: other }), is('GatewayError:IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT'));
          }
        } finally {
          flow.doneWrites++;
        }
      };
      const doCancel = async (flow: Flow): Promise<void> => {
        keys.cancelVisit++;
        const expected = flow.counted ? is('CancelledVisit') : is('VendorError:CANCEL_CATEGORY_NOT_NUMERIC');
        try {
          const first = await keyed('cancelVisit', exchange(Q.cancelVisit, { input: { visitTime: flow.dt, idempotencyKey: newKey('cv') } }), expected);
          if (flow.counted && first.label === 'CancelledVisit') keys.countedCancelled++;
          const dt = flow.dt ?? '';
          const writes = (await writesOf([dt]))[dt]?.writes ?? Number.NaN;
          coordinator.checks.push({ dt, counted: flow.counted, expected: flow.expectedWrites, actual: writes });
        } finally {
          coordinator.close(flow);
        }
      };
      const doNoCard = async (): Promise<void> => {
        keys.treatmentIdWithoutCard++;
        await keyed('treatmentIdWithoutCard', exchange(Q.treatmentIdWithoutCard, { input: { idNumber: patient.idNumber, idempotencyKey: newKey('tw') } }), is('TreatmentId'));
      };

      // ---- reads ----
      const reads: readonly { op: keyof typeof PATH; weight: number; ex: Exchange; expected: (o: Outcome) => boolean }[] = [
        { op: 'basicData', weight: 30, ex: exchange(Q.basicData), expected: is('BasicData') },
        { op: 'registerData', weight: 17, ex: exchange(Q.registerData), expected: is('RegisterData') },
        { op: 'lightState', weight: 25, ex: exchange(Q.lightState), expected: is('LightState') },
        { op: 'gateway', weight: 18, ex: exchange(Q.gateway), expected: is('Gateway') },
      ];
      const readWeight = reads.reduce((s, r) => s + r.weight, 0);
      const doRead = async (): Promise<void> => {
        let r = rng.next() * readWeight;
        for (const read of reads) {
          r -= read.weight;
          if (r < 0) {
            await send(read.op, read.op, read.ex, read.expected);
            return;
          }
        }
      };

      // ---- set-up: a clean card, subscriptions held for the whole run ----
      const setupRegister = await send('setup', 'registerData', exchange(Q.registerData), is('RegisterData'));
      const remainingStart = Number(setupRegister.node?.['remainingVisits'] ?? Number.NaN);
      if (setupRegister.label !== 'RegisterData') throw new Error(`set-up read failed: ${setupRegister.body.slice(0, 300)}`);
      recorder.kinds.delete('setup');
      recorder.requests = 0;
      recorder.labels.clear();

      ctx.log(`  connecting ${params.holders} subscription holders`);
      const readyPromises: Promise<void>[] = [];
      const subs: SubName[] = ['lightStateChanged', 'readerEvents'];
      for (let i = 0; i < params.holders; i++) {
        const sub = subs[i % 2] ?? 'lightStateChanged';
        const transport = Math.floor(i / 2) % 2 === 0 ? 'graphql-ws' : 'SSE';
        readyPromises.push(
          new Promise<void>((resolve) => {
            holders.push(transport === 'graphql-ws' ? wsHolder(gatewayUrl, token, sub, resolve) : sseHolder(gatewayUrl, token, sub, resolve));
          }),
        );
      }
      await Promise.race([Promise.all(readyPromises), sleep(15_000)]);
      await sleep(300);
      const before = await controlGet<ChildStats>(control, '/stats');
      // Opt-in: writing a snapshot leaves ~140 MB of native memory resident in the gateway (measured: RSS
      // outside the V8 heap 80 → 220 MB), which would blur the RSS figures of the run that follows.
      const heapBefore = HEAP_CLASSES ? await controlPost<HeapClasses>(control, '/heap-classes', {}, HEAP_SNAPSHOT_TIMEOUT_MS) : null;
      const gcBefore = await controlPost<{ memory: MemorySample }>(control, '/gc', {});
      ctx.log(`  ${before.monitorListeners} monitor listeners; gateway RSS ${MB(before.memory.rss)}, heap after GC ${MB(gcBefore.memory.heapUsed)}`);

      // ---- the load ----
      const foreign = new ForeignCpu();
      const ownCpu0 = process.cpuUsage();
      const childCpu0 = await server.cpu();
      const loadStartT = (await controlGet<ChildStats>(control, '/stats')).memory.t;
      const t0 = now();
      const deadline = t0 + params.seconds * 1000;
      const drainDeadline = deadline + params.drainMs;
      ctx.log(`  load for ${params.seconds} s: ${params.requesters} request clients, ${params.holders} holders, ${params.churners} churners`);

      const think = (): Promise<void> => sleep(params.thinkMs[0] + rng.next() * (params.thinkMs[1] - params.thinkMs[0]));
      const requester = async (): Promise<void> => {
        await sleep(rng.next() * 200); // spread the first requests
        for (;;) {
          const t = now();
          if (stopIssuing || t >= drainDeadline) return;
          const draining = t >= deadline;
          if (draining) coordinator.draining = true;
          if (draining && !coordinator.busy && retryQueue.length === 0) return;
          let acted = false;
          if (retryQueue.length > 0 && (draining || rng.next() < 0.5)) acted = await runQueuedRetry();
          if (!acted && (draining || rng.next() < 0.35)) {
            const cancel = coordinator.takeCancel();
            if (cancel) {
              await doCancel(cancel);
              acted = true;
            } else {
              const write = coordinator.takeWrite();
              if (write) {
                await doWrite(write);
                acted = true;
              } else {
                const start = coordinator.tryStart();
                if (start) {
                  await doStart(start);
                  acted = true;
                }
              }
            }
          }
          if (!acted && !draining) {
            if (rng.next() < params.noCardShare) await doNoCard();
            else await doRead();
            acted = true;
          }
          if (!acted) await sleep(20);
          else await think();
        }
      };

      const churn = { cycles: 0, failures: 0, firstFailure: null as string | null };
      const churner = async (i: number): Promise<void> => {
        const transport = i % 2 === 0 ? 'graphql-ws' : 'SSE';
        const kind = `${transport} subscribe → first event → unsubscribe (churn)`;
        while (now() < deadline && !stopIssuing) {
          const s = process.hrtime.bigint();
          const problem = await churnOnce(transport, gatewayUrl, token, 10_000);
          const ns = Number(process.hrtime.bigint() - s);
          churn.cycles++;
          recorder.record(kind, ns, { label: problem ? 'untyped:subscription failed' : 'first event (lightStateChanged)', untyped: problem, node: null, body: '' }, true);
          if (problem) {
            churn.failures++;
            churn.firstFailure ??= problem;
          }
          await sleep(50 + rng.next() * 100);
        }
      };

      let toggles = 0;
      const toggler = async (): Promise<void> => {
        let inserted = false;
        while (now() + params.hpcToggleMs < deadline) {
          await sleep(params.hpcToggleMs);
          inserted = !inserted;
          await controlPost(control, '/hpc', { inserted });
          toggles++;
        }
      };

      // One full GC in the gateway at the end of the warm-up (a pause of tens of ms, once): the retained heap
      // there is the baseline for the leak check at the end.
      const warmGc = (async () => {
        await sleep(params.warmupSeconds * 1000);
        const gc = await controlPost<{ memory: MemorySample }>(control, '/gc', {});
        const stats = await controlGet<ChildStats>(control, '/stats');
        return { heapUsed: gc.memory.heapUsed, journalEntries: stats.journalEntries ?? 0 };
      })();
      warmGc.catch(() => undefined); // awaited below; never an unhandled rejection if the run fails first
      const progress = setInterval(() => {
        ctx.log(`  t=${Math.round((now() - t0) / 1000)} s: ${fmtInt(recorder.requests)} requests, ${coordinator.checks.length} visits checked, ${recorder.untyped} untyped`);
      }, 10_000);
      try {
        await Promise.all([
          ...Array.from({ length: params.requesters }, () => requester()),
          ...Array.from({ length: params.churners }, (_, i) => churner(i)),
          toggler(),
        ]);
      } finally {
        clearInterval(progress);
      }
      const tEnd = now();
      const loadEndT = loadStartT + (Math.min(tEnd, deadline) - t0);
      const ownCpu = process.cpuUsage(ownCpu0);
      const childCpu1 = await server.cpu();
      const childCpuMs = (childCpu1.user + childCpu1.system - childCpu0.user - childCpu0.system) / 1000;
      foreign.addOwn((ownCpu.user + ownCpu.system) / 1000 + childCpuMs);
      const foreignShare = foreign.share();
      const wallMs = tEnd - t0;
      ctx.log(`  load done after ${(wallMs / 1000).toFixed(1)} s (drain ${((tEnd - deadline) / 1000).toFixed(1)} s); ${coordinator.open.length} flows left open, ${retryQueue.length} retries left`);

      // ---- after the load: last events, counters, the card, then close the subscriptions ----
      await sleep(1500);
      const after = await controlGet<ChildStats>(control, '/stats');
      // Light-change delivery delay (issue 15): the fixture stamps each doctor's-card movement (bench/light-delay.ts).
      const stateChanges = await controlGet<FixtureStateChange[]>(control, '/changes');
      const finalRegister = await send('final check', 'registerData', exchange(Q.registerData), is('RegisterData'));
      recorder.kinds.delete('final check');
      const remainingEnd = Number(finalRegister.node?.['remainingVisits'] ?? Number.NaN);
      const recheck = await writesOf(coordinator.checks.map((c) => c.dt));
      const series = await controlGet<MemorySample[]>(control, '/series');

      for (const holder of holders) await holder.stop();
      let listenersAfter = -1;
      for (let i = 0; i < 50; i++) {
        listenersAfter = (await controlGet<ChildStats>(control, '/stats')).monitorListeners ?? -1;
        if (listenersAfter === 0) break;
        await sleep(100);
      }
      const gcAfter = await controlPost<{ memory: MemorySample }>(control, '/gc', {});
      const heapAfter = heapBefore ? await controlPost<HeapClasses>(control, '/heap-classes', {}, HEAP_SNAPSHOT_TIMEOUT_MS) : null;
      const heapGrowthLine =
        (heapBefore && heapAfter
          ? `heap after a full GC by constructor (shallow size, snapshot before the load vs after the run), largest growth: ` +
            heapGrowth(heapBefore, heapAfter)
              .map((g) => `${g.name} ${g.bytes >= 0 ? '+' : ''}${(g.bytes / 1024).toFixed(0)} KiB (${g.count >= 0 ? '+' : ''}${g.count})`)
              .join(', ') +
            ' (RSS figures of this run include ~140 MB the first snapshot left resident)'
          : 'heap by constructor: not taken (NHI_BENCH_LOAD_HEAP_CLASSES=1 takes snapshots before and after)') +
        `; gateway on Node ${serverNode}, flags: ${describeNodeArgs(extraNodeArgs)}`;
      ctx.log(`  ${heapGrowthLine}`);
      // Attribution of retained memory: the journal's entries (kept for ever, by design) vs the rest.
      const journal = await controlPost<{ entries: number; jsonBytes: number; memory: MemorySample }>(control, '/journal/drop', {});
      const warm = await warmGc;
      const journalRetained = gcAfter.memory.heapUsed - journal.memory.heapUsed;
      const perEntry = journal.entries > 0 ? journalRetained / journal.entries : 0;
      // After the warm-up: what the heap kept beyond the journal entries added meanwhile (≈ 0 without a leak).
      const retainedAfterWarmup = gcAfter.memory.heapUsed - warm.heapUsed;
      const journalAfterWarmup = (journal.entries - warm.journalEntries) * perEntry;
      const otherAfterWarmup = retainedAfterWarmup - journalAfterWarmup;
      const loadAfter = os.loadavg();

      // ---- verdicts ----
      const untyped = recorder.untyped;
      const overlaps = after.overlapCount;
      const visitMismatches = coordinator.checks.filter((c) => c.actual !== c.expected);
      const recheckMismatches = coordinator.checks.filter((c) => {
        const w = recheck[c.dt]?.writes ?? -1;
        return w !== -1 && w !== c.expected;
      });
      const rechecked = coordinator.checks.filter((c) => (recheck[c.dt]?.writes ?? -1) !== -1).length;
      const call = (name: string): number => (after.calls[name] ?? 0) - (before.calls[name] ?? 0);
      const callChecks: { name: string; calls: number; keys: number }[] = [
        { name: 'hisGetSeqNumber256N1 (1.53) = startVisit keys', calls: call('hisGetSeqNumber256N1'), keys: keys.startVisit },
        { name: 'hisWriteTreatmentCode (1.16) = 1.16+1.17 writeTreatment keys', calls: call('hisWriteTreatmentCode'), keys: keys.writeSeparate },
        { name: 'hisWriteTreatmentFee (1.17) = those whose 1.16 succeeded', calls: call('hisWriteTreatmentFee'), keys: keys.writeSeparateOk },
        { name: 'hisWriteTreatmentData (1.47) = combined writeTreatment keys', calls: call('hisWriteTreatmentData'), keys: keys.writeCombined },
        { name: 'csUnGetSeqNumber (1.39) = cancelVisit keys', calls: call('csUnGetSeqNumber'), keys: keys.cancelVisit },
        { name: 'hisGetTreatNumNoICCard (1.54) = treatmentIdWithoutCard keys', calls: call('hisGetTreatNumNoICCard'), keys: keys.treatmentIdWithoutCard },
      ];
      const callMismatches = callChecks.filter((c) => c.calls !== c.keys);
      const expectedRemaining = remainingStart - keys.countedStarted + keys.countedCancelled;
      const remainingOk = remainingEnd === expectedRemaining;
      const noDuplicates =
        visitMismatches.length === 0 && recheckMismatches.length === 0 && callMismatches.length === 0 && remainingOk && keys.retryableFirst === 0 && coordinator.checks.length > 0;
      const replaysOk = replays.differing === 0 && replays.sent > 0;

      const memory = judgeMemory(series, loadStartT, params.warmupSeconds * 1000, loadEndT);
      const timeline = (pick: (m: MemorySample) => number): string => {
        const out: string[] = [];
        for (let t = loadStartT; t <= loadEndT + 500; t += 5000) {
          const nearest = series.reduce<MemorySample | null>((best, m) => (!best || Math.abs(m.t - t) < Math.abs(best.t - t) ? m : best), null);
          if (nearest) out.push((pick(nearest) / 2 ** 20).toFixed(0));
        }
        return out.join(' ');
      };
      const rssTimeline = timeline((m) => m.rss);
      const heapTimeline = timeline((m) => m.heapUsed);
      // What RSS is made of: V8's committed heap, and memory outside it (Buffers, native allocations).
      const heapTotalTimeline = timeline((m) => m.heapTotal);
      const outsideHeapTimeline = timeline((m) => m.rss - m.heapTotal);

      const lightHolders = holders.filter((h) => h.sub === 'lightStateChanged');
      const readerHolders = holders.filter((h) => h.sub === 'readerEvents');
      const sameSequence = (group: Holder[]): boolean => group.every((h) => h.events.join('\n') === (group[0]?.events.join('\n') ?? ''));
      const lightMovementsSeen = Math.min(...lightHolders.map((h) => h.events.length - 1));
      const delayHolder = lightHolders.find((h) => h.transport === 'graphql-ws' && h.times.length === h.events.length);
      const lightDelay = delayHolder
        ? matchLightChanges(
            stateChanges,
            delayHolder.events.map((e, i) => ({
              atMs: delayHolder.times[i]!,
              level: (JSON.parse(e) as { lightStateChanged?: { professionalCard?: { level?: number } } } | null)?.lightStateChanged?.professionalCard?.level ?? 0,
            })),
          )
        : null;
      const delaySorted = [...(lightDelay?.delaysMs ?? [])].sort((a, b) => a - b);
      const delayAt = (p: number): string => {
        const v = delaySorted[Math.min(delaySorted.length - 1, Math.max(0, Math.ceil((p / 100) * delaySorted.length) - 1))];
        return v === undefined ? '—' : `${v.toFixed(0)} ms`;
      };
      const subsOk =
        holders.every((h) => h.endedEarly === null && h.errors === 0 && h.events.length > 0) &&
        sameSequence(lightHolders) &&
        sameSequence(readerHolders) &&
        lightMovementsSeen >= EVENT_SHARE_MIN * toggles &&
        churn.failures === 0 &&
        listenersAfter === 0;

      const verdict = (pass: boolean): string => (pass ? 'PASS' : 'MISS');

      // ---- tables ----
      const preferred = ['basicData', 'registerData', 'lightState', 'gateway', 'startVisit', 'writeTreatment', 'cancelVisit', 'treatmentIdWithoutCard'];
      const rank = (kind: string): number => {
        const base = preferred.findIndex((p) => kind === p || kind.startsWith(`${p} `));
        return (base === -1 ? preferred.length : base) * 10 + (kind.includes('(') ? 1 : 0);
      };
      const kindOrder = [...recorder.kinds.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
      const requestHeaders: Row = ['kind', 'requests', 'p50', 'p99', 'max', 'outcomes (union __typename[:code] / errors:extensions.code)', 'unexpected', 'untyped'];
      const requestRows: Row[] = kindOrder.map((kind) => {
        const s = recorder.kinds.get(kind) ?? new KindStats();
        const l = summarize(s.samples);
        const outcomes = [...s.outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([label, n]) => `${label} ${fmtInt(n)}`).join(', ');
        return [kind, fmtInt(l.count), fmtMs(l.p50), fmtMs(l.p99), fmtMs(l.max), outcomes, fmtInt(s.unexpected), fmtInt(s.untyped)];
      });
      const all = summarize(kindOrder.flatMap((k) => recorder.kinds.get(k)?.samples ?? []));
      requestRows.push(['all', fmtInt(all.count), fmtMs(all.p50), fmtMs(all.p99), fmtMs(all.max), '', fmtInt(recorder.unexpected), fmtInt(untyped)]);

      const labelHeaders: Row = ['answer (__typename[:code] or errors:code)', 'count', 'expected by the mix', 'untyped'];
      const labelRows: Row[] = [...recorder.labels.entries()]
        .sort((a, b) => b[1].count - a[1].count)
        .map(([label, v]) => [label, fmtInt(v.count), fmtInt(v.expected), v.untyped ? 'yes' : 'no']);

      const subHeaders: Row = ['subscription', 'holders', 'events per holder (min–max)', 'connected to the end', 'same sequence in every holder'];
      const subRows: Row[] = [];
      for (const sub of subs) {
        for (const transport of ['graphql-ws', 'SSE'] as const) {
          const group = holders.filter((h) => h.sub === sub && h.transport === transport);
          if (group.length === 0) continue;
          const counts = group.map((h) => h.events.length);
          subRows.push([
            `${sub} over ${transport}`,
            String(group.length),
            `${Math.min(...counts)}–${Math.max(...counts)}`,
            `${group.filter((h) => h.endedEarly === null && h.errors === 0).length} of ${group.length}`,
            sameSequence(holders.filter((h) => h.sub === sub)) ? 'yes (ws and SSE alike)' : 'no',
          ]);
        }
      }
      const firstEnded = holders.find((h) => h.endedEarly !== null);

      const memHeaders: Row = ['gateway memory', 'RSS', 'heap used'];
      const memRows: Row[] = [
        ['before the load (subscribers connected, after a full GC)', MB(gcBefore.memory.rss), MB(gcBefore.memory.heapUsed)],
        [`end of the warm-up, after a full GC`, '', MB(warm.heapUsed)],
        [`after the ${params.warmupSeconds} s warm-up (median of ${memory.window} s)`, MB(memory.afterWarmup), MB(memory.heapAfterWarmup)],
        [`lowest after the warm-up (median of ${memory.window} s)`, MB(memory.lowest), ''],
        ['middle of the run', MB(memory.mid), ''],
        [`end of the run (median of the last ${memory.window} s)`, MB(memory.end), MB(memory.heapEnd)],
        ['peak during the run', MB(memory.peak), ''],
        ['after the run, subscribers gone, after a full GC', MB(gcAfter.memory.rss), MB(gcAfter.memory.heapUsed)],
        ['the same, then the journal’s in-memory entries dropped (bench only) and a full GC', MB(journal.memory.rss), MB(journal.memory.heapUsed)],
      ];

      const rps = (recorder.requests / wallMs) * 1000;
      const machineLine =
        `machine load (1-min average) ${loadBefore[0]?.toFixed(2)} before, ${loadAfter[0]?.toFixed(2)} after; ` +
        `during the run other processes used ${foreignShare === null ? 'an unknown share' : `${foreignShare.toFixed(2)} cores`}, ` +
        `the gateway ${(childCpuMs / wallMs).toFixed(2)} cores, the load generator ${((ownCpu.user + ownCpu.system) / 1000 / wallMs).toFixed(2)} cores ` +
        `(${os.cpus().length} cores in all)`;

      const lines = [
        `untyped errors (GraphQL errors without a code or INTERNAL_SERVER_ERROR, non-JSON, HTTP 5xx, transport failures): ${fmtInt(untyped)} of ${fmtInt(recorder.requests)} requests and ${fmtInt(churn.cycles)} subscription cycles (target 0) → ${verdict(untyped === 0)}` +
          (recorder.untypedExamples.length ? `; first: ${recorder.untypedExamples.slice(0, 3).join(' | ')}` : ''),
        `typed answers the mix did not expect: ${fmtInt(recorder.unexpected)}` + (recorder.unexpectedExamples.length ? ` (first: ${recorder.unexpectedExamples.slice(0, 3).join(' | ')})` : '') + ' — not a criterion, listed so nothing hides',
        `overlapping native calls (fixtureOverlapCount, counted inside the library): ${overlaps}, ${after.inFlight} in flight at the end (target 0) → ${verdict(overlaps === 0)}`,
        `duplicate writes: ${visitMismatches.length} of ${coordinator.checks.length} visits whose fixture write counter differs from their distinct keys' writes right after the cancel, ` +
          `${recheckMismatches.length} at the end (${rechecked} still on the card to recheck; it keeps the last 64 visits); ` +
          `native calls = distinct keys for every keyed export: ${callMismatches.length === 0 ? 'yes' : `NO (${callMismatches.map((c) => `${c.name}: ${c.calls} calls for ${c.keys} keys`).join('; ')})`}; ` +
          `remaining visits ${remainingStart} → ${remainingEnd} (expected ${expectedRemaining} = ${remainingStart} − ${keys.countedStarted} started + ${keys.countedCancelled} cancelled)` +
          `${keys.retryableFirst ? `; ${keys.retryableFirst} keys had a retryable first answer` : ''} (target 0 duplicates) → ${verdict(noDuplicates)}`,
        `retries returned the first answer byte for byte: ${fmtInt(replays.identical)} of ${fmtInt(replays.sent)} ` +
          `(${[...replays.byOp.entries()].map(([op, o]) => `${op} ${o.identical}/${o.sent}`).join(', ')})` +
          (replays.differing ? `; differing: ${[...replays.differences.entries()].map(([d, n]) => `${n}× ${d}`).join('; ')}` : '') +
          ` (target all) → ${verdict(replaysOk)}`,
        `memory flat (RSS at the end, median of the last ${memory.window} s, < ${pct(MEMORY_GROWTH_LIMIT)} above the lowest ${memory.window}-s median after the ${params.warmupSeconds} s warm-up): ` +
          `${MB(memory.afterWarmup)} after the warm-up, lowest ${MB(memory.lowest)}, ${MB(memory.mid)} mid-run, ${MB(memory.end)} at the end: ` +
          `growth ${memory.growth >= 0 ? '+' : ''}${pct(memory.growth)}; second-half slope ${(memory.slopePerMin / 2 ** 20).toFixed(1)} MB/min; peak ${MB(memory.peak)} → ${verdict(memory.pass)}`,
        `retained memory (heap used after a full GC): ${MB(gcBefore.memory.heapUsed)} before the load, ${MB(warm.heapUsed)} at the end of the warm-up, ${MB(gcAfter.memory.heapUsed)} after the run; ` +
          `the card-write journal keeps every entry in memory (${fmtInt(journal.entries)} at the end, ${fmtInt(perEntry)} bytes each — measured by dropping them: ${MB(journalRetained)}; ${MB(journal.jsonBytes)} as JSON); ` +
          `after the warm-up the heap kept ${retainedAfterWarmup >= 0 ? '+' : ''}${MB(retainedAfterWarmup)}, of which the ${fmtInt(journal.entries - warm.journalEntries)} journal entries added meanwhile ${MB(journalAfterWarmup)}, ` +
          `everything else ${otherAfterWarmup >= 0 ? '+' : ''}${MB(otherAfterWarmup)}`,
        `gateway memory every 5 s from the start of the load, MB: RSS ${rssTimeline}; heap used ${heapTimeline}; ` +
          `heap committed ${heapTotalTimeline}; RSS outside the heap ${outsideHeapTimeline}`,
        heapGrowthLine,
        `subscriptions: ${holders.filter((h) => h.endedEarly === null && h.errors === 0).length} of ${holders.length} held to the end` +
          `${firstEnded ? ` (first to end: ${firstEnded.transport} ${firstEnded.sub}: ${firstEnded.endedEarly})` : ''}; ` +
          `${toggles} doctor's-card movements, light subscribers saw ${lightMovementsSeen} changes each (target ≥ ${pct(EVENT_SHARE_MIN)}); ` +
          `readerEvents ${Math.min(...readerHolders.map((h) => h.events.length))}–${Math.max(...readerHolders.map((h) => h.events.length))} events each; ` +
          `churn ${fmtInt(churn.cycles)} subscribe/unsubscribe cycles, ${churn.failures} failed${churn.firstFailure ? ` (${churn.firstFailure})` : ''}; ` +
          `monitor listeners ${before.monitorListeners} with the holders, ${listenersAfter} after they left → ${verdict(subsOk)}`,
        `light-change delivery delay (issue 15; one graphql-ws lightStateChanged holder, from the fixture's stamped change; ` +
          `control-software calls here take no artificial time, see light-delay for 50 ms calls): ` +
          (lightDelay
            ? `${delaySorted.length} changes seen, ${lightDelay.missed} missed; p50 ${delayAt(50)}, p95 ${delayAt(95)}, max ${delayAt(100)} ` +
              `(target ≤ one 500 ms poll + one call)`
            : 'no graphql-ws light holder'),
        `throughput: ${fmtInt(recorder.requests)} requests in ${(wallMs / 1000).toFixed(1)} s (${fmtInt(rps)} req/s; drain ${((tEnd - deadline) / 1000).toFixed(1)} s), ` +
          `${coordinator.checks.length} visits (${keys.countedStarted} counted), ${fmtInt(keys.startVisit + keys.writeSeparate + keys.writeCombined + keys.cancelVisit + keys.treatmentIdWithoutCard)} idempotency keys, ` +
          `${fmtInt(replays.sent)} retries compared` +
          `${coordinator.dropped ? `, ${coordinator.dropped} flows dropped after a failed startVisit` : ''}`,
        `gateway internals at the end: ${after.idempotencyInFlight ?? '?'} keyed writes in flight; gateway warn/error log lines: ${after.log.warn}/${after.log.error}` +
          (after.log.first.length ? ` (${after.log.first.slice(0, 3).join(' | ')})` : ''),
        machineLine,
      ];

      const paramsLine =
        `${params.clients} clients for ${params.seconds} s: ${params.requesters} sending requests (pause ${params.thinkMs[0]}–${params.thinkMs[1]} ms between requests), ` +
        `${params.holders} holding a subscription for the whole run (lightStateChanged and readerEvents, half over graphql-ws, half over SSE), ` +
        `${params.churners} subscribing and unsubscribing over and over; a visit started at most every ${params.visitIntervalMs} ms; ` +
        `the doctor's card in or out every ${params.hpcToggleMs} ms; memory warm-up ${params.warmupSeconds} s.` +
        (['SECONDS', 'CLIENTS', 'THINK_MS', 'NOCARD_SHARE'].some((k) => process.env[`NHI_BENCH_LOAD_${k}`]) ? ' **Parameters changed through the environment.**' : '');
      const method =
        `The gateway in its own process (bench/load-server.ts): createCshisServices as \`--backend cshis\` builds it — the koffi adapter (call queue, keep-open) over ` +
        `\`test/native/out/linux-x64/libcshis_fixture.so\`, the card-write journal in a file (fsynced before and after each write) — createApp with the access token ` +
        `and the identity-read rate limit off (\`identityRate: false\`), startServer on 127.0.0.1; a bench-only control port reads the fixture's counters and the process's memory (sampled every second in the gateway process) ` +
        `and moves the doctor's card (fixture control, no CSHIS call). The fixture holds the STANDARD card with 99 visits. ` +
        `Request clients (one load-generator process; keep-alive sockets, closed after ${CLIENT_IDLE_SOCKET_MS / 1000} s idle, under the server's 5 s keep-alive timeout; every request with the token and the CSRF header) pick at random: ` +
        `reads (basicData 30, registerData 17, lightState 25, gateway 18 of 90) or, about a third of the time when there is visit work, ` +
        `startVisit (80 % category 01, cancelled at the end of its flow; 20 % AC, not counted, whose cancel is the typed error 5151) → 2–6 writeTreatment keys per visit (30 % as 1.47, else 1.16 + 1.17) → cancelVisit after 2–6 s; ` +
        `${pct(params.noCardShare)} of reads are replaced by treatmentIdWithoutCard (1.54). Every keyed mutation gets a retry pattern: none (2 in 5), 1–2 sequential retries, 3 identical requests at once, or 1–2 retries 0.2–4 s later by another client; ` +
        `10 % of writeTreatment keys are also reused with other input (must be refused). Each visit's fixture write counter is read right after its cancel and again at the end. ` +
        `Latency is per request, client side, including queueing in the gateway's native call queue (and one forced full GC in the gateway at the end of the warm-up). Memory verdict: RSS median of the last 5 s of the run vs the lowest 5-s median after the warm-up (V8 may grow the heap far ahead of need in the first burst and give it back later; the lowest settled level keeps such a spike from hiding growth); ` +
        `retained memory: heap used after a forced full GC before the load, at the end of the warm-up and after the run, and once more after dropping the journal's in-memory entries (bench only, the gateway stops next) to measure their share.`;

      const text = [
        paramsLine,
        '',
        textTable(requestHeaders, requestRows),
        '',
        textTable(labelHeaders, labelRows),
        '',
        textTable(subHeaders, subRows),
        '',
        textTable(memHeaders, memRows),
        '',
        ...lines,
      ].join('\n');
      const markdown = [
        ctx.quick ? '**--quick run: not for comparison.**\n' : '',
        `Targets (issue 7, item 8): zero untyped errors; zero overlapping native calls; zero duplicate writes, and every retry of an idempotency key answered byte for byte like the first; ` +
          `memory flat (RSS at the end of the run < ${pct(MEMORY_GROWTH_LIMIT)} above its lowest level after the warm-up); subscription clients receive events and stay connected.`,
        '',
        paramsLine,
        '',
        '**Requests by kind** (latency client side):',
        '',
        markdownTable(requestHeaders, requestRows),
        '',
        '**Answers** (union `__typename[:code]`, or `errors:` + `extensions.code`):',
        '',
        markdownTable(labelHeaders, labelRows),
        '',
        '**Subscriptions held for the whole run:**',
        '',
        markdownTable(subHeaders, subRows),
        '',
        '**Gateway memory:**',
        '',
        markdownTable(memHeaders, memRows),
        '',
        ...lines.map((l) => `- ${l}`),
        '',
        `Method: ${method}`,
      ]
        .filter((l, i) => i > 0 || l !== '')
        .join('\n');
      const unreliable =
        foreignShare !== null && foreignShare > 0.1
          ? `other processes used ${foreignShare.toFixed(2)} cores during the run (latencies inflated; the correctness verdicts stand)`
          : undefined;
      return { text, markdown, unreliable };
    } finally {
      for (const holder of holders) await holder.stop().catch(() => undefined);
      client?.close();
      const { code, stderr } = await server.stop();
      const noise = stderr.trim();
      if (code !== 0 || noise) ctx.log(`  load-gateway exited with ${code}${noise ? `; stderr:\n${noise.split('\n').slice(-20).join('\n')}` : ''}`);
    }
  },
};
