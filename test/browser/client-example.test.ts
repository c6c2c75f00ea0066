/**
 * The client kit's registration-desk example in a real browser (Debian's chromium via playwright-core), bundled
 * by esbuild and served next to a simulator gateway: one whole visit clicked through (insert test card → read →
 * register → treatment ID → write), a typed error shown with its catalogue text, and no request off loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExampleServer, type ExampleServer } from '../../client/examples/registration-desk/serve.ts';
import { chromiumInstalled, chromiumPending, launchBrowser, type Browser } from './browser.ts';

describe.skipIf(!chromiumInstalled)(`client kit: registration-desk example in chromium${chromiumPending}`, () => {
  let example: ExampleServer;
  let browser: Browser;

  beforeAll(async () => {
    example = await startExampleServer({ port: 0, networkLatencyMs: 0 });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await example?.close();
  });

  it('clicks through one visit: read card → start visit → treatment ID → write treatment', async () => {
    const page = await browser.newPage({ width: 1200, height: 900 });
    const consoleErrors: string[] = [];
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(example.pageUrl);
    await page.locator('#backend', { hasText: 'simulator' }).waitFor();

    // reading before a card is in shows the typed error with the catalogue's zh-TW text and hint
    await page.click('[data-testid="read"]');
    const error = page.locator('#read-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/未插入健保卡.*HEALTH_CARD_NOT_INSERTED \/ 4013/);
    expect(await error.textContent()).toContain('請將病患的健保卡');

    await page.click('[data-testid="sim-insert"]');
    await page.locator('[data-testid="light-HEALTH_CARD"][data-colour="BROWN"]').waitFor();
    await page.click('[data-testid="read"]');
    const card = page.locator('[data-testid="card-result"]');
    await card.waitFor();
    expect(await card.textContent()).toMatch(/身分證號 ID[A-Z]\d{9}/);
    expect(await error.isHidden()).toBe(true);
    await page.locator('[data-testid="light-HEALTH_CARD"][data-colour="GREEN"]').waitFor();

    await page.click('[data-testid="start"]');
    const visit = page.locator('[data-testid="visit-result"]');
    await visit.waitFor();
    const visitText = (await visit.textContent()) ?? '';
    expect(visitText).toMatch(/就醫序號 Seq no\.\d{4}/);
    const treatmentId = /就醫識別碼 Treatment ID(\S{20})/.exec(visitText)?.[1];
    expect(treatmentId).toBeDefined();

    await page.click('[data-testid="tid"]');
    const tid = page.locator('[data-testid="tid-result"]');
    await tid.waitFor();
    expect(await tid.textContent()).toContain(treatmentId!);

    await page.click('[data-testid="write"]');
    const written = page.locator('[data-testid="write-result"]');
    await written.waitFor();
    expect(await written.textContent()).toContain('1.16 + 1.17');
    expect(await page.locator('[data-testid="log"] li').count()).toBeGreaterThanOrEqual(6);
    await browser.screenshot(page, 'client-example-visit');

    expect(consoleErrors).toEqual([]);
    expect(browser.offLoopback).toEqual([]);
    await page.close();
  });
});
