//! The state inspector: for the selected state, its data-flow stages and Lambda logs as they were at the cursor.

use crate::run::RunView;
use leptos::prelude::*;
use serde_json::Value;

/// The stages in the order the data flows, labelled as the TestState API names them.
fn stages(i: &asl::execution::Inspection) -> Vec<(&'static str, Option<&Value>)> {
    vec![
        ("input", Some(&i.input)),
        ("afterInputPath", i.after_input_path.as_ref()),
        ("afterParameters", i.after_parameters.as_ref()),
        ("result", i.result.as_ref()),
        ("afterResultSelector", i.after_result_selector.as_ref()),
        ("afterResultPath", i.after_result_path.as_ref()),
        ("output", i.output.as_ref()),
    ]
}

#[component]
pub fn Inspector(
    run: Signal<Option<RunView>>,
    selected: RwSignal<Option<String>>,
    upto: Signal<usize>,
) -> impl IntoView {
    let body = move || {
        let name = selected.get()?;
        let k = upto.get();
        let content = run.with(|r| {
            let r = r.as_ref()?;
            // The last run of the state that had started by event k (ids are 1-based).
            let insp = r
                .inspections
                .iter()
                .rev()
                .find(|i| i.state_name == name && (i.entered_event_id as usize) <= k)
                .cloned();
            let runs = r
                .inspections
                .iter()
                .filter(|i| i.state_name == name)
                .count();
            let logs: Vec<String> = r
                .logs
                .iter()
                .filter(|l| l.state == name)
                .flat_map(|l| l.lines.iter().map(|x| x.text.clone()))
                .collect();
            Some((insp, runs, logs))
        });
        let (insp, runs, logs) = content.unwrap_or((None, 0, vec![]));
        let rows = insp
            .map(|i| {
                let mut prev: Option<(&'static str, Value)> = None;
                stages(&i)
                    .into_iter()
                    .filter_map(|(label, v)| v.map(|v| (label, v.clone())))
                    .map(|(label, v)| {
                        // A stage that changed nothing says so instead of repeating the document.
                        let same_as = prev.as_ref().filter(|(_, p)| *p == v).map(|(l, _)| *l);
                        let text = serde_json::to_string_pretty(&v).unwrap_or_default();
                        prev = Some((label, v));
                        view! {
                            <div class="stage" data-stage=label>
                                <div class="stage-label">
                                    {label}
                                    {same_as.map(|l| view! { <span class="same">{format!(" = {l}")}</span> })}
                                </div>
                                <pre class="json" class:hidden=same_as.is_some()>{text}</pre>
                            </div>
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let empty = rows.is_empty();
        Some(view! {
            <div class="inspector">
                <h3>
                    {format!("State: {name}")}
                    {(runs > 1).then(|| format!(" · ran {runs} times (showing the latest)"))}
                </h3>
                {empty.then(|| view! { <p class="placeholder-small">"Not run (yet) at this point of the history."</p> })}
                {rows}
                {(!logs.is_empty())
                    .then(|| {
                        view! {
                            <div class="stage">
                                <div class="stage-label">"Lambda logs"</div>
                                <pre class="json">{logs.join("\n")}</pre>
                            </div>
                        }
                    })}
            </div>
        })
    };
    view! { <div class="inspector-wrap">{body}</div> }
}
