/**
 * The client kit's findGateway and pairGateway (client/src/find-gateway.ts) against two real gateways on real
 * ports (two users' gateways as one process sees them: each its own token and pairings) plus a port with
 * nothing on it. The two-OS-users case with real processes is test/integration/security/per-user-gateways.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { createSimulatorServices, type RunningServices } from '../../src/services.ts';
import { PairingStore } from '../../src/security/pairings.ts';
import { generateToken } from '../../src/security/token.ts';
import { createMemoryAuditLog } from '../../src/security/audit.ts';
import { findGateway, GatewayNotFoundError, pairGateway } from '../../client/src/find-gateway.ts';
import { createGatewayClient } from '../../client/src/client.ts';
import { parse } from 'graphql';
import { freePort } from '../helpers/free-port.ts';
import { createMemoryLogger } from '../helpers/stand-in-schema.ts';

const HIS = 'https://his.example';

interface Bed {
  services: RunningServices;
  server: RunningServer;
  token: string;
  codes: string[];
  audit: ReturnType<typeof createMemoryAuditLog>;
}

let dir: string;
let a: Bed;
let b: Bed;
let nothing: number;
let ports: number[];

async function bed(name: string): Promise<Bed> {
  const services = createSimulatorServices({ strategy: 'N1' });
  const codes: string[] = [];
  const pairings = new PairingStore(join(dir, `${name}.json`), { onCode: (pending) => codes.push(pending.code) });
  const token = generateToken();
  const audit = createMemoryAuditLog();
  const yoga = createApp(services, { graphiql: false, logger: createMemoryLogger(), security: { token, allowedOrigins: [HIS], pairings, audit } });
  const server = await startServer({ yoga, host: '127.0.0.1', port: 0 });
  return { services, server, token, codes, audit };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nhi-find-'));
  [a, b] = await Promise.all([bed('a'), bed('b')]);
  nothing = await freePort();
  ports = [nothing, a.server.port, b.server.port];
});
afterAll(async () => {
  for (const x of [a, b]) {
    await x?.server.close();
    await x?.services[Symbol.asyncDispose]();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('findGateway', () => {
  it('takes the gateway that knows the access token, and a client built on it reads the card', async () => {
    expect(await findGateway({ token: b.token, ports })).toEqual({ port: b.server.port, baseUrl: b.server.url, url: `${b.server.url}/graphql` });
    const found = await findGateway({ token: a.token, ports });
    expect(found.port).toBe(a.server.port);
    const client = createGatewayClient({ url: found.url, token: a.token });
    try {
      await client.request(parse('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }'));
      const data = (await client.request(parse('{ healthCard { basicData { ... on BasicData { idNumber } } } }'))) as { healthCard: { basicData: { idNumber: string } } };
      expect(data.healthCard.basicData.idNumber).toBe('A123456789');
    } finally {
      await client.dispose();
    }
    // The gateway that did not know the token audited the check.
    expect(b.audit.entries.filter((e) => e.operationName === 'credentialCheck').map((e) => e.outcome)).toEqual(['TOKEN_INVALID']);
  });

  it('rejects with GatewayNotFoundError, saying what each port answered, when no gateway knows the credential', async () => {
    const error = await findGateway({ token: generateToken(), ports }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayNotFoundError);
    expect((error as GatewayNotFoundError).probes).toEqual({ [nothing]: 'no-answer', [a.server.port]: 'refused', [b.server.port]: 'refused' });
    expect((error as GatewayNotFoundError).code).toBe('GATEWAY_NOT_FOUND');
    await expect(findGateway({ ports })).rejects.toThrow(TypeError);
  });
});

describe('pairGateway, then findGateway with the pairing token', () => {
  it('pairs with the gateway whose code the user typed, and finds it again by its pairing token', async () => {
    const headers = { origin: HIS };
    // The user sees only their own gateway's code: B's.
    const paired = await pairGateway({ ports, headers, askCode: async () => b.codes.at(-1)! });
    expect(a.codes).toHaveLength(1); // A was asked too, but nobody can see its code
    expect(paired).toMatchObject({ port: b.server.port, url: `${b.server.url}/graphql`, pairingToken: expect.stringMatching(/^nhp_/) });
    expect((await findGateway({ pairingToken: paired.pairingToken, ports, headers })).port).toBe(b.server.port);
    // A pairing token is bound to its origin. Sent without one (a program that forgot headers.origin), the
    // gateway that knows it says so, and the error does not send the user off to pair again.
    const noOrigin = await findGateway({ pairingToken: paired.pairingToken, ports }).catch((e: unknown) => e);
    expect(noOrigin).toBeInstanceOf(GatewayNotFoundError);
    expect((noOrigin as GatewayNotFoundError).probes).toEqual({ [nothing]: 'no-answer', [a.server.port]: 'refused', [b.server.port]: 'wrong-origin' });
    expect((noOrigin as GatewayNotFoundError).message).toMatch(/only from the page that paired/);
    await expect(findGateway({ pairingToken: paired.pairingToken, ports, headers: { origin: 'https://other.example' } })).rejects.toBeInstanceOf(GatewayNotFoundError);
  });

  it('rejects when no gateway accepts the code', async () => {
    await expect(pairGateway({ ports, headers: { origin: HIS }, askCode: async () => '000000' === a.codes.at(-1) ? '000001' : '000000' })).rejects.toThrow(/no gateway accepted this pairing code/);
  });
});
