//! Autosave: the named workspaces, their view state and last runs in the browser's localStorage, read back defensively.
//!
//! Keys: `sfn.index` lists the workspaces' ids and the current one; `sfn.ws.<id>` holds one workspace
//! (the workspace file's JSON) with its view state (selected state, editor tab, scrubber); `sfn.run.<id>`
//! holds its last run (the history, and when they fit the Lambda logs and the inspector's stages).
//! A record that cannot be read is moved aside to `sfn.bad.<id>` (never deleted) and reported.

use crate::io;
use crate::lambda::LogLine;
use crate::run::shared::Shared;
use crate::run::{InvocationLog, RunView};
use crate::workspace::Workspace;
use asl::execution::Inspection;
use asl::{Failure, HistoryEvent, Status};
use serde_json::{Map, Value, json};

pub const INDEX_KEY: &str = "sfn.index";
pub const WS_PREFIX: &str = "sfn.ws.";
pub const RUN_PREFIX: &str = "sfn.run.";
pub const BAD_PREFIX: &str = "sfn.bad.";
/// The most characters a stored run may take. A run with a longer history is kept without its logs
/// and stages; one whose history alone is longer is not kept (the page says so after a reload).
pub const RUN_CAP: usize = 1_000_000;

/// What the page shows of a workspace besides its content.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ui {
    pub selected: Option<String>,
    /// The editor tab: `definition`, `input`, `mocks` or `fn:<Name>`.
    pub tab: String,
    /// The scrubber's position; `None` at the end of the run.
    pub cursor: Option<usize>,
}

/// One saved workspace in the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: String,
    pub name: String,
}

/// A stored run, as read back.
#[derive(Debug, Clone, PartialEq)]
pub enum StoredRun {
    None,
    Run(Box<RunView>),
    /// The run was too large to keep: its number of events.
    TooLarge(usize),
    Unreadable,
}

/// Everything read at start-up.
pub struct Loaded {
    pub entries: Vec<Entry>,
    pub current: Option<String>,
    /// What went wrong, for the page to report.
    pub problems: Vec<String>,
}

// ----- pure: records ------------------------------------------------------------------------

pub fn ws_record(ws: &Workspace, ui: &Ui) -> String {
    json!({
        "file": ws.to_json(),
        "ui": {"selected": ui.selected, "tab": ui.tab, "cursor": ui.cursor},
    })
    .to_string()
}

pub fn read_ws_record(text: &str) -> Result<(Workspace, Ui), String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let file = v.get("file").ok_or("no workspace in it")?;
    let ws = Workspace::from_json(file).map_err(|e| e.to_string())?;
    let ui = v.get("ui");
    let s = |k: &str| {
        ui.and_then(|u| u.get(k))
            .and_then(Value::as_str)
            .map(String::from)
    };
    let ui = Ui {
        selected: s("selected"),
        tab: s("tab").unwrap_or_default(),
        cursor: ui
            .and_then(|u| u.get("cursor"))
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok()),
    };
    Ok((ws, ui))
}

pub fn index_record(current: &str, ids: &[String]) -> String {
    json!({"v": 1, "current": current, "ids": ids}).to_string()
}

fn read_index(text: &str) -> Option<(String, Vec<String>)> {
    let v: Value = serde_json::from_str(text).ok()?;
    let current = v.get("current")?.as_str()?.to_string();
    let ids = v
        .get("ids")?
        .as_array()?
        .iter()
        .map(|i| i.as_str().map(String::from))
        .collect::<Option<Vec<_>>>()?;
    Some((current, ids))
}

/// Interns an event type or details key read from storage (the engine's events hold `&'static str`).
fn intern(s: &str) -> Option<&'static str> {
    use std::cell::RefCell;
    use std::collections::HashSet;
    thread_local! {
        static NAMES: RefCell<HashSet<&'static str>> = RefCell::new(HashSet::new());
    }
    if s.is_empty() || s.len() > 64 || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    NAMES.with(|n| {
        let mut n = n.borrow_mut();
        if let Some(k) = n.get(s) {
            return Some(*k);
        }
        // Bounded: only names of at most 64 letters, and a run has few distinct ones.
        if n.len() >= 512 {
            return None;
        }
        let k: &'static str = Box::leak(s.to_string().into_boxed_str());
        n.insert(k);
        Some(k)
    })
}

fn event_json(e: &HistoryEvent) -> Value {
    json!({"id": e.id, "p": e.previous_event_id, "t": e.timestamp_ms, "type": e.kind,
           "key": e.details_key, "d": e.details.to_value()})
}

fn read_event(v: &Value) -> Option<HistoryEvent> {
    Some(HistoryEvent {
        id: v.get("id")?.as_u64()?,
        previous_event_id: v.get("p")?.as_u64()?,
        timestamp_ms: v.get("t")?.as_i64()?,
        kind: intern(v.get("type")?.as_str()?)?,
        details_key: match v.get("key") {
            Some(Value::String(k)) => Some(intern(k)?),
            _ => None,
        },
        details: v.get("d").cloned().unwrap_or(Value::Null).into(),
    })
}

fn inspection_json(i: &Inspection) -> Value {
    json!({"state": i.state_name, "entered": i.entered_event_id, "input": i.input,
        "afterInputPath": i.after_input_path, "afterParameters": i.after_parameters, "result": i.result,
        "afterResultSelector": i.after_result_selector, "afterResultPath": i.after_result_path,
        "output": i.output})
}

fn read_inspection(v: &Value) -> Option<Inspection> {
    let opt = |k: &str| v.get(k).filter(|x| !x.is_null()).cloned();
    Some(Inspection {
        state_name: v.get("state")?.as_str()?.to_string(),
        entered_event_id: v.get("entered")?.as_u64()?,
        input: v.get("input").cloned().unwrap_or(Value::Null),
        after_input_path: opt("afterInputPath"),
        after_parameters: opt("afterParameters"),
        result: opt("result"),
        after_result_selector: opt("afterResultSelector"),
        after_result_path: opt("afterResultPath"),
        output: opt("output"),
    })
}

fn log_json(l: &InvocationLog) -> Value {
    let lines: Vec<Value> = l
        .lines
        .iter()
        .map(|x| json!({"level": x.level, "text": x.text}))
        .collect();
    json!({"state": l.state, "function": l.function, "lines": lines, "error": l.error, "ms": l.duration_ms})
}

fn read_log(v: &Value) -> Option<InvocationLog> {
    let text = |x: &Value, k: &str| x.get(k).and_then(Value::as_str).map(String::from);
    Some(InvocationLog {
        state: text(v, "state")?,
        function: text(v, "function")?,
        lines: v
            .get("lines")?
            .as_array()?
            .iter()
            .map(|l| {
                Some(LogLine {
                    level: text(l, "level")?,
                    text: text(l, "text")?,
                })
            })
            .collect::<Option<_>>()?,
        error: v.get("error").filter(|e| !e.is_null()).cloned(),
        duration_ms: v.get("ms").and_then(Value::as_f64).unwrap_or(0.0),
    })
}

fn status_of(s: &str) -> Option<Status> {
    [
        Status::Running,
        Status::Succeeded,
        Status::Failed,
        Status::TimedOut,
        Status::Aborted,
    ]
    .into_iter()
    .find(|x| x.as_str() == s)
}

/// The stored text of a run: everything when it fits within `cap` characters, else the history alone,
/// else only a note of its size.
pub fn run_record(r: &RunView, cap: usize) -> String {
    // Every event takes at least this many characters (`{"id":1,"p":0,"t":1735689600000,"type":…}`):
    // a history too long for the cap is known so without serialising it (a long task for 25,000 events).
    const MIN_EVENT_CHARS: usize = 50;
    if r.events.len().saturating_mul(MIN_EVENT_CHARS) > cap {
        return json!({"v": 1, "tooLarge": r.events.len()}).to_string();
    }
    let mut m = Map::new();
    m.insert("v".into(), 1.into());
    m.insert("status".into(), r.status.as_str().into());
    m.insert("output".into(), r.output.clone().unwrap_or(Value::Null));
    if let Some(f) = &r.failure {
        m.insert(
            "failure".into(),
            json!({"error": f.error, "cause": f.cause}),
        );
    }
    m.insert("steps".into(), r.steps.into());
    m.insert(
        "events".into(),
        Value::Array(r.events.iter().map(event_json).collect()),
    );
    let bare = Value::Object(m.clone()).to_string();
    if bare.len() > cap {
        return json!({"v": 1, "tooLarge": r.events.len()}).to_string();
    }
    m.insert(
        "logs".into(),
        Value::Array(r.logs.iter().map(log_json).collect()),
    );
    m.insert(
        "inspections".into(),
        Value::Array(r.inspections.iter().map(inspection_json).collect()),
    );
    let full = Value::Object(m).to_string();
    if full.len() > cap { bare } else { full }
}

pub fn read_run_record(text: &str) -> StoredRun {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return StoredRun::Unreadable;
    };
    if let Some(n) = v.get("tooLarge").and_then(Value::as_u64) {
        return StoredRun::TooLarge(usize::try_from(n).unwrap_or(usize::MAX));
    }
    let read = || -> Option<RunView> {
        let list = |k: &str| v.get(k).and_then(Value::as_array);
        Some(RunView {
            events: list("events")?
                .iter()
                .map(read_event)
                .collect::<Option<_>>()?,
            status: status_of(v.get("status")?.as_str()?)?,
            output: v.get("output").filter(|o| !o.is_null()).cloned(),
            failure: v.get("failure").and_then(|f| {
                Some(Failure {
                    error: f.get("error")?.as_str()?.to_string(),
                    cause: f.get("cause").and_then(Value::as_str).map(String::from),
                })
            }),
            logs: match list("logs") {
                Some(ls) => ls.iter().map(read_log).collect::<Option<_>>()?,
                None => Shared::default(),
            },
            inspections: match list("inspections") {
                Some(is) => is.iter().map(read_inspection).collect::<Option<_>>()?,
                None => Shared::default(),
            },
            steps: v.get("steps").and_then(Value::as_u64).unwrap_or(0),
        })
    };
    read().map_or(StoredRun::Unreadable, |r| StoredRun::Run(Box::new(r)))
}

// ----- storage ------------------------------------------------------------------------------

/// A fresh id for a workspace.
pub fn new_id() -> String {
    thread_local! { static N: std::cell::Cell<u32> = const { std::cell::Cell::new(0) }; }
    let n = N.with(|n| {
        n.set(n.get().wrapping_add(1));
        n.get()
    });
    format!("{:x}{n:x}", js_sys::Date::now() as u64)
}

fn full_message(e: &str) -> String {
    if e == "full" {
        "The browser's storage is full: changes are not being saved. Export the workspace file, or delete workspaces you no longer need.".into()
    } else {
        format!("Changes are not being saved: {e}")
    }
}

/// Reads the list of workspaces. A damaged index is rebuilt from the records; a damaged record is
/// moved aside and reported.
pub fn load() -> Loaded {
    let mut problems = Vec::new();
    let index = match io::store_get(INDEX_KEY) {
        Ok(t) => t,
        Err(e) => {
            problems.push(format!("Autosave is off: {e}."));
            return Loaded {
                entries: Vec::new(),
                current: None,
                problems,
            };
        }
    };
    let (mut current, mut ids) = match index.as_deref().map(read_index) {
        Some(Some(x)) => x,
        Some(None) => {
            problems.push("The list of saved workspaces was damaged; it was rebuilt from the workspaces themselves.".into());
            (String::new(), Vec::new())
        }
        None => (String::new(), Vec::new()),
    };
    // Records the index does not list (a damaged index, or a save cut short) are listed again.
    for key in io::store_keys(WS_PREFIX) {
        if let Some(id) = key.strip_prefix(WS_PREFIX)
            && !ids.iter().any(|i| i == id)
        {
            ids.push(id.to_string());
        }
    }
    let mut entries = Vec::new();
    for id in ids {
        let key = format!("{WS_PREFIX}{id}");
        // Listed but gone: nothing to restore.
        if let Ok(Some(text)) = io::store_get(&key) {
            match read_ws_record(&text) {
                Ok((ws, _)) => entries.push(Entry { id, name: ws.name }),
                Err(e) => {
                    let aside = format!("{BAD_PREFIX}{id}");
                    let kept = io::store_set(&aside, &text).is_ok();
                    if kept {
                        io::store_remove(&key);
                    }
                    problems.push(format!(
                        "A saved workspace could not be read ({e}); {}",
                        if kept {
                            format!("its text is kept in storage under \"{aside}\".")
                        } else {
                            format!("its text stays in storage under \"{key}\".")
                        }
                    ));
                }
            }
        }
    }
    if !entries.iter().any(|e| e.id == current) {
        current = entries.first().map(|e| e.id.clone()).unwrap_or_default();
    }
    Loaded {
        current: (!current.is_empty()).then_some(current),
        entries,
        problems,
    }
}

/// Reads one workspace.
pub fn load_ws(id: &str) -> Option<(Workspace, Ui)> {
    let text = io::store_get(&format!("{WS_PREFIX}{id}")).ok()??;
    read_ws_record(&text).ok()
}

pub fn load_run(id: &str) -> StoredRun {
    match io::store_get(&format!("{RUN_PREFIX}{id}")) {
        Ok(Some(text)) => read_run_record(&text),
        _ => StoredRun::None,
    }
}

/// Saves the index; `Err` is the message to show.
pub fn save_index(current: &str, entries: &[Entry]) -> Result<(), String> {
    let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    io::store_set(INDEX_KEY, &index_record(current, &ids)).map_err(|e| full_message(&e))
}

pub fn save_ws(id: &str, ws: &Workspace, ui: &Ui) -> Result<(), String> {
    io::store_set(&format!("{WS_PREFIX}{id}"), &ws_record(ws, ui)).map_err(|e| full_message(&e))
}

/// Saves the last run (or forgets it). When the storage has no room for it, the old run is removed
/// (it would be stale) and the message says so.
pub fn save_run(id: &str, run: Option<&RunView>) -> Result<(), String> {
    let key = format!("{RUN_PREFIX}{id}");
    match run {
        None => {
            io::store_remove(&key);
            Ok(())
        }
        Some(r) => io::store_set(&key, &run_record(r, RUN_CAP)).map_err(|e| {
            io::store_remove(&key);
            if e == "full" {
                "The browser's storage has no room for the last run: it will not be restored after a reload.".into()
            } else {
                full_message(&e)
            }
        }),
    }
}

/// The raw texts of a workspace, for undoing its deletion.
pub fn raw(id: &str) -> (Option<String>, Option<String>) {
    let get = |k: String| io::store_get(&k).ok().flatten();
    (
        get(format!("{WS_PREFIX}{id}")),
        get(format!("{RUN_PREFIX}{id}")),
    )
}

pub fn restore_raw(id: &str, ws: Option<&str>, run: Option<&str>) -> Result<(), String> {
    if let Some(t) = ws {
        io::store_set(&format!("{WS_PREFIX}{id}"), t).map_err(|e| full_message(&e))?;
    }
    if let Some(t) = run {
        let _ = io::store_set(&format!("{RUN_PREFIX}{id}"), t);
    }
    Ok(())
}

pub fn remove(id: &str) {
    io::store_remove(&format!("{WS_PREFIX}{id}"));
    io::store_remove(&format!("{RUN_PREFIX}{id}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_run() -> RunView {
        RunView {
            events: Shared::from(vec![
                HistoryEvent {
                    id: 1,
                    previous_event_id: 0,
                    timestamp_ms: 1000,
                    kind: "ExecutionStarted",
                    details_key: Some("executionStartedEventDetails"),
                    details: json!({"input": {"a": 1}}).into(),
                },
                HistoryEvent {
                    id: 2,
                    previous_event_id: 1,
                    timestamp_ms: 1005,
                    kind: "ExecutionSucceeded",
                    details_key: Some("executionSucceededEventDetails"),
                    details: json!({"output": {"a": 1}}).into(),
                },
            ]),
            status: Status::Succeeded,
            output: Some(json!({"a": 1})),
            failure: None,
            logs: Shared::from(vec![InvocationLog {
                state: "S".into(),
                function: "F".into(),
                lines: vec![LogLine {
                    level: "log".into(),
                    text: "hi".into(),
                }],
                error: None,
                duration_ms: 2.0,
            }]),
            inspections: Shared::from(vec![Inspection {
                state_name: "S".into(),
                entered_event_id: 2,
                input: json!(1),
                output: Some(json!(2)),
                ..Inspection::default()
            }]),
            steps: 3,
        }
    }

    #[test]
    fn a_run_survives_its_record() {
        let r = sample_run();
        assert_eq!(
            read_run_record(&run_record(&r, RUN_CAP)),
            StoredRun::Run(Box::new(r))
        );
    }

    #[test]
    fn a_run_over_the_cap_keeps_its_history_or_only_its_size() {
        let r = sample_run();
        let bare_len = run_record(
            &RunView {
                logs: Shared::default(),
                inspections: Shared::default(),
                ..r.clone()
            },
            RUN_CAP,
        )
        .len();
        let StoredRun::Run(back) = read_run_record(&run_record(&r, bare_len + 40)) else {
            panic!("history kept");
        };
        assert_eq!((back.events, back.logs.len()), (r.events.clone(), 0));
        assert_eq!(read_run_record(&run_record(&r, 20)), StoredRun::TooLarge(2));
    }

    #[test]
    fn damaged_records_are_refused_not_trusted() {
        assert_eq!(read_run_record("{\"v\":1,"), StoredRun::Unreadable);
        assert_eq!(
            read_run_record(r#"{"v":1,"status":"SUCCEEDED","events":[{"id":1}]}"#),
            StoredRun::Unreadable
        );
        let bad_type =
            r#"{"v":1,"status":"SUCCEEDED","events":[{"id":1,"p":0,"t":0,"type":"a b"}]}"#;
        assert_eq!(read_run_record(bad_type), StoredRun::Unreadable);
        assert!(read_ws_record("garbage").is_err());
        assert!(read_ws_record(r#"{"file": {"format": "x"}}"#).is_err());
        assert_eq!(read_index("[1]"), None);
    }

    #[test]
    fn a_workspace_and_its_view_state_survive_the_record() {
        let ui = Ui {
            selected: Some("Check Inventory".into()),
            tab: "fn:CheckInventory".into(),
            cursor: Some(4),
        };
        let ws = Workspace::default();
        assert_eq!(read_ws_record(&ws_record(&ws, &ui)), Ok((ws, ui)));
    }
}
