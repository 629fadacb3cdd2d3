//! The JSONPath-mode data flow of one state (InputPath, ResultPath, OutputPath, ...) with AWS's error texts.

use crate::definition::{PathField, Retrier};
use crate::error::Failure;
use crate::jsonpath::{self, PathError, Roots};
use serde_json::{Map, Value};

/// AWS's payload quota: 256 KiB of UTF-8 JSON text.
pub const MAX_PAYLOAD_BYTES: usize = 262_144;

/// A failure inside a state, with how it may be handled.
#[derive(Debug, Clone)]
pub struct Fault {
    pub failure: Failure,
    /// Raised by the engine's own data processing (`States.Runtime`, quota): no Retry or Catch applies.
    pub terminal: bool,
    /// Raised by a Task's invocation (so `States.TaskFailed` matches it).
    pub from_task: bool,
    /// A JSONata evaluation failed (`EvaluationFailed` is recorded), with the field when known.
    pub evaluation: Option<Option<String>>,
}

impl Fault {
    pub fn runtime(cause: impl Into<String>) -> Fault {
        Fault {
            failure: Failure::runtime(cause),
            terminal: true,
            from_task: false,
            evaluation: None,
        }
    }

    /// A failure from evaluating part of a state (path, template, intrinsic): `States.Runtime`
    /// and quota errors are terminal, others are handled like any error.
    pub fn from_eval(f: Failure) -> Fault {
        let terminal = f.error == "States.Runtime" || f.error == "States.DataLimitExceeded";
        Fault {
            failure: f,
            terminal,
            from_task: false,
            evaluation: None,
        }
    }

    pub fn task(f: Failure) -> Fault {
        Fault {
            failure: f,
            terminal: false,
            from_task: true,
            evaluation: None,
        }
    }

    /// `States.QueryEvaluationError` from JSONata mode.
    pub fn query(cause: String, location: Option<String>) -> Fault {
        Fault {
            failure: Failure::new("States.QueryEvaluationError", cause),
            terminal: false,
            from_task: false,
            evaluation: Some(location),
        }
    }

    pub fn plain(f: Failure) -> Fault {
        Fault {
            failure: f,
            terminal: false,
            from_task: false,
            evaluation: None,
        }
    }
}

/// Whether a Retrier's or Catcher's `ErrorEquals` matches the fault.
pub fn error_matches(error_equals: &[String], fault: &Fault) -> bool {
    if fault.terminal {
        return false;
    }
    let name = fault.failure.error.as_str();
    error_equals.iter().any(|e| match e.as_str() {
        "States.ALL" => true,
        "States.TaskFailed" => {
            fault.from_task && name != "States.Timeout" && name != "States.HeartbeatTimeout"
        }
        other => other == name,
    })
}

/// The delay before retry attempt `attempt` (0-based count of retries already made), in milliseconds.
pub fn backoff_ms(r: &Retrier, attempt: u64, random: f64) -> i64 {
    let exp = i32::try_from(attempt).unwrap_or(i32::MAX);
    let mut secs = r.interval_seconds * r.backoff_rate.powi(exp);
    if let Some(max) = r.max_delay_seconds {
        secs = secs.min(max);
    }
    if !secs.is_finite() || secs < 0.0 {
        secs = 0.0;
    }
    if r.jitter_full {
        secs *= random;
    }
    let ms = (secs * 1000.0).round();
    if ms >= i64::MAX as f64 / 4.0 {
        i64::MAX / 4
    } else {
        ms as i64
    }
}

/// The size of a value as AWS counts it (compact JSON text).
pub fn payload_size(v: &Value) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Counter(0);
    let _ = serde_json::to_writer(&mut c, v);
    c.0
}

/// One step of a Reference Path, for AWS's (Jayway's) error texts.
enum Seg {
    Key(String),
    Index(i64),
}

fn parse_reference(path: &str) -> Option<(bool, Vec<Seg>)> {
    let (context, rest) = if let Some(r) = path.strip_prefix("$$") {
        (true, r)
    } else {
        (false, path.strip_prefix('$')?)
    };
    let b = rest.as_bytes();
    let mut i = 0;
    let mut segs = Vec::new();
    while i < b.len() {
        match b.get(i)? {
            b'.' => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && !matches!(b.get(j), Some(b'.') | Some(b'[')) {
                    j += 1;
                }
                if j == start {
                    return None;
                }
                segs.push(Seg::Key(rest.get(start..j)?.to_string()));
                i = j;
            }
            b'[' => {
                let close = rest.get(i..)?.find(']')? + i;
                let inner = rest.get(i + 1..close)?.trim();
                if let Some(q) = inner
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                {
                    segs.push(Seg::Key(q.to_string()));
                } else {
                    segs.push(Seg::Index(inner.parse().ok()?));
                }
                i = close + 1;
            }
            _ => return None,
        }
    }
    Some((context, segs))
}

fn normalized(context: bool, segs: &[Seg]) -> String {
    let mut s = String::from(if context { "$$" } else { "$" });
    for seg in segs {
        match seg {
            Seg::Key(k) => s.push_str(&format!("['{k}']")),
            Seg::Index(n) => s.push_str(&format!("[{n}]")),
        }
    }
    s
}

/// Jayway's description of why a definite path found nothing in `doc`.
pub fn missing_path_detail(path: &str, doc: &Value) -> String {
    let Some((context, segs)) = parse_reference(path) else {
        return format!("No results for path: {path}");
    };
    let mut cur = doc;
    for (i, seg) in segs.iter().enumerate() {
        let next = match (seg, cur) {
            (Seg::Key(k), Value::Object(m)) => m.get(k),
            (Seg::Index(n), Value::Array(a)) => {
                let len = i64::try_from(a.len()).unwrap_or(i64::MAX);
                let idx = if *n < 0 { len.saturating_add(*n) } else { *n };
                usize::try_from(idx).ok().and_then(|i| a.get(i))
            }
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => {
                let upto = segs.get(..=i).unwrap_or(&[]);
                if i + 1 == segs.len() {
                    return format!("No results for path: {}", normalized(context, &segs));
                }
                return format!("Missing property in path {}", normalized(context, upto));
            }
        }
    }
    format!("No results for path: {}", normalized(context, &segs))
}

/// Applies a Path field like `InputPath`/`OutputPath`: absent → the value itself, `null` → `{}`.
pub fn apply_path(
    field: &PathField,
    value: Value,
    context: &Value,
    variables: Option<&Map<String, Value>>,
) -> Result<Value, Failure> {
    match field {
        PathField::Absent => Ok(value),
        PathField::Null => Ok(Value::Object(Map::new())),
        PathField::Path(p) if p == "$" => Ok(value),
        PathField::Path(p) => select_path(p, &value, context, variables),
    }
}

/// Selects `path` from `input`, with AWS's cause when it cannot be found.
pub fn select_path(
    path: &str,
    input: &Value,
    context: &Value,
    variables: Option<&Map<String, Value>>,
) -> Result<Value, Failure> {
    let roots = Roots {
        input,
        context,
        variables,
    };
    match jsonpath::select(path, roots) {
        Ok(v) => Ok(v),
        Err(PathError::NotFound) => {
            let doc = if path.starts_with("$$") {
                context
            } else {
                input
            };
            Err(Failure::runtime(format!(
                "Invalid path '{path}' : {}",
                missing_path_detail(path, doc)
            )))
        }
        Err(PathError::UnknownVariable(name)) => Err(Failure::runtime(format!(
            "Invalid path '{path}' : The variable '{name}' is not defined"
        ))),
        Err(PathError::Invalid(msg)) => {
            Err(Failure::runtime(format!("Invalid path '{path}' : {msg}")))
        }
    }
}

/// Applies `ResultPath`: absent → the result, `null` → the input, a path → the result merged in.
pub fn apply_result_path(field: &PathField, input: Value, result: Value) -> Result<Value, Failure> {
    match field {
        PathField::Absent => Ok(result),
        PathField::Null => Ok(input),
        PathField::Path(p) if p == "$" => Ok(result),
        PathField::Path(p) => {
            jsonpath::set(p, input, result).map_err(|e| result_path_failure(p, e))
        }
    }
}

/// [`apply_result_path`] on an input that stays shared (the history keeps it): the merge copies
/// only what it keeps of the input.
pub fn apply_result_path_shared(
    field: &PathField,
    input: &Value,
    result: Value,
) -> Result<Value, Failure> {
    match field {
        PathField::Path(p) if p != "$" => {
            jsonpath::set_shared(p, input, result).map_err(|e| result_path_failure(p, e))
        }
        other => apply_result_path(other, input.clone(), result),
    }
}

/// `States.ResultPathMatchFailure` for a `ResultPath` that cannot be applied.
pub(crate) fn result_path_failure(p: &str, e: PathError) -> Failure {
    let why = match e {
        PathError::Invalid(m) => m,
        PathError::NotFound => "the path could not be applied".into(),
        PathError::UnknownVariable(v) => format!("unknown variable {v}"),
    };
    Failure::new(
        "States.ResultPathMatchFailure",
        format!("Unable to apply ResultPath '{p}' to the input: {why}"),
    )
}

/// The text AWS uses for a value inside a cause (strings bare, everything else as JSON).
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_paths_are_described_as_jayway_does() {
        assert_eq!(
            missing_path_detail("$.NoSuchOutputPath", &json!({"int-literal": 0})),
            "No results for path: $['NoSuchOutputPath']"
        );
        assert_eq!(
            missing_path_detail("$.no.such.result.path", &json!({})),
            "Missing property in path $['no']"
        );
    }

    #[test]
    fn states_all_does_not_catch_terminal_faults() {
        let all = vec!["States.ALL".to_string()];
        assert!(!error_matches(&all, &Fault::runtime("x")));
        assert!(error_matches(&all, &Fault::task(Failure::new("E", "c"))));
        let tf = vec!["States.TaskFailed".to_string()];
        assert!(!error_matches(
            &tf,
            &Fault::task(Failure::new("States.Timeout", ""))
        ));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let r = Retrier {
            error_equals: vec![],
            interval_seconds: 1.0,
            max_attempts: 3,
            backoff_rate: 2.0,
            max_delay_seconds: Some(3.0),
            jitter_full: false,
        };
        assert_eq!(backoff_ms(&r, 0, 0.5), 1000);
        assert_eq!(backoff_ms(&r, 1, 0.5), 2000);
        assert_eq!(backoff_ms(&r, 2, 0.5), 3000);
    }
}
