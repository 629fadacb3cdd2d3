//! Placeholder-aware JSON matching for recorded cases: `<x:N>` tokens bind consistently, other `<…>` tokens are wildcards.
//!
//! The recorder masked volatile values (UUIDs, task tokens, timestamps, resource names) with tokens
//! such as `<uuid:1>` or `<ArnPart_0idx>`. An expected string containing tokens is a pattern: each
//! token matches any text; a numbered token (`<name:N>`) must stand for the same text everywhere in
//! one case, which [`Bindings`] remembers.

use serde_json::{Map, Value};
use std::collections::HashMap;

/// What each numbered token stood for so far in one case.
pub type Bindings = HashMap<String, String>;

/// The bare words the recorder used to mask dates.
const DATE_WORDS: [&str; 3] = ["date", "timestamp", "datetime"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Part<'a> {
    Lit(&'a str),
    Tok(&'a str),
}

fn is_token_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b':' | b'-' | b'.')
}

/// Splits a string into literal text and `<token>`s.
fn parts(s: &str) -> Vec<Part<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut lit_start = 0;
    let mut i = 0;
    while i < b.len() {
        // `<<name>:N>`: a numbered reference to a value the recorder had already masked as `<name>`.
        if b.get(i) == Some(&b'<') && b.get(i + 1) == Some(&b'<') {
            let mut j = i + 2;
            while b.get(j).is_some_and(|&c| is_token_char(c) && c != b':') {
                j += 1;
            }
            if j > i + 2 && b.get(j) == Some(&b'>') && b.get(j + 1) == Some(&b':') {
                let mut k = j + 2;
                while b.get(k).is_some_and(u8::is_ascii_digit) {
                    k += 1;
                }
                if k > j + 2 && b.get(k) == Some(&b'>') {
                    if lit_start < i
                        && let Some(l) = s.get(lit_start..i)
                    {
                        out.push(Part::Lit(l));
                    }
                    if let Some(t) = s.get(i..=k) {
                        out.push(Part::Tok(t));
                    }
                    i = k + 1;
                    lit_start = i;
                    continue;
                }
            }
        }
        if b.get(i) == Some(&b'<') {
            let mut j = i + 1;
            while b.get(j).is_some_and(|&c| is_token_char(c)) {
                j += 1;
            }
            if j > i + 1 && b.get(j) == Some(&b'>') {
                if lit_start < i
                    && let Some(l) = s.get(lit_start..i)
                {
                    out.push(Part::Lit(l));
                }
                if let Some(t) = s.get(i..=j) {
                    out.push(Part::Tok(t));
                }
                i = j + 1;
                lit_start = i;
                continue;
            }
        }
        i += 1;
    }
    if lit_start < b.len()
        && let Some(l) = s.get(lit_start..)
    {
        out.push(Part::Lit(l));
    }
    out
}

/// A numbered token (`<uuid:3>`) stands for one value throughout a case.
fn is_bound_token(tok: &str) -> bool {
    let inner = tok.strip_prefix('<').unwrap_or(tok);
    let inner = inner.strip_suffix('>').unwrap_or(inner);
    match inner.rsplit_once(':') {
        Some((name, n)) => {
            !name.is_empty() && !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// True when `s` is a pattern (contains a token or is a masked date word).
pub fn is_pattern(s: &str) -> bool {
    DATE_WORDS.contains(&s) || parts(s).iter().any(|p| matches!(p, Part::Tok(_)))
}

/// True when `s` is exactly one token (or date word): it may also stand for a number or boolean.
fn is_single_token(s: &str) -> bool {
    DATE_WORDS.contains(&s) || matches!(parts(s).as_slice(), [Part::Tok(_)])
}

/// Matches an expected string (possibly a pattern) against an actual one, binding numbered tokens.
/// The bindings change only when it matches.
pub fn match_str(expected: &str, actual: &str, b: &mut Bindings) -> bool {
    if expected == actual {
        // Tokens in the actual text itself (the case's context uses them as names) match literally.
        return true;
    }
    if DATE_WORDS.contains(&expected) {
        return true;
    }
    let ps = parts(expected);
    if ps.iter().any(|p| matches!(p, Part::Tok(_))) {
        let mut nb = b.clone();
        if rec(&ps, actual, &mut nb, 0) {
            *b = nb;
            return true;
        }
    }
    // The run may carry tokens itself (the case's context and input use them for names the
    // recorder masked, sometimes with another token): those stand for any text.
    let ap = parts(actual);
    ap.iter().any(|p| matches!(p, Part::Tok(_))) && {
        let unbound: Vec<Part<'_>> = ap
            .iter()
            .map(|p| match p {
                Part::Tok(_) => Part::Tok("<>"),
                lit => *lit,
            })
            .collect();
        rec(&unbound, expected, &mut Bindings::new(), 0)
    }
}

fn rec(ps: &[Part<'_>], s: &str, b: &mut Bindings, depth: u32) -> bool {
    if depth > 64 {
        return false;
    }
    match ps.split_first() {
        None => s.is_empty(),
        Some((Part::Lit(l), rest)) => s
            .strip_prefix(l)
            .is_some_and(|r| rec(rest, r, b, depth + 1)),
        Some((Part::Tok(t), rest)) => {
            if is_bound_token(t)
                && let Some(v) = b.get(*t)
            {
                let v = v.clone();
                return s
                    .strip_prefix(v.as_str())
                    .is_some_and(|r| rec(rest, r, b, depth + 1));
            }
            // Candidate ends: everywhere, or only where the next literal starts.
            let next_lit = match rest.first() {
                Some(Part::Lit(l)) => Some(*l),
                _ => None,
            };
            let mut ends: Vec<usize> = if rest.is_empty() {
                vec![s.len()]
            } else {
                (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect()
            };
            if let Some(l) = next_lit {
                ends.retain(|&i| s.get(i..).is_some_and(|r| r.starts_with(l)));
            }
            for i in ends {
                let (Some(head), Some(tail)) = (s.get(..i), s.get(i..)) else {
                    continue;
                };
                let mut nb = b.clone();
                if is_bound_token(t) {
                    nb.insert((*t).to_string(), head.to_string());
                }
                if rec(rest, tail, &mut nb, depth + 1) {
                    *b = nb;
                    return true;
                }
            }
            false
        }
    }
}

/// Numbers compare numerically (`1` equals `1.0`).
pub fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Matches an expected JSON value (strings may be patterns) against an actual one. Object key
/// order is ignored, numbers compare numerically. The bindings change only when it matches.
pub fn match_value(expected: &Value, actual: &Value, b: &mut Bindings) -> bool {
    let mut nb = b.clone();
    if match_in(expected, actual, &mut nb, 0) {
        *b = nb;
        true
    } else {
        false
    }
}

fn match_in(e: &Value, a: &Value, b: &mut Bindings, depth: u32) -> bool {
    if depth > 256 {
        return e == a;
    }
    match (e, a) {
        (Value::String(es), Value::String(as_)) => {
            match_str(es, as_, b) || json_texts_match(es, as_, b, depth)
        }
        (Value::String(es), Value::Number(_) | Value::Bool(_)) if is_single_token(es) => {
            match_str(es, &a.to_string(), b)
        }
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| match_in(x, y, b, depth + 1))
        }
        (Value::Object(xo), Value::Object(yo)) => match_objects(xo, yo, b, depth),
        _ => e == a,
    }
}

/// Two JSON texts (e.g. a cause that AWS and the recorder serialised differently) compare as values.
fn json_texts_match(e: &str, a: &str, b: &mut Bindings, depth: u32) -> bool {
    let looks_json = |s: &str| matches!(s.trim_start().as_bytes().first(), Some(b'{' | b'['));
    if !looks_json(e) || !looks_json(a) {
        return false;
    }
    match (
        serde_json::from_str::<Value>(e),
        serde_json::from_str::<Value>(a),
    ) {
        (Ok(ev), Ok(av)) => {
            let mut nb = b.clone();
            if match_in(&ev, &av, &mut nb, depth + 1) {
                *b = nb;
                true
            } else {
                false
            }
        }
        _ => false,
    }
}

fn match_objects(
    xo: &Map<String, Value>,
    yo: &Map<String, Value>,
    b: &mut Bindings,
    depth: u32,
) -> bool {
    if xo.len() != yo.len() {
        return false;
    }
    let mut leftover_expected = Vec::new();
    for (k, x) in xo {
        match yo.get(k) {
            Some(y) => {
                if !match_in(x, y, b, depth + 1) {
                    return false;
                }
            }
            None => leftover_expected.push((k, x)),
        }
    }
    if leftover_expected.is_empty() {
        return true;
    }
    // Keys that are patterns pair with the actual keys nothing else claimed.
    let mut free: Vec<(&String, &Value)> =
        yo.iter().filter(|(k, _)| !xo.contains_key(*k)).collect();
    for (k, x) in leftover_expected {
        let pos = free.iter().position(|(ak, av)| {
            let mut nb = b.clone();
            if match_str(k, ak, &mut nb) && match_in(x, av, &mut nb, depth + 1) {
                *b = nb;
                true
            } else {
                false
            }
        });
        match pos {
            Some(p) => {
                free.remove(p);
            }
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbered_tokens_bind_consistently() {
        let mut b = Bindings::new();
        assert!(match_str("<uuid:1>", "abc", &mut b));
        assert!(match_str("id-<uuid:1>", "id-abc", &mut b));
        assert!(!match_str("<uuid:1>", "xyz", &mut b));
        assert!(match_str("<uuid:2>", "xyz", &mut b));
    }

    #[test]
    fn unnumbered_tokens_are_wildcards() {
        let mut b = Bindings::new();
        assert!(match_str(
            "arn:aws:states:us-east-1:111111111111:execution:<ArnPart_0idx>:<ExecArnPart_0idx>",
            "arn:aws:states:us-east-1:111111111111:execution:Machine:exec-1",
            &mut b
        ));
        assert!(match_str("<timestamp>", "2024-01-01", &mut b));
        assert!(match_str("date", "anything", &mut b));
        assert!(!match_str("plain", "other", &mut b));
        assert!(match_str("a < b > c", "a < b > c", &mut b));
        assert!(!match_str("a < b > c", "a < x > c", &mut b));
    }

    #[test]
    fn references_to_masked_values_are_numbered_tokens() {
        let mut b = Bindings::new();
        assert!(match_str("<<task_token>:1>", "tok-1", &mut b));
        assert!(match_str("x <<task_token>:1>", "x tok-1", &mut b));
        assert!(!match_str("<<task_token>:1>", "tok-2", &mut b));
    }

    #[test]
    fn tokens_in_the_run_stand_for_any_text() {
        let mut b = Bindings::new();
        assert!(match_str(
            "arn:aws:iam::1:role/<resource:1>",
            "<snf_role_arn>",
            &mut b
        ));
        assert!(match_str(
            "arn:aws:iam::1:role/r",
            "arn:aws:iam::1:role/<x>",
            &mut b
        ));
        assert!(!match_str(
            "arn:aws:iam::1:user/r",
            "arn:aws:iam::1:role/<x>",
            &mut b
        ));
        assert!(b.is_empty());
    }

    #[test]
    fn json_texts_compare_as_values() {
        let mut b = Bindings::new();
        assert!(match_value(
            &json!({"Cause": "{\"a\": 1, \"id\": \"<uuid:1>\"}"}),
            &json!({"Cause": "{\"id\":\"x\",\"a\":1}"}),
            &mut b
        ));
        assert!(!match_value(
            &json!("{\"a\": 1}"),
            &json!("{\"a\":2}"),
            &mut b
        ));
    }

    #[test]
    fn failed_match_leaves_bindings_alone() {
        let mut b = Bindings::new();
        assert!(!match_value(
            &json!({"a": "<uuid:1>", "b": 1}),
            &json!({"a": "x", "b": 2}),
            &mut b
        ));
        assert!(b.is_empty());
    }

    #[test]
    fn values_compare_numerically_and_ignore_key_order() {
        let mut b = Bindings::new();
        assert!(match_value(
            &json!({"x": 1, "y": [1.0, "<uuid:1>"]}),
            &json!({"y": [1, "u"], "x": 1.0}),
            &mut b
        ));
        assert!(!match_value(
            &json!({"x": 1}),
            &json!({"x": 1, "y": 2}),
            &mut b
        ));
        assert!(match_value(
            &json!("<timestamp>"),
            &json!(1700000000),
            &mut b
        ));
    }

    #[test]
    fn token_keys_match_free_keys() {
        let mut b = Bindings::new();
        assert!(match_value(
            &json!({"<uuid:1>": 1, "k": 2}),
            &json!({"k": 2, "abc": 1}),
            &mut b
        ));
        assert_eq!(b.get("<uuid:1>").map(String::as_str), Some("abc"));
    }
}
