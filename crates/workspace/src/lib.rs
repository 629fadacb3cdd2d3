//! The workspace: everything a user wrote (definition, Lambda modules, input, mocks) and the run settings, and its file.
//!
//! The page and the CLI share this crate, so `sfn run workspace.json` runs what the page runs. It is pure:
//! no I/O, no clock; text in, text out. [`file`](mod@file): the workspace file; [`mocks`]: answers from a
//! MockConfigFile; [`import`] and [`export`]: ASL (JSON, YAML), CloudFormation/SAM templates and
//! MockConfigFiles in and out; [`yaml`]: the YAML reader and writer they use.

pub mod export;
pub mod file;
pub mod import;
pub mod link;
pub mod mocks;
pub mod yaml;

pub use file::{FORMAT, FileError, VERSION};

/// One Lambda function: its name (as a Task's Resource names it) and its JavaScript module.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub name: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    /// What the user calls it; also the state machine's name in a MockConfigFile or a SAM template.
    pub name: String,
    /// The ASL definition, as the user wrote it (text, so formatting survives a round trip).
    pub definition: String,
    pub functions: Vec<Function>,
    /// The execution input, as JSON text.
    pub input: String,
    /// A Step Functions Local MockConfigFile (JSON text); empty when no task is mocked.
    pub mocks: String,
    /// The MockConfigFile test case whose responses answer the tasks; empty for none.
    pub test_case: String,
    /// Seed of the execution's randomness (jitter, UUIDs, `$random`), so a run replays exactly.
    pub seed: u64,
    /// Per-function timeout, as Lambda's: the Worker is terminated when it passes.
    pub timeout_ms: u32,
}

/// The state machine a first visit starts with, exactly as the AWS console's order example
/// (the gallery's first example, `examples/order-process/`).
pub const DEFAULT_DEFINITION: &str =
    include_str!("../../../examples/order-process/definition.asl.json");

const CHECK_INVENTORY: &str =
    include_str!("../../../examples/order-process/lambdas/CheckInventory.js");
const PROCESS_PAYMENT: &str =
    include_str!("../../../examples/order-process/lambdas/ProcessPayment.js");
const NOTIFY_CUSTOMER: &str =
    include_str!("../../../examples/order-process/lambdas/NotifyCustomer.js");
const DEFAULT_INPUT: &str = include_str!("../../../examples/order-process/input.json");

/// Where a workspace's run starts its virtual clock: 2025-01-01T00:00:00Z, on the page and in
/// `sfn run WORKSPACE.json` alike, so that a run replays exactly (a share link's recipient gets the same
/// history, timestamps and `$now()` included), as the seed does for randomness.
pub const START_TIME_MS: i64 = 1_735_689_600_000;

/// The seed a new workspace starts with.
pub const DEFAULT_SEED: u64 = 1;
/// Lambda's default timeout is 3 seconds.
pub const DEFAULT_TIMEOUT_MS: u32 = 3000;

impl Default for Workspace {
    fn default() -> Self {
        let f = |name: &str, code: &str| Function {
            name: name.into(),
            code: code.into(),
        };
        Workspace {
            name: "Order process".into(),
            definition: DEFAULT_DEFINITION.into(),
            functions: vec![
                f("CheckInventory", CHECK_INVENTORY),
                f("ProcessPayment", PROCESS_PAYMENT),
                f("NotifyCustomer", NOTIFY_CUSTOMER),
            ],
            input: DEFAULT_INPUT.into(),
            mocks: String::new(),
            test_case: String::new(),
            seed: DEFAULT_SEED,
            timeout_ms: DEFAULT_TIMEOUT_MS,
        }
    }
}

impl Workspace {
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }
}
