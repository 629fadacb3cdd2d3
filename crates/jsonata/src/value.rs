//! The evaluator's value model: JSON values plus functions, sequences and tuple streams, and JS-exact number text.

use std::fmt::Write as _;
use std::rc::Rc;

use indexmap::IndexMap;

use crate::ast::LambdaDef;
use crate::eval::Frame;
use crate::regex::Regex;

/// An object: keys in insertion order, hashed with [`Fx`].
pub type Object = IndexMap<String, Value, std::hash::BuildHasherDefault<Fx>>;

/// The Fx hash (as in rustc): fast for short keys. Hash flooding is not a concern for an evaluator
/// whose inputs are the user's own documents, and the hash is deterministic.
#[derive(Default, Clone, Copy)]
pub struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }
    fn write_usize(&mut self, i: usize) {
        self.write(&(i as u64).to_le_bytes());
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Array flag: the array is a JSONata sequence (singletons unwrap).
pub const SEQ: u8 = 1;
/// Array flag: keep a singleton sequence as an array.
pub const KEEP: u8 = 2;
/// Array flag: the array was built by an array constructor.
pub const CONS: u8 = 4;
/// Array flag: the input array wrapped as a single-item sequence.
pub const OUTER: u8 = 8;

/// A user lambda (or a partially applied one) closed over its environment.
pub struct Closure {
    pub def: Rc<LambdaDef>,
    /// The parameters still to be supplied (all of them unless partially applied).
    pub params: Rc<Vec<Rc<str>>>,
    pub use_signature: bool,
    pub input: Value,
    pub env: Rc<Frame>,
}

/// A built-in (or caller-registered) function, possibly partially applied.
pub struct NativeRef {
    pub name: Rc<str>,
    /// Index in the built-in table (None for a caller-registered function).
    pub builtin: Option<usize>,
    /// Partial application: the fixed arguments, `None` where the caller supplies one.
    pub partial: Option<Vec<Option<Value>>>,
}

/// One tuple of a tuple stream: the context item and the bound focus/index/ancestor variables.
#[derive(Clone)]
pub struct Tuple {
    pub ctx: Value,
    pub binds: Vec<(Rc<str>, Value)>,
}

impl Tuple {
    pub fn set(&mut self, name: &Rc<str>, value: Value) {
        if let Some(slot) = self.binds.iter_mut().find(|(k, _)| k == name) {
            slot.1 = value;
        } else {
            self.binds.push((name.clone(), value));
        }
    }
}

/// A transform expression `| pattern | update, delete |` closed over its environment.
pub struct Transformer {
    pub node: Rc<crate::ast::Node>,
    pub env: Rc<Frame>,
}

#[derive(Clone, Default)]
pub enum Value {
    #[default]
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    String(Rc<String>),
    Array(Rc<Vec<Value>>, u8),
    Object(Rc<Object>),
    Lambda(Rc<Closure>),
    Native(Rc<NativeRef>),
    Regex(Rc<Regex>),
    Transform(Rc<Transformer>),
    /// Internal: a tuple stream flowing through a path with focus/index/parent bindings.
    Tuples(Rc<Vec<Tuple>>),
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::String(Rc::new(s.to_string()))
    }
    pub fn string(s: String) -> Value {
        Value::String(Rc::new(s))
    }
    pub fn seq(v: Vec<Value>) -> Value {
        Value::Array(Rc::new(v), SEQ)
    }
    pub fn arr(v: Vec<Value>) -> Value {
        Value::Array(Rc::new(v), 0)
    }
    pub fn obj(o: Object) -> Value {
        Value::Object(Rc::new(o))
    }
    pub fn is_undef(&self) -> bool {
        matches!(self, Value::Undefined)
    }
    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(..))
    }
    pub fn is_function(&self) -> bool {
        matches!(
            self,
            Value::Lambda(_) | Value::Native(_) | Value::Regex(_) | Value::Transform(_)
        )
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn members(&self) -> &[Value] {
        match self {
            Value::Array(a, _) => a,
            _ => &[],
        }
    }
    /// The array's items, or the value itself as one item (nothing for undefined).
    pub fn to_vec(&self) -> Vec<Value> {
        match self {
            Value::Array(a, _) => a.as_ref().clone(),
            Value::Undefined => Vec::new(),
            v => vec![v.clone()],
        }
    }
    /// JavaScript `typeof`-style symbol used by function signatures.
    pub fn sig_symbol(&self) -> char {
        match self {
            Value::Undefined => 'm',
            Value::Null => 'l',
            Value::Bool(_) => 'b',
            Value::Number(_) => 'n',
            Value::String(_) => 's',
            Value::Array(..) | Value::Tuples(_) => 'a',
            Value::Object(_) => 'o',
            _ => 'f',
        }
    }
}

/// JSONata's `isDeepEqual`.
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Undefined, Value::Undefined) | (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x, _), Value::Array(y, _)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Value::Lambda(x), Value::Lambda(y)) => Rc::ptr_eq(x, y),
        // a built-in is one shared object in jsonata-js, however often it is looked up
        (Value::Native(x), Value::Native(y)) => {
            Rc::ptr_eq(x, y) || (x.partial.is_none() && y.partial.is_none() && x.name == y.name)
        }
        (Value::Regex(x), Value::Regex(y)) => Rc::ptr_eq(x, y),
        (Value::Transform(x), Value::Transform(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

/// Converts a JSON value into an evaluator value.
pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Value::str(s),
        serde_json::Value::Array(a) => Value::arr(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            let mut m = Object::with_capacity_and_hasher(o.len(), Default::default());
            for (k, v) in o {
                m.insert(k.clone(), from_json(v));
            }
            Value::obj(m)
        }
    }
}

/// Converts an evaluator value into JSON (functions become `""` as in `JSON.stringify` with jsonata's replacer,
/// non-finite numbers become `null`); `None` for undefined.
pub fn to_json(v: &Value) -> Option<serde_json::Value> {
    Some(match v {
        Value::Undefined => return None,
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => num_to_json(*n),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::Array(a, _) => serde_json::Value::Array(
            a.iter()
                .map(|x| to_json(x).unwrap_or(serde_json::Value::Null))
                .collect(),
        ),
        Value::Object(o) => {
            let mut m = serde_json::Map::new();
            for (k, x) in o.iter() {
                if let Some(j) = to_json(x) {
                    m.insert(k.clone(), j);
                }
            }
            serde_json::Value::Object(m)
        }
        Value::Tuples(t) => serde_json::Value::Array(
            t.iter()
                .map(|x| to_json(&x.ctx).unwrap_or(serde_json::Value::Null))
                .collect(),
        ),
        _ => serde_json::Value::String(String::new()),
    })
}

fn num_to_json(n: f64) -> serde_json::Value {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        serde_json::Value::Number(serde_json::Number::from(n as i64))
    } else {
        serde_json::Number::from_f64(n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

/// JavaScript's `Number.prototype.toString()` for finite numbers.
pub fn js_number(n: f64) -> String {
    if n == 0.0 {
        return "0".into();
    }
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        // integers below 2^53 print in full: their shortest digits are all of theirs
        return format!("{}", n as i64);
    }
    let s = format!("{:e}", n);
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let k = digits.len() as i32;
    let nexp = exp + 1; // decimal point position
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if k <= nexp && nexp <= 21 {
        out.push_str(&digits);
        for _ in 0..(nexp - k) {
            out.push('0');
        }
    } else if 0 < nexp && nexp <= 21 {
        out.push_str(digits.get(..nexp as usize).unwrap_or(""));
        out.push('.');
        out.push_str(digits.get(nexp as usize..).unwrap_or(""));
    } else if -6 < nexp && nexp <= 0 {
        out.push_str("0.");
        for _ in 0..(-nexp) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        out.push_str(digits.get(..1).unwrap_or(""));
        if k > 1 {
            out.push('.');
            out.push_str(digits.get(1..).unwrap_or(""));
        }
        out.push('e');
        let e = nexp - 1;
        if e >= 0 {
            out.push('+');
        }
        let _ = write!(out, "{}", e);
    }
    out
}

/// `Number(x.toPrecision(15))` for non-integers, as jsonata's `$string` does.
pub fn round15(n: f64) -> f64 {
    if !n.is_finite() || n.fract() == 0.0 {
        return n;
    }
    crate::parse_f64(&format!("{:.14e}", n)).unwrap_or(n)
}

fn json_escape(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `JSON.stringify(v, jsonataReplacer, indent)`: numbers to 15 significant digits, functions as `""`.
pub fn stringify(v: &Value, pretty: bool) -> String {
    let mut out = String::new();
    write_json(&mut out, v, pretty, 0);
    out
}

fn newline(out: &mut String, pretty: bool, level: usize) {
    if pretty {
        out.push('\n');
        for _ in 0..level {
            out.push_str("  ");
        }
    }
}

fn write_json(out: &mut String, v: &Value, pretty: bool, level: usize) {
    match v {
        Value::Undefined | Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_finite() {
                out.push_str(&js_number(round15(*n)))
            } else {
                out.push_str("null")
            }
        }
        Value::String(s) => json_escape(out, s),
        Value::Array(a, _) => {
            if a.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, pretty, level + 1);
                write_json(out, x, pretty, level + 1);
            }
            newline(out, pretty, level);
            out.push(']');
        }
        Value::Tuples(t) => {
            let items: Vec<Value> = t.iter().map(|x| x.ctx.clone()).collect();
            write_json(out, &Value::arr(items), pretty, level)
        }
        Value::Object(o) => {
            let mut first = true;
            out.push('{');
            for (k, x) in o.iter() {
                if x.is_undef() {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                newline(out, pretty, level + 1);
                json_escape(out, k);
                out.push(':');
                if pretty {
                    out.push(' ');
                }
                write_json(out, x, pretty, level + 1);
            }
            if !first {
                newline(out, pretty, level);
            }
            out.push('}');
        }
        _ => out.push_str("\"\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_javascript() {
        assert_eq!(js_number(1e21), "1e+21");
        assert_eq!(js_number(1e20), "100000000000000000000");
        assert_eq!(js_number(1e-7), "1e-7");
        assert_eq!(js_number(0.000001), "0.000001");
        assert_eq!(js_number(-1.5), "-1.5");
        assert_eq!(js_number(123.456), "123.456");
        assert_eq!(js_number(9.33262154439441e155), "9.33262154439441e+155");
        assert_eq!(js_number(round15(0.1 + 0.2)), "0.3");
        // above 2^53, the shortest digits padded with zeros up to 1e21, as JavaScript prints them
        assert_eq!(js_number(2f64.powi(53)), "9007199254740992");
        assert_eq!(js_number(2f64.powi(60)), "1152921504606847000");
        assert_eq!(js_number(-2f64.powi(66)), "-73786976294838210000");
        assert_eq!(js_number(2f64.powi(70)), "1.1805916207174113e+21");
    }
}

#[cfg(test)]
mod size_tests {
    #[test]
    fn values_stay_small() {
        assert_eq!(std::mem::size_of::<super::Value>(), 16);
    }
}
