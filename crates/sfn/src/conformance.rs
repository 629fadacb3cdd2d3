//! Running the recorded corpus in-process: every case under some folders, judged at L1/L2/L3, reported per group.

use crate::case::{self, Case, CaseRun};
use crate::compare::{self, Verdict};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// One judged case.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// `<group>/<name>` (group = the case file's folder).
    pub id: String,
    pub group: String,
    pub verdict: Verdict,
}

/// The judged corpus.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
    /// JSON files that are not execution cases (e.g. `invalid/` definitions).
    pub skipped: usize,
}

/// Collects `*.json` files under each path (a folder, searched recursively, or a file), sorted.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in rd {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "json") {
            out.push(path);
        }
    }
    Ok(())
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The case being judged, named when a build with `panic = "abort"` cannot catch a panic.
    static CURRENT: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs `f`, turning a panic into `Err("PANIC: message at file:line")`.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    LAST_PANIC.with(|p| p.borrow_mut().take());
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Ok(v),
        Err(payload) => {
            let recorded = LAST_PANIC.with(|p| p.borrow_mut().take());
            let msg = recorded.unwrap_or_else(|| {
                payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into())
            });
            Err(format!("PANIC: {msg}"))
        }
    }
}

/// Installs a panic hook that records the message for [`catch`] instead of printing it; returns a
/// guard that restores the previous hook.
pub fn quiet_panics() -> impl Drop {
    type Hook = Box<dyn Fn(&panic::PanicHookInfo<'_>) + Sync + Send + 'static>;
    struct Restore(Option<Hook>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(h) = self.0.take() {
                panic::set_hook(h);
            }
        }
    }
    let prev = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let text = match info.location() {
            Some(l) => format!("{msg} at {}:{}", l.file(), l.line()),
            None => msg,
        };
        if cfg!(panic = "abort") {
            use std::io::Write;
            let case = CURRENT.with(|c| c.borrow().clone());
            let _ = writeln!(
                std::io::stderr(),
                "sfn: PANIC in case {case}: {text} (this build aborts on panics; a build with panic = \"unwind\" reports them as failing cases)"
            );
        }
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(text));
    }));
    Restore(Some(prev))
}

/// Judges one case file. `None` when the file is not an execution case.
pub fn judge_file(path: &Path) -> Option<Outcome> {
    let group = path
        .parent()
        .and_then(Path::file_name)
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id = format!("{group}/{stem}");
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return Some(broken(id, group, format!("unreadable case file: {e}"))),
    };
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return Some(broken(id, group, format!("invalid case JSON: {e}"))),
    };
    value.get("expected")?;
    let case = match Case::from_value(value) {
        Ok(c) => c,
        Err(e) => return Some(broken(id, group, format!("unusable case: {e}"))),
    };
    Some(judge(&case, id, group))
}

fn broken(id: String, group: String, reason: String) -> Outcome {
    Outcome {
        id,
        group,
        verdict: Verdict {
            l1: Err(reason.clone()),
            l2: Err(reason.clone()),
            l3: Err(reason),
            has_history: false,
        },
    }
}

/// Runs and judges one case; a panic anywhere becomes a failing verdict.
pub fn judge(case: &Case, id: String, group: String) -> Outcome {
    CURRENT.with(|c| c.borrow_mut().clone_from(&id));
    let verdict = match catch(|| {
        let mut run: CaseRun = case::run_case(case);
        compare::mask_run(&case.notes, &mut run);
        compare::compare(&case.expected, &run)
    }) {
        Ok(v) => v,
        Err(p) => Verdict {
            l1: Err(p.clone()),
            l2: Err(p.clone()),
            l3: Err(p),
            has_history: case.expected.get("events").is_some_and(Value::is_array),
        },
    };
    Outcome { id, group, verdict }
}

/// Runs every case under `paths` (those whose id contains `filter`, when given).
pub fn run_paths(paths: &[PathBuf], filter: Option<&str>) -> Result<Report, String> {
    let files = collect(paths)?;
    let _quiet = quiet_panics();
    let mut report = Report::default();
    for f in files {
        if let Some(flt) = filter
            && !f.to_string_lossy().contains(flt)
        {
            continue;
        }
        match judge_file(&f) {
            Some(o) => report.outcomes.push(o),
            None => report.skipped += 1,
        }
    }
    Ok(report)
}

/// Pass counts of one group (or all).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub cases: usize,
    pub l1: usize,
    pub l2: usize,
    pub l3: usize,
}

impl Counts {
    fn add(&mut self, v: &Verdict) {
        self.cases += 1;
        self.l1 += usize::from(v.passes(1));
        self.l2 += usize::from(v.passes(2));
        self.l3 += usize::from(v.passes(3));
    }

    pub fn at(&self, level: u8) -> usize {
        match level {
            1 => self.l1,
            2 => self.l2,
            _ => self.l3,
        }
    }
}

impl Report {
    pub fn totals(&self) -> Counts {
        let mut c = Counts::default();
        for o in &self.outcomes {
            c.add(&o.verdict);
        }
        c
    }

    pub fn by_group(&self) -> BTreeMap<String, Counts> {
        let mut m: BTreeMap<String, Counts> = BTreeMap::new();
        for o in &self.outcomes {
            m.entry(o.group.clone()).or_default().add(&o.verdict);
        }
        m
    }

    /// `<id>: <reason>` for every case failing at `level`, sorted by id.
    pub fn failures(&self, level: u8) -> Vec<String> {
        let mut v: Vec<String> = self
            .outcomes
            .iter()
            .filter_map(|o| o.verdict.reason(level).map(|r| format!("{}: {r}", o.id)))
            .collect();
        v.sort();
        v
    }

    /// The full printout: failing cases, the per-group table, and last `N passed, M failed`.
    pub fn render(&self, level: u8, list_failures: bool) -> String {
        let mut s = String::new();
        if list_failures {
            for f in self.failures(level) {
                let _ = writeln!(s, "FAIL {f}");
            }
        }
        let groups = self.by_group();
        let width = groups.keys().map(String::len).max().unwrap_or(5).max(5);
        let _ = writeln!(
            s,
            "{:<width$} {:>6} {:>6} {:>6} {:>6}",
            "group", "cases", "L1", "L2", "L3"
        );
        for (g, c) in &groups {
            let _ = writeln!(
                s,
                "{g:<width$} {:>6} {:>6} {:>6} {:>6}",
                c.cases, c.l1, c.l2, c.l3
            );
        }
        let t = self.totals();
        let _ = writeln!(
            s,
            "{:<width$} {:>6} {:>6} {:>6} {:>6}",
            "total", t.cases, t.l1, t.l2, t.l3
        );
        if self.skipped > 0 {
            let _ = writeln!(
                s,
                "({} JSON files skipped: not execution cases)",
                self.skipped
            );
        }
        let passed = t.at(level);
        let _ = writeln!(s, "{passed} passed, {} failed", t.cases - passed);
        s
    }
}
