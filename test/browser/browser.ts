/**
 * Real-browser helpers: Debian's chromium (never a downloaded browser) driven by playwright-core, a fresh
 * profile per run, and a guard that records and blocks any request leaving loopback.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** The browser tests need `apt-get install -y chromium`; without it they are reported as skipped. */
export const chromiumInstalled = existsSync(CHROMIUM_PATH);
/** Appended to a skipped suite's name, so the skip report (test/support/fail-on-skip.ts) says why. */
export const chromiumPending = chromiumInstalled ? '' : ` — PENDING: ${CHROMIUM_PATH} not installed (apt-get install -y chromium)`;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOT_DIR = join(ROOT, 'test-output', 'screenshots');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  /** Every URL the pages asked for that was not on loopback (blocked, and a test failure). */
  readonly offLoopback: string[];
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** Saves a PNG under test-output/screenshots/ and prints its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export function isLoopbackUrl(url: string): boolean {
  if (/^(data|about|blob):/.test(url)) return true;
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'nhi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: { width: 1100, height: 860 },
    locale: 'zh-TW',
    timezoneId: 'Asia/Taipei',
    // the stylesheet then skips its colour transition, so a computed colour is final, never mid-fade
    reducedMotion: 'reduce',
  });
  const offLoopback: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLoopbackUrl(url)) return route.continue();
    offLoopback.push(url);
    return route.abort('blockedbyclient');
  });
  context.on('page', (page) =>
    page.on('websocket', (ws) => {
      if (!isLoopbackUrl(ws.url().replace(/^ws/, 'http'))) offLoopback.push(ws.url());
    }),
  );
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    context,
    offLoopback,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      page.on('websocket', (ws) => {
        if (!isLoopbackUrl(ws.url().replace(/^ws/, 'http'))) offLoopback.push(ws.url());
      });
      return page;
    },
    async screenshot(page, name) {
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      console.log(`screenshot: ${path}`);
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
