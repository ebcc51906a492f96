//! `--state FILE`: which sources a run finished, so a re-run skips them. Each source is named
//! by its location (`s3://bucket/key`, a canonical path) and a version (its ETag, or size and
//! modification time): a source that changed since is read again. The file is rewritten whole
//! after every finished source — written to a temporary file beside it, synced, then renamed
//! over it — so a crash leaves either the old state or the new one, never a torn file.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::output::Stop;

/// The finished sources, and where they are kept.
#[derive(Debug)]
pub(crate) struct State {
    path: PathBuf,
    done: BTreeMap<String, String>,
}

impl State {
    /// The state at `path`; empty when the file does not exist yet.
    pub(crate) fn load(path: &Path) -> Result<Self, Stop> {
        let done = match std::fs::read(path) {
            Ok(bytes) => {
                let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
                    format!(
                        "{}: not a state file written by bedrock-llm ({e})",
                        path.display()
                    )
                })?;
                value
                    .get("done")
                    .and_then(Value::as_object)
                    .map(|done| {
                        done.iter()
                            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                            .collect()
                    })
                    .unwrap_or_default()
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display()).into()),
        };
        Ok(Self {
            path: path.to_path_buf(),
            done,
        })
    }

    /// Whether `source` at `version` was finished before.
    pub(crate) fn is_done(&self, source: &str, version: &str) -> bool {
        self.done.get(source).is_some_and(|v| v == version)
    }

    /// Records `source` at `version` as finished, durably.
    pub(crate) fn mark_done(&mut self, source: &str, version: &str) -> Result<(), Stop> {
        self.done.insert(source.to_owned(), version.to_owned());
        let document = json!({"version": 1, "done": self.done});
        let temporary = self.path.with_extension("tmp");
        let written = (|| -> std::io::Result<()> {
            let mut file = std::fs::File::create(&temporary)?;
            file.write_all(document.to_string().as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&temporary, &self.path)
        })();
        written.map_err(|e| Stop::from(format!("cannot write {}: {e}", self.path.display())))
    }
}

/// The version of a local file: its size and modification time.
pub(crate) fn file_version(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!("{}:{}", meta.len(), modified.as_nanos()))
}
