//! Runs the benchmark workloads (`../shared/bench/workloads`) natively and prints the median time of N runs.
//!
//! `cargo run --release -p asl --example workload -- [W1 W2-mc0 ...]`; env `RUNS` (default 5),
//! `BENCH_DIR` (default `/work/shared/bench/workloads`). Quotas off, full history kept.

use asl::definition::StateMachine;
use asl::{Execution, ExecutionConfig, Status, TaskOutcome};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let dir = std::env::var("BENCH_DIR").unwrap_or_else(|_| "/work/shared/bench/workloads".into());
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let manifest: Value = read_json(&format!("{dir}/manifest.json"));
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    for w in manifest.as_array().into_iter().flatten() {
        let id = w["id"].as_str().unwrap_or("");
        if !wanted.is_empty() && !wanted.iter().any(|x| id.starts_with(x.as_str())) {
            continue;
        }
        let src = std::fs::read_to_string(format!("{dir}/{}", w["asl"].as_str().unwrap_or("")))
            .unwrap_or_default();
        let input = read_json(&format!("{dir}/{}", w["input"].as_str().unwrap_or("")));
        let machine = match StateMachine::parse(&src) {
            Ok(m) => Arc::new(m),
            Err(d) => {
                eprintln!("{id}: definition rejected: {d:?}");
                continue;
            }
        };
        let mut times = Vec::new();
        let mut events = 0;
        for _ in 0..runs + 1 {
            let t0 = Instant::now();
            let e = run(&machine, input.clone());
            let dt = t0.elapsed().as_secs_f64() * 1000.0;
            events = e.history().len();
            if e.status() != Status::Succeeded {
                eprintln!("{id}: {:?} {:?}", e.status(), e.failure());
            }
            drop(e);
            times.push(dt);
        }
        times.remove(0); // warm-up
        times.sort_by(f64::total_cmp);
        let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
        println!(
            "{id:12} median {median:9.2} ms  min {:9.2} ms  events {events}  peak RSS {} MB",
            times.first().copied().unwrap_or(0.0),
            peak_rss_mb()
        );
    }
}

fn run(machine: &Arc<StateMachine>, input: Value) -> Execution {
    let config = ExecutionConfig {
        quotas: false,
        ..ExecutionConfig::default()
    };
    let mut e = Execution::start(Arc::clone(machine), input, config);
    while e.status() == Status::Running {
        if let Some(req) = e.poll_task() {
            let p = &req.parameters;
            let x = p.get("x");
            let doubled = match x.and_then(Value::as_i64) {
                Some(i) => json!(i * 2),
                None => json!(x.and_then(Value::as_f64).unwrap_or(0.0) * 2.0),
            };
            let out =
                json!({"doubled": doubled, "id": p.get("id").cloned().unwrap_or(Value::Null)});
            e.complete_task(req.id, TaskOutcome::Success(out));
            continue;
        }
        match e.next_timer() {
            Some(t) => e.advance_to(t),
            None => break,
        }
    }
    e
}

fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn peak_rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb / 1024)
        .unwrap_or(0)
}
