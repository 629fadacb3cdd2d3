//! The editors: the definition, one module per Lambda function, and the input, as tabs, with the live problems list.

use crate::views::diagnostics::{problems, utf16_offset};
use crate::workspace::{Function, Workspace};
use leptos::prelude::*;

/// Which editor the left pane shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Tab {
    Definition,
    Function(String),
    Input,
}

/// The editors: the definition, one per Lambda function, and the input, as tabs.
#[component]
pub fn Editors(ws: RwSignal<Workspace>, tab: RwSignal<Tab>) -> impl IntoView {
    let tabs = move || {
        let mut t = vec![(Tab::Definition, "Definition".to_string())];
        ws.with(|w| {
            for f in &w.functions {
                t.push((Tab::Function(f.name.clone()), format!("λ {}", f.name)));
            }
        });
        t.push((Tab::Input, "Input".to_string()));
        t
    };
    let text = move || {
        ws.with(|w| match tab.get() {
            Tab::Definition => w.definition.clone(),
            Tab::Input => w.input.clone(),
            Tab::Function(name) => w
                .function(&name)
                .map(|f| f.code.clone())
                .unwrap_or_default(),
        })
    };
    let on_input = move |ev| {
        let value = event_target_value(&ev);
        let current = tab.get_untracked();
        ws.update(|w| match current {
            Tab::Definition => w.definition = value,
            Tab::Input => w.input = value,
            Tab::Function(name) => {
                if let Some(f) = w.functions.iter_mut().find(|f| f.name == name) {
                    f.code = value;
                }
            }
        });
    };
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
    let editor: NodeRef<leptos::html::Textarea> = NodeRef::new();
    let problem_list = Memo::new(move |_| ws.with(problems));
    let jump = move |line: u32, column: u32| {
        tab.set(Tab::Definition);
        let offset = ws.with_untracked(|w| utf16_offset(&w.definition, line, column));
        if let Some(el) = editor.get_untracked() {
            let _ = el.focus();
            let _ = el.set_selection_range(offset, offset + 1);
        }
    };
    view! {
        <div class="tabs" role="tablist">
            {move || {
                tabs()
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
        <textarea
            class="editor"
            node_ref=editor
            spellcheck="false"
            aria-label="Editor"
            prop:value=text
            on:input=on_input
        ></textarea>
        <ul class="problems" aria-label="Problems">
            {move || {
                problem_list
                    .get()
                    .into_iter()
                    .map(|p| {
                        let (line, column) = (p.line, p.column);
                        view! {
                            <li class=if p.error { "problem error" } else { "problem warning" }>
                                <button class="loc" on:click=move |_| jump(line, column)>
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
