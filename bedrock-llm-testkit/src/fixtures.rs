//! Fixture files from sample files, as a library: each case's `request.json`, `response.json`,
//! and when the sample has them `headers.json` and `chunks.json`, under
//! `{out}/{sample file stem}/{case}/`. [`write()`] brings the tree in line with the samples;
//! [`check()`] lists every file that differs or that no sample gives (for CI). The
//! `bedrock-llm fixtures` command is these two, plus recording from live Bedrock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::sample::{SampleError, SampleFile};

/// Why fixtures could not be written or checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FixturesError {
    /// A sample file could not be used.
    #[error(transparent)]
    Sample(#[from] SampleError),
    /// A folder or file could not be read or written.
    #[error("{path}: {reason}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FixturesError + '_ {
    move |e| FixturesError::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// The `*.json` sample files in `dir`, in name order.
pub fn sample_files(dir: &Path) -> Result<Vec<PathBuf>, FixturesError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files)
}

/// `value` as the fixture and sample files write it: pretty JSON ending in a newline.
pub fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Every fixture file the samples give: path → contents.
pub fn expected(
    samples: &[PathBuf],
    out: &Path,
) -> Result<BTreeMap<PathBuf, String>, FixturesError> {
    let mut expected = BTreeMap::new();
    for path in samples {
        let file = SampleFile::load(path)?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for case in &file.cases {
            let dir = out.join(&stem).join(&case.name);
            expected.insert(dir.join("request.json"), pretty(&case.request));
            expected.insert(dir.join("response.json"), pretty(&case.response));
            if !case.headers.is_empty() {
                expected.insert(dir.join("headers.json"), pretty(&json!(case.headers)));
            }
            if let Some(chunks) = &case.chunks {
                expected.insert(
                    dir.join("chunks.json"),
                    pretty(&Value::Array(chunks.clone())),
                );
            }
        }
    }
    Ok(expected)
}

fn files_below(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            files_below(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every difference between the fixture tree under `out` and what `samples` give, one line
/// each; empty when up to date.
pub fn check(samples: &[PathBuf], out: &Path) -> Result<Vec<String>, FixturesError> {
    let expected = expected(samples, out)?;
    let mut present = Vec::new();
    files_below(out, &mut present);
    let mut drift: Vec<String> = expected
        .iter()
        .filter(|(path, contents)| {
            std::fs::read_to_string(path).ok().as_deref() != Some(contents.as_str())
        })
        .map(|(path, _)| format!("{} differs from the samples", path.display()))
        .collect();
    drift.extend(
        present
            .iter()
            .filter(|p| !expected.contains_key(*p))
            .map(|p| format!("{} is not in the samples", p.display())),
    );
    Ok(drift)
}

/// Writes the fixture tree under `out` from `samples`, removing files no sample gives;
/// returns how many files it holds.
pub fn write(samples: &[PathBuf], out: &Path) -> Result<usize, FixturesError> {
    let expected = expected(samples, out)?;
    let mut present = Vec::new();
    files_below(out, &mut present);
    for stale in present.iter().filter(|p| !expected.contains_key(*p)) {
        std::fs::remove_file(stale).map_err(io(stale))?;
    }
    for (path, contents) in &expected {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(path, contents).map_err(io(path))?;
    }
    Ok(expected.len())
}
