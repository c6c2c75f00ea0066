/**
 * POST /credential (src/plugins/use-credential-check.ts): says whether a credential is this gateway's and
 * nothing else; every refusal is one audit line without the credential; checks are rate-limited per origin.
 * Two gateways with their own tokens and pairings (two users' gateways) each refuse the other's credentials.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../../src/services.ts';
import { createMemoryAuditLog } from '../../../src/security/audit.ts';
import { PairingStore } from '../../../src/security/pairings.ts';
import { generateToken } from '../../../src/security/token.ts';
import { createMemoryLogger } from '../../helpers/stand-in-schema.ts';

const HIS = 'https://his.example';
const BASE = 'http://127.0.0.1:8737';

interface Bed {
  readonly services: RunningServices;
  readonly audit: ReturnType<typeof createMemoryAuditLog>;
  readonly pairings: PairingStore;
  readonly token: string;
  readonly yoga: ReturnType<typeof createApp>;
}

let dir: string;
let a: Bed;
let b: Bed;

function bed(name: string): Bed {
  const services = createSimulatorServices({ strategy: 'N1' });
  const audit = createMemoryAuditLog();
  const pairings = new PairingStore(join(dir, `${name}-pairings.json`));
  const token = generateToken();
  const yoga = createApp(services, { graphiql: false, logger: createMemoryLogger(), security: { token, allowedOrigins: [HIS], audit, pairings } });
  return { services, audit, pairings, token, yoga };
}

/** Pairs HIS with a gateway through its store (the code as the gateway shows it). */
function pair(gateway: Bed): string {
  const pending = gateway.pairings.request(HIS);
  const confirmed = gateway.pairings.confirm(HIS, pending.code);
  if (!confirmed.ok) throw new Error('pairing failed');
  return confirmed.token;
}

const check = (gateway: Bed, headers: Record<string, string>) =>
  gateway.yoga.fetch(`${BASE}/credential`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nhi-credential-'));
  a = bed('a');
  b = bed('b');
});
afterEach(async () => {
  await a.services[Symbol.asyncDispose]();
  await b.services[Symbol.asyncDispose]();
  rmSync(dir, { recursive: true, force: true });
});

const refusals = (gateway: Bed) => gateway.audit.entries.filter((e) => e.event === 'refused');

describe('POST /credential', () => {
  it('answers { valid: true } for its own token and its own pairing token (from its origin), and nothing more', async () => {
    const own = await check(a, { authorization: `Bearer ${a.token}` });
    expect(own.status).toBe(200);
    expect(await own.json()).toEqual({ valid: true });
    const paired = await check(a, { authorization: `Bearer ${pair(a)}`, origin: HIS });
    expect(paired.status).toBe(200);
    expect(paired.headers.get('access-control-allow-origin')).toBe(HIS);
    expect(await paired.json()).toEqual({ valid: true });
    expect(refusals(a)).toEqual([]);
  });

  it('refuses the other gateway’s token and pairing token (TOKEN_INVALID), each refusal audited without the credential', async () => {
    const otherPairing = pair(a);
    const token = await check(b, { authorization: `Bearer ${a.token}` });
    expect(token.status).toBe(401);
    expect((await token.json()).errors[0].extensions.code).toBe('TOKEN_INVALID');
    const pairing = await check(b, { authorization: `Bearer ${otherPairing}`, origin: HIS });
    expect(pairing.status).toBe(401);
    expect((await pairing.json()).errors[0].extensions.code).toBe('TOKEN_INVALID');
    // The same credentials over GraphQL: refused the same way.
    const read = await b.yoga.fetch(`${BASE}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token}` },
      body: JSON.stringify({ query: '{ healthCard { basicData { __typename } } }' }),
    });
    expect(read.status).toBe(401);
    expect(refusals(b).map((e) => [e.operationName ?? null, e.outcome])).toEqual([
      ['credentialCheck', 'TOKEN_INVALID'],
      ['credentialCheck', 'TOKEN_INVALID'],
      [null, 'TOKEN_INVALID'],
    ]);
    const lines = JSON.stringify(b.audit.entries);
    expect(lines).not.toContain(a.token);
    expect(lines).not.toContain(otherPairing);
  });

  it('says what is missing or wrong, as GraphQL would', async () => {
    const none = await check(a, {});
    expect((await none.json()).errors[0].extensions.code).toBe('TOKEN_REQUIRED');
    const wrongOrigin = await check(a, { authorization: `Bearer ${pair(a)}` });
    expect((await wrongOrigin.json()).errors[0].extensions.code).toBe('PAIRING_ORIGIN_MISMATCH');
    const form = await a.yoga.fetch(`${BASE}/credential`, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${a.token}` }, body: '{}' });
    expect(form.status).toBe(403);
    expect((await form.json()).errors[0].extensions.code).toBe('CSRF_HEADER_MISSING');
    expect((await a.yoga.fetch(`${BASE}/credential`)).status).toBe(405);
    const foreign = await check(a, { authorization: `Bearer ${a.token}`, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(refusals(a).map((e) => e.outcome)).toEqual(['TOKEN_REQUIRED', 'PAIRING_ORIGIN_MISMATCH', 'CSRF_HEADER_MISSING', 'ORIGIN_NOT_ALLOWED']);
  });

  it('is rate-limited per origin (10 at once), with Retry-After, and audits the refusal', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await check(a, { authorization: 'Bearer guess-0123456789-0123456789-0123456789' })).status);
    expect(statuses).toEqual([...Array<number>(10).fill(401), 429]);
    const limited = await check(a, { authorization: `Bearer ${a.token}` });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another origin has its own bucket.
    expect((await check(a, { authorization: `Bearer ${pair(a)}`, origin: HIS })).status).toBe(200);
    expect(refusals(a).filter((e) => e.outcome === 'RATE_LIMITED')).toHaveLength(2);
  });
});
