// Autosave: a reload restores the workspace, the selected state, the scrubber and the last run; named
// workspaces are created, renamed, duplicated, deleted and brought back; corrupt or full storage is
// reported and the page stays usable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPlayground, editorText, typeInEditor, openTab, EDITOR_INPUT } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function runToEnd(page) {
  await page.click('#run');
  await page.waitForFunction(() => {
    const s = document.querySelector('#status')?.textContent;
    return s && !['RUNNING', 'NOT RUN'].includes(s);
  }, null, { timeout: 30000 });
  return page.textContent('#status');
}

const names = (page) => page.locator('#ws-list option').evaluateAll((os) => os.map((o) => o.textContent));

async function rename(page, name) {
  await page.fill('#ws-name', name);
  await page.dispatchEvent('#ws-name', 'change');
}

test('a reload restores the edited input, the selected state, the scrubber and the last run', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await openTab(page, 'Input');
  const input = (await editorText(page)).replace('ada@example.com', 'grace@example.com');
  await typeInEditor(page, input);
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  const events = await page.locator('table.events tbody tr').count();
  await page.click('#pane-graph g.node[data-state="Process Payment"]');
  await page.click('#step-back');
  await page.click('#step-back');
  const position = await page.textContent('.scrub-pos');
  assert.equal(position, `${events - 2} / ${events}`);

  await page.reload();
  await page.locator(EDITOR_INPUT).waitFor();
  await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'SUCCEEDED');
  assert.equal(await page.textContent('.scrub-pos'), position);
  assert.match(await page.locator('#pane-graph g.node[data-state="Process Payment"]').getAttribute('class'), /\bselected\b/);
  assert.match(await page.locator('.inspector h3').innerText(), /Process Payment/);
  await page.click('#step-forward');
  await page.click('#step-forward');
  assert.equal(await page.locator('table.events tbody tr').count(), events);
  await page.click('#view-logs');
  assert.match(await page.locator('.logs').innerText(), /charging 25\.00 to grace@example\.com/);
  await openTab(page, 'Input');
  assert.equal(await editorText(page), input);
  assert.deepEqual(errors, []);
});

test('named workspaces: new, rename, duplicate, delete and undo, kept across a reload', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await page.locator('#ws-list option').first().waitFor({ state: 'attached' });
  assert.deepEqual(await names(page), ['Order process']);
  await page.click('#ws-new');
  assert.deepEqual(await names(page), ['Order process', 'Untitled']);
  await rename(page, 'Scratch');
  assert.deepEqual(await names(page), ['Order process', 'Scratch']);
  await page.click('#ws-dup');
  assert.deepEqual(await names(page), ['Order process', 'Scratch', 'Scratch (copy)']);
  assert.equal(await page.inputValue('#ws-name'), 'Scratch (copy)');

  // Switching shows each workspace's own content.
  await page.selectOption('#ws-list', { label: 'Order process' });
  assert.equal(await page.inputValue('#ws-name'), 'Order process');
  assert.match(await editorText(page), /Check Inventory/);
  await page.selectOption('#ws-list', { label: 'Scratch' });
  assert.match(await editorText(page), /"Hello"/);

  await page.click('#ws-delete');
  assert.deepEqual(await names(page), ['Order process', 'Scratch (copy)']);
  assert.match(await page.locator('#notice').innerText(), /Deleted "Scratch"/);
  await page.click('#undo');
  assert.deepEqual(await names(page), ['Order process', 'Scratch', 'Scratch (copy)']);
  assert.equal(await page.inputValue('#ws-name'), 'Scratch');

  await page.reload();
  await page.locator('#ws-list option').nth(2).waitFor({ state: 'attached' });
  assert.deepEqual(await names(page), ['Order process', 'Scratch', 'Scratch (copy)']);
  assert.equal(await page.inputValue('#ws-name'), 'Scratch');
  // Deleting the last one leaves a fresh workspace, never none.
  for (let i = 0; i < 3; i++) await page.click('#ws-delete');
  assert.deepEqual(await names(page), ['Order process']);
  assert.deepEqual(errors, []);
});

test('corrupt storage is reported, kept aside, and the page still works', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await page.locator('#ws-list option').first().waitFor({ state: 'attached' });
  await page.evaluate(() => {
    localStorage.setItem('sfn.index', 'garbage{');
    localStorage.setItem('sfn.ws.broken', '{"file": {"format": "sfn-playground-workspace", "version": 1, "definition": 42}}');
    localStorage.setItem('sfn.ws.trash', '\u0000not json');
    for (const k of Object.keys(localStorage)) {
      if (k.startsWith('sfn.run.')) localStorage.setItem(k, '{"v":1,"status":"SUCCEEDED","events":[{"id":"x"}]}');
    }
  });
  await page.reload();
  const notice = page.locator('#notice.error');
  await notice.waitFor();
  assert.match(await notice.innerText(), /could not be read/);
  assert.match(await notice.innerText(), /sfn\.bad\./);
  const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sfn.bad.')).sort());
  assert.deepEqual(kept, ['sfn.bad.broken', 'sfn.bad.trash']);
  assert.deepEqual(await names(page), ['Order process']);
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  assert.deepEqual(errors, []);
});

test('full storage is reported, the page stays usable, and saving resumes when there is room', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await page.locator(EDITOR_INPUT).waitFor();
  // Fill the origin's storage to the brim.
  await page.evaluate(() => {
    const chunk = 'x'.repeat(256 * 1024);
    let i = 0;
    try { for (;;) localStorage.setItem(`junk.${i++}`, chunk); } catch (e) { /* full */ }
    try { for (let n = 1024; n >= 1; n = Math.floor(n / 2)) for (;;) localStorage.setItem(`junk.${i++}`, 'y'.repeat(n)); } catch (e) { /* full */ }
  });
  await openTab(page, 'Input');
  // Longer than what is stored, so that it cannot replace it.
  const note = 'z'.repeat(4000);
  await typeInEditor(page, `{"orderId": "order-2", "customer": "x@example.com", "note": "${note}", "items": [{"sku": "BOOK-1", "qty": 1, "price": 1}]}`);
  const problem = page.locator('#storage-problem');
  await problem.waitFor();
  assert.match(await problem.innerText(), /storage is full/);
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  await page.evaluate(() => { for (const k of Object.keys(localStorage)) if (k.startsWith('junk.')) localStorage.removeItem(k); });
  await typeInEditor(page, '{"orderId": "order-3", "customer": "x@example.com", "items": []}');
  await problem.waitFor({ state: 'detached' });
  await page.reload();
  await openTab(page, 'Input');
  assert.match(await editorText(page), /order-3/);
  assert.deepEqual(errors, []);
});

test('a run too large for the storage cap is not kept, and after a reload the page says so', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const definition = JSON.stringify({
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 0, End: true,
        ItemProcessor: { StartAt: 'Keep', States: { Keep: { Type: 'Pass', End: true } } },
      },
    },
  }, null, 2);
  await openTab(page, 'Definition');
  await typeInEditor(page, definition);
  await openTab(page, 'Input');
  await typeInEditor(page, JSON.stringify({ items: Array.from({ length: 3000 }, (_, i) => ({ n: i, label: `item number ${i}` })) }));
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  const events = await page.textContent('.scrub-pos');
  assert.ok(Number(events.split('/')[1]) > 10000, events);
  await page.reload();
  const notice = page.locator('#notice');
  await notice.waitFor();
  assert.match(await notice.innerText(), /The last run \(\d+ events\) was too large to keep/);
  assert.equal(await page.textContent('#status'), 'NOT RUN');
  await openTab(page, 'Definition');
  assert.equal(await editorText(page), definition, 'the workspace itself is kept');
  assert.deepEqual(errors, []);
});
