//! The recorded JSONPath cases (`base__json_path_*`) and every other case made only of Pass,
//! Choice, Succeed and Fail states in JSONPath mode, run with the paths modules directly.

mod paths_support;

#[test]
fn json_path_cases_match_aws() {
    let (passed, failures, skipped) =
        paths_support::run_group("base", |name, _| name.starts_with("base__json_path"));
    println!(
        "base__json_path_*: {passed} passed, {} failed, {} skipped",
        failures.len(),
        skipped.len()
    );
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(skipped.is_empty(), "skipped:\n{}", skipped.join("\n"));
    assert!(passed >= 12, "only {passed} cases ran");
}

#[test]
fn simple_state_cases_across_the_corpus_match_aws() {
    let root = paths_support::corpus_dir().join("cases");
    let mut total_passed = 0;
    let mut all_failures = Vec::new();
    for group in std::fs::read_dir(&root).expect("cases folder").flatten() {
        let Some(group) = group.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if group == "choice_operators" || group == "intrinsic_functions" {
            continue; // their own harnesses
        }
        let (passed, failures, skipped) = paths_support::run_group(&group, |_, _| true);
        for s in skipped {
            println!("skipped {group}/{s}");
        }
        total_passed += passed;
        all_failures.extend(failures.into_iter().map(|f| format!("{group}/{f}")));
    }
    println!(
        "simple-shape cases elsewhere: {total_passed} passed, {} failed",
        all_failures.len()
    );
    assert!(all_failures.is_empty(), "{}", all_failures.join("\n"));
    assert!(total_passed > 0);
}

/// Every JSONPath-mode path and intrinsic call in the recorded definitions (which AWS accepted)
/// parses: `.$` values, `*Path` fields and Choice `Variable`s.
#[test]
fn every_path_and_intrinsic_in_the_corpus_parses() {
    use serde_json::Value;
    fn walk(v: &Value, jsonata: bool, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(m) => {
                let jsonata = match m.get("QueryLanguage").and_then(Value::as_str) {
                    Some("JSONata") => true,
                    Some(_) => false,
                    None => jsonata,
                };
                for (k, x) in m {
                    if k == "Result" {
                        continue; // a literal: its `.$` keys are not expressions
                    }
                    if let Value::String(s) = x
                        && !jsonata
                        && (k.ends_with(".$") || k.ends_with("Path") || k == "Variable")
                        && !s.starts_with("{%")
                    {
                        out.push((k.clone(), s.clone()));
                    }
                    walk(x, jsonata, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, jsonata, out)),
            _ => {}
        }
    }
    let root = paths_support::corpus_dir().join("cases");
    let mut exprs = Vec::new();
    for group in std::fs::read_dir(&root).expect("cases folder").flatten() {
        let Some(group) = group.file_name().to_str().map(str::to_string) else {
            continue;
        };
        for (_, case) in paths_support::cases(&group) {
            let jsonata = case["definition"]["QueryLanguage"].as_str() == Some("JSONata");
            walk(&case["definition"], jsonata, &mut exprs);
        }
    }
    let mut bad = Vec::new();
    for (field, expr) in &exprs {
        let ok = if asl::intrinsics::is_intrinsic(expr) {
            asl::intrinsics::check(expr)
        } else {
            asl::jsonpath::validate_path(expr)
        };
        if let Err(e) = ok {
            bad.push(format!("{field}: {expr}: {e}"));
        }
    }
    println!("{} paths and intrinsic calls parsed", exprs.len());
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(exprs.len() > 500);
}
