/**
 * Headless Chromium for end-to-end tests, driven with playwright-core (no bundled browser:
 * it uses the system Chromium, /usr/bin/chromium, installed by `scripts/setup.sh --test`).
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

import { repoRoot } from './media';
import { installProbe } from './page-probe';

/** Chromium binary (override with CHROMIUM_PATH). */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** Where screenshots and other test artifacts go. */
export const artifactsDir = path.join(repoRoot, 'test-artifacts');

/** Launches headless Chromium. `extraArgs` are appended to the standard flags. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs, ...extraArgs],
  });
}

export interface PageLog {
  /** console messages of type error, and uncaught page errors */
  errors: string[];
  /** every console message, as "type: text" */
  console: string[];
}

const logs = new WeakMap<Page, PageLog>();

/** Console output collected for a page opened with openPlayer. */
export function pageLog(page: Page): PageLog {
  return logs.get(page) ?? { errors: [], console: [] };
}

/**
 * Opens the JIT player page `${baseUrl}/?autoconnect=0` in a new page (own context), with the
 * test's probe installed before the page's script runs (`window.probe`, test/support/page-probe.ts;
 * the page itself has no test interface). Connect from the test with connect() of ./player, or
 * `page.evaluate(() => probe.connect())`. Console errors and page errors are collected: see pageLog(page).
 */
export async function openPlayer(browser: Browser, baseUrl: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const log: PageLog = { errors: [], console: [] };
  logs.set(page, log);
  page.on('console', (msg: ConsoleMessage) => {
    log.console.push(`${msg.type()}: ${msg.text()}`);
    if (msg.type() === 'error') log.errors.push(msg.text());
  });
  page.on('pageerror', (err: Error) => log.errors.push(`pageerror: ${err.message}`));
  await page.addInitScript(installProbe);
  await page.goto(`${baseUrl.replace(/\/+$/, '')}/?autoconnect=0`);
  await page.waitForSelector('video', { state: 'attached' });
  return page;
}

/** Saves a full-page screenshot as `<repo>/test-artifacts/<name>.png`; returns the path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/\.png$/i, '');
  const file = path.join(artifactsDir, `${safe}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
