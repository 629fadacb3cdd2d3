//! Definitions AWS refused (and a few it accepted through ValidateStateMachineDefinition): the
//! validator must agree on accept/reject, then on the error code, then on the message. The
//! counts reached are a floor kept in `invalid_floor.txt`.

use asl::validate::{
    INVALID_DEFINITION, Options, create_error_message, validate_source, validate_with,
};
use serde_json::Value;
use std::path::PathBuf;

/// The shared corpus: `../../../shared/conformance` from the main checkout's `crates/asl`, one
/// level further up from a worktree under `/work/wt/<name>`.
const CORPUS_CANDIDATES: [&str; 2] = [
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance"),
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../../shared/conformance"
    ),
];
const FLOOR: &str = include_str!("invalid_floor.txt");

fn corpus() -> PathBuf {
    let found = CORPUS_CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.join("invalid").is_dir());
    match found {
        Some(p) => p,
        None => panic!(
            "conformance corpus not found (looked for {:?}; expected /work/shared/conformance)",
            CORPUS_CANDIDATES
        ),
    }
}

/// What AWS answered.
enum Expected {
    /// CreateStateMachine refused it: error code and message.
    Refused { code: String, message: String },
    /// ValidateStateMachineDefinition: `OK`, or `FAIL` with (code, message, location) triples.
    Diagnostics(Vec<(String, String, Option<String>)>),
}

fn expected(case: &Value) -> Option<Expected> {
    let err = case.get("expected_error")?;
    match case.get("api").and_then(Value::as_str)? {
        "create_state_machine" => {
            if let Some(s) = err.as_str() {
                // "An error occurred (Code) when calling the CreateStateMachine operation: Msg"
                let rest = s.strip_prefix("An error occurred (")?;
                let (code, rest) = rest.split_once(')')?;
                let (_, message) = rest.split_once(": ")?;
                return Some(Expected::Refused {
                    code: code.into(),
                    message: message.into(),
                });
            }
            Some(Expected::Refused {
                code: err.pointer("/Error/Code")?.as_str()?.into(),
                message: err.pointer("/Error/Message")?.as_str()?.into(),
            })
        }
        "validate_state_machine_definition" => {
            let diags = err.get("diagnostics")?.as_array()?;
            Some(Expected::Diagnostics(
                diags
                    .iter()
                    .map(|d| {
                        let s = |k: &str| d.get(k).and_then(Value::as_str).map(String::from);
                        (
                            s("code").unwrap_or_default(),
                            s("message").unwrap_or_default(),
                            s("location"),
                        )
                    })
                    .collect(),
            ))
        }
        _ => None,
    }
}

#[derive(Default, Debug, PartialEq, Eq, Clone, Copy)]
struct Counts {
    agree: usize,
    code: usize,
    message: usize,
}

fn parse_floor() -> Counts {
    let mut c = Counts::default();
    for part in FLOOR.split_whitespace() {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let n = v.parse().unwrap_or(0);
        match k {
            "agree" => c.agree = n,
            "code" => c.code = n,
            "message" => c.message = n,
            _ => {}
        }
    }
    c
}

#[test]
fn refused_definitions_are_refused_with_aws_words() {
    let dir = corpus().join("invalid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    assert!(!files.is_empty(), "no cases under {}", dir.display());

    let mut counts = Counts::default();
    let mut report = Vec::new();
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let case: Value = std::fs::read_to_string(file)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        let Some(expected) = expected(&case) else {
            report.push(format!("UNREADABLE {name}"));
            continue;
        };
        // The machine type: ValidateStateMachineDefinition's `type`; for CreateStateMachine the
        // recording does not keep it, but the express test module creates EXPRESS machines.
        let express = case.pointer("/api_kwargs/type").and_then(Value::as_str) == Some("EXPRESS")
            || case
                .get("source")
                .and_then(Value::as_str)
                .is_some_and(|s| s.contains("test_sfn_api_express.py"));
        let options = Options { express };
        let (definition, diags) = match case.get("definition") {
            Some(Value::String(text)) => (
                serde_json::from_str(text).unwrap_or(Value::Null),
                validate_source(text, &options),
            ),
            Some(v) => (v.clone(), validate_with(v, &options)),
            None => (Value::Null, Vec::new()),
        };
        match expected {
            Expected::Refused { code, message } => {
                if code != INVALID_DEFINITION {
                    // Refused for a reason outside the definition: the definition itself is fine.
                    if diags.is_empty() {
                        counts.agree += 1;
                        counts.code += 1;
                        counts.message += 1;
                    } else {
                        report.push(format!("FALSE REJECT {name}: {:?}", diags.first()));
                    }
                    continue;
                }
                if diags.is_empty() {
                    report.push(format!("ACCEPTED {name}: AWS said {message}"));
                    continue;
                }
                counts.agree += 1;
                counts.code += 1;
                let ours = create_error_message(&definition, &diags).unwrap_or_default();
                if ours == message {
                    counts.message += 1;
                } else {
                    report.push(format!(
                        "MESSAGE {name}:\n   aws: {message}\n  ours: {ours}"
                    ));
                }
            }
            Expected::Diagnostics(aws) => {
                if aws.is_empty() != diags.is_empty() {
                    report.push(format!("VERDICT {name}: aws {aws:?} ours {diags:?}"));
                    continue;
                }
                counts.agree += 1;
                let ours: Vec<(String, String, Option<String>)> = diags
                    .iter()
                    .map(|d| (d.code.clone(), d.message.clone(), d.location()))
                    .collect();
                let aws_codes: Vec<&String> = aws.iter().map(|d| &d.0).collect();
                let our_codes: Vec<&String> = ours.iter().map(|d| &d.0).collect();
                if aws_codes == our_codes {
                    counts.code += 1;
                } else {
                    report.push(format!("CODE {name}: aws {aws_codes:?} ours {our_codes:?}"));
                    continue;
                }
                if aws == ours {
                    counts.message += 1;
                } else {
                    report.push(format!(
                        "MESSAGE {name}:\n   aws: {aws:?}\n  ours: {ours:?}"
                    ));
                }
            }
        }
    }
    let total = files.len();
    println!("{}", report.join("\n"));
    println!(
        "invalid corpus: {total} cases; accept/reject agree {}, code match {}, message match {}",
        counts.agree, counts.code, counts.message
    );
    let floor = parse_floor();
    assert!(
        counts.agree >= floor.agree && counts.code >= floor.code && counts.message >= floor.message,
        "below the floor {floor:?}: reached {counts:?}\n{}",
        report.join("\n")
    );
}
