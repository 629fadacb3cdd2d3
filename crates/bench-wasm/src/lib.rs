//! The benchmark's WebAssembly runner: exports the bench crate's workloads and JSONata suite to Node, which times the calls (`bench/wasm.mjs`).

use std::collections::HashMap;
use std::sync::Arc;

use bench::suite::{Case, Outcome};
use serde_json::Value;
use wasm_bindgen::prelude::*;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: bench::alloc::Counting = bench::alloc::Counting;

/// One workload: parsed once, run as many times as the caller times it.
#[wasm_bindgen]
pub struct Workload {
    inner: bench::workload::Workload,
    last: Option<asl::Execution>,
    /// The next run's copy of the input ([`Workload::prepare`]).
    next_input: Option<Value>,
}

#[wasm_bindgen]
impl Workload {
    /// Parses a manifest entry (`{"id", "unit", ...}` as JSON text) with its definition and input texts.
    #[wasm_bindgen(constructor)]
    pub fn new(entry: &str, asl: &str, input: &str) -> Result<Workload, JsError> {
        let specs =
            bench::workload::parse_manifest(&format!("[{entry}]")).map_err(|e| JsError::new(&e))?;
        let spec = specs
            .into_iter()
            .next()
            .ok_or_else(|| JsError::new("empty manifest entry"))?;
        let inner =
            bench::workload::Workload::new(spec, asl, input).map_err(|e| JsError::new(&e))?;
        Ok(Workload {
            inner,
            last: None,
            next_input: None,
        })
    }

    /// Copies the input for the next run (outside the timing, as the peer's runner copies its input).
    pub fn prepare(&mut self) {
        self.next_input = Some(self.inner.input.clone());
    }

    /// One run to the end with the full history kept (until [`Workload::release`] or the next
    /// run), on the copy [`Workload::prepare`] made (or a copy made now).
    pub fn run(&mut self) {
        self.last = None;
        let input = self
            .next_input
            .take()
            .unwrap_or_else(|| self.inner.input.clone());
        self.last = Some(self.inner.run_on(input));
    }

    /// Drops the last run's execution and its history.
    pub fn release(&mut self) {
        self.last = None;
    }

    /// History events of the last run.
    pub fn events(&self) -> usize {
        self.last.as_ref().map_or(0, |e| e.history().len())
    }

    /// State transitions of the last run.
    pub fn transitions(&self) -> usize {
        self.last.as_ref().map_or(0, bench::workload::transitions)
    }

    /// `ok`, or why the last run's status or output is not the expected one.
    pub fn check(&self) -> String {
        match &self.last {
            Some(e) => match bench::workload::check_execution(&self.inner.spec.id, e) {
                Ok(()) => "ok".into(),
                Err(e) => e,
            },
            None => "not run".into(),
        }
    }
}

/// The size of the module's linear memory in bytes (it only ever grows).
#[wasm_bindgen]
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0) as f64 * 65536.0
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// Bytes allocated and not freed.
#[wasm_bindgen]
pub fn live_bytes() -> f64 {
    bench::alloc::live() as f64
}

/// The most bytes live at once since [`reset_peak`].
#[wasm_bindgen]
pub fn peak_bytes() -> f64 {
    bench::alloc::peak() as f64
}

#[wasm_bindgen]
pub fn reset_peak() {
    bench::alloc::reset_peak();
}

/// The JSONata suite, handed over case by case, timed by the caller one case at a time.
#[wasm_bindgen]
#[derive(Default)]
pub struct Suite {
    datasets: HashMap<String, Arc<Value>>,
    cases: Vec<Case>,
    outcomes: Vec<Option<Outcome>>,
}

#[wasm_bindgen]
impl Suite {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Suite {
        Suite::default()
    }

    /// Adds a dataset (`"dataset": name` in cases) from its JSON text.
    pub fn add_dataset(&mut self, name: &str, text: &str) -> Result<(), JsError> {
        let v: Value = serde_json::from_str(text).map_err(|e| JsError::new(&e.to_string()))?;
        self.datasets.insert(name.to_string(), Arc::new(v));
        Ok(())
    }

    /// Adds a case from its JSON text (and its `expr-file`'s text when it has one); returns its index.
    pub fn add_case(
        &mut self,
        id: &str,
        body: &str,
        expr_file: Option<String>,
    ) -> Result<usize, JsError> {
        let Value::Object(o) =
            serde_json::from_str(body).map_err(|e| JsError::new(&e.to_string()))?
        else {
            return Err(JsError::new("a case is a JSON object"));
        };
        let case = Case::from_json(id.to_string(), &o, expr_file, &self.datasets)
            .map_err(|e| JsError::new(&e))?;
        self.cases.push(case);
        self.outcomes.push(None);
        Ok(self.cases.len() - 1)
    }

    pub fn len(&self) -> usize {
        self.cases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    /// Whether case `i` carries the runner's time box.
    pub fn timeboxed(&self, i: usize) -> bool {
        self.cases.get(i).is_some_and(|c| c.timebox.is_some())
    }

    /// Compile + evaluate case `i` (the timed part); the outcome is kept for [`Suite::passed`].
    pub fn run(&mut self, i: usize) {
        let outcome = self.cases.get(i).map(Case::run);
        if let Some(slot) = self.outcomes.get_mut(i) {
            *slot = outcome;
        }
    }

    /// Whether case `i`'s last outcome passes.
    pub fn passed(&self, i: usize) -> bool {
        match (self.cases.get(i), self.outcomes.get(i)) {
            (Some(c), Some(Some(o))) => c.passes(o),
            _ => false,
        }
    }
}
