//! The recorded intrinsic-function cases (intrinsic_functions, JSONPath mode): each is a Pass
//! state whose Parameters call `States.*`; resolved with `asl::payload` directly.

mod paths_support;

#[test]
fn intrinsic_function_cases_match_aws() {
    let (passed, failures, skipped) = paths_support::run_group("intrinsic_functions", |_, case| {
        !case["definition"].to_string().contains("JSONata")
    });
    println!(
        "intrinsic_functions: {passed} passed, {} failed, {} skipped",
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
    assert!(skipped.is_empty(), "skipped:\n{}", skipped.join("\n"));
    assert!(passed >= 100, "only {passed} cases ran");
}
