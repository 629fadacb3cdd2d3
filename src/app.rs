//! The app shell: the header and the three panes (editors, graph, execution) wired to the session and the run; `?embed` shows graph and execution only.

use crate::carry::{Carry, Notices, WorkspaceBar};
use crate::editor::{Editors, Tab};
use crate::gallery::GalleryPicker;
use crate::graph::view::GraphView;
use crate::io;
use crate::run::{self, RunView, StartError};
use crate::session::Session;
use crate::share;
use crate::views::events::EventTable;
use crate::views::fold::Fold;
use crate::views::inspector::Inspector;
use crate::views::timeline::StatesTable;
use crate::workspace::Workspace;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn App() -> impl IntoView {
    let embed = is_embed(&io::location().1);
    let session = Session::new(embed);
    let Session {
        ws,
        tab,
        run_view,
        cursor,
        selected,
        running,
        start_error,
        ..
    } = session;
    let stop_flag = RwSignal::new(false);
    session.start();
    // After the first render (an effect's first run): bare Lambda Workers start when the page is idle.
    Effect::new(|_| crate::lambda::warm());
    // Autosave: every change of the workspace or of what is shown of it (the run when it ends: below).
    Effect::new(move |_| {
        ws.track();
        tab.track();
        selected.track();
        cursor.track();
        session.save();
    });
    // A big document's last keystrokes reach the autosave after a pause: leaving sooner saves them too.
    let _ = window_event_listener(leptos::ev::pagehide, move |_| session.save());

    let definition = Signal::derive(move || ws.with(|w| w.definition.clone()));
    let total = Signal::derive(move || run_view.with(|r| r.as_ref().map_or(0, |r| r.events.len())));
    let upto = Signal::derive(move || cursor.get().unwrap_or(total.get()).min(total.get()));
    // The run's fold, shared by the views: each refresh folds only the events the run added. The
    // graph's statuses are repainted only when a state's status changed.
    let fold = StoredValue::new(Fold::default());
    let state_status = Memo::new(move |_| {
        run_view.with(|r| match r {
            Some(r) => fold
                .try_update_value(|f| f.statuses(&r.events, upto.get()))
                .unwrap_or_default(),
            None => Default::default(),
        })
    });

    let on_run = {
        move |_| {
            if running.get_untracked() {
                return;
            }
            let snapshot = ws.get_untracked();
            let prepared = run::prepare(&snapshot)
                .and_then(|(m, i)| run::mocks_of(&snapshot).map(|mocks| (m, i, mocks)));
            match prepared {
                Err(StartError::Definition(m)) => start_error.set(Some(format!("Definition: {m}"))),
                Err(StartError::Input(m) | StartError::Mocks(m)) => start_error.set(Some(m)),
                Ok((machine, input, mocks)) => {
                    stop_flag.set(false);
                    // The run is spawned first: its first slice (up to its first Lambda call) runs
                    // before the effects that draw RUNNING, so the Workers start on it meanwhile.
                    spawn_local(async move {
                        run::run(
                            snapshot,
                            machine,
                            input,
                            run::START_TIME_MS,
                            mocks,
                            move || stop_flag.get_untracked(),
                            move |v| run_view.set(Some(v)),
                        )
                        .await;
                        running.set(false);
                        // Autosaved in a task of its own: the run's result is drawn first.
                        set_timeout(move || session.save_run(), std::time::Duration::ZERO);
                    });
                    running.set(true);
                    if start_error.with_untracked(Option::is_some) {
                        start_error.set(None);
                    }
                    // (Setting it when it is already None would autosave the workspace for nothing.)
                    if cursor.with_untracked(Option::is_some) {
                        cursor.set(None);
                    }
                }
            }
        }
    };
    let on_stop = move |_| stop_flag.set(true);
    let load_example = move |w: Workspace| {
        session.pick_example(w);
        tab.set(Tab::Definition);
    };

    let execution = view! {
        <Pane id="pane-execution" title="Execution">
            <div class="toolbar">
                <button class="primary" id="run" on:click=on_run disabled=move || running.get()>
                    "▶ Run"
                </button>
                <button id="stop" on:click=on_stop disabled=move || !running.get()>
                    "■ Stop"
                </button>
                <StatusBadge run=run_view.into() running=running.into() />
            </div>
            {move || start_error.get().map(|m| view! { <p class="start-error" role="alert">{m}</p> })}
            <Scrubber total=total upto=upto cursor=cursor />
            <RunViews run=run_view.into() upto=upto selected=selected fold=fold />
        </Pane>
    }
    .into_any();
    let graph = view! {
        <Pane id="pane-graph" title="Graph">
            <GraphView definition=definition statuses=state_status.into() selected=selected />
        </Pane>
    }
    .into_any();
    if embed {
        let full = move || format!("{}{}", share::base_url(), io::location().2);
        return view! {
            <header class="topbar embed-bar">
                <h1 class="brand embed-title">{move || ws.with(|w| w.name.clone())}</h1>
                <a class="open-full" href=full target="_blank" rel="noopener">
                    "Open in the Step Functions Playground ↗"
                </a>
            </header>
            <Notices session=session />
            <main class="panes embed">{graph}{execution}</main>
        }
        .into_any();
    }
    view! {
        <header class="topbar">
            <h1 class="brand">
                <svg class="brand-mark" aria-hidden="true" width="18" height="18" viewBox="0 0 18 18">
                    <rect x="1" y="1" width="7" height="7" rx="1.5"></rect>
                    <rect x="10" y="10" width="7" height="7" rx="1.5"></rect>
                    <path d="M4.5 8v5.5H10" fill="none" stroke-width="1.6"></path>
                </svg>
                "Step Functions Playground"
            </h1>
            <WorkspaceBar session=session />
            <Carry session=session />
            <GalleryPicker on_pick=load_example disabled=running />
        </header>
        <Notices session=session />
        <main class="panes">
            <Pane id="pane-definition" title="Definition">
                <Editors ws=ws tab=tab selected=selected />
            </Pane>
            {graph}
            {execution}
        </main>
    }
    .into_any()
}

/// Whether the page's query asks for the embedded view (`?embed`, `?embed=1`, `?x&embed`).
pub fn is_embed(search: &str) -> bool {
    search
        .trim_start_matches('?')
        .split('&')
        .any(|p| p == "embed" || p.starts_with("embed="))
}

#[component]
fn Pane(id: &'static str, title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="pane" id=id aria-label=title>
            <h2 class="pane-title">{title}</h2>
            <div class="pane-body">{children()}</div>
        </section>
    }
}

#[component]
fn StatusBadge(run: Signal<Option<RunView>>, running: Signal<bool>) -> impl IntoView {
    let label = move || {
        if running.get() {
            return ("RUNNING".to_string(), "badge running");
        }
        run.with(|r| match r {
            None => ("NOT RUN".to_string(), "badge"),
            Some(r) => {
                let s = r.status.as_str().to_string();
                let class = match r.status {
                    asl::Status::Succeeded => "badge succeeded",
                    asl::Status::Running => "badge running",
                    _ => "badge failed",
                };
                (s, class)
            }
        })
    };
    let progress = move || {
        running
            .get()
            .then(|| {
                run.with(|r| {
                    r.as_ref()
                        .map(|r| format!("{} events · {} steps", r.events.len(), r.steps))
                })
            })
            .flatten()
    };
    view! {
        <span id="progress" class="progress">{progress}</span>
        <span id="status" class=move || label().1>{move || label().0}</span>
    }
}

/// Time travel: the history's first k events, stepped, dragged or played back at a chosen speed.
#[component]
fn Scrubber(
    total: Signal<usize>,
    upto: Signal<usize>,
    cursor: RwSignal<Option<usize>>,
) -> impl IntoView {
    let set = move |k: usize| {
        let t = total.get_untracked();
        cursor.set(if k >= t { None } else { Some(k) });
    };
    let playing = RwSignal::new(false);
    let speed = RwSignal::new(1.0f64);
    let timer: StoredValue<Option<IntervalHandle>> = StoredValue::new(None);
    let pause = move || {
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        timer.set_value(None);
        playing.set(false);
    };
    let start = move || {
        pause();
        if upto.get_untracked() >= total.get_untracked() {
            cursor.set(Some(0));
        }
        playing.set(true);
        let period = std::time::Duration::from_millis((350.0 / speed.get_untracked()) as u64);
        let handle = set_interval_with_handle(
            move || {
                let next = upto.get_untracked() + 1;
                set(next);
                if next >= total.get_untracked() {
                    pause();
                }
            },
            period,
        );
        timer.set_value(handle.ok());
    };
    view! {
        <div class="scrubber" class:hidden=move || total.get() == 0>
            <button
                id="play"
                title="Play the run event by event"
                on:click=move |_| if playing.get_untracked() { pause() } else { start() }
            >
                {move || if playing.get() { "❚❚" } else { "▶" }}
            </button>
            <select
                id="speed"
                title="Playback speed"
                on:change=move |ev| {
                    speed.set(jsonata::parse_f64(&event_target_value(&ev)).unwrap_or(1.0));
                    if playing.get_untracked() {
                        start();
                    }
                }
            >
                <option value="0.5">"0.5×"</option>
                <option value="1" selected>"1×"</option>
                <option value="2">"2×"</option>
                <option value="4">"4×"</option>
            </select>
            <button id="step-back" title="Step back" on:click=move |_| { pause(); set(upto.get_untracked().saturating_sub(1)) }>
                "◀"
            </button>
            <input
                id="scrub"
                type="range"
                min="0"
                max=move || total.get()
                prop:value=move || upto.get()
                on:input=move |ev| { pause(); set(event_target_value(&ev).parse().unwrap_or(0)) }
            />
            <button id="step-forward" title="Step forward" on:click=move |_| { pause(); set(upto.get_untracked() + 1) }>
                "▶|"
            </button>
            <span class="scrub-pos">{move || format!("{} / {}", upto.get(), total.get())}</span>
        </div>
    }
}

/// The run's views under the scrubber: the inspector of the selected state, then events, states or logs.
#[component]
fn RunViews(
    run: Signal<Option<RunView>>,
    upto: Signal<usize>,
    selected: RwSignal<Option<String>>,
    fold: StoredValue<Fold>,
) -> impl IntoView {
    let view_tab = RwSignal::new("events");
    let tab_button = move |id: &'static str, label: &'static str| {
        view! {
            <button role="tab" class="tab" id=format!("view-{id}") class:active=move || view_tab.get() == id on:click=move |_| view_tab.set(id)>
                {label}
            </button>
        }
    };
    view! {
        <Inspector run=run selected=selected upto=upto />
        <div class="tabs view-tabs" role="tablist">
            {tab_button("events", "Events")}
            {tab_button("states", "States")}
            {tab_button("logs", "Lambda logs")}
        </div>
        <div class="run-body">
            {move || match view_tab.get() {
                "states" => view! { <StatesTable run=run upto=upto selected=selected fold=fold /> }.into_any(),
                "logs" => view! { <Logs run=run /> }.into_any(),
                _ => view! { <EventTable run=run upto=upto fold=fold /> }.into_any(),
            }}
        </div>
    }
}

/// What each Lambda invocation printed.
#[component]
fn Logs(run: Signal<Option<RunView>>) -> impl IntoView {
    let items = move || {
        run.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.logs
                        .iter()
                        .map(|l| {
                            let lines = l.lines.iter().map(|x| format!("{}\n", x.text)).collect::<String>();
                            let err = l.error.as_ref().map(|e| e.to_string());
                            view! {
                                <div class="log">
                                    <div class="log-head">
                                        {format!("{} · λ {} · {:.0} ms", l.state, l.function, l.duration_ms)}
                                    </div>
                                    <pre>{lines}</pre>
                                    {err.map(|e| view! { <pre class="log-error">{e}</pre> })}
                                </div>
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    view! {
        <div class="logs">
            {items}
        </div>
    }
}
