//! The transition pass: targets, reachability, a terminal state, machine-wide unique state names.

use super::schema::MAX_NESTING;
use super::{Diagnostic, pointer_child};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

const MISSING_TARGET: &str = "MISSING_TRANSITION_TARGET";

pub(super) struct Graph {
    pub diags: Vec<Diagnostic>,
    seen: HashSet<String>,
}

impl Graph {
    pub fn new() -> Self {
        Graph {
            diags: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// Checks one block (`StartAt` + `States`); `top` for the machine itself.
    pub fn block(&mut self, obj: &Map<String, Value>, base: &str, top: bool, depth: usize) {
        if depth > MAX_NESTING {
            return;
        }
        let Some(states) = obj.get("States").and_then(Value::as_object) else {
            return;
        };
        let states_ptr = pointer_child(base, "States");

        // Names, machine-wide; nested blocks are visited in document order.
        for (name, state) in states {
            let p = pointer_child(&states_ptr, name);
            if !self.seen.insert(name.clone()) {
                self.diags.push(Diagnostic::new(
                    "DUPLICATE_STATE_NAME",
                    format!("Duplicate State name: {name}"),
                    &p,
                ));
            }
            self.nested(state, &p, depth);
        }

        // Targets.
        let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
        for (name, state) in states {
            let p = pointer_child(&states_ptr, name);
            let targets = edges.entry(name.as_str()).or_default();
            for (target, tp) in targets_of(state, &p) {
                if !states.contains_key(target) {
                    self.diags.push(Diagnostic::new(
                        MISSING_TARGET,
                        format!("Missing 'Next' target: {target}"),
                        &tp,
                    ));
                }
                targets.push(target);
            }
        }

        if top && !states.values().any(is_terminal) {
            self.diags.push(Diagnostic::new(
                "MISSING_END_STATE",
                "Workflow has no terminal state",
                super::NO_LOCATION,
            ));
            return;
        }

        // Reachability from StartAt.
        let start = obj.get("StartAt").and_then(Value::as_str).unwrap_or("");
        let mut reached: HashSet<&str> = HashSet::new();
        if states.contains_key(start) {
            let mut stack = vec![start];
            while let Some(s) = stack.pop() {
                if !reached.insert(s) {
                    continue;
                }
                for t in edges.get(s).into_iter().flatten() {
                    if states.contains_key(*t) && !reached.contains(t) {
                        stack.push(t);
                    }
                }
            }
        } else {
            self.diags.push(Diagnostic::new(
                MISSING_TARGET,
                format!("Missing 'Next' target: {start}"),
                &pointer_child(base, "StartAt"),
            ));
        }
        for name in states.keys() {
            if !reached.contains(name.as_str()) {
                self.diags.push(Diagnostic::new(
                    MISSING_TARGET,
                    format!("State \"{name}\" is not reachable."),
                    &pointer_child(&states_ptr, name),
                ));
            }
        }
    }

    fn nested(&mut self, state: &Value, p: &str, depth: usize) {
        if let Some(branches) = state.get("Branches").and_then(Value::as_array) {
            let bp = pointer_child(p, "Branches");
            for (i, b) in branches.iter().enumerate() {
                if let Some(obj) = b.as_object() {
                    self.block(obj, &pointer_child(&bp, &i.to_string()), false, depth + 1);
                }
            }
        }
        for field in ["ItemProcessor", "Iterator"] {
            if let Some(obj) = state.get(field).and_then(Value::as_object) {
                self.block(obj, &pointer_child(p, field), false, depth + 1);
            }
        }
    }
}

fn is_terminal(state: &Value) -> bool {
    matches!(
        state.get("Type").and_then(Value::as_str),
        Some("Succeed" | "Fail")
    ) || state.get("End").and_then(Value::as_bool) == Some(true)
}

/// Every transition a state makes, with the pointer of the field that names it.
fn targets_of<'a>(state: &'a Value, p: &str) -> Vec<(&'a str, String)> {
    let mut out = Vec::new();
    for field in ["Next", "Default"] {
        if let Some(t) = state.get(field).and_then(Value::as_str) {
            out.push((t, pointer_child(p, field)));
        }
    }
    for list in ["Choices", "Catch"] {
        if let Some(items) = state.get(list).and_then(Value::as_array) {
            let lp = pointer_child(p, list);
            for (i, item) in items.iter().enumerate() {
                if let Some(t) = item.get("Next").and_then(Value::as_str) {
                    out.push((
                        t,
                        pointer_child(&pointer_child(&lp, &i.to_string()), "Next"),
                    ));
                }
            }
        }
    }
    out
}
