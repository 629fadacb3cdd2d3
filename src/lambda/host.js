// Runs the user's JavaScript Lambdas in Web Workers, one worker per function, with Lambda's conventions.
// The page never evaluates user code itself: the code goes to a Worker built from a Blob, which the
// host terminates when the function's timeout passes.

const WORKER_SOURCE = `
const cache = new Map();
let logs = [];
const fmt = (a) => {
  if (typeof a === 'string') return a;
  if (a instanceof Error) return String(a.stack || a);
  try { const s = JSON.stringify(a); return s === undefined ? String(a) : s; } catch (e) { return String(a); }
};
for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  console[level] = (...args) => { logs.push({ level, text: args.map(fmt).join(' ') }); };
}
// Modules loaded (the share test checks: none before Run).
self.loadedModules = () => cache.size;
const isModule = (code) => /(^|[\\n;])\\s*export\\s+(const|let|var|function|async|default|class|\\{)/.test(code);
// A module is loaded once per Worker: a call waits for the load a preload started (a failed load is
// tried again by the next call, as Lambda runs a failed init again).
function load(code) {
  let p = cache.get(code);
  if (!p) {
    p = loadNow(code);
    cache.set(code, p);
    p.catch(() => { if (cache.get(code) === p) cache.delete(code); });
  }
  return p;
}
async function loadNow(code) {
  let handler;
  if (isModule(code)) {
    const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
    try {
      const m = await import(url);
      handler = m.handler ?? (m.default && m.default.handler) ?? m.default;
    } finally { URL.revokeObjectURL(url); }
  } else {
    const module = { exports: {} };
    const require = (name) => { throw new Error("Cannot find module '" + name + "'"); };
    new Function('exports', 'require', 'module', '__filename', '__dirname', code)
      .call(module.exports, module.exports, require, module, '/var/task/index.js', '/var/task');
    handler = module.exports.handler;
  }
  return handler;
}
// What the module printed while it loaded ahead of its first call goes with that call, as Lambda's
// init logs go with the first invocation.
let carried = false;
function toError(e) {
  if (e instanceof Error) {
    const type = e.name || 'Error';
    const trace = typeof e.stack === 'string' ? e.stack.split('\\n').filter((l) => l.trim() && !l.includes('blob:')) : [];
    return { errorType: type, errorMessage: String(e.message ?? ''), trace: trace.length ? trace : [type + ': ' + e.message] };
  }
  if (e && typeof e === 'object' && typeof e.errorType === 'string') return e;
  if (e && typeof e === 'object') return { errorType: typeof e.name === 'string' ? e.name : 'Error', errorMessage: JSON.stringify(e), trace: [] };
  return { errorType: typeof e === 'string' ? 'string' : typeof e, errorMessage: String(e), trace: [] };
}
function call(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err, res) => { if (settled) return; settled = true; if (err !== null && err !== undefined) reject(err); else resolve(res); };
    context.done = done;
    context.succeed = (res) => done(null, res);
    context.fail = (err) => done(err ?? new Error('fail'));
    let r;
    try { r = handler(event, context, done); } catch (e) { done(e); return; }
    if (r && typeof r.then === 'function') r.then((v) => done(null, v), (e) => done(e ?? new Error('rejected')));
    else if (handler.length < 3) done(null, r);
  });
}
self.onmessage = async (msg) => {
  if (typeof msg.data.preload === 'string') {
    logs = [];
    carried = true;
    try { await load(msg.data.preload); } catch (e) { if (carried) logs = []; }
    return;
  }
  const { id, code, event, context, deadline } = msg.data;
  if (!carried) logs = [];
  carried = false;
  try {
    const handler = await load(code);
    if (typeof handler !== 'function') {
      throw { errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.handler is undefined or not exported', trace: [] };
    }
    const ctx = { ...context, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
    const result = await call(handler, JSON.parse(event), ctx);
    let text;
    try { text = JSON.stringify(result === undefined ? null : result); } catch (e) { throw new TypeError('Converting circular structure to JSON'); }
    self.postMessage({ id, ok: true, result: text, logs });
  } catch (e) {
    self.postMessage({ id, ok: false, error: toError(e), logs });
  }
};
`;

let workerUrl = null;
const workers = new Map(); // function name -> { worker, queue: [], busy }
let nextId = 1;

// Bare Workers started ahead: starting a Worker (a thread, an isolate, the host source above) takes
// tens of milliseconds, which a run's first call to each function would otherwise wait for. They
// start when the page is idle after its first render and when a run ends, and hold no user code: a
// function's code is only sent to one at Run.
const spare = [];
let wanted = 0;
const MAX_SPARE = 8;
let refillPending = false;

function bareWorker() {
  if (!workerUrl) workerUrl = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  return new Worker(workerUrl, { type: 'module', name: 'lambda' });
}

function refill() {
  refillPending = false;
  while (spare.length < wanted) spare.push(bareWorker());
}

// After the next paint (a run's result is drawn first), or (`idle`) when the browser is next idle.
function refillSoon(idle) {
  if (refillPending || typeof Worker === 'undefined') return;
  refillPending = true;
  if (idle && self.requestIdleCallback) requestIdleCallback(refill, { timeout: 1000 });
  else requestAnimationFrame(() => setTimeout(refill, 0));
}


// A pointer on the Run button (or the keyboard's focus on it) is a run about to start: the bare
// Workers start then, a moment before the click, and still hold no code until Run.
if (typeof document !== 'undefined') {
  const aboutToRun = (e) => {
    if (spare.length > 0 || workers.size > 0 || !(e.target instanceof Element) || !e.target.closest('#run')) return;
    wanted = Math.max(wanted, 3);
    refillSoon();
  };
  document.addEventListener('pointerover', aboutToRun, { passive: true });
  document.addEventListener('focusin', aboutToRun);
}

/** The page has drawn itself: bare Workers start when the browser is next idle. */
export function warmLambdas() {
  wanted = Math.max(wanted, 3);
  refillSoon(true);
}

function workerFor(name) {
  let w = workers.get(name);
  if (!w) {
    w = { worker: spare.pop() ?? bareWorker(), queue: [], busy: false };
    workers.set(name, w);
  }
  return w;
}

function pump(name) {
  const w = workers.get(name);
  if (!w || w.busy || w.queue.length === 0) return;
  const job = w.queue.shift();
  w.busy = true;
  const id = nextId++;
  const started = performance.now();
  w.current = job;
  const finish = (reply) => {
    clearTimeout(timer);
    if (w.current !== job) return;
    w.current = null;
    w.worker.onmessage = null;
    w.worker.onerror = null;
    w.busy = false;
    reply.durationMs = performance.now() - started;
    job.resolve(JSON.stringify(reply));
    pump(name);
  };
  const timer = w.timer = setTimeout(() => {
    // A handler that never returns (while(true) {}) is stopped by terminating its worker.
    w.worker.terminate();
    workers.delete(name);
    const secs = (job.timeoutMs / 1000).toFixed(2);
    finish({ ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${secs} seconds`, trace: [] }, logs: [] });
    // Jobs queued behind it go to a fresh worker.
    const rest = w.queue.splice(0);
    const fresh = workerFor(name);
    fresh.queue.push(...rest);
    pump(name);
  }, job.timeoutMs);
  w.worker.onmessage = (m) => { if (m.data && m.data.id === id) finish(m.data); };
  w.worker.onerror = (e) => {
    e.preventDefault();
    finish({ ok: false, error: { errorType: 'Runtime.UserCodeSyntaxError', errorMessage: String(e.message || e), trace: [] }, logs: [] });
  };
  w.worker.postMessage({ id, code: job.code, event: job.event, context: JSON.parse(job.context), deadline: Date.now() + job.timeoutMs });
}

/** Invokes a function; resolves to JSON text `{ok, result | error, logs, durationMs}`. Never rejects. */
export function invokeLambda(name, code, event, context, timeoutMs) {
  return new Promise((resolve) => {
    const w = workerFor(name);
    w.queue.push({ code, event, context, timeoutMs, resolve });
    pump(name);
  });
}

/**
 * A run has started: its functions (a JSON list of `[name, code]`) start loading in their Workers at
 * once, side by side, instead of one after the other at each first call.
 */
export function preloadLambdas(list) {
  let fns;
  try { fns = JSON.parse(list); } catch { return; }
  if (!Array.isArray(fns)) return;
  for (const f of fns) {
    if (!Array.isArray(f) || typeof f[0] !== 'string' || typeof f[1] !== 'string') continue;
    const w = workerFor(f[0]);
    if (!w.busy && w.queue.length === 0) w.worker.postMessage({ preload: f[1] });
  }
}

/** Stops every worker (a run's end, Stop, a new run): every run starts its functions cold. `later`: terminated in a task of their own. */
export function resetLambdas(later) {
  // Spare Workers replace the ones a run used (a reset that ends nothing, as at the start of a run,
  // starts none: the spares are there already).
  const used = workers.size;
  wanted = Math.min(MAX_SPARE, Math.max(wanted, used));
  const ended = [...workers.values()];
  workers.clear();
  const end = () => {
    const aborted = JSON.stringify({ ok: false, error: { errorType: 'Aborted', errorMessage: 'stopped', trace: [] }, logs: [] });
    for (const w of ended) {
      clearTimeout(w.timer);
      w.worker.terminate();
      if (w.current) w.current.resolve(aborted);
      w.current = null;
      for (const job of w.queue) job.resolve(aborted);
    }
  };
  if (later) setTimeout(end, 0); else end();
  if (used > 0) refillSoon();
}
