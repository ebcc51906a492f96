//! `--state FILE`: which sources a run finished, so a re-run skips them. Each source is named
//! by its location (`s3://bucket/key`, a canonical path) and a version (its ETag, or size and
//! modification time): a source that changed since is read again.
//!
//! The file is checked before it is trusted — at most [`MAX_STATE_BYTES`], a JSON object of
//! this program's schema and version — and refused with a message otherwise, never overwritten.
//! A lock (`FILE.lock`, held for the run) keeps a second run from writing it at the same time.
//! It is rewritten whole after every finished source, through a temporary file of this process's
//! own (`FILE.PID.tmp`: synced, then renamed over it), so a crash or a full disk leaves either
//! the old state or the new one, never a torn file, and no leftover that stops a later run.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::output::Stop;

/// The largest state file read: far beyond any real one (a million sources is ~200 MB less).
pub(crate) const MAX_STATE_BYTES: u64 = 64 << 20;

/// The schema version this program writes and reads.
const VERSION: u64 = 1;

/// The finished sources, and where they are kept.
#[derive(Debug)]
pub(crate) struct State {
    path: PathBuf,
    done: BTreeMap<String, String>,
    /// Sources a stopped run got part of the way through: version and records delivered.
    partial: BTreeMap<String, (String, u64)>,
    /// Held for the run: another run on the same file is refused.
    _lock: File,
}

impl State {
    /// The state at `path`, locked for this run; empty when the file does not exist yet.
    pub(crate) fn load(path: &Path) -> Result<Self, Stop> {
        let lock = lock(path)?;
        let (done, partial) = match File::open(path) {
            Ok(file) => read(path, file)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Default::default(),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display()).into()),
        };
        Ok(Self {
            path: path.to_path_buf(),
            done,
            partial,
            _lock: lock,
        })
    }

    /// Whether `source` at `version` was finished before.
    pub(crate) fn is_done(&self, source: &str, version: &str) -> bool {
        self.done.get(source).is_some_and(|v| v == version)
    }

    /// The version `source` was last finished at (a follower's position), if any.
    pub(crate) fn version_of(&self, source: &str) -> Option<&str> {
        self.done.get(source).map(String::as_str)
    }

    /// Records a stopped run delivered of each source, for the sources it got part of the way
    /// through: `source → (version, records)`.
    pub(crate) fn partial(&self) -> &BTreeMap<String, (String, u64)> {
        &self.partial
    }

    /// Records `source` at `version` as finished, durably.
    pub(crate) fn mark_done(&mut self, source: &str, version: &str) -> Result<(), Stop> {
        self.partial.remove(source);
        self.done.insert(source.to_owned(), version.to_owned());
        self.write()
    }

    /// Records that the first `records` records of `source` at `version` were delivered (a
    /// stopped run), durably: a re-run goes on after them.
    pub(crate) fn mark_partial(
        &mut self,
        source: &str,
        version: &str,
        records: u64,
    ) -> Result<(), Stop> {
        self.partial
            .insert(source.to_owned(), (version.to_owned(), records));
        self.write()
    }

    fn write(&self) -> Result<(), Stop> {
        let partial: BTreeMap<&String, Value> = self
            .partial
            .iter()
            .map(|(source, (version, records))| {
                (source, json!({"version": version, "records": records}))
            })
            .collect();
        let document = json!({"version": VERSION, "done": self.done, "partial": partial});
        let temporary = temporary_path(&self.path);
        let written = (|| -> std::io::Result<()> {
            let mut file = File::create(&temporary)?;
            file.write_all(document.to_string().as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&temporary, &self.path)
        })();
        written.map_err(|e| {
            // A full disk leaves the old state and no temporary behind.
            let _ = std::fs::remove_file(&temporary);
            Stop::from(format!(
                "cannot write {}: {e} (the state as of the last finished source is kept)",
                self.path.display()
            ))
        })
    }
}

/// `FILE.PID.tmp`: no two processes write the same temporary.
fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
}

/// Takes `FILE.lock` for the run, or says who holds it.
fn lock(path: &Path) -> Result<File, Stop> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    let lock_path = path.with_file_name(name);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("cannot open {}: {e}", lock_path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "{} is in use by another bedrock-llm run (locked through {}); give each run its own --state file",
            path.display(),
            lock_path.display()
        )
        .into()),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(format!("cannot lock {}: {e}", lock_path.display()).into())
        }
    }
}

/// The finished sources in `file` and the partly read ones, checked: size, schema, version.
type Sources = (BTreeMap<String, String>, BTreeMap<String, (String, u64)>);

fn read(path: &Path, file: File) -> Result<Sources, Stop> {
    let refuse = |why: String| -> Stop {
        format!(
            "{}: {why}; not a state file this bedrock-llm can use (it is left as it is: give --state another file)",
            path.display()
        )
        .into()
    };
    let mut bytes = Vec::new();
    file.take(MAX_STATE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_STATE_BYTES {
        return Err(refuse(format!("larger than {} MiB", MAX_STATE_BYTES >> 20)));
    }
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|e| refuse(format!("not JSON ({e})")))?;
    let version = value.get("version").and_then(Value::as_u64);
    match version {
        Some(VERSION) => {}
        Some(other) => {
            return Err(refuse(format!(
                "schema version {other} (this program writes {VERSION})"
            )));
        }
        None => return Err(refuse("no schema version".to_owned())),
    }
    let done = value
        .get("done")
        .and_then(Value::as_object)
        .ok_or_else(|| refuse("no `done` object".to_owned()))?;
    let done = done
        .iter()
        .map(|(source, version)| match version.as_str() {
            Some(version) => Ok((source.clone(), version.to_owned())),
            None => Err(refuse(format!("the version of {source:?} is not a string"))),
        })
        .collect::<Result<_, _>>()?;
    let partial = match value.get("partial") {
        None => BTreeMap::new(),
        Some(partial) => partial
            .as_object()
            .ok_or_else(|| refuse("`partial` is not an object".to_owned()))?
            .iter()
            .map(|(source, entry)| {
                let version = entry.get("version").and_then(Value::as_str);
                let records = entry.get("records").and_then(Value::as_u64);
                match (version, records) {
                    (Some(version), Some(records)) => {
                        Ok((source.clone(), (version.to_owned(), records)))
                    }
                    _ => Err(refuse(format!(
                        "the progress of {source:?} is not readable"
                    ))),
                }
            })
            .collect::<Result<_, _>>()?,
    };
    Ok((done, partial))
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
