//! Writing to stdout and stderr the way Unix tools do: a reader that goes away (`| head`) ends
//! the command quietly, a write that fails otherwise (`> /dev/full`) is an error with a
//! message, and nothing panics — `println!` and `eprintln!` do, on both.

use std::io::{self, BufWriter, IsTerminal, StdoutLock, Write};

/// Why output stopped.
#[derive(Debug)]
pub(crate) enum Stop {
    /// Whoever read stdout closed it: stop without a word, as `cat` and `grep` do.
    Closed,
    /// The command failed; the message says why.
    Failed(String),
}

impl From<String> for Stop {
    fn from(message: String) -> Self {
        Self::Failed(message)
    }
}

impl From<&str> for Stop {
    fn from(message: &str) -> Self {
        Self::Failed(message.to_owned())
    }
}

/// A write to stdout that failed, classified.
pub(crate) fn stdout_error(error: io::Error) -> Stop {
    if error.kind() == io::ErrorKind::BrokenPipe {
        Stop::Closed
    } else {
        Stop::Failed(format!("cannot write to standard output: {error}"))
    }
}

/// Buffered stdout that reports a failed write instead of panicking.
pub(crate) struct Stdout {
    inner: BufWriter<StdoutLock<'static>>,
}

impl Stdout {
    pub(crate) fn new() -> Self {
        Self {
            inner: BufWriter::with_capacity(64 * 1024, io::stdout().lock()),
        }
    }

    /// The writer, for code that writes with `write!`; map its errors with [`stdout_error`].
    pub(crate) fn writer(&mut self) -> &mut impl Write {
        &mut self.inner
    }

    /// Flushes what is buffered: only then has the output been written.
    pub(crate) fn finish(mut self) -> Result<(), Stop> {
        self.inner.flush().map_err(stdout_error)
    }
}

/// A line on stderr. A stderr that cannot be written to is ignored: there is nowhere left to
/// say so, and the command's result does not depend on its diagnostics.
pub(crate) fn note(text: &str) {
    let mut stderr = io::stderr().lock();
    let _ = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.write_all(b"\n"));
}

/// Notes on stderr, above a progress spinner when stderr is a terminal.
pub(crate) struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// A counter of records read, with the rate, on stderr when it is a terminal (nothing
    /// otherwise): it ticks per record, whatever the source — a large file, stdin or one S3
    /// object shows its progress while it is read.
    pub(crate) fn new() -> Self {
        Self {
            bar: io::stderr().is_terminal().then(|| {
                let bar = indicatif::ProgressBar::new_spinner();
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{spinner} {human_pos} records read ({rate}, {elapsed})",
                ) {
                    bar.set_style(style.with_key(
                        "rate",
                        |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                            let _ = write!(out, "{:.0} records/s", state.per_sec());
                        },
                    ));
                }
                bar.enable_steady_tick(std::time::Duration::from_millis(100));
                bar
            }),
        }
    }

    pub(crate) fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => note(line),
        }
    }

    /// One more record read (any thread).
    pub(crate) fn record(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    pub(crate) fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
