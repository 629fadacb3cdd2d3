//! Conformance cases: loading a recorded case and driving the engine through it with the case's mocks.

use crate::driver::{self, Answer, Answerer};
use crate::pattern::{self, Bindings};
use asl::definition::StateMachine;
use asl::{Execution, ExecutionConfig, Failure, Status, TaskOutcome, TaskRequest};
use serde_json::{Map, Value, json};
use std::path::Path;
use std::sync::Arc;

/// One recorded case (`../shared/conformance/FORMAT.md`).
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub definition: Value,
    pub input: Value,
    pub context: Value,
    /// Task state name → recorded invocation results in history order.
    pub mocks: Map<String, Value>,
    /// `status`, `output`, `error`, `cause`, `events`, `events_order_normalized`.
    pub expected: Value,
    /// Informational: `snapshot_transformers` tells how the recorder masked values.
    pub notes: Value,
}

impl Case {
    /// Reads a case from its JSON text.
    pub fn from_json(text: &str) -> Result<Case, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
        Case::from_value(v)
    }

    pub fn from_value(v: Value) -> Result<Case, String> {
        let Value::Object(mut o) = v else {
            return Err("a case must be a JSON object".into());
        };
        let definition = o
            .remove("definition")
            .ok_or("the case has no \"definition\"")?;
        let mocks = match o.remove("mocks") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m,
            Some(_) => return Err("\"mocks\" must be an object".into()),
        };
        Ok(Case {
            name: o
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            definition,
            input: o.remove("input").unwrap_or_else(|| json!({})),
            context: o.remove("context").unwrap_or(Value::Null),
            mocks,
            expected: o.remove("expected").unwrap_or(Value::Null),
            notes: o.remove("notes").unwrap_or(Value::Null),
        })
    }

    pub fn load(path: &Path) -> Result<Case, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Case::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// What `sfn case` prints: the execution's end and its history.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRun {
    pub status: String,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// Events as [`asl::HistoryEvent::to_case_json`] prints them.
    pub events: Vec<Value>,
}

impl CaseRun {
    pub fn to_json(&self) -> Value {
        json!({
            "status": self.status,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
            "events": self.events,
        })
    }

    fn failed(f: Failure, events: Vec<Value>) -> CaseRun {
        CaseRun {
            status: Status::Failed.as_str().into(),
            output: None,
            error: Some(f.error),
            cause: f.cause,
            events,
        }
    }
}

/// The execution's identity and clock from the case's `context`; defaults where absent.
pub fn config_from_context(ctx: &Value) -> ExecutionConfig {
    let mut c = ExecutionConfig::default();
    let s = |k: &str| ctx.get(k).and_then(Value::as_str).map(str::to_string);
    if let Some(v) = s("execution_arn") {
        c.execution_arn = v;
    }
    if let Some(v) = s("execution_name") {
        c.execution_name = v;
    }
    if let Some(v) = s("state_machine_arn") {
        c.state_machine_arn = v;
    }
    if let Some(v) = s("state_machine_name") {
        c.state_machine_name = v;
    }
    if let Some(v) = s("role_arn") {
        c.role_arn = v;
    }
    if let Some(v) = s("account") {
        c.account = v;
    }
    if let Some(v) = s("region") {
        c.region = v;
    }
    if let Some(t) = s("clock_hint").and_then(|t| asl::timestamp::parse_millis(&t)) {
        c.start_time_ms = t;
    }
    c.express = s("state_machine_type").is_some_and(|t| t.eq_ignore_ascii_case("EXPRESS"));
    // An EXPRESS execution's ARN is `…:express:<machine>:<name>:<id>`; a context written in the
    // STANDARD form is converted.
    if c.express
        && c.execution_arn.contains(":execution:")
        && c.execution_arn.matches(':').count() == 7
    {
        let id = asl::Rng::new(0x4558_5052_4553_5321).uuid_v4();
        c.execution_arn = format!(
            "{}:{id}",
            c.execution_arn.replacen(":execution:", ":express:", 1)
        );
    }
    c
}

/// Answers tasks from a case's `mocks`: a matching `Request` first, else the next unused entry.
pub struct CaseMocks {
    by_state: Vec<(String, Vec<(Value, bool)>)>,
    /// Every Lambda behind the case is LocalStack's `id_function.py` (returns its event): tasks
    /// the recording could not show (inside distributed Map child executions) answer with it.
    identity_lambdas: bool,
}

/// Whether the case's notes say every Lambda it used is the identity function.
fn only_identity_lambdas(notes: &Value) -> bool {
    notes
        .get("lambda_handlers")
        .and_then(Value::as_array)
        .is_some_and(|hs| {
            !hs.is_empty()
                && hs.iter().all(|h| {
                    h.get("handler_file")
                        .and_then(Value::as_str)
                        .is_some_and(|f| f.ends_with("/id_function.py"))
                })
        })
}

/// What the identity Lambda answers to this task, if the task invokes a Lambda.
fn identity_answer(req: &TaskRequest) -> Option<Value> {
    if req.resource.starts_with("arn:aws:lambda:") {
        return Some(req.parameters.clone());
    }
    if req.resource.starts_with("arn:aws:states:::lambda:invoke") {
        let payload = req
            .parameters
            .get("Payload")
            .cloned()
            .unwrap_or(Value::Null);
        return Some(json!({"ExecutedVersion": "$LATEST", "Payload": payload, "StatusCode": 200}));
    }
    None
}

impl CaseMocks {
    /// The mocks of a case; `notes` tells which Lambda handlers the recording used.
    pub fn with_notes(mocks: &Map<String, Value>, notes: &Value) -> CaseMocks {
        let mut m = CaseMocks::new(mocks);
        m.identity_lambdas = only_identity_lambdas(notes);
        m
    }

    pub fn new(mocks: &Map<String, Value>) -> CaseMocks {
        let by_state = mocks
            .iter()
            .map(|(k, v)| {
                let list = match v {
                    Value::Array(a) => a.iter().map(|e| (e.clone(), false)).collect(),
                    other => vec![(other.clone(), false)],
                };
                (k.clone(), list)
            })
            .collect();
        CaseMocks {
            by_state,
            identity_lambdas: false,
        }
    }
}

/// Does a recorded `Request` (`resource`, `resourceType`, `parameters`/`input`) describe this task?
pub fn request_matches(r: &Value, req: &TaskRequest) -> bool {
    if let Some(res) = r.get("resource").and_then(Value::as_str) {
        // AWS records service integrations short (`invoke`, type `lambda`); Lambda and activity ARNs in full.
        let short_ok = req.resource.ends_with(&format!(":{res}"))
            && r.get("resourceType")
                .and_then(Value::as_str)
                .is_none_or(|t| req.resource.contains(&format!(":{t}:")));
        if res != req.resource
            && !short_ok
            && !pattern::match_str(res, &req.resource, &mut Bindings::new())
        {
            return false;
        }
    }
    match r.get("parameters").or_else(|| r.get("input")) {
        Some(p) => pattern::match_value(p, &req.parameters, &mut Bindings::new()),
        None => true,
    }
}

impl Answerer for CaseMocks {
    fn answer(&mut self, req: &TaskRequest, _now_ms: i64) -> Answer {
        let Some((_, list)) = self.by_state.iter_mut().find(|(k, _)| *k == req.state_name) else {
            if self.identity_lambdas
                && let Some(v) = identity_answer(req)
            {
                return Answer::Now(TaskOutcome::Success(v));
            }
            return Answer::Stop(Failure::new(
                "sfn.NoMock",
                format!(
                    "the case has no mock for task state '{}' (resource {})",
                    req.state_name, req.resource
                ),
            ));
        };
        let pick = list
            .iter()
            .position(|(e, used)| {
                !used && e.get("Request").is_some_and(|r| request_matches(r, req))
            })
            .or_else(|| list.iter().position(|(_, used)| !used));
        let total = list.len();
        let Some((entry, used)) = pick.and_then(|i| list.get_mut(i)) else {
            return Answer::Stop(Failure::new(
                "sfn.NoMock",
                format!(
                    "no mock left for task state '{}' (resource {}): all {total} recorded invocation(s) used",
                    req.state_name, req.resource
                ),
            ));
        };
        *used = true;
        mock_answer(entry, &req.state_name)
    }
}

/// `{"Return": v}` → success, `{"Throw": {Error, Cause}}` → failure, `{"TimedOut": …}` → never answers.
pub fn mock_answer(entry: &Value, state: &str) -> Answer {
    if let Some(v) = entry.get("Return") {
        return Answer::Now(TaskOutcome::Success(v.clone()));
    }
    if let Some(t) = entry.get("Throw") {
        return Answer::Now(TaskOutcome::Failure(workspace::mocks::failure_of(t)));
    }
    if entry.get("TimedOut").is_some() {
        return Answer::Never;
    }
    Answer::Stop(Failure::new(
        "sfn.BadMock",
        format!("the mock for task state '{state}' has none of Return, Throw, TimedOut"),
    ))
}

/// Runs one case with its mocks and reports how the execution ended.
pub fn run_case(case: &Case) -> CaseRun {
    let machine = match StateMachine::from_value(case.definition.clone()) {
        Ok(m) => Arc::new(m),
        Err(diags) => {
            let cause = diags
                .iter()
                .map(|d| {
                    if d.pointer.is_empty() {
                        format!("{}: {}", d.code, d.message)
                    } else {
                        format!("{}: {} (at {})", d.code, d.message, d.pointer)
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
            return CaseRun::failed(Failure::new("sfn.InvalidDefinition", cause), Vec::new());
        }
    };
    let config = config_from_context(&case.context);
    let mut exec = Execution::start(machine, case.input.clone(), config);
    let mut mocks = CaseMocks::with_notes(&case.mocks, &case.notes);
    let stopped = driver::drive(&mut exec, &mut mocks);
    let events: Vec<Value> = exec.history().iter().map(|e| e.to_case_json()).collect();
    if let Some(f) = stopped {
        return CaseRun::failed(f, events);
    }
    let failure = exec.failure();
    CaseRun {
        status: exec.status().as_str().into(),
        output: if exec.status() == Status::Succeeded {
            Some(exec.output().cloned().unwrap_or(Value::Null))
        } else {
            None
        },
        // AWS reports a failure without an error name as null (a Fail state without Error).
        error: failure.map(|f| f.error.clone()).filter(|e| !e.is_empty()),
        cause: failure.and_then(|f| f.cause.clone()),
        events,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use asl::{Pattern, TaskId};

    fn req(state: &str, resource: &str, parameters: Value) -> TaskRequest {
        TaskRequest {
            id: TaskId(1),
            state_name: state.into(),
            resource: resource.into(),
            parameters,
            pattern: Pattern::RequestResponse,
            task_token: None,
            timeout_seconds: None,
            heartbeat_seconds: None,
        }
    }

    #[test]
    fn context_sets_identity_clock_and_type() {
        let c = config_from_context(&json!({
            "execution_arn": "arn:x", "account": "111111111111",
            "clock_hint": "2026-11-25T21:30:38Z", "state_machine_type": "EXPRESS"
        }));
        assert_eq!(c.execution_arn, "arn:x");
        assert_eq!(c.account, "111111111111");
        assert_eq!(c.start_time_ms, 1_795_642_238_000);
        assert!(c.express);
        let c = config_from_context(&json!({
            "execution_arn": "arn:aws:states:us-east-1:1:execution:M:e", "state_machine_type": "EXPRESS"
        }));
        assert!(
            c.execution_arn
                .starts_with("arn:aws:states:us-east-1:1:express:M:e:")
        );
    }

    #[test]
    fn short_service_resource_matches_full_resource() {
        let r = json!({"resource": "invoke", "resourceType": "lambda", "parameters": {"FunctionName": "f", "Payload": {"a": "<uuid:1>"}}});
        assert!(request_matches(
            &r,
            &req(
                "S",
                "arn:aws:states:::lambda:invoke",
                json!({"FunctionName": "f", "Payload": {"a": "x"}})
            )
        ));
        assert!(!request_matches(
            &r,
            &req(
                "S",
                "arn:aws:states:::sqs:invoke",
                json!({"FunctionName": "f", "Payload": {"a": "x"}})
            )
        ));
        assert!(!request_matches(
            &r,
            &req(
                "S",
                "arn:aws:states:::lambda:invoke",
                json!({"FunctionName": "g", "Payload": {"a": "x"}})
            )
        ));
    }

    #[test]
    fn unrecorded_invocations_of_identity_lambdas_return_their_event() {
        let notes =
            json!({"lambda_handlers": [{"handler_file": "x/lambdafunctions/id_function.py"}]});
        let mut m = CaseMocks::with_notes(&Map::new(), &notes);
        let r = req(
            "Child",
            "arn:aws:lambda:us-east-1:1:function:f",
            json!({"v": 1}),
        );
        assert!(
            matches!(m.answer(&r, 0), Answer::Now(TaskOutcome::Success(v)) if v == json!({"v": 1}))
        );
        let r = req(
            "Child",
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName": "f", "Payload": 2}),
        );
        assert!(
            matches!(m.answer(&r, 0), Answer::Now(TaskOutcome::Success(v)) if v["Payload"] == json!(2))
        );
        let mut plain = CaseMocks::new(&Map::new());
        assert!(matches!(plain.answer(&r, 0), Answer::Stop(_)));
    }

    #[test]
    fn mocks_match_request_first_then_order() {
        let mocks = json!({"T": [
            {"Return": 1, "Request": {"input": {"i": 1}}},
            {"Return": 2, "Request": {"input": {"i": 2}}},
            {"Throw": {"Error": "E", "Cause": "C"}}
        ]});
        let mut m = CaseMocks::new(mocks.as_object().unwrap_or(&Map::new()));
        let r = |i| {
            req(
                "T",
                "arn:aws:lambda:us-east-1:1:function:f",
                json!({"i": i}),
            )
        };
        assert!(
            matches!(m.answer(&r(2), 0), Answer::Now(TaskOutcome::Success(v)) if v == json!(2))
        );
        assert!(
            matches!(m.answer(&r(9), 0), Answer::Now(TaskOutcome::Success(v)) if v == json!(1))
        );
        assert!(
            matches!(m.answer(&r(9), 0), Answer::Now(TaskOutcome::Failure(f)) if f == Failure::new("E", "C"))
        );
        assert!(matches!(m.answer(&r(9), 0), Answer::Stop(f) if f.error == "sfn.NoMock"));
        assert!(
            matches!(m.answer(&req("U", "x", json!({})), 0), Answer::Stop(f) if f.error == "sfn.NoMock")
        );
    }
}
