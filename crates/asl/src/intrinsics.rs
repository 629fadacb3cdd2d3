//! The 18 `States.*` intrinsic functions: parsing a call and evaluating it with AWS's argument rules.

use crate::error::Failure;
use crate::hash;
use crate::jsonpath::{Path, Roots, java_to_string};
use crate::payload;
use crate::rng::Rng;
use serde_json::{Map, Number, Value};
use std::borrow::Cow;

/// How deeply intrinsic calls may nest (AWS allows 10 nested calls in a field).
pub const MAX_NESTING: usize = 10;
/// The longest string `States.Base64Encode`, `States.Base64Decode` and `States.Hash` accept.
pub const MAX_STRING_LENGTH: usize = 10_000;
/// The most items `States.ArrayRange` may produce.
pub const MAX_RANGE_ITEMS: usize = 1000;

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
    let call = Call::parse(expr).map_err(Failure::runtime)?;
    call.evaluate(field, roots, rng)
}

/// Checks an intrinsic call's syntax (function names, argument counts, literal types, nesting)
/// without evaluating it (for validation).
pub fn check(expr: &str) -> Result<(), String> {
    Call::parse(expr).map(|_| ())
}

/// The 18 functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    Base64Encode,
    Base64Decode,
    Hash,
    JsonMerge,
    MathRandom,
    MathAdd,
    StringSplit,
    Uuid,
}

impl Function {
    fn from_name(name: &str) -> Option<Function> {
        use Function::*;
        Some(match name {
            "Format" => Format,
            "StringToJson" => StringToJson,
            "JsonToString" => JsonToString,
            "Array" => Array,
            "ArrayPartition" => ArrayPartition,
            "ArrayContains" => ArrayContains,
            "ArrayRange" => ArrayRange,
            "ArrayGetItem" => ArrayGetItem,
            "ArrayLength" => ArrayLength,
            "ArrayUnique" => ArrayUnique,
            "Base64Encode" => Base64Encode,
            "Base64Decode" => Base64Decode,
            "Hash" => Hash,
            "JsonMerge" => JsonMerge,
            "MathRandom" => MathRandom,
            "MathAdd" => MathAdd,
            "StringSplit" => StringSplit,
            "UUID" => Uuid,
            _ => return None,
        })
    }

    /// The function's name as written (`States.Format`).
    pub fn name(self) -> &'static str {
        use Function::*;
        match self {
            Format => "States.Format",
            StringToJson => "States.StringToJson",
            JsonToString => "States.JsonToString",
            Array => "States.Array",
            ArrayPartition => "States.ArrayPartition",
            ArrayContains => "States.ArrayContains",
            ArrayRange => "States.ArrayRange",
            ArrayGetItem => "States.ArrayGetItem",
            ArrayLength => "States.ArrayLength",
            ArrayUnique => "States.ArrayUnique",
            Base64Encode => "States.Base64Encode",
            Base64Decode => "States.Base64Decode",
            Hash => "States.Hash",
            JsonMerge => "States.JsonMerge",
            MathRandom => "States.MathRandom",
            MathAdd => "States.MathAdd",
            StringSplit => "States.StringSplit",
            Uuid => "States.UUID",
        }
    }

    /// The allowed number of arguments (min, max).
    fn arity(self) -> (usize, usize) {
        use Function::*;
        match self {
            Format => (1, usize::MAX),
            Array => (0, usize::MAX),
            Uuid => (0, 0),
            StringToJson | JsonToString | ArrayLength | ArrayUnique | Base64Encode
            | Base64Decode => (1, 1),
            ArrayPartition | ArrayContains | ArrayGetItem | Hash | MathAdd | StringSplit => (2, 2),
            ArrayRange | JsonMerge => (3, 3),
            MathRandom => (2, 3),
        }
    }
}

/// One argument of a call.
#[derive(Debug, Clone)]
pub enum Arg {
    /// A literal: a string (escapes resolved), number, boolean or null.
    Literal(Value),
    /// A single-quoted string literal as written between the quotes (escapes kept), which
    /// `States.Format` needs to tell `\{` from `{`.
    Text { value: String, raw: String },
    /// `$.x`, `$$.x`, `$var`
    Path(Box<Path>),
    /// A nested call.
    Call(Box<Call>),
}

/// A parsed intrinsic call.
#[derive(Debug, Clone)]
pub struct Call {
    pub function: Function,
    pub args: Vec<Arg>,
}

impl Call {
    /// Parses `States.Name(arg, ...)`.
    pub fn parse(expr: &str) -> Result<Call, String> {
        let chars: Vec<char> = expr.chars().collect();
        let mut p = P { s: &chars, pos: 0 };
        p.ws();
        let call = p.call(1)?;
        p.ws();
        if p.pos < chars.len() {
            return Err(format!(
                "unexpected text after the intrinsic function call in '{expr}'"
            ));
        }
        Ok(call)
    }

    /// Evaluates the call. `field` is the payload key it stands in (e.g. `x.$`).
    pub fn evaluate(&self, field: &str, roots: Roots<'_>, rng: &mut Rng) -> Result<Value, Failure> {
        // Path arguments are borrowed, not cloned: `States.ArrayLength($.big)` copies nothing.
        let mut args: Vec<Cow<'_, Value>> = Vec::with_capacity(self.args.len());
        for a in &self.args {
            args.push(match a {
                Arg::Literal(v) => Cow::Borrowed(v),
                Arg::Text { value, .. } => Cow::Owned(Value::String(value.clone())),
                Arg::Path(p) => payload::select_field_ref(p, field, roots)?,
                Arg::Call(c) => Cow::Owned(c.evaluate(field, roots, rng)?),
            });
        }
        self.apply(args, rng).map_err(Failure::runtime)
    }

    fn apply(&self, args: Vec<Cow<'_, Value>>, rng: &mut Rng) -> Result<Value, String> {
        use Function::*;
        let f = self.function;
        let name = f.name();
        let arg = |i: usize| args.get(i).map_or(&Value::Null, |c| c.as_ref());
        match f {
            Format => {
                let template = match self.args.first() {
                    Some(Arg::Text { raw, .. }) => FormatTemplate::Raw(raw.as_str()),
                    _ => match arg(0) {
                        Value::String(s) => FormatTemplate::Plain(s.as_str()),
                        other => {
                            return Err(format!(
                                "The first argument of {name} must be a string, but was {}",
                                type_name(other)
                            ));
                        }
                    },
                };
                format_string(template, args.get(1..).unwrap_or_default())
            }
            StringToJson => {
                let s = string_arg(name, arg(0), "argument")?;
                if s.trim().is_empty() {
                    return Ok(Value::Null);
                }
                if s.trim() == "-0" {
                    // Jackson reads `-0` as the integer 0 (serde_json would make it -0.0).
                    return Ok(Value::from(0));
                }
                serde_json::from_str(s).map_err(|_| {
                    format!("The argument of {name} could not be parsed as JSON: '{s}'")
                })
            }
            JsonToString => Ok(Value::String(payload::compact(arg(0)))),
            Array => Ok(Value::Array(
                args.into_iter().map(Cow::into_owned).collect(),
            )),
            ArrayPartition => {
                let a = array_arg(name, arg(0))?;
                let size = int_arg(name, arg(1), "chunk size")?;
                if size <= 0 {
                    return Err(format!(
                        "The chunk size of {name} must be a positive integer, but was {size}"
                    ));
                }
                let size = usize::try_from(size).unwrap_or(usize::MAX);
                Ok(Value::Array(
                    a.chunks(size).map(|c| Value::Array(c.to_vec())).collect(),
                ))
            }
            ArrayContains => {
                let a = array_arg(name, arg(0))?;
                let v = arg(1);
                let found = match v {
                    // An integer: equal to the same integer, or to a float of its value.
                    Value::Number(n) if !n.is_f64() => a.iter().any(|x| match x {
                        Value::Number(m) => m == n || (m.is_f64() && m.as_f64() == n.as_f64()),
                        _ => false,
                    }),
                    _ => a.iter().any(|x| json_equal(x, v)),
                };
                Ok(Value::Bool(found))
            }
            ArrayRange => {
                let start = int_arg(name, arg(0), "start")?;
                let end = int_arg(name, arg(1), "end")?;
                let step = int_arg(name, arg(2), "step")?;
                if step == 0 {
                    return Err(format!("The step of {name} must not be 0"));
                }
                // Items start, start+step, ... up to end inclusive.
                let span = i128::from(end) - i128::from(start);
                let count = if (span >= 0) == (step > 0) || span == 0 {
                    span / i128::from(step) + 1
                } else {
                    0
                };
                if count > MAX_RANGE_ITEMS as i128 {
                    return Err(format!(
                        "{name} cannot produce more than {MAX_RANGE_ITEMS} items"
                    ));
                }
                // Every item lies between start and end, so i64 holds it and wrapping
                // arithmetic (no i128 multiplication) computes it exactly.
                let count = i64::try_from(count).unwrap_or(0);
                Ok(Value::Array(
                    (0..count)
                        .map(|k| Value::from(start.wrapping_add(k.wrapping_mul(step))))
                        .collect(),
                ))
            }
            ArrayGetItem => {
                let a = array_arg(name, arg(0))?;
                let idx = int_arg(name, arg(1), "index")?;
                usize::try_from(idx)
                    .ok()
                    .and_then(|i| a.get(i))
                    .cloned()
                    .ok_or_else(|| {
                        format!(
                            "The index {idx} of {name} is out of bounds for an array of length {}",
                            a.len()
                        )
                    })
            }
            ArrayLength => Ok(Value::from(array_arg(name, arg(0))?.len())),
            ArrayUnique => {
                let a = array_arg(name, arg(0))?;
                let mut out: Vec<Value> = Vec::with_capacity(a.len());
                for x in a {
                    if !out.iter().any(|y| json_equal(x, y)) {
                        out.push(x.clone());
                    }
                }
                Ok(Value::Array(out))
            }
            Base64Encode => {
                let s = limited_string(name, arg(0))?;
                Ok(Value::String(hash::base64_encode(s.as_bytes())))
            }
            Base64Decode => {
                let s = limited_string(name, arg(0))?;
                let bytes = hash::base64_decode(s)
                    .ok_or_else(|| format!("The argument of {name} is not valid Base64: '{s}'"))?;
                String::from_utf8(bytes)
                    .map(Value::String)
                    .map_err(|_| format!("The argument of {name} does not decode to UTF-8 text"))
            }
            Hash => {
                let data = match arg(0) {
                    Value::String(s) => s.clone(),
                    Value::Null => {
                        return Err(format!("The data argument of {name} must not be null"));
                    }
                    other => payload::compact(other),
                };
                if data.chars().count() > MAX_STRING_LENGTH {
                    return Err(format!(
                        "The data argument of {name} exceeds the maximum length of {MAX_STRING_LENGTH} characters"
                    ));
                }
                let alg = string_arg(name, arg(1), "algorithm")?;
                let b = data.as_bytes();
                let digest = match alg {
                    "MD5" => hash::hex(&hash::md5(b)),
                    "SHA-1" => hash::hex(&hash::sha1(b)),
                    "SHA-256" => hash::hex(&hash::sha256(b)),
                    "SHA-384" => hash::hex(&hash::sha384(b)),
                    "SHA-512" => hash::hex(&hash::sha512(b)),
                    other => {
                        return Err(format!(
                            "The algorithm '{other}' of {name} is not supported; use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512"
                        ));
                    }
                };
                Ok(Value::String(digest))
            }
            JsonMerge => {
                let (Value::Object(a), Value::Object(b)) = (arg(0), arg(1)) else {
                    return Err(format!(
                        "The first two arguments of {name} must be JSON objects"
                    ));
                };
                match arg(2) {
                    Value::Bool(false) => {}
                    Value::Bool(true) => {
                        return Err(format!(
                            "{name} does not support deep merge: its third argument must be false"
                        ));
                    }
                    other => {
                        return Err(format!(
                            "The third argument of {name} must be a boolean, but was {}",
                            type_name(other)
                        ));
                    }
                }
                let mut out: Map<String, Value> = a.clone();
                for (k, v) in b {
                    out.insert(k.clone(), v.clone());
                }
                Ok(Value::Object(out))
            }
            MathRandom => {
                let start = round_int(name, arg(0), "start")?;
                let end = round_int(name, arg(1), "end")?;
                if start >= end {
                    return Err(format!(
                        "The start of {name} must be less than its end, but was {start} and {end}"
                    ));
                }
                let span = u64::try_from(end as i128 - start as i128).unwrap_or(u64::MAX);
                let draw = match args.get(2).map(|c| c.as_ref()) {
                    Some(seed) => {
                        let seed = round_int(name, seed, "seed")?;
                        Rng::new(seed as u64).next_u64()
                    }
                    None => rng.next_u64(),
                };
                let offset = i64::try_from(draw % span).unwrap_or(0);
                Ok(Value::from(start.saturating_add(offset)))
            }
            MathAdd => {
                let a = round_int(name, arg(0), "first argument")?;
                let b = round_int(name, arg(1), "second argument")?;
                a.checked_add(b)
                    .map(Value::from)
                    .ok_or_else(|| format!("The sum of {name} overflows"))
            }
            StringSplit => {
                let s = string_arg(name, arg(0), "string")?;
                let delims = string_arg(name, arg(1), "delimiter")?;
                Ok(Value::Array(
                    s.split(|c: char| delims.contains(c))
                        .filter(|t| !t.is_empty())
                        .map(|t| Value::String(t.to_string()))
                        .collect(),
                ))
            }
            Uuid => Ok(Value::String(rng.uuid_v4())),
        }
    }
}

enum FormatTemplate<'a> {
    /// A literal as written, escapes still in it (`\{` is a literal brace).
    Raw(&'a str),
    /// A string from a path or a nested call: every `{}` is a placeholder.
    Plain(&'a str),
}

fn format_arg(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => java_to_string(other),
    }
}

fn format_string(template: FormatTemplate<'_>, args: &[Cow<'_, Value>]) -> Result<Value, String> {
    let (text, escapes) = match template {
        FormatTemplate::Raw(r) => (r, true),
        FormatTemplate::Plain(p) => (p, false),
    };
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut used = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' if escapes => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                let v = args.get(used).ok_or_else(|| {
                    format!(
                        "The number of arguments of States.Format ({}) does not match the number of placeholders in its template",
                        args.len()
                    )
                })?;
                out.push_str(&format_arg(v));
                used += 1;
            }
            other => out.push(other),
        }
    }
    if used != args.len() {
        return Err(format!(
            "The number of arguments of States.Format ({}) does not match the number of placeholders in its template ({used})",
            args.len()
        ));
    }
    Ok(Value::String(out))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn string_arg<'v>(name: &str, v: &'v Value, what: &str) -> Result<&'v str, String> {
    v.as_str().ok_or_else(|| {
        format!(
            "The {what} of {name} must be a string, but was {}",
            type_name(v)
        )
    })
}

fn limited_string<'v>(name: &str, v: &'v Value) -> Result<&'v str, String> {
    let s = string_arg(name, v, "argument")?;
    if s.chars().count() > MAX_STRING_LENGTH {
        return Err(format!(
            "The argument of {name} exceeds the maximum length of {MAX_STRING_LENGTH} characters"
        ));
    }
    Ok(s)
}

fn array_arg<'v>(name: &str, v: &'v Value) -> Result<&'v Vec<Value>, String> {
    v.as_array().ok_or_else(|| {
        format!(
            "The first argument of {name} must be an array, but was {}",
            type_name(v)
        )
    })
}

/// An integer argument: a JSON integer, or a number with no fractional part.
fn int_arg(name: &str, v: &Value, what: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "The {what} of {name} must be an integer, but was {}",
            payload::compact(v)
        )
    };
    match v {
        Value::Number(n) => n.as_i64().map_or_else(
            || {
                let f = n.as_f64().ok_or_else(bad)?;
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    Ok(f as i64)
                } else {
                    Err(bad())
                }
            },
            Ok,
        ),
        _ => Err(bad()),
    }
}

/// A number argument rounded as Java's `Math.round` does (half up: 2.5 → 3, -1.5 → -1), which
/// is what AWS's `States.MathAdd` and `States.MathRandom` do with fractions.
fn round_int(name: &str, v: &Value, what: &str) -> Result<i64, String> {
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) => Ok(i),
            None => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                let r = (f + 0.5).floor();
                if r.is_finite() && r.abs() < 9.0e15 {
                    Ok(r as i64)
                } else {
                    Err(format!("The {what} of {name} is out of range: {n}"))
                }
            }
        },
        other => Err(format!(
            "The {what} of {name} must be a number, but was {}",
            type_name(other)
        )),
    }
}

/// JSON equality with numbers compared by value (1 equals 1.0).
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        // Same representation compares directly; an integer equals a float of the same value.
        (Value::Number(x), Value::Number(y)) => {
            x == y || ((x.is_f64() || y.is_f64()) && x.as_f64() == y.as_f64())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, p)| y.get(k).is_some_and(|q| json_equal(p, q)))
        }
        _ => a == b,
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing

struct P<'s> {
    s: &'s [char],
    pos: usize,
}

impl P<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn text(&self) -> String {
        self.s.iter().collect()
    }

    fn call(&mut self, depth: usize) -> Result<Call, String> {
        if depth > MAX_NESTING {
            return Err(format!(
                "intrinsic functions may be nested at most {MAX_NESTING} deep in '{}'",
                self.text()
            ));
        }
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.')
        {
            self.pos += 1;
        }
        let full: String = self
            .s
            .get(start..self.pos)
            .unwrap_or_default()
            .iter()
            .collect();
        let Some(short) = full.strip_prefix("States.") else {
            return Err(format!("'{full}' is not an intrinsic function"));
        };
        let function = Function::from_name(short)
            .ok_or_else(|| format!("'{full}' is not a supported intrinsic function"))?;
        self.ws();
        if self.peek() != Some('(') {
            return Err(format!("expected '(' after {full}"));
        }
        self.pos += 1;
        let mut args = Vec::new();
        self.ws();
        if self.peek() == Some(')') {
            self.pos += 1;
        } else {
            loop {
                self.ws();
                args.push(self.arg(depth)?);
                self.ws();
                match self.peek() {
                    Some(',') => self.pos += 1,
                    Some(')') => {
                        self.pos += 1;
                        break;
                    }
                    _ => {
                        return Err(format!(
                            "expected ',' or ')' in the arguments of {full} in '{}'",
                            self.text()
                        ));
                    }
                }
            }
        }
        let (lo, hi) = function.arity();
        if args.len() < lo || args.len() > hi {
            let expected = if lo == hi {
                format!("{lo}")
            } else if hi == usize::MAX {
                format!("at least {lo}")
            } else {
                format!("{lo} to {hi}")
            };
            return Err(format!(
                "{full} takes {expected} argument(s), but {} were given",
                args.len()
            ));
        }
        // Argument types are checked when the call runs (AWS accepts `States.ArrayGetItem($.a, 'x')`
        // in a definition and fails the execution with States.Runtime).
        Ok(Call { function, args })
    }

    fn arg(&mut self, depth: usize) -> Result<Arg, String> {
        match self.peek() {
            Some('\'') => self.string(),
            Some('$') => {
                let start = self.pos;
                let mut brackets = 0usize;
                let mut parens = 0usize;
                let mut quote: Option<char> = None;
                while let Some(c) = self.peek() {
                    match (quote, c) {
                        (Some(_), '\\') => self.pos += 1,
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, '\'' | '"') if brackets > 0 => quote = Some(c),
                        (None, '[') => brackets += 1,
                        (None, ']') => brackets = brackets.saturating_sub(1),
                        (None, '(') => parens += 1,
                        (None, ')') if parens > 0 => parens -= 1,
                        (None, ',' | ')') if brackets == 0 && parens == 0 => break,
                        _ => {}
                    }
                    self.pos += 1;
                }
                let text: String = self
                    .s
                    .get(start..self.pos)
                    .unwrap_or_default()
                    .iter()
                    .collect();
                let text = text.trim_end();
                let path = Path::parse(text).map_err(|e| format!("invalid path argument: {e}"))?;
                Ok(Arg::Path(Box::new(path)))
            }
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let start = self.pos;
                self.pos += 1;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
                {
                    self.pos += 1;
                }
                let text: String = self
                    .s
                    .get(start..self.pos)
                    .unwrap_or_default()
                    .iter()
                    .collect();
                let n: Number =
                    serde_json::from_str(&text).map_err(|_| format!("invalid number '{text}'"))?;
                Ok(Arg::Literal(Value::Number(n)))
            }
            Some('S') => Ok(Arg::Call(Box::new(self.call(depth + 1)?))),
            _ => {
                for (word, v) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    let n = word.len();
                    let got: String = self
                        .s
                        .get(self.pos..self.pos + n)
                        .unwrap_or_default()
                        .iter()
                        .collect();
                    let after = self.s.get(self.pos + n).copied();
                    if got == word && after.is_none_or(|c| !c.is_alphanumeric()) {
                        self.pos += n;
                        return Ok(Arg::Literal(v));
                    }
                }
                Err(format!(
                    "unexpected '{}' in the arguments of '{}'",
                    self.peek().map(String::from).unwrap_or_default(),
                    self.text()
                ))
            }
        }
    }

    fn string(&mut self) -> Result<Arg, String> {
        self.pos += 1; // opening quote
        let mut value = String::new();
        let mut raw = String::new();
        loop {
            match self.peek() {
                None => return Err(format!("unterminated string in '{}'", self.text())),
                Some('\\') => {
                    let e = self
                        .s
                        .get(self.pos + 1)
                        .copied()
                        .ok_or_else(|| format!("unterminated escape in '{}'", self.text()))?;
                    raw.push('\\');
                    raw.push(e);
                    value.push(e);
                    self.pos += 2;
                }
                Some('\'') => {
                    self.pos += 1;
                    return Ok(Arg::Text { value, raw });
                }
                Some(c) => {
                    raw.push(c);
                    value.push(c);
                    self.pos += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval_with(expr: &str, input: Value) -> Result<Value, Failure> {
        let ctx = json!({"StateMachine": {"Id": "arn:sm", "Name": "my-machine-x"}});
        let mut vars = Map::new();
        vars.insert("v".into(), json!([1, 2]));
        let roots = Roots {
            input: &input,
            context: &ctx,
            variables: Some(&vars),
        };
        evaluate(expr, "r.$", roots, &mut Rng::new(3))
    }

    fn ev(expr: &str) -> Value {
        eval_with(expr, json!({"s": "a,b", "n": 2, "o": {"k": [1]}}))
            .unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    fn err(expr: &str) -> String {
        match eval_with(expr, json!({"s": "a,b"})) {
            Ok(v) => panic!("{expr} gave {v}"),
            Err(f) => {
                assert_eq!(f.error, "States.Runtime");
                f.cause.unwrap_or_default()
            }
        }
    }

    #[test]
    fn format_fills_placeholders_in_order() {
        assert_eq!(
            ev("States.Format('{} and {}', $.s, $.n)"),
            json!("a,b and 2")
        );
        assert_eq!(ev("States.Format('x={}', $.o)"), json!("x={k=[1]}"));
        assert_eq!(ev("States.Format('lit \\{\\} {}', 1)"), json!("lit {} 1"));
        assert_eq!(ev("States.Format('it\\'s {}', null)"), json!("it's null"));
        assert!(err("States.Format('{} {}', 1)").contains("placeholders"));
    }

    #[test]
    fn json_conversions() {
        assert_eq!(ev("States.JsonToString($.o)"), json!("{\"k\":[1]}"));
        assert_eq!(ev("States.StringToJson('{\"a\": 1}')"), json!({"a": 1}));
        assert_eq!(ev("States.StringToJson(' ')"), json!(null));
        assert_eq!(ev("States.StringToJson('-0')"), json!(0));
        assert_eq!(
            ev("States.JsonMerge($.o, States.StringToJson('{\"z\":0}'), false)"),
            json!({"k": [1], "z": 0})
        );
        assert!(err("States.JsonMerge($.s, $.s, true)").contains("JSON objects"));
    }

    #[test]
    fn arrays() {
        assert_eq!(
            ev("States.Array(1, 'a', true, null, $v)"),
            json!([1, "a", true, null, [1, 2]])
        );
        assert_eq!(
            ev("States.ArrayPartition(States.Array(1,2,3), 2)"),
            json!([[1, 2], [3]])
        );
        assert_eq!(ev("States.ArrayContains($v, 2)"), json!(true));
        assert_eq!(
            ev("States.ArrayContains(States.Array(1.0, 'x'), 1)"),
            json!(true)
        );
        assert_eq!(
            ev("States.ArrayContains(States.Array(1, 2.5), 2)"),
            json!(false)
        );
        assert_eq!(
            ev("States.ArrayContains(States.Array(1, 2.5), 2.5)"),
            json!(true)
        );
        assert_eq!(ev("States.ArrayRange(1, 9, 3)"), json!([1, 4, 7]));
        assert_eq!(ev("States.ArrayRange(5, 1, -2)"), json!([5, 3, 1]));
        assert_eq!(ev("States.ArrayRange(1, 5, -1)"), json!([]));
        assert_eq!(ev("States.ArrayRange(3, 3, 7)"), json!([3]));
        // Near the ends of the 64-bit range: the items are exact, the step past the end unused.
        assert_eq!(
            ev("States.ArrayRange(9223372036854775000, 9223372036854775807, 500)"),
            json!([9223372036854775000_i64, 9223372036854775500_i64])
        );
        assert_eq!(
            ev("States.ArrayRange(-9223372036854775000, -9223372036854775807, -600)"),
            json!([-9223372036854775000_i64, -9223372036854775600_i64])
        );
        assert_eq!(ev("States.ArrayRange(0, 10, 3)"), json!([0, 3, 6, 9]));
        assert_eq!(
            ev("States.ArrayRange(0, 999, 1)").as_array().map(Vec::len),
            Some(1000)
        );
        assert_eq!(ev("States.ArrayGetItem($v, 1)"), json!(2));
        assert_eq!(ev("States.ArrayLength($v)"), json!(2));
        assert_eq!(
            ev("States.ArrayUnique(States.Array(1, 1, 'a', 'a', 2))"),
            json!([1, "a", 2])
        );
        assert!(err("States.ArrayRange(0, 2000, 1)").contains("1000"));
        assert_eq!(
            ev("States.ArrayRange(-9000000000000000000, 9000000000000000000, 9000000000000000000)"),
            json!([-9000000000000000000i64, 0, 9000000000000000000i64])
        );
        assert!(err("States.ArrayGetItem(States.Array(1), 3)").contains("out of bounds"));
        assert!(check("States.ArrayPartition($.a, 1.5)").is_ok());
        assert!(err("States.ArrayPartition(States.Array(1), 1.5)").contains("integer"));
        assert!(check("States.ArrayRange(1, 2, 0)").is_ok());
        assert!(err("States.ArrayRange(1, 2, 0)").contains("0"));
    }

    #[test]
    fn encodings_and_hashes() {
        assert_eq!(
            ev("States.Base64Encode('Data to encode')"),
            json!("RGF0YSB0byBlbmNvZGU=")
        );
        assert_eq!(
            ev("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')"),
            json!("Data to encode")
        );
        assert_eq!(
            ev("States.Hash('input data', 'MD5')"),
            json!("812f45842bc6d66ee14572ce20db8e86")
        );
        assert!(err("States.Hash('x', 'SHA-3')").contains("SHA-3"));
    }

    #[test]
    fn math_rounds_half_up_like_java() {
        assert_eq!(ev("States.MathAdd(1.49, 1.5)"), json!(3));
        assert_eq!(ev("States.MathAdd(-1.5, 0)"), json!(-1));
        assert_eq!(ev("States.MathAdd(2.5, 0)"), json!(3));
        assert_eq!(ev("States.MathAdd($.n, -3)"), json!(-1));
        for _ in 0..20 {
            let r = ev("States.MathRandom(10, 13)");
            assert!(r.as_i64().is_some_and(|x| (10..13).contains(&x)), "{r}");
        }
        assert_eq!(
            ev("States.MathRandom(0, 1000, 7)"),
            ev("States.MathRandom(0, 1000, 7)")
        );
    }

    #[test]
    fn strings_and_uuids() {
        assert_eq!(
            ev("States.StringSplit('a.b+c', '.+')"),
            json!(["a", "b", "c"])
        );
        assert_eq!(ev("States.StringSplit(',,a,,', ',')"), json!(["a"]));
        let u = ev("States.UUID()");
        assert_eq!(u.as_str().map(str::len), Some(36));
    }

    #[test]
    fn nesting_and_context_paths() {
        assert_eq!(
            ev(
                "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))"
            ),
            json!("x")
        );
        let mut deep = String::from("1");
        for _ in 0..11 {
            deep = format!("States.Array({deep})");
        }
        assert!(check(&deep).is_err());
    }

    #[test]
    fn malformed_calls_are_rejected() {
        for bad in [
            "States.Nope()",
            "States.Format(",
            "States.Format('a)",
            "States.UUID(1)",
            "States.ArrayLength()",
            "States.Array(1 2)",
            "States.Array(foo)",
            "States.Array(1))",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn missing_path_arguments_fail_with_awss_cause() {
        assert!(err("States.Array($.missing)").starts_with(
            "The JSONPath '$.missing' specified for the field 'r.$' could not be found in the input"
        ));
    }
}
