// Starts headless Chromium (Debian's, as root) with the flags this machine needs, on a fresh profile.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
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

/**
 * Opens the playground and collects the page's errors (an uncaught error or a wasm panic fails a test).
 * The page autosaves to localStorage, shared by the pages of a context: unless `keepStorage` is set,
 * the new tab starts from an empty storage (cleared once, before its first load; reloads keep it).
 */
export async function openPlayground(context, query = '', { keepStorage = false } = {}) {
  const page = await context.newPage();
  if (!keepStorage) {
    await page.addInitScript(() => {
      try {
        if (!sessionStorage.getItem('sfn-test-started')) {
          sessionStorage.setItem('sfn-test-started', '1');
          localStorage.clear();
        }
      } catch (e) { /* about:blank has no storage */ }
    });
  }
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(BASE_URL + query);
  return { page, errors };
}

/** The shown editor tab's view (each tab has its own: a scroller with a gutter and a textarea over the drawn lines). */
export const EDITOR = '#pane-definition .ed:not([hidden])';
/** The shown tab's textarea, where the focus is while one types. */
export const EDITOR_INPUT = `${EDITOR} .ed-input`;

/** The text of the editor's shown tab, read from the editor (what a person sees). */
export async function editorText(page) {
  await page.locator(EDITOR_INPUT).waitFor({ timeout: 15000 });
  return page.evaluate(() => window.SfnEditor.text());
}

/** Clicks into the shown editor tab, near its top left (its first line, wherever it is scrolled to). */
export async function clickEditor(page) {
  const gutter = await page.locator(`${EDITOR} .ed-gutter`).boundingBox();
  await page.locator(EDITOR).click({ position: { x: gutter.width + 60, y: 8 } });
}

/** Replaces the shown tab's text as a person would: click into it, select all, type (paste) the text. */
export async function typeInEditor(page, text) {
  await clickEditor(page);
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(text);
}

/** The 1-based line of the editor's cursor. */
export async function cursorLine(page) {
  return page.evaluate(() => window.SfnEditor.cursorLine());
}

/** Opens the editor tab labelled `label` ("Definition", "Input", "Mocks", "λ Name") and waits until the editor shows it. */
export async function openTab(page, label) {
  await page.locator('#pane-definition .tab', { hasText: label }).first().click();
  const fixed = { Definition: 'definition', Input: 'input', Mocks: 'mocks' };
  const key = fixed[label] ?? `fn:${label.replace(/^λ /, '')}`;
  await page.waitForFunction((k) => window.SfnEditor?.tab() === k, key, { timeout: 5000 });
}

/** Runs the open workspace and waits until it has ended; the status badge's text. */
/** Replaces the shown editor tab's text by pasting, as a person brings a big document in. */
export async function paste(page, tab, text) {
  await openTab(page, tab);
  await clickEditor(page);
  await page.keyboard.press('ControlOrMeta+a');
  await page.evaluate(([t, input]) => {
    const data = new DataTransfer();
    data.setData('text/plain', t);
    document.querySelector(input)
      .dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, [text, EDITOR_INPUT]);
}

export async function runToEnd(page) {
  await page.click('#run');
  await page.waitForFunction(() => {
    const s = document.querySelector('#status')?.textContent;
    return s && !['RUNNING', 'NOT RUN'].includes(s);
  }, null, { timeout: 30000 });
  return page.textContent('#status');
}

/** Chooses an item of the Export menu (which then closes) and returns the downloaded file's name and text. */
export async function exportText(page, id) {
  await page.click('#export-menu summary');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#export-${id}`)]);
  assert.equal(await page.locator('#export-menu[open]').count(), 0, 'the menu closes');
  return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') };
}

/** Makes the share link of the open workspace. */
export async function shareLink(page) {
  await page.click('#share');
  const input = page.locator('#share-link');
  await input.waitFor();
  return input.inputValue();
}

