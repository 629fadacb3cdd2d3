//! Differential testing helper: reads `[{"expr": ..., "input": ...}]` (JSON) on stdin and prints one
//! JSON line per item: `{"r": value}`, `{"u": true}` or `{"e": code}`. Compare with jsonata-js.
use std::io::Read;

fn main() {
    let mut text = String::new();
    let _ = std::io::stdin().read_to_string(&mut text);
    let items: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap_or_default();
    let mut env = jsonata::Env::default();
    env.max_steps = 200_000;
    env.max_depth = 300;
    for it in items {
        let expr = it.get("expr").and_then(|e| e.as_str()).unwrap_or("");
        let input = it.get("input");
        let out = match jsonata::Expression::parse(expr)
            .and_then(|e| e.evaluate(input, &serde_json::Map::new(), &env))
        {
            Ok(Some(v)) => serde_json::json!({ "r": v }),
            Ok(None) => serde_json::json!({ "u": true }),
            Err(e) => serde_json::json!({ "e": e.code }),
        };
        println!("{}", out);
    }
}
