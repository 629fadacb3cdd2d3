//! The `sfn case` and `sfn conformance` commands, and the shared conventions of every command (usage errors exit 2).

use crate::args;
use crate::case::{self, Case};
use crate::conformance;
use serde_json::json;
use std::path::PathBuf;

/// Writes to stdout, ignoring a closed pipe (`sfn ... | head` must not panic).
pub fn out(text: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(text.as_bytes()).and_then(|()| o.flush());
}

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("standard input: {e}"))?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))
}

/// Prints a one-line error on stderr and returns exit status 2 (bad command line or unusable file).
pub fn usage_error(msg: impl std::fmt::Display) -> i32 {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "sfn: {msg}");
    2
}

pub const CASE_HELP: &str = "\
usage: sfn case CASE.json

Runs one conformance case (format: shared/conformance/FORMAT.md) and prints one JSON object:
{\"status\", \"output\", \"error\", \"cause\", \"events\"}. Tasks are answered from the case's mocks.
Exits 0 whenever the case ran (whatever the execution's status), 2 when the case file is unusable.
Driver problems show as status FAILED with an `sfn.*` error (sfn.NoMock, sfn.Stalled, sfn.Panic).
";

/// `sfn case CASE.json`
pub fn case_main(argv: &[String]) -> i32 {
    let p = match args::parse(argv, &[], &["--help", "-h"]) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    if p.has("--help") || p.has("-h") {
        out(CASE_HELP);
        return 0;
    }
    let [path] = p.positional.as_slice() else {
        return usage_error("usage: sfn case CASE.json");
    };
    let case = match Case::load(std::path::Path::new(path)) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let _quiet = conformance::quiet_panics();
    let result = match conformance::catch(|| case::run_case(&case)) {
        Ok(run) => run.to_json(),
        Err(p) => {
            json!({"status": "FAILED", "output": null, "error": "sfn.Panic", "cause": p, "events": []})
        }
    };
    out(&format!("{result}\n"));
    0
}

pub const CONFORMANCE_HELP: &str = "\
usage: sfn conformance [--level 1|2|3] [--failures FILE] [--json FILE] [--filter TEXT] [--quiet] DIR...

Runs every case under the folders in-process, compares each with its recorded `expected`:
  L1  result: status, output (SUCCEEDED) or error and cause
  L2  L1 and the event types (Parallel branches / Map iterations compared per branch)
  L3  L2 and the event details (placeholders like <uuid:1> bound consistently)
Prints one line per failing case with the reason, a per-group table of L1/L2/L3 pass counts, and
last `N passed, M failed`, where passed means passing at --level (default 1: L1, the result).
  --failures FILE  also write the failing cases (`group/name: reason`, sorted) to FILE
  --json FILE      also write every case's verdict ({case, group, L1, L2, L3, reason}) to FILE
  --filter TEXT    only cases whose path contains TEXT
  --quiet          no per-case lines
Exits 0 when every case passes, 1 when some fail, 2 on a bad command line or folder.
";

/// `sfn conformance DIR...`
pub fn conformance_main(argv: &[String]) -> i32 {
    let p = match args::parse(
        argv,
        &["--level", "--failures", "--filter", "--json"],
        &["--help", "-h", "--quiet"],
    ) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    if p.has("--help") || p.has("-h") {
        out(CONFORMANCE_HELP);
        return 0;
    }
    let level = match p.value("--level") {
        None => 1,
        Some("1") => 1,
        Some("2") => 2,
        Some("3") => 3,
        Some(other) => return usage_error(format!("--level must be 1, 2 or 3, not '{other}'")),
    };
    if p.positional.is_empty() {
        return usage_error("usage: sfn conformance DIR... (try --help)");
    }
    let dirs: Vec<PathBuf> = p.positional.iter().map(PathBuf::from).collect();
    let started = std::time::Instant::now();
    let report = match conformance::run_paths(&dirs, p.value("--filter")) {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "sfn: {} cases in {:.2} s",
            report.outcomes.len(),
            started.elapsed().as_secs_f64()
        );
    }
    if let Some(file) = p.value("--json") {
        let list: Vec<serde_json::Value> = report
            .outcomes
            .iter()
            .map(|o| {
                let v = &o.verdict;
                json!({"case": o.id, "group": o.group, "history": v.has_history,
                       "L1": v.passes(1), "L2": v.passes(2), "L3": v.passes(3),
                       "reason": v.reason(3)})
            })
            .collect();
        let text = serde_json::to_string_pretty(&list).unwrap_or_default() + "\n";
        if let Err(e) = std::fs::write(file, text) {
            return usage_error(format!("{file}: {e}"));
        }
    }
    if let Some(file) = p.value("--failures") {
        let mut text = report.failures(level).join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        if let Err(e) = std::fs::write(file, text) {
            return usage_error(format!("{file}: {e}"));
        }
    }
    out(&report.render(level, !p.has("--quiet")));
    let t = report.totals();
    if t.at(level) == t.cases { 0 } else { 1 }
}
