//! Reading invocation-log records from files, directories, gzipped S3 objects, stdin and
//! CloudWatch exports, one record at a time, in bounded memory whatever the input.
//!
//! Accepted per line: a record; a CloudWatch log event (`{"message": "<record>", …}`); a line
//! of a CloudWatch export to S3 (`2024-04-18T22:54:57.000Z {record}`). Accepted per file: NDJSON
//! (plain or gzipped, detected by content, not name) and a pretty-printed document such as
//! `FilterLogEvents` output.
//!
//! Nothing the input holds makes the reader lose what comes after it: a line that is not UTF-8,
//! not JSON, not a record or longer than [`ReadOptions::max_record_bytes`] is skipped and
//! reported with its file and line (consecutive lines skipped for the same reason as one
//! range), and reading goes on with the next line. A wrongly typed metadata field drops that
//! field, not the record. Directories are walked once per file, symlink loops detected, and an
//! entry that cannot be read is reported with its path.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use crate::lenient::DroppedField;

mod format;
mod lines;
mod sources;

use crate::record::ModelInvocationLog;
use lines::{Line, read_capped_line};
use sources::Walker;
pub use sources::{Listed, Source, list_sources};

/// The default cap on one record's size: far above any real record, since Bedrock offloads
/// large bodies to S3 (`inputBodyS3Path`/`outputBodyS3Path`), and small enough that a hostile
/// line cannot exhaust memory.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 32 << 20;

/// How to read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// The largest record (one line, or one multi-line document) read; a larger one is skipped
    /// and reported. Memory stays within about twice this per reader.
    pub max_record_bytes: usize,
    /// Whether skip reasons may quote the start of a wrongly typed value. Off when content
    /// must not be recorded: values in a record can be prompts and completions.
    pub quote_values: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            quote_values: true,
        }
    }
}

impl ReadOptions {
    /// With a record size cap of `bytes`.
    pub fn max_record_bytes(mut self, bytes: usize) -> Self {
        self.max_record_bytes = bytes;
        self
    }

    /// With (or without) input values quoted in skip reasons.
    pub fn quote_values(mut self, quote: bool) -> Self {
        self.quote_values = quote;
        self
    }

    fn quote_chars(&self) -> usize {
        if self.quote_values {
            bedrock_llm_core::QUOTED_VALUE_CHARS
        } else {
            0
        }
    }
}

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

/// A record read.
#[derive(Debug)]
#[non_exhaustive]
pub struct ReadRecord {
    /// Where it starts.
    pub location: Location,
    /// The record.
    pub record: ModelInvocationLog,
    /// The bytes of its JSON.
    pub bytes: usize,
    /// Fields dropped for a wrong type or a value that cannot be represented.
    pub dropped: Vec<DroppedField>,
}

/// Lines skipped for one reason: one line, or a run of lines with nothing read between them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Skip {
    /// The first line skipped.
    pub location: Location,
    /// The last line skipped (the same as the first for one line).
    pub last_line: u64,
    /// How many lines.
    pub lines: u64,
    /// Why.
    pub reason: String,
}

impl Skip {
    /// A path passed over as a whole (line 0): no lines of it were read.
    fn path(file: String, reason: String) -> ReadItem {
        ReadItem::Skipped(Self {
            location: Location { file, line: 0 },
            last_line: 0,
            lines: 0,
            reason,
        })
    }
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.location.line == 0 {
            write!(f, "{}: {}", self.location.file, self.reason)
        } else if self.lines <= 1 {
            write!(f, "{}: {}", self.location, self.reason)
        } else {
            write!(
                f,
                "{}-{}: {} ({} lines)",
                self.location, self.last_line, self.reason, self.lines
            )
        }
    }
}

/// One item read.
#[derive(Debug)]
pub enum ReadItem {
    /// A record.
    Record(Box<ReadRecord>),
    /// Input that is not a record, and why.
    Skipped(Skip),
    /// A path that could not be opened or read to its end, and why (the path is in `path`).
    Unreadable {
        /// The path (`-` for stdin).
        path: String,
        /// What failed.
        reason: String,
    },
}

/// The file being read.
struct Current {
    name: String,
    reader: Box<dyn BufRead>,
    line: u64,
}

/// Streams records from sources, in order.
pub struct LogReader {
    options: ReadOptions,
    walker: Walker,
    current: Option<Current>,
    queued: VecDeque<ReadItem>,
    /// A skip that may still grow into a run.
    pending_skip: Option<Skip>,
    line: Vec<u8>,
    bytes: u64,
}

impl std::fmt::Debug for LogReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogReader")
            .field("options", &self.options)
            .field("sources", &self.walker.sources.len())
            .field("bytes", &self.bytes)
            .finish()
    }
}

impl LogReader {
    /// A reader over `sources` with the default [`ReadOptions`]. Paths are opened, and
    /// directories walked, as they are reached; problems with them come out as
    /// [`ReadItem::Unreadable`].
    pub fn new(sources: impl IntoIterator<Item = Source>) -> Self {
        Self::with_options(sources, ReadOptions::default())
    }

    /// A reader over `sources` with `options`.
    pub fn with_options(sources: impl IntoIterator<Item = Source>, options: ReadOptions) -> Self {
        Self {
            options,
            walker: Walker::new(sources),
            current: None,
            queued: VecDeque::new(),
            pending_skip: None,
            line: Vec::new(),
            bytes: 0,
        }
    }

    /// A reader over one stream of bytes (an S3 object body, a socket, a test's buffer) named
    /// `name` in locations; gzip is detected as for files.
    pub fn from_reader(
        name: impl Into<String>,
        reader: impl Read + 'static,
        options: ReadOptions,
    ) -> Self {
        let mut this = Self::with_options([], options);
        this.start(name.into(), Box::new(reader));
        this
    }

    /// Uncompressed bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// Opens the next file to read, walking directories; `false` when there is none left.
    fn open_next(&mut self) -> bool {
        match self.walker.next() {
            None => false,
            Some(Listed::Stdin) => {
                self.start("-".to_owned(), Box::new(io::stdin()));
                true
            }
            Some(Listed::Item(item)) => {
                self.push(item);
                true
            }
            Some(Listed::File(path)) => {
                let name = path.display().to_string();
                match File::open(&path) {
                    Ok(file) => self.start(name, Box::new(file)),
                    Err(error) => self.push(ReadItem::Unreadable {
                        path: name,
                        reason: format!("cannot open: {error}"),
                    }),
                }
                true
            }
        }
    }

    fn start(&mut self, name: String, raw: Box<dyn Read>) {
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
        self.current = Some(Current {
            name,
            reader,
            line: 0,
        });
    }

    /// Queues a skip, joining it to the run before it when the reason is the same.
    fn skip(&mut self, location: Location, reason: String) {
        if let Some(pending) = &mut self.pending_skip
            && pending.location.file == location.file
            && pending.reason == reason
        {
            pending.last_line = location.line;
            pending.lines += 1;
            return;
        }
        self.flush_skip();
        self.pending_skip = Some(Skip {
            last_line: location.line,
            location,
            lines: 1,
            reason,
        });
    }

    fn flush_skip(&mut self) {
        if let Some(skip) = self.pending_skip.take() {
            self.queued.push_back(ReadItem::Skipped(skip));
        }
    }

    fn push(&mut self, item: ReadItem) {
        self.flush_skip();
        self.queued.push_back(item);
    }

    /// Reads the next line of the current file and interprets it; `false` at its end.
    fn read_line(&mut self) -> bool {
        let cap = self.options.max_record_bytes;
        let Some(current) = &mut self.current else {
            return false;
        };
        let mut buffer = std::mem::take(&mut self.line);
        let read = read_capped_line(current.reader.as_mut(), &mut buffer, cap);
        let line = current.line + 1;
        // One copy of the file name per line read.
        let location = Location {
            file: current.name.clone(),
            line,
        };
        let more = match read {
            Ok(Line::Eof) => false,
            Ok(Line::Text(length)) => {
                current.line = line;
                self.bytes = self.bytes.saturating_add(length);
                if line == 1 && buffer.trim_ascii() == b"{" {
                    self.document(location, &mut buffer);
                } else {
                    self.line(location, &buffer);
                }
                true
            }
            Ok(Line::TooLong(length)) => {
                current.line = line;
                self.bytes = self.bytes.saturating_add(length);
                let reason = format!(
                    "record of {length} bytes is over the limit of {cap} bytes (--max-record-bytes)"
                );
                self.skip(location, reason);
                true
            }
            Err(error) => {
                self.push(ReadItem::Unreadable {
                    path: location.file,
                    reason: format!("read error at line {line}: {error}"),
                });
                false
            }
        };
        self.line = buffer;
        if !more {
            self.current = None;
            self.flush_skip();
        }
        more
    }
}

impl Iterator for LogReader {
    type Item = ReadItem;

    fn next(&mut self) -> Option<ReadItem> {
        loop {
            if let Some(item) = self.queued.pop_front() {
                return Some(item);
            }
            if self.current.is_some() {
                self.read_line();
                continue;
            }
            if !self.open_next() {
                self.flush_skip();
                return self.queued.pop_front();
            }
        }
    }
}
