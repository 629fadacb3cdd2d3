//! JSONata mode of a state: `{% … %}` templates, the `$states` binding, Step Functions' extra functions and AWS's causes.

use crate::rng::Rng;
use serde_json::{Map, Value, json};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// A JSONata evaluation that failed, with AWS's cause and the field it happened in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryFault {
    pub cause: String,
    /// The field (`Arguments/FunctionName`), absent for errors not tied to one expression.
    pub location: Option<String>,
}

impl QueryFault {
    pub fn plain(cause: impl Into<String>) -> QueryFault {
        QueryFault {
            cause: cause.into(),
            location: None,
        }
    }
}

/// The expression inside `{% … %}`, when the string is one.
pub fn expression(s: &str) -> Option<&str> {
    s.strip_prefix("{%")?.strip_suffix("%}").map(str::trim)
}

/// The evaluation environment of Step Functions: its six extra functions and no `$eval`.
pub fn step_functions_env(now_ms: i64, seed: u64) -> jsonata::Env {
    Jenv::new(now_ms, seed).env
}

/// At most this many parsed expressions are kept by one [`Jenv`] (a definition's expressions are
/// far fewer; the bound only keeps a pathological caller from growing it without end).
const MAX_PARSED: usize = 4096;

/// The Step Functions environment built once and reused by an execution: each evaluation sets its
/// clock and seed ([`Jenv::reset`]), and each expression is parsed once ([`Jenv::parse`]).
/// Evaluating through it gives exactly what a fresh [`step_functions_env`] with the same clock and
/// seed gives.
pub struct Jenv {
    env: jsonata::Env,
    /// The generator behind `$random()` and `$uuid()`, reseeded at every reset.
    rng: Rc<RefCell<Rng>>,
    parsed: RefCell<HashMap<String, Rc<jsonata::Expression>>>,
}

impl Jenv {
    pub fn new(now_ms: i64, seed: u64) -> Jenv {
        let mut env = jsonata::Env::default();
        env.now_ms = now_ms;
        env.seed = seed;
        let rng = Rc::new(RefCell::new(Rng::new(seed)));
        // Registration only fails on a malformed signature, which these are not.
        let _ = register_dialect(&mut env, &rng);
        Jenv {
            env,
            rng,
            parsed: RefCell::new(HashMap::new()),
        }
    }

    /// Sets the clock and the seed of the next evaluations.
    pub fn reset(&mut self, now_ms: i64, seed: u64) {
        self.env.now_ms = now_ms;
        self.env.seed = seed;
        if let Ok(mut r) = self.rng.try_borrow_mut() {
            *r = Rng::new(seed);
        }
    }

    /// The JSONata environment.
    pub fn env(&self) -> &jsonata::Env {
        &self.env
    }

    /// `expr` parsed, from the cache when it was parsed before.
    pub fn parse(&self, expr: &str) -> Result<Rc<jsonata::Expression>, jsonata::Error> {
        if let Some(e) = self
            .parsed
            .try_borrow()
            .ok()
            .and_then(|m| m.get(expr).cloned())
        {
            return Ok(e);
        }
        let e = Rc::new(jsonata::Expression::parse(expr)?);
        if let Ok(mut m) = self.parsed.try_borrow_mut()
            && m.len() < MAX_PARSED
        {
            m.insert(expr.to_string(), Rc::clone(&e));
        }
        Ok(e)
    }
}

fn arg_f64(args: &[Option<Value>], i: usize) -> Option<f64> {
    args.get(i).cloned().flatten().and_then(|v| v.as_f64())
}

fn register_dialect(env: &mut jsonata::Env, rng: &Rc<RefCell<Rng>>) -> Result<(), jsonata::Error> {
    use jsonata::Error;
    env.remove("eval");
    env.register("partition", Some("<an:a>"), |args| {
        let items = args
            .first()
            .cloned()
            .flatten()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        let size = arg_f64(args, 1).unwrap_or(0.0);
        if size.is_nan() || size < 1.0 || size.fract() != 0.0 {
            return Err(Error::new(
                "D3137",
                "The size of a partition must be a positive integer",
            ));
        }
        let chunks: Vec<Value> = items
            .chunks(size as usize)
            .map(|c| Value::Array(c.to_vec()))
            .collect();
        Ok(Some(Value::Array(chunks)))
    })?;
    env.register("range", Some("<nnn:a>"), |args| {
        let (Some(start), Some(stop), Some(step)) =
            (arg_f64(args, 0), arg_f64(args, 1), arg_f64(args, 2))
        else {
            return Ok(None);
        };
        let mut out = Vec::new();
        if step != 0.0 {
            let mut x = start;
            while (step > 0.0 && x <= stop) || (step < 0.0 && x >= stop) {
                if out.len() >= 1000 {
                    return Err(Error::new("D3137", "$range produces more than 1000 items"));
                }
                out.push(json!(x));
                x += step;
            }
        }
        // A JSONata sequence of one item is that item.
        if out.len() == 1 {
            return Ok(out.pop());
        }
        Ok(Some(Value::Array(out)))
    })?;
    env.register("hash", Some("<ss:s>"), |args| {
        let data = args.first().cloned().flatten();
        let alg = args.get(1).cloned().flatten();
        let (Some(Value::String(data)), Some(Value::String(alg))) = (data, alg) else {
            return Ok(None);
        };
        let bytes = data.as_bytes();
        let hex = match alg.as_str() {
            "MD5" => crate::hash::hex(&crate::hash::md5(bytes)),
            "SHA-1" => crate::hash::hex(&crate::hash::sha1(bytes)),
            "SHA-256" => crate::hash::hex(&crate::hash::sha256(bytes)),
            "SHA-384" => crate::hash::hex(&crate::hash::sha384(bytes)),
            "SHA-512" => crate::hash::hex(&crate::hash::sha512(bytes)),
            other => {
                return Err(Error::new(
                    "D3137",
                    &format!(
                        "Unsupported hash algorithm '{other}': use MD5, SHA-1, SHA-256, SHA-384 or SHA-512"
                    ),
                ));
            }
        };
        Ok(Some(Value::String(hex)))
    })?;
    let r = Rc::clone(rng);
    let rng = Rc::clone(rng);
    env.register("random", Some("<n?:n>"), move |args| {
        let v = match arg_f64(args, 0) {
            Some(s) => Rng::new(s.to_bits()).next_f64(),
            None => r.borrow_mut().next_f64(),
        };
        Ok(Some(json!(v)))
    })?;
    env.register("uuid", Some("<:s>"), move |_| {
        Ok(Some(Value::String(rng.borrow_mut().uuid_v4())))
    })?;
    env.register("parse", Some("<s-:x>"), |args| {
        let Some(Value::String(s)) = args.first().cloned().flatten() else {
            return Ok(None);
        };
        serde_json::from_str(&s)
            .map(Some)
            .map_err(|e| Error::new("D3137", &format!("$parse: the string is not JSON: {e}")))
    })?;
    Ok(())
}

/// Evaluates one expression for `field`; undefined is an error, as in Step Functions.
pub fn eval_expr(
    expr: &str,
    field: &str,
    bindings: &Map<String, Value>,
    env: &Jenv,
) -> Result<Value, QueryFault> {
    let fault = |what: String| QueryFault {
        cause: format!("The JSONata expression '{expr}' specified for the field '{field}' {what}"),
        location: Some(field.to_string()),
    };
    let parsed = env
        .parse(expr)
        .map_err(|e| fault(format!("threw an error during evaluation: {}", e.message)))?;
    match parsed.evaluate(None, bindings, env.env()) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(fault("returned nothing (undefined).".into())),
        Err(e) => Err(fault(format!(
            "threw an error during evaluation: {}",
            e.message
        ))),
    }
}

/// Resolves a template: every `{% … %}` string (at any depth) is evaluated, everything else copied.
/// `field` names the template for causes (`Arguments`, `Output/result`).
pub fn eval_template(
    template: &Value,
    field: &str,
    bindings: &Map<String, Value>,
    env: &Jenv,
    depth: usize,
) -> Result<Value, QueryFault> {
    if depth > 64 {
        return Err(QueryFault {
            cause: format!("The template for the field '{field}' nests too deeply."),
            location: Some(field.to_string()),
        });
    }
    match template {
        Value::String(s) => match expression(s) {
            Some(e) => eval_expr(e, field, bindings, env),
            None => Ok(template.clone()),
        },
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let sub = format!("{field}/{k}");
                out.insert(k.clone(), eval_template(v, &sub, bindings, env, depth + 1)?);
            }
            Ok(Value::Object(out))
        }
        Value::Array(a) => {
            let mut out = Vec::with_capacity(a.len());
            for (i, v) in a.iter().enumerate() {
                let sub = format!("{field}/{i}");
                out.push(eval_template(v, &sub, bindings, env, depth + 1)?);
            }
            Ok(Value::Array(out))
        }
        other => Ok(other.clone()),
    }
}

/// JSONata's name for a value's type, as AWS writes it in causes.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_evaluate_expressions_at_any_depth() {
        let env = Jenv::new(0, 1);
        let mut b = Map::new();
        b.insert("states".into(), json!({"input": {"a": 2}}));
        let t = json!({"x": "{% $states.input.a * 3 %}", "l": ["lit", "{% 'q' %}"]});
        assert_eq!(
            eval_template(&t, "Output", &b, &env, 0),
            Ok(json!({"x": 6, "l": ["lit", "q"]}))
        );
    }

    #[test]
    fn a_reused_environment_evaluates_as_a_fresh_one_with_the_same_clock_and_seed() {
        let expr = "[$random(), $uuid(), $shuffle([1,2,3,4,5,6,7,8]), $millis()]";
        let mut reused = Jenv::new(0, 1);
        let _ = eval_expr(expr, "Output", &Map::new(), &reused); // moves its generator on
        for (now, seed) in [(5, 9), (1_000, 42)] {
            reused.reset(now, seed);
            let fresh = Jenv::new(now, seed);
            assert_eq!(
                eval_expr(expr, "Output", &Map::new(), &reused),
                eval_expr(expr, "Output", &Map::new(), &fresh)
            );
        }
    }

    #[test]
    fn an_expression_is_parsed_once() {
        let env = Jenv::new(0, 1);
        let (a, b) = (env.parse("1 + 2"), env.parse("1 + 2"));
        assert!(matches!((a, b), (Ok(a), Ok(b)) if Rc::ptr_eq(&a, &b)));
        assert!(env.parse("1 +").is_err());
    }

    #[test]
    fn undefined_is_an_error_naming_the_field() {
        let env = Jenv::new(0, 1);
        let t = json!({"FunctionName": "{% $doesNotExist %}"});
        let e = eval_template(&t, "Arguments", &Map::new(), &env, 0).err();
        assert_eq!(
            e.map(|e| e.cause),
            Some(
                "The JSONata expression '$doesNotExist' specified for the field \
                 'Arguments/FunctionName' returned nothing (undefined)."
                    .to_string()
            )
        );
    }
}
