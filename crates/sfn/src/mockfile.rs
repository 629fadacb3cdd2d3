//! AWS Step Functions Local's mock configuration file (`MockConfigFile.json`): a test case's mocked states and their responses.
//!
//! ```json
//! {"StateMachines": {"<machine>": {"TestCases": {"<case>": {"<state>": "<response name>"}}}},
//!  "MockedResponses": {"<response name>": {"0": {"Return": …}, "1-2": {"Throw": {"Error": …, "Cause": …}}}}}
//! ```
//! Each mocked state counts its invocations within one execution (from 0, retries included); the
//! key whose number or inclusive range holds the count answers.

use crate::case::failure_of;
use crate::driver::Answer;
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

/// The chosen test case's mocks.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// state name → (response name, slots)
    states: HashMap<String, (String, Vec<Slot>)>,
    counters: HashMap<String, u64>,
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
                    return Err(format!(
                        "test case '{test_case}' is defined for several state machines ({}); choose one with --state-machine",
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

    /// The answer for a task whose state this test case mocks; `None` when it does not.
    pub fn answer(&mut self, req: &TaskRequest) -> Option<Answer> {
        let (rname, slots) = self.states.get(&req.state_name)?;
        let counter = self.counters.entry(req.state_name.clone()).or_insert(0);
        let n = *counter;
        *counter += 1;
        let Some(slot) = slots.iter().find(|s| s.lo <= n && n <= s.hi) else {
            return Some(Answer::Stop(Failure::new(
                "sfn.NoMock",
                format!(
                    "mocked response '{rname}' has no entry for invocation {n} of state '{}'",
                    req.state_name
                ),
            )));
        };
        Some(if let Some(v) = slot.entry.get("Return") {
            Answer::Now(TaskOutcome::Success(v.clone()))
        } else {
            Answer::Now(TaskOutcome::Failure(
                slot.entry.get("Throw").map(failure_of).unwrap_or(Failure {
                    error: String::new(),
                    cause: None,
                }),
            ))
        })
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

    fn error_of(a: Option<Answer>) -> String {
        match a {
            Some(Answer::Now(TaskOutcome::Failure(f))) => f.error,
            Some(Answer::Now(TaskOutcome::Success(_))) => "success".into(),
            Some(Answer::Stop(f)) => format!("stop {}", f.error),
            Some(Answer::Never) => "never".into(),
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
                "stop sfn.NoMock"
            ]
        );
        assert_eq!(error_of(m.answer(&req("Other"))), "none");
    }

    #[test]
    fn unknown_test_cases_and_bad_keys_are_errors() {
        assert!(MockConfig::parse(FILE, "Nope", None).is_err());
        let bad = r#"{"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}}, "MockedResponses": {"R": {"x": {"Return": 1}}}}"#;
        assert!(MockConfig::parse(bad, "T", None).is_err());
    }
}
