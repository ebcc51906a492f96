//! Workspace automation, run as `cargo xtask <command>` (the alias is in `.cargo/config.toml`).
//!
//! - `ci` — the checks CI runs, in order: fmt, clippy with `-D warnings`, tidy, fixtures, a
//!   short fuzz run, tests.
//! - `tidy` — repository rules (also enforced by this crate's tests).
//! - `fixtures [--check | --record]` — synthesized fixtures from the prebuilt adapters.
//! - `bench [--quick]` — our cost next to the parse floor and the Python peers.
//! - `fuzz [--cases N] [--seed S] [--replay DIR]` — the fuzz harness, built optimized with
//!   overflow checks on.
//! - `newest-deps` — clippy against the newest semver-compatible dependencies, in a scratch
//!   copy (the committed `Cargo.lock` is left alone).
//!
//! Arguments are parsed by hand: a handful of sub-commands does not justify compiling an
//! argument parser on every CI run.

mod bench;
mod circles;
mod evolution;
mod fixtures;
mod newest;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("tidy") => tidy::run(&project_root()),
        Some("fixtures") => fixtures::run(&project_root(), &args[1..]),
        Some("bench") => bench::run(&project_root(), &args[1..]),
        Some("fuzz") => fuzz(&args[1..]),
        Some("newest-deps") => newest::run(&project_root()),
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
  ci      fmt check, clippy -D warnings, tidy, fixtures, a short fuzz run, tests (what
          .ci/run runs)
  tidy    check repository rules (module docs, no trailing whitespace)
  fixtures [--check | --record]
          write the synthesized fixtures from the adapters' samples; --check fails when the
          committed ones are stale; --record re-records bodies from live Bedrock (needs AWS
                    credentials and the AWS CLI; billed)
  bench [--quick] [--compare BASE.json]
          criterion benches and the Python peers on the same fixtures, side by side; writes
          target/bench/summary.md and its ratios to target/bench/summary.json (needs Python
          3.10+ and ../shared); --compare prints each ratio's change against a saved
          summary.json and fails when one got worse beyond the run-to-run spread
  fuzz [--cases N] [--seed S] [--replay DIR]
          mutated and generated inputs through every entry point that takes untrusted bytes,
          in an optimized build with overflow checks; prints cases/s; a panic is shrunk,
          printed and saved under target/fuzz/ (default 100000 cases)
  newest-deps
          clippy -D warnings with every dependency at its newest compatible version, in a
          copy under target/newest-deps (Cargo.lock is not changed): a deprecation in a
          dependency's next release shows up before a user's `cargo update` meets it";

/// The workspace root: the parent of this crate's manifest directory.
pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Every file below `dir`, recursively, sorted; none when `dir` is missing.
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for path in entries.flatten().map(|entry| entry.path()) {
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.current_dir(project_root());
    command
}

/// Runs `command`, failing with `what` if it fails or is still running after `limit`.
pub(crate) fn run_with_limit(
    mut command: Command,
    limit: std::time::Duration,
    what: &str,
) -> Result<(), String> {
    // In a process group of its own, so that a limit reached stops what it started too (cargo
    // runs the bench binary as its child; killing cargo alone left that running).
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .spawn()
        .map_err(|e| format!("{what}: could not start: {e}"))?;
    let started = std::time::Instant::now();
    loop {
        match child.try_wait().map_err(|e| format!("{what}: {e}"))? {
            Some(status) if status.success() => return Ok(()),
            Some(status) => return Err(format!("{what} failed ({status})")),
            None if started.elapsed() > limit => {
                // The group is signalled by the `kill` command: the workspace forbids the unsafe
                // a direct `killpg` call would need.
                #[cfg(unix)]
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .status();
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{what} did not finish within {} s",
                    limit.as_secs()
                ));
            }
            None => std::thread::sleep(std::time::Duration::from_millis(200)),
        }
    }
}

/// `cargo xtask fuzz`: the harness crate built with the `fuzz` profile, arguments passed on.
fn fuzz(args: &[String]) -> Result<(), String> {
    let mut command = cargo();
    command
        .args([
            "run",
            "--quiet",
            "--profile",
            "fuzz",
            "-p",
            "bedrock-llm-fuzz",
            "--",
        ])
        .args(args);
    run("cargo xtask fuzz", command)
}

fn run(step: &str, mut command: Command) -> Result<(), String> {
    eprintln!("xtask: {step}");
    let status = command
        .status()
        .map_err(|e| format!("{step}: could not start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{step} failed ({status})"))
    }
}

/// Clippy as CI runs it: every target of every crate, warnings denied.
pub(crate) const CLIPPY: [&str; 6] = [
    "clippy",
    "--workspace",
    "--all-targets",
    "--",
    "-D",
    "warnings",
];

fn ci() -> Result<(), String> {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    run("cargo fmt --check", fmt)?;
    let mut clippy = cargo();
    clippy.args(CLIPPY);
    run("cargo clippy", clippy)?;
    tidy::run(&project_root())?;
    fixtures::run(&project_root(), &["--check".to_owned()])?;
    fuzz(&["--cases", "30000", "--seed", "20261201"].map(str::to_owned))?;
    let mut test = cargo();
    test.args(["test", "--workspace"]);
    run("cargo test --workspace", test)
}
