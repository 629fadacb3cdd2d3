//! JSONPath as Step Functions evaluates it: Paths, Reference Paths, and writing a result into a document.
//! (Stub: filled in by the paths work.)

use serde_json::{Map, Value};

/// The roots a path can start from: `$` the input, `$$` the Context object, `$name` a variable.
#[derive(Clone, Copy)]
pub struct Roots<'a> {
    pub input: &'a Value,
    pub context: &'a Value,
    pub variables: Option<&'a Map<String, Value>>,
}

/// Why a path could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// The path is not valid JSONPath (the message says why).
    Invalid(String),
    /// A definite path names a node that does not exist.
    NotFound,
    /// A `$name` variable reference names no variable in scope.
    UnknownVariable(String),
}

/// Evaluates `path` (`$...`, `$$...` or `$name...`). A definite path yields the node itself; an
/// indefinite one (wildcards, slices, filters, unions, deep scan) yields an array of the matches,
/// `[]` when nothing matches.
pub fn select(path: &str, roots: Roots<'_>) -> Result<Value, PathError> {
    let _ = roots;
    Err(PathError::Invalid(format!(
        "JSONPath not implemented yet: {path}"
    )))
}

/// Whether `path` is a Reference Path (only `.name`, `['name']` and `[n]` steps after `$`).
pub fn is_reference_path(path: &str) -> bool {
    let _ = path;
    false
}

/// Writes `value` into `target` at the Reference Path `path` as ResultPath does (`$` replaces the
/// whole document; missing objects on the way are created).
pub fn set(path: &str, target: Value, value: Value) -> Result<Value, PathError> {
    let _ = (path, target, value);
    Err(PathError::Invalid("JSONPath not implemented yet".into()))
}
