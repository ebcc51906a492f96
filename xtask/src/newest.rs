//! `cargo xtask newest-deps`: clippy against the newest dependency versions the manifests
//! allow, so a deprecation or break in a semver-compatible release shows up here before a user
//! meets it on their first `cargo update` — without touching the committed `Cargo.lock`.
//!
//! The tracked files are copied to `target/newest-deps/src`, `cargo update` runs in the copy
//! (with its own target directory), then `cargo clippy --workspace --all-targets -D warnings`.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Clippy in a fresh copy of the workspace with every dependency at its newest compatible
/// version. The copy keeps its target directory between runs, so a second run only rebuilds
/// what changed.
pub(crate) fn run(root: &Path) -> Result<(), String> {
    let scratch = root.join("target").join("newest-deps");
    let copy = scratch.join("src");
    if copy.exists() {
        std::fs::remove_dir_all(&copy).map_err(|e| format!("{}: {e}", copy.display()))?;
    }
    for file in tracked_files(root)? {
        let from = root.join(&file);
        // A file deleted in the work tree but still in the index is not part of the build.
        if !from.is_file() {
            continue;
        }
        let to = copy.join(&file);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::copy(&from, &to).map_err(|e| format!("{}: {e}", from.display()))?;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let in_copy = |args: &[&str]| {
        let mut command = Command::new(&cargo);
        command
            .current_dir(&copy)
            .env("CARGO_TARGET_DIR", scratch.join("target"))
            .args(args);
        command
    };
    crate::run_with_limit(
        in_copy(&["update"]),
        Duration::from_secs(600),
        "cargo update (in the copy)",
    )?;
    let changed = lock_changes(&root.join("Cargo.lock"), &copy.join("Cargo.lock"));
    eprintln!("xtask: newest-deps: {changed} package versions differ from Cargo.lock");
    crate::run_with_limit(
        in_copy(&crate::CLIPPY),
        Duration::from_secs(3600),
        "cargo clippy with the newest compatible dependencies",
    )
}

/// The files git tracks (and new files it does not ignore), relative to `root`.
fn tracked_files(root: &Path) -> Result<Vec<String>, String> {
    let output = Command::new("git")
        .current_dir(root)
        .args([
            "ls-files",
            "--cached",
            "--others",
            "--exclude-standard",
            "-z",
        ])
        .output()
        .map_err(|e| format!("git ls-files: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "git ls-files failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(output
        .stdout
        .split(|b| *b == 0)
        .filter(|name| !name.is_empty())
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .filter(|name| !name.starts_with("target/"))
        .collect())
}

/// How many `name version` pairs of one lock file the other lacks.
fn lock_changes(committed: &Path, updated: &Path) -> usize {
    let packages = |path: &Path| -> Vec<String> {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let mut out = Vec::new();
        let mut name = None;
        for line in text.lines() {
            if let Some(value) = line.strip_prefix("name = ") {
                name = Some(value.trim_matches('"').to_owned());
            } else if let (Some(value), Some(n)) = (line.strip_prefix("version = "), name.take()) {
                out.push(format!("{n} {}", value.trim_matches('"')));
            }
        }
        out
    };
    let before = packages(committed);
    packages(updated)
        .iter()
        .filter(|package| !before.contains(package))
        .count()
}
