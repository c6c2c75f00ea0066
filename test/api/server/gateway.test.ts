import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { useReadiness } from '../../../src/plugins/use-readiness.ts';
import { GraphQLError } from 'graphql';
import { createTestGateway, StandInInputError } from '../../helpers/stand-in-schema.ts';
import { collectSse } from '../../helpers/sse.ts';

const URL_ = 'http://localhost/graphql';

async function post(yoga: ReturnType<typeof createTestGateway>['yoga'], body: unknown, headers: Record<string, string> = {}) {
  const response = await yoga.fetch(URL_, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
}

describe('gateway over HTTP (in-process)', () => {
  it('runs a query and a mutation', async () => {
    const { yoga } = createTestGateway();
    expect((await post(yoga, { query: '{ hello(name: "NHI") }' })).body).toEqual({ data: { hello: 'hello NHI' } });
    expect((await post(yoga, { query: 'mutation { echo(text: "x") }' })).body).toEqual({ data: { echo: 'x' } });
  });

  it('gives createContext the Fetch request', async () => {
    const { yoga } = createTestGateway();
    const { body } = await post(yoga, { query: '{ whoami transport }' }, { 'x-client-name': 'his-1' });
    expect(body).toEqual({ data: { whoami: 'his-1', transport: 'http' } });
  });

  it('masks unexpected errors and logs the original', async () => {
    const { yoga, logger } = createTestGateway();
    const { body } = await post(yoga, { query: '{ boom }' });
    expect(body.errors?.[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(body)).not.toContain('secret internal detail');
    expect(logger.entries.some((e) => e.level === 'error' && JSON.stringify(e).includes('secret internal detail'))).toBe(true);
  });

  it('maps expected errors with mapError before masking, and masks the rest', async () => {
    const { yoga, logger } = createTestGateway({
      mapError: (error) =>
        error instanceof StandInInputError
          ? new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', field: error.field } })
          : undefined,
    });
    const { body } = await post(yoga, { query: '{ badInput boom }' });
    expect(body.data).toEqual({ badInput: null, boom: null });
    // Both carry the catalogue's extensions (docs/api-conventions.md): texts, hint, action.
    expect(body.errors).toMatchObject([
      { message: 'bad idNumber', locations: [{ line: 1, column: 3 }], path: ['badInput'], extensions: { code: 'BAD_USER_INPUT', field: 'idNumber', category: 'REQUEST', action: 'FIX_REQUEST' } },
      { message: 'Unexpected error.', locations: [{ line: 1, column: 12 }], path: ['boom'], extensions: { code: 'INTERNAL_SERVER_ERROR', action: 'REPORT_BUG' } },
    ]);
    expect(body.errors![1].extensions.messageZh).toMatch(/[\u4e00-\u9fff]/);
    const errorLogs = logger.entries.filter((e) => e.level === 'error').map((e) => JSON.stringify(e));
    expect(errorLogs.some((e) => e.includes('secret internal detail'))).toBe(true);
    expect(errorLogs.some((e) => e.includes('bad idNumber'))).toBe(false);
  });

  it('refuses mutations over GET', async () => {
    const { yoga } = createTestGateway();
    const response = await yoga.fetch(`${URL_}?query=${encodeURIComponent('mutation { echo(text: "x") }')}`, {
      headers: { accept: 'application/json' },
    });
    expect(response.status).toBe(405);
  });

  it('has no landing page for unknown routes', async () => {
    const { yoga } = createTestGateway();
    const response = await yoga.fetch('http://localhost/', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(404);
    expect(await response.text()).not.toMatch(/https?:\/\//);
  });
});

describe('/health and /ready', () => {
  it('/health answers 200', async () => {
    const { yoga } = createTestGateway();
    const response = await yoga.fetch('http://localhost/health');
    expect(response.status).toBe(200);
  });

  it('/ready answers 503 with the reasons when not ready, 200 when ready', async () => {
    const { yoga, readiness } = createTestGateway();
    readiness.ready = false;
    readiness.reasons = ['no card reader connected', 'SAM not authenticated'];
    let response = await yoga.fetch('http://localhost/ready');
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({ ready: false, reasons: ['no card reader connected', 'SAM not authenticated'] });

    readiness.ready = true;
    readiness.reasons = [];
    response = await yoga.fetch('http://localhost/ready');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ready: true, reasons: [] });
  });

  it('/ready answers 503 with the error when the check throws', async () => {
    const { yoga, logger } = createTestGateway({
      readiness: async () => {
        throw new Error('csOpenCom failed');
      },
    });
    const response = await yoga.fetch('http://localhost/ready');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ ready: false, reasons: ['readiness check failed: csOpenCom failed'] });
    expect(logger.entries.some((e) => e.level === 'warn' && e.msg === 'readiness check threw')).toBe(true);
  });
});

describe('useReadiness', () => {
  it('answers 503 when the check hangs past its timeout', async () => {
    const yoga = createYoga({
      schema: createSchema({ typeDefs: 'type Query { a: Int }' }),
      logging: false,
      plugins: [useReadiness({ check: () => new Promise(() => {}), timeoutMs: 50 })],
    });
    const response = await yoga.fetch('http://localhost/ready');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ ready: false, reasons: ['readiness check timed out after 50 ms'] });
  });

  it('answers only its own path', async () => {
    const { yoga } = createTestGateway();
    expect((await yoga.fetch('http://localhost/ready/x')).status).toBe(404);
  });
});

describe('subscriptions over SSE (in-process)', () => {
  it('POST with Accept: text/event-stream yields every tick in order, then completes', async () => {
    const { yoga, state } = createTestGateway();
    const payloads = await collectSse(URL_, 'subscription($n: Int!) { ticks(count: $n) }', { n: 5 }, { fetch: yoga.fetch });
    expect(payloads).toEqual([1, 2, 3, 4, 5].map((ticks) => ({ data: { ticks } })));
    expect(state.activeSubscriptions).toBe(0);
  });

  it('sends raw `event: next` frames and a final `event: complete`', async () => {
    const { yoga } = createTestGateway();
    const response = await yoga.fetch(URL_, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { ticks(count: 2) }' }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text();
    const frames = text.split('\n\n').filter((f) => f.trim() !== '' && !f.startsWith(':'));
    expect(frames).toEqual([
      'event: next\ndata: {"data":{"ticks":1}}',
      'event: next\ndata: {"data":{"ticks":2}}',
      'event: complete\ndata:',
    ]);
  });

  it('works over GET too, and stops the source when the client stops reading (take)', async () => {
    const { yoga, state } = createTestGateway();
    const payloads = await collectSse(URL_, 'subscription { ticks(count: 1000, intervalMs: 5) }', undefined, {
      fetch: yoga.fetch,
      method: 'GET',
      take: 3,
    });
    expect(payloads.map((p) => p.data)).toEqual([{ ticks: 1 }, { ticks: 2 }, { ticks: 3 }]);
    await expect.poll(() => state.activeSubscriptions).toBe(0);
  });
});
