//! Exports of every gallery example: the SAM template parses as YAML, holds every Lambda, and
//! imports back into the same workspace; the YAML definition imports back as the same definition.
//! The order example's template is kept as a golden file (`UPDATE_GOLDEN=1` rewrites it).

use serde_json::Value;
use std::path::{Path, PathBuf};
use workspace::export::{definition_json, definition_yaml, mock_config, sam_template};
use workspace::import::{Kind, import};
use workspace::{Function, Workspace, yaml};

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every gallery example as the page loads it: its title, definition, Lambda modules and input.
fn gallery() -> Vec<Workspace> {
    let index: Value = serde_json::from_str(&read(&PathBuf::from(EXAMPLES).join("index.json")))
        .unwrap_or(Value::Null);
    let mut out = Vec::new();
    for e in index.as_array().into_iter().flatten() {
        let slug = e.get("slug").and_then(Value::as_str).unwrap_or_default();
        let dir = PathBuf::from(EXAMPLES).join(slug);
        let mut functions: Vec<Function> = std::fs::read_dir(dir.join("lambdas"))
            .map(|d| {
                d.filter_map(|f| f.ok().map(|f| f.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "js"))
                    .map(|p| Function {
                        name: p
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        code: read(&p),
                    })
                    .collect()
            })
            .unwrap_or_default();
        functions.sort_by(|a, b| a.name.cmp(&b.name));
        out.push(Workspace {
            name: e
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or(slug)
                .to_string(),
            definition: read(&dir.join("definition.asl.json")),
            functions,
            input: read(&dir.join("input.json")),
            ..Workspace::default()
        });
    }
    assert!(out.len() >= 8, "the gallery has {} examples", out.len());
    out
}

/// The definition with every Lambda reference reduced to the function's name, as the engine resolves it.
fn normalized(v: &Value) -> Value {
    let mut v = v.clone();
    normalize(&mut v);
    v
}

fn normalize(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.get("Type").and_then(Value::as_str) == Some("Task") {
                let resource = m
                    .get("Resource")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                if resource.starts_with("arn:aws:states:::lambda:invoke") {
                    for args in ["Parameters", "Arguments"] {
                        if let Some(f) = m.get_mut(args).and_then(|p| p.get_mut("FunctionName"))
                            && let Some(s) = f.as_str()
                        {
                            *f = asl::lambda::function_name(s).into();
                        }
                    }
                } else if let Some((name, _)) = asl::lambda::target_of(&resource, &Value::Null) {
                    m.insert("Resource".into(), name.into());
                }
            }
            m.values_mut().for_each(normalize);
        }
        Value::Array(a) => a.iter_mut().for_each(normalize),
        _ => {}
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn every_gallery_example_exports_a_sam_template_that_imports_back() {
    for ws in gallery() {
        let sam = sam_template(&ws).unwrap_or_else(|e| panic!("{}: {e}", ws.name));
        let template =
            yaml::parse(&sam.text).unwrap_or_else(|e| panic!("{}: {e}\n{}", ws.name, sam.text));
        let resources = template
            .get("Resources")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let functions: Vec<&Value> = resources
            .values()
            .filter(|r| r.get("Type").and_then(Value::as_str) == Some("AWS::Serverless::Function"))
            .collect();
        assert_eq!(functions.len(), ws.functions.len(), "{}", ws.name);
        for f in &functions {
            assert_eq!(
                f.pointer("/Properties/Handler").and_then(Value::as_str),
                Some("index.handler")
            );
            assert!(
                f.pointer("/Properties/Runtime")
                    .and_then(Value::as_str)
                    .is_some_and(|r| r.starts_with("nodejs"))
            );
        }
        let back = import("template.yaml", &sam.text)
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", ws.name, sam.text));
        assert_eq!(back.kind, Kind::Template);
        assert_eq!(back.machines.len(), 1);
        assert_eq!(back.functions, ws.functions, "{}", ws.name);
        let original = json(&ws.definition);
        let reimported = json(
            &back
                .machines
                .first()
                .map(|m| m.definition.clone())
                .unwrap_or_default(),
        );
        assert_eq!(
            normalized(&reimported),
            normalized(&original),
            "{}",
            ws.name
        );
        let after = back.apply(&ws);
        assert_eq!(after.functions, ws.functions, "{}", ws.name);
        // every Lambda Task now names a function of the template
        if !ws.functions.is_empty() {
            assert!(sam.text.contains("DefinitionSubstitutions:"), "{}", ws.name);
            assert!(sam.text.contains("LambdaInvokePolicy"), "{}", ws.name);
        }
    }
}

#[test]
fn every_gallery_definition_exports_as_json_and_yaml_that_import_back() {
    for ws in gallery() {
        let original = json(&ws.definition);
        let pretty = definition_json(&ws).unwrap_or_default();
        assert_eq!(json(&pretty), original);
        let text = definition_yaml(&ws).unwrap_or_default();
        let back =
            import("definition.asl.yaml", &text).unwrap_or_else(|e| panic!("{}: {e}", ws.name));
        assert_eq!(back.kind, Kind::Asl);
        let def = back.machines.first().map(|m| json(&m.definition));
        assert_eq!(def, Some(original), "{}", ws.name);
    }
}

#[test]
fn exported_mocks_import_back() {
    let ws = Workspace {
        name: "Order process".into(),
        mocks: r#"{"StateMachines": {"x": {"TestCases": {"Happy": {"Check Inventory": "Ok"}}}},
                   "MockedResponses": {"Ok": {"0": {"Return": {"item": "book"}}}}}"#
            .into(),
        test_case: "Happy".into(),
        ..Workspace::default()
    };
    let text = mock_config(&ws).map(|e| e.text).unwrap_or_default();
    let back = import("MockConfigFile.json", &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.kind, Kind::MockConfig);
    let after = back.apply(&Workspace::default());
    assert_eq!(after.test_case, "Happy");
    assert!(
        workspace::mocks::MockConfig::parse(&after.mocks, "Happy", Some("Order process")).is_ok()
    );
}

#[test]
fn the_order_example_template_reads_as_the_golden_file() {
    let ws = gallery().into_iter().next().unwrap_or_default();
    let sam = sam_template(&ws).unwrap_or_else(|e| panic!("{e}"));
    let golden = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/export/order-process.sam.yaml"
    ));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::write(&golden, &sam.text);
        return;
    }
    assert_eq!(sam.text, read(&golden));
    assert!(sam.notes.is_empty(), "{:?}", sam.notes);
}

#[test]
fn es_module_lambdas_are_converted_and_unknown_functions_noted() {
    let ws = Workspace {
        name: "esm".into(),
        definition: r#"{"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:my-fn:prod", "Payload.$": "$"}, "Next": "B"},
            "B": {"Type": "Task", "Resource": "Missing", "Next": "C"},
            "C": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Parameters": {"QueueUrl": "q", "MessageBody": "m"}, "End": true}}}"#
            .into(),
        functions: vec![Function { name: "my-fn".into(), code: "export const handler = async (e) => e;\n".into() }],
        ..Workspace::default()
    };
    let sam = sam_template(&ws).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        sam.text.contains("FunctionName: ${myFnArn}"),
        "{}",
        sam.text
    );
    assert!(sam.text.contains("FunctionName: my-fn"), "{}", sam.text);
    assert!(
        sam.text
            .contains("const handler = exports.handler = async (e) => e;"),
        "{}",
        sam.text
    );
    assert_eq!(sam.notes.len(), 2, "{:?}", sam.notes);
    let back = import("t.yaml", &sam.text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        back.functions.first().map(|f| f.name.as_str()),
        Some("my-fn")
    );
    let broken = Workspace {
        definition: "{\n  \"StartAt\": }".into(),
        ..Workspace::default()
    };
    assert!(sam_template(&broken).is_err_and(|e| e.line == Some(2)));
}

/// Function names every Task of a definition invokes, as the engine resolves them (nested states too).
fn lambda_names(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if m.get("Type").and_then(Value::as_str) == Some("Task") {
                let resource = m.get("Resource").and_then(Value::as_str).unwrap_or("");
                let params = m
                    .get("Parameters")
                    .or_else(|| m.get("Arguments"))
                    .cloned()
                    .unwrap_or(Value::Null);
                if let Some((name, _)) = asl::lambda::target_of(resource, &params)
                    && !name.is_empty()
                    && !name.starts_with("{%")
                    && !out.contains(&name)
                {
                    out.push(name);
                }
            }
            m.values().for_each(|x| lambda_names(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| lambda_names(x, out)),
        _ => {}
    }
}

#[test]
fn every_conformance_definition_exports_and_imports_back() {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let corpus = [
        "../shared/conformance/cases",
        "../../shared/conformance/cases",
    ]
    .iter()
    .map(|p| root.join(p))
    .find(|p| p.is_dir())
    .unwrap_or_else(|| {
        panic!(
            "the conformance corpus is missing next to {}",
            root.display()
        )
    });
    let mut files = Vec::new();
    for group in std::fs::read_dir(&corpus).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(group.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            files.push(f.path());
        }
    }
    files.sort();
    let mut failures = Vec::new();
    let mut exported = 0;
    for f in &files {
        let case: Value = serde_json::from_str(&read(f)).unwrap_or(Value::Null);
        let Some(def) = case.get("definition").filter(|d| d.is_object()) else {
            continue;
        };
        let mut names = Vec::new();
        lambda_names(def, &mut names);
        let ws = Workspace {
            name: "Case".into(),
            definition: serde_json::to_string_pretty(def).unwrap_or_default(),
            functions: names
                .iter()
                .map(|n| Function {
                    name: n.clone(),
                    code: "exports.handler = async (e) => e;\n".into(),
                })
                .collect(),
            ..Workspace::default()
        };
        let back = sam_template(&ws)
            .map_err(|e| e.to_string())
            .and_then(|sam| import("t.yaml", &sam.text).map_err(|e| format!("{e}\n{}", sam.text)));
        exported += 1;
        match back {
            Err(e) => failures.push(format!("{}: {e}", f.display())),
            Ok(b) => {
                let got = b
                    .machines
                    .first()
                    .map(|m| json(&m.definition))
                    .unwrap_or(Value::Null);
                if normalized(&got) != normalized(def) || b.functions != ws.functions {
                    failures.push(format!(
                        "{}: another definition or functions came back",
                        f.display()
                    ));
                }
            }
        }
    }
    assert!(exported > 500, "{exported} definitions");
    assert!(
        failures.is_empty(),
        "{} of {exported}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
