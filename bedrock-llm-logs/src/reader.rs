//! Reading invocation-log records from files, directories, gzipped S3 objects, stdin and
//! CloudWatch exports, one record at a time: memory stays flat however large the input
//! (except for a CloudWatch `FilterLogEvents` JSON document, which is one JSON value and is
//! read whole).
//!
//! Accepted per line: a record; a CloudWatch log event (`{"message": "<record>", …}`); a line
//! of a CloudWatch export to S3 (`2024-04-18T22:54:57.000Z {record}`). Accepted per file: NDJSON
//! (plain or gzipped, detected by content, not name) and `FilterLogEvents` output.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::record::ModelInvocationLog;

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file (`-` for stdin).
    pub file: String,
    /// 1-based line number.
    pub line: u64,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One item read.
#[derive(Debug)]
pub enum ReadItem {
    /// A record and the bytes of its line.
    Record(Location, Box<ModelInvocationLog>, usize),
    /// A line that is not a record, and why.
    Skipped(Location, String),
}

/// A source to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file or a directory (walked recursively, in name order).
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

/// Streams records from sources, in order.
pub struct LogReader {
    pending_files: VecDeque<Source>,
    current: Option<(String, Box<dyn BufRead>, u64)>,
    queued: VecDeque<ReadItem>,
    bytes: u64,
}

impl std::fmt::Debug for LogReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogReader")
            .field("pending_files", &self.pending_files.len())
            .field("bytes", &self.bytes)
            .finish()
    }
}

/// A CloudWatch log event or a `FilterLogEvents` document.
#[derive(Deserialize)]
struct CloudWatch {
    message: Option<String>,
    events: Option<Vec<CloudWatchEvent>>,
}

#[derive(Deserialize)]
struct CloudWatchEvent {
    message: String,
}

impl LogReader {
    /// A reader over `sources`; directories are expanded now, files opened as they are reached.
    pub fn new(sources: impl IntoIterator<Item = Source>) -> io::Result<Self> {
        let mut pending_files = VecDeque::new();
        for source in sources {
            match source {
                Source::Path(path) if path.is_dir() => {
                    let mut files = Vec::new();
                    walk(&path, &mut files)?;
                    files.sort();
                    pending_files.extend(files.into_iter().map(Source::Path));
                }
                other => pending_files.push_back(other),
            }
        }
        Ok(Self {
            pending_files,
            current: None,
            queued: VecDeque::new(),
            bytes: 0,
        })
    }

    /// Uncompressed bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    fn open(&mut self, source: Source) -> Result<(), ReadItem> {
        let (name, raw): (String, Box<dyn Read>) = match source {
            Source::Stdin => ("-".to_owned(), Box::new(io::stdin())),
            Source::Path(path) => {
                let name = path.display().to_string();
                match File::open(&path) {
                    Ok(file) => (name, Box::new(file)),
                    Err(error) => {
                        return Err(ReadItem::Skipped(
                            Location {
                                file: name,
                                line: 0,
                            },
                            format!("cannot open: {error}"),
                        ));
                    }
                }
            }
        };
        let mut buffered = BufReader::with_capacity(64 * 1024, raw);
        // Gzip by its magic bytes: S3 objects are `.json.gz`, but names can lie.
        let gzipped = buffered
            .fill_buf()
            .map(|head| head.starts_with(&[0x1f, 0x8b]))
            .unwrap_or(false);
        let reader: Box<dyn BufRead> = if gzipped {
            Box::new(BufReader::with_capacity(
                64 * 1024,
                flate2::bufread::MultiGzDecoder::new(buffered),
            ))
        } else {
            Box::new(buffered)
        };
        self.current = Some((name, reader, 0));
        Ok(())
    }

    /// Interprets one line.
    fn line(&mut self, location: Location, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let json = if text.starts_with('{') {
            text
        } else {
            // A CloudWatch export line: `<timestamp> <record>`.
            match text.split_once(' ') {
                Some((_, rest)) if rest.trim_start().starts_with('{') => rest.trim_start(),
                _ => {
                    self.queued
                        .push_back(ReadItem::Skipped(location, "not a JSON object".to_owned()));
                    return;
                }
            }
        };
        match serde_json::from_str::<ModelInvocationLog>(json) {
            Ok(record) if is_record(&record) => {
                self.queued
                    .push_back(ReadItem::Record(location, Box::new(record), json.len()));
            }
            // Not a record: perhaps a CloudWatch event wrapping one (its numeric `timestamp`
            // fails the record type, so errors are tried too).
            Ok(_) => {
                if !self.cloudwatch(location.clone(), json) {
                    let reason = "not a ModelInvocationLog record".to_owned();
                    self.queued.push_back(ReadItem::Skipped(location, reason));
                }
            }
            Err(error) => {
                if !self.cloudwatch(location.clone(), json) {
                    self.queued.push_back(ReadItem::Skipped(
                        location,
                        format!("malformed record: {error}"),
                    ));
                }
            }
        }
    }

    /// A file whose first line is a lone `{`: one pretty-printed document (`FilterLogEvents`
    /// output) when the whole parses as JSON; otherwise a stray line followed by lines of
    /// their own, read one by one so that nothing after the stray line is lost.
    fn document_or_lines(&mut self, location: Location, first: &str, rest: &str) {
        let document = format!("{}{rest}", first.trim());
        if serde_json::from_str::<serde::de::IgnoredAny>(&document).is_ok() {
            self.line(location, &document.replace('\n', " "));
            return;
        }
        let file = location.file.clone();
        self.line(location, first);
        for (index, text) in rest.lines().enumerate() {
            let line = index as u64 + 2;
            self.line(
                Location {
                    file: file.clone(),
                    line,
                },
                text,
            );
        }
    }

    /// A CloudWatch event (`{"message": …}`) or `FilterLogEvents` output (`{"events": […]}`).
    /// Reads `json` as a CloudWatch event or `FilterLogEvents` output; `false` when it is neither.
    fn cloudwatch(&mut self, location: Location, json: &str) -> bool {
        let Ok(wrapper) = serde_json::from_str::<CloudWatch>(json) else {
            return false;
        };
        let messages: Vec<String> = match (wrapper.message, wrapper.events) {
            (Some(message), _) => vec![message],
            (None, Some(events)) => events.into_iter().map(|e| e.message).collect(),
            (None, None) => return false,
        };
        for message in messages {
            match serde_json::from_str::<ModelInvocationLog>(&message) {
                Ok(record) if is_record(&record) => {
                    self.queued.push_back(ReadItem::Record(
                        location.clone(),
                        Box::new(record),
                        message.len(),
                    ));
                }
                Ok(_) => self.queued.push_back(ReadItem::Skipped(
                    location.clone(),
                    "log event is not a ModelInvocationLog record".to_owned(),
                )),
                Err(error) => self.queued.push_back(ReadItem::Skipped(
                    location.clone(),
                    format!("malformed record in log event: {error}"),
                )),
            }
        }
        true
    }
}

fn is_record(record: &ModelInvocationLog) -> bool {
    record.schema_type.is_some() || record.model_id.is_some() || record.operation.is_some()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

impl Iterator for LogReader {
    type Item = ReadItem;

    fn next(&mut self) -> Option<ReadItem> {
        loop {
            if let Some(item) = self.queued.pop_front() {
                return Some(item);
            }
            let Some((name, reader, line_number)) = &mut self.current else {
                let source = self.pending_files.pop_front()?;
                if let Err(skipped) = self.open(source) {
                    return Some(skipped);
                }
                continue;
            };
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) => self.current = None,
                Ok(n) => {
                    *line_number += 1;
                    self.bytes += n as u64;
                    let location = Location {
                        file: name.clone(),
                        line: *line_number,
                    };
                    // A pretty-printed JSON document (FilterLogEvents output): read it whole.
                    if *line_number == 1 && line.trim() == "{" {
                        let mut rest = String::new();
                        let read = reader.read_to_string(&mut rest);
                        self.bytes += rest.len() as u64;
                        self.current = None;
                        match read {
                            Ok(_) => self.document_or_lines(location, &line, &rest),
                            Err(error) => self.queued.push_back(ReadItem::Skipped(
                                location,
                                format!("read error: {error}"),
                            )),
                        }
                        continue;
                    }
                    self.line(location, &line);
                }
                Err(error) => {
                    let location = Location {
                        file: name.clone(),
                        line: *line_number + 1,
                    };
                    self.current = None;
                    return Some(ReadItem::Skipped(location, format!("read error: {error}")));
                }
            }
        }
    }
}
