//! Runtime metrics as a replay goes: each unit's figures are added, and periods that have
//! closed — an hour (or a period, if longer) behind the latest one seen — are handed on at once
//! to the destinations and to `--metrics-out`, so a long replay with short periods never keeps
//! them all. A metrics file that cannot be written is reported at the end and costs nothing
//! else.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use bedrock_llm_events::RuntimeMetrics;
use bedrock_llm_export::destination::Fanout;

/// Which runtime-metric documents to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum MetricsFormat {
    /// CloudWatch Embedded Metric Format.
    Emf,
    /// Elastic `aws_bedrock.runtime` documents.
    Elastic,
}

/// How far behind the latest period a period is taken as closed: records of an hourly log
/// object may come out of order within it.
const LATENESS: Duration = Duration::from_secs(3600);

/// How far behind the latest period one of `period_ms` closes: an hour, or a period if longer.
pub(crate) fn lateness(period_ms: u64) -> Duration {
    LATENESS.max(Duration::from_millis(period_ms))
}

/// `--metrics-out FILE`, written as periods close.
struct MetricsFile {
    path: PathBuf,
    format: MetricsFormat,
    out: Option<BufWriter<File>>,
    /// The first write that failed; nothing more is written after it.
    failed: Option<String>,
}

impl MetricsFile {
    fn write(&mut self, metrics: &RuntimeMetrics) {
        if self.failed.is_some() {
            return;
        }
        let documents = match self.format {
            MetricsFormat::Emf => metrics.emf(),
            MetricsFormat::Elastic => metrics.elastic(),
        };
        let written = (|| -> std::io::Result<()> {
            if self.out.is_none() {
                self.out = Some(BufWriter::new(File::create(&self.path)?));
            }
            if let Some(out) = &mut self.out {
                for document in documents {
                    writeln!(out, "{document}")?;
                }
            }
            Ok(())
        })();
        if let Err(error) = written {
            self.failed = Some(format!("cannot write {}: {error}", self.path.display()));
        }
    }

    fn finish(mut self) -> Option<String> {
        if self.failed.is_none() {
            let flushed = match self.out.take() {
                Some(mut out) => out.flush(),
                // Nothing was counted: the file is still made, empty.
                None => File::create(&self.path).map(|_| ()),
            };
            if let Err(error) = flushed {
                self.failed = Some(format!("cannot write {}: {error}", self.path.display()));
            }
        }
        self.failed
    }
}

/// The run's runtime metrics: what is still open, and where closed periods go.
pub(crate) struct RuntimeOut {
    open: RuntimeMetrics,
    file: Option<MetricsFile>,
    lateness: Duration,
    failures: Vec<String>,
}

impl RuntimeOut {
    /// Metrics like `template` (period, namespace), written to `file` as `format` too.
    pub(crate) fn new(
        template: &RuntimeMetrics,
        file: Option<PathBuf>,
        format: MetricsFormat,
    ) -> Self {
        Self {
            open: template.empty_like(),
            file: file.map(|path| MetricsFile {
                path,
                format,
                out: None,
                failed: None,
            }),
            lateness: lateness(template.period_ms()),
            failures: Vec::new(),
        }
    }

    /// Adds a unit's figures, and hands on the periods that closed.
    pub(crate) fn add(&mut self, unit: &RuntimeMetrics, destinations: &mut Fanout) {
        if unit.is_empty() {
            return;
        }
        self.open.merge(unit);
        if let Some(closed) = self.open.split_closed(self.lateness) {
            self.hand_on(&closed, destinations);
        }
    }

    fn hand_on(&mut self, metrics: &RuntimeMetrics, destinations: &mut Fanout) {
        if let Err(error) = destinations.runtime_metrics(metrics) {
            self.failures.push(format!("runtime metrics: {error}"));
        }
        if let Some(file) = &mut self.file {
            file.write(metrics);
        }
    }

    /// Hands on what is left; every failure on the way, to report.
    pub(crate) fn finish(mut self, destinations: &mut Fanout) -> Vec<String> {
        let open = std::mem::replace(&mut self.open, RuntimeMetrics::per_minute());
        if !open.is_empty() {
            self.hand_on(&open, destinations);
        }
        let mut failures = self.failures;
        if let Some(failed) = self.file.and_then(MetricsFile::finish) {
            failures.push(failed);
        }
        failures
    }
}
