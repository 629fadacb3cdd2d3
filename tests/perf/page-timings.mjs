// Measures the page as a visitor meets it (run by `cargo xtask bench` and `cargo xtask measure`; a
// measurement, never a test): time from navigation to interactive, time to run the default example
// (the first run right after load, a second run, and the first run of a page clicked 1 s after load),
// the layout time of W1's 1,000-state graph, and a 10,000-item Map run (tests/perf/map10k.asl.json):
// its total time and the longest frame while it runs and for 400 ms after its end shows (gaps between
// requestAnimationFrame callbacks, and PerformanceObserver `longtask` entries). Prints medians of RUNS fresh page loads; with
// PAGE_JSON=FILE also writes them as JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import { launch, openPlayground, paste } from '../e2e/browser.mjs';

const RUNS = Number(process.env.RUNS || 5);
/** How long the Map's frames are still watched after its end shows (the page's work goes on past it). */
const AFTER_END_MS = 400;
const W1 = process.env.W1_PATH;
const MAP = new URL('./map10k.asl.json', import.meta.url);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length === 0 ? null : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** Clicks Run and resolves when the status leaves RUNNING: total ms, longest frame gap, long tasks. */
function runWatchingFrames(page) {
  return page.evaluate((AFTER_END_MS) => new Promise((resolve) => {
    const longTasks = [];
    let observer = null;
    try {
      observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push(e.duration); });
      observer.observe({ type: 'longtask' });
    } catch { /* no longtask support: the rAF gaps still tell */ }
    let running = true, last = performance.now(), longestFrame = 0;
    const tick = () => {
      const now = performance.now();
      longestFrame = Math.max(longestFrame, now - last);
      last = now;
      if (running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    const t0 = performance.now();
    const done = () => {
      const s = document.querySelector('#status')?.textContent;
      return s && s !== 'RUNNING' && s !== 'NOT RUN' ? s : null;
    };
    const finish = (status) => {
      const ms = performance.now() - t0;
      // Frames are watched for a while after the end too: the page draws the end's rows frame by frame.
      setTimeout(() => {
        running = false;
        requestAnimationFrame(() => {
          longestFrame = Math.max(longestFrame, performance.now() - last);
          setTimeout(() => { observer?.disconnect(); resolve({ status, ms, longestFrame, longTasks }); }, 50);
        });
      }, AFTER_END_MS);
    };
    const obs = new MutationObserver(() => { const s = done(); if (s) { obs.disconnect(); finish(s); } });
    obs.observe(document.body, { subtree: true, childList: true, characterData: true });
    document.querySelector('#run').click();
  }), AFTER_END_MS);
}

/** Clicks Run and resolves with the ms from the click to SUCCEEDED on screen. */
const runOnce = (page) => page.evaluate(() => new Promise((resolve) => {
  const t0 = performance.now();
  let left = false; // the status must first leave the previous run's SUCCEEDED
  const obs = new MutationObserver(() => {
    const s = document.querySelector('#status')?.textContent;
    if (s !== 'SUCCEEDED') left = true;
    else if (left) { obs.disconnect(); resolve(performance.now() - t0); }
  });
  obs.observe(document.body, { subtree: true, childList: true, characterData: true });
  if (document.querySelector('#status')?.textContent !== 'SUCCEEDED') left = true;
  document.querySelector('#run').click();
}));

const browser = await launch();
const interactive = [], runDefault = [], runDefaultWarm = [], runDefaultLater = [], layoutW1 = [], mapRun = [], mapFrame = [], mapLongTasks = [], mapLongestTask = [];
let mapStatus = null;
try {
  for (let i = 0; i < RUNS; i++) {
    const { page } = await openPlayground(browser.context);
    // Interactive: the Run button is there and enabled (the wasm app mounted), in page time.
    await page.waitForFunction(() => { const b = document.querySelector('#run'); return b && !b.disabled; }, null, { polling: 'raf' });
    interactive.push(await page.evaluate(() => performance.now()));
    // The default example: from the click to SUCCEEDED on screen; the first run after load, then a
    // second one (the page caches nothing between them: it restarts the Lambda Workers at every run).
    const ms = await runOnce(page);
    runDefaultWarm.push(await runOnce(page));
    runDefault.push(ms);
    if (W1) {
      // Pasted, as a person would bring a big definition in (typing 230 KB is not a thing people do).
      await paste(page, 'Definition', readFileSync(W1, 'utf8'));
      await page.waitForFunction(() => document.querySelectorAll('#pane-graph g.node').length >= 1000, null, { timeout: 60000 });
      layoutW1.push(Number(await page.locator('#pane-graph svg.graph').getAttribute('data-layout-ms')));
    }
    // A 10,000-item Map: the page must keep painting while it runs.
    await paste(page, 'Input', '{}');
    await paste(page, 'Definition', readFileSync(MAP, 'utf8'));
    await page.waitForFunction(() => document.querySelector('#pane-graph g.node[data-state="Each"]'), null, { timeout: 20000 });
    const m = await runWatchingFrames(page);
    mapStatus = m.status;
    mapRun.push(m.ms);
    mapFrame.push(m.longestFrame);
    mapLongTasks.push(m.longTasks.length);
    mapLongestTask.push(m.longTasks.length ? Math.max(...m.longTasks) : 0);
    await page.close();
    // The first run of a fresh page clicked a second after it became interactive, as a person
    // would: the page has started its bare Lambda Workers by then.
    const { page: later } = await openPlayground(browser.context);
    await later.waitForFunction(() => { const b = document.querySelector('#run'); return b && !b.disabled; }, null, { polling: 'raf' });
    await later.waitForTimeout(1000);
    runDefaultLater.push(await runOnce(later));
    await later.close();
  }
} finally {
  await browser.close();
}
const result = {
  runs: RUNS, interactiveMs: median(interactive), runDefaultMs: median(runDefault), runDefaultWarmMs: median(runDefaultWarm), runDefaultLaterMs: median(runDefaultLater), layoutW1Ms: median(layoutW1),
  mapStatus, mapRunMs: median(mapRun), mapLongestFrameMs: median(mapFrame), mapLongTasks: median(mapLongTasks), mapLongestTaskMs: median(mapLongestTask),
  samples: { interactive, runDefault, runDefaultWarm, runDefaultLater, layoutW1, mapRun, mapFrame, mapLongTasks, mapLongestTask },
};
console.log(`page timings, median of ${RUNS} loads (headless Chromium, this machine):`);
console.log(`  load to interactive        ${result.interactiveMs.toFixed(0)} ms`);
console.log(`  run the default example    ${result.runDefaultMs.toFixed(1)} ms, ${result.runDefaultWarmMs.toFixed(1)} ms the second time; ${result.runDefaultLaterMs.toFixed(1)} ms clicked 1 s after load`);
if (layoutW1.length) console.log(`  lay out W1 (1,000 states)  ${result.layoutW1Ms.toFixed(1)} ms (graph model + layout, in wasm)`);
console.log(`  10,000-item Map            ${result.mapRunMs.toFixed(0)} ms to ${mapStatus}; longest frame ${result.mapLongestFrameMs.toFixed(1)} ms, ` +
  `${result.mapLongTasks} long tasks (longest ${result.mapLongestTaskMs.toFixed(0)} ms)`);
if (process.env.PAGE_JSON) writeFileSync(process.env.PAGE_JSON, JSON.stringify(result, null, 1));
