//! The page's session: the open workspace and its view state, the list of named workspaces, autosave, notices, and opening share links.

use crate::editor::Tab;
use crate::gallery;
use crate::io;
use crate::run::RunView;
use crate::share;
use crate::store::{self, Entry, StoredRun, Ui};
use crate::workspace::Workspace;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A message at the top of the page; a deletion's can be undone.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
    pub undo: Option<Deleted>,
}

/// A deleted workspace, kept in memory so its deletion can be undone.
#[derive(Debug, Clone, PartialEq)]
pub struct Deleted {
    pub id: String,
    pub position: usize,
    pub ws: Option<String>,
    pub run: Option<String>,
}

/// The signals of the session, shared by the app's parts (all `Copy`).
#[derive(Clone, Copy)]
pub struct Session {
    pub ws: RwSignal<Workspace>,
    pub tab: RwSignal<Tab>,
    pub run_view: RwSignal<Option<RunView>>,
    pub cursor: RwSignal<Option<usize>>,
    pub selected: RwSignal<Option<String>>,
    pub running: RwSignal<bool>,
    pub start_error: RwSignal<Option<String>>,
    pub entries: RwSignal<Vec<Entry>>,
    pub current: RwSignal<String>,
    pub notice: RwSignal<Option<Notice>>,
    /// Why the last save failed (storage full or unusable); cleared by the next save that works.
    pub save_problem: RwSignal<Option<String>>,
    /// `?embed`: no storage, no editors.
    pub embed: bool,
}

/// A name not yet in the list: `base`, else `base (2)`, `base (3)`, …
fn unique_name(entries: &[Entry], base: &str) -> String {
    let base = if base.trim().is_empty() {
        "Untitled"
    } else {
        base
    };
    let taken = |n: &str| entries.iter().any(|e| e.name == n);
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|k| format!("{base} ({k})"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| base.to_string())
}

/// A new, nearly empty workspace.
fn blank(name: String) -> Workspace {
    Workspace {
        name,
        definition: "{\n  \"Comment\": \"A new state machine\",\n  \"StartAt\": \"Hello\",\n  \"States\": {\n    \"Hello\": {\n      \"Type\": \"Pass\",\n      \"Result\": \"Hello, world\",\n      \"End\": true\n    }\n  }\n}\n".into(),
        functions: Vec::new(),
        input: "{}\n".into(),
        ..Workspace::default()
    }
}

impl Session {
    pub fn new(embed: bool) -> Session {
        Session {
            ws: RwSignal::new(Workspace::default()),
            tab: RwSignal::new(Tab::Definition),
            run_view: RwSignal::new(None),
            cursor: RwSignal::new(None),
            selected: RwSignal::new(None),
            running: RwSignal::new(false),
            start_error: RwSignal::new(None),
            entries: RwSignal::new(Vec::new()),
            current: RwSignal::new(String::new()),
            notice: RwSignal::new(None),
            save_problem: RwSignal::new(None),
            embed,
        }
    }

    pub fn say(&self, text: impl Into<String>, error: bool) {
        self.notice.set(Some(Notice {
            text: text.into(),
            error,
            undo: None,
        }));
    }

    fn ui(&self) -> Ui {
        Ui {
            selected: self.selected.get_untracked(),
            tab: self.tab.get_untracked().key(),
            cursor: self.cursor.get_untracked(),
        }
    }

    /// Shows a workspace, its view state and its run.
    fn show(&self, ws: Workspace, ui: Ui, run: StoredRun) {
        let tab = Tab::from_key(&ui.tab);
        let tab = match &tab {
            Tab::Function(n) if ws.function(n).is_none() => Tab::Definition,
            _ => tab,
        };
        self.ws.set(ws);
        self.tab.set(tab);
        self.selected.set(ui.selected);
        self.start_error.set(None);
        match run {
            StoredRun::Run(r) => {
                let total = r.events.len();
                self.run_view.set(Some(*r));
                self.cursor.set(ui.cursor.filter(|k| *k < total));
            }
            StoredRun::TooLarge(n) => {
                self.run_view.set(None);
                self.cursor.set(None);
                self.say(
                    format!("The last run ({n} events) was too large to keep in the browser's storage: run it again to see it."),
                    false,
                );
            }
            StoredRun::Unreadable => {
                self.run_view.set(None);
                self.cursor.set(None);
                self.say("The last run could not be read back from storage.", true);
            }
            StoredRun::None => {
                self.run_view.set(None);
                self.cursor.set(None);
            }
        }
    }

    /// Start-up: the saved workspaces (or a first one), then the share link in the address, if any.
    pub fn start(&self) {
        let (_, _, hash) = io::location();
        if !self.embed {
            let loaded = store::load();
            if !loaded.problems.is_empty() {
                self.say(loaded.problems.join(" "), true);
            }
            self.entries.set(loaded.entries);
            let restored = loaded
                .current
                .and_then(|id| store::load_ws(&id).map(|(ws, ui)| (id, ws, ui)));
            match restored {
                Some((id, ws, ui)) => {
                    let run = store::load_run(&id);
                    self.current.set(id);
                    self.show(ws, ui, run);
                }
                None => self.add(Workspace::default(), None),
            }
        }
        if hash.len() > 1 {
            let me = *self;
            spawn_local(async move {
                match share::open(&hash).await {
                    Ok(Some(ws)) if me.embed => me.show(ws, Ui::default(), StoredRun::None),
                    Ok(Some(ws)) => {
                        me.open_as_new(ws, "shared link");
                        io::clear_hash();
                    }
                    Ok(None) => {}
                    Err(m) => me.say(format!("{m} Your workspace was not changed."), true),
                }
            });
        }
    }

    /// Saves the open workspace and its view state (called on every change).
    pub fn save(&self) {
        if self.embed {
            return;
        }
        let id = self.current.get_untracked();
        if id.is_empty() {
            return;
        }
        let result = self
            .ws
            .with_untracked(|ws| store::save_ws(&id, ws, &self.ui()));
        let name = self.ws.with_untracked(|w| w.name.clone());
        self.entries.update(|es| {
            if let Some(e) = es.iter_mut().find(|e| e.id == id)
                && e.name != name
            {
                e.name = name;
            }
        });
        self.report(result);
    }

    fn report(&self, result: Result<(), String>) {
        match result {
            Ok(()) => {
                if self.save_problem.with_untracked(Option::is_some) {
                    self.save_problem.set(None);
                }
            }
            Err(m) => self.save_problem.set(Some(m)),
        }
    }

    /// Saves the last run of the open workspace (or forgets it when there is none).
    pub fn save_run(&self) {
        if self.embed {
            return;
        }
        let id = self.current.get_untracked();
        if id.is_empty() {
            return;
        }
        if let Err(m) = self
            .run_view
            .with_untracked(|r| store::save_run(&id, r.as_ref()))
        {
            self.say(m, true);
        }
    }

    fn save_index(&self) {
        if self.embed {
            return;
        }
        let r = self
            .entries
            .with_untracked(|es| store::save_index(&self.current.get_untracked(), es));
        self.report(r);
    }

    /// Adds a workspace to the list (after `after`, else at the end) and opens it.
    fn add(&self, mut ws: Workspace, after: Option<&str>) {
        ws.name = self.entries.with_untracked(|es| unique_name(es, &ws.name));
        let id = store::new_id();
        let entry = Entry {
            id: id.clone(),
            name: ws.name.clone(),
        };
        self.entries.update(|es| {
            let at = after
                .and_then(|a| es.iter().position(|e| e.id == a))
                .map_or(es.len(), |p| p + 1);
            es.insert(at.min(es.len()), entry);
        });
        self.current.set(id);
        self.show(ws, Ui::default(), StoredRun::None);
        self.save();
        self.save_run();
        self.save_index();
    }

    /// Opens the saved workspace `id`.
    pub fn switch(&self, id: &str) {
        if id == self.current.get_untracked() || self.running.get_untracked() {
            return;
        }
        match store::load_ws(id) {
            Some((ws, ui)) => {
                self.save();
                self.current.set(id.to_string());
                self.show(ws, ui, store::load_run(id));
                self.save_index();
            }
            None => self.say("That workspace could not be read from storage.", true),
        }
    }

    pub fn new_workspace(&self) {
        self.add(blank("Untitled".into()), None);
    }

    pub fn duplicate(&self) {
        let mut ws = self.ws.get_untracked();
        ws.name = format!("{} (copy)", ws.name);
        let after = self.current.get_untracked();
        self.add(ws, Some(&after));
    }

    /// Deletes the open workspace (undoable) and opens its neighbour, or a fresh one.
    pub fn delete(&self) {
        if self.embed || self.running.get_untracked() {
            return;
        }
        let id = self.current.get_untracked();
        let name = self.ws.with_untracked(|w| w.name.clone());
        let (ws_text, run_text) = store::raw(&id);
        let position = self
            .entries
            .with_untracked(|es| es.iter().position(|e| e.id == id))
            .unwrap_or(0);
        store::remove(&id);
        self.entries.update(|es| es.retain(|e| e.id != id));
        let next = self.entries.with_untracked(|es| {
            es.get(position.min(es.len().saturating_sub(1)))
                .map(|e| e.id.clone())
        });
        self.current.set(String::new());
        match next {
            Some(n) => self.switch(&n),
            None => self.add(Workspace::default(), None),
        }
        self.notice.set(Some(Notice {
            text: format!("Deleted \"{name}\"."),
            error: false,
            undo: Some(Deleted {
                id,
                position,
                ws: ws_text,
                run: run_text,
            }),
        }));
    }

    /// Brings a deleted workspace back and opens it.
    pub fn undo(&self, d: Deleted) {
        self.notice.set(None);
        if let Err(m) = store::restore_raw(&d.id, d.ws.as_deref(), d.run.as_deref()) {
            self.say(m, true);
            return;
        }
        let name = store::load_ws(&d.id).map(|(w, _)| w.name);
        let Some(name) = name else {
            self.say("The deleted workspace could not be brought back.", true);
            return;
        };
        self.entries.update(|es| {
            es.insert(
                d.position.min(es.len()),
                Entry {
                    id: d.id.clone(),
                    name,
                },
            )
        });
        self.switch(&d.id);
        self.save_index();
    }

    /// Whether the open workspace is exactly a gallery example (or the default), so replacing it loses nothing.
    fn pristine(&self) -> bool {
        self.ws.with_untracked(|w| {
            *w == Workspace::default() || gallery::examples().iter().any(|e| e.workspace() == *w)
        })
    }

    /// Loads a gallery example: in place of an untouched example, else as a new workspace.
    pub fn pick_example(&self, ws: Workspace) {
        if self.embed || self.pristine() {
            let name = if self.embed {
                ws.name.clone()
            } else {
                let cur = self.current.get_untracked();
                self.entries.with_untracked(|es| {
                    let others: Vec<Entry> = es.iter().filter(|e| e.id != cur).cloned().collect();
                    unique_name(&others, &ws.name)
                })
            };
            self.show(Workspace { name, ..ws }, Ui::default(), StoredRun::None);
            self.save();
            self.save_run();
        } else {
            self.add(ws, None);
        }
    }

    /// Opens a workspace that came from outside (a link, an import) without touching the open one:
    /// an identical saved workspace is opened, else it is added as a new one.
    pub fn open_as_new(&self, ws: Workspace, from: &str) {
        if self.running.get_untracked() {
            self.say(
                format!(
                    "A run is going on: open the {from} again when it has ended (or press Stop)."
                ),
                true,
            );
            return;
        }
        let same = self.entries.with_untracked(|es| {
            es.iter()
                .find(|e| store::load_ws(&e.id).is_some_and(|(w, _)| w == ws))
                .map(|e| e.id.clone())
        });
        let name = ws.name.clone();
        match same {
            Some(id) => {
                self.switch(&id);
                self.say(
                    format!("The {from} holds \"{name}\", which you already have: it is open. Press Run to run it."),
                    false,
                );
            }
            None => {
                self.add(ws, None);
                self.say(
                    format!("Opened \"{}\" from the {from} as a new workspace (your others are in the list). Its code runs only when you press Run.", self.ws.with_untracked(|w| w.name.clone())),
                    false,
                );
            }
        }
    }
}
