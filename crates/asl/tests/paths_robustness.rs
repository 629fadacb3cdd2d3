//! No input reaches a panic in the paths modules: random and mutated expressions, paths, rules
//! and templates (deterministic, seeded) are parsed and evaluated, and only return values or errors.

use asl::choice::Rule;
use asl::intrinsics;
use asl::jsonpath::{self, Roots};
use asl::payload;
use asl::rng::Rng;
use serde_json::{Map, Value, json};

const SEEDS: &[&str] = &[
    "$",
    "$$",
    "$.a.b[0]",
    "$['a b'][-1]",
    "$..c[?(@.x > 1 && @.y == 'z' || !(@.w))]",
    "$.l[1:5:2]",
    "$.l[:-1]",
    "$.o['p','q']",
    "$.l.length()",
    "$v.x[*]",
    "$.s[?(@ =~ /a.*b+[c-e]?/i)]",
    "States.Format('a {} \\\\{ \\\\' b', $.a, States.Array(1, 'x', null))",
    "States.ArrayRange(1, 10, 2)",
    "States.MathAdd(States.ArrayLength($.l), -1)",
    "States.Hash($.s, 'SHA-256')",
    "States.Base64Decode(States.Base64Encode($.s))",
    "States.StringSplit($.s, ', ')",
    "States.JsonMerge($.o, $.o, false)",
    "States.ArrayPartition($.l, 2)",
    "States.ArrayGetItem($.l, -1)",
    "States.MathRandom(1, 3, 5)",
    "States.UUID()",
];

const ALPHABET: &[char] = &[
    '$', '.', '[', ']', '(', ')', '\'', '"', '\\', '*', '?', '@', ',', ':', '-', '1', '0', 'a',
    'é', '字', ' ', '=', '!', '<', '>', '&', '|', '/', '{', '}', 'S',
];

fn pick<T: Copy>(rng: &mut Rng, xs: &[T]) -> T {
    let i = (rng.next_u64() % xs.len() as u64) as usize;
    xs.get(i).copied().unwrap_or(xs[0])
}

fn mutate(rng: &mut Rng, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    for _ in 0..(1 + rng.next_u64() % 4) {
        let pos = if chars.is_empty() {
            0
        } else {
            (rng.next_u64() % chars.len() as u64) as usize
        };
        match rng.next_u64() % 3 {
            0 if !chars.is_empty() => {
                chars.remove(pos);
            }
            1 => chars.insert(pos, pick(rng, ALPHABET)),
            _ => {
                if let Some(c) = chars.get_mut(pos) {
                    *c = pick(rng, ALPHABET);
                }
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn mutated_expressions_never_panic() {
    let input = json!({"a": {"b": [1, 2]}, "a b": [0, {"c": 1}], "l": [1, 2, 3, {"x": 2, "y": "z"}],
        "o": {"p": 1, "q": [true]}, "s": "a, b,c", "c": [{"x": 5}]});
    let ctx = json!({"Execution": {"Id": "x"}});
    let mut vars = Map::new();
    vars.insert("v".into(), json!({"x": [1]}));
    let roots = Roots {
        input: &input,
        context: &ctx,
        variables: Some(&vars),
    };
    let mut rng = Rng::new(2024);
    let mut evaluated = 0;
    for round in 0..20_000 {
        let seed = pick(&mut rng, SEEDS);
        let expr = if round % 10 == 0 {
            seed.to_string()
        } else {
            mutate(&mut rng, seed)
        };
        if intrinsics::is_intrinsic(&expr) {
            let _ = intrinsics::check(&expr);
            if intrinsics::evaluate(&expr, "f.$", roots, &mut rng).is_ok() {
                evaluated += 1;
            }
        } else {
            let _ = jsonpath::validate_path(&expr);
            let _ = jsonpath::is_reference_path(&expr);
            if jsonpath::select(&expr, roots).is_ok() {
                evaluated += 1;
            }
            let _ = jsonpath::set(&expr, input.clone(), json!(1));
        }
        let template = json!({"k.$": expr, "n": [{"m.$": expr}]});
        let _ = payload::resolve(&template, roots, &mut rng);
        let rule = json!({"Variable": expr, "StringMatches": "*a\\*"});
        if let Ok(r) = Rule::parse(&rule) {
            let _ = r.matches(roots);
        }
    }
    assert!(evaluated > 1000, "only {evaluated} expressions evaluated");
}

#[test]
fn hostile_shapes_are_bounded() {
    // Deeply nested intrinsics, filters and rules are rejected or evaluated, never overflow.
    let mut call = String::from("1");
    for _ in 0..5000 {
        call = format!("States.Array({call})");
    }
    assert!(intrinsics::check(&call).is_err());
    let filter = format!("$.a[?({}@.x{})]", "(".repeat(5000), ")".repeat(5000));
    assert!(jsonpath::validate_path(&filter).is_err());
    let mut rule = json!({"Variable": "$.x", "IsNull": true});
    for _ in 0..5000 {
        let mut m = Map::new();
        m.insert("Not".into(), rule);
        rule = Value::Object(m);
    }
    assert!(Rule::parse(&rule).is_err());
    // Dropping a 5000-deep Value recurses inside serde_json: leak it.
    std::mem::forget(rule);
}
