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

/// The state machine a first visit starts with, exactly as the AWS console's order example.
pub const DEFAULT_DEFINITION: &str = r#"{
  "Comment": "An example of a simple order process",
  "StartAt": "Check Inventory",
  "States": {
    "Check Inventory": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:region:account-id:function:CheckInventory",
      "Next": "Process Payment"
    },
    "Process Payment": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:region:account-id:function:ProcessPayment",
      "Next": "Notify Customer"
    },
    "Notify Customer": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:region:account-id:function:NotifyCustomer",
      "End": true
    }
  }
}"#;

const CHECK_INVENTORY: &str = r#"// Checks that every item of the order is in stock.
const stock = { "BOOK-1": 10, "MUG-7": 0 };

exports.handler = async (event) => {
  const missing = event.items.filter((i) => (stock[i.sku] ?? 0) < i.qty);
  console.log(`checked ${event.items.length} item(s) for ${event.orderId}`);
  if (missing.length > 0) {
    const e = new Error(`out of stock: ${missing.map((i) => i.sku).join(", ")}`);
    e.name = "OutOfStock";
    throw e;
  }
  return { ...event, inStock: true };
};
"#;

const PROCESS_PAYMENT: &str = r#"// Charges the customer for the order.
exports.handler = async (event, context) => {
  const total = event.items.reduce((sum, i) => sum + i.qty * i.price, 0);
  console.log(`charging ${total.toFixed(2)} to ${event.customer}`);
  return { ...event, payment: { id: `pay-${context.awsRequestId.slice(0, 8)}`, total } };
};
"#;

const NOTIFY_CUSTOMER: &str = r#"// Tells the customer that the order is on its way.
exports.handler = async (event) => {
  const message = `Hi ${event.customer}, order ${event.orderId} is confirmed.`;
  console.log(message);
  return { orderId: event.orderId, status: "CONFIRMED", message };
};
"#;

const DEFAULT_INPUT: &str = r#"{
  "orderId": "order-1001",
  "customer": "ada@example.com",
  "items": [
    { "sku": "BOOK-1", "qty": 2, "price": 12.5 }
  ]
}"#;

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
