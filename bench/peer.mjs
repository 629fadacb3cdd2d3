// The peer on the shared workloads: aws-local-stepfunctions, measured as ../shared/bench/peer/bench.mjs
// measures it (construct once, WARMUP untimed runs, RUNS timed runs, median), with its result
// checked against crates/bench/expected.json. Run by `cargo xtask bench`; alone:
//   node bench/peer.mjs [--runs N] [--warmup N] [--workloads DIR] [--json OUT] [IDS...]
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs, median, deepEqual, selected, workloadsDir } from './common.mjs';

// aws-local-stepfunctions@3 uses Promise.withResolvers (Node 22+); polyfilled as bench.mjs does.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function () {
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}
const { StateMachine } = await import('aws-local-stepfunctions');
const pkg = JSON.parse(readFileSync(new URL('./node_modules/aws-local-stepfunctions/package.json', import.meta.url), 'utf8'));

const args = parseArgs(process.argv.slice(2));
const dir = workloadsDir(args.workloads);
const load = (f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8'));
const manifest = load('manifest.json');
const expected = JSON.parse(readFileSync(new URL('../crates/bench/expected.json', import.meta.url), 'utf8'));

// W3's Lambda, as the manifest defines it.
const handlers = { Invoke: (input) => ({ doubled: input.x * 2, id: input.id }) };

async function runOnce(sm, input) {
  const exec = sm.run(input, { overrides: { taskResourceLocalHandlers: handlers } });
  return await exec.result;
}

console.log(`peer: aws-local-stepfunctions ${pkg.version} on node ${process.version}; ${args.runs} timed runs after ${args.warmup} warm-up`);
const rows = [];
const ids = manifest.map((m) => m.id);
for (const w of manifest) {
  if (!selected(args.ids, w.id, ids)) continue;
  const row = { id: w.id, unit: w.unit, unitsPerRun: w.unitsPerRun };
  try {
    const def = load(w.asl);
    const input = load(w.input);
    const sm = new StateMachine(def); // includes asl-validator validation, as in bench.mjs
    const times = [], cpu = [], rss = [];
    let out;
    for (let i = 0; i < args.warmup + args.runs; i++) {
      const fresh = structuredClone(input); // its States.JsonMerge mutates its input: each run gets its own
      const c = process.cpuUsage();
      const t = performance.now();
      const r = await runOnce(sm, fresh);
      const ms = performance.now() - t;
      const used = process.cpuUsage(c);
      if (i >= args.warmup) { times.push(ms); cpu.push((used.user + used.system) / 1000); }
      if (i === 0) out = r;
      rss.push(process.memoryUsage().rss);
    }
    row.timesMs = times;
    row.medianMs = median(times);
    row.cpuMs = cpu;
    row.cpuMedianMs = median(cpu);
    const want = expected[w.id];
    row.check = !want ? 'no expected result' : deepEqual(out, want.output) ? 'ok' : `wrong output: ${JSON.stringify(out).slice(0, 200)}`;
    row.memory = { rssBytes: rss };
  } catch (e) {
    row.error = String(e?.cause ?? e?.message ?? e).slice(0, 300);
    row.check = `failed: ${row.error}`;
  }
  rows.push(row);
  console.log(`${w.id.padEnd(11)} ` + (row.error ? `FAILED: ${row.error}` :
    `median ${row.medianMs.toFixed(2).padStart(9)} ms  (min ${Math.min(...row.timesMs).toFixed(2)}, max ${Math.max(...row.timesMs).toFixed(2)})  ${row.check === 'ok' ? 'result ok' : 'WRONG RESULT: ' + row.check}`));
}
if (args.json) writeFileSync(args.json, JSON.stringify({ runner: 'peer', version: pkg.version, node: process.version, runs: args.runs, warmup: args.warmup, workloads: rows }, null, 1));
