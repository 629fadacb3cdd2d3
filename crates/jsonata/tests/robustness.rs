//! No input may crash the evaluator: every prefix and one-character deletion of every suite expression
//! must parse or fail with an error, and evaluate or fail with an error, never panic.

#[allow(dead_code)]
mod common;

use jsonata::{Env, Expression};

fn try_all(expr: &str, input: Option<&serde_json::Value>, env: &Env) -> Result<(), String> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if let Ok(e) = Expression::parse(expr) {
            let _ = e.evaluate(input, &serde_json::Map::new(), env);
        }
    }));
    result.map_err(|_| format!("panic on expression {:?}", expr))
}

fn mutations(expr: &str) -> Vec<String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    for i in 0..chars.len() {
        out.push(chars.iter().take(i).collect());
        out.push(
            chars
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| *c)
                .collect(),
        );
    }
    out
}

fn run() {
    let root = common::suite_root();
    assert!(
        root.join("groups").is_dir(),
        "the JSONata test suite is missing at {}",
        root.display()
    );
    let mut env = Env::default();
    env.max_steps = 20_000;
    env.max_depth = 100;
    let input = serde_json::json!({"a": [1, {"b": "x"}], "c": {"d": [true, null]}, "e": 1.5});
    let mut failures = Vec::new();
    let mut tried = 0;
    for case in common::load_cases(root) {
        let Some(expr) = case.expr() else { continue };
        if expr.len() > 400 {
            continue;
        }
        for m in mutations(&expr) {
            tried += 1;
            if let Err(e) = try_all(&m, Some(&input), &env) {
                failures.push(e);
            }
        }
    }
    println!("robustness: {} mutated expressions evaluated", tried);
    assert!(
        failures.is_empty(),
        "{} panics, first: {:?}",
        failures.len(),
        failures.first()
    );
}

#[test]
fn mutated_expressions_never_panic() {
    let h = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(run)
        .expect("thread");
    if let Err(e) = h.join() {
        std::panic::resume_unwind(e);
    }
}
