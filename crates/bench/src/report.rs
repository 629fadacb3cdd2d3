//! The side-by-side report of one benchmark run: Markdown tables printed from the JSON files the runners wrote (`native.json`, `wasm.json`, `peer.json`, `*-jsonata.json`, `page.json`).

use std::path::Path;

use serde_json::Value;

use crate::alloc::human;
use crate::stats::ms;

/// The goals of issue 7, as the report checks them.
pub const WASM_VS_PEER: f64 = 20.0;
pub const NATIVE_VS_MINIMAL: f64 = 0.5;
pub const JSONATA_VS_JS: f64 = 3.0;
pub const DEFAULT_RUN_MS: f64 = 20.0;
pub const LAYOUT_W1_MS: f64 = 50.0;
pub const LONGEST_FRAME_MS: f64 = 100.0;

/// All the runners' results of one run.
#[derive(Default)]
pub struct Results {
    pub native: Option<Value>,
    pub wasm: Option<Value>,
    pub peer: Option<Value>,
    pub native_jsonata: Option<Value>,
    pub wasm_jsonata: Option<Value>,
    pub js_jsonata: Option<Value>,
    pub page: Option<Value>,
}

impl Results {
    /// Reads whichever result files exist in `dir`. A runner's workloads may be split over
    /// several files (`native.json`, `native-W1.json`, ... when the sides alternate per workload).
    pub fn read(dir: &Path) -> Results {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
        };
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        let merged = |side: &str| {
            let parts: Vec<Value> = names
                .iter()
                .filter(|n| {
                    n.strip_prefix(side).is_some_and(|rest| {
                        rest == ".json"
                            || (rest.starts_with('-')
                                && rest.ends_with(".json")
                                && !rest.starts_with("-jsonata"))
                    })
                })
                .filter_map(|n| read(n))
                .collect();
            merge(parts)
        };
        Results {
            native: merged("native"),
            wasm: merged("wasm"),
            peer: merged("peer"),
            native_jsonata: read("native-jsonata.json"),
            wasm_jsonata: read("wasm-jsonata.json"),
            js_jsonata: read("js-jsonata.json"),
            page: read("page.json"),
        }
    }
}

/// One runner's result files as one: the first file's fields, every file's workloads in order.
fn merge(parts: Vec<Value>) -> Option<Value> {
    let mut it = parts.into_iter();
    let mut first = it.next()?;
    let rest: Vec<Value> = it
        .filter_map(|p| p.get("workloads").and_then(Value::as_array).cloned())
        .flatten()
        .collect();
    if let Some(Value::Array(w)) = first.get_mut("workloads") {
        w.extend(rest);
    }
    Some(first)
}

/// The row of workload `id` in a runner's results.
fn row<'a>(results: &'a Option<Value>, id: &str) -> Option<&'a Value> {
    results
        .as_ref()?
        .get("workloads")?
        .as_array()?
        .iter()
        .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
}

fn num(v: Option<&Value>, key: &str) -> Option<f64> {
    v?.get(key)?.as_f64()
}

/// First and last entry of a per-run series (`memory.<key>`).
fn first_last(v: Option<&Value>, key: &str) -> Option<(f64, f64)> {
    let xs = v?.get("memory")?.get(key)?.as_array()?;
    Some((xs.first()?.as_f64()?, xs.last()?.as_f64()?))
}

/// The second and last entry of a per-run series (the first when there are only two): what
/// growth is judged on, so that a one-time cache filled by the second run does not count.
fn settled_last(v: Option<&Value>, key: &str) -> Option<(f64, f64)> {
    let xs = v?.get("memory")?.get(key)?.as_array()?;
    let settled = if xs.len() >= 3 { xs.get(1) } else { xs.first() }?.as_f64()?;
    Some((settled, xs.last()?.as_f64()?))
}

fn cell_ms(x: Option<f64>) -> String {
    x.map_or("–".into(), ms)
}

fn ratio(num: Option<f64>, den: Option<f64>) -> Option<f64> {
    match (num, den) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

fn cell_ratio(r: Option<f64>) -> String {
    r.map_or("–".into(), |r| format!("{r:.1}×"))
}

fn cell_mem(v: Option<(f64, f64)>) -> String {
    v.map_or("–".into(), |(a, b)| {
        format!("{} → {}", human(a), human(b))
    })
}

fn check(v: Option<&Value>) -> &str {
    match v.and_then(|r| r.get("check")).and_then(Value::as_str) {
        Some("ok") => "ok",
        Some(_) => "WRONG",
        None => "–",
    }
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}

/// The report as text (Markdown tables and a goals summary).
pub fn render(r: &Results) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    let ids: Vec<String> = [&r.native, &r.wasm, &r.peer]
        .iter()
        .filter_map(|x| x.as_ref()?.get("workloads")?.as_array())
        .flatten()
        .filter_map(|w| w.get("id").and_then(Value::as_str).map(str::to_string))
        .fold(Vec::new(), |mut acc, id| {
            if !acc.contains(&id) {
                acc.push(id);
            }
            acc
        });
    let runs = |x: &Option<Value>| {
        x.as_ref()
            .map(|v| {
                format!(
                    "{} runs after {} warm-up",
                    v.get("runs").and_then(Value::as_u64).unwrap_or(0),
                    v.get("warmup").and_then(Value::as_u64).unwrap_or(0)
                )
            })
            .unwrap_or_else(|| "not run".into())
    };
    let mut goals: Vec<String> = Vec::new();

    if !ids.is_empty() {
        line("### Workloads: our engine and the peer, side by side".into());
        line(String::new());
        line(format!(
            "Median ms per run (native {}; wasm {}; peer {}); ours keep the full history. \
             A ratio is the peer's time over ours: above 1 we are faster. `check`: the result equals \
             `crates/bench/expected.json` (native / wasm / peer).",
            runs(&r.native),
            runs(&r.wasm),
            runs(&r.peer)
        ));
        line(String::new());
        line(
            "| workload | unit per run | native | wasm | peer | peer/native | peer/wasm | check |"
                .into(),
        );
        line("|---|---|---:|---:|---:|---:|---:|---|".into());
        let mut worst_wasm: Option<(f64, String)> = None;
        for id in &ids {
            let (n, w, p) = (row(&r.native, id), row(&r.wasm, id), row(&r.peer, id));
            let unit = [n, w, p]
                .iter()
                .flatten()
                .find_map(|x| {
                    Some(format!(
                        "{} {}",
                        x.get("unitsPerRun")?.as_u64()?,
                        x.get("unit")?.as_str()?
                    ))
                })
                .unwrap_or_default();
            let (nm, wm, pm) = (num(n, "medianMs"), num(w, "medianMs"), num(p, "medianMs"));
            let pw = ratio(pm, wm);
            if let Some(x) = pw
                && worst_wasm.as_ref().is_none_or(|(y, _)| x < *y)
            {
                worst_wasm = Some((x, id.clone()));
            }
            line(format!(
                "| {id} | {unit} | {} | {} | {} | {} | {} | {} / {} / {} |",
                cell_ms(nm),
                cell_ms(wm),
                cell_ms(pm),
                cell_ratio(ratio(pm, nm)),
                cell_ratio(pw),
                check(n),
                check(w),
                check(p)
            ));
        }
        line(String::new());
        // The same runs by CPU time: on a machine shared with other work it moves far less than
        // wall time (a process waiting for a core is not charged).
        let mut worst_wasm_cpu: Option<(f64, String)> = None;
        let has_cpu = ids
            .iter()
            .any(|id| num(row(&r.native, id), "cpuMedianMs").is_some());
        if has_cpu {
            line("By CPU time (the process's user + system time during each run, median; Node's includes its GC and compiler threads, so it can exceed the wall time):".into());
            line(String::new());
            line(
                "| workload | native CPU | wasm CPU | peer CPU | peer/native | peer/wasm |".into(),
            );
            line("|---|---:|---:|---:|---:|---:|".into());
            for id in &ids {
                let (n, w, p) = (row(&r.native, id), row(&r.wasm, id), row(&r.peer, id));
                let (nc, wc, pc) = (
                    num(n, "cpuMedianMs"),
                    num(w, "cpuMedianMs"),
                    num(p, "cpuMedianMs"),
                );
                let pw = ratio(pc, wc);
                if let Some(x) = pw
                    && worst_wasm_cpu.as_ref().is_none_or(|(y, _)| x < *y)
                {
                    worst_wasm_cpu = Some((x, id.clone()));
                }
                line(format!(
                    "| {id} | {} | {} | {} | {} | {} |",
                    cell_ms(nc),
                    cell_ms(wc),
                    cell_ms(pc),
                    cell_ratio(ratio(pc, nc)),
                    cell_ratio(pw),
                ));
            }
            line(String::new());
        }
        if let Some((x, id)) = &worst_wasm {
            let cpu = match &worst_wasm_cpu {
                Some((y, cid)) => format!(
                    "; by CPU time {}, lowest {y:.1}× on {cid}",
                    met(*y >= WASM_VS_PEER)
                ),
                None => String::new(),
            };
            goals.push(format!(
                "wasm at least {WASM_VS_PEER}× faster than the peer on every workload: {} (lowest {x:.1}× on {id}{cpu})",
                met(*x >= WASM_VS_PEER)
            ));
        }

        line("### The minimal model".into());
        line(String::new());
        line("Per state transition one `serde_json` clone of the state's input and one path lookup, clones kept until the run ends (a history's floor); native, same build. Speed ratio = minimal time / native time (goal ≥ 0.5).".into());
        line(String::new());
        line("| workload | transitions | history events | native | minimal | native speed / minimal speed |".into());
        line("|---|---:|---:|---:|---:|---:|".into());
        let mut worst_min: Option<(f64, String)> = None;
        for id in &ids {
            let n = row(&r.native, id);
            let mm = n
                .and_then(|x| x.get("minimal"))
                .and_then(|m| m.get("medianMs"))
                .and_then(Value::as_f64);
            let speed = ratio(mm, num(n, "medianMs"));
            if let Some(x) = speed
                && worst_min.as_ref().is_none_or(|(y, _)| x < *y)
            {
                worst_min = Some((x, id.clone()));
            }
            line(format!(
                "| {id} | {} | {} | {} | {} | {} |",
                num(n, "transitions").map_or("–".into(), |x| format!("{x:.0}")),
                num(n, "events").map_or("–".into(), |x| format!("{x:.0}")),
                cell_ms(num(n, "medianMs")),
                cell_ms(mm),
                speed.map_or("–".into(), |x| format!("{x:.2}")),
            ));
        }
        if let Some((x, id)) = &worst_min {
            goals.push(format!(
                "native at least half the speed of the minimal model: {} (lowest {x:.2} on {id})",
                met(*x >= NATIVE_VS_MINIMAL)
            ));
        }
        line(String::new());

        line("### Memory over runs (first run → last run)".into());
        line(String::new());
        line("Native and wasm: bytes live at the peak of a run and after it (its execution dropped), from a counting allocator, relative to before the first run; wasm also the linear memory's size (it never shrinks). Peer: the Node process's RSS after each run.".into());
        line(String::new());
        line("| workload | native peak | native live after | wasm peak | wasm live after | wasm linear memory | peer RSS |".into());
        line("|---|---|---|---|---|---|---|".into());
        let mut growth: Vec<String> = Vec::new();
        for id in &ids {
            let (n, w, p) = (row(&r.native, id), row(&r.wasm, id), row(&r.peer, id));
            for (who, v) in [
                ("native", settled_last(n, "liveAfterBytes")),
                ("wasm", settled_last(w, "liveAfterBytes")),
                ("wasm linear", settled_last(w, "linearBytes")),
            ] {
                // Growth beyond 64 KiB from the second run to the last counts as growing.
                if let Some((a, b)) = v
                    && b > a + 65536.0
                {
                    growth.push(format!("{id} {who} {} → {}", human(a), human(b)));
                }
            }
            line(format!(
                "| {id} | {} | {} | {} | {} | {} | {} |",
                cell_mem(first_last(n, "peakBytes")),
                cell_mem(first_last(n, "liveAfterBytes")),
                cell_mem(first_last(w, "peakBytes")),
                cell_mem(first_last(w, "liveAfterBytes")),
                cell_mem(first_last(w, "linearBytes")),
                cell_mem(first_last(p, "rssBytes")),
            ));
        }
        if r.native.is_some() || r.wasm.is_some() {
            goals.push(if growth.is_empty() {
                "memory does not grow with runs (live bytes after a run, wasm linear memory; second run to last): met"
                    .into()
            } else {
                format!(
                    "memory does not grow with runs: NOT met ({})",
                    growth.join("; ")
                )
            });
        }
        line(String::new());
    }
    if r.native_jsonata.is_some() || r.wasm_jsonata.is_some() || r.js_jsonata.is_some() {
        line("### JSONata: the official suite, ours and jsonata-js".into());
        line(String::new());
        line("Per case only compile + evaluate is timed (as the reference runner does); a pass runs every case once; median of the passes. The 11 time-boxed cases (timelimit + depth) are shown apart: jsonata-js ends tail-recursion/case006 by a 1 s wall clock, ours by a step budget.".into());
        line(String::new());
        line("| runner | cases | pass | passes | median pass ms | without time-boxed | jsonata-js / this (all) | jsonata-js / this (without time-boxed) |".into());
        line("|---|---:|---:|---:|---:|---:|---:|---:|".into());
        let js = r.js_jsonata.as_ref();
        let js_all = num(js, "medianTotalMs");
        let js_no = num(js, "medianNoTimeboxMs");
        for (name, v) in [
            ("ours, native", r.native_jsonata.as_ref()),
            ("ours, wasm in Node", r.wasm_jsonata.as_ref()),
            ("jsonata-js", js),
        ] {
            let Some(v) = v else { continue };
            let name = match v.get("version").and_then(Value::as_str) {
                Some(ver) => format!("{name} {ver}"),
                None => name.to_string(),
            };
            let (all, no) = (
                num(Some(v), "medianTotalMs"),
                num(Some(v), "medianNoTimeboxMs"),
            );
            line(format!(
                "| {name} | {} | {} | {} | {} | {} | {} | {} |",
                num(Some(v), "cases").map_or("–".into(), |x| format!("{x:.0}")),
                num(Some(v), "passed").map_or("–".into(), |x| format!("{x:.0}")),
                num(Some(v), "runs").map_or("–".into(), |x| format!("{x:.0}")),
                cell_ms(all),
                cell_ms(no),
                cell_ratio(ratio(js_all, all)),
                cell_ratio(ratio(js_no, no)),
            ));
        }
        for (name, v) in [
            ("native", r.native_jsonata.as_ref()),
            ("wasm", r.wasm_jsonata.as_ref()),
        ] {
            if let Some(x) = ratio(js_no, num(v, "medianNoTimeboxMs")) {
                let all = ratio(js_all, num(v, "medianTotalMs")).unwrap_or(0.0);
                goals.push(format!(
                    "JSONata ({name}) at least {JSONATA_VS_JS}× faster than jsonata-js: {} ({x:.1}× without the time-boxed cases, {all:.1}× with them)",
                    met(x >= JSONATA_VS_JS && all >= JSONATA_VS_JS)
                ));
            }
        }
        line(String::new());
    }
    if let Some(p) = &r.page {
        line("### The page in headless Chromium".into());
        line(String::new());
        line(format!(
            "Median of {} fresh loads of the release build (`tests/perf/page-timings.mjs`).",
            p.get("runs").and_then(Value::as_u64).unwrap_or(0)
        ));
        line(String::new());
        line("| what | how | median | goal |".into());
        line("|---|---|---:|---|".into());
        let g = |k: &str| p.get(k).and_then(Value::as_f64);
        line(format!(
            "| load to interactive | navigation start to the Run button enabled | {} ms | – |",
            cell_ms(g("interactiveMs"))
        ));
        let run = g("runDefaultMs");
        line(format!(
            "| run the default example | click on Run to SUCCEEDED on screen, clicked as soon as Run is enabled (three Lambdas in Workers; the spare Workers may still be booting) | {} ms | < {DEFAULT_RUN_MS} ms: {} |",
            cell_ms(run),
            run.map_or("–", |x| met(x < DEFAULT_RUN_MS))
        ));
        line(format!(
            "| … run it again | the same, a second time (the page restarts the Lambda Workers at every run) | {} ms | – |",
            cell_ms(g("runDefaultWarmMs"))
        ));
        let later = g("runDefaultLaterMs");
        line(format!(
            "| … a fresh page, clicked 1 s after load | the first run, once the page's idle-time spare Workers are up | {} ms | < {DEFAULT_RUN_MS} ms: {} |",
            cell_ms(later),
            later.map_or("–", |x| met(x < DEFAULT_RUN_MS))
        ));
        let lay = g("layoutW1Ms");
        line(format!(
            "| lay out W1 (1,000 states) | graph model + layered layout in wasm (`data-layout-ms`) | {} ms | < {LAYOUT_W1_MS} ms: {} |",
            cell_ms(lay),
            lay.map_or("–", |x| met(x < LAYOUT_W1_MS))
        ));
        let frame = g("mapLongestFrameMs");
        line(format!(
            "| run a 10,000-item Map | click on Run to the end ({}): total; longest frame (rAF gap) | {} ms; {} ms | frame < {LONGEST_FRAME_MS} ms: {} |",
            p.get("mapStatus").and_then(Value::as_str).unwrap_or("?"),
            cell_ms(g("mapRunMs")),
            cell_ms(frame),
            frame.map_or("–", |x| met(x < LONGEST_FRAME_MS))
        ));
        line(format!(
            "| … long tasks during it | PerformanceObserver `longtask` entries: count, longest | {} , {} ms | – |",
            g("mapLongTasks").map_or("–".into(), |x| format!("{x:.0}")),
            cell_ms(g("mapLongestTaskMs"))
        ));
        if let Some(x) = run {
            let later = later.map_or(String::new(), |l| {
                format!(
                    "; clicked 1 s after load: {} ({} ms)",
                    met(l < DEFAULT_RUN_MS),
                    ms(l)
                )
            });
            goals.push(format!(
                "the default example runs in under {DEFAULT_RUN_MS} ms after load: clicked as the page becomes interactive: {} ({} ms){later}",
                met(x < DEFAULT_RUN_MS),
                ms(x)
            ));
        }
        if let Some(x) = lay {
            goals.push(format!(
                "W1's graph lays out in under {LAYOUT_W1_MS} ms: {} ({} ms)",
                met(x < LAYOUT_W1_MS),
                ms(x)
            ));
        }
        if let Some(x) = frame {
            goals.push(format!(
                "a 10,000-item Map runs with no frame longer than {LONGEST_FRAME_MS} ms: {} (longest {} ms)",
                met(x < LONGEST_FRAME_MS),
                ms(x)
            ));
        }
        line(String::new());
    }

    line("### Goals".into());
    line(String::new());
    for g in goals {
        line(format!("- {g}"));
    }
    out
}

/// Prints the report of `dir`; `Ok(false)` when a result of ours is wrong.
pub fn print(dir: &Path) -> Result<bool, String> {
    let r = Results::read(dir);
    let any = [
        &r.native,
        &r.wasm,
        &r.peer,
        &r.native_jsonata,
        &r.wasm_jsonata,
        &r.js_jsonata,
        &r.page,
    ]
    .iter()
    .any(|x| x.is_some());
    if !any {
        return Err(format!("no results in {}", dir.display()));
    }
    print!("{}", render(&r));
    let wrong = [&r.native, &r.wasm]
        .iter()
        .filter_map(|x| x.as_ref()?.get("workloads")?.as_array())
        .flatten()
        .any(|w| w.get("check").and_then(Value::as_str) != Some("ok"));
    Ok(!wrong)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn results() -> Results {
        let mem =
            json!({"peakBytes": [1e6, 1e6], "liveAfterBytes": [0, 0], "linearBytes": [2e6, 2e6]});
        Results {
            native: Some(json!({"runs": 5, "warmup": 1, "workloads": [
                {"id": "W1", "unit": "state transitions", "unitsPerRun": 1000, "medianMs": 2.0, "cpuMedianMs": 2.0,
                 "transitions": 1000, "events": 2002, "check": "ok",
                 "minimal": {"medianMs": 1.5}, "memory": mem}]})),
            wasm: Some(json!({"runs": 5, "warmup": 1, "workloads": [
                {"id": "W1", "medianMs": 4.0, "cpuMedianMs": 4.0, "check": "ok", "memory": mem}]})),
            peer: Some(json!({"runs": 5, "warmup": 1, "workloads": [
                {"id": "W1", "medianMs": 100.0, "cpuMedianMs": 60.0, "check": "ok", "memory": {"rssBytes": [5e7, 6e7]}}]})),
            native_jsonata: Some(
                json!({"cases": 1684, "passed": 1684, "runs": 3, "medianTotalMs": 900.0, "medianNoTimeboxMs": 200.0}),
            ),
            js_jsonata: Some(
                json!({"version": "2.2.2", "cases": 1684, "passed": 1684, "runs": 3, "medianTotalMs": 7000.0, "medianNoTimeboxMs": 3000.0}),
            ),
            ..Results::default()
        }
    }

    #[test]
    fn ratios_are_the_peers_time_over_ours() {
        let text = render(&results());
        assert!(
            text.contains(
                "| W1 | 1000 state transitions | 2.00 | 4.00 | 100 | 50.0× | 25.0× | ok / ok / ok |"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "wasm at least 20× faster than the peer on every workload: met (lowest 25.0× on W1; by CPU time NOT met, lowest 15.0× on W1)"
            ),
            "{text}"
        );
        assert!(
            text.contains("| W1 | 2.00 | 4.00 | 60.0 | 30.0× | 15.0× |"),
            "{text}"
        );
    }

    #[test]
    fn the_minimal_model_ratio_is_a_speed_ratio() {
        let text = render(&results());
        assert!(
            text.contains("| W1 | 1000 | 2002 | 2.00 | 1.50 | 0.75 |"),
            "{text}"
        );
        assert!(
            text.contains("half the speed of the minimal model: met (lowest 0.75 on W1)"),
            "{text}"
        );
    }

    #[test]
    fn jsonata_goals_need_both_totals() {
        let text = render(&results());
        assert!(text.contains("JSONata (native) at least 3× faster than jsonata-js: met (15.0× without the time-boxed cases, 7.8× with them)"), "{text}");
    }

    #[test]
    fn per_workload_files_are_merged_in_order() {
        let dir = std::env::temp_dir().join(format!("bench-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        for (file, id) in [
            ("native-W1.json", "W1"),
            ("native-W2.json", "W2"),
            ("wasm-W1.json", "W1"),
        ] {
            let v = json!({"runs": 5, "warmup": 1, "workloads": [{"id": id, "medianMs": 1.0, "check": "ok"}]});
            std::fs::write(dir.join(file), v.to_string()).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(
            dir.join("native-jsonata.json"),
            json!({"cases": 1, "medianTotalMs": 1.0}).to_string(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let r = Results::read(&dir);
        std::fs::remove_dir_all(&dir).ok();
        let ids = |v: &Option<Value>| -> Vec<String> {
            v.as_ref()
                .and_then(|v| v.get("workloads")?.as_array().cloned())
                .unwrap_or_default()
                .iter()
                .filter_map(|w| w.get("id")?.as_str().map(str::to_string))
                .collect()
        };
        assert_eq!(ids(&r.native), ["W1", "W2"]);
        assert_eq!(ids(&r.wasm), ["W1"]);
        assert!(r.peer.is_none());
        assert!(r.native_jsonata.is_some());
    }

    #[test]
    fn memory_that_grows_is_named() {
        let mut r = results();
        r.native = Some(
            json!({"workloads": [{"id": "W1", "medianMs": 1.0, "check": "ok",
            "memory": {"liveAfterBytes": [0, 1e6]}}]}),
        );
        let text = render(&r);
        assert!(
            text.contains("memory does not grow with runs: NOT met (W1 native 0 B → 976.6 KiB)"),
            "{text}"
        );
        // A one-time cache filled by the second run is not growth; growth after it is.
        let series = |xs: Value| {
            Some(
                json!({"workloads": [{"id": "W1", "medianMs": 1.0, "check": "ok",
                "memory": {"liveAfterBytes": xs}}]}),
            )
        };
        r.native = series(json!([0, 1e6, 1e6, 1e6]));
        assert!(render(&r).contains("second run to last): met"));
        r.native = series(json!([0, 0, 0, 1e6]));
        assert!(render(&r).contains("NOT met (W1 native 0 B → 976.6 KiB)"));
    }
}
