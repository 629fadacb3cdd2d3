// Starts headless Chromium (Debian's, as root) with the flags this machine needs, on a fresh profile.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BASE_URL = process.env.PLAYGROUND_URL;
if (!BASE_URL) {
  throw new Error('PLAYGROUND_URL is not set: run the browser tests through `cargo xtask test`');
}

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Launches Chromium on a fresh user-data-dir; `close()` removes it again. */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'sfn-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the playground and collects the page's errors (an uncaught error or a wasm panic fails a test). */
export async function openPlayground(context, query = '') {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(BASE_URL + query);
  return { page, errors };
}
