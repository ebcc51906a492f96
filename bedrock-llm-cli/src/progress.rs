//! Progress on stderr while replaying, when stderr is a terminal: records read and their rate,
//! ticking per record whatever the source; where every source's size is known (files, S3
//! objects — not stdin or a queue), the bytes read of the total and an ETA.

use std::io::{self, IsTerminal, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

/// Notes on stderr, above the progress line when there is one.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    records: Arc<AtomicU64>,
}

impl Progress {
    /// A counter of records read, with the rate, on stderr when it is a terminal (nothing
    /// otherwise).
    pub(crate) fn new() -> Self {
        let records = Arc::new(AtomicU64::new(0));
        let bar = io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(style(
                "{spinner} {records} records read ({rate}, {elapsed})",
                &records,
            ));
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        Self { bar, records }
    }

    /// From here on, `total` bytes are to be read (compressed, as stored): the line shows how
    /// far along they are and when the rest should be done.
    pub(crate) fn expect_bytes(&self, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            bar.set_style(style(
                "{spinner} {records} records read ({rate}) · {bytes}/{total_bytes} · ETA {eta}",
                &self.records,
            ));
        }
    }

    /// `reader`, counting its bytes towards [`Progress::expect_bytes`].
    pub(crate) fn counted<R: Read>(&self, reader: R) -> Counted<R> {
        Counted {
            inner: reader,
            bar: self.bar.clone(),
        }
    }

    pub(crate) fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => crate::output::note(line),
        }
    }

    /// One more record read (any thread).
    pub(crate) fn record(&self) {
        self.records.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A template whose `{records}` and `{rate}` come from the record counter (the bar's own
/// position counts bytes when sizes are known).
fn style(template: &str, records: &Arc<AtomicU64>) -> ProgressStyle {
    let count = records.clone();
    let per_second = records.clone();
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .with_key(
            "records",
            move |_: &ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(
                    out,
                    "{}",
                    indicatif::HumanCount(count.load(Ordering::Relaxed))
                );
            },
        )
        .with_key(
            "rate",
            move |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                let seconds = state.elapsed().as_secs_f64().max(1e-3);
                let rate = per_second.load(Ordering::Relaxed) as f64 / seconds;
                let _ = write!(out, "{rate:.0} records/s");
            },
        )
}

/// A reader that moves the progress line by the bytes it reads.
pub(crate) struct Counted<R> {
    inner: R,
    bar: Option<ProgressBar>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        if let Some(bar) = &self.bar {
            bar.inc(read as u64);
        }
        Ok(read)
    }
}
