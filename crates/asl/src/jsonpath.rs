//! JSONPath as Step Functions evaluates it (Jayway semantics): Paths, Reference Paths, and writing a result into a document.

use serde_json::{Map, Number, Value};
use std::borrow::Cow;

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
    /// A definite path names a node that does not exist (for [`set`]: the path cannot be applied
    /// to the target, e.g. a step on the way is not an object).
    NotFound,
    /// A `$name` variable reference names no variable in scope.
    UnknownVariable(String),
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathError::Invalid(m) => write!(f, "invalid JSONPath: {m}"),
            PathError::NotFound => f.write_str("path not found"),
            PathError::UnknownVariable(v) => write!(f, "unknown variable '${v}'"),
        }
    }
}

/// How deeply filter expressions may nest (`[?((((...))))]`), so parsing stays bounded.
const MAX_FILTER_DEPTH: usize = 32;
/// How deeply a deep scan (`..`) descends into a document.
const MAX_SCAN_DEPTH: usize = 1000;
/// How deeply the filter regex matcher may recurse (about one level per character).
const MAX_REGEX_DEPTH: usize = 2000;

/// Where a path starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Root {
    /// `$`: the state's input (or whatever document the field evaluates against).
    Input,
    /// `$$`: the Context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(String),
    /// `@`: the current node inside a filter expression.
    Current,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// `.name` or `['name']`
    Name(String),
    /// `['a','b']`: several names (a merged object when it is the last step, as Jayway does).
    Names(Vec<String>),
    /// `[n]` (negative counts from the end)
    Index(i64),
    /// `[0,2]`
    Indices(Vec<i64>),
    /// `[start:end:step]`
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// `.*` or `[*]`
    Wildcard,
    /// `[?(...)]`
    Filter(Box<Expr>),
    /// `..step`
    Scan(Box<Step>),
}

impl Step {
    fn is_definite(&self, last: bool) -> bool {
        match self {
            Step::Name(_) | Step::Index(_) => true,
            Step::Names(_) => last,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Func {
    Length,
    Min,
    Max,
    Avg,
    Sum,
    Keys,
    First,
    Last,
}

impl Func {
    fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "length" | "size" => Func::Length,
            "min" => Func::Min,
            "max" => Func::Max,
            "avg" => Func::Avg,
            "sum" => Func::Sum,
            "keys" => Func::Keys,
            "first" => Func::First,
            "last" => Func::Last,
            _ => return None,
        })
    }
}

/// A parsed JSONPath: parse it once (e.g. when the definition is loaded) and select many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    text: String,
    root: Root,
    steps: Vec<Step>,
    func: Option<Func>,
    /// [`Path::is_definite`], known once parsed.
    definite: bool,
    /// Only `.name` and `[n]` steps and no function: selected by [`Path::walk`].
    plain: bool,
}

impl Path {
    /// Parses `$…`, `$$…` or `$name…`.
    pub fn parse(text: &str) -> Result<Path, PathError> {
        let chars: Vec<char> = text.chars().collect();
        let mut p = Parser {
            s: &chars,
            pos: 0,
            in_filter: false,
            depth: 0,
        };
        let path = p.path()?;
        p.skip_ws();
        if p.pos < chars.len() {
            return Err(PathError::Invalid(format!(
                "unexpected '{}' at position {} in '{text}'",
                chars.get(p.pos).copied().unwrap_or(' '),
                p.pos
            )));
        }
        if path.root == Root::Current {
            return Err(PathError::Invalid(format!(
                "'{text}' must start with '$' ('@' is only allowed inside a filter)"
            )));
        }
        Ok(Path {
            text: text.to_string(),
            ..path
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Where the path starts.
    pub fn root(&self) -> &Root {
        &self.root
    }

    /// A definite path names at most one node (only `.name`, `['name']`, `[n]` steps); an
    /// indefinite one yields an array of matches.
    pub fn is_definite(&self) -> bool {
        self.definite
    }

    fn steps_definite(steps: &[Step]) -> bool {
        let n = steps.len();
        steps
            .iter()
            .enumerate()
            .all(|(i, s)| s.is_definite(i + 1 == n))
    }

    /// A Reference Path: `$` followed only by `.name`, `['name']` and `[n]` steps.
    pub fn is_reference(&self) -> bool {
        self.root == Root::Input
            && self.func.is_none()
            && self
                .steps
                .iter()
                .all(|s| matches!(s, Step::Name(_) | Step::Index(_)))
    }

    /// Selects from the roots: a definite path yields the node (missing → [`PathError::NotFound`]);
    /// an indefinite one yields an array of the matches (`[]` when nothing matches).
    pub fn select(&self, roots: Roots<'_>) -> Result<Value, PathError> {
        let doc = root_doc(&self.root, roots)?;
        self.select_in(doc, doc)
    }

    /// The node a plain path (`.name` and `[n]` steps only) leads to from `start`.
    fn walk<'a>(&self, start: &'a Value) -> Option<&'a Value> {
        let mut cur = start;
        for step in &self.steps {
            cur = match (step, cur) {
                (Step::Name(name), Value::Object(m)) => member(m, name)?,
                (Step::Index(i), Value::Array(a)) => a.get(index_of(*i, a.len())?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Like [`Path::select`], but borrows the node of a definite path instead of cloning it
    /// (an indefinite path still builds its array of matches).
    pub fn select_ref<'a>(&self, roots: Roots<'a>) -> Result<Cow<'a, Value>, PathError> {
        let doc = root_doc(&self.root, roots)?;
        if self.plain {
            // (A `match`, not `ok_or`: that would build and drop an error every time.)
            return match self.walk(doc) {
                Some(v) => Ok(Cow::Borrowed(v)),
                None => Err(PathError::NotFound),
            };
        }
        match eval_path(&self.steps, self.definite, self.func, doc, doc) {
            Evaluated::Missing => Err(PathError::NotFound),
            Evaluated::One(v) => Ok(Cow::Borrowed(v)),
            Evaluated::Owned(v) => Ok(Cow::Owned(v)),
            Evaluated::Many(vs) => Ok(Cow::Owned(Value::Array(vs.into_iter().cloned().collect()))),
        }
    }

    /// Selects from one document (as if it were `$`), whatever root the path names.
    pub fn select_from(&self, doc: &Value) -> Result<Value, PathError> {
        self.select_in(doc, doc)
    }

    fn select_in(&self, start: &Value, doc: &Value) -> Result<Value, PathError> {
        if self.plain {
            return match self.walk(start) {
                Some(v) => Ok(v.clone()),
                None => Err(PathError::NotFound),
            };
        }
        match eval_path(&self.steps, self.definite, self.func, start, doc) {
            Evaluated::Missing => Err(PathError::NotFound),
            Evaluated::One(v) => Ok(v.clone()),
            Evaluated::Owned(v) => Ok(v),
            Evaluated::Many(vs) => Ok(Value::Array(vs.into_iter().cloned().collect())),
        }
    }

    /// Jayway's message for a definite path that finds nothing in `doc`, as AWS quotes it in
    /// causes like `Invalid path '$.x' : No results for path: $['x']`.
    pub fn not_found_message(&self, doc: &Value) -> String {
        let mut cur = doc;
        let mut so_far = String::from("$");
        let n = self.steps.len();
        for (i, step) in self.steps.iter().enumerate() {
            let leaf = i + 1 == n && self.func.is_none();
            match step {
                Step::Name(name) => {
                    let frag = format!("['{name}']");
                    match cur {
                        Value::Object(m) => match m.get(name) {
                            Some(v) => cur = v,
                            None if leaf => break,
                            None => return format!("Missing property in path {so_far}{frag}"),
                        },
                        other => {
                            return format!(
                                "Expected to find an object with property {frag} in path {so_far} but found '{}'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.",
                                java_class(other)
                            );
                        }
                    }
                    so_far.push_str(&frag);
                }
                Step::Index(i) => {
                    match cur {
                        Value::Array(a) => match index_of(*i, a.len()).and_then(|k| a.get(k)) {
                            Some(v) => cur = v,
                            None => break,
                        },
                        Value::Null => return format!("The path {so_far} is null"),
                        other => {
                            return format!(
                                "Filter: [{i}] can only be applied to arrays. Current context is: {}",
                                java_to_string(other)
                            );
                        }
                    }
                    so_far.push_str(&format!("[{i}]"));
                }
                _ => break,
            }
        }
        format!("No results for path: {}", self.jayway_string())
    }

    /// The path in Jayway's normalised bracket form (`$['a'][0]`), as AWS quotes it in causes.
    pub fn jayway_string(&self) -> String {
        let mut s = match &self.root {
            Root::Input => "$".to_string(),
            Root::Context => "$$".to_string(),
            Root::Variable(v) => format!("${v}"),
            Root::Current => "@".to_string(),
        };
        for step in &self.steps {
            push_step(&mut s, step);
        }
        if let Some(f) = self.func {
            s.push_str(&format!(".{}()", func_name(f)));
        }
        s
    }

    /// Writes `value` into `target` at this Reference Path as ResultPath does.
    pub fn set(&self, target: Value, value: Value) -> Result<Value, PathError> {
        if !self.is_reference() {
            return Err(PathError::Invalid(format!(
                "'{}' is not a Reference Path",
                self.text
            )));
        }
        if self.steps.is_empty() {
            return Ok(value);
        }
        let mut target = target;
        set_in(&mut target, &self.steps, value)?;
        Ok(target)
    }
}

fn func_name(f: Func) -> &'static str {
    match f {
        Func::Length => "length",
        Func::Min => "min",
        Func::Max => "max",
        Func::Avg => "avg",
        Func::Sum => "sum",
        Func::Keys => "keys",
        Func::First => "first",
        Func::Last => "last",
    }
}

fn push_step(s: &mut String, step: &Step) {
    match step {
        Step::Name(n) => s.push_str(&format!("['{n}']")),
        Step::Names(ns) => {
            let parts: Vec<String> = ns.iter().map(|n| format!("'{n}'")).collect();
            s.push_str(&format!("[{}]", parts.join(",")));
        }
        Step::Index(i) => s.push_str(&format!("[{i}]")),
        Step::Indices(is) => {
            let parts: Vec<String> = is.iter().map(|i| i.to_string()).collect();
            s.push_str(&format!("[{}]", parts.join(",")));
        }
        Step::Slice(a, b, c) => {
            let f = |x: &Option<i64>| x.map(|v| v.to_string()).unwrap_or_default();
            match c {
                Some(_) => s.push_str(&format!("[{}:{}:{}]", f(a), f(b), f(c))),
                None => s.push_str(&format!("[{}:{}]", f(a), f(b))),
            }
        }
        Step::Wildcard => s.push_str("[*]"),
        Step::Filter(_) => s.push_str("[?]"),
        Step::Scan(inner) => {
            s.push_str("..");
            let mut rest = String::new();
            push_step(&mut rest, inner);
            s.push_str(&rest);
        }
    }
}

fn java_class(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "java.lang.Boolean",
        Value::Number(n) if n.is_f64() => "java.lang.Double",
        Value::Number(_) => "java.lang.Integer",
        Value::String(_) => "java.lang.String",
        Value::Array(_) => "java.util.ArrayList",
        Value::Object(_) => "java.util.LinkedHashMap",
    }
}

/// Java's `toString` of a JSON value (`{a=1, b=[x, y]}`), as AWS prints objects inside some
/// messages and in `States.Format`.
pub fn java_to_string(v: &Value) -> String {
    let mut out = String::new();
    java_to_string_into(v, &mut out, 0);
    out
}

/// A JSON number as Java prints it: integers plainly, doubles as `Double.toString` does
/// (`1.0`, `1.1`, `1.0E20`, `1.5E-5`).
pub fn java_number(n: &Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let Some(x) = n.as_f64() else {
        return n.to_string();
    };
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let a = x.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let s = format!("{x}");
        return if s.contains('.') { s } else { format!("{s}.0") };
    }
    let s = format!("{x:e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    format!("{mantissa}E{exp}")
}

fn java_to_string_into(v: &Value, out: &mut String, depth: usize) {
    if depth > MAX_SCAN_DEPTH {
        out.push_str("...");
        return;
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&java_number(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                java_to_string_into(x, out, depth + 1);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                java_to_string_into(x, out, depth + 1);
            }
            out.push('}');
        }
    }
}

fn set_in(target: &mut Value, steps: &[Step], value: Value) -> Result<(), PathError> {
    let Some((first, rest)) = steps.split_first() else {
        *target = value;
        return Ok(());
    };
    match first {
        Step::Name(name) => {
            let Value::Object(map) = target else {
                return Err(PathError::NotFound);
            };
            if rest.is_empty() {
                map.insert(name.clone(), value);
                return Ok(());
            }
            let slot = map
                .entry(name.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if slot.is_null() {
                *slot = Value::Object(Map::new());
            }
            set_in(slot, rest, value)
        }
        Step::Index(i) => {
            let Value::Array(arr) = target else {
                return Err(PathError::NotFound);
            };
            let len = arr.len();
            let slot = index_of(*i, len)
                .and_then(|k| arr.get_mut(k))
                .ok_or(PathError::NotFound)?;
            set_in(slot, rest, value)
        }
        _ => Err(PathError::NotFound),
    }
}

fn root_doc<'a>(root: &Root, roots: Roots<'a>) -> Result<&'a Value, PathError> {
    match root {
        Root::Input | Root::Current => Ok(roots.input),
        Root::Context => Ok(roots.context),
        Root::Variable(name) => roots
            .variables
            .and_then(|vars| vars.get(name))
            .ok_or_else(|| PathError::UnknownVariable(name.clone())),
    }
}

/// Evaluates `path` (`$...`, `$$...` or `$name...`). A definite path yields the node itself; an
/// indefinite one (wildcards, slices, filters, unions, deep scan) yields an array of the matches,
/// `[]` when nothing matches.
pub fn select(path: &str, roots: Roots<'_>) -> Result<Value, PathError> {
    // The common case, a plain `$.a.b` path, without building a `Path`.
    if let Some(v) = select_simple(path, roots) {
        return v;
    }
    Path::parse(path)?.select(roots)
}

/// Fast path for `$`, `$$`, `$.a.b.c` and `$$.a.b` (plain names only). `None` when the path has
/// anything else, so the full parser decides.
fn select_simple(path: &str, roots: Roots<'_>) -> Option<Result<Value, PathError>> {
    let (mut cur, rest) = if let Some(rest) = path.strip_prefix("$$") {
        (roots.context, rest)
    } else {
        (roots.input, path.strip_prefix('$')?)
    };
    if rest.is_empty() {
        return Some(Ok(cur.clone()));
    }
    let rest = rest.strip_prefix('.')?;
    if !rest.split('.').all(|seg| simple_step(seg).is_some()) {
        return None;
    }
    for seg in rest.split('.') {
        let (name, index) = simple_step(seg)?;
        let next = match cur {
            Value::Object(m) => member(m, name),
            _ => None,
        };
        let next = match (next, index) {
            (Some(v), None) => Some(v),
            (Some(Value::Array(a)), Some(i)) => a.get(i),
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => return Some(Err(PathError::NotFound)),
        }
    }
    Some(Ok(cur.clone()))
}

/// `m.get(name)`, by a scan for a small object (cheaper than hashing the name).
pub(crate) fn member<'a>(m: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if m.len() <= 8 {
        m.iter().find_map(|(k, v)| (k == name).then_some(v))
    } else {
        m.get(name)
    }
}

/// A name with nothing JSONPath would read specially.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.bytes().any(|b| {
            matches!(
                b,
                b'[' | b']' | b'*' | b'(' | b')' | b'?' | b'@' | b' ' | b'\'' | b'"' | b'$'
            )
        })
}

/// One step of a simple path: `name` or `name[n]` (a non-negative index without leading zeros).
fn simple_step(seg: &str) -> Option<(&str, Option<usize>)> {
    let Some(head) = seg.strip_suffix(']') else {
        return plain_name(seg).then_some((seg, None));
    };
    let (name, digits) = head.split_once('[')?;
    let ok = plain_name(name)
        && !digits.is_empty()
        && digits.len() < 10
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if !ok {
        return None;
    }
    Some((name, Some(digits.parse().ok()?)))
}

/// Whether `path` is a Reference Path (only `.name`, `['name']` and `[n]` steps after `$`).
pub fn is_reference_path(path: &str) -> bool {
    Path::parse(path).is_ok_and(|p| p.is_reference())
}

/// Writes `value` into `target` at the Reference Path `path` as ResultPath does (`$` replaces the
/// whole document; missing objects on the way are created). [`PathError::NotFound`] when the
/// path cannot be applied (a step on the way is not an object, an index is out of range): the
/// engine reports that as `States.ResultPathMatchFailure`.
pub fn set(path: &str, target: Value, value: Value) -> Result<Value, PathError> {
    if path == "$" {
        return Ok(value);
    }
    // The common case, `$.a.b`, without building a `Path`.
    if let Some(rest) = path.strip_prefix("$.")
        && rest.split('.').all(plain_name)
    {
        let mut target = target;
        set_names(&mut target, rest.split('.'), value)?;
        return Ok(target);
    }
    Path::parse(path)?.set(target, value)
}

/// [`set`] on a document that is shared (the history keeps it): the result is a new document
/// that copies the nodes beside the path and none of the node the value replaces. The common
/// case `$.a.b` builds only the objects along the path; any other path copies `target` first.
pub fn set_shared(path: &str, target: &Value, value: Value) -> Result<Value, PathError> {
    if path == "$" {
        return Ok(value);
    }
    if let Some(rest) = path.strip_prefix("$.")
        && rest.split('.').all(plain_name)
    {
        return set_names_shared(target, &rest.split('.').collect::<Vec<_>>(), value);
    }
    set(path, target.clone(), value)
}

/// [`set_names`] into a copy of `target`, for a path of plain names (`$.a.b` is `["a", "b"]`;
/// the engine keeps a state's `ResultPath` so, see [`plain_names`]).
pub fn set_names_shared<S: AsRef<str>>(
    target: &Value,
    names: &[S],
    value: Value,
) -> Result<Value, PathError> {
    let Some((name, tail)) = names.split_first() else {
        return Ok(value);
    };
    let name = name.as_ref();
    let Value::Object(map) = target else {
        return Err(PathError::NotFound);
    };
    let empty = Value::Object(Map::new());
    // A small object is scanned (cheaper than hashing the name).
    let present = if map.len() <= 16 {
        map.keys().any(|k| k == name)
    } else {
        map.contains_key(name)
    };
    if !present {
        // Nothing is replaced: a copy (which keeps the key table as is) plus one member.
        let v = set_names_shared(&empty, tail, value)?;
        let mut out = map.clone();
        out.insert(name.to_string(), v);
        return Ok(Value::Object(out));
    }
    let mut value = Some(value);
    let put = |old: &Value, value: &mut Option<Value>| -> Result<Value, PathError> {
        let v = value.take().unwrap_or(Value::Null);
        match old {
            // A null node on the way becomes an object, as `set_names` makes it.
            Value::Null if !tail.is_empty() => set_names_shared(&empty, tail, v),
            o => set_names_shared(o, tail, v),
        }
    };
    let mut out = Map::with_capacity(map.len());
    for (k, x) in map {
        if k == name {
            out.insert(k.clone(), put(x, &mut value)?);
        } else {
            out.insert(k.clone(), x.clone());
        }
    }
    Ok(Value::Object(out))
}

/// [`set`] for a path of plain names ([`plain_names`]).
pub fn set_plain(mut target: Value, names: &[String], value: Value) -> Result<Value, PathError> {
    if names.is_empty() {
        return Ok(value);
    }
    set_names(&mut target, names.iter().map(String::as_str), value)?;
    Ok(target)
}

/// The names of a `$.a.b` path of plain names (`None` for any other path).
pub fn plain_names(path: &str) -> Option<Vec<String>> {
    let rest = path.strip_prefix("$.")?;
    rest.split('.')
        .map(|n| plain_name(n).then(|| n.to_string()))
        .collect()
}

/// [`set_in`] for a path of plain names.
fn set_names<'n>(
    target: &mut Value,
    mut names: impl Iterator<Item = &'n str>,
    value: Value,
) -> Result<(), PathError> {
    let mut cur = target;
    let mut name = names.next();
    while let Some(n) = name {
        let Value::Object(map) = cur else {
            return Err(PathError::NotFound);
        };
        let next = names.next();
        if next.is_none() {
            map.insert(n.to_string(), value);
            return Ok(());
        }
        let slot = map
            .entry(n.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if slot.is_null() {
            *slot = Value::Object(Map::new());
        }
        cur = slot;
        name = next;
    }
    *cur = value;
    Ok(())
}

/// Checks that `path` is valid JSONPath as Step Functions accepts it (for validation).
pub fn validate_path(path: &str) -> Result<(), String> {
    Path::parse(path).map(|_| ()).map_err(|e| match e {
        PathError::Invalid(m) => m,
        other => other.to_string(),
    })
}

// ---------------------------------------------------------------------------------------------
// Evaluation

enum Evaluated<'a> {
    Missing,
    One(&'a Value),
    Owned(Value),
    Many(Vec<&'a Value>),
}

fn index_of(i: i64, len: usize) -> Option<usize> {
    let len_i = i64::try_from(len).ok()?;
    let k = if i < 0 { len_i.checked_add(i)? } else { i };
    if k < 0 || k >= len_i {
        None
    } else {
        usize::try_from(k).ok()
    }
}

fn eval_path<'a>(
    steps: &[Step],
    definite: bool,
    func: Option<Func>,
    start: &'a Value,
    doc: &'a Value,
) -> Evaluated<'a> {
    let (body, merge) = match steps.split_last() {
        Some((Step::Names(names), body)) => (body, Some(names)),
        _ => (steps, None),
    };
    let result = if definite {
        // Walk without allocating.
        let mut cur = start;
        for step in body {
            let next = match (step, cur) {
                (Step::Name(name), Value::Object(m)) => member(m, name),
                (Step::Index(i), Value::Array(a)) => index_of(*i, a.len()).and_then(|k| a.get(k)),
                _ => None,
            };
            match next {
                Some(v) => cur = v,
                None => return Evaluated::Missing,
            }
        }
        match merge {
            Some(names) => match merge_names(cur, names) {
                Some(v) => Evaluated::Owned(v),
                None => return Evaluated::Missing,
            },
            None => Evaluated::One(cur),
        }
    } else {
        let mut cur = vec![start];
        for step in body {
            let mut next = Vec::new();
            for node in cur {
                apply_step(step, node, doc, &mut next);
            }
            cur = next;
        }
        match merge {
            Some(names) => Evaluated::Owned(Value::Array(
                cur.into_iter()
                    .filter_map(|node| merge_names(node, names))
                    .collect(),
            )),
            None => Evaluated::Many(cur),
        }
    };
    match func {
        None => result,
        Some(f) => {
            let input = match result {
                Evaluated::Missing => return Evaluated::Missing,
                Evaluated::One(v) => Cow::Borrowed(v),
                Evaluated::Owned(v) => Cow::Owned(v),
                Evaluated::Many(vs) => Cow::Owned(Value::Array(vs.into_iter().cloned().collect())),
            };
            match apply_func(f, &input) {
                Some(v) => Evaluated::Owned(v),
                None => Evaluated::Missing,
            }
        }
    }
}

fn merge_names(node: &Value, names: &[String]) -> Option<Value> {
    let Value::Object(m) = node else {
        return None;
    };
    let mut out = Map::new();
    for n in names {
        if let Some(v) = m.get(n) {
            out.insert(n.clone(), v.clone());
        }
    }
    Some(Value::Object(out))
}

fn apply_func(f: Func, v: &Value) -> Option<Value> {
    let numbers = || -> Option<Vec<f64>> {
        match v {
            Value::Array(a) => Some(a.iter().filter_map(Value::as_f64).collect()),
            _ => None,
        }
    };
    match f {
        Func::Length => match v {
            Value::Array(a) => Some(Value::from(a.len())),
            Value::Object(m) => Some(Value::from(m.len())),
            Value::String(s) => Some(Value::from(s.chars().count())),
            _ => None,
        },
        Func::Keys => match v {
            Value::Object(m) => Some(Value::Array(
                m.keys().map(|k| Value::String(k.clone())).collect(),
            )),
            _ => None,
        },
        Func::First => match v {
            Value::Array(a) => a.first().cloned(),
            _ => None,
        },
        Func::Last => match v {
            Value::Array(a) => a.last().cloned(),
            _ => None,
        },
        Func::Min | Func::Max | Func::Avg | Func::Sum => {
            let ns = numbers()?;
            if ns.is_empty() && f != Func::Sum {
                return None;
            }
            let r = match f {
                Func::Min => ns.iter().copied().fold(f64::INFINITY, f64::min),
                Func::Max => ns.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                Func::Sum => ns.iter().sum(),
                _ => ns.iter().sum::<f64>() / ns.len() as f64,
            };
            Number::from_f64(r).map(Value::Number)
        }
    }
}

/// Applies one step of an indefinite path to `node`, pushing what it selects.
fn apply_step<'a>(step: &Step, node: &'a Value, doc: &'a Value, out: &mut Vec<&'a Value>) {
    match step {
        Step::Name(name) => {
            if let Some(v) = node.as_object().and_then(|m| m.get(name)) {
                out.push(v);
            }
        }
        Step::Names(names) => {
            if let Value::Object(m) = node {
                out.extend(names.iter().filter_map(|n| m.get(n)));
            }
        }
        Step::Index(i) => {
            if let Value::Array(a) = node
                && let Some(v) = index_of(*i, a.len()).and_then(|k| a.get(k))
            {
                out.push(v);
            }
        }
        Step::Indices(is) => {
            if let Value::Array(a) = node {
                out.extend(
                    is.iter()
                        .filter_map(|i| index_of(*i, a.len()).and_then(|k| a.get(k))),
                );
            }
        }
        Step::Slice(start, end, stepv) => {
            if let Value::Array(a) = node {
                slice(a, *start, *end, *stepv, out);
            }
        }
        Step::Wildcard => match node {
            Value::Array(a) => out.extend(a.iter()),
            Value::Object(m) => out.extend(m.values()),
            _ => {}
        },
        Step::Filter(expr) => match node {
            Value::Array(a) => out.extend(a.iter().filter(|x| expr.matches(x, doc))),
            Value::Object(_) if expr.matches(node, doc) => out.push(node),
            _ => {}
        },
        Step::Scan(inner) => {
            // Pre-order walk with an explicit stack (no recursion on deep documents).
            let mut stack: Vec<(&'a Value, usize)> = vec![(node, 0)];
            while let Some((n, depth)) = stack.pop() {
                match inner.as_ref() {
                    Step::Filter(expr) => {
                        if n.is_object() && expr.matches(n, doc) {
                            out.push(n);
                        }
                    }
                    other => apply_step(other, n, doc, out),
                }
                if depth >= MAX_SCAN_DEPTH {
                    continue;
                }
                match n {
                    Value::Array(a) => stack.extend(a.iter().rev().map(|c| (c, depth + 1))),
                    Value::Object(m) => stack.extend(m.values().rev().map(|c| (c, depth + 1))),
                    _ => {}
                }
            }
        }
    }
}

fn slice<'a>(
    a: &'a [Value],
    start: Option<i64>,
    end: Option<i64>,
    step: Option<i64>,
    out: &mut Vec<&'a Value>,
) {
    let len = i64::try_from(a.len()).unwrap_or(i64::MAX);
    let step = step.unwrap_or(1);
    if step == 0 {
        return;
    }
    let norm = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
    if step > 0 {
        let s = start.map(norm).unwrap_or(0);
        let e = end.map(norm).unwrap_or(len);
        let mut i = s;
        while i < e {
            if let Some(v) = usize::try_from(i).ok().and_then(|k| a.get(k)) {
                out.push(v);
            }
            i = match i.checked_add(step) {
                Some(x) => x,
                None => break,
            };
        }
    } else {
        let s = start
            .map(|x| if x < 0 { len + x } else { x.min(len - 1) })
            .unwrap_or(len - 1);
        let e = end.map(|x| if x < 0 { len + x } else { x }).unwrap_or(-1);
        let mut i = s;
        while i > e && i >= 0 {
            if let Some(v) = usize::try_from(i).ok().and_then(|k| a.get(k)) {
                out.push(v);
            }
            i = match i.checked_add(step) {
                Some(x) => x,
                None => break,
            };
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Filter expressions

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Exists(Operand),
    Cmp(Operand, CmpOp, Operand),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Nin,
    Contains,
    Size,
    Empty,
    SubsetOf,
    AnyOf,
    NoneOf,
    Regex,
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Path(Box<Path>),
    Literal(Value),
    Regex(String, bool),
}

enum Val<'a> {
    Missing,
    Ref(&'a Value),
    Owned(Value),
}

impl<'a> Val<'a> {
    fn get(&self) -> Option<&Value> {
        match self {
            Val::Missing => None,
            Val::Ref(v) => Some(v),
            Val::Owned(v) => Some(v),
        }
    }
}

impl Operand {
    fn eval<'a>(&'a self, current: &'a Value, doc: &'a Value) -> Val<'a> {
        match self {
            Operand::Literal(v) => Val::Ref(v),
            Operand::Regex(..) => Val::Missing,
            Operand::Path(p) => {
                let start = match p.root {
                    Root::Current => current,
                    _ => doc,
                };
                match eval_path(&p.steps, p.definite, p.func, start, doc) {
                    Evaluated::Missing => Val::Missing,
                    Evaluated::One(v) => Val::Ref(v),
                    Evaluated::Owned(v) => Val::Owned(v),
                    Evaluated::Many(vs) => {
                        Val::Owned(Value::Array(vs.into_iter().cloned().collect()))
                    }
                }
            }
        }
    }
}

impl Expr {
    fn matches(&self, current: &Value, doc: &Value) -> bool {
        match self {
            Expr::Or(a, b) => a.matches(current, doc) || b.matches(current, doc),
            Expr::And(a, b) => a.matches(current, doc) && b.matches(current, doc),
            Expr::Not(a) => !a.matches(current, doc),
            Expr::Exists(o) => match o.eval(current, doc) {
                Val::Missing => false,
                Val::Ref(v) => filter_truthy(v),
                Val::Owned(v) => filter_truthy(&v),
            },
            Expr::Cmp(l, op, r) => {
                if let (CmpOp::Regex, Operand::Regex(pat, icase)) = (op, r) {
                    return match l.eval(current, doc).get() {
                        Some(Value::String(s)) => regex_match(pat, *icase, s),
                        _ => false,
                    };
                }
                let lv = l.eval(current, doc);
                let rv = r.eval(current, doc);
                compare(*op, lv.get(), rv.get())
            }
        }
    }
}

/// Jayway's existence check: a path alone is true when it finds something (a literal `false`
/// alone is false).
fn filter_truthy(v: &Value) -> bool {
    !matches!(v, Value::Bool(false))
}

fn num_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else {
                x.as_f64() == y.as_f64()
            }
        }
        // Jayway compares a number with a string holding a number numerically.
        (Value::Number(x), Value::String(s)) | (Value::String(s), Value::Number(x)) => {
            ::jsonata::parse_f64(s.trim()) == x.as_f64()
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, p)| y.get(k).is_some_and(|q| json_eq(p, q)))
        }
        _ => a == b,
    }
}

fn compare(op: CmpOp, l: Option<&Value>, r: Option<&Value>) -> bool {
    use std::cmp::Ordering;
    let order = |l: Option<&Value>, r: Option<&Value>| -> Option<Ordering> {
        match (l?, r?) {
            (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
            (a, b) => num_of(a)?.partial_cmp(&num_of(b)?),
        }
    };
    let eq = |l: Option<&Value>, r: Option<&Value>| match (l, r) {
        (Some(a), Some(b)) => json_eq(a, b),
        _ => false,
    };
    match op {
        CmpOp::Eq => eq(l, r),
        CmpOp::Ne => !eq(l, r),
        CmpOp::Lt => order(l, r) == Some(Ordering::Less),
        CmpOp::Le => matches!(order(l, r), Some(Ordering::Less | Ordering::Equal)),
        CmpOp::Gt => order(l, r) == Some(Ordering::Greater),
        CmpOp::Ge => matches!(order(l, r), Some(Ordering::Greater | Ordering::Equal)),
        CmpOp::In | CmpOp::Nin => {
            let found = match (l, r) {
                (Some(x), Some(Value::Array(list))) => list.iter().any(|y| json_eq(x, y)),
                _ => false,
            };
            if op == CmpOp::In { found } else { !found }
        }
        CmpOp::Contains => match (l, r) {
            (Some(Value::String(s)), Some(Value::String(t))) => s.contains(t.as_str()),
            (Some(Value::Array(a)), Some(x)) => a.iter().any(|y| json_eq(x, y)),
            _ => false,
        },
        CmpOp::Size => {
            let len = match l {
                Some(Value::Array(a)) => a.len(),
                Some(Value::String(s)) => s.chars().count(),
                _ => return false,
            };
            r.and_then(num_of).is_some_and(|n| n == len as f64)
        }
        CmpOp::Empty => {
            let empty = match l {
                Some(Value::Array(a)) => a.is_empty(),
                Some(Value::String(s)) => s.is_empty(),
                _ => return false,
            };
            r.and_then(Value::as_bool) == Some(empty)
        }
        CmpOp::SubsetOf | CmpOp::AnyOf | CmpOp::NoneOf => {
            let (Some(Value::Array(a)), Some(Value::Array(b))) = (l, r) else {
                return false;
            };
            match op {
                CmpOp::SubsetOf => a.iter().all(|x| b.iter().any(|y| json_eq(x, y))),
                CmpOp::AnyOf => a.iter().any(|x| b.iter().any(|y| json_eq(x, y))),
                _ => !a.iter().any(|x| b.iter().any(|y| json_eq(x, y))),
            }
        }
        CmpOp::Regex => false,
    }
}

// ---------------------------------------------------------------------------------------------
// A small backtracking regular-expression matcher for `=~ /pattern/flags` (Java `matches`: the
// whole string must match). Supports literals, `.`, classes `[...]`, `\d \w \s`, groups,
// alternation and the quantifiers `* + ? {m,n}` (greedy).

#[derive(Debug, Clone)]
enum Re {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
    Group(Vec<Vec<Re>>),
    Repeat(Box<Re>, usize, usize),
    Start,
    End,
    /// Internal: the repetition that started at this position must have consumed something.
    Progress(usize),
}

fn regex_match(pattern: &str, icase: bool, text: &str) -> bool {
    let chars: Vec<char> = pattern.chars().collect();
    let mut pos = 0;
    let Some(alts) = re_parse_alts(&chars, &mut pos, 0) else {
        return false;
    };
    if pos != chars.len() {
        return false;
    }
    let (text, icase_alts) = if icase {
        (text.to_lowercase(), lower_alts(alts))
    } else {
        (text.to_string(), alts)
    };
    let t: Vec<char> = text.chars().collect();
    let mut budget = 200_000usize;
    let seq = vec![Re::Group(icase_alts)];
    re_match_seq(&seq, &t, 0, &mut budget, 0)
}

fn lower_alts(alts: Vec<Vec<Re>>) -> Vec<Vec<Re>> {
    alts.into_iter()
        .map(|seq| seq.into_iter().map(lower_re).collect())
        .collect()
}

fn lower_re(r: Re) -> Re {
    match r {
        Re::Char(c) => Re::Char(c.to_lowercase().next().unwrap_or(c)),
        Re::Class(ranges, neg) => {
            let mut out = ranges.clone();
            for (a, b) in ranges {
                if a.is_ascii_uppercase() && b.is_ascii_uppercase() {
                    out.push((a.to_ascii_lowercase(), b.to_ascii_lowercase()));
                }
            }
            Re::Class(out, neg)
        }
        Re::Group(alts) => Re::Group(lower_alts(alts)),
        Re::Repeat(inner, a, b) => Re::Repeat(Box::new(lower_re(*inner)), a, b),
        other => other,
    }
}

fn re_parse_alts(s: &[char], pos: &mut usize, depth: usize) -> Option<Vec<Vec<Re>>> {
    if depth > MAX_FILTER_DEPTH {
        return None;
    }
    let mut alts = vec![Vec::new()];
    while let Some(&c) = s.get(*pos) {
        let atom = match c {
            ')' => break,
            '|' => {
                *pos += 1;
                alts.push(Vec::new());
                continue;
            }
            '(' => {
                *pos += 1;
                if s.get(*pos) == Some(&'?') && s.get(*pos + 1) == Some(&':') {
                    *pos += 2;
                }
                let inner = re_parse_alts(s, pos, depth + 1)?;
                if s.get(*pos) != Some(&')') {
                    return None;
                }
                *pos += 1;
                Re::Group(inner)
            }
            '.' => {
                *pos += 1;
                Re::Any
            }
            '^' => {
                *pos += 1;
                Re::Start
            }
            '$' => {
                *pos += 1;
                Re::End
            }
            '[' => {
                *pos += 1;
                let neg = s.get(*pos) == Some(&'^');
                if neg {
                    *pos += 1;
                }
                let mut ranges = Vec::new();
                let mut first = true;
                loop {
                    let c = *s.get(*pos)?;
                    if c == ']' && !first {
                        *pos += 1;
                        break;
                    }
                    first = false;
                    *pos += 1;
                    let lo = if c == '\\' {
                        let e = *s.get(*pos)?;
                        *pos += 1;
                        match class_escape(e) {
                            Some(mut r) => {
                                ranges.append(&mut r);
                                continue;
                            }
                            None => e,
                        }
                    } else {
                        c
                    };
                    if s.get(*pos) == Some(&'-') && s.get(*pos + 1).is_some_and(|&x| x != ']') {
                        let hi = *s.get(*pos + 1)?;
                        *pos += 2;
                        ranges.push((lo, hi));
                    } else {
                        ranges.push((lo, lo));
                    }
                }
                Re::Class(ranges, neg)
            }
            '\\' => {
                *pos += 1;
                let e = *s.get(*pos)?;
                *pos += 1;
                match e {
                    'd' | 'w' | 's' => Re::Class(class_escape(e)?, false),
                    'D' | 'W' | 'S' => Re::Class(class_escape(e.to_ascii_lowercase())?, true),
                    'n' => Re::Char('\n'),
                    't' => Re::Char('\t'),
                    other => Re::Char(other),
                }
            }
            '*' | '+' | '?' | '{' => {
                let seq = alts.last_mut()?;
                let prev = seq.pop()?;
                *pos += 1;
                let (lo, hi) = match c {
                    '*' => (0, usize::MAX),
                    '+' => (1, usize::MAX),
                    '?' => (0, 1),
                    _ => {
                        let mut num = String::new();
                        while let Some(&d) = s.get(*pos) {
                            if d == '}' {
                                break;
                            }
                            num.push(d);
                            *pos += 1;
                        }
                        *pos += 1;
                        match num.split_once(',') {
                            Some((a, "")) => (a.trim().parse().ok()?, usize::MAX),
                            Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
                            None => {
                                let n = num.trim().parse().ok()?;
                                (n, n)
                            }
                        }
                    }
                };
                if s.get(*pos) == Some(&'?') {
                    *pos += 1; // lazy quantifiers behave the same for a whole-string match
                }
                alts.last_mut()?.push(Re::Repeat(Box::new(prev), lo, hi));
                continue;
            }
            other => {
                *pos += 1;
                Re::Char(other)
            }
        };
        alts.last_mut()?.push(atom);
    }
    Some(alts)
}

fn class_escape(e: char) -> Option<Vec<(char, char)>> {
    Some(match e {
        'd' => vec![('0', '9')],
        'w' => vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')],
        's' => vec![
            (' ', ' '),
            ('\t', '\t'),
            ('\n', '\n'),
            ('\r', '\r'),
            ('\u{b}', '\u{c}'),
        ],
        _ => return None,
    })
}

fn re_single(r: &Re, c: char) -> bool {
    match r {
        Re::Char(x) => *x == c,
        Re::Any => c != '\n',
        Re::Class(ranges, neg) => ranges.iter().any(|(a, b)| *a <= c && c <= *b) != *neg,
        _ => false,
    }
}

/// Matches `seq` (the rest of the pattern) at `i`; true when the whole text is consumed.
/// `budget` bounds the work and `depth` the recursion (each consumed character nests once).
fn re_match_seq(seq: &[Re], t: &[char], i: usize, budget: &mut usize, depth: usize) -> bool {
    if *budget == 0 || depth > MAX_REGEX_DEPTH {
        return false;
    }
    *budget -= 1;
    let Some((first, rest)) = seq.split_first() else {
        return i == t.len();
    };
    match first {
        Re::Start => i == 0 && re_match_seq(rest, t, i, budget, depth + 1),
        Re::End => i == t.len() && re_match_seq(rest, t, i, budget, depth + 1),
        Re::Progress(start) => i > *start && re_match_seq(rest, t, i, budget, depth + 1),
        Re::Group(alts) => alts.iter().any(|alt| {
            let mut joined: Vec<Re> = alt.clone();
            joined.extend_from_slice(rest);
            re_match_seq(&joined, t, i, budget, depth + 1)
        }),
        Re::Repeat(inner, lo, hi) => {
            if *hi > 0 {
                // Greedy: one more repetition first; without a minimum left, it must consume.
                let mut more = vec![inner.as_ref().clone()];
                if *lo == 0 {
                    more.push(Re::Progress(i));
                }
                let next_hi = if *hi == usize::MAX {
                    usize::MAX
                } else {
                    hi - 1
                };
                more.push(Re::Repeat(inner.clone(), lo.saturating_sub(1), next_hi));
                more.extend_from_slice(rest);
                if re_match_seq(&more, t, i, budget, depth + 1) {
                    return true;
                }
            }
            *lo == 0 && re_match_seq(rest, t, i, budget, depth + 1)
        }
        single => match t.get(i) {
            Some(&c) if re_single(single, c) => re_match_seq(rest, t, i + 1, budget, depth + 1),
            _ => false,
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing

struct Parser<'s> {
    s: &'s [char],
    pos: usize,
    in_filter: bool,
    depth: usize,
}

fn invalid(msg: impl Into<String>) -> PathError {
    PathError::Invalid(msg.into())
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.s.get(self.pos + k).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|c| c == ' ') {
            self.pos += 1;
        }
    }

    fn text(&self) -> String {
        self.s.iter().collect()
    }

    /// A whole path: its root and its steps.
    fn path(&mut self) -> Result<Path, PathError> {
        let root = match self.peek() {
            Some('@') => {
                self.pos += 1;
                Root::Current
            }
            Some('$') => {
                self.pos += 1;
                if self.eat('$') {
                    Root::Context
                } else if self.peek().is_some_and(is_var_start) {
                    let mut name = String::new();
                    while let Some(c) = self.peek().filter(|c| is_var_char(*c)) {
                        name.push(c);
                        self.pos += 1;
                    }
                    Root::Variable(name)
                } else {
                    Root::Input
                }
            }
            _ => {
                return Err(invalid(format!(
                    "a path must start with '$': '{}'",
                    self.text()
                )));
            }
        };
        let mut steps = Vec::new();
        let mut func = None;
        loop {
            match self.peek() {
                Some('.') if self.peek_at(1) == Some('.') => {
                    self.pos += 2;
                    let inner = match self.peek() {
                        Some('[') => self.bracket()?,
                        Some('*') => {
                            self.pos += 1;
                            Step::Wildcard
                        }
                        _ => {
                            let name = self.dot_name()?;
                            if self.peek() == Some('(') {
                                return Err(invalid("a function cannot follow '..'"));
                            }
                            Step::Name(name)
                        }
                    };
                    steps.push(Step::Scan(Box::new(inner)));
                }
                Some('.') => {
                    self.pos += 1;
                    if self.eat('*') {
                        steps.push(Step::Wildcard);
                        continue;
                    }
                    if self.peek() == Some('[') {
                        // `$.['a']` is accepted by Jayway as `$['a']`.
                        steps.push(self.bracket()?);
                        continue;
                    }
                    let name = self.dot_name()?;
                    if self.peek() == Some('(') {
                        self.pos += 1;
                        self.skip_ws();
                        if !self.eat(')') {
                            return Err(invalid(format!(
                                "function '{name}()' takes no arguments in '{}'",
                                self.text()
                            )));
                        }
                        func = Some(Func::from_name(&name).ok_or_else(|| {
                            invalid(format!("unknown function '{name}()' in '{}'", self.text()))
                        })?);
                        break;
                    }
                    steps.push(Step::Name(name));
                }
                Some('[') => steps.push(self.bracket()?),
                _ => break,
            }
        }
        Ok(Path {
            text: String::new(),
            root,
            definite: Path::steps_definite(&steps),
            plain: func.is_none()
                && steps
                    .iter()
                    .all(|s| matches!(s, Step::Name(_) | Step::Index(_))),
            steps,
            func,
        })
    }

    fn dot_name(&mut self) -> Result<String, PathError> {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            let stop = match c {
                '.' | '[' | '(' => true,
                ' ' => true,
                ')' | '=' | '!' | '<' | '>' | '&' | '|' | ',' | ']' if self.in_filter => true,
                _ => false,
            };
            if stop {
                break;
            }
            name.push(c);
            self.pos += 1;
        }
        if name.is_empty() {
            return Err(invalid(format!(
                "expected a property name at position {} in '{}'",
                self.pos,
                self.text()
            )));
        }
        Ok(name)
    }

    fn quoted(&mut self) -> Result<String, PathError> {
        let q = self.peek().ok_or_else(|| invalid("unterminated string"))?;
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(invalid(format!(
                        "unterminated quoted name in '{}'",
                        self.text()
                    )));
                }
                Some('\\') => {
                    // A backslash keeps the next character from closing the name, and both stay
                    // in it: AWS reads `['a\"b']` as the key `a\"b` (recorded).
                    self.pos += 1;
                    let c = self
                        .peek()
                        .ok_or_else(|| invalid("unterminated escape in quoted name"))?;
                    out.push('\\');
                    out.push(c);
                    self.pos += 1;
                }
                Some(c) if c == q => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn int(&mut self) -> Result<Option<i64>, PathError> {
        self.skip_ws();
        let start = self.pos;
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == start {
            return Ok(None);
        }
        let s: String = self
            .s
            .get(start..self.pos)
            .unwrap_or_default()
            .iter()
            .collect();
        let v = s
            .parse::<i64>()
            .map_err(|_| invalid(format!("bad array index '{s}' in '{}'", self.text())))?;
        self.skip_ws();
        Ok(Some(v))
    }

    fn bracket(&mut self) -> Result<Step, PathError> {
        // at '['
        self.pos += 1;
        self.skip_ws();
        let step = match self.peek() {
            Some('*') => {
                self.pos += 1;
                self.skip_ws();
                Step::Wildcard
            }
            Some('?') => {
                self.pos += 1;
                self.skip_ws();
                if !self.eat('(') {
                    return Err(invalid(format!(
                        "a filter must be written [?(...)] in '{}'",
                        self.text()
                    )));
                }
                let was = self.in_filter;
                self.in_filter = true;
                let e = self.expr()?;
                self.in_filter = was;
                self.skip_ws();
                if !self.eat(')') {
                    return Err(invalid(format!("unclosed filter in '{}'", self.text())));
                }
                self.skip_ws();
                Step::Filter(Box::new(e))
            }
            Some('\'') | Some('"') => {
                let mut names = vec![self.quoted()?];
                self.skip_ws();
                while self.eat(',') {
                    self.skip_ws();
                    if !matches!(self.peek(), Some('\'') | Some('"')) {
                        return Err(invalid(format!(
                            "expected a quoted name after ',' in '{}'",
                            self.text()
                        )));
                    }
                    names.push(self.quoted()?);
                    self.skip_ws();
                }
                if names.len() == 1 {
                    Step::Name(names.pop().unwrap_or_default())
                } else {
                    Step::Names(names)
                }
            }
            _ => {
                let first = self.int()?;
                if self.peek() == Some(':') {
                    self.pos += 1;
                    let end = self.int()?;
                    let stepv = if self.eat(':') { self.int()? } else { None };
                    Step::Slice(first, end, stepv)
                } else {
                    let Some(first) = first else {
                        return Err(invalid(format!(
                            "unexpected '{}' in brackets at position {} in '{}'",
                            self.peek().unwrap_or(' '),
                            self.pos,
                            self.text()
                        )));
                    };
                    if self.peek() == Some(',') {
                        let mut is = vec![first];
                        while self.eat(',') {
                            let i = self.int()?.ok_or_else(|| {
                                invalid(format!("expected an index after ',' in '{}'", self.text()))
                            })?;
                            is.push(i);
                        }
                        Step::Indices(is)
                    } else {
                        Step::Index(first)
                    }
                }
            }
        };
        if !self.eat(']') {
            return Err(invalid(format!(
                "expected ']' at position {} in '{}'",
                self.pos,
                self.text()
            )));
        }
        Ok(step)
    }

    fn expr(&mut self) -> Result<Expr, PathError> {
        self.depth += 1;
        if self.depth > MAX_FILTER_DEPTH {
            return Err(invalid("filter expression nested too deeply"));
        }
        let mut left = self.and_expr()?;
        loop {
            self.skip_ws();
            if self.peek() == Some('|') && self.peek_at(1) == Some('|') {
                self.pos += 2;
                let right = self.and_expr()?;
                left = Expr::Or(Box::new(left), Box::new(right));
            } else {
                break;
            }
        }
        self.depth -= 1;
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Expr, PathError> {
        let mut left = self.unary()?;
        loop {
            self.skip_ws();
            if self.peek() == Some('&') && self.peek_at(1) == Some('&') {
                self.pos += 2;
                let right = self.unary()?;
                left = Expr::And(Box::new(left), Box::new(right));
            } else {
                break;
            }
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, PathError> {
        self.skip_ws();
        if self.peek() == Some('!') && self.peek_at(1) != Some('=') {
            self.pos += 1;
            self.depth += 1;
            if self.depth > MAX_FILTER_DEPTH {
                return Err(invalid("filter expression nested too deeply"));
            }
            let e = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e)));
        }
        if self.peek() == Some('(') {
            self.pos += 1;
            let e = self.expr()?;
            self.skip_ws();
            if !self.eat(')') {
                return Err(invalid(format!(
                    "unclosed '(' in filter in '{}'",
                    self.text()
                )));
            }
            return Ok(e);
        }
        let left = self.operand()?;
        self.skip_ws();
        let Some(op) = self.cmp_op() else {
            return Ok(Expr::Exists(left));
        };
        self.skip_ws();
        let right = if op == CmpOp::Regex {
            self.regex()?
        } else {
            self.operand()?
        };
        Ok(Expr::Cmp(left, op, right))
    }

    fn cmp_op(&mut self) -> Option<CmpOp> {
        let two: String = self
            .s
            .get(self.pos..self.pos + 2)
            .unwrap_or_default()
            .iter()
            .collect();
        let op = match two.as_str() {
            "==" => Some((CmpOp::Eq, 2)),
            "!=" => Some((CmpOp::Ne, 2)),
            "<=" => Some((CmpOp::Le, 2)),
            ">=" => Some((CmpOp::Ge, 2)),
            "=~" => Some((CmpOp::Regex, 2)),
            _ => None,
        };
        let op = op.or_else(|| match self.peek() {
            Some('<') => Some((CmpOp::Lt, 1)),
            Some('>') => Some((CmpOp::Gt, 1)),
            _ => None,
        });
        if let Some((op, n)) = op {
            self.pos += n;
            if op == CmpOp::Eq {
                self.eat('='); // `===` is accepted as `==`
            }
            return Some(op);
        }
        for (word, op) in [
            ("subsetof", CmpOp::SubsetOf),
            ("contains", CmpOp::Contains),
            ("noneof", CmpOp::NoneOf),
            ("anyof", CmpOp::AnyOf),
            ("empty", CmpOp::Empty),
            ("size", CmpOp::Size),
            ("nin", CmpOp::Nin),
            ("in", CmpOp::In),
        ] {
            let n = word.chars().count();
            let got: String = self
                .s
                .get(self.pos..self.pos + n)
                .unwrap_or_default()
                .iter()
                .collect();
            let after = self.s.get(self.pos + n).copied();
            if got.eq_ignore_ascii_case(word) && after.is_none_or(|c| !c.is_alphanumeric()) {
                self.pos += n;
                return Some(op);
            }
        }
        None
    }

    fn regex(&mut self) -> Result<Operand, PathError> {
        if !self.eat('/') {
            return Err(invalid(format!(
                "=~ expects a /regex/ in '{}'",
                self.text()
            )));
        }
        let mut pat = String::new();
        loop {
            match self.peek() {
                None => return Err(invalid("unterminated regular expression")),
                Some('\\') if self.peek_at(1) == Some('/') => {
                    pat.push('/');
                    self.pos += 2;
                }
                Some('\\') => {
                    pat.push('\\');
                    if let Some(c) = self.peek_at(1) {
                        pat.push(c);
                    }
                    self.pos += 2;
                }
                Some('/') => {
                    self.pos += 1;
                    break;
                }
                Some(c) => {
                    pat.push(c);
                    self.pos += 1;
                }
            }
        }
        let mut icase = false;
        while let Some(c) = self.peek().filter(|c| c.is_ascii_alphabetic()) {
            if c == 'i' {
                icase = true;
            }
            self.pos += 1;
        }
        Ok(Operand::Regex(pat, icase))
    }

    fn operand(&mut self) -> Result<Operand, PathError> {
        self.skip_ws();
        match self.peek() {
            Some('@') | Some('$') => {
                let p = self.path()?;
                Ok(Operand::Path(Box::new(p)))
            }
            Some('\'') | Some('"') => Ok(Operand::Literal(Value::String(self.quoted()?))),
            Some('[') => {
                // A JSON-ish array literal: read to the matching ']'.
                let start = self.pos;
                let mut depth = 0usize;
                let mut quote: Option<char> = None;
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    match (quote, c) {
                        (Some(q), '\\') => {
                            let _ = q;
                            self.pos += 1;
                        }
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, '\'' | '"') => quote = Some(c),
                        (None, '[') => depth += 1,
                        (None, ']') => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let raw: String = self
                    .s
                    .get(start..self.pos)
                    .unwrap_or_default()
                    .iter()
                    .collect();
                let json = single_to_double_quotes(&raw);
                serde_json::from_str(&json)
                    .map(Operand::Literal)
                    .map_err(|_| invalid(format!("bad array literal {raw} in filter")))
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
                let raw: String = self
                    .s
                    .get(start..self.pos)
                    .unwrap_or_default()
                    .iter()
                    .collect();
                let n = ::jsonata::parse_f64(&raw)
                    .ok_or_else(|| invalid(format!("bad number '{raw}' in filter")))?;
                let v = if let Ok(i) = raw.parse::<i64>() {
                    Value::from(i)
                } else {
                    Number::from_f64(n)
                        .map(Value::Number)
                        .unwrap_or(Value::Null)
                };
                Ok(Operand::Literal(v))
            }
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
                    if got == word {
                        self.pos += n;
                        return Ok(Operand::Literal(v));
                    }
                }
                Err(invalid(format!(
                    "unexpected '{}' in filter at position {} in '{}'",
                    self.peek().unwrap_or(' '),
                    self.pos,
                    self.text()
                )))
            }
        }
    }
}

fn single_to_double_quotes(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut in_single = false;
    let mut in_double = false;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '\'' if !in_double => {
                in_single = !in_single;
                out.push('"');
            }
            '"' if in_single => out.push_str("\\\""),
            '"' => {
                in_double = !in_double;
                out.push('"');
            }
            _ => out.push(c),
        }
    }
    out
}

fn is_var_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_var_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn doubles_print_as_javas_double_to_string() {
        for (x, text) in [
            (1.0, "1.0"),
            (1.1, "1.1"),
            (123.0, "123.0"),
            (-0.5, "-0.5"),
            (0.001, "0.001"),
            (1_234_567.5, "1234567.5"),
            (1e7, "1.0E7"),
            (1e20, "1.0E20"),
            (1.5e-5, "1.5E-5"),
            (-2.5e-10, "-2.5E-10"),
            (0.0, "0.0"),
        ] {
            let n = Number::from_f64(x).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(java_number(&n), text);
        }
    }

    #[test]
    fn the_simple_set_shortcut_agrees_with_the_parser() {
        let doc = json!({"a": {"b": 1}, "n": null, "s": "x", "last": [1]});
        for path in [
            "$.a", "$.a.b", "$.a.c.d", "$.n.x", "$.s.x", "$.last", "$.new",
        ] {
            let parsed = Path::parse(path).and_then(|p| p.set(doc.clone(), json!(7)));
            assert_eq!(set(path, doc.clone(), json!(7)), parsed, "{path}");
        }
    }

    #[test]
    fn setting_into_a_shared_document_agrees_with_setting_into_a_copy() {
        let doc = json!({"a": {"b": 1}, "n": null, "s": "x", "last": [1]});
        for path in [
            "$", "$.a", "$.a.b", "$.a.c.d", "$.n.x", "$.s.x", "$.last", "$.new", "$['a']",
        ] {
            let shared = set_shared(path, &doc, json!(7));
            assert_eq!(shared, set(path, doc.clone(), json!(7)), "{path}");
            if let Ok(v) = shared {
                // Replaced members keep their place, new ones come last.
                assert_eq!(
                    v.to_string(),
                    set(path, doc.clone(), json!(7))
                        .unwrap_or_default()
                        .to_string()
                );
            }
        }
    }

    #[test]
    fn the_simple_path_shortcut_agrees_with_the_parser() {
        let doc = json!({"a": {"b": [10, 20, {"c": true}]}, "n": null});
        let ctx = json!({"Map": {"Item": {"Value": [5, 6]}}});
        let roots = Roots {
            input: &doc,
            context: &ctx,
            variables: None,
        };
        for path in [
            "$",
            "$.a",
            "$.a.b[1]",
            "$.a.b[2].c",
            "$.a.b[3]",
            "$.a.b[0].c",
            "$.a[0]",
            "$.n[0]",
            "$.nope",
            "$.a.b[01]",
            "$.a.b[-1]",
            "$$.Map.Item.Value[1]",
            "$.a.b[1][0]",
        ] {
            let parsed = Path::parse(path).and_then(|p| p.select(roots));
            assert_eq!(select(path, roots), parsed, "{path}");
        }
    }

    fn sel(path: &str, input: &Value) -> Result<Value, PathError> {
        let ctx = json!({"Execution": {"Name": "exec"}, "State": {"Name": "S"}});
        let mut vars = Map::new();
        vars.insert("myVar".into(), json!({"x": [1, 2, 3]}));
        select(
            path,
            Roots {
                input,
                context: &ctx,
                variables: Some(&vars),
            },
        )
    }

    fn store() -> Value {
        json!({"store": {"book": [
            {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
            {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
            {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553", "price": 8.99},
            {"category": "fiction", "author": "J. R. R. Tolkien", "title": "LOTR", "isbn": "0-395", "price": 22.99}
        ], "bicycle": {"color": "red", "price": 19.95}}, "expensive": 10})
    }

    #[test]
    fn definite_paths_yield_the_node() {
        let doc = json!({"a": {"b": [10, 20, {"c d": true}]}, "weird-key:x": 1});
        assert_eq!(sel("$", &doc), Ok(doc.clone()));
        assert_eq!(sel("$.a.b[1]", &doc), Ok(json!(20)));
        assert_eq!(sel("$['a']['b'][2]['c d']", &doc), Ok(json!(true)));
        assert_eq!(sel("$.a.b[-1]", &doc), Ok(json!({"c d": true})));
        assert_eq!(sel("$.weird-key:x", &doc), Ok(json!(1)));
        assert_eq!(sel("$[\"a\"].b[0]", &doc), Ok(json!(10)));
    }

    #[test]
    fn a_missing_definite_path_is_not_found() {
        let doc = json!({"a": {"b": [1]}});
        assert_eq!(sel("$.x", &doc), Err(PathError::NotFound));
        assert_eq!(sel("$.a.b[5]", &doc), Err(PathError::NotFound));
        assert_eq!(sel("$.a.b.c", &doc), Err(PathError::NotFound));
        assert_eq!(sel("$.a.b[0].c", &doc), Err(PathError::NotFound));
    }

    #[test]
    fn context_and_variables_are_roots() {
        let doc = json!({});
        assert_eq!(sel("$$.Execution.Name", &doc), Ok(json!("exec")));
        assert_eq!(sel("$myVar.x[0]", &doc), Ok(json!(1)));
        assert_eq!(sel("$myVar", &doc), Ok(json!({"x": [1, 2, 3]})));
        assert_eq!(
            sel("$nope.x", &doc),
            Err(PathError::UnknownVariable("nope".into()))
        );
    }

    #[test]
    fn indefinite_paths_yield_arrays_even_when_empty() {
        let doc = json!({});
        for p in [
            "$.items[*]",
            "$.items[1:]",
            "$.item.items[1:5].itemValue",
            "$[*]",
            "$..x",
        ] {
            assert_eq!(sel(p, &doc), Ok(json!([])), "{p}");
        }
    }

    #[test]
    fn wildcards_slices_unions_and_deep_scan() {
        let s = store();
        assert_eq!(
            sel("$.store.book[*].author", &s).map(|v| v.as_array().map(Vec::len)),
            Ok(Some(4))
        );
        assert_eq!(
            sel("$.store.book[0,2].title", &s),
            Ok(json!(["Sayings", "Moby Dick"]))
        );
        assert_eq!(sel("$.store.book[:2].price", &s), Ok(json!([8.95, 12.99])));
        assert_eq!(sel("$.store.book[-1:].title", &s), Ok(json!(["LOTR"])));
        assert_eq!(
            sel("$.store.book[0:4:2].title", &s),
            Ok(json!(["Sayings", "Moby Dick"]))
        );
        assert_eq!(
            sel("$..price", &s),
            Ok(json!([8.95, 12.99, 8.99, 22.99, 19.95]))
        );
        assert_eq!(
            sel("$.store.bicycle['color','price']", &s),
            Ok(json!({"color": "red", "price": 19.95}))
        );
        assert_eq!(
            sel("$.store.*", &s).map(|v| v.as_array().map(Vec::len)),
            Ok(Some(2))
        );
    }

    #[test]
    fn filters_compare_and_combine() {
        let s = store();
        assert_eq!(
            sel("$.store.book[?(@.price < 10)].title", &s),
            Ok(json!(["Sayings", "Moby Dick"]))
        );
        assert_eq!(
            sel("$.store.book[?(@.isbn)].title", &s),
            Ok(json!(["Moby Dick", "LOTR"]))
        );
        assert_eq!(
            sel(
                "$.store.book[?(@.category == 'fiction' && @.price > 20)].title",
                &s
            ),
            Ok(json!(["LOTR"]))
        );
        assert_eq!(
            sel(
                "$.store.book[?(@.price > $.expensive || !(@.category != 'reference'))].title",
                &s
            ),
            Ok(json!(["Sayings", "Sword", "LOTR"]))
        );
        assert_eq!(
            sel("$..book[?(@.author =~ /.*REES/i)].price", &s),
            Ok(json!([8.95]))
        );
        assert_eq!(
            sel("$.store.book[?(@.category in ['reference'])].title", &s),
            Ok(json!(["Sayings"]))
        );
        assert_eq!(sel("$.store.book.length()", &s), Ok(json!(4)));
    }

    #[test]
    fn invalid_paths_are_rejected() {
        for p in [
            "",
            "a.b",
            "$.",
            "$[",
            "$.a[?(@.x == )]",
            "$['a'",
            "$.a b",
            "$.a[1",
        ] {
            assert!(validate_path(p).is_err(), "{p}");
        }
        assert!(validate_path("$.a[?(@.x == 1)]").is_ok());
    }

    #[test]
    fn reference_paths_are_names_and_indices_only() {
        assert!(is_reference_path("$"));
        assert!(is_reference_path("$.a.b[0]['c']"));
        assert!(!is_reference_path("$.a[*]"));
        assert!(!is_reference_path("$..a"));
        assert!(!is_reference_path("$$.Execution"));
        assert!(!is_reference_path("$.a[1:2]"));
    }

    #[test]
    fn set_writes_results_like_result_path() {
        assert_eq!(set("$", json!({"a": 1}), json!(5)), Ok(json!(5)));
        assert_eq!(
            set("$.r", json!({"a": 1}), json!(5)),
            Ok(json!({"a": 1, "r": 5}))
        );
        assert_eq!(
            set("$.x.y.z", json!({"a": 1}), json!(true)),
            Ok(json!({"a": 1, "x": {"y": {"z": true}}}))
        );
        assert_eq!(
            set("$.a.b", json!({"a": {"keep": 0}}), json!(2)),
            Ok(json!({"a": {"keep": 0, "b": 2}}))
        );
        assert_eq!(
            set("$.l[1]", json!({"l": [0, 0]}), json!(9)),
            Ok(json!({"l": [0, 9]}))
        );
        assert_eq!(
            set("$.a.b", json!({"a": 3}), json!(1)),
            Err(PathError::NotFound)
        );
        assert_eq!(set("$.a", json!("str"), json!(1)), Err(PathError::NotFound));
    }

    #[test]
    fn not_found_messages_are_jayways() {
        let p = |s: &str| Path::parse(s).unwrap_or_else(|e| panic!("{e}"));
        let doc = json!({"a": {}});
        assert_eq!(
            p("$.NoSuchOutputPath").not_found_message(&doc),
            "No results for path: $['NoSuchOutputPath']"
        );
        assert_eq!(
            p("$.no.such.result.path").not_found_message(&doc),
            "Missing property in path $['no']"
        );
        assert_eq!(
            p("$.a.b").not_found_message(&doc),
            "No results for path: $['a']['b']"
        );
    }

    #[test]
    fn java_to_string_is_like_javas_map_to_string() {
        assert_eq!(
            java_to_string(&json!({"Id": "x", "L": [1, "a"], "N": null})),
            "{Id=x, L=[1, a], N=null}"
        );
        for (v, want) in [
            (json!(1.1), "1.1"),
            (json!(1.0), "1.0"),
            (json!(-0.0), "-0.0"),
            (json!(1e20), "1.0E20"),
            (json!(1.5e-5), "1.5E-5"),
            (json!(12345678.9), "1.23456789E7"),
            (json!(42), "42"),
        ] {
            assert_eq!(java_to_string(&v), want);
        }
    }

    #[test]
    fn deep_documents_do_not_overflow() {
        let mut v = json!(1);
        for _ in 0..3000 {
            let mut m = Map::new();
            m.insert("a".into(), v);
            v = Value::Object(m);
        }
        // The deep scan walks every level without recursing.
        // The deep scan walks every level without recursing.
        assert_eq!(sel("$..b", &v), Ok(json!([])));
        assert_eq!(sel("$..a[?(@.zz)]", &v), Ok(json!([])));
        // Dropping a deep Value recurses in serde_json: leak it to keep the test stack small.
        std::mem::forget(v);
    }
}
