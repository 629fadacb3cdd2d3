//! AWS Step Functions Local's mock configuration file (`MockConfigFile.json`): a test case's mocked states and their responses.
//!
//! ```json
//! {"StateMachines": {"<machine>": {"TestCases": {"<case>": {"<state>": "<response name>"}}}},
//!  "MockedResponses": {"<response name>": {"0": {"Return": …}, "1-2": {"Throw": {"Error": …, "Cause": …}}}}}
//! ```
//! Each mocked state counts its invocations within one execution (from 0, retries included); the
//! key whose number or inclusive range holds the count answers. The page and `sfn run --mock-config`
//! both answer tasks through [`MockConfig::answer`].

use asl::{Failure, TaskOutcome, TaskRequest};
use serde_json::Value;
use std::collections::HashMap;

/// One mocked response: invocation numbers `lo..=hi` answer with `entry` (`Return` or `Throw`).
#[derive(Debug, Clone)]
struct Slot {
    lo: u64,
    hi: u64,
    entry: Value,
}

/// The chosen test case's mocks, with each mocked state's invocation counter.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// state name → (response name, slots)
    states: HashMap<String, (String, Vec<Slot>)>,
    counters: HashMap<String, u64>,
}

/// What the mocks say about one task of a mocked state.
#[derive(Debug, Clone)]
pub enum MockAnswer {
    /// The mocked response: `Return` succeeds with its value, `Throw` fails with its `Error`/`Cause`.
    Outcome(TaskOutcome),
    /// The state is mocked but its response has no entry for this invocation: the run cannot go on
    /// (error `sfn.NoMock`, the cause says which invocation of which state).
    Exhausted(Failure),
}

fn parse_key(k: &str) -> Option<(u64, u64)> {
    match k.split_once('-') {
        Some((a, b)) => {
            let (lo, hi) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (lo <= hi).then_some((lo, hi))
        }
        None => {
            let n = k.trim().parse().ok()?;
            Some((n, n))
        }
    }
}

/// A failure from `{"Error": e, "Cause": c}` (non-string values as their JSON text).
pub fn failure_of(t: &Value) -> Failure {
    let text = |k: &str| match t.get(k) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    };
    Failure {
        error: text("Error").unwrap_or_default(),
        cause: text("Cause"),
    }
}

/// Every test case the file defines, over all its state machines, in file order without repeats
/// (for a picker). Empty when the text is not a mock configuration.
pub fn test_cases(text: &str) -> Vec<String> {
    let Ok(root) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    let mut names: Vec<String> = Vec::new();
    let machines = root.get("StateMachines").and_then(Value::as_object);
    for m in machines.into_iter().flat_map(|m| m.values()) {
        for name in m
            .get("TestCases")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|t| t.keys())
        {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

/// The state machines the file names, in file order (empty when it is not a mock configuration).
pub fn state_machines(text: &str) -> Vec<String> {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|root| {
            root.get("StateMachines")
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
        })
        .unwrap_or_default()
}

impl MockConfig {
    /// Picks `test_case` from the file's text. `machine` (the state machine's name) decides when
    /// several state machines define a test case of that name.
    pub fn parse(text: &str, test_case: &str, machine: Option<&str>) -> Result<MockConfig, String> {
        let root: Value = serde_json::from_str(text)
            .map_err(|e| format!("invalid mock configuration JSON: {e}"))?;
        let machines = root
            .get("StateMachines")
            .and_then(Value::as_object)
            .ok_or("the mock configuration has no \"StateMachines\" object")?;
        let with_case: Vec<(&String, &Value)> = machines
            .iter()
            .filter_map(|(name, m)| {
                m.get("TestCases")
                    .and_then(|t| t.get(test_case))
                    .map(|c| (name, c))
            })
            .collect();
        let chosen = match with_case.as_slice() {
            [] => {
                return Err(format!(
                    "test case '{test_case}' is not in the mock configuration"
                ));
            }
            [one] => one.1,
            many => match machine.and_then(|m| many.iter().find(|(n, _)| n.as_str() == m)) {
                Some((_, c)) => c,
                None => {
                    let names: Vec<&str> = many.iter().map(|(n, _)| n.as_str()).collect();
                    let which = match machine {
                        Some(m) => format!("none of them is named '{m}'"),
                        None => "name the state machine to use".into(),
                    };
                    return Err(format!(
                        "test case '{test_case}' is defined for several state machines ({}); {which}",
                        names.join(", ")
                    ));
                }
            },
        };
        let case = chosen.as_object().ok_or_else(|| {
            format!("test case '{test_case}' must be an object of state → response")
        })?;
        let responses = root
            .get("MockedResponses")
            .and_then(Value::as_object)
            .ok_or("the mock configuration has no \"MockedResponses\" object")?;
        let mut states = HashMap::new();
        for (state, response) in case {
            let rname = response.as_str().ok_or_else(|| {
                format!("test case '{test_case}': state '{state}' must name a mocked response")
            })?;
            let r = responses
                .get(rname)
                .and_then(Value::as_object)
                .ok_or_else(|| {
                    format!("mocked response '{rname}' (for state '{state}') is not defined")
                })?;
            let mut slots = Vec::new();
            for (k, entry) in r {
                let (lo, hi) = parse_key(k).ok_or_else(|| {
                    format!("mocked response '{rname}': key '{k}' is not an invocation number or range like \"1-2\"")
                })?;
                if entry.get("Return").is_none() && entry.get("Throw").is_none() {
                    return Err(format!(
                        "mocked response '{rname}' [{k}]: needs \"Return\" or \"Throw\""
                    ));
                }
                slots.push(Slot {
                    lo,
                    hi,
                    entry: entry.clone(),
                });
            }
            states.insert(state.clone(), (rname.to_string(), slots));
        }
        Ok(MockConfig {
            states,
            counters: HashMap::new(),
        })
    }

    /// Whether this test case mocks the state.
    pub fn mocks(&self, state: &str) -> bool {
        self.states.contains_key(state)
    }

    /// Starts counting invocations from 0 again (a new execution).
    pub fn reset(&mut self) {
        self.counters.clear();
    }

    /// The answer for a task whose state this test case mocks; `None` when it does not.
    pub fn answer(&mut self, req: &TaskRequest) -> Option<MockAnswer> {
        let (rname, slots) = self.states.get(&req.state_name)?;
        let counter = self.counters.entry(req.state_name.clone()).or_insert(0);
        let n = *counter;
        *counter = counter.saturating_add(1);
        let Some(slot) = slots.iter().find(|s| s.lo <= n && n <= s.hi) else {
            return Some(MockAnswer::Exhausted(Failure::new(
                "sfn.NoMock",
                format!(
                    "mocked response '{rname}' has no entry for invocation {n} of state '{}'",
                    req.state_name
                ),
            )));
        };
        Some(MockAnswer::Outcome(match slot.entry.get("Return") {
            Some(v) => TaskOutcome::Success(v.clone()),
            None => {
                TaskOutcome::Failure(slot.entry.get("Throw").map(failure_of).unwrap_or(Failure {
                    error: String::new(),
                    cause: None,
                }))
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use asl::{Pattern, TaskId};
    use serde_json::json;

    const FILE: &str = r#"{
      "StateMachines": {"LambdaSQSIntegration": {"TestCases": {
        "HappyPath": {"LambdaState": "MockedLambdaSuccess"},
        "RetryPath": {"LambdaState": "MockedLambdaRetry"}}}},
      "MockedResponses": {
        "MockedLambdaSuccess": {"0": {"Return": {"StatusCode": 200, "Payload": {"body": "hi"}}}},
        "MockedLambdaRetry": {
          "0": {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready."}},
          "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}},
          "3": {"Return": {"StatusCode": 200, "Payload": {"body": "hi"}}}}}}"#;

    fn req(state: &str) -> TaskRequest {
        TaskRequest {
            id: TaskId(1),
            state_name: state.into(),
            resource: "arn:aws:states:::lambda:invoke".into(),
            parameters: json!({}),
            pattern: Pattern::RequestResponse,
            task_token: None,
            timeout_seconds: None,
            heartbeat_seconds: None,
        }
    }

    fn error_of(a: Option<MockAnswer>) -> String {
        match a {
            Some(MockAnswer::Outcome(TaskOutcome::Failure(f))) => f.error,
            Some(MockAnswer::Outcome(TaskOutcome::Success(_))) => "success".into(),
            Some(MockAnswer::Exhausted(f)) => format!("exhausted {}", f.error),
            None => "none".into(),
        }
    }

    #[test]
    fn invocations_count_through_ranges() {
        let mut m = MockConfig::parse(FILE, "RetryPath", None).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<String> = (0..5)
            .map(|_| error_of(m.answer(&req("LambdaState"))))
            .collect();
        assert_eq!(
            got,
            [
                "Lambda.ResourceNotReadyException",
                "Lambda.TimeoutException",
                "Lambda.TimeoutException",
                "success",
                "exhausted sfn.NoMock"
            ]
        );
        assert_eq!(error_of(m.answer(&req("Other"))), "none");
        m.reset();
        assert_eq!(
            error_of(m.answer(&req("LambdaState"))),
            "Lambda.ResourceNotReadyException"
        );
    }

    #[test]
    fn unknown_test_cases_and_bad_keys_are_errors() {
        assert!(MockConfig::parse(FILE, "Nope", None).is_err());
        let bad = r#"{"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}}, "MockedResponses": {"R": {"x": {"Return": 1}}}}"#;
        assert!(MockConfig::parse(bad, "T", None).is_err());
    }

    #[test]
    fn a_test_case_of_several_machines_is_picked_by_machine_name() {
        let two = r#"{"StateMachines": {
            "A": {"TestCases": {"T": {"S": "RA"}}},
            "B": {"TestCases": {"T": {"S": "RB"}, "U": {}}}},
          "MockedResponses": {"RA": {"0": {"Return": "a"}}, "RB": {"0": {"Return": "b"}}}}"#;
        assert!(MockConfig::parse(two, "T", None).is_err());
        let mut b = MockConfig::parse(two, "T", Some("B")).unwrap_or_else(|e| panic!("{e}"));
        let got = match b.answer(&req("S")) {
            Some(MockAnswer::Outcome(TaskOutcome::Success(v))) => v,
            _ => Value::Null,
        };
        assert_eq!(got, json!("b"));
        assert_eq!(test_cases(two), ["T", "U"]);
        assert_eq!(state_machines(two), ["A", "B"]);
        assert!(test_cases("not json").is_empty());
    }
}
