/**
 * The kit's reconnect pieces: the backoff is capped and jittered, everything it reports is an Error with a
 * message (never `[object Object]`), and a subscription the gateway refuses fails with a coded
 * GatewayRequestError instead of retrying forever (docs/protocol.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApp } from '../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../src/services.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { backoffDelay, createGatewayClient, GatewayRequestError, type TypedDocumentNode } from '../../client/index.ts';
import { toError } from '../../client/src/reconnect.ts';
import { parse } from 'graphql';

describe('client kit: backoff and errors', () => {
  it('doubles from the first wait up to the cap, each wait between half and all of it', () => {
    const options = { initialMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, options, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, options, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect(backoffDelay(1e9, options, () => 0.5)).toBe(750);
  });

  it('turns whatever a transport throws into an Error with a message', () => {
    const close = toError({ type: 'close', code: 1006, reason: '' });
    expect(close).toBeInstanceOf(Error);
    expect(close.message).toBe('the connection closed with code 1006');
    expect((close as Error & { code?: string }).code).toBe('WS_CLOSE_1006');
    expect(toError({ type: 'error' }).message).toBe('connection failed (error)');
    expect(toError({ message: 'connect ECONNREFUSED 127.0.0.1:9' }).message).toMatch(/ECONNREFUSED/);
    expect(toError('terminated').message).toBe('terminated');
    expect(toError(undefined).message).toBe('connection failed');
    for (const value of [{}, [], 42, null]) expect(String(toError(value))).not.toContain('[object Object]');
  });
});

describe('client kit: a refused subscription', () => {
  let services: RunningServices;
  let server: RunningServer;
  const bad = parse('subscription { noSuchField }') as TypedDocumentNode<unknown, Record<string, never>>;

  beforeAll(async () => {
    services = createSimulatorServices({ strategy: 'SEQ256_TREATNUM', simulator: { networkLatencyMs: 0 } });
    server = await startServer({ yoga: createApp(services, { graphiql: false, security: { token: 'reconnect-test-token-0123456789ab' } }), host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close(100);
    await services?.[Symbol.asyncDispose]();
  });

  for (const transport of ['ws', 'sse'] as const) {
    it(`fails with GatewayRequestError and a code over ${transport}, without reconnecting`, async () => {
      const states: string[] = [];
      const client = createGatewayClient({
        url: `${server.url}/graphql`,
        transport,
        webSocketImpl: WebSocket,
        onStateChange: (change) => states.push(change.state),
      });
      const failure = await client.subscribe(bad).next().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(GatewayRequestError);
      expect((failure as GatewayRequestError).message).toMatch(/noSuchField/);
      expect((failure as GatewayRequestError).code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(states).not.toContain('reconnecting');
      await client.dispose();
    });
  }
});
