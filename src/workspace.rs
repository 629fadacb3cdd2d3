//! The workspace: everything the user wrote (definition, Lambda modules, input) and the run settings.

/// One Lambda function: its name (as a Task's Resource names it) and its JavaScript module.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub name: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    pub definition: String,
    pub functions: Vec<Function>,
    pub input: String,
    /// Seed of the execution's randomness (jitter, UUIDs, `$random`), so a run replays exactly.
    pub seed: u64,
    /// Per-function timeout, as Lambda's: the Worker is terminated when it passes.
    pub timeout_ms: u32,
}

/// The state machine a first visit starts with, exactly as the AWS console's order example
/// (the gallery's first example, `examples/order-process/`).
pub const DEFAULT_DEFINITION: &str = include_str!("../examples/order-process/definition.asl.json");

const CHECK_INVENTORY: &str = include_str!("../examples/order-process/lambdas/CheckInventory.js");
const PROCESS_PAYMENT: &str = include_str!("../examples/order-process/lambdas/ProcessPayment.js");
const NOTIFY_CUSTOMER: &str = include_str!("../examples/order-process/lambdas/NotifyCustomer.js");
const DEFAULT_INPUT: &str = include_str!("../examples/order-process/input.json");

impl Default for Workspace {
    fn default() -> Self {
        let f = |name: &str, code: &str| Function {
            name: name.into(),
            code: code.into(),
        };
        Workspace {
            definition: DEFAULT_DEFINITION.into(),
            functions: vec![
                f("CheckInventory", CHECK_INVENTORY),
                f("ProcessPayment", PROCESS_PAYMENT),
                f("NotifyCustomer", NOTIFY_CUSTOMER),
            ],
            input: DEFAULT_INPUT.into(),
            seed: 1,
            timeout_ms: 3000,
        }
    }
}

impl Workspace {
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }
}
