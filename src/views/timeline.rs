//! The states table: one row per state run, with a bar on the execution's virtual timeline (waits and retries show).

use super::fold::Fold;
use crate::run::RunView;
use crate::run::shared::Shared;
use leptos::prelude::*;

/// A state's run: when it was entered and left (virtual ms), and how many attempts its task took.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub name: String,
    pub start: i64,
    pub end: Option<i64>,
    pub attempts: usize,
    /// The state's last attempt failed (caught when the state was left anyway).
    pub failed: bool,
}

/// Folds the first `k` events into state runs, in the order they were entered (`fold` names the
/// events; it folds on from where it stopped).
pub fn spans(events: &Shared<asl::HistoryEvent>, fold: &mut Fold, k: usize) -> Vec<Span> {
    fold.name_all(events);
    let mut out: Vec<Span> = Vec::new();
    let mut open: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, e) in events.iter().enumerate().take(k) {
        let Some(name) = fold.state_of(i).map(str::to_string) else {
            continue;
        };
        if e.kind.ends_with("StateEntered") {
            open.insert(name.clone(), out.len());
            out.push(Span {
                name,
                start: e.timestamp_ms,
                end: None,
                attempts: 0,
                failed: e.kind == "FailStateEntered",
            });
        } else if let Some(&i) = open.get(&name)
            && let Some(s) = out.get_mut(i)
        {
            if e.kind.ends_with("StateExited") {
                s.end = Some(e.timestamp_ms);
                open.remove(&name);
            } else if e.kind.ends_with("Scheduled") {
                // A new attempt: only the last attempt's failure counts (a retry that succeeds is fine).
                s.attempts += 1;
                s.failed = false;
            } else if e.kind.ends_with("Failed") || e.kind.ends_with("TimedOut") {
                s.failed = true;
            }
        }
    }
    out
}

fn duration(ms: i64) -> String {
    match ms {
        ms if ms < 1000 => format!("{ms} ms"),
        ms if ms < 120_000 => format!("{:.1} s", ms as f64 / 1000.0),
        ms if ms < 3_600_000 => format!("{:.1} min", ms as f64 / 60_000.0),
        ms => format!("{:.1} h", ms as f64 / 3_600_000.0),
    }
}

#[component]
pub fn StatesTable(
    run: Signal<Option<RunView>>,
    upto: Signal<usize>,
    selected: RwSignal<Option<String>>,
    fold: StoredValue<Fold>,
) -> impl IntoView {
    let rows = move || {
        run.with(|r| {
            let Some(r) = r else { return vec![] };
            let k = upto.get();
            let t0 = r.events.first().map_or(0, |e| e.timestamp_ms);
            let last = r.events.get(k.min(r.events.len()).wrapping_sub(1)).map_or(t0, |e| e.timestamp_ms);
            let total = (last - t0).max(1) as f64;
            let all = fold
                .try_update_value(|f| spans(&r.events, f, k))
                .unwrap_or_default();
            let skip = all.len().saturating_sub(super::events::MAX_ROWS);
            all.into_iter()
                .skip(skip)
                .map(|s| {
                    let end = s.end.unwrap_or(last);
                    let left = (s.start - t0) as f64 / total * 100.0;
                    let width = ((end - s.start) as f64 / total * 100.0).max(0.8);
                    let class = if s.failed && s.end.is_none() {
                        "bar failed"
                    } else if s.failed {
                        "bar caught"
                    } else if s.end.is_none() {
                        "bar running"
                    } else {
                        "bar"
                    };
                    let name = s.name.clone();
                    let retries = s.attempts.saturating_sub(1);
                    view! {
                        <tr on:click=move |_| selected.set(Some(name.clone()))>
                            <td class="sname">{s.name.clone()}</td>
                            <td class="num">{duration(end - s.start)}</td>
                            <td class="num">{(retries > 0).then(|| format!("{retries} retr{}", if retries == 1 { "y" } else { "ies" }))}</td>
                            <td class="track">
                                <div class=class style=format!("left:{left:.2}%;width:{width:.2}%")></div>
                            </td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <table class="states">
            <thead>
                <tr>
                    <th>"State"</th>
                    <th>"Duration"</th>
                    <th>"Retries"</th>
                    <th>"Timeline"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(id: u64, t: i64, kind: &'static str, name: Option<&str>) -> asl::HistoryEvent {
        asl::HistoryEvent {
            id,
            previous_event_id: id - 1,
            timestamp_ms: t,
            kind,
            details_key: Some("d"),
            details: name.map_or(json!({}), |n| json!({"name": n})).into(),
        }
    }

    #[test]
    fn a_wait_spans_its_hour_and_retries_are_counted() {
        let events: Shared<asl::HistoryEvent> = vec![
            ev(1, 0, "ExecutionStarted", None),
            ev(2, 0, "WaitStateEntered", Some("W")),
            ev(3, 3_600_000, "WaitStateExited", Some("W")),
            ev(4, 3_600_000, "TaskStateEntered", Some("T")),
            ev(5, 3_600_000, "TaskScheduled", None),
            ev(6, 3_600_000, "TaskFailed", None),
            ev(7, 3_601_000, "TaskScheduled", None),
            ev(8, 3_601_000, "TaskSucceeded", None),
            ev(9, 3_601_000, "TaskStateExited", Some("T")),
        ]
        .into();
        let mut fold = Fold::default();
        let s = spans(&events, &mut fold, events.len());
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].start, s[0].end), (0, Some(3_600_000)));
        assert_eq!(s[1].attempts, 2);
        assert!(!s[1].failed, "a retry that succeeded is not a failure");
        assert_eq!(
            spans(&events, &mut fold, 3).len(),
            1,
            "time travel folds a prefix"
        );
    }
}
