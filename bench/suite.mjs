// Loads the JSONata suite as the reference runner (../shared/jsonata-suite/reference/run-suite.mjs) does:
// groups and files sorted, array files expanded to `file.json#i`, `expr-file` read. Cases whose
// strings are not well-formed UTF-16 (the two with a lone surrogate, which a Rust string cannot
// hold) are listed as skipped, so every runner times the same cases.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suiteDir } from './common.mjs';

const wellFormed = (v) => typeof v === 'string' ? v.isWellFormed() : Array.isArray(v) ? v.every(wellFormed)
  : v && typeof v === 'object' ? Object.entries(v).every(([k, x]) => k.isWellFormed() && wellFormed(x)) : true;

export function loadSuite(given) {
  const root = fileURLToPath(suiteDir(given));
  const groupsDir = path.join(root, 'groups'), datasetsDir = path.join(root, 'datasets');
  const datasets = {};
  for (const name of fs.readdirSync(datasetsDir).filter((n) => n.endsWith('.json')).sort()) {
    datasets[name.replace(/\.json$/, '')] = fs.readFileSync(path.join(datasetsDir, name), 'utf8');
  }
  const cases = [], skipped = [];
  for (const group of fs.readdirSync(groupsDir).filter((n) => !n.endsWith('.json')).sort()) {
    for (const file of fs.readdirSync(path.join(groupsDir, group)).filter((n) => n.endsWith('.json')).sort()) {
      const spec = JSON.parse(fs.readFileSync(path.join(groupsDir, group, file), 'utf8'));
      const list = Array.isArray(spec) ? spec : [spec];
      list.forEach((tc, i) => {
        const id = `${group}/${file}` + (Array.isArray(spec) ? `#${i}` : '');
        if (!wellFormed(tc)) { skipped.push(id); return; }
        const exprFile = tc['expr-file'] ? fs.readFileSync(path.join(groupsDir, group, tc['expr-file']), 'utf8') : null;
        cases.push({ id, tc, exprFile });
      });
    }
  }
  return { cases, skipped, datasets };
}
