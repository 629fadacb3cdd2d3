//! Installs what building and testing need, each tool only when it is missing or at the wrong version.

use crate::{root, run};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

/// Trunk's last release that builds with Rust 1.95 (see shared/reference/TOOLCHAIN.md).
const TRUNK_VERSION: &str = "0.21.14";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// What later steps need: a PATH with the installed tools first.
pub struct Env {
    pub path: OsString,
}

/// Makes sure every tool is there; with `browser`, Chromium and its driver too.
pub fn tools(browser: bool) -> Result<Env, String> {
    let cargo_bin = cargo_home().join("bin");
    let node_bin = root().join("node_modules").join(".bin");
    let mut dirs = vec![node_bin, cargo_bin];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let path = std::env::join_paths(dirs).map_err(|e| format!("bad PATH: {e}"))?;
    let env = Env { path };

    wasm_target()?;
    trunk(&env)?;
    wasm_bindgen(&env)?;
    node_packages(&env)?;
    if browser {
        chromium()?;
    }
    Ok(env)
}

fn cargo_home() -> PathBuf {
    if let Some(h) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(h);
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| OsString::from("/root"));
    PathBuf::from(home).join(".cargo")
}

/// The first line a command prints, or None when it cannot run.
fn output_of(env: &Env, program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .env("PATH", &env.path)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    Some(text.trim().to_string())
}

fn wasm_target() -> Result<(), String> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("cannot run rustup: {e}"))?;
    if String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.trim() == WASM_TARGET)
    {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

fn trunk(env: &Env) -> Result<(), String> {
    if output_of(env, "trunk", &["--version"]).as_deref() == Some(&format!("trunk {TRUNK_VERSION}"))
    {
        return Ok(());
    }
    eprintln!(
        "xtask: installing trunk {TRUNK_VERSION} from crates.io (takes several minutes once)"
    );
    run(Command::new("cargo")
        .args(["install", "--locked", "trunk", "--version", TRUNK_VERSION])
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"))
}

/// The wasm-bindgen version Cargo.lock resolves: the CLI must match it exactly.
fn locked_wasm_bindgen() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    Err("Cargo.lock has no wasm-bindgen".into())
}

fn wasm_bindgen(env: &Env) -> Result<(), String> {
    let version = locked_wasm_bindgen()?;
    let trunk_toml = std::fs::read_to_string(root().join("Trunk.toml"))
        .map_err(|e| format!("cannot read Trunk.toml: {e}"))?;
    if !trunk_toml.contains(&format!("wasm_bindgen = \"{version}\"")) {
        return Err(format!(
            "Trunk.toml's [tools] wasm_bindgen must be \"{version}\", the version Cargo.lock resolves"
        ));
    }
    if output_of(env, "wasm-bindgen", &["--version"]).as_deref()
        == Some(&format!("wasm-bindgen {version}"))
    {
        return Ok(());
    }
    eprintln!("xtask: installing wasm-bindgen-cli {version} from crates.io (a few minutes once)");
    run(Command::new("cargo")
        .args([
            "install",
            "--force",
            "wasm-bindgen-cli",
            "--version",
            &version,
        ])
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"))
}

/// npm packages: binaryen's wasm-opt 132 (Debian's 108 breaks the page), playwright-core and esbuild.
fn node_packages(env: &Env) -> Result<(), String> {
    if output_of(env, "npm", &["--version"]).is_none() {
        apt_install(&["nodejs", "npm"])?;
    }
    let lock = std::fs::read(root().join("package-lock.json"))
        .map_err(|e| format!("cannot read package-lock.json: {e}"))?;
    let stamp_path = root().join("node_modules").join(".xtask-lock-stamp");
    let want = fingerprint(&lock);
    if std::fs::read_to_string(&stamp_path).ok().as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .env("PATH", &env.path))?;
    std::fs::write(&stamp_path, want).map_err(|e| format!("cannot write {stamp_path:?}: {e}"))
}

/// esbuild's arguments for the editor bundle (`cargo xtask size` bundles with them too).
pub const EDITOR_ARGS: [&str; 8] = [
    "src/editor/editor.js",
    "--bundle",
    "--minify",
    "--format=iife",
    "--global-name=SfnEditor",
    "--target=es2020",
    "--legal-comments=none",
    "--log-level=warning",
];

/// The page's editor: src/editor/editor.js (no dependencies) bundled and minified by esbuild into
/// one script that index.html hands to Trunk. Rebuilt only when its inputs changed.
pub fn editor_bundle(env: &Env) -> Result<(), String> {
    const OUT: &str = "target/editor/sfn-editor.js";
    let mut inputs = Vec::new();
    for file in ["src/editor/editor.js", "package-lock.json"] {
        inputs.extend(
            std::fs::read(root().join(file)).map_err(|e| format!("cannot read {file}: {e}"))?,
        );
    }
    inputs.extend(EDITOR_ARGS.join(" ").bytes());
    let want = fingerprint(&inputs);
    let out = root().join(OUT);
    let stamp_path = root().join("target/editor/.xtask-stamp");
    if out.is_file() && std::fs::read_to_string(&stamp_path).ok().as_deref() == Some(want.as_str())
    {
        return Ok(());
    }
    run(Command::new("esbuild")
        .args(EDITOR_ARGS)
        .arg(format!("--outfile={OUT}"))
        .env("PATH", &env.path))?;
    std::fs::write(&stamp_path, want).map_err(|e| format!("cannot write {stamp_path:?}: {e}"))
}

/// A cheap content fingerprint (FNV-1a) to notice a changed lock file.
fn fingerprint(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}-{}", bytes.len())
}

fn chromium() -> Result<(), String> {
    let have = |p: &str| std::path::Path::new(p).exists();
    if have("/usr/bin/chromium") && have("/usr/bin/chromedriver") {
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver"])
}

fn apt_install(packages: &[&str]) -> Result<(), String> {
    eprintln!("xtask: installing {} from Debian", packages.join(" "));
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}
