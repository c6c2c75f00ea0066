/**
 * /metrics scraped from a running gateway (a real process, started as `npm start` starts it) during a
 * visit, on the simulator and on the native CSHIS fixture: the exposition parses strictly (Prometheus text
 * format 0.0.4), the card operations and control-software calls of the visit moved, a subscription shows
 * while open, and no label holds the patient's ID number, name or card number.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/free-port.ts';
import { readSseEvents } from '../../helpers/sse.ts';
import { allLabelValues, parsePrometheusText, sampleValue, type MetricFamily } from '../../helpers/prometheus-text.ts';
import { ensureFixtureBuilt, FIXTURE_SO } from '../cshis/helpers.ts';
import { SIMULATED_PATIENTS } from '../../../src/adapters/simulator/patients.ts';

const ROOT = join(import.meta.dirname, '../../..');
const STARTUP_MS = 60_000;

interface Gateway {
  readonly url: string;
  readonly token: string;
  readonly child: ChildProcess;
  output(): string;
}

const running: { child: ChildProcess; dir: string }[] = [];

afterEach(async () => {
  for (const { child, dir } of running.splice(0)) {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

async function startGateway(args: string[], env: Record<string, string> = {}): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'metrics-'));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/main.ts'), '--port', String(port), '--log-dir', join(dir, 'logs'), ...args],
    { cwd: ROOT, env: { ...process.env, NHI_GATEWAY_DATA_DIR: join(dir, 'data'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.push({ child, dir });
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}:\n${log}`);
    if (Date.now() - started > STARTUP_MS) throw new Error(`the gateway did not answer /health:\n${log}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok && /Ctrl\+C to stop/.test(log)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // The banner names the token file (the simulator keeps its own, in the data folder).
  const tokenFile = /^\s+token:\s+(\S+)/m.exec(log)?.[1];
  if (!tokenFile) throw new Error(`no token file in the banner:\n${log}`);
  return { url, token: readFileSync(tokenFile, 'utf8').trim(), child, output: () => log };
}

async function gql(gateway: Gateway, query: string): Promise<Record<string, any>> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.token}` },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

async function scrape(gateway: Gateway): Promise<Map<string, MetricFamily>> {
  const response = await fetch(`${gateway.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

/** An open lightStateChanged subscription over SSE; resolves once its first event arrived. */
async function openLightSubscription(gateway: Gateway): Promise<AbortController> {
  const controller = new AbortController();
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: 'subscription { lightStateChanged { healthCard { level } } }' }),
    signal: controller.signal,
  });
  const events = readSseEvents(response.body!);
  await events.next();
  return controller;
}

/** What must never be in a label: every simulated patient's ID number, card number and name, and their shapes. */
function expectNoPersonalData(families: Map<string, MetricFamily>, personal: readonly string[]): void {
  const values = allLabelValues(families);
  expect(values.length).toBeGreaterThan(0);
  for (const value of values) {
    for (const secret of personal) expect(value).not.toContain(secret);
    expect(value).not.toMatch(/[A-Z][12]\d{8}/); // an ID number
    expect(value).not.toMatch(/\d{12}/); // a card number
    expect(value).not.toMatch(/[\u4e00-\u9fff]/); // a Chinese name
  }
}

const VISIT = `mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) {
  __typename ... on Visit { seqNumber } ... on Error { code } } }`;

const PERSONAL = SIMULATED_PATIENTS.flatMap((p) => [p.idNumber, p.cardNumber, p.name]);

describe('/metrics on a running simulator gateway', () => {
  it('shows the card operations of a visit, an open subscription, readiness and lights, with no personal data', async () => {
    const gateway = await startGateway(['--backend', 'simulator']);
    const before = await scrape(gateway);
    expect(sampleValue(before, 'nhi_gateway_build_info', { backend: 'simulator', version: '0.1.0' })).toBe(1);
    expect(sampleValue(before, 'nhi_gateway_ready')).toBe(1);
    expect(sampleValue(before, 'nhi_gateway_card_operations_total', { operation: 'basicData', result: 'OK' })).toBe(0);
    // The simulator has no call queue: no made-up idle queue either.
    expect(before.has('nhi_gateway_control_software_queue_depth')).toBe(false);

    await gql(gateway, 'mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    const subscription = await openLightSubscription(gateway);
    const basic = await gql(gateway, '{ healthCard { basicData { __typename ... on BasicData { idNumber } } } }');
    expect(basic['healthCard'].basicData.__typename).toBe('BasicData');
    const visit = (await gql(gateway, VISIT))['startVisit'];
    expect(visit.__typename).toBe('Visit');
    const during = await scrape(gateway);
    subscription.abort();

    expect(sampleValue(during, 'nhi_gateway_card_operations_total', { operation: 'basicData', result: 'OK' })).toBe(1);
    expect(sampleValue(during, 'nhi_gateway_card_operations_total', { operation: 'startVisit', result: 'OK' })).toBe(1);
    expect(sampleValue(during, 'nhi_gateway_control_software_calls_total', { function: 'hisGetBasicData', rc: '0' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(during, 'nhi_gateway_control_software_call_duration_seconds_count', { function: 'hisGetBasicData' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(during, 'nhi_gateway_control_software_call_duration_seconds_bucket', { function: 'hisGetBasicData', le: '+Inf' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(during, 'nhi_gateway_subscriptions_open')).toBe(1);
    expect(sampleValue(during, 'nhi_gateway_light_level', { slot: 'HEALTH_CARD' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(during, 'nhi_gateway_journal_unresolved_writes')).toBe(0);
    expectNoPersonalData(during, [...PERSONAL, basic['healthCard'].basicData.idNumber]);

    await expect.poll(async () => sampleValue(await scrape(gateway), 'nhi_gateway_subscriptions_open')).toBe(0);
  }, 120_000);

  it('refuses a cross-site page and answers only GET/HEAD', async () => {
    const gateway = await startGateway(['--backend', 'simulator']);
    const crossSite = await fetch(`${gateway.url}/metrics`, { headers: { origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect((await fetch(`${gateway.url}/metrics`, { method: 'POST' })).status).toBe(405);
  }, 120_000);
});

describe('/metrics on a running cshis gateway over the native fixture', () => {
  it('shows the visit as CSHIS calls with return codes, the call queue and the lights', async () => {
    ensureFixtureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'metrics-ini-'));
    const ini = join(dir, 'csdll.ini');
    writeFileSync(ini, '[CS]\r\nREADER=PC/SC\r\nCOM=COMX1\r\n');
    try {
      const gateway = await startGateway(['--backend', 'cshis', '--cshis-path', FIXTURE_SO, '--csdll-ini', ini], { CSHIS_FIXTURE_INSERT_CARD: '1' });
      const basic = await gql(gateway, '{ healthCard { basicData { __typename ... on BasicData { idNumber cardNumber name { text } } } } }');
      expect(basic['healthCard'].basicData.__typename).toBe('BasicData');
      const visit = (await gql(gateway, VISIT))['startVisit'];
      expect(visit.__typename).toBe('Visit');
      const after = await scrape(gateway);

      expect(sampleValue(after, 'nhi_gateway_build_info', { backend: 'cshis' })).toBe(1);
      expect(sampleValue(after, 'nhi_gateway_card_operations_total', { operation: 'basicData', result: 'OK' })).toBe(1);
      expect(sampleValue(after, 'nhi_gateway_card_operations_total', { operation: 'startVisit', result: 'OK' })).toBe(1);
      expect(sampleValue(after, 'nhi_gateway_control_software_calls_total', { function: 'hisGetBasicData', rc: '0' })).toBe(1);
      const visitCalls = ['hisGetSeqNumber256N1', 'hisGetSeqNumber256'].map((fn) =>
        sampleValue(after, 'nhi_gateway_control_software_calls_total', { function: fn, rc: '0' }),
      );
      expect(visitCalls.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(1);
      expect(after.get('nhi_gateway_control_software_queue_depth')?.samples).toEqual([
        { name: 'nhi_gateway_control_software_queue_depth', labels: {}, value: 0 },
      ]);
      expect(sampleValue(after, 'nhi_gateway_control_software_stuck')).toBe(0);
      expect(sampleValue(after, 'nhi_gateway_light_level', { slot: 'HEALTH_CARD' })).toBeGreaterThanOrEqual(1);
      const card = basic['healthCard'].basicData;
      expectNoPersonalData(after, [...PERSONAL, card.idNumber, card.cardNumber, card.name.text]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
