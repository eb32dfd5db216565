/**
 * Headless Chromium for the browser-app tests (flags from ARCHITECTURE.md: fake microphone, loopback WebRTC).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { DIST, type StandIn, startStandIn } from '../support/web-stand-in.ts';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** One headless Chromium for a test file; give each test its own `newContext()` (fresh storage). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ARGS });
}

/** The tests run against the built files; say how to make them when they are missing. */
export function requireBuild(): void {
  const marker = path.join(DIST, '.built');
  if (!existsSync(marker) || statSync(marker).size === 0 || !existsSync(path.join(DIST, 'widget.js'))) {
    throw new Error('web-softphone/dist is not built: run `npm run build:web` first (npm test does it for you)');
  }
}

/**
 * For a test file of a built page against a stand-in: one Chromium for the file, and for each test a fresh stand-in
 * server and browser context with a page, handed to `use` before the test (and closed after it).
 */
export function pageWithStandIn(use: (t: { server: StandIn; context: BrowserContext; page: Page }) => void): void {
  let browser: Browser;
  let current: { server: StandIn; context: BrowserContext; page: Page } | undefined;
  beforeAll(async () => {
    requireBuild();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    const server = await startStandIn();
    const context = await browser.newContext();
    current = { server, context, page: await context.newPage() };
    use(current);
  });
  afterEach(async () => {
    await current?.context.close();
    await current?.server.close();
    current = undefined;
  });
}
