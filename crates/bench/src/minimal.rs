//! The minimal model of a workload: per state transition, one `serde_json` clone of the state's input and one path lookup in it.
//!
//! This is the floor an interpreter that keeps a history cannot beat by much: every transition
//! must at least copy (or share) the state's payload and find something in it. The model replays
//! the transitions of a real run (the `*StateEntered` events of our own history, so the counts are
//! the workload's), each with a representative payload of its state (the input the state saw the
//! first time), keeps every clone until the run ends (as a history does), and drops them after.

use std::collections::HashMap;

use asl::HistoryEvent;
use serde_json::Value;

/// A replayable sequence of transitions over a few representative payloads.
pub struct Minimal {
    payloads: Vec<(Value, Vec<Step>)>,
    sequence: Vec<usize>,
}

/// One segment of a lookup path.
enum Step {
    Key(String),
    Index(usize),
}

/// A path of up to two segments into `v` (first key of an object, first element of an array),
/// like `$.data.v` in a Pass state's Parameters.
fn path_into(v: &Value) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut cur = v;
    for _ in 0..2 {
        match cur {
            Value::Object(o) => match o.iter().next() {
                Some((k, next)) => {
                    steps.push(Step::Key(k.clone()));
                    cur = next;
                }
                None => break,
            },
            Value::Array(a) => match a.first() {
                Some(next) => {
                    steps.push(Step::Index(0));
                    cur = next;
                }
                None => break,
            },
            _ => break,
        }
    }
    steps
}

fn lookup<'a>(v: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, step| match step {
        Step::Key(k) => cur.get(k.as_str()),
        Step::Index(i) => cur.get(*i),
    })
}

impl Minimal {
    /// The transitions of a recorded history: one per `*StateEntered` event, with the input the
    /// state (by name) was first entered with.
    pub fn from_history(history: &[HistoryEvent]) -> Minimal {
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut payloads = Vec::new();
        let mut sequence = Vec::new();
        for e in history.iter().filter(|e| e.kind.ends_with("StateEntered")) {
            let name = e.details.get("name").and_then(Value::as_str).unwrap_or("");
            let idx = *by_name.entry(name.to_string()).or_insert_with(|| {
                let input = e.details.get("input").cloned().unwrap_or(Value::Null);
                let path = path_into(&input);
                payloads.push((input, path));
                payloads.len() - 1
            });
            sequence.push(idx);
        }
        Minimal { payloads, sequence }
    }

    /// How many transitions one run replays.
    pub fn transitions(&self) -> usize {
        self.sequence.len()
    }

    /// One run: clone and look up per transition, keep the clones, drop them at the end.
    /// Returns how many lookups found something (so the work cannot be optimised away).
    pub fn run(&self) -> usize {
        let mut kept = Vec::with_capacity(self.sequence.len());
        let mut found = 0;
        for &i in &self.sequence {
            if let Some((payload, path)) = self.payloads.get(i) {
                let copy = payload.clone();
                found += usize::from(lookup(&copy, path).is_some());
                kept.push(copy);
            }
        }
        std::hint::black_box(&kept);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entered(id: u64, name: &str, input: Value) -> HistoryEvent {
        HistoryEvent {
            id,
            previous_event_id: id.saturating_sub(1),
            timestamp_ms: 0,
            kind: "PassStateEntered",
            details_key: Some("stateEnteredEventDetails"),
            details: json!({"name": name, "input": input}).into(),
        }
    }

    #[test]
    fn one_transition_per_state_entered_with_the_first_input_of_each_state() {
        let h = vec![
            entered(1, "A", json!({"data": {"v": 1}})),
            entered(2, "B", json!([{"x": 1}])),
            entered(3, "A", json!({"other": 2})),
        ];
        let m = Minimal::from_history(&h);
        assert_eq!(m.transitions(), 3);
        assert_eq!(m.payloads.len(), 2, "A's payload is reused");
        assert_eq!(m.run(), 3, "every lookup finds its value");
    }

    #[test]
    fn the_lookup_path_goes_two_levels_deep() {
        let v = json!({"data": {"v": "hello"}, "n": 1});
        let path = path_into(&v);
        assert_eq!(lookup(&v, &path), Some(&json!("hello")));
        assert_eq!(lookup(&json!(3), &path_into(&json!(3))), Some(&json!(3)));
    }
}
