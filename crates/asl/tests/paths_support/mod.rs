//! Shared by the paths harnesses: finds the conformance corpus and runs the simple state shapes
//! (Pass, Choice, Succeed, Fail in JSONPath mode) with the paths modules directly, so the
//! JSONPath, payload, intrinsic and Choice code is checked against AWS before the interpreter exists.

#![allow(dead_code)]

use asl::Failure;
use asl::choice::Rule;
use asl::intrinsics;
use asl::jsonpath::{self, Path, Roots};
use asl::payload;
use asl::rng::Rng;
use serde_json::{Map, Value, json};
use std::path::PathBuf;

/// The conformance folder: `$ASL_CONFORMANCE_DIR`, or `shared/conformance` beside the checkout
/// (`/work/main` → `/work/shared`, CI's clone → its sibling `shared/`), or two levels up for a
/// worktree under `/work/wt/<name>`. Panics with a clear message when none exists: a missing
/// corpus must fail the test, not pass it silently.
pub fn corpus_dir() -> PathBuf {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(dir) = std::env::var("ASL_CONFORMANCE_DIR") {
        candidates.push(PathBuf::from(dir));
    }
    candidates.push(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/conformance"
    )));
    candidates.push(PathBuf::from(format!(
        "{manifest}/../../../../shared/conformance"
    )));
    for c in &candidates {
        if c.join("cases").is_dir() {
            return c.clone();
        }
    }
    panic!(
        "conformance corpus not found (looked in {:?}); set ASL_CONFORMANCE_DIR to the shared/conformance folder",
        candidates
    );
}

/// Every case file of a group, parsed, sorted by name.
pub fn cases(group: &str) -> Vec<(String, Value)> {
    let dir = corpus_dir().join("cases").join(group);
    let mut out = Vec::new();
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries.flatten() {
        let p = entry.path();
        if p.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&p)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
        let v: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", p.display()));
        let name = p
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        out.push((name, v));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!out.is_empty(), "no cases in {}", dir.display());
    out
}

/// The Context object as the case's identity gives it.
pub fn context_object(case: &Value, state_name: &str) -> Value {
    let c = case.get("context").cloned().unwrap_or(json!({}));
    let s = |k: &str| c.get(k).cloned().unwrap_or(Value::Null);
    let start = c
        .get("clock_hint")
        .and_then(Value::as_str)
        .unwrap_or("2024-01-01T00:00:00Z")
        .replace('Z', ".000Z");
    json!({
        "Execution": {
            "Id": s("execution_arn"),
            "Input": case.get("input").cloned().unwrap_or(Value::Null),
            "StartTime": start,
            "Name": s("execution_name"),
            "RoleArn": s("role_arn"),
            "RedriveCount": 0,
        },
        "StateMachine": {"Id": s("state_machine_arn"), "Name": s("state_machine_name")},
        "State": {"Name": state_name, "EnteredTime": start},
    })
}

/// What a simple run ended with.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Succeeded(Value),
    Failed(String, Option<String>),
}

/// Why a case was not run here.
pub type Skip = String;

fn apply_path_roots(path: Option<&Value>, roots: Roots<'_>) -> Result<Value, Failure> {
    match path {
        None => Ok(roots.input.clone()),
        Some(Value::Null) => Ok(json!({})),
        Some(Value::String(p)) => {
            let parsed = Path::parse(p).map_err(|e| Failure::runtime(e.to_string()))?;
            parsed.select(roots).map_err(|_| {
                let doc = match parsed.root() {
                    jsonpath::Root::Context => roots.context,
                    _ => roots.input,
                };
                Failure::runtime(format!(
                    "Invalid path '{p}' : {}",
                    parsed.not_found_message(doc)
                ))
            })
        }
        Some(other) => Err(Failure::runtime(format!("bad path {other}"))),
    }
}

fn apply_path(
    path: Option<&Value>,
    input: Value,
    ctx: &Value,
    vars: &Map<String, Value>,
) -> Result<Value, Failure> {
    apply_path_roots(
        path,
        Roots {
            input: &input,
            context: ctx,
            variables: Some(vars),
        },
    )
}

/// Evaluates an `Assign` block with `$` = `input`; the new values apply after the state.
fn assign(
    block: Option<&Value>,
    input: &Value,
    ctx: &Value,
    vars: &Map<String, Value>,
    rng: &mut Rng,
) -> Result<Map<String, Value>, Failure> {
    let Some(block) = block else {
        return Ok(Map::new());
    };
    let roots = Roots {
        input,
        context: ctx,
        variables: Some(vars),
    };
    match payload::resolve(block, roots, rng)? {
        Value::Object(m) => Ok(m),
        _ => Ok(Map::new()),
    }
}

/// Runs a definition made only of Pass, Choice, Wait, Succeed and Fail states (JSONPath mode).
pub fn run_simple(case: &Value) -> Result<Outcome, Skip> {
    let def = case.get("definition").ok_or("no definition")?;
    let status = case["expected"]["status"].as_str().unwrap_or_default();
    if status != "SUCCEEDED" && status != "FAILED" {
        return Err(format!("expected status {status}"));
    }
    if case["context"]["state_machine_type"].as_str() == Some("EXPRESS") {
        return Err("express execution (other Context object)".into());
    }
    if def.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata") {
        return Err("JSONata definition".into());
    }
    let states = def
        .get("States")
        .and_then(Value::as_object)
        .ok_or("no States")?;
    let mut name = def
        .get("StartAt")
        .and_then(Value::as_str)
        .ok_or("no StartAt")?
        .to_string();
    let mut data = case.get("input").cloned().unwrap_or(json!({}));
    let mut rng = Rng::new(7);
    let mut vars: Map<String, Value> = Map::new();
    for _ in 0..100 {
        let st = states.get(&name).ok_or(format!("no state {name}"))?;
        if st.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata") {
            return Err("JSONata state".into());
        }
        for unsupported in ["Arguments", "Output"] {
            if st.get(unsupported).is_some() {
                return Err(format!("state uses {unsupported}"));
            }
        }
        let ctx = context_object(case, &name);
        let ty = st.get("Type").and_then(Value::as_str).unwrap_or_default();
        let fail = |f: Failure| Ok(Outcome::Failed(f.error, f.cause));
        let effective = match apply_path(st.get("InputPath"), data.clone(), &ctx, &vars) {
            Ok(v) => v,
            Err(f) => return fail(f),
        };
        let roots = Roots {
            input: &effective,
            context: &ctx,
            variables: Some(&vars),
        };
        let next = st.get("Next").and_then(Value::as_str).map(str::to_string);
        match ty {
            "Pass" => {
                let result = if let Some(r) = st.get("Result") {
                    r.clone()
                } else if let Some(p) = st.get("Parameters") {
                    match payload::resolve(p, roots, &mut rng) {
                        Ok(v) => v,
                        Err(f) => return fail(f),
                    }
                } else {
                    effective.clone()
                };
                let new_vars = match assign(st.get("Assign"), &result, &ctx, &vars, &mut rng) {
                    Ok(m) => m,
                    Err(f) => return fail(f),
                };
                let merged = match st.get("ResultPath") {
                    None => result,
                    Some(Value::Null) => data.clone(),
                    Some(Value::String(p)) => match jsonpath::set(p, data.clone(), result) {
                        Ok(v) => v,
                        Err(_) => {
                            return fail(Failure::new(
                                "States.ResultPathMatchFailure",
                                format!("Unable to apply ResultPath {p}"),
                            ));
                        }
                    },
                    Some(other) => return Err(format!("bad ResultPath {other}")),
                };
                vars.extend(new_vars);
                let roots = Roots {
                    input: &merged,
                    context: &ctx,
                    variables: Some(&vars),
                };
                data = match apply_path_roots(st.get("OutputPath"), roots) {
                    Ok(v) => v,
                    Err(f) => return fail(f),
                };
                if st.get("End").and_then(Value::as_bool) == Some(true) {
                    return Ok(Outcome::Succeeded(data));
                }
                name = next.ok_or("Pass without Next or End")?;
            }
            "Choice" => {
                let rules = st
                    .get("Choices")
                    .and_then(Value::as_array)
                    .ok_or("Choice without Choices")?;
                let mut chosen = None;
                let mut assign_block = st.get("Assign");
                for r in rules {
                    let rule = Rule::parse(r).map_err(|e| format!("rule rejected: {e}"))?;
                    match rule.matches(roots) {
                        Ok(true) => {
                            chosen = r.get("Next").and_then(Value::as_str).map(str::to_string);
                            assign_block = r.get("Assign");
                            break;
                        }
                        Ok(false) => {}
                        Err(f) => return fail(f),
                    }
                }
                let chosen = chosen.or_else(|| {
                    st.get("Default")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                });
                let new_vars = match assign(assign_block, &effective, &ctx, &vars, &mut rng) {
                    Ok(m) => m,
                    Err(f) => return fail(f),
                };
                vars.extend(new_vars);
                data = match apply_path(st.get("OutputPath"), effective, &ctx, &vars) {
                    Ok(v) => v,
                    Err(f) => return fail(f),
                };
                match chosen {
                    Some(n) => name = n,
                    None => {
                        return Ok(Outcome::Failed("States.NoChoiceMatched".into(), None));
                    }
                }
            }
            "Succeed" => {
                return match apply_path(st.get("OutputPath"), effective, &ctx, &vars) {
                    Ok(v) => Ok(Outcome::Succeeded(v)),
                    Err(f) => fail(f),
                };
            }
            "Fail" => {
                let mut field = |lit: &str, path: &str| -> Result<Option<String>, Failure> {
                    if let Some(v) = st.get(lit).and_then(Value::as_str) {
                        return Ok(Some(v.to_string()));
                    }
                    let Some(expr) = st.get(path).and_then(Value::as_str) else {
                        return Ok(None);
                    };
                    let v = if intrinsics::is_intrinsic(expr) {
                        intrinsics::evaluate(expr, path, roots, &mut rng)?
                    } else {
                        let p = Path::parse(expr).map_err(|e| Failure::runtime(e.to_string()))?;
                        payload::select_field(&p, path, roots)?
                    };
                    Ok(Some(match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    }))
                };
                let error = match field("Error", "ErrorPath") {
                    Ok(e) => e,
                    Err(f) => return fail(f),
                };
                let cause = match field("Cause", "CausePath") {
                    Ok(c) => c,
                    Err(f) => return fail(f),
                };
                return Ok(Outcome::Failed(error.unwrap_or_default(), cause));
            }
            "Wait" => {
                // Time is not modelled here: only the data flow (InputPath, OutputPath).
                for timed in ["SecondsPath", "TimestampPath", "Timestamp"] {
                    if st.get(timed).is_some() {
                        return Err(format!("Wait with {timed}"));
                    }
                }
                let new_vars = match assign(st.get("Assign"), &effective, &ctx, &vars, &mut rng) {
                    Ok(m) => m,
                    Err(f) => return fail(f),
                };
                vars.extend(new_vars);
                data = match apply_path(st.get("OutputPath"), effective, &ctx, &vars) {
                    Ok(v) => v,
                    Err(f) => return fail(f),
                };
                if st.get("End").and_then(Value::as_bool) == Some(true) {
                    return Ok(Outcome::Succeeded(data));
                }
                name = next.ok_or("Wait without Next or End")?;
            }
            other => return Err(format!("state type {other}")),
        }
    }
    Err("too many transitions".into())
}

/// Placeholder-aware string comparison: every `<...>` token in `expected` matches any text.
pub fn string_matches(expected: &str, actual: &str) -> bool {
    if expected == actual {
        return true;
    }
    if !expected.contains('<') {
        return false;
    }
    // Build a glob: literal parts between tokens.
    let mut parts: Vec<String> = Vec::new();
    let mut lit = String::new();
    let mut chars = expected.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '<' {
            let mut tok = String::new();
            let mut closed = false;
            for d in chars.by_ref() {
                if d == '>' {
                    closed = true;
                    break;
                }
                tok.push(d);
            }
            if closed && !tok.is_empty() && !tok.contains(' ') {
                parts.push(std::mem::take(&mut lit));
                continue;
            }
            lit.push('<');
            lit.push_str(&tok);
            if closed {
                lit.push('>');
            }
        } else {
            lit.push(c);
        }
    }
    parts.push(lit);
    glob(&parts, actual)
}

fn glob(parts: &[String], text: &str) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return text.is_empty();
    };
    let Some(after) = text.strip_prefix(first.as_str()) else {
        return false;
    };
    if rest.is_empty() {
        return after.is_empty();
    }
    // The token before `rest[0]` may match any run (including empty).
    let mut idx: Vec<usize> = after.char_indices().map(|(i, _)| i).collect();
    idx.push(after.len());
    idx.into_iter()
        .any(|i| after.get(i..).is_some_and(|t| glob(rest, t)))
}

/// JSON comparison as FORMAT.md's L1 asks: numbers numerically, key order ignored, placeholder
/// tokens in expected strings. `"RandomNumberGenerated"` is the recorder's mask for a
/// `States.MathRandom` result: any number matches it.
pub fn json_matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::String(e), Value::Number(_)) if e == "RandomNumberGenerated" => true,
        // The recorder's bare-word masks for times.
        (Value::String(e), Value::String(_))
            if matches!(
                e.as_str(),
                "date" | "timestamp" | "datetime" | "start-time" | "entered-time"
            ) =>
        {
            true
        }
        (Value::String(e), Value::String(a)) => string_matches(e, a),
        (Value::Number(e), Value::Number(a)) => e.as_f64() == a.as_f64(),
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(x, y)| json_matches(x, y))
        }
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len()
                && e.iter()
                    .all(|(k, x)| a.get(k).is_some_and(|y| json_matches(x, y)))
        }
        _ => expected == actual,
    }
}

/// Compares an outcome with a case's `expected` (L1). `Err` says what differs.
pub fn check_outcome(case: &Value, got: &Outcome) -> Result<(), String> {
    let exp = case.get("expected").ok_or("no expected")?;
    let status = exp
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match got {
        Outcome::Succeeded(out) => {
            if status != "SUCCEEDED" {
                return Err(format!(
                    "expected {status} {:?}/{:?}, got SUCCEEDED {out}",
                    exp.get("error"),
                    exp.get("cause")
                ));
            }
            let want = exp.get("output").unwrap_or(&Value::Null);
            if json_matches(want, out) {
                Ok(())
            } else {
                Err(format!("output {out}, expected {want}"))
            }
        }
        Outcome::Failed(error, cause) => {
            let want_err = exp.get("error").and_then(Value::as_str).unwrap_or_default();
            let want_cause = exp.get("cause").and_then(Value::as_str);
            if status != "FAILED" {
                return Err(format!(
                    "expected {status}, got FAILED {error}: {}",
                    cause.clone().unwrap_or_default()
                ));
            }
            if error != want_err {
                return Err(format!("error {error}, expected {want_err}"));
            }
            match (want_cause, cause) {
                (None, _) => Ok(()),
                (Some(w), Some(c)) if string_matches(strip_state_prefix(w), c) => Ok(()),
                (Some(w), c) => Err(format!("cause {c:?}, expected {w:?}")),
            }
        }
    }
}

/// Runs a group's cases and returns (passed, failures, skipped).
pub fn run_group(
    group: &str,
    filter: impl Fn(&str, &Value) -> bool,
) -> (usize, Vec<String>, Vec<String>) {
    let mut passed = 0;
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    for (name, case) in cases(group) {
        if !filter(&name, &case) {
            continue;
        }
        match run_simple(&case) {
            Err(why) => skipped.push(format!("{name}: {why}")),
            Ok(outcome) => match check_outcome(&case, &outcome) {
                Ok(()) => passed += 1,
                Err(why) => failures.push(format!("{name}: {why}")),
            },
        }
    }
    (passed, failures, skipped)
}

/// AWS's causes start with "An error occurred while executing the state 'X' (entered at the
/// event id #N). ", which the engine adds; the paths modules produce the rest.
fn strip_state_prefix(cause: &str) -> &str {
    if cause.starts_with("An error occurred while executing the state ")
        && let Some(i) = cause.find("). ")
    {
        return cause.get(i + 3..).unwrap_or(cause);
    }
    cause
}
