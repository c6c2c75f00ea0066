/**
 * The status page in chromium over the PC/SC backend and the PC/SC test bed (pcscd + vsmartcard's vpcd and a
 * virtual NHI card, test/pcsc): the readers pcscd offers appear, and inserting and removing the virtual card
 * turns that reader's light and the health-card light brown and back to white; opened with another card and an
 * NHI card already in two readers, the page names the NHI card's session (each reader reports its own). Pending where pcscd is not
 * installed (as the PC/SC suite itself).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createPcscServices, type PcscRunningServices } from '../helpers/pcsc-services.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { READERS, acquireTestBed, pcscdMissing, type TestBed } from '../pcsc/test-bed.ts';
import { chromiumInstalled, chromiumPending, launchBrowser, type Browser } from './browser.ts';
import { STATUS_SESSION } from '../../src/status/labels.ts';

const short = (session: string) => `#${session.slice(-STATUS_SESSION.shownCharacters)}`;

const TOKEN = 'status-pcsc-test-token-0123456789abcdefg';

const BED_WAIT_MS = 240_000;

const pending = `${chromiumPending}${pcscdMissing() ? ` — PENDING: ${pcscdMissing()}` : ''}`;

describe.skipIf(!chromiumInstalled || pcscdMissing() !== null)(`status page in chromium over PC/SC with a virtual card${pending}`, () => {
  let bed: TestBed;
  let services: PcscRunningServices;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    // The bed is one per machine: other PC/SC suites may hold it for a while (acquireTestBed waits).
    bed = await acquireTestBed(BED_WAIT_MS);
    await bed.startPcscd();
    services = createPcscServices({ watcher: { backoff: { initialMs: 50, maxMs: 250 } } });
    server = await startServer({ yoga: createApp(services, { graphiql: false, security: { token: TOKEN } }), host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
  }, BED_WAIT_MS + 30_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close(100);
    await services?.[Symbol.asyncDispose]();
    await bed?.dispose();
  });

  it('shows the virtual card going in and out', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/status`);
    await page.locator('#connection[data-state="live"]').waitFor();
    const reader = page.locator(`[data-testid="readers"] li[data-reader-id="pcsc:${READERS[0]}"]`);
    await reader.and(page.locator('[data-colour="WHITE"]')).waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="readers"] li[data-reader-id]').count()).toBe(READERS.length);

    const card = await bed.insertCard();
    await reader.and(page.locator('[data-colour="BROWN"]')).waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="light-HEALTH_CARD"][data-colour="BROWN"]').waitFor();
    await page.locator('[data-testid="events"] li[data-kind="CARD_INSERTED"]').waitFor();
    await browser.screenshot(page, 'status-pcsc-virtual-card');

    await card.remove();
    await reader.and(page.locator('[data-colour="WHITE"]')).waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="light-HEALTH_CARD"][data-colour="WHITE"]').waitFor();
    expect(browser.offLoopback).toEqual([]);
    await page.close();
  });

  it('opened with another card in 00 00 and an NHI card in 00 01: shows the NHI card\'s session', async () => {
    const other = await bed.insertCard({ slot: 0, unknown: true });
    const nhi = await bed.insertCard({ slot: 1 });
    try {
      const cards = () => services.watcher.readers().map((r) => r.card);
      while (!(cards()[0]?.kind === 'OTHER' && cards()[1]?.kind === 'NHI_CARD')) await new Promise((r) => setTimeout(r, 20));
      const [otherSession, nhiSession] = cards().map((c) => c!.session!) as [string, string];
      const page = await browser.newPage();
      await page.goto(`${server.url}/status`);
      // Each reader names its own card (Reader.cardSession); the slot's line shows the card whose light is on.
      const shown = page.locator(`[data-testid="card-session-HEALTH_CARD"][data-session="${short(nhiSession)}"]`);
      await shown.waitFor({ timeout: 10_000 });
      expect(short(otherSession)).not.toBe(short(nhiSession));
      await page.close();
    } finally {
      await other.remove();
      await nhi.remove();
    }
  }, 60_000);
});
