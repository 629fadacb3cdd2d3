//! The app shell: the header and the three panes (definition, graph, execution) that the views fill.

use crate::graph::view::GraphView;
use leptos::prelude::*;

/// The state machine a first visit starts with: the order process of the AWS console's example.
pub const DEFAULT_DEFINITION: &str = r#"{
  "Comment": "An example of a simple order process",
  "StartAt": "Check Inventory",
  "States": {
    "Check Inventory": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:region:account-id:function:CheckInventory",
      "Next": "Process Payment"
    },
    "Process Payment": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:region:account-id:function:ProcessPayment",
      "Next": "Notify Customer"
    },
    "Notify Customer": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:region:account-id:function:NotifyCustomer",
      "End": true
    }
  }
}"#;

#[component]
pub fn App() -> impl IntoView {
    let definition = RwSignal::new(DEFAULT_DEFINITION.to_string());
    view! {
        <header class="topbar">
            <h1 class="brand">
                <span class="brand-mark" aria-hidden="true">"⧉"</span>
                "Step Functions Playground"
            </h1>
            <p class="tagline">"Write a state machine, run it, watch it move — all in your browser."</p>
        </header>
        <main class="panes">
            <Pane id="pane-definition" title="Definition">
                <textarea
                    class="editor"
                    spellcheck="false"
                    aria-label="State machine definition (Amazon States Language JSON)"
                    prop:value=move || definition.get()
                    on:input=move |ev| definition.set(event_target_value(&ev))
                ></textarea>
            </Pane>
            <Pane id="pane-graph" title="Graph">
                <GraphView definition=definition.into() />
            </Pane>
            <Pane id="pane-execution" title="Execution">
                <p class="placeholder">"Run the workflow to see its execution, event by event."</p>
            </Pane>
        </main>
    }
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
