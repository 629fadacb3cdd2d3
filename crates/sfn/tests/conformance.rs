//! The recorded corpus (`/work/shared/conformance`) run in-process: pass counts must not drop below the floor.

use serde_json::Value;
use sfn::case::CaseRun;
use sfn::compare;
use sfn::conformance;
use std::path::{Path, PathBuf};

/// The corpus sits next to the repository (`<repo>/../shared/conformance`).
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance");
/// The same from a helper's worktree (`<shared>/../wt/<name>`).
const CORPUS_FROM_WORKTREE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../../shared/conformance"
);
const FLOOR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance_floor.json");

fn cases_dir() -> PathBuf {
    let found = [CORPUS, CORPUS_FROM_WORKTREE]
        .iter()
        .map(|c| Path::new(c).join("cases"))
        .find(|d| d.is_dir());
    match found {
        Some(dir) => dir,
        None => panic!(
            "the conformance corpus is missing: {CORPUS}/cases (expected next to the repository)"
        ),
    }
}

#[test]
fn corpus_pass_counts_do_not_drop_below_the_floor() {
    let report = conformance::run_paths(&[cases_dir()], None).expect("corpus readable");
    let totals = report.totals();
    println!("{}", report.render(1, false));
    assert!(totals.cases > 0, "no cases found in the corpus");
    let floor: Value = serde_json::from_str(
        &std::fs::read_to_string(FLOOR).expect("tests/conformance_floor.json readable"),
    )
    .expect("tests/conformance_floor.json is JSON");
    // Every level named in the floor file is enforced (L1 and L2 at least; L3 when it is there).
    let mut dropped = Vec::new();
    for (level, got) in [(1u8, totals.l1), (2, totals.l2), (3, totals.l3)] {
        let key = format!("L{level}");
        let Some(min) = floor.get(&key).and_then(Value::as_u64) else {
            println!("{key}: {got} passing (no floor)");
            continue;
        };
        let min = usize::try_from(min).unwrap_or(usize::MAX);
        if got < min {
            dropped.push(format!("{key}: {got} passing, floor {min}"));
        } else if got > min {
            println!(
                "{key}: {got} passing, above the floor {min}: raise it in tests/conformance_floor.json"
            );
        }
    }
    if !dropped.is_empty() {
        for f in report.failures(3).iter().take(40) {
            println!("FAIL {f}");
        }
        panic!(
            "conformance dropped below the floor: {}",
            dropped.join("; ")
        );
    }
}

/// A recording replayed as if it were our run.
fn replay(exp: &Value) -> CaseRun {
    let text = |k: &str| exp.get(k).and_then(Value::as_str).map(str::to_string);
    let events = exp
        .get("events")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|e| {
                    let mut e = e.clone();
                    if let Some(o) = e.as_object_mut() {
                        o.remove("details_key");
                    }
                    e
                })
                .collect()
        })
        .unwrap_or_default();
    CaseRun {
        status: text("status").unwrap_or_default(),
        output: exp.get("output").cloned(),
        error: text("error"),
        cause: text("cause"),
        events,
    }
}

/// The comparer is not vacuous: a changed output fails L1, a changed event type fails L2, a
/// changed event payload fails L3.
#[test]
fn every_mutated_recording_fails() {
    let files = conformance::collect(&[cases_dir()]).expect("corpus readable");
    let mut missed = Vec::new();
    for f in &files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(f).expect("readable"))
            .expect("case JSON");
        let Some(exp) = v.get("expected") else {
            continue;
        };
        let base = replay(exp);
        if base.status == "SUCCEEDED" {
            let mut r = base.clone();
            r.output = Some(serde_json::json!({"mutated": r.output.take()}));
            if compare::compare(exp, &r).passes(1) {
                missed.push(format!("{}: output change passed L1", f.display()));
            }
        }
        if exp.get("events_order_normalized").is_some() || base.events.is_empty() {
            continue;
        }
        let mut r = base.clone();
        if let Some(last) = r.events.last_mut() {
            last["type"] = Value::from("MutatedEvent");
        }
        if compare::compare(exp, &r).passes(2) {
            missed.push(format!("{}: event type change passed L2", f.display()));
        }
        let mut r = base.clone();
        if let Some(first) = r.events.first_mut() {
            first["details"]["input"] = serde_json::json!({"mutated": true});
        }
        if compare::compare(exp, &r).passes(3) {
            missed.push(format!(
                "{}: ExecutionStarted input change passed L3",
                f.display()
            ));
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

/// The comparer itself: every recording, replayed as if it were our run, must pass all levels.
#[test]
fn every_recording_matches_itself() {
    let files = conformance::collect(&[cases_dir()]).expect("corpus readable");
    let mut failures = Vec::new();
    for f in &files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(f).expect("readable"))
            .expect("case JSON");
        let Some(exp) = v.get("expected") else {
            continue;
        };
        let run = replay(exp);
        let verdict = compare::compare(exp, &run);
        if let Some(r) = verdict.reason(3) {
            failures.push(format!("{}: {r}", f.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
