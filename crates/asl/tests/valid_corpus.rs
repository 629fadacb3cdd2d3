//! Every definition AWS accepted (the recorded execution cases) must validate clean.

use asl::validate::{Options, validate_with};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The shared corpus: `../../../shared/conformance` from the main checkout's `crates/asl`, one
/// level further up from a worktree under `/work/wt/<name>`.
const CORPUS_CANDIDATES: [&str; 2] = [
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance"),
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../../shared/conformance"
    ),
];

fn corpus() -> PathBuf {
    let found = CORPUS_CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.join("cases").is_dir());
    match found {
        Some(p) => p,
        None => panic!(
            "conformance corpus not found (looked for {:?}; expected /work/shared/conformance)",
            CORPUS_CANDIDATES
        ),
    }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn every_recorded_definition_validates_clean() {
    let dir = corpus().join("cases");
    let mut files = Vec::new();
    json_files(&dir, &mut files);
    files.sort();
    assert!(!files.is_empty(), "no cases under {}", dir.display());

    let mut false_rejects = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let Ok(case) = serde_json::from_str::<Value>(&text) else {
            false_rejects.push(format!("{}: unreadable case file", file.display()));
            continue;
        };
        let express = case
            .pointer("/context/state_machine_type")
            .and_then(Value::as_str)
            == Some("EXPRESS");
        let definition = case.get("definition").cloned().unwrap_or(Value::Null);
        let definition = match definition {
            Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
            other => other,
        };
        let diags = validate_with(&definition, &Options { express });
        if !diags.is_empty() {
            let shown: Vec<String> = diags
                .iter()
                .take(3)
                .map(|d| format!("{}: {} at {}", d.code, d.message, d.pointer))
                .collect();
            false_rejects.push(format!("{}: {}", file.display(), shown.join(" | ")));
        }
    }
    println!(
        "valid corpus: {} definitions, {} false rejects",
        files.len(),
        false_rejects.len()
    );
    assert!(
        false_rejects.is_empty(),
        "{} of {} accepted definitions were rejected:\n{}",
        false_rejects.len(),
        files.len(),
        false_rejects.join("\n")
    );
}

/// Every node of a definition, as JSON Pointers.
fn pointers(v: &Value, base: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                let p = format!("{base}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                let p = format!("{base}/{i}");
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        _ => {}
    }
}

#[test]
fn mutated_and_truncated_definitions_never_panic() {
    let mut files = Vec::new();
    json_files(&corpus().join("cases"), &mut files);
    files.sort();
    let junk = [
        Value::Null,
        Value::from(-1),
        Value::from(1.5),
        Value::from("$..[?(@"),
        Value::from("States.Format('{}"),
        Value::from("{% %}"),
        serde_json::json!([]),
        serde_json::json!({}),
        serde_json::json!({"Type": "Map", "Label": "", "End": true}),
    ];
    let mut runs = 0usize;
    for file in files.iter().step_by(9) {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let Ok(case) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let Some(def) = case.get("definition") else {
            continue;
        };
        let mut ptrs = Vec::new();
        pointers(def, String::new(), &mut ptrs);
        for p in &ptrs {
            for j in &junk {
                let mut mutated = def.clone();
                if let Some(slot) = mutated.pointer_mut(p) {
                    *slot = j.clone();
                }
                for express in [false, true] {
                    let diags = validate_with(&mutated, &Options { express });
                    let _ = asl::validate::create_error_message(&mutated, &diags);
                    runs += 1;
                }
            }
        }
        let source = serde_json::to_string_pretty(def).unwrap_or_default();
        let cut_points: Vec<usize> = source.char_indices().map(|(i, _)| i).step_by(7).collect();
        for cut in cut_points {
            let prefix = source.get(..cut).unwrap_or("");
            for d in asl::validate::validate_source(prefix, &Options::default()) {
                let _ = d.location();
            }
            let _ = asl::source_map::locate(prefix, "/States/x/Next");
            runs += 1;
        }
    }
    println!("robustness: {runs} validations without a panic");
    assert!(runs > 1000);
}
