//! A JSONata evaluator: parses and evaluates JSONata expressions over JSON values, bounded and deterministic.
//!
//! ```
//! let expr = jsonata::Expression::parse("$sum(items.price)").unwrap();
//! let input = serde_json::json!({"items": [{"price": 2}, {"price": 3}]});
//! let out = expr.evaluate(Some(&input), &serde_json::Map::new(), &jsonata::Env::default()).unwrap();
//! assert_eq!(out, Some(serde_json::json!(5)));
//! ```

mod ast;
mod datetime;
/// Civil-calendar arithmetic, shared with the engine's timestamps.
pub use datetime::{civil_from_days, days_from_civil};
mod error;
mod eval;
mod format;
mod functions;
mod num;
/// Decimal text to `f64` as `str::parse` does it, through serde_json's parser (one parser in the wasm).
pub use num::parse_f64;
mod parser;
mod regex;
mod signature;
mod value;

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

pub use error::Error;

use ast::Node;
use eval::{Ev, Frame};
use signature::Signature;
use value::{OUTER, SEQ, Value};

/// A caller-supplied function: receives its arguments (`None` = undefined) and returns a value or an error.
pub type NativeFn =
    dyn Fn(&[Option<serde_json::Value>]) -> Result<Option<serde_json::Value>, Error>;

/// A registered native function.
#[derive(Clone)]
pub struct Custom {
    pub(crate) func: Rc<NativeFn>,
    pub(crate) signature: Option<Signature>,
    pub(crate) arity: usize,
}

/// The evaluation environment: clock, randomness, limits and the function table.
/// Nothing is read from the machine: `$now()`/`$millis()` use `now_ms`, `$random()`/`$shuffle()` use `seed`.
#[derive(Clone)]
pub struct Env {
    /// Milliseconds since the Unix epoch returned by `$millis()` and formatted by `$now()`.
    pub now_ms: i64,
    /// Seed of the pseudo-random generator behind `$random()` and `$shuffle()`.
    pub seed: u64,
    /// Maximum nesting of evaluation (JSONata's evaluate depth); beyond it the error is `U1001`.
    /// Each level costs roughly 1-2 KB of native stack in an optimised build (default 400).
    pub max_depth: usize,
    /// Maximum number of evaluation steps; beyond it the error is `U1001` (evaluation timeout).
    pub max_steps: u64,
    pub(crate) customs: HashMap<String, Custom>,
    pub(crate) removed: HashSet<String>,
}

impl Default for Env {
    fn default() -> Self {
        Env {
            now_ms: 0,
            seed: 0x5EED,
            max_depth: 400,
            max_steps: 50_000_000,
            customs: HashMap::new(),
            removed: HashSet::new(),
        }
    }
}

impl Env {
    /// Registers (or replaces) a function `$name`. `signature` uses JSONata's syntax (e.g. `<n-n?:n>`) and
    /// validates/coerces arguments before the call; `arity` is what higher-order functions see.
    pub fn register(
        &mut self,
        name: &str,
        signature: Option<&str>,
        func: impl Fn(&[Option<serde_json::Value>]) -> Result<Option<serde_json::Value>, Error>
        + 'static,
    ) -> Result<(), Error> {
        let signature = match signature {
            Some(s) => Some(Signature::parse(s).map_err(|e| e.into_error())?),
            None => None,
        };
        let arity = signature.as_ref().map(|s| s.param_count()).unwrap_or(1);
        self.removed.remove(name);
        self.customs.insert(
            name.to_string(),
            Custom {
                func: Rc::new(func),
                signature,
                arity,
            },
        );
        Ok(())
    }

    /// Removes a built-in (or registered) function: `$name` becomes undefined.
    pub fn remove(&mut self, name: &str) {
        self.customs.remove(name);
        self.removed.insert(name.to_string());
    }

    /// The names of the built-in functions.
    pub fn builtin_names() -> Vec<&'static str> {
        functions::names().collect()
    }
}

impl Error {
    /// Builds an error with a code and message (for registered functions).
    pub fn new(code: &str, message: &str) -> Error {
        Error {
            code: code.to_string(),
            message: message.to_string(),
            position: 0,
            token: None,
            value: None,
        }
    }
}

/// A parsed JSONata expression, ready to evaluate many times.
pub struct Expression {
    ast: Node,
    labels: Vec<Rc<str>>,
}

impl std::fmt::Debug for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Expression")
    }
}

impl Expression {
    /// Parses an expression; syntax errors carry JSONata's `S0xxx` codes.
    pub fn parse(source: &str) -> Result<Expression, Error> {
        let (ast, labels) = parser::parse(source).map_err(|e| e.into_error())?;
        Ok(Expression { ast, labels })
    }

    /// Evaluates against `input` (`None`: no input, `$` is undefined) with variable `bindings`.
    /// Returns `None` when the expression yields nothing (JSONata's undefined).
    pub fn evaluate(
        &self,
        input: Option<&serde_json::Value>,
        bindings: &serde_json::Map<String, serde_json::Value>,
        env: &Env,
    ) -> Result<Option<serde_json::Value>, Error> {
        let root = Frame::new(None);
        for (k, v) in bindings {
            root.bind(&Rc::from(k.as_str()), value::from_json(v));
        }
        let raw = match input {
            Some(v) => value::from_json(v),
            None => Value::Undefined,
        };
        root.bind(&Rc::from("$"), raw.clone());
        let input = match raw {
            Value::Array(..) => Value::Array(Rc::new(vec![raw]), SEQ | OUTER),
            v => v,
        };
        let mut ev = Ev::new(env, &self.labels);
        ev.track(&root);
        let result = ev.evaluate(&self.ast, &input, &root);
        ev.release();
        let result = result.map_err(|e| e.into_error())?;
        let result = match result {
            Value::Tuples(t) => Value::seq(t.iter().map(|x| x.ctx.clone()).collect()),
            v => v,
        };
        if let Value::Number(n) = result
            && !n.is_finite()
        {
            return Err(error::err("D1001").val(Value::Number(n)).into_error());
        }
        Ok(value::to_json(&result))
    }
}

/// Parses and evaluates in one call with a default environment.
pub fn evaluate(
    source: &str,
    input: Option<&serde_json::Value>,
) -> Result<Option<serde_json::Value>, Error> {
    Expression::parse(source)?.evaluate(input, &serde_json::Map::new(), &Env::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recursive_closures_do_not_leak_their_scopes() {
        let expr = Expression::parse("($f := function($n){ $n = 0 ? 0 : $f($n - 1) }; $f(3))")
            .expect("parses");
        let env = Env::default();
        let root = Frame::new(None);
        let weak = Rc::downgrade(&root);
        let mut ev = Ev::new(&env, &expr.labels);
        ev.track(&root);
        let r = ev.evaluate(&expr.ast, &Value::Undefined, &root);
        assert!(matches!(r, Ok(Value::Number(n)) if n == 0.0));
        ev.release();
        drop(root);
        assert!(
            weak.upgrade().is_none(),
            "the root scope is still referenced by a closure cycle"
        );
    }
}
