//! Drives an engine execution to its end: answers each task through an [`Answerer`] and jumps the virtual clock.

use asl::{Execution, Failure, Status, TaskOutcome, TaskRequest};

/// How a driver answers one task.
pub enum Answer {
    /// The task's result or error, fed back at once.
    Now(TaskOutcome),
    /// The worker never answers: the task's timeout or heartbeat timer must fire.
    Never,
    /// The driver cannot go on (no mock left, ...): the run ends with this failure.
    Stop(Failure),
}

/// Something that answers task requests (case mocks, a mock file, JavaScript Lambdas).
pub trait Answerer {
    /// `now_ms` is the execution's virtual time when the task is dispatched.
    fn answer(&mut self, req: &TaskRequest, now_ms: i64) -> Answer;
}

/// More steps than this means the engine is not making progress.
const MAX_STEPS: u64 = 2_000_000;

/// Runs the execution until it is no longer running. Returns the driver's own failure when it had
/// to stop early (`sfn.NoMock`, `sfn.Stalled`, ...); the execution is then left running.
pub fn drive(exec: &mut Execution, answerer: &mut dyn Answerer) -> Option<Failure> {
    let mut never: Vec<TaskRequest> = Vec::new();
    let mut steps: u64 = 0;
    while exec.status() == Status::Running {
        steps += 1;
        if steps > MAX_STEPS {
            return Some(Failure::new(
                "sfn.DriverLimit",
                format!("the execution made no end after {MAX_STEPS} driver steps"),
            ));
        }
        if let Some(req) = exec.poll_task() {
            match answerer.answer(&req, exec.now_ms()) {
                Answer::Now(outcome) => exec.complete_task(req.id, outcome),
                Answer::Never => never.push(req),
                Answer::Stop(f) => return Some(f),
            }
            continue;
        }
        if let Some(t) = exec.next_timer() {
            exec.advance_to(t);
            continue;
        }
        return Some(match never.first() {
            Some(req) => Failure::new(
                "sfn.Stalled",
                format!(
                    "task state '{}' never answers (its mock timed out) and no timeout or heartbeat timer is pending",
                    req.state_name
                ),
            ),
            None => Failure::new(
                "sfn.Stalled",
                "the execution is still running but has no task to answer and no timer pending",
            ),
        });
    }
    None
}
