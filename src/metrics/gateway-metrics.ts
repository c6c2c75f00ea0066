/**
 * The gateway's Prometheus metrics (docs/metrics.md): one prom-client registry per gateway, so two gateways
 * in one process (tests) never share counters.
 *
 * Labels come only from closed sets — CardStack method names, ControlSoftware function names, error codes
 * of our catalogue, vendor return codes of the catalogue, light slots, build facts — never from card data,
 * so no ID number, name or card number can reach a label. Values that are not in a closed set are folded
 * into `OTHER` by the recorders below.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LightState } from '../ports/card-stack.ts';
import type { CardSlot } from '../domain/light-monitor.ts';
import { PendingHistogram } from './pending-histogram.ts';

/** What the gauges read at scrape time. Built from ports and domain objects (src/app.ts). */
export interface MetricsSources {
  readonly version: string;
  readonly backend: string;
  readiness(): Promise<{ readonly ready: boolean }>;
  /** The lights now, or null when they cannot be had without waiting (a busy control software). */
  lights(): Promise<LightState | null>;
  /** The readers the gateway sees (PC/SC readers, or the control software's two logical slots). */
  readers(): readonly { readonly slot: CardSlot; readonly cardPresent?: boolean | null | undefined }[];
  /** The control-software call queue; null when the backend has none (simulator, PC/SC, DLL not loaded). */
  queue(): { readonly depth: number; readonly stuck: boolean; readonly readerOpen: boolean } | null;
  /** Card writes whose outcome is unknown (journal). */
  unresolvedWrites(): number;
}

/** Seconds; a control-software call spans a cached read (ms) to an IDC round trip or a PIN dialog (minutes). */
export const CALL_DURATION_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180];

const SLOTS: readonly CardSlot[] = ['HEALTH_CARD', 'PROFESSIONAL_CARD'];
const PREFIX = 'nhi_gateway_';

export class GatewayMetrics {
  readonly registry = new Registry();
  #sources: MetricsSources | null = null;
  #subscriptions = 0;
  readonly #queueGauges: string[] = [];
  readonly #operations: Counter<'operation' | 'result'>;
  readonly #pendingOperations = new PendingCounts();
  readonly #pendingCalls = new PendingCounts();
  readonly #calls: Counter<'function' | 'rc'>;
  readonly #callSeconds = new PendingHistogram('function', CALL_DURATION_BUCKETS);

  constructor() {
    const registers = [this.registry];
    const operations = this.#pendingOperations;
    this.#operations = new Counter({
      name: `${PREFIX}card_operations_total`,
      help: 'Card operations (CardStack calls made for GraphQL operations) by operation and result code (OK or the error code).',
      labelNames: ['operation', 'result'],
      registers,
      collect() {
        operations.flush((operation, result, n) => this.inc({ operation, result }, n));
      },
    });
    const calls = this.#pendingCalls;
    this.#calls = new Counter({
      name: `${PREFIX}control_software_calls_total`,
      help: 'Control-software (CSHIS API) calls by function and return code (rc; TIMEOUT/FAILED when the call itself failed).',
      labelNames: ['function', 'rc'],
      registers,
      collect() {
        calls.flush((fn, rc, n) => this.inc({ function: fn, rc }, n));
      },
    });
    const callSeconds = this.#callSeconds;
    callSeconds.attach(
      new Histogram({
        name: `${PREFIX}control_software_call_duration_seconds`,
        help: 'Control-software call latency, including the wait in the call queue.',
        labelNames: ['function'],
        buckets: CALL_DURATION_BUCKETS,
        registers,
        collect() {
          callSeconds.handOver();
        },
      }),
    );
    const sources = (): MetricsSources | null => this.#sources;
    new Gauge({
      name: `${PREFIX}build_info`,
      help: 'Always 1; the labels say which gateway runs.',
      labelNames: ['version', 'backend', 'node_version'],
      registers,
      collect() {
        const s = sources();
        this.reset();
        if (s) this.set({ version: s.version, backend: s.backend, node_version: process.version }, 1);
      },
    });
    new Gauge({
      name: `${PREFIX}ready`,
      help: 'Whether the backend is ready (what /ready says): 1 ready, 0 not.',
      registers,
      async collect() {
        const s = sources();
        if (s) this.set((await s.readiness().catch(() => ({ ready: false }))).ready ? 1 : 0);
      },
    });
    new Gauge({
      name: `${PREFIX}light_level`,
      help: "The console's light per slot: 0 no card, 1 card in, 2 authenticated, 3 authenticated with PIN. Absent when the control software is busy.",
      labelNames: ['slot'],
      registers,
      async collect() {
        this.reset();
        const lights = await sources()?.lights().catch(() => null);
        if (!lights) return;
        this.set({ slot: 'HEALTH_CARD' }, lights.healthCard.level);
        this.set({ slot: 'PROFESSIONAL_CARD' }, lights.professionalCard.level);
      },
    });
    new Gauge({
      name: `${PREFIX}readers`,
      help: 'Readers the gateway sees, per slot.',
      labelNames: ['slot'],
      registers,
      collect() {
        const readers = sources()?.readers() ?? [];
        for (const slot of SLOTS) this.set({ slot }, readers.filter((r) => r.slot === slot).length);
      },
    });
    new Gauge({
      name: `${PREFIX}readers_with_card`,
      help: 'Readers holding a card, per slot (PC/SC only: the control software does not say).',
      labelNames: ['slot'],
      registers,
      collect() {
        this.reset();
        const readers = (sources()?.readers() ?? []).filter((r) => r.cardPresent !== undefined && r.cardPresent !== null);
        if (readers.length === 0) return;
        for (const slot of SLOTS) this.set({ slot }, readers.filter((r) => r.slot === slot && r.cardPresent === true).length);
      },
    });
    const queueGauge = (name: string, help: string, read: (q: NonNullable<ReturnType<MetricsSources['queue']>>) => number) =>
      this.#queueGauges.push(`${PREFIX}${name}`) &&
      new Gauge({
        name: `${PREFIX}${name}`,
        help,
        registers,
        collect() {
          this.reset();
          const queue = sources()?.queue();
          if (queue) this.set(read(queue));
        },
      });
    queueGauge('control_software_queue_depth', 'Control-software calls waiting for their turn (CSHIS backend).', (q) => q.depth);
    queueGauge('control_software_stuck', 'Whether a control-software call timed out and is still inside the library (1).', (q) => (q.stuck ? 1 : 0));
    queueGauge('reader_open', 'Whether the CSHIS adapter believes the reader port is open (1).', (q) => (q.readerOpen ? 1 : 0));
    const self = this;
    new Gauge({
      name: `${PREFIX}subscriptions_open`,
      help: 'GraphQL subscriptions open now (WebSocket and SSE).',
      registers,
      collect() {
        this.set(self.#subscriptions);
      },
    });
    new Gauge({
      name: `${PREFIX}journal_unresolved_writes`,
      help: 'Card writes whose outcome is unknown and waits for checkCardWrite/confirmCardWrite.',
      registers,
      collect() {
        const s = sources();
        if (s) this.set(s.unresolvedWrites());
      },
    });
  }

  /** Where the gauges read from; set once the services exist. */
  attach(sources: MetricsSources): void {
    this.#sources = sources;
    // A label-less gauge always shows a value: drop the queue's when there is no queue (simulator, PC/SC,
    // a DLL that did not load), rather than report an idle queue that does not exist.
    if (sources.queue() === null) for (const name of this.#queueGauges.splice(0)) this.registry.removeSingleMetric(name);
  }

  recordCardOperation(operation: string, result: string): void {
    this.#pendingOperations.add(operation, result);
  }

  recordControlSoftwareCall(fn: string, rc: string, seconds: number): void {
    this.#pendingCalls.add(fn, rc);
    this.#callSeconds.observe(fn, seconds);
  }

  subscriptionOpened(): void {
    this.#subscriptions++;
  }

  subscriptionClosed(): void {
    this.#subscriptions = Math.max(0, this.#subscriptions - 1);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * Counts by two labels, handed to prom-client when it is scraped (a counter's `collect`) rather than on
 * every call: prom-client's `inc` builds and checks a label key each time, and these run on every card
 * operation. Both labels come from closed sets (see the recorders), so the maps stay small.
 */
class PendingCounts {
  readonly #counts = new Map<string, Map<string, { n: number }>>();

  add(a: string, b: string): void {
    let byB = this.#counts.get(a);
    if (!byB) this.#counts.set(a, (byB = new Map()));
    const count = byB.get(b);
    if (count) count.n++;
    else byB.set(b, { n: 1 });
  }

  /** Hands over every count not yet handed over. */
  flush(into: (a: string, b: string, n: number) => void): void {
    for (const [a, byB] of this.#counts) {
      for (const [b, count] of byB) {
        if (count.n === 0) continue;
        into(a, b, count.n);
        count.n = 0;
      }
    }
  }
}
