// Our engine as WebAssembly in Node: the bench-wasm crate built for wasm32 and bound with
// `wasm-bindgen --target nodejs`. Times each workload as the peer is timed (WARMUP untimed runs,
// RUNS timed runs, median), with the full history kept, and checks the result; measures memory
// (linear memory size, and live/peak bytes from the counting allocator) after every run; with
// --jsonata, times the JSONata suite instead (compile + evaluate per case, RUNS passes).
// Run by `cargo xtask bench`; alone:
//   node bench/wasm.mjs --wasm target/bench-wasm [--runs N] [--warmup N] [--json OUT] [IDS...]
//   node bench/wasm.mjs --wasm target/bench-wasm --jsonata [--runs N] [--json OUT]
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, median, selected, workloadsDir } from './common.mjs';
import { loadSuite } from './suite.mjs';

const argv = process.argv.slice(2);
const jsonataMode = argv.includes('--jsonata');
const args = parseArgs(argv.filter((a) => a !== '--jsonata'));
const wasmDir = resolve(args.wasm ?? 'target/bench-wasm');
const wasm = createRequire(import.meta.url)(`${wasmDir}/bench_wasm.js`);
const json = (v) => { if (args.json) writeFileSync(args.json, JSON.stringify(v, null, 1)); };

if (jsonataMode) {
  const { cases, skipped, datasets } = loadSuite(args.suite);
  const suite = new wasm.Suite();
  for (const [name, text] of Object.entries(datasets)) suite.add_dataset(name, text);
  const ids = [];
  for (const c of cases) {
    try {
      suite.add_case(c.id, JSON.stringify(c.tc), c.exprFile ?? undefined);
      ids.push(c.id);
    } catch (e) {
      skipped.push(c.id);
    }
  }
  const n = suite.len();
  const failed = new Array(n).fill(false);
  const totals = [], totalsNoTb = [];
  for (let r = 0; r < args.runs; r++) {
    let total = 0, noTb = 0;
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      suite.run(i);
      const ms = performance.now() - t;
      total += ms;
      if (!suite.timeboxed(i)) noTb += ms;
      if (!suite.passed(i)) failed[i] = true;
    }
    totals.push(total); totalsNoTb.push(noTb);
    console.log(`pass ${r + 1}: ${total.toFixed(1)} ms total, ${noTb.toFixed(1)} ms without the time-boxed cases`);
  }
  const passed = failed.filter((f) => !f).length;
  console.log(`JSONata (ours, wasm in node ${process.version}): ${n} cases, ${passed} pass; median pass ${median(totals).toFixed(1)} ms, ${median(totalsNoTb).toFixed(1)} ms without the time-boxed cases`);
  json({ runner: 'wasm', cases: n, passed, skipped, runs: args.runs, totalsMs: totals, totalsNoTimeboxMs: totalsNoTb, medianTotalMs: median(totals), medianNoTimeboxMs: median(totalsNoTb) });
} else {
  const dir = workloadsDir(args.workloads);
  const text = (f) => readFileSync(new URL(f, dir), 'utf8');
  const manifest = JSON.parse(text('manifest.json'));
  const all = manifest.map((m) => m.id);
  console.log(`wasm (release, in node ${process.version}), ${args.runs} timed runs after ${args.warmup} warm-up, full history kept`);
  const rows = [];
  for (const m of manifest) {
    if (!selected(args.ids, m.id, all)) continue;
    const w = new wasm.Workload(JSON.stringify(m), text(m.asl), text(m.input));
    const base = wasm.live_bytes();
    const times = [], cpu = [], peaks = [], liveAfter = [], linear = [];
    let check = 'not run', events = 0, transitions = 0;
    for (let i = 0; i < args.warmup + args.runs; i++) {
      w.prepare(); // the input's copy, outside the timing (as the peer's)
      wasm.reset_peak();
      const c = process.cpuUsage();
      const t = performance.now();
      w.run();
      const ms = performance.now() - t;
      const used = process.cpuUsage(c);
      peaks.push(wasm.peak_bytes() - base);
      if (i >= args.warmup) { times.push(ms); cpu.push((used.user + used.system) / 1000); }
      if (i === 0) { check = w.check(); events = w.events(); transitions = w.transitions(); }
      w.release();
      liveAfter.push(wasm.live_bytes() - base);
      linear.push(wasm.memory_bytes());
    }
    w.free();
    const row = { id: m.id, unit: m.unit, unitsPerRun: m.unitsPerRun, transitions, events, timesMs: times, medianMs: median(times),
      minMs: Math.min(...times), maxMs: Math.max(...times), cpuMs: cpu, cpuMedianMs: median(cpu), check, memory: { peakBytes: peaks, liveAfterBytes: liveAfter, linearBytes: linear } };
    rows.push(row);
    const mib = (b) => (b / 2 ** 20).toFixed(1) + ' MiB';
    console.log(`${m.id.padEnd(11)} median ${row.medianMs.toFixed(2).padStart(9)} ms  (min ${row.minMs.toFixed(2)}, max ${row.maxMs.toFixed(2)})  ${transitions} transitions, ${events} events  ${check === 'ok' ? 'result ok' : 'WRONG RESULT: ' + check}`);
    console.log(`${''.padEnd(11)} memory: linear ${mib(linear[0])} after the first run, ${mib(linear.at(-1))} after the last; peak ${mib(peaks[0])} / ${mib(peaks.at(-1))}`);
  }
  json({ runner: 'wasm', node: process.version, runs: args.runs, warmup: args.warmup, workloads: rows });
}
