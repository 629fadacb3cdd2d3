//! The event view: the history as AWS's console lists it, one expandable row per event, up to the cursor.

use super::fold::state_names_in;
use crate::run::RunView;
use leptos::prelude::*;

/// A short detail for the row: the error, the resource, or nothing.
fn summary(e: &asl::HistoryEvent) -> String {
    let d = &e.details;
    if let Some(err) = d.get("error").and_then(|v| v.as_str()) {
        return err.to_string();
    }
    if let Some(r) = d.get("resource").and_then(|v| v.as_str()) {
        return r.to_string();
    }
    if let Some(i) = d.get("index").and_then(|v| v.as_u64()) {
        return format!("iteration {i}");
    }
    String::new()
}

fn elapsed(ms: i64) -> String {
    if ms < 1000 {
        format!("+{ms} ms")
    } else if ms < 120_000 {
        format!("+{:.1} s", ms as f64 / 1000.0)
    } else if ms < 3_600_000 {
        format!("+{:.1} min", ms as f64 / 60_000.0)
    } else {
        format!("+{:.1} h", ms as f64 / 3_600_000.0)
    }
}

/// At most this many rows are drawn: the ones just before the cursor (a long run has 25,000 events).
pub const MAX_ROWS: usize = 250;

#[component]
pub fn EventTable(run: Signal<Option<RunView>>, upto: Signal<usize>) -> impl IntoView {
    let rows = move || {
        run.with(|r| {
            let Some(r) = r else { return Vec::new() };
            let t0 = r.events.first().map_or(0, |e| e.timestamp_ms);
            let k = upto.get().min(r.events.len());
            let first = k.saturating_sub(MAX_ROWS);
            // Only the drawn rows' states are looked up (a long history is not folded for them).
            let names = state_names_in(&r.events, first, k);
            r.events
                .iter_from(first)
                .take(k - first)
                .zip(names)
                .map(|(e, name)| {
                    // The pretty JSON is written when the row is opened, not for every row drawn.
                    let shown = RwSignal::new(false);
                    let details = e.details.clone();
                    let json = move || {
                        shown.get().then(|| {
                            serde_json::to_string_pretty(&details.to_value()).unwrap_or_default()
                        })
                    };
                    let class = if e.kind.ends_with("Failed")
                        || e.kind.ends_with("TimedOut")
                        || e.kind.ends_with("Aborted")
                    {
                        "event bad"
                    } else if e.kind.ends_with("Succeeded") {
                        "event good"
                    } else {
                        "event"
                    };
                    view! {
                        <tr class=class data-type=e.kind>
                            <td class="num">{e.id}</td>
                            <td>
                                <details on:toggle=move |_| shown.set(true)>
                                    <summary>{e.kind}</summary>
                                    <pre class="json">{json}</pre>
                                </details>
                            </td>
                            <td>{name.unwrap_or_default()}</td>
                            <td class="num">{elapsed(e.timestamp_ms - t0)}</td>
                            <td class="detail">{summary(e)}</td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let hidden = move || {
        let n = run.with(|r| {
            r.as_ref().map_or(0, |r| {
                upto.get().min(r.events.len()).saturating_sub(MAX_ROWS)
            })
        });
        (n > 0).then(|| {
            view! {
                <p class="hidden-rows">
                    {format!("{n} earlier events are not shown: move the scrubber back to see them.")}
                </p>
            }
        })
    };
    view! {
        {hidden}
        <table class="events">
            <thead>
                <tr>
                    <th>"ID"</th>
                    <th>"Type"</th>
                    <th>"State"</th>
                    <th>"Time"</th>
                    <th>"Detail"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
