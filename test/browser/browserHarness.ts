import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SHOTS = resolve('test-results', 'browser');

/** Debian's Chromium, headless, no network-y background services (see shared/docs/vscode-e2e.md). */
export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--allow-file-access-from-files'],
  });
}

/** Opens a panel bundle in the harness with a fake host; optional saved state simulates a reload. */
export async function openPanel(browser: Browser, bundle: string, savedState?: unknown): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { errors: string[] }).errors = errors;
  const url = new URL(pathToFileURL(resolve('test/browser/harness.html')).href);
  url.searchParams.set('bundle', bundle);
  if (savedState !== undefined) url.searchParams.set('state', JSON.stringify(savedState));
  await page.goto(url.href);
  await page.waitForFunction(() => (globalThis as unknown as { __posted: { method?: string }[] }).__posted.some((m) => m.method === 'panel/ready'));
  return page;
}

export async function send(page: Page, state: unknown): Promise<void> {
  await page.evaluate((s) => (globalThis as unknown as { __send(m: string, p: unknown): void }).__send('panel/state', s), state);
}

export async function posted(page: Page): Promise<{ kind: string; method: string; params: unknown }[]> {
  return page.evaluate(() => (globalThis as unknown as { __posted: { kind: string; method: string; params: unknown }[] }).__posted);
}
