//! Folds of the execution history: which state each event belongs to, and each state's status after event k.

use crate::run::shared::Shared;
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

/// Folds of one run's history, kept from one refresh to the next: the state each event belongs to,
/// and each state's status after the first `k` events. A later snapshot of the same run folds only
/// the events it added (a long run is not folded again at every refresh); another run, or a cursor
/// moved back, starts the fold again.
#[derive(Debug, Default)]
pub struct Fold {
    /// The run (its history's list id) folded so far.
    list: Option<u64>,
    /// Each event's state, as an index into `names`.
    of_event: Vec<Option<usize>>,
    /// Events whose id is out of the dense 1, 2, 3… numbering (never from the engine), with their state.
    by_id: Vec<(u64, Option<usize>)>,
    names: Vec<String>,
    index: HashMap<String, usize>,
    /// How many events `status` has folded.
    at: usize,
    /// Each state's status after the first `at` events, by name index.
    status: Vec<Option<StateStatus>>,
}

impl Fold {
    /// Names the events of `events` not named yet (all of them for another run).
    pub fn name_all(&mut self, events: &Shared<HistoryEvent>) {
        if self.list != Some(events.list_id()) || self.of_event.len() > events.len() {
            *self = Fold {
                list: Some(events.list_id()),
                ..Fold::default()
            };
        }
        let from = self.of_event.len();
        for e in events.iter_from(from) {
            let name = self.name_of(e, events);
            if usize::try_from(e.id).ok() != Some(self.of_event.len() + 1) {
                self.by_id.push((e.id, name));
            }
            self.of_event.push(name);
        }
    }

    /// The state the next event `e` belongs to: its own `name` detail, else that of the event it follows.
    fn name_of(&mut self, e: &HistoryEvent, events: &Shared<HistoryEvent>) -> Option<usize> {
        let own = (e.kind.ends_with("StateEntered") || e.kind.ends_with("StateExited"))
            .then(|| e.details.get("name").and_then(|v| v.as_str()))
            .flatten();
        if let Some(n) = own {
            return Some(self.intern(n));
        }
        if e.kind.starts_with("Execution") || e.kind.starts_with("MapIteration") {
            return None;
        }
        // Events are numbered 1, 2, 3… in order, so an event's id finds its name by position; an
        // id out of that order is looked up in `by_id`.
        let dense = usize::try_from(e.previous_event_id)
            .ok()
            .and_then(|p| p.checked_sub(1))
            .filter(|i| events.get(*i).is_some_and(|p| p.id == e.previous_event_id))
            .and_then(|i| self.of_event.get(i).copied());
        dense.unwrap_or_else(|| {
            self.by_id
                .iter()
                .rev()
                .find(|(id, _)| *id == e.previous_event_id)
                .and_then(|(_, n)| *n)
        })
    }

    fn intern(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len();
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }

    /// The state event `i` belongs to (after [`Fold::name_all`]).
    pub fn state_of(&self, i: usize) -> Option<&str> {
        let n = (*self.of_event.get(i)?)?;
        self.names.get(n).map(String::as_str)
    }

    /// Each state's status after the first `k` events of `events` (time travel: fold a prefix).
    pub fn statuses(
        &mut self,
        events: &Shared<HistoryEvent>,
        k: usize,
    ) -> HashMap<String, StateStatus> {
        self.name_all(events);
        let k = k.min(events.len());
        if k < self.at {
            self.at = 0;
            self.status.clear();
        }
        let from = self.at;
        for (i, e) in events.iter_from(from).take(k - from).enumerate() {
            let name = self.of_event.get(from + i).copied().flatten();
            self.step(e.kind, name);
        }
        self.at = k;
        self.names
            .iter()
            .zip(&self.status)
            .filter_map(|(n, s)| s.map(|s| (n.clone(), s)))
            .collect()
    }

    /// Folds one event of type `kind` that belongs to the state `name`.
    fn step(&mut self, kind: &str, name: Option<usize>) {
        if let Some(n) = name {
            if self.status.len() <= n {
                self.status.resize(n + 1, None);
            }
            let cur = self.status.get(n).copied().flatten();
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
            if let (Some(s), Some(slot)) = (next, self.status.get_mut(n)) {
                *slot = Some(s);
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
            for s in self.status.iter_mut().flatten() {
                if matches!(*s, StateStatus::Running | StateStatus::Retrying) {
                    *s = end;
                }
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::shared::Appender;
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
        let events: Shared<HistoryEvent> = vec![
            ev(1, 0, "ExecutionStarted", None),
            ev(2, 1, "TaskStateEntered", Some("Charge")),
            ev(3, 2, "LambdaFunctionScheduled", None),
            ev(4, 3, "LambdaFunctionFailed", None),
            ev(5, 4, "TaskStateExited", Some("Charge")),
            ev(6, 5, "PassStateEntered", Some("Refund")),
            ev(7, 6, "PassStateExited", Some("Refund")),
        ]
        .into();
        let mut fold = Fold::default();
        fold.name_all(&events);
        assert_eq!(
            fold.state_of(3),
            Some("Charge"),
            "a task's event belongs to its state"
        );
        let mut at = |k| fold.statuses(&events, k);
        assert_eq!(at(2)["Charge"], StateStatus::Running);
        assert_eq!(at(4)["Charge"], StateStatus::Failed);
        assert_eq!(at(7)["Charge"], StateStatus::Caught);
        assert_eq!(at(7)["Refund"], StateStatus::Succeeded);
        assert!(!at(5).contains_key("Refund"), "time travel: not yet run");
    }

    #[test]
    fn events_are_named_by_the_event_they_follow_within_a_map_and_out_of_order() {
        let events: Shared<HistoryEvent> = vec![
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
        ]
        .into();
        let mut fold = Fold::default();
        fold.name_all(&events);
        let names: Vec<Option<&str>> = (0..events.len()).map(|i| fold.state_of(i)).collect();
        let (each, inner) = (Some("Each"), Some("Inner"));
        assert_eq!(
            names,
            [
                None, each, each, None, inner, inner, None, each, each, None, None, None
            ],
            "a reference forward or to 0 names nothing"
        );
        // Ids out of the dense numbering are looked up by id.
        let odd: Shared<HistoryEvent> = vec![
            ev(5, 0, "TaskStateEntered", Some("T")),
            ev(9, 5, "TaskScheduled", None),
        ]
        .into();
        let mut fold = Fold::default();
        fold.name_all(&odd);
        assert_eq!(fold.state_of(1), Some("T"));
    }

    #[test]
    fn a_retry_shows_retrying_and_an_execution_failure_fails_running_states() {
        let events: Shared<HistoryEvent> = vec![
            ev(1, 0, "ExecutionStarted", None),
            ev(2, 1, "TaskStateEntered", Some("T")),
            ev(3, 2, "TaskScheduled", None),
            ev(4, 3, "TaskFailed", None),
            ev(5, 4, "TaskScheduled", None),
            ev(6, 5, "ExecutionFailed", None),
        ]
        .into();
        let mut fold = Fold::default();
        assert_eq!(fold.statuses(&events, 5)["T"], StateStatus::Retrying);
        assert_eq!(fold.statuses(&events, 6)["T"], StateStatus::Failed);
    }

    #[test]
    fn a_growing_run_folds_the_same_as_its_whole_history_and_time_travel_goes_back() {
        let all = vec![
            ev(1, 0, "ExecutionStarted", None),
            ev(2, 1, "TaskStateEntered", Some("T")),
            ev(3, 2, "TaskScheduled", None),
            ev(4, 3, "TaskFailed", None),
            ev(5, 4, "TaskScheduled", None),
            ev(6, 5, "TaskSucceeded", None),
            ev(7, 6, "TaskStateExited", Some("T")),
            ev(8, 7, "PassStateEntered", Some("P")),
            ev(9, 8, "ExecutionFailed", None),
        ];
        let whole: Shared<HistoryEvent> = all.clone().into();
        let mut a = Appender::default();
        let mut growing = Fold::default();
        for chunk in all.chunks(2) {
            a.append(chunk.to_vec());
            let now = a.snapshot();
            let mut fresh = Fold::default();
            assert_eq!(
                growing.statuses(&now, now.len()),
                fresh.statuses(&whole, now.len()),
                "after {} events",
                now.len()
            );
        }
        let now = a.snapshot();
        assert_eq!(
            growing.statuses(&now, 4)["T"],
            StateStatus::Failed,
            "back in time"
        );
        assert_eq!(growing.statuses(&now, 5)["T"], StateStatus::Retrying);
        assert_eq!(growing.statuses(&now, 9)["P"], StateStatus::Failed);
        // Another run starts the fold again.
        let other: Shared<HistoryEvent> = vec![ev(1, 0, "PassStateEntered", Some("Q"))].into();
        let st = growing.statuses(&other, 1);
        assert_eq!((st.len(), st["Q"]), (1, StateStatus::Running));
        assert_eq!(growing.state_of(0), Some("Q"));
    }
}
