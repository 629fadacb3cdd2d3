//! Import of real-looking files (tests/import/*): each file's result, rendered as JSON, matches its golden
//! file in tests/import/golden/ (`UPDATE_GOLDEN=1 cargo test -p workspace --test import` rewrites them).

use serde_json::{Value, json};
use std::path::PathBuf;
use workspace::import::{Imported, Kind, import};

fn dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/import"))
}

/// The import's result as JSON: definitions as JSON values, so goldens read well.
fn render(r: Result<Imported, workspace::import::ImportError>) -> Value {
    match r {
        Err(e) => {
            json!({"error": {"message": e.message, "line": e.line, "column": e.column, "pointer": e.pointer}})
        }
        Ok(i) => {
            let kind = match i.kind {
                Kind::Workspace => "workspace",
                Kind::MockConfig => "mockConfig",
                Kind::Asl => "asl",
                Kind::Template => "template",
            };
            let machines: Vec<Value> = i
                .machines
                .iter()
                .map(|m| {
                    let def: Value = serde_json::from_str(&m.definition).unwrap_or(Value::Null);
                    json!({"logicalId": m.logical_id, "name": m.name, "definition": def})
                })
                .collect();
            let functions: Vec<Value> = i
                .functions
                .iter()
                .map(|f| json!({"name": f.name, "code": f.code}))
                .collect();
            json!({
                "kind": kind,
                "machines": machines,
                "functions": functions,
                "mocks": i.mocks.as_deref().map(|m| serde_json::from_str::<Value>(m).unwrap_or(Value::Null)),
                "workspace": i.workspace.map(|w| w.to_json()),
                "notes": i.notes,
            })
        }
    }
}

#[test]
fn every_fixture_imports_as_its_golden_says() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    assert!(files.len() >= 10, "fixtures missing in {}", dir().display());
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for f in &files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let got = render(import(&name, &text));
        let got_text = serde_json::to_string_pretty(&got).unwrap_or_default() + "\n";
        let golden = dir().join("golden").join(format!("{name}.json"));
        if update {
            let _ = std::fs::create_dir_all(dir().join("golden"));
            let _ = std::fs::write(&golden, &got_text);
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        if want != got_text {
            failures.push(format!("{name}: got\n{got_text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn fixture(name: &str) -> Imported {
    let text = std::fs::read_to_string(dir().join(name)).unwrap_or_default();
    import(name, &text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn a_template_replaces_the_definition_and_adds_or_replaces_its_functions() {
    let ws = workspace::Workspace::default();
    let after = fixture("sam-order.yaml").apply(&ws);
    assert_eq!(after.name, "order-process-dev");
    assert!(after.definition.contains("Order process (SAM)"));
    let names: Vec<&str> = after.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "CheckInventory",
            "ProcessPayment",
            "NotifyCustomer",
            "process-payment"
        ]
    );
    assert!(
        after
            .function("CheckInventory")
            .is_some_and(|f| f.code.contains("inStock: true"))
    );
    assert_eq!((after.input, after.seed), (ws.input, ws.seed));
}

#[test]
fn plain_asl_keeps_the_text_and_the_name() {
    let ws = workspace::Workspace::default();
    let text = std::fs::read_to_string(dir().join("asl.json")).unwrap_or_default();
    let after = fixture("asl.json").apply(&ws);
    assert_eq!((after.definition, after.name), (text, ws.name));
}

#[test]
fn a_mock_config_keeps_a_test_case_it_has_else_takes_the_first() {
    let ws = workspace::Workspace {
        test_case: "OutOfStock".into(),
        ..Default::default()
    };
    let mocks = fixture("mocks.json");
    assert_eq!(mocks.apply(&ws).test_case, "OutOfStock");
    let other = workspace::Workspace {
        test_case: "Gone".into(),
        ..Default::default()
    };
    assert_eq!(mocks.apply(&other).test_case, "HappyPath");
}

#[test]
fn a_workspace_file_replaces_everything() {
    let after = fixture("workspace.json").apply(&workspace::Workspace::default());
    assert_eq!(
        (after.name.as_str(), after.seed, after.functions.len()),
        ("Tiny", 7, 1)
    );
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    for text in [
        "",
        "[]",
        "42",
        "{",
        "Resources: 3",
        "Resources: {}",
        "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n",
        "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionString: !Join [',', [!Ref Nope]]\n",
        "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      StateMachineName: !Ref M\n      DefinitionString: !Sub '${M}'\n",
        "StateMachines: []\nMockedResponses: {}\n",
        "{\"format\": \"sfn-playground-workspace\", \"version\": 9}",
    ] {
        assert!(import("x.yaml", text).is_err(), "{text:?} imported");
    }
}

#[test]
fn mutated_fixtures_never_panic() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut tried = 0;
    for f in &files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let chars: Vec<char> = std::fs::read_to_string(f)
            .unwrap_or_default()
            .chars()
            .collect();
        let step = (chars.len() / 150).max(1);
        for i in (0..chars.len()).step_by(step) {
            let prefix: String = chars.iter().take(i).collect();
            let deleted: String = chars
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| c)
                .collect();
            for text in [prefix, deleted] {
                tried += 1;
                let r = std::panic::catch_unwind(|| {
                    if let Ok(i) = import(&name, &text) {
                        let _ = i.apply(&workspace::Workspace::default());
                    }
                });
                assert!(r.is_ok(), "{name}: panic on {text:?}");
            }
        }
    }
    assert!(tried > 1000);
}
