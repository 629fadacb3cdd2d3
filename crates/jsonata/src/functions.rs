//! The built-in function library: signatures, arities and implementations of JSONata's `$functions`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::error::{R, err};
use crate::eval::{Ev, Frame, append, boolean, cmp_utf16, lookup, merge_sort};
use crate::regex::Match;
use crate::signature::Signature;
use crate::value::{OUTER, Object, SEQ, Value, deep_equal, js_number, round15, stringify};

/// (name, signature, declared JavaScript parameter count)
const TABLE: &[(&str, &str, usize)] = &[
    ("sum", "<a<n>:n>", 1),
    ("count", "<a:n>", 1),
    ("max", "<a<n>:n>", 1),
    ("min", "<a<n>:n>", 1),
    ("average", "<a<n>:n>", 1),
    ("string", "<x-b?:s>", 1),
    ("substring", "<s-nn?:s>", 3),
    ("substringBefore", "<s-s:s>", 2),
    ("substringAfter", "<s-s:s>", 2),
    ("lowercase", "<s-:s>", 1),
    ("uppercase", "<s-:s>", 1),
    ("length", "<s-:n>", 1),
    ("trim", "<s-:s>", 1),
    ("pad", "<s-ns?:s>", 3),
    ("match", "<s-f<s:o>n?:a<o>>", 3),
    ("contains", "<s-(sf):b>", 2),
    ("replace", "<s-(sf)(sf)n?:s>", 4),
    ("split", "<s-(sf)n?:a<s>>", 3),
    ("join", "<a<s>s?:s>", 2),
    ("formatNumber", "<n-so?:s>", 3),
    ("formatBase", "<n-n?:s>", 2),
    ("formatInteger", "<n-s:s>", 2),
    ("parseInteger", "<s-s:n>", 2),
    ("number", "<(nsb)-:n>", 1),
    ("floor", "<n-:n>", 1),
    ("ceil", "<n-:n>", 1),
    ("round", "<n-n?:n>", 2),
    ("abs", "<n-:n>", 1),
    ("sqrt", "<n-:n>", 1),
    ("power", "<n-n:n>", 2),
    ("random", "<:n>", 0),
    ("boolean", "<x-:b>", 1),
    ("not", "<x-:b>", 1),
    ("map", "<af>", 2),
    ("zip", "<a+>", 0),
    ("filter", "<af>", 2),
    ("single", "<af?>", 2),
    ("reduce", "<afj?:j>", 3),
    ("sift", "<o-f?:o>", 2),
    ("keys", "<x-:a<s>>", 1),
    ("lookup", "<x-s:x>", 2),
    ("append", "<xx:a>", 2),
    ("exists", "<x:b>", 1),
    ("spread", "<x-:a<o>>", 1),
    ("merge", "<a<o>:o>", 1),
    ("reverse", "<a:a>", 1),
    ("each", "<o-f:a>", 2),
    ("error", "<s?:x>", 1),
    ("assert", "<bs?:x>", 2),
    ("type", "<x:s>", 1),
    ("sort", "<af?:a>", 2),
    ("shuffle", "<a:a>", 1),
    ("distinct", "<x:x>", 1),
    ("base64encode", "<s-:s>", 1),
    ("base64decode", "<s-:s>", 1),
    ("encodeUrlComponent", "<s-:s>", 1),
    ("encodeUrl", "<s-:s>", 1),
    ("decodeUrlComponent", "<s-:s>", 1),
    ("decodeUrl", "<s-:s>", 1),
    ("eval", "<sx?:x>", 2),
    ("toMillis", "<s-s?:n>", 2),
    ("fromMillis", "<n-s?s?:s>", 3),
    ("clone", "<(oa)-:o>", 1),
    ("now", "<s?s?:s>", 2),
    ("millis", "<:n>", 0),
    ("__transform", "<(oa):o>", 1),
];

thread_local! {
    static INDEX: HashMap<&'static str, usize> =
        TABLE.iter().enumerate().map(|(i, (n, _, _))| (*n, i)).collect();
    static SIGS: RefCell<Vec<Option<Rc<Signature>>>> = RefCell::new(vec![None; TABLE.len()]);
}

/// The position of a built-in in the table (`__transform` included).
pub fn index(name: &str) -> Option<usize> {
    INDEX.with(|m| m.get(name).copied())
}

/// The built-in names, for listing.
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE
        .iter()
        .map(|(n, _, _)| *n)
        .filter(|n| !n.starts_with("__"))
}

pub fn arity_at(i: usize) -> usize {
    TABLE.get(i).map(|x| x.2).unwrap_or(0)
}

pub fn arity(name: &str) -> usize {
    index(name)
        .and_then(|i| TABLE.get(i))
        .map(|x| x.2)
        .unwrap_or(0)
}

fn signature(i: usize) -> Option<Rc<Signature>> {
    let (_, sig, _) = TABLE.get(i)?;
    SIGS.with(|c| {
        let mut c = c.borrow_mut();
        if let Some(Some(s)) = c.get(i) {
            return Some(s.clone());
        }
        let s = Rc::new(Signature::parse(sig).ok()?);
        if let Some(slot) = c.get_mut(i) {
            *slot = Some(s.clone());
        }
        Some(s)
    })
}

pub fn validate_at(idx: Option<usize>, args: &[Value], input: &Value) -> R<Vec<Value>> {
    match idx.and_then(signature) {
        Some(s) => s.validate(args, input),
        None => Ok(args.to_vec()),
    }
}

/// `$string` casting rules (without the undefined case).
pub fn to_string(v: &Value) -> R<String> {
    Ok(match v {
        Value::String(s) => s.to_string(),
        Value::Number(n) if !n.is_finite() => return Err(err("D3001").val(v.clone())),
        Value::Array(a, f) if f & OUTER != 0 => {
            stringify(a.first().unwrap_or(&Value::Undefined), false)
        }
        v if v.is_function() => String::new(),
        v => {
            check_finite(v)?;
            stringify(v, false)
        }
    })
}

fn check_finite(v: &Value) -> R<()> {
    match v {
        Value::Number(n) if !n.is_finite() => Err(err("D1001").val(v.clone())),
        Value::Array(a, _) => a.iter().try_for_each(check_finite),
        Value::Object(o) => o.values().try_for_each(check_finite),
        _ => Ok(()),
    }
}

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or_default()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

fn from_chars(c: &[char]) -> String {
    c.iter().collect()
}

pub fn match_object(chars: &[char], m: &Match, with_index: bool) -> Value {
    let mut o = Object::default();
    o.insert(
        "match".into(),
        Value::string(from_chars(chars.get(m.start..m.end).unwrap_or(&[]))),
    );
    if with_index {
        o.insert("index".into(), Value::Number(m.start as f64));
    } else {
        o.insert("start".into(), Value::Number(m.start as f64));
        o.insert("end".into(), Value::Number(m.end as f64));
    }
    let groups = m
        .groups
        .iter()
        .map(|g| match g {
            Some((a, b)) => Value::string(from_chars(chars.get(*a..*b).unwrap_or(&[]))),
            None => Value::str(""),
        })
        .collect();
    o.insert("groups".into(), Value::arr(groups));
    Value::obj(o)
}

/// A matcher result: positions plus captured groups (None for an undefined group).
struct Found {
    start: usize,
    end: usize,
    groups: Vec<Option<String>>,
    text: String,
}

/// Runs a regex (or a user matcher function) over `s` and collects matches, jsonata-style.
fn find_all(
    ev: &mut Ev,
    matcher: &Value,
    s: &str,
    limit: Option<usize>,
    env: &Rc<Frame>,
) -> R<Vec<Found>> {
    let cs = chars(s);
    let mut out = Vec::new();
    match matcher {
        Value::Regex(re) => {
            let mut from = 0;
            let mut first = true;
            loop {
                if limit.is_some_and(|l| out.len() >= l) {
                    break;
                }
                if !first && from >= cs.len() {
                    break;
                }
                let Some(m) = re.exec(&cs, from)? else { break };
                if !first && m.start == m.end {
                    return Err(err("D1004").val(Value::str(&re.source)));
                }
                first = false;
                ev.charge(1)?;
                from = if m.end == m.start { m.end + 1 } else { m.end };
                out.push(Found {
                    start: m.start,
                    end: m.end,
                    text: from_chars(cs.get(m.start..m.end).unwrap_or(&[])),
                    groups: m
                        .groups
                        .iter()
                        .map(|g| g.map(|(a, b)| from_chars(cs.get(a..b).unwrap_or(&[]))))
                        .collect(),
                });
            }
        }
        f => {
            let mut res = ev.apply(f, vec![Value::str(s)], &Value::Null, env)?;
            let mut guard = 0;
            while !res.is_undef() {
                if limit.is_some_and(|l| out.len() >= l) {
                    break;
                }
                let Value::Object(o) = &res else {
                    return Err(err("T1010"));
                };
                let start = o.get("start").and_then(|v| v.as_f64());
                let groups = o.get("groups");
                let next = o.get("next");
                if start.is_none()
                    && !matches!(groups, Some(Value::Array(..)))
                    && !next.is_some_and(|n| n.is_function())
                {
                    return Err(err("T1010"));
                }
                let text = o
                    .get("match")
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string();
                let start = start.unwrap_or(0.0) as usize;
                let end = o
                    .get("end")
                    .and_then(|v| v.as_f64())
                    .map(|e| e as usize)
                    .unwrap_or(start + text.chars().count());
                out.push(Found {
                    start,
                    end,
                    text,
                    groups: groups
                        .map(|g| {
                            g.members()
                                .iter()
                                .map(|x| x.as_str().map(|s| s.to_string()))
                                .collect()
                        })
                        .unwrap_or_default(),
                });
                guard += 1;
                if guard > 1_000_000 {
                    break;
                }
                match next {
                    Some(n) if n.is_function() => {
                        let n = n.clone();
                        res = ev.apply(&n, vec![], &Value::Null, env)?;
                    }
                    _ => break,
                }
            }
        }
    }
    Ok(out)
}

fn hof_args(ev: &Ev, f: &Value, a: Value, b: Value, c: Value) -> Vec<Value> {
    let n = ev.arity(f);
    let mut v = vec![a];
    if n >= 2 {
        v.push(b);
    }
    if n >= 3 {
        v.push(c);
    }
    v
}

/// JavaScript truthiness (used for user sort comparators).
fn js_truthy(v: &Value) -> bool {
    match v {
        Value::Undefined | Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => *n != 0.0 && !n.is_nan(),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn round_half_even(arg: f64, precision: Option<f64>) -> f64 {
    let p = precision.filter(|p| *p != 0.0 && !p.is_nan());
    let shift = |x: f64, by: f64| -> f64 {
        let s = js_number(x);
        let (m, e) = match s.split_once('e') {
            Some((m, e)) => (m.to_string(), crate::parse_f64(e).unwrap_or(0.0)),
            None => (s, 0.0),
        };
        crate::parse_f64(&format!("{}e{}", m, e + by)).unwrap_or(f64::NAN)
    };
    let mut a = arg;
    if let Some(p) = p {
        a = shift(a, p);
    }
    let mut r = (a + 0.5).floor();
    if (r - a).abs() == 0.5 && (r % 2.0).abs() == 1.0 {
        r -= 1.0;
    }
    if let Some(p) = p {
        r = shift(r, -p);
    }
    if r == 0.0 { 0.0 } else { r }
}

pub fn deep_clone(v: &Value) -> Value {
    match v {
        Value::Number(n) => Value::Number(round15(*n)),
        Value::Array(a, _) => Value::arr(
            a.iter()
                .map(|x| {
                    if x.is_undef() {
                        Value::Null
                    } else {
                        deep_clone(x)
                    }
                })
                .collect(),
        ),
        Value::Object(o) => {
            let mut m = Object::with_capacity_and_hasher(o.len(), Default::default());
            for (k, x) in o.iter() {
                if !x.is_undef() {
                    m.insert(k.clone(), deep_clone(x));
                }
            }
            Value::obj(m)
        }
        f if f.is_function() => Value::str(""),
        x => x.clone(),
    }
}

fn next_random(ev: &mut Ev) -> f64 {
    // splitmix64
    ev.rng = ev.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = ev.rng;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

const URI_UNRESERVED: &str = "-_.!~*'()";
const URI_RESERVED: &str = ";/?:@&=+$,#";

fn encode_uri(s: &str, keep: &str) -> R<Value> {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || URI_UNRESERVED.contains(c) || keep.contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{:02X}", b));
            }
        }
    }
    Ok(Value::string(out))
}

fn decode_uri(s: &str, reserved: &str, fname: &str) -> R<Value> {
    let bad = || {
        let mut e = err("D3140").val(Value::str(s));
        e.fname = Some(fname.into());
        e
    };
    let bytes = s.as_bytes();
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes.get(i).copied().unwrap_or(0);
        if b == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or_else(bad)?;
            let v = u8::from_str_radix(hex, 16).map_err(|_| bad())?;
            let n = if v < 0x80 {
                1
            } else if v & 0xE0 == 0xC0 {
                2
            } else if v & 0xF0 == 0xE0 {
                3
            } else if v & 0xF8 == 0xF0 {
                4
            } else {
                return Err(bad());
            };
            if n == 1 {
                if reserved.contains(v as char) {
                    out.extend_from_slice(s.get(i..i + 3).unwrap_or("").as_bytes());
                } else {
                    out.push(v);
                }
                i += 3;
                continue;
            }
            let mut seq = vec![v];
            let mut j = i + 3;
            for _ in 1..n {
                if bytes.get(j) != Some(&b'%') {
                    return Err(bad());
                }
                let hex = s.get(j + 1..j + 3).ok_or_else(bad)?;
                let w = u8::from_str_radix(hex, 16).map_err(|_| bad())?;
                if w & 0xC0 != 0x80 {
                    return Err(bad());
                }
                seq.push(w);
                j += 3;
            }
            if std::str::from_utf8(&seq).is_err() {
                return Err(bad());
            }
            out.extend_from_slice(&seq);
            i = j;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map(Value::string).map_err(|_| bad())
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(s: &str) -> String {
    // btoa on a 'binary' string: each char's low byte
    let bytes: Vec<u8> = s.chars().map(|c| (c as u32 & 0xFF) as u8).collect();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        for k in 0..4 {
            if k <= chunk.len() {
                let idx = ((n >> (18 - 6 * k)) & 63) as usize;
                out.push(B64.get(idx).copied().unwrap_or(b'A') as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(s: &str) -> String {
    let mut bits = 0u32;
    let mut nbits = 0;
    let mut out = String::new();
    // as Node's Buffer does: decoding stops at the first '=', the URL-safe alphabet is accepted,
    // anything else is skipped
    for c in s.bytes() {
        if c == b'=' {
            break;
        }
        let v = match c {
            b'-' => 62,
            b'_' => 63,
            c => match B64.iter().position(|x| *x == c) {
                Some(v) => v,
                None => continue,
            },
        };
        bits = (bits << 6) | v as u32;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push(char::from(((bits >> nbits) & 0xFF) as u8));
        }
    }
    out
}

fn to_radix(mut n: i64, radix: u32) -> String {
    let neg = n < 0;
    let mut digits = Vec::new();
    if n == 0 {
        digits.push('0');
    }
    while n != 0 {
        let d = (n % radix as i64).unsigned_abs() as u32;
        digits.push(std::char::from_digit(d, radix).unwrap_or('0'));
        n /= radix as i64;
    }
    if neg {
        digits.push('-');
    }
    digits.iter().rev().collect()
}

fn parse_js_number(s: &str) -> Option<f64> {
    let t = s;
    let valid = {
        let b = t.strip_prefix('-').unwrap_or(t);
        let (int, rest) = b.split_at(b.find(|c: char| !c.is_ascii_digit()).unwrap_or(b.len()));
        if int.is_empty() {
            false
        } else {
            let mut rest = rest;
            if let Some(r) = rest.strip_prefix('.') {
                let k = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
                if k == 0 {
                    return None;
                }
                rest = r.get(k..).unwrap_or("");
            }
            if let Some(r) = rest.strip_prefix(['e', 'E']) {
                let r = r.strip_prefix(['+', '-']).unwrap_or(r);
                !r.is_empty() && r.chars().all(|c| c.is_ascii_digit())
            } else {
                rest.is_empty()
            }
        }
    };
    if valid {
        let v: f64 = crate::parse_f64(t)?;
        return if v.is_finite() { Some(v) } else { None };
    }
    let radix = |p: &str, r: u32| -> Option<f64> {
        let body = t.get(2..)?;
        if t.get(..2).map(|x| x.eq_ignore_ascii_case(p)) != Some(true) || body.is_empty() {
            return None;
        }
        let mut v = 0f64;
        for c in body.chars() {
            v = v * r as f64 + c.to_digit(r)? as f64;
        }
        Some(v)
    };
    radix("0x", 16)
        .or_else(|| radix("0o", 8))
        .or_else(|| radix("0b", 2))
}

#[inline(never)]
pub fn call(ev: &mut Ev, name: &str, args: Vec<Value>, input: &Value, env: &Rc<Frame>) -> R<Value> {
    let a0 = arg(&args, 0);
    let undef0 = a0.is_undef();
    macro_rules! str0 {
        () => {
            match &a0 {
                Value::String(s) => s.clone(),
                _ => return Ok(Value::Undefined),
            }
        };
    }
    Ok(match name {
        "sum" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            Value::Number(a0.members().iter().map(num).fold(0.0, |a, b| a + b))
        }
        "count" => Value::Number(a0.members().len() as f64),
        "max" | "min" => {
            let m = a0.members();
            if m.is_empty() {
                return Ok(Value::Undefined);
            }
            let mut acc = if name == "max" {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
            for x in m {
                let v = num(x);
                acc = if name == "max" {
                    acc.max(v)
                } else {
                    acc.min(v)
                };
            }
            Value::Number(acc)
        }
        "average" => {
            let m = a0.members();
            if m.is_empty() {
                return Ok(Value::Undefined);
            }
            Value::Number(m.iter().map(num).fold(0.0, |a, b| a + b) / m.len() as f64)
        }
        "string" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            let pretty = matches!(arg(&args, 1), Value::Bool(true));
            if pretty && !matches!(a0, Value::String(_)) && !a0.is_function() {
                check_finite(&a0)?;
                let v = match &a0 {
                    Value::Array(a, f) if f & OUTER != 0 => a.first().cloned().unwrap_or_default(),
                    v => v.clone(),
                };
                Value::string(stringify(&v, true))
            } else {
                Value::string(to_string(&a0)?)
            }
        }
        "substring" => {
            let s = str0!();
            let cs = chars(&s);
            let len = cs.len() as f64;
            let mut start = num(&arg(&args, 1));
            if len + start < 0.0 {
                start = 0.0;
            }
            let slice = |from: f64, to: f64| -> String {
                let norm = |x: f64| -> usize {
                    let x = if x.is_nan() { 0.0 } else { x.trunc() };
                    let x = if x < 0.0 {
                        (len + x).max(0.0)
                    } else {
                        x.min(len)
                    };
                    x as usize
                };
                let (f, t) = (norm(from), norm(to));
                if f >= t {
                    String::new()
                } else {
                    from_chars(cs.get(f..t).unwrap_or(&[]))
                }
            };
            match arg(&args, 2) {
                Value::Number(l) => {
                    if l <= 0.0 {
                        return Ok(Value::str(""));
                    }
                    let end = if start >= 0.0 {
                        start + l
                    } else {
                        len + start + l
                    };
                    Value::string(slice(start, end))
                }
                _ => Value::string(slice(start, len)),
            }
        }
        "substringBefore" | "substringAfter" => {
            let s = str0!();
            let c = arg(&args, 1);
            // JavaScript's indexOf(undefined) searches for the text "undefined"
            let c = c.as_str().unwrap_or("undefined");
            match s.find(c) {
                Some(p) if name == "substringBefore" => {
                    Value::string(s.get(..p).unwrap_or("").to_string())
                }
                Some(p) => Value::string(s.get(p + c.len()..).unwrap_or("").to_string()),
                None => Value::String(s),
            }
        }
        "lowercase" => Value::string(str0!().to_lowercase()),
        "uppercase" => Value::string(str0!().to_uppercase()),
        "length" => Value::Number(str0!().chars().count() as f64),
        "trim" => {
            let s = str0!();
            let mut out = String::new();
            let mut ws = false;
            for c in s.chars() {
                if matches!(c, ' ' | '\t' | '\n' | '\r') {
                    ws = true;
                } else {
                    if ws {
                        out.push(' ');
                    }
                    ws = false;
                    out.push(c);
                }
            }
            if ws {
                out.push(' ');
            }
            let out = out.strip_prefix(' ').unwrap_or(&out).to_string();
            let out = out.strip_suffix(' ').unwrap_or(&out).to_string();
            Value::string(out)
        }
        "pad" => {
            let s = str0!();
            let width = num(&arg(&args, 1)).trunc();
            let ch = match arg(&args, 2) {
                Value::String(c) if !c.is_empty() => c.to_string(),
                _ => " ".to_string(),
            };
            let len = s.chars().count() as f64;
            let pad_len = width.abs() - len;
            if pad_len > 0.0 {
                ev.charge(pad_len as u64)?;
                let padding: String = ch.chars().cycle().take(pad_len as usize).collect();
                if width > 0.0 {
                    Value::string(format!("{}{}", s, padding))
                } else {
                    Value::string(format!("{}{}", padding, s))
                }
            } else {
                Value::String(s)
            }
        }
        "contains" => {
            let s = str0!();
            match arg(&args, 1) {
                Value::Undefined => return Ok(Value::Undefined),
                Value::String(t) => Value::Bool(s.contains(&*t)),
                m => Value::Bool(!find_all(ev, &m, &s, Some(1), env)?.is_empty()),
            }
        }
        "match" => {
            let s = str0!();
            let limit = arg(&args, 2);
            if limit.as_f64().is_some_and(|l| l < 0.0) {
                return Err(err("D3040").val(limit).idx(3));
            }
            let lim = limit.as_f64().map(|l| l.max(0.0).ceil() as usize);
            if lim == Some(0) {
                return Ok(Value::seq(vec![]));
            }
            let found = find_all(ev, &arg(&args, 1), &s, lim, env)?;
            // positions are reported in UTF-16 code units, as JavaScript strings count them
            let is_regex = matches!(arg(&args, 1), Value::Regex(_));
            let cs = chars(&s);
            Value::seq(
                found
                    .into_iter()
                    .map(|f| {
                        let mut o = Object::default();
                        let index = if is_regex {
                            cs.iter()
                                .take(f.start)
                                .map(|c| c.len_utf16())
                                .sum::<usize>()
                        } else {
                            f.start
                        };
                        o.insert("match".into(), Value::string(f.text));
                        o.insert("index".into(), Value::Number(index as f64));
                        o.insert(
                            "groups".into(),
                            Value::arr(
                                f.groups
                                    .into_iter()
                                    .map(|g| Value::string(g.unwrap_or_default()))
                                    .collect(),
                            ),
                        );
                        Value::obj(o)
                    })
                    .collect(),
            )
        }
        "replace" => {
            let s = str0!();
            let pattern = arg(&args, 1);
            let replacement = arg(&args, 2);
            let limit = arg(&args, 3);
            if pattern.as_str() == Some("") {
                return Err(err("D3010").val(pattern).idx(2));
            }
            if limit.as_f64().is_some_and(|l| l < 0.0) {
                return Err(err("D3011").val(limit).idx(4));
            }
            let lim = limit.as_f64().map(|l| l.ceil() as usize);
            if lim == Some(0) {
                return Ok(Value::String(s));
            }
            if let Value::String(p) = &pattern {
                let mut out = String::new();
                let mut rest: &str = &s;
                let mut count = 0;
                // JavaScript concatenates an undefined replacement as the text "undefined"
                let rep = match &replacement {
                    Value::String(x) => x.to_string(),
                    Value::Undefined => "undefined".to_string(),
                    other => to_string(other).unwrap_or_default(),
                };
                while let Some(i) = rest.find(&**p) {
                    if lim.is_some_and(|l| count >= l) {
                        break;
                    }
                    out.push_str(rest.get(..i).unwrap_or(""));
                    out.push_str(&rep);
                    rest = rest.get(i + p.len()..).unwrap_or("");
                    count += 1;
                }
                out.push_str(rest);
                return Ok(Value::string(out));
            }
            let found = find_all(ev, &pattern, &s, lim, env)?;
            if found.is_empty() {
                return Ok(Value::String(s));
            }
            let cs = chars(&s);
            let mut out = String::new();
            let mut pos = 0;
            for f in found {
                out.push_str(&from_chars(cs.get(pos..f.start.max(pos)).unwrap_or(&[])));
                let sub = match &replacement {
                    Value::String(r) => substitute(r, &f),
                    fnv => {
                        let mut o = Object::default();
                        o.insert("match".into(), Value::string(f.text.clone()));
                        o.insert("start".into(), Value::Number(f.start as f64));
                        o.insert("end".into(), Value::Number(f.end as f64));
                        o.insert(
                            "groups".into(),
                            Value::arr(
                                f.groups
                                    .iter()
                                    .map(|g| Value::string(g.clone().unwrap_or_default()))
                                    .collect(),
                            ),
                        );
                        match ev.apply(fnv, vec![Value::obj(o)], &Value::Null, env)? {
                            Value::String(x) => x.to_string(),
                            other => return Err(err("D3012").val(other)),
                        }
                    }
                };
                out.push_str(&sub);
                pos = f.start + f.text.chars().count();
            }
            out.push_str(&from_chars(cs.get(pos.min(cs.len())..).unwrap_or(&[])));
            Value::string(out)
        }
        "split" => {
            let s = str0!();
            let sep = arg(&args, 1);
            let limit = arg(&args, 2);
            if limit.as_f64().is_some_and(|l| l < 0.0) {
                return Err(err("D3020").val(limit).idx(3));
            }
            let lim = limit.as_f64().map(|l| l.ceil() as usize);
            let mut out: Vec<Value> = Vec::new();
            if lim == Some(0) {
                return Ok(Value::arr(out));
            }
            if let Value::String(p) = &sep {
                let lim = limit.as_f64().map(|l| l.trunc() as usize);
                if p.is_empty() {
                    out = s.chars().map(|c| Value::string(c.to_string())).collect();
                } else {
                    out = s.split(&**p).map(Value::str).collect();
                }
                if let Some(l) = lim {
                    out.truncate(l);
                }
                return Ok(Value::arr(out));
            }
            let found = find_all(ev, &sep, &s, lim, env)?;
            let cs = chars(&s);
            if found.is_empty() {
                return Ok(Value::arr(vec![Value::String(s)]));
            }
            let mut start = 0;
            let n = found.len();
            for f in found {
                out.push(Value::string(from_chars(
                    cs.get(start..f.start.max(start)).unwrap_or(&[]),
                )));
                start = f.end;
            }
            if lim.is_none_or(|l| n < l) {
                out.push(Value::string(from_chars(
                    cs.get(start.min(cs.len())..).unwrap_or(&[]),
                )));
            }
            Value::arr(out)
        }
        "join" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            let sep = arg(&args, 1);
            let sep = sep.as_str().unwrap_or("");
            let parts: Vec<&str> = a0
                .members()
                .iter()
                .map(|x| x.as_str().unwrap_or(""))
                .collect();
            Value::string(parts.join(sep))
        }
        "formatNumber" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            crate::format::format_number(
                num(&a0),
                arg(&args, 1).as_str().unwrap_or(""),
                &arg(&args, 2),
            )?
        }
        "formatBase" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            let v = round_half_even(num(&a0), None);
            let radix = match arg(&args, 1) {
                Value::Number(r) => round_half_even(r, None),
                _ => 10.0,
            };
            if !(2.0..=36.0).contains(&radix) {
                return Err(err("D3100").val(Value::Number(radix)));
            }
            Value::string(to_radix(v as i64, radix as u32))
        }
        "formatInteger" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            Value::string(crate::format::format_integer(
                num(&a0),
                arg(&args, 1).as_str().unwrap_or(""),
            )?)
        }
        "parseInteger" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            crate::format::parse_integer(&str0!(), arg(&args, 1).as_str().unwrap_or(""))?
        }
        "number" => match &a0 {
            Value::Undefined => Value::Undefined,
            Value::Number(_) => a0.clone(),
            Value::Bool(b) => Value::Number(if *b { 1.0 } else { 0.0 }),
            Value::String(s) => match parse_js_number(s) {
                Some(n) => Value::Number(n),
                None => return Err(err("D3030").val(a0.clone()).idx(1)),
            },
            _ => return Err(err("D3030").val(a0.clone()).idx(1)),
        },
        "floor" | "ceil" | "abs" | "sqrt" => {
            let Some(x) = a0.as_f64() else {
                return Ok(Value::Undefined);
            };
            Value::Number(match name {
                "floor" => x.floor(),
                "ceil" => x.ceil(),
                "abs" => x.abs(),
                _ => {
                    if x < 0.0 {
                        return Err(err("D3060").val(a0.clone()).idx(1));
                    }
                    x.sqrt()
                }
            })
        }
        "round" => {
            let Some(x) = a0.as_f64() else {
                return Ok(Value::Undefined);
            };
            Value::Number(round_half_even(x, arg(&args, 1).as_f64()))
        }
        "power" => {
            let Some(x) = a0.as_f64() else {
                return Ok(Value::Undefined);
            };
            let e = num(&arg(&args, 1));
            let r = x.powf(e);
            if !r.is_finite() {
                return Err(err("D3061").val(a0.clone()).idx(1));
            }
            Value::Number(r)
        }
        "random" => Value::Number(next_random(ev)),
        "boolean" => match boolean(&a0) {
            Some(b) => Value::Bool(b),
            None => Value::Undefined,
        },
        "not" => match boolean(&a0) {
            Some(b) => Value::Bool(!b),
            None => Value::Undefined,
        },
        "map" | "filter" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            let f = arg(&args, 1);
            let items = a0.members().to_vec();
            let mut out = Vec::new();
            for (i, x) in items.iter().enumerate() {
                let fa = hof_args(ev, &f, x.clone(), Value::Number(i as f64), a0.clone());
                let r = ev.apply(&f, fa, &Value::Null, env)?;
                if name == "map" {
                    if !r.is_undef() {
                        out.push(r);
                    }
                } else if boolean(&r).unwrap_or(false) {
                    out.push(x.clone());
                }
            }
            Value::seq(out)
        }
        "single" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            let f = arg(&args, 1);
            let mut found: Option<Value> = None;
            for (i, x) in a0.members().to_vec().into_iter().enumerate() {
                let ok = if f.is_undef() {
                    true
                } else {
                    let fa = hof_args(ev, &f, x.clone(), Value::Number(i as f64), a0.clone());
                    boolean(&ev.apply(&f, fa, &Value::Null, env)?).unwrap_or(false)
                };
                if ok {
                    if found.is_some() {
                        return Err(err("D3138").idx(i));
                    }
                    found = Some(x);
                }
            }
            match found {
                Some(v) => v,
                None => return Err(err("D3139")),
            }
        }
        "zip" => {
            let len = args
                .iter()
                .map(|a| if a.is_array() { a.members().len() } else { 0 })
                .min()
                .unwrap_or(0);
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                out.push(Value::arr(
                    args.iter()
                        .map(|a| a.members().get(i).cloned().unwrap_or_default())
                        .collect(),
                ));
            }
            Value::arr(out)
        }
        "reduce" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            let f = arg(&args, 1);
            let n = ev.arity(&f);
            if n < 2 {
                return Err(err("D3050").idx(1));
            }
            let items = a0.members().to_vec();
            let init = arg(&args, 2);
            let (mut acc, start) = if init.is_undef() && !items.is_empty() {
                (items.first().cloned().unwrap_or_default(), 1)
            } else {
                (init, 0)
            };
            for (i, x) in items.iter().enumerate().skip(start) {
                let mut fa = vec![acc, x.clone()];
                if n >= 3 {
                    fa.push(Value::Number(i as f64));
                }
                if n >= 4 {
                    fa.push(a0.clone());
                }
                acc = ev.apply(&f, fa, &Value::Null, env)?;
            }
            acc
        }
        "sift" | "each" => {
            let f = arg(&args, 1);
            let Value::Object(o) = &a0 else {
                return Ok(if name == "each" {
                    Value::seq(vec![])
                } else {
                    Value::Undefined
                });
            };
            let mut out = Object::default();
            let mut list = Vec::new();
            for (k, v) in o.iter() {
                let fa = hof_args(ev, &f, v.clone(), Value::str(k), a0.clone());
                let r = ev.apply(&f, fa, &Value::Null, env)?;
                if name == "each" {
                    if !r.is_undef() {
                        list.push(r);
                    }
                } else if boolean(&r).unwrap_or(false) {
                    out.insert(k.clone(), v.clone());
                }
            }
            if name == "each" {
                Value::seq(list)
            } else if out.is_empty() {
                Value::Undefined
            } else {
                Value::obj(out)
            }
        }
        "keys" => {
            // arrays (nested ones too) contribute the keys of every object inside them
            fn collect(v: &Value, out: &mut indexmap::IndexSet<String>, depth: usize) {
                match v {
                    Value::Array(a, _) if depth < 10_000 => {
                        a.iter().for_each(|x| collect(x, out, depth + 1))
                    }
                    Value::Object(o) => out.extend(o.keys().cloned()),
                    _ => {}
                }
            }
            let mut out: indexmap::IndexSet<String> = indexmap::IndexSet::new();
            collect(&a0, &mut out, 0);
            Value::seq(out.into_iter().map(Value::string).collect())
        }
        "lookup" => lookup(&a0, arg(&args, 1).as_str().unwrap_or("")),
        "append" => append(a0, arg(&args, 1)),
        "exists" => Value::Bool(!undef0),
        "spread" => spread(&a0),
        "merge" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            let mut out = Object::default();
            for x in a0.members() {
                if let Value::Object(o) = x {
                    for (k, v) in o.iter() {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            Value::obj(out)
        }
        "reverse" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            if a0.members().len() <= 1 {
                return Ok(a0);
            }
            Value::arr(a0.members().iter().rev().cloned().collect())
        }
        "error" => {
            let m = match &a0 {
                Value::String(s) if !s.is_empty() => s.to_string(),
                _ => "$error() function evaluated".into(),
            };
            return Err(err("D3137").msg(m));
        }
        "assert" => {
            if !matches!(a0, Value::Bool(true)) {
                let m = match arg(&args, 1) {
                    Value::String(s) if !s.is_empty() => s.to_string(),
                    _ => "$assert() statement failed".into(),
                };
                return Err(err("D3141").msg(m));
            }
            Value::Undefined
        }
        "type" => match &a0 {
            Value::Undefined => Value::Undefined,
            Value::Null => Value::str("null"),
            Value::Number(_) => Value::str("number"),
            Value::String(_) => Value::str("string"),
            Value::Bool(_) => Value::str("boolean"),
            Value::Array(..) | Value::Tuples(_) => Value::str("array"),
            Value::Object(_) => Value::str("object"),
            _ => Value::str("function"),
        },
        "sort" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            let items = a0.members().to_vec();
            if items.len() <= 1 {
                return Ok(a0);
            }
            let f = arg(&args, 1);
            if f.is_undef() {
                let all_num = items.iter().all(|x| matches!(x, Value::Number(_)));
                let all_str = items.iter().all(|x| matches!(x, Value::String(_)));
                if !all_num && !all_str {
                    return Err(err("D3070").idx(1));
                }
                let sorted = merge_sort(items, &mut |a, b| {
                    Ok(match (a, b) {
                        (Value::Number(x), Value::Number(y)) => x > y,
                        (Value::String(x), Value::String(y)) => {
                            cmp_utf16(x, y) == std::cmp::Ordering::Greater
                        }
                        _ => false,
                    })
                })?;
                Value::arr(sorted)
            } else {
                let sorted = merge_sort(items, &mut |a, b| {
                    let fa = vec![a.clone(), b.clone()];
                    Ok(js_truthy(&ev.apply(&f, fa, &Value::Null, env)?))
                })?;
                Value::arr(sorted)
            }
        }
        "shuffle" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            let items = a0.members().to_vec();
            if items.len() <= 1 {
                return Ok(a0);
            }
            let mut out: Vec<Value> = vec![Value::Null; items.len()];
            for (i, x) in items.into_iter().enumerate() {
                let j = (next_random(ev) * (i as f64 + 1.0)).floor() as usize;
                if i != j {
                    let moved = out.get(j).cloned().unwrap_or_default();
                    if let Some(slot) = out.get_mut(i) {
                        *slot = moved;
                    }
                }
                if let Some(slot) = out.get_mut(j) {
                    *slot = x;
                }
            }
            Value::arr(out)
        }
        "distinct" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            let Value::Array(a, f) = &a0 else {
                return Ok(a0);
            };
            if a.len() <= 1 {
                return Ok(a0);
            }
            let mut out: Vec<Value> = Vec::new();
            for x in a.iter() {
                if !out.iter().any(|y| deep_equal(x, y)) {
                    out.push(x.clone());
                }
            }
            Value::Array(Rc::new(out), if f & SEQ != 0 { SEQ } else { 0 })
        }
        "base64encode" => Value::string(base64_encode(&str0!())),
        "base64decode" => Value::string(base64_decode(&str0!())),
        "encodeUrlComponent" => encode_uri(&str0!(), "")?,
        "encodeUrl" => encode_uri(&str0!(), URI_RESERVED)?,
        "decodeUrlComponent" => decode_uri(&str0!(), "", name)?,
        "decodeUrl" => decode_uri(&str0!(), URI_RESERVED, name)?,
        "eval" => {
            let s = str0!();
            let mut ctx = input.clone();
            let focus = arg(&args, 1);
            if !focus.is_undef() {
                ctx = match focus {
                    Value::Array(a, f) if f & SEQ == 0 => {
                        Value::Array(Rc::new(vec![Value::Array(a, f)]), SEQ | OUTER)
                    }
                    v => v,
                };
            }
            let (ast, labels) = crate::parser::parse(&s).map_err(|e| {
                let msg = e.clone().into_error().message;
                err("D3120").val(Value::string(msg))
            })?;
            let mut sub = Ev::new(ev.env, &labels);
            sub.rng = ev.rng;
            let r = sub.evaluate(&ast, &ctx, env).map_err(|e| {
                let msg = e.clone().into_error().message;
                err("D3121").val(Value::string(msg))
            });
            ev.rng = sub.rng;
            let frames = sub.take_frames();
            ev.adopt_frames(frames);
            r?
        }
        "toMillis" => {
            let s = str0!();
            crate::datetime::to_millis(&s, arg(&args, 1).as_str(), ev.env.now_ms as f64)?
        }
        "fromMillis" => {
            let Some(ms) = a0.as_f64() else {
                return Ok(Value::Undefined);
            };
            crate::datetime::from_millis(ms, arg(&args, 1).as_str(), arg(&args, 2).as_str())?
        }
        "now" => {
            crate::datetime::from_millis(ev.env.now_ms as f64, a0.as_str(), arg(&args, 1).as_str())?
        }
        "millis" => Value::Number(ev.env.now_ms as f64),
        "clone" => {
            if undef0 {
                return Ok(Value::Undefined);
            }
            deep_clone(&a0)
        }
        _ => return Err(err("T1006")),
    })
}

fn spread(a: &Value) -> Value {
    match a {
        Value::Array(items, _) => {
            let mut out = Value::seq(vec![]);
            for x in items.iter() {
                out = append(out, spread(x));
            }
            out
        }
        Value::Object(o) => Value::seq(
            o.iter()
                .map(|(k, v)| {
                    let mut m = Object::default();
                    m.insert(k.clone(), v.clone());
                    Value::obj(m)
                })
                .collect(),
        ),
        v => v.clone(),
    }
}

fn substitute(rep: &str, f: &Found) -> String {
    let rc: Vec<char> = rep.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let ng = f.groups.len();
    while i < rc.len() {
        let c = rc.get(i).copied().unwrap_or(' ');
        if c != '$' {
            out.push(c);
            i += 1;
            continue;
        }
        let next = rc.get(i + 1).copied();
        match next {
            Some('$') => {
                out.push('$');
                i += 2;
            }
            Some('0') => {
                out.push_str(&f.text);
                i += 2;
            }
            _ => {
                // as jsonata-js: parseInt over at most as many characters as the group count has
                // digits (so signs and leading spaces count), then skip the number's own text
                let max_digits = if ng == 0 {
                    1
                } else {
                    (ng as f64).log10().floor() as usize + 1
                };
                let take = |n: usize| -> String { rc.iter().skip(i + 1).take(n).collect() };
                let mut idx = crate::format::js_parse_int(&take(max_digits));
                if max_digits > 1 && idx > ng as f64 {
                    idx = crate::format::js_parse_int(&take(max_digits - 1));
                }
                if idx.is_nan() {
                    out.push('$');
                    i += 1;
                } else {
                    if ng > 0
                        && idx >= 1.0
                        && let Some(Some(g)) = f.groups.get(idx as usize - 1)
                    {
                        out.push_str(g);
                    }
                    i += 1 + crate::value::js_number(idx).chars().count();
                }
            }
        }
    }
    out
}

/// `$round` as jsonata does it (half to even, decimal shifting through the number's text).
pub fn round_half_even_pub(arg: f64, precision: Option<f64>) -> f64 {
    round_half_even(arg, precision)
}
