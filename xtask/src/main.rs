//! The README's commands: `cargo xtask serve` sets up, builds and serves the page; `cargo xtask test` runs every test.
//!
//! Set-up is idempotent: each tool is checked before it is installed, so a machine that has
//! everything goes straight to the build. Tools come only from the package registries (crates.io,
//! npm, Debian), and Trunk runs offline with the tools found on PATH.

mod bench;
mod serve;
mod setup;
mod size;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  serve [--port N]   set up what is missing, build the page (release) and serve it on 127.0.0.1
  test               set up what is missing (incl. Chromium), run the native tests, build the page
                     and run the browser tests in headless Chromium
  build              set up what is missing and build the page into dist/
  bench [--quick] [IDS…]
                     the benchmark: the workloads natively, as wasm in Node and on the peer
                     (aws-local-stepfunctions), the minimal model, memory, the JSONata suite against
                     jsonata-js, and the page's timings in headless Chromium, side by side (docs/bench.md)
  measure            build the page and measure it in headless Chromium (the bench's page part)
  size [--no-build] [--top N]
                     build the page, report its first-load weight (brotli) and where the bytes go
                     (--top N: also the N largest functions; --no-build: measure dist/ as it is)
  setup [--browser]  only install what is missing (with --browser: Chromium too)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve_cmd(&args[1..]),
        Some("test") => test_cmd(),
        Some("build") => setup::tools(false).and_then(|env| build_page(&env)),
        Some("bench") => bench::bench_cmd(&args[1..]),
        Some("measure") => bench::measure_cmd(),
        Some("size") => size::size_cmd(&args[1..]),
        Some("setup") => setup::tools(args.iter().any(|a| a == "--browser")).map(|_| ()),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The repository's top folder (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs a command in the repository, failing with its name when it fails.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    eprintln!("xtask: $ {shown}");
    let status = cmd
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

fn build_page(env: &setup::Env) -> Result<(), String> {
    setup::editor_bundle(env)?;
    run(Command::new("trunk")
        .args(["build", "--release", "--offline"])
        .env("PATH", &env.path)
        .env("NO_COLOR", "true"))
}

fn serve_cmd(args: &[String]) -> Result<(), String> {
    let port = match args {
        [] => 8080,
        [flag, n] if flag == "--port" => n.parse().map_err(|_| format!("bad port: {n}"))?,
        _ => return Err(USAGE.to_string()),
    };
    let env = setup::tools(false)?;
    build_page(&env)?;
    let server = serve::Server::bind(root().join("dist"), port)?;
    println!(
        "Step Functions Playground: serving at http://{}/",
        server.addr()
    );
    println!("(Ctrl-C to stop)");
    server.run_forever();
    Ok(())
}

fn test_cmd() -> Result<(), String> {
    let env = setup::tools(true)?;
    // Native tests of every crate: the engine, the JSONata evaluator, the CLI, the app's logic.
    run(Command::new("cargo")
        .args(["test", "--workspace"])
        .env("PATH", &env.path))?;
    // The page, built as a user gets it, tested in headless Chromium.
    build_page(&env)?;
    let server = serve::Server::bind(root().join("dist"), 0)?;
    let url = format!("http://{}/", server.addr());
    std::thread::spawn(move || server.run_forever());
    run(Command::new("node")
        .args(["--test", "--test-reporter=spec", "tests/e2e/"])
        .env("PATH", &env.path)
        .env("PLAYGROUND_URL", &url)
        .env("PLAYGROUND_DIST", root().join("dist")))
}
