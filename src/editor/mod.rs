//! The editors: our code editor (bundled from `editor.js`) showing the definition, one module per Lambda function and the input as tabs, with live diagnostics and the problems list.

use crate::views::diagnostics::{Problem, problems, utf16_offset};
use crate::workspace::{Function, Workspace};
use leptos::prelude::*;
use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

// The global `SfnEditor` that the esbuild bundle of `editor.js` defines (loaded by index.html before the app).
#[wasm_bindgen(js_namespace = SfnEditor)]
extern "C" {
    #[wasm_bindgen(catch, js_name = create)]
    fn editor_create(parent: &JsValue, on_change: &js_sys::Function) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = show)]
    fn editor_show(key: &str, text: &str, lang: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = lint)]
    fn editor_lint(key: &str, text: &str, diagnostics: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = select)]
    fn editor_select(from: u32, to: u32, focus: bool) -> Result<(), JsValue>;
}

/// Which editor the left pane shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Tab {
    Definition,
    Function(String),
    Input,
    /// The MockConfigFile, with its test case picker.
    Mocks,
}

impl Tab {
    /// The tab named by its key (as stored with the workspace); the definition for anything else.
    pub fn from_key(key: &str) -> Tab {
        match key {
            "input" => Tab::Input,
            "mocks" => Tab::Mocks,
            k => match k.strip_prefix("fn:") {
                Some(name) => Tab::Function(name.to_string()),
                None => Tab::Definition,
            },
        }
    }

    /// The editor's name for the tab's document (each keeps its own undo history).
    pub fn key(&self) -> String {
        match self {
            Tab::Definition => "definition".into(),
            Tab::Input => "input".into(),
            Tab::Mocks => "mocks".into(),
            Tab::Function(name) => format!("fn:{name}"),
        }
    }

    fn language(&self) -> &'static str {
        match self {
            Tab::Function(_) => "javascript",
            _ => "json",
        }
    }

    /// The tab's text in the workspace.
    fn text(&self, w: &Workspace) -> String {
        match self {
            Tab::Definition => w.definition.clone(),
            Tab::Input => w.input.clone(),
            Tab::Mocks => w.mocks.clone(),
            Tab::Function(name) => w.function(name).map(|f| f.code.clone()).unwrap_or_default(),
        }
    }
}

/// The problems as the editor's diagnostics: UTF-16 offsets into `source`, severity, message.
pub fn diagnostics_json(source: &str, problems: &[Problem]) -> String {
    let list: Vec<Value> = problems
        .iter()
        .map(|p| {
            json!({
                "from": utf16_offset(source, p.line, p.column),
                "severity": if p.error { "error" } else { "warning" },
                "message": p.message,
            })
        })
        .collect();
    Value::Array(list).to_string()
}

/// The execution input's problem, if it is not JSON (running refuses it then).
pub fn input_problems(input: &str) -> Vec<Problem> {
    match serde_json::from_str::<Value>(input) {
        Ok(_) => Vec::new(),
        Err(e) => vec![Problem {
            error: true,
            line: u32::try_from(e.line()).unwrap_or(1).max(1),
            column: u32::try_from(e.column()).unwrap_or(1).max(1),
            message: format!("The input is not valid JSON: {e}"),
        }],
    }
}

fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// The JSON Pointer of the state named `name`, searched through nested Parallel branches and Maps.
pub fn state_pointer(machine: &Value, name: &str) -> Option<String> {
    fn walk(machine: &Value, name: &str, at: String, depth: usize) -> Option<String> {
        let states = machine.get("States")?.as_object()?;
        if depth > 32 {
            return None;
        }
        if states.contains_key(name) {
            return Some(format!("{at}/States/{}", escape(name)));
        }
        for (n, state) in states {
            let sp = format!("{at}/States/{}", escape(n));
            if let Some(bs) = state.get("Branches").and_then(Value::as_array) {
                for (i, b) in bs.iter().enumerate() {
                    if let Some(p) = walk(b, name, format!("{sp}/Branches/{i}"), depth + 1) {
                        return Some(p);
                    }
                }
            }
            for key in ["ItemProcessor", "Iterator"] {
                if let Some(p) = state.get(key)
                    && let Some(p) = walk(p, name, format!("{sp}/{key}"), depth + 1)
                {
                    return Some(p);
                }
            }
        }
        None
    }
    walk(machine, name, String::new(), 0)
}

/// Shows the definition tab and selects the token at 1-based `line`:`column` in it.
fn reveal_at(ws: RwSignal<Workspace>, tab: RwSignal<Tab>, line: u32, column: u32, focus: bool) {
    tab.set(Tab::Definition);
    let text = ws.with_untracked(|w| w.definition.clone());
    let offset = utf16_offset(&text, line, column);
    let _ = editor_show(&Tab::Definition.key(), &text, Tab::Definition.language());
    let _ = editor_select(offset, offset, focus);
}

/// Shows the definition tab with the cursor on the place of JSON Pointer `pointer` (an object
/// member's name, else its value). Returns false when the definition has no such place.
pub fn reveal_pointer(
    ws: RwSignal<Workspace>,
    tab: RwSignal<Tab>,
    pointer: &str,
    focus: bool,
) -> bool {
    let at = ws.with_untracked(|w| asl::source_map::locate_key(&w.definition, pointer));
    match at {
        Some((line, column)) => {
            reveal_at(ws, tab, line, column, focus);
            true
        }
        None => false,
    }
}

/// How long after a keystroke in a document of `len` bytes its dependents are brought up to date, in
/// ms: at once under 20 KB (their work takes a few ms), else ~1.4 ms per KB, at most 400 ms (W1's 230 KB:
/// 330 ms, longer than a quick typist's time between two keys, so they run when typing pauses).
fn settle_delay(len: usize) -> u64 {
    if len < 20_000 {
        0
    } else {
        (len / 700).min(400) as u64
    }
}

/// The editors: the definition, one per Lambda function, and the input, as tabs.
/// Selecting a state in the graph (`selected`, a state's name) reveals it in the definition.
#[component]
pub fn Editors(
    ws: RwSignal<Workspace>,
    tab: RwSignal<Tab>,
    selected: RwSignal<Option<String>>,
) -> impl IntoView {
    // A memo, so the tab buttons are rebuilt only when the functions change, not at each edit.
    let tabs = Memo::new(move |_| {
        let mut t = vec![(Tab::Definition, "Definition".to_string())];
        ws.with(|w| {
            for f in &w.functions {
                t.push((Tab::Function(f.name.clone()), format!("λ {}", f.name)));
            }
        });
        t.push((Tab::Input, "Input".to_string()));
        t.push((Tab::Mocks, "Mocks".to_string()));
        t
    });
    let add_function = move |_| {
        ws.update(|w| {
            let mut n = w.functions.len() + 1;
            while w.function(&format!("Function{n}")).is_some() {
                n += 1;
            }
            let name = format!("Function{n}");
            w.functions.push(Function {
                name: name.clone(),
                code: "exports.handler = async (event, context) => {\n  return event;\n};\n".into(),
            });
            tab.set(Tab::Function(name));
        });
    };

    // The editor, created once its host element is in the page; user edits flow into the workspace.
    let host: NodeRef<leptos::html::Div> = NodeRef::new();
    let ready = RwSignal::new(false);
    let settle: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);
    Effect::new(move |_| {
        let Some(el) = host.get() else { return };
        if ready.get_untracked() {
            return;
        }
        let on_change = Closure::<dyn FnMut(String)>::new(move |value: String| {
            let current = tab.get_untracked();
            let delay = settle_delay(value.len());
            // The text is in the workspace at once (what Run, export, share and a save read) ...
            ws.update_untracked(|w| match current {
                Tab::Definition => w.definition = value,
                Tab::Input => w.input = value,
                Tab::Mocks => w.mocks = value,
                Tab::Function(name) => {
                    if let Some(f) = w.functions.iter_mut().find(|f| f.name == name) {
                        f.code = value;
                    }
                }
            });
            // ... and what depends on it (diagnostics, graph, autosave) follows once typing pauses:
            // at once in a small document, after a pause that grows with a big one's size.
            if let Some(h) = settle.get_value() {
                h.clear();
            }
            settle.set_value(None);
            if delay == 0 {
                ws.notify();
            } else {
                let h = set_timeout_with_handle(
                    move || {
                        settle.set_value(None);
                        ws.notify();
                    },
                    std::time::Duration::from_millis(delay),
                );
                settle.set_value(h.ok());
            }
        });
        let element: &JsValue = el.as_ref();
        if editor_create(element, on_change.as_ref().unchecked_ref()).is_ok() {
            // The editor lives as long as the page.
            on_change.forget();
            ready.set(true);
        }
    });
    // The shown tab's text, whether it changed by typing (a no-op then) or from outside.
    Effect::new(move |_| {
        if !ready.get() {
            return;
        }
        let t = tab.get();
        let text = ws.with(|w| t.text(w));
        let _ = editor_show(&t.key(), &text, t.language());
    });
    let problem_list = Memo::new(move |_| ws.with(problems));
    Effect::new(move |_| {
        if !ready.get() {
            return;
        }
        let list = problem_list.get();
        let text = ws.with(|w| w.definition.clone());
        let _ = editor_lint(
            &Tab::Definition.key(),
            &text,
            &diagnostics_json(&text, &list),
        );
    });
    // The input is JSON too: a syntax error is marked where it is.
    Effect::new(move |_| {
        if !ready.get() {
            return;
        }
        let text = ws.with(|w| w.input.clone());
        let list = input_problems(&text);
        let _ = editor_lint(&Tab::Input.key(), &text, &diagnostics_json(&text, &list));
    });
    // A state selected in the graph: its place in the definition.
    Effect::new(move |_| {
        let Some(name) = selected.get() else { return };
        if !ready.get_untracked() {
            return;
        }
        let pointer = ws.with_untracked(|w| {
            serde_json::from_str::<Value>(&w.definition)
                .ok()
                .and_then(|def| state_pointer(&def, &name))
        });
        if let Some(p) = pointer {
            reveal_pointer(ws, tab, &p, false);
        }
    });

    view! {
        <div class="tabs" role="tablist">
            {move || {
                tabs.get()
                    .into_iter()
                    .map(|(t, label)| {
                        let t2 = t.clone();
                        view! {
                            <button
                                role="tab"
                                class="tab"
                                class:active=move || tab.get() == t
                                on:click=move |_| tab.set(t2.clone())
                            >
                                {label}
                            </button>
                        }
                    })
                    .collect::<Vec<_>>()
            }}
            <button class="tab add" title="Add a Lambda function" on:click=add_function>
                "+ λ"
            </button>
        </div>
        {move || (tab.get() == Tab::Mocks).then(|| view! { <MockCase ws=ws /> })}
        <div class="editor" node_ref=host aria-label="Editor"></div>
        <ul class="problems" aria-label="Problems">
            {move || {
                problem_list
                    .get()
                    .into_iter()
                    .map(|p| {
                        let (line, column) = (p.line, p.column);
                        view! {
                            <li class=if p.error { "problem error" } else { "problem warning" }>
                                <button class="loc" on:click=move |_| reveal_at(ws, tab, line, column, true)>
                                    {format!("{line}:{column}")}
                                </button>
                                " "
                                {p.message}
                            </li>
                        }
                    })
                    .collect::<Vec<_>>()
            }}
        </ul>
    }
}

/// The Mocks tab's test case picker: which of the MockConfigFile's test cases answers the tasks
/// (mocked states first, the Lambda Workers for the rest), and what is wrong with the file.
#[component]
fn MockCase(ws: RwSignal<Workspace>) -> impl IntoView {
    let cases = move || ws.with(|w| workspace::mocks::test_cases(&w.mocks));
    let problem = move || {
        ws.with(|w| match crate::run::mocks_of(w) {
            Err(crate::run::StartError::Mocks(m)) => Some(m),
            _ => None,
        })
    };
    view! {
        <div class="mock-case">
            <label>
                "Test case "
                <select
                    id="test-case"
                    prop:value=move || ws.with(|w| w.test_case.clone())
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        ws.update(|w| w.test_case = v);
                    }
                >
                    <option value="">"(none: the Lambdas answer every task)"</option>
                    {move || {
                        let current = ws.with(|w| w.test_case.clone());
                        cases()
                            .into_iter()
                            .map(|c| {
                                let sel = c == current;
                                view! { <option value=c.clone() selected=sel>{c.clone()}</option> }
                            })
                            .collect::<Vec<_>>()
                    }}
                </select>
            </label>
            <span class="mock-hint">"A Step Functions Local MockConfigFile: mocked states are answered from it, the rest by the Lambdas."</span>
            {move || problem().map(|m| view! { <p class="mock-problem" role="alert">{m}</p> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_big_document_settles_after_a_pause_that_grows_with_it() {
        assert_eq!(settle_delay(2_000), 0);
        assert_eq!(settle_delay(70_000), 100);
        assert_eq!(settle_delay(230_000), 328);
        assert_eq!(settle_delay(10_000_000), 400);
    }

    #[test]
    fn a_nested_state_is_found_in_its_branch() {
        let def = json!({"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
                {"StartAt": "B/1", "States": {"B/1": {"Type": "Pass", "End": true}}}
            ], "End": true},
            "M": {"Type": "Map", "ItemProcessor": {"StartAt": "C", "States": {"C": {"Type": "Succeed"}}}, "End": true}
        }});
        assert_eq!(state_pointer(&def, "P").as_deref(), Some("/States/P"));
        assert_eq!(
            state_pointer(&def, "B/1").as_deref(),
            Some("/States/P/Branches/1/States/B~11")
        );
        assert_eq!(
            state_pointer(&def, "C").as_deref(),
            Some("/States/M/ItemProcessor/States/C")
        );
        assert_eq!(state_pointer(&def, "Z"), None);
    }

    #[test]
    fn an_input_that_is_not_json_is_a_problem_at_its_place() {
        let p = input_problems("{\n  \"a\": 1,\n  oops\n}");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].error && p[0].line == 3, "{p:?}");
        assert_eq!(input_problems("{\"a\": [1, 2]}"), vec![]);
        assert_eq!(input_problems("  ").len(), 1);
    }

    #[test]
    fn diagnostics_are_placed_at_utf16_offsets() {
        let source = "{\n  \"😀\": x\n}";
        let p = vec![Problem {
            error: true,
            line: 2,
            column: 8,
            message: "bad".into(),
        }];
        let d: Value = serde_json::from_str(&diagnostics_json(source, &p)).unwrap_or_default();
        assert_eq!(
            d,
            json!([{"from": 10, "severity": "error", "message": "bad"}])
        );
    }
}
