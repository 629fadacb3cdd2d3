//! `cargo xtask bench [--quick] [IDS…]`: the benchmark of issue 7, every side in one run, and `cargo xtask measure` (its page part alone).
//!
//! It builds the native runner (`crates/bench`, release) and the wasm runner (`crates/bench-wasm`
//! for wasm32, bound by `wasm-bindgen --target nodejs`), installs the peers from npm into `bench/`
//! (`npm ci`: aws-local-stepfunctions and jsonata at the versions `bench/package-lock.json` pins),
//! builds the page, then runs in turn: each workload natively, as wasm in Node and on the peer; the
//! JSONata suite natively, as wasm and on jsonata-js; the page timings in headless Chromium. Each
//! runner writes JSON into `target/bench-results/`; `bench report` prints the side-by-side tables
//! (also saved as `target/bench-results/report.md`).
//!
//! IDS select: workload ids or substrings (`W2`), `jsonata`, `page`. None: everything.

use std::path::PathBuf;
use std::process::Command;

use crate::{root, run, setup};

const USAGE: &str = "usage: cargo xtask bench [--quick] [IDS…]
  --quick   3 timed runs per workload, 3 JSONata passes, 3 page loads (default 5, 5, 5)
  IDS       workload ids or substrings (W1, W2, W3-mc1...), `jsonata`, `page`; none: everything";

struct Plan {
    runs: u32,
    passes: u32,
    loads: u32,
    workloads: Option<Vec<String>>,
    jsonata: bool,
    page: bool,
}

fn plan(args: &[String]) -> Result<Plan, String> {
    let quick = args.iter().any(|a| a == "--quick");
    let ids: Vec<String> = args.iter().filter(|a| *a != "--quick").cloned().collect();
    if let Some(bad) = ids.iter().find(|a| a.starts_with('-')) {
        return Err(format!("unknown option {bad}\n{USAGE}"));
    }
    let workload_ids: Vec<String> = ids
        .iter()
        .filter(|a| *a != "jsonata" && *a != "page")
        .cloned()
        .collect();
    let all = ids.is_empty();
    Ok(Plan {
        runs: if quick { 3 } else { 5 },
        passes: if quick { 3 } else { 5 },
        loads: if quick { 3 } else { 5 },
        workloads: (all || !workload_ids.is_empty()).then_some(workload_ids),
        jsonata: all || ids.iter().any(|a| a == "jsonata"),
        page: all || ids.iter().any(|a| a == "page"),
    })
}

fn results_dir() -> PathBuf {
    root().join("target").join("bench-results")
}

/// The shared folder beside the repository (CI, /work/main) or one level further up (a worktree).
fn shared(rel: &str) -> Option<PathBuf> {
    ["../shared", "../../shared"]
        .iter()
        .map(|d| root().join(d).join(rel))
        .find(|p| p.exists())
}

pub fn bench_cmd(args: &[String]) -> Result<(), String> {
    let plan = plan(args)?;
    let env = setup::tools(plan.page)?;
    let out = results_dir();
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    for f in std::fs::read_dir(&out)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        if f.path().extension().is_some_and(|x| x == "json") {
            std::fs::remove_file(f.path()).map_err(|e| e.to_string())?;
        }
    }
    npm_peers(&env)?;
    // Builds first, so the timed runs do not share the cores with a compiler.
    run(Command::new("cargo")
        .args(["build", "--release", "-p", "bench"])
        .env("PATH", &env.path))?;
    let wasm_dir = wasm_runner(&env)?;
    if plan.page {
        crate::build_page(&env)?;
    }
    std::fs::write(out.join("machine.txt"), machine(&env))
        .map_err(|e| format!("machine.txt: {e}"))?;

    let native = root().join("target/release/bench");
    let json = |name: &str| out.join(name).to_string_lossy().into_owned();
    let runs = plan.runs.to_string();
    let passes = plan.passes.to_string();
    if let Some(selectors) = &plan.workloads {
        // The three sides take turns per workload, so a change in the machine's load (other work
        // shares it) hits them alike and the ratios of one workload stay comparable.
        let listed = Command::new(&native)
            .arg("--list")
            .args(selectors)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", native.display()))?;
        if !listed.status.success() {
            return Err(String::from_utf8_lossy(&listed.stderr).trim().to_string());
        }
        for id in String::from_utf8_lossy(&listed.stdout).lines() {
            eprintln!("\n== {id}: ours natively, ours as wasm in Node, the peer ==");
            // A wrong result is shown in the report; the other sides still run.
            run(Command::new(&native)
                .args(["--runs", &runs, "--warmup", "1"])
                .args(["--json", &json(&format!("native-{id}.json")), id]))
            .ok();
            run(Command::new("node")
                .arg("bench/wasm.mjs")
                .args(["--wasm", &wasm_dir, "--runs", &runs, "--warmup", "1"])
                .args(["--json", &json(&format!("wasm-{id}.json")), id])
                .env("PATH", &env.path))?;
            run(Command::new("node")
                .arg("bench/peer.mjs")
                .args(["--runs", &runs, "--warmup", "1"])
                .args(["--json", &json(&format!("peer-{id}.json")), id])
                .env("PATH", &env.path))?;
        }
    }
    if plan.jsonata {
        eprintln!("\n== JSONata suite: ours natively ==");
        run(Command::new(&native).args([
            "jsonata",
            "--runs",
            &passes,
            "--json",
            &json("native-jsonata.json"),
        ]))?;
        eprintln!("\n== JSONata suite: ours as wasm in Node ==");
        run(Command::new("node")
            .arg("bench/wasm.mjs")
            .args(["--jsonata", "--wasm", &wasm_dir, "--runs", &passes])
            .args(["--json", &json("wasm-jsonata.json")])
            .env("PATH", &env.path))?;
        eprintln!("\n== JSONata suite: jsonata-js ==");
        run(Command::new("node")
            .arg("bench/jsonata-js.mjs")
            .args(["--runs", &passes, "--json", &json("js-jsonata.json")])
            .env("PATH", &env.path))?;
    }
    if plan.page {
        eprintln!("\n== the page in headless Chromium ==");
        page_timings(&env, plan.loads, Some(out.join("page.json")))?;
    }
    eprintln!("\n== report ==");
    let report = Command::new(&native)
        .args(["report", &out.to_string_lossy()])
        .output()
        .map_err(|e| format!("cannot run the report: {e}"))?;
    let text = format!(
        "{}\n{}",
        std::fs::read_to_string(out.join("machine.txt")).unwrap_or_default(),
        String::from_utf8_lossy(&report.stdout)
    );
    print!("{text}");
    eprint!("{}", String::from_utf8_lossy(&report.stderr));
    std::fs::write(out.join("report.md"), &text).map_err(|e| format!("report.md: {e}"))?;
    eprintln!("(saved as {})", out.join("report.md").display());
    if report.status.success() {
        Ok(())
    } else {
        Err("a result of ours is wrong (see the check column)".into())
    }
}

/// `npm ci` in bench/ unless its node_modules already match the lock file.
fn npm_peers(env: &setup::Env) -> Result<(), String> {
    let dir = root().join("bench");
    let lock = std::fs::read_to_string(dir.join("package-lock.json")).unwrap_or_default();
    let installed =
        std::fs::read_to_string(dir.join("node_modules/.package-lock.json")).unwrap_or_default();
    let pinned = |text: &str, name: &str| {
        let key = format!("\"node_modules/{name}\": {{");
        text.split(&key)
            .nth(1)
            .and_then(|rest| rest.split("\"version\": \"").nth(1))
            .and_then(|v| v.split('"').next())
            .map(str::to_string)
    };
    let up_to_date = ["aws-local-stepfunctions", "jsonata"]
        .iter()
        .all(|p| pinned(&lock, p).is_some() && pinned(&lock, p) == pinned(&installed, p));
    if up_to_date {
        return Ok(());
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .env("PATH", &env.path))
}

/// Builds the wasm runner and binds it for Node; returns the folder of `bench_wasm.js`.
fn wasm_runner(env: &setup::Env) -> Result<String, String> {
    run(Command::new("cargo")
        .args(["build", "--release", "-p", "bench-wasm"])
        .args(["--target", "wasm32-unknown-unknown"])
        .env("PATH", &env.path))?;
    let dir = root().join("target/bench-wasm");
    run(Command::new("wasm-bindgen")
        .args(["--target", "nodejs", "--out-dir"])
        .arg(&dir)
        .arg(root().join("target/wasm32-unknown-unknown/release/bench_wasm.wasm"))
        .env("PATH", &env.path))?;
    // The page's wasm goes through wasm-opt (Trunk, index.html's data-wasm-opt): the same pass here,
    // so the bench times what ships (it makes W3 and W4 15-25% faster than wasm-bindgen's output).
    let level = page_wasm_opt()?;
    let wasm = dir.join("bench_wasm_bg.wasm");
    run(Command::new("wasm-opt")
        .arg(format!("-O{level}"))
        .arg(&wasm)
        .arg("-o")
        .arg(&wasm)
        .env("PATH", &env.path))?;
    Ok(dir.to_string_lossy().into_owned())
}

/// The wasm-opt level index.html gives the page's wasm (`data-bin="playground" data-wasm-opt="…"`).
fn page_wasm_opt() -> Result<String, String> {
    let html = std::fs::read_to_string(root().join("index.html"))
        .map_err(|e| format!("cannot read index.html: {e}"))?;
    wasm_opt_level(&html).ok_or_else(|| "index.html: no data-wasm-opt on the playground".into())
}

fn wasm_opt_level(html: &str) -> Option<String> {
    let tag = html
        .split('<')
        .find(|t| t.contains("data-bin=\"playground\""))?;
    let level = tag.split("data-wasm-opt=\"").nth(1)?.split('"').next()?;
    Some(level.to_string())
}

/// Serves dist/ and runs tests/perf/page-timings.mjs, then tests/perf/typing.mjs (the page must be built).
fn page_timings(env: &setup::Env, loads: u32, json: Option<PathBuf>) -> Result<(), String> {
    let server = crate::serve::Server::bind(root().join("dist"), 0)?;
    let url = format!("http://{}/", server.addr());
    std::thread::spawn(move || server.run_forever());
    let mut cmd = Command::new("node");
    cmd.args(["tests/perf/page-timings.mjs"])
        .env("PATH", &env.path)
        .env("PLAYGROUND_URL", &url)
        .env("RUNS", loads.to_string());
    if let Some(w1) = shared("bench/workloads/w1_pass_chain.asl.json") {
        cmd.env("W1_PATH", w1);
    }
    if let Some(j) = &json {
        cmd.env("PAGE_JSON", j);
    }
    run(&mut cmd)?;
    // Typing in the definition editor: keystroke to paint, the default example and W1.
    let mut typing = Command::new("node");
    typing
        .args(["tests/perf/typing.mjs"])
        .env("PATH", &env.path)
        .env("PLAYGROUND_URL", &url);
    if let Some(w1) = shared("bench/workloads/w1_pass_chain.asl.json") {
        typing.env("W1_PATH", w1);
    }
    if let Some(j) = json {
        typing.env("TYPING_JSON", j.with_file_name("typing.json"));
    }
    run(&mut typing)
}

/// `cargo xtask measure`: builds the page and prints its timings (the page part of the bench).
pub fn measure_cmd() -> Result<(), String> {
    let env = setup::tools(true)?;
    crate::build_page(&env)?;
    page_timings(&env, 5, None)
}

/// The machine, as the report's header: CPU, cores, memory, load, OS, toolchain versions.
fn machine(env: &setup::Env) -> String {
    let first = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .env("PATH", &env.path)
            .output()
            .ok()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string()
            })
            .unwrap_or_default()
    };
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("?")
        .trim()
        .to_string();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .next()
        .map(|l| {
            l.split_whitespace()
                .nth(1)
                .unwrap_or("0")
                .parse::<u64>()
                .unwrap_or(0)
                / 1024
                / 1024
        })
        .unwrap_or(0);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!(
        "### Machine\n\n- {cpu}, {cores} cores, {mem} GiB; load average {} at the start (other work shares the machine)\n- {}; {}; node {}; chromium: {}\n",
        load.join(" "),
        first("uname", &["-sr"]),
        first("rustc", &["--version"]),
        first("node", &["--version"]),
        first("chromium", &["--version"]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_ids_run_everything() {
        let p = plan(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.workloads, Some(vec![]));
        assert!(p.jsonata && p.page);
        assert_eq!((p.runs, p.passes, p.loads), (5, 5, 5));
    }

    #[test]
    fn the_page_wasm_opt_level_is_read_from_its_link() {
        let html = r#"<link data-trunk rel="rust" href="Cargo.toml" data-bin="playground" data-wasm-opt="s" />
<link data-trunk rel="rust" data-bin="formats-web" data-wasm-opt="z" />"#;
        assert_eq!(wasm_opt_level(html).as_deref(), Some("s"));
        assert_eq!(wasm_opt_level("<link data-bin=\"playground\" />"), None);
    }

    #[test]
    fn ids_pick_sections() {
        let args = ["--quick".to_string(), "W4".to_string()];
        let p = plan(&args).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.workloads, Some(vec!["W4".to_string()]));
        assert!(!p.jsonata && !p.page);
        assert_eq!(p.runs, 3);
        let p = plan(&["jsonata".to_string()]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.workloads, None);
        assert!(p.jsonata && !p.page);
        assert!(plan(&["--fast".to_string()]).is_err());
    }
}
