/**
 * The status page fits from 320 px up, as a HIS embeds it in a narrow side panel: no sideways scrolling, and no
 * reader's text running under the next reader. Chromium via playwright-core; screenshots in test-output/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createServices, type RunningServices } from '../../src/services.ts';
import { openSimulator } from '../../src/backends/simulator.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { chromiumInstalled, launchBrowser, type Browser } from './browser.ts';

const TOKEN = 'status-widths-test-token-0123456789abcdef';

describe.skipIf(!chromiumInstalled)('status page widths (needs chromium)', () => {
  let services: RunningServices;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const simulator = openSimulator({ networkLatencyMs: 0 });
    // Long reader names, as PC/SC readers are named on clinic PCs.
    const long = 'Generic Smart Card Reader Interface with a Very Long Vendor Name 00 00 (健保卡讀卡機)';
    services = createServices(
      {
        ...simulator,
        lights: {
          ...simulator.lights,
          readers: {
            HEALTH_CARD: { ...simulator.lights.readers.HEALTH_CARD, name: long },
            PROFESSIONAL_CARD: { ...simulator.lights.readers.PROFESSIONAL_CARD, name: `${long} 2` },
          },
        },
      },
      { strategy: 'N1' },
    );
    server = await startServer({ yoga: createApp(services, { graphiql: false, security: { token: TOKEN } }), host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close(100);
    await services?.[Symbol.asyncDispose]();
  });

  it.each([320, 420, 1280])('fits %i px wide with no sideways scroll and no overlapping readers', async (width) => {
    const page = await browser.newPage({ width, height: 900 });
    await page.goto(`${server.url}/status`);
    await page.locator('#readers li').first().waitFor({ timeout: 5000 });
    const layout = await page.evaluate(() => {
      const doc = document.documentElement;
      const readers = [...document.querySelectorAll('#readers li')].map((li) => {
        const r = li.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, overflow: li.scrollWidth - li.clientWidth };
      });
      return { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, readers };
    });
    await browser.screenshot(page, `status-${width}px`);
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth);
    expect(layout.readers.length).toBeGreaterThanOrEqual(2);
    for (const reader of layout.readers) {
      expect(reader.overflow).toBeLessThanOrEqual(0);
      expect(reader.right).toBeLessThanOrEqual(layout.clientWidth);
    }
    const [a, b] = layout.readers;
    const overlap = a!.left < b!.right && b!.left < a!.right && a!.top < b!.bottom && b!.top < a!.bottom;
    expect(overlap).toBe(false);
    await page.close();
  });
});
