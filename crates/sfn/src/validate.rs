//! The `sfn validate` command: a definition's problems as compiler-style diagnostics with line, column and JSON Pointer.

use crate::args;
use crate::cli::{out, usage_error};
use asl::Diagnostic;
use asl::definition::StateMachine;
use serde_json::{Value, json};

pub const HELP: &str = "\
usage: sfn validate [--format text|json] [--express] DEFINITION      (`-`: standard input)

Checks an Amazon States Language definition as CreateStateMachine would (--express: as an EXPRESS
state machine). Prints each problem as
  FILE:LINE:COL: error[CODE]: message (at /json/pointer)
(with --format json: {\"valid\": bool, \"diagnostics\": [{code, message, pointer, line, column}],
\"awsMessage\": CreateStateMachine's InvalidDefinition message or null}).
Exits 0 when the definition is valid, 1 when it is not, 2 when the file cannot be read.
";

/// The diagnostics for a definition's source text, each with a line and column where one is known.
pub fn diagnose(source: &str, express: bool) -> Vec<Diagnostic> {
    let options = asl::validate::Options { express };
    let mut diags = asl::validate::validate_source(source, &options);
    if diags.is_empty()
        && let Err(d) = StateMachine::parse(source)
    {
        diags = d;
    }
    for d in &mut diags {
        if d.line.is_none()
            && let Some((line, col)) = asl::source_map::locate(source, &d.pointer)
        {
            d.line = Some(line);
            d.column = Some(col);
        }
    }
    diags
}

/// `file:line:col: error[CODE]: message (at /pointer)`.
pub fn render(file: &str, d: &Diagnostic) -> String {
    let place = match (d.line, d.column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        (Some(l), None) => format!("{file}:{l}"),
        _ => file.to_string(),
    };
    let at = if d.pointer.is_empty() {
        String::new()
    } else {
        format!(" (at {})", d.pointer)
    };
    // One line per problem: a multi-line message (Jackson's syntax errors quote the source) keeps its first line.
    let message = d.message.lines().next().unwrap_or("").trim_end();
    format!("{place}: error[{}]: {message}{at}", d.code)
}

/// `sfn validate DEFINITION`
pub fn main(argv: &[String]) -> i32 {
    let p = match args::parse(argv, &["--format"], &["--help", "-h", "--express"]) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    if p.has("--help") || p.has("-h") {
        out(HELP);
        return 0;
    }
    let json_format = match p.value("--format") {
        None | Some("text") => false,
        Some("json") => true,
        Some(other) => return usage_error(format!("--format must be text or json, not '{other}'")),
    };
    let [file] = p.positional.as_slice() else {
        return usage_error("usage: sfn validate DEFINITION (try --help)");
    };
    let source = match crate::cli::read_input(file) {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    let diags = diagnose(&source, p.has("--express"));
    let file = if file == "-" {
        "<stdin>"
    } else {
        file.as_str()
    };
    if json_format {
        let list: Vec<Value> = diags
            .iter()
            .map(|d| {
                json!({"code": d.code, "message": d.message, "pointer": d.pointer,
                       "line": d.line, "column": d.column})
            })
            .collect();
        let aws_message = match serde_json::from_str::<Value>(&source) {
            Ok(v) => asl::validate::create_error_message(&v, &diags),
            Err(_) => diags.first().map(|d| {
                format!(
                    "Invalid State Machine Definition: '{}: {}'",
                    d.code, d.message
                )
            }),
        };
        out(&format!(
            "{}\n",
            json!({"valid": diags.is_empty(), "diagnostics": list, "awsMessage": aws_message})
        ));
    } else if diags.is_empty() {
        out(&format!("{file}: valid\n"));
    } else {
        let mut text: String = diags.iter().map(|d| render(file, d) + "\n").collect();
        let n = diags.len();
        text.push_str(&format!(
            "{file}: {n} error{}\n",
            if n == 1 { "" } else { "s" }
        ));
        out(&text);
    }
    i32::from(!diags.is_empty())
}
