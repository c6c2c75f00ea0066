import { request as httpRequest } from 'node:http';
import { GraphQLError } from 'graphql';
import { createServer as createNetServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/server.ts';
import { createTestGateway } from '../../helpers/stand-in-schema.ts';
import { collectSse, readSseEvents } from '../../helpers/sse.ts';
import { createWsClient, subscribeWs, WsSubscriptionError } from '../../helpers/ws.ts';

const started: RunningServer[] = [];

async function start(overrides: Parameters<typeof createTestGateway>[0] = {}, onWsConnect?: Parameters<typeof startServer>[0]['onWsConnect']) {
  const gateway = createTestGateway(overrides);
  const server = await startServer({
    yoga: gateway.yoga,
    host: '127.0.0.1',
    port: 0,
    logger: gateway.logger,
    ...(onWsConnect ? { onWsConnect } : {}),
  });
  started.push(server);
  return { ...gateway, server, endpoint: `${server.url}/graphql` };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close(100)));
});

/** Whether something still listens on the port (a fresh listener can take it). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createNetServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('startServer', () => {
  it('listens on port 0 and reports the real port and URL', async () => {
    const { server } = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
  });

  it('rejects a second server on the same port with a clear message', async () => {
    const { server } = await start();
    const other = createTestGateway();
    await expect(startServer({ yoga: other.yoga, host: '127.0.0.1', port: server.port })).rejects.toThrow(
      `port ${server.port} is already in use — is another gateway running? (use --port)`,
    );
  });

  it('serves GraphiQL and gzipped assets over real HTTP', async () => {
    const { server } = await start();
    const html = await (await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } })).text();
    const js = /<script src="([^"]+)"><\/script>/.exec(html)?.[1];
    expect(js).toBeDefined();
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      httpRequest(`${server.url}${js}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        res.resume();
        resolve(res.headers);
      })
        .on('error', reject)
        .end();
    });
    expect(headers['content-encoding']).toBe('gzip');
    // fetch decodes gzip transparently
    expect(await (await fetch(`${server.url}${js}`)).text()).toContain('renderYogaGraphiQL');
  });
});

describe('graphql-ws', () => {
  it('delivers every tick, then completes', async () => {
    const { endpoint, state } = await start();
    const payloads = await subscribeWs(endpoint, 'subscription($n: Int!) { ticks(count: $n, intervalMs: 2) }', { n: 10 });
    expect(payloads).toEqual(Array.from({ length: 10 }, (_, i) => ({ data: { ticks: i + 1 } })));
    await expect.poll(() => state.activeSubscriptions).toBe(0);
  });

  it('runs queries and mutations, with context built from the upgrade request', async () => {
    const { endpoint } = await start();
    const [query] = await subscribeWs(endpoint, '{ hello whoami transport }', undefined, { headers: { 'x-client-name': 'his-ws' } });
    expect(query).toEqual({ data: { hello: 'hello world', whoami: 'his-ws', transport: 'ws' } });
    const [mutation] = await subscribeWs(endpoint, 'mutation { echo(text: "ws") }');
    expect(mutation).toEqual({ data: { echo: 'ws' } });
  });

  it('applies limits and masking like HTTP', async () => {
    const { endpoint } = await start({ limits: { maxDepth: 2 } });
    const error = await subscribeWs(endpoint, '{ node { child { child { id } } } }').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WsSubscriptionError);
    expect((error as WsSubscriptionError).message).toMatch(/depth limit of 2 exceeded/);
    const syntax = await subscribeWs(endpoint, '{ hello').catch((e: unknown) => e);
    expect((syntax as WsSubscriptionError).message).toMatch(/Syntax Error/);
    const [masked] = await subscribeWs(endpoint, '{ boom }');
    expect(masked?.errors?.[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    // yoga's internal extensions stay server-side, as over HTTP
    expect(masked?.errors?.[0]?.extensions).not.toHaveProperty('unexpected');
    const invalid = (await subscribeWs(endpoint, '{ nope }').catch((e: unknown) => e)) as WsSubscriptionError;
    expect(invalid.graphqlErrors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', category: 'REQUEST', action: 'FIX_REQUEST' });
  });

  it('reports createContext failures per operation, masking non-GraphQL errors', async () => {
    const { endpoint, logger } = await start({
      createContext: ({ request }) => {
        const name = request.headers.get('x-client-name');
        if (name === 'crash') throw new Error('context secret');
        if (name === 'denied') throw new GraphQLError('not allowed', { extensions: { code: 'FORBIDDEN' } });
        return {};
      },
    });
    const crash = (await subscribeWs(endpoint, '{ hello }', undefined, { headers: { 'x-client-name': 'crash' } }).catch(
      (e: unknown) => e,
    )) as WsSubscriptionError;
    expect(crash.graphqlErrors).toMatchObject([{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR', action: 'REPORT_BUG' } }]);
    expect(logger.entries.some((e) => e.level === 'error' && JSON.stringify(e).includes('context secret'))).toBe(true);
    const denied = (await subscribeWs(endpoint, '{ hello }', undefined, { headers: { 'x-client-name': 'denied' } }).catch(
      (e: unknown) => e,
    )) as WsSubscriptionError;
    expect(denied.graphqlErrors).toEqual([{ message: 'not allowed', extensions: { code: 'FORBIDDEN' } }]);
  });

  it('closes with 4403 when onConnect says no, and passes it the upgrade request', async () => {
    const seen: Array<string | undefined> = [];
    const { endpoint } = await start({}, (request) => {
      seen.push(request.headers.origin);
      return request.headers.origin === 'http://his.local';
    });
    const refused = await subscribeWs(endpoint, '{ hello }', undefined, { headers: { origin: 'http://evil.example' } }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(WsSubscriptionError);
    expect((refused as WsSubscriptionError).code).toBe(4403);
    const allowed = await subscribeWs(endpoint, '{ hello }', undefined, { headers: { origin: 'http://his.local' } });
    expect(allowed).toEqual([{ data: { hello: 'hello world' } }]);
    expect(seen).toEqual(['http://evil.example', 'http://his.local']);
  });
});

describe('SSE over real HTTP', () => {
  it('streams every tick', async () => {
    const { endpoint } = await start();
    const payloads = await collectSse(endpoint, 'subscription { ticks(count: 4, intervalMs: 2) }');
    expect(payloads.map((p) => p.data)).toEqual([1, 2, 3, 4].map((ticks) => ({ ticks })));
  });
});

describe('close()', () => {
  it('ends an open SSE stream and an open WS subscription promptly and frees the port', async () => {
    const { server, endpoint, state } = await start();
    const forever = 'subscription { ticks(count: 1000000, intervalMs: 20) }';

    // SSE: read until the first tick, then keep the stream open.
    const sse = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: forever }),
    });
    const sseEvents = readSseEvents(sse.body!);
    expect((await sseEvents.next()).value).toMatchObject({ event: 'next' });
    const sseEnded = (async () => {
      try {
        for await (const _ of sseEvents);
        return 'ended';
      } catch {
        return 'cut';
      }
    })();

    // WS: wait for the first tick, keep the subscription open.
    const client = createWsClient(endpoint);
    const closed = new Promise<number>((resolve) => client.on('closed', (event) => resolve((event as { code: number }).code)));
    let wsTicks = 0;
    const wsDone = new Promise<string>((resolve) => {
      client.subscribe(
        { query: forever },
        { next: () => wsTicks++, error: () => resolve('error'), complete: () => resolve('complete') },
      );
    });
    await expect.poll(() => wsTicks).toBeGreaterThan(0);
    expect(state.activeSubscriptions).toBe(2);

    const t0 = performance.now();
    await server.close();
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(3000);

    expect(await sseEnded).toMatch(/ended|cut/);
    expect(await closed).toBe(1001);
    expect(await wsDone).toMatch(/error|complete/);
    await expect.poll(() => state.activeSubscriptions).toBe(0);
    expect(await portIsFree(server.port)).toBe(true);
    await client.dispose();
  });

  it('is idempotent and works through await using', async () => {
    const gateway = createTestGateway();
    let port: number;
    {
      await using server = await startServer({ yoga: gateway.yoga, host: '127.0.0.1', port: 0 });
      port = server.port;
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      await server.close();
      await server.close();
    }
    expect(await portIsFree(port)).toBe(true);
  });
});
