//! The 18 `States.*` intrinsic functions: parsing a call and evaluating it with AWS's argument rules.
//! (Stub: filled in by the paths work.)

use crate::error::Failure;
use crate::jsonpath::Roots;
use crate::rng::Rng;
use serde_json::Value;

/// Whether a `.$` value is an intrinsic call (`States.Name(...)`) rather than a path.
pub fn is_intrinsic(expr: &str) -> bool {
    expr.trim_start().starts_with("States.")
}

/// Evaluates one intrinsic call. `field` names the field it stands in (for AWS's causes).
pub fn evaluate(
    expr: &str,
    field: &str,
    roots: Roots<'_>,
    rng: &mut Rng,
) -> Result<Value, Failure> {
    let _ = (roots, rng);
    Err(Failure::runtime(format!(
        "intrinsic functions not implemented yet: {field}: {expr}"
    )))
}

/// Checks an intrinsic call's syntax without evaluating it (for validation).
pub fn check(expr: &str) -> Result<(), String> {
    let _ = expr;
    Ok(())
}
