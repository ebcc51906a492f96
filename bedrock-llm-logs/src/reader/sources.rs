//! What the sources hold: stdin, files, and directories walked recursively in name order
//! (following symlinks, each file once, loops and special files passed over with a note).

use std::collections::{HashSet, VecDeque};
use std::path::PathBuf;

use super::{ReadItem, Skip};

/// A source to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file or a directory (walked recursively, in name order, following symlinks).
    Path(PathBuf),
    /// Standard input.
    Stdin,
}

impl Source {
    /// `-` is stdin; anything else a path.
    pub fn parse(arg: &str) -> Self {
        if arg == "-" {
            Self::Stdin
        } else {
            Self::Path(PathBuf::from(arg))
        }
    }
}

/// One file the sources hold, in reading order, or something passed over on the way.
#[derive(Debug)]
pub enum Listed {
    /// A file to read.
    File(PathBuf),
    /// Standard input.
    Stdin,
    /// A path that could not be walked, or was passed over (a symlink loop, a socket).
    Item(ReadItem),
}

/// Expands sources into files: directories walked recursively in name order, following
/// symlinks, each file once (by canonical path).
pub(super) struct Walker {
    pub(super) sources: VecDeque<Source>,
    walk: Option<walkdir::IntoIter>,
    /// Files already listed, by canonical path: a file reached twice (two links, a loop, the
    /// same argument twice) is read once.
    seen: HashSet<PathBuf>,
}

impl Walker {
    pub(super) fn new(sources: impl IntoIterator<Item = Source>) -> Self {
        Self {
            sources: sources.into_iter().collect(),
            walk: None,
            seen: HashSet::new(),
        }
    }
}

impl Iterator for Walker {
    type Item = Listed;

    fn next(&mut self) -> Option<Listed> {
        loop {
            if let Some(walk) = &mut self.walk {
                match walk.next() {
                    None => self.walk = None,
                    Some(Err(error)) => {
                        let path = error
                            .path()
                            .map_or_else(String::new, |p| p.display().to_string());
                        // A link back to an ancestor holds nothing new: noted, not an error.
                        let item = match (error.loop_ancestor(), error.io_error()) {
                            (Some(ancestor), _) => Skip::path(
                                path,
                                format!(
                                    "a symlink loop back to {}, not followed",
                                    ancestor.display()
                                ),
                            ),
                            (None, Some(io)) => ReadItem::Unreadable {
                                path,
                                reason: io.to_string(),
                            },
                            (None, None) => ReadItem::Unreadable {
                                path,
                                reason: error.to_string(),
                            },
                        };
                        return Some(Listed::Item(item));
                    }
                    Some(Ok(entry)) => {
                        let kind = entry.file_type();
                        if kind.is_dir() {
                            continue;
                        }
                        let path = entry.path();
                        // Below the top level only regular files: a FIFO or socket in a log
                        // directory would block the walk. A named pipe given by name is read.
                        if entry.depth() > 0 && !kind.is_file() {
                            let reason = "not a regular file".to_owned();
                            return Some(Listed::Item(Skip::path(
                                path.display().to_string(),
                                reason,
                            )));
                        }
                        let canonical =
                            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                        if !self.seen.insert(canonical) {
                            continue;
                        }
                        return Some(Listed::File(path.to_path_buf()));
                    }
                }
                continue;
            }
            match self.sources.pop_front()? {
                Source::Stdin => return Some(Listed::Stdin),
                Source::Path(path) => {
                    self.walk = Some(
                        walkdir::WalkDir::new(path)
                            .follow_links(true)
                            .sort_by_file_name()
                            .into_iter(),
                    );
                }
            }
        }
    }
}

/// The files `sources` hold, in the order a [`LogReader`](super::LogReader) reads them, with
/// what was passed over on the way — to read them one by one, or several at a time.
pub fn list_sources(sources: impl IntoIterator<Item = Source>) -> Vec<Listed> {
    Walker::new(sources).collect()
}
