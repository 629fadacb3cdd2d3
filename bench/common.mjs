// Shared by the Node runners of the benchmark: arguments, medians, JSON deep equality, workload selection.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** `--runs N --warmup N --json FILE --workloads DIR --suite DIR --wasm DIR` and free ids. */
export function parseArgs(argv) {
  const a = { runs: 5, warmup: 1, json: null, workloads: null, suite: null, wasm: null, ids: [] };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--runs') a.runs = Math.max(1, Number(argv[++i]));
    else if (k === '--warmup') a.warmup = Math.max(0, Number(argv[++i]));
    else if (k === '--json') a.json = argv[++i];
    else if (k === '--workloads') a.workloads = argv[++i];
    else if (k === '--suite') a.suite = argv[++i];
    else if (k === '--wasm') a.wasm = argv[++i];
    else if (k.startsWith('--')) throw new Error(`unknown option ${k}`);
    else a.ids.push(k);
  }
  return a;
}

export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length === 0 ? 0 : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** JSON deep equality: object keys unordered, arrays in order. */
export function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}

/** An exact id, or (when no id equals it) a substring, as the native runner selects. */
export function selected(selectors, id, allIds) {
  return selectors.length === 0 || selectors.some((s) => (allIds.includes(s) ? s === id : id.includes(s)));
}

/** The shared workloads folder as a directory URL: --workloads, $BENCH_WORKLOADS, or beside the repository. */
export function workloadsDir(given) {
  return sharedDir(given ?? process.env.BENCH_WORKLOADS, 'bench/workloads', 'manifest.json');
}

/** The JSONata suite folder as a directory URL: --suite, $JSONATA_SUITE, or beside the repository. */
export function suiteDir(given) {
  return sharedDir(given ?? process.env.JSONATA_SUITE, 'jsonata-suite', 'case-index.json');
}

function sharedDir(given, rel, probe) {
  const candidates = given ? [given] : [new URL(`../../shared/${rel}/`, import.meta.url).pathname, new URL(`../../../shared/${rel}/`, import.meta.url).pathname];
  for (const c of candidates) {
    const url = pathToFileURL(c.endsWith('/') ? c : c + '/');
    if (existsSync(new URL(probe, url))) return url;
  }
  throw new Error(`cannot find ../shared/${rel} (tried ${candidates.join(', ')})`);
}
