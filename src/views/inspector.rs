//! The state inspector: for the selected state, its data-flow stages and Lambda logs as they were at the cursor.

use crate::run::RunView;
use leptos::prelude::*;
use serde_json::Value;

/// The stages in the order the data flows, labelled as the TestState API names them.
fn stages(i: &asl::execution::Inspection) -> Vec<(&'static str, Option<&Value>)> {
    vec![
        ("input", Some(&i.input)),
        ("afterInputPath", i.after_input_path.as_ref()),
        // JSONata states have no InputPath; their Arguments take Parameters' place.
        (
            if i.after_input_path.is_none() {
                "afterArguments"
            } else {
                "afterParameters"
            },
            i.after_parameters.as_ref(),
        ),
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
    // Which run of the state to show (a Map iteration, a loop's pass); None: the latest at the cursor.
    let pick: RwSignal<Option<usize>> = RwSignal::new(None);
    Effect::new(move |_| {
        selected.track();
        pick.set(None);
    });
    let body = move || {
        let name = selected.get()?;
        let k = upto.get();
        let chosen = pick.get();
        let content = run.with(|r| {
            let r = r.as_ref()?;
            // The runs of the state that had started by event k (ids are 1-based).
            let started: Vec<&asl::execution::Inspection> = r
                .inspections
                .iter()
                .filter(|i| i.state_name == name && (i.entered_event_id as usize) <= k)
                .collect();
            let insp = match chosen {
                Some(n) => started.get(n).map(|i| (*i).clone()),
                None => started.last().map(|i| (*i).clone()),
            };
            let runs = started.len();
            let logs: Vec<String> = r
                .logs
                .iter()
                .filter(|l| l.state == name)
                .flat_map(|l| l.lines.iter().map(|x| x.text.clone()))
                .collect();
            // The variables the run assigned: its StateExited event's assignedVariables.
            let assigned = insp.as_ref().and_then(|i| {
                r.events
                    .iter_from(i.entered_event_id as usize)
                    .take(k.saturating_sub(i.entered_event_id as usize))
                    .find(|e| {
                        e.kind.ends_with("StateExited")
                            && e.details.get("name").and_then(Value::as_str) == Some(name.as_str())
                    })
                    .and_then(|e| e.details.get("assignedVariables").cloned())
            });
            Some((insp, runs, logs, assigned))
        });
        let (insp, runs, logs, assigned) = content.unwrap_or((None, 0, vec![], None));
        let states = insp.as_ref().map(states_binding);
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
                    {(runs > 1)
                        .then(|| {
                            let current = chosen.unwrap_or(runs - 1).min(runs - 1);
                            if runs > 100 {
                                return view! {
                                    " · run "
                                    <input
                                        class="run-pick"
                                        type="number"
                                        min="1"
                                        max=runs
                                        prop:value=(current + 1).to_string()
                                        on:change=move |ev| {
                                            pick.set(event_target_value(&ev).parse::<usize>().ok().map(|n| n.saturating_sub(1)))
                                        }
                                    />
                                    {format!(" of {runs}")}
                                }
                                    .into_any();
                            }
                            view! {
                                " · run "
                                <select
                                    class="run-pick"
                                    on:change=move |ev| pick.set(event_target_value(&ev).parse().ok())
                                >
                                    {(0..runs)
                                        .map(|n| {
                                            view! {
                                                <option value=n.to_string() selected=n == current>
                                                    {(n + 1).to_string()}
                                                </option>
                                            }
                                        })
                                        .collect::<Vec<_>>()}
                                </select>
                                {format!(" of {runs}")}
                            }
                                .into_any()
                        })}
                </h3>
                {empty.then(|| view! { <p class="placeholder-small">"Not run (yet) at this point of the history."</p> })}
                {rows}
                {assigned
                    .map(|v| {
                        view! {
                            <div class="stage" data-stage="variables">
                                <div class="stage-label">"assigned variables"</div>
                                <pre class="json">{serde_json::to_string_pretty(&v).unwrap_or_default()}</pre>
                            </div>
                        }
                    })}
                {states.map(|st| view! { <TryExpression states=st /> })}
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

/// `$states` as the state saw it: its input, and its result when it had one.
fn states_binding(i: &asl::execution::Inspection) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("input".into(), i.input.clone());
    if let Some(r) = &i.result {
        m.insert("result".into(), r.clone());
    }
    Value::Object(m)
}

/// "Try an expression": a JSONata expression (Step Functions' dialect) evaluated live against `$states`.
#[component]
fn TryExpression(states: Value) -> impl IntoView {
    let expr = RwSignal::new("$states.input".to_string());
    let result = Memo::new(move |_| {
        let text = expr.get();
        let mut bindings = serde_json::Map::new();
        bindings.insert("states".into(), states.clone());
        let env = asl::jsonata_mode::step_functions_env(0, 1);
        match jsonata::Expression::parse(&text) {
            Err(e) => (true, format!("{}: {}", e.code, e.message)),
            Ok(x) => match x.evaluate(None, &bindings, &env) {
                Ok(Some(v)) => (false, serde_json::to_string_pretty(&v).unwrap_or_default()),
                Ok(None) => (false, "(undefined)".to_string()),
                Err(e) => (true, format!("{}: {}", e.code, e.message)),
            },
        }
    });
    view! {
        <div class="stage try">
            <div class="stage-label">"Try a JSONata expression on $states"</div>
            <input
                class="try-input"
                spellcheck="false"
                prop:value=move || expr.get()
                on:input=move |ev| expr.set(event_target_value(&ev))
            />
            <pre class="json" class:error=move || result.get().0>{move || result.get().1}</pre>
        </div>
    }
}
