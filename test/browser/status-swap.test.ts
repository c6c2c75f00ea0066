/**
 * The status page shows a card swap (issue 15): swapping health cards through the simulator's mutations, the
 * page in Chromium (playwright-core, /usr/bin/chromium) shows the card session end (CARD_REMOVED with the old
 * session) and a new one begin (CARD_INSERTED), by a short form of the session id only — never the whole id
 * (it is what a write is aimed with) nor anything about the patient. A card already in the reader when the page
 * opens shows at once (the public Reader.cardSession). Screenshots in test-output/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createApp } from '../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../src/services.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { STATUS_SESSION } from '../../src/status/labels.ts';
import { SIMULATED_PATIENTS } from '../../src/adapters/simulator/patients.ts';
import { chromiumInstalled, chromiumPending, launchBrowser, type Browser } from './browser.ts';

const TOKEN = 'status-swap-test-token-0123456789abcdef';
const short = (session: string) => `#${session.slice(-STATUS_SESSION.shownCharacters)}`;

describe.skipIf(!chromiumInstalled)(`status page shows card swaps in chromium${chromiumPending}`, () => {
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

  async function gql(query: string, token: string | null = TOKEN): Promise<any> {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  const cardSession = async (): Promise<string> => (await gql('{ healthCard { cardSession } }')).healthCard.cardSession;

  /** Waits until the health card's session on the page is `expected` ('' = no card). */
  async function shownSession(page: Page, expected: string): Promise<void> {
    await page.locator(`[data-testid="card-session-HEALTH_CARD"][data-session="${expected}"]`).waitFor({ timeout: 5000 });
  }

  it.each([320, 1280])('a swap at %i px: the old session removed, then the new one, by its short form', async (width) => {
    await gql('mutation { simulatorReset { __typename } }');
    const page = await browser.newPage({ width, height: 900 });
    await page.goto(`${server.url}/status`);
    await page.locator('#connection[data-state="live"]').waitFor();

    await gql('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    await gql('{ healthCard { basicData { __typename } } }');
    const first = await cardSession();
    expect(first).toMatch(/\S{8,}/);
    await shownSession(page, short(first));
    expect(await page.locator('[data-testid="card-session-HEALTH_CARD"]').textContent()).toContain(short(first));

    // The swap: another card goes in without a removal in between, as when a card is pulled and another pushed in.
    await gql('mutation { simulatorInsertHealthCard(input: { card: RARE_CHARACTER_NAME }) { __typename } }');
    const second = await cardSession();
    expect(second).not.toBe(first);
    expect(short(second)).not.toBe(short(first));
    await shownSession(page, short(second));
    await browser.screenshot(page, `status-swap-${width}px`);

    // Newest first: the new card's insertion, then the old card's removal, then the old card's own events.
    const events = await page.locator('[data-testid="events"] li[data-kind]').evaluateAll((items) =>
      items.map((li) => [li.getAttribute('data-kind'), li.getAttribute('data-session')]),
    );
    const removal = events.findIndex(([kind, session]) => kind === 'CARD_REMOVED' && session === short(first));
    const insertion = events.findIndex(([kind, session]) => kind === 'CARD_INSERTED' && session === short(second));
    expect(insertion).toBeGreaterThanOrEqual(0);
    expect(removal).toBeGreaterThan(insertion);
    expect(events.slice(removal + 1)).toContainEqual(['CARD_INSERTED', short(first)]);

    // Only the short forms reach the page: not the whole session ids, nor the patients' card or ID numbers.
    const text = (await page.locator('body').textContent()) ?? '';
    const html = await page.content();
    for (const secret of [first, second, ...SIMULATED_PATIENTS.flatMap((p) => [p.cardNumber, p.idNumber])]) {
      expect(text).not.toContain(secret);
      expect(html).not.toContain(secret);
    }

    // Removed: the page says no card.
    await gql('mutation { simulatorRemoveHealthCard { __typename } }');
    await shownSession(page, '');
    expect(await page.locator('[data-testid="card-session-HEALTH_CARD"]').textContent()).toMatch(/無卡片.*no card/);
    expect(await page.locator('[data-testid="events"] li[data-kind]').first().getAttribute('data-kind')).toBe('CARD_REMOVED');
    expect(await page.locator('[data-testid="events"] li[data-kind]').first().getAttribute('data-session')).toBe(short(second));

    // Still no sideways scroll with the session line at this width.
    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    expect(fits).toBe(true);
    await page.close();
    expect(browser.offLoopback).toEqual([]);
  });

  it('a card inserted before the page opened: its session shows from the first load', async () => {
    await gql('mutation { simulatorReset { __typename } }');
    await gql('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    const session: string = (await gql('{ healthCard { cardSession } }')).healthCard.cardSession;
    expect(session).toMatch(/\S{8,}/);
    // Without a token, as the page asks: the same opaque id, nothing else about the card.
    const readers = (await gql('{ readers { slot cardSession } }', null)).readers as Array<{ slot: string; cardSession: string | null }>;
    expect(readers).toEqual([
      { slot: 'HEALTH_CARD', cardSession: session },
      { slot: 'PROFESSIONAL_CARD', cardSession: null },
    ]);

    const page = await browser.newPage({ width: 1280, height: 900 });
    await page.goto(`${server.url}/status`);
    const shown = page.locator(`[data-testid="card-session-HEALTH_CARD"][data-session="${short(session)}"]`);
    await shown.waitFor({ timeout: 5000 });
    expect(await shown.textContent()).toContain(short(session));
    expect(await shown.textContent()).not.toContain(session);
    // No reader event brought it: the event list is still empty.
    expect(await page.locator('[data-testid="events"] li[data-kind]').count()).toBe(0);
    await page.close();
  });
});
