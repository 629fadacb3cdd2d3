//! The native benchmark runner: `cargo run --release -p bench -- [--runs N] [--warmup N] [--json FILE] [IDS…]`, `… -- jsonata`, `… -- report DIR`.

use std::time::Instant;

use bench::stats::{max, median, min, ms};
use bench::workload::{self, Workload};
use bench::{alloc, minimal::Minimal, suite};
use serde_json::{Value, json};

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

const USAGE: &str = "usage:
  bench [--runs N] [--warmup N] [--json FILE] [--no-minimal] [--output] [--list] [IDS…]
        runs the shared workloads natively (all, or the ids given; a substring picks several:
        W2 = W2-mc0, W2-mc1, W2-mc10000) and prints per workload the median of N timed runs
        (default 5) after the warm-up runs (default 1), the minimal model beside it, memory,
        and whether the result is the expected one (--output prints it;
        --list only prints the ids selected)
  bench jsonata [--runs N] [--json FILE]
        times the JSONata suite (compile + evaluate per case), N passes (default 5)
  bench report DIR
        prints the side-by-side tables of the JSON files the runners wrote into DIR";

struct Options {
    runs: usize,
    warmup: usize,
    json: Option<String>,
    minimal: bool,
    output: bool,
    list: bool,
    rest: Vec<String>,
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        runs: 5,
        warmup: 1,
        json: None,
        minimal: true,
        output: false,
        list: false,
        rest: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut num = |name: &str| -> Result<usize, String> {
            it.next()
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match a.as_str() {
            "--runs" => o.runs = num("--runs")?.max(1),
            "--warmup" => o.warmup = num("--warmup")?,
            "--json" => o.json = Some(it.next().ok_or("--json needs a file")?.clone()),
            "--no-minimal" => o.minimal = false,
            "--output" => o.output = true,
            "--list" => o.list = true,
            "-h" | "--help" => return Err(USAGE.into()),
            s if s.starts_with("--") => return Err(format!("unknown option {s}\n{USAGE}")),
            s => o.rest.push(s.to_string()),
        }
    }
    Ok(o)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("report") => match args.get(1) {
            Some(dir) => bench::report::print(std::path::Path::new(dir)),
            None => Err(USAGE.into()),
        },
        Some("jsonata") => options(&args[1..]).and_then(|o| jsonata(&o)),
        _ => options(&args).and_then(|o| workloads(&o)),
    };
    match result {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(e) => {
            eprintln!("bench: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

fn write_json(path: &Option<String>, v: &Value) -> Result<(), String> {
    if let Some(p) = path {
        std::fs::write(p, format!("{v:#}\n")).map_err(|e| format!("{p}: {e}"))?;
    }
    Ok(())
}

/// CPU time this process has used so far (user + system, all threads), in ms; `None` where the OS
/// does not say. On a machine shared with other work it moves far less than wall time.
fn cpu_ms() -> Option<f64> {
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    {
        #[repr(C)]
        struct Timespec {
            sec: i64,
            nsec: i64,
        }
        unsafe extern "C" {
            fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
        }
        const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
        let mut ts = Timespec { sec: 0, nsec: 0 };
        // SAFETY: `ts` is a valid, writable timespec of the platform's layout (64-bit Linux).
        let rc = unsafe { clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
        (rc == 0).then(|| ts.sec as f64 * 1000.0 + ts.nsec as f64 / 1e6)
    }
    #[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
    {
        None
    }
}

/// Resident set size of this process (Linux), 0 elsewhere.
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// Runs every selected workload; `Ok(false)` when a result is wrong.
fn workloads(o: &Options) -> Result<bool, String> {
    let dir = workload::default_dir().ok_or(
        "cannot find ../shared/bench/workloads (set BENCH_WORKLOADS to the workloads folder)",
    )?;
    let list = Workload::load_dir(&dir, &o.rest)?;
    if list.is_empty() {
        return Err(format!("no workload matches {:?}", o.rest));
    }
    if o.list {
        for w in &list {
            println!("{}", w.spec.id);
        }
        return Ok(true);
    }
    println!(
        "native ({}), {} timed runs after {} warm-up, full history kept; times in ms",
        if cfg!(debug_assertions) {
            "DEBUG build: use --release"
        } else {
            "release"
        },
        o.runs,
        o.warmup
    );
    let mut rows = Vec::new();
    let mut all_ok = true;
    for w in &list {
        let n = o.warmup + o.runs;
        let mut times = Vec::with_capacity(n);
        let mut cpu = Vec::with_capacity(n);
        let mut peaks = Vec::with_capacity(n);
        let mut live_after = Vec::with_capacity(n);
        let mut rss = Vec::with_capacity(n);
        let base = alloc::live();
        let mut check = Ok(());
        let (mut events, mut transitions) = (0, 0);
        for i in 0..n {
            // A fresh copy of the input, made before the clock starts (as the peer's runner does).
            let input = w.input.clone();
            alloc::reset_peak();
            let c = cpu_ms();
            let t = Instant::now();
            let exec = w.run_on(input);
            let elapsed = t.elapsed().as_secs_f64() * 1000.0;
            let used = cpu_ms().zip(c).map(|(b, a)| b - a);
            peaks.push(alloc::peak().saturating_sub(base) as f64);
            if i >= o.warmup {
                times.push(elapsed);
                cpu.extend(used);
            }
            if i == 0 {
                check = workload::check_execution(&w.spec.id, &exec);
                events = exec.history().len();
                transitions = workload::transitions(&exec);
                if o.output {
                    let out = exec.output().cloned().unwrap_or(Value::Null);
                    println!("{} {} {out}", w.spec.id, exec.status().as_str());
                }
            }
            drop(exec);
            live_after.push(alloc::live().saturating_sub(base) as f64);
            rss.push(rss_bytes() as f64);
        }
        // The minimal model replays the transitions of one more (untimed) run of ours.
        let minimal = o.minimal.then(|| Minimal::from_history(w.run().history()));
        let minimal_times: Vec<f64> = match &minimal {
            Some(m) => (0..o.warmup + o.runs)
                .filter_map(|i| {
                    let t = Instant::now();
                    std::hint::black_box(m.run());
                    (i >= o.warmup).then(|| t.elapsed().as_secs_f64() * 1000.0)
                })
                .collect(),
            None => Vec::new(),
        };
        drop(minimal);
        let med = median(&times);
        let min_med = median(&minimal_times);
        let ok = check.is_ok();
        all_ok &= ok;
        let units = w.spec.units_per_run as f64 / (med / 1000.0);
        println!(
            "{:<11} median {:>8}  (min {}, max {})  {:>10.0} {}/s  {} transitions, {} events  {}",
            w.spec.id,
            ms(med),
            ms(min(&times)),
            ms(max(&times)),
            units,
            w.spec.unit,
            transitions,
            events,
            match &check {
                Ok(()) => "result ok".to_string(),
                Err(e) => format!("WRONG RESULT: {e}"),
            }
        );
        if !minimal_times.is_empty() {
            println!(
                "{:<11} minimal model {} ms (clone + lookup per transition): native runs at {:.2}x its speed",
                "",
                ms(min_med),
                min_med / med
            );
        }
        if alloc::installed() {
            println!(
                "{:<11} memory: peak {} in the first run, {} in the last; live after the first {}, after the last {}",
                "",
                alloc::human(peaks.first().copied().unwrap_or(0.0)),
                alloc::human(peaks.last().copied().unwrap_or(0.0)),
                alloc::human(live_after.first().copied().unwrap_or(0.0)),
                alloc::human(live_after.last().copied().unwrap_or(0.0)),
            );
        }
        rows.push(json!({
            "id": w.spec.id, "unit": w.spec.unit, "unitsPerRun": w.spec.units_per_run,
            "transitions": transitions, "events": events,
            "timesMs": times, "medianMs": med, "minMs": min(&times), "maxMs": max(&times),
            "cpuMs": cpu, "cpuMedianMs": if cpu.is_empty() { Value::Null } else { json!(median(&cpu)) },
            "check": match &check { Ok(()) => "ok".to_string(), Err(e) => e.clone() },
            "minimal": if minimal_times.is_empty() { Value::Null } else { json!({"timesMs": minimal_times, "medianMs": min_med}) },
            "memory": {"peakBytes": peaks, "liveAfterBytes": live_after, "rssBytes": rss},
        }));
    }
    write_json(
        &o.json,
        &json!({"runner": "native", "runs": o.runs, "warmup": o.warmup, "workloads": rows}),
    )?;
    Ok(all_ok)
}

/// Times the JSONata suite: `runs` passes over every case, compile + evaluate only.
fn jsonata(o: &Options) -> Result<bool, String> {
    let dir = suite::default_dir()
        .ok_or("cannot find ../shared/jsonata-suite (set JSONATA_SUITE to its folder)")?;
    let (cases, skipped) = suite::load(&dir)?;
    let mut totals = Vec::new();
    let mut totals_no_tb = Vec::new();
    let mut failed = vec![false; cases.len()];
    for r in 0..o.runs {
        let (mut total, mut no_tb) = (0.0, 0.0);
        for (i, c) in cases.iter().enumerate() {
            let t = Instant::now();
            let outcome = c.run();
            let elapsed = t.elapsed().as_secs_f64() * 1000.0;
            total += elapsed;
            if c.timebox.is_none() {
                no_tb += elapsed;
            }
            if !c.passes(&outcome)
                && let Some(f) = failed.get_mut(i)
            {
                *f = true;
            }
        }
        println!(
            "pass {}: {} ms total, {} ms without the time-boxed cases",
            r + 1,
            ms(total),
            ms(no_tb)
        );
        totals.push(total);
        totals_no_tb.push(no_tb);
    }
    let passed = failed.iter().filter(|f| !**f).count();
    println!(
        "JSONata (ours, native): {} cases ({} files skipped: {}), {passed} pass; median pass {} ms, {} ms without the {} time-boxed cases",
        cases.len(),
        skipped.len(),
        skipped.join(", "),
        ms(median(&totals)),
        ms(median(&totals_no_tb)),
        cases.iter().filter(|c| c.timebox.is_some()).count()
    );
    write_json(
        &o.json,
        &json!({
            "runner": "native", "cases": cases.len(), "passed": passed, "skipped": skipped,
            "runs": o.runs, "totalsMs": totals, "totalsNoTimeboxMs": totals_no_tb,
            "medianTotalMs": median(&totals), "medianNoTimeboxMs": median(&totals_no_tb),
        }),
    )?;
    Ok(true)
}
