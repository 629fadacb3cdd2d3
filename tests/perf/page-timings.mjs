// Measures the page as a visitor meets it (run by `cargo xtask measure`; a measurement, not a test):
// time from navigation to interactive, time to run the default example, and the layout time of W1's
// 1,000-state graph. Prints medians of RUNS fresh page loads.
import { readFileSync } from 'node:fs';
import { launch, openPlayground, openTab } from '../e2e/browser.mjs';

const RUNS = Number(process.env.RUNS || 5);
const W1 = process.env.W1_PATH;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const browser = await launch();
const interactive = [], runDefault = [], layoutW1 = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const { page } = await openPlayground(browser.context);
    // Interactive: the Run button is there and enabled (the wasm app mounted), in page time.
    await page.waitForFunction(() => { const b = document.querySelector('#run'); return b && !b.disabled; }, null, { polling: 'raf' });
    interactive.push(await page.evaluate(() => performance.now()));
    // The default example: from the click to SUCCEEDED on screen.
    const ms = await page.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      const obs = new MutationObserver(() => {
        if (document.querySelector('#status')?.textContent === 'SUCCEEDED') { obs.disconnect(); resolve(performance.now() - t0); }
      });
      obs.observe(document.body, { subtree: true, childList: true, characterData: true });
      document.querySelector('#run').click();
    }));
    runDefault.push(ms);
    if (W1) {
      await openTab(page, 'Definition');
      // Pasted, as a person would bring a big definition in (typing 230 KB is not a thing people do).
      await page.locator('#pane-definition .cm-content').click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.evaluate((text) => {
        const data = new DataTransfer();
        data.setData('text/plain', text);
        document.querySelector('#pane-definition .cm-content')
          .dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      }, readFileSync(W1, 'utf8'));
      await page.waitForFunction(() => document.querySelectorAll('#pane-graph g.node').length >= 1000, null, { timeout: 60000 });
      layoutW1.push(Number(await page.locator('#pane-graph svg.graph').getAttribute('data-layout-ms')));
    }
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(`page timings, median of ${RUNS} loads (headless Chromium, this machine):`);
console.log(`  load to interactive        ${median(interactive).toFixed(0)} ms`);
console.log(`  run the default example    ${median(runDefault).toFixed(1)} ms`);
if (layoutW1.length) console.log(`  lay out W1 (1,000 states)  ${median(layoutW1).toFixed(1)} ms (graph model + layout, in wasm)`);
