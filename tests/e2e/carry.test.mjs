// Carrying workflows in and out: a SAM template imported through the file picker, a broken file
// refused with its place, every export (the SAM template holds every Lambda and imports back), and
// the embedded view (`?embed`) with the Embed button's snippet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { launch, openPlayground, editorText, runToEnd, exportText, openTab, typeInEditor, BASE_URL } from './browser.mjs';

const fixture = (name) => readFileSync(new URL(`../../crates/workspace/tests/import/${name}`, import.meta.url));

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const names = (page) => page.locator('#ws-list option').evaluateAll((os) => os.map((o) => o.textContent));

async function importFile(page, name, buffer) {
  // The notice to wait for is the import's: an earlier one is dismissed first.
  if (await page.locator('#notice').count()) await page.click('#notice .close');
  await page.setInputFiles('#import-file', { name, mimeType: 'text/plain', buffer });
  await page.locator('#notice').waitFor();
  return page.locator('#notice').innerText();
}

test('a SAM template (YAML, DefinitionSubstitutions) imported with the file picker opens as a new workspace and runs', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await page.locator('#ws-list option').first().waitFor({ state: 'attached' });
  const notice = await importFile(page, 'template.yaml', fixture('sam-order.yaml'));
  assert.match(notice, /as a new workspace/);
  assert.deepEqual(await names(page), ['Order process', 'order-process-dev']);
  const definition = await editorText(page);
  // The substitutions are applied: the Tasks name the template's functions.
  assert.match(definition, /arn:aws:lambda:us-east-1:123456789012:function:process-payment/);
  assert.doesNotMatch(definition, /\$\{ProcessPaymentArn\}/);
  for (const s of ['CheckInventory', 'ProcessPayment', 'Done']) {
    assert.equal(await page.locator(`#pane-graph g.node[data-state="${s}"]`).count(), 1, s);
  }
  assert.equal(await page.locator('#pane-definition .tab', { hasText: 'λ CheckInventory' }).count(), 1);
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  assert.deepEqual(errors, []);
});

test('a YAML definition dropped on the page opens as a new workspace', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await page.locator('#ws-list option').first().waitFor({ state: 'attached' });
  const dt = await page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'dropped.asl.yaml', { type: 'text/yaml' }));
    return dt;
  }, fixture('asl.yaml').toString('utf8'));
  await page.dispatchEvent('#pane-graph', 'dragover', { dataTransfer: dt });
  await page.dispatchEvent('#pane-graph', 'drop', { dataTransfer: dt });
  await page.locator('#notice').waitFor();
  assert.match(await page.locator('#notice').innerText(), /dropped\.asl\.yaml as a new workspace/);
  assert.deepEqual(await names(page), ['Order process', 'dropped']);
  assert.match(await editorText(page), /"StartAt"/);
  assert.deepEqual(errors, []);
});

test('a broken file is refused with its line and column, and nothing changes', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.locator('#ws-list option').first().waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
  // The formats worker is not part of the first load: it starts with the first import.
  assert.deepEqual(fetched.filter((p) => p.includes('formats-web')), []);
  const before = await editorText(page);
  const notice = await importFile(page, 'broken.yaml', fixture('broken.yaml'));
  assert.match(notice, /Nothing was imported: broken\.yaml: line \d+, column \d+/);
  assert.ok(fetched.includes('/formats-web_bg.wasm'), 'the import started the formats worker');
  assert.deepEqual(await names(page), ['Order process']);
  assert.equal(await editorText(page), before);
  assert.deepEqual(errors, []);
});

test('exports: definition, workspace, mocks, history, graph images, and a SAM template holding every Lambda', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await page.selectOption('#gallery', 'parallel-checks');
  const functions = ['CreditCheck', 'FraudScore', 'ShippingQuote', 'Decide'];
  const definition = await editorText(page);

  const json = await exportText(page, 'definition-json');
  assert.equal(json.name, 'parallel-fan-out-and-fan-in.asl.json');
  assert.equal(json.text, definition);
  const yaml = await exportText(page, 'definition-yaml');
  assert.match(yaml.text, /^StartAt: Check everything at once$/m);
  const ws = JSON.parse((await exportText(page, 'workspace')).text);
  assert.equal(ws.format, 'sfn-playground-workspace');
  assert.deepEqual(ws.functions.map((f) => f.name), functions);
  const mocks = JSON.parse((await exportText(page, 'mocks')).text);
  assert.ok(mocks.StateMachines && mocks.MockedResponses);

  // No run yet: the history export says so instead of giving an empty file.
  await page.click('#export-menu summary');
  await page.click('#export-history');
  assert.match(await page.locator('#notice').innerText(), /no run to export/);
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  const history = JSON.parse((await exportText(page, 'history')).text);
  assert.equal(history.events[0].type, 'ExecutionStarted');
  assert.equal(typeof history.events[0].executionStartedEventDetails.input, 'string');
  assert.equal(history.events.at(-1).type, 'ExecutionSucceeded');

  const svg = await exportText(page, 'svg');
  assert.match(svg.text, /^<\?xml[^]*<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg.text, /Check everything at once/);
  assert.match(svg.text, /style="fill:/, 'the styles are inlined');
  await page.click('#export-menu summary');
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
  const bytes = readFileSync(await png.path());
  assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

  // The SAM template: YAML (parsed by the `yaml` package when it is installed, else by the page's own
  // reader on import), one AWS::Serverless::Function with inline Node.js code per Lambda module.
  const sam = await exportText(page, 'sam');
  assert.equal(sam.name, 'parallel-fan-out-and-fan-in.template.yaml');
  const yamlPackage = new URL('../../node_modules/yaml/package.json', import.meta.url);
  if (existsSync(yamlPackage)) {
    const { parse } = await import('yaml');
    const t = parse(sam.text);
    const fns = Object.values(t.Resources).filter((r) => r.Type === 'AWS::Serverless::Function');
    assert.equal(fns.length, functions.length);
  }
  assert.match(sam.text, /^Transform: AWS::Serverless-2016-10-31$/m);
  assert.equal((sam.text.match(/Type: AWS::Serverless::StateMachine/g) || []).length, 1);
  assert.equal((sam.text.match(/Type: AWS::Serverless::Function/g) || []).length, functions.length);
  assert.equal((sam.text.match(/Runtime: nodejs/g) || []).length, functions.length);
  assert.equal((sam.text.match(/InlineCode: /g) || []).length, functions.length);
  // It imports back: same functions, and with the same input it runs as the original does.
  const notice = await importFile(page, sam.name, Buffer.from(sam.text));
  assert.match(notice, /as a new workspace/);
  for (const f of functions) {
    assert.equal(await page.locator('#pane-definition .tab', { hasText: `λ ${f}` }).count(), 1, f);
  }
  await openTab(page, 'Input');
  await typeInEditor(page, ws.input);
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  assert.deepEqual(errors, []);
});

test('?embed shows the graph, Run and the views without the editors, and never touches storage', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await page.selectOption('#gallery', 'retry-and-catch');
  await page.click('#embed');
  const snippet = await page.locator('#embed-snippet').inputValue();
  const src = snippet.match(/<iframe src="([^"]+)"/)?.[1];
  assert.ok(src && src.startsWith(`${BASE_URL}?embed#w1.`), snippet);
  assert.match(snippet, /title="Retry and Catch"/);

  const embedded = await openPlayground(browser.context, src.slice(BASE_URL.length));
  const p = embedded.page;
  await p.locator('#pane-graph g.node').first().waitFor();
  assert.equal(await p.locator('#pane-definition').count(), 0);
  assert.equal(await p.locator('#ws-list').count(), 0);
  assert.match(await p.locator('header').innerText(), /Retry and Catch/);
  assert.equal(await p.textContent('#status'), 'NOT RUN');
  assert.equal(await runToEnd(p), 'SUCCEEDED');
  await p.click('#view-states');
  assert.ok(await p.locator('table.states tbody tr').count() > 0);
  assert.deepEqual(await p.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sfn.'))), []);
  assert.equal(await p.locator('a.open-full').getAttribute('href'), src.replace('?embed', ''));
  assert.deepEqual(embedded.errors, []);
  assert.deepEqual(errors, []);
});

test('the Mocks tab: a MockConfigFile test case answers its states before the Lambdas, and survives a reload', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await openTab(page, 'Mocks');
  const mocks = JSON.stringify({
    StateMachines: { 'Order process': { TestCases: { PaymentDeclined: { 'Process Payment': 'Declined' } } } },
    MockedResponses: { Declined: { 0: { Throw: { Error: 'PaymentDeclined', Cause: 'card refused' } } } },
  }, null, 2);
  await typeInEditor(page, mocks);
  // No test case chosen: the Lambdas answer everything.
  assert.equal(await page.inputValue('#test-case'), '');
  await page.selectOption('#test-case', 'PaymentDeclined');
  assert.equal(await runToEnd(page), 'FAILED');
  assert.match(await page.locator('tr[data-type="ExecutionFailed"]').innerText(), /PaymentDeclined/);
  await page.click('#view-logs');
  // Only Check Inventory ran as a Lambda; Process Payment was answered by the mock.
  assert.equal(await page.locator('.logs .log').count(), 1);
  await page.reload();
  await openTab(page, 'Mocks');
  assert.equal(await editorText(page), mocks);
  assert.equal(await page.inputValue('#test-case'), 'PaymentDeclined');
  await page.selectOption('#test-case', '');
  assert.equal(await runToEnd(page), 'SUCCEEDED');
  assert.deepEqual(errors, []);
});
