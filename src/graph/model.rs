//! The graph a definition draws: states as nodes, transitions (Next, Choice rules, Default, Catch) as edges.
//!
//! Built leniently from the JSON as typed, so the graph follows the editor even while the
//! definition is invalid: unknown targets and malformed fields are skipped, never an error.

use serde_json::Value;

/// What a node is, which decides its shape and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Start,
    End,
    Task,
    Pass,
    Choice,
    Wait,
    Succeed,
    Fail,
    Parallel,
    Map,
    Unknown,
}

impl Kind {
    fn from_type(t: Option<&str>) -> Kind {
        match t {
            Some("Task") => Kind::Task,
            Some("Pass") => Kind::Pass,
            Some("Choice") => Kind::Choice,
            Some("Wait") => Kind::Wait,
            Some("Succeed") => Kind::Succeed,
            Some("Fail") => Kind::Fail,
            Some("Parallel") => Kind::Parallel,
            Some("Map") => Kind::Map,
            _ => Kind::Unknown,
        }
    }

    pub fn css_class(self) -> &'static str {
        match self {
            Kind::Start => "start",
            Kind::End => "end",
            Kind::Task => "task",
            Kind::Pass => "pass",
            Kind::Choice => "choice",
            Kind::Wait => "wait",
            Kind::Succeed => "succeed",
            Kind::Fail => "fail",
            Kind::Parallel => "parallel",
            Kind::Map => "map",
            Kind::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The state's name (empty for Start and End).
    pub name: String,
    pub kind: Kind,
    /// JSON Pointer of the state in the definition (empty for Start and End).
    pub pointer: String,
    /// Parallel branches, or the Map's item processor.
    pub children: Vec<Graph>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    Next,
    /// A Choice rule's `Next`.
    Rule,
    Default,
    Catch,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    pub label: Option<String>,
}

/// A (sub-)machine: the top level has Start and End nodes, branches and processors do not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

const MAX_DEPTH: usize = 32;

impl Graph {
    /// The top-level graph of a definition, with Start and End.
    pub fn from_definition(def: &Value) -> Graph {
        build(def, "", true, 0)
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| n.kind != Kind::Start && n.kind != Kind::End && n.name == name)
    }
}

fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn build(machine: &Value, pointer: &str, top: bool, depth: usize) -> Graph {
    let mut g = Graph::default();
    let states = match machine.get("States").and_then(Value::as_object) {
        Some(s) if depth < MAX_DEPTH => s,
        _ => return g,
    };
    if top {
        g.nodes.push(Node {
            name: String::new(),
            kind: Kind::Start,
            pointer: String::new(),
            children: vec![],
        });
    }
    let first_state = g.nodes.len();
    for (name, state) in states {
        let kind = Kind::from_type(state.get("Type").and_then(Value::as_str));
        let state_ptr = format!("{pointer}/States/{}", escape(name));
        let children = match kind {
            Kind::Parallel => state
                .get("Branches")
                .and_then(Value::as_array)
                .map(|bs| {
                    bs.iter()
                        .enumerate()
                        .map(|(i, b)| {
                            build(b, &format!("{state_ptr}/Branches/{i}"), false, depth + 1)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            Kind::Map => ["ItemProcessor", "Iterator"]
                .iter()
                .find_map(|k| {
                    state
                        .get(*k)
                        .map(|p| build(p, &format!("{state_ptr}/{k}"), false, depth + 1))
                })
                .into_iter()
                .collect(),
            _ => vec![],
        };
        g.nodes.push(Node {
            name: name.clone(),
            kind,
            pointer: state_ptr,
            children,
        });
    }
    let end = if top {
        g.nodes.push(Node {
            name: String::new(),
            kind: Kind::End,
            pointer: String::new(),
            children: vec![],
        });
        Some(g.nodes.len() - 1)
    } else {
        None
    };
    if top
        && let Some(start) = machine
            .get("StartAt")
            .and_then(Value::as_str)
            .and_then(|s| g.index_of(s))
    {
        g.edges.push(Edge {
            from: 0,
            to: start,
            kind: EdgeKind::Next,
            label: None,
        });
    }
    for (offset, state) in states.values().enumerate() {
        let from = first_state + offset;
        let push = |g: &mut Graph, target: Option<&str>, kind, label: Option<String>| {
            if let Some(to) = target.and_then(|t| g.index_of(t)) {
                g.edges.push(Edge {
                    from,
                    to,
                    kind,
                    label,
                });
            }
        };
        push(
            &mut g,
            state.get("Next").and_then(Value::as_str),
            EdgeKind::Next,
            None,
        );
        if let Some(rules) = state.get("Choices").and_then(Value::as_array) {
            for rule in rules {
                push(
                    &mut g,
                    rule.get("Next").and_then(Value::as_str),
                    EdgeKind::Rule,
                    Some(rule_label(rule)),
                );
            }
        }
        push(
            &mut g,
            state.get("Default").and_then(Value::as_str),
            EdgeKind::Default,
            Some("Default".into()),
        );
        if let Some(catchers) = state.get("Catch").and_then(Value::as_array) {
            for c in catchers {
                let errors = c
                    .get("ErrorEquals")
                    .and_then(Value::as_array)
                    .map(|es| {
                        es.iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                push(
                    &mut g,
                    c.get("Next").and_then(Value::as_str),
                    EdgeKind::Catch,
                    Some(format!("Catch: {errors}")),
                );
            }
        }
        let terminal = state.get("End").and_then(Value::as_bool) == Some(true)
            || matches!(
                state.get("Type").and_then(Value::as_str),
                Some("Succeed" | "Fail")
            );
        if let (Some(end), true) = (end, terminal) {
            g.edges.push(Edge {
                from,
                to: end,
                kind: EdgeKind::Next,
                label: None,
            });
        }
    }
    g
}

/// A short human label for a Choice rule, like the console's (`$.x == 3`, `Condition`).
pub fn rule_label(rule: &Value) -> String {
    let Some(obj) = rule.as_object() else {
        return "rule".into();
    };
    if let Some(c) = obj.get("Condition").and_then(Value::as_str) {
        return shorten(c.trim_start_matches("{%").trim_end_matches("%}").trim());
    }
    for (k, label) in [("And", "and"), ("Or", "or")] {
        if let Some(rs) = obj.get(k).and_then(Value::as_array) {
            let parts: Vec<String> = rs.iter().map(rule_label).collect();
            return shorten(&parts.join(&format!(" {label} ")));
        }
    }
    if let Some(r) = obj.get("Not") {
        return shorten(&format!("not ({})", rule_label(r)));
    }
    let var = obj.get("Variable").and_then(Value::as_str).unwrap_or("?");
    for (k, v) in obj {
        if matches!(
            k.as_str(),
            "Variable" | "Next" | "Comment" | "Assign" | "Output"
        ) {
            continue;
        }
        let op = match k.trim_end_matches("Path") {
            "StringEquals" | "NumericEquals" | "BooleanEquals" | "TimestampEquals" => "==",
            "StringLessThan" | "NumericLessThan" | "TimestampLessThan" => "<",
            "StringGreaterThan" | "NumericGreaterThan" | "TimestampGreaterThan" => ">",
            "StringLessThanEquals" | "NumericLessThanEquals" | "TimestampLessThanEquals" => "<=",
            "StringGreaterThanEquals"
            | "NumericGreaterThanEquals"
            | "TimestampGreaterThanEquals" => ">=",
            "StringMatches" => "matches",
            other => other,
        };
        let value = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        return shorten(&format!("{var} {op} {value}"));
    }
    "rule".into()
}

fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_chain_has_start_states_and_end() {
        let g = Graph::from_definition(&json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}));
        let kinds: Vec<Kind> = g.nodes.iter().map(|n| n.kind).collect();
        assert_eq!(kinds, [Kind::Start, Kind::Pass, Kind::Succeed, Kind::End]);
        let pairs: Vec<(usize, usize)> = g.edges.iter().map(|e| (e.from, e.to)).collect();
        assert_eq!(pairs, [(0, 1), (1, 2), (2, 3)]);
        assert_eq!(g.nodes[1].pointer, "/States/A");
    }

    #[test]
    fn choice_rules_default_and_catch_are_labelled_edges() {
        let g = Graph::from_definition(&json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 3, "Next": "T"}], "Default": "F"},
            "T": {"Type": "Task", "Resource": "r", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}], "End": true},
            "F": {"Type": "Fail"}}}));
        let labels: Vec<(EdgeKind, Option<&str>)> = g
            .edges
            .iter()
            .map(|e| (e.kind, e.label.as_deref()))
            .collect();
        assert!(labels.contains(&(EdgeKind::Rule, Some("$.x == 3"))));
        assert!(labels.contains(&(EdgeKind::Default, Some("Default"))));
        assert!(labels.contains(&(EdgeKind::Catch, Some("Catch: States.ALL"))));
    }

    #[test]
    fn parallel_and_map_nest_their_machines_and_broken_input_is_tolerated() {
        let g = Graph::from_definition(&json!({"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Branches": [
                {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}},
                {"StartAt": "Y", "States": {"Y": {"Type": "Pass", "Next": "nowhere"}}}], "Next": "M"},
            "M": {"Type": "Map", "ItemProcessor": {"StartAt": "Z", "States": {"Z": {"Type": "Pass", "End": true}}}, "End": true}}}));
        assert_eq!(g.nodes[1].children.len(), 2);
        assert_eq!(g.nodes[2].children.len(), 1);
        assert_eq!(
            g.nodes[1].children[1].edges.len(),
            0,
            "unknown targets are skipped"
        );
        assert_eq!(
            g.nodes[2].children[0].nodes[0].pointer,
            "/States/M/ItemProcessor/States/Z"
        );
        assert!(Graph::from_definition(&json!([1, 2])).nodes.is_empty());
    }
}
