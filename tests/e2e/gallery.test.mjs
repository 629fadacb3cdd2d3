// A visitor picks each example of the gallery and runs it with one click: it ends as examples/index.json expects,
// the previous run is cleared, and the graph shows the picked example's states.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, openPlayground, EDITOR_INPUT } from './browser.mjs';

const examplesDir = new URL('../../examples/', import.meta.url);
const index = JSON.parse(readFileSync(new URL('index.json', examplesDir), 'utf8'));
const definitionOf = (slug) =>
  JSON.parse(readFileSync(new URL(`${slug}/definition.asl.json`, examplesDir), 'utf8'));

/** Every state name of a definition, nested ones (Parallel branches, Map processors) included. */
function stateNames(def) {
  const names = [];
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if (v.States && typeof v.States === 'object') names.push(...Object.keys(v.States));
      Object.values(v).forEach(walk);
    }
  };
  walk(def);
  return names;
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The definition editor's text (the textarea of the shown tab). */
async function definitionText(page) {
  return page.locator(EDITOR_INPUT).inputValue();
}

async function runToEnd(page) {
  await page.click('#run');
  await page.waitForFunction(() => {
    const s = document.querySelector('#status')?.textContent;
    return s && !['RUNNING', 'NOT RUN'].includes(s);
  }, null, { timeout: 30000 });
  return page.textContent('#status');
}

test('the gallery lists at least eight examples, in the index order, the order process first', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await page.locator('#gallery option').first().waitFor({ state: 'attached' });
  const options = await page.locator('#gallery option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(options, index.map((e) => e.slug));
  assert.ok(options.length >= 8);
  assert.equal(await page.locator('#gallery').inputValue(), 'order-process');
  assert.deepEqual(errors, []);
});

test('every example runs with one click and ends as expected', async () => {
  const { page, errors } = await openPlayground(browser.context);
  for (const example of index) {
    await page.selectOption('#gallery', example.slug);
    // The previous run is gone.
    assert.equal(await page.textContent('#status'), 'NOT RUN', example.slug);
    assert.equal(await page.locator('table.events tbody tr').count(), 0, example.slug);
    const status = await runToEnd(page);
    assert.equal(status, example.expected.status, example.slug);
    if (example.expected.error) {
      const failed = page.locator('tr[data-type="ExecutionFailed"]');
      assert.match(await failed.innerText(), new RegExp(example.expected.error.replace(/\./g, '\\.')), example.slug);
    }
  }
  assert.deepEqual(errors, []);
});

test('picking the Parallel example draws its states, branches included, and runs them all', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const slug = 'parallel-checks';
  await page.selectOption('#gallery', slug);
  const names = stateNames(definitionOf(slug));
  assert.ok(names.length >= 6);
  for (const name of names) {
    assert.equal(await page.locator(`#pane-graph g.node[data-state="${name}"]`).count(), 1, name);
  }
  // The editor shows the example's definition.
  assert.match(await definitionText(page), /"StartAt": "Check everything at once"/);
  // The order process's states are gone.
  assert.equal(await page.locator('#pane-graph g.node[data-state="Check Inventory"]').count(), 0);
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  for (const name of names) {
    const cls = await page.locator(`#pane-graph g.node[data-state="${name}"]`).getAttribute('class');
    assert.match(cls, /\bsucceeded\b/, name);
  }
  // Each function's tab is there and its console.log lines show.
  assert.equal(await page.locator('#pane-definition .tab', { hasText: 'Decide' }).count(), 1);
  await page.click('#view-logs');
  assert.match(await page.locator('.logs').innerText(), /credit check for c-77/);
  assert.deepEqual(errors, []);
});
