//! Execution history events in the shape of AWS's `GetExecutionHistory`.

use serde_json::{Map, Value};

/// One history event. `details` holds the AWS details member (`details_key`, e.g.
/// `taskScheduledEventDetails`) with payload fields (`input`, `output`, `parameters`, values of
/// `assignedVariables`) kept as JSON values, not as JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    pub id: u64,
    pub previous_event_id: u64,
    /// Virtual time, milliseconds since the epoch.
    pub timestamp_ms: i64,
    /// AWS's event type, e.g. `TaskStateEntered`.
    pub kind: &'static str,
    pub details_key: Option<&'static str>,
    pub details: Value,
}

/// Payload fields that AWS sends as JSON text inside event details.
pub const PAYLOAD_FIELDS: [&str; 3] = ["input", "output", "parameters"];

impl HistoryEvent {
    /// The event as `sfn case` prints it: `{"id","previousEventId","type","details"}`, payloads as values.
    pub fn to_case_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), self.id.into());
        m.insert("previousEventId".into(), self.previous_event_id.into());
        m.insert("type".into(), self.kind.into());
        if self.details_key.is_some() {
            m.insert("details".into(), self.details.clone());
        }
        Value::Object(m)
    }

    /// The event as `aws stepfunctions get-execution-history` prints it: timestamp in seconds, the
    /// details under their AWS key, and payload fields as JSON text.
    pub fn to_aws_json(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "timestamp".into(),
            Value::from(self.timestamp_ms as f64 / 1000.0),
        );
        m.insert("type".into(), self.kind.into());
        m.insert("id".into(), self.id.into());
        m.insert("previousEventId".into(), self.previous_event_id.into());
        if let Some(key) = self.details_key {
            let mut d = self.details.clone();
            if let Value::Object(o) = &mut d {
                for f in PAYLOAD_FIELDS {
                    if let Some(v) = o.get_mut(f) {
                        *v = Value::String(v.to_string());
                    }
                }
                if let Some(Value::Object(vars)) = o.get_mut("assignedVariables") {
                    for v in vars.values_mut() {
                        *v = Value::String(v.to_string());
                    }
                }
            }
            m.insert(key.into(), d);
        }
        Value::Object(m)
    }
}
