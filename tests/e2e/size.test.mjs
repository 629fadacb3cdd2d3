// The page's first-load weight (wasm + js + css, brotli) stays within the budget, and is printed.
// 450 KB: the engine's wasm (~320 KB) plus the CodeMirror 6 editor (~86 KB, of which its core, view and
// state, is ~79 KB that no configuration removes); see README.md's page-weight table.
// 510 KB since issue 6 (share links, autosave, import/export with the YAML reader and writer, SAM
// templates, mocks, embed): +55 KB of wasm, measured; issue 7 (page weight) brings the total down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, extname } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const BUDGET_BYTES = 510 * 1024;
const dist = process.env.PLAYGROUND_DIST;

test('first load (wasm + js + css, brotli) is within 510 KB', () => {
  assert.ok(dist, 'PLAYGROUND_DIST is set by cargo xtask test');
  const sizes = {};
  for (const name of readdirSync(dist)) {
    const ext = extname(name);
    if (!['.wasm', '.js', '.css'].includes(ext)) continue;
    const raw = readFileSync(join(dist, name));
    const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    sizes[ext] = (sizes[ext] || 0) + br;
  }
  assert.ok(sizes['.wasm'] > 0 && sizes['.js'] > 0, `found the wasm and js in ${dist}`);
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  console.log(`page weight (brotli): ${Object.entries(sizes).map(([k, v]) => `${k.slice(1)} ${(v / 1024).toFixed(1)} KB`).join(', ')}; total ${(total / 1024).toFixed(1)} KB`);
  assert.ok(total <= BUDGET_BYTES, `total ${total} bytes exceeds the budget of ${BUDGET_BYTES}`);
});
