// Share links: every gallery example survives a link (same definition, same run history), the seed
// example's link is short, a damaged link is refused without touching the workspace, and the
// TypeScript playground's lz-string links open too. Code from a link runs only on Run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, openPlayground, editorText, runToEnd, exportText, shareLink, paste, BASE_URL } from './browser.mjs';

const examplesDir = new URL('../../examples/', import.meta.url);
const index = JSON.parse(readFileSync(new URL('index.json', examplesDir), 'utf8'));

let browser;
let recipient; // another person's browser: its own storage
before(async () => { browser = await launch(); recipient = await launch(); });
after(async () => { await browser?.close(); await recipient?.close(); });

test('the seed example\'s share link is under 2,000 characters and shown with its length', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await page.locator('#pane-definition .ed-input').first().waitFor();
  const link = await shareLink(page);
  assert.match(link, /#w1\.[A-Za-z0-9_-]+$/);
  assert.ok(link.startsWith(BASE_URL), link);
  console.log(`seed example's share link: ${link.length} characters`);
  assert.ok(link.length < 2000, `${link.length} characters`);
  assert.match(await page.locator('#share-box').innerText(), new RegExp(`${link.length} characters`));
  assert.deepEqual(errors, []);
});

/** How many Lambda modules the page's Workers hold (bare Workers, started ahead of Run, hold none). */
async function modulesLoaded(page) {
  let n = 0;
  for (const w of page.workers()) n += await w.evaluate(() => (typeof self.loadedModules === 'function' ? self.loadedModules() : 0)).catch(() => 0);
  return n;
}

test('code from a link never runs before Run, and then only in a Worker (bare Workers may wait ahead)', async () => {
  const { page, errors } = await openPlayground(browser.context);
  // A function whose module's top level leaves a trace where it runs, and says when it ran.
  const probe = `globalThis.probeLoadedAt = Date.now();
console.log('module loaded at ' + globalThis.probeLoadedAt);
exports.handler = async (event) => ({ ...event, inStock: true });
`;
  await paste(page, 'λ CheckInventory', probe);
  const link = await shareLink(page);

  const other = await openPlayground(recipient.context);
  await other.page.goto('about:blank');
  await other.page.goto(link);
  await other.page.locator('#notice').waitFor();
  // The page starts bare Workers when it is idle: wait for them, so the check below looks into them.
  for (let i = 0; i < 100 && other.page.workers().length < 3; i++) await other.page.waitForTimeout(50);
  assert.ok(other.page.workers().length >= 3, 'bare Workers wait for Run');
  assert.equal(await other.page.evaluate(() => globalThis.probeLoadedAt), undefined, 'the page never runs the code');
  for (const w of other.page.workers()) {
    assert.equal(await w.evaluate(() => globalThis.probeLoadedAt), undefined, 'no Worker ran the code before Run');
  }
  assert.equal(await modulesLoaded(other.page), 0, 'no Worker was given the code before Run');

  const clicked = Date.now();
  assert.equal(await runToEnd(other.page), 'SUCCEEDED');
  assert.equal(await other.page.evaluate(() => globalThis.probeLoadedAt), undefined, 'not in the page either after Run');
  await other.page.click('#view-logs');
  const loadedAt = Number((await other.page.locator('.logs').innerText()).match(/module loaded at (\d+)/)?.[1]);
  assert.ok(loadedAt >= clicked, `the module ran after the click on Run (${loadedAt - clicked} ms after)`);
  assert.deepEqual(errors, []);
  assert.deepEqual(other.errors, []);
  await other.page.close();
});

test('every gallery example survives its share link: same definition, same run history', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const other = await openPlayground(recipient.context);
  for (const example of index) {
    await page.selectOption('#gallery', example.slug);
    const status = await runToEnd(page);
    const history = JSON.parse((await exportText(page, 'history')).text);
    const link = await shareLink(page);
    await page.click('#share-box .close');
    const definition = await editorText(page);

    // Opened in another tab: a new workspace with the same content, not run yet.
    await other.page.goto('about:blank');
    await other.page.goto(link);
    await other.page.locator('#notice').waitFor();
    assert.match(await other.page.locator('#notice').innerText(), /as a new workspace|already have/, example.slug);
    assert.equal(await other.page.textContent('#status'), 'NOT RUN', `${example.slug}: nothing ran before Run`);
    assert.equal(await modulesLoaded(other.page), 0, `${example.slug}: no Worker has the link's code before Run`);
    assert.equal(await editorText(other.page), definition, example.slug);
    assert.equal(await runToEnd(other.page), status, example.slug);
    const again = JSON.parse((await exportText(other.page, 'history')).text);
    // The seed and the virtual clock's start travel with the workspace: nothing differs, timestamps included.
    assert.deepEqual(again, history, example.slug);
    // The link was consumed: the address no longer holds it.
    assert.equal(new URL(other.page.url()).hash, '', example.slug);
  }
  assert.deepEqual(errors, []);
  assert.deepEqual(other.errors, []);
});

test('a corrupted or truncated link is refused with a message and the workspace is untouched', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await page.selectOption('#gallery', 'parallel-checks');
  await page.fill('#ws-name', 'Mine');
  await page.dispatchEvent('#ws-name', 'change');
  const link = await shareLink(page);
  const [base, data] = link.split('#w1.');
  const mid = Math.floor(data.length / 2);
  const flipped = data.slice(0, mid) + (data[mid] === 'A' ? 'B' : 'A') + data.slice(mid + 1);
  const damaged = {
    corrupted: `${base}#w1.${flipped}`,
    truncated: `${base}#w1.${data.slice(0, Math.floor(data.length * 0.6))}`,
    'not base64': `${base}#w1.${data.slice(0, 20)}!!${data.slice(22)}`,
    'lz-string cut': `${base}#code/N4IgZg9gTgtghgFxALhAZzAOwLQAcA2cAngOZQQ`,
  };
  for (const [what, url] of Object.entries(damaged)) {
    const tab = await openPlayground(browser.context, url.slice(BASE_URL.length), { keepStorage: true });
    const notice = tab.page.locator('#notice.error');
    await notice.waitFor({ timeout: 10000 });
    assert.match(await notice.innerText(), /cannot be opened.*not changed/s, what);
    assert.equal(await tab.page.inputValue('#ws-name'), 'Mine', what);
    assert.equal(await tab.page.locator('#ws-list option').count(), 1, `${what}: no workspace was added`);
    assert.match(await editorText(tab.page), /Check everything at once/, what);
    assert.deepEqual(tab.errors, [], what);
    await tab.page.close();
  }
  assert.deepEqual(errors, []);
});

test('a TypeScript-playground-style lz-string link opens as a new workspace', async () => {
  // lz-string's compressToEncodedURIComponent of a small workspace file (see crates/workspace/src/link.rs).
  const lz = 'N4IgZg9gTgtghgFxALhAZzAOwLQAcA2cAngOZQQCumAJtgO7QDWaucAxgKYgA0IAbhyhoAlhEwoAjL0xwYXVABVhmIjxDUOYZcISjxqYAB1MAAhOGQAZQRwoCAIIILycyHsXuxsxeuIOaZxMjUzNXdxQgr1DvEAUiXA5AiwAFODQAnijoiwBRGkCEKApEkLMAXyiKzDK1MCo2XTE0FABtUBk5FBAAMTU2CA0ujgAPXGgENAA6AAs4GnxBEwBeEzSiTDYTAAoOAEplgD4TDgBuYxAygF1eZVwKJAMasqA';
  const { page, errors } = await openPlayground(browser.context, `#code/${lz}`);
  await page.locator('#notice').waitFor();
  assert.equal(await page.inputValue('#ws-name'), 'Tiny');
  assert.equal(await page.locator('#ws-list option').count(), 2, 'the default workspace stays beside it');
  assert.equal(await page.locator('#pane-definition .tab', { hasText: 'λ F' }).count(), 1);
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  assert.deepEqual(errors, []);
});
