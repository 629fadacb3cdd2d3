//! The JSONata suite as plain data, timed as the reference runner times it: compile + evaluate per case, judged afterwards by FORMAT.md's rules.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use jsonata::{Env, Expression};
use serde_json::{Map, Value};

/// What a case expects.
#[derive(Debug, Clone)]
pub enum Expect {
    Result(Value),
    Undefined,
    /// An error code, and the token when the case checks it (compile errors only).
    Code(String, Option<String>),
    /// An error object whose listed fields must match.
    Error(Map<String, Value>),
    Nothing,
}

/// One case, ready to time: the expression text, its input and bindings, its time box.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub expr: String,
    /// `None`: no input (`"dataset": null`); JSON `null` is `Some(Null)`.
    pub input: Option<Arc<Value>>,
    pub bindings: Map<String, Value>,
    /// `timelimit` (ms) and `depth` when both are present.
    pub timebox: Option<(u64, u64)>,
    pub expect: Expect,
}

/// What compile + evaluate gave.
pub enum Outcome {
    CompileError(jsonata::Error),
    Evaluated(Result<Option<Value>, jsonata::Error>),
}

impl Case {
    /// Builds a case from its JSON object; `expr_file` is the text of its `expr-file` when it has
    /// one; datasets are looked up by name.
    pub fn from_json(
        id: String,
        body: &Map<String, Value>,
        expr_file: Option<String>,
        datasets: &HashMap<String, Arc<Value>>,
    ) -> Result<Case, String> {
        let expr = match (body.get("expr"), expr_file) {
            (Some(Value::String(e)), _) => e.clone(),
            (_, Some(text)) => text,
            _ => return Err(format!("{id}: no expression")),
        };
        let input = match (body.get("data"), body.get("dataset")) {
            (Some(d), _) => Some(Arc::new(d.clone())),
            (None, Some(Value::String(name))) => Some(Arc::clone(
                datasets
                    .get(name)
                    .ok_or_else(|| format!("{id}: unknown dataset {name}"))?,
            )),
            _ => None,
        };
        let bindings = match body.get("bindings") {
            Some(Value::Object(o)) => o.clone(),
            _ => Map::new(),
        };
        let timebox = match (
            body.get("timelimit").and_then(Value::as_u64),
            body.get("depth").and_then(Value::as_u64),
        ) {
            (Some(t), Some(d)) => Some((t, d)),
            _ => None,
        };
        let s = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
        let expect = if body.contains_key("undefinedResult") {
            Expect::Undefined
        } else if let Some(r) = body.get("result") {
            Expect::Result(r.clone())
        } else if let Some(Value::Object(e)) = body.get("error") {
            Expect::Error(e.clone())
        } else if let Some(code) = s("code") {
            Expect::Code(code, s("token"))
        } else {
            Expect::Nothing
        };
        Ok(Case {
            id,
            expr,
            input,
            bindings,
            timebox,
            expect,
        })
    }

    /// The evaluation environment of the crate's own suite test: a fixed clock, and the runner's
    /// time box as a deterministic budget (depth, and 200 evaluation steps per millisecond).
    fn env(&self) -> Env {
        let mut env = Env::default();
        env.now_ms = 1_700_000_000_000;
        if let Some((ms, depth)) = self.timebox {
            env.max_depth = usize::try_from(depth).unwrap_or(usize::MAX);
            env.max_steps = ms.saturating_mul(200);
        }
        env
    }

    /// Compile + evaluate: the timed part.
    pub fn run(&self) -> Outcome {
        let env = self.env();
        match Expression::parse(&self.expr) {
            Err(e) => Outcome::CompileError(e),
            Ok(expr) => {
                Outcome::Evaluated(expr.evaluate(self.input.as_deref(), &self.bindings, &env))
            }
        }
    }

    /// Whether the outcome passes (FORMAT.md's pass criteria).
    pub fn passes(&self, outcome: &Outcome) -> bool {
        match (outcome, &self.expect) {
            (Outcome::CompileError(e), Expect::Code(code, token)) => {
                e.code == *code && token.as_ref().is_none_or(|t| e.token.as_ref() == Some(t))
            }
            (Outcome::CompileError(_), _) => false,
            (Outcome::Evaluated(Ok(None)), Expect::Undefined) => true,
            (Outcome::Evaluated(Ok(Some(v))), Expect::Result(want)) => json_eq(v, want),
            (Outcome::Evaluated(Err(e)), Expect::Code(code, _)) => e.code == *code,
            (Outcome::Evaluated(Err(e)), Expect::Error(want)) => {
                want.iter().all(|(k, v)| match k.as_str() {
                    "code" => v.as_str() == Some(e.code.as_str()),
                    "message" => v.as_str() == Some(e.message.as_str()),
                    "token" => v.as_str() == e.token.as_deref(),
                    _ => true,
                })
            }
            _ => false,
        }
    }
}

/// JSON deep equality as chai's `deep.equal` sees it: numbers as doubles, object keys unordered.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// The suite's folder: `$JSONATA_SUITE`, else `../shared/jsonata-suite` beside the repository or
/// one level further up (a worktree).
pub fn default_dir() -> Option<std::path::PathBuf> {
    if let Some(d) = std::env::var_os("JSONATA_SUITE") {
        return Some(d.into());
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        "../../../shared/jsonata-suite",
        "../../../../shared/jsonata-suite",
    ]
    .iter()
    .map(|rel| here.join(rel))
    .find(|p| p.join("groups").is_dir())
}

/// Loads every case in runner order (groups, files, array elements). Files that are not valid
/// UTF-8 JSON (the two with a lone surrogate) are returned as skipped ids.
pub fn load(root: &Path) -> Result<(Vec<Case>, Vec<String>), String> {
    let list = |dir: &Path| -> Result<Vec<std::path::PathBuf>, String> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        v.sort();
        Ok(v)
    };
    let mut datasets = HashMap::new();
    for p in list(&root.join("datasets"))? {
        if p.extension().is_some_and(|x| x == "json") {
            let name = p
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            let v: Value =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
            datasets.insert(name, Arc::new(v));
        }
    }
    let mut cases = Vec::new();
    let mut skipped = Vec::new();
    for g in list(&root.join("groups"))?
        .into_iter()
        .filter(|p| p.is_dir())
    {
        let group = g
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        for f in list(&g)? {
            if f.extension().is_none_or(|x| x != "json") {
                continue;
            }
            let file = f
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let id = format!("{group}/{file}");
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            let Ok(v) = serde_json::from_str::<Value>(&text) else {
                skipped.push(id);
                continue;
            };
            let one = |id: String, body: &Map<String, Value>| {
                let expr_file = match body.get("expr-file") {
                    Some(Value::String(name)) => std::fs::read_to_string(g.join(name)).ok(),
                    _ => None,
                };
                Case::from_json(id, body, expr_file, &datasets)
            };
            match &v {
                Value::Array(items) => {
                    for (i, it) in items.iter().enumerate() {
                        if let Value::Object(o) = it {
                            cases.push(one(format!("{id}#{i}"), o)?);
                        }
                    }
                }
                Value::Object(o) => cases.push(one(id, o)?),
                _ => skipped.push(id),
            }
        }
    }
    Ok((cases, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn case(body: Value) -> Case {
        let Value::Object(o) = body else {
            panic!("a case is an object")
        };
        let mut datasets = HashMap::new();
        datasets.insert("d".to_string(), Arc::new(json!({"a": [1, 2, 3]})));
        match Case::from_json("t".into(), &o, None, &datasets) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_result_case_passes_when_the_value_is_deep_equal() {
        let c = case(json!({"expr": "$sum(a)", "dataset": "d", "result": 6.0}));
        assert!(c.passes(&c.run()));
        let wrong = case(json!({"expr": "$sum(a)", "dataset": "d", "result": 7}));
        assert!(!wrong.passes(&wrong.run()));
    }

    #[test]
    fn no_input_is_not_null_input() {
        let none = case(json!({"expr": "$", "dataset": null, "undefinedResult": true}));
        assert!(none.passes(&none.run()));
        let null = case(json!({"expr": "$", "data": null, "result": null}));
        assert!(null.passes(&null.run()));
    }

    #[test]
    fn an_error_code_passes_at_compile_or_evaluation_time() {
        let compile = case(json!({"expr": "(", "data": 1, "code": "S0203"}));
        assert!(matches!(compile.run(), Outcome::CompileError(_)));
        let eval = case(json!({"expr": "$x()", "data": 1, "code": "T1006"}));
        assert!(eval.passes(&eval.run()));
    }

    #[test]
    fn object_keys_compare_unordered_and_numbers_as_doubles() {
        assert!(json_eq(
            &json!({"a": 1, "b": 2.0}),
            &json!({"b": 2, "a": 1.0})
        ));
        assert!(!json_eq(&json!([1, 2]), &json!([2, 1])));
    }
}
