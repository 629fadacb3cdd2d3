// The code editor as a person uses it: highlighted JSON and JavaScript with line numbers, problems marked
// where they are as one types, undo per tab, typing helps (brackets, indentation, comments), large
// documents drawn a screen at a time, and a state clicked in the graph shown in the definition.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, openPlayground, editorText, typeInEditor, cursorLine, openTab, clickEditor, paste, EDITOR, EDITOR_INPUT,
} from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The colour a token of the shown document is drawn in: the first span whose text is `token`. */
async function colourOf(page, token) {
  return page.evaluate(([t, ed]) => {
    const span = [...document.querySelectorAll(`${ed} .ed-line span`)].find((s) => s.textContent === t);
    return span ? getComputedStyle(span).color : null;
  }, [token, EDITOR]);
}

/** The line numbers (as the gutter shows them beside the lines) of the drawn lines holding an element matching `selector`. */
async function linesWith(page, selector) {
  return page.evaluate(([sel, ed]) => {
    const numbers = [...document.querySelectorAll(`${ed} .ed-num`)];
    return [...document.querySelectorAll(`${ed} .ed-line`)].filter((l) => l.querySelector(sel)).map((l) => {
      const y = l.getBoundingClientRect().top;
      const n = numbers.find((g) => Math.abs(g.getBoundingClientRect().top - y) < 1);
      return n ? Number(n.textContent) : 0;
    });
  }, [selector, EDITOR]);
}

/** The texts of the drawn elements matching `selector` in the shown tab, once they are `want`. */
async function drawn(page, selector, want) {
  const read = (s) => [...document.querySelectorAll(s)].map((e) => e.textContent);
  try {
    await page.waitForFunction(([s, w]) => JSON.stringify([...document.querySelectorAll(s)].map((e) => e.textContent)) === w,
      [`${EDITOR} ${selector}`, JSON.stringify(want)], { timeout: 3000 });
  } catch (e) { /* the assertion below says what is drawn */ }
  assert.deepEqual(await page.evaluate(read, `${EDITOR} ${selector}`), want);
}

/** A definition of `n` Pass states in a chain, pretty-printed (about 6 lines a state). */
function chain(n) {
  const states = {};
  for (let i = 1; i <= n; i++) states[`S${i}`] = i < n ? { Type: 'Pass', Next: `S${i + 1}` } : { Type: 'Pass', End: true };
  return JSON.stringify({ StartAt: 'S1', States: states }, null, 2);
}

test('the definition is highlighted JSON with line numbers', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const text = await editorText(page);
  const lines = text.split('\n').length;
  const numbers = await page.locator(`${EDITOR} .ed-num`).allInnerTexts();
  assert.ok(numbers.includes('1') && numbers.includes(String(lines)), `line numbers 1..${lines}: ${numbers}`);
  const key = await colourOf(page, '"Comment"');
  const value = await colourOf(page, '"An example of a simple order process"');
  assert.ok(key && value, 'property names and strings are token spans');
  assert.notEqual(key, value, 'a property name and a string value are coloured differently');
  assert.notEqual(key, await page.evaluate((ed) => getComputedStyle(document.querySelector(`${ed} .ed-line`)).color, EDITOR));
  // The textarea's own text is not drawn: what shows is the highlighted layer under it.
  assert.equal(await page.locator(EDITOR_INPUT).evaluate((t) => getComputedStyle(t).color), 'rgba(0, 0, 0, 0)');
  assert.equal(await page.locator(EDITOR_INPUT).getAttribute('aria-label'), 'Definition editor');
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
  const underline = page.locator(`${EDITOR} .ed-lint-error`).first();
  await underline.waitFor();
  assert.deepEqual(await linesWith(page, '.ed-lint-error'), [4]);
  assert.match(await underline.evaluate((e) => getComputedStyle(e).textDecoration), /wavy/, 'a wavy underline');
  const marker = page.locator(`${EDITOR} .ed-mark-error`);
  assert.equal(await marker.count(), 1);
  const markerBox = await marker.boundingBox();
  const lineBox = await page.locator(`${EDITOR} .ed-line`).nth(3).boundingBox();
  assert.ok(Math.abs(markerBox.y + markerBox.height / 2 - (lineBox.y + lineBox.height / 2)) < 4, 'the gutter marker is on line 4');
  const problem = await page.locator('.problems .problem.error').first().innerText();
  const title = await underline.getAttribute('title');
  assert.ok(title && problem.includes(title.split('\n')[0]), `the underline's hover text is the problem's message: ${title}`);
  assert.equal(await marker.getAttribute('title'), title, "the marker's hover text too");
  // The underline lies under the textarea: hovering it gives the textarea that title, which the browser shows.
  const box = await underline.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  assert.equal(await page.locator(EDITOR_INPUT).getAttribute('title'), title);
  await page.mouse.move(box.x + box.width / 2, box.y - 40);
  assert.equal(await page.locator(EDITOR_INPUT).getAttribute('title'), '');
  // Fixing it clears the marker.
  await typeInEditor(page, '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass", "End": true}\n  }\n}');
  await page.locator(`${EDITOR} .ed-lint-error`).waitFor({ state: 'detached' });
  assert.equal(await marker.count(), 0);
  assert.deepEqual(errors, []);
});

test('an input that is not JSON is marked where it breaks', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await openTab(page, 'Input');
  await typeInEditor(page, '{\n  "orderId": "o-1",\n  "items": [1 2]\n}');
  await page.locator(`${EDITOR} .ed-lint-error`).first().waitFor();
  assert.deepEqual(await linesWith(page, '.ed-lint-error'), [3]);
  await typeInEditor(page, '{"orderId": "o-1"}');
  await page.locator(`${EDITOR} .ed-lint-error`).waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
});

test('a Task whose Lambda is missing is marked as a warning on its Resource line', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const text = (await editorText(page)).replace('function:NotifyCustomer', 'function:SendEmail');
  await typeInEditor(page, text);
  await page.locator(`${EDITOR} .ed-lint-warning`).first().waitFor();
  const line = text.split('\n').findIndex((l) => l.includes('function:SendEmail')) + 1;
  assert.deepEqual(await linesWith(page, '.ed-lint-warning'), [line]);
  assert.equal(await page.locator(`${EDITOR} .ed-mark-warning`).count(), 1);
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
  await clickEditor(page);
  await page.keyboard.press('ControlOrMeta+z');
  assert.equal(await editorText(page), original);
  await page.locator('#pane-graph g.node[data-state="Check Inventory"]').waitFor();
  await page.keyboard.press('ControlOrMeta+Shift+z');
  assert.equal(await editorText(page), '{"StartAt": "Nothing"}');
  await openTab(page, 'Input');
  assert.equal(await editorText(page), '{"x": 1}');
  assert.deepEqual(errors, []);
});

test('typed edits in two tabs are undone each in its own tab', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const definition = await editorText(page);
  await clickEditor(page);
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type(' ');
  assert.equal(await editorText(page), definition + ' ');
  await openTab(page, 'λ ProcessPayment');
  const lambda = await editorText(page);
  await clickEditor(page);
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.type('// paid');
  assert.equal(await editorText(page), '// paid' + lambda);
  await openTab(page, 'Definition');
  await clickEditor(page);
  await page.keyboard.press('ControlOrMeta+z');
  assert.equal(await editorText(page), definition, "the definition's edit is undone");
  await page.keyboard.press('ControlOrMeta+z');
  assert.equal(await editorText(page), definition, 'nothing more to undo in the definition');
  await openTab(page, 'λ ProcessPayment');
  assert.equal(await editorText(page), '// paid' + lambda, "the Lambda's edit is still there");
  await clickEditor(page);
  await page.keyboard.press('ControlOrMeta+z');
  assert.equal(await editorText(page), lambda, 'typing a word is one step');
  await page.keyboard.press('ControlOrMeta+y');
  assert.equal(await editorText(page), '// paid' + lambda, 'and redone');
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
    // The selection is drawn (the editor does not have the focus, the graph has).
    await drawn(page, '.ed-sel', [`"${name}"`]);
    assert.deepEqual(await linesWith(page, '.ed-sel'), [line]);
  }
  assert.deepEqual(errors, []);
});

test('a problem far down a long definition is scrolled to the middle of the editor', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const text = chain(300).replace('"Next": "S250"', '"Next": "S250",');
  await paste(page, 'Definition', text);
  const problem = page.locator('.problems .problem.error').first();
  await problem.waitFor();
  await page.keyboard.press('ControlOrMeta+Home');
  const line = Number((await problem.locator('.loc').innerText()).split(':')[0]);
  assert.ok(line > 900, `the problem is far down: line ${line}`);
  await problem.locator('.loc').click();
  await page.waitForFunction((n) => window.SfnEditor.cursorLine() === n, line, { timeout: 5000 });
  assert.ok(await page.evaluate(() => document.activeElement?.classList.contains('ed-input')), 'the editor has the focus');
  const view = await page.locator(EDITOR).boundingBox();
  const [marked] = await linesWith(page, '.ed-lint-error');
  assert.equal(marked, line, 'the problem is underlined on its line');
  const box = await page.locator(`${EDITOR} .ed-lint-error`).first().boundingBox();
  const middle = view.y + view.height / 2;
  assert.ok(Math.abs(box.y + box.height / 2 - middle) < 30, `the line is in the middle: ${box.y} of ${view.y}..${view.y + view.height}`);
  assert.deepEqual(errors, []);
});

test('a JSONata expression in the definition is highlighted apart from plain strings', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await openTab(page, 'Definition');
  await typeInEditor(page, '{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $states.input.x + 1 %}", "End": true}}}');
  const expr = page.locator(`${EDITOR} .ed-line span`, { hasText: '{% $states.input.x + 1 %}' });
  await expr.waitFor();
  const plain = page.locator(`${EDITOR} .ed-line span`, { hasText: '"Pass"' });
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
  await drawn(page, '.ed-match', ['{', '}']);
  // The brace inside the string is text, not a bracket: the array's brackets still match.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await drawn(page, '.ed-match', ['[', ']']);
  // Backspace between an empty pair removes both.
  await typeInEditor(page, '');
  await page.keyboard.type('[');
  assert.equal(await editorText(page), '[]');
  await page.keyboard.press('Backspace');
  assert.equal(await editorText(page), '');
  assert.deepEqual(errors, []);
});

test('Enter between brackets puts the closing one on a line of its own; a closing bracket on a blank line is re-indented', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await typeInEditor(page, '');
  await page.keyboard.type('{"a": {');
  assert.equal(await editorText(page), '{"a": {}}');
  await page.keyboard.press('Enter');
  assert.equal(await editorText(page), '{"a": {\n    \n  }}', 'exploded, the cursor indented by the depth');
  assert.equal(await cursorLine(page), 2);
  await page.keyboard.type('"b": 1');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Enter');
  assert.equal(await editorText(page), '{"a": {\n    "b": 1\n  }\n}', 'Enter before a closing bracket dedents it');
  // Typed on a blank line, a closing bracket goes to its depth.
  await typeInEditor(page, '[\n  1,\n      ');
  await page.keyboard.type(']');
  assert.equal(await editorText(page), '[\n  1,\n]');
  // Each typing command is undone with what was typed around it, back to the empty editor.
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('[');
  await page.keyboard.press('Enter');
  await page.keyboard.type('1');
  assert.equal(await editorText(page), '[\n  1\n]');
  for (let i = 0; i < 4 && (await editorText(page)) !== ''; i++) await page.keyboard.press('ControlOrMeta+z');
  assert.equal(await editorText(page), '');
  assert.deepEqual(errors, []);
});

test('a closing bracket or quote typed before the same one steps over it', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await openTab(page, 'λ ProcessPayment');
  await typeInEditor(page, '');
  await page.keyboard.type('f(["a", \'b\', `c`]);');
  assert.equal(await editorText(page), 'f(["a", \'b\', `c`]);');
  // A selection is wrapped.
  await typeInEditor(page, 'x = y;');
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.type('(');
  assert.equal(await editorText(page), '(x) = y;');
  assert.equal(await page.evaluate(() => window.SfnEditor.selectedText()), 'x');
  assert.deepEqual(errors, []);
});

test('Tab and Shift-Tab indent and dedent the selected lines; Mod-/ comments JavaScript lines', async () => {
  const { page, errors } = await openPlayground(browser.context);
  await openTab(page, 'λ ProcessPayment');
  await typeInEditor(page, 'a();\nb();\nc();');
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+End');
  await page.keyboard.press('Tab');
  assert.equal(await editorText(page), '  a();\n  b();\nc();');
  assert.equal(await page.evaluate(() => window.SfnEditor.selectedText()), 'a();\n  b();', 'the text stays selected');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await editorText(page), 'a();\nb();\nc();');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await editorText(page), 'a();\nb();\nc();', 'nothing left to dedent');
  await page.keyboard.press('ControlOrMeta+/');
  assert.equal(await editorText(page), '// a();\n// b();\nc();');
  await page.keyboard.press('ControlOrMeta+/');
  assert.equal(await editorText(page), 'a();\nb();\nc();');
  // An empty cursor indents its line.
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.press('Tab');
  assert.equal(await editorText(page), 'a();\nb();\n  c();');
  await page.keyboard.press('ControlOrMeta+z');
  assert.equal(await editorText(page), 'a();\nb();\nc();');
  // JSON has no comments: Mod-/ leaves it alone.
  await openTab(page, 'Input');
  const input = await editorText(page);
  await clickEditor(page);
  await page.keyboard.press('ControlOrMeta+/');
  assert.equal(await editorText(page), input);
  assert.deepEqual(errors, []);
});

test('a long definition is drawn a screen at a time, its gutter aligned after scrolling', async () => {
  const { page, errors } = await openPlayground(browser.context);
  const text = chain(1000) + '\n' + '"' + 'x'.repeat(600) + '"';
  const lines = text.split('\n');
  await paste(page, 'Definition', text);
  assert.equal(await editorText(page), text);
  const count = await page.locator(`${EDITOR} .ed-line`).count();
  assert.ok(count > 10 && count < 300, `only the lines around the view are drawn: ${count} of ${lines.length}`);
  await page.keyboard.press('ControlOrMeta+End');
  const last = String(lines.length);
  await page.locator(`${EDITOR} .ed-num`, { hasText: new RegExp(`^${last}$`) }).waitFor();
  await page.waitForFunction((ed) => document.querySelector(ed).scrollLeft > 0, EDITOR);
  // Each drawn line number is level with its line, after scrolling down and across.
  const rows = await page.evaluate((ed) => {
    const nums = [...document.querySelectorAll(`${ed} .ed-num`)];
    return [...document.querySelectorAll(`${ed} .ed-line`)].map((l, i) => [l.getBoundingClientRect().top, nums[i].getBoundingClientRect().top]);
  }, EDITOR);
  assert.ok(rows.every(([a, b]) => Math.abs(a - b) < 0.5), 'line numbers level with their lines');
  // The end of the long last line, where the cursor is, is in view and clear of the gutter.
  const view = await page.locator(EDITOR).boundingBox();
  const gutter = await page.locator(`${EDITOR} .ed-gutter`).boundingBox();
  assert.ok(Math.abs(gutter.x - view.x) < 1, 'the gutter stays at the left');
  const end = await page.evaluate((ed) => {
    const lines = [...document.querySelectorAll(`${ed} .ed-line`)];
    const range = document.createRange();
    range.selectNodeContents(lines[lines.length - 1]);
    const r = range.getBoundingClientRect();
    return { right: r.right, bottom: r.bottom };
  }, EDITOR);
  assert.ok(end.right > gutter.x + gutter.width && end.right <= view.x + view.width, `the line's end is in view: ${end.right}`);
  assert.ok(end.bottom <= view.y + view.height, 'the last line is in view');
  // Typing there changes the text there, and the drawn line follows.
  await page.keyboard.type('!');
  assert.equal(await editorText(page), text + '!');
  await page.keyboard.press('ControlOrMeta+Home');
  await page.locator(`${EDITOR} .ed-num`, { hasText: /^1$/ }).waitFor();
  assert.equal(await page.locator(EDITOR).evaluate((e) => [e.scrollTop, e.scrollLeft].join()), '0,0');
  assert.deepEqual(errors, []);
});

test('typing fast in a big definition: Run runs the typed text, problems and graph catch up with the last key', async () => {
  const { page, errors } = await openPlayground(browser.context);
  // Over 20 KB: its diagnostics, graph and autosave follow when typing pauses, not at each key.
  const definition = JSON.stringify({
    Comment: 'padding '.repeat(6000), StartAt: 'A',
    States: { A: { Type: 'Pass', Result: 'one', Next: 'B' }, B: { Type: 'Pass', End: true } },
  }, null, 2);
  await paste(page, 'Definition', definition);
  await page.locator('#pane-graph g.node[data-state="B"]').waitFor();
  // The caret after `needle`'s first `upto` characters (all of them by default).
  const caretAfter = (needle, upto = needle.length) => page.evaluate(([sel, n, k]) => {
    const ta = document.querySelector(sel);
    const at = ta.value.indexOf(n) + k;
    ta.focus();
    ta.setSelectionRange(at, at);
  }, [EDITOR_INPUT, needle, upto]);
  // Run pressed right after the last key runs what the editor holds.
  await caretAfter('"one');
  await page.keyboard.type('-two');
  await page.click('#run');
  await page.locator('tr[data-type="ExecutionSucceeded"]').waitFor({ timeout: 15000 });
  await page.locator('#pane-graph g.node[data-state="A"]').click();
  assert.equal(JSON.parse(await page.locator('.inspector [data-stage="output"] pre').textContent()), 'one-two');
  // Keys in a row, the last leaving a broken reference: the problems end up about the last text.
  await caretAfter('"Next": "B');
  await page.keyboard.type('CX');
  await page.keyboard.press('Backspace');
  await page.locator('.problems .problem.error').first().waitFor();
  assert.match(await page.locator('.problems').innerText(), /BC/);
  // Renaming the state to match: no problem left, and the graph shows the new name.
  await caretAfter('"B": {', 2);
  await page.keyboard.type('C');
  await page.locator('#pane-graph g.node[data-state="BC"]').waitFor();
  await page.locator('.problems .problem').first().waitFor({ state: 'detached' });
  assert.equal(await page.locator('#pane-graph g.node[data-state="B"]').count(), 0);
  assert.equal(await editorText(page), definition.replace('"one"', '"one-two"').replace('"B"', '"BC"').replace('"B":', '"BC":'));
  assert.deepEqual(errors, []);
});
