//! Choice rules of JSONPath mode: the 42 comparison operators and And/Or/Not.
//! (Stub: filled in by the paths work.)

use crate::error::Failure;
use crate::jsonpath::Roots;
use serde_json::Value;

/// A parsed Choice rule (top-level rules also carry `Next`, which the definition keeps).
#[derive(Debug, Clone)]
pub struct Rule {
    raw: Value,
}

impl Rule {
    /// Parses a rule object; the error is a message for validation.
    pub fn parse(rule: &Value) -> Result<Rule, String> {
        Ok(Rule { raw: rule.clone() })
    }

    /// Evaluates the rule against the state's effective input.
    pub fn matches(&self, roots: Roots<'_>) -> Result<bool, Failure> {
        let _ = (roots, &self.raw);
        Err(Failure::runtime("Choice rules not implemented yet"))
    }
}
