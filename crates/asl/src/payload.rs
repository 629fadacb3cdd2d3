//! Payload templates: `Parameters`, `ResultSelector`, `ItemSelector`, `Credentials` with `.$` keys resolved.

use crate::error::Failure;
use crate::intrinsics::{self, Call};
use crate::jsonpath::{Path, PathError, Roots};
use crate::rng::Rng;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Resolves a payload template against the roots: keys ending in `.$` take a path, a context
/// path, a variable reference or an intrinsic call; everything else is copied. Errors are AWS's
/// (`States.Runtime` with AWS's cause for a path that cannot be found).
///
/// This parses the template's expressions on every call; an engine resolving the same template
/// many times (a Map's `ItemSelector`, a loop) can [`Template::compile`] it once instead.
pub fn resolve(template: &Value, roots: Roots<'_>, rng: &mut Rng) -> Result<Value, Failure> {
    resolve_direct(template, roots, rng, 0)
}

/// Walks the template without compiling it (no copy of the template itself): plain paths take
/// the JSONPath fast path, intrinsic calls are parsed where they stand.
fn resolve_direct(
    v: &Value,
    roots: Roots<'_>,
    rng: &mut Rng,
    depth: usize,
) -> Result<Value, Failure> {
    if depth > MAX_DEPTH {
        return Err(Failure::runtime(
            "the payload template is nested too deeply",
        ));
    }
    match v {
        Value::Object(m) => {
            let mut out = Map::with_capacity(m.len());
            for (k, x) in m {
                match k.strip_suffix(".$") {
                    Some(name) => {
                        let Value::String(expr) = x else {
                            return Err(Failure::runtime(format!(
                                "The value for the field '{k}' must be a STRING that contains a JSONPath but was an {}",
                                type_word(x)
                            )));
                        };
                        out.insert(name.to_string(), resolve_expr(k, expr, roots, rng)?);
                    }
                    None => {
                        out.insert(k.clone(), resolve_direct(x, roots, rng, depth + 1)?);
                    }
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(a) => Ok(Value::Array(
            a.iter()
                .map(|x| resolve_direct(x, roots, rng, depth + 1))
                .collect::<Result<_, _>>()?,
        )),
        other => Ok(other.clone()),
    }
}

fn resolve_expr(
    field: &str,
    expr: &str,
    roots: Roots<'_>,
    rng: &mut Rng,
) -> Result<Value, Failure> {
    if intrinsics::is_intrinsic(expr) {
        let call = Call::parse(expr).map_err(|e| {
            Failure::runtime(format!(
                "The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call ({e})"
            ))
        })?;
        return call.evaluate(field, roots, rng);
    }
    match crate::jsonpath::select(expr, roots) {
        Ok(v) => Ok(v),
        Err(PathError::NotFound | PathError::UnknownVariable(_)) => Err(Failure::runtime(
            path_not_found_cause(expr, field, roots.input),
        )),
        Err(PathError::Invalid(_)) => Err(Failure::runtime(format!(
            "The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call"
        ))),
    }
}

/// A payload template with its `.$` values parsed once.
#[derive(Debug, Clone)]
pub struct Template {
    node: Node,
}

#[derive(Debug, Clone)]
enum Node {
    /// Copied as is (a subtree with no `.$` keys anywhere).
    Literal(Value),
    /// The members in order, and (when no two have the same name) the object with every
    /// member `null`: a copy of it is filled in place, without hashing the names again.
    Object(Vec<(String, Node)>, Option<Map<String, Value>>),
    Array(Vec<Node>),
    /// `"key.$": "$..."`: `field` is the key as written (AWS names it in causes).
    Path {
        field: String,
        path: Path,
    },
    /// `"key.$": "States.X(...)"`
    Intrinsic {
        field: String,
        call: Box<Call>,
    },
}

impl Template {
    /// Parses every `.$` value of `template`. The error says which field is wrong (for
    /// validation and for a definition that slipped past it).
    pub fn compile(template: &Value) -> Result<Template, String> {
        Ok(Template {
            node: compile_node(template, 0)?,
        })
    }

    /// Resolves the template against the roots.
    pub fn resolve(&self, roots: Roots<'_>, rng: &mut Rng) -> Result<Value, Failure> {
        resolve_node(&self.node, roots, rng)
    }
}

/// How deeply templates may nest (serde_json's own parser stops at 128).
const MAX_DEPTH: usize = 256;

fn has_dollar_key(v: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return true;
    }
    match v {
        Value::Object(m) => m
            .iter()
            .any(|(k, x)| k.ends_with(".$") || has_dollar_key(x, depth + 1)),
        Value::Array(a) => a.iter().any(|x| has_dollar_key(x, depth + 1)),
        _ => false,
    }
}

fn compile_node(v: &Value, depth: usize) -> Result<Node, String> {
    if depth > MAX_DEPTH {
        return Err("the payload template is nested too deeply".into());
    }
    if !has_dollar_key(v, depth) {
        return Ok(Node::Literal(v.clone()));
    }
    match v {
        Value::Object(m) => {
            let mut out = Vec::with_capacity(m.len());
            for (k, x) in m {
                match k.strip_suffix(".$") {
                    Some(name) => {
                        let Value::String(expr) = x else {
                            return Err(format!(
                                "The value for the field '{k}' must be a STRING that contains a JSONPath but was an {}",
                                type_word(x)
                            ));
                        };
                        out.push((name.to_string(), compile_expr(k, expr)?));
                    }
                    None => out.push((k.clone(), compile_node(x, depth + 1)?)),
                }
            }
            let proto: Map<String, Value> =
                out.iter().map(|(k, _)| (k.clone(), Value::Null)).collect();
            let proto = (proto.len() == out.len()).then_some(proto);
            Ok(Node::Object(out, proto))
        }
        Value::Array(a) => Ok(Node::Array(
            a.iter()
                .map(|x| compile_node(x, depth + 1))
                .collect::<Result<_, _>>()?,
        )),
        other => Ok(Node::Literal(other.clone())),
    }
}

fn type_word(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Bool(_) => "BOOLEAN",
        Value::Number(_) => "NUMBER",
        Value::String(_) => "STRING",
        Value::Array(_) => "ARRAY",
        Value::Object(_) => "OBJECT",
    }
}

fn compile_expr(field: &str, expr: &str) -> Result<Node, String> {
    if intrinsics::is_intrinsic(expr) {
        let call = Call::parse(expr).map_err(|e| {
            format!("The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call ({e})")
        })?;
        return Ok(Node::Intrinsic {
            field: field.to_string(),
            call: Box::new(call),
        });
    }
    let path = Path::parse(expr).map_err(|_| {
        format!("The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call")
    })?;
    Ok(Node::Path {
        field: field.to_string(),
        path,
    })
}

/// AWS's cause for a `.$` path that selects nothing:
/// `The JSONPath '$.x' specified for the field 'x.$' could not be found in the input '{...}'`.
pub fn path_not_found_cause(path: &str, field: &str, input: &Value) -> String {
    format!(
        "The JSONPath '{path}' specified for the field '{field}' could not be found in the input '{}'",
        compact(input)
    )
}

/// Compact JSON text of a value, as AWS quotes inputs in causes.
///
/// AWS serialises with Jackson: doubles as Java prints them (`1.0E20`), control characters as
/// `\n`-style or upper-case `\u001F` escapes, everything else (including non-ASCII) as is.
pub fn compact(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, &mut out, &JACKSON);
    out
}

/// How one of AWS's JSON writers spells a value: the engine's one writer takes it as a parameter.
pub(crate) struct JsonStyle {
    /// Between array items and object members.
    pub item_sep: &'static str,
    /// Between a key and its value.
    pub key_sep: &'static str,
    /// Non-ASCII as `\uXXXX` (UTF-16 units) too, as Python's `ensure_ascii` does.
    pub ascii: bool,
    /// Hex digits of `\uXXXX` escapes.
    pub hex: &'static [u8; 16],
    /// Numbers as Java prints them (else as serde_json writes them).
    pub java_numbers: bool,
}

/// Jackson's compact text (see [`compact`]).
const JACKSON: JsonStyle = JsonStyle {
    item_sep: ",",
    key_sep: ":",
    ascii: false,
    hex: b"0123456789ABCDEF",
    java_numbers: true,
};

/// Writes `v` as JSON text in `style`, `null` below [`MAX_DEPTH`] levels.
pub(crate) fn write_json(v: &Value, out: &mut String, style: &JsonStyle) {
    write_json_at(v, out, style, 0);
}

fn write_json_at(v: &Value, out: &mut String, style: &JsonStyle, depth: usize) {
    if depth > MAX_DEPTH {
        out.push_str("null");
        return;
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if style.java_numbers => out.push_str(&crate::jsonpath::java_number(n)),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_json_string(s, out, style),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(style.item_sep);
                }
                write_json_at(x, out, style, depth + 1);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(style.item_sep);
                }
                write_json_string(k, out, style);
                out.push_str(style.key_sep);
                write_json_at(x, out, style, depth + 1);
            }
            out.push('}');
        }
    }
}

fn write_json_string(s: &str, out: &mut String, style: &JsonStyle) {
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
            c if (c as u32) < 0x20 || style.ascii && (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str("\\u");
                    for shift in [12, 8, 4, 0] {
                        let digit = style.hex.get(usize::from(*unit >> shift & 15));
                        out.push(char::from(digit.copied().unwrap_or(b'0')));
                    }
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Selects a `.$` path for `field`, turning "not found" into AWS's `States.Runtime` cause.
pub fn select_field(path: &Path, field: &str, roots: Roots<'_>) -> Result<Value, Failure> {
    path.select(roots).map_err(|e| match e {
        PathError::NotFound | PathError::UnknownVariable(_) => {
            Failure::runtime(path_not_found_cause(path.as_str(), field, roots.input))
        }
        PathError::Invalid(m) => Failure::runtime(m),
    })
}

/// Like [`select_field`], borrowing the selected node when the path is definite.
pub fn select_field_ref<'a>(
    path: &Path,
    field: &str,
    roots: Roots<'a>,
) -> Result<Cow<'a, Value>, Failure> {
    path.select_ref(roots).map_err(|e| match e {
        PathError::NotFound | PathError::UnknownVariable(_) => {
            Failure::runtime(path_not_found_cause(path.as_str(), field, roots.input))
        }
        PathError::Invalid(m) => Failure::runtime(m),
    })
}

fn resolve_node(node: &Node, roots: Roots<'_>, rng: &mut Rng) -> Result<Value, Failure> {
    match node {
        Node::Literal(v) => Ok(v.clone()),
        Node::Object(fields, Some(proto)) => {
            let mut m = proto.clone();
            for (slot, (_, n)) in m.values_mut().zip(fields) {
                *slot = resolve_node(n, roots, rng)?;
            }
            Ok(Value::Object(m))
        }
        Node::Object(fields, None) => {
            let mut m = Map::with_capacity(fields.len());
            for (k, n) in fields {
                m.insert(k.clone(), resolve_node(n, roots, rng)?);
            }
            Ok(Value::Object(m))
        }
        Node::Array(items) => Ok(Value::Array(
            items
                .iter()
                .map(|n| resolve_node(n, roots, rng))
                .collect::<Result<_, _>>()?,
        )),
        // As `resolve_expr` reports them.
        Node::Path { field, path } => path.select(roots).map_err(|e| match e {
            PathError::NotFound | PathError::UnknownVariable(_) => {
                Failure::runtime(path_not_found_cause(path.as_str(), field, roots.input))
            }
            PathError::Invalid(_) => Failure::runtime(format!(
                "The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call"
            )),
        }),
        Node::Intrinsic { field, call } => call.evaluate(field, roots, rng),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(template: Value, input: Value) -> Result<Value, Failure> {
        let ctx = json!({"Execution": {"Id": "arn:exec", "Input": {"k": "v"}}});
        let mut vars = Map::new();
        vars.insert("greeting".into(), json!("hi"));
        let roots = Roots {
            input: &input,
            context: &ctx,
            variables: Some(&vars),
        };
        resolve(&template, roots, &mut Rng::new(1))
    }

    #[test]
    fn dollar_keys_take_paths_and_lose_their_suffix() {
        let out = run(
            json!({"a.$": "$.x", "b": "$.x", "c": {"d.$": "$$.Execution.Id"}, "e.$": "$greeting"}),
            json!({"x": [1, 2]}),
        );
        assert_eq!(
            out,
            Ok(json!({"a": [1, 2], "b": "$.x", "c": {"d": "arn:exec"}, "e": "hi"}))
        );
    }

    #[test]
    fn templates_recurse_through_arrays() {
        let out = run(
            json!({"list": [{"v.$": "$.x"}, 3, "s"]}),
            json!({"x": true}),
        );
        assert_eq!(out, Ok(json!({"list": [{"v": true}, 3, "s"]})));
    }

    #[test]
    fn intrinsics_are_evaluated() {
        let out = run(
            json!({"f.$": "States.Format('{} {}', $greeting, $.n)"}),
            json!({"n": 3}),
        );
        assert_eq!(out, Ok(json!({"f": "hi 3"})));
    }

    #[test]
    fn a_missing_path_is_a_runtime_error_with_awss_cause() {
        let out = run(
            json!({"value.$": "$$.Execution.Input.no_such_jsonpath"}),
            json!({"int-literal": 0}),
        );
        assert_eq!(
            out,
            Err(Failure::runtime(
                "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"int-literal\":0}'"
            ))
        );
    }

    #[test]
    fn compact_text_is_jacksons() {
        assert_eq!(
            compact(&json!({"a": [1, 1.5, 1e20, null, true], "s": "q\"\\\n\u{1}é"})),
            "{\"a\":[1,1.5,1.0E20,null,true],\"s\":\"q\\\"\\\\\\n\\u0001é\"}"
        );
    }

    #[test]
    fn indefinite_paths_that_match_nothing_yield_empty_arrays() {
        assert_eq!(
            run(json!({"item.$": "$.items[*]"}), json!({})),
            Ok(json!({"item": []}))
        );
    }

    #[test]
    fn a_compiled_template_resolves_as_the_template_as_written() {
        let input = json!({"x": [1, 2], "n": 3});
        let ctx = json!({});
        let roots = Roots {
            input: &input,
            context: &ctx,
            variables: None,
        };
        for t in [
            json!({"a.$": "$.x", "b": 1, "c": {"d.$": "$.n", "e": [{"f.$": "$.x[0]"}]}}),
            // The same name twice (`a` and `a.$`): the later value, in the first one's place.
            json!({"a": 1, "b": 2, "a.$": "$.n"}),
            json!({"a.$": "$.missing"}),
        ] {
            let direct = resolve(&t, roots, &mut Rng::new(1));
            let compiled = Template::compile(&t).map(|c| c.resolve(roots, &mut Rng::new(1)));
            assert_eq!(compiled, Ok(direct.clone()), "{t}");
            if let Ok(v) = direct {
                let text = |v: &Value| v.to_string();
                assert_eq!(
                    text(&v),
                    text(&compiled.ok().and_then(Result::ok).unwrap_or_default())
                );
            }
        }
    }

    #[test]
    fn bad_expressions_are_reported_at_compile_time() {
        assert!(Template::compile(&json!({"a.$": "not a path"})).is_err());
        assert!(Template::compile(&json!({"a.$": 5})).is_err());
        assert!(Template::compile(&json!({"a.$": "States.Nope()"})).is_err());
    }
}
