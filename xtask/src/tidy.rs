//! Repository rules, checked by `cargo xtask tidy` and by this module's tests (so the plain
//! test command enforces them), for every workspace member as `cargo metadata` lists them (no
//! hand-kept copy of the list): every Rust file under a crate's `src/` starts with a doc
//! comment; no source file has trailing whitespace or tabs; no library, binary, bench or
//! build file is longer than [`MAX_FILE_LINES`] (integration tests and fixtures may be); every
//! public item has one path (a `pub mod` is a namespace, so nothing in it is re-exported —
//! [`check_one_path`]); no crate's modules import each other in a circle
//! ([`crate::circles`]); the evolution policy's types are or are not `#[non_exhaustive]` as it
//! says ([`crate::evolution`]); and README.md and `.ci/run` name the same test command.

use std::fs;
use std::path::{Path, PathBuf};

/// The longest a Rust file outside tests and fixtures may be, in lines.
const MAX_FILE_LINES: usize = 600;

/// The cross-crate test crate: all of it is tests and fixtures.
const TEST_CRATE: &str = "tests";

/// Runs every rule; the error lists each violation on its own line.
pub(crate) fn run(root: &Path) -> Result<(), String> {
    let mut problems = Vec::new();
    let metadata = metadata(root)?;
    check_layers(&metadata, &mut problems);
    let members = members(&metadata);
    if members.is_empty() {
        return Err("cargo metadata listed no workspace member".to_owned());
    }
    for member in &members {
        let root_modules = fs::read_to_string(member.join("src/lib.rs"))
            .map(|text| public_modules(&text))
            .unwrap_or_default();
        for file in rust_files(&member.join("src")) {
            check_file(root, &file, &mut problems);
            check_one_path(root, &file, &root_modules, &mut problems);
        }
        for circle in crate::circles::circles(&member.join("src")) {
            let shown = member.strip_prefix(root).unwrap_or(member).display();
            problems.push(format!("{shown}: import circle: {circle}"));
        }
        let capped = member.file_name().is_some_and(|name| name != TEST_CRATE);
        for file in rust_files(member).into_iter().filter(|_| capped) {
            check_length(root, &file, &mut problems);
        }
    }
    let sources: Vec<PathBuf> = members
        .iter()
        .flat_map(|member| rust_files(&member.join("src")))
        .collect();
    if members.iter().any(|m| m.ends_with("bedrock-llm-core")) {
        crate::evolution::check(root, &sources, &mut problems);
    }
    check_test_command(root, &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("tidy found problems:\n{}", problems.join("\n")))
    }
}

fn check_file(root: &Path, file: &Path, problems: &mut Vec<String>) {
    let shown = file
        .strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string();
    let Ok(text) = fs::read_to_string(file) else {
        problems.push(format!("{shown}: not readable as UTF-8"));
        return;
    };
    if !text.trim_start().starts_with("//!") {
        problems.push(format!(
            "{shown}: must start with a `//!` doc comment saying what lives there"
        ));
    }
    for (number, line) in text.lines().enumerate() {
        if line.ends_with(' ') || line.contains('\t') {
            problems.push(format!(
                "{shown}:{}: trailing whitespace or tab",
                number + 1
            ));
        }
    }
}

/// `cargo metadata` for the workspace's own packages.
fn metadata(root: &Path) -> Result<serde_json::Value, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))
}

/// The workspace members' directories.
fn members(metadata: &serde_json::Value) -> Vec<PathBuf> {
    let mut members: Vec<PathBuf> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|package| package["manifest_path"].as_str())
        .filter_map(|manifest| Path::new(manifest).parent().map(Path::to_path_buf))
        .collect();
    members.sort();
    members
}

/// The crates below the model adapters: none may know a model family, so none depends on
/// `bedrock-llm-models` (its tests may).
const FAMILY_FREE: [&str; 6] = [
    "bedrock-llm-core",
    "bedrock-llm-derive",
    "bedrock-llm-events",
    "bedrock-llm-logs",
    "bedrock-llm-export",
    "bedrock-llm-testkit",
];

/// Data flows one way: no family-free crate depends (outside its tests) on the adapters.
fn check_layers(metadata: &serde_json::Value, problems: &mut Vec<String>) {
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let name = package["name"].as_str().unwrap_or_default();
        if !FAMILY_FREE.contains(&name) {
            continue;
        }
        let knows_families = package["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|dep| dep["name"] == "bedrock-llm-models" && dep["kind"] != "dev");
        if knows_families {
            problems.push(format!(
                "{name}: depends on bedrock-llm-models, but nothing below the adapters may know a model family"
            ));
        }
    }
}

/// A file outside `tests/` (and fixtures) stays under [`MAX_FILE_LINES`].
fn check_length(root: &Path, file: &Path, problems: &mut Vec<String>) {
    let shown = file.strip_prefix(root).unwrap_or(file);
    let exempt = shown.components().any(|part| {
        matches!(
            part.as_os_str().to_str(),
            Some("tests" | "fixtures" | "target")
        )
    });
    if exempt {
        return;
    }
    let lines = fs::read_to_string(file).map_or(0, |text| text.lines().count());
    if lines > MAX_FILE_LINES {
        problems.push(format!(
            "{}: {lines} lines; files stay under {MAX_FILE_LINES} (split it by what its parts do)",
            shown.display()
        ));
    }
}

/// The modules a file declares `pub mod` (with or without attributes before them).
fn public_modules(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("pub mod "))
        .filter_map(|rest| rest.strip_suffix(';'))
        .map(|name| name.trim().to_owned())
        .collect()
}

/// One path per public item: a crate's modules are either private, their items re-exported at
/// the crate root (the façade), or public namespaces nothing is re-exported from. So a
/// `pub use` may not reach into a `pub mod` of its own file, nor (through `crate::`) into a
/// `pub mod` of the crate root. (`pub(crate) use` is not a path outside the crate.)
fn check_one_path(root: &Path, file: &Path, root_modules: &[String], problems: &mut Vec<String>) {
    let Ok(text) = fs::read_to_string(file) else {
        return;
    };
    let local = public_modules(&text);
    for (number, line) in text.lines().enumerate() {
        let Some(path) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let path = path.trim_end_matches(';');
        let path = path.strip_prefix("self::").unwrap_or(path);
        let mut segments = path.split("::");
        let first = segments.next().unwrap_or_default();
        let second = segments.next().unwrap_or_default();
        let reached = if first == "crate" {
            root_modules.iter().any(|m| m == second)
        } else {
            local.iter().any(|m| m == first)
        };
        if reached {
            problems.push(format!(
                "{}:{}: `pub use {path}` gives an item of a public module a second path; \
                 make the module private (re-exported at the root) or drop the re-export",
                file.strip_prefix(root).unwrap_or(file).display(),
                number + 1
            ));
        }
    }
}

/// The README's test command is the one `.ci/run` runs, so both stay true together.
const TEST_COMMAND: &str = "cargo test --workspace";

fn check_test_command(root: &Path, problems: &mut Vec<String>) {
    for (file, what) in [
        ("README.md", "README's test command"),
        (".ci/run", "CI script"),
    ] {
        let has_line = fs::read_to_string(root.join(file))
            .map(|text| text.lines().any(|line| line.trim() == TEST_COMMAND))
            .unwrap_or(false);
        if !has_line {
            problems.push(format!(
                "{file}: the {what} must be the line `{TEST_COMMAND}`"
            ));
        }
    }
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    crate::files_under(dir)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn repository_is_tidy() {
        if let Err(problems) = super::run(&crate::project_root()) {
            panic!("{problems}");
        }
    }

    #[test]
    fn a_crate_below_the_adapters_may_not_depend_on_them_except_in_tests() {
        let metadata = serde_json::json!({"packages": [
            {"name": "bedrock-llm-events", "dependencies": [
                {"name": "bedrock-llm-models", "kind": null}]},
            {"name": "bedrock-llm-logs", "dependencies": [
                {"name": "bedrock-llm-models", "kind": "dev"}]},
            {"name": "bedrock-llm-cli", "dependencies": [
                {"name": "bedrock-llm-models", "kind": null}]}
        ]});
        let mut problems = Vec::new();
        super::check_layers(&metadata, &mut problems);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("bedrock-llm-events: depends on bedrock-llm-models"));
    }

    #[test]
    fn every_members_files_are_checked_and_capped_outside_tests() {
        let dir = std::env::temp_dir().join(format!("xtask-tidy-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let write = |path: &str, text: &str| {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "Cargo.toml",
            "[workspace]\nmembers = [\"tests\", \"kit\"]\nresolver = \"3\"\n",
        );
        for member in ["tests", "kit"] {
            write(
                &format!("{member}/Cargo.toml"),
                &format!(
                    "[package]\nname = \"{member}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n"
                ),
            );
        }
        write("tests/src/lib.rs", "fn main() {} \n");
        // A public module re-exported at the root, directly and through `crate::`.
        write(
            "kit/src/twice.rs",
            "//! Twice.\npub use crate::shown::Thing;\npub(crate) use crate::shown::Other;\n",
        );
        let long = "//! Long.\n".repeat(super::MAX_FILE_LINES + 1);
        write(
            "kit/src/lib.rs",
            &format!(
                "{long}pub mod shown;\nmod twice;\npub use shown::Thing;\npub use twice::X;\n"
            ),
        );
        write("kit/benches/long.rs", &long);
        // Tests and fixtures may be long.
        write("kit/tests/long.rs", &long);
        write("tests/src/long.rs", &long);
        let problems = super::run(&dir).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            problems.contains("tests/src/lib.rs: must start with a `//!`"),
            "{problems}"
        );
        assert!(
            problems.contains("lib.rs:1: trailing whitespace"),
            "{problems}"
        );
        assert!(problems.contains("kit/src/lib.rs: 605 lines"), "{problems}");
        assert!(
            problems.contains("kit/src/lib.rs:604: `pub use shown::Thing`"),
            "{problems}"
        );
        assert!(
            problems.contains("kit/src/twice.rs:2: `pub use crate::shown::Thing`"),
            "{problems}"
        );
        // Private modules behind the root, and crate-visible re-exports, are one path.
        assert!(!problems.contains("twice::X"), "{problems}");
        assert!(!problems.contains("Other"), "{problems}");
        assert!(
            problems.contains("kit/benches/long.rs: 601 lines"),
            "{problems}"
        );
        assert!(!problems.contains("kit/tests/long.rs"), "{problems}");
        assert!(!problems.contains("tests/src/long.rs: 601"), "{problems}");
    }
}
