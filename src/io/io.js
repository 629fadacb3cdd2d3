// The page's small bridges to the browser for sharing, storage, files and exports (src/io/mod.rs binds them).
// Compression is the browser's own (CompressionStream), so the wasm carries no deflate code.

const read = async (stream, max) => {
  const reader = stream.getReader();
  const chunks = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > max) { reader.cancel().catch(() => {}); throw new Error('it expands to more than ' + (max >> 20) + ' MiB'); }
    chunks.push(value);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
};

/** Raw deflate of a text's UTF-8 bytes. */
export async function deflateRaw(text) {
  const s = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return read(s, 1 << 30);
}

/** The text a raw deflate stream expands to; rejects with a reason when it is damaged, cut off or too large. */
export async function inflateRaw(bytes, max) {
  let out;
  try {
    out = await read(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')), max);
  } catch (e) {
    throw String(e && e.message && e.message.includes('MiB') ? e.message : 'its compressed data is damaged or cut off');
  }
  try { return new TextDecoder('utf-8', { fatal: true }).decode(out); } catch (e) { throw 'its text is not valid UTF-8'; }
}

/** Copies a text to the clipboard; resolves to whether it worked. */
export async function copyText(text) {
  try { await navigator.clipboard.writeText(text); return true; } catch (e) { return false; }
}

const storage = () => {
  try { return window.localStorage || null; } catch (e) { return null; }
};

/** localStorage.getItem; throws (a reason) when storage cannot be used at all. */
export function storeGet(key) {
  const s = storage();
  if (!s) throw 'this browser does not let the page use its storage';
  return s.getItem(key);
}

/** localStorage.setItem; returns "" or why it failed (a full storage). */
export function storeSet(key, value) {
  const s = storage();
  if (!s) return 'this browser does not let the page use its storage';
  try { s.setItem(key, value); return ''; } catch (e) {
    const full = e && (e.name === 'QuotaExceededError' || e.code === 22);
    return full ? 'full' : String((e && e.message) || e);
  }
}

export function storeRemove(key) {
  const s = storage();
  try { if (s) s.removeItem(key); } catch (e) { /* nothing to do */ }
}

/** The keys that start with `prefix`, as a JSON array. */
export function storeKeys(prefix) {
  const s = storage();
  const keys = [];
  try { if (s) for (let i = 0; i < s.length; i++) { const k = s.key(i); if (k && k.startsWith(prefix)) keys.push(k); } } catch (e) { /* none */ }
  return JSON.stringify(keys);
}

/** Offers `data` (a string or bytes) as a download named `name`, through a Blob URL. */
export function download(name, mime, data) {
  const url = URL.createObjectURL(new Blob([data], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

// Properties copied from the computed style of the page's graph into the exported SVG.
const PROPS = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'font-family', 'font-size',
  'font-weight', 'paint-order', 'text-anchor', 'display', 'visibility'];

/** The graph's SVG as a standalone document, its page styles inlined; "" when there is no graph. */
export function graphSvg() {
  const svg = document.querySelector('#pane-graph svg.graph');
  if (!svg) return '';
  const copy = svg.cloneNode(true);
  const from = [svg, ...svg.querySelectorAll('*')];
  const to = [copy, ...copy.querySelectorAll('*')];
  from.forEach((el, i) => {
    const cs = getComputedStyle(el);
    const style = PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';');
    to[i].setAttribute('style', style);
  });
  const vb = (svg.getAttribute('viewBox') || '0 0 100 100').split(/\s+/).map(Number);
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(vb[2]));
  copy.setAttribute('height', String(vb[3]));
  copy.removeAttribute('data-layout-ms');
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('x', String(vb[0])); bg.setAttribute('y', String(vb[1]));
  bg.setAttribute('width', String(vb[2])); bg.setAttribute('height', String(vb[3]));
  bg.setAttribute('fill', '#ffffff');
  copy.insertBefore(bg, copy.firstChild);
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy);
}

/** Renders an SVG document to PNG bytes at `scale` through a canvas. */
export async function svgToPng(svgText, scale) {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    await new Promise((ok, bad) => { img.onload = ok; img.onerror = () => bad('the graph could not be drawn'); img.src = url; });
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(img.width * scale));
    canvas.height = Math.max(1, Math.round(img.height * scale));
    const g = canvas.getContext('2d');
    g.scale(scale, scale);
    g.drawImage(img, 0, 0);
    const blob = await new Promise((ok) => canvas.toBlob(ok, 'image/png'));
    if (!blob) throw 'the graph is too large for a PNG';
    return new Uint8Array(await blob.arrayBuffer());
  } finally { URL.revokeObjectURL(url); }
}

/** Calls `onFile(name, text)` for a file dropped on the page or chosen with the `#import-file` picker. */
export function installImport(onFile, onDrag) {
  const take = async (file) => {
    if (!file) return;
    let text;
    try { text = await file.text(); } catch (e) { text = null; }
    onFile(file.name || 'file', text);
  };
  document.addEventListener('change', (e) => {
    if (e.target && e.target.id === 'import-file') { take(e.target.files && e.target.files[0]); e.target.value = ''; }
  });
  const hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
  document.addEventListener('dragover', (e) => { if (hasFiles(e)) { e.preventDefault(); onDrag(true); } });
  document.addEventListener('dragleave', (e) => { if (!e.relatedTarget) onDrag(false); });
  document.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    onDrag(false);
    take(e.dataTransfer.files[0]);
  });
}

/** The page's address: `[origin + path, search, hash]` as a JSON array. */
export function location() {
  const l = window.location;
  return JSON.stringify([l.origin + l.pathname, l.search, l.hash]);
}

/** Removes the fragment from the address bar without reloading (after a link was opened). */
export function clearHash() {
  try { history.replaceState(null, '', window.location.pathname + window.location.search); } catch (e) { /* ignore */ }
}

// The formats worker (crates/formats-web): import and export, started on first use so that the YAML
// reader and writer and the template code are not part of the page's first load. It answers in order.
let formatsWorker = null;
let formatsReady = false;
const formatsQueue = []; // resolvers, in the order of the requests
const formatsUnsent = []; // requests made before the worker said it is ready

/** Sends a request (JSON text) to the formats worker; resolves to its reply (JSON text). Never rejects. */
export function formats(request) {
  return new Promise((resolve) => {
    if (!formatsWorker) {
      const fail = (why) => {
        for (const r of formatsQueue.splice(0)) r(JSON.stringify({ error: why }));
        formatsUnsent.length = 0;
        formatsWorker = null;
        formatsReady = false;
      };
      try {
        formatsWorker = new Worker(new URL('formats-web_loader.js', document.baseURI));
      } catch (e) {
        resolve(JSON.stringify({ error: 'the import/export worker could not start: ' + String((e && e.message) || e) }));
        return;
      }
      formatsWorker.onmessage = (m) => {
        if (!formatsReady) { // its first message: the wasm is loaded and listening
          formatsReady = true;
          for (const q of formatsUnsent.splice(0)) formatsWorker.postMessage(q);
          return;
        }
        const r = formatsQueue.shift();
        if (r) r(String(m.data));
      };
      formatsWorker.onerror = (e) => { e.preventDefault(); fail('the import/export worker failed: ' + String(e.message || 'it could not be loaded')); };
    }
    formatsQueue.push(resolve);
    if (formatsReady) formatsWorker.postMessage(request); else formatsUnsent.push(request);
  });
}
