//! The steppable interpreter: one execution of a state machine, advanced by its driver.

use crate::dataflow::{self, Fault, MAX_PAYLOAD_BYTES, value_text};
use crate::definition::context;
use crate::definition::{
    Block, MapSpec, NumberField, PathField, QueryLanguage, State, StateKind, StateMachine,
    TaskSpec, TaskTarget, WaitFor,
};
use crate::error::Failure;
use crate::history::{Details, Field, HistoryEvent};
use crate::intrinsics;
use crate::jsonpath::{self, Roots};
use crate::payload;
use crate::rng::Rng;
use crate::timestamp;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

mod jsonata;

/// AWS's limit on the number of events in one execution's history.
pub const MAX_HISTORY_EVENTS: usize = 25_000;
/// A safety net when quotas are off: no execution records more events than this.
pub const HARD_HISTORY_LIMIT: usize = 2_000_000;
/// AWS reports a Choice without a match and without `Default` as `States.Runtime`.
const NO_CHOICE_MATCHED: &str = "No Choice Rule matched and no Default state was specified.";
/// The longest delay a Wait state accepts, in seconds.
const MAX_WAIT_SECONDS: i64 = 2_147_483_647;

/// Who runs the execution, and from when and with which seed.
#[derive(Debug, Clone)]
pub struct ExecutionConfig {
    pub execution_arn: String,
    pub execution_name: String,
    pub state_machine_arn: String,
    pub state_machine_name: String,
    pub role_arn: String,
    pub account: String,
    pub region: String,
    /// Start of virtual time, milliseconds since the epoch.
    pub start_time_ms: i64,
    /// Seed for jitter, `States.MathRandom`, `States.UUID`, `$random`, `$uuid` and task tokens.
    pub seed: u64,
    /// An EXPRESS state machine (5-minute limit, no history in AWS; we keep one anyway).
    pub express: bool,
    /// Record the data-flow stages of every state (TestState's `inspectionData`).
    pub inspect: bool,
    /// Enforce AWS's quotas: 256 KiB payloads (`States.DataLimitExceeded`) and 25,000 history
    /// events. On by default; benchmarks of large workloads switch it off.
    pub quotas: bool,
}

impl Default for ExecutionConfig {
    fn default() -> Self {
        let account = "123456789012".to_string();
        let region = "us-east-1".to_string();
        ExecutionConfig {
            execution_arn: format!(
                "arn:aws:states:{region}:{account}:execution:StateMachine:execution"
            ),
            execution_name: "execution".into(),
            state_machine_arn: format!(
                "arn:aws:states:{region}:{account}:stateMachine:StateMachine"
            ),
            state_machine_name: "StateMachine".into(),
            role_arn: format!("arn:aws:iam::{account}:role/StepFunctionsRole"),
            account,
            region,
            start_time_ms: 1_735_689_600_000, // 2025-01-01T00:00:00Z
            seed: 0,
            express: false,
            inspect: false,
            quotas: true,
        }
    }
}

/// Identifies one outstanding task invocation of an execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(pub u64);

/// How the task's result is awaited (`.sync`, `.waitForTaskToken`, or neither).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    RequestResponse,
    Sync,
    WaitForTaskToken,
}

/// A task the driver must answer with [`Execution::complete_task`].
#[derive(Debug, Clone)]
pub struct TaskRequest {
    pub id: TaskId,
    /// The Task state's name.
    pub state_name: String,
    /// The resource as written (`arn:aws:lambda:...:function:F`, `arn:aws:states:::lambda:invoke`, ...).
    pub resource: String,
    /// The effective parameters (after InputPath and Parameters) sent to the resource.
    pub parameters: Value,
    pub pattern: Pattern,
    /// `$$.Task.Token` when the pattern is `.waitForTaskToken`.
    pub task_token: Option<String>,
    pub timeout_seconds: Option<u64>,
    pub heartbeat_seconds: Option<u64>,
}

/// The answer to a task: the integration's result, or the error it raised.
#[derive(Debug, Clone)]
pub enum TaskOutcome {
    Success(Value),
    Failure(Failure),
}

/// An execution's status, as `DescribeExecution` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }
}

/// The data-flow stages of one state run (recorded when [`ExecutionConfig::inspect`] is on).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inspection {
    pub state_name: String,
    /// The id of the state's `…StateEntered` event (0 inside a distributed Map's children).
    pub entered_event_id: u64,
    pub input: Value,
    pub after_input_path: Option<Value>,
    pub after_parameters: Option<Value>,
    pub result: Option<Value>,
    pub after_result_selector: Option<Value>,
    pub after_result_path: Option<Value>,
    pub output: Option<Value>,
}

type Tid = usize;

/// The hasher of the engine's maps keyed by its own sequential ids (task ids): a multiply,
/// deterministic (no SipHash with random keys; nothing here is chosen by a user).
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 =
                (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A line of execution: the top level, one Parallel branch or one Map iteration.
struct Thread {
    block: Arc<Block>,
    parent: Option<(Tid, usize)>,
    /// The id of the last event of this thread (its next event's `previousEventId`).
    cursor: u64,
    /// Events are not recorded (children of a distributed Map).
    silent: bool,
    depth: usize,
    /// Map iteration index and the Map state's name.
    iteration: Option<(usize, Arc<Value>)>,
    /// `MapIterationStarted` is still to be recorded.
    pending_start: bool,
    in_parallel: bool,
    /// For a Map state's thread: where the next iteration's chain starts (the last inner event
    /// of the iteration that finished last, or `MapStateStarted`).
    iter_cursor: u64,
    /// The variables this thread sees (shared with the parent until it assigns).
    vars: Arc<Map<String, Value>>,
    step: Step,
}

enum Step {
    Enter { idx: usize, input: Arc<Value> },
    Busy(Box<Run>),
    Idle,
}

/// One run of a state, from its `…StateEntered` event to its exit.
struct Run {
    idx: usize,
    input: Arc<Value>,
    entered_id: u64,
    /// The event before `…StateEntered` (where AWS chains `EvaluationFailed`).
    entered_prev: u64,
    entered_ms: i64,
    attempts: Vec<u64>,
    retry_count: u64,
    wait: Wait,
    insp: Option<Box<Inspection>>,
}

enum Wait {
    None,
    Task {
        task: u64,
        timers: Vec<(i64, u64)>,
    },
    Timer {
        key: (i64, u64),
        effective: Arc<Value>,
    },
    Backoff {
        key: (i64, u64),
    },
    Children(Box<Kids>),
}

struct Kids {
    map: bool,
    distributed: bool,
    live: BTreeSet<Tid>,
    results: Vec<Value>,
    remaining: usize,
    items: Vec<Value>,
    next_item: usize,
    running: usize,
    max_concurrency: usize,
    failed: u64,
    tolerated_count: Option<u64>,
    tolerated_pct: Option<f64>,
    selector_input: Arc<Value>,
}

enum Timer {
    Wake(Tid),
    TaskTimeout(u64),
    ExecutionTimeout,
}

enum Flow {
    Next(usize, Arc<Value>),
    End(Arc<Value>),
    Fail(Fault),
    Blocked,
}

/// One execution of a state machine.
///
/// Driving it: after [`Execution::start`], take every new task with [`Execution::poll_task`] and
/// answer it (now or later) with [`Execution::complete_task`]; when nothing can be answered, jump
/// the virtual clock to [`Execution::next_timer`] with [`Execution::advance_to`]. Each call runs
/// everything that can run at the current virtual time before it returns. It is finished when
/// [`Execution::status`] is no longer `Running`.
pub struct Execution {
    machine: Arc<StateMachine>,
    config: ExecutionConfig,
    status: Status,
    now_ms: i64,
    history: Vec<HistoryEvent>,
    output: Option<Arc<Value>>,
    failure: Option<Failure>,
    input: Arc<Value>,
    rng: Rng,
    threads: Vec<Option<Thread>>,
    ready: VecDeque<Tid>,
    outbox: VecDeque<TaskRequest>,
    tasks: HashMap<u64, (Tid, TaskId), BuildHasherDefault<IdHasher>>,
    next_task: u64,
    timers: BTreeMap<(i64, u64), Timer>,
    timer_seq: u64,
    inspections: Vec<Inspection>,
    /// The machine's payload templates (keyed by their address in `machine`): `None` once seen,
    /// compiled on the second use (`None` inside when one does not compile, so it is resolved as
    /// written and fails as AWS does).
    templates: BTreeMap<usize, Option<Option<Box<payload::Template>>>>,
    /// A shared `null` (a placeholder for a value moved out).
    null: Arc<Value>,
    /// The box of the last run that ended normally, reused by the next state entered.
    spare_run: Option<Box<Run>>,
    /// The configured region as the JSON string of the events that name it.
    region: Arc<Value>,
    over_quota: bool,
    /// JSONata environments kept for reuse (see `jenv`).
    jenvs: Vec<std::rc::Rc<crate::jsonata_mode::Jenv>>,
    /// At most this many state steps per call ([`Execution::start_stepwise`]); None: run freely.
    budget: Option<usize>,
    spent: usize,
    steps_total: u64,
}

fn advances(kind: &str) -> bool {
    !matches!(
        kind,
        "ExecutionStarted"
            | "MapIterationSucceeded"
            | "MapIterationFailed"
            | "MapIterationAborted"
            | "MapStateSucceeded"
            | "ParallelStateSucceeded"
            | "TaskStateAborted"
    )
}

fn entered_kind(kind: &StateKind) -> &'static str {
    match kind {
        StateKind::Pass { .. } => "PassStateEntered",
        StateKind::Task(_) => "TaskStateEntered",
        StateKind::Choice { .. } => "ChoiceStateEntered",
        StateKind::Wait(_) => "WaitStateEntered",
        StateKind::Succeed => "SucceedStateEntered",
        StateKind::Fail { .. } => "FailStateEntered",
        StateKind::Parallel { .. } => "ParallelStateEntered",
        StateKind::Map(_) => "MapStateEntered",
    }
}

fn exited_kind(kind: &StateKind) -> &'static str {
    match kind {
        StateKind::Pass { .. } => "PassStateExited",
        StateKind::Task(_) => "TaskStateExited",
        StateKind::Choice { .. } => "ChoiceStateExited",
        StateKind::Wait(_) => "WaitStateExited",
        StateKind::Succeed => "SucceedStateExited",
        StateKind::Parallel { .. } => "ParallelStateExited",
        // A Fail state is never exited.
        StateKind::Map(_) | StateKind::Fail { .. } => "MapStateExited",
    }
}

fn aborted_kind(prefix: &str) -> &'static str {
    match prefix {
        "Task" => "TaskStateAborted",
        "Wait" => "WaitStateAborted",
        "Parallel" => "ParallelStateAborted",
        "Map" => "MapStateAborted",
        "Pass" => "PassStateAborted",
        _ => "TaskStateAborted",
    }
}

fn error_details(f: &Failure) -> Details {
    let mut m = Details::with_capacity(4);
    if !f.error.is_empty() {
        m.push("error", Value::String(f.error.clone()));
    }
    if let Some(c) = &f.cause {
        m.push("cause", Value::String(c.clone()));
    }
    m
}

/// `{"index": i, "name": map}` of the `MapIteration…` events.
fn iteration_details(index: usize, name: &Arc<Value>) -> Details {
    Details::with_capacity(2)
        .with("index", Value::from(index))
        .with("name", name)
}

/// `{"output": v, "outputDetails": {"truncated": false}}`
fn output_details(v: &Arc<Value>, extra: usize) -> Details {
    Details::with_capacity(2 + extra)
        .with("output", v)
        .with("outputDetails", Field::NotTruncated)
}

/// Applies `InputPath`/`OutputPath` to a shared value: absent or `$` shares it, anything else
/// selects (a copy of) the node.
fn share_path(
    field: &PathField,
    value: &Arc<Value>,
    context: &Value,
    variables: Option<&Map<String, Value>>,
) -> Result<Arc<Value>, Failure> {
    match field {
        PathField::Absent => Ok(Arc::clone(value)),
        PathField::Path(p) if p == "$" => Ok(Arc::clone(value)),
        PathField::Null => Ok(Arc::new(Value::Object(Map::new()))),
        PathField::Path(p) => dataflow::select_path(p, value, context, variables).map(Arc::new),
    }
}

/// A state's result: owned when nothing else holds it (a Pass state's Parameters, a Map's
/// results), else shared (a task's result, which its event keeps).
enum Payload {
    Owned(Value),
    Shared(Arc<Value>),
}

impl Payload {
    fn get(&self) -> &Value {
        match self {
            Payload::Owned(v) => v,
            Payload::Shared(v) => v,
        }
    }

    fn into_arc(self) -> Arc<Value> {
        match self {
            Payload::Owned(v) => Arc::new(v),
            Payload::Shared(v) => v,
        }
    }

    fn into_value(self) -> Value {
        match self {
            Payload::Owned(v) => v,
            Payload::Shared(v) => Arc::unwrap_or_clone(v),
        }
    }
}

/// Applies `ResultPath`: the result or the input is passed on shared; a merge copies the input
/// (the history keeps the original).
fn share_result_path(
    field: &PathField,
    names: Option<&[String]>,
    input: Arc<Value>,
    result: Payload,
) -> Result<Arc<Value>, Failure> {
    match field {
        PathField::Absent => Ok(result.into_arc()),
        PathField::Null => Ok(input),
        PathField::Path(p) if p == "$" => Ok(result.into_arc()),
        // `$.a.b`, its names known from the definition.
        PathField::Path(p) if let Some(names) = names => match Arc::try_unwrap(input) {
            Ok(owned) => jsonpath::set_plain(owned, names, result.into_value()),
            Err(shared) => jsonpath::set_names_shared(&shared, names, result.into_value()),
        }
        .map(Arc::new)
        .map_err(|e| dataflow::result_path_failure(p, e)),
        _ => match Arc::try_unwrap(input) {
            Ok(owned) => dataflow::apply_result_path(field, owned, result.into_value()),
            Err(shared) => dataflow::apply_result_path_shared(field, &shared, result.into_value()),
        }
        .map(Arc::new),
    }
}

fn pattern_of(resource: &str) -> Pattern {
    if resource.ends_with(".waitForTaskToken") {
        Pattern::WaitForTaskToken
    } else if resource.ends_with(".sync") || resource.ends_with(".sync:2") {
        Pattern::Sync
    } else {
        Pattern::RequestResponse
    }
}

impl Execution {
    /// Starts an execution: records `ExecutionStarted` and runs until it needs something.
    pub fn start(machine: Arc<StateMachine>, input: Value, config: ExecutionConfig) -> Execution {
        let mut e = Execution::start_paused(machine, input, config);
        e.run();
        e
    }

    /// Records `ExecutionStarted` and readies the first state without running it.
    fn start_paused(
        machine: Arc<StateMachine>,
        input: Value,
        config: ExecutionConfig,
    ) -> Execution {
        let root = Arc::clone(&machine.root);
        let input = Arc::new(input);
        let mut e = Execution {
            status: Status::Running,
            now_ms: config.start_time_ms,
            history: Vec::new(),
            output: None,
            failure: None,
            rng: Rng::new(config.seed),
            input: Arc::clone(&input),
            threads: Vec::new(),
            ready: VecDeque::new(),
            outbox: VecDeque::new(),
            tasks: HashMap::default(),
            next_task: 1,
            timers: BTreeMap::new(),
            timer_seq: 0,
            inspections: Vec::new(),
            templates: BTreeMap::new(),
            null: Arc::new(Value::Null),
            spare_run: None,
            region: Arc::new(Value::String(config.region.clone())),
            over_quota: false,
            jenvs: Vec::new(),
            budget: None,
            spent: 0,
            steps_total: 0,
            config,
            machine,
        };
        let details = Details::with_capacity(3)
            .with("input", &input)
            .with("inputDetails", Field::NotTruncated)
            .with("roleArn", Value::String(e.config.role_arn.clone()));
        e.emit_at(
            0,
            false,
            "ExecutionStarted",
            "executionStartedEventDetails",
            details,
        );
        e.threads.push(Some(Thread {
            block: Arc::clone(&root),
            parent: None,
            cursor: 0,
            silent: false,
            depth: 0,
            iteration: None,
            pending_start: false,
            in_parallel: false,
            iter_cursor: 0,
            vars: Arc::new(Map::new()),
            step: Step::Enter {
                idx: root.start_at,
                input,
            },
        }));
        // EXPRESS executions run at most five minutes.
        let limit = match (e.machine.timeout_seconds, e.config.express) {
            (Some(t), true) => Some(t.min(300)),
            (None, true) => Some(300),
            (t, false) => t,
        };
        if let Some(t) = limit {
            let at = e.now_ms.saturating_add(
                i64::try_from(t)
                    .unwrap_or(i64::MAX / 2)
                    .saturating_mul(1000),
            );
            e.add_timer(at, Timer::ExecutionTimeout);
        }
        if e.config.quotas && dataflow::payload_size(&e.input) > MAX_PAYLOAD_BYTES {
            e.fail_execution(
                Failure::new(
                    "States.DataLimitExceeded",
                    "The execution input exceeds the maximum number of bytes service limit.",
                ),
                0,
            );
            return e;
        }
        e.ready.push_back(0);
        e
    }

    /// Like [`Execution::start`], but every call does at most `steps` state steps and returns, so a
    /// driver that must stay responsive (the page) can yield between calls: while
    /// [`Execution::is_busy`], call [`Execution::resume`]. Drain it before answering tasks or
    /// advancing time, and the history is exactly that of [`Execution::start`].
    pub fn start_stepwise(
        machine: Arc<StateMachine>,
        input: Value,
        config: ExecutionConfig,
        steps: usize,
    ) -> Execution {
        let mut e = Execution::start_paused(machine, input, config);
        e.budget = Some(steps.max(1));
        e.run();
        e
    }

    /// Whether runnable work is left that the step budget cut short.
    pub fn is_busy(&self) -> bool {
        self.status == Status::Running && !self.ready.is_empty()
    }

    /// Runs on (another budget of steps) after [`Execution::start_stepwise`].
    pub fn resume(&mut self) {
        self.run();
    }

    /// How many state steps have run so far (a measure of progress for long runs).
    pub fn steps_taken(&self) -> u64 {
        self.steps_total
    }

    /// The next task to dispatch, once each.
    pub fn poll_task(&mut self) -> Option<TaskRequest> {
        self.outbox.pop_front()
    }

    /// Feeds a task's answer and runs on. Unknown or already-finished ids are ignored.
    pub fn complete_task(&mut self, id: TaskId, outcome: TaskOutcome) {
        if self.status != Status::Running {
            return;
        }
        let Some((tid, _)) = self.tasks.remove(&id.0) else {
            return;
        };
        self.unqueue(id.0);
        let Some((block, mut run)) = self.take_run(tid) else {
            return;
        };
        if let Wait::Task { timers, .. } = std::mem::replace(&mut run.wait, Wait::None) {
            for k in timers {
                self.timers.remove(&k);
            }
        }
        let flow = match block.state(run.idx) {
            Some(state) => match outcome {
                TaskOutcome::Success(v) => {
                    let v = Arc::new(v);
                    self.emit_task_event(tid, state, TaskEvent::Succeeded(&v));
                    self.after_work(tid, state, run, Payload::Shared(v))
                }
                TaskOutcome::Failure(f) => {
                    self.emit_task_event(tid, state, TaskEvent::Failed(&f));
                    self.state_fault(tid, state, run, Fault::task(f))
                }
            },
            None => Flow::Fail(Fault::runtime("internal: unknown state")),
        };
        self.continue_with(tid, flow);
        self.run();
    }

    /// The earliest pending timer (Wait, Retry back-off, task timeout or heartbeat, execution timeout).
    pub fn next_timer(&self) -> Option<i64> {
        if self.status != Status::Running {
            return None;
        }
        self.timers.keys().next().map(|k| k.0)
    }

    /// Moves the virtual clock forward to `now_ms` (never backwards), firing due timers, and runs on.
    pub fn advance_to(&mut self, now_ms: i64) {
        while self.status == Status::Running {
            let Some((&key, _)) = self.timers.first_key_value() else {
                break;
            };
            if key.0 > now_ms {
                break;
            }
            let Some(timer) = self.timers.remove(&key) else {
                break;
            };
            self.now_ms = self.now_ms.max(key.0);
            self.fire(key, timer);
            self.run();
        }
        self.now_ms = self.now_ms.max(now_ms);
    }

    /// Stops the execution (`ExecutionAborted`), as `StopExecution` does.
    pub fn stop(&mut self, error: Option<String>, cause: Option<String>) {
        if self.status != Status::Running {
            return;
        }
        let mut d = Details::new();
        if let Some(e) = &error {
            d.push("error", Value::String(e.clone()));
        }
        if let Some(c) = &cause {
            d.push("cause", Value::String(c.clone()));
        }
        self.emit_at(
            0,
            false,
            "ExecutionAborted",
            "executionAbortedEventDetails",
            d,
        );
        self.status = Status::Aborted;
        self.failure = Some(Failure {
            error: error.unwrap_or_default(),
            cause,
        });
        self.cleanup();
    }

    pub fn status(&self) -> Status {
        self.status
    }

    /// The execution's output once it succeeded.
    pub fn output(&self) -> Option<&Value> {
        self.output.as_deref()
    }

    /// The error and cause once it failed, timed out or was aborted.
    pub fn failure(&self) -> Option<&Failure> {
        self.failure.as_ref()
    }

    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    pub fn history(&self) -> &[HistoryEvent] {
        &self.history
    }

    pub fn machine(&self) -> &Arc<StateMachine> {
        &self.machine
    }

    pub fn config(&self) -> &ExecutionConfig {
        &self.config
    }

    /// The data-flow stages of every finished state run (empty unless `config.inspect`).
    pub fn inspections(&self) -> &[Inspection] {
        &self.inspections
    }

    /// Number of tasks handed out and not answered yet.
    pub fn outstanding_tasks(&self) -> usize {
        self.tasks.len()
    }

    // ----- events -------------------------------------------------------------------------

    fn emit_at(
        &mut self,
        prev: u64,
        silent: bool,
        kind: &'static str,
        key: &'static str,
        details: Details,
    ) -> u64 {
        if silent {
            return 0;
        }
        let id = self.history.len() as u64 + 1;
        let has_details = !key.is_empty();
        self.history.push(HistoryEvent {
            id,
            previous_event_id: prev,
            timestamp_ms: self.now_ms,
            kind,
            details_key: if has_details { Some(key) } else { None },
            details: if has_details { details } else { Details::new() },
        });
        let limit = if self.config.quotas {
            MAX_HISTORY_EVENTS
        } else {
            HARD_HISTORY_LIMIT
        };
        if self.history.len() >= limit - 1 {
            self.over_quota = true;
        }
        id
    }

    /// Records an event in thread `tid`'s chain.
    fn emit(&mut self, tid: Tid, kind: &'static str, key: &'static str, details: Details) -> u64 {
        let (prev, silent) = match self.threads.get(tid).and_then(Option::as_ref) {
            Some(t) => (t.cursor, t.silent),
            None => (0, false),
        };
        let id = self.emit_at(prev, silent, kind, key, details);
        if id != 0
            && advances(kind)
            && let Some(t) = self.threads.get_mut(tid).and_then(Option::as_mut)
        {
            t.cursor = id;
        }
        id
    }

    /// Records `…StateExited` and makes the state's assigned variables visible to what follows.
    fn emit_exited(
        &mut self,
        tid: Tid,
        state: &State,
        output: &Arc<Value>,
        assigned: Option<Value>,
    ) {
        let assigned = match assigned {
            Some(Value::Object(m)) if !m.is_empty() => Some(m),
            _ => None,
        };
        let mut d = Details::with_capacity(if assigned.is_some() { 5 } else { 3 });
        if let Some(m) = &assigned {
            d.push("assignedVariables", Value::Object(m.clone()));
            d.push("assignedVariablesDetails", Field::NotTruncated);
        }
        d.push("name", &state.name_value);
        d.push("output", output);
        d.push("outputDetails", Field::NotTruncated);
        self.emit(tid, exited_kind(&state.kind), "stateExitedEventDetails", d);
        if let Some(m) = assigned
            && let Some(t) = self.threads.get_mut(tid).and_then(Option::as_mut)
        {
            let vars = Arc::make_mut(&mut t.vars);
            for (k, v) in m {
                vars.insert(k, v);
            }
        }
    }

    // ----- the scheduler -----------------------------------------------------------------

    fn run(&mut self) {
        self.spent = 0;
        while self.status == Status::Running {
            if self.over_quota {
                self.quota_exceeded();
                return;
            }
            if self.budget.is_some_and(|b| self.spent >= b) {
                return;
            }
            let Some(tid) = self.ready.pop_front() else {
                return;
            };
            self.step(tid);
        }
    }

    fn quota_exceeded(&mut self) {
        let prev = self.history.len() as u64;
        self.fail_execution(
            Failure::new(
                "States.Runtime",
                format!(
                    "The execution reached the maximum number of history events ({}).",
                    if self.config.quotas {
                        MAX_HISTORY_EVENTS
                    } else {
                        HARD_HISTORY_LIMIT
                    }
                ),
            ),
            prev,
        );
    }

    fn step(&mut self, tid: Tid) {
        loop {
            if self.status != Status::Running || self.over_quota {
                return;
            }
            if self.budget.is_some_and(|b| self.spent >= b) {
                // Out of budget: the thread resumes here on the next call.
                self.ready.push_front(tid);
                return;
            }
            self.spent += 1;
            self.steps_total += 1;
            let Some(th) = self.threads.get_mut(tid).and_then(Option::as_mut) else {
                return;
            };
            if th.pending_start {
                th.pending_start = false;
                let parent_cursor = th
                    .parent
                    .and_then(|(p, _)| self.threads.get(p).and_then(Option::as_ref))
                    .map(|p| p.iter_cursor);
                let th = match self.threads.get_mut(tid).and_then(Option::as_mut) {
                    Some(t) => t,
                    None => return,
                };
                if let Some(c) = parent_cursor {
                    th.cursor = c;
                }
                if let Some((index, name)) = th.iteration.clone() {
                    self.emit(
                        tid,
                        "MapIterationStarted",
                        "mapIterationStartedEventDetails",
                        iteration_details(index, &name),
                    );
                }
                continue;
            }
            let step = std::mem::replace(&mut th.step, Step::Idle);
            let block = Arc::clone(&th.block);
            let Step::Enter { idx, input } = step else {
                th.step = step;
                return;
            };
            let flow = self.enter(tid, &block, idx, input);
            match flow {
                Flow::Next(next, value) => {
                    if let Some(th) = self.threads.get_mut(tid).and_then(Option::as_mut) {
                        th.step = Step::Enter {
                            idx: next,
                            input: value,
                        };
                    }
                }
                other => {
                    self.continue_with(tid, other);
                    return;
                }
            }
        }
    }

    fn continue_with(&mut self, tid: Tid, flow: Flow) {
        match flow {
            Flow::Next(idx, input) => {
                if let Some(th) = self.threads.get_mut(tid).and_then(Option::as_mut) {
                    th.step = Step::Enter { idx, input };
                    self.ready.push_back(tid);
                }
            }
            Flow::End(v) => self.thread_done(tid, Ok(v)),
            Flow::Fail(f) => self.thread_done(tid, Err(f)),
            Flow::Blocked => {}
        }
    }

    fn park(&mut self, tid: Tid, run: Box<Run>) -> Flow {
        if let Some(th) = self.threads.get_mut(tid).and_then(Option::as_mut) {
            th.step = Step::Busy(run);
        }
        Flow::Blocked
    }

    fn take_run(&mut self, tid: Tid) -> Option<(Arc<Block>, Box<Run>)> {
        let th = self.threads.get_mut(tid).and_then(Option::as_mut)?;
        match std::mem::replace(&mut th.step, Step::Idle) {
            Step::Busy(run) => Some((Arc::clone(&th.block), run)),
            other => {
                th.step = other;
                None
            }
        }
    }

    /// Drops a task's request from the outbox (kept in id order) when it was not polled yet.
    fn unqueue(&mut self, task: u64) {
        if let Ok(i) = self.outbox.binary_search_by_key(&task, |r| r.id.0) {
            self.outbox.remove(i);
        }
    }

    fn add_timer(&mut self, at: i64, timer: Timer) -> (i64, u64) {
        self.timer_seq += 1;
        let key = (at, self.timer_seq);
        self.timers.insert(key, timer);
        key
    }

    fn cleanup(&mut self) {
        self.ready.clear();
        self.outbox.clear();
        self.tasks.clear();
        self.timers.clear();
        self.threads.clear();
    }

    fn fail_execution(&mut self, f: Failure, prev: u64) {
        if self.status != Status::Running {
            return;
        }
        self.emit_at(
            prev,
            false,
            "ExecutionFailed",
            "executionFailedEventDetails",
            error_details(&f),
        );
        self.status = Status::Failed;
        self.failure = Some(f);
        self.cleanup();
    }

    fn thread_done(&mut self, tid: Tid, result: Result<Arc<Value>, Fault>) {
        let Some(th) = self.threads.get_mut(tid).and_then(Option::take) else {
            return;
        };
        let Some((parent, slot)) = th.parent else {
            match result {
                Ok(v) => {
                    if self.config.quotas && dataflow::payload_size(&v) > MAX_PAYLOAD_BYTES {
                        self.fail_execution(
                            Failure::new(
                                "States.DataLimitExceeded",
                                "The execution output exceeds the maximum number of bytes service limit.",
                            ),
                            th.cursor,
                        );
                        return;
                    }
                    self.emit_at(
                        th.cursor,
                        false,
                        "ExecutionSucceeded",
                        "executionSucceededEventDetails",
                        output_details(&v, 0),
                    );
                    self.status = Status::Succeeded;
                    self.output = Some(v);
                    self.cleanup();
                }
                Err(f) => self.fail_execution(f.failure, th.cursor),
            }
            return;
        };
        let mut parent_cursor = th.cursor;
        if let Some((index, name)) = &th.iteration {
            let kind = if result.is_ok() {
                "MapIterationSucceeded"
            } else {
                "MapIterationFailed"
            };
            let key = if result.is_ok() {
                "mapIterationSucceededEventDetails"
            } else {
                "mapIterationFailedEventDetails"
            };
            let id = self.emit_at(
                th.cursor,
                th.silent,
                kind,
                key,
                iteration_details(*index, name),
            );
            if result.is_ok() {
                parent_cursor = id;
            }
        }
        let cursor = if th.silent {
            None
        } else {
            Some((parent_cursor, th.cursor))
        };
        self.child_done(parent, slot, tid, cursor, result);
    }

    // ----- entering and running states -------------------------------------------------------

    fn enter(&mut self, tid: Tid, block: &Arc<Block>, idx: usize, input: Arc<Value>) -> Flow {
        let Some(state) = block.state(idx) else {
            return Flow::Fail(Fault::runtime("internal: unknown state"));
        };
        let entered_prev = self
            .threads
            .get(tid)
            .and_then(Option::as_ref)
            .map(|t| t.cursor)
            .unwrap_or(0);
        let entered_id = self.emit(
            tid,
            entered_kind(&state.kind),
            "stateEnteredEventDetails",
            Details::with_capacity(3)
                .with("input", &input)
                .with("inputDetails", Field::NotTruncated)
                .with("name", &state.name_value),
        );
        let insp = if self.config.inspect {
            Some(Box::new(Inspection {
                state_name: state.name.clone(),
                entered_event_id: entered_id,
                input: (*input).clone(),
                ..Inspection::default()
            }))
        } else {
            None
        };
        let fresh = Run {
            idx,
            input,
            entered_id,
            entered_prev,
            entered_ms: self.now_ms,
            attempts: if state.retry.is_empty() {
                Vec::new()
            } else {
                vec![0; state.retry.len()]
            },
            retry_count: 0,
            wait: Wait::None,
            insp,
        };
        // The box of the last state that exited is reused (one allocation less per state).
        let run = match self.spare_run.take() {
            Some(mut b) => {
                *b = fresh;
                b
            }
            None => Box::new(fresh),
        };
        self.attempt(tid, state, run)
    }

    /// The Context object as the state sees it (only built when the state refers to `$$`).
    fn context(
        &self,
        state: &State,
        run: &Run,
        token: Option<&str>,
        item: Option<(usize, &Value)>,
    ) -> Value {
        if !state.uses_context {
            return Value::Null;
        }
        let parts = state.context_parts;
        let c = &self.config;
        let text = |s: &str| Value::String(s.to_string());
        let mut m = Map::new();
        if parts & context::EXECUTION != 0 {
            let input = if state.context_needs_input {
                (*self.input).clone()
            } else {
                Value::Object(Map::new())
            };
            let mut exec = Map::new();
            exec.insert("Id".into(), text(&c.execution_arn));
            exec.insert("Input".into(), input);
            exec.insert(
                "StartTime".into(),
                Value::String(timestamp::format_millis(c.start_time_ms)),
            );
            exec.insert("Name".into(), text(&c.execution_name));
            exec.insert("RoleArn".into(), text(&c.role_arn));
            if !c.express {
                exec.insert("RedriveCount".into(), 0.into());
            }
            m.insert("Execution".into(), Value::Object(exec));
        }
        if parts & context::STATE_MACHINE != 0 {
            let mut sm = Map::new();
            sm.insert("Id".into(), text(&c.state_machine_arn));
            sm.insert("Name".into(), text(&c.state_machine_name));
            m.insert("StateMachine".into(), Value::Object(sm));
        }
        if parts & context::STATE != 0 {
            let mut st = Map::new();
            st.insert(
                "EnteredTime".into(),
                Value::String(timestamp::format_millis(run.entered_ms)),
            );
            st.insert("Name".into(), text(&state.name));
            if matches!(
                state.kind,
                StateKind::Task(_) | StateKind::Parallel { .. } | StateKind::Map(_)
            ) {
                st.insert("RetryCount".into(), Value::from(run.retry_count));
            }
            m.insert("State".into(), Value::Object(st));
        }
        if let Some(t) = token
            && parts & context::TASK != 0
        {
            let mut task = Map::new();
            task.insert("Token".into(), text(t));
            m.insert("Task".into(), Value::Object(task));
        }
        if let Some((i, v)) = item
            && parts & context::MAP != 0
        {
            let mut it = Map::new();
            it.insert("Index".into(), Value::from(i));
            it.insert("Value".into(), v.clone());
            let mut map = Map::new();
            map.insert("Item".into(), Value::Object(it));
            m.insert("Map".into(), Value::Object(map));
        }
        Value::Object(m)
    }

    fn vars(&self, tid: Tid) -> Arc<Map<String, Value>> {
        self.threads
            .get(tid)
            .and_then(Option::as_ref)
            .map(|t| Arc::clone(&t.vars))
            .unwrap_or_default()
    }

    fn resolve(
        &mut self,
        pre: Option<&Arc<payload::Template>>,
        template: &Value,
        input: &Value,
        context: &Value,
        vars: &Map<String, Value>,
    ) -> Result<Value, Fault> {
        let roots = Roots {
            input,
            context,
            variables: Some(vars),
        };
        // Templates belong to the machine, which outlives the execution: one resolved a second
        // time (a loop, a Map's iterations) is compiled then, once.
        if let Some(t) = pre {
            return t.resolve(roots, &mut self.rng).map_err(Fault::from_eval);
        }
        let key = std::ptr::from_ref(template) as usize;
        let slot = self.templates.entry(key).or_insert(None);
        let compiled = match slot {
            None => {
                *slot = Some(None);
                None
            }
            Some(None) => {
                *slot = Some(payload::Template::compile(template).ok().map(Box::new));
                slot.as_ref().and_then(Option::as_deref)
            }
            Some(Some(t)) => Some(&**t),
        };
        match compiled {
            Some(t) => t.resolve(roots, &mut self.rng),
            None => payload::resolve(template, roots, &mut self.rng),
        }
        .map_err(Fault::from_eval)
    }

    /// Runs (or re-runs, after a retry back-off) the work of a state.
    fn attempt(&mut self, tid: Tid, state: &State, mut run: Box<Run>) -> Flow {
        if state.query_language == QueryLanguage::JsonAta {
            return self.attempt_jsonata(tid, state, run);
        }
        let ctx = self.context(state, &run, None, None);
        let vars = self.vars(tid);
        // Without InputPath the state input itself is shared on (no copy).
        let effective = match share_path(&state.input_path, &run.input, &ctx, Some(&vars)) {
            Ok(v) => v,
            Err(f) => return self.state_fault(tid, state, run, Fault::from_eval(f)),
        };
        if let Some(i) = run.insp.as_mut() {
            i.after_input_path = Some((*effective).clone());
        }
        match &state.kind {
            StateKind::Pass { result } => {
                let params = match &state.parameters {
                    Some(t) => match self.resolve(
                        state.compiled.parameters.as_ref(),
                        t,
                        &effective,
                        &ctx,
                        &vars,
                    ) {
                        Ok(v) => Payload::Owned(v),
                        Err(f) => return self.state_fault(tid, state, run, f),
                    },
                    None => Payload::Shared(effective),
                };
                if let Some(i) = run.insp.as_mut() {
                    i.after_parameters = Some(params.get().clone());
                }
                let result = match result {
                    Some(r) => Payload::Owned(r.clone()),
                    None => params,
                };
                self.after_work(tid, state, run, result)
            }
            StateKind::Succeed => self.exit_with(tid, state, run, effective, &ctx, None),
            StateKind::Choice { choices, default } => {
                let roots = Roots {
                    input: &effective,
                    context: &ctx,
                    variables: Some(&vars),
                };
                let mut target = None;
                let mut assign = state.assign.as_ref();
                for branch in choices {
                    let matched = match &branch.rule {
                        Some(r) => r.matches(roots),
                        None => Ok(false),
                    };
                    match matched {
                        Ok(true) => {
                            target = Some(branch.next);
                            // The state's own Assign applies only on the Default way.
                            assign = branch.assign.as_ref();
                            break;
                        }
                        Ok(false) => {}
                        Err(f) => return self.state_fault(tid, state, run, Fault::from_eval(f)),
                    }
                }
                let Some(next) = target.or(*default) else {
                    return self.state_fault(tid, state, run, Fault::runtime(NO_CHOICE_MATCHED));
                };
                let assigned = match assign {
                    Some(a) => match self.resolve(None, a, &effective, &ctx, &vars) {
                        Ok(v) => Some(v),
                        Err(f) => return self.state_fault(tid, state, run, f),
                    },
                    None => None,
                };
                let out = match share_path(&state.output_path, &effective, &ctx, Some(&vars)) {
                    Ok(v) => v,
                    Err(f) => return self.state_fault(tid, state, run, Fault::from_eval(f)),
                };
                self.emit_exited(tid, state, &out, assigned);
                self.record_inspection(run.insp, &out);
                Flow::Next(next, out)
            }
            StateKind::Wait(w) => {
                let until = match self.wait_until(w, &effective, &ctx, &vars) {
                    Ok(t) => t,
                    Err(f) => return self.state_fault(tid, state, run, f),
                };
                let key = self.add_timer(until, Timer::Wake(tid));
                run.wait = Wait::Timer { key, effective };
                self.park(tid, run)
            }
            StateKind::Fail {
                error,
                error_path,
                cause,
                cause_path,
            } => {
                let input = Arc::clone(&run.input);
                let ctx = self.context(state, &run, None, None);
                let error =
                    match self.fail_field(error, error_path, "ErrorPath", &input, &ctx, &vars) {
                        Ok(v) => v,
                        Err(f) => return self.state_fault(tid, state, run, f),
                    };
                let cause =
                    match self.fail_field(cause, cause_path, "CausePath", &input, &ctx, &vars) {
                        Ok(v) => v,
                        Err(f) => return self.state_fault(tid, state, run, f),
                    };
                Flow::Fail(Fault::plain(Failure {
                    error: error.unwrap_or_default(),
                    cause,
                }))
            }
            StateKind::Task(spec) => self.start_task(tid, state, spec, run, effective, &vars),
            StateKind::Parallel { branches } => {
                let params = match &state.parameters {
                    Some(t) => match self.resolve(
                        state.compiled.parameters.as_ref(),
                        t,
                        &effective,
                        &ctx,
                        &vars,
                    ) {
                        Ok(v) => Arc::new(v),
                        Err(f) => return self.state_fault(tid, state, run, f),
                    },
                    None => effective,
                };
                if let Some(i) = run.insp.as_mut() {
                    i.after_parameters = Some((*params).clone());
                }
                self.start_branches(tid, state, branches, run, params)
            }
            StateKind::Map(spec) => self.start_map(tid, state, spec, run, effective, ctx),
        }
    }

    /// Records `ParallelStateStarted` and starts one thread per branch with `params` as input.
    fn start_branches(
        &mut self,
        tid: Tid,
        state: &State,
        branches: &[Arc<Block>],
        mut run: Box<Run>,
        params: Arc<Value>,
    ) -> Flow {
        let vars = self.vars(tid);
        self.emit(tid, "ParallelStateStarted", "", Details::new());
        let (depth, silent, cursor) = match self.threads.get(tid).and_then(Option::as_ref) {
            Some(t) => (t.depth, t.silent, t.cursor),
            None => return Flow::Blocked,
        };
        let mut live = BTreeSet::new();
        for (i, b) in branches.iter().enumerate() {
            let child = self.threads.len();
            self.threads.push(Some(Thread {
                block: Arc::clone(b),
                parent: Some((tid, i)),
                cursor,
                silent,
                depth: depth + 1,
                iteration: None,
                pending_start: false,
                in_parallel: true,
                iter_cursor: 0,
                vars: Arc::clone(&vars),
                step: Step::Enter {
                    idx: b.start_at,
                    input: Arc::clone(&params),
                },
            }));
            self.ready.push_back(child);
            live.insert(child);
        }
        let n = branches.len();
        if n == 0 {
            self.emit(tid, "ParallelStateSucceeded", "", Details::new());
            return self.after_work(tid, state, run, Payload::Owned(Value::Array(vec![])));
        }
        run.wait = Wait::Children(Box::new(Kids {
            map: false,
            distributed: false,
            live,
            results: vec![Value::Null; n],
            remaining: n,
            items: Vec::new(),
            next_item: n,
            running: n,
            max_concurrency: 0,
            failed: 0,
            tolerated_count: None,
            tolerated_pct: None,
            selector_input: Arc::new(Value::Null),
        }));
        self.park(tid, run)
    }

    fn fail_field(
        &mut self,
        literal: &Option<String>,
        path: &Option<String>,
        field: &str,
        input: &Value,
        ctx: &Value,
        vars: &Map<String, Value>,
    ) -> Result<Option<String>, Fault> {
        if let Some(l) = literal {
            return Ok(Some(l.clone()));
        }
        let Some(p) = path else {
            return Ok(None);
        };
        let roots = Roots {
            input,
            context: ctx,
            variables: Some(vars),
        };
        let v = if intrinsics::is_intrinsic(p) {
            intrinsics::evaluate(p, field, roots, &mut self.rng).map_err(Fault::from_eval)?
        } else {
            match crate::jsonpath::select(p, roots) {
                Ok(v) => v,
                Err(_) => {
                    return Err(Fault::runtime(format!(
                        "The JSONPath '{p}' specified for the field '{field}' could not be found in the input '{input}'"
                    )));
                }
            }
        };
        Ok(Some(value_text(&v)))
    }

    fn wait_until(
        &mut self,
        w: &WaitFor,
        effective: &Value,
        ctx: &Value,
        vars: &Map<String, Value>,
    ) -> Result<i64, Fault> {
        let now = self.now_ms;
        let secs_to_ms = |s: i64| -> Result<i64, Fault> {
            if s > MAX_WAIT_SECONDS {
                return Err(Fault::runtime("Wait state delay is too long."));
            }
            Ok(now.saturating_add(s.saturating_mul(1000)))
        };
        let check_ts = |t: i64| -> Result<i64, Fault> {
            if (t - now) / 1000 > MAX_WAIT_SECONDS {
                return Err(Fault::runtime("Wait state delay is too long."));
            }
            Ok(t.max(now))
        };
        match w {
            WaitFor::Seconds(v) => match v.as_i64() {
                Some(s) if s >= 0 => secs_to_ms(s),
                _ => Err(Fault::runtime(format!(
                    "The Seconds parameter is not a valid non-negative integer: {v}"
                ))),
            },
            WaitFor::SecondsPath(p) => {
                let v = dataflow::select_path(p, effective, ctx, Some(vars)).map_err(|_| {
                    Fault::runtime(format!(
                        "The SecondsPath parameter does not reference an input value: {p}"
                    ))
                })?;
                match v.as_i64() {
                    Some(s) if s >= 0 => secs_to_ms(s),
                    Some(_) => Err(Fault::runtime(format!(
                        "The SecondsPath parameter references a negative value: {p} == {v}"
                    ))),
                    None => {
                        if let Some(u) = v.as_u64() {
                            return secs_to_ms(i64::try_from(u).unwrap_or(i64::MAX));
                        }
                        Err(Fault::runtime(format!(
                            "The SecondsPath parameter cannot be parsed as a long value: {p} == {}",
                            value_text(&v)
                        )))
                    }
                }
            }
            WaitFor::Timestamp(t) => match timestamp::parse_millis(t) {
                Some(ms) => check_ts(ms),
                None => Err(Fault::runtime(format!(
                    "The Timestamp parameter does not reference a valid ISO-8601 extended offset date-time format string: {t}"
                ))),
            },
            WaitFor::TimestampPath(p) => {
                let v = dataflow::select_path(p, effective, ctx, Some(vars)).map_err(|_| {
                    Fault::runtime(format!(
                        "The TimestampPath parameter does not reference an input value: {p}"
                    ))
                })?;
                match v.as_str().and_then(timestamp::parse_millis) {
                    Some(ms) => check_ts(ms),
                    None => Err(Fault::runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {p} == {}",
                        value_text(&v)
                    ))),
                }
            }
            WaitFor::Other(v) => Err(Fault::runtime(format!(
                "The Wait state's time is not supported: {v}"
            ))),
        }
    }

    fn number_field(
        &self,
        f: &NumberField,
        input: &Value,
        ctx: &Value,
        vars: &Map<String, Value>,
    ) -> Result<Option<u64>, Fault> {
        let v = match f {
            NumberField::Literal(v) => v.clone(),
            NumberField::Path(p) => {
                dataflow::select_path(p, input, ctx, Some(vars)).map_err(Fault::from_eval)?
            }
        };
        match v.as_u64() {
            Some(n) => Ok(Some(n)),
            None => Err(Fault::runtime(format!(
                "The value {} is not a valid positive integer",
                value_text(&v)
            ))),
        }
    }

    fn start_task(
        &mut self,
        tid: Tid,
        state: &State,
        spec: &TaskSpec,
        mut run: Box<Run>,
        effective: Arc<Value>,
        vars: &Map<String, Value>,
    ) -> Flow {
        let pattern = pattern_of(&spec.resource);
        let token = if pattern != Pattern::RequestResponse {
            Some(self.rng.uuid_v4())
        } else {
            None
        };
        let ctx = self.context(state, &run, token.as_deref(), None);
        let params = match &state.parameters {
            Some(t) => match self.resolve(
                state.compiled.parameters.as_ref(),
                t,
                &effective,
                &ctx,
                vars,
            ) {
                Ok(v) => Arc::new(v),
                Err(f) => return self.state_fault(tid, state, run, f),
            },
            None => effective,
        };
        if let Some(i) = run.insp.as_mut() {
            i.after_parameters = Some((*params).clone());
        }
        if self.config.quotas && dataflow::payload_size(&params) > MAX_PAYLOAD_BYTES {
            return self.state_fault(
                tid,
                state,
                run,
                Fault::runtime(format!(
                    "The state/task '{}' has an input with a size exceeding the maximum number of bytes service limit.",
                    state.name
                )),
            );
        }
        let timeout = match &spec.timeout {
            Some(f) => match self.number_field(f, &run.input, &ctx, vars) {
                Ok(v) => v,
                Err(e) => return self.state_fault(tid, state, run, e),
            },
            None => None,
        };
        let heartbeat = match &spec.heartbeat {
            Some(f) => match self.number_field(f, &run.input, &ctx, vars) {
                Ok(v) => v,
                Err(e) => return self.state_fault(tid, state, run, e),
            },
            None => None,
        };
        let role_arn = match &spec.credentials {
            Some(t) => match self.resolve(None, t, &run.input, &ctx, vars) {
                Ok(v) => v.get("RoleArn").and_then(Value::as_str).map(str::to_string),
                Err(f) => return self.state_fault(tid, state, run, f),
            },
            None => None,
        };
        self.dispatch_task(
            tid,
            state,
            spec,
            run,
            TaskCall {
                params,
                timeout,
                heartbeat,
                token,
                role_arn,
            },
        )
    }

    /// Records the scheduling events of a Task and hands the invocation to the driver.
    fn dispatch_task(
        &mut self,
        tid: Tid,
        state: &State,
        spec: &TaskSpec,
        mut run: Box<Run>,
        call: TaskCall,
    ) -> Flow {
        let TaskCall {
            params,
            timeout,
            heartbeat,
            token,
            role_arn,
        } = call;
        let credentials = role_arn.map(|r| json!({ "roleArn": r }));
        let parameters = (*params).clone();
        let pattern = pattern_of(&spec.resource);
        match &spec.target {
            TaskTarget::Lambda => {
                let mut d = Details::with_capacity(5);
                d.push("input", &params);
                d.push("inputDetails", Field::NotTruncated);
                d.push("resource", &spec.shared.resource);
                if let Some(t) = timeout {
                    d.push("timeoutInSeconds", Value::from(t));
                }
                if let Some(c) = &credentials {
                    d.push("taskCredentials", c.clone());
                }
                self.emit(
                    tid,
                    "LambdaFunctionScheduled",
                    "lambdaFunctionScheduledEventDetails",
                    d,
                );
                self.emit(tid, "LambdaFunctionStarted", "", Details::new());
            }
            TaskTarget::Service { .. } => {
                let mut d = Details::with_capacity(7);
                d.push("parameters", &params);
                d.push("region", &self.region);
                d.push("resource", &spec.shared.service_resource);
                d.push("resourceType", &spec.shared.service_type);
                if let Some(t) = timeout {
                    d.push("timeoutInSeconds", Value::from(t));
                }
                if let Some(h) = heartbeat {
                    d.push("heartbeatInSeconds", Value::from(h));
                }
                if let Some(c) = &credentials {
                    d.push("taskCredentials", c.clone());
                }
                self.emit(tid, "TaskScheduled", "taskScheduledEventDetails", d);
                let rr = Details::with_capacity(2)
                    .with("resource", &spec.shared.service_resource)
                    .with("resourceType", &spec.shared.service_type);
                self.emit(tid, "TaskStarted", "taskStartedEventDetails", rr);
                if pattern != Pattern::RequestResponse {
                    let d = Details::with_capacity(4)
                        .with("output", Value::Object(Map::new()))
                        .with("outputDetails", Field::NotTruncated)
                        .with("resource", &spec.shared.service_resource)
                        .with("resourceType", &spec.shared.service_type);
                    self.emit(tid, "TaskSubmitted", "taskSubmittedEventDetails", d);
                }
            }
            TaskTarget::Activity => {
                let mut d = Details::with_capacity(5);
                d.push("input", &params);
                d.push("inputDetails", Field::NotTruncated);
                d.push("resource", &spec.shared.resource);
                if let Some(t) = timeout {
                    d.push("timeoutInSeconds", Value::from(t));
                }
                if let Some(h) = heartbeat {
                    d.push("heartbeatInSeconds", Value::from(h));
                }
                self.emit(tid, "ActivityScheduled", "activityScheduledEventDetails", d);
                self.emit(
                    tid,
                    "ActivityStarted",
                    "activityStartedEventDetails",
                    Details::new(),
                );
            }
        }
        let task = self.next_task;
        self.next_task += 1;
        let mut timers = Vec::new();
        for s in [timeout, heartbeat].into_iter().flatten() {
            let at = self.now_ms.saturating_add(
                i64::try_from(s)
                    .unwrap_or(i64::MAX / 2)
                    .saturating_mul(1000),
            );
            timers.push(self.add_timer(at, Timer::TaskTimeout(task)));
        }
        self.tasks.insert(task, (tid, TaskId(task)));
        self.outbox.push_back(TaskRequest {
            id: TaskId(task),
            state_name: state.name.clone(),
            resource: spec.resource.clone(),
            parameters,
            pattern,
            task_token: token,
            timeout_seconds: timeout,
            heartbeat_seconds: heartbeat,
        });
        run.wait = Wait::Task { task, timers };
        self.park(tid, run)
    }

    fn emit_task_event(&mut self, tid: Tid, state: &State, ev: TaskEvent<'_>) {
        let StateKind::Task(spec) = &state.kind else {
            return;
        };
        match &spec.target {
            TaskTarget::Lambda | TaskTarget::Activity => {
                let lambda = spec.target == TaskTarget::Lambda;
                let (kind, key, d) = match ev {
                    TaskEvent::Succeeded(v) => (
                        if lambda {
                            "LambdaFunctionSucceeded"
                        } else {
                            "ActivitySucceeded"
                        },
                        if lambda {
                            "lambdaFunctionSucceededEventDetails"
                        } else {
                            "activitySucceededEventDetails"
                        },
                        output_details(v, 0),
                    ),
                    TaskEvent::Failed(f) => (
                        if lambda {
                            "LambdaFunctionFailed"
                        } else {
                            "ActivityFailed"
                        },
                        if lambda {
                            "lambdaFunctionFailedEventDetails"
                        } else {
                            "activityFailedEventDetails"
                        },
                        error_details(f),
                    ),
                    TaskEvent::TimedOut(f) => (
                        if lambda {
                            "LambdaFunctionTimedOut"
                        } else {
                            "ActivityTimedOut"
                        },
                        if lambda {
                            "lambdaFunctionTimedOutEventDetails"
                        } else {
                            "activityTimedOutEventDetails"
                        },
                        error_details(f),
                    ),
                };
                self.emit(tid, kind, key, d);
            }
            TaskTarget::Service { .. } => {
                let (kind, key, mut d) = match ev {
                    TaskEvent::Succeeded(v) => (
                        "TaskSucceeded",
                        "taskSucceededEventDetails",
                        output_details(v, 2),
                    ),
                    TaskEvent::Failed(f) => {
                        ("TaskFailed", "taskFailedEventDetails", error_details(f))
                    }
                    TaskEvent::TimedOut(f) => {
                        ("TaskTimedOut", "taskTimedOutEventDetails", error_details(f))
                    }
                };
                d.push("resource", &spec.shared.service_resource);
                d.push("resourceType", &spec.shared.service_type);
                self.emit(tid, kind, key, d);
            }
        }
    }

    fn start_map(
        &mut self,
        tid: Tid,
        state: &State,
        spec: &MapSpec,
        run: Box<Run>,
        effective: Arc<Value>,
        ctx: Value,
    ) -> Flow {
        let vars = self.vars(tid);
        let vars = &*vars;
        let items = match &spec.items_path {
            PathField::Path(p) if p != "$" => {
                match dataflow::select_path(p, &effective, &ctx, Some(vars)) {
                    Ok(v) => v,
                    Err(f) => return self.state_fault(tid, state, run, Fault::from_eval(f)),
                }
            }
            _ => (*effective).clone(),
        };
        let Value::Array(items) = items else {
            return self.state_fault(
                tid,
                state,
                run,
                Fault::runtime(format!(
                    "Map state input must be an array but was: {}",
                    value_type_text(&items)
                )),
            );
        };
        let max_concurrency = match &spec.max_concurrency {
            None => 0,
            Some(NumberField::Literal(v)) => v.as_u64().unwrap_or(0) as usize,
            Some(NumberField::Path(p)) => {
                let v = match dataflow::select_path(p, &effective, &ctx, Some(vars)) {
                    Ok(v) => v,
                    Err(f) => return self.state_fault(tid, state, run, Fault::from_eval(f)),
                };
                match int_of(&v).and_then(|n| u64::try_from(n).ok()) {
                    Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
                    None => {
                        return self.state_fault(
                            tid,
                            state,
                            run,
                            Fault::runtime(format!(
                                "The MaxConcurrencyPath field refers to value \"{}\" which is not a valid integer: {p}",
                                value_text(&v)
                            )),
                        );
                    }
                }
            }
        };
        let n = items.len();
        let started = self.emit(
            tid,
            "MapStateStarted",
            "mapStateStartedEventDetails",
            Details::with_capacity(1).with("length", Value::from(n)),
        );
        if let Some(t) = self.threads.get_mut(tid).and_then(Option::as_mut) {
            t.iter_cursor = started;
        }
        let tolerated_count = match &spec.tolerated_failure_count {
            None => None,
            Some(f) => {
                let (v, p) = match f {
                    NumberField::Literal(v) => (v.clone(), None),
                    NumberField::Path(p) => {
                        match dataflow::select_path(p, &effective, &ctx, Some(vars)) {
                            Ok(v) => (v, Some(p)),
                            Err(e) => {
                                return self.state_fault(tid, state, run, Fault::from_eval(e));
                            }
                        }
                    }
                };
                match (int_of(&v), p) {
                    (Some(c), _) if c >= 0 => Some(c as u64),
                    (Some(_), _) => {
                        return self.state_fault(
                            tid,
                            state,
                            run,
                            Fault::runtime("ToleratedFailureCount cannot be negative."),
                        );
                    }
                    (None, p) => {
                        return self.state_fault(
                            tid,
                            state,
                            run,
                            Fault::runtime(format!(
                                "The ToleratedFailureCountPath field refers to value \"{}\" which is not a valid integer: {}",
                                value_text(&v),
                                p.map(String::as_str).unwrap_or("")
                            )),
                        );
                    }
                }
            }
        };
        let tolerated_pct = match &spec.tolerated_failure_percentage {
            None => None,
            Some(f) => {
                let (v, p) = match f {
                    NumberField::Literal(v) => (v.clone(), None),
                    NumberField::Path(p) => {
                        match dataflow::select_path(p, &effective, &ctx, Some(vars)) {
                            Ok(v) => (v, Some(p)),
                            Err(e) => {
                                return self.state_fault(tid, state, run, Fault::from_eval(e));
                            }
                        }
                    }
                };
                match float_of(&v) {
                    Some(x) if (0.0..=100.0).contains(&x) => Some(x),
                    Some(_) => {
                        return self.state_fault(
                            tid,
                            state,
                            run,
                            Fault::runtime("ToleratedFailurePercentage must be between 0 and 100."),
                        );
                    }
                    None => {
                        return self.state_fault(
                            tid,
                            state,
                            run,
                            Fault::runtime(format!(
                                "The ToleratedFailurePercentagePath field refers to value \"{}\" which is not a valid float: {}",
                                value_text(&v),
                                p.map(String::as_str).unwrap_or("")
                            )),
                        );
                    }
                }
            }
        };
        self.launch_map(
            tid,
            state,
            spec,
            run,
            MapLaunch {
                items,
                max_concurrency,
                tolerated_count,
                tolerated_pct,
                selector_input: effective,
            },
        )
    }

    /// Records `MapRunStarted` (distributed) and starts the first iterations.
    fn launch_map(
        &mut self,
        tid: Tid,
        state: &State,
        spec: &MapSpec,
        mut run: Box<Run>,
        launch: MapLaunch,
    ) -> Flow {
        let MapLaunch {
            items,
            max_concurrency,
            tolerated_count,
            tolerated_pct,
            selector_input,
        } = launch;
        let n = items.len();
        if spec.distributed {
            let c = &self.config;
            let label = spec.label.clone().unwrap_or_else(|| state.name.clone());
            let arn = format!(
                "arn:aws:states:{}:{}:mapRun:{}/{}:{}",
                c.region,
                c.account,
                c.state_machine_name,
                label,
                self.rng.uuid_v4()
            );
            self.emit(
                tid,
                "MapRunStarted",
                "mapRunStartedEventDetails",
                Details::with_capacity(1).with("mapRunArn", Value::String(arn)),
            );
        }
        let mut kids = Box::new(Kids {
            map: true,
            distributed: spec.distributed,
            live: BTreeSet::new(),
            results: vec![Value::Null; n],
            remaining: n,
            items,
            next_item: 0,
            running: 0,
            max_concurrency,
            failed: 0,
            tolerated_count,
            tolerated_pct,
            selector_input,
        });
        if n == 0 {
            return self.map_succeeded(tid, state, run, *kids);
        }
        if let Err(f) = self.spawn_items(tid, state, spec, &run, &mut kids) {
            return self.state_fault(tid, state, run, f);
        }
        run.wait = Wait::Children(kids);
        self.park(tid, run)
    }

    /// Starts Map iterations up to the concurrency limit.
    fn spawn_items(
        &mut self,
        tid: Tid,
        state: &State,
        spec: &MapSpec,
        run: &Run,
        kids: &mut Kids,
    ) -> Result<(), Fault> {
        let (depth, silent, vars) = match self.threads.get(tid).and_then(Option::as_ref) {
            Some(t) => (t.depth, t.silent, Arc::clone(&t.vars)),
            None => return Ok(()),
        };
        let selector = spec.item_selector.as_ref().or(state.parameters.as_ref());
        // The Context object is the same for every item but `Map.Item`: built once, the items
        // are swapped into it.
        let mut ctx = Value::Null;
        let mut ctx_built = false;
        while kids.next_item < kids.items.len()
            && (kids.max_concurrency == 0 || kids.running < kids.max_concurrency)
        {
            let index = kids.next_item;
            kids.next_item += 1;
            let mut item = kids
                .items
                .get_mut(index)
                .map(std::mem::take)
                .unwrap_or(Value::Null);
            let input = match selector {
                Some(t) if state.query_language == QueryLanguage::JsonAta => {
                    self.item_selector_jsonata(tid, state, run, t, index, item)?
                }
                Some(t) => {
                    if !ctx_built {
                        ctx = self.context(state, run, None, Some((index, &Value::Null)));
                        ctx_built = true;
                    }
                    let slot = ctx
                        .get_mut("Map")
                        .and_then(|m| m.get_mut("Item"))
                        .and_then(Value::as_object_mut);
                    if let Some(it) = slot {
                        if let Some(i) = it.get_mut("Index") {
                            *i = Value::from(index);
                        }
                        if let Some(v) = it.get_mut("Value") {
                            std::mem::swap(v, &mut item);
                        }
                    }
                    self.resolve(
                        state.compiled.item_selector.as_ref(),
                        t,
                        &kids.selector_input,
                        &ctx,
                        &vars,
                    )?
                }
                None => item,
            };
            let child = self.threads.len();
            self.threads.push(Some(Thread {
                block: Arc::clone(&spec.processor),
                parent: Some((tid, index)),
                cursor: 0,
                silent: silent || spec.distributed,
                depth: depth + 1,
                iteration: Some((index, Arc::clone(&state.name_value))),
                pending_start: true,
                in_parallel: false,
                iter_cursor: 0,
                vars: if spec.distributed {
                    Arc::new(Map::new())
                } else {
                    Arc::clone(&vars)
                },
                step: Step::Enter {
                    idx: spec.processor.start_at,
                    input: Arc::new(input),
                },
            }));
            self.ready.push_back(child);
            kids.live.insert(child);
            kids.running += 1;
        }
        Ok(())
    }

    fn map_succeeded(&mut self, tid: Tid, state: &State, run: Box<Run>, kids: Kids) -> Flow {
        if kids.distributed {
            self.emit(tid, "MapRunSucceeded", "", Details::new());
        }
        self.emit(tid, "MapStateSucceeded", "", Details::new());
        self.after_work(tid, state, run, Payload::Owned(Value::Array(kids.results)))
    }

    fn child_done(
        &mut self,
        parent: Tid,
        slot: usize,
        child: Tid,
        cursor: Option<(u64, u64)>,
        result: Result<Arc<Value>, Fault>,
    ) {
        if let Some((c, inner)) = cursor
            && let Some(p) = self.threads.get_mut(parent).and_then(Option::as_mut)
        {
            p.cursor = c;
            p.iter_cursor = inner;
        }
        let Some((block, mut run)) = self.take_run(parent) else {
            return;
        };
        let Some(state) = block.state(run.idx) else {
            return;
        };
        let Wait::Children(mut kids) = std::mem::replace(&mut run.wait, Wait::None) else {
            run.wait = Wait::None;
            self.park(parent, run);
            return;
        };
        kids.live.remove(&child);
        kids.running = kids.running.saturating_sub(1);
        let result = match result {
            Err(f) if kids.map && !f.terminal => {
                kids.failed += 1;
                let n = kids.results.len() as f64;
                let within = kids.tolerated_count.is_some_and(|c| kids.failed <= c)
                    || kids
                        .tolerated_pct
                        .is_some_and(|p| n > 0.0 && (kids.failed as f64) * 100.0 / n <= p);
                if within {
                    Ok(Arc::new(
                        json!({"Error": f.failure.error, "Cause": f.failure.cause}),
                    ))
                } else if kids.distributed
                    || kids.tolerated_count.is_some()
                    || kids.tolerated_pct.is_some()
                {
                    Err(Fault::plain(Failure::new(
                        "States.ExceedToleratedFailureThreshold",
                        "The specified tolerance threshold for the Map Run was exceeded.",
                    )))
                } else {
                    Err(f)
                }
            }
            other => other,
        };
        match result {
            Ok(v) => {
                if let Some(r) = kids.results.get_mut(slot) {
                    *r = Arc::unwrap_or_clone(v);
                }
                kids.remaining = kids.remaining.saturating_sub(1);
                if kids.remaining == 0 {
                    let flow = if kids.map {
                        self.map_succeeded(parent, state, run, *kids)
                    } else {
                        self.emit(parent, "ParallelStateSucceeded", "", Details::new());
                        let results = Payload::Owned(Value::Array(kids.results));
                        self.after_work(parent, state, run, results)
                    };
                    self.continue_with(parent, flow);
                    return;
                }
                if kids.map
                    && let StateKind::Map(spec) = &state.kind
                    && let Err(f) = self.spawn_items(parent, state, spec, &run, &mut kids)
                {
                    let flow = self.children_failed(parent, state, run, *kids, f);
                    self.continue_with(parent, flow);
                    return;
                }
                run.wait = Wait::Children(kids);
                self.park(parent, run);
            }
            Err(f) => {
                let flow = self.children_failed(parent, state, run, *kids, f);
                self.continue_with(parent, flow);
            }
        }
    }

    fn children_failed(
        &mut self,
        tid: Tid,
        state: &State,
        run: Box<Run>,
        kids: Kids,
        fault: Fault,
    ) -> Flow {
        for child in kids.live.iter().copied() {
            self.abort_thread(child);
        }
        if kids.distributed {
            self.emit(
                tid,
                "MapRunFailed",
                "mapRunFailedEventDetails",
                error_details(&fault.failure),
            );
        }
        let fault = Fault {
            from_task: false,
            evaluation: None,
            ..fault
        };
        self.state_fault(tid, state, run, fault)
    }

    /// Stops a thread and everything below it, recording the aborted states.
    fn abort_thread(&mut self, tid: Tid) {
        let Some(th) = self.threads.get_mut(tid).and_then(Option::take) else {
            return;
        };
        if let Step::Busy(run) = th.step {
            let prefix = th
                .block
                .state(run.idx)
                .map(|s| s.kind.event_prefix())
                .unwrap_or("Task");
            match run.wait {
                Wait::Task { task, timers } => {
                    self.tasks.remove(&task);
                    self.unqueue(task);
                    for k in timers {
                        self.timers.remove(&k);
                    }
                }
                Wait::Timer { key, .. } | Wait::Backoff { key } => {
                    self.timers.remove(&key);
                }
                Wait::Children(kids) => {
                    for c in kids.live {
                        self.abort_thread(c);
                    }
                }
                Wait::None => {}
            }
            self.emit_at(
                th.cursor,
                th.silent,
                aborted_kind(prefix),
                "",
                Details::new(),
            );
        }
        if let Some((index, name)) = &th.iteration {
            self.emit_at(
                th.cursor,
                th.silent,
                "MapIterationAborted",
                "mapIterationAbortedEventDetails",
                iteration_details(*index, name),
            );
        }
    }

    // ----- results, errors, exits ------------------------------------------------------------

    /// ResultSelector → ResultPath → OutputPath → exit, for a state's raw result.
    fn after_work(&mut self, tid: Tid, state: &State, mut run: Box<Run>, result: Payload) -> Flow {
        if state.query_language == QueryLanguage::JsonAta {
            return self.finish_jsonata(tid, state, run, Some(result.into_value()), None);
        }
        if let Some(i) = run.insp.as_mut() {
            i.result = Some(result.get().clone());
        }
        let selects = matches!(
            state.kind,
            StateKind::Task(_) | StateKind::Parallel { .. } | StateKind::Map(_)
        );
        let needs_ctx = state.uses_context;
        let ctx = if needs_ctx {
            self.context(state, &run, None, None)
        } else {
            Value::Null
        };
        let vars = self.vars(tid);
        let assigned = match &state.assign {
            Some(a) => {
                match self.resolve(state.compiled.assign.as_ref(), a, result.get(), &ctx, &vars) {
                    Ok(v) => Some(v),
                    Err(f) => return self.state_fault(tid, state, run, f),
                }
            }
            None => None,
        };
        let selected = match (&state.result_selector, selects) {
            (Some(t), true) => match self.resolve(
                state.compiled.result_selector.as_ref(),
                t,
                result.get(),
                &ctx,
                &vars,
            ) {
                Ok(v) => Payload::Owned(v),
                Err(f) => return self.state_fault(tid, state, run, f),
            },
            _ => result,
        };
        if let Some(i) = run.insp.as_mut() {
            i.after_result_selector = Some(selected.get().clone());
        }
        let input = std::mem::replace(&mut run.input, Arc::clone(&self.null));
        let merged = match share_result_path(
            &state.result_path,
            state.compiled.result_path.as_deref(),
            input,
            selected,
        ) {
            Ok(v) => v,
            Err(f) => return self.state_fault(tid, state, run, Fault::from_eval(f)),
        };
        if let Some(i) = run.insp.as_mut() {
            i.after_result_path = Some((*merged).clone());
        }
        self.exit_with(tid, state, run, merged, &ctx, assigned)
    }

    /// OutputPath → size check → `…StateExited` → the next state.
    fn exit_with(
        &mut self,
        tid: Tid,
        state: &State,
        run: Box<Run>,
        value: Arc<Value>,
        ctx: &Value,
        assigned: Option<Value>,
    ) -> Flow {
        let ctx_owned;
        let ctx = if ctx.is_null() && state.uses_context {
            ctx_owned = self.context(state, &run, None, None);
            &ctx_owned
        } else {
            ctx
        };
        let vars = self.vars(tid);
        let out = match share_path(&state.output_path, &value, ctx, Some(&vars)) {
            Ok(v) => v,
            Err(f) => return self.state_fault(tid, state, run, Fault::from_eval(f)),
        };
        drop(value);
        if self.config.quotas && dataflow::payload_size(&out) > MAX_PAYLOAD_BYTES {
            return self.state_fault(
                tid,
                state,
                run,
                Fault {
                    failure: Failure::new(
                        "States.DataLimitExceeded",
                        format!(
                            "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                            state.name
                        ),
                    ),
                    terminal: true,
                    from_task: false,
                    evaluation: None,
                },
            );
        }
        self.emit_exited(tid, state, &out, assigned);
        let mut run = run;
        self.record_inspection(run.insp.take(), &out);
        // Kept for the next state's run (its input and the rest are let go now).
        run.input = Arc::clone(&self.null);
        run.attempts = Vec::new();
        run.wait = Wait::None;
        self.spare_run = Some(run);
        match state.next {
            Some(n) if !state.end => Flow::Next(n, out),
            _ => Flow::End(out),
        }
    }

    fn record_inspection(&mut self, insp: Option<Box<Inspection>>, out: &Value) {
        if let Some(mut i) = insp {
            i.output = Some(out.clone());
            self.inspections.push(*i);
        }
    }

    /// A state failed: retry it, catch the error, or fail its thread.
    fn state_fault(
        &mut self,
        tid: Tid,
        state: &State,
        mut run: Box<Run>,
        mut fault: Fault,
    ) -> Flow {
        if let Some(location) = fault.evaluation.take() {
            let cause = format!(
                "An error occurred while executing the state '{}' (entered at the event id #{}). {}",
                state.name,
                run.entered_id,
                fault.failure.cause.clone().unwrap_or_default()
            );
            fault.failure.cause = Some(cause.clone());
            let mut d = Details::with_capacity(4);
            d.push("cause", Value::String(cause));
            d.push("error", Value::String(fault.failure.error.clone()));
            if let Some(l) = location {
                d.push("location", Value::String(l));
            }
            d.push("state", &state.name_value);
            let (silent, _) = match self.threads.get(tid).and_then(Option::as_ref) {
                Some(t) => (t.silent, t.cursor),
                None => (false, 0),
            };
            // A Wait state evaluates its time after entering; other states before.
            let prev = if matches!(state.kind, StateKind::Wait(_)) {
                run.entered_id
            } else {
                run.entered_prev
            };
            let id = self.emit_at(
                prev,
                silent,
                "EvaluationFailed",
                "evaluationFailedEventDetails",
                d,
            );
            if id != 0
                && let Some(t) = self.threads.get_mut(tid).and_then(Option::as_mut)
            {
                t.cursor = id;
            }
        }
        if fault.terminal {
            if fault.failure.error == "States.Runtime"
                || fault.failure.error == "States.DataLimitExceeded"
            {
                let cause = fault.failure.cause.clone().unwrap_or_default();
                if !cause.starts_with("An error occurred while executing the state") {
                    fault.failure.cause = Some(format!(
                        "An error occurred while executing the state '{}' (entered at the event id #{}). {}",
                        state.name, run.entered_id, cause
                    ));
                }
            }
            if let Some(i) = run.insp.take() {
                self.inspections.push(*i);
            }
            return Flow::Fail(fault);
        }
        for (i, r) in state.retry.iter().enumerate() {
            if dataflow::error_matches(&r.error_equals, &fault) {
                let done = run.attempts.get(i).copied().unwrap_or(u64::MAX);
                if done < r.max_attempts {
                    let random = if r.jitter_full {
                        self.rng.next_f64()
                    } else {
                        1.0
                    };
                    let delay = dataflow::backoff_ms(r, done, random);
                    if let Some(a) = run.attempts.get_mut(i) {
                        *a += 1;
                    }
                    run.retry_count += 1;
                    let key = self.add_timer(self.now_ms.saturating_add(delay), Timer::Wake(tid));
                    run.wait = Wait::Backoff { key };
                    return self.park(tid, run);
                }
                break;
            }
        }
        match state.kind {
            StateKind::Parallel { .. } => {
                self.emit(tid, "ParallelStateFailed", "", Details::new());
            }
            StateKind::Map(_) => {
                self.emit(tid, "MapStateFailed", "", Details::new());
            }
            _ => {}
        }
        for c in &state.catch {
            if dataflow::error_matches(&c.error_equals, &fault)
                && state.query_language == QueryLanguage::JsonAta
            {
                return self.catch_jsonata(tid, state, run, c, &fault.failure);
            }
            if dataflow::error_matches(&c.error_equals, &fault) {
                let f = &fault.failure;
                let error_output = json!({
                    "Error": if f.error.is_empty() { Value::Null } else { Value::String(f.error.clone()) },
                    "Cause": match &f.cause {
                        Some(c) => Value::String(c.clone()),
                        None if f.error.is_empty() => Value::Null,
                        None => Value::String(String::new()),
                    },
                });
                let assigned = match &c.assign {
                    Some(a) => {
                        let ctx = self.context(state, &run, None, None);
                        let vars = self.vars(tid);
                        match self.resolve(None, a, &error_output, &ctx, &vars) {
                            Ok(v) => Some(v),
                            Err(f) => return Flow::Fail(f),
                        }
                    }
                    None => None,
                };
                let input = std::mem::replace(&mut run.input, Arc::clone(&self.null));
                let error_output = Payload::Owned(error_output);
                let out = match share_result_path(&c.result_path, None, input, error_output) {
                    Ok(v) => v,
                    Err(e) => {
                        return Flow::Fail(Fault::from_eval(e));
                    }
                };
                self.emit_exited(tid, state, &out, assigned);
                self.record_inspection(run.insp, &out);
                return Flow::Next(c.next, out);
            }
        }
        if matches!(state.kind, StateKind::Task(_))
            && self
                .threads
                .get(tid)
                .and_then(Option::as_ref)
                .is_some_and(|t| t.in_parallel)
        {
            self.emit(tid, "TaskStateAborted", "", Details::new());
        }
        if let Some(i) = run.insp.take() {
            self.inspections.push(*i);
        }
        Flow::Fail(fault)
    }

    fn fire(&mut self, key: (i64, u64), timer: Timer) {
        match timer {
            Timer::ExecutionTimeout => {
                let prev = self
                    .threads
                    .first()
                    .and_then(Option::as_ref)
                    .map(|t| t.cursor)
                    .unwrap_or(0);
                self.emit_at(
                    prev,
                    false,
                    "ExecutionTimedOut",
                    "executionTimedOutEventDetails",
                    Details::with_capacity(1).with("error", Value::from("States.Timeout")),
                );
                self.status = Status::TimedOut;
                self.failure = Some(Failure {
                    error: "States.Timeout".into(),
                    cause: None,
                });
                self.cleanup();
            }
            Timer::TaskTimeout(task) => {
                let Some((tid, _)) = self.tasks.remove(&task) else {
                    return;
                };
                self.unqueue(task);
                let Some((block, mut run)) = self.take_run(tid) else {
                    return;
                };
                if let Wait::Task { timers, .. } = std::mem::replace(&mut run.wait, Wait::None) {
                    for k in timers {
                        self.timers.remove(&k);
                    }
                }
                let Some(state) = block.state(run.idx) else {
                    return;
                };
                let f = Failure {
                    error: "States.Timeout".into(),
                    cause: None,
                };
                self.emit_task_event(tid, state, TaskEvent::TimedOut(&f));
                let flow = self.state_fault(tid, state, run, Fault::task(f));
                self.continue_with(tid, flow);
            }
            Timer::Wake(tid) => {
                let Some((block, mut run)) = self.take_run(tid) else {
                    return;
                };
                let Some(state) = block.state(run.idx) else {
                    return;
                };
                let flow = match std::mem::replace(&mut run.wait, Wait::None) {
                    Wait::Timer { key: k, .. }
                        if k == key && state.query_language == QueryLanguage::JsonAta =>
                    {
                        self.finish_jsonata(tid, state, run, None, None)
                    }
                    Wait::Timer { key: k, effective } if k == key => {
                        let assigned = match &state.assign {
                            Some(a) => {
                                let ctx = self.context(state, &run, None, None);
                                let vars = self.vars(tid);
                                match self.resolve(None, a, &effective, &ctx, &vars) {
                                    Ok(v) => Some(v),
                                    Err(f) => {
                                        let flow = self.state_fault(tid, state, run, f);
                                        self.continue_with(tid, flow);
                                        return;
                                    }
                                }
                            }
                            None => None,
                        };
                        self.exit_with(tid, state, run, effective, &Value::Null, assigned)
                    }
                    Wait::Backoff { key: k } if k == key => self.attempt(tid, state, run),
                    other => {
                        run.wait = other;
                        self.park(tid, run)
                    }
                };
                self.continue_with(tid, flow);
            }
        }
    }
}

/// What a Task sends: its parameters, timeouts and token.
struct TaskCall {
    params: Arc<Value>,
    timeout: Option<u64>,
    heartbeat: Option<u64>,
    token: Option<String>,
    /// `Credentials.RoleArn`, resolved.
    role_arn: Option<String>,
}

/// What a Map state iterates over, and how.
struct MapLaunch {
    items: Vec<Value>,
    max_concurrency: usize,
    tolerated_count: Option<u64>,
    tolerated_pct: Option<f64>,
    selector_input: Arc<Value>,
}

enum TaskEvent<'a> {
    Succeeded(&'a Arc<Value>),
    Failed(&'a Failure),
    TimedOut(&'a Failure),
}

/// An integer given as a JSON integer or as its text (AWS accepts `"1"` in `…Path` fields).
fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A number given as JSON number or as its text.
fn float_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => ::jsonata::parse_f64(s.trim()).filter(|x| x.is_finite()),
        _ => None,
    }
}

fn value_type_text(v: &Value) -> String {
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(src: &str) -> Arc<StateMachine> {
        match StateMachine::parse(src) {
            Ok(m) => Arc::new(m),
            Err(d) => panic!("definition rejected: {d:?}"),
        }
    }

    /// Runs to the end, answering every task with `answer` and jumping over timers.
    fn drive(
        src: &str,
        input: Value,
        mut answer: impl FnMut(&TaskRequest) -> Option<TaskOutcome>,
    ) -> Execution {
        let mut e = Execution::start(machine(src), input, ExecutionConfig::default());
        for _ in 0..100_000 {
            if e.status() != Status::Running {
                break;
            }
            let mut progressed = false;
            while let Some(t) = e.poll_task() {
                progressed = true;
                if let Some(o) = answer(&t) {
                    e.complete_task(t.id, o);
                }
            }
            if !progressed {
                match e.next_timer() {
                    Some(t) => e.advance_to(t),
                    None => break,
                }
            }
        }
        e
    }

    fn kinds(e: &Execution) -> Vec<&'static str> {
        e.history().iter().map(|h| h.kind).collect()
    }

    fn prevs(e: &Execution) -> Vec<u64> {
        e.history().iter().map(|h| h.previous_event_id).collect()
    }

    #[test]
    fn pass_states_shape_data_and_chain_events() {
        let e = drive(
            r#"{"StartAt":"A","States":{
                "A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","Next":"B"},
                "B":{"Type":"Pass","InputPath":"$.r","End":true}}}"#,
            json!({"in": true}),
            |_| None,
        );
        assert_eq!(e.status(), Status::Succeeded);
        assert_eq!(e.output(), Some(&json!({"x": 1})));
        assert_eq!(
            kinds(&e),
            [
                "ExecutionStarted",
                "PassStateEntered",
                "PassStateExited",
                "PassStateEntered",
                "PassStateExited",
                "ExecutionSucceeded"
            ]
        );
        assert_eq!(prevs(&e), [0, 0, 2, 3, 4, 5]);
    }

    #[test]
    fn lambda_task_retries_on_the_virtual_clock_then_succeeds() {
        let mut calls = 0;
        let e = drive(
            r#"{"StartAt":"T","States":{"T":{"Type":"Task",
                "Resource":"arn:aws:lambda:us-east-1:1:function:f",
                "Retry":[{"ErrorEquals":["Boom"],"IntervalSeconds":2,"BackoffRate":3}],"End":true}}}"#,
            json!({}),
            |_| {
                calls += 1;
                Some(if calls < 3 {
                    TaskOutcome::Failure(Failure::new("Boom", "bad"))
                } else {
                    TaskOutcome::Success(json!("ok"))
                })
            },
        );
        assert_eq!(e.output(), Some(&json!("ok")));
        let scheduled: Vec<i64> = e
            .history()
            .iter()
            .filter(|h| h.kind == "LambdaFunctionScheduled")
            .map(|h| h.timestamp_ms)
            .collect();
        let t0 = ExecutionConfig::default().start_time_ms;
        assert_eq!(scheduled, [t0, t0 + 2000, t0 + 8000]);
    }

    #[test]
    fn catch_puts_the_error_output_at_result_path() {
        let e = drive(
            r#"{"StartAt":"T","States":{
                "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                     "Catch":[{"ErrorEquals":["States.TaskFailed"],"ResultPath":"$.err","Next":"D"}],"End":true},
                "D":{"Type":"Succeed"}}}"#,
            json!({"a": 1}),
            |_| Some(TaskOutcome::Failure(Failure::new("E", "why"))),
        );
        assert_eq!(
            e.output(),
            Some(&json!({"a": 1, "err": {"Error": "E", "Cause": "why"}}))
        );
        assert!(kinds(&e).contains(&"TaskFailed"));
    }

    #[test]
    fn task_timeout_fires_in_virtual_time() {
        let e = drive(
            r#"{"StartAt":"T","States":{"T":{"Type":"Task","TimeoutSeconds":5,
                "Resource":"arn:aws:states:::lambda:invoke","End":true}}}"#,
            json!({}),
            |_| None,
        );
        assert_eq!(e.status(), Status::Failed);
        assert_eq!(
            e.failure().map(|f| f.error.as_str()),
            Some("States.Timeout")
        );
        assert_eq!(e.now_ms(), ExecutionConfig::default().start_time_ms + 5000);
    }

    #[test]
    fn an_hour_long_wait_finishes_at_once_with_an_hour_in_the_timestamps() {
        let e = drive(
            r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}"#,
            json!({}),
            |_| None,
        );
        let h = e.history();
        let first = h.first().map(|x| x.timestamp_ms).unwrap_or(0);
        let last = h.last().map(|x| x.timestamp_ms).unwrap_or(0);
        assert_eq!(last - first, 3_600_000);
        assert_eq!(e.status(), Status::Succeeded);
    }

    #[test]
    fn parallel_outputs_branch_results_in_order() {
        let e = drive(
            r#"{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
                {"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"End":true}}},
                {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}}]}}}"#,
            json!({}),
            |_| Some(TaskOutcome::Success(json!(2))),
        );
        assert_eq!(e.output(), Some(&json!([1, 2])));
    }

    #[test]
    fn map_iterations_chain_previous_event_ids_as_aws_does() {
        let e = drive(
            r#"{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,"End":true,
                "ItemProcessor":{"StartAt":"H","States":{"H":{"Type":"Pass","End":true}}}}}}"#,
            json!([1, 2]),
            |_| None,
        );
        assert_eq!(e.output(), Some(&json!([1, 2])));
        // 1 Started, 2 MapEntered, 3 MapStarted, 4 IterStarted, 5/6 Pass, 7 IterSucceeded,
        // 8 IterStarted, 9/10 Pass, 11 IterSucceeded, 12 MapSucceeded, 13 MapExited, 14 Done.
        assert_eq!(prevs(&e), [0, 0, 2, 3, 4, 5, 6, 6, 8, 9, 10, 11, 11, 13]);
    }

    #[test]
    fn stop_aborts_a_waiting_execution() {
        let mut e = Execution::start(
            machine(r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}"#),
            json!({}),
            ExecutionConfig::default(),
        );
        e.stop(None, None);
        assert_eq!(e.status(), Status::Aborted);
        assert_eq!(kinds(&e).last(), Some(&"ExecutionAborted"));
        assert_eq!(e.next_timer(), None);
    }

    #[test]
    fn a_missing_output_path_is_a_runtime_error_no_catcher_handles() {
        let e = drive(
            r#"{"StartAt":"T","States":{
                "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f",
                     "OutputPath":"$.no.such","Catch":[{"ErrorEquals":["States.ALL"],"Next":"D"}],"End":true},
                "D":{"Type":"Succeed"}}}"#,
            json!({}),
            |_| Some(TaskOutcome::Success(json!({}))),
        );
        assert_eq!(e.status(), Status::Failed);
        let f = e.failure().cloned().unwrap_or(Failure::runtime(""));
        assert_eq!(f.error, "States.Runtime");
        assert_eq!(
            f.cause.as_deref(),
            Some(
                "An error occurred while executing the state 'T' (entered at the event id #2). \
                 Invalid path '$.no.such' : Missing property in path $['no']"
            )
        );
    }

    #[test]
    fn a_large_map_runs_in_linear_time() {
        let items: Vec<Value> = (0..5000).map(Value::from).collect();
        let e = drive(
            r#"{"StartAt":"M","States":{"M":{"Type":"Map","End":true,
                "ItemProcessor":{"StartAt":"H","States":{"H":{"Type":"Pass","End":true}}}}}}"#,
            Value::Array(items),
            |_| None,
        );
        assert_eq!(e.status(), Status::Succeeded);
        assert_eq!(e.history().len(), 6 + 4 * 5000);
    }
}

#[cfg(test)]
mod variable_tests {
    use super::*;

    fn run(src: &str, input: Value) -> Execution {
        let m = match StateMachine::parse(src) {
            Ok(m) => Arc::new(m),
            Err(d) => panic!("definition rejected: {d:?}"),
        };
        Execution::start(m, input, ExecutionConfig::default())
    }

    #[test]
    fn assigned_variables_are_recorded_and_visible_to_later_states() {
        let e = run(
            r#"{"StartAt":"A","States":{
                "A":{"Type":"Pass","Result":{"n":42},"Assign":{"answer.$":"$.n"},"Next":"B"},
                "B":{"Type":"Pass","Parameters":{"got.$":"$answer"},"End":true}}}"#,
            json!({}),
        );
        assert_eq!(e.output(), Some(&json!({"got": 42})));
        let exited = e.history().get(2).map(|h| h.details.clone());
        assert_eq!(
            exited.and_then(|d| d.get("assignedVariables").cloned()),
            Some(json!({"answer": 42}))
        );
    }

    #[test]
    fn map_iterations_read_outer_variables_but_keep_their_own() {
        let e = run(
            r#"{"StartAt":"A","States":{
                "A":{"Type":"Pass","Assign":{"bias":10},"Result":[1,2],"Next":"M"},
                "M":{"Type":"Map","ItemSelector":{"v.$":"$$.Map.Item.Value","b.$":"$bias"},
                     "ItemProcessor":{"StartAt":"I","States":{
                        "I":{"Type":"Pass","Assign":{"bias":0},"End":true}}},"Next":"B"},
                "B":{"Type":"Pass","Parameters":{"bias.$":"$bias","items.$":"$"},"End":true}}}"#,
            json!({}),
        );
        assert_eq!(
            e.output(),
            Some(&json!({"bias": 10, "items": [{"v": 1, "b": 10}, {"v": 2, "b": 10}]}))
        );
    }
}

#[cfg(test)]
mod concurrency_tests {
    use super::*;

    fn start(src: &str, input: Value, config: ExecutionConfig) -> Execution {
        let m = match StateMachine::parse(src) {
            Ok(m) => Arc::new(m),
            Err(d) => panic!("definition rejected: {d:?}"),
        };
        Execution::start(m, input, config)
    }

    #[test]
    fn a_failing_branch_aborts_the_others_and_late_answers_are_ignored() {
        let mut e = start(
            r#"{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}},
                {"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"Next":"F"},"F":{"Type":"Fail","Error":"E"}}}]}}}"#,
            json!({}),
            ExecutionConfig::default(),
        );
        let task = e.poll_task();
        assert!(task.is_some());
        if let Some(t) = e.next_timer() {
            e.advance_to(t);
        }
        assert_eq!(e.status(), Status::Failed);
        let kinds: Vec<&str> = e.history().iter().map(|h| h.kind).collect();
        assert!(kinds.contains(&"TaskStateAborted"));
        assert_eq!(
            kinds.get(kinds.len().saturating_sub(2)..),
            Some(&["ParallelStateFailed", "ExecutionFailed"][..])
        );
        let n = e.history().len();
        if let Some(t) = task {
            e.complete_task(t.id, TaskOutcome::Success(json!(1)));
        }
        assert_eq!(e.history().len(), n);
    }

    #[test]
    fn the_machine_timeout_times_the_execution_out() {
        let mut e = start(
            r#"{"TimeoutSeconds":10,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}"#,
            json!({}),
            ExecutionConfig::default(),
        );
        while let Some(t) = e.next_timer() {
            e.advance_to(t);
        }
        assert_eq!(e.status(), Status::TimedOut);
        assert_eq!(
            e.history().last().map(|h| h.kind),
            Some("ExecutionTimedOut")
        );
    }

    #[test]
    fn inspection_records_every_stage_of_a_task() {
        let config = ExecutionConfig {
            inspect: true,
            ..ExecutionConfig::default()
        };
        let mut e = start(
            r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                "InputPath":"$.in","Parameters":{"p.$":"$.v"},"ResultSelector":{"r.$":"$.Payload"},
                "ResultPath":"$.out","OutputPath":"$.out","End":true}}}"#,
            json!({"in": {"v": 1}}),
            config,
        );
        if let Some(t) = e.poll_task() {
            e.complete_task(t.id, TaskOutcome::Success(json!({"Payload": 7})));
        }
        let i = e.inspections().first().cloned().unwrap_or_default();
        assert_eq!(i.after_input_path, Some(json!({"v": 1})));
        assert_eq!(i.after_parameters, Some(json!({"p": 1})));
        assert_eq!(i.result, Some(json!({"Payload": 7})));
        assert_eq!(i.after_result_selector, Some(json!({"r": 7})));
        assert_eq!(
            i.after_result_path,
            Some(json!({"in": {"v": 1}, "out": {"r": 7}}))
        );
        assert_eq!(i.output, Some(json!({"r": 7})));
    }

    #[test]
    fn a_choice_without_match_or_default_is_a_runtime_error() {
        let e = start(
            r#"{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
                {"Variable":"$.x","NumericEquals":1,"Next":"D"}]},"D":{"Type":"Succeed"}}}"#,
            json!({"x": 2}),
            ExecutionConfig::default(),
        );
        assert_eq!(e.status(), Status::Failed);
        assert_eq!(
            e.failure().map(|f| f.error.as_str()),
            Some("States.Runtime")
        );
    }
}
