//! The example gallery: the workflows of `examples/` embedded in the page, and the header's picker that loads one.

use crate::workspace::{Function, Workspace};
use leptos::prelude::*;
use serde_json::Value;

/// One example of the gallery, as `examples/index.json` describes it and its folder holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub slug: &'static str,
    pub title: String,
    pub description: String,
    /// The status a run ends with (`SUCCEEDED`, `FAILED`, …) and, for a failure, its error.
    pub expected_status: String,
    pub expected_error: Option<String>,
    pub definition: &'static str,
    pub input: &'static str,
    /// `(FunctionName, module source)` for each `lambdas/FunctionName.js`.
    pub functions: &'static [(&'static str, &'static str)],
}

impl Example {
    /// A fresh workspace holding this example (the default seed and timeout).
    pub fn workspace(&self) -> Workspace {
        let defaults = Workspace::default();
        Workspace {
            definition: self.definition.into(),
            functions: self
                .functions
                .iter()
                .map(|(name, code)| Function {
                    name: (*name).into(),
                    code: (*code).into(),
                })
                .collect(),
            input: self.input.into(),
            name: self.title.clone(),
            ..defaults
        }
    }
}

/// The files of one example folder.
struct Files {
    slug: &'static str,
    definition: &'static str,
    input: &'static str,
    functions: &'static [(&'static str, &'static str)],
}

/// Embeds `examples/<slug>/` with the named `lambdas/<Name>.js` modules.
macro_rules! files {
    ($slug:literal, [$($f:literal),* $(,)?]) => {
        Files {
            slug: $slug,
            definition: include_str!(concat!("../../examples/", $slug, "/definition.asl.json")),
            input: include_str!(concat!("../../examples/", $slug, "/input.json")),
            functions: &[$(($f, include_str!(concat!("../../examples/", $slug, "/lambdas/", $f, ".js")))),*],
        }
    };
}

const INDEX: &str = include_str!("../../examples/index.json");

const FILES: &[Files] = &[
    files!(
        "order-process",
        ["CheckInventory", "ProcessPayment", "NotifyCustomer"]
    ),
    files!("expense-approval", ["RequestApproval", "Reimburse"]),
    files!(
        "retry-and-catch",
        ["ReserveStock", "ChargeCard", "ReleaseStock"]
    ),
    files!("map-order-lines", ["PriceLine", "TotalOrder"]),
    files!(
        "parallel-checks",
        ["CreditCheck", "FraudScore", "ShippingQuote", "Decide"]
    ),
    files!("wait-and-poll", ["StartExport", "CheckExport"]),
    files!("intrinsic-functions", []),
    files!(
        "data-pipeline",
        ["IngestBatch", "TransformRecord", "Aggregate"]
    ),
    files!("jsonata-basket", ["QuoteShipping"]),
    files!("fail-on-purpose", ["CreateAccount"]),
];

/// The gallery in `index.json`'s order; an entry whose folder is not embedded is left out.
pub fn examples() -> Vec<Example> {
    let index: Vec<Value> = serde_json::from_str(INDEX).unwrap_or_default();
    index
        .iter()
        .filter_map(|entry| {
            let text = |v: Option<&Value>| v.and_then(Value::as_str).map(String::from);
            let slug = entry.get("slug").and_then(Value::as_str)?;
            let files = FILES.iter().find(|f| f.slug == slug)?;
            let expected = entry.get("expected");
            Some(Example {
                slug: files.slug,
                title: text(entry.get("title")).unwrap_or_else(|| slug.into()),
                description: text(entry.get("description")).unwrap_or_default(),
                expected_status: text(expected.and_then(|e| e.get("status")))
                    .unwrap_or_else(|| "SUCCEEDED".into()),
                expected_error: text(expected.and_then(|e| e.get("error"))),
                definition: files.definition,
                input: files.input,
                functions: files.functions,
            })
        })
        .collect()
}

/// The header's "Examples" picker: choosing one hands its workspace to `on_pick`.
#[component]
pub fn GalleryPicker(
    #[prop(into)] on_pick: Callback<Workspace>,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    let examples = StoredValue::new(examples());
    let current =
        RwSignal::new(examples.with_value(|e| e.first().map(|x| x.slug).unwrap_or_default()));
    let description = move || {
        examples.with_value(|e| {
            e.iter()
                .find(|x| x.slug == current.get())
                .map(|x| x.description.clone())
                .unwrap_or_default()
        })
    };
    let on_change = move |ev| {
        let slug = event_target_value(&ev);
        if let Some(ws) =
            examples.with_value(|e| e.iter().find(|x| x.slug == slug).map(Example::workspace))
        {
            current.set(
                examples.with_value(|e| e.iter().find(|x| x.slug == slug).map_or("", |x| x.slug)),
            );
            on_pick.run(ws);
        }
    };
    let options = examples.with_value(|e| {
        e.iter()
            .map(|x| {
                let slug = x.slug;
                view! {
                    <option value=slug title=x.description.clone() selected=move || current.get() == slug>
                        {x.title.clone()}
                    </option>
                }
            })
            .collect::<Vec<_>>()
    });
    view! {
        <label class="gallery" title=description>
            <span class="gallery-label">"Examples"</span>
            <select id="gallery" on:change=on_change disabled=move || disabled.get()>
                {options}
            </select>
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use asl::validate::{Options, validate_source};
    use std::collections::BTreeSet;

    /// Every object of a definition, with the `States` maps at any depth.
    fn states(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::Object(states_map)) = map.get("States") {
                    out.extend(states_map.values().cloned());
                }
                map.values().for_each(|x| states(x, out));
            }
            Value::Array(items) => items.iter().for_each(|x| states(x, out)),
            _ => {}
        }
    }

    /// Every string anywhere in a value.
    fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::String(s) => out.push(s),
            Value::Object(map) => map.values().for_each(|x| strings(x, out)),
            Value::Array(items) => items.iter().for_each(|x| strings(x, out)),
            _ => {}
        }
    }

    fn parsed(e: &Example) -> Value {
        serde_json::from_str(e.definition)
            .unwrap_or_else(|err| panic!("{}: definition is not JSON: {err}", e.slug))
    }

    #[test]
    fn the_index_lists_at_least_eight_examples_and_each_is_embedded() {
        let index: Vec<Value> = serde_json::from_str(INDEX).expect("index.json is a JSON array");
        assert!(index.len() >= 8, "only {} examples", index.len());
        assert_eq!(
            examples().len(),
            index.len(),
            "an index entry has no embedded folder"
        );
        assert_eq!(
            FILES.len(),
            index.len(),
            "an embedded folder is not in the index"
        );
        for e in examples() {
            assert!(
                !e.title.is_empty() && !e.description.is_empty(),
                "{}",
                e.slug
            );
            assert!(
                ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
                    .contains(&e.expected_status.as_str()),
                "{}: {}",
                e.slug,
                e.expected_status
            );
        }
    }

    #[test]
    fn every_lambda_file_of_every_example_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        for e in examples() {
            let mut on_disk: Vec<String> = std::fs::read_dir(root.join(e.slug).join("lambdas"))
                .map(|dir| {
                    dir.flatten()
                        .filter_map(|f| {
                            f.file_name()
                                .to_str()?
                                .strip_suffix(".js")
                                .map(String::from)
                        })
                        .collect()
                })
                .unwrap_or_default();
            on_disk.sort();
            let mut embedded: Vec<String> = e.functions.iter().map(|(n, _)| (*n).into()).collect();
            embedded.sort();
            assert_eq!(embedded, on_disk, "{}", e.slug);
        }
    }

    #[test]
    fn every_example_parses_and_validates_clean() {
        for e in examples() {
            let diags = validate_source(e.definition, &Options::default());
            assert!(diags.is_empty(), "{}: {diags:?}", e.slug);
            assert!(
                asl::definition::StateMachine::parse(e.definition).is_ok(),
                "{} does not parse",
                e.slug
            );
            assert!(
                serde_json::from_str::<Value>(e.input).is_ok(),
                "{}: input is not JSON",
                e.slug
            );
        }
    }

    #[test]
    fn every_lambda_a_task_names_is_in_the_example() {
        for e in examples() {
            let mut all = Vec::new();
            states(&parsed(&e), &mut all);
            for state in all.iter().filter(|s| s["Type"] == "Task") {
                let resource = state["Resource"].as_str().unwrap_or_default();
                let params = state.get("Parameters").or_else(|| state.get("Arguments"));
                let (name, _) = asl::lambda::target_of(resource, params.unwrap_or(&Value::Null))
                    .unwrap_or_else(|| panic!("{}: {resource} is not a Lambda", e.slug));
                assert!(
                    e.functions.iter().any(|(n, _)| *n == name),
                    "{}: no lambdas/{name}.js",
                    e.slug
                );
            }
        }
    }

    #[test]
    fn the_gallery_covers_every_state_type_retry_catch_and_intrinsics() {
        let mut types = BTreeSet::new();
        let (mut retry, mut catch, mut intrinsic) = (false, false, false);
        for e in examples() {
            let definition = parsed(&e);
            let mut all = Vec::new();
            states(&definition, &mut all);
            for s in &all {
                if let Some(t) = s["Type"].as_str() {
                    types.insert(t.to_string());
                }
                retry |= s.get("Retry").is_some();
                catch |= s.get("Catch").is_some();
            }
            let mut texts = Vec::new();
            strings(&definition, &mut texts);
            intrinsic |= texts
                .iter()
                .any(|t| t.starts_with("States.") && t.contains('('));
        }
        let all_types = [
            "Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
        ];
        for t in all_types {
            assert!(types.contains(t), "no example uses a {t} state");
        }
        assert!(retry, "no example retries");
        assert!(catch, "no example catches");
        assert!(intrinsic, "no example calls an intrinsic function");
    }

    #[test]
    fn the_first_example_is_the_default_workspace() {
        let first = examples().into_iter().next().expect("a first example");
        assert_eq!(first.slug, "order-process");
        assert_eq!(first.workspace(), Workspace::default());
    }
}
