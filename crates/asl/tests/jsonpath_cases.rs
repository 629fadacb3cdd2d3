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
        let (passed, failures, _skipped) = paths_support::run_group(&group, |_, _| true);
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
