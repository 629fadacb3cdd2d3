//! A step budget changes when the work happens, never what happens: the history is the same.

use asl::definition::StateMachine;
use asl::{Execution, ExecutionConfig, Status, TaskOutcome};
use serde_json::{Value, json};
use std::sync::Arc;

fn machine() -> Arc<StateMachine> {
    let def = json!({
        "StartAt": "Fan",
        "States": {
            "Fan": {"Type": "Parallel", "Next": "Each", "ResultPath": "$.fan", "Branches": [
                {"StartAt": "A1", "States": {"A1": {"Type": "Pass", "Next": "A2"}, "A2": {"Type": "Pass", "End": true}}},
                {"StartAt": "B1", "States": {"B1": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:F", "End": true}}}
            ]},
            "Each": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"StartAt": "P", "States": {
                "P": {"Type": "Pass", "Next": "W"},
                "W": {"Type": "Wait", "Seconds": 5, "End": true}}}, "End": true}
        }
    });
    match StateMachine::from_value(def) {
        Ok(m) => Arc::new(m),
        Err(d) => panic!("valid definition rejected: {d:?}"),
    }
}

/// Drives to the end: drains budgeted work, answers tasks with their input, then jumps time.
fn drive(mut e: Execution) -> Execution {
    for _ in 0..100_000 {
        while e.is_busy() {
            e.resume();
        }
        if e.status() != Status::Running {
            break;
        }
        if let Some(t) = e.poll_task() {
            e.complete_task(t.id, TaskOutcome::Success(t.parameters.clone()));
            continue;
        }
        match e.next_timer() {
            Some(at) => e.advance_to(at),
            None => break,
        }
    }
    e
}

fn input() -> Value {
    json!({"items": (0..25).collect::<Vec<_>>()})
}

#[test]
fn a_budgeted_run_records_the_same_history() {
    let whole = drive(Execution::start(
        machine(),
        input(),
        ExecutionConfig::default(),
    ));
    assert_eq!(whole.status(), Status::Succeeded);
    for budget in [1, 2, 7, 1000] {
        let stepped = drive(Execution::start_stepwise(
            machine(),
            input(),
            ExecutionConfig::default(),
            budget,
        ));
        assert_eq!(stepped.status(), Status::Succeeded, "budget {budget}");
        assert_eq!(stepped.history(), whole.history(), "budget {budget}");
        assert_eq!(stepped.output(), whole.output());
    }
}

#[test]
fn a_small_budget_returns_before_the_work_is_done() {
    let mut e = Execution::start_stepwise(machine(), input(), ExecutionConfig::default(), 3);
    assert!(
        e.is_busy(),
        "three steps cannot finish a Parallel and a 25-item Map"
    );
    let before = e.steps_taken();
    e.resume();
    assert!(e.steps_taken() > before);
}
