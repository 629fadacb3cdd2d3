//! The `sfn workspace pack`, `sfn export` and `sfn import` commands: the playground's workspace file and its imports and exports, on the command line.

use crate::args;
use crate::cli::{out, read_input, usage_error};
use workspace::export;
use workspace::import::{Kind, import};
use workspace::{DEFAULT_SEED, DEFAULT_TIMEOUT_MS, Function, Workspace};

pub const PACK_HELP: &str = "\
usage: sfn workspace pack --definition FILE [options] [-o WORKSPACE.json]

Writes a playground workspace file (what the page exports and `sfn run WORKSPACE.json` runs).
  --definition FILE         the ASL definition (JSON), as text
  --lambda NAME=FILE.js     a JavaScript Lambda module, repeatable
  --input FILE              the execution input (JSON; default {})
  --mock-config FILE        a Step Functions Local MockConfigFile ...
  --test-case NAME          ... and the test case that answers the tasks
  --seed N                  seed of the run's randomness (default 1, as a new page workspace)
  --lambda-timeout SECONDS  per-function timeout (default 3)
  --name NAME               the workspace's name (default: the definition file's name)
  -o FILE                   where to write (default: standard output)
Exits 0 when written, 2 on a bad command line or an unusable file.
";

pub const EXPORT_HELP: &str = "\
usage: sfn export sam|yaml|json|mocks WORKSPACE.json [-o FILE]

Writes what the page's Export menu writes, from a workspace file:
  sam    a deployable SAM template: the state machine and one Node.js function per Lambda module
         (inline code), Lambda Tasks wired through DefinitionSubstitutions (`sam deploy` ready)
  yaml   the definition as YAML
  json   the definition as pretty JSON
  mocks  a MockConfigFile from the workspace's mocks, under the workspace's name
What the export cannot carry over is noted on standard error. Exits 0 when written, 2 when the
command line or the workspace is unusable.
";

pub const IMPORT_HELP: &str = "\
usage: sfn import FILE [--into WORKSPACE.json] [-o WORKSPACE.json]

Reads what the page's Import reads and writes a workspace file: ASL (JSON or YAML), a CloudFormation
or SAM template (its first state machine and its inline Node.js functions), a MockConfigFile, or a
workspace file. With --into, the import goes into that workspace as on the page (the definition or
the mocks replaced, functions added or replaced); else into a new, empty one. Notes go to standard
error. Exits 0 when written, 2 when the file cannot be imported (the message says where).
";

fn write_out(p: &args::Parsed, text: &str) -> Result<(), String> {
    match p.value("-o") {
        None | Some("-") => {
            out(text);
            Ok(())
        }
        Some(f) => std::fs::write(f, text).map_err(|e| format!("{f}: {e}")),
    }
}

fn notes(list: &[String]) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    for n in list {
        let _ = writeln!(err, "sfn: note: {n}");
    }
}

fn read_workspace(file: &str) -> Result<Workspace, String> {
    let text = read_input(file)?;
    Workspace::from_file_text(&text).map_err(|e| format!("{file}: {e}"))
}

/// The file's name without its folder and its `.asl.json`/`.json`/`.yaml`/`.yml` ending.
fn stem(file: &str) -> String {
    let base = std::path::Path::new(file)
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut s = base.as_str();
    for ext in [".json", ".yaml", ".yml", ".asl"] {
        s = s.strip_suffix(ext).unwrap_or(s);
    }
    s.to_string()
}

/// `sfn workspace pack ...`
pub fn workspace_main(argv: &[String]) -> i32 {
    match argv.split_first() {
        Some((cmd, rest)) if cmd == "pack" => pack_main(rest),
        Some((h, _)) if h == "--help" || h == "-h" => {
            out(PACK_HELP);
            0
        }
        _ => usage_error(
            "usage: sfn workspace pack --definition FILE ... (try `sfn workspace pack --help`)",
        ),
    }
}

fn pack_main(argv: &[String]) -> i32 {
    let p = match args::parse(
        argv,
        &[
            "--definition",
            "--lambda",
            "--input",
            "--mock-config",
            "--test-case",
            "--seed",
            "--lambda-timeout",
            "--name",
            "-o",
        ],
        &["--help", "-h"],
    ) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    if p.has("--help") || p.has("-h") {
        out(PACK_HELP);
        return 0;
    }
    match pack(&p).and_then(|ws| write_out(&p, &ws.to_file_text())) {
        Ok(()) => 0,
        Err(e) => usage_error(e),
    }
}

fn pack(p: &args::Parsed) -> Result<Workspace, String> {
    if let Some(extra) = p.positional.first() {
        return Err(format!("unexpected argument '{extra}' (try --help)"));
    }
    let def_file = p
        .value("--definition")
        .ok_or("sfn workspace pack needs --definition FILE")?;
    let definition = read_input(def_file)?;
    serde_json::from_str::<serde_json::Value>(&definition)
        .map_err(|e| format!("{def_file}: not JSON: {e}"))?;
    let mut functions: Vec<Function> = Vec::new();
    for a in p.values("--lambda") {
        let (name, path) = a
            .split_once('=')
            .filter(|(n, f)| !n.is_empty() && !f.is_empty())
            .ok_or_else(|| format!("--lambda takes NAME=FILE.js, not '{a}'"))?;
        if functions.iter().any(|f| f.name == name) {
            return Err(format!("--lambda {name} is given twice"));
        }
        let code = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        functions.push(Function {
            name: name.into(),
            code,
        });
    }
    let input = match p.value("--input") {
        Some(f) => {
            let text = read_input(f)?;
            serde_json::from_str::<serde_json::Value>(&text)
                .map_err(|e| format!("{f}: not JSON: {e}"))?;
            text
        }
        None => "{}".into(),
    };
    let name = p
        .value("--name")
        .map(str::to_string)
        .unwrap_or_else(|| stem(def_file));
    let (mocks, test_case) = match (p.value("--mock-config"), p.value("--test-case")) {
        (Some(f), tc) => {
            let text = std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?;
            if let Some(tc) = tc {
                workspace::mocks::MockConfig::parse(&text, tc, Some(&name))
                    .map_err(|e| format!("{f}: {e}"))?;
            }
            (text, tc.unwrap_or("").to_string())
        }
        (None, Some(_)) => return Err("--test-case needs --mock-config FILE".into()),
        (None, None) => (String::new(), String::new()),
    };
    let seed = match p.value("--seed") {
        Some(s) => s
            .parse()
            .map_err(|_| format!("--seed must be a whole number, not '{s}'"))?,
        None => DEFAULT_SEED,
    };
    let timeout_ms = match p.value("--lambda-timeout") {
        Some(s) => s
            .parse::<f64>()
            .ok()
            .filter(|t| t.is_finite() && *t > 0.0 && *t <= 900.0)
            .map(|t| (t * 1000.0).round() as u32)
            .ok_or_else(|| {
                format!("--lambda-timeout must be seconds between 0 and 900, not '{s}'")
            })?,
        None => DEFAULT_TIMEOUT_MS,
    };
    Ok(Workspace {
        name,
        definition,
        functions,
        input,
        mocks,
        test_case,
        seed,
        timeout_ms,
    })
}

/// `sfn export sam|yaml|json|mocks WORKSPACE.json`
pub fn export_main(argv: &[String]) -> i32 {
    let p = match args::parse(argv, &["-o"], &["--help", "-h"]) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    if p.has("--help") || p.has("-h") {
        out(EXPORT_HELP);
        return 0;
    }
    let [what, file] = p.positional.as_slice() else {
        return usage_error(
            "usage: sfn export sam|yaml|json|mocks WORKSPACE.json [-o FILE] (try --help)",
        );
    };
    let ws = match read_workspace(file) {
        Ok(w) => w,
        Err(e) => return usage_error(e),
    };
    let what_of = |e: export::ExportError| format!("{file}: {e}");
    let result = match what.as_str() {
        "sam" => export::sam_template(&ws).map_err(what_of),
        "mocks" => export::mock_config(&ws).map_err(what_of),
        "yaml" => export::definition_yaml(&ws)
            .map(|text| export::Exported {
                text,
                notes: Vec::new(),
            })
            .map_err(what_of),
        "json" => export::definition_json(&ws)
            .map(|text| export::Exported {
                text,
                notes: Vec::new(),
            })
            .map_err(what_of),
        other => Err(format!(
            "sfn export: '{other}' is not one of sam, yaml, json, mocks"
        )),
    };
    match result.and_then(|e| {
        notes(&e.notes);
        write_out(&p, &e.text)
    }) {
        Ok(()) => 0,
        Err(e) => usage_error(e),
    }
}

/// `sfn import FILE`
pub fn import_main(argv: &[String]) -> i32 {
    let p = match args::parse(argv, &["-o", "--into"], &["--help", "-h"]) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    if p.has("--help") || p.has("-h") {
        out(IMPORT_HELP);
        return 0;
    }
    let [file] = p.positional.as_slice() else {
        return usage_error(
            "usage: sfn import FILE [--into WORKSPACE.json] [-o WORKSPACE.json] (try --help)",
        );
    };
    let run = || -> Result<(), String> {
        let text = read_input(file)?;
        let imported = import(file, &text).map_err(|e| format!("{file}: {e}"))?;
        let base = match p.value("--into") {
            Some(w) => read_workspace(w)?,
            None => Workspace {
                name: String::new(),
                definition: String::new(),
                functions: Vec::new(),
                input: "{}".into(),
                mocks: String::new(),
                test_case: String::new(),
                seed: DEFAULT_SEED,
                timeout_ms: DEFAULT_TIMEOUT_MS,
            },
        };
        let mut ws = imported.apply(&base);
        if ws.name.is_empty() && imported.kind == Kind::Asl {
            ws.name = stem(file);
        }
        notes(&imported.notes);
        write_out(&p, &ws.to_file_text())
    };
    match run() {
        Ok(()) => 0,
        Err(e) => usage_error(e),
    }
}
