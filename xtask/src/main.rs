//! Workspace automation, run as `cargo xtask <command>` (the alias is in `.cargo/config.toml`).
//!
//! - `ci` — the checks CI runs, in order: fmt, clippy with `-D warnings`, tests.
//! - `tidy` — repository rules (also enforced by this crate's tests).
//!
//! Arguments are parsed by hand: a handful of sub-commands does not justify compiling an
//! argument parser on every CI run.

mod tidy;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("tidy") => tidy::run(&project_root()),
        Some("help" | "-h" | "--help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <command>

commands:
  ci      fmt check, clippy -D warnings, tidy, tests (what .ci/run runs)
  tidy    check repository rules (module docs, no trailing whitespace)";

/// The workspace root: the parent of this crate's manifest directory.
pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.current_dir(project_root());
    command
}

fn run(step: &str, mut command: Command) -> Result<(), String> {
    eprintln!("xtask ci: {step}");
    let status = command
        .status()
        .map_err(|e| format!("{step}: could not start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{step} failed ({status})"))
    }
}

fn ci() -> Result<(), String> {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    run("cargo fmt --check", fmt)?;
    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    run("cargo clippy", clippy)?;
    tidy::run(&project_root())?;
    let mut test = cargo();
    test.args(["test", "--workspace"]);
    run("cargo test --workspace", test)
}
