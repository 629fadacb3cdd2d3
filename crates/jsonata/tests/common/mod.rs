//! Shared by the suite test, the robustness test and the suitebench example: loading and judging suite cases.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jsonata::{Env, Expression};
use serde_json::Value;

pub const SUITE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/jsonata-suite");

/// The suite's folder: beside the repository (CI, /work/main), or one level up from a worktree.
pub fn suite_root() -> &'static Path {
    let fallback = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../../shared/jsonata-suite"
    );
    if Path::new(SUITE).join("groups").is_dir() {
        Path::new(SUITE)
    } else {
        Path::new(fallback)
    }
}

/// JSON deep equality as chai's `deep.equal` sees it: numbers as doubles, object keys unordered.
fn json_eq(a: &Value, b: &Value) -> bool {
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

pub struct Case {
    pub id: String,
    dir: PathBuf,
    body: serde_json::Map<String, Value>,
}

impl Case {
    /// Whether the case carries the runner's time box (`timelimit` and `depth`).
    pub fn timeboxed(&self) -> bool {
        self.body.contains_key("timelimit") && self.body.contains_key("depth")
    }

    /// The case's expression text (inline or from its `expr-file`).
    pub fn expr(&self) -> Option<String> {
        match (self.body.get("expr"), self.body.get("expr-file")) {
            (Some(Value::String(e)), _) => Some(e.clone()),
            (_, Some(Value::String(f))) => std::fs::read_to_string(self.dir.join(f)).ok(),
            _ => None,
        }
    }
}

pub fn load_cases(root: &Path) -> Vec<Case> {
    let mut groups: Vec<PathBuf> = std::fs::read_dir(root.join("groups"))
        .expect("groups folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    groups.sort();
    let mut out = Vec::new();
    for g in groups {
        let gname = g
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&g)
            .expect("group folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for f in files {
            let fname = f
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let id = format!("{}/{}", gname, fname);
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            let Ok(v) = serde_json::from_str::<Value>(&text) else {
                out.push(Case {
                    id,
                    dir: g.clone(),
                    body: serde_json::Map::new(),
                });
                continue;
            };
            match v {
                Value::Array(items) => {
                    for (i, it) in items.into_iter().enumerate() {
                        if let Value::Object(o) = it {
                            out.push(Case {
                                id: format!("{}#{}", id, i),
                                dir: g.clone(),
                                body: o,
                            });
                        }
                    }
                }
                Value::Object(o) => out.push(Case {
                    id,
                    dir: g.clone(),
                    body: o,
                }),
                _ => {}
            }
        }
    }
    out
}

pub enum Outcome {
    Pass,
    Fail(String),
}

pub fn run_case(case: &Case, datasets: &mut HashMap<String, Value>, root: &Path) -> Outcome {
    let b = &case.body;
    if b.is_empty() {
        return Outcome::Fail("case file is not parseable JSON".into());
    }
    let expr_text = match (b.get("expr"), b.get("expr-file")) {
        (Some(Value::String(e)), _) => e.clone(),
        (_, Some(Value::String(f))) => {
            std::fs::read_to_string(case.dir.join(f)).unwrap_or_default()
        }
        _ => return Outcome::Fail("no expression".into()),
    };
    let input: Option<Value> = if let Some(d) = b.get("data") {
        Some(d.clone())
    } else {
        match b.get("dataset") {
            Some(Value::String(name)) => {
                if !datasets.contains_key(name) {
                    let text = std::fs::read_to_string(
                        root.join("datasets").join(format!("{}.json", name)),
                    )
                    .unwrap_or_default();
                    datasets.insert(
                        name.clone(),
                        serde_json::from_str(&text).unwrap_or(Value::Null),
                    );
                }
                datasets.get(name).cloned()
            }
            _ => None,
        }
    };
    let bindings = match b.get("bindings") {
        Some(Value::Object(o)) => o.clone(),
        _ => serde_json::Map::new(),
    };
    let mut env = Env::default();
    env.now_ms = 1_700_000_000_000;
    if let (Some(ms), Some(depth)) = (
        b.get("timelimit").and_then(|t| t.as_u64()),
        b.get("depth").and_then(|d| d.as_u64()),
    ) {
        // the runner's time box becomes a deterministic budget: 200 evaluation steps per millisecond
        env.max_depth = depth as usize;
        env.max_steps = ms * 200;
    }
    let expected_code = b.get("code").and_then(|c| c.as_str()).or_else(|| {
        b.get("error")
            .and_then(|e| e.get("code"))
            .and_then(|c| c.as_str())
    });
    let expr = match Expression::parse(&expr_text) {
        Ok(e) => e,
        Err(e) => {
            if let Some(Value::String(code)) = b.get("code")
                && *code == e.code
            {
                if let Some(Value::String(t)) = b.get("token")
                    && e.token.as_deref() != Some(t.as_str())
                {
                    return Outcome::Fail(format!("token {:?} != {}", e.token, t));
                }
                return Outcome::Pass;
            }
            return Outcome::Fail(format!(
                "compile error {} {} (expected {:?})",
                e.code, e.message, expected_code
            ));
        }
    };
    let result = expr.evaluate(input.as_ref(), &bindings, &env);
    if b.contains_key("undefinedResult") {
        return match result {
            Ok(None) => Outcome::Pass,
            Ok(Some(v)) => Outcome::Fail(format!("expected undefined, got {}", v)),
            Err(e) => Outcome::Fail(format!(
                "expected undefined, got error {} {}",
                e.code, e.message
            )),
        };
    }
    if let Some(want) = b.get("result") {
        return match result {
            Ok(Some(v)) if json_eq(&v, want) => Outcome::Pass,
            Ok(v) => Outcome::Fail(format!(
                "expected {}, got {:?}",
                want,
                v.map(|v| v.to_string())
            )),
            Err(e) => Outcome::Fail(format!(
                "expected {}, got error {} {}",
                want, e.code, e.message
            )),
        };
    }
    if let Some(Value::Object(want)) = b.get("error") {
        return match result {
            Err(e) => {
                for (k, v) in want {
                    let ok = match k.as_str() {
                        "code" => v.as_str() == Some(e.code.as_str()),
                        "message" => v.as_str() == Some(e.message.as_str()),
                        "token" => v.as_str() == e.token.as_deref(),
                        _ => true,
                    };
                    if !ok {
                        return Outcome::Fail(format!(
                            "error field {} mismatch: want {}, got {} {:?}",
                            k, v, e.code, e.message
                        ));
                    }
                }
                Outcome::Pass
            }
            Ok(v) => Outcome::Fail(format!(
                "expected error {:?}, got {:?}",
                want,
                v.map(|v| v.to_string())
            )),
        };
    }
    if let Some(code) = expected_code {
        return match result {
            Err(e) if e.code == code => Outcome::Pass,
            Err(e) => Outcome::Fail(format!(
                "expected {}, got error {} {}",
                code, e.code, e.message
            )),
            Ok(v) => Outcome::Fail(format!(
                "expected error {}, got {:?}",
                code,
                v.map(|v| v.to_string())
            )),
        };
    }
    Outcome::Fail("case has no expectation".into())
}
