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
