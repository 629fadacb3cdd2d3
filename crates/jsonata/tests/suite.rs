//! Runs the official JSONata test suite (../../../shared/jsonata-suite) and enforces a pass-count floor.

#[allow(dead_code)]
mod common;

use std::collections::HashMap;
use std::path::Path;

use common::{Outcome, load_cases, run_case, suite_root};

fn read_list(name: &str) -> HashMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name);
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (id, reason) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            (id.trim().to_string(), reason.trim().to_string())
        })
        .collect()
}

fn run_suite() {
    let root = suite_root();
    assert!(
        root.join("groups").is_dir(),
        "the JSONata test suite is missing: expected it at {} (shared/jsonata-suite)",
        root.display()
    );
    let skipped = read_list("skipped.txt");
    let floor: usize = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite_floor.txt"),
    )
    .ok()
    .and_then(|s| s.trim().parse().ok())
    .unwrap_or(0);
    let only = std::env::var("JSONATA_CASE").ok();
    let cases = load_cases(root);
    let mut datasets = HashMap::new();
    let (mut pass, mut fail, mut skip) = (0usize, 0usize, 0usize);
    let mut report = String::new();
    for case in &cases {
        if let Some(o) = &only
            && !case.id.starts_with(o.as_str())
        {
            continue;
        }
        if skipped.contains_key(&case.id) {
            skip += 1;
            continue;
        }
        match run_case(case, &mut datasets, root) {
            Outcome::Pass => pass += 1,
            Outcome::Fail(why) => {
                fail += 1;
                let expr = case.expr().unwrap_or_default();
                report.push_str(&format!("FAIL {}: {}\n    expr: {}\n", case.id, why, expr));
            }
        }
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/jsonata-suite-failures.txt");
    let _ = std::fs::write(&out, &report);
    if only.is_some() {
        print!("{}", report);
    }
    println!(
        "jsonata suite: {} passed, {} failed, {} skipped of {} cases (failures in {})",
        pass,
        fail,
        skip,
        cases.len(),
        out.display()
    );
    if only.is_none() {
        assert!(
            pass >= floor,
            "suite pass count {} dropped below the floor {} (tests/suite_floor.txt)",
            pass,
            floor
        );
    }
}

#[test]
fn official_suite() {
    // the evaluator is recursive; give the debug build room (the library bounds its own depth)
    let h = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(run_suite)
        .expect("thread");
    if let Err(e) = h.join() {
        std::panic::resume_unwind(e);
    }
}
