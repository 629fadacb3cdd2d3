//! The page's Lambda runtime: invokes the user's JavaScript modules in Web Workers (see `host.js`).

use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/lambda/host.js")]
extern "C" {
    #[wasm_bindgen(js_name = invokeLambda)]
    fn invoke_lambda(
        name: &str,
        code: &str,
        event: &str,
        context: &str,
        timeout_ms: u32,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = preloadLambdas)]
    fn preload_lambdas(list: &str);
    #[wasm_bindgen(js_name = resetLambdas)]
    fn reset_lambdas(later: bool);
    #[wasm_bindgen(js_name = warmLambdas)]
    fn warm_lambdas();
}

/// One line a function printed with `console.*`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub level: String,
    pub text: String,
}

/// What one invocation gave: its return value or its error object, and what it logged.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    pub outcome: Result<Value, Value>,
    pub logs: Vec<LogLine>,
    pub duration_ms: f64,
}

/// Runs `handler(event, context)` of the module `code` in the function's Worker.
pub async fn invoke(
    name: &str,
    code: &str,
    event: &Value,
    context: &Value,
    timeout_ms: u32,
) -> Invocation {
    let promise = invoke_lambda(
        name,
        code,
        &event.to_string(),
        &context.to_string(),
        timeout_ms,
    );
    let reply = JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    parse_reply(&reply)
}

/// A run has started: these functions (name, code) start loading in their Workers, side by side.
/// Whether there were any.
pub fn preload<'a>(functions: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
    let list: Vec<Value> = functions
        .into_iter()
        .map(|(name, code)| Value::from(vec![name, code]))
        .collect();
    let any = !list.is_empty();
    if any {
        preload_lambdas(&Value::Array(list).to_string());
    }
    any
}

/// The page has drawn itself: bare Workers (no user code) start when the browser is next idle, so
/// the first Run does not wait for Workers to boot.
pub fn warm() {
    warm_lambdas();
}

/// Terminates every Worker (a new run, or Stop).
pub fn reset() {
    reset_lambdas(false);
}

/// A run has ended: its Workers are out of use at once, and terminated in a task of their own (not
/// in the one that draws the run's result).
pub fn reset_later() {
    reset_lambdas(true);
}

fn parse_reply(text: &str) -> Invocation {
    let reply: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let logs = reply
        .get("logs")
        .and_then(Value::as_array)
        .map(|ls| {
            ls.iter()
                .map(|l| LogLine {
                    level: l
                        .get("level")
                        .and_then(Value::as_str)
                        .unwrap_or("log")
                        .to_string(),
                    text: l
                        .get("text")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let duration_ms = reply
        .get("durationMs")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let outcome = if reply.get("ok").and_then(Value::as_bool) == Some(true) {
        let result = reply
            .get("result")
            .and_then(Value::as_str)
            .unwrap_or("null");
        serde_json::from_str(result).map_err(|e| {
            serde_json::json!({"errorType": "Runtime.MalformedResult", "errorMessage": e.to_string(), "trace": []})
        })
    } else {
        Err(reply.get("error").cloned().unwrap_or_else(|| {
            serde_json::json!({"errorType": "Runtime.Unknown", "errorMessage": "the worker gave no answer", "trace": []})
        }))
    };
    Invocation {
        outcome,
        logs,
        duration_ms,
    }
}
