/**
 * The load generator: node:http over one keep-alive Agent (no undici package in node_modules; Node's
 * global fetch has no connection-pool knobs). The same code drives every HTTP target, so differences
 * between targets are the servers', not the client's.
 */
import { Agent, request, type OutgoingHttpHeaders } from 'node:http';
import { summarize, type LatencySummary } from './stats.ts';

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/** How a response is judged; `graphql-error` and `unexpected` are counted, never silently ignored. */
export type Outcome = 'ok' | 'graphql-error' | 'unexpected';

/** One request, sent over and over. */
export interface Exchange {
  readonly path: string;
  readonly body: Buffer;
  readonly headers: OutgoingHttpHeaders;
  check(response: HttpResponse): Outcome;
}

export class KeepAliveClient {
  private readonly agent: Agent;

  /**
   * @param idleTimeoutMs closes a pooled socket after this long idle. Without it an idle socket is kept until
   *   the server closes it (Node's server: 5 s), and a request sent on it just then fails with ECONNRESET —
   *   the client's race, which a long run with many sockets meets. Below the server's keep-alive timeout
   *   avoids it.
   */
  constructor(
    readonly host: string,
    readonly port: number,
    maxSockets: number,
    private readonly timeoutMs = 10_000,
    idleTimeoutMs?: number,
  ) {
    this.agent = new Agent({
      keepAlive: true,
      maxSockets,
      maxFreeSockets: maxSockets,
      scheduling: 'lifo',
      ...(idleTimeoutMs ? { timeout: idleTimeoutMs } : {}),
    });
  }

  post(exchange: Exchange): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.host,
          port: this.port,
          method: 'POST',
          path: exchange.path,
          headers: { ...exchange.headers, 'content-length': exchange.body.byteLength },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`no response within ${this.timeoutMs} ms`)));
      // `reusedSocket`: whether the request went out on a pooled keep-alive socket (tells a reset of an idle
      // socket the server had just closed from a failure of the request itself).
      req.on('error', (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
      req.end(exchange.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Every request a target answered, warm-up included. */
export class Tally {
  requests = 0;
  ok = 0;
  graphqlErrors = 0;
  unexpected = 0;
  transportErrors = 0;
  readonly statuses = new Map<number, number>();
  firstBody: string | null = null;
  lastBody: string | null = null;
  firstProblem: string | null = null;

  record(exchange: Exchange, result: HttpResponse | Error): void {
    this.requests++;
    if (result instanceof Error) {
      this.transportErrors++;
      this.firstProblem ??= `transport: ${result.message}`;
      return;
    }
    this.statuses.set(result.status, (this.statuses.get(result.status) ?? 0) + 1);
    this.firstBody ??= result.body;
    this.lastBody = result.body;
    const outcome = exchange.check(result);
    if (outcome === 'ok') this.ok++;
    else {
      if (outcome === 'graphql-error') this.graphqlErrors++;
      else this.unexpected++;
      this.firstProblem ??= `HTTP ${result.status}: ${result.body.slice(0, 300)}`;
    }
  }

  get non200(): number {
    let n = 0;
    for (const [status, count] of this.statuses) if (status !== 200) n += count;
    return n;
  }

  get failed(): number {
    return this.requests - this.ok;
  }
}

export interface PhaseResult {
  readonly requests: number;
  readonly elapsedMs: number;
  /** Completed requests per second over the phase. */
  readonly rps: number;
  readonly latency: LatencySummary;
  /** Each measured request's latency in ns. */
  readonly samples: number[];
}

/** Gives up on a phase once this many requests failed: numbers from failing requests mean nothing. */
const MAX_FAILURES = 50;

async function once(client: KeepAliveClient, exchange: Exchange, tally: Tally): Promise<boolean> {
  try {
    tally.record(exchange, await client.post(exchange));
  } catch (error) {
    tally.record(exchange, error instanceof Error ? error : new Error(String(error)));
  }
  return tally.failed < MAX_FAILURES;
}

/** Concurrency 1: `warmup` unmeasured requests, then `count` measured ones (or until `maxMs`). */
export async function runSequential(
  client: KeepAliveClient,
  exchange: Exchange,
  tally: Tally,
  opts: { warmup: number; count: number; maxMs: number },
): Promise<PhaseResult> {
  for (let i = 0; i < opts.warmup; i++) if (!(await once(client, exchange, tally))) break;
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(opts.maxMs) * 1_000_000n;
  for (let i = 0; i < opts.count; i++) {
    const t0 = process.hrtime.bigint();
    const keepGoing = await once(client, exchange, tally);
    const t1 = process.hrtime.bigint();
    samples.push(Number(t1 - t0));
    if (!keepGoing || t1 > deadline) break;
  }
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { requests: samples.length, elapsedMs, rps: (samples.length / elapsedMs) * 1000, latency: summarize(samples), samples };
}

/** `concurrency` workers issue requests back to back for `durationMs` (at most `maxRequests` in all). */
export async function runConcurrent(
  client: KeepAliveClient,
  exchange: Exchange,
  tally: Tally,
  opts: { concurrency: number; durationMs: number; maxRequests: number },
): Promise<PhaseResult> {
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(opts.durationMs) * 1_000_000n;
  let issued = 0;
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop && issued < opts.maxRequests) {
      issued++;
      const t0 = process.hrtime.bigint();
      const keepGoing = await once(client, exchange, tally);
      const t1 = process.hrtime.bigint();
      samples.push(Number(t1 - t0));
      if (!keepGoing || t1 >= deadline) stop = true;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { requests: samples.length, elapsedMs, rps: (samples.length / elapsedMs) * 1000, latency: summarize(samples), samples };
}
