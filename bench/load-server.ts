/**
 * Child side of `npm run bench -- load` (bench/load.ts): the gateway as `--backend cshis` builds it
 * (createCshisServices → the koffi adapter over the native fixture, createApp, startServer on 127.0.0.1),
 * in its own process, so the fixture's in-library counters (overlaps, calls, writes per visit) count exactly
 * what this gateway did. Next to it, a small control server on another loopback port — bench only, not part
 * of the gateway — lets the load generator read those counters and this process's memory, and move the
 * doctor's card in and out of the reader (what makes the light and reader events).
 *
 *   node --expose-gc --import tsx bench/load-server.ts [--journal=file|memory]
 *
 * Protocol: bench/servers/serve.ts (`LISTENING <control port>`, `cpu`, `stop`). Control endpoints (JSON):
 *   GET  /info    → { gatewayPort, pid, journal }
 *   GET  /stats   → memory now, fixture counters, monitor listeners, idempotency in-flight, logger counts
 *   GET  /series  → the memory samples taken every second since start
 *   POST /journal/drop → at the very end: the journal's in-memory entries (count, size as JSON), then drops
 *                   them and runs a full GC → { entries, jsonBytes, memory } (the journal's share of the heap)
 *   POST /writes  { visits: ["1150301093000", …] } → { "<visit>": { writes, lastWrite } } (writes −1: not on the card)
 *   POST /hpc     { inserted: boolean } → inserts or removes the professional card (fixture control, no CSHIS call)
 *   POST /gc      → runs a full GC (needs --expose-gc), then the memory
 *   GET  /changes → the fixture's card insertions and removals, stamped on CLOCK_REALTIME in µs
 *                   (FixtureStateChange[]; bench/light-delay.ts compares them with when subscribers heard)
 *   POST /delay   { ms } → every control-software call sleeps ms inside the fixture (0 clears)
 *   POST /published/watch → starts an in-process lightStates reader (light-delay only: it never leaves)
 *   GET  /published → when this process published each light state (that reader, CLOCK_REALTIME ms): how much
 *                   of a subscriber's delay is the gateway's, and how much transport
 *
 * NHI_BENCH_LIGHT_POLL_MS sets the light poll interval (default 500, the cshis backend's); /info reports it.
 */
import { heapClasses } from './lib/heap-classes.ts';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.ts';
import { parseArgs } from '../src/config.ts';
import { open as openCshisBackend } from '../src/backends/cshis.ts';
import { createServices, servicesOptionsFromConfig } from '../src/services.ts';
import { startServer } from '../src/server.ts';
import type { GatewayLogger } from '../src/yoga.ts';
import { loadCshisLibrary, loadFixtureControls, type CshisExportName } from '../src/adapters/cshis/native.ts';
import { SIMULATED_PROFESSIONALS } from '../src/adapters/simulator/patients.ts';
import { encodeBig5 } from '../src/codecs/big5.ts';
import { FIXTURE_SO, insertSimulatedPatient } from '../test/integration/cshis/helpers.ts';
import { benchToken } from './lib/bench-token.ts';
import { argValue, serveForBench } from './servers/serve.ts';

/** The fixture exports whose call counts the load generator checks against what it sent. */
export const LOAD_COUNTED_EXPORTS = [
  'hisGetBasicData',
  'hisGetRegisterBasic2',
  'hisGetRegisterBasic',
  'hisGetCardStatus',
  'hisGetLastSeqNum',
  'hisGetSeqNumber256N1',
  'hisWriteTreatmentCode',
  'hisWriteTreatmentFee',
  'hisWriteTreatmentData',
  'csUnGetSeqNumber',
  'hisGetTreatNumNoICCard',
  'csOpenCom',
  'csCloseCom',
] as const satisfies readonly CshisExportName[];

export interface MemorySample {
  /** ms since the child started sampling. */
  readonly t: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

export interface ChildStats {
  readonly memory: MemorySample;
  readonly overlapCount: number;
  readonly inFlight: number;
  readonly calls: Record<string, number>;
  /** LightMonitor listeners (open lightStateChanged / readerEvents streams). */
  readonly monitorListeners: number | null;
  /** Keyed writes whose first call is still running (IdempotentWrites.inFlight). */
  readonly idempotencyInFlight: number | null;
  /** Card-write journal entries held in memory. */
  readonly journalEntries: number | null;
  readonly log: { readonly warn: number; readonly error: number; readonly first: readonly string[] };
  readonly gcAvailable: boolean;
}

const CSDLL_INI = '[CS]\r\nREADER=PC/SC\r\nCOM=COMX1\r\nHCA=ENABLE\r\nCSFSIM=ENABLE\r\nMSGSHOW=ENABLE\r\nCSTIMEOUT=120\r\n';
const MAX_SAMPLES = 3600;

const journalMode = argValue('journal') ?? 'file';
const dir = mkdtempSync(join(tmpdir(), 'bench-load-'));

// Counts what the gateway logs at warn/error (an unexpected error reaching yoga is logged as error) and
// keeps the first few messages (message and field names only). Nothing is printed: stdout is the protocol.
const logCounts = { warn: 0, error: 0, first: [] as string[] };
const note = (level: 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void => {
  logCounts[level]++;
  if (logCounts.first.length < 10) logCounts.first.push(`${level}: ${msg}${fields ? ` {${Object.keys(fields).join(', ')}}` : ''}`);
};
const logger: GatewayLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (msg, fields) => note('warn', msg, fields),
  error: (msg, fields) => note('error', msg, fields),
};

const lib = loadCshisLibrary(FIXTURE_SO);
const fx = loadFixtureControls(lib);
fx.reset();
// A fresh STANDARD card with 99 visits left (the most the card holds).
insertSimulatedPatient(fx, 'STANDARD', { remainingVisits: 99 });
const physician = SIMULATED_PROFESSIONALS[0];
if (!physician) throw new Error('no simulated professional');
const professionalCard = {
  serial: physician.serialNumber,
  id: physician.idNumber,
  nameBig5: encodeBig5(physician.name),
  englishName: physician.englishName,
};

const ini = join(dir, 'csdll.ini');
writeFileSync(ini, CSDLL_INI, 'latin1');
const parsed = parseArgs(['--backend', 'cshis', '--cshis-path', FIXTURE_SO, '--csdll-ini', ini], {});
if (parsed.kind !== 'run') throw new Error(`load-server config: ${JSON.stringify(parsed)}`);
// As src/main.ts: the journal is a file (appended and fsynced before and after every card write).
const journalPath = journalMode === 'memory' ? undefined : join(dir, 'journal.jsonl');
// A clinic's day of idempotency keys arrives here in seconds: with the default 24-hour retention the journal's
// memory would grow for the whole run by design. A short retention shows the bound that keeps it flat.
const journalRetentionMs = Number(process.env['NHI_BENCH_LOAD_RETENTION_MS'] ?? 20_000);
const lightPollMs = Number(process.env['NHI_BENCH_LIGHT_POLL_MS'] ?? 500);
const services = createServices(
  await openCshisBackend(parsed.config, { logger }),
  servicesOptionsFromConfig(parsed.config, { logger, journalRetentionMs, lightPollMs, ...(journalPath ? { journalPath } : {}) }),
);
// The identity-read rate limit is off (at its default of 60 reads/min per origin a load test measures refusals).
const yoga = createApp(services, { graphiql: false, logger, security: { token: benchToken(), identityRate: false } });
const gateway = await startServer({ yoga, host: '127.0.0.1', port: 0, logger });

// The monitor's own stream, read here once bench/light-delay.ts asks (POST /published/watch): when each light
// state left the gateway. Not for the load benchmark, which checks that every listener leaves.
const published: { atMs: number; level: number }[] = [];
let publishedReader: Promise<void> | null = null;
const watchPublished = (): void => {
  publishedReader ??= (async () => {
    for await (const state of services.monitor.lightStates()) {
      if (published.length < 100_000) published.push({ atMs: performance.timeOrigin + performance.now(), level: state.professionalCard.level });
    }
  })();
};

const started = performance.now();
const samples: MemorySample[] = [];
const sample = (): MemorySample => {
  const m = process.memoryUsage();
  return {
    t: Math.round(performance.now() - started),
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
};
const sampler = setInterval(() => {
  if (samples.length < MAX_SAMPLES) samples.push(sample());
}, 1000);

// Private state read for the report only (leak checks); null if a refactoring moved it.
const sizeOf = (value: unknown): number | null =>
  value instanceof Map || value instanceof Set ? value.size : null;
const stats = (): ChildStats => {
  const calls: Record<string, number> = {};
  for (const name of LOAD_COUNTED_EXPORTS) calls[name] = fx.callCount(name);
  const writes = services.writes as unknown as { inFlight?: unknown; journal?: { entries?: unknown } };
  return {
    memory: sample(),
    overlapCount: fx.overlapCount(),
    inFlight: fx.inFlight(),
    calls,
    monitorListeners: sizeOf((services.monitor as unknown as { listeners?: unknown }).listeners),
    idempotencyInFlight: sizeOf(writes.inFlight),
    journalEntries: sizeOf(writes.journal?.entries),
    log: { warn: logCounts.warn, error: logCounts.error, first: [...logCounts.first] },
    gcAvailable: typeof globalThis.gc === 'function',
  };
};

const readBody = async (req: IncomingMessage): Promise<unknown> => {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 1_000_000) throw new Error('body too large');
  }
  return text ? (JSON.parse(text) as unknown) : null;
};

const send = (res: ServerResponse, status: number, value: unknown): void => {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const route = `${req.method} ${req.url}`;
  switch (route) {
    case 'GET /info':
      return send(res, 200, { gatewayPort: gateway.port, pid: process.pid, journal: journalPath ? 'file' : 'memory', lightPollMs });
    case 'GET /changes':
      return send(res, 200, fx.stateChanges());
    case 'POST /published/watch':
      watchPublished();
      return send(res, 200, { watching: true });
    case 'GET /published':
      return send(res, 200, published);
    case 'POST /delay': {
      const body = (await readBody(req)) as { ms?: unknown } | null;
      const ms = typeof body?.ms === 'number' && body.ms >= 0 && body.ms <= 10_000 ? Math.round(body.ms) : 0;
      fx.setDelayMs('*', ms);
      return send(res, 200, { ms });
    }
    case 'GET /stats':
      return send(res, 200, stats());
    case 'GET /series':
      return send(res, 200, samples);
    case 'POST /journal/drop': {
      // At the very end only (the gateway stops next): measures what the card-write journal holds in memory,
      // then forgets its entries (bench only) and collects, so the parent can tell the journal's share of the
      // retained heap from everything else.
      const journal = (services.writes as unknown as { journal?: { entries?: unknown; byKey?: unknown } }).journal;
      const entries = journal?.entries instanceof Map ? [...journal.entries.values()] : [];
      const jsonBytes = entries.reduce((n: number, e: unknown) => n + Buffer.byteLength(JSON.stringify(e)), 0);
      const count = entries.length;
      entries.length = 0;
      if (journal?.entries instanceof Map) journal.entries.clear();
      if (journal?.byKey instanceof Map) journal.byKey.clear();
      if (typeof globalThis.gc === 'function') globalThis.gc();
      return send(res, 200, { entries: count, jsonBytes, memory: sample() });
    }
    case 'POST /writes': {
      const body = (await readBody(req)) as { visits?: unknown } | null;
      const visits = Array.isArray(body?.visits) ? body.visits.filter((v): v is string => typeof v === 'string').slice(0, 10_000) : [];
      const out: Record<string, { writes: number; lastWrite: string | null }> = {};
      for (const dt of visits) {
        const last = fx.lastWrite(dt);
        out[dt] = { writes: fx.writeCount(dt), lastWrite: last ? Buffer.from(last).toString('latin1') : null };
      }
      return send(res, 200, out);
    }
    case 'POST /hpc': {
      const body = (await readBody(req)) as { inserted?: unknown } | null;
      if (body?.inserted === true) fx.insertProfessionalCard(professionalCard);
      else fx.removeProfessionalCard();
      return send(res, 200, { inserted: body?.inserted === true });
    }
    case 'POST /heap-classes': {
      // A full GC, then a heap snapshot summarized by constructor (bench/lib/heap-classes.ts).
      if (typeof globalThis.gc === 'function') globalThis.gc();
      return send(res, 200, heapClasses());
    }
    case 'POST /gc': {
      if (typeof globalThis.gc === 'function') globalThis.gc();
      return send(res, 200, { gcAvailable: typeof globalThis.gc === 'function', memory: sample() });
    }
    default:
      return send(res, 404, { error: `no route ${route}` });
  }
};

await serveForBench(async () => {
  const control = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: error instanceof Error ? error.message : String(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    control.once('error', reject);
    control.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (control.address() as AddressInfo).port,
    close: async () => {
      clearInterval(sampler);
      control.closeAllConnections();
      await new Promise<void>((resolve) => control.close(() => resolve()));
      await gateway.close(500);
      await services[Symbol.asyncDispose]();
      fx.reset();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
