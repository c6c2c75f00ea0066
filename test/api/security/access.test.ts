/**
 * Who may call, in-process (yoga.fetch): the token on every protected mutation (the list comes from the
 * schema), identity reads with and without an allowed origin or the token, the Origin allow-list and CORS,
 * the CSRF header, the Host check, loopback-only pages and the identity-read rate limit.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.ts';
import { buildSchema } from '../../../schema/index.ts';
import { createSimulatorServices, type RunningServices } from '../../../src/services.ts';
import { createMemoryAuditLog } from '../../../src/security/audit.ts';
import { accessRule } from '../../../src/security/access-policy.ts';
import type { GatewaySecurity } from '../../../src/yoga.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../../helpers/auth.ts';
import { rootFieldNames, sampleOperation } from '../../helpers/sample-operations.ts';
import { createMemoryLogger } from '../../helpers/stand-in-schema.ts';

const HIS = 'https://his.example';
const URL_ = 'http://localhost:8737/graphql';
const schema = buildSchema();

type Body = { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };

let services: RunningServices;
let audit: ReturnType<typeof createMemoryAuditLog>;
let yoga: ReturnType<typeof createApp>;

function start(security: Partial<GatewaySecurity> = {}, base: RunningServices = services) {
  audit = createMemoryAuditLog();
  yoga = createApp(base, { graphiql: true, logger: createMemoryLogger(), security: { token: TEST_TOKEN, allowedOrigins: [HIS], audit, ...security } });
  return yoga;
}

async function post(query: string, headers: Record<string, string> = {}, app = yoga): Promise<{ status: number; body: Body; response: Response }> {
  const response = await app.fetch(URL_, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Body) : {}, response };
}

const codeOf = (body: Body) => body.errors?.[0]?.extensions?.['code'];

/** Services whose every method throws: proves a refused operation ran nothing, and makes sweeps side-effect free. */
function tripwireServices(calls: string[]): RunningServices {
  const trip = (name: string): unknown =>
    new Proxy(
      {},
      {
        get: (_target, property) => {
          if (property === 'then') return undefined;
          return () => {
            calls.push(`${name}.${String(property)}`);
            throw new Error(`tripwire: ${name}.${String(property)} called`);
          };
        },
      },
    );
  return {
    cards: trip('cards'),
    // Resolvers ask the monitor to look again after card operations, without awaiting it.
    monitor: { refresh: async () => undefined, readers: [] },
    writes: trip('writes'),
    simulator: trip('simulator'),
    status: { version: 'test', backend: 'simulator', readiness: async () => ({ ready: true, reasons: [] }) },
    [Symbol.asyncDispose]: async () => undefined,
  } as unknown as RunningServices;
}

beforeEach(() => {
  services = createSimulatorServices({ strategy: 'N1' });
  start();
});
afterEach(async () => {
  await services[Symbol.asyncDispose]();
});

describe('the token on protected mutations (derived from the schema)', () => {
  const protectedMutations = rootFieldNames(schema, 'mutation').filter((name) => accessRule(`Mutation.${name}`, true)?.level === 'token');

  it('covers the brief’s list', () => {
    expect(protectedMutations).toEqual(
      expect.arrayContaining([
        'startVisit',
        'writeTreatment',
        'cancelVisit',
        'treatmentIdWithoutCard',
        'treatmentIdForVisit',
        'verifyProfessionalCardPin',
        'resetControlSoftware',
        'verifySam',
      ]),
    );
  });

  for (const name of protectedMutations) {
    it(`${name}: TOKEN_REQUIRED without a token, TOKEN_INVALID with a wrong one, runs with the right one`, async () => {
      const calls: string[] = [];
      const app = start({}, tripwireServices(calls));
      const operation = sampleOperation(schema, 'mutation', name);

      // An allowed origin is not enough for a protected mutation.
      const missing = await post(operation, { origin: HIS }, app);
      expect(missing.status).toBe(401);
      expect(codeOf(missing.body)).toBe('TOKEN_REQUIRED');
      expect(missing.body.data).toBeUndefined();

      for (const authorization of ['Bearer wrong-token', `Bearer ${TEST_TOKEN}x`, `Basic ${TEST_TOKEN}`, TEST_TOKEN]) {
        const invalid = await post(operation, { authorization }, app);
        expect(invalid.status, authorization).toBe(401);
        expect(codeOf(invalid.body), authorization).toBe('TOKEN_INVALID');
      }
      expect(calls, 'a refused operation must not reach any service').toEqual([]);

      // With the token the resolver runs (and here trips the wire): no access error.
      const allowed = await post(operation, AUTH_HEADERS, app);
      expect(allowed.status, JSON.stringify(allowed.body)).not.toBe(401);
      expect((allowed.body.errors ?? []).map((e) => e.extensions?.['category'])).not.toContain('ACCESS');
      expect(allowed.body.data === undefined && allowed.body.errors === undefined).toBe(false);
    });
  }

  it('lets the simulator controls run without a token (simulator only, and origin-checked)', async () => {
    const { body } = await post('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    expect(body).toEqual({ data: { simulatorInsertHealthCard: { __typename: 'LightState' } } });
    const evil = await post('mutation { simulatorReset { __typename } }', { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
  });

  it('refuses a whole operation that mixes a public and a protected field, running neither', async () => {
    const calls: string[] = [];
    const app = start({}, tripwireServices(calls));
    const { status, body } = await post('mutation { simulatorReset { __typename } startVisit(input: { treatmentCategory: EMERGENCY }) { __typename } }', {}, app);
    expect(status).toBe(401);
    expect(body.data).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('is secure by default: createApp without a token refuses protected mutations with any token', async () => {
    const app = createApp(services, { graphiql: false });
    const operation = 'mutation { verifySam { __typename } }';
    expect(codeOf((await post(operation, {}, app)).body)).toBe('TOKEN_REQUIRED');
    expect(codeOf((await post(operation, AUTH_HEADERS, app)).body)).toBe('TOKEN_INVALID');
  });

  it('refuses a wrong token even on a public query (a stale token should be noticed at once)', async () => {
    const { status, body } = await post('{ gateway { version } }', { authorization: 'Bearer stale' });
    expect(status).toBe(401);
    expect(codeOf(body)).toBe('TOKEN_INVALID');
    expect((await post('{ gateway { version } }')).body.data.gateway.version).toBeTypeOf('string');
  });

  it('records protected operations and refusals in the audit log, without arguments', async () => {
    services.simulator!.insertHealthCard('STANDARD');
    await post('mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { __typename } }', { origin: HIS });
    await post('mutation Visit { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { __typename } }', { ...AUTH_HEADERS, origin: HIS });
    await post('mutation { writeTreatment(input: { visitTime: "1150301093000", idNumber: "A123456789", birthDate: "1980-05-12", diagnoses: ["J069"] }) { __typename } }', AUTH_HEADERS);
    await post('mutation { cancelVisit(input: { visitTime: "2991231235959" }) { __typename } }', AUTH_HEADERS);
    expect(audit.entries[0]).toMatchObject({ event: 'refused', origin: HIS, auth: 'origin', operationType: 'mutation', outcome: 'TOKEN_REQUIRED' });
    expect(audit.entries[1]).toMatchObject({
      event: 'operation',
      origin: HIS,
      auth: 'token',
      operationName: 'Visit',
      fields: [{ field: 'Mutation.startVisit', outcome: 'OK' }],
      outcome: 'OK',
    });
    expect(audit.entries[2]).toMatchObject({ event: 'operation', origin: null, fields: [{ field: 'Mutation.writeTreatment', outcome: expect.any(String) }] });
    expect(audit.entries[3]).toMatchObject({ fields: [{ field: 'Mutation.cancelVisit', outcome: 'BAD_USER_INPUT' }], outcome: 'BAD_USER_INPUT' });
    expect(JSON.stringify(audit.entries)).not.toMatch(/A123456789|1980-05-12|J069/);
  });
});

describe('identity reads', () => {
  const READ = '{ healthCard { basicData { ... on BasicData { idNumber } ... on Error { code } } } }';
  beforeEach(() => services.simulator!.insertHealthCard('STANDARD'));

  it('are refused without a credential, before any card call', async () => {
    const calls: string[] = [];
    const app = start({}, tripwireServices(calls));
    const { status, body } = await post(READ, {}, app);
    expect(status).toBe(401);
    expect(codeOf(body)).toBe('TOKEN_REQUIRED');
    expect(body.errors?.[0]?.message).toMatch(/token or a pairing token/);
    expect(calls).toEqual([]);
  });

  it('are refused through a fragment spread or an alias too', async () => {
    for (const query of [
      '{ ...F } fragment F on Query { healthCard { basicData { __typename } } }',
      '{ status: healthCard { basicData { __typename } } }',
      '{ professionalCard { ... on ProfessionalCard { who: identity { __typename } } } }',
    ]) {
      expect(codeOf((await post(query)).body), query).toBe('TOKEN_REQUIRED');
    }
  });

  it('work with the token from any caller; an allowed or the gateway’s own Origin alone is no credential (a program can forge it)', async () => {
    for (const headers of [AUTH_HEADERS, { ...AUTH_HEADERS, origin: HIS }, { ...AUTH_HEADERS, origin: 'http://localhost:8737' }]) {
      const { status, body } = await post(READ, headers);
      expect(status, JSON.stringify(headers)).toBe(200);
      expect(body.data.healthCard.basicData.idNumber).toBe('A123456789');
    }
    for (const headers of [{ origin: HIS }, { origin: 'http://localhost:8737' }]) {
      const { status, body } = await post(READ, headers);
      expect(status, JSON.stringify(headers)).toBe(401);
      expect(codeOf(body)).toBe('TOKEN_REQUIRED');
      expect(JSON.stringify(body)).not.toContain('A123456789');
    }
    expect(audit.entries.map((e) => e.auth)).toEqual(['token', 'token', 'token', 'origin', 'origin']);
    expect(audit.entries.slice(3).map((e) => e.outcome)).toEqual(['TOKEN_REQUIRED', 'TOKEN_REQUIRED']);
    expect(audit.entries[0]).toMatchObject({ event: 'operation', fields: [{ field: 'Query.healthCard', outcome: 'OK' }, { field: 'HealthCard.basicData', outcome: 'OK' }] });
  });

  it('records the typed outcome of each card read', async () => {
    services.simulator!.removeHealthCard();
    await post(READ, AUTH_HEADERS);
    expect(audit.entries[0]?.fields).toContainEqual({ field: 'HealthCard.basicData', outcome: 'HEALTH_CARD_NOT_INSERTED' });
    expect(audit.entries[0]?.outcome).toBe('HEALTH_CARD_NOT_INSERTED');
  });

  it('do not count another port on localhost as the gateway’s own origin', async () => {
    const { status, body } = await post(READ, { origin: 'http://localhost:3000' });
    expect(status).toBe(403);
    expect(codeOf(body)).toBe('ORIGIN_NOT_ALLOWED');
  });

  it('are rate-limited per origin, with retryAfter and Retry-After', async () => {
    let now = 1_000_000;
    start({ identityRate: { perMinute: 60, burst: 2 }, now: () => now });
    const read = (headers: Record<string, string>) => post('{ healthCard { state { __typename } } }', headers);
    const fromHis = { ...AUTH_HEADERS, origin: HIS };
    expect((await read(fromHis)).status).toBe(200);
    expect((await read(fromHis)).status).toBe(200);
    const limited = await read(fromHis);
    expect(limited.status).toBe(429);
    expect(limited.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1, retryable: true });
    expect(limited.response.headers.get('retry-after')).toBe('1');
    // Another caller has its own bucket; public reads are never limited.
    expect((await read(AUTH_HEADERS)).status).toBe(200);
    expect((await post('{ lightState { __typename } }', { origin: HIS })).status).toBe(200);
    now += 1000;
    expect((await read(fromHis)).status).toBe(200);
    expect(audit.entries.some((e) => e.outcome === 'RATE_LIMITED' && e.origin === HIS)).toBe(true);
  });
});

describe('origins, CORS and the CSRF header', () => {
  it('refuses a disallowed Origin with 403 ORIGIN_NOT_ALLOWED (not just a missing CORS header)', async () => {
    for (const origin of ['https://evil.example', 'null', 'http://his.example', 'https://his.example:8443']) {
      const { status, body, response } = await post('{ gateway { version } }', { origin });
      expect(status, origin).toBe(403);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED', category: 'ACCESS', retryable: false });
      expect(body.errors?.[0]?.extensions?.['hint']).toMatch(/--allowed-origin/);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('reflects only allowed origins, never with credentials', async () => {
    const { response } = await post('{ gateway { version } }', { origin: HIS });
    expect(response.headers.get('access-control-allow-origin')).toBe(HIS);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toMatch(/Origin/);
    const none = await post('{ gateway { version } }');
    expect(none.response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers preflights: 204 with the allowed headers for an allowed origin, 403 for another', async () => {
    const preflight = (origin: string) =>
      yoga.fetch(URL_, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization, x-nhi-gateway',
          'access-control-request-private-network': 'true',
        },
      });
    const ok = await preflight(HIS);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(HIS);
    expect(ok.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/x-nhi-gateway/);
    expect(ok.headers.get('access-control-allow-private-network')).toBe('true');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    const refused = await preflight('https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses requests a browser sends without a preflight unless they carry the CSRF header', async () => {
    const send = (init: RequestInit) => yoga.fetch(URL_, init);
    const form = await send({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=%7Bgateway%7Bversion%7D%7D' });
    expect(form.status).toBe(403);
    expect(((await form.json()) as Body).errors?.[0]?.extensions).toMatchObject({ code: 'CSRF_HEADER_MISSING', category: 'ACCESS' });
    const text = await send({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{gateway{version}}"}' });
    expect(text.status).toBe(403);
    const get = await send({ method: 'GET' });
    expect(get.status).toBe(403);
    for (const header of ['x-nhi-gateway', 'x-graphql-yoga-csrf']) {
      const withHeader = await yoga.fetch(`${URL_}?query=%7Bgateway%7Bversion%7D%7D`, { headers: { [header]: '1' } });
      expect(withHeader.status, header).toBe(200);
    }
  });

  it('refuses a Host name that is not loopback (DNS rebinding), unless remote access was allowed', async () => {
    const rebind = await yoga.fetch('http://evil.example:8737/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ gateway { version } }' }),
    });
    expect(rebind.status).toBe(403);
    expect(((await rebind.json()) as Body).errors?.[0]?.extensions?.['code']).toBe('HOST_NOT_ALLOWED');
    for (const host of ['127.0.0.1:8737', '[::1]:8737', 'localhost:8737', '192.168.1.10:8737']) {
      const ok = await yoga.fetch(`http://${host}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ gateway { version } }"}' });
      expect(ok.status, host).toBe(200);
    }
    const remote = start({ allowRemote: true });
    const named = await remote.fetch('http://clinic-pc:8737/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ gateway { version } }"}' });
    expect(named.status).toBe(200);
  });
});

describe('loopback-only pages', () => {
  const remote = { req: { socket: { remoteAddress: '192.168.1.23' } } };
  const local = { req: { socket: { remoteAddress: '::ffff:127.0.0.1' } } };

  it('serves GraphiQL and its assets to this machine only', async () => {
    const page = (serverContext: object) => yoga.fetch(URL_, { headers: { accept: 'text/html' } }, serverContext);
    const ok = await page(local);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/<html/i);
    const refused = await page(remote);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as Body).errors?.[0]?.extensions?.['code']).toBe('LOOPBACK_ONLY');
    const asset = await yoga.fetch('http://localhost:8737/graphiql-assets/x/yoga-graphiql.css', {}, remote);
    expect(asset.status).toBe(403);
    const status = await yoga.fetch('http://localhost:8737/status', {}, remote);
    expect(status.status).toBe(403);
  });

  it('still answers the API itself to a remote client that has the token (with --allow-remote)', async () => {
    const app = start({ allowRemote: true });
    const response = await app.fetch(
      'http://clinic-pc:8737/graphql',
      { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH_HEADERS }, body: '{"query":"{ healthCard { __typename } }"}' },
      remote,
    );
    expect(response.status).toBe(200);
    expect(audit.entries[0]).toMatchObject({ remoteAddress: '192.168.1.23', auth: 'token' });
  });
});
