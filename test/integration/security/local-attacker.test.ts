/**
 * The local attacker, with real processes: the gateway runs as `tsx src/main.ts --backend simulator` with a
 * private data folder and temp HOME/XDG_STATE_HOME; a card is inserted; then a plain program forges Origin
 * (the allowed HIS origin, the gateway's own) and Host over HTTP and WebSocket and must get no identity data.
 * A HIS page served on the allowed origin pairs in Chromium (the code read from the gateway's own surface),
 * reads basicData with its pairing token, and loses it on revocation (CLI process) and expiry (the pairings
 * file). Audit lines are counted per refusal, and file modes checked after a visit.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startGatewayProcess, type GatewayProcess } from '../../helpers/gateway-process.ts';
import { freePort } from '../../helpers/free-port.ts';
import { subscribeWs, WsSubscriptionError } from '../../helpers/ws.ts';
import { chromiumInstalled, launchBrowser, type Browser } from '../../browser/browser.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const READ = '{ healthCard { basicData { ... on BasicData { idNumber name { text } } ... on Error { code } } } }';

let dir: string;
let dataDir: string;
let gateway: GatewayProcess;
let base: string;
let token: string;
let his: Server;
let hisOrigin: string;
/** Identity reads that returned an ID number to the attacker. */
let leaked = 0;

type Body = { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };

/** A POST as a plain program sends it: node:http, every header verbatim (fetch would not forge Host). */
function gql(query: string, headers: Record<string, string>, variables?: Record<string, unknown>): Promise<{ status: number; body: Body }> {
  const payload = JSON.stringify({ query, ...(variables ? { variables } : {}) });
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/graphql`,
      { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          if (/A123456789/.test(text)) leaked++;
          let body: Body = {};
          try {
            body = JSON.parse(text) as Body;
          } catch {
            body = {};
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** audit.log's refusal lines, by outcome (the audit log is written asynchronously: wait for `atLeast`). */
async function auditRefusals(atLeast: number): Promise<Record<string, number>> {
  const path = join(dataDir, 'logs', 'audit.log');
  for (;;) {
    const lines = existsSync(path)
      ? readFileSync(path, 'utf8')
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l) as { event?: string; outcome?: string })
      : [];
    const refused = lines.filter((l) => l.event === 'refused');
    if (refused.length >= atLeast) {
      const counts: Record<string, number> = {};
      for (const l of refused) counts[l.outcome!] = (counts[l.outcome!] ?? 0) + 1;
      return counts;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The HIS page: pairs with the gateway and reads the card with its pairing token. */
const HIS_PAGE = (gatewayUrl: string) => `<!doctype html><meta charset="utf-8"><title>HIS</title>
<script>
const GATEWAY = ${JSON.stringify(gatewayUrl)};
window.requestPairing = async () => (await fetch(GATEWAY + '/pair', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status;
window.confirmPairing = async (code) => {
  const response = await fetch(GATEWAY + '/pair/confirm', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  const body = await response.json();
  if (body.token) localStorage.setItem('gatewayToken', body.token);
  return { status: response.status, id: body.id, code: body.errors && body.errors[0].extensions.code };
};
window.readCard = async () => {
  const response = await fetch(GATEWAY + '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + localStorage.getItem('gatewayToken') },
    body: JSON.stringify({ query: ${JSON.stringify(READ)} }),
  });
  return { status: response.status, body: await response.json() };
};
</script>`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nhi-attacker-'));
  dataDir = join(dir, 'data');
  const [gatewayPort, hisPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${gatewayPort}`;
  hisOrigin = `http://127.0.0.1:${hisPort}`;
  his = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(HIS_PAGE(base));
  });
  await new Promise<void>((resolve) => his.listen(hisPort, '127.0.0.1', resolve));
  gateway = startGatewayProcess(
    ['--backend', 'simulator', '--port', String(gatewayPort), '--data-dir', dataDir, '--allowed-origin', hisOrigin],
    { HOME: join(dir, 'home'), XDG_STATE_HOME: join(dir, 'state') },
  );
  const ready = await gateway.ready;
  if (ready.kind !== 'started') throw new Error(`gateway did not start: ${JSON.stringify(gateway.output())}`);
  token = readFileSync(join(dataDir, 'token-simulator'), 'utf8').trim();
  const inserted = await gql('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }', { authorization: `Bearer ${token}` });
  expect(inserted.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await new Promise((resolve) => his?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('a local program without a credential', () => {
  it('gets no identity data with a forged Origin or Host over HTTP', async () => {
    const forged: Array<Record<string, string>> = [
      {},
      { origin: hisOrigin },
      { origin: base },
      { origin: base, 'x-nhi-gateway': '1' },
      { host: 'evil.example' },
      { host: `localhost:${new URL(base).port}`, origin: `http://localhost:${new URL(base).port}` },
      { origin: hisOrigin, authorization: 'Bearer nhp_forged-token-0123456789012345678901234567890' },
      { origin: 'https://evil.example' },
    ];
    const codes: string[] = [];
    for (const headers of forged) {
      const { status, body } = await gql(READ, headers);
      expect(status, JSON.stringify(headers)).toBeGreaterThanOrEqual(400);
      expect(body.data, JSON.stringify(headers)).toBeUndefined();
      codes.push(String(body.errors?.[0]?.extensions?.['code']));
    }
    expect(codes).toEqual(['TOKEN_REQUIRED', 'TOKEN_REQUIRED', 'TOKEN_REQUIRED', 'TOKEN_REQUIRED', 'HOST_NOT_ALLOWED', 'TOKEN_REQUIRED', 'TOKEN_INVALID', 'ORIGIN_NOT_ALLOWED']);
    // A GET with the query in the URL, as a page or a program might try.
    const get = await fetch(`${base}/graphql?query=${encodeURIComponent(READ)}`, { headers: { origin: hisOrigin, 'x-nhi-gateway': '1' } });
    if (/A123456789/.test(await get.text())) leaked++;
    expect(get.status).toBe(401);
    expect(leaked).toBe(0);
  });

  it('gets no identity data with a forged Origin over WebSocket', async () => {
    const endpoint = `${base}/graphql`;
    for (const headers of [{ origin: hisOrigin }, { origin: base }, {}] as Array<Record<string, string>>) {
      const result = await subscribeWs(endpoint, READ, undefined, { headers }).catch((error: unknown) => error as WsSubscriptionError);
      if (JSON.stringify(result).includes('A123456789')) leaked++;
      expect((result as WsSubscriptionError).graphqlErrors?.[0]?.extensions).toMatchObject({ code: 'TOKEN_REQUIRED' });
    }
    const refused = await subscribeWs(endpoint, READ, undefined, { headers: { host: 'evil.example' } }).catch((error: unknown) => error);
    expect((refused as { code?: number }).code).toBe(4403);
    expect(leaked).toBe(0);
  });

  it('cannot pair from a program: the code is never in the answer, and guessing stops after 5 tries', async () => {
    const request = await fetch(`${base}/pair`, { method: 'POST', headers: { origin: hisOrigin, 'content-type': 'application/json' }, body: '{}' });
    expect(request.status).toBe(202);
    expect(await request.text()).not.toMatch(/"code"/);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const attempt = await fetch(`${base}/pair/confirm`, {
        method: 'POST',
        headers: { origin: hisOrigin, 'content-type': 'application/json' },
        body: JSON.stringify({ code: String(100000 + i) }),
      });
      const body = (await attempt.json()) as Body & { token?: string };
      // (1 in 200,000 that a guess is right; then the test would have to say so.)
      expect(body.token).toBeUndefined();
      statuses.push(attempt.status);
    }
    expect(statuses).toEqual([403, 403, 403, 403, 403, 403]);
  });

  it('leaves one audit line per refusal', async () => {
    // 8 HTTP refusals + the GET, 3 WebSocket refusals + the Host close, 6 wrong codes.
    const counts = await auditRefusals(19);
    expect(counts['TOKEN_REQUIRED']).toBeGreaterThanOrEqual(8);
    expect(counts['HOST_NOT_ALLOWED']).toBeGreaterThanOrEqual(2);
    expect(counts['ORIGIN_NOT_ALLOWED']).toBeGreaterThanOrEqual(1);
    expect(counts['TOKEN_INVALID']).toBeGreaterThanOrEqual(1);
    expect(counts['PAIRING_CODE_INVALID']).toBe(6);
    const audit = readFileSync(join(dataDir, 'logs', 'audit.log'), 'utf8');
    expect(audit).not.toMatch(/A123456789|nhp_forged/);
    expect(audit).not.toContain(token);
  });
});

describe.skipIf(!chromiumInstalled)('a HIS page on an allowed origin (Chromium; needs /usr/bin/chromium)', () => {
  let browser: Browser;
  let page: Page;
  let pairingId: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(hisOrigin);
  }, 60_000);
  afterAll(async () => browser?.close());

  async function pairInPage(): Promise<string> {
    expect(await page.evaluate(() => (window as any).requestPairing())).toBe(202);
    // The user reads the code on the gateway's own surface: /status on this machine, and its console.
    const status = await (await fetch(`${base}/status`)).text();
    const code = new RegExp(`data-origin="${hisOrigin.replace(/[.:/]/g, '\\$&')}">(\\d{6})<`).exec(status)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    expect(gateway.output().stdout + gateway.output().stderr).toContain(`code ${code}`);
    const confirmed = (await page.evaluate((c) => (window as any).confirmPairing(c), code)) as { status: number; id: string };
    expect(confirmed.status).toBe(200);
    return confirmed.id;
  }

  it('pairs with the code the gateway shows, then reads basicData with its pairing token', async () => {
    pairingId = await pairInPage();
    const read = (await page.evaluate(() => (window as any).readCard())) as { status: number; body: Body };
    expect(read.status).toBe(200);
    expect(read.body.data?.healthCard.basicData.idNumber).toBe('A123456789');
    // The same token from a program with another Origin (or none) is refused.
    const stolen = await page.evaluate(() => localStorage.getItem('gatewayToken'));
    for (const headers of [{ authorization: `Bearer ${stolen}` }, { authorization: `Bearer ${stolen}`, origin: base }] as Array<Record<string, string>>) {
      const { body } = await gql(READ, headers);
      expect(body.errors?.[0]?.extensions?.['code']).toBe('PAIRING_ORIGIN_MISMATCH');
    }
    // Over graphql-ws the same: the page's origin with its token reads, another origin does not.
    const endpoint = `${base}/graphql`;
    const [paired] = await subscribeWs<any>(endpoint, READ, undefined, { headers: { origin: hisOrigin }, connectionParams: { authorization: `Bearer ${stolen}` } });
    expect(paired?.data?.healthCard.basicData.idNumber).toBe('A123456789');
    const elsewhere = await subscribeWs(endpoint, READ, undefined, { headers: { origin: base }, connectionParams: { authorization: `Bearer ${stolen}` } }).catch(
      (error: unknown) => error as WsSubscriptionError,
    );
    if (JSON.stringify(elsewhere).includes('A123456789')) leaked++;
    expect((elsewhere as WsSubscriptionError).graphqlErrors?.[0]?.extensions).toMatchObject({ code: 'PAIRING_ORIGIN_MISMATCH' });
    expect(leaked).toBe(0);
    expect(browser.offLoopback).toEqual([]);
  });

  it('loses access when the pairing is revoked (CLI) and when it expires', async () => {
    const cli = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/main.ts', 'pairings', 'list', '--backend', 'simulator', '--data-dir', dataDir], { cwd: ROOT });
    expect(cli.stdout).toContain(pairingId);
    expect(cli.stdout).toContain(hisOrigin);
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/main.ts', 'pairings', 'revoke', pairingId, '--backend', 'simulator', '--data-dir', dataDir], { cwd: ROOT });
    const revoked = (await page.evaluate(() => (window as any).readCard())) as { status: number; body: Body };
    expect(revoked.status).toBe(401);
    expect(revoked.body.errors?.[0]?.extensions?.['code']).toBe('TOKEN_INVALID');

    // Pair again; then the pairing's expiry passes (written into the file, as 30 days would).
    await pairInPage();
    expect(((await page.evaluate(() => (window as any).readCard())) as { status: number }).status).toBe(200);
    const file = join(dataDir, 'pairings.json-simulator');
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { pairings: Array<{ expiresAt: string }> };
    for (const p of stored.pairings) p.expiresAt = new Date(Date.now() - 1000).toISOString();
    writeFileSync(file, JSON.stringify(stored));
    const expired = (await page.evaluate(() => (window as any).readCard())) as { status: number; body: Body };
    expect(expired.status).toBe(401);
    expect(expired.body.errors?.[0]?.extensions?.['code']).toBe('TOKEN_INVALID');
  });
});

/**
 * Another OS user (created here: needs root, useradd and runuser, as in CI) runs a plain Node client against
 * this user's gateway: it cannot read the token file, gets no identity data with forged headers (every request
 * refused at the door), and neither sees nor requests pairing codes (Linux tells the peer's user from
 * /proc/net/tcp).
 */
const OTHER_USER = 'nhi-gw-other';
const canSwitchUser = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/sbin/useradd') && existsSync('/usr/sbin/runuser');

describe.skipIf(!canSwitchUser)('another OS user on the same host (needs root, useradd and runuser)', () => {
  it('cannot read the token file and reads no identity data', async () => {
    const run = promisify(execFile);
    await run('/usr/sbin/useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER_USER]).catch((error: { stderr?: string }) => {
      if (!/already exists/.test(error.stderr ?? '')) throw error;
    });
    const script = `
      const fs = require('node:fs');
      const out = { tokenRead: 'no', leaks: 0, statuses: [] };
      try { fs.readFileSync(process.argv[1] + '/token-simulator', 'utf8'); out.tokenRead = 'yes'; } catch (e) { out.tokenRead = e.code; }
      (async () => {
        for (const origin of [process.argv[3], process.argv[2], null]) {
          const headers = { 'content-type': 'application/json' };
          if (origin) headers.origin = origin;
          const r = await fetch(process.argv[2] + '/graphql', { method: 'POST', headers, body: JSON.stringify({ query: process.argv[4] }) });
          const text = await r.text();
          out.statuses.push(r.status);
          if (text.includes('A123456789')) out.leaks++;
        }
        // A pairing code is pending (asked below by this user's page): another user must not see it.
        const status = await fetch(process.argv[2] + '/status');
        out.statusShowsCode = (await status.text()).includes('pairing-code');
        out.pairingJson = (await fetch(process.argv[2] + '/status/pairing')).status;
        out.pair = (await fetch(process.argv[2] + '/pair', { method: 'POST', headers: { origin: process.argv[3], 'content-type': 'application/json' }, body: '{}' })).status;
        console.log(JSON.stringify(out));
      })();`;
    const pending = await fetch(`${base}/pair`, { method: 'POST', headers: { origin: hisOrigin, 'content-type': 'application/json' }, body: '{}' });
    expect(pending.status).toBe(202);
    expect(await (await fetch(`${base}/status`)).text()).toContain('pairing-code');
    let stdout: string;
    try {
      ({ stdout } = await run('/usr/sbin/runuser', ['-u', OTHER_USER, '--', process.execPath, '-e', script, dataDir, base, hisOrigin, READ], { cwd: '/' }));
    } finally {
      await run('/usr/sbin/userdel', [OTHER_USER]).catch(() => undefined);
    }
    const result = JSON.parse(stdout.trim()) as { tokenRead: string; leaks: number; statuses: number[]; statusShowsCode: boolean; pairingJson: number; pair: number };
    expect(result.tokenRead).toBe('EACCES');
    expect(result).toMatchObject({ statusShowsCode: false, pairingJson: 403, pair: 403 });
    // Turned away at the door as another OS user (before any token rule), over every Origin.
    expect(result.statuses).toEqual([403, 403, 403]);
    expect(result.leaks).toBe(0);
  });
});

describe('files after a visit', () => {
  it('keeps the data folder 0700 and every file 0600, with the idempotency key only hashed', async () => {
    const key = 'visit-A123456789-local-attacker';
    const visit = await gql(
      'mutation ($k: String) { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT, idempotencyKey: $k }) { __typename } }',
      { authorization: `Bearer ${token}` },
      { k: key },
    );
    expect(visit.body.data?.startVisit.__typename).toBe('Visit');
    const journal = join(dataDir, 'card-writes.jsonl-simulator');
    expect(readFileSync(journal, 'utf8')).not.toContain('A123456789');
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'logs')).mode & 0o777).toBe(0o700);
    const files = [
      journal,
      `${journal}.key`,
      join(dataDir, 'token-simulator'),
      join(dataDir, 'logs', 'audit.log'),
      join(dataDir, 'logs', 'gateway.log'),
      ...(existsSync(join(dataDir, 'pairings.json-simulator')) ? [join(dataDir, 'pairings.json-simulator')] : []),
    ];
    for (const file of files) expect(statSync(file).mode & 0o777, file).toBe(0o600);
  });
});
