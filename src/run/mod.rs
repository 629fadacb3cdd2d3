//! Runs an execution in the page: steps the engine, answers tasks from the Lambda Workers, jumps virtual time.

pub mod shared;

use crate::lambda::{self, LogLine};
use crate::workspace::Workspace;
use asl::HistoryEvent;
use asl::definition::StateMachine;
use asl::execution::Inspection;
use asl::{Execution, ExecutionConfig, Failure, Rng, Status, TaskOutcome};
use serde_json::Value;
use shared::{Appender, Shared};
use std::sync::Arc;
use wasm_bindgen_futures::JsFuture;
use workspace::mocks::{MockAnswer, MockConfig};

/// Every run's virtual clock starts at the workspace's fixed start, so a run replays exactly.
pub use workspace::START_TIME_MS;

/// State steps per slice of work: small enough that a slice stays well under a frame.
const STEPS_PER_SLICE: usize = 100;
/// The longest the driver works before it lets the browser have a turn (and render the views).
const SLICE_MS: f64 = 8.0;
/// How often a long run refreshes the views.
const UPDATE_EVERY_MS: f64 = 150.0;

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "
const ch = typeof MessageChannel === 'function' ? new MessageChannel() : null;
const waiting = [];
if (ch) ch.port1.onmessage = () => { const r = waiting.shift(); if (r) r(); };
export function yieldTask() {
  return new Promise((r) => { if (ch) { waiting.push(r); ch.port2.postMessage(0); } else setTimeout(r, 0); });
}
")]
extern "C" {
    #[wasm_bindgen(js_name = yieldTask)]
    fn yield_task() -> js_sys::Promise;
}

/// Lets the browser paint and handle input: a new task, posted on a MessageChannel (a nested
/// `setTimeout(0)` would be clamped to 4 ms).
async fn yield_to_browser() {
    let _ = JsFuture::from(yield_task()).await;
}

/// What one Lambda invocation printed, tied to the state that invoked it.
#[derive(Debug, Clone, PartialEq)]
pub struct InvocationLog {
    pub state: String,
    pub function: String,
    pub lines: Vec<LogLine>,
    pub error: Option<Value>,
    pub duration_ms: f64,
}

/// The run as the views see it: the history (the single source of truth) plus Lambda logs.
/// The lists are snapshots shared with the driver and with every earlier view of the same run, so
/// making a view copies only what the run appended since the last one.
#[derive(Debug, Clone, PartialEq)]
pub struct RunView {
    pub events: Shared<HistoryEvent>,
    pub status: Status,
    pub output: Option<Value>,
    pub failure: Option<Failure>,
    pub logs: Shared<InvocationLog>,
    pub inspections: Shared<Inspection>,
    /// State steps run so far (progress of a long run).
    pub steps: u64,
}

/// The driver's end of the run's shared lists: what the views have been shown so far.
#[derive(Default)]
struct Published {
    events: Appender<HistoryEvent>,
    inspections: Appender<Inspection>,
    logs: Appender<InvocationLog>,
    /// Logs not yet shown.
    pending_logs: Vec<InvocationLog>,
}

impl Published {
    /// The run before its first step: RUNNING, no event yet.
    fn starting(&mut self) -> RunView {
        RunView {
            events: self.events.snapshot(),
            status: Status::Running,
            output: None,
            failure: None,
            logs: self.logs.snapshot(),
            inspections: self.inspections.snapshot(),
            steps: 0,
        }
    }

    /// The run as it is now: the events and inspections the engine added since the last view are
    /// appended (cloned once; their payloads are shared snapshots), the rest is shared.
    fn view(&mut self, exec: &Execution) -> RunView {
        let new_events = exec.history().get(self.events.len()..).unwrap_or_default();
        self.events.append(new_events.to_vec());
        let new_inspections = exec
            .inspections()
            .get(self.inspections.len()..)
            .unwrap_or_default();
        self.inspections.append(new_inspections.to_vec());
        self.logs.append(std::mem::take(&mut self.pending_logs));
        RunView {
            events: self.events.snapshot(),
            status: exec.status(),
            output: exec.output().cloned(),
            failure: exec.failure().cloned(),
            logs: self.logs.snapshot(),
            inspections: self.inspections.snapshot(),
            steps: exec.steps_taken(),
        }
    }
}

/// Why a run could not start.
#[derive(Debug, Clone, PartialEq)]
pub enum StartError {
    Definition(String),
    Input(String),
    Mocks(String),
}

/// The chosen test case of the workspace's MockConfigFile, if it has one (as `sfn run --mock-config --test-case`).
pub fn mocks_of(ws: &Workspace) -> Result<Option<MockConfig>, StartError> {
    if ws.mocks.trim().is_empty() || ws.test_case.is_empty() {
        return Ok(None);
    }
    MockConfig::parse(&ws.mocks, &ws.test_case, Some(&ws.name))
        .map(Some)
        .map_err(|e| StartError::Mocks(format!("Mocks: {e}")))
}

/// Parses the workspace's definition and input; the machine is what `run` executes.
pub fn prepare(ws: &Workspace) -> Result<(Arc<StateMachine>, Value), StartError> {
    let machine = StateMachine::parse(&ws.definition).map_err(|diags| {
        StartError::Definition(
            diags
                .first()
                .map(|d| match (d.line, d.column) {
                    (Some(l), Some(c)) => format!("{l}:{c}: {}", d.message),
                    _ => d.message.clone(),
                })
                .unwrap_or_else(|| "invalid definition".into()),
        )
    })?;
    let input: Value =
        serde_json::from_str(&ws.input).map_err(|e| StartError::Input(format!("input: {e}")))?;
    Ok((Arc::new(machine), input))
}

/// Runs to the end, calling `update` after every step that changed the history.
/// `stopped` is polled between steps: when it says so, the execution is aborted.
pub async fn run(
    ws: Workspace,
    machine: Arc<StateMachine>,
    input: Value,
    start_time_ms: i64,
    mut mocks: Option<MockConfig>,
    stopped: impl Fn() -> bool,
    update: impl Fn(RunView),
) {
    lambda::reset();
    // Without mocks, the functions the definition names start loading now (the user pressed Run).
    let loading = mocks.is_none()
        && lambda::preload(
            ws.functions
                .iter()
                .filter(|f| ws.definition.contains(f.name.as_str()))
                .map(|f| (f.name.as_str(), f.code.as_str())),
        );
    let config = ExecutionConfig {
        seed: ws.seed,
        start_time_ms,
        inspect: true,
        ..ExecutionConfig::default()
    };
    let (region, account) = (config.region.clone(), config.account.clone());
    let mut rng = Rng::new(ws.seed ^ 0x5eed_1a4b_da00_0001);
    let mut shown = Published::default();
    update(shown.starting());
    // RUNNING is painted while the run waits for its first Lambda; a run with none to wait for paints
    // it before the engine's first slice (which may be long: a Map's items are made in one step).
    if !loading {
        yield_to_browser().await;
    }
    let mut exec = Execution::start_stepwise(machine, input, config, STEPS_PER_SLICE);
    let mut queue = std::collections::VecDeque::new();
    let mut last_update = js_sys::Date::now();
    let mut last_yield = js_sys::Date::now();
    // Whether the history changed since the views last saw it.
    let mut changed = false;
    while exec.status() == Status::Running {
        if stopped() {
            lambda::reset();
            exec.stop(None, Some("Stopped from the playground".into()));
            break;
        }
        // The views are refreshed in a task of their own: the engine's slice ends its task first,
        // so a frame holds either engine work or a render, not both.
        if changed && js_sys::Date::now() - last_update >= UPDATE_EVERY_MS {
            yield_to_browser().await;
            update(shown.view(&exec));
            changed = false;
            yield_to_browser().await;
            last_update = js_sys::Date::now();
            last_yield = last_update;
            continue;
        }
        // Long stretches of work (a big Map, many timers) run in slices: the page paints and
        // handles input (Stop) between them.
        if js_sys::Date::now() - last_yield >= SLICE_MS {
            yield_to_browser().await;
            last_yield = js_sys::Date::now();
            continue;
        }
        if exec.is_busy() {
            exec.resume();
            changed = true;
            continue;
        }
        while let Some(req) = exec.poll_task() {
            queue.push_back(req);
        }
        if let Some(req) = queue.pop_front() {
            // Mocks first, then the Lambda Workers, as `sfn run` answers.
            let mocked = match mocks.as_mut().and_then(|m| m.answer(&req)) {
                Some(MockAnswer::Outcome(o)) => Some(o),
                Some(MockAnswer::Exhausted(f)) => {
                    exec.stop(Some(f.error), f.cause);
                    continue;
                }
                None => None,
            };
            let outcome = match mocked {
                Some(o) => o,
                None => match asl::lambda::target(&req) {
                    Some((name, wrapped)) => match ws.function(&name) {
                        Some(f) => {
                            let request_id = rng.uuid_v4();
                            let event = asl::lambda::event(&req, wrapped);
                            let context = asl::lambda::context(
                                &name,
                                &region,
                                &account,
                                &request_id,
                                exec.now_ms(),
                            );
                            let inv =
                                lambda::invoke(&name, &f.code, &event, &context, ws.timeout_ms)
                                    .await;
                            let (outcome, error) = match inv.outcome {
                                Ok(v) => (
                                    TaskOutcome::Success(asl::lambda::result(
                                        v,
                                        wrapped,
                                        &request_id,
                                        exec.now_ms(),
                                        &mut rng,
                                    )),
                                    None,
                                ),
                                Err(e) => (TaskOutcome::Failure(asl::lambda::failure(&e)), Some(e)),
                            };
                            shown.pending_logs.push(InvocationLog {
                                state: req.state_name.clone(),
                                function: name,
                                lines: inv.logs,
                                error,
                                duration_ms: inv.duration_ms,
                            });
                            outcome
                        }
                        None => TaskOutcome::Failure(Failure::new(
                            "Lambda.ResourceNotFoundException",
                            format!(
                                "Function not found: arn:aws:lambda:{region}:{account}:function:{name} (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException)"
                            ),
                        )),
                    },
                    None => TaskOutcome::Failure(Failure::new(
                        "States.Runtime",
                        format!(
                            "The playground cannot answer the resource '{}' yet: only Lambda functions run here",
                            req.resource
                        ),
                    )),
                },
            };
            if stopped() {
                continue;
            }
            exec.complete_task(req.id, outcome);
            changed = true;
            continue;
        }
        match exec.next_timer() {
            Some(t) => {
                exec.advance_to(t);
                changed = true;
            }
            None => {
                exec.stop(
                    Some("Playground.Stuck".into()),
                    Some("No task is outstanding and no timer is pending".into()),
                );
            }
        }
    }
    // The end renders at once.
    update(shown.view(&exec));
    // The run's Workers end with it (the next run starts its functions cold, from fresh spare Workers).
    lambda::reset_later();
    // The engine's own copy of a long history is freed in a task of its own, not in the end's.
    leptos::task::spawn_local(async move {
        yield_to_browser().await;
        drop(exec);
    });
}
