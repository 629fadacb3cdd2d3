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

const clickAndWait = (page) => page.evaluate(() => new Promise((resolve) => {
  const t0 = performance.now();
  const marks = [];
  const long = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) long.push(`${(e.startTime - t0).toFixed(0)}+${e.duration.toFixed(0)}`); }).observe({ type: 'longtask' });
  const obs = new MutationObserver(() => {
    const s = document.querySelector('#status')?.textContent;
    marks.push(`${(performance.now() - t0).toFixed(1)} ${s}`);
    if (s && s !== 'RUNNING' && s !== 'NOT RUN') { obs.disconnect(); const ms = performance.now() - t0; setTimeout(() => resolve({ ms, marks: marks.slice(-8), long }), 300); }
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
  await paste(page, 'Input', '{}');
  await paste(page, 'Definition', readFileSync(MAP, 'utf8'));
  await page.waitForFunction(() => document.querySelector('#pane-graph g.node[data-state="Each"]'), null, { timeout: 20000 });
  await page.waitForTimeout(300);
  await cdp.send('Profiler.start');
  const m = await clickAndWait(page);
  await page.waitForTimeout(300);
  const p2 = (await cdp.send('Profiler.stop')).profile;
  console.log('map', m);
  summarize(p2, 'map10k');
} finally {
  await browser.close();
}
