//! Judging a run against a recorded case: L1 (result), L2 (event types), L3 (event details), per FORMAT.md.
//!
//! Parallel branches and Map iterations interleave nondeterministically in AWS, so histories are
//! compared as trees: the events outside any Parallel/Map span in order, and inside a span each
//! branch (split by `previousEventId` chains, Map iterations by `index`) in order, the branches as a
//! multiset (Map iterations paired by index).

use crate::case::CaseRun;
use crate::pattern::{self, Bindings};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The outcome of each level. Levels are cumulative: L2 passes only when L1 does.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub l1: Result<(), String>,
    pub l2: Result<(), String>,
    pub l3: Result<(), String>,
    /// False when the case recorded no history (L1-only: L2 and L3 then follow L1).
    pub has_history: bool,
}

impl Verdict {
    /// Whether the case passes at `level` (1, 2 or 3), counting lower levels too.
    pub fn passes(&self, level: u8) -> bool {
        self.l1.is_ok() && (level < 2 || self.l2.is_ok()) && (level < 3 || self.l3.is_ok())
    }

    /// Why the case fails at `level`: the lowest failing level's reason.
    pub fn reason(&self, level: u8) -> Option<String> {
        if let Err(e) = &self.l1 {
            return Some(format!("L1 {e}"));
        }
        if level >= 2
            && let Err(e) = &self.l2
        {
            return Some(format!("L2 {e}"));
        }
        if level >= 3
            && let Err(e) = &self.l3
        {
            return Some(format!("L3 {e}"));
        }
        None
    }
}

/// Where two values first differ: a JSON Pointer and both sides there (approximate with placeholders).
pub fn first_difference(e: &Value, a: &Value, b: &Bindings) -> String {
    fn walk(e: &Value, a: &Value, b: &Bindings, path: String, depth: u32) -> String {
        let here = || {
            format!(
                "at {}: expected {}, got {}",
                if path.is_empty() { "/" } else { &path },
                short(e),
                short(a)
            )
        };
        if depth > 64 {
            return here();
        }
        match (e, a) {
            (Value::Object(eo), Value::Object(ao)) => {
                let plain_keys = eo.keys().all(|k| !pattern::is_pattern(k));
                if let Some((k, v)) = eo
                    .iter()
                    .find(|(k, _)| !ao.contains_key(*k) && !pattern::is_pattern(k))
                {
                    return format!("at {path}/{k}: missing (expected {})", short(v));
                }
                if plain_keys && let Some((k, v)) = ao.iter().find(|(k, _)| !eo.contains_key(*k)) {
                    return format!("at {path}/{k}: unexpected (got {})", short(v));
                }
                for (k, ev) in eo {
                    if let Some(av) = ao.get(k)
                        && !pattern::match_value(ev, av, &mut b.clone())
                    {
                        return walk(ev, av, b, format!("{path}/{k}"), depth + 1);
                    }
                }
                here()
            }
            (Value::Array(ea), Value::Array(aa)) if ea.len() == aa.len() => {
                for (i, (ev, av)) in ea.iter().zip(aa).enumerate() {
                    if !pattern::match_value(ev, av, &mut b.clone()) {
                        return walk(ev, av, b, format!("{path}/{i}"), depth + 1);
                    }
                }
                here()
            }
            _ => here(),
        }
    }
    walk(e, a, b, String::new(), 0)
}

/// A short rendering of a value for messages.
pub fn short(v: &Value) -> String {
    clip(&v.to_string(), 160)
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

fn opt_str(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
}

/// Applies the recorder's literal JSONPath masks (`notes.snapshot_transformers`, kind
/// `JsonpathTransformer` without `replace_reference`) to a run, as the recorder did to AWS's answer:
/// every value at `$..a.b` becomes the replacement text. (Masks by reference became numbered
/// tokens in the recording and need nothing here.)
pub fn mask_run(notes: &Value, run: &mut CaseRun) {
    let Some(list) = notes.get("snapshot_transformers").and_then(Value::as_array) else {
        return;
    };
    for t in list {
        if t.get("kind").and_then(Value::as_str) != Some("JsonpathTransformer") {
            continue;
        }
        let kw = t.get("kwargs");
        let args = t.get("args").and_then(Value::as_array);
        let arg = |i: usize| args.and_then(|a| a.get(i)).and_then(Value::as_str);
        let path = kw
            .and_then(|k| k.get("jsonpath"))
            .and_then(Value::as_str)
            .or_else(|| arg(0));
        let replacement = kw
            .and_then(|k| k.get("replacement"))
            .and_then(Value::as_str)
            .or_else(|| arg(1));
        let by_reference = kw
            .and_then(|k| k.get("replace_reference"))
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let (Some(path), Some(replacement)) = (path, replacement) else {
            continue;
        };
        if by_reference || !path.starts_with("$..") {
            continue;
        }
        // `$..events..executionSucceededEventDetails.output.X`: our events keep details under `details`.
        let tail = path.rsplit("..").next().unwrap_or("");
        let segs: Vec<&str> = tail
            .split('.')
            .filter(|s| !s.is_empty() && !s.ends_with("EventDetails"))
            .collect();
        if segs.is_empty() || segs.iter().any(|s| s.contains(['[', '*', '?'])) {
            continue;
        }
        let repl = Value::String(replacement.to_string());
        if let Some(out) = run.output.take() {
            let mut doc = serde_json::json!({ "output": out });
            replace_at(&mut doc, &segs, &repl, 0);
            run.output = doc.get_mut("output").map(Value::take);
        }
        for e in &mut run.events {
            replace_at(e, &segs, &repl, 0);
        }
    }
}

/// Sets every value reached by the key path `segs` (starting at any depth) to `repl`.
fn replace_at(v: &mut Value, segs: &[&str], repl: &Value, depth: u32) {
    if depth > 200 {
        return;
    }
    if let Some(o) = v.as_object_mut() {
        if let Some((first, rest)) = segs.split_first()
            && let Some(target) = o.get_mut(*first)
        {
            set_path(target, rest, repl);
        }
        for child in o.values_mut() {
            replace_at(child, segs, repl, depth + 1);
        }
    } else if let Some(a) = v.as_array_mut() {
        for child in a {
            replace_at(child, segs, repl, depth + 1);
        }
    }
}

fn set_path(v: &mut Value, rest: &[&str], repl: &Value) {
    match rest.split_first() {
        None => *v = repl.clone(),
        Some((k, more)) => {
            if let Some(next) = v.as_object_mut().and_then(|o| o.get_mut(*k)) {
                set_path(next, more, repl);
            }
        }
    }
}

/// Compares a run with the case's `expected` at all three levels.
pub fn compare(expected: &Value, run: &CaseRun) -> Verdict {
    let mut b = Bindings::new();
    let l1 = compare_result(expected, run, &mut b);
    let events = match expected.get("events") {
        Some(Value::Array(list)) => Some(list),
        _ => None,
    };
    let Some(exp_events) = events else {
        return Verdict {
            l2: l1.clone(),
            l3: l1.clone(),
            l1,
            has_history: false,
        };
    };
    let sorted = opt_str(expected.get("events_order_normalized")).is_some();
    let (l2, l3) = if sorted {
        (
            compare_sorted(exp_events, &run.events, false, &mut b.clone()),
            compare_sorted(exp_events, &run.events, true, &mut b),
        )
    } else {
        let l2 = compare_history(exp_events, &run.events, false, &mut b.clone());
        let l3 = if l2.is_ok() {
            compare_history(exp_events, &run.events, true, &mut b)
        } else {
            Err("(not compared: event types differ)".into())
        };
        (l2, l3)
    };
    Verdict {
        l1,
        l2,
        l3,
        has_history: true,
    }
}

fn got_failure(run: &CaseRun) -> String {
    match (&run.error, &run.cause) {
        (Some(e), Some(c)) => format!(" ({e}: {})", clip(c, 200)),
        (Some(e), None) => format!(" ({e})"),
        _ => String::new(),
    }
}

fn compare_result(expected: &Value, run: &CaseRun, b: &mut Bindings) -> Result<(), String> {
    let status = opt_str(expected.get("status")).unwrap_or("");
    if status != run.status {
        return Err(format!(
            "status: expected {status}, got {}{}",
            run.status,
            got_failure(run)
        ));
    }
    if status == "SUCCEEDED" {
        let exp = expected.get("output").unwrap_or(&Value::Null);
        let got = run.output.as_ref().unwrap_or(&Value::Null);
        if !pattern::match_value(exp, got, b) {
            return Err(format!("output {}", first_difference(exp, got, b)));
        }
        return Ok(());
    }
    let exp_error = opt_str(expected.get("error"));
    let error_ok = match (exp_error, run.error.as_deref()) {
        (None, None) => true,
        (Some(e), Some(a)) => pattern::match_str(e, a, b),
        _ => false,
    };
    if !error_ok {
        let show = |e: Option<&str>| e.map_or("null".to_string(), |e| format!("{e:?}"));
        return Err(format!(
            "error: expected {}, got {}",
            show(exp_error),
            show(run.error.as_deref())
        ));
    }
    let exp_cause = opt_str(expected.get("cause"));
    let cause_ok = match (exp_cause, run.cause.as_deref()) {
        (None, None) => true,
        (Some(e), Some(a)) => cause_matches(e, a, b),
        _ => false,
    };
    if !cause_ok {
        return Err(format!(
            "cause: expected {}, got {}",
            exp_cause.map_or("null".to_string(), |c| format!("{:?}", clip(c, 300))),
            run.cause
                .as_deref()
                .map_or("null".to_string(), |c| format!("{:?}", clip(c, 300)))
        ));
    }
    Ok(())
}

/// Causes compare exactly (with placeholders), or as JSON when both parse.
pub fn cause_matches(expected: &str, actual: &str, b: &mut Bindings) -> bool {
    if pattern::match_str(expected, actual, b) {
        return true;
    }
    match (
        serde_json::from_str::<Value>(expected),
        serde_json::from_str::<Value>(actual),
    ) {
        (Ok(e), Ok(a)) => pattern::match_value(&e, &a, b),
        _ => false,
    }
}

/// One event, as much of it as the comparison needs.
struct Ev<'a> {
    id: Option<u64>,
    prev: Option<u64>,
    ty: &'a str,
    details: Option<&'a Value>,
}

impl<'a> Ev<'a> {
    fn label(&self) -> String {
        match self.id {
            Some(id) => format!("#{id} {}", self.ty),
            None => self.ty.to_string(),
        }
    }

    fn detail_str(&self, key: &str) -> Option<&'a str> {
        self.details
            .and_then(|d| d.get(key))
            .and_then(Value::as_str)
    }
}

fn evs(list: &[Value]) -> Vec<Ev<'_>> {
    list.iter()
        .map(|e| Ev {
            id: e.get("id").and_then(Value::as_u64),
            prev: e.get("previousEventId").and_then(Value::as_u64),
            ty: opt_str(e.get("type")).unwrap_or(""),
            details: e.get("details").filter(|d| !d.is_null()),
        })
        .collect()
}

/// A history as a tree: events in order, and Parallel/Map spans holding their branches.
enum Item {
    Ev(usize),
    Span {
        start: usize,
        /// `None` when the span's events could not be split into branches.
        branches: Option<Vec<Branch>>,
        inner: Vec<usize>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Key {
    Index(u64),
    Chain,
}

struct Branch {
    key: Key,
    items: Vec<Item>,
}

fn is_span_start(ty: &str) -> bool {
    matches!(ty, "ParallelStateStarted" | "MapStateStarted")
}

fn is_span_end(ty: &str) -> bool {
    matches!(
        ty,
        "ParallelStateSucceeded"
            | "ParallelStateFailed"
            | "ParallelStateAborted"
            | "MapStateSucceeded"
            | "MapStateFailed"
            | "MapStateAborted"
    )
}

struct Tree<'a> {
    evs: Vec<Ev<'a>>,
    by_id: HashMap<u64, usize>,
}

impl<'a> Tree<'a> {
    fn new(list: &'a [Value]) -> Tree<'a> {
        let evs = evs(list);
        let by_id = evs
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.id.map(|id| (id, i)))
            .collect();
        Tree { evs, by_id }
    }

    fn ev(&self, i: usize) -> Option<&Ev<'a>> {
        self.evs.get(i)
    }

    fn segment(&self, idx: &[usize], depth: u32) -> Vec<Item> {
        let mut items = Vec::new();
        let mut i = 0;
        while let Some(&k) = idx.get(i) {
            let ty = self.ev(k).map_or("", |e| e.ty);
            if is_span_start(ty) && depth < 64 {
                let mut level = 0usize;
                let mut end = idx.len();
                for (j, &m) in idx.iter().enumerate().skip(i + 1) {
                    let t = self.ev(m).map_or("", |e| e.ty);
                    if is_span_start(t) {
                        level += 1;
                    } else if is_span_end(t) {
                        if level == 0 {
                            end = j;
                            break;
                        }
                        level -= 1;
                    }
                }
                let inner: Vec<usize> = idx.get(i + 1..end).unwrap_or(&[]).to_vec();
                let branches = self.split(k, &inner, depth);
                items.push(Item::Span {
                    start: k,
                    branches,
                    inner,
                });
                i = end;
                continue;
            }
            items.push(Item::Ev(k));
            i += 1;
        }
        items
    }

    /// The Map or Parallel state's name for the span that `start` opens.
    fn span_name(&self, start: usize) -> Option<&'a str> {
        let s = self.ev(start)?;
        if let Some(e) = s
            .prev
            .and_then(|p| self.by_id.get(&p))
            .and_then(|&i| self.ev(i))
            && e.ty.ends_with("StateEntered")
        {
            return e.detail_str("name");
        }
        (0..start)
            .rev()
            .filter_map(|i| self.ev(i))
            .find(|e| matches!(e.ty, "MapStateEntered" | "ParallelStateEntered"))
            .and_then(|e| e.detail_str("name"))
    }

    fn split(&self, start: usize, inner: &[usize], depth: u32) -> Option<Vec<Branch>> {
        let s = self.ev(start)?;
        let is_map = s.ty == "MapStateStarted";
        let name = self.span_name(start);
        let mut branches: Vec<(Key, Vec<usize>)> = Vec::new();
        let mut of: HashMap<u64, usize> = HashMap::new();
        for &k in inner {
            let e = self.ev(k)?;
            let index =
                if is_map && e.ty.starts_with("MapIteration") && e.detail_str("name") == name {
                    e.details
                        .and_then(|d| d.get("index"))
                        .and_then(Value::as_u64)
                } else {
                    None
                };
            let bno = if let Some(ix) = index {
                match branches.iter().position(|(key, _)| *key == Key::Index(ix)) {
                    Some(p) => p,
                    None => {
                        branches.push((Key::Index(ix), Vec::new()));
                        branches.len() - 1
                    }
                }
            } else if e.prev.is_some() && e.prev == s.id {
                branches.push((Key::Chain, Vec::new()));
                branches.len() - 1
            } else {
                *e.prev.and_then(|p| of.get(&p))?
            };
            if let Some(id) = e.id {
                of.insert(id, bno);
            }
            branches.get_mut(bno)?.1.push(k);
        }
        Some(
            branches
                .into_iter()
                .map(|(key, idx)| Branch {
                    key,
                    items: self.segment(&idx, depth + 1),
                })
                .collect(),
        )
    }
}

fn first_label(t: &Tree<'_>, item: &Item) -> String {
    let k = match item {
        Item::Ev(k) => *k,
        Item::Span { start, .. } => *start,
    };
    t.ev(k).map_or_else(String::new, Ev::label)
}

/// Whether any span has more than one branch (or could not be split): ids then vary in AWS too.
fn concurrent(items: &[Item]) -> bool {
    items.iter().any(|it| match it {
        Item::Ev(_) => false,
        Item::Span { branches: None, .. } => true,
        Item::Span {
            branches: Some(bs), ..
        } => bs.len() > 1 || bs.iter().any(|b| concurrent(&b.items)),
    })
}

struct Cmp<'x, 'a> {
    e: &'x Tree<'a>,
    a: &'x Tree<'a>,
    details: bool,
    exact_ids: bool,
}

/// Details compare with placeholders; `*Details: {"truncated": …}` present on one side only is ignored.
fn details_match(e: Option<&Value>, a: Option<&Value>, b: &mut Bindings) -> bool {
    let empty = Value::Object(Map::new());
    let e = e.unwrap_or(&empty);
    let a = a.unwrap_or(&empty);
    match (e, a) {
        (Value::Object(eo), Value::Object(ao)) => {
            let only_truncated = |v: &Value| {
                v.as_object()
                    .is_some_and(|o| o.len() == 1 && o.contains_key("truncated"))
            };
            let keep = |k: &String, v: &Value, other: &Map<String, Value>| {
                other.contains_key(k) || !(k.ends_with("Details") && only_truncated(v))
            };
            let ef: Map<String, Value> = eo
                .iter()
                .filter(|(k, v)| keep(k, v, ao))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let af: Map<String, Value> = ao
                .iter()
                .filter(|(k, v)| keep(k, v, eo))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            pattern::match_value(&Value::Object(ef), &Value::Object(af), b)
        }
        _ => pattern::match_value(e, a, b),
    }
}

impl Cmp<'_, '_> {
    fn event(&self, x: usize, y: usize, b: &mut Bindings) -> Result<(), String> {
        let (Some(ex), Some(ac)) = (self.e.ev(x), self.a.ev(y)) else {
            return Err("internal: event out of range".into());
        };
        if ex.ty != ac.ty {
            return Err(format!("event {}: got {}", ex.label(), ac.label()));
        }
        if !self.details {
            return Ok(());
        }
        if self.exact_ids && (ex.id != ac.id || ex.prev != ac.prev) {
            return Err(format!(
                "event {}: id/previousEventId expected {:?}/{:?}, got {:?}/{:?}",
                ex.label(),
                ex.id,
                ex.prev,
                ac.id,
                ac.prev
            ));
        }
        if !details_match(ex.details, ac.details, b) {
            return Err(format!(
                "event {} details {}",
                ex.label(),
                details_difference(ex, ac, b)
            ));
        }
        Ok(())
    }

    fn items(&self, ex: &[Item], ac: &[Item], b: &mut Bindings) -> Result<(), String> {
        let n = ex.len().max(ac.len());
        for i in 0..n {
            match (ex.get(i), ac.get(i)) {
                (Some(Item::Ev(x)), Some(Item::Ev(y))) => self.event(*x, *y, b)?,
                (
                    Some(Item::Span {
                        start: xs,
                        branches: xb,
                        inner: xi,
                    }),
                    Some(Item::Span {
                        start: ys,
                        branches: yb,
                        inner: yi,
                    }),
                ) => {
                    self.event(*xs, *ys, b)?;
                    self.branches(*xs, xb.as_deref(), yb.as_deref(), xi, yi, b)?;
                }
                (Some(x), Some(y)) => {
                    return Err(format!(
                        "event {}: got {}",
                        first_label(self.e, x),
                        first_label(self.a, y)
                    ));
                }
                (Some(x), None) => {
                    return Err(format!(
                        "history ends early: expected event {} next",
                        first_label(self.e, x)
                    ));
                }
                (None, Some(y)) => {
                    return Err(format!("unexpected extra event {}", first_label(self.a, y)));
                }
                (None, None) => {}
            }
        }
        Ok(())
    }

    fn branches(
        &self,
        start: usize,
        xb: Option<&[Branch]>,
        yb: Option<&[Branch]>,
        xi: &[usize],
        yi: &[usize],
        b: &mut Bindings,
    ) -> Result<(), String> {
        let what = self.e.ev(start).map_or(String::new(), |s| s.label());
        let (Some(xb), Some(yb)) = (xb, yb) else {
            return self
                .multiset(xi, yi, b)
                .map_err(|e| format!("in {what}: {e}"));
        };
        if xb.len() != yb.len() {
            return Err(format!(
                "in {what}: expected {} branches/iterations, got {}",
                xb.len(),
                yb.len()
            ));
        }
        let mut used = vec![false; yb.len()];
        for (n, x) in xb.iter().enumerate() {
            if let Key::Index(ix) = x.key {
                let Some(p) = yb.iter().position(|y| y.key == x.key) else {
                    return Err(format!("in {what}: no iteration {ix}"));
                };
                if let Some(u) = used.get_mut(p) {
                    *u = true;
                }
                let y = yb.get(p).map_or(&[][..], |y| &y.items[..]);
                self.items(&x.items, y, b)
                    .map_err(|e| format!("in {what} iteration {ix}: {e}"))?;
                continue;
            }
            let mut first_err = None;
            let mut found = false;
            for (p, y) in yb.iter().enumerate() {
                if used.get(p).copied().unwrap_or(true) || y.key != Key::Chain {
                    continue;
                }
                let mut nb = b.clone();
                match self.items(&x.items, &y.items, &mut nb) {
                    Ok(()) => {
                        *b = nb;
                        if let Some(u) = used.get_mut(p) {
                            *u = true;
                        }
                        found = true;
                        break;
                    }
                    Err(e) => {
                        if first_err.is_none() || p == n {
                            first_err = Some(e);
                        }
                    }
                }
            }
            if !found {
                return Err(format!(
                    "in {what}: branch {} matches no branch ({})",
                    n + 1,
                    first_err.unwrap_or_else(|| "none left".into())
                ));
            }
        }
        Ok(())
    }

    /// The span's events as a multiset (types, and details at L3).
    fn multiset(&self, xi: &[usize], yi: &[usize], b: &mut Bindings) -> Result<(), String> {
        if xi.len() != yi.len() {
            return Err(format!("expected {} events, got {}", xi.len(), yi.len()));
        }
        let mut used = vec![false; yi.len()];
        for &x in xi {
            let Some(ex) = self.e.ev(x) else { continue };
            let found = yi.iter().enumerate().position(|(p, &y)| {
                if used.get(p).copied().unwrap_or(true) {
                    return false;
                }
                let Some(ac) = self.a.ev(y) else { return false };
                if ac.ty != ex.ty {
                    return false;
                }
                !self.details || details_match(ex.details, ac.details, b)
            });
            match found.and_then(|p| used.get_mut(p)) {
                Some(u) => *u = true,
                None => return Err(format!("no event matches {}", ex.label())),
            }
        }
        Ok(())
    }
}

fn details_difference(ex: &Ev<'_>, ac: &Ev<'_>, b: &Bindings) -> String {
    let empty = Value::Object(Map::new());
    first_difference(
        ex.details.unwrap_or(&empty),
        ac.details.unwrap_or(&empty),
        b,
    )
}

/// Every previousEventId points to an earlier event (or 0).
fn consistent(t: &Tree<'_>) -> Result<(), String> {
    for e in &t.evs {
        let (Some(id), Some(prev)) = (e.id, e.prev) else {
            return Err(format!("event {} has no id or previousEventId", e.label()));
        };
        if prev != 0 && (prev >= id || !t.by_id.contains_key(&prev)) {
            return Err(format!(
                "event {}: previousEventId {prev} is not an earlier event",
                e.label()
            ));
        }
    }
    Ok(())
}

fn compare_history(
    exp: &[Value],
    act: &[Value],
    details: bool,
    b: &mut Bindings,
) -> Result<(), String> {
    let e = Tree::new(exp);
    let a = Tree::new(act);
    let all_e: Vec<usize> = (0..e.evs.len()).collect();
    let all_a: Vec<usize> = (0..a.evs.len()).collect();
    let ei = e.segment(&all_e, 0);
    let ai = a.segment(&all_a, 0);
    let exact_ids = !concurrent(&ei);
    let cmp = Cmp {
        e: &e,
        a: &a,
        details,
        exact_ids,
    };
    cmp.items(&ei, &ai, b)?;
    if details && !exact_ids {
        consistent(&a)?;
    }
    Ok(())
}

/// `events_order_normalized = "parallel-sorted"`: events with ids pair by id; the null-id events
/// (sorted, some dropped by the recorder) must be a sub-multiset of the rest.
fn compare_sorted(
    exp: &[Value],
    act: &[Value],
    details: bool,
    b: &mut Bindings,
) -> Result<(), String> {
    let e = Tree::new(exp);
    let a = Tree::new(act);
    let mut used = vec![false; a.evs.len()];
    for ex in e.evs.iter().filter(|x| x.id.is_some()) {
        let Some(p) = ex.id.and_then(|id| a.by_id.get(&id)).copied() else {
            return Err(format!("no event {}", ex.label()));
        };
        let Some(ac) = a.ev(p) else {
            return Err(format!("no event {}", ex.label()));
        };
        if ac.ty != ex.ty {
            return Err(format!("event {}: got {}", ex.label(), ac.label()));
        }
        if details && !details_match(ex.details, ac.details, b) {
            return Err(format!(
                "event {} details {}",
                ex.label(),
                details_difference(ex, ac, b)
            ));
        }
        if let Some(u) = used.get_mut(p) {
            *u = true;
        }
    }
    for ex in e.evs.iter().filter(|x| x.id.is_none()) {
        let found = a.evs.iter().enumerate().position(|(p, ac)| {
            !used.get(p).copied().unwrap_or(true)
                && ac.ty == ex.ty
                && (!details || details_match(ex.details, ac.details, b))
        });
        match found.and_then(|p| used.get_mut(p)) {
            Some(u) => *u = true,
            None => {
                return Err(format!(
                    "no event matches {}{}",
                    ex.label(),
                    if details {
                        ex.details
                            .map_or(String::new(), |d| format!(" {}", short(d)))
                    } else {
                        String::new()
                    }
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(status: &str, output: Value, events: Value) -> CaseRun {
        CaseRun {
            status: status.into(),
            output: Some(output),
            error: None,
            cause: None,
            events: events.as_array().cloned().unwrap_or_default(),
        }
    }

    fn ev(id: u64, prev: u64, ty: &str, details: Value) -> Value {
        if details.is_null() {
            json!({"id": id, "previousEventId": prev, "type": ty})
        } else {
            json!({"id": id, "previousEventId": prev, "type": ty, "details": details})
        }
    }

    #[test]
    fn l1_compares_status_output_and_failure() {
        let exp = json!({"status": "SUCCEEDED", "output": {"a": 1.0}, "events": null});
        let v = compare(&exp, &run("SUCCEEDED", json!({"a": 1}), json!([])));
        assert!(v.passes(3) && !v.has_history);
        let v = compare(&exp, &run("SUCCEEDED", json!({"a": 2}), json!([])));
        assert!(!v.passes(1));
        let exp =
            json!({"status": "FAILED", "error": "E", "cause": "{\"a\":1,\"b\":\"<uuid:1>\"}"});
        let mut r = run("FAILED", Value::Null, json!([]));
        r.error = Some("E".into());
        r.cause = Some("{\"b\": \"x\", \"a\": 1}".into());
        assert!(compare(&exp, &r).l1.is_ok());
        r.cause = None;
        assert!(compare(&exp, &r).l1.is_err());
    }

    fn map_history(order: &[(u64, u64, &str, Value)]) -> Value {
        Value::Array(
            order
                .iter()
                .map(|(i, p, t, d)| ev(*i, *p, t, d.clone()))
                .collect(),
        )
    }

    #[test]
    fn map_iterations_pair_by_index_whatever_the_interleaving() {
        let n = |x: &str| json!({"name": x});
        let it = |i: u64| json!({"index": i, "name": "M"});
        let expected = map_history(&[
            (1, 0, "ExecutionStarted", json!({"input": {}})),
            (2, 0, "MapStateEntered", n("M")),
            (3, 2, "MapStateStarted", json!({"length": 2})),
            (4, 3, "MapIterationStarted", it(0)),
            (5, 4, "PassStateEntered", n("P")),
            (6, 5, "PassStateExited", n("P")),
            (7, 6, "MapIterationSucceeded", it(0)),
            (8, 6, "MapIterationStarted", it(1)),
            (9, 8, "PassStateEntered", n("P")),
            (10, 9, "PassStateExited", n("P")),
            (11, 10, "MapIterationSucceeded", it(1)),
            (12, 11, "MapStateSucceeded", Value::Null),
            (13, 11, "MapStateExited", n("M")),
            (14, 13, "ExecutionSucceeded", json!({"output": []})),
        ]);
        let interleaved = map_history(&[
            (1, 0, "ExecutionStarted", json!({"input": {}})),
            (2, 0, "MapStateEntered", n("M")),
            (3, 2, "MapStateStarted", json!({"length": 2})),
            (4, 3, "MapIterationStarted", it(0)),
            (5, 3, "MapIterationStarted", it(1)),
            (6, 4, "PassStateEntered", n("P")),
            (7, 5, "PassStateEntered", n("P")),
            (8, 7, "PassStateExited", n("P")),
            (9, 6, "PassStateExited", n("P")),
            (10, 9, "MapIterationSucceeded", it(0)),
            (11, 8, "MapIterationSucceeded", it(1)),
            (12, 11, "MapStateSucceeded", Value::Null),
            (13, 11, "MapStateExited", n("M")),
            (14, 13, "ExecutionSucceeded", json!({"output": []})),
        ]);
        let exp = json!({"status": "SUCCEEDED", "output": [], "events": expected});
        let v = compare(&exp, &run("SUCCEEDED", json!([]), interleaved));
        assert_eq!(v.l2, Ok(()));
        assert_eq!(v.l3, Ok(()));
        let v = compare(&exp, &run("SUCCEEDED", json!([]), exp["events"].clone()));
        assert!(v.passes(3));
    }

    #[test]
    fn l2_reports_the_first_differing_event() {
        let exp = json!({"status": "SUCCEEDED", "output": 1, "events": [
            ev(1, 0, "ExecutionStarted", json!({})), ev(2, 1, "PassStateEntered", json!({"name": "A"})),
            ev(3, 2, "ExecutionSucceeded", json!({}))]});
        let v = compare(
            &exp,
            &run(
                "SUCCEEDED",
                json!(1),
                json!([
                    ev(1, 0, "ExecutionStarted", json!({})),
                    ev(2, 1, "TaskStateEntered", json!({"name": "A"})),
                    ev(3, 2, "ExecutionSucceeded", json!({}))
                ]),
            ),
        );
        assert!(v.passes(1) && !v.passes(2));
        assert_eq!(
            v.reason(2).as_deref(),
            Some("L2 event #2 PassStateEntered: got #2 TaskStateEntered")
        );
        let v = compare(
            &exp,
            &run(
                "SUCCEEDED",
                json!(1),
                json!([
                    ev(1, 0, "ExecutionStarted", json!({})),
                    ev(2, 1, "PassStateEntered", json!({"name": "B"})),
                    ev(3, 2, "ExecutionSucceeded", json!({}))
                ]),
            ),
        );
        assert_eq!(
            v.reason(3).as_deref(),
            Some("L3 event #2 PassStateEntered details at /name: expected \"A\", got \"B\"")
        );
    }

    #[test]
    fn l3_checks_ids_and_details_but_not_truncation_flags() {
        let exp = json!({"status": "SUCCEEDED", "output": 1, "events": [
            ev(1, 0, "ExecutionStarted", json!({"input": {"id": "<uuid:1>"}, "inputDetails": {"truncated": false}})),
            ev(2, 1, "ExecutionSucceeded", json!({"output": "<uuid:1>"}))]});
        let ok = run(
            "SUCCEEDED",
            json!(1),
            json!([
                ev(1, 0, "ExecutionStarted", json!({"input": {"id": "u-1"}})),
                ev(2, 1, "ExecutionSucceeded", json!({"output": "u-1"}))
            ]),
        );
        assert!(compare(&exp, &ok).passes(3));
        let unbound = run(
            "SUCCEEDED",
            json!(1),
            json!([
                ev(1, 0, "ExecutionStarted", json!({"input": {"id": "u-1"}})),
                ev(2, 1, "ExecutionSucceeded", json!({"output": "u-2"}))
            ]),
        );
        assert!(compare(&exp, &unbound).passes(2) && !compare(&exp, &unbound).passes(3));
        let ids = run(
            "SUCCEEDED",
            json!(1),
            json!([
                ev(1, 0, "ExecutionStarted", json!({"input": {"id": "u-1"}})),
                ev(2, 0, "ExecutionSucceeded", json!({"output": "u-1"}))
            ]),
        );
        assert!(!compare(&exp, &ids).passes(3));
    }

    #[test]
    fn parallel_branches_compare_as_a_multiset() {
        let n = |x: &str| json!({"name": x});
        let exp = json!({"status": "SUCCEEDED", "output": 1, "events": [
            ev(1, 0, "ParallelStateEntered", n("P")), ev(2, 1, "ParallelStateStarted", Value::Null),
            ev(3, 2, "PassStateEntered", n("A")), ev(4, 2, "PassStateEntered", n("B")),
            ev(5, 3, "PassStateExited", n("A")), ev(6, 4, "PassStateExited", n("B")),
            ev(7, 6, "ParallelStateSucceeded", Value::Null)]});
        let act = json!([
            ev(1, 0, "ParallelStateEntered", n("P")),
            ev(2, 1, "ParallelStateStarted", Value::Null),
            ev(3, 2, "PassStateEntered", n("B")),
            ev(4, 3, "PassStateExited", n("B")),
            ev(5, 2, "PassStateEntered", n("A")),
            ev(6, 5, "PassStateExited", n("A")),
            ev(7, 6, "ParallelStateSucceeded", Value::Null)
        ]);
        assert!(compare(&exp, &run("SUCCEEDED", json!(1), act)).passes(3));
        let wrong = json!([
            ev(1, 0, "ParallelStateEntered", n("P")),
            ev(2, 1, "ParallelStateStarted", Value::Null),
            ev(3, 2, "PassStateEntered", n("B")),
            ev(4, 3, "PassStateExited", n("B")),
            ev(5, 2, "PassStateEntered", n("C")),
            ev(6, 5, "PassStateExited", n("C")),
            ev(7, 6, "ParallelStateSucceeded", Value::Null)
        ]);
        let v = compare(&exp, &run("SUCCEEDED", json!(1), wrong));
        assert!(v.passes(2) && !v.passes(3));
    }

    #[test]
    fn literal_jsonpath_masks_apply_to_the_run() {
        let notes = json!({"snapshot_transformers": [
            {"kind": "JsonpathTransformer", "args": [], "kwargs": {"jsonpath": "$..mapRunArn", "replacement": "map_run_arn", "replace_reference": false}},
            {"kind": "JsonpathTransformer", "args": ["$..events..executionSucceededEventDetails.output.R", "masked"], "kwargs": {"replace_reference": false}},
            {"kind": "JsonpathTransformer", "args": [], "kwargs": {"jsonpath": "$..TaskToken", "replacement": "t", "replace_reference": true}}]});
        let mut r = run(
            "SUCCEEDED",
            json!({"R": 1, "TaskToken": "x"}),
            json!([
                ev(1, 0, "MapRunStarted", json!({"mapRunArn": "arn:x"})),
                ev(2, 1, "ExecutionSucceeded", json!({"output": {"R": 2}}))
            ]),
        );
        mask_run(&notes, &mut r);
        assert_eq!(r.output, Some(json!({"R": "masked", "TaskToken": "x"})));
        assert_eq!(r.events[0]["details"]["mapRunArn"], "map_run_arn");
        assert_eq!(r.events[1]["details"]["output"]["R"], "masked");
    }

    #[test]
    fn parallel_sorted_needs_null_id_events_as_a_sub_multiset() {
        let n = |x: &str| json!({"name": x});
        let exp = json!({"status": "SUCCEEDED", "output": 1, "events_order_normalized": "parallel-sorted", "events": [
            ev(1, 0, "ParallelStateStarted", Value::Null),
            {"id": null, "previousEventId": null, "type": "PassStateEntered", "details": n("A")},
            {"id": null, "previousEventId": null, "type": "PassStateEntered", "details": n("B")},
            ev(6, 5, "ExecutionSucceeded", Value::Null)]});
        let act = json!([
            ev(1, 0, "ParallelStateStarted", Value::Null),
            ev(2, 1, "PassStateEntered", n("B")),
            ev(3, 1, "PassStateEntered", n("A")),
            ev(4, 3, "PassStateExited", n("A")),
            ev(5, 2, "ParallelStateSucceeded", Value::Null),
            ev(6, 5, "ExecutionSucceeded", Value::Null)
        ]);
        assert!(compare(&exp, &run("SUCCEEDED", json!(1), act)).passes(3));
    }
}
