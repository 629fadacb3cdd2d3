// Profiles the default example's first run and the 10,000-item Map's run with Chromium's sampling profiler (CDP):
// prints the heaviest functions by self time. A tool for finding where the page's time goes; not a test.
import { readFileSync } from 'node:fs';
import { launch, openPlayground, paste } from '../e2e/browser.mjs';

const MAP = new URL('./map10k.asl.json', import.meta.url);
const TOP = Number(process.env.TOP || 25);

function summarize(profile, label) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]);
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    self.set(key, (self.get(key) || 0) + (dt[i + 1] || 0) / 1000);
  }
  const total = (profile.endTime - profile.startTime) / 1000;
  console.log(`\n== ${label}: ${total.toFixed(1)} ms profiled`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${v.toFixed(1).padStart(8)} ms  ${k}`);
}

/**
 * What ran in each long task (`tasks`: [start, duration] in page time; `pageAtStart`: the page's
 * performance.now() when the profiler started): the heaviest functions by self time, and the page's
 * own functions by inclusive time, which tell which part of the page made the long task. Names need
 * a wasm with a name section (docs/bench.md says how to build one).
 */
function longTasks(profile, tasks, pageAtStart, label) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const name = (n) => n.callFrame.functionName || '(anonymous)';
  const times = [];
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) { t += profile.timeDeltas[i] || 0; times.push(t); }
  console.log(`\n== ${label}: ${tasks.length} long tasks and frames`);
  for (const [start, duration, kind] of tasks) {
    const from = profile.startTime + (start - pageAtStart) * 1000, to = from + duration * 1000;
    const self = new Map(), incl = new Map();
    for (let i = 0; i < profile.samples.length; i++) {
      if (times[i] < from || times[i] > to) continue;
      const n = byId.get(profile.samples[i]);
      const dt = (profile.timeDeltas[i + 1] || 0) / 1000;
      self.set(name(n), (self.get(name(n)) || 0) + dt);
      const seen = new Set();
      for (let id = n.id; id !== undefined; id = parent.get(id)) {
        const f = name(byId.get(id));
        if (/^playground|^<playground|host\.js|yieldTask|onmessage/.test(f) && !seen.has(f)) { seen.add(f); incl.set(f, (incl.get(f) || 0) + dt); }
      }
    }
    const top = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([f, v]) => `    ${v.toFixed(1).padStart(6)} ms  ${f.slice(0, 170)}`).join('\n');
    console.log(`-- ${kind} at ${(start - pageAtStart).toFixed(0)} ms after the profiler started, ${duration.toFixed(0)} ms\n  self:\n${top(self, 10)}\n  the page's functions, inclusive:\n${top(incl, 14)}`);
  }
}

const clickAndWait = (page) => page.evaluate(() => new Promise((resolve) => {
  const t0 = performance.now();
  const marks = [];
  const long = [];
  const raw = [];
  // Frames longer than 50 ms (gaps between animation frames) are looked into as the long tasks are.
  let last = performance.now(), watching = true;
  const tick = () => { const now = performance.now(); if (now - last > 50) raw.push([last, now - last, 'frame']); last = now; if (watching) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  new PerformanceObserver((l) => { for (const e of l.getEntries()) { raw.push([e.startTime, e.duration, 'long task']); long.push(`${(e.startTime - t0).toFixed(0)}+${e.duration.toFixed(0)}`); } }).observe({ type: 'longtask' });
  const obs = new MutationObserver(() => {
    const s = document.querySelector('#status')?.textContent;
    marks.push(`${(performance.now() - t0).toFixed(1)} ${s}`);
    if (s && s !== 'RUNNING' && s !== 'NOT RUN') { obs.disconnect(); setTimeout(() => { watching = false; }, 250); const ms = performance.now() - t0; setTimeout(() => resolve({ ms, marks: marks.slice(-8), long, raw }), 300); }
  });
  obs.observe(document.body, { subtree: true, childList: true, characterData: true });
  document.querySelector('#run').click();
}));

const browser = await launch();
try {
  const { page } = await openPlayground(browser.context);
  await page.waitForFunction(() => { const b = document.querySelector('#run'); return b && !b.disabled; });
  await page.waitForTimeout(500);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  const r = await clickAndWait(page);
  const { profile } = await cdp.send('Profiler.stop');
  console.log('default example', r);
  // Again, once the spare Workers (started when the first run ended) are up.
  await page.waitForTimeout(1000);
  console.log('default example, a second run a second later', await clickAndWait(page));
  summarize(profile, 'default example, first run');
  // A fresh page where the pointer rests on Run before the click, as a person's does.
  {
    const { page: hovered } = await openPlayground(browser.context);
    await hovered.waitForFunction(() => { const b = document.querySelector('#run'); return b && !b.disabled; });
    await hovered.hover('#run');
    await hovered.waitForTimeout(Number(process.env.HOVER_MS || 300));
    console.log('default example, first run after the pointer rested on Run', await clickAndWait(hovered));
    await hovered.close();
  }
  // As tests/perf/page-timings.mjs does (with W1_PATH set): W1's 1,000-state graph first, then the Map.
  if (process.env.W1_PATH) {
    await paste(page, 'Definition', readFileSync(process.env.W1_PATH, 'utf8'));
    await page.waitForFunction(() => document.querySelectorAll('#pane-graph g.node').length >= 1000, null, { timeout: 60000 });
  }
  await paste(page, 'Input', '{}');
  await paste(page, 'Definition', readFileSync(MAP, 'utf8'));
  await page.waitForFunction(() => document.querySelector('#pane-graph g.node[data-state="Each"]'), null, { timeout: 20000 });
  await page.waitForTimeout(Number(process.env.WAIT_MS ?? 300));
  const pageAtStart = await page.evaluate(() => performance.now());
  await cdp.send('Profiler.start');
  const m = await clickAndWait(page);
  await page.waitForTimeout(300);
  const p2 = (await cdp.send('Profiler.stop')).profile;
  const { raw, ...shown } = m;
  console.log('map', shown);
  summarize(p2, 'map10k');
  longTasks(p2, raw, pageAtStart, 'map10k');
} finally {
  await browser.close();
}
