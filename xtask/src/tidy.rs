//! Repository rules, checked by `cargo xtask tidy` and by this module's tests (so the plain
//! test command enforces them): every Rust file under a crate's `src/` starts with a doc
//! comment, no source file has trailing whitespace or tabs, no file of the core crate is
//! longer than [`CORE_FILE_LINES`] (it is read from its files), and README.md and `.ci/run`
//! name the same test command.

use std::fs;
use std::path::{Path, PathBuf};

const CRATES: &[&str] = &[
    "bedrock-llm-cli",
    "bedrock-llm-core",
    "bedrock-llm-derive",
    "bedrock-llm-emulator",
    "bedrock-llm-events",
    "bedrock-llm-export",
    "bedrock-llm-fuzz",
    "bedrock-llm-logs",
    "bedrock-llm-models",
    "tests",
    "xtask",
];

/// The longest a source file of `bedrock-llm-core` may be, in lines.
const CORE_FILE_LINES: usize = 600;

/// Runs every rule; the error lists each violation on its own line.
pub(crate) fn run(root: &Path) -> Result<(), String> {
    let mut problems = Vec::new();
    for krate in CRATES {
        for file in rust_files(&root.join(krate).join("src")) {
            check_file(root, &file, &mut problems);
        }
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
    let lines = text.lines().count();
    if shown.starts_with("bedrock-llm-core/src/") && lines > CORE_FILE_LINES {
        problems.push(format!(
            "{shown}: {lines} lines; core files stay under {CORE_FILE_LINES} (split it by what \
             its parts do)"
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
    fn a_file_without_docs_is_reported() {
        let dir = std::env::temp_dir().join(format!("xtask-tidy-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("tests/src")).unwrap();
        std::fs::write(dir.join("tests/src/lib.rs"), "fn main() {} \n").unwrap();
        std::fs::create_dir_all(dir.join("bedrock-llm-core/src")).unwrap();
        std::fs::write(
            dir.join("bedrock-llm-core/src/long.rs"),
            "//! Long.\n".repeat(super::CORE_FILE_LINES + 1),
        )
        .unwrap();
        let problems = super::run(&dir).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(problems.contains("doc comment"), "{problems}");
        assert!(
            problems.contains("lib.rs:1: trailing whitespace"),
            "{problems}"
        );
        assert!(problems.contains("long.rs: 601 lines"), "{problems}");
    }
}
