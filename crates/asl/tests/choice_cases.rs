//! The recorded Choice-operator cases (choice_operators): every rule is evaluated with
//! `asl::choice` directly and the branch taken is compared with AWS's.

mod paths_support;

#[test]
fn choice_operator_cases_take_awss_branch() {
    let (passed, failures, skipped) = paths_support::run_group("choice_operators", |_, _| true);
    println!(
        "choice_operators: {passed} passed, {} failed, {} skipped",
        failures.len(),
        skipped.len()
    );
    for s in &skipped {
        println!("skipped {s}");
    }
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Every case of this group is a Choice followed by Pass states: none may be skipped.
    assert!(skipped.is_empty(), "skipped:\n{}", skipped.join("\n"));
    assert!(passed >= 300, "only {passed} cases ran");
}

#[test]
fn choice_rules_elsewhere_in_the_corpus_parse() {
    // Every JSONPath Choice rule AWS accepted must parse.
    let mut count = 0;
    let mut bad = Vec::new();
    let root = paths_support::corpus_dir().join("cases");
    for group in std::fs::read_dir(&root).expect("cases folder").flatten() {
        let Some(group) = group.file_name().to_str().map(str::to_string) else {
            continue;
        };
        for (name, case) in paths_support::cases(&group) {
            let mut rules = Vec::new();
            collect_rules(&case["definition"], false, &mut rules);
            for r in rules {
                count += 1;
                if let Err(e) = asl::choice::Rule::parse(&r) {
                    bad.push(format!("{group}/{name}: {e}: {r}"));
                }
            }
        }
    }
    println!("{count} Choice rules parsed");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(count > 390);
}

fn collect_rules(v: &serde_json::Value, jsonata: bool, out: &mut Vec<serde_json::Value>) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            let jsonata = match m.get("QueryLanguage").and_then(Value::as_str) {
                Some("JSONata") => true,
                Some(_) => false,
                None => jsonata,
            };
            if m.get("Type").and_then(Value::as_str) == Some("Choice")
                && !jsonata
                && let Some(Value::Array(rules)) = m.get("Choices")
            {
                out.extend(
                    rules
                        .iter()
                        .filter(|r| r.get("Condition").is_none())
                        .cloned(),
                );
            }
            for x in m.values() {
                collect_rules(x, jsonata, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_rules(x, jsonata, out)),
        _ => {}
    }
}
