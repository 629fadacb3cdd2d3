// jsonata-js (the npm package `jsonata`, at the version ../shared/jsonata-suite/reference pins) on the
// JSONata suite, timed as the reference runner times it: per case only `jsonata(expr)` (+ the time
// box hooks where the case has timelimit+depth) and `await expr.evaluate(input, bindings)`; RUNS
// passes over every case, each pass's total, and the same total without the time-boxed cases.
// Judged by FORMAT.md's rules (outside the timing). Run by `cargo xtask bench`; alone:
//   node bench/jsonata-js.mjs [--runs N] [--suite DIR] [--json OUT]
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import jsonata from 'jsonata';
import { parseArgs, median, deepEqual } from './common.mjs';
import { loadSuite } from './suite.mjs';

const args = parseArgs(process.argv.slice(2));
const version = JSON.parse(readFileSync(new URL('./node_modules/jsonata/package.json', import.meta.url), 'utf8')).version;
const { cases, skipped, datasets } = loadSuite(args.suite);
const parsed = Object.fromEntries(Object.entries(datasets).map(([k, v]) => [k, JSON.parse(v)]));

// Same as timeboxExpression() in the reference runner.
function timeboxExpression(expr, timeout, maxDepth) {
  let depth = 0;
  const time = Date.now();
  const checkRunaway = function () {
    if (maxDepth > 0 && depth > maxDepth) throw { message: 'Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.', code: 'U1001' };
    if (Date.now() - time > timeout) throw { message: 'Expression evaluation timeout: Check for infinite loop', code: 'U1001' };
  };
  expr.assign(Symbol.for('jsonata.__evaluate_entry'), function (e, input, env) { if (env.isParallelCall) return; depth++; checkRunaway(); });
  expr.assign(Symbol.for('jsonata.__evaluate_exit'), function (e, input, env) { if (env.isParallelCall) return; depth--; checkRunaway(); });
}

const input = (tc) => ('data' in tc ? tc.data : tc.dataset === null ? undefined : parsed[tc.dataset]);
const clone = (v) => (v === undefined ? undefined : structuredClone(v));
const timeboxed = (tc) => 'timelimit' in tc && 'depth' in tc;

function passes(tc, compileErr, rejected, err, result) {
  if (compileErr !== undefined) return !!tc.code && compileErr.code === tc.code && (!('token' in tc) || compileErr.token === tc.token);
  if ('undefinedResult' in tc) return !rejected && result === undefined;
  if ('result' in tc) return !rejected && deepEqual(result, tc.result);
  if ('error' in tc) return rejected && Object.entries(tc.error).every(([k, v]) => err && deepEqual(err[k], v));
  if ('code' in tc) return rejected && err && err.code === tc.code;
  return false;
}

async function runCase(c) {
  const tc = c.tc;
  const expr_ = c.exprFile ?? tc.expr;
  const data = clone(input(tc));
  const bindings = clone(tc.bindings);
  let expr, compileErr, err, result, rejected = false;
  const t0 = performance.now();
  try {
    expr = jsonata(expr_);
    if (timeboxed(tc)) timeboxExpression(expr, tc.timelimit, tc.depth);
  } catch (e) { compileErr = e; }
  if (expr) {
    try { result = await expr.evaluate(data, bindings); } catch (e) { rejected = true; err = e; }
  }
  const ms = performance.now() - t0;
  return { ms, pass: passes(tc, compileErr, rejected, err, result) };
}

const failed = new Array(cases.length).fill(false);
const totals = [], totalsNoTb = [];
for (let r = 0; r < args.runs; r++) {
  let total = 0, noTb = 0;
  for (let i = 0; i < cases.length; i++) {
    const { ms, pass } = await runCase(cases[i]);
    total += ms;
    if (!timeboxed(cases[i].tc)) noTb += ms;
    if (!pass) failed[i] = true;
  }
  totals.push(total); totalsNoTb.push(noTb);
  console.log(`pass ${r + 1}: ${total.toFixed(1)} ms total, ${noTb.toFixed(1)} ms without the time-boxed cases`);
}
const passed = failed.filter((f) => !f).length;
console.log(`JSONata (jsonata-js ${version}, node ${process.version}): ${cases.length} cases (skipped ${skipped.join(', ')}), ${passed} pass; median pass ${median(totals).toFixed(1)} ms, ${median(totalsNoTb).toFixed(1)} ms without the time-boxed cases`);
if (args.json) writeFileSync(args.json, JSON.stringify({ runner: 'jsonata-js', version, node: process.version, cases: cases.length, passed, skipped, runs: args.runs,
  totalsMs: totals, totalsNoTimeboxMs: totalsNoTb, medianTotalMs: median(totals), medianNoTimeboxMs: median(totalsNoTb) }, null, 1));
