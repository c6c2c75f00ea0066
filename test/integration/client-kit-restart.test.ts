/**
 * Subscriptions that survive a gateway restart (docs/protocol.md), with real processes: a gateway started as
 * `src/main.ts --backend simulator`, the kit subscribed over graphql-ws and SSE, and the real graphql-ws and
 * graphql-sse clients. SIGTERM must reach every subscriber as `complete` (and close 1001 over graphql-ws); after
 * a restart on the same port the kit reports reconnecting → resumed and keeps delivering; an SSE client that
 * comes back with Last-Event-ID gets what it missed, then the current state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient as createWsClient } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import {
  createGatewayClient,
  LightsChangedDocument,
  SimulatorInsertHealthCardDocument,
  SimulatorRemoveHealthCardDocument,
  type ConnectionStateChange,
  type ExecutionResultOf,
  type GatewayClient,
  type LightsChangedSubscription,
} from '../../client/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const LIGHTS = 'subscription { lightStateChanged { healthCard { level } } }';

interface RunningGateway {
  readonly child: ChildProcess;
  readonly token: string;
  readonly exited: Promise<number | null>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts `src/main.ts` as its own process (node directly, so SIGTERM reaches the gateway, not a wrapper). */
async function startGateway(home: string, port: number): Promise<RunningGateway> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--backend', 'simulator', '--port', String(port)], {
    cwd: ROOT,
    env: { ...process.env, HOME: home, XDG_STATE_HOME: join(home, 'state'), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  const banner = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ctrl+C')) resolve(output);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`gateway exited (${code}) before it listened:\n${output}`)));
  });
  const tokenFile = /token:\s+(\S+)/.exec(banner)?.[1];
  if (!tokenFile) throw new Error(`no token file in the banner:\n${banner}`);
  return { child, token: readFileSync(tokenFile, 'utf8').trim(), exited };
}

/** Resolves when `predicate` holds for the states seen so far (checked on each change). */
function stateLog() {
  const seen: ConnectionStateChange[] = [];
  const waiters: { predicate: (s: ConnectionStateChange[]) => boolean; resolve: () => void }[] = [];
  return {
    seen,
    push(change: ConnectionStateChange) {
      seen.push(change);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(seen)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    },
    until(predicate: (s: ConnectionStateChange[]) => boolean): Promise<void> {
      if (predicate(seen)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

async function nextLevel(lights: AsyncIterator<ExecutionResultOf<LightsChangedSubscription>>): Promise<number> {
  const { value, done } = await lights.next();
  if (done) throw new Error('the subscription ended');
  const level = value?.data?.lightStateChanged.healthCard.level;
  if (level === undefined) throw new Error(`no light in ${JSON.stringify(value)}`);
  return level;
}

/** Reads a light stream the way an app does (always waiting for the next one) and lets a test wait for a level. */
function pump(lights: AsyncIterator<ExecutionResultOf<LightsChangedSubscription>>) {
  const levels: number[] = [];
  /** `extensions.resume` markers seen (docs/protocol.md). */
  const resumes: unknown[] = [];
  const waiters: { level: number; from: number; resolve: () => void }[] = [];
  const done = (async () => {
    for (;;) {
      const { value, done: ended } = await lights.next();
      if (ended) return;
      if (value?.extensions?.['resume'] !== undefined) resumes.push(value.extensions['resume']);
      const level = value?.data?.lightStateChanged.healthCard.level;
      if (level === undefined) continue;
      levels.push(level);
      for (const waiter of [...waiters]) {
        if (levels.slice(waiter.from).includes(waiter.level)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    }
  })();
  return {
    levels,
    resumes,
    done,
    /** Resolves once `level` arrives after this call. */
    reaches(level: number): Promise<void> {
      const from = levels.length;
      return new Promise((resolve) => waiters.push({ level, from, resolve }));
    },
  };
}

interface SseMessage {
  readonly id: string | null;
  readonly event: string;
  readonly data: string;
}

/** A raw SSE subscription by fetch, to see ids and send Last-Event-ID exactly. */
async function rawSse(url: string, lastEventId?: string) {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'x-nhi-gateway': 'test',
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    },
    body: JSON.stringify({ query: LIGHTS }),
    signal: controller.signal,
  });
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const pending: SseMessage[] = [];
  async function next(): Promise<SseMessage> {
    for (;;) {
      const message = pending.shift();
      if (message) return message;
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += decoder.decode(value, { stream: true });
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop() ?? '';
      for (const block of blocks) {
        const lines = block.split('\n').filter((line) => !line.startsWith(':') && line !== '');
        if (lines.length === 0) continue;
        const field = (name: string) => lines.find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim() ?? null;
        pending.push({ id: field('id'), event: field('event') ?? 'message', data: field('data') ?? '' });
      }
    }
  }
  return { next, close: () => controller.abort() };
}

describe('subscriptions across a gateway restart (real processes)', () => {
  let home: string;
  let port: number;
  let url: string;
  let gateway: RunningGateway | undefined;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'nhi-restart-'));
    port = await freePort();
    url = `http://127.0.0.1:${port}/graphql`;
    gateway = await startGateway(home, port);
  }, 60_000);

  afterAll(async () => {
    if (gateway && gateway.child.exitCode === null) {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
    rmSync(home, { recursive: true, force: true });
  }, 30_000);

  it('SSE: ids on every event; Last-Event-ID replays what was missed, then the current state; an unknown id says GAP', async () => {
    const kit = createGatewayClient({ url, token: gateway!.token });
    await kit.request(SimulatorRemoveHealthCardDocument);
    const first = await rawSse(url);
    const current = await first.next();
    expect(current.event).toBe('next');
    expect(current.id).toMatch(/^[a-z0-9]+-\d+$/);
    const payload = JSON.parse(current.data) as { data: unknown; extensions: { eventId: string } };
    expect(payload.data).toEqual({ lightStateChanged: { healthCard: { level: 0 } } });
    expect(payload.extensions.eventId).toBe(current.id);
    first.close();

    // Two changes while nobody is connected.
    await kit.request(SimulatorInsertHealthCardDocument, { card: 'STANDARD' });
    await kit.request(SimulatorRemoveHealthCardDocument);

    const resumed = await rawSse(url, current.id!);
    const got = [await resumed.next(), await resumed.next(), await resumed.next()].map((m) => ({
      id: m.id,
      ...(JSON.parse(m.data) as { data: { lightStateChanged: { healthCard: { level: number } } }; extensions: Record<string, unknown> }),
    }));
    resumed.close();
    expect(got.map((m) => m.data.lightStateChanged.healthCard.level)).toEqual([1, 0, 0]);
    expect(got.map((m) => m.extensions['replayed'] ?? false)).toEqual([true, true, false]);
    expect(got[0]!.extensions['resume']).toBe('REPLAYED');
    for (const m of got) expect(m.extensions['eventId']).toBe(m.id);
    const seq = (id: string | null) => Number(id!.split('-')[1]);
    expect(seq(got[0]!.id)).toBeGreaterThan(seq(current.id));
    expect(seq(got[1]!.id)).toBeGreaterThan(seq(got[0]!.id));

    const unknown = await rawSse(url, 'fromanotherrun-7');
    const gap = JSON.parse((await unknown.next()).data) as { data: unknown; extensions: Record<string, unknown> };
    unknown.close();
    expect(gap.data).toEqual({ lightStateChanged: { healthCard: { level: 0 } } });
    expect(gap.extensions['resume']).toBe('GAP');
    await kit.dispose();
  });

  it('ordinary queries are still answered as JSON', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'x-nhi-gateway': 'test' },
      body: JSON.stringify({ query: '{ gateway { version } }' }),
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(((await response.json()) as { data: { gateway: { version: string } } }).data.gateway.version).toMatch(/^\d+\.\d+/);
  });

  it('SIGTERM completes every subscription (ws close 1001), and the kit resumes on both transports after a restart', async () => {
    const token = gateway!.token;
    const logs = { ws: stateLog(), sse: stateLog() };
    const kits: Record<'ws' | 'sse', GatewayClient> = {
      ws: createGatewayClient({
        url,
        transport: 'ws',
        token,
        webSocketImpl: WebSocket,
        backoff: { initialMs: 50, maxMs: 400 },
        onStateChange: (s) => logs.ws.push(s),
      }),
      sse: createGatewayClient({ url, transport: 'sse', token, backoff: { initialMs: 50, maxMs: 400 }, onStateChange: (s) => logs.sse.push(s) }),
    };
    try {
      await kits.ws.request(SimulatorRemoveHealthCardDocument);
      const lights = { ws: kits.ws.subscribe(LightsChangedDocument), sse: kits.sse.subscribe(LightsChangedDocument) };
      expect(await nextLevel(lights.ws)).toBe(0);
      expect(await nextLevel(lights.sse)).toBe(0);
      const read = { ws: pump(lights.ws), sse: pump(lights.sse) };

      // The real graphql-ws client: no retries, so what the server sends is what it sees.
      const closeCodes: number[] = [];
      const wsClient = createWsClient({
        url: url.replace('http:', 'ws:'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        on: { closed: (event) => closeCodes.push((event as { code: number }).code) },
      });
      const wsLights = wsClient.iterate({ query: LIGHTS });
      expect((await wsLights.next()).value).toMatchObject({ data: { lightStateChanged: { healthCard: { level: 0 } } } });
      // The real graphql-sse client, distinct connections mode.
      const sseClient = createSseClient({ url, headers: { 'x-nhi-gateway': 'test' }, retryAttempts: 0 });
      const sseLights = sseClient.iterate({ query: LIGHTS });
      expect((await sseLights.next()).value).toMatchObject({ data: { lightStateChanged: { healthCard: { level: 0 } } } });

      // After the restart each kit subscribes again and is sent the current state (lights off) first.
      const resent = [read.ws.reaches(0), read.sse.reaches(0)];
      gateway!.child.kill('SIGTERM');
      // `complete` ends both iterators normally (an error or a cut would throw instead).
      expect(await wsLights.next()).toEqual({ done: true, value: undefined });
      expect(await sseLights.next()).toEqual({ done: true, value: undefined });
      expect(await gateway!.exited).toBe(0);
      await logs.ws.until((s) => s.some((c) => c.state === 'reconnecting'));
      expect(closeCodes).toEqual([1001]);
      await wsClient.dispose();
      sseClient.dispose();

      await logs.sse.until((s) => s.some((c) => c.state === 'reconnecting'));
      gateway = await startGateway(home, port);
      await Promise.all([
        logs.ws.until((s) => s.some((c) => c.state === 'resumed')),
        logs.sse.until((s) => s.some((c) => c.state === 'resumed')),
      ]);
      await Promise.all(resent);
      // Both came back with an id from the previous run: the gateway said events may have been missed.
      expect(read.ws.resumes).toEqual(['GAP']);
      expect(read.sse.resumes).toEqual(['GAP']);
      const inserted = [read.ws.reaches(1), read.sse.reaches(1)];
      await kits.ws.request(SimulatorInsertHealthCardDocument, { card: 'STANDARD' });
      await Promise.all(inserted);

      for (const transport of ['ws', 'sse'] as const) {
        const states = logs[transport].seen.map((c) => c.state);
        expect(states[0]).toBe('connected');
        expect(states.indexOf('reconnecting')).toBeGreaterThan(0);
        expect(states.lastIndexOf('resumed')).toBeGreaterThan(states.indexOf('reconnecting'));
        for (const change of logs[transport].seen) if (change.error) expect(change.error).toBeInstanceOf(Error);
      }
      // The SSE kit came back with an id from the previous run: the gateway said so.
      const sseResume = logs.sse.seen.find((c) => c.state === 'resumed');
      expect(sseResume?.lastEventId).toMatch(/-\d+$/);
      await lights.ws.return?.();
      await lights.sse.return?.();
      await Promise.all([read.ws.done, read.sse.done]);
    } finally {
      await kits.ws.dispose();
      await kits.sse.dispose();
    }
  }, 90_000);
});
