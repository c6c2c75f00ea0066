/**
 * The paths the gateway answers itself, all through one router (src/plugins/use-routes.ts) in the shipped
 * wiring (createApp with security, pairings and metrics): each route is reached, a path no route serves goes
 * on to yoga, and the door checks (src/plugins/use-access-control.ts) still come first on every route.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../../src/services.ts';
import { createMemoryAuditLog } from '../../../src/security/audit.ts';
import { PairingStore } from '../../../src/security/pairings.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../../helpers/auth.ts';
import { createMemoryLogger } from '../../helpers/stand-in-schema.ts';

const HIS = 'https://his.example';
const BASE = 'http://127.0.0.1:8737';

let dir: string;
let services: RunningServices;
let audit: ReturnType<typeof createMemoryAuditLog>;
let yoga: ReturnType<typeof createApp>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'routes-'));
  services = createSimulatorServices({ strategy: 'N1' });
  audit = createMemoryAuditLog();
  yoga = createApp(services, {
    graphiql: true,
    logger: createMemoryLogger(),
    security: { token: TEST_TOKEN, allowedOrigins: [HIS], audit, pairings: new PairingStore(join(dir, 'pairings.json-simulator')) },
  });
});

afterEach(async () => {
  await services[Symbol.asyncDispose]();
  rmSync(dir, { recursive: true, force: true });
});

const json = { 'content-type': 'application/json' };
const fetchAt = (path: string, init: RequestInit = {}, remoteAddress?: string) =>
  yoga.fetch(`${BASE}${path}`, init, remoteAddress ? { req: { socket: { remoteAddress } } } : {});

async function graphiqlAssetBase(): Promise<string> {
  const html = await (await fetchAt('/graphql', { headers: { accept: 'text/html' } })).text();
  const base = /<script src="(\/graphiql-assets\/[0-9a-f]+\/)graphiql\.js"><\/script>/.exec(html)?.[1];
  if (!base) throw new Error('no asset base in the GraphiQL page');
  return base;
}

describe('the router in the shipped wiring', () => {
  it('reaches every route', async () => {
    const pair = await fetchAt('/pair', { method: 'POST', headers: { ...json, origin: HIS }, body: '{}' });
    expect(pair.status).toBe(202);
    expect(await pair.json()).toMatchObject({ codeLength: 6 });

    const confirm = await fetchAt('/pair/confirm', { method: 'POST', headers: { ...json, origin: HIS }, body: '{"code":"x"}' });
    expect(confirm.status).toBe(403);
    expect((await confirm.json()).errors[0].extensions.code).toBe('PAIRING_CODE_INVALID');

    const pending = await fetchAt('/status/pairing');
    expect(pending.status).toBe(200);
    expect((await pending.json()).pending).toHaveLength(1);

    const credential = await fetchAt('/credential', { method: 'POST', headers: { ...json, ...AUTH_HEADERS }, body: '{}' });
    expect(await credential.json()).toEqual({ valid: true });

    const ready = await fetchAt('/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true });

    const status = await fetchAt('/status');
    expect(status.status).toBe(200);
    expect(status.headers.get('content-security-policy')).toContain("frame-ancestors 'self' https://his.example");
    expect((await fetchAt('/status/widget.js')).headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect((await fetchAt('/status/nope.js')).status).toBe(404);

    const metrics = await fetchAt('/metrics');
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE');

    const base = await graphiqlAssetBase();
    const css = await fetchAt(`${base}graphiql.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('cache-control')).toContain('immutable');
    expect((await fetchAt(`${base}graphiql.css`, { method: 'POST' })).status).toBe(405);
  });

  it('hands every other path to yoga', async () => {
    const graphql = await fetchAt('/graphql', {
      method: 'POST',
      headers: { ...json, ...AUTH_HEADERS, accept: 'application/json' },
      body: JSON.stringify({ query: '{ gateway { ready } }' }),
    });
    expect(await graphql.json()).toEqual({ data: { gateway: { ready: true } } });
    expect((await fetchAt('/health')).headers.get('x-yoga-id')).toBe('yoga');
    for (const path of ['/nowhere', '/statusx', '/ready/x', '/pair/', '/credentials', '/metrics/x']) {
      expect((await fetchAt(path)).status, path).toBe(404);
    }
  });

  it('runs the door checks first, on every route', async () => {
    const routes = ['/pair', '/pair/confirm', '/status/pairing', '/credential', '/ready', '/status', '/status/status.css', '/metrics', '/graphiql-assets/x/graphiql.js'];
    for (const path of routes) {
      const foreignHost = await yoga.fetch(`http://attacker.example${path}`, { method: 'POST', headers: json, body: '{}' });
      expect(foreignHost.status, path).toBe(403);
      expect((await foreignHost.json()).errors[0].extensions.code, path).toBe('HOST_NOT_ALLOWED');
      const foreignOrigin = await fetchAt(path, { method: 'POST', headers: { ...json, origin: 'https://evil.example' }, body: '{}' });
      expect(foreignOrigin.status, path).toBe(403);
      expect((await foreignOrigin.json()).errors[0].extensions.code, path).toBe('ORIGIN_NOT_ALLOWED');
    }
    // Loopback-only pages: the door answers a typed LOOPBACK_ONLY before the page's own check would.
    for (const path of ['/status', '/status/pairing', '/metrics', '/graphiql-assets/x/graphiql.js']) {
      const remote = await fetchAt(path, {}, '192.168.1.20');
      expect(remote.status, path).toBe(403);
      expect((await remote.json()).errors[0].extensions.code, path).toBe('LOOPBACK_ONLY');
    }
    expect(audit.entries.filter((e) => e.event === 'refused').map((e) => e.outcome)).toEqual([
      ...routes.flatMap(() => ['HOST_NOT_ALLOWED', 'ORIGIN_NOT_ALLOWED']),
      ...Array<string>(4).fill('LOOPBACK_ONLY'),
    ]);
  });
});
