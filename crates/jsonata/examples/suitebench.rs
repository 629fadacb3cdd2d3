//! Times the official suite (parse + evaluate per case) in an optimised build: `cargo run --release --example suitebench`.

#[path = "../tests/common/mod.rs"]
#[allow(dead_code)]
mod suite;

use std::collections::HashMap;
use std::time::Instant;

fn main() {
    let root = suite::suite_root();
    let cases = suite::load_cases(root);
    let mut datasets = HashMap::new();
    let runs = 5;
    let mut failed: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut per_case: Vec<(String, Vec<f64>)> =
        cases.iter().map(|c| (c.id.clone(), Vec::new())).collect();
    for _ in 0..runs {
        for (i, case) in cases.iter().enumerate() {
            let t = Instant::now();
            let ok = matches!(
                suite::run_case(case, &mut datasets, root),
                suite::Outcome::Pass
            );
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if !ok {
                failed.insert(case.id.clone());
            }
            if let Some(p) = per_case.get_mut(i) {
                p.1.push(ms);
            }
        }
    }
    let mut total = 0.0;
    let mut untimeboxed = 0.0;
    let mut rows: Vec<(f64, String)> = Vec::new();
    for (id, times) in &mut per_case {
        times.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        let med = times.get(times.len() / 2).copied().unwrap_or(0.0);
        total += med;
        if !cases.iter().any(|c| c.id == *id && c.timeboxed()) {
            untimeboxed += med;
        }
        rows.push((med, id.clone()));
    }
    rows.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    for (ms, id) in rows.iter().take(15) {
        println!("{:>9.3} ms  {}", ms, id);
    }
    println!(
        "sum of per-case medians: {:.1} ms over {} cases ({:.1} ms without the time-boxed ones; {} failing)",
        total,
        cases.len(),
        untimeboxed,
        failed.len()
    );
}
