//! Execution history events in the shape of AWS's `GetExecutionHistory`.

use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

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
    pub details: Details,
}

/// The details of one event: a JSON object whose payloads are immutable snapshots shared with the
/// execution (and with the events before and after that carry the same value), so keeping the whole
/// history costs no copy of any payload. Read a field with [`Details::get`], the whole object
/// with [`Details::to_value`].
#[derive(Debug, Clone, Default)]
pub struct Details {
    fields: Vec<(Cow<'static, str>, Field)>,
}

/// One field of [`Details`].
#[derive(Debug, Clone)]
pub enum Field {
    Value(Value),
    /// A payload snapshot shared with the execution.
    Shared(Arc<Value>),
    /// `{"truncated": false}` (the `…Details` member of every payload).
    NotTruncated,
}

static NOT_TRUNCATED: LazyLock<Value> = LazyLock::new(|| {
    let mut m = Map::new();
    m.insert("truncated".into(), Value::Bool(false));
    Value::Object(m)
});

impl Field {
    pub fn as_value(&self) -> &Value {
        match self {
            Field::Value(v) => v,
            Field::Shared(v) => v,
            Field::NotTruncated => &NOT_TRUNCATED,
        }
    }
}

impl From<Value> for Field {
    fn from(v: Value) -> Field {
        Field::Value(v)
    }
}

impl From<Arc<Value>> for Field {
    fn from(v: Arc<Value>) -> Field {
        Field::Shared(v)
    }
}

impl From<&Arc<Value>> for Field {
    fn from(v: &Arc<Value>) -> Field {
        Field::Shared(Arc::clone(v))
    }
}

impl Details {
    pub fn new() -> Details {
        Details::default()
    }

    pub fn with_capacity(n: usize) -> Details {
        Details {
            fields: Vec::with_capacity(n),
        }
    }

    /// Appends a field (the engine adds fields in AWS's order, without duplicates).
    pub fn push(&mut self, key: &'static str, value: impl Into<Field>) {
        self.fields.push((Cow::Borrowed(key), value.into()));
    }

    /// Appends a field, builder style.
    pub fn with(mut self, key: &'static str, value: impl Into<Field>) -> Details {
        self.push(key, value);
        self
    }

    /// The field's value, as `details.get(key)` on the JSON object would give it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, f)| f.as_value())
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.fields.iter().map(|(k, f)| (k.as_ref(), f.as_value()))
    }

    /// The details as one JSON object (a copy).
    pub fn to_value(&self) -> Value {
        Value::Object(
            self.iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }
}

impl PartialEq for Details {
    fn eq(&self, other: &Details) -> bool {
        self.fields.len() == other.fields.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|((k1, v1), (k2, v2))| k1 == k2 && v1 == v2)
    }
}

/// A JSON object's members become the fields (anything else gives no fields).
impl From<Value> for Details {
    fn from(v: Value) -> Details {
        match v {
            Value::Object(m) => Details {
                fields: m
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k), Field::Value(v)))
                    .collect(),
            },
            _ => Details::default(),
        }
    }
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
            m.insert("details".into(), self.details.to_value());
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
            let mut d = Map::new();
            for (k, v) in self.details.iter() {
                let v = if PAYLOAD_FIELDS.contains(&k) {
                    Value::String(v.to_string())
                } else if k == "assignedVariables"
                    && let Value::Object(vars) = v
                {
                    Value::Object(
                        vars.iter()
                            .map(|(n, x)| (n.clone(), Value::String(x.to_string())))
                            .collect(),
                    )
                } else {
                    v.clone()
                };
                d.insert(k.to_string(), v);
            }
            m.insert(key.into(), Value::Object(d));
        }
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn details_read_like_the_json_object_they_stand_for() {
        let input = Arc::new(json!({"a": 1}));
        let d = Details::new()
            .with("input", &input)
            .with("inputDetails", Field::NotTruncated)
            .with("name", Value::from("S"));
        assert_eq!(d.get("input"), Some(&json!({"a": 1})));
        assert_eq!(d.get("name").and_then(Value::as_str), Some("S"));
        assert_eq!(d.get("nope"), None);
        assert_eq!(
            d.to_value(),
            json!({"input": {"a": 1}, "inputDetails": {"truncated": false}, "name": "S"})
        );
        assert_eq!(Details::from(d.to_value()), d);
    }

    #[test]
    fn aws_json_sends_payloads_as_text() {
        let e = HistoryEvent {
            id: 2,
            previous_event_id: 1,
            timestamp_ms: 1500,
            kind: "PassStateExited",
            details_key: Some("stateExitedEventDetails"),
            details: json!({"name": "S", "output": {"x": [1]}, "assignedVariables": {"v": "t"}})
                .into(),
        };
        assert_eq!(
            e.to_aws_json(),
            json!({"timestamp": 1.5, "type": "PassStateExited", "id": 2, "previousEventId": 1,
                   "stateExitedEventDetails": {"name": "S", "output": "{\"x\":[1]}",
                                               "assignedVariables": {"v": "\"t\""}}})
        );
    }
}
