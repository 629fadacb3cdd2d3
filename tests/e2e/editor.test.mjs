// The code editor as a person uses it: highlighted JSON and JavaScript with line numbers, problems marked
// where they are as one types, undo per tab, and a state clicked in the graph shown in the definition.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPlayground, editorText, typeInEditor, cursorLine, openTab } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The colour a token of the shown document is drawn in: the first span whose text is `token`. */
async function colourOf(page, token) {
  return page.evaluate((t) => {
    const span = [...document.querySelectorAll('#pane-definition .cm-line span')].find((s) => s.textContent === t);
    return span ? getComputedStyle(span).color : null;
  }, token);
}

/** The 1-based lines (in the rendered document) holding an element matching `selector`. */
async function linesWith(page, selector) {
  return page.evaluate((sel) => [...document.querySelectorAll('#pane-definition .cm-line')]
    .map((l, i) => (l.querySelector(sel) ? i + 1 : 0)).filter((n) => n > 0), selector);
}

test('the definition is highlighted JSON with line numbers', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const text = await editorText(page);
  const lines = text.split('\n').length;
  const numbers = await page.locator('#pane-definition .cm-lineNumbers .cm-gutterElement').allInnerTexts();
  assert.ok(numbers.includes('1') && numbers.includes(String(lines)), `line numbers 1..${lines}: ${numbers}`);
  const key = await colourOf(page, '"Comment"');
  const value = await colourOf(page, '"An example of a simple order process"');
  assert.ok(key && value, 'property names and strings are token spans');
  assert.notEqual(key, value, 'a property name and a string value are coloured differently');
  assert.notEqual(key, await page.evaluate(() => getComputedStyle(document.querySelector('#pane-definition .cm-line')).color));
  assert.deepEqual(errors, []);
});

test('a Lambda module is highlighted JavaScript', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await openTab(page, 'λ ProcessPayment');
  assert.match(await editorText(page), /exports\.handler/);
  await typeInEditor(page, 'exports.handler = async (event) => {\n  // pay\n  return "ok";\n};');
  const keyword = await colourOf(page, 'return');
  const string = await colourOf(page, '"ok"');
  const comment = await colourOf(page, '// pay');
  assert.ok(keyword && string && comment, 'keywords, strings and comments are token spans');
  assert.equal(new Set([keyword, string, comment]).size, 3, 'each kind has its own colour');
  assert.deepEqual(errors, []);
});

test('a broken definition is marked at its line as one types, with the message on hover', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await typeInEditor(page, '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass" "End": true}\n  }\n}');
  await page.locator('#pane-definition .cm-lintRange-error').first().waitFor();
  assert.deepEqual(await linesWith(page, '.cm-lintRange-error'), [4]);
  const marker = page.locator('#pane-definition .cm-lint-marker-error');
  assert.equal(await marker.count(), 1);
  const markerBox = await marker.boundingBox();
  const lineBox = await page.locator('#pane-definition .cm-line').nth(3).boundingBox();
  assert.ok(Math.abs(markerBox.y + markerBox.height / 2 - (lineBox.y + lineBox.height / 2)) < 4, 'the gutter marker is on line 4');
  const problem = await page.locator('.problems .problem.error').first().innerText();
  const title = await page.locator('#pane-definition .cm-lintRange-error').first().getAttribute('title');
  assert.ok(title && problem.includes(title.split('\n')[0]), `the underline's hover text is the problem's message: ${title}`);
  // Fixing it clears the marker.
  await typeInEditor(page, '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass", "End": true}\n  }\n}');
  await page.locator('#pane-definition .cm-lintRange-error').waitFor({ state: 'detached' });
  assert.equal(await marker.count(), 0);
  assert.deepEqual(errors, []);
});

test('an input that is not JSON is marked where it breaks', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await openTab(page, 'Input');
  await typeInEditor(page, '{\n  "orderId": "o-1",\n  "items": [1 2]\n}');
  await page.locator('#pane-definition .cm-lintRange-error').first().waitFor();
  assert.deepEqual(await linesWith(page, '.cm-lintRange-error'), [3]);
  await typeInEditor(page, '{"orderId": "o-1"}');
  await page.locator('#pane-definition .cm-lintRange-error').waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
});

test('a Task whose Lambda is missing is marked as a warning on its Resource line', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const text = (await editorText(page)).replace('function:NotifyCustomer', 'function:SendEmail');
  await typeInEditor(page, text);
  await page.locator('#pane-definition .cm-lintRange-warning').first().waitFor();
  const line = text.split('\n').findIndex((l) => l.includes('function:SendEmail')) + 1;
  assert.deepEqual(await linesWith(page, '.cm-lintRange-warning'), [line]);
  assert.deepEqual(errors, []);
});

test('undo restores the text, and each tab keeps its own history', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const original = await editorText(page);
  await typeInEditor(page, '{"StartAt": "Nothing"}');
  assert.equal(await editorText(page), '{"StartAt": "Nothing"}');
  // The graph follows the edit: the default states are gone.
  await page.locator('#pane-graph g.node[data-state="Check Inventory"]').waitFor({ state: 'detached' });
  // Edit another tab in between; the definition's history is still there when it comes back.
  await openTab(page, 'Input');
  await typeInEditor(page, '{"x": 1}');
  await openTab(page, 'Definition');
  assert.equal(await editorText(page), '{"StartAt": "Nothing"}');
  await page.locator('#pane-definition .cm-content').click();
  await page.keyboard.press('ControlOrMeta+z');
  assert.equal(await editorText(page), original);
  await page.locator('#pane-graph g.node[data-state="Check Inventory"]').waitFor();
  await page.keyboard.press('ControlOrMeta+Shift+z');
  assert.equal(await editorText(page), '{"StartAt": "Nothing"}');
  await openTab(page, 'Input');
  assert.equal(await editorText(page), '{"x": 1}');
  assert.deepEqual(errors, []);
});

test('clicking a state in the graph moves the cursor to it in the definition', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const text = await editorText(page);
  await openTab(page, 'Input'); // from another tab: the definition comes back
  for (const name of ['Notify Customer', 'Check Inventory']) {
    await page.locator(`#pane-graph g.node[data-state="${name}"]`).click();
    const line = text.split('\n').findIndex((l) => l.includes(`"${name}": {`)) + 1;
    await page.waitForFunction((n) => window.SfnEditor.cursorLine() === n, line, { timeout: 5000 });
    assert.equal(await cursorLine(page), line, name);
    assert.equal(await page.evaluate(() => window.SfnEditor.selectedText()), `"${name}"`, 'its name is selected');
    assert.equal(await editorText(page), text, 'the definition tab is shown');
  }
  assert.deepEqual(errors, []);
});

test('a JSONata expression in the definition is highlighted apart from plain strings', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await openTab(page, 'Definition');
  await typeInEditor(page, '{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $states.input.x + 1 %}", "End": true}}}');
  const expr = page.locator('#pane-definition .cm-line span', { hasText: '{% $states.input.x + 1 %}' });
  await expr.waitFor();
  const plain = page.locator('#pane-definition .cm-line span', { hasText: '"Pass"' });
  const color = (l) => l.evaluate((el) => getComputedStyle(el).color);
  assert.notEqual(await color(expr), await color(plain));
  assert.deepEqual(errors, []);
});

test('typing closes brackets and quotes, Enter indents by depth, and the bracket at the cursor shows its partner', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await typeInEditor(page, '');
  await page.keyboard.type('{');
  await page.keyboard.press('Enter');
  await page.keyboard.type('"a": [');
  await page.keyboard.press('Enter');
  await page.keyboard.type('1, "x{"');
  assert.equal(await editorText(page), '{\n  "a": [\n    1, "x{"\n  ]\n}', 'pairs closed, steps over the closing quote, indented');
  await page.keyboard.press('ControlOrMeta+Home');
  assert.deepEqual(await page.locator('#pane-definition .cm-matchingBracket').allInnerTexts(), ['{', '}']);
  // The brace inside the string is text, not a bracket: the array's brackets still match.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  assert.deepEqual(await page.locator('#pane-definition .cm-matchingBracket').allInnerTexts(), ['[', ']']);
  // Backspace between an empty pair removes both.
  await typeInEditor(page, '');
  await page.keyboard.type('[');
  await page.keyboard.press('Backspace');
  assert.equal(await editorText(page), '');
  assert.deepEqual(errors, []);
});
