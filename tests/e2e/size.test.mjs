// The page's first-load weight (wasm + js + css, brotli) stays within the budget, and is printed.
// Every .wasm, .js and .css under dist/ counts, the wasm-bindgen snippets too (the glue imports them),
// except the formats worker (crates/formats-web: import and export), which the page starts on the first
// import or export; its weight is printed apart.
// `cargo xtask size` prints the same totals and where the bytes go; see README.md's page-weight table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, extname } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

// 510 KB with issue 6's features (share, autosave, import/export, mocks); 490 KB since issue 7's first
// cuts (477.3 KB then); 450 KB since one float parser, MD5's constant table and one layout sort
// (440.4 KB then); 400 KB, issue 7's goal, since our own editor replaced CodeMirror 6 (380.7 KB then).
const BUDGET_KB = 400;
const dist = process.env.PLAYGROUND_DIST;

test(`first load (wasm + js + css, brotli) is within ${BUDGET_KB} KB`, () => {
  assert.ok(dist, 'PLAYGROUND_DIST is set by cargo xtask test');
  const sizes = {};
  let later = 0;
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    const ext = extname(entry.name);
    if (!entry.isFile() || !['.wasm', '.js', '.css'].includes(ext)) continue;
    const raw = readFileSync(join(entry.parentPath ?? entry.path, entry.name));
    const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    if (entry.name.startsWith('formats-web')) later += br;
    else sizes[ext] = (sizes[ext] || 0) + br;
  }
  assert.ok(sizes['.wasm'] > 0 && sizes['.js'] > 0, `found the wasm and js in ${dist}`);
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  console.log(`page weight (brotli): ${Object.entries(sizes).map(([k, v]) => `${k.slice(1)} ${(v / 1024).toFixed(1)} KB`).join(', ')}; total ${(total / 1024).toFixed(1)} KB`);
  console.log(`loaded on the first import or export (brotli): formats worker ${(later / 1024).toFixed(1)} KB`);
  assert.ok(total <= BUDGET_KB * 1024, `total ${total} bytes exceeds the budget of ${BUDGET_KB} KB`);
});
