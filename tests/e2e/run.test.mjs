// A person runs workflows in the page: the default example, a caught Lambda error, time travel,
// a runaway Lambda stopped by its timeout, and a broken definition pointed out where it breaks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPlayground, editorText, typeInEditor, cursorLine, openTab, clickEditor } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function setEditor(page, label, text) {
  await openTab(page, label);
  await typeInEditor(page, text);
  assert.equal(await editorText(page), text);
}

async function runToEnd(page) {
  await page.click('#run');
  await page.waitForFunction(() => {
    const s = document.querySelector('#status')?.textContent;
    return s && !['RUNNING', 'NOT RUN'].includes(s);
  }, null, { timeout: 20000 });
  return page.textContent('#status');
}

const stateClass = (page, name) => page.locator(`#pane-graph g.node[data-state="${name}"]`).getAttribute('class');

test('the default order process succeeds with three Lambda invocations', async () => {
  const { page, errors } = await openPlayground(browser.context);
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  assert.equal(await page.locator('tr[data-type="LambdaFunctionSucceeded"]').count(), 3);
  assert.equal(await page.locator('tr[data-type="ExecutionSucceeded"]').count(), 1);
  for (const s of ['Check Inventory', 'Process Payment', 'Notify Customer']) {
    assert.match(await stateClass(page, s), /\bsucceeded\b/, s);
  }
  // Each invocation's console.log output is shown.
  await page.click('#view-logs');
  assert.match(await page.locator('.logs').innerText(), /charging 25\.00 to ada@example\.com/);
  assert.deepEqual(errors, []);
});

test('a Lambda that throws takes the Catch path in the graph', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const def = JSON.parse(await editorText(page));
  def.States['Check Inventory'].Catch = [{ ErrorEquals: ['OutOfStock'], ResultPath: '$.error', Next: 'Sorry' }];
  def.States.Sorry = { Type: 'Pass', Result: 'sorry', End: true };
  await setEditor(page, 'Definition', JSON.stringify(def, null, 2));
  await setEditor(page, 'Input', JSON.stringify({ orderId: 'o-2', customer: 'bob@example.com', items: [{ sku: 'MUG-7', qty: 1, price: 8 }] }));
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  assert.match(await stateClass(page, 'Check Inventory'), /\bcaught\b/);
  assert.match(await stateClass(page, 'Sorry'), /\bsucceeded\b/);
  assert.doesNotMatch(await stateClass(page, 'Process Payment'), /succeeded|running|failed/);
  const failed = page.locator('tr[data-type="LambdaFunctionFailed"]');
  assert.equal(await failed.count(), 1);
  assert.match(await failed.innerText(), /OutOfStock/);
  assert.deepEqual(errors, []);
});

test('stepping back with the scrubber shows the graph as it was', async () => {
  const { page, errors } = await openPlayground(browser.context);
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  const total = Number(await page.locator('#scrub').getAttribute('max'));
  assert.equal(total, await page.locator('table.events tbody tr').count());
  // Back to just after "Process Payment" was entered: it runs, Notify Customer has not started.
  const back = total - 7;
  for (let i = 0; i < back; i++) await page.click('#step-back');
  assert.equal(await page.locator('table.events tbody tr').count(), 7);
  assert.match(await stateClass(page, 'Check Inventory'), /\bsucceeded\b/);
  assert.match(await stateClass(page, 'Process Payment'), /\brunning\b/);
  assert.doesNotMatch(await stateClass(page, 'Notify Customer'), /succeeded|running/);
  await page.click('#step-forward');
  assert.equal(await page.locator('table.events tbody tr').count(), 8);
  assert.deepEqual(errors, []);
});

test('selecting a state shows its data-flow stages, and the states table its timeline', async () => {
  const { page, errors } = await openPlayground(browser.context);
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  await page.locator('#pane-graph g.node[data-state="Process Payment"]').click();
  const inspector = page.locator('.inspector');
  await inspector.waitFor();
  assert.match(await inspector.locator('h3').innerText(), /Process Payment/);
  const output = JSON.parse(await inspector.locator('[data-stage="output"] pre').textContent());
  assert.equal(output.payment.total, 25);
  assert.equal(JSON.parse(await inspector.locator('[data-stage="input"] pre').textContent()).inStock, true);
  // Try a JSONata expression against the state's $states.
  await inspector.locator('.try-input').fill('$states.input.items[0].qty * 10');
  assert.equal((await inspector.locator('.try pre').textContent()).trim(), '20');
  await inspector.locator('.try-input').fill('$states.input.(');
  assert.match(await inspector.locator('.try pre').textContent(), /^S0\d{3}/);
  await page.click('#view-states');
  assert.equal(await page.locator('table.states tbody tr').count(), 3);
  // Playing back starts from the first event and moves on by itself.
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#scrub').value) >= 3, null, { timeout: 5000 });
  assert.deepEqual(errors, []);
});

test('a while(true) Lambda is stopped by its timeout and the page stays usable', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await setEditor(page, 'λ ProcessPayment', 'exports.handler = async () => { while (true) {} };');
  const started = Date.now();
  assert.equal(await runToEnd(page), 'FAILED');
  assert.ok(Date.now() - started < 15000);
  const failed = page.locator('tr[data-type="LambdaFunctionFailed"]');
  assert.match(await failed.innerText(), /Sandbox\.Timedout/);
  assert.match(await stateClass(page, 'Process Payment'), /\bfailed\b/);
  // Still usable: fix the function and run again.
  await setEditor(page, 'λ ProcessPayment', 'exports.handler = async (e) => ({ ...e, paid: true });');
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  assert.deepEqual(errors, []);
});

test('a broken definition is pointed out at its line and column, and clicking jumps there', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await setEditor(page, 'Definition', '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass" "End": true}\n  }\n}');
  const problem = page.locator('.problems .problem.error').first();
  await problem.waitFor();
  const loc = await problem.locator('.loc').innerText();
  assert.match(loc, /^4:\d+$/);
  await clickEditor(page); // the cursor elsewhere first
  await problem.locator('.loc').click();
  assert.equal(await cursorLine(page), 4, 'the cursor is on line 4');
  assert.ok(await page.evaluate(() => document.activeElement?.classList.contains('ed-input')), 'the editor has the focus');
  // Running it says why instead of starting.
  await page.click('#run');
  assert.match(await page.locator('.start-error').innerText(), /Definition/);
  assert.deepEqual(errors, []);
});

test('a Task whose Lambda does not exist is flagged before running', async () => {
  const { page } = await openPlayground(browser.context);
  const def = JSON.parse(await editorText(page));
  def.States['Notify Customer'].Resource = 'arn:aws:lambda:region:account-id:function:SendEmail';
  await setEditor(page, 'Definition', JSON.stringify(def, null, 2));
  const warning = page.locator('.problems .problem.warning');
  await warning.waitFor();
  assert.match(await warning.innerText(), /SendEmail/);
});

test('the graph zooms in and fits the pane', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const svg = page.locator('#pane-graph svg.graph');
  await svg.waitFor();
  const width = async () => Number(await svg.getAttribute('width'));
  const w0 = await width();
  await page.click('#zoom-in');
  assert.ok(Math.abs(await width() - w0 * 1.25) < 0.5, 'zoom in by 25%');
  for (let i = 0; i < 8; i++) await page.click('#zoom-in');
  await page.click('#zoom-fit');
  const canvas = await page.locator('#pane-graph .graph-canvas').boundingBox();
  assert.ok(await width() <= canvas.width + 1, 'fit: the graph is no wider than the pane');
  assert.deepEqual(errors, []);
});

test('each Map iteration of a state can be picked in the inspector', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const def = {
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 1,
        ItemProcessor: { StartAt: 'Price', States: { Price: { Type: 'Pass', Parameters: { 'sku.$': '$.sku', 'cost.$': 'States.MathAdd($.qty, 100)' }, End: true } } },
        End: true,
      },
    },
  };
  await setEditor(page, 'Definition', JSON.stringify(def, null, 2));
  await setEditor(page, 'Input', JSON.stringify({ items: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }, { sku: 'c', qty: 3 }] }));
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  await page.locator('#pane-graph g.node[data-state="Price"]').click();
  const inspector = page.locator('.inspector');
  const pick = inspector.locator('select.run-pick');
  assert.equal(await pick.locator('option').count(), 3);
  const output = async () => JSON.parse(await inspector.locator('[data-stage="output"] pre').textContent());
  assert.deepEqual(await output(), { sku: 'c', cost: 103 });
  await pick.selectOption('0');
  assert.deepEqual(await output(), { sku: 'a', cost: 101 });
  assert.deepEqual(errors, []);
});

test('an hour-long Wait finishes at once and its timestamps still say an hour later', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const def = { StartAt: 'Nap', States: { Nap: { Type: 'Wait', Seconds: 3600, Next: 'Done' }, Done: { Type: 'Succeed' } } };
  await setEditor(page, 'Definition', JSON.stringify(def, null, 2));
  const started = Date.now();
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  assert.ok(Date.now() - started < 5000, 'no real waiting');
  const exited = page.locator('tr[data-type="WaitStateExited"]');
  assert.match(await exited.innerText(), /\+1\.0 h/);
  await page.click('#view-states');
  assert.match(await page.locator('table.states tbody tr').first().innerText(), /1\.0 h/);
  assert.deepEqual(errors, []);
});

test('a 10,000-item Map keeps the page responsive, shows progress, and Stop aborts it', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const def = {
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 1,
        ItemProcessor: { StartAt: 'Charge', States: { Charge: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:NotifyCustomer', End: true } } },
        End: true,
      },
    },
  };
  await setEditor(page, 'Definition', JSON.stringify(def));
  await setEditor(page, 'Input', JSON.stringify({ items: Array.from({ length: 10000 }, (_, i) => i) }));
  await setEditor(page, 'λ NotifyCustomer', 'exports.handler = async (e) => { await new Promise((r) => setTimeout(r, 2)); return e; };');
  await page.click('#run');
  // Progress shows while it runs, and frames keep coming meanwhile.
  await page.waitForFunction(() => Number((document.querySelector('#progress')?.textContent || '').split(' ')[0]) > 200, null, { timeout: 15000 });
  const gaps = await page.evaluate(() => new Promise((resolve) => {
    const seen = [];
    let last = performance.now();
    const tick = (t) => { seen.push(t - last); last = t; if (seen.length < 20) requestAnimationFrame(tick); else resolve(seen); };
    requestAnimationFrame(tick);
  }));
  assert.ok(Math.max(...gaps) < 500, `frames keep coming while it runs (longest gap ${Math.max(...gaps).toFixed(0)} ms)`);
  assert.equal(await page.textContent('#status'), 'RUNNING');
  await page.click('#stop');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'ABORTED', null, { timeout: 10000 });
  // The end's rows are drawn a chunk per frame: the last event's row comes last.
  await page.locator('tr[data-type="ExecutionAborted"]').waitFor();
  assert.equal(await page.locator('tr[data-type="ExecutionAborted"]').count(), 1);
  assert.match(await page.locator('.hidden-rows').innerText(), /earlier events are not shown/);
  assert.deepEqual(errors, []);
});

test('a JSONata state shows its Arguments and the variables it assigned', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const def = {
    QueryLanguage: 'JSONata',
    StartAt: 'Charge',
    States: {
      Charge: {
        Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:ProcessPayment',
        Arguments: { customer: '{% $states.input.customer %}', items: '{% $states.input.items %}' },
        Assign: { total: '{% $states.result.payment.total %}' },
        Output: '{% $states.result.payment %}',
        End: true,
      },
    },
  };
  await setEditor(page, 'Definition', JSON.stringify(def, null, 2));
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  await page.locator('#pane-graph g.node[data-state="Charge"]').click();
  const inspector = page.locator('.inspector');
  const args = JSON.parse(await inspector.locator('[data-stage="afterArguments"] pre').textContent());
  assert.deepEqual(Object.keys(args), ['customer', 'items']);
  assert.deepEqual(JSON.parse(await inspector.locator('[data-stage="variables"] pre').textContent()), { total: 25 });
  assert.deepEqual(errors, []);
});
