//! The header's workspace controls (list, name, new, duplicate, delete) and what carries a workspace out and in: share, embed, import, export; and the notices.

use crate::io;
use crate::run::RunView;
use crate::session::Session;
use crate::share;
use crate::workspace::Workspace;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Value, json};

/// The list of saved workspaces, the open one's name, and New / Duplicate / Delete.
#[component]
pub fn WorkspaceBar(session: Session) -> impl IntoView {
    let options = move || {
        let current = session.current.get();
        session.entries.with(|es| {
            es.iter()
                .map(|e| {
                    let sel = e.id == current;
                    view! { <option value=e.id.clone() selected=sel>{e.name.clone()}</option> }
                })
                .collect::<Vec<_>>()
        })
    };
    let busy = move || session.running.get();
    view! {
        <div class="ws-bar" role="group" aria-label="Workspaces">
            <select
                id="ws-list"
                title="Your saved workspaces"
                prop:value=move || session.current.get()
                disabled=busy
                on:change=move |ev| session.switch(&event_target_value(&ev))
            >
                {options}
            </select>
            <input
                id="ws-name"
                title="Rename this workspace"
                aria-label="Workspace name"
                prop:value=move || session.ws.with(|w| w.name.clone())
                on:change=move |ev| {
                    let name = event_target_value(&ev);
                    let name = name.trim();
                    if !name.is_empty() {
                        session.ws.update(|w| w.name = name.to_string());
                    }
                }
            />
            <button id="ws-new" title="A new workspace" disabled=busy on:click=move |_| session.new_workspace()>"New"</button>
            <button id="ws-dup" title="A copy of this workspace" disabled=busy on:click=move |_| session.duplicate()>"Duplicate"</button>
            <button id="ws-delete" title="Delete this workspace (it can be undone)" disabled=busy on:click=move |_| session.delete()>"Delete"</button>
        </div>
    }
}

/// The notice (with Undo after a deletion) and the autosave problem, if any.
#[component]
pub fn Notices(session: Session) -> impl IntoView {
    let notice = move || {
        session.notice.get().map(|n| {
            let undo = n.undo.clone().map(|d| {
                view! { <button id="undo" on:click=move |_| session.undo(d.clone())>"Undo"</button> }
            });
            view! {
                <div id="notice" class=if n.error { "notice error" } else { "notice" } role=if n.error { "alert" } else { "status" }>
                    <span class="notice-text">{n.text}</span>
                    {undo}
                    <button class="close" title="Dismiss" on:click=move |_| session.notice.set(None)>"×"</button>
                </div>
            }
        })
    };
    let problem = move || {
        session.save_problem.get().map(|m| {
            view! { <div id="storage-problem" class="notice error" role="alert">{m}</div> }
        })
    };
    view! { {problem} {notice} }
}

/// A file name made of the workspace's name.
fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() { "workspace".into() } else { s }
}

/// The run's history as `aws stepfunctions get-execution-history` prints it.
pub fn history_json(run: &RunView) -> String {
    let events: Vec<Value> = run.events.iter().map(|e| e.to_aws_json()).collect();
    serde_json::to_string_pretty(&json!({ "events": events })).unwrap_or_default() + "\n"
}

/// What an imported file gives: a workspace to open as a new one, or mocks for the open one.
#[derive(Debug, Clone, PartialEq)]
pub enum Import {
    Open(Workspace),
    Mocks(Workspace),
}

/// Reads a dropped or picked file in the formats worker (`workspace::import`): what it gives, the
/// import's notes, or why it cannot be read (with its line and column).
async fn import_file(
    name: &str,
    text: &str,
    current: &Workspace,
) -> Result<(Import, Vec<String>), String> {
    let req = json!({"op": "import", "name": name, "text": text, "workspace": current.to_json()});
    let ok = io::formats(&req).await?;
    let ws = ok
        .get("workspace")
        .ok_or("the import gave no workspace")
        .and_then(|w| Workspace::from_json(w).map_err(|_| "the import gave no workspace"))?;
    let notes = ok
        .get("notes")
        .and_then(Value::as_array)
        .map(|n| {
            n.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let what = if ok.get("kind").and_then(Value::as_str) == Some("mocks") {
        Import::Mocks(ws)
    } else {
        Import::Open(ws)
    };
    Ok((what, notes))
}

/// What the Share and Embed buttons made.
#[derive(Debug, Clone, PartialEq)]
struct Made {
    link: String,
    embed: Option<String>,
    copied: bool,
}

/// Share, Embed, Import and Export.
#[component]
pub fn Carry(session: Session) -> impl IntoView {
    let made: RwSignal<Option<Made>> = RwSignal::new(None);
    let make = move |embed: bool| {
        let ws = session.ws.get_untracked();
        spawn_local(async move {
            match share::fragment_of(&ws).await {
                Ok(fragment) => {
                    let link = format!("{}#{fragment}", share::base_url());
                    let embed = embed.then(|| share::embed_snippet(&fragment, &ws.name));
                    let copied = io::copy_text(embed.as_deref().unwrap_or(&link)).await;
                    made.set(Some(Made {
                        link,
                        embed,
                        copied,
                    }));
                }
                Err(e) => session.say(format!("The share link could not be made: {e}"), true),
            }
        });
    };
    let export = move |what: &'static str| {
        let ws = session.ws.get_untracked();
        let stem = file_stem(&ws.name);
        // Made in the formats worker: a text to download, with what it could not carry over.
        let made_by_worker = |file: String, mime: &'static str| {
            let req = json!({"op": "export", "what": what, "workspace": ws.to_json()});
            spawn_local(async move {
                match io::formats(&req).await {
                    Ok(ok) => {
                        let text = ok.get("text").and_then(Value::as_str).unwrap_or_default();
                        io::download_text(&file, mime, text);
                        let notes: Vec<&str> = ok
                            .get("notes")
                            .and_then(Value::as_array)
                            .map(|n| n.iter().filter_map(Value::as_str).collect())
                            .unwrap_or_default();
                        if !notes.is_empty() {
                            session.say(format!("{file}: {}", notes.join(" ")), false);
                        }
                    }
                    Err(e) => session.say(format!("{file} could not be made: {e}"), true),
                }
            });
        };
        match what {
            "definition-json" => made_by_worker(format!("{stem}.asl.json"), "application/json"),
            "definition-yaml" => made_by_worker(format!("{stem}.asl.yaml"), "application/yaml"),
            "mocks" => made_by_worker(format!("{stem}.MockConfigFile.json"), "application/json"),
            "sam" => made_by_worker(format!("{stem}.template.yaml"), "application/yaml"),
            "workspace" => io::download_text(
                &format!("{stem}.workspace.json"),
                "application/json",
                &ws.to_file_text(),
            ),
            "history" => match session
                .run_view
                .with_untracked(|r| r.as_ref().map(history_json))
            {
                Some(text) => {
                    io::download_text(&format!("{stem}.history.json"), "application/json", &text)
                }
                None => session.say("There is no run to export yet: press Run first.", false),
            },
            "svg" | "png" => match io::graph_svg() {
                None => session.say(
                    "There is no graph to export: the definition does not parse.",
                    true,
                ),
                Some(svg) if what == "svg" => {
                    io::download_text(&format!("{stem}.svg"), "image/svg+xml", &svg)
                }
                Some(svg) => spawn_local(async move {
                    match io::svg_to_png(&svg, 2.0).await {
                        Ok(png) => io::download_bytes(&format!("{stem}.png"), "image/png", &png),
                        Err(e) => session.say(format!("The PNG could not be made: {e}"), true),
                    }
                }),
            },
            _ => {}
        }
    };
    // Import: a dropped file or the picker's; it opens as a new workspace, never over the open one.
    let dragging = RwSignal::new(false);
    io::install_import(
        move |name, text| match text {
            None => session.say(format!("{name} could not be read."), true),
            Some(text) => spawn_local(async move {
                let current = session.ws.get_untracked();
                match import_file(&name, &text, &current).await {
                    Ok((Import::Open(ws), notes)) => {
                        session.open_as_new(ws, &format!("file {name}"));
                        if !notes.is_empty() {
                            session.notice.update(|n| {
                                if let Some(n) = n {
                                    n.text = format!("{} {}", n.text, notes.join(" "));
                                }
                            });
                        }
                    }
                    // Mocks go into the open workspace when it has none; else into a copy of it.
                    Ok((Import::Mocks(ws), _)) if current.mocks.trim().is_empty() => {
                        session.ws.set(ws);
                        session.tab.set(crate::editor::Tab::Mocks);
                        session.say(format!("The mocks of {name} are in the Mocks tab."), false);
                    }
                    Ok((Import::Mocks(ws), _)) => {
                        session.open_as_new(
                            Workspace {
                                name: format!("{} (mocks from {name})", ws.name),
                                ..ws
                            },
                            &format!("file {name}"),
                        );
                        session.tab.set(crate::editor::Tab::Mocks);
                    }
                    Err(m) => session.say(format!("Nothing was imported: {m}"), true),
                }
            }),
        },
        move |over| dragging.set(over),
    );
    // The Export menu closes when an item is chosen.
    let menu_open = RwSignal::new(false);
    let item = move |id: &'static str, label: &'static str| {
        view! {
            <button class="menu-item" id=format!("export-{id}") on:click=move |_| { menu_open.set(false); export(id) }>{label}</button>
        }
    };
    let share_box = move || {
        made.get().map(|m| {
            let len = m.link.chars().count();
            let note = if m.copied { "Copied to the clipboard." } else { "Select it and copy it." };
            view! {
                <div class="share-box" id="share-box" role="dialog" aria-label="Share link">
                    <label>
                        {format!("Share link ({len} characters) — opens this workspace; its code runs only when Run is pressed. ")}
                        <input id="share-link" readonly prop:value=m.link.clone() />
                    </label>
                    {m.embed.clone().map(|snippet| view! {
                        <label>
                            "Embed in a page (graph, Run and the views):"
                            <textarea id="embed-snippet" readonly rows="3" prop:value=snippet></textarea>
                        </label>
                    })}
                    <p class="share-note">{note}</p>
                    <button class="close" title="Close" on:click=move |_| made.set(None)>"×"</button>
                </div>
            }
        })
    };
    view! {
        <div class="carry" class:dragging=move || dragging.get()>
            <button id="share" title="A link that holds this whole workspace" on:click=move |_| make(false)>"Share"</button>
            <button id="embed" title="An iframe snippet for a teaching page" on:click=move |_| make(true)>"Embed"</button>
            <label class="button" id="import" title="Import a workspace file or a definition (or drop a file on the page)">
                "Import"
                <input type="file" id="import-file" accept=".json,.yaml,.yml,.template,.txt" />
            </label>
            <details
                class="menu"
                id="export-menu"
                prop:open=move || menu_open.get()
                on:toggle=move |ev| {
                    let open = ev
                        .target()
                        .and_then(|t| js_sys::Reflect::get(&t, &"open".into()).ok())
                        .and_then(|v| v.as_bool())
                        .unwrap_or(false);
                    if open != menu_open.get_untracked() {
                        menu_open.set(open);
                    }
                }
            >
                <summary class="button">"Export"</summary>
                <div class="menu-items">
                    {item("definition-json", "Definition (JSON)")}
                    {item("definition-yaml", "Definition (YAML)")}
                    {item("workspace", "Workspace file")}
                    {item("mocks", "MockConfigFile")}
                    {item("sam", "SAM template (deployable)")}
                    {item("history", "Execution history (JSON)")}
                    {item("svg", "Graph (SVG)")}
                    {item("png", "Graph (PNG)")}
                </div>
            </details>
            {share_box}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_come_from_the_workspace_name() {
        assert_eq!(file_stem("Order process"), "order-process");
        assert_eq!(file_stem("Retry and Catch!"), "retry-and-catch");
        assert_eq!(file_stem("€€"), "workspace");
    }
}
