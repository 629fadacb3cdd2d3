//! The Amazon States Language engine: parses, validates and executes state machines without any I/O.
//!
//! The engine never calls a Lambda, sleeps, reads the clock or draws randomness of its own. An
//! [`Execution`] is stepped from outside: it hands out [`TaskRequest`]s and timers, and is fed the
//! answers ([`Execution::complete_task`]) and the virtual time ([`Execution::advance_to`]).
//! Everything that happens is recorded as AWS `GetExecutionHistory` events ([`HistoryEvent`]).

pub mod choice;
pub mod dataflow;
pub mod definition;
pub mod error;
pub mod execution;
pub mod hash;
pub mod history;
pub mod intrinsics;
pub mod jsonata_mode;
pub mod jsonpath;
pub mod lambda;
pub mod payload;
pub mod rng;
pub mod source_map;
pub mod timestamp;
pub mod validate;

pub use error::Failure;
pub use execution::{
    Execution, ExecutionConfig, Inspection, Pattern, Status, TaskId, TaskOutcome, TaskRequest,
};
pub use history::HistoryEvent;
pub use rng::Rng;
pub use validate::Diagnostic;
