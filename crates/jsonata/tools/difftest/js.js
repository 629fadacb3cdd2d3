const jsonata = require(process.env.JSONATA_JS || 'jsonata');
const fs = require('fs');
(async () => {
  const items = JSON.parse(fs.readFileSync(0, 'utf8'));
  const out = [];
  for (const it of items) {
    let line;
    try {
      const e = jsonata(it.expr, {timeout: 300, stack: 300});
      const r = await e.evaluate(it.input);
      line = r === undefined ? {u: true} : {r: JSON.parse(JSON.stringify(r, (k, v) => typeof v === 'function' ? '' : v))};
    } catch (err) { line = {e: err.code || ('JS:' + (err.message||'').slice(0,40))}; }
    out.push(JSON.stringify(line));
  }
  process.stdout.write(out.join('\n') + '\n');
})();
