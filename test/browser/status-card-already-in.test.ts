/**
 * A card already in the reader when /status opens (issue 15): the page names its session from the public
 * `readers { cardSession }` it loads, before any reader event — in Chromium (playwright-core,
 * /usr/bin/chromium). The page has no token; the field is public (src/security/access-policy.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../src/services.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { STATUS_SESSION } from '../../src/status/labels.ts';
import { chromiumInstalled, chromiumPending, launchBrowser, type Browser } from './browser.ts';

const TOKEN = 'status-card-already-in-token-0123456789';
const short = (session: string) => `#${session.slice(-STATUS_SESSION.shownCharacters)}`;

describe.skipIf(!chromiumInstalled)(`status page with a card already in, in chromium${chromiumPending}`, () => {
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

  it('inserted before the page opened: its session shows from the first load', async () => {
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
