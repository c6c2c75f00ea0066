/**
 * The status page in a real browser (Debian's chromium via playwright-core) against the gateway on the
 * simulator, on a real port: inserting, authenticating and removing cards moves the lights through the
 * console's colours, events are listed as they happen, the compact widget works inside a HIS page of another
 * origin, both transports work, and no request ever leaves loopback. Screenshots go to test-output/screenshots/.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createApp } from '../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../src/services.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { chromiumInstalled, chromiumPending, launchBrowser, type Browser } from './browser.ts';

/** The console colours as the stylesheet paints them (src/status/style.ts). */
const RGB = {
  WHITE: 'rgb(255, 255, 255)',
  BROWN: 'rgb(138, 90, 43)',
  GREEN: 'rgb(30, 155, 82)',
  ORANGE: 'rgb(239, 138, 23)',
  PURPLE: 'rgb(198, 164, 234)',
} as const;

const TOKEN = 'status-page-test-token-0123456789abcdef';

describe.skipIf(!chromiumInstalled)(`status page in chromium${chromiumPending}`, () => {
  let services: RunningServices;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    services = createSimulatorServices({ strategy: 'N1', simulator: { networkLatencyMs: 0 } });
    server = await startServer({ yoga: createApp(services, { graphiql: false, security: { token: TOKEN } }), host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close(100);
    await services?.[Symbol.asyncDispose]();
  });

  async function gql(query: string) {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  async function expectLight(page: Page, slot: string, level: number, colour: keyof typeof RGB, text: RegExp) {
    const light = page.locator(`[data-testid="light-${slot}"]`);
    await light.and(page.locator(`[data-level="${level}"][data-colour="${colour}"]`)).waitFor({ timeout: 5000 });
    expect(await light.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(RGB[colour]);
    expect(await light.textContent()).toContain(String(level));
    // colour is never the only signal: the label says it in words, in both languages
    expect(await page.locator(`[data-testid="light-text-${slot}"]`).textContent()).toMatch(text);
    expect(await light.getAttribute('aria-label')).toMatch(/[\u4e00-\u9fff].*\/ .*[a-z]/);
  }

  it('follows a card through white → brown → green → purple → white over graphql-ws', async () => {
    await gql('mutation { simulatorReset { __typename } }');
    const page = await browser.newPage();
    await page.goto(`${server.url}/status`);
    await page.locator('#connection[data-state="live"]').waitFor();
    expect(await page.getAttribute('body', 'data-transport')).toBe('graphql-ws');
    await expectLight(page, 'HEALTH_CARD', 0, 'WHITE', /白色・無卡片.*white · no card/);
    await expectLight(page, 'PROFESSIONAL_CARD', 0, 'WHITE', /無卡片/);
    await page.locator('[data-testid="ready-state"][data-ready="true"]').waitFor();
    expect(await page.locator('#gateway-backend').textContent()).toContain('simulator');
    await browser.screenshot(page, 'status-1-no-card');

    await gql('mutation { simulatorInsertHealthCard(card: STANDARD) { __typename } }');
    await expectLight(page, 'HEALTH_CARD', 1, 'BROWN', /褐色・已插入卡片.*brown · card inserted/);
    await page.locator('[data-testid="events"] li[data-kind="CARD_INSERTED"]').waitFor();
    // the per-reader list follows the same reader
    await page.locator('[data-testid="readers"] li[data-reader-id="simulator:health-card"][data-colour="BROWN"]').waitFor();
    await browser.screenshot(page, 'status-2-card-inserted');

    // reading the card authenticates it with the SAM (level 2)
    await gql('{ healthCard { basicData { __typename } } }');
    await expectLight(page, 'HEALTH_CARD', 2, 'GREEN', /綠色・已與安全模組完成認證/);
    await page.locator('[data-testid="events"] li[data-kind="CARD_AUTHENTICATED"]').waitFor();
    await browser.screenshot(page, 'status-3-authenticated');

    await gql('mutation { simulatorInsertProfessionalCard { __typename } }');
    await expectLight(page, 'PROFESSIONAL_CARD', 2, 'ORANGE', /橘色/);
    await gql('mutation { verifyProfessionalCardPin { __typename } }');
    await expectLight(page, 'PROFESSIONAL_CARD', 3, 'PURPLE', /淡紫色・醫療模式/);
    await expectLight(page, 'HEALTH_CARD', 3, 'PURPLE', /medical mode/);
    await browser.screenshot(page, 'status-4-medical-mode');

    await gql('mutation { simulatorRemoveHealthCard { __typename } }');
    await gql('mutation { simulatorRemoveProfessionalCard { __typename } }');
    await expectLight(page, 'HEALTH_CARD', 0, 'WHITE', /無卡片/);
    await expectLight(page, 'PROFESSIONAL_CARD', 0, 'WHITE', /無卡片/);
    expect(await page.locator('[data-testid="events"] li[data-kind="CARD_REMOVED"]').count()).toBe(2);
    // the screen reader announcement followed the last change
    expect(await page.locator('#announcer').textContent()).toMatch(/無卡片.*no card/);
    expect(await page.locator('[data-testid="last-error"]').textContent()).toMatch(/無.*None/);
    await browser.screenshot(page, 'status-5-removed');
    await page.close();
    expect(browser.offLoopback).toEqual([]);
  });

  it('works over SSE (fetch streaming) too', async () => {
    await gql('mutation { simulatorReset { __typename } }');
    const page = await browser.newPage();
    await page.goto(`${server.url}/status?transport=sse`);
    await page.locator('#connection[data-state="live"]').waitFor();
    expect(await page.getAttribute('body', 'data-transport')).toBe('SSE');
    await expectLight(page, 'HEALTH_CARD', 0, 'WHITE', /無卡片/);
    await gql('mutation { simulatorInsertHealthCard(card: STANDARD) { __typename } }');
    await expectLight(page, 'HEALTH_CARD', 1, 'BROWN', /已插入卡片/);
    await gql('mutation { simulatorRemoveHealthCard { __typename } }');
    await expectLight(page, 'HEALTH_CARD', 0, 'WHITE', /無卡片/);
    await page.close();
    expect(browser.offLoopback).toEqual([]);
  });

  it('embeds as a compact widget in a HIS page of another origin', async () => {
    await gql('mutation { simulatorReset { __typename } }');
    // a "HIS" on another loopback port, using only the one-line widget script
    const his: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="zh-Hant-TW"><head><meta charset="utf-8"><title>掛號櫃台 HIS</title>
<style>body{font-family:sans-serif;margin:24px;background:#fafafa} header{display:flex;justify-content:space-between;align-items:flex-start}</style></head>
<body><header><h1>某某診所 掛號系統</h1><div id="reader-status"></div></header>
<script src="${server.url}/status/widget.js" data-target="#reader-status" async></script></body></html>`);
    });
    await new Promise<void>((resolve) => his.listen(0, '127.0.0.1', resolve));
    try {
      const page = await browser.newPage({ width: 1000, height: 300 });
      await page.goto(`http://127.0.0.1:${(his.address() as AddressInfo).port}/`);
      const frame = page.frameLocator('iframe[data-nhi-gateway-status]');
      await frame.locator('#connection[data-state="live"]').waitFor();
      expect(await frame.locator('body').getAttribute('class')).toBe('embed');
      await gql('mutation { simulatorInsertHealthCard(card: STANDARD) { __typename } }');
      await frame.locator('[data-testid="light-HEALTH_CARD"][data-colour="BROWN"]').waitFor();
      await gql('{ healthCard { basicData { __typename } } }');
      await frame.locator('[data-testid="light-HEALTH_CARD"][data-colour="GREEN"]').waitFor();
      expect(await frame.locator('#last-event').textContent()).toMatch(/健保卡：卡片完成認證/);
      await browser.screenshot(page, 'status-6-widget-in-his-page');
      await page.close();
    } finally {
      his.closeAllConnections();
      await new Promise<void>((resolve) => his.close(() => resolve()));
      await gql('mutation { simulatorReset { __typename } }');
    }
    expect(browser.offLoopback).toEqual([]);
  });
});
