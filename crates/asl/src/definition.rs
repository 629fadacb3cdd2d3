//! The state machine definition as a typed model, built from validated ASL JSON.
//! (Stub: filled in by the engine work.)

use crate::validate::Diagnostic;
use serde_json::Value;

/// A parsed, validated state machine.
#[derive(Debug, Clone)]
pub struct StateMachine {
    pub raw: Value,
}

impl StateMachine {
    /// Parses and validates ASL source text; diagnostics carry a JSON Pointer and line:column.
    pub fn parse(source: &str) -> Result<StateMachine, Vec<Diagnostic>> {
        let raw: Value =
            serde_json::from_str(source).map_err(|e| vec![Diagnostic::json_syntax(&e)])?;
        Self::from_value(raw)
    }

    /// Builds from an already parsed definition.
    pub fn from_value(raw: Value) -> Result<StateMachine, Vec<Diagnostic>> {
        Ok(StateMachine { raw })
    }
}
