//! Validation of definitions as AWS's CreateStateMachine does it: diagnostics with a JSON Pointer and AWS's words.
//! (Stub: filled in by the validation work.)

use serde_json::Value;

/// One problem in a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// AWS's code, e.g. `SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`, `INVALID_JSON_DESCRIPTION`.
    pub code: String,
    pub message: String,
    /// JSON Pointer into the definition (`/States/Foo/Next`).
    pub pointer: String,
    /// 1-based line and column in the source text, when the source text is known.
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl Diagnostic {
    pub fn json_syntax(e: &serde_json::Error) -> Diagnostic {
        Diagnostic {
            code: "INVALID_JSON_DESCRIPTION".into(),
            message: e.to_string(),
            pointer: String::new(),
            line: u32::try_from(e.line()).ok(),
            column: u32::try_from(e.column()).ok(),
        }
    }
}

/// Checks a definition; an empty list means AWS would accept it.
pub fn validate(definition: &Value) -> Vec<Diagnostic> {
    let _ = definition;
    Vec::new()
}
