/**
 * Every refusal leaves one audit line without patient data (CSRF, limits, 413, Host, Origin, token, rate);
 * every route passes the Host check (GraphiQL included, whose simulator page carries the token); /status
 * may be framed by the allowed origins only; every string input has a length cap.
 */
import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../../src/services.ts';
import { createMemoryAuditLog } from '../../../src/security/audit.ts';
import { MAX_STRING_INPUT } from '../../../src/plugins/use-input-caps.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../../helpers/auth.ts';
import { createMemoryLogger } from '../../helpers/stand-in-schema.ts';

const HIS = 'https://his.example';
const BASE = 'http://127.0.0.1:8737';

let services: RunningServices;
let audit: ReturnType<typeof createMemoryAuditLog>;
let yoga: ReturnType<typeof createApp>;

beforeEach(() => {
  services = createSimulatorServices({ strategy: 'N1' });
  audit = createMemoryAuditLog();
  yoga = createApp(services, {
    graphiql: true,
    logger: createMemoryLogger(),
    security: { token: TEST_TOKEN, allowedOrigins: [HIS], audit, identityRate: { perMinute: 60, burst: 1 } },
    // small body limit through the same option the gateway uses
  });
});
afterEach(() => services[Symbol.asyncDispose]());

const post = (body: unknown, headers: Record<string, string> = {}) =>
  yoga.fetch(`${BASE}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body: JSON.stringify(body) });
const refusals = () => audit.entries.filter((e) => e.event === 'refused').map((e) => e.outcome);

describe('audit of refusals', () => {
  it('writes one line per refusal, whichever check refused', async () => {
    services.simulator!.insertHealthCard('STANDARD');
    // CSRF: a header-less GET identity read.
    const csrf = await yoga.fetch(`${BASE}/graphql?query=${encodeURIComponent('{ healthCard { basicData { __typename } } }')}`, { headers: { accept: 'application/json' } });
    expect(csrf.status).toBe(403);
    // Limits.
    expect((await post({ query: `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: gateway { version }`).join(' ')} }` })).status).toBe(400);
    // 413.
    expect((await post({ query: '{ gateway { version } }', variables: { pad: 'x'.repeat(1_100_000) } })).status).toBe(413);
    // Host, Origin, token, invalid token, rate.
    expect((await yoga.fetch('http://evil.example:8737/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ gateway { version } }"}' })).status).toBe(403);
    expect((await post({ query: '{ gateway { version } }' }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({ query: '{ healthCard { state { __typename } } }' }, { origin: HIS })).status).toBe(401);
    expect((await post({ query: '{ healthCard { state { __typename } } }' }, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post({ query: '{ healthCard { state { __typename } } }' }, AUTH_HEADERS)).status).toBe(200);
    expect((await post({ query: '{ healthCard { state { __typename } } }' }, AUTH_HEADERS)).status).toBe(429);
    expect(refusals()).toEqual([
      'CSRF_HEADER_MISSING',
      'TOO_MANY_ALIASES',
      'REQUEST_ENTITY_TOO_LARGE',
      'HOST_NOT_ALLOWED',
      'ORIGIN_NOT_ALLOWED',
      'TOKEN_REQUIRED',
      'TOKEN_INVALID',
      'RATE_LIMITED',
    ]);
    const text = JSON.stringify(audit.entries);
    expect(text).not.toMatch(/A123456789|xxxxxxxx|Bearer/);
  });
});

describe('the Host check on every route', () => {
  it('answers Host: evil.example with 403 HOST_NOT_ALLOWED on every route, and never with the token', async () => {
    const html = { accept: 'text/html' };
    for (const [path, headers] of [
      ['/graphql', html],
      ['/graphql', { accept: 'application/json' }],
      ['/status', {}],
      ['/status/status.js', {}],
      ['/status/pairing', {}],
      ['/ready', {}],
      ['/pair', {}],
      ['/graphiql-assets/x/graphiql.js', {}],
      ['/nowhere', {}],
    ] as Array<[string, Record<string, string>]>) {
      const response = await yoga.fetch(`http://evil.example:8737${path}`, { headers });
      expect(response.status, path).toBe(403);
      const body = await response.text();
      expect(body, path).not.toContain(TEST_TOKEN);
      expect(body, path).toContain('HOST_NOT_ALLOWED');
    }
    // The same page on the gateway's own name carries the simulator token (GraphiQL as today).
    const own = await yoga.fetch(`${BASE}/graphql`, { headers: html });
    expect(own.status).toBe(200);
    expect(await own.text()).toContain(TEST_TOKEN);
  });
});

describe('/status framing', () => {
  it('may be framed by the gateway and the allowed origins only', async () => {
    const csp = (await yoga.fetch(`${BASE}/status`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`frame-ancestors 'self' ${HIS}`);
  });
});

describe('string length caps', () => {
  it('refuses any string over the cap, as a literal or a variable, before anything runs', async () => {
    const long = 'C:\\' + 'a'.repeat(MAX_STRING_INPUT);
    const literalQuery = `mutation { uploadData(input: { file: ${JSON.stringify(long)}, recordCount: 1 }) { __typename } }`;
    // Twice: the second time the document comes from yoga's parse cache and the cap's per-document answer.
    for (let i = 0; i < 2; i++) {
      const literal = await (await post({ query: literalQuery }, AUTH_HEADERS)).json() as any;
      expect(literal.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file', limit: MAX_STRING_INPUT });
    }
    const variable = await (await post({ query: 'mutation ($i: UploadDataInput!) { uploadData(input: $i) { __typename } }', variables: { i: { file: long, recordCount: 1 } } }, AUTH_HEADERS)).json() as any;
    expect(variable.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: '$i.file' });
  });

  it('caps an upload file path at 260 characters (MAX_PATH)', async () => {
    const path = 'C:\\' + 'a'.repeat(258);
    const result = await (await post({ query: 'mutation ($i: UploadDataInput!) { uploadData(input: $i) { __typename } }', variables: { i: { file: path, recordCount: 1 } } }, AUTH_HEADERS)).json() as any;
    expect(JSON.stringify(result)).toMatch(/at most 260 characters/);
  });
});
