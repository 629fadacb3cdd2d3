//! The playground's example gallery (`examples/` at the repository top) run by the built `sfn` binary: each ends as its `index.json` entry expects.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// The gallery's index: one entry per example, in the picker's order.
fn index() -> Vec<Value> {
    let path = examples_dir().join("index.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (the gallery must exist)", path.display()));
    match serde_json::from_str(&text) {
        Ok(Value::Array(entries)) => entries,
        other => panic!("{}: not a JSON array: {other:?}", path.display()),
    }
}

/// `--lambda NAME=FILE` for every `lambdas/NAME.js` of an example, sorted by name.
fn lambda_args(dir: &Path) -> Vec<String> {
    let mut args = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir.join("lambdas")) else {
        return args;
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    for file in files {
        if file.extension().is_some_and(|x| x == "js")
            && let Some(name) = file.file_stem().and_then(|s| s.to_str())
        {
            args.push("--lambda".into());
            args.push(format!("{name}={}", file.display()));
        }
    }
    args
}

/// Runs one example and returns `describe-execution`'s JSON.
fn run(slug: &str) -> Value {
    let dir = examples_dir().join(slug);
    let definition = dir.join("definition.asl.json");
    let input = dir.join("input.json");
    assert!(definition.is_file(), "{} is missing", definition.display());
    assert!(input.is_file(), "{} is missing", input.display());
    let out = Command::new(env!("CARGO_BIN_EXE_sfn"))
        .arg("run")
        .arg(&definition)
        .arg(format!("--input=@{}", input.display()))
        .args(lambda_args(&dir))
        .args(["--format", "json", "--start-time", "2026-01-01T00:00:00Z"])
        .output()
        .expect("sfn runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{slug}: sfn printed no execution ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn every_gallery_example_ends_as_expected() {
    let entries = index();
    assert!(
        entries.len() >= 8,
        "the gallery has {} examples, fewer than 8",
        entries.len()
    );
    let mut wrong = Vec::new();
    for entry in &entries {
        let slug = entry["slug"].as_str().expect("every entry has a slug");
        let expected = &entry["expected"];
        let described = run(slug);
        let status = described["status"].as_str().unwrap_or("?");
        let want_status = expected["status"].as_str().expect("expected.status");
        if status != want_status {
            wrong.push(format!(
                "{slug}: {status}, expected {want_status} (error {}, cause {})",
                described["error"], described["cause"]
            ));
            continue;
        }
        if let Some(want_error) = expected.get("error").and_then(Value::as_str)
            && described["error"].as_str() != Some(want_error)
        {
            wrong.push(format!(
                "{slug}: error {}, expected {want_error}",
                described["error"]
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_example_folder_is_in_the_index() {
    let listed: Vec<String> = index()
        .iter()
        .filter_map(|e| e["slug"].as_str().map(String::from))
        .collect();
    let entries = std::fs::read_dir(examples_dir()).expect("examples/ exists");
    for entry in entries.flatten() {
        if entry.path().is_dir() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                listed.contains(&name),
                "examples/{name} is not listed in index.json"
            );
        }
    }
}
