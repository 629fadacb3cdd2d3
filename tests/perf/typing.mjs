// Measures typing latency in the definition editor (run by `cargo xtask measure`; a measurement, never a
// test): for each keystroke, the delay from the keydown to the next paint, from the Event Timing API
// (which reports only events of 16 ms or more; a shorter keystroke counts as the time to the end of the
// next frame, measured with requestAnimationFrame, which is also printed: the main thread's part, without
// the compositor's). Keys are typed one at a time, KEY_MS apart (a quick
// typist's pace), into the Comment string of the default example, then of W1 (W1_PATH, 1,000 states,
// ~11,000 lines, pasted) near its top and near its end; and, for reference, into a bare <textarea>
// holding W1. Prints the median and the max of each series; with TYPING_JSON=FILE also writes them as JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import { launch, openPlayground, paste, EDITOR_INPUT } from '../e2e/browser.mjs';

const KEYS = Number(process.env.KEYS || 30);
const KEY_MS = Number(process.env.KEY_MS || 120);
const W1 = process.env.W1_PATH;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length === 0 ? null : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** Starts recording each keydown's delay to the next paint in the page (window.__keys). */
function watchKeys(page, target) {
  return page.evaluate((sel) => {
    const keys = window.__keys = [];
    const long = window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) long.push(Math.round(e.duration)); }).observe({ type: 'longtask' });
    const timing = new Map(); // keydown timeStamp -> Event Timing duration
    window.__timing = timing;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.name === 'keydown') timing.set(e.startTime, e.duration);
    }).observe({ type: 'event', durationThreshold: 16, buffered: false });
    document.querySelector(sel).addEventListener('keydown', (e) => {
      const t0 = e.timeStamp;
      const k = { t0, frame: null };
      keys.push(k);
      // After the next frame is drawn: a task queued from the frame's rAF callback runs after it.
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => { k.frame = performance.now() - t0; };
        ch.port2.postMessage(0);
      });
    }, true);
  }, target);
}

/** The delays of the keystrokes recorded since watchKeys (the first few, warming up, left out). */
async function readKeys(page) {
  await page.waitForTimeout(500); // the last Event Timing entries arrive after their paint
  if (process.env.DEBUG) console.log(await page.evaluate(() => JSON.stringify({ long: window.__long, keys: window.__keys.map((k) => [Math.round(window.__timing.get(k.t0) ?? -1), Math.round(k.frame)]) })));
  return page.evaluate(() => window.__keys.slice(3).map((k) => [window.__timing.get(k.t0) ?? k.frame, k.frame]));
}

/** Types KEYS letters one by one, KEY_MS apart. */
async function typeKeys(page) {
  for (let i = 0; i < KEYS; i++) {
    await page.keyboard.type(String.fromCharCode(97 + (i % 26)));
    await page.waitForTimeout(KEY_MS);
  }
}

/** Puts the editor's cursor at the UTF-16 offset where `needle` ends (its `nth` occurrence from the end when `last`). */
async function placeCursor(page, needle, last) {
  await page.evaluate(([sel, n, fromEnd]) => {
    const ta = document.querySelector(sel);
    const text = ta.value;
    const at = (fromEnd ? text.lastIndexOf(n) : text.indexOf(n)) + n.length;
    ta.focus();
    ta.setSelectionRange(at, at);
  }, [EDITOR_INPUT, needle, last]);
  await page.waitForTimeout(300);
}

async function series(page, needle, last) {
  await placeCursor(page, needle, last);
  await watchKeys(page, EDITOR_INPUT);
  await typeKeys(page);
  return readKeys(page);
}

const browser = await launch();
const out = {};
try {
  const { page } = await openPlayground(browser.context);
  await page.waitForFunction(() => { const b = document.querySelector('#run'); return b && !b.disabled; });
  await page.waitForTimeout(500);
  if (process.env.CSS) await page.addStyleTag({ content: process.env.CSS });
  out.defaultExample = await series(page, '"Comment": "', false);
  if (W1) {
    const w1 = readFileSync(W1, 'utf8');
    await paste(page, 'Definition', w1);
    await page.waitForFunction(() => document.querySelectorAll('#pane-graph g.node').length >= 1000, null, { timeout: 60000 });
    await page.waitForTimeout(1000);
    out.w1Top = await series(page, '"Comment": "W1', false);
    out.w1End = await series(page, '"ResultPath": "$.last', true);
    // The reference: a bare textarea of the same text, in a page of its own.
    const bare = await browser.context.newPage();
    await bare.setContent('<textarea id="t" wrap="off" style="width:600px;height:600px;font:13px monospace" spellcheck="false"></textarea>');
    await bare.evaluate((t) => { document.querySelector('#t').value = t; }, w1);
    await bare.evaluate(() => { const ta = document.querySelector('#t'); ta.focus(); ta.setSelectionRange(30, 30); });
    await bare.waitForTimeout(300);
    await watchKeys(bare, '#t');
    await typeKeys(bare);
    out.bareTextarea = await readKeys(bare);
    await bare.close();
  }
  await page.close();
} finally {
  await browser.close();
}
const labels = { defaultExample: 'default example', w1Top: 'W1, near the top', w1End: 'W1, near the end', bareTextarea: 'bare textarea (W1)' };
console.log(`typing, keydown to next paint, ${KEYS - 3} keys ${KEY_MS} ms apart (headless Chromium, this machine):`);
const result = { keys: KEYS - 3, keyMs: KEY_MS };
const fmt = (xs) => `median ${median(xs).toFixed(0).padStart(4)} ms, max ${Math.max(...xs).toFixed(0).padStart(4)} ms`;
console.log(`  ${''.padEnd(22)} ${'to next paint (Event Timing)'.padEnd(32)} to the end of the next frame (rAF)`);
for (const [k, pairs] of Object.entries(out)) {
  const xs = pairs.map((p) => p[0]), frames = pairs.map((p) => p[1]);
  result[k] = { medianMs: median(xs), maxMs: Math.max(...xs), frameMedianMs: median(frames), frameMaxMs: Math.max(...frames), samples: xs.map(Math.round), frames: frames.map(Math.round) };
  console.log(`  ${labels[k].padEnd(22)} ${fmt(xs)}     ${fmt(frames)}`);
}
if (process.env.TYPING_JSON) writeFileSync(process.env.TYPING_JSON, JSON.stringify(result, null, 1));
