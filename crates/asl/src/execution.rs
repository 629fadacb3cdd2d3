//! The steppable interpreter: one execution of a state machine, advanced by its driver.
//! (Stub: the API is fixed; the interpreter is filled in by the engine work.)

use crate::definition::StateMachine;
use crate::error::Failure;
use crate::history::HistoryEvent;
use serde_json::Value;
use std::sync::Arc;

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

/// One execution of a state machine.
///
/// Driving it: after [`Execution::start`], take every new task with [`Execution::poll_task`] and
/// answer it (now or later) with [`Execution::complete_task`]; when nothing can be answered, jump
/// the virtual clock to [`Execution::next_timer`] with [`Execution::advance_to`]. Each call runs
/// everything that can run at the current virtual time before it returns. It is finished when
/// [`Execution::status`] is no longer `Running`.
pub struct Execution {
    machine: Arc<StateMachine>,
    status: Status,
    now_ms: i64,
    history: Vec<HistoryEvent>,
}

impl Execution {
    /// Starts an execution: records `ExecutionStarted` and runs until it needs something.
    pub fn start(machine: Arc<StateMachine>, input: Value, config: ExecutionConfig) -> Execution {
        let _ = input;
        Execution {
            machine,
            status: Status::Running,
            now_ms: config.start_time_ms,
            history: Vec::new(),
        }
    }

    /// The next task to dispatch, once each.
    pub fn poll_task(&mut self) -> Option<TaskRequest> {
        None
    }

    /// Feeds a task's answer and runs on. Unknown or already-finished ids are ignored.
    pub fn complete_task(&mut self, id: TaskId, outcome: TaskOutcome) {
        let _ = (id, outcome);
    }

    /// The earliest pending timer (Wait, Retry back-off, task timeout or heartbeat, execution timeout).
    pub fn next_timer(&self) -> Option<i64> {
        None
    }

    /// Moves the virtual clock forward to `now_ms` (never backwards), firing due timers, and runs on.
    pub fn advance_to(&mut self, now_ms: i64) {
        self.now_ms = self.now_ms.max(now_ms);
    }

    /// Stops the execution (`ExecutionAborted`), as `StopExecution` does.
    pub fn stop(&mut self, error: Option<String>, cause: Option<String>) {
        let _ = (error, cause);
        self.status = Status::Aborted;
    }

    pub fn status(&self) -> Status {
        self.status
    }

    /// The execution's output once it succeeded.
    pub fn output(&self) -> Option<&Value> {
        None
    }

    /// The error and cause once it failed, timed out or was aborted.
    pub fn failure(&self) -> Option<&Failure> {
        None
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
}
