//! Folds of the execution history: which state each event belongs to, and each state's status after event k.

use asl::HistoryEvent;
use std::collections::HashMap;

/// A state's status as the graph shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateStatus {
    Running,
    Retrying,
    Succeeded,
    Failed,
    Caught,
    Aborted,
}

impl StateStatus {
    pub fn css_class(self) -> &'static str {
        match self {
            StateStatus::Running => "running",
            StateStatus::Retrying => "retrying",
            StateStatus::Succeeded => "succeeded",
            StateStatus::Failed => "failed",
            StateStatus::Caught => "caught",
            StateStatus::Aborted => "aborted",
        }
    }
}

/// The state each event belongs to: its own `name` detail, else that of the event it follows.
pub fn state_names(events: &[HistoryEvent]) -> Vec<Option<String>> {
    // Events are numbered 1, 2, 3… in order, so an event's id finds its name in `out`; an id out of
    // that order (never from the engine) is looked up in `by_id`.
    let mut by_id: HashMap<u64, Option<String>> = HashMap::new();
    let mut out: Vec<Option<String>> = Vec::with_capacity(events.len());
    for e in events {
        let own = if e.kind.ends_with("StateEntered") || e.kind.ends_with("StateExited") {
            e.details
                .get("name")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        } else {
            None
        };
        let name = own.or_else(|| {
            if e.kind.starts_with("Execution") || e.kind.starts_with("MapIteration") {
                None
            } else {
                let dense = usize::try_from(e.previous_event_id)
                    .ok()
                    .and_then(|p| p.checked_sub(1))
                    .and_then(|i| out.get(i).zip(events.get(i)))
                    .filter(|(_, prev)| prev.id == e.previous_event_id)
                    .map(|(n, _)| n.clone());
                dense.unwrap_or_else(|| by_id.get(&e.previous_event_id).cloned().flatten())
            }
        });
        if usize::try_from(e.id).ok() != Some(out.len() + 1) {
            by_id.insert(e.id, name.clone());
        }
        out.push(name);
    }
    out
}

/// `state_names(events)[from..to]` without folding the whole history: each event's name is found by
/// following `previous_event_id` back to the state event it belongs to (a few events). A chain that is
/// long or leaves the dense numbering falls back to the full fold.
pub fn state_names_in(events: &[HistoryEvent], from: usize, to: usize) -> Vec<Option<String>> {
    const MAX_WALK: usize = 256;
    let to = to.min(events.len());
    let from = from.min(to);
    let walk = |mut i: usize| -> Option<Option<String>> {
        for _ in 0..MAX_WALK {
            let e = events.get(i)?;
            if usize::try_from(e.id).ok() != Some(i + 1) {
                return None;
            }
            let named = e.kind.ends_with("StateEntered") || e.kind.ends_with("StateExited");
            if let Some(n) = e
                .details
                .get("name")
                .and_then(|v| v.as_str())
                .filter(|_| named)
            {
                return Some(Some(n.to_string()));
            }
            if e.kind.starts_with("Execution") || e.kind.starts_with("MapIteration") {
                return Some(None);
            }
            // The fold knows only earlier events: a reference forward (or to 0) names nothing.
            let prev = usize::try_from(e.previous_event_id).ok()?;
            if prev == 0 || prev > i {
                return Some(None);
            }
            i = prev - 1;
        }
        None
    };
    let mut out = Vec::with_capacity(to - from);
    for i in from..to {
        match walk(i) {
            Some(n) => out.push(n),
            None => {
                return state_names(events.get(..to).unwrap_or(events))
                    .into_iter()
                    .skip(from)
                    .collect();
            }
        }
    }
    out
}

fn is_task_failure(kind: &str) -> bool {
    matches!(
        kind,
        "LambdaFunctionFailed"
            | "LambdaFunctionTimedOut"
            | "LambdaFunctionStartFailed"
            | "LambdaFunctionScheduleFailed"
            | "TaskFailed"
            | "TaskTimedOut"
            | "TaskStartFailed"
            | "TaskSubmitFailed"
            | "ActivityFailed"
            | "ActivityTimedOut"
            | "ActivityScheduleFailed"
            | "ParallelStateFailed"
            | "MapStateFailed"
    )
}

/// Each state's status after the first `k` events (time travel: fold a prefix).
pub fn statuses(
    events: &[HistoryEvent],
    names: &[Option<String>],
    k: usize,
) -> HashMap<String, StateStatus> {
    let mut st: HashMap<String, StateStatus> = HashMap::new();
    for (e, name) in events.iter().zip(names).take(k) {
        let kind = e.kind;
        if let Some(name) = name {
            let cur = st.get(name).copied();
            let next = if kind == "FailStateEntered" {
                Some(StateStatus::Failed)
            } else if kind.ends_with("StateEntered") {
                Some(StateStatus::Running)
            } else if kind.ends_with("StateExited") {
                Some(if cur == Some(StateStatus::Failed) {
                    StateStatus::Caught
                } else {
                    StateStatus::Succeeded
                })
            } else if is_task_failure(kind) {
                Some(StateStatus::Failed)
            } else if kind.ends_with("Scheduled") && cur == Some(StateStatus::Failed) {
                Some(StateStatus::Retrying)
            } else if kind.ends_with("Aborted") {
                Some(StateStatus::Aborted)
            } else {
                None
            };
            if let Some(s) = next {
                st.insert(name.clone(), s);
            }
        }
        if matches!(
            kind,
            "ExecutionFailed" | "ExecutionTimedOut" | "ExecutionAborted"
        ) {
            let end = if kind == "ExecutionAborted" {
                StateStatus::Aborted
            } else {
                StateStatus::Failed
            };
            for s in st.values_mut() {
                if matches!(*s, StateStatus::Running | StateStatus::Retrying) {
                    *s = end;
                }
            }
        }
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(id: u64, prev: u64, kind: &'static str, name: Option<&str>) -> HistoryEvent {
        HistoryEvent {
            id,
            previous_event_id: prev,
            timestamp_ms: 0,
            kind,
            details_key: Some("d"),
            details: name.map_or(json!({}), |n| json!({"name": n})).into(),
        }
    }

    #[test]
    fn a_caught_task_failure_is_caught_and_the_catcher_succeeds() {
        let events = vec![
            ev(1, 0, "ExecutionStarted", None),
            ev(2, 1, "TaskStateEntered", Some("Charge")),
            ev(3, 2, "LambdaFunctionScheduled", None),
            ev(4, 3, "LambdaFunctionFailed", None),
            ev(5, 4, "TaskStateExited", Some("Charge")),
            ev(6, 5, "PassStateEntered", Some("Refund")),
            ev(7, 6, "PassStateExited", Some("Refund")),
        ];
        let names = state_names(&events);
        assert_eq!(names[3].as_deref(), Some("Charge"));
        let at = |k| statuses(&events, &names, k);
        assert_eq!(at(2)["Charge"], StateStatus::Running);
        assert_eq!(at(4)["Charge"], StateStatus::Failed);
        assert_eq!(at(7)["Charge"], StateStatus::Caught);
        assert_eq!(at(7)["Refund"], StateStatus::Succeeded);
        assert!(!at(5).contains_key("Refund"), "time travel: not yet run");
    }

    #[test]
    fn names_of_a_window_are_those_of_the_whole_fold() {
        let events = vec![
            ev(1, 0, "ExecutionStarted", None),
            ev(2, 1, "MapStateEntered", Some("Each")),
            ev(3, 2, "MapStateStarted", None),
            ev(4, 3, "MapIterationStarted", None),
            ev(5, 4, "PassStateEntered", Some("Inner")),
            ev(6, 5, "PassStateExited", Some("Inner")),
            ev(7, 6, "MapIterationSucceeded", None),
            ev(8, 3, "MapStateSucceeded", None),
            ev(9, 8, "MapStateExited", Some("Each")),
            ev(10, 12, "TaskScheduled", None),
            ev(11, 0, "TaskScheduled", None),
            ev(12, 9, "ExecutionSucceeded", None),
        ];
        let all = state_names(&events);
        for from in 0..=events.len() {
            for to in from..=events.len() + 1 {
                let window = state_names_in(&events, from, to);
                assert_eq!(window, all[from..to.min(events.len())], "{from}..{to}");
            }
        }
        // Ids out of order: the full fold answers.
        let odd = vec![
            ev(5, 0, "TaskStateEntered", Some("T")),
            ev(9, 5, "TaskScheduled", None),
        ];
        assert_eq!(state_names_in(&odd, 1, 2), state_names(&odd)[1..2]);
    }

    #[test]
    fn a_retry_shows_retrying_and_an_execution_failure_fails_running_states() {
        let events = vec![
            ev(1, 0, "ExecutionStarted", None),
            ev(2, 1, "TaskStateEntered", Some("T")),
            ev(3, 2, "TaskScheduled", None),
            ev(4, 3, "TaskFailed", None),
            ev(5, 4, "TaskScheduled", None),
            ev(6, 5, "ExecutionFailed", None),
        ];
        let names = state_names(&events);
        assert_eq!(statuses(&events, &names, 5)["T"], StateStatus::Retrying);
        assert_eq!(statuses(&events, &names, 6)["T"], StateStatus::Failed);
    }
}
