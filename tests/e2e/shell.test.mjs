// The page loads in a real browser and the app shell renders: header and the three panes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPlayground, editorText, typeInEditor } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the app shell renders with its three panes', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const brand = page.locator('header h1');
  await brand.waitFor({ timeout: 15000 });
  assert.match(await brand.innerText(), /Step Functions Playground/);
  for (const [id, title] of [['pane-definition', 'Definition'], ['pane-graph', 'Graph'], ['pane-execution', 'Execution']]) {
    const pane = page.locator(`#${id}`);
    assert.ok(await pane.isVisible(), `${id} is visible`);
    assert.equal((await pane.locator('h2').innerText()).toLowerCase(), title.toLowerCase());
  }
  // The panes sit side by side on a desktop-sized window.
  const boxes = await Promise.all(['definition', 'graph', 'execution'].map((p) => page.locator(`#pane-${p}`).boundingBox()));
  assert.ok(boxes[0].x < boxes[1].x && boxes[1].x < boxes[2].x, 'panes are laid out left to right');
  assert.deepEqual(errors, []);
});

test('the definition editor holds the default order process and is editable', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const text = await editorText(page);
  assert.equal(JSON.parse(text).Comment, 'An example of a simple order process');
  await typeInEditor(page, '{"StartAt": "A"}');
  assert.equal(await editorText(page), '{"StartAt": "A"}');
  assert.deepEqual(errors, []);
});
