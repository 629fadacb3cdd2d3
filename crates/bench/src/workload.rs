//! One benchmark workload: its manifest entry, the parsed machine and input, a run to the end with the full history kept, and the check of its result.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use asl::definition::StateMachine;
use asl::{Execution, ExecutionConfig, Rng, Status, TaskOutcome};
use serde_json::{Map, Value};

/// What `expected.json` says each workload must produce (status and output), kept beside the code.
const EXPECTED: &str = include_str!("../expected.json");

/// An entry of `workloads/manifest.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub id: String,
    pub asl: String,
    pub input: String,
    /// What one run counts (`state transitions`, `map items`, ...).
    pub unit: String,
    pub units_per_run: u64,
    pub transitions_per_run: Option<u64>,
}

/// Parses the manifest (a JSON array of entries).
pub fn parse_manifest(text: &str) -> Result<Vec<Spec>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("manifest: {e}"))?;
    let Value::Array(entries) = v else {
        return Err("manifest: not a JSON array".into());
    };
    entries
        .iter()
        .map(|e| {
            let s = |k: &str| {
                e.get(k)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| format!("manifest: an entry has no string {k:?}"))
            };
            Ok(Spec {
                id: s("id")?,
                asl: s("asl")?,
                input: s("input")?,
                unit: s("unit")?,
                units_per_run: e.get("unitsPerRun").and_then(Value::as_u64).unwrap_or(0),
                transitions_per_run: e.get("transitionsPerRun").and_then(Value::as_u64),
            })
        })
        .collect()
}

/// Whether a command-line selector picks a workload: its exact id, or (when no id equals it) a
/// substring of the id, as the peer's bench.mjs filters (`W2` picks the three W2 workloads).
pub fn selected(selectors: &[String], id: &str, all_ids: &[&str]) -> bool {
    selectors.is_empty()
        || selectors.iter().any(|s| {
            if all_ids.contains(&s.as_str()) {
                s == id
            } else {
                id.contains(s.as_str())
            }
        })
}

/// The shared workloads folder: `$BENCH_WORKLOADS`, else `../shared/bench/workloads` beside the
/// repository (CI, /work/main) or one level further up (a worktree).
pub fn default_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("BENCH_WORKLOADS") {
        return Some(PathBuf::from(d));
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        "../../../shared/bench/workloads",
        "../../../../shared/bench/workloads",
    ]
    .iter()
    .map(|rel| here.join(rel))
    .find(|p| p.join("manifest.json").is_file())
}

/// A workload ready to run: the machine parsed and validated once, the input parsed once.
pub struct Workload {
    pub spec: Spec,
    pub machine: Arc<StateMachine>,
    pub input: Value,
}

impl Workload {
    /// Parses the definition and input texts of `spec`.
    pub fn new(spec: Spec, asl: &str, input: &str) -> Result<Workload, String> {
        let machine = StateMachine::parse(asl).map_err(|d| {
            format!(
                "{}: invalid definition: {}",
                spec.id,
                d.first().map(|d| d.message.as_str()).unwrap_or("?")
            )
        })?;
        let input = serde_json::from_str(input).map_err(|e| format!("{}: input: {e}", spec.id))?;
        Ok(Workload {
            spec,
            machine: Arc::new(machine),
            input,
        })
    }

    /// Reads every workload of the manifest in `dir` (all when `selectors` is empty).
    pub fn load_dir(dir: &Path, selectors: &[String]) -> Result<Vec<Workload>, String> {
        let read = |f: &str| {
            std::fs::read_to_string(dir.join(f))
                .map_err(|e| format!("{}: {e}", dir.join(f).display()))
        };
        let specs = parse_manifest(&read("manifest.json")?)?;
        let ids: Vec<&str> = specs.iter().map(|s| s.id.as_str()).collect();
        let mut out = Vec::new();
        for spec in specs.iter().filter(|s| selected(selectors, &s.id, &ids)) {
            out.push(Workload::new(
                spec.clone(),
                &read(&spec.asl)?,
                &read(&spec.input)?,
            )?);
        }
        Ok(out)
    }

    /// Runs to the end on a copy of the input, keeping the whole history; Tasks are answered by
    /// [`local_function`].
    pub fn run(&self) -> Execution {
        self.run_on(self.input.clone())
    }

    /// [`Workload::run`] on a copy of the input the caller made (the timed runners copy it before
    /// the clock starts, as the peer's runner does).
    pub fn run_on(&self, input: Value) -> Execution {
        run(&self.machine, input)
    }
}

/// The execution settings of every benchmark run: AWS's defaults, quotas off (W2's 10,000-item
/// Map records far more than 25,000 events), no inspection data.
pub fn config() -> ExecutionConfig {
    ExecutionConfig {
        quotas: false,
        ..ExecutionConfig::default()
    }
}

/// W3's Lambda, as the manifest defines it: `(input) => ({doubled: input.x * 2, id: input.id})`.
pub fn local_function(input: &Value) -> Value {
    let mut out = Map::new();
    let doubled = match input.get("x") {
        Some(Value::Number(n)) => match n.as_i64().and_then(|i| i.checked_mul(2)) {
            Some(i) => Value::from(i),
            None => serde_json::Number::from_f64(n.as_f64().unwrap_or(f64::NAN) * 2.0)
                .map_or(Value::Null, Value::Number),
        },
        _ => Value::Null, // NaN in JavaScript, null once serialised
    };
    out.insert("doubled".into(), doubled);
    if let Some(id) = input.get("id") {
        out.insert("id".into(), id.clone());
    }
    Value::Object(out)
}

/// Runs `machine` on `input` to the end with [`config`], answering every Task by [`local_function`]
/// (wrapped as `lambda:invoke` wraps it when the Task uses that integration).
pub fn run(machine: &Arc<StateMachine>, input: Value) -> Execution {
    let mut exec = Execution::start(Arc::clone(machine), input, config());
    let mut rng = Rng::new(7);
    while exec.status() == Status::Running {
        if let Some(req) = exec.poll_task() {
            // `lambda::target` and `lambda::event` without building the function's name or a
            // copy of the event: only `lambda:invoke` wraps.
            let wrapped = req.resource.starts_with("arn:aws:states:::lambda:invoke")
                && asl::lambda::target(&req).is_some_and(|(_, w)| w);
            let result = if wrapped {
                local_function(req.parameters.get("Payload").unwrap_or(&Value::Null))
            } else {
                local_function(&req.parameters)
            };
            let now = exec.now_ms();
            let result = asl::lambda::result(result, wrapped, "bench-request", now, &mut rng);
            exec.complete_task(req.id, TaskOutcome::Success(result));
            continue;
        }
        match exec.next_timer() {
            Some(at) => exec.advance_to(at),
            None => break,
        }
    }
    exec
}

/// Number of state transitions of a run: its `*StateEntered` events.
pub fn transitions(exec: &Execution) -> usize {
    exec.history()
        .iter()
        .filter(|e| e.kind.ends_with("StateEntered"))
        .count()
}

/// Compares a finished run with `expected.json`: `Ok` when status and output match.
pub fn check(id: &str, status: &str, output: Option<&Value>) -> Result<(), String> {
    let all: Value = serde_json::from_str(EXPECTED).map_err(|e| format!("expected.json: {e}"))?;
    let Some(want) = all.get(id) else {
        return Err(format!("no expected result for {id} in expected.json"));
    };
    let want_status = want.get("status").and_then(Value::as_str).unwrap_or("");
    if status != want_status {
        return Err(format!("status {status}, expected {want_status}"));
    }
    let want_output = want.get("output").unwrap_or(&Value::Null);
    if output.unwrap_or(&Value::Null) != want_output {
        let got = output.map(Value::to_string).unwrap_or_default();
        let shown: String = got.chars().take(200).collect();
        return Err(format!("wrong output: {shown}"));
    }
    Ok(())
}

/// [`check`] for an execution of ours.
pub fn check_execution(id: &str, exec: &Execution) -> Result<(), String> {
    check(id, exec.status().as_str(), exec.output())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_local_function_doubles_x_and_passes_the_id() {
        assert_eq!(
            local_function(&json!({"x": 21, "id": 7})),
            json!({"doubled": 42, "id": 7})
        );
        assert_eq!(local_function(&json!({"x": 1.5})), json!({"doubled": 3.0}));
    }

    #[test]
    fn a_selector_is_an_exact_id_or_else_a_substring() {
        let ids = ["W1", "W2-mc0", "W2-mc1", "W2-mc10000"];
        let sel = |s: &str| -> Vec<&str> {
            ids.iter()
                .copied()
                .filter(|id| selected(&[s.to_string()], id, &ids))
                .collect()
        };
        assert_eq!(sel("W2-mc1"), ["W2-mc1"]);
        assert_eq!(sel("W2"), ["W2-mc0", "W2-mc1", "W2-mc10000"]);
        assert!(selected(&[], "W1", &ids));
    }

    #[test]
    fn the_manifest_gives_units_and_transitions() {
        let specs = parse_manifest(
            r#"[{"id":"W4","asl":"a.json","input":"i.json","unit":"loop iterations","unitsPerRun":5000,"transitionsPerRun":15001}]"#,
        )
        .unwrap_or_default();
        assert_eq!(specs.len(), 1);
        assert_eq!(specs[0].units_per_run, 5000);
        assert_eq!(specs[0].transitions_per_run, Some(15001));
    }

    #[test]
    fn a_task_workload_runs_with_the_local_function_and_keeps_its_history() {
        let asl = r#"{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
            "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task",
            "Resource":"arn:aws:lambda:us-east-1:123456789012:function:Double",
            "Parameters":{"x.$":"$.val","id.$":"$.id"},"ResultPath":"$.out","End":true}}},
            "ResultSelector":{"count.$":"States.ArrayLength($)"},"End":true}}}"#;
        let spec = Spec {
            id: "t".into(),
            asl: String::new(),
            input: String::new(),
            unit: "task invocations".into(),
            units_per_run: 3,
            transitions_per_run: None,
        };
        let w = Workload::new(
            spec,
            asl,
            r#"{"items":[{"id":1,"val":2},{"id":2,"val":3},{"id":3,"val":4}]}"#,
        );
        let Ok(w) = w else {
            panic!("the definition is valid");
        };
        let exec = w.run();
        assert_eq!(exec.status(), Status::Succeeded);
        assert_eq!(exec.output(), Some(&json!({"count": 3})));
        assert_eq!(transitions(&exec), 4);
        let task_results: Vec<&Value> = exec
            .history()
            .iter()
            .filter(|e| e.kind == "LambdaFunctionSucceeded")
            .filter_map(|e| e.details.get("output"))
            .collect();
        assert_eq!(task_results.len(), 3);
        assert_eq!(task_results.first(), Some(&&json!({"doubled": 4, "id": 1})));
    }

    #[test]
    fn a_result_is_checked_against_expected_json() {
        assert!(check("W2-mc0", "SUCCEEDED", Some(&json!({"count": 10000}))).is_ok());
        assert!(check("W2-mc0", "SUCCEEDED", Some(&json!({"count": 9999}))).is_err());
        assert!(check("W2-mc0", "FAILED", None).is_err());
        assert!(check("nope", "SUCCEEDED", None).is_err());
    }
}
