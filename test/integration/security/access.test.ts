/**
 * Who may call, on a real port: graphql-ws with an evil Origin or a rebinding Host is closed with 4403,
 * tokens travel in connectionParams, a cross-origin form POST is refused, CORS preflights from an allowed
 * and a disallowed origin, GraphiQL over loopback, and two concurrent PIN flows (HTTP + WebSocket).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../../src/services.ts';
import { startServer, type RunningServer } from '../../../src/server.ts';
import { createMemoryAuditLog } from '../../../src/security/audit.ts';
import { subscribeWs, WsSubscriptionError } from '../../helpers/ws.ts';
import { AUTH_HEADERS, TEST_TOKEN, WS_AUTH } from '../../helpers/auth.ts';
import { createMemoryLogger } from '../../helpers/stand-in-schema.ts';

const HIS = 'http://his.local:3000';
let services: RunningServices;
let server: RunningServer;
let endpoint: string;
const audit = createMemoryAuditLog();

beforeAll(async () => {
  services = createSimulatorServices({ strategy: 'N1', simulator: { latencyMs: 100 } });
  const yoga = createApp(services, { graphiql: true, logger: createMemoryLogger(), security: { token: TEST_TOKEN, allowedOrigins: [HIS], audit } });
  server = await startServer({ yoga, host: '127.0.0.1', port: 0 });
  endpoint = `${server.url}/graphql`;
});
afterAll(async () => {
  await server?.close(100);
  await services?.[Symbol.asyncDispose]();
});

const wsError = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the operation to fail');
    },
    (error: unknown) => error as WsSubscriptionError,
  );

describe('graphql-ws', () => {
  it('closes a connection from a disallowed Origin with 4403', async () => {
    for (const origin of ['http://evil.example', 'null', 'http://127.0.0.1:1']) {
      const refused = await wsError(subscribeWs(endpoint, 'subscription { lightStateChanged { healthCard { level } } }', undefined, { headers: { origin }, take: 1 }));
      expect(refused, origin).toBeInstanceOf(WsSubscriptionError);
      expect(refused.code, origin).toBe(4403);
    }
    expect(audit.entries.some((e) => e.transport === 'ws' && e.event === 'refused' && e.outcome === 'ORIGIN_NOT_ALLOWED' && e.origin === 'http://evil.example')).toBe(true);
  });

  it('closes a connection whose Host is a rebound DNS name with 4403', async () => {
    const refused = await wsError(subscribeWs(endpoint, '{ gateway { version } }', undefined, { headers: { host: `evil.example:${server.port}` } }));
    expect(refused.code).toBe(4403);
  });

  it('admits an allowed origin, the gateway’s own origin and non-browser clients', async () => {
    // (A page on http://localhost:<port> calling ws://127.0.0.1:<port> is cross-origin, and refused above.)
    for (const headers of [{ origin: HIS }, { origin: server.url }, undefined]) {
      const [first] = await subscribeWs(endpoint, 'subscription { lightStateChanged { healthCard { level } } }', undefined, { ...(headers ? { headers } : {}), take: 1 });
      expect(first?.data, JSON.stringify(headers)).toEqual({ lightStateChanged: { healthCard: { level: 0 } } });
    }
  });

  it('takes the token from connectionParams for protected mutations', async () => {
    const mutation = 'mutation { verifySam { __typename } }';
    // A refused operation is the protocol's `error` message, with the same extensions as over HTTP (docs/api-conventions.md).
    const missing = await wsError(subscribeWs(endpoint, mutation, undefined, { headers: { origin: HIS } }));
    expect(missing.graphqlErrors?.[0]?.extensions).toMatchObject({ code: 'TOKEN_REQUIRED', category: 'ACCESS' });
    expect(missing.graphqlErrors?.[0]?.extensions).not.toHaveProperty('http');
    const wrong = await wsError(subscribeWs(endpoint, mutation, undefined, { connectionParams: { authorization: 'Bearer nope' } }));
    expect(wrong.graphqlErrors?.[0]?.extensions?.['code']).toBe('TOKEN_INVALID');
    const [done] = await subscribeWs(endpoint, mutation, undefined, { connectionParams: WS_AUTH });
    expect(done?.data).toEqual({ verifySam: { __typename: 'Sam' } });
  });

  it('reads identity data with the token only: an allowed or the gateway’s own Origin is no credential', async () => {
    services.simulator!.insertHealthCard('STANDARD');
    const read = '{ healthCard { basicData { ... on BasicData { idNumber } } } }';
    for (const headers of [undefined, { origin: HIS }, { origin: server.url }]) {
      const refused = await wsError(subscribeWs(endpoint, read, undefined, headers ? { headers } : {}));
      expect(refused.graphqlErrors?.[0]?.extensions?.['code'], JSON.stringify(headers)).toBe('TOKEN_REQUIRED');
    }
    for (const options of [{ connectionParams: WS_AUTH }, { headers: { origin: HIS }, connectionParams: WS_AUTH }]) {
      const [result] = await subscribeWs(endpoint, read, undefined, options);
      expect(result?.data).toEqual({ healthCard: { basicData: { idNumber: 'A123456789' } } });
    }
    services.simulator!.removeHealthCard();
    const ws = audit.entries.filter((e) => e.transport === 'ws' && e.fields?.some((f) => f.field === 'Query.healthCard'));
    expect(ws.filter((e) => e.event === 'operation').map((e) => e.auth)).toEqual(['token', 'token']);
    expect(ws.filter((e) => e.event === 'refused').map((e) => e.outcome)).toEqual(['TOKEN_REQUIRED', 'TOKEN_REQUIRED', 'TOKEN_REQUIRED']);
  });

  it('refuses over-limit documents with typed codes', async () => {
    const aliases = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: gateway { version }`).join(' ')} }`;
    const refused = await wsError(subscribeWs(endpoint, aliases));
    expect(refused.graphqlErrors?.[0]?.extensions).toMatchObject({ code: 'TOO_MANY_ALIASES', limit: 15 });
  });
});

describe('HTTP', () => {
  const post = (headers: Record<string, string>, body: string) => fetch(endpoint, { method: 'POST', headers, body });

  it('refuses a cross-origin form POST (origin first, then the CSRF header) and runs nothing', async () => {
    const LIGHTS = JSON.stringify({ query: '{ lightState { ... on LightState { healthCard { level } } } }' });
    const cardIn = async () =>
      ((await (await post({ 'content-type': 'application/json' }, LIGHTS)).json()) as { data: { lightState: { healthCard: { level: number } } } }).data
        .lightState.healthCard.level > 0;
    const insert = JSON.stringify({ query: 'mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }' });
    await post({ ...AUTH_HEADERS, 'content-type': 'application/json' }, insert);
    expect(await cardIn()).toBe(true);
    // A mutation that would take the card out if it ran. (Only presence is compared: the light may still move
    // from 1 to 2 while the simulated SAM authenticates the card.)
    const form = `query=${encodeURIComponent('mutation { simulatorRemoveHealthCard { __typename } }')}`;
    const evil = await post({ origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, form);
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('ORIGIN_NOT_ALLOWED');
    for (const headers of [{ origin: HIS }, {}] as Array<Record<string, string>>) {
      const noHeader = await post({ ...headers, 'content-type': 'application/x-www-form-urlencoded' }, form);
      expect(noHeader.status).toBe(403);
      expect(((await noHeader.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('CSRF_HEADER_MISSING');
    }
    expect(await cardIn()).toBe(true);
  });

  it('answers a CORS preflight from an allowed origin, and refuses one from another', async () => {
    const preflight = (origin: string) =>
      fetch(endpoint, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
    const ok = await preflight(HIS);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(HIS);
    expect(ok.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    const refused = await preflight('http://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves GraphiQL to a loopback client', async () => {
    const page = await fetch(endpoint, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
  });

  it('refuses the second of two concurrent PIN flows (HTTP and WebSocket) with ACTION_PENDING', async () => {
    services.simulator!.insertProfessionalCard('PHYSICIAN');
    const query = 'mutation { verifyProfessionalCardPin { __typename ... on Error { code } } }';
    const overHttp = post({ 'content-type': 'application/json', ...AUTH_HEADERS }, JSON.stringify({ query })).then(
      async (r) => ((await r.json()) as { data: { verifyProfessionalCardPin: unknown } }).data.verifyProfessionalCardPin,
    );
    const overWs = subscribeWs(endpoint, query, undefined, { connectionParams: WS_AUTH }).then(([r]) => (r?.data as { verifyProfessionalCardPin: unknown }).verifyProfessionalCardPin);
    const results = await Promise.all([overHttp, overWs]);
    expect(results).toEqual(expect.arrayContaining([{ __typename: 'ProfessionalCard' }, { __typename: 'GatewayError', code: 'ACTION_PENDING' }]));
  });
});

describe('listening', () => {
  it('refuses a non-loopback address unless remote access is allowed', async () => {
    const yoga = createApp(services, { graphiql: false, logger: createMemoryLogger(), security: { token: TEST_TOKEN } });
    await expect(startServer({ yoga, host: '0.0.0.0', port: 0 })).rejects.toThrow(/not a loopback address.*--allow-remote/);
    const remote = await startServer({ yoga, host: '0.0.0.0', port: 0, allowRemote: true });
    expect(remote.port).toBeGreaterThan(0);
    await remote.close(50);
  });
});
