//! The `sfn` command line: runs, validates and tests state machines with the engine.

mod eval;

use sfn::cli;

const HELP: &str = "\
usage: sfn COMMAND [ARGS...]

commands:
  case CASE.json        run one conformance case, print its result and history as JSON
  conformance DIR...    run and judge every case under the folders (L1/L2/L3)
  run DEFINITION        run a state machine with mocks and JavaScript Lambdas (see `sfn run --help`)
  run WORKSPACE.json    run a playground workspace file as the page runs it
  workspace pack        write a workspace file from a definition, Lambdas, input and mocks
  export KIND WS.json   write a workspace's SAM template, definition (yaml, json) or mocks
  import FILE           write a workspace file from ASL, a CloudFormation/SAM template or mocks
  validate DEFINITION   check a definition; compiler-style diagnostics, exit 1 when invalid
  eval EXPR             evaluate a JSONata expression (see `sfn eval --help`)
  help                  this text; `sfn COMMAND --help` for a command's options

Bad command lines and unusable files: a one-line error on stderr, exit status 2.
";

fn dispatch(argv: &[String]) -> i32 {
    let Some((cmd, rest)) = argv.split_first() else {
        let _ = std::io::Write::write_all(&mut std::io::stderr(), HELP.as_bytes());
        return 2;
    };
    match cmd.as_str() {
        "case" => cli::case_main(rest),
        "conformance" => cli::conformance_main(rest),
        "validate" => sfn::validate::main(rest),
        "run" => sfn::run::main(rest),
        "eval" => eval::main(rest),
        "workspace" => sfn::files::workspace_main(rest),
        "export" => sfn::files::export_main(rest),
        "import" => sfn::files::import_main(rest),
        "help" | "--help" | "-h" => {
            cli::out(HELP);
            0
        }
        "--version" | "-V" => {
            cli::out(&format!("sfn {}\n", env!("CARGO_PKG_VERSION")));
            0
        }
        other => cli::usage_error(format!("unknown command '{other}' (try `sfn help`)")),
    }
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(dispatch(&argv));
}
