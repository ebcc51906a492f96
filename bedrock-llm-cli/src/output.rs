//! Writing to stdout and stderr the way Unix tools do: a reader that goes away (`| head`) ends
//! the command quietly, a write that fails otherwise (`> /dev/full`) is an error with a
//! message, and nothing panics — `println!` and `eprintln!` do, on both.

use std::io::{self, BufWriter, StdoutLock, Write};

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
