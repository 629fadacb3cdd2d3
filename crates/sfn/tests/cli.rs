//! The built `sfn` binary on small fixtures: stdout compared with golden files, exit statuses, and one-line errors.
//!
//! Regenerate the golden files after an intended change with `UPDATE_GOLDEN=1 cargo test -p sfn --test cli`.

use std::path::Path;
use std::process::Command;

const DIR: &str = env!("CARGO_MANIFEST_DIR");

struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

/// Runs `sfn` from the crate folder, so fixture paths print the same everywhere.
fn sfn(args: &[&str]) -> Out {
    let o = Command::new(env!("CARGO_BIN_EXE_sfn"))
        .args(args)
        .current_dir(DIR)
        .output()
        .expect("sfn runs");
    Out {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code().unwrap_or(-1),
    }
}

fn golden(name: &str, actual: &str) {
    let path = Path::new(DIR).join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("golden file writable");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 creates it)", path.display()));
    assert_eq!(
        actual,
        expected,
        "stdout differs from {} (UPDATE_GOLDEN=1 rewrites it)",
        path.display()
    );
}

const START: &str = "--start-time=2025-01-01T00:00:00Z";

#[test]
fn run_with_javascript_lambdas_prints_the_event_table() {
    let o = sfn(&[
        "run",
        "tests/fixtures/greet.asl.json",
        "--input",
        r#"{"name": "Ada"}"#,
        "--lambda",
        "greet=tests/fixtures/greet.js",
        "--lambda",
        "shout=tests/fixtures/shout.mjs",
        START,
        "--name",
        "golden",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stderr, "[greet] greeting Ada\n");
    golden("run_lambdas.txt", &o.stdout);
}

#[test]
fn run_with_a_mock_file_prints_describe_execution_and_history() {
    let o = sfn(&[
        "run",
        "tests/fixtures/greet.asl.json",
        "--input=@tests/fixtures/greet.input.json",
        "--mock-config",
        "tests/fixtures/mocks.json",
        "--test-case",
        "Throttled",
        START,
        "--format",
        "json",
        "--history",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    golden("run_mocks_history.json", &o.stdout);
}

#[test]
fn a_throwing_lambda_fails_the_execution_with_its_error_type() {
    let o = sfn(&[
        "run",
        "tests/fixtures/greet.asl.json",
        "--input",
        r#"{"name": "Ada"}"#,
        "--lambda",
        "greet=tests/fixtures/failing.js",
        START,
        "--name",
        "golden",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    golden("run_failing_lambda.json", &o.stdout);
}

#[test]
fn an_unanswered_task_stops_the_run_clearly() {
    let o = sfn(&[
        "run",
        "tests/fixtures/greet.asl.json",
        "--input=@tests/fixtures/greet.input.json",
        START,
        "--name",
        "golden",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    golden("run_no_mock.txt", &o.stdout);
}

/// The validator's wording belongs to the engine, so this checks the shape, not the words.
#[test]
fn validate_reports_like_a_compiler() {
    let bad = sfn(&["validate", "tests/fixtures/broken.asl.json"]);
    assert_eq!(bad.code, 1);
    let lines: Vec<&str> = bad.stdout.lines().collect();
    let (last, diags) = lines.split_last().expect("some output");
    assert!(
        last.starts_with("tests/fixtures/broken.asl.json: ")
            && (last.ends_with(" errors") || last.ends_with(" error")),
        "{last}"
    );
    for l in diags {
        let rest = l
            .strip_prefix("tests/fixtures/broken.asl.json:")
            .unwrap_or_else(|| panic!("{l}"));
        assert!(rest.contains(": error["), "{l}");
    }
    assert!(
        diags.iter().any(|l| l.starts_with(
            "tests/fixtures/broken.asl.json:6:15: error[MISSING_TRANSITION_TARGET]: "
        ) && l.ends_with(" (at /States/First/Next)")),
        "{}",
        bad.stdout
    );
    let json = sfn(&[
        "validate",
        "--format",
        "json",
        "tests/fixtures/broken.asl.json",
    ]);
    assert_eq!(json.code, 1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("one JSON object");
    assert_eq!(v["valid"], false);
    let list = v["diagnostics"].as_array().expect("diagnostics");
    assert!(list.iter().any(|d| d["code"] == "MISSING_TRANSITION_TARGET"
        && d["pointer"] == "/States/First/Next"
        && d["line"] == 6
        && d["column"] == 15));
    let ok = sfn(&["validate", "tests/fixtures/greet.asl.json"]);
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert_eq!(ok.stdout, "tests/fixtures/greet.asl.json: valid\n");
}

#[test]
fn case_prints_the_run_as_one_json_object() {
    let o = sfn(&["case", "tests/fixtures/cases/demo/task_then_pass.json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout.lines().count(), 1);
    golden("case_task_then_pass.json", &o.stdout);
}

#[test]
fn conformance_lists_failures_then_the_table_then_the_count() {
    let failures = std::env::temp_dir().join(format!("sfn-failures-{}.txt", std::process::id()));
    let f = failures.to_string_lossy().into_owned();
    let o = sfn(&["conformance", "--failures", &f, "tests/fixtures/cases"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    golden("conformance_fixtures.txt", &o.stdout);
    assert_eq!(o.stdout.lines().last(), Some("1 passed, 1 failed"));
    let listed = std::fs::read_to_string(&failures).expect("failures file written");
    let _ = std::fs::remove_file(&failures);
    assert_eq!(
        listed,
        "demo/wrong_error: L1 error: expected \"Expected\", got \"Actual\"\n"
    );
}

#[test]
fn bad_input_is_one_line_on_stderr_and_exit_status_2() {
    let cases: &[&[&str]] = &[
        &[],
        &["frob"],
        &["run", "--bogus", "tests/fixtures/greet.asl.json"],
        &["run", "tests/fixtures/missing.asl.json"],
        &["run", "tests/fixtures/greet.asl.json", "--input", "{bad"],
        &[
            "run",
            "tests/fixtures/greet.asl.json",
            "--input",
            "@tests/fixtures/missing.json",
        ],
        &["run", "tests/fixtures/greet.asl.json", "--lambda", "greet"],
        &[
            "run",
            "tests/fixtures/greet.asl.json",
            "--lambda",
            "f=tests/fixtures/broken.asl.json",
        ],
        &[
            "run",
            "tests/fixtures/greet.asl.json",
            "--mock-config",
            "tests/fixtures/mocks.json",
        ],
        &[
            "run",
            "tests/fixtures/greet.asl.json",
            "--mock-config",
            "tests/fixtures/mocks.json",
            "--test-case",
            "Nope",
        ],
        &["run", "tests/fixtures/greet.asl.json", "--format", "yaml"],
        &["run", "tests/fixtures/broken.asl.json"],
        &["validate"],
        &["validate", "tests/fixtures/missing.asl.json"],
        &["case", "tests/fixtures/mocks.json"],
        &["case", "tests/fixtures/greet.js"],
        &["conformance"],
        &["conformance", "tests/fixtures/no-such-folder"],
        &["conformance", "--level", "4", "tests/fixtures/cases"],
    ];
    for args in cases {
        let o = sfn(args);
        assert_eq!(
            o.code, 2,
            "sfn {args:?}: status {}; stderr {}",
            o.code, o.stderr
        );
        if !args.is_empty() {
            assert!(o.stdout.is_empty(), "sfn {args:?} printed {}", o.stdout);
            assert!(
                o.stderr.starts_with("sfn: ") && o.stderr.lines().count() == 1,
                "sfn {args:?}: stderr {:?}",
                o.stderr
            );
        }
    }
}

#[test]
fn help_exits_0() {
    for args in [
        &["help"][..],
        &["run", "--help"],
        &["conformance", "--help"],
        &["validate", "-h"],
        &["case", "--help"],
        &["workspace", "pack", "--help"],
        &["export", "--help"],
        &["import", "-h"],
    ] {
        let o = sfn(args);
        assert_eq!(o.code, 0, "sfn {args:?}");
        assert!(
            o.stdout.starts_with("usage: sfn"),
            "sfn {args:?}: {}",
            o.stdout
        );
    }
    let o = sfn(&["conformance", "--help"]);
    assert!(
        o.stdout
            .contains("passed means passing at --level (default 1: L1")
    );
}

const WS: &str = "tests/fixtures/greet.workspace.json";

#[test]
fn workspace_pack_writes_the_fixture_workspace() {
    let o = sfn(&[
        "workspace",
        "pack",
        "--definition",
        "tests/fixtures/greet.asl.json",
        "--lambda",
        "greet=tests/fixtures/greet.js",
        "--lambda",
        "shout=tests/fixtures/shout.mjs",
        "--input",
        "tests/fixtures/greet.input.json",
        "--mock-config",
        "tests/fixtures/mocks.json",
        "--seed",
        "7",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let fixture = std::fs::read_to_string(Path::new(DIR).join(WS)).unwrap_or_default();
    assert_eq!(o.stdout, fixture);
}

#[test]
fn run_of_a_workspace_runs_its_functions_input_and_seed() {
    let o = sfn(&["run", WS, START]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stderr, "[greet] greeting Ada\n");
    golden("run_workspace.txt", &o.stdout);
}

#[test]
fn a_workspace_runs_on_the_pages_clock_unless_told_otherwise() {
    let on_the_page = sfn(&["run", WS, START, "--format", "json"]);
    let by_default = sfn(&["run", WS, "--format", "json"]);
    assert_eq!(by_default.code, 0, "{}", by_default.stderr);
    assert!(by_default.stdout.contains("\"startDate\": 1735689600.0"));
    assert_eq!(by_default.stdout, on_the_page.stdout);
}

#[test]
fn run_of_a_workspace_takes_its_mocks_with_a_test_case_and_flags_override() {
    let o = sfn(&[
        "run",
        WS,
        START,
        "--test-case",
        "Throttled",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stderr, "");
    golden("run_workspace_mocks.json", &o.stdout);
    let o = sfn(&[
        "run",
        WS,
        START,
        "--input",
        r#"{"name": "Bo"}"#,
        "--name",
        "x",
    ]);
    assert!(o.stdout.contains("HELLO, BO! (X2)"), "{}", o.stdout);
    assert!(
        o.stdout.contains(":execution:StateMachine:x"),
        "{}",
        o.stdout
    );
}

#[test]
fn a_workspace_task_without_its_function_fails_as_on_the_page() {
    let ws = std::fs::read_to_string(Path::new(DIR).join(WS)).unwrap_or_default();
    let mut v: serde_json::Value = serde_json::from_str(&ws).unwrap_or_default();
    if let Some(f) = v.get_mut("functions").and_then(|f| f.as_array_mut()) {
        f.retain(|f| f.get("name").and_then(|n| n.as_str()) != Some("greet"));
    }
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-greet.workspace.json");
    std::fs::write(&path, v.to_string()).unwrap_or_default();
    let o = sfn(&["run", &path.to_string_lossy(), START]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stdout
            .contains("error      Lambda.ResourceNotFoundException"),
        "{}",
        o.stdout
    );
}

#[test]
fn export_writes_a_sam_template_and_import_reads_it_back() {
    let o = sfn(&["export", "sam", WS]);
    assert_eq!((o.code, o.stderr.as_str()), (0, ""));
    golden("export_sam.yaml", &o.stdout);
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("greet.sam.yaml");
    std::fs::write(&path, &o.stdout).unwrap_or_default();
    let back = sfn(&["import", &path.to_string_lossy(), "--into", WS]);
    assert_eq!(back.code, 0, "{}", back.stderr);
    golden("import_sam.json", &back.stdout);
    let v: serde_json::Value = serde_json::from_str(&back.stdout).unwrap_or_default();
    let names: Vec<&str> = v["functions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(names, ["greet", "shout"]);
    for kind in ["yaml", "json", "mocks"] {
        let o = sfn(&["export", kind, WS]);
        assert_eq!(o.code, 0, "{kind}: {}", o.stderr);
        golden(&format!("export_{kind}.txt"), &o.stdout);
    }
}

#[test]
fn import_errors_say_where() {
    let o = sfn(&["import", "../workspace/tests/import/broken.yaml"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "sfn: ../workspace/tests/import/broken.yaml: line 7, column 8: not valid YAML: this line is indented more than the keys of its mapping\n"
    );
    let o = sfn(&["import", "../workspace/tests/import/sam-definitionuri.yaml"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("line 6, column 7: at /Resources/Machine/Properties/DefinitionUri"),
        "{}",
        o.stderr
    );
    let o = sfn(&["export", "pdf", WS]);
    assert_eq!(o.code, 2);
    let o = sfn(&[
        "run",
        "../workspace/tests/import/workspace.json",
        "--format",
        "json",
        START,
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}
