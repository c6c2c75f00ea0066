/**
 * The client kit's pairGateway and findGateway (client/src/find-gateway.ts) in chromium, against real gateway
 * processes: two users' gateways as one page sees them (each its own process, data folder, token and
 * pairings; both allow the page's origin) and a port with nothing on it. The page (test/browser/pages/
 * find-gateway.ts, bundled by esbuild) pairs on its first visit: every gateway is asked, the user types the code
 * their own gateway logged, and the page keeps the pairing token; on the next visit it finds that gateway by
 * the token alone. Each time it reads the card in that gateway's simulator with the kit's client. The same
 * functions under Node: test/integration/client-kit-find-gateway.test.ts.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childHome, startGateway, type ChildHome, type RunningGateway } from '../helpers/gateway-child.ts';
import { freePort } from '../helpers/free-port.ts';
import { SIMULATED_PATIENTS } from '../../src/adapters/simulator/patients.ts';
import { chromiumInstalled, chromiumPending, launchBrowser, type Browser } from './browser.ts';

const START_MS = 60_000;
const STANDARD_CARD = SIMULATED_PATIENTS.find((p) => p.key === 'STANDARD')!.cardNumber;
const PAGE_HTML = `<!doctype html><meta charset="utf-8"><title>find gateway</title>
<p>how: <span id="how"></span> port: <span id="port"></span> card: <span id="card"></span></p>
<p id="error"></p>
<form id="pair" hidden><label>code <input id="code" inputmode="numeric"></label><button>pair</button></form>
<script type="module" src="page.js"></script>`;

interface UserGateway {
  readonly home: ChildHome;
  readonly port: number;
  readonly gateway: RunningGateway;
}

/** The 6-digit codes this gateway logged for pairing requests, oldest first. */
function pairingCodes(user: UserGateway): string[] {
  return [...user.gateway.output().matchAll(/pairing requested by \S+: code (\d{6})/g)].map((m) => m[1]!);
}

async function until<T>(read: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(!chromiumInstalled)(`client kit: pairGateway and findGateway in chromium against gateway processes${chromiumPending}`, () => {
  let pageServer: Server;
  let origin: string;
  let users: UserGateway[] = [];
  let nothing: number;
  let browser: Browser;

  async function startUser(): Promise<UserGateway> {
    const home = childHome();
    const port = await freePort();
    const gateway = startGateway(
      ['--backend', 'simulator', '--port', String(port), '--data-dir', join(home.dir, 'data'), '--allowed-origin', origin, '--no-graphiql'],
      home.env,
    );
    const started = await gateway.started;
    if (started.kind !== 'listening') throw new Error(`gateway exited (${started.code}): ${gateway.output()}`);
    return { home, port, gateway };
  }

  /** Puts the simulator's standard card in this user's reader, with the access token from its data folder. */
  async function insertCard(user: UserGateway): Promise<void> {
    const token = readFileSync(join(user.home.dir, 'data', 'token-simulator'), 'utf8').trim();
    const response = await fetch(`http://127.0.0.1:${user.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }' }),
    });
    expect(await response.json()).toEqual({ data: { simulatorInsertHealthCard: { __typename: 'LightState' } } });
  }

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [join(import.meta.dirname, 'pages/find-gateway.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]!.text;
    pageServer = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE_HTML);
      else if (path === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
    users = await Promise.all([startUser(), startUser()]);
    nothing = await freePort();
    browser = await launchBrowser();
  }, START_MS);

  afterAll(async () => {
    await browser?.close();
    for (const user of users) {
      await user.gateway.stop();
      user.home.dispose();
    }
    await new Promise((resolve) => pageServer?.close(resolve));
  });

  it('pairs with the gateway whose code the user typed, reads its card, and finds it again by the pairing token', { timeout: START_MS }, async () => {
    const [other, mine] = users as [UserGateway, UserGateway];
    await insertCard(mine);
    const pageUrl = `${origin}/?ports=${[nothing, other.port, mine.port].join(',')}`;
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    await page.goto(pageUrl);
    await page.locator('#pair:not([hidden])').waitFor({ timeout: 15_000 });
    // Both gateways were asked to pair; each logged its own code, and the user sees only their own gateway's.
    const code = await until(() => pairingCodes(mine)[0], "my gateway's pairing code");
    const otherCode = await until(() => pairingCodes(other)[0], "the other gateway's pairing code");
    await page.fill('#code', code);
    await page.click('#pair button');
    await page.locator('#card:not(:empty), #error:not(:empty)').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('#error').textContent()).toBe('');
    expect(await page.locator('#how').textContent()).toBe('paired');
    expect(await page.locator('#port').textContent()).toBe(String(mine.port));
    expect(await page.locator('#card').textContent()).toBe(STANDARD_CARD);
    const pairingToken = await page.evaluate(() => localStorage.getItem('nhi-gateway-pairing-token'));
    expect(pairingToken).toMatch(/^nhp_/);

    // The next visit: no pairing, the stored token finds the same gateway among the others.
    await page.reload();
    await page.locator('#card:not(:empty), #error:not(:empty)').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('#error').textContent()).toBe('');
    expect(await page.locator('#how').textContent()).toBe('found');
    expect(await page.locator('#port').textContent()).toBe(String(mine.port));
    expect(await page.locator('#card').textContent()).toBe(STANDARD_CARD);
    // Nobody was asked to pair again, and the other gateway's code was never good for anything here.
    expect(pairingCodes(mine)).toEqual([code]);
    expect(pairingCodes(other)).toEqual([otherCode]);

    // A token no gateway knows (never paired, or revoked): GATEWAY_NOT_FOUND, and no card data on the page.
    await page.evaluate(() => localStorage.setItem('nhi-gateway-pairing-token', 'nhp_not-a-pairing-token'));
    await page.reload();
    await page.locator('#error:not(:empty)').waitFor({ timeout: 15_000 });
    expect(await page.locator('#error').textContent()).toMatch(/^GATEWAY_NOT_FOUND /);
    expect(await page.locator('#card').textContent()).toBe('');

    expect(pageErrors).toEqual([]);
    expect(browser.offLoopback).toEqual([]);
    await page.close();
  });
});
