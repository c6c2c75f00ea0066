/**
 * Pairing, in-process (yoga.fetch) against a real pairings file: request → code on the gateway's surface →
 * confirm → identity read with the pairing token from its origin only; revocation (GraphQL and the file the
 * CLI edits), expiry, the code's 2 minutes and 5 tries, the rate limit, and audit lines for each refusal.
 */
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../../src/services.ts';
import { createMemoryAuditLog } from '../../../src/security/audit.ts';
import { PairingStore, type PendingPairing } from '../../../src/security/pairings.ts';
import { runPairingsCommand } from '../../../src/security/pairings-cli.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../../helpers/auth.ts';
import { createMemoryLogger } from '../../helpers/stand-in-schema.ts';

const HIS = 'https://his.example';
const OTHER = 'https://other-his.example';
const BASE = 'http://127.0.0.1:8737';
const READ = '{ healthCard { basicData { ... on BasicData { idNumber } } } }';

type Body = { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };

let dir: string;
let now: number;
let codes: PendingPairing[];
let store: PairingStore;
let services: RunningServices;
let audit: ReturnType<typeof createMemoryAuditLog>;
let yoga: ReturnType<typeof createApp>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pairing-'));
  now = Date.parse('2030-01-01T00:00:00Z');
  codes = [];
  store = new PairingStore(join(dir, 'pairings.json-simulator'), { now: () => now, onCode: (p) => codes.push(p) });
  services = createSimulatorServices({ strategy: 'N1' });
  services.simulator!.insertHealthCard('STANDARD');
  audit = createMemoryAuditLog();
  yoga = createApp(services, {
    logger: createMemoryLogger(),
    security: { token: TEST_TOKEN, allowedOrigins: [HIS, OTHER], audit, pairings: store, now: () => now },
  });
});

afterEach(async () => {
  await services[Symbol.asyncDispose]();
  rmSync(dir, { recursive: true, force: true });
});

async function call(path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
  const response = await yoga.fetch(`${BASE}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: JSON.stringify(init.body ?? {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as any, response };
}

const gql = (query: string, headers: Record<string, string>) => call('/graphql', { body: { query }, headers: { accept: 'application/json', ...headers } });

async function pair(origin = HIS): Promise<{ token: string; id: string }> {
  expect((await call('/pair', { headers: { origin } })).status).toBe(202);
  const code = codes.at(-1)!.code;
  const confirmed = await call('/pair/confirm', { headers: { origin }, body: { code } });
  expect(confirmed.status).toBe(200);
  return confirmed.body as { token: string; id: string };
}

describe('pairing', () => {
  it('issues an origin-bound token after the code shown on the gateway is typed in', async () => {
    const requested = await call('/pair', { headers: { origin: HIS } });
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ expiresAt: '2030-01-01T00:02:00.000Z', codeLength: 6 });
    expect(requested.response.headers.get('access-control-allow-origin')).toBe(HIS);
    // The code is on the gateway's own surface (the callback feeds the console; /status shows it), never in the answer.
    expect(codes).toHaveLength(1);
    expect(codes[0]!.code).toMatch(/^\d{6}$/);
    expect(JSON.stringify(requested.body)).not.toContain(codes[0]!.code);
    const status = await yoga.fetch(`${BASE}/status`);
    expect(await status.text()).toContain(codes[0]!.code);
    const pendingJson = (await (await yoga.fetch(`${BASE}/status/pairing`)).json()) as { pending: PendingPairing[] };
    expect(pendingJson.pending).toEqual([{ origin: HIS, code: codes[0]!.code, expiresAt: '2030-01-01T00:02:00.000Z' }]);

    const confirmed = await call('/pair/confirm', { headers: { origin: HIS }, body: { code: codes[0]!.code } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ origin: HIS, expiresAt: '2030-01-31T00:00:00.000Z' });
    const { token } = confirmed.body as { token: string };
    expect(token).toMatch(/^nhp_[A-Za-z0-9_-]{43}$/);

    const read = await gql(READ, { origin: HIS, authorization: `Bearer ${token}` });
    expect(read.status).toBe(200);
    expect(read.body.data.healthCard.basicData.idNumber).toBe('A123456789');
    expect(audit.entries.at(-1)).toMatchObject({ event: 'operation', auth: 'pairing', origin: HIS, outcome: 'OK' });

    // The file holds a hash, not the token, and only this user may read it.
    const file = join(dir, 'pairings.json-simulator');
    expect(readFileSync(file, 'utf8')).not.toContain(token.slice(4));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a pairing token from another origin or without one, and never lets it manage pairings', async () => {
    const { token } = await pair();
    for (const headers of [{ origin: OTHER }, {} as Record<string, string>]) {
      const refused = await gql(READ, { ...headers, authorization: `Bearer ${token}` });
      expect(refused.status, JSON.stringify(headers)).toBe(401);
      expect(refused.body.errors[0].extensions.code).toBe('PAIRING_ORIGIN_MISMATCH');
      expect(JSON.stringify(refused.body)).not.toContain('A123456789');
    }
    const list = await gql('{ pairings { id origin } }', { origin: HIS, authorization: `Bearer ${token}` });
    expect(list.body.errors[0].extensions.code).toBe('TOKEN_REQUIRED');
    expect((await gql('{ pairings { origin } }', AUTH_HEADERS)).body.data).toEqual({ pairings: [{ origin: HIS }] });
  });

  it('refuses pairing from the gateway’s own origin, an unlisted one, without an Origin, or as a form post', async () => {
    expect((await call('/pair', { headers: { origin: BASE } })).body.errors[0].extensions.code).toBe('ORIGIN_NOT_ALLOWED');
    expect((await call('/pair', { headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await call('/pair')).body.errors[0].extensions.code).toBe('ORIGIN_NOT_ALLOWED');
    const form = await yoga.fetch(`${BASE}/pair`, { method: 'POST', headers: { origin: HIS, 'content-type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(403);
    expect(codes).toEqual([]);
    expect(audit.entries.filter((e) => e.event === 'refused').map((e) => e.outcome)).toEqual([
      'ORIGIN_NOT_ALLOWED',
      'ORIGIN_NOT_ALLOWED',
      'ORIGIN_NOT_ALLOWED',
      'CSRF_HEADER_MISSING',
    ]);
  });

  it('allows 5 tries per code and 2 minutes, then asks for a new pairing', async () => {
    await call('/pair', { headers: { origin: HIS } });
    const right = codes[0]!.code;
    const wrong = right === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 0; left--) {
      const attempt = await call('/pair/confirm', { headers: { origin: HIS }, body: { code: wrong } });
      expect(attempt.status).toBe(403);
      expect(attempt.body.errors[0].extensions).toMatchObject({ code: 'PAIRING_CODE_INVALID', triesLeft: left });
    }
    expect((await call('/pair/confirm', { headers: { origin: HIS }, body: { code: right } })).status).toBe(403);
    // A code from another origin's request does not pair this one; an expired code pairs nothing.
    now += 60_000;
    await call('/pair', { headers: { origin: OTHER } });
    expect((await call('/pair/confirm', { headers: { origin: HIS }, body: { code: codes[1]!.code } })).status).toBe(403);
    now += 120_000;
    expect((await call('/pair/confirm', { headers: { origin: OTHER }, body: { code: codes[1]!.code } })).status).toBe(403);
  });

  it('limits pairing requests for all origins together', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call('/pair', { headers: { origin: i % 2 ? HIS : OTHER } })).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    expect(audit.entries.at(-1)).toMatchObject({ event: 'refused', outcome: 'RATE_LIMITED' });
  });

  it('stops a token on revocation (GraphQL or the CLI’s file) and on expiry', async () => {
    const first = await pair();
    const revoked = await gql(`mutation { revokePairing(id: "${first.id}") }`, AUTH_HEADERS);
    expect(revoked.body.data).toEqual({ revokePairing: true });
    expect((await gql(READ, { origin: HIS, authorization: `Bearer ${first.token}` })).body.errors[0].extensions.code).toBe('TOKEN_INVALID');

    const second = await pair();
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    expect(runPairingsCommand(['list', '--backend', 'simulator', '--data-dir', dir], {}, io)).toBe(0);
    expect(out.join('\n')).toContain(second.id);
    expect(runPairingsCommand(['revoke', second.id, '--backend', 'simulator', '--data-dir', dir], {}, io)).toBe(0);
    expect((await gql(READ, { origin: HIS, authorization: `Bearer ${second.token}` })).body.errors[0].extensions.code).toBe('TOKEN_INVALID');

    const third = await pair();
    now += 30 * 24 * 60 * 60 * 1000;
    const expired = await gql(READ, { origin: HIS, authorization: `Bearer ${third.token}` });
    expect(expired.status).toBe(401);
    expect(expired.body.errors[0].extensions.code).toBe('TOKEN_INVALID');
  });
});

describe('pairing body limit', () => {
  it('refuses a body over 256 characters with 413 REQUEST_ENTITY_TOO_LARGE, however large', async () => {
    for (const size of [257, 5_000_000]) {
      const response = await yoga.fetch(`${BASE}/pair`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: HIS },
        body: JSON.stringify({ pad: 'x'.repeat(size) }),
      });
      expect(response.status).toBe(413);
      const body = (await response.json()) as Body;
      expect(body.errors?.[0]?.extensions?.['code']).toBe('REQUEST_ENTITY_TOO_LARGE');
    }
  });
});
