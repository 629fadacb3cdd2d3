//! The workspace file: one JSON object, versioned, that the page exports and imports and `sfn run` reads.
//!
//! ```json
//! {"format": "sfn-playground-workspace", "version": 1, "name": "Order process",
//!  "definition": "<ASL text>", "functions": [{"name": "CheckInventory", "code": "<JavaScript>"}],
//!  "input": "<JSON text>", "mocks": "<MockConfigFile text>", "testCase": "",
//!  "seed": 1, "timeoutMs": 3000}
//! ```
//! Texts stay texts so that what the user typed (spacing, key order) comes back exactly. Only `format`,
//! `version` and `definition` are required; the other fields take the defaults of a new workspace.

use crate::{DEFAULT_SEED, DEFAULT_TIMEOUT_MS, Function, Workspace};
use serde_json::{Map, Value, json};
use std::fmt;

/// The value of the file's `format` field.
pub const FORMAT: &str = "sfn-playground-workspace";
/// The newest file version this crate writes and reads.
pub const VERSION: u64 = 1;

/// Why a workspace file was refused, and where (a JSON Pointer into the file).
#[derive(Debug, Clone, PartialEq)]
pub struct FileError {
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "at {}: {}", self.pointer, self.message)
        }
    }
}

impl std::error::Error for FileError {}

fn err(pointer: impl Into<String>, message: impl Into<String>) -> FileError {
    FileError {
        pointer: pointer.into(),
        message: message.into(),
    }
}

impl Workspace {
    /// The workspace as the file's JSON value.
    pub fn to_json(&self) -> Value {
        let functions: Vec<Value> = self
            .functions
            .iter()
            .map(|f| json!({"name": f.name, "code": f.code}))
            .collect();
        json!({
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "definition": self.definition,
            "functions": functions,
            "input": self.input,
            "mocks": self.mocks,
            "testCase": self.test_case,
            "seed": self.seed,
            "timeoutMs": self.timeout_ms,
        })
    }

    /// The file's text: pretty JSON, ending in a newline.
    pub fn to_file_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.to_json()).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a workspace file's text.
    pub fn from_file_text(text: &str) -> Result<Workspace, FileError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            err(
                "",
                format!("not JSON (line {}, column {}): {e}", e.line(), e.column()),
            )
        })?;
        Workspace::from_json(&value)
    }

    /// Reads a workspace file's JSON value.
    pub fn from_json(value: &Value) -> Result<Workspace, FileError> {
        let obj = value
            .as_object()
            .ok_or_else(|| err("", "a workspace file is a JSON object"))?;
        match obj.get("format") {
            Some(Value::String(f)) if f == FORMAT => {}
            _ => return Err(err("/format", format!("expected \"{FORMAT}\""))),
        }
        match obj.get("version").and_then(Value::as_u64) {
            Some(v) if (1..=VERSION).contains(&v) => {}
            Some(v) => {
                return Err(err(
                    "/version",
                    format!("version {v} is newer than this playground reads ({VERSION})"),
                ));
            }
            None => return Err(err("/version", "expected a positive whole number")),
        }
        let definition = text_field(obj, "definition")?
            .ok_or_else(|| err("/definition", "missing: the ASL definition as text"))?;
        let functions = match obj.get("functions") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, f)| function(i, f))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(err("/functions", "expected an array")),
        };
        for (i, f) in functions.iter().enumerate() {
            if functions[..i].iter().any(|g: &Function| g.name == f.name) {
                return Err(err(
                    format!("/functions/{i}/name"),
                    format!("a second function named \"{}\"", f.name),
                ));
            }
        }
        Ok(Workspace {
            name: text_field(obj, "name")?.unwrap_or_default(),
            definition,
            functions,
            input: text_field(obj, "input")?.unwrap_or_else(|| "{}".into()),
            mocks: text_field(obj, "mocks")?.unwrap_or_default(),
            test_case: text_field(obj, "testCase")?.unwrap_or_default(),
            seed: match obj.get("seed") {
                None | Some(Value::Null) => DEFAULT_SEED,
                Some(v) => v
                    .as_u64()
                    .ok_or_else(|| err("/seed", "expected a whole number ≥ 0"))?,
            },
            timeout_ms: match obj.get("timeoutMs") {
                None | Some(Value::Null) => DEFAULT_TIMEOUT_MS,
                Some(v) => v
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        err("/timeoutMs", "expected milliseconds, a whole number > 0")
                    })?,
            },
        })
    }
}

fn text_field(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, FileError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(err(format!("/{key}"), "expected a string")),
    }
}

fn function(i: usize, f: &Value) -> Result<Function, FileError> {
    let at = |k: &str| format!("/functions/{i}/{k}");
    let name = f
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| err(at("name"), "expected the function's name"))?;
    let code = f
        .get("code")
        .and_then(Value::as_str)
        .ok_or_else(|| err(at("code"), "expected the module's JavaScript as a string"))?;
    Ok(Function {
        name: name.into(),
        code: code.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workspace_survives_its_file() {
        let ws = Workspace {
            mocks: "{\"StateMachines\": {}}".into(),
            test_case: "HappyPath".into(),
            seed: 42,
            ..Workspace::default()
        };
        let back = Workspace::from_file_text(&ws.to_file_text());
        assert_eq!(back, Ok(ws));
    }

    #[test]
    fn only_format_version_and_definition_are_required() {
        let ws = Workspace::from_file_text(
            r#"{"format": "sfn-playground-workspace", "version": 1, "definition": "{}"}"#,
        );
        let ws = ws.map(|w| (w.functions.len(), w.input, w.seed, w.timeout_ms));
        assert_eq!(ws, Ok((0, "{}".into(), DEFAULT_SEED, DEFAULT_TIMEOUT_MS)));
    }

    #[test]
    fn errors_point_at_the_field() {
        let pointer = |text: &str| Workspace::from_file_text(text).map_err(|e| e.pointer);
        assert_eq!(pointer("[]"), Err(String::new()));
        assert_eq!(pointer(r#"{"version": 1}"#), Err("/format".into()));
        let v2 = r#"{"format": "sfn-playground-workspace", "version": 2, "definition": ""}"#;
        assert_eq!(pointer(v2), Err("/version".into()));
        let bad_fn = r#"{"format": "sfn-playground-workspace", "version": 1, "definition": "",
            "functions": [{"name": "A", "code": ""}, {"name": "B", "code": 3}]}"#;
        assert_eq!(pointer(bad_fn), Err("/functions/1/code".into()));
        let twice = r#"{"format": "sfn-playground-workspace", "version": 1, "definition": "",
            "functions": [{"name": "A", "code": ""}, {"name": "A", "code": ""}]}"#;
        assert_eq!(pointer(twice), Err("/functions/1/name".into()));
        let seed =
            r#"{"format": "sfn-playground-workspace", "version": 1, "definition": "", "seed": -1}"#;
        assert_eq!(pointer(seed), Err("/seed".into()));
    }
}
