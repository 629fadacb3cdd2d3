//! JavaScript Lambdas for `sfn run`: Node.js-style handler modules in an embedded QuickJS, stopped by a real-time timeout.
//!
//! A module may be CommonJS (`exports.handler = …`, `module.exports.handler = …`) or an ES module
//! (`export const handler = …`, `export default …`). Handlers may be async, return a value, or take
//! `(event, context, callback)`. A thrown error becomes Lambda's `{errorType, errorMessage, trace}`.
//! There is no Node API beyond `console`, `setTimeout`/`setInterval`/`setImmediate` (timers fire in
//! order at once, on a virtual clock) and a `require` that finds nothing.

use rquickjs::context::EvalOptions;
use rquickjs::{Context, Ctx, Function, Module, Object, Runtime, Value as JsValue};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PRELUDE: &str = r#"
(() => {
  const g = globalThis;
  g.__sfn_modules = Object.create(null);
  g.__sfn_logs = [];
  const fmt = (a) => {
    if (typeof a === 'string') return a;
    if (a instanceof Error) return String(a.stack || a);
    try { const s = JSON.stringify(a); return s === undefined ? String(a) : s; } catch (e) { return String(a); }
  };
  const log = (...a) => { g.__sfn_logs.push(a.map(fmt).join(' ')); };
  g.console = { log, info: log, warn: log, error: log, debug: log, trace: log };
  let seq = 0, now = 0;
  const timers = [];
  g.setTimeout = (fn, ms, ...args) => {
    const id = ++seq;
    if (typeof fn === 'function') timers.push({ id, at: now + Math.max(0, Number(ms) || 0), fn, args });
    return id;
  };
  g.clearTimeout = (id) => {
    for (let i = timers.length - 1; i >= 0; i--) if (timers[i].id === id) timers.splice(i, 1);
  };
  g.setInterval = (fn, ms, ...args) => {
    const id = ++seq;
    const every = Math.max(1, Number(ms) || 0);
    const arm = (at) => timers.push({ id, at, fn: (...x) => { arm(now + every); fn(...x); }, args });
    if (typeof fn === 'function') arm(now + every);
    return id;
  };
  g.clearInterval = g.clearTimeout;
  g.setImmediate = (fn, ...args) => g.setTimeout(fn, 0, ...args);
  g.clearImmediate = g.clearTimeout;
  g.__sfn_fire_timer = () => {
    if (timers.length === 0) return false;
    timers.sort((a, b) => a.at - b.at || a.id - b.id);
    const t = timers.shift();
    now = Math.max(now, t.at);
    t.fn(...t.args);
    return true;
  };
  g.require = (m) => { throw new Error("Cannot find module '" + m + "'"); };
  g.__sfn_error = (e) => {
    if (e instanceof Error) {
      const type = (e.name && String(e.name)) || 'Error';
      const msg = e.message === undefined ? '' : String(e.message);
      const stack = typeof e.stack === 'string'
        ? e.stack.split('\n').filter((l) => l.trim() !== '' && !l.includes('eval_script') && !l.includes('(native)'))
        : [];
      return { errorType: type, errorMessage: msg, trace: [type + ': ' + msg, ...stack] };
    }
    if (e !== null && typeof e === 'object') {
      const type = typeof e.name === 'string' ? e.name : 'Error';
      let msg;
      try { msg = typeof e.message === 'string' ? e.message : JSON.stringify(e); } catch (x) { msg = String(e); }
      return { errorType: type, errorMessage: msg, trace: [] };
    }
    return { errorType: typeof e, errorMessage: String(e), trace: [] };
  };
  g.__sfn_define_cjs = (name, fn, filename) => {
    const module = { exports: {} };
    fn.call(module.exports, module.exports, g.require, module, filename, '.');
    g.__sfn_modules[name] = module.exports;
  };
  g.__sfn_handler = (name) => {
    const m = g.__sfn_modules[name];
    if (m === undefined || m === null) return null;
    if (typeof m.handler === 'function') return m.handler;
    if (m.default !== undefined && m.default !== null) {
      if (typeof m.default.handler === 'function') return m.default.handler;
      if (typeof m.default === 'function') return m.default;
    }
    if (typeof m === 'function') return m;
    return null;
  };
  g.__sfn_invoke = (name, eventJson, contextJson, timeoutMs) => {
    const st = { done: 0, value: null, error: null };
    g.__sfn_st = st;
    const h = g.__sfn_handler(name);
    if (!h) {
      st.done = 2;
      st.error = { errorType: 'Runtime.HandlerNotFound', errorMessage: name + '.handler is undefined or not exported', trace: [] };
      return;
    }
    const event = JSON.parse(eventJson);
    const context = JSON.parse(contextJson);
    const started = Date.now();
    context.getRemainingTimeInMillis = () => Math.max(0, timeoutMs - (Date.now() - started));
    new Promise((resolve, reject) => {
      const cb = (err, val) => { if (err !== null && err !== undefined) reject(err); else resolve(val); };
      context.done = cb;
      context.succeed = (v) => resolve(v);
      context.fail = (e) => reject(e);
      const r = h(event, context, cb);
      if (r !== null && typeof r === 'object' && typeof r.then === 'function') r.then(resolve, reject);
      else if (h.length < 3) resolve(r);
    }).then((v) => {
      try {
        const s = JSON.stringify(v === undefined ? null : v);
        st.value = s === undefined ? 'null' : s;
        st.done = 1;
      } catch (e) {
        st.error = { errorType: 'Runtime.MarshalError', errorMessage: 'Unable to stringify response body', trace: [] };
        st.done = 2;
      }
    }, (e) => { st.error = g.__sfn_error(e); st.done = 2; });
  };
})();
"#;

/// How one invocation ended.
#[derive(Debug, Clone, PartialEq)]
pub enum JsOutcome {
    /// The handler's result (JSON).
    Ok(Value),
    /// `{errorType, errorMessage, trace}` as Lambda reports a function error.
    Err(Value),
}

impl JsOutcome {
    fn error(error_type: &str, message: impl Into<String>) -> JsOutcome {
        JsOutcome::Err(
            json!({"errorType": error_type, "errorMessage": message.into(), "trace": []}),
        )
    }
}

/// The loaded Lambda modules, by function name.
pub struct JsLambdas {
    // Field order matters: the context must drop before its runtime.
    ctx: Context,
    _rt: Runtime,
    deadline: Arc<Mutex<Option<Instant>>>,
    names: Vec<String>,
    /// Real time an invocation may take (Lambda's default is 3 s).
    pub timeout: Duration,
}

/// The exception just thrown in `ctx`, as one line (`SyntaxError: … at file:line`).
fn exception_text(ctx: &Ctx<'_>) -> String {
    let exc = ctx.catch();
    if let Some(e) = exc.as_exception() {
        let msg = e.message().unwrap_or_default();
        let first_frame = e.stack().and_then(|s| {
            s.lines()
                .find(|l| !l.trim().is_empty())
                .map(|l| l.trim().to_string())
        });
        return match first_frame {
            Some(f) => format!("{msg} ({f})"),
            None => msg,
        };
    }
    exc.as_string()
        .and_then(|s| s.to_string().ok())
        .unwrap_or_else(|| "uncaught exception".into())
}

/// Does this source use ES module syntax (`export …` / `import …` at the start of a line)?
fn is_es_module(source: &str) -> bool {
    source.lines().any(|l| {
        let t = l.trim_start();
        t.starts_with("export ") || t.starts_with("export{") || t.starts_with("import ")
    })
}

impl JsLambdas {
    pub fn new(timeout: Duration) -> Result<JsLambdas, String> {
        let rt = Runtime::new().map_err(|e| format!("JavaScript runtime: {e}"))?;
        rt.set_memory_limit(512 * 1024 * 1024);
        rt.set_max_stack_size(1024 * 1024);
        let deadline: Arc<Mutex<Option<Instant>>> = Arc::new(Mutex::new(None));
        let d = Arc::clone(&deadline);
        rt.set_interrupt_handler(Some(Box::new(move || {
            d.lock()
                .ok()
                .and_then(|g| *g)
                .is_some_and(|t| Instant::now() >= t)
        })));
        let ctx = Context::full(&rt).map_err(|e| format!("JavaScript context: {e}"))?;
        ctx.with(|ctx| {
            ctx.eval::<(), _>(PRELUDE)
                .map_err(|_| format!("JavaScript prelude: {}", exception_text(&ctx)))
        })?;
        Ok(JsLambdas {
            ctx,
            _rt: rt,
            deadline,
            names: Vec::new(),
            timeout,
        })
    }

    fn set_deadline(&self, d: Option<Instant>) {
        if let Ok(mut g) = self.deadline.lock() {
            *g = d;
        }
    }

    fn timed_out(&self) -> bool {
        self.deadline
            .lock()
            .ok()
            .and_then(|g| *g)
            .is_some_and(|t| Instant::now() >= t)
    }

    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Loads `source` (from `filename`) as the function `name`. Errors: syntax errors, exceptions
    /// at load time, or a load that outlasts the timeout.
    pub fn load(&mut self, name: &str, filename: &str, source: &str) -> Result<(), String> {
        self.set_deadline(Some(Instant::now() + self.timeout));
        let es = is_es_module(source);
        let result = self.ctx.with(|ctx| -> Result<(), String> {
            if es {
                let fail = |ctx: &Ctx<'_>| format!("{filename}: {}", exception_text(ctx));
                let declared =
                    Module::declare(ctx.clone(), filename, source).map_err(|_| fail(&ctx))?;
                let (module, promise) = declared.eval().map_err(|_| fail(&ctx))?;
                loop {
                    match promise.result::<()>() {
                        Some(Ok(())) => break,
                        Some(Err(_)) => return Err(fail(&ctx)),
                        None => {
                            if !ctx.execute_pending_job() {
                                return Err(format!(
                                    "{filename}: the module's top-level await never finishes"
                                ));
                            }
                        }
                    }
                }
                let ns = module.namespace().map_err(|_| fail(&ctx))?;
                let modules: Object = ctx.globals().get("__sfn_modules").map_err(|_| fail(&ctx))?;
                modules.set(name, ns).map_err(|_| fail(&ctx))?;
                Ok(())
            } else {
                let wrapped = format!(
                    "__sfn_define_cjs({}, function (exports, require, module, __filename, __dirname) {{{source}\n}}, {});",
                    json!(name),
                    json!(filename)
                );
                let mut opts = EvalOptions::default();
                opts.strict = false;
                opts.filename = Some(filename.to_string());
                ctx.eval_with_options::<(), _>(wrapped, opts)
                    .map_err(|_| format!("{filename}: {}", exception_text(&ctx)))
            }
        });
        let timed_out = self.timed_out();
        self.set_deadline(None);
        if timed_out {
            return Err(format!(
                "{filename}: loading took longer than {:.2} seconds",
                self.timeout.as_secs_f64()
            ));
        }
        result?;
        self.names.push(name.to_string());
        Ok(())
    }

    /// Invokes function `name` with `event`; `context` is Lambda's context object (as JSON).
    pub fn invoke(&mut self, name: &str, event: &Value, context: &Value) -> JsOutcome {
        let timeout_ms = self.timeout.as_millis() as f64;
        self.set_deadline(Some(Instant::now() + self.timeout));
        let outcome = self.ctx.with(|ctx| {
            let call = || -> rquickjs::Result<()> {
                let f: Function = ctx.globals().get("__sfn_invoke")?;
                f.call::<_, ()>((name, event.to_string(), context.to_string(), timeout_ms))
            };
            if call().is_err() {
                let text = exception_text(&ctx);
                return Some(JsOutcome::error("Runtime.UnhandledError", text));
            }
            loop {
                while ctx.execute_pending_job() {}
                let st: Option<Object> = ctx.globals().get("__sfn_st").ok();
                let done: i32 = st
                    .as_ref()
                    .and_then(|s| s.get::<_, i32>("done").ok())
                    .unwrap_or(0);
                if done == 1 {
                    let text: String = st
                        .as_ref()
                        .and_then(|s| s.get::<_, String>("value").ok())
                        .unwrap_or_else(|| "null".into());
                    return Some(JsOutcome::Ok(
                        serde_json::from_str(&text).unwrap_or(Value::Null),
                    ));
                }
                if done == 2 {
                    let text: Option<String> = ctx
                        .json_stringify(
                            st.as_ref()
                                .and_then(|s| s.get::<_, JsValue>("error").ok())
                                .unwrap_or_else(|| JsValue::new_undefined(ctx.clone())),
                        )
                        .ok()
                        .flatten()
                        .and_then(|s| s.to_string().ok());
                    let v = text
                        .and_then(|t| serde_json::from_str(&t).ok())
                        .unwrap_or_else(
                            || json!({"errorType": "Error", "errorMessage": "", "trace": []}),
                        );
                    return Some(JsOutcome::Err(v));
                }
                let fire: rquickjs::Result<Function> = ctx.globals().get("__sfn_fire_timer");
                match fire.and_then(|f| f.call::<_, bool>(())) {
                    Ok(true) => continue,
                    Ok(false) => {
                        // Nothing left to run and no answer: Node's runtime returns null.
                        return Some(JsOutcome::Ok(Value::Null));
                    }
                    Err(_) => {
                        let text = exception_text(&ctx);
                        if self.timed_out() {
                            return None;
                        }
                        return Some(JsOutcome::error("Runtime.UnhandledError", text));
                    }
                }
            }
        });
        let timed_out = self.timed_out();
        self.set_deadline(None);
        match outcome {
            Some(o) if !timed_out => o,
            _ => JsOutcome::error(
                "Sandbox.Timedout",
                format!(
                    "Task timed out after {:.2} seconds",
                    self.timeout.as_secs_f64()
                ),
            ),
        }
    }

    /// What the functions wrote with `console.*` since the last call.
    pub fn take_logs(&mut self) -> Vec<String> {
        self.ctx.with(|ctx| {
            let logs: Vec<String> = ctx.eval("__sfn_logs.splice(0)").unwrap_or_default();
            logs
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lambdas(name: &str, src: &str) -> JsLambdas {
        let mut l = JsLambdas::new(Duration::from_millis(500)).unwrap_or_else(|e| panic!("{e}"));
        l.load(name, "index.js", src)
            .unwrap_or_else(|e| panic!("{e}"));
        l
    }

    #[test]
    fn commonjs_async_handler_returns_its_value() {
        let mut l = lambdas(
            "f",
            "exports.handler = async (event) => ({ doubled: event.n * 2 });",
        );
        assert_eq!(
            l.invoke("f", &json!({"n": 21}), &json!({})),
            JsOutcome::Ok(json!({"doubled": 42}))
        );
    }

    #[test]
    fn module_exports_callback_and_es_module_handlers() {
        let mut l = lambdas(
            "cb",
            "module.exports.handler = function (e, ctx, callback) { setTimeout(() => callback(null, e.x + 1), 10); };",
        );
        assert_eq!(
            l.invoke("cb", &json!({"x": 1}), &json!({})),
            JsOutcome::Ok(json!(2))
        );
        l.load(
            "esm",
            "esm.mjs",
            "export const handler = async (e) => { await null; return [e, 'ok']; };",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            l.invoke("esm", &json!(1), &json!({})),
            JsOutcome::Ok(json!([1, "ok"]))
        );
    }

    #[test]
    fn thrown_errors_become_lambda_error_objects() {
        let mut l = lambdas(
            "f",
            "class CustomError extends Error { constructor(m) { super(m); this.name = 'CustomError'; } }\n\
             exports.handler = async () => { throw new CustomError('boom'); };",
        );
        let JsOutcome::Err(e) = l.invoke("f", &json!({}), &json!({})) else {
            panic!("expected an error");
        };
        assert_eq!(e["errorType"], "CustomError");
        assert_eq!(e["errorMessage"], "boom");
        assert_eq!(e["trace"][0], "CustomError: boom");
    }

    #[test]
    fn endless_loops_time_out() {
        let mut l = lambdas("f", "exports.handler = () => { while (true) {} };");
        let JsOutcome::Err(e) = l.invoke("f", &json!({}), &json!({})) else {
            panic!("expected a timeout");
        };
        assert_eq!(e["errorType"], "Sandbox.Timedout");
        // The runtime is still usable afterwards.
        l.load("g", "g.js", "exports.handler = async () => 'fine';")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            l.invoke("g", &json!({}), &json!({})),
            JsOutcome::Ok(json!("fine"))
        );
    }

    #[test]
    fn syntax_errors_fail_the_load() {
        let mut l = JsLambdas::new(Duration::from_millis(500)).unwrap_or_else(|e| panic!("{e}"));
        let err = l
            .load("f", "bad.js", "exports.handler = (;")
            .err()
            .unwrap_or_default();
        assert!(err.starts_with("bad.js: "), "{err}");
        assert!(!l.has("f"));
    }

    #[test]
    fn missing_handler_is_reported() {
        let mut l = lambdas("f", "exports.other = 1;");
        let JsOutcome::Err(e) = l.invoke("f", &json!({}), &json!({})) else {
            panic!("expected an error");
        };
        assert_eq!(e["errorType"], "Runtime.HandlerNotFound");
    }
}
