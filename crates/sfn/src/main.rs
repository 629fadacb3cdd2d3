//! The `sfn` command line: runs, validates and tests state machines with the engine.

fn main() {
    eprintln!("sfn: no command yet");
    std::process::exit(2);
}
